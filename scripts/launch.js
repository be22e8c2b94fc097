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
const path = require("path");

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
    if (old.startsWith(`${name}-`) && path.join(CACHE, old) !== out && !old.endsWith(".tmp")) fs.rmSync(path.join(CACHE, old), { force: true });
  }
  return out;
}

/** Loads an entry point: its exports, from the bundle. */
function load(entry) {
  return require(bundle(entry));
}

module.exports = { BUILD, bundle, inputs, key, load, sources };
