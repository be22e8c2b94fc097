/**
 * `npm run bench`: how long synthesis takes and how much memory it uses, as figures and ratios.
 * Nothing is asserted: these machines are noisy, so targets are read, not tested.
 *
 *   (a) `cdktf synth` of an empty app: the CLI's own floor
 *   (b) `cdktf synth` of environments/default.yaml
 *   (c) the app alone (`npm run synth`) on the default environment, and the build+synth of
 *       generated environments with 1, 10, 100 and 500 spokes (each in a fresh process)
 *   (d) `npm test`
 *   (e) reviewers' tools (review, diff, explain) on an estate of 504 spokes, against its synth
 *
 * BENCH_RUNS (default 5) sets the runs per figure (medians are printed); BENCH_SKIP_TESTS=1
 * leaves (d) out.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { AZURE_LIMITS } from "../lib/domain/defaults";
import { PROJECT_ROOT } from "../lib/config/loader";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const CDKTF = path.join(PROJECT_ROOT, "node_modules", ".bin", "cdktf");

interface Figure {
  readonly ms: number;
  readonly mb?: number;
}

/** Runs a command `runs` times; the median wall time and peak RSS (GNU time, when present). */
function measure(command: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv | ((run: number) => NodeJS.ProcessEnv); runs?: number } = {}): Figure {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < (options.runs ?? RUNS); i++) {
    const [cmd, ...args] = TIME ? [TIME, "-f", "%M", ...command] : command;
    const start = performance.now();
    const env = typeof options.env === "function" ? options.env(i) : options.env;
    const child = spawnSync(cmd, args, { cwd: options.cwd ?? PROJECT_ROOT, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    times.push(performance.now() - start);
    if (child.status !== 0) throw new Error(`${command.join(" ")} failed: ${child.stderr.slice(-500)}`);
    const kb = Number(child.stderr.trim().split("\n").pop());
    if (Number.isFinite(kb)) rss.push(kb / 1024);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { ms: median(times), mb: rss.length ? median(rss) : undefined };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const show = (f: Figure) => `${(f.ms / 1000).toFixed(2)} s${f.mb ? `, peak RSS ${f.mb.toFixed(0)} MB` : ""}`;

// (a) the CLI's floor: an app that synthesizes one empty stack.
const empty = path.join(scratch, "empty");
fs.mkdirSync(empty);
fs.writeFileSync(path.join(empty, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.js", projectId: "bench", sendCrashReports: "false", terraformProviders: [], terraformModules: [] }));
fs.writeFileSync(path.join(empty, "main.js"), `const { App, TerraformStack } = require(${JSON.stringify(require.resolve("cdktf"))});\nconst app = new App();\nnew TerraformStack(app, "empty");\napp.synth();\n`);
const a = measure([CDKTF, "synth"], { cwd: empty });

// (b) the default environment through the CLI.
const b = measure([CDKTF, "synth", "--output", path.join(scratch, "cli.out")]);

// (c) the app alone, then the synth engine on generated environments.
const c = measure([process.execPath, path.join(PROJECT_ROOT, "scripts", "app.js")], { env: { CDKTF_OUTDIR: path.join(scratch, "app.out") } });
// Generated environments run as the app runs: plain JavaScript from the cached bundle.
const runner = [process.execPath, "-e", `require(${JSON.stringify(path.join(PROJECT_ROOT, "scripts", "launch.js"))}).load("scripts/bench-generated.ts")`];
const generated = [1, 10, 100, 500].map((n) => {
  // Each run writes a fresh folder, as synth does (it stages its output in a new folder).
  const figure = measure(runner, { runs: n >= 100 ? Math.min(RUNS, 3) : RUNS, env: (run) => ({ BENCH_SPOKES: String(n), BENCH_OUTDIR: path.join(scratch, `gen-${n}-${run}`) }) });
  // The in-process build+synth time, without the process's start-up.
  const out = spawnSync(runner[0], runner.slice(1), { encoding: "utf8", env: { ...process.env, BENCH_SPOKES: String(n), BENCH_OUTDIR: path.join(scratch, `gen-${n}-b`) } }).stdout;
  return { n, process: figure, synthMs: Number(out) };
});

// (e) reviewers' tools at scale: an estate of 9 environment files of 56 spokes each,
// synthesized together (504 spokes, 513 stacks); review, diff and explain read what it wrote.
const estateDir = path.join(scratch, "estate");
fs.mkdirSync(estateDir);
const estateFiles = Array.from({ length: 9 }, (_, i) => {
  const spokes = Array.from({ length: 56 }, (_s, j) => ({ name: `s${j}`, addressSpace: [`10.${20 + i}.${j * 4}.0/22`], subnets: { nodes: `10.${20 + i}.${j * 4}.0/24` }, cluster: { userPools: [{ name: "apps" }] } }));
  const file = path.join(estateDir, `e${i}.json`);
  fs.writeFileSync(file, JSON.stringify({ name: `e${i}`, location: "westeurope", hub: { addressSpace: [`10.${100 + i}.0.0/22`], subnets: { firewall: `10.${100 + i}.0.0/26` } }, spokes }));
  return file;
});
const estateOut = path.join(estateDir, "cdktf.out");
const cli = (...args: string[]) => [process.execPath, path.join(PROJECT_ROOT, "bin", "private-aks.js"), ...args];
const estateRuns = Math.min(RUNS, 3);
const e = {
  synth: measure([process.execPath, path.join(PROJECT_ROOT, "scripts", "app.js")], { runs: estateRuns, env: { PRIVATE_AKS_CONFIG: estateFiles.join(","), CDKTF_OUTDIR: estateOut } }),
  review: measure(cli("review", "--out", estateOut), { runs: estateRuns }),
  diff: measure(cli("diff", estateOut, estateOut), { runs: estateRuns }),
  explain: measure(cli("explain", "--out", estateOut, "--from", "e3-s10", "--to", "mcr.microsoft.com:443"), { runs: estateRuns }),
};

// (d) the test suite, as CI runs it (after npm ci).
const d = process.env.BENCH_SKIP_TESTS === "1" ? undefined : measure(["npm", "test", "--silent"], { runs: 1 });

const ratio = (x: number, y: number) => (x / y).toFixed(2);
/** "met" or "MISSED" for a figure against its target (at most `limit`). */
const verdict = (value: number, limit: number) => (value <= limit ? "met" : "MISSED");
console.log("figure                                          median");
console.log(`(a) cdktf synth, empty app (the CLI's floor)    ${show(a)}`);
console.log(`(b) cdktf synth, default environment            ${show(b)}   (b)/(a) = ${ratio(b.ms, a.ms)}  target <= 1.15: ${verdict(b.ms / a.ms, 1.15)}`);
console.log(`(c) npm run synth, default environment          ${show(c)}   (c)/(a) = ${ratio(c.ms, a.ms)}  target <= 0.40: ${verdict(c.ms / a.ms, 0.4)}`);
for (const g of generated) {
  console.log(`    generated, ${String(g.n).padStart(3)} spokes: build+synth ${(g.synthMs / 1000).toFixed(2)} s; whole process ${show(g.process)}`);
}
const one = generated.find((g) => g.n === 1)!;
const most = generated.find((g) => g.n === 500)!;
console.log(`    500 spokes / 1 spoke, whole process = ${ratio(most.process.ms, one.process.ms)}  target <= 6: ${verdict(most.process.ms / one.process.ms, 6)}  (build+synth alone ${ratio(most.synthMs, one.synthMs)})`);
console.log(`    peak RSS at 500 spokes ${most.process.mb?.toFixed(0) ?? "?"} MB  target <= 400: ${most.process.mb === undefined ? "not measured (no /usr/bin/time)" : verdict(most.process.mb, 400)}`);
console.log(`    each spoke beyond the first adds ${((most.synthMs - one.synthMs) / 499).toFixed(2)} ms of build+synth`);
console.log(`    (an Azure Firewall policy holds ${AZURE_LIMITS.ruleCollectionGroupsPerPolicy} rule collection groups, so validation refuses more than ${AZURE_LIMITS.ruleCollectionGroupsPerPolicy - 2} spokes on a hub with a jumpbox and a gateway (their groups take two); the generated environments measure the synth engine alone)`);
console.log(`(e) an estate of 9 x 56 spokes (513 stacks): synth ${show(e.synth)}`);
console.log(`    review  ${show(e.review)}   review/synth = ${ratio(e.review.ms, e.synth.ms)}  target <= 1: ${verdict(e.review.ms / e.synth.ms, 1)}`);
console.log(`    diff    ${show(e.diff)}   diff/synth = ${ratio(e.diff.ms, e.synth.ms)}  target <= 1: ${verdict(e.diff.ms / e.synth.ms, 1)}`);
console.log(`    explain ${show(e.explain)}   explain/synth = ${ratio(e.explain.ms, e.synth.ms)}  target <= 0.5: ${verdict(e.explain.ms / e.synth.ms, 0.5)}`);
if (d) console.log(`(d) npm test                                     ${show(d)}   target <= 30 s: ${verdict(d.ms / 1000, 30)}`);
fs.rmSync(scratch, { recursive: true, force: true });
