import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError } from "./config/problem";
import type { Environment } from "./config/schema";
import { buildEnvironment } from "./stacks/environment";

export interface SynthesizeOptions {
  /** Where to write; cdktf passes CDKTF_OUTDIR. */
  readonly outdir: string;
  /** @default - $PRIVATE_AKS_CONFIG, else environments/default.yaml */
  readonly file?: string;
  /** @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
}

/**
 * Loads, validates and synthesizes one environment. Returns the process exit code: 0 when
 * written, 1 when the environment file has problems (printed one per line; nothing written).
 */
export function synthesize(options: SynthesizeOptions): number {
  const stderr = options.stderr ?? process.stderr;
  let env: Environment;
  try {
    env = loadEnvironment(options.file ?? selectedEnvironmentFile());
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    stderr.write(e.lines().join("\n") + "\n");
    return 1;
  }
  // No stack traces in annotations: they hold absolute paths of the synthesizing machine.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = buildEnvironment(app, env);
  app.synth();
  removeStaleStacks(options.outdir, [stacks.hub, ...stacks.spokes].map((s) => s.node.id));
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
