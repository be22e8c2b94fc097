import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { displayName, loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError } from "./config/problem";
import type { Environment } from "./config/schema";
import { checkGuardrails, violationLine, warningsOf } from "./policy/guardrails";
import { buildEnvironment, type EnvironmentStacks } from "./stacks/environment";

export interface SynthesizeOptions {
  /** Where to write; cdktf passes CDKTF_OUTDIR. */
  readonly outdir: string;
  /** @default - $PRIVATE_AKS_CONFIG, else environments/default.yaml */
  readonly file?: string;
  /** @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
  /**
   * Adds constructs of your own to the built stacks; they are checked by the guardrails and
   * synthesized with the rest. @default - nothing added
   */
  readonly customize?: (stacks: EnvironmentStacks) => void;
  /**
   * Remove folders of stacks that no longer exist (a removed spoke) after synth. The cdktf
   * CLI does this itself, and fails if the folders are already gone, so leave it off there.
   * @default true
   */
  readonly pruneStaleStacks?: boolean;
}

/**
 * Loads, validates and synthesizes one environment. Returns the process exit code: 0 when
 * written, 1 when the environment file has problems or the built stacks break a guardrail
 * (printed one per line; nothing written).
 */
export function synthesize(options: SynthesizeOptions): number {
  const stderr = options.stderr ?? process.stderr;
  const file = options.file ?? selectedEnvironmentFile();
  let env: Environment;
  try {
    env = loadEnvironment(file);
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    stderr.write(e.lines().join("\n") + "\n");
    return 1;
  }
  const existed = fs.existsSync(options.outdir);
  // No stack traces in annotations: they hold absolute paths of the synthesizing machine.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = buildEnvironment(app, env);
  options.customize?.(stacks);
  const guardrails = checkGuardrails(app);
  if (guardrails.violations.length > 0) {
    // App creates its outdir when constructed; take it back if it was not there before.
    if (!existed) fs.rmSync(options.outdir, { recursive: true, force: true });
    stderr.write(guardrails.violations.map((v) => `${displayName(file)}: ${violationLine(v)}`).join("\n") + "\n");
    return 1;
  }
  for (const w of warningsOf(app)) stderr.write(`${displayName(file)}: ${w.path}: warning: ${w.message}\n`);
  app.synth();
  if (options.pruneStaleStacks ?? true) removeStaleStacks(options.outdir, [stacks.hub, ...stacks.spokes].map((s) => s.node.id));
  return 0;
}

/** Drops stack folders of stacks that no longer exist (a removed spoke), as `cdktf synth` does. */
function removeStaleStacks(outdir: string, current: string[]): void {
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) return;
  for (const entry of fs.readdirSync(stacksDir)) {
    if (!current.includes(entry)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
  }
}
