import * as fs from "fs";
import * as path from "path";
import { Annotations, App, type TerraformStack } from "cdktf";
import { DEFAULTS } from "./domain/defaults";
import { kustomizationManifest, toManifest } from "./apps/kubernetes-objects";
import { GITOPS } from "./domain/gitops";
import { displayName, loadEnvironment, selectedEnvironmentFile } from "./config/loader";
import { EnvironmentError, oneLine } from "./core/problem";
import { checkEnvironmentSet } from "./config/address-plan";
import { planPeerings } from "./config/peerings";
import { checkWarnings } from "./config/rules/warnings";
import type { Environment } from "./config/schema";
import { checkStackNames } from "./policy/azure-names";
import { GUARDRAILS } from "./policy/rules";
import { checkGuardrails, contextOf, type GuardrailReport, violationLine, warningsOf } from "./policy/guardrails";
import { Model, readOutput } from "./output/model";
import { buildEnvironment, type EnvironmentStacks } from "./stacks/environment";
import { HubStack } from "./stacks/hub-stack";
import { stackIds as ids } from "./domain/naming";
import { PeeringStack } from "./stacks/peering-stack";
import { finishOutputFiles } from "./synth/output-files";
import { fastSynthesis } from "./synth/synth-stack";
import { withoutTokenTraces } from "./synth/token-traces";

export interface SynthesizeOptions {
  /** Where to write; cdktf passes CDKTF_OUTDIR. */
  readonly outdir: string;
  /** @default - $PRIVATE_AKS_CONFIG, else environments/default.yaml */
  readonly file?: string;
  /** @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
  /** Where the paths of the plain manifests are announced. @default process.stdout */
  readonly stdout?: { write(text: string): unknown };
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
  /** The (first) environment. */
  readonly env: Environment;
  /** Every environment synthesized together (PRIVATE_AKS_CONFIG may name several). */
  readonly envs: Environment[];
  readonly app: App;
  /** The (first) environment's stacks. */
  readonly stacks: EnvironmentStacks;
  /** Every environment's stacks. */
  readonly all: EnvironmentStacks[];
  /** Global peerings between the environments' hubs, one stack each. */
  readonly peerings: PeeringStack[];
  readonly report: GuardrailReport;
  /** Ids of the synthesized stacks, hub first. */
  readonly stackIds: string[];
  /** The model of the synthesized output the guardrails judged. */
  readonly model: Model;
}

export interface PlanOptions {
  /** An environment file, or several separated by commas. */
  readonly file: string;
  /** Where the stacks are synthesized for checking (App creates it when constructed). */
  readonly outdir: string;
  readonly stderr: { write(text: string): unknown };
  readonly customize?: (stacks: EnvironmentStacks) => void;
}

/**
 * Loads and validates an environment file, builds its stacks, synthesizes them into
 * `options.outdir` (a scratch folder: synth stages its output there), and checks what was
 * written (Azure's naming rules, then the guardrails on the model of the output), as both
 * synth and `validate` must. Problems are printed
 * one per line and the result is undefined; otherwise warnings are printed and the plan is
 * returned.
 */
