/**
 * Part of `npm run bench`: builds and synthesizes a generated environment with N spokes in
 * this process and prints the milliseconds build+synth took (start-up excluded). The spokes
 * are schema-valid; the firewall policy's 60-group limit (a validation rule) is not applied, so
 * that the synth engine's scaling can be measured beyond it.
 *
 *   BENCH_SPOKES=<spokes> BENCH_OUTDIR=<outdir> node -e 'require("./scripts/launch").load("scripts/bench-generated.ts")'
 *
 * It runs as the app does: plain JavaScript from the cached bundle.
 */
import { App } from "cdktf";
import { environmentSchema } from "../lib/config/schema";
import { buildEnvironment } from "../lib/stacks/environment";
import { withoutTokenTraces } from "../lib/synth/token-traces";

const count = Number(process.env.BENCH_SPOKES);
const spokes = Array.from({ length: count }, (_, i) => {
  const second = 16 + Math.floor(i / 64);
  const third = (i % 64) * 4;
  return {
    name: `s${i}`,
    addressSpace: [`10.${second}.${third}.0/22`],
    subnets: { nodes: `10.${second}.${third + 1}.0/24` },
    cluster: { userPools: [{ name: "apps", minCount: 1, maxCount: 3 }] },
  };
});
const env = environmentSchema.parse({ name: "gen", location: "westeurope", hub: { addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26" } }, spokes });
const start = process.hrtime.bigint();
const app = new App({ outdir: process.env.BENCH_OUTDIR, stackTraces: false });
withoutTokenTraces(() => {
  buildEnvironment(app, env);
  app.synth();
});
process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
