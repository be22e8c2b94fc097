#!/usr/bin/env node
// `npm test`: the type-check, the lint and jest at once (jest only transpiles, so it does not wait
// for the type-check; the type-check is incremental and the lint cached, so on a second run they
// cost a few seconds of one core). Any failure fails the run, and the last lines say which;
// arguments go to jest (`npm test -- cidr`).
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
  const [types, lint, tests] = await Promise.all([
    run(bin("typescript", "bin/tsc"), ["--noEmit"]),
    run(bin("eslint", "bin/eslint.js"), ["--cache", "--cache-location", "node_modules/.cache/eslint/", "."]),
    run(bin("jest", "bin/jest.js"), process.argv.slice(2)),
  ]);
  const failed = [types !== 0 && "the type-check", lint !== 0 && "the lint", tests !== 0 && "jest"].filter(Boolean);
  if (failed.length > 0) {
    process.stderr.write(`npm test: ${failed.join(", ")} failed\n`);
    process.exit(1);
  }
})();
