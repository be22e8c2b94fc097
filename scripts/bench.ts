/**
 * `npm run bench`: prints how long synthesis takes and how much memory it uses. Figures
 * only, no thresholds: these machines are noisy, so targets are read, not asserted.
 *
 *   cold synth   a fresh `tsx main.ts` process, as `npm run synth` and `cdktf synth` run it
 *   warm synth   load + build + synth again inside one process (the cost of our code alone)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { App } from "cdktf";
import { loadEnvironment, PROJECT_ROOT } from "../lib/config/loader";
import { buildEnvironment } from "../lib/stacks/environment";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const files = (process.argv.slice(2).length ? process.argv.slice(2) : ["environments/default.yaml", "environments/full.yaml"]).map((f) => path.resolve(PROJECT_ROOT, f));

const HAS_GNU_TIME = fs.existsSync("/usr/bin/time");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

for (const file of files) {
  const cold: number[] = [];
  const coldRss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const start = performance.now();
    const app = [process.execPath, require.resolve("tsx/cli"), path.join(PROJECT_ROOT, "main.ts")];
    // GNU time reports the child's peak RSS; without it, only the time is measured.
    const [command, ...args] = HAS_GNU_TIME ? ["/usr/bin/time", "-f", "%M", ...app] : app;
    const child = spawnSync(command, args, {
      env: { ...process.env, PRIVATE_AKS_CONFIG: file, CDKTF_OUTDIR: out },
      encoding: "utf8",
    });
    cold.push(performance.now() - start);
    const rss = Number(child.stderr.trim().split("\n").pop());
    if (Number.isFinite(rss)) coldRss.push(rss / 1024);
    fs.rmSync(out, { recursive: true, force: true });
  }

  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const start = performance.now();
    const env = loadEnvironment(file);
    const app = new App({ outdir: out, stackTraces: false });
    buildEnvironment(app, env);
    app.synth();
    warm.push(performance.now() - start);
    fs.rmSync(out, { recursive: true, force: true });
  }

  const name = path.relative(PROJECT_ROOT, file);
  console.log(`${name}`);
  console.log(`  cold synth (new process): median ${median(cold).toFixed(0)} ms over ${runs} runs` + (coldRss.length ? `, peak RSS ${median(coldRss).toFixed(0)} MB` : ""));
  console.log(`  warm synth (in process):  median ${median(warm).toFixed(0)} ms over ${runs} runs`);
}
console.log(`  this process: heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
