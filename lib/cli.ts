/**
 * The `private-aks` command line. Commands read an environment file (validate) and, in
 * later additions, the synthesized output; none of them writes anything.
 */
import { Command, CommanderError } from "commander";
import { displayName, loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError } from "./config/problem";
import { stackIds } from "./stacks/naming";

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
    .description("check an environment file and print every problem, one per line")
    .argument("[file]", "environment file (YAML or JSON)", selectedEnvironmentFile())
    .action((file: string) => {
      try {
        const env = loadEnvironment(file);
        const stacks = [stackIds.hub(env.name), ...env.spokes.map((s) => stackIds.spoke(env.name, s.name))];
        io.stdout.write(`${displayName(file)}: ok (environment ${env.name}, ${env.location}; stacks ${stacks.join(", ")})\n`);
      } catch (e) {
        if (!(e instanceof EnvironmentError)) throw e;
        io.stderr.write(e.lines().join("\n") + "\n");
        code = 1;
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
