/**
 * Terraform itself loads every stack: `terraform init -backend=false` parses and checks the
 * whole configuration (expressions, references, blocks) before it downloads providers, so any
 * error but the download (these machines have no network) is Terraform's verdict on our JSON.
 * Every stack of every shipped environment, and of the multi-file set with its peering stack.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../lib/app";
import { ENVIRONMENTS_DIR } from "./helpers";
import { initProblems } from "./terraform";

const SHIPPED = (() => {
  const tracked = spawnSync("git", ["ls-files", "--", "*.yaml"], { cwd: ENVIRONMENTS_DIR, encoding: "utf8" });
  const files = tracked.status === 0 && tracked.stdout.trim() !== "" ? tracked.stdout.trim().split("\n") : fs.readdirSync(ENVIRONMENTS_DIR);
  return files.filter((f) => f.endsWith(".yaml") && !f.includes("/"));
})();
const SETS = [...SHIPPED.map((f) => [f]), ["multi-spoke.yaml", "multi-spoke-northeurope.yaml"]];

describe("Terraform loads every stack", () => {
  test("the terraform CLI is on PATH (install Terraform 1.x: the product's output is for it)", () => {
    const version = spawnSync("terraform", ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(version.error ? `terraform not found on PATH: ${version.error.message}` : "found").toBe("found");
  });

  test.each(SETS.map((files) => [files.join(","), files] as const))("%s", (_name, files) => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "terraform-loads-")), "cdktf.out");
    let stderr = "";
    const code = synthesize({ outdir, file: files.map((f) => path.join(ENVIRONMENTS_DIR, f)).join(","), stderr: { write: (s: string) => (stderr += s) }, stdout: { write: () => true } });
    expect({ code, stderr: stderr.split("\n").filter((l) => !l.includes(": warning: ") && l !== "") }).toEqual({ code: 0, stderr: [] });
    const stacks = fs.readdirSync(path.join(outdir, "stacks")).sort();
    expect(stacks.length).toBeGreaterThan(0);
    const verdicts = stacks.map((stack) => ({ stack, problems: initProblems(path.join(outdir, "stacks", stack)) }));
    expect(verdicts.filter((v) => v.problems.length > 0)).toEqual([]);
  });
});