export function planEnvironment(options: PlanOptions): Plan | undefined {
  // PRIVATE_AKS_CONFIG (and validate) may name several files, comma-separated: one hub each.
  const files = options.file.split(",").map((f) => f.trim()).filter((f) => f !== "");
  const loaded: { file: string; env: Environment }[] = [];
  const lines: string[] = [];
  for (const [i, file] of files.entries()) {
    if (files.findIndex((f) => path.resolve(f) === path.resolve(file)) < i) {
      lines.push(oneLine(`${displayName(file)}: (file): is listed more than once; name each environment file once`));
      continue;
    }
    try {
      loaded.push({ file, env: loadEnvironment(file) });
    } catch (e) {
      if (!(e instanceof EnvironmentError)) throw e;
      lines.push(...e.lines());
    }
  }
  const peerings = planPeerings(loaded);
  for (const { file, problem } of [...checkEnvironmentSet(loaded), ...peerings.problems]) lines.push(new EnvironmentError(displayName(file), [problem]).lines()[0]);
  if (lines.length > 0) {
    options.stderr.write(lines.join("\n") + "\n");
    return undefined;
  }
  const shown = files.map((f) => displayName(f)).join(",");
  // No stack traces in annotations: they hold absolute paths of the synthesizing machine.
  const fast = fastSynthesis();
  // An installed cdktf or constructs other than the one the fast synthesizer was written for: the stock way, said once.
  if (!fast.on && fast.why && !fast.why.startsWith("PRIVATE_AKS_STOCK_SYNTH")) options.stderr.write(`private-aks: note: ${fast.why}; synthesizing with cdktf's own synthesis (slower, the same files)\n`);
  const app = new App({ outdir: options.outdir, stackTraces: false });
  try {
    // Build and synthesize without cdktf's per-token stack traces (see token-traces.ts).
    return withoutTokenTraces(() => buildAndCheck(options, app, loaded, peerings, shown));
  } finally {
    // Whatever happened, nothing is created in the output folder any more (the caller may
    // remove it), and it holds nothing but what cdktf wrote.
    finishOutputFiles(app);
  }
}

function buildAndCheck(options: PlanOptions, app: App, loaded: { file: string; env: Environment }[], peerings: ReturnType<typeof planPeerings>, shown: string): Plan | undefined {
  const peered = new Set(peerings.resolved.flatMap((r) => [r.env, r.peer]));
  const all = loaded.map(({ env }) => buildEnvironment(app, env, { peered: peered.has(env) }));
  const built = (env: Environment) => all[loaded.findIndex((l) => l.env === env)];
  const links: PeeringStack[] = [];
  for (const { env, peer, peering } of peerings.resolved) {
    const [mine, theirs] = [built(env), built(peer)];
    const [hub, peerHub] = [mine.hub, theirs.hub];
    if (!(hub instanceof HubStack) || !(peerHub instanceof HubStack)) throw new Error(`peering ${env.name}-${peer.name}: planPeerings admits only hubs built here`);
    // The stacks take the environments as buildEnvironment made them: every string a Terraform literal.
    const literalPeering = mine.env.peerings[env.peerings.indexOf(peering)];
    const link = new PeeringStack(app, ids.peering(env.name, peer.name), { env: mine.env, peer: theirs.env, peering: literalPeering, hub, peerHub });
    // A firewall policy takes one rule collection group change at a time, and each peering
    // stack is its own Terraform run: peerings that share a hub deploy one after the other.
    for (const earlier of links) if (earlier.envs.some((e) => e === mine.env || e === theirs.env)) link.addDependency(earlier);
    links.push(link);
  }
  for (const { env, index, peer } of peerings.absent) {
    const file = displayName(loaded.find((l) => l.env === env)!.file);
    Annotations.of(built(env).hub).addWarning(
      `peerings.${index}.environment of ${file}: no environment named ${JSON.stringify(peer)} is synthesized with this file (here: ${loaded.map((l) => l.env.name).join(", ")}), so the peering stack ${ids.peering(env.name, peer)} is left out; add that environment's file to PRIVATE_AKS_CONFIG, or correct the name`,
    );
  }
  for (const stacks of all) options.customize?.(stacks);
  app.synth();
  for (const stacks of all) writeManifests(options.outdir, stacks);
  const stackIds = [...all.flatMap((stacks) => allStacks(stacks).map((s) => s.node.id)), ...links.map((l) => l.node.id)];
  // Azure's naming rules and the guardrails judge the output as written: what will be applied.
  const names = stackIds.flatMap((id) => checkStackNames(id, JSON.parse(fs.readFileSync(path.join(options.outdir, "stacks", id, "cdk.tf.json"), "utf8"))));
  if (names.length > 0) {
    options.stderr.write(names.map((n) => oneLine(`${shown}: ${n.address}: ${n.message}`)).join("\n") + "\n");
    return undefined;
  }
  const model = new Model(readOutput(options.outdir));
  const report = checkGuardrails(model, GUARDRAILS, contextOf(model));
  if (report.violations.length > 0) {
    options.stderr.write(report.violations.map((v) => oneLine(`${shown}: ${violationLine(v)}`)).join("\n") + "\n");
    return undefined;
  }
  for (const { file, env } of loaded) for (const w of checkWarnings(env)) options.stderr.write(oneLine(`${displayName(file)}: ${w.path}: warning: ${w.message}`) + "\n");
  for (const w of warningsOf(app)) options.stderr.write(oneLine(`${shown}: ${w.path}: warning: ${w.message}`) + "\n");
  return { env: loaded[0].env, envs: loaded.map((l) => l.env), app, stacks: all[0], all, peerings: links, report, stackIds, model };
}

