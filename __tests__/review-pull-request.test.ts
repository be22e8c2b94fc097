/**
 * The pull request review (scripts/review-pull-request.js, run by
 * examples/pull-request-review.yml) on a temporary git repository: a base and a head checkout
 * whose environment files differ by one changed, one added and one removed file. The project's
 * code is linked into both, so each side runs it as a checkout would.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT } from "../lib/config/loader";
import { ENVIRONMENTS_DIR } from "./helpers";

const SCRIPT = path.join(PROJECT_ROOT, "scripts", "review-pull-request.js");
const git = (cwd: string, ...args: string[]) => {
  const run = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
};

/** A repository whose code is the project's (linked), with environment files of its own. */
function repository(): { repo: string; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pr-review-"));
  const repo = path.join(root, "repo");
  fs.mkdirSync(path.join(repo, "environments", "keys"), { recursive: true });
  for (const entry of ["lib", "bin", "scripts", "main.ts", "package.json", "package-lock.json", "cdktf.json", "tsconfig.json", "node_modules"]) {
    fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(repo, entry));
  }
  fs.copyFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), path.join(repo, "environments", "keys", "jumpbox.pub"));
  fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\ncdktf.out\n");
  git(root, "init", "-q", "-b", "main", repo);
  return { repo, root };
}

const env = (name: string, change: (raw: any) => void = () => undefined) => {
  const raw = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "default.yaml"), "utf8"));
  raw.name = name;
  change(raw);
  return stringify(raw);
};

describe("reviewing a pull request's environments", () => {
  const { repo, root } = repository();
  // The base: two environments. The head changes one, removes the other, adds a third.
  fs.writeFileSync(path.join(repo, "environments", "kept.yaml"), env("kept"));
  fs.writeFileSync(path.join(repo, "environments", "gone.yaml"), env("gone"));
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "base");
  const baseSha = git(repo, "rev-parse", "HEAD").trim();
  fs.writeFileSync(path.join(repo, "environments", "kept.yaml"), env("kept", (r) => (r.spokes[0].egress = { fqdns: ["api.contoso.com"] })));
  fs.rmSync(path.join(repo, "environments", "gone.yaml"));
  fs.writeFileSync(path.join(repo, "environments", "new.yaml"), env("new"));
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "head");
  // The workflow's two checkouts.
  const [base, head] = [path.join(root, "base"), path.join(root, "head")];
  git(repo, "worktree", "add", "-q", base, baseSha);
  git(repo, "worktree", "add", "-q", "--detach", head, "main");
  const out = path.join(root, "review");
  const run = spawnSync(process.execPath, [SCRIPT, "--base", base, "--head", head, "--out", out], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  const markdown = fs.existsSync(path.join(out, "REVIEW.md")) ? fs.readFileSync(path.join(out, "REVIEW.md"), "utf8") : "";

  it("reviews exactly the added, changed and removed environment files, and exits 0 when every guardrail passes", () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(run.stdout).toContain("environments/gone.yaml (removed): reviewed");
    expect(run.stdout).toContain("environments/kept.yaml (changed): reviewed");
    expect(run.stdout).toContain("environments/new.yaml (added): reviewed");
    expect(markdown).toContain("Environments reviewed: `environments/gone.yaml` (removed), `environments/kept.yaml` (changed), `environments/new.yaml` (added).");
  });

  it("shows a changed environment's changes since the base", () => {
    const section = markdown.split("## environments/kept.yaml (changed)")[1].split("\n## environments/")[0];
    expect(section).toContain("#### Changes since the base");
    expect(section).toContain("api.contoso.com");
  });

  it("shows an added environment against nothing: every stack is added", () => {
    const section = markdown.split("## environments/new.yaml (added: everything it builds is new)")[1].split("\n## environments/")[0];
    expect(section).toMatch(/added.*new-hub/s);
  });

  it("shows a removed environment as all removed", () => {
    const section = markdown.split("## environments/gone.yaml (removed: everything it built would be destroyed)")[1].split("\n## environments/")[0];
    expect(section).toMatch(/removed.*gone-hub/s);
    expect(fs.existsSync(path.join(out, "head", "gone"))).toBe(false);
  });

  it("reviews nothing when nothing that synth reads changed", () => {
    const same = path.join(root, "same-review");
    const again = spawnSync(process.execPath, [SCRIPT, "--base", head, "--head", head, "--out", same], { encoding: "utf8" });
    expect(again.status).toBe(0);
    expect(fs.readFileSync(path.join(same, "REVIEW.md"), "utf8")).toContain("This pull request changes no environment file and none of the code they are synthesized with.");
  });

  it("says what is wrong with its arguments in one line", () => {
    const wrong = spawnSync(process.execPath, [SCRIPT, "--base", base], { encoding: "utf8" });
    expect(wrong.status).toBe(64);
    expect(wrong.stderr.split("\n")[0]).toBe("review-pull-request: --head is required");
  });
});
