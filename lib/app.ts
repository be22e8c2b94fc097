import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { displayName, loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError } from "./config/problem";
import type { Environment } from "./config/schema";
import { checkGuardrails, type GuardrailReport, violationLine, warningsOf } from "./policy/guardrails";
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

/** An environment built in memory and checked: nothing is written yet. */
export interface Plan {
  readonly env: Environment;
  readonly app: App;
  readonly stacks: EnvironmentStacks;
  readonly report: GuardrailReport;
}

export interface PlanOptions {
  readonly file: string;
  /** The app's outdir (App creates it when constructed). */
  readonly outdir: string;
  readonly stderr: { write(text: string): unknown };
  readonly customize?: (stacks: EnvironmentStacks) => void;
}

/**
 * Loads and validates an environment file, builds its stacks and runs the guardrails, as
 * both synth and `validate` must. Problems are printed one per line and the result is
 * undefined; otherwise warnings are printed and the plan is returned.
 */
export function planEnvironment(options: PlanOptions): Plan | undefined {
  const shown = displayName(options.file);
  let env: Environment;
  try {
    env = loadEnvironment(options.file);
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    options.stderr.write(e.lines().join("\n") + "\n");
    return undefined;
  }
  // No stack traces in annotations: they hold absolute paths of the synthesizing machine.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = buildEnvironment(app, env);
  options.customize?.(stacks);
  const report = checkGuardrails(app);
  if (report.violations.length > 0) {
    options.stderr.write(report.violations.map((v) => `${shown}: ${violationLine(v)}`).join("\n") + "\n");
    return undefined;
  }
  for (const w of warningsOf(app)) options.stderr.write(`${shown}: ${w.path}: warning: ${w.message}\n`);
  return { env, app, stacks, report };
}

/**
 * Loads, validates and synthesizes one environment. Returns the process exit code: 0 when
 * written, 1 when the environment file has problems or the built stacks break a guardrail
 * (printed one per line; nothing written).
 */
export function synthesize(options: SynthesizeOptions): number {
  const existed = fs.existsSync(options.outdir);
  const plan = planEnvironment({
    file: options.file ?? selectedEnvironmentFile(),
    outdir: options.outdir,
    stderr: options.stderr ?? process.stderr,
    customize: options.customize,
  });
  if (!plan) {
    // App creates its outdir when constructed; take it back if it was not there before.
    if (!existed) fs.rmSync(options.outdir, { recursive: true, force: true });
    return 1;
  }
  plan.app.synth();
  if (options.pruneStaleStacks ?? true) removeStaleStacks(options.outdir, [plan.stacks.hub, ...plan.stacks.spokes].map((s) => s.node.id));
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
