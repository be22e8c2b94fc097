/**
 * The stacks of a synthesized output in deployment waves, read from cdktf's manifest.json: a
 * stack's wave is one more than the latest of the stacks it depends on, so the stacks of one
 * wave are independent of each other and may be planned or applied in parallel, after every
 * earlier wave. For pipelines, which should never hard-code stack names.
 */
import * as fs from "fs";
import * as path from "path";
import { type ManifestStack, readManifest } from "./model";

export interface StackEntry {
  readonly name: string;
  /** 1 for stacks that depend on nothing. */
  readonly wave: number;
  readonly dependencies: readonly string[];
  /** The folder to run Terraform in, relative to the output folder (`stacks/<name>`). */
  readonly directory: string;
  /** The stack configures the kubernetes provider: it must run where the cluster's private API server is reachable. */
  readonly needsApiServer: boolean;
  /** With a base output: the stack's Terraform JSON differs from the base's (or the base has no such stack). */
  readonly changed?: boolean;
}

export interface StackWaves {
  readonly waves: readonly (readonly string[])[];
  readonly stacks: readonly StackEntry[];
  /** With a base output: its stacks that this output no longer has (to destroy, in reverse wave order). */
  readonly removed?: readonly string[];
}

const stacksOf = (outdir: string) => new Map(Object.entries(readManifest(outdir)));

/** The waves of the output in `outdir`; with `baseDir`, which stacks changed since that output and which it no longer has. */
export function stackWaves(outdir: string, baseDir?: string): StackWaves {
  const stacks = stacksOf(outdir);
  const wave = new Map<string, number>();
  const visiting = new Set<string>();
  const waveOf = (name: string, from?: string): number => {
    const known = wave.get(name);
    if (known !== undefined) return known;
    const s = stacks.get(name);
    if (s === undefined) throw new Error(`${outdir}: stack ${from} depends on ${name}, which is not in this output`);
    if (visiting.has(name)) throw new Error(`${outdir}: stack ${name} depends on itself through ${[...visiting].join(" -> ")}`);
    visiting.add(name);
    const w = 1 + Math.max(0, ...s.dependencies.map((d) => waveOf(d, name)));
    visiting.delete(name);
    wave.set(name, w);
    return w;
  };
  const base = baseDir === undefined ? undefined : stacksOf(baseDir);
  const text = (dir: string, s: ManifestStack) => fs.readFileSync(path.join(dir, s.synthesizedStackPath), "utf8");
  const entries = [...stacks.keys()].sort().map((name): StackEntry => {
    const s = stacks.get(name)!;
    const json = text(outdir, s);
    const before = base?.get(name);
    return {
      name,
      wave: waveOf(name),
      dependencies: [...s.dependencies].sort(),
      directory: s.workingDirectory,
      needsApiServer: (JSON.parse(json) as { provider?: Record<string, unknown> }).provider?.kubernetes !== undefined,
      ...(base === undefined ? {} : { changed: before === undefined || text(baseDir!, before) !== json }),
    };
  });
  const count = Math.max(0, ...entries.map((e) => e.wave));
  const waves = Array.from({ length: count }, (_, i) => entries.filter((e) => e.wave === i + 1).map((e) => e.name));
  return { waves, stacks: entries, ...(base === undefined ? {} : { removed: [...base.keys()].filter((n) => !stacks.has(n)).sort() }) };
}

/** The waves as a reader wants them: one line per wave, each stack with what a pipeline must know of it. */
export function stackWavesText(w: StackWaves): string {
  const tag = (e: StackEntry) => [...(e.changed === true ? ["changed"] : []), ...(e.needsApiServer ? ["needs the API server"] : [])];
  const lines = w.waves.map((names, i) => {
    const shown = names.map((n) => {
      const tags = tag(w.stacks.find((e) => e.name === n)!);
      return tags.length > 0 ? `${n} (${tags.join(", ")})` : n;
    });
    return `wave ${i + 1}: ${shown.join(", ")}`;
  });
  if (w.removed && w.removed.length > 0) lines.push(`removed: ${w.removed.join(", ")} (in the base output only: destroy them from the base's state)`);
  return lines.join("\n") + "\n";
}
