/**
 * The `private-aks` command line. Commands read an environment file (validate) and, in
 * later additions, the synthesized output; none of them writes anything.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { planEnvironment } from "./app";
import { displayName, PROJECT_ROOT, selectedEnvironmentFile } from "./config/loader";
import { oneLine } from "./config/problem";
import { exceptionLine } from "./policy/guardrails";

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

/** Runs the command line; returns the exit code (0 ok, 1 problems found, 2 usage error or internal error). */
export function run(argv: string[], io: Io = process): number {
  let code = 0;
  const program = new Command("private-aks")
    .description("Private AKS on hub-and-spoke: check environment files")
    .version(packageVersion(), "-V, --version", "print the version of private-aks")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command("validate")
    .description("check an environment file and the stacks it builds (guardrails); print every problem, one per line, and the public endpoints")
    .argument("[file]", "environment file (YAML or JSON)", selectedEnvironmentFile())
    .action((file: string) => {
      // Build and synthesize into a scratch folder, to run exactly the checks synth runs.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "private-aks-validate-"));
      try {
        const plan = planEnvironment({ file, outdir: scratch, stderr: io.stderr });
        if (!plan) {
          code = 1;
          return;
        }
        io.stdout.write(`${displayName(file)}: ok (environment ${plan.env.name}, ${plan.env.location}; stacks ${plan.stackIds.join(", ")})\n`);
        io.stdout.write(`public endpoints (${plan.report.exceptions.length}), each an acknowledged exception:\n`);
        for (const f of plan.report.exceptions) io.stdout.write(`  ${exceptionLine(f)}\n`);
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });

  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    return reportInternalError(e, io.stderr);
  }
  return code;
}
