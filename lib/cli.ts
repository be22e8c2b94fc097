/**
 * The `private-aks` command line. Commands read an environment file (validate) and, in
 * later additions, the synthesized output; none of them writes anything.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Command, CommanderError } from "commander";
import { displayName, loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError } from "./config/problem";
import { checkGuardrails, exceptionLine, violationLine, warningsOf } from "./policy/guardrails";
import { buildEnvironment } from "./stacks/environment";

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
      const shown = displayName(file);
      let env;
      try {
        env = loadEnvironment(file);
      } catch (e) {
        if (!(e instanceof EnvironmentError)) throw e;
        io.stderr.write(e.lines().join("\n") + "\n");
        code = 1;
        return;
      }
      // Build the stacks in memory (nothing is synthesized) to run the guardrails on them.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "private-aks-validate-"));
      try {
        const app = new App({ outdir: scratch, stackTraces: false });
        const built = buildEnvironment(app, env);
        const report = checkGuardrails(app);
        if (report.violations.length > 0) {
          io.stderr.write(report.violations.map((v) => `${shown}: ${violationLine(v)}`).join("\n") + "\n");
          code = 1;
          return;
        }
        const stacks = [built.hub, ...built.spokes].map((s) => s.node.id);
        io.stdout.write(`${shown}: ok (environment ${env.name}, ${env.location}; stacks ${stacks.join(", ")})\n`);
        io.stdout.write(`public endpoints (${report.exceptions.length}), each an acknowledged exception:\n`);
        for (const f of report.exceptions) io.stdout.write(`  ${exceptionLine(f)}\n`);
        for (const w of warningsOf(app)) io.stderr.write(`${shown}: ${w.path}: warning: ${w.message}\n`);
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
