#!/usr/bin/env node
// Plans and applies a synthesized output's stacks in deployment waves, for a pipeline that
// should never hard-code stack names (examples/deploy.yml runs it):
//
//   node scripts/terraform-waves.js plan  --out <cdktf.out> [--base <base cdktf.out>] --plans <dir>
//   node scripts/terraform-waves.js apply --out <cdktf.out> --plans <dir>
//
// plan: the stacks that changed since the base (every stack without one), wave by wave as
// `private-aks stacks --json` orders them: `terraform init` and `terraform plan -out` in each
// stack's folder. A stack whose dependency changes too is not planned yet (its plan would read
// outputs that exist only once the dependency is applied): it is planned and applied at apply
// time, after its wave's predecessors, and the summary says so. A stack that needs the
// private API server (an -apps stack) is left out with the reason: a hosted runner cannot
// reach it (deliver those apps by GitOps). Stacks the base has and the output has not are
// listed, never destroyed. Writes <plans>/plan.json, <plans>/<stack>.tfplan, <plans>/SUMMARY.md.
//
// apply: in wave order, each saved plan (`terraform apply <plan>`: Terraform refuses a plan
// whose state moved on), then each deferred stack planned and applied in one step. Stops at
// the first failure; the stacks of later waves are not touched.
//
// Terraform is `terraform` on PATH, or TERRAFORM. Exit code: 0 done, 1 a Terraform step
// failed, 64 wrong usage.
"use strict";
const { spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const USAGE = "usage: node scripts/terraform-waves.js plan --out <cdktf.out> [--base <cdktf.out>] --plans <dir>\n       node scripts/terraform-waves.js apply --out <cdktf.out> --plans <dir> [--approved <dir>]";

function usage(message) {
  process.stderr.write(`terraform-waves: ${message}\n${USAGE}\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (!["plan", "apply"].includes(command)) usage(`unknown command ${JSON.stringify(command)}`);
  const options = { command };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    const allowed = command === "plan" ? ["--out", "--base", "--plans"] : ["--out", "--plans", "--approved"];
    if (!allowed.includes(flag) || value === undefined) usage(`unexpected ${JSON.stringify(flag)}`);
    options[flag.slice(2)] = path.resolve(value);
  }
  for (const required of ["out", "plans"]) if (!options[required]) usage(`--${required} is required`);
  return options;
}

const terraformBin = () => process.env.TERRAFORM || "terraform";

/** One Terraform command in a stack's folder, its output passed through; returns its exit code. */
function terraform(dir, args, capture = false) {
  process.stdout.write(`$ terraform -chdir=${path.relative(process.cwd(), dir) || "."} ${args.join(" ")}\n`);
  const run = spawnSync(terraformBin(), [`-chdir=${dir}`, ...args], { encoding: "utf8", stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit", env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } });
  if (run.error) {
    process.stderr.write(`terraform-waves: cannot run ${terraformBin()}: ${run.error.message}\n`);
    return { status: 1, stdout: "" };
  }
  return { status: run.status ?? 1, stdout: run.stdout ?? "" };
}

/** The output's stacks in waves, from this checkout's own `private-aks stacks`. */
function waves(out, base) {
  const cli = path.join(__dirname, "..", "bin", "private-aks.js");
  const run = spawnSync(process.execPath, [cli, "stacks", "--json", "--out", out, ...(base ? ["--base", base] : [])], { encoding: "utf8" });
  if (run.status !== 0) usage(run.stderr.trim() || `private-aks stacks failed (${run.status})`);
  return JSON.parse(run.stdout);
}

/** How many resources a saved plan adds, changes and destroys (terraform show -json). */
function counts(dir, plan) {
  const shown = terraform(dir, ["show", "-json", plan], true);
  if (shown.status !== 0) return undefined;
  try {
    const changes = JSON.parse(shown.stdout).resource_changes ?? [];
    const has = (a) => changes.filter((c) => (c.change?.actions ?? []).includes(a)).length;
    return { add: has("create"), change: has("update"), destroy: has("delete") };
  } catch {
    return undefined;
  }
}

function plan(options) {
  const w = waves(options.out, options.base);
  fs.mkdirSync(options.plans, { recursive: true });
  const changedNames = new Set(w.stacks.filter((s) => s.changed !== false).map((s) => s.name));
  const entries = [];
  let failed = false;
  for (const names of w.waves) {
    for (const name of names) {
      const s = w.stacks.find((x) => x.name === name);
      if (!changedNames.has(name)) continue;
      const dir = path.join(options.out, s.directory);
      // The stack's JSON, by hash: apply refuses a plan made from another output.
      const sha256 = crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, "cdk.tf.json"))).digest("hex");
      const at = { stack: name, wave: s.wave, directory: s.directory, sha256 };
      if (s.needsApiServer) {
        entries.push({ ...at, status: "skipped", reason: "needs the cluster's private API server, which a hosted runner cannot reach: run it from inside the network, or deliver the apps by GitOps" });
        continue;
      }
      const after = s.dependencies.filter((d) => changedNames.has(d));
      if (after.length > 0) {
        entries.push({ ...at, status: "deferred", reason: `planned at apply, after ${after.join(", ")} (changed here too: its plan reads their outputs)` });
        continue;
      }
      if (failed) {
        entries.push({ ...at, status: "not planned", reason: "an earlier stack failed to plan" });
        continue;
      }
      const planFile = path.join(options.plans, `${name}.tfplan`);
      const init = terraform(dir, ["init", "-input=false"]);
      const planned = init.status === 0 ? terraform(dir, ["plan", "-input=false", "-detailed-exitcode", `-out=${planFile}`]) : init;
      // -detailed-exitcode: 0 no changes, 2 changes, 1 an error.
      if (planned.status === 1 || init.status !== 0) {
        failed = true;
        entries.push({ ...at, status: "failed", reason: "terraform init or plan failed (see the log)" });
        continue;
      }
      // The plan as text (sensitive values redacted): what reviewers read and approve. The binary
      // plan holds sensitive variables' values, so it never leaves the runner that made it.
      const shown = terraform(dir, ["show", "-no-color", planFile], true);
      fs.writeFileSync(path.join(options.plans, `${name}.txt`), shown.stdout);
      entries.push({ ...at, status: planned.status === 2 ? "planned" : "no changes", plan: path.basename(planFile), counts: planned.status === 2 ? counts(dir, planFile) : { add: 0, change: 0, destroy: 0 } });
    }
  }
  const result = { stacks: entries, removed: w.removed ?? [] };
  fs.writeFileSync(path.join(options.plans, "plan.json"), JSON.stringify(result, null, 2) + "\n");
  fs.writeFileSync(path.join(options.plans, "SUMMARY.md"), summary(result));
  process.stdout.write(`wrote ${path.join(options.plans, "plan.json")} and SUMMARY.md\n`);
  return failed ? 1 : 0;
}

function summary(result) {
  const lines = ["# Terraform plans, in deployment waves", ""];
  if (result.stacks.length === 0) lines.push("No stack changed.", "");
  else {
    lines.push("| wave | stack | plan | add | change | destroy | note |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const e of result.stacks) {
      const c = e.counts ?? {};
      lines.push(`| ${e.wave} | ${e.stack} | ${e.status} | ${c.add ?? ""} | ${c.change ?? ""} | ${c.destroy ?? ""} | ${e.reason ?? ""} |`);
    }
    lines.push("");
  }
  if (result.removed.length > 0) lines.push(`Stacks this change removes (never destroyed by the pipeline: destroy each from its state, after the stacks that depend on it): ${result.removed.join(", ")}.`, "");
  return lines.join("\n");
}

function apply(options) {
  const file = path.join(options.plans, "plan.json");
  if (!fs.existsSync(file)) usage(`${file}: no plan.json here; run the plan command first`);
  const result = JSON.parse(fs.readFileSync(file, "utf8"));
  if (options.approved && !sameAsApproved(result, options)) return 1;
  const ordered = [...result.stacks].sort((a, b) => a.wave - b.wave || a.stack.localeCompare(b.stack));
  for (const e of ordered) {
    const dir = path.join(options.out, e.directory);
    const json = path.join(dir, "cdk.tf.json");
    if (!fs.existsSync(json) || crypto.createHash("sha256").update(fs.readFileSync(json)).digest("hex") !== e.sha256) {
      process.stderr.write(`terraform-waves: ${e.stack} in ${options.out} is not the stack this plan was made from: plan again\n`);
      return 1;
    }
    let status;
    if (e.status === "planned") {
      status = terraform(dir, ["init", "-input=false"]).status || terraform(dir, ["apply", "-input=false", path.join(options.plans, e.plan)]).status;
    } else if (e.status === "deferred") {
      status = terraform(dir, ["init", "-input=false"]).status || terraform(dir, ["apply", "-input=false", "-auto-approve"]).status;
    } else if (e.status === "failed" || e.status === "not planned") {
      process.stderr.write(`terraform-waves: ${e.stack} has no plan (${e.reason}): plan again\n`);
      return 1;
    } else continue; // no changes, or skipped (needs the API server)
    if (status !== 0) {
      process.stderr.write(`terraform-waves: applying ${e.stack} failed; the stacks after it were not applied\n`);
      return 1;
    }
  }
  process.stdout.write("applied\n");
  return 0;
}

/**
 * The plans about to be applied are the ones reviewers approved: the same stacks with the same
 * status, and the same plan text for each (a plan made again in the apply job, since the binary
 * plans are never uploaded). Anything else stops the apply.
 */
function sameAsApproved(result, options) {
  const approvedFile = path.join(options.approved, "plan.json");
  if (!fs.existsSync(approvedFile)) usage(`${approvedFile}: no approved plan.json here`);
  const approved = JSON.parse(fs.readFileSync(approvedFile, "utf8"));
  const key = (r) => r.stacks.map((e) => `${e.stack} ${e.status} ${e.sha256 ?? ""}`).join("\n");
  const differs = [];
  if (key(result) !== key(approved)) differs.push("the stacks to apply");
  for (const e of result.stacks.filter((x) => x.status === "planned")) {
    const text = (dir) => (fs.existsSync(path.join(dir, `${e.stack}.txt`)) ? fs.readFileSync(path.join(dir, `${e.stack}.txt`), "utf8") : undefined);
    if (text(options.plans) !== text(options.approved)) differs.push(`${e.stack}'s plan`);
  }
  if (differs.length === 0) return true;
  process.stderr.write(`terraform-waves: ${differs.join(", ")} changed since the plans were approved: nothing applied; run the pipeline again\n`);
  return false;
}

const options = parseArgs(process.argv.slice(2));
process.exitCode = options.command === "plan" ? plan(options) : apply(options);
