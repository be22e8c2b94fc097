#!/usr/bin/env node
// The cdktf app (cdktf.json's "app" and `npm run synth`): main.ts, run as plain JavaScript from
// a bundle that is rebuilt whenever a source changes (scripts/launch.js).
"use strict";
// A reader that stops early (`| head`) is not an error.
for (const stream of [process.stdout, process.stderr]) stream.on("error", (e) => (e.code === "EPIPE" ? process.exit(process.exitCode ?? 0) : (process.exitCode = 2)));
require("./launch.js").load("main.ts");
