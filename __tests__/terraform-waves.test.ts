/**
 * The deploy pipeline's logic (scripts/terraform-waves.js, run by examples/deploy.yml) on
 * synthesized outputs, with a stand-in for Terraform on PATH that records what it is asked to
 * do (nothing here can reach Azure): which stacks are planned, in which order, which wait for
 * their dependencies, and that apply stops at the first failure.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/config/loader";
import { shippedOutput } from "./shipped";

const SCRIPT = path.join(PROJECT_ROOT, "scripts", "terraform-waves.js");

/** A Terraform stand-in: logs `<folder> <args>`; plan writes its -out file and exits 2 (changes); show -json reports one create and one update; fails (but for init) in folders named by FAIL_IN. */
function fakeTerraform(dir: string): { bin: string; log: string } {
  const bin = path.join(dir, "terraform");
  const log = path.join(dir, "calls.log");
  // A shell script: a process per Terraform call, and sh starts in a fraction of node's time.
  fs.writeFileSync(
    bin,
    `#!/bin/sh
folder=$(basename "\${1#-chdir=}")
shift
echo "$folder $*" >> '${log}'
case ",$FAIL_IN," in *",$folder,"*) [ "$1" = init ] || exit 1 ;; esac
case "$1" in
  plan) for a in "$@"; do case "$a" in -out=*) echo plan > "\${a#-out=}" ;; esac; done; exit 2 ;;
  show) if [ "$2" = -json ]; then printf '%s' '{"resource_changes":[{"change":{"actions":["create"]}},{"change":{"actions":["update"]}}]}'; else echo "plan of $folder \${PLAN_TEXT:-as reviewed}"; fi ;;
esac
exit 0
`,
  );
  fs.chmodSync(bin, 0o755);
  return { bin, log };
}

/** A scratch folder with the stand-in, its log, and where the plans go. */
function scratch(): { work: string; bin: string; log: string; plans: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "waves-"));
  return { work, ...fakeTerraform(work), plans: path.join(work, "plans") };
}

function run(args: string[], terraform: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, TERRAFORM: terraform, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const calls = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : []);

/** A copy of full's output with one stack's JSON changed (as a change to the environment file would). */
function changedCopy(stacks: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "waves-head-"));
  fs.cpSync(shippedOutput(["full"]).outdir, dir, { recursive: true });
  for (const s of stacks) {
    const file = path.join(dir, "stacks", s, "cdk.tf.json");
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), locals: { changed: s } }));
  }
  return dir;
}

