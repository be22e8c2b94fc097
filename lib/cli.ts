/**
 * The `private-aks` command line. `validate` reads an environment file; `review`, `explain`,
 * `diff` and `stacks` read synthesized outputs (never the environment file). Only `review` writes, and only
 * into <out>/review/.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { displayName, PROJECT_ROOT, selectedEnvironmentFile } from "./config/loader";
import { DEFAULTS } from "./domain/defaults";
import { oneLine } from "./core/problem";
import { isolationNotices } from "./config/rules/isolation";
import { exceptionLine, violationLine } from "./policy/guardrails";
import { diffModels, diffText } from "./review/diff";
import { explain, ExplainError, parseDestination } from "./review/explain";
import { buildGraph, renderSvg, toDot } from "./review/graph";
import { Model, readOutput } from "./output/model";
import { buildReview } from "./review/report";
import { topology } from "./output/topology";
import { type StackWaves, stackWaves, stackWavesText } from "./output/stacks";
import { type FolderChange, gitopsFolders, syncGitOpsFolders } from "./output/gitops-folders";

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** The version in package.json. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * A bug of ours, not a problem of the input: one line that says so, exit code 2. The stack
 * trace is printed only with PRIVATE_AKS_DEBUG=1 (it holds the machine's paths).
 */
export function reportInternalError(e: unknown, stderr: { write(text: string): unknown }, env: NodeJS.ProcessEnv = process.env): number {
  const message = e instanceof Error ? e.message : String(e);
  stderr.write(`private-aks: internal error: ${oneLine(message.split("\n")[0])} (please report it; PRIVATE_AKS_DEBUG=1 prints the stack trace)\n`);
  if (env.PRIVATE_AKS_DEBUG === "1" && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
  return 2;
}

/** A question the command cannot answer as asked (a missing folder, an unknown spoke): one line, exit code 2. */
class UsageError extends Error {}

function model(outdir: string): Model {
  try {
    return new Model(readOutput(outdir));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split("\n")[0] : String(e));
  }
}

/**
 * Runs the command line; resolves to the exit code: 0 ok; 1 problems found (validate) or
 * changes found (diff); 2 a guardrail fails (review), a usage error or an internal error.
 */
