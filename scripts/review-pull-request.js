#!/usr/bin/env node
// Reviews a pull request's infrastructure: every environment file it adds, changes or
// removes (all of them when it changes the code), each synthesized on the base and on the
// head with that side's own code, then `private-aks review` of the head against the base. An
// added environment is reviewed against nothing (everything is added); a removed one as all
// removed. Writes <out>/REVIEW.md (one section per environment) and each side's output under
// <out>/base/<name> and <out>/head/<name>.
//
//   node scripts/review-pull-request.js --base <checkout> --head <checkout> --out <dir>
//
// Both checkouts need their dependencies installed (npm ci). Exit code: 0 when every head
// environment synthesizes and passes the guardrails, 1 when one is refused, 2 when one breaks a
// guardrail (the review says which), 64 on wrong usage.
"use strict";
const { spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** What synth depends on, besides the environment files: a change here reviews every environment. */
const CODE = [/^lib\//, /^bin\//, /^scripts\//, /^main\.ts$/, /^package(-lock)?\.json$/, /^cdktf\.json$/, /^tsconfig\.json$/];
const ENVIRONMENT = /^environments\/[^/]+\.(ya?ml|json)$/;

function usage(message) {
  process.stderr.write(`review-pull-request: ${message}\nusage: node scripts/review-pull-request.js --base <checkout> --head <checkout> --out <dir>\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!["--base", "--head", "--out"].includes(flag) || value === undefined) usage(`unexpected ${JSON.stringify(flag)}`);
    options[flag.slice(2)] = path.resolve(value);
  }
  for (const side of ["base", "head", "out"]) if (!options[side]) usage(`--${side} is required`);
  for (const side of ["base", "head"]) if (!fs.existsSync(path.join(options[side], "scripts", "app.js"))) usage(`--${side} ${options[side]}: not a checkout of this project (no scripts/app.js)`);
  return options;
}

/** The files a checkout tracks (git's list, else every file but dependencies and outputs), each with its content's hash. */
function trackedFiles(dir) {
  const listed = spawnSync("git", ["-C", dir, "ls-files", "-z"], { encoding: "utf8" });
  const files =
    listed.status === 0
      ? listed.stdout.split("\0").filter((f) => f !== "")
      : fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).filter((f) => !/^(node_modules|\.git|cdktf\.out)\//.test(f));
  const hashes = new Map();
  for (const file of files) {
    const full = path.join(dir, file);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) hashes.set(file.split(path.sep).join("/"), crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex"));
  }
  return hashes;
}

/** Which environment files to review, and how each changed. */
function environmentsToReview(base, head) {
  const all = new Set([...base.keys(), ...head.keys()]);
  const differs = (f) => base.get(f) !== head.get(f);
  // Code, or a file an environment may read (a key file under environments/): every environment.
  const everything = [...all].some((f) => differs(f) && (CODE.some((re) => re.test(f)) || (f.startsWith("environments/") && !ENVIRONMENT.test(f))));
  return [...all]
    .filter((f) => ENVIRONMENT.test(f) && (everything || differs(f)))
    .sort()
    .map((file) => ({ file, change: !base.has(file) ? "added" : !head.has(file) ? "removed" : differs(file) ? "changed" : "unchanged (the code changed)" }));
}

/** An output with no stacks: what an environment that does not exist synthesizes to. */
function emptyOutput(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: {} }));
  return dir;
}

/** Synthesizes one environment file with a checkout's own code into outdir; returns whether it was written, and what it printed. */
function synth(checkout, file, outdir) {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const env = { ...process.env, PRIVATE_AKS_CONFIG: path.join(checkout, file), CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  const run = spawnSync(process.execPath, [path.join(checkout, "scripts", "app.js")], { cwd: checkout, env, encoding: "utf8" });
  return { ok: run.status === 0, stderr: run.stderr };
}

/** `private-aks review` with the head checkout's own command. */
function review(head, out, base) {
  const run = spawnSync(process.execPath, [path.join(head, "bin", "private-aks.js"), "review", "--out", out, "--base", base], { cwd: head, env: { ...process.env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A review's Markdown two heading levels down, to sit under the environment's own heading. */
const nested = (markdown) => markdown.replace(/^(#+) /gm, "##$1 ");

function main() {
  const options = parseArgs(process.argv.slice(2));
  const targets = environmentsToReview(trackedFiles(options.base), trackedFiles(options.head));
  const sections = [];
  let code = 0;
  for (const { file, change } of targets) {
    const name = path.basename(file).replace(/\.(ya?ml|json)$/, "");
    const baseOut = path.join(options.out, "base", name);
    const headOut = path.join(options.out, "head", name);
    const notes = [];
    let baseDir = emptyOutput(path.join(options.out, "empty", `${name}-base`));
    if (change !== "added") {
      const built = synth(options.base, file, baseOut);
      if (built.ok) baseDir = baseOut;
      else notes.push(`The base's ${file} does not synthesize; the head is compared with nothing.`);
    }
    let headDir;
    if (change === "removed") headDir = emptyOutput(path.join(options.out, "empty", `${name}-head`));
    else {
      const built = synth(options.head, file, headOut);
      if (!built.ok) {
        code = Math.max(code, 1);
        sections.push(`## ${file} (${change}): refused\n\n\`\`\`\n${built.stderr.trimEnd()}\n\`\`\`\n`);
        process.stdout.write(`${file} (${change}): refused\n`);
        continue;
      }
      headDir = headOut;
    }
    const reviewed = review(options.head, headDir, baseDir);
    if (reviewed.status === 2) code = 2;
    else if (reviewed.status !== 0) {
      code = Math.max(code, 1);
      notes.push(`The review could not be made: ${reviewed.stderr.trim()}`);
    }
    const markdown = fs.existsSync(path.join(headDir, "review", "REVIEW.md")) ? fs.readFileSync(path.join(headDir, "review", "REVIEW.md"), "utf8") : "";
    const what = change === "removed" ? "removed: everything it built would be destroyed" : change === "added" ? "added: everything it builds is new" : change;
    sections.push(`## ${file} (${what})\n\n${notes.map((n) => `${n}\n\n`).join("")}${nested(markdown)}`);
    process.stdout.write(`${file} (${change}): ${reviewed.status === 2 ? "guardrails fail" : "reviewed"}\n`);
  }
  fs.mkdirSync(options.out, { recursive: true });
  const intro = targets.length === 0 ? "This pull request changes no environment file and none of the code they are synthesized with." : `Environments reviewed: ${targets.map((t) => `\`${t.file}\` (${t.change})`).join(", ")}.`;
  fs.writeFileSync(path.join(options.out, "REVIEW.md"), `# Infrastructure review of this pull request\n\n${intro}\n\n${sections.join("\n")}`);
  process.stdout.write(`wrote ${path.join(options.out, "REVIEW.md")}\n`);
  process.exitCode = code;
}

main();
