#!/usr/bin/env node
// The `private-aks` command: lib/cli.ts, run as plain JavaScript from a bundle that is rebuilt
// whenever a source changes (scripts/launch.js). Works in a checkout right after `npm ci`.
require("../scripts/launch")
  .load("lib/cli.ts")
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