/** Writes each spoke's apps as plain Kubernetes manifests, `manifests/<env>-<spoke>/<app>.yaml`. */
function writeManifests(outdir: string, stacks: EnvironmentStacks): void {
  for (const apps of stacks.apps) {
    const dir = path.join(outdir, apps.manifestsDir);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, objects] of apps.objects) fs.writeFileSync(path.join(dir, `${name}.yaml`), toManifest(objects));
  }
  // A GitOps spoke's folder is what Flux applies: the apps and the kustomization.yaml that lists them.
  for (const d of stacks.delivered) {
    const dir = path.join(outdir, d.manifestsDir);
    fs.mkdirSync(dir, { recursive: true });
    const files = [...d.objects.keys()].map((name) => `${name}.yaml`);
    // Each file says it is rendered: `private-aks manifests` replaces or removes only such files of a committed folder.
    const rendered = (text: string) => `${GITOPS.renderedMarker}\n${text}`;
    for (const [name, objects] of d.objects) fs.writeFileSync(path.join(dir, `${name}.yaml`), rendered(toManifest(objects)));
    fs.writeFileSync(path.join(dir, GITOPS.kustomizationFile), rendered(kustomizationManifest(files)));
  }
}

/** Every stack of an environment, hub first. */
export function allStacks(stacks: EnvironmentStacks): TerraformStack[] {
  return [stacks.hub, ...stacks.spokes, ...stacks.apps];
}

/**
 * Loads, validates and synthesizes one environment. Returns the process exit code: 0 when
 * written, 1 when the environment file has problems or the built stacks break a guardrail
 * (printed one per line; nothing written).
 *
 * The output is staged in a scratch folder beside `outdir` and moved into place only when
 * every check passed, so a failed synth leaves the previous output exactly as it was.
 */
