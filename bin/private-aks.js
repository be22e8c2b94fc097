#!/usr/bin/env node
// The `private-aks` command: lib/cli.ts, run as plain JavaScript from a bundle that is rebuilt
// whenever a source changes (scripts/launch.js). Works in a checkout right after `npm ci`.
// A reader that stops early (`| head`) is not an error.
for (const stream of [process.stdout, process.stderr]) stream.on("error", (e) => (e.code === "EPIPE" ? process.exit(process.exitCode ?? 0) : (process.exitCode = 2)));
require("../scripts/launch")
  .load("lib/cli.ts")
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
