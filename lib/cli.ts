/**
 * The `private-aks` command line. Commands read an environment file (validate) and, in
 * later additions, the synthesized output; none of them writes anything.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { planEnvironment } from "./app";
import { displayName, selectedEnvironmentFile } from "./config/loader";
import { exceptionLine } from "./policy/guardrails";

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Runs the command line; returns the exit code (0 ok, 1 problems found, 2 usage error). */
export function run(argv: string[], io: Io = process): number {
  let code = 0;
  const program = new Command("private-aks")
    .description("Private AKS on hub-and-spoke: check environment files")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command("validate")
    .description("check an environment file and the stacks it builds (guardrails); print every problem, one per line, and the public endpoints")
    .argument("[file]", "environment file (YAML or JSON)", selectedEnvironmentFile())
    .action((file: string) => {
      // Build the stacks in memory (nothing is synthesized) to run the guardrails on them.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "private-aks-validate-"));
      try {
        const plan = planEnvironment({ file, outdir: scratch, stderr: io.stderr });
        if (!plan) {
          code = 1;
          return;
        }
        const stacks = [plan.stacks.hub, ...plan.stacks.spokes].map((s) => s.node.id);
        io.stdout.write(`${displayName(file)}: ok (environment ${plan.env.name}, ${plan.env.location}; stacks ${stacks.join(", ")})\n`);
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
    throw e;
  }
  return code;
}