describe("planning a change in waves", () => {
  const base = shippedOutput(["full"]).outdir;

  it("plans only the stacks that changed, in wave order, and keeps each plan", () => {
    const { bin, log, plans } = scratch();
    const r = run(["plan", "--out", changedCopy(["full-aks3", "full-aks2"]), "--base", base, "--plans", plans], bin);
    expect(r.status).toBe(0);
    expect(calls(log)).toEqual([
      "full-aks2 init -input=false",
      `full-aks2 plan -input=false -detailed-exitcode -out=${path.join(plans, "full-aks2.tfplan")}`,
      `full-aks2 show -no-color ${path.join(plans, "full-aks2.tfplan")}`,
      `full-aks2 show -json ${path.join(plans, "full-aks2.tfplan")}`,
      "full-aks3 init -input=false",
      `full-aks3 plan -input=false -detailed-exitcode -out=${path.join(plans, "full-aks3.tfplan")}`,
      `full-aks3 show -no-color ${path.join(plans, "full-aks3.tfplan")}`,
      `full-aks3 show -json ${path.join(plans, "full-aks3.tfplan")}`,
    ]);
    // The plan as text, for reviewers (the binary plan holds sensitive variables' values and stays on the runner).
    expect(fs.readFileSync(path.join(plans, "full-aks2.txt"), "utf8")).toBe("plan of full-aks2 as reviewed\n");
    const result = JSON.parse(fs.readFileSync(path.join(plans, "plan.json"), "utf8"));
    expect(result.stacks.map((e: any) => [e.stack, e.status, e.counts])).toEqual([
      ["full-aks2", "planned", { add: 1, change: 1, destroy: 0 }],
      ["full-aks3", "planned", { add: 1, change: 1, destroy: 0 }],
    ]);
    expect(fs.readFileSync(path.join(plans, "SUMMARY.md"), "utf8")).toContain("| 2 | full-aks2 | planned | 1 | 1 | 0 |  |");
  });

  it("defers a stack whose dependency changes too, and leaves out the one that needs the API server, saying why", () => {
    const { bin, log, plans } = scratch();
    expect(run(["plan", "--out", changedCopy(["full-hub", "full-aks1", "full-aks1-apps"]), "--base", base, "--plans", plans], bin).status).toBe(0);
    expect(calls(log).map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["full-hub init", "full-hub plan", "full-hub show", "full-hub show"]);
    const result = JSON.parse(fs.readFileSync(path.join(plans, "plan.json"), "utf8"));
    expect(result.stacks.map((e: any) => [e.stack, e.wave, e.status])).toEqual([
      ["full-hub", 1, "planned"],
      ["full-aks1", 2, "deferred"],
      ["full-aks1-apps", 3, "skipped"],
    ]);
    expect(result.stacks[1].reason).toBe("planned at apply, after full-hub (changed here too: its plan reads their outputs)");
    expect(result.stacks[2].reason).toMatch(/needs the cluster's private API server, which a hosted runner cannot reach/);
  });

  it("without a base, plans the first wave and defers the rest (a first deploy)", () => {
    const { bin, plans } = scratch();
    expect(run(["plan", "--out", base, "--plans", plans], bin).status).toBe(0);
    const result = JSON.parse(fs.readFileSync(path.join(plans, "plan.json"), "utf8"));
    expect(result.stacks.filter((e: any) => e.status === "planned").map((e: any) => e.stack)).toEqual(["full-hub"]);
    expect(result.stacks.filter((e: any) => e.status === "deferred").map((e: any) => e.stack)).toEqual(["full-aks1", "full-aks2", "full-aks3"]);
  });

  it("names the stacks the change removes, and destroys nothing", () => {
    const { bin, log, work } = scratch();
    const head = changedCopy([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(head, "manifest.json"), "utf8"));
    delete manifest.stacks["full-aks3"];
    fs.writeFileSync(path.join(head, "manifest.json"), JSON.stringify(manifest));
    const plans = path.join(work, "plans");
    expect(run(["plan", "--out", head, "--base", base, "--plans", plans], bin).status).toBe(0);
    expect(calls(log)).toEqual([]);
    expect(fs.readFileSync(path.join(plans, "SUMMARY.md"), "utf8")).toContain("Stacks this change removes (never destroyed by the pipeline: destroy each from its state, after the stacks that depend on it): full-aks3.");
  });

  it("fails when a plan fails, and plans nothing after it", () => {
    const { bin, plans } = scratch();
    const r = run(["plan", "--out", changedCopy(["full-aks2", "full-aks3"]), "--base", base, "--plans", plans], bin, { FAIL_IN: "full-aks2" });
    expect(r.status).toBe(1);
    const result = JSON.parse(fs.readFileSync(path.join(plans, "plan.json"), "utf8"));
    expect(result.stacks.map((e: any) => [e.stack, e.status])).toEqual([
      ["full-aks2", "failed"],
      ["full-aks3", "not planned"],
    ]);
  });
});

describe("applying the plans", () => {
  const base = shippedOutput(["full"]).outdir;

  it("applies each saved plan, then plans and applies each deferred stack, in wave order", () => {
    const { bin, log, plans } = scratch();
    const head = changedCopy(["full-hub", "full-aks1", "full-aks2"]);
    run(["plan", "--out", head, "--base", base, "--plans", plans], bin);
    fs.rmSync(log);
    const r = run(["apply", "--out", head, "--plans", plans], bin);
    expect(r.status).toBe(0);
    expect(calls(log)).toEqual([
      "full-hub init -input=false",
      `full-hub apply -input=false ${path.join(plans, "full-hub.tfplan")}`,
      "full-aks1 init -input=false",
      "full-aks1 apply -input=false -auto-approve",
      "full-aks2 init -input=false",
      "full-aks2 apply -input=false -auto-approve",
    ]);
  });

  it("stops at the first failure: the later waves are not touched", () => {
    const { bin, log, plans } = scratch();
    const head = changedCopy(["full-hub", "full-aks1"]);
    run(["plan", "--out", head, "--base", base, "--plans", plans], bin);
    fs.rmSync(log);
    const r = run(["apply", "--out", head, "--plans", plans], bin, { FAIL_IN: "full-hub" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("terraform-waves: applying full-hub failed; the stacks after it were not applied");
    expect(calls(log).some((c) => c.startsWith("full-aks1"))).toBe(false);
  });

  it("applies only when the plans made again are the ones approved: same stacks, same plan text", () => {
    const { bin, log, work } = scratch();
    const head = changedCopy(["full-aks2"]);
    const [approved, fresh, changedPlans] = ["approved", "fresh", "changed"].map((d) => path.join(work, d));
    run(["plan", "--out", head, "--base", base, "--plans", approved], bin);
    run(["plan", "--out", head, "--base", base, "--plans", fresh], bin);
    run(["plan", "--out", head, "--base", base, "--plans", changedPlans], bin, { PLAN_TEXT: "with one more change" });
    fs.rmSync(log);
    const refused = run(["apply", "--out", head, "--plans", changedPlans, "--approved", approved], bin);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("terraform-waves: full-aks2's plan changed since the plans were approved: nothing applied; run the pipeline again");
    expect(calls(log)).toEqual([]);
    expect(run(["apply", "--out", head, "--plans", fresh, "--approved", approved], bin).status).toBe(0);
    expect(calls(log)).toEqual(["full-aks2 init -input=false", `full-aks2 apply -input=false ${path.join(fresh, "full-aks2.tfplan")}`]);
  });

  it("refuses plans made from another output", () => {
    const { bin, log, plans } = scratch();
    run(["plan", "--out", changedCopy(["full-aks2"]), "--base", base, "--plans", plans], bin);
    fs.rmSync(log);
    const r = run(["apply", "--out", base, "--plans", plans], bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("terraform-waves: full-aks2 in");
    expect(r.stderr).toContain("is not the stack this plan was made from: plan again");
    expect(calls(log)).toEqual([]);
  });

  it("refuses wrong usage with exit code 64", () => {
    const r = run(["deploy"], "terraform");
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^terraform-waves: unknown command "deploy"\nusage:/);
  });
});
