// Starts a TypeScript entry point of the project (main.ts, lib/cli.ts) as plain JavaScript.
//
// The entry is bundled with esbuild, with its dependencies (one file to read and compile instead
// of hundreds of modules to resolve: faster start-up, less memory), into
// node_modules/.cache/private-aks/, under a name that is the hash of every file the bundle can
// be built from (every file under lib/, whatever its kind: a JSON import is bundled too; main.ts,
// the entry, tsconfig.json), of how it is built (the build options, this file), and of the
// installed dependency tree (package-lock.json and npm's node_modules/.package-lock.json). An
// edit, an install or a change to the build changes the hash, so a stale bundle is never run;
// an unchanged checkout reuses the bundle. Works straight from a fresh clone after
// `npm ci`: the first run builds the bundle (about half a second).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "private-aks");

/** How a bundle is built; part of its key, so that a change here never reuses an old bundle. */
const BUILD = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "error" };

/** Every file the app can import (any kind: TypeScript, JSON, ...), and what shapes its build, in a stable order. */
function sources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  walk(path.join(ROOT, "lib"));
  for (const file of ["main.ts", "tsconfig.json", path.join("scripts", "launch.js")]) if (fs.existsSync(path.join(ROOT, file))) files.push(path.join(ROOT, file));
  return files;
}

/** The bundle's key: the entry, esbuild's version, and the path and bytes of every source. */
function key(entry, files = sources()) {
  const hash = crypto.createHash("sha256");
  // esbuild's version from its package.json: loading esbuild itself costs more than the whole check.
  const esbuildVersion = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
  hash.update(`${entry}\0${esbuildVersion}\0${JSON.stringify(BUILD)}\0`);
  for (const file of files) {
    hash.update(path.relative(ROOT, file));
    hash.update("\0");
    hash.update(fs.readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** What a bundle of `entry` is built from: the app's sources, the entry, and the installed dependency tree. */
function inputs(entry) {
  const files = sources();
  const own = path.join(ROOT, entry);
  if (!files.includes(own)) files.push(own); // an entry outside lib/ (a script) is a source too
  for (const lock of [path.join(ROOT, "package-lock.json"), path.join(ROOT, "node_modules", ".package-lock.json")]) {
    if (fs.existsSync(lock)) files.push(lock);
  }
  return files;
}

/** The path of an up-to-date bundle of `entry` (relative to the project), built when missing. */
function bundle(entry) {
  const name = entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
  const out = path.join(CACHE, `${name}-${key(entry, inputs(entry))}.js`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(CACHE, { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  require("esbuild").buildSync({ ...BUILD, entryPoints: [path.join(ROOT, entry)], outfile: partial });
  fs.renameSync(partial, out); // atomic: a concurrent run sees the whole bundle or none
  for (const old of fs.readdirSync(CACHE)) {
    const current = path.join(CACHE, old) === out || old === `${path.basename(out, ".js")}.v8`;
    if (old.startsWith(`${name}-`) && !current && !old.endsWith(".tmp")) fs.rmSync(path.join(CACHE, old), { force: true });
  }
  return out;
}

/**
 * Loads an entry point: its exports, from the bundle. V8 compiles the bundle (9 MB) from its code
 * cache when there is one (`<bundle>.v8`, beside it and under the same key, so it is never older
 * than the bundle): start-up takes about half the time (measured 270 ms against 127 ms for the
 * CLI's bundle on this project's 2-core machine, 2026-12-07). The first run writes the cache as it
 * ends, with every function that run compiled; a cache V8 rejects (another Node version) is
 * written again. Without one, the bundle compiles from source, as require() would.
 */
function load(entry) {
  const file = bundle(entry);
  const cacheFile = `${file.slice(0, -".js".length)}.v8`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      const partial = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(partial, script.createCachedData());
        fs.renameSync(partial, cacheFile); // atomic, as the bundle is
      } catch {
        fs.rmSync(partial, { force: true }); // a read-only cache folder: run without one
      }
    });
  }
  script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  return loaded.exports;
}

module.exports = { BUILD, bundle, inputs, key, load, sources };
