/**
 * The environment files the project ships, and their synthesized output: written once per test
 * run, by the first suite that asks, into the run's scratch folder (global-setup.js), and read
 * by every suite after it. Suites read the output; none may change it (copy a stack's folder
 * first, as initProblems does).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../lib/app";
import { ENVIRONMENTS_DIR } from "./helpers";

/**
 * The shipped files' names without `.yaml`: those git tracks, so that a user's own copy (the
 * README says to start from `cp environments/default.yaml environments/mine.yaml`) is not
 * taken for one while it is being written. Without git, every file in the folder.
 */
export const SHIPPED: string[] = (() => {
  const tracked = spawnSync("git", ["ls-files", "--", "*.yaml"], { cwd: ENVIRONMENTS_DIR, encoding: "utf8" });
  const files = tracked.status === 0 && tracked.stdout.trim() !== "" ? tracked.stdout.trim().split("\n") : fs.readdirSync(ENVIRONMENTS_DIR);
  return files.filter((f) => f.endsWith(".yaml") && !f.includes("/") && !f.startsWith(".")).map((f) => f.replace(/\.yaml$/, ""));
})();

/** Each shipped file on its own, and the multi-file set (two regions, with their peering stack). */
export const SHIPPED_SETS: string[][] = [...SHIPPED.map((name) => [name]), ["multi-spoke", "multi-spoke-northeurope"]];

export interface ShippedOutput {
  /** The output folder (`cdktf.out`). */
  outdir: string;
  /** synth's exit code and what it printed on stderr. */
  code: number;
  stderr: string;
  /** The stacks' ids, sorted. */
  stacks: string[];
  /** One stack's Terraform JSON. */
  stack(id: string): any;
}

/** The output of synthesizing shipped environment files together (names without `.yaml`). */
export function shippedOutput(names: string[]): ShippedOutput {
  const root = path.join(process.env.PRIVATE_AKS_TEST_SCRATCH ?? os.tmpdir(), "shipped");
  const dir = path.join(root, names.join("+"));
  if (!fs.existsSync(dir)) {
    // Written aside, then renamed into place: a suite in the other worker sees all or nothing.
    fs.mkdirSync(root, { recursive: true });
    const staging = fs.mkdtempSync(path.join(root, ".staging-"));
    let stderr = "";
    const code = synthesize({ outdir: path.join(staging, "cdktf.out"), file: names.map((n) => path.join(ENVIRONMENTS_DIR, `${n}.yaml`)).join(","), stderr: { write: (s: string) => (stderr += s) }, stdout: { write: () => true } });
    fs.writeFileSync(path.join(staging, "result.json"), JSON.stringify({ code, stderr }));
    try {
      fs.renameSync(staging, dir);
    } catch {
      // The other worker wrote the same output first.
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const { code, stderr } = JSON.parse(fs.readFileSync(path.join(dir, "result.json"), "utf8"));
  const outdir = path.join(dir, "cdktf.out");
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).sort() : [];
  return { outdir, code, stderr, stacks, stack: (id) => JSON.parse(fs.readFileSync(path.join(stacksDir, id, "cdk.tf.json"), "utf8")) };
}