export function synthesize(options: SynthesizeOptions): number {
  const stderr = options.stderr ?? process.stderr;
  if (["true", "1"].includes(process.env.SYNTH_HCL_OUTPUT ?? "")) {
    stderr.write("SYNTH_HCL_OUTPUT (cdktf synth --hcl): not supported: Azure's naming rules and the guardrails read the JSON output, and reviewers' tools read it too; synthesize without --hcl\n");
    return 1;
  }
  const outdir = path.resolve(options.outdir);
  const parent = path.dirname(outdir);
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) {
    stderr.write(`${options.outdir}: cannot write the output here: the folder ${displayName(parent)} does not exist; create it or choose another CDKTF_OUTDIR\n`);
    return 1;
  }
  // A synth killed before it could clean up (SIGKILL, a machine going down) left its staging
  // folder behind: its process is gone, so it goes now. The folder's name holds the process id.
  const prefix = `.${path.basename(outdir)}.staging-`;
  removeAbandonedStaging(parent, prefix);
  const staging = fs.mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  try {
    const plan = planEnvironment({ file: options.file ?? selectedEnvironmentFile(), outdir: staging, stderr, customize: options.customize });
    if (!plan) return 1;
    publish(staging, outdir, plan.stackIds, options.pruneStaleStacks ?? true);
    const stdout = options.stdout ?? process.stdout;
    // Named as the user would type it: relative to the working directory when below it.
    const shownOut = displayName(outdir);
    for (const apps of plan.all.flatMap((s) => s.apps)) {
      const emergency = apps.emergencyApplyIn(shownOut);
      stdout.write(
        emergency
          ? `${apps.node.id}: plain manifests in ${shownOut}/${apps.manifestsDir}; without network access to the API server: ${emergency}\n`
          : `${apps.node.id}: plain manifests in ${shownOut}/${apps.manifestsDir}; the cluster's run command is off (cluster.runCommand: false), so apply them from where the API server is reachable: kubectl apply -f ${shownOut}/${apps.manifestsDir}\n`,
      );
    }
    for (const d of plan.all.flatMap((s) => s.delivered)) {
      stdout.write(`${d.stackId}: GitOps manifests in ${shownOut}/${d.manifestsDir}; commit them at ${d.repositoryPath} of the repository Flux follows (npx private-aks manifests writes them there)\n`);
    }
    return 0;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Removes staging folders (`<prefix><pid>-XXXXXX`) that a synth killed outright left: older than
 * {@link ABANDONED_AFTER_MS} (a synth takes seconds) and of no running process here. Both, since
 * a process id says nothing across containers sharing the folder. One that cannot be removed
 * (another user's) is left: it never stops this synth.
 */
function removeAbandonedStaging(parent: string, prefix: string): void {
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const folder = path.join(parent, entry);
    try {
      const pid = Number(/^(\d+)-/.exec(entry.slice(prefix.length))?.[1]);
      if (Date.now() - fs.statSync(folder).mtimeMs < ABANDONED_AFTER_MS || (Number.isInteger(pid) && pid > 0 && isRunning(pid))) continue;
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/** How old a staging folder is before it counts as abandoned: ten minutes. */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: running, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Where `private-aks review` writes, inside the output folder. */
export const REVIEW_DIR = DEFAULTS.reviewDir;

/**
 * Moves a staged synth into `outdir`: each stack's folder and the manifest replace their
 * previous versions, and a review of the previous output goes; other files there are left alone. With
 * `prune`, folders of stacks that no longer exist (a removed spoke) are removed, as
 * `cdktf synth` does.
 */
function publish(staging: string, outdir: string, stackIds: string[], prune: boolean): void {
  const stacksDir = path.join(outdir, "stacks");
  fs.mkdirSync(stacksDir, { recursive: true });
  if (prune) {
    for (const entry of fs.readdirSync(stacksDir)) {
      if (!stackIds.includes(entry)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
    }
  }
  // What synth writes replaces what it wrote before; Terraform's own files in a stack's folder
  // (.terraform/ with its providers, .terraform.lock.hcl, plans) stay, as cdktf leaves them.
  for (const id of stackIds) {
    const staged = path.join(staging, "stacks", id);
    const target = path.join(stacksDir, id);
    fs.mkdirSync(target, { recursive: true });
    for (const entry of fs.readdirSync(staged)) {
      fs.rmSync(path.join(target, entry), { recursive: true, force: true });
      fs.renameSync(path.join(staged, entry), path.join(target, entry));
    }
  }
  // Manifests: each spoke's folder is replaced whole; folders of spokes without apps go.
  const manifests = path.join(outdir, "manifests");
  const staged = path.join(staging, "manifests");
  const current = fs.existsSync(staged) ? fs.readdirSync(staged) : [];
  if (fs.existsSync(manifests)) {
    for (const entry of fs.readdirSync(manifests)) if (!current.includes(entry)) fs.rmSync(path.join(manifests, entry), { recursive: true, force: true });
  }
  for (const entry of current) {
    fs.mkdirSync(manifests, { recursive: true });
    fs.rmSync(path.join(manifests, entry), { recursive: true, force: true });
    fs.renameSync(path.join(staged, entry), path.join(manifests, entry));
  }
  fs.renameSync(path.join(staging, "manifest.json"), path.join(outdir, "manifest.json"));
  // A review written by `private-aks review` describes the output it read: no longer this one.
  fs.rmSync(path.join(outdir, REVIEW_DIR), { recursive: true, force: true });
}
