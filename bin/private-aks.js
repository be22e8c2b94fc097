#!/usr/bin/env node
// The `private-aks` command. It runs the TypeScript sources through tsx, so it works in a
// checkout right after `npm ci` with no build step.
require("tsx/cjs");
require("../lib/cli")
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
