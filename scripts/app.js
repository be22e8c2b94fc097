#!/usr/bin/env node
// The cdktf app (cdktf.json's "app" and `npm run synth`): main.ts, run as plain JavaScript from
// a bundle that is rebuilt whenever a source changes (scripts/launch.js).
"use strict";
require("./launch").load("main.ts");