export async function run(argv: string[], io: Io = process): Promise<number> {
  let code = 0;
  const program = new Command("private-aks")
    .description("Private AKS on hub-and-spoke: check environment files and review what cdktf synthesized")
    .version(packageVersion(), "-V, --version", "print the version of private-aks")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command("validate")
    .description("check an environment file and the stacks it builds (guardrails); print every problem, one per line, and the public endpoints")
    .argument("[file]", "environment file (YAML or JSON); several, comma-separated, are checked together", selectedEnvironmentFile())
    .action(async (file: string) => {
      // Build and synthesize into a scratch folder, to run exactly the checks synth runs. The
      // stacks (cdktf and the providers) are loaded only here: review, explain and diff read
      // the output and start without them.
      const { planEnvironment } = await import("./app");
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "private-aks-validate-"));
      try {
        const plan = planEnvironment({ file, outdir: scratch, stderr: io.stderr });
        if (!plan) {
          code = 1;
          return;
        }
        const envs = plan.envs.map((e) => `${e.name}, ${e.location}`).join("; ");
        io.stdout.write(`${file.split(",").map((f) => displayName(f.trim())).join(",")}: ok (environment${plan.envs.length > 1 ? "s" : ""} ${envs}; stacks ${plan.stackIds.join(", ")})\n`);
        // Public endpoints first (PUB-001: each public IP is one), then any other acknowledged exception.
        const endpoints = plan.report.exceptions.filter((f) => f.rule.id === "PUB-001");
        const others = plan.report.exceptions.filter((f) => f.rule.id !== "PUB-001");
        io.stdout.write(`public endpoints (${endpoints.length}), each an acknowledged exception:\n`);
        for (const f of endpoints) io.stdout.write(`  ${exceptionLine(f)}\n`);
        if (others.length > 0) {
          io.stdout.write(`other acknowledged exceptions (${others.length}):\n`);
          for (const f of others) io.stdout.write(`  ${exceptionLine(f)}\n`);
        }
        // What each network-isolated cluster goes without: the choice's cost, read before the first deploy.
        const isolated = plan.envs.flatMap((e) => isolationNotices(e).map((n) => `${e.name}: ${n.path}: ${n.message}`));
        if (isolated.length > 0) {
          io.stdout.write(`network-isolated clusters (${isolated.length}):\n`);
          for (const line of isolated) io.stdout.write(`  ${line}\n`);
        }
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });

  program
    .command("review")
    .description("write <out>/review/REVIEW.md and topology.svg from the synthesized output; with --base, the changes since it come first")
    .option("--out <dir>", "the synthesized output to review", DEFAULTS.outdir)
    .option("--base <dir>", "another synthesized output (the base branch's) to compare with")
    .action(async (options: { out: string; base?: string }) => {
      const head = model(options.out);
      const review = buildReview(head, options.base ? model(options.base) : undefined);
      const dir = path.join(options.out, DEFAULTS.reviewDir);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "REVIEW.md"), review.markdown);
      fs.writeFileSync(path.join(dir, "topology.svg"), await renderSvg(toDot(buildGraph(topology(head)))));
      io.stdout.write(`${review.summary}\nwrote ${path.join(dir, "REVIEW.md")} and ${path.join(dir, "topology.svg")}\n`);
      for (const v of review.report.violations) io.stderr.write(`${oneLine(violationLine(v))}\n`);
      code = review.report.violations.length > 0 ? 2 : 0;
    });

  program
    .command("explain")
    .description("would this flow get through, and why? decided from the synthesized output as Azure would: from a subnet, from on-premises or from the Internet")
    .requiredOption(
      "--from <source>",
      "the source: <spoke> (its node subnet), <spoke>/<subnet> or hub/<subnet> (e.g. aks1, aks1/ingress, hub/jumpbox), onprem (through the hub's gateway), or internet (inbound, to the output's public IPs by name)",
    )
    .requiredOption("--to <host:port[/protocol]>", "the destination: a name, an address or (from internet) a public IP's name, e.g. mcr.microsoft.com:443/https, 10.0.1.5:22/tcp, pip-demo-bastion:443")
    .option("--out <dir>", "the synthesized output", DEFAULTS.outdir)
    .option("--json", "print {verdict, rule, path} as JSON")
    .action((options: { from: string; to: string; out: string; json?: boolean }) => {
      try {
        const destination = parseDestination(options.to);
        const answer = explain(model(options.out), { from: options.from, ...destination });
        if (options.json) io.stdout.write(`${JSON.stringify({ verdict: answer.verdict, rule: answer.rule, path: answer.path, reason: answer.reason })}\n`);
        else io.stdout.write(`${answer.verdict}: ${answer.rule ?? answer.reason}\n${answer.path.map((p) => `  ${p}`).join("\n")}\n`);
      } catch (e) {
        if (e instanceof ExplainError) throw new UsageError(e.message);
        throw e;
      }
    });

  program
    .command("stacks")
    .description("the synthesized stacks in deployment waves (a wave's stacks are independent: plan or apply them in parallel, after every earlier wave), for pipelines that should not hard-code stack names")
    .option("--out <dir>", "the synthesized output", DEFAULTS.outdir)
    .option("--base <dir>", "another synthesized output (the base branch's): mark the stacks that changed since it, and list those it has and this one has not")
    .option("--json", "print {waves, stacks: [{name, wave, dependencies, directory, needsApiServer, changed}], removed} as JSON")
    .action((options: { out: string; base?: string; json?: boolean }) => {
      let w: StackWaves;
      try {
        w = stackWaves(options.out, options.base);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      io.stdout.write(options.json ? `${JSON.stringify(w, null, 2)}\n` : stackWavesText(w));
    });

  program
    .command("manifests")
    .description("write each GitOps spoke's rendered manifests into the repository folder its Flux configuration applies (delivery.path); with --check, change nothing and exit 1 when a committed folder is stale")
    .option("--out <dir>", "the synthesized output", DEFAULTS.outdir)
    .option("--repo <dir>", "the root of the repository Flux follows (a checkout)", ".")
    .option("--check", "only compare: print each stale file and exit 1")
    .action((options: { out: string; repo: string; check?: boolean }) => {
      let changes: FolderChange[];
      try {
        if (!fs.existsSync(options.repo) || !fs.statSync(options.repo).isDirectory()) throw new Error(`--repo ${options.repo}: no such folder; pass the root of a checkout of the repository Flux follows`);
        const folders = gitopsFolders(options.out);
        if (folders.length === 0) {
          io.stdout.write(`${options.out} has no GitOps spoke (spokes[].delivery.mode: gitops): nothing to write\n`);
          return;
        }
        changes = syncGitOpsFolders(options.out, options.repo, !options.check, folders);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      const verb = {
        added: options.check ? "missing" : "added",
        changed: options.check ? "stale" : "updated",
        removed: options.check ? "not rendered any more" : "removed",
        conflict: "exists and was not rendered by private-aks: left as it is; move it, or choose another delivery.path",
      };
      for (const c of changes) (options.check || c.change === "conflict" ? io.stderr : io.stdout).write(`${path.join(options.repo, c.file)}: ${verb[c.change]}\n`);
      if (changes.some((c) => c.change === "conflict")) code = 1;
      if (options.check && changes.length > 0) {
        io.stderr.write(`the committed GitOps manifests differ from ${options.out}: run npx private-aks manifests --out ${options.out} --repo ${options.repo} and commit the result\n`);
        code = 1;
      } else if (changes.length === 0) io.stdout.write("the committed GitOps manifests are current\n");
    });

  program
    .command("diff")
    .description("what changed between two synthesized outputs: public endpoints, egress rules, routes, cluster settings, role assignments, then every resource; exit 1 when anything changed")
    .argument("<base>", "the base output folder")
    .argument("[head]", "the head output folder", DEFAULTS.outdir)
    .option("--json", "print the diff as JSON")
    .action((base: string, head: string, options: { json?: boolean }) => {
      const d = diffModels(model(base), model(head));
      io.stdout.write(options.json ? `${JSON.stringify(d, null, 2)}\n` : diffText(d));
      code = d.changed ? 1 : 0;
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.stderr.write(`private-aks: ${oneLine(e.message)}\n`);
      return 2;
    }
    return reportInternalError(e, io.stderr);
  }
  return code;
}
