#!/usr/bin/env node
// `npm test`: the type-check and the lint at once (each keeps about one core busy), then jest on
// two workers. Any failure fails the run; arguments go to jest (`npm test -- cidr`).
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const bin = (pkg, file) => path.join(ROOT, "node_modules", pkg, file);

function run(file, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, stdio: "inherit" });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

(async () => {
  const [types, lint] = await Promise.all([
    run(bin("typescript", "bin/tsc"), ["--noEmit"]),
    run(bin("eslint", "bin/eslint.js"), ["--cache", "--cache-location", "node_modules/.cache/eslint/", "."]),
  ]);
  if (types !== 0 || lint !== 0) {
    process.stderr.write(`npm test: ${[types !== 0 && "the type-check", lint !== 0 && "the lint"].filter(Boolean).join(" and ")} failed; jest did not run\n`);
    process.exit(1);
  }
  process.exit(await run(bin("jest", "bin/jest.js"), process.argv.slice(2)));
})();
