/**
 * Terraform itself loads every stack: `terraform init -backend=false` parses and checks the
 * whole configuration (expressions, references, blocks) before it downloads providers, so any
 * error but the download (these machines have no network) is Terraform's verdict on our JSON.
 * Every stack of every shipped environment, and of the multi-file set with its peering stack.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { SHIPPED_SETS, shippedOutput } from "./shipped";
import { initProblems } from "./terraform";

describe("Terraform loads every stack", () => {
  test("the terraform CLI is on PATH (install Terraform 1.x: the product's output is for it)", () => {
    const version = spawnSync("terraform", ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(version.error ? `terraform not found on PATH: ${version.error.message}` : "found").toBe("found");
  });

  test.each(SHIPPED_SETS.map((names) => [names.join(","), names] as const))("%s", (_name, names) => {
    const out = shippedOutput(names);
    expect({ code: out.code, stderr: out.stderr.split("\n").filter((l) => !l.includes(": warning: ") && l !== "") }).toEqual({ code: 0, stderr: [] });
    expect(out.stacks.length).toBeGreaterThan(0);
    const verdicts = out.stacks.map((stack) => ({ stack, problems: initProblems(path.join(out.outdir, "stacks", stack)) }));
    expect(verdicts.filter((v) => v.problems.length > 0)).toEqual([]);
  });
});
