/** The README's examples are real: the files it names exist, and the errors it shows are the ones printed. */
import * as fs from "fs";
import * as path from "path";
import { shippedOutput } from "./shipped";
import { PROJECT_ROOT } from "../lib/config/loader";
import { run } from "../lib/cli";
import { parse } from "yaml";
import { changed, problems, stacks } from "./helpers";
import { GUARDRAILS } from "../lib/policy/rules";
import { RUNTIME_ENFORCEMENT } from "../lib/domain/runtime-policies";

/** The README and the pages under docs/, each by its path from the project root. */
const PAGES = new Map<string, string>([
  ["README.md", fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8")],
  ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f): [string, string] => [`docs/${f}`, fs.readFileSync(path.join(PROJECT_ROOT, "docs", f), "utf8")]),
]);
/** All of the documentation as one text, for the checks of what it shows. */
const README = [...PAGES.values()].join("\n");

/** A heading's anchor as GitHub makes it. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");

describe("the documentation's links", () => {
  it("lead to files that exist, and to headings that exist", () => {
    const broken: string[] = [];
    for (const [page, text] of PAGES) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [file, hash] = target.split("#");
        const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
        if (!fs.existsSync(path.join(PROJECT_ROOT, resolved))) broken.push(`${page}: ${target} (no ${resolved})`);
        else if (hash !== undefined && resolved.endsWith(".md")) {
          const headings = fs.readFileSync(path.join(PROJECT_ROOT, resolved), "utf8").split("\n").filter((l) => /^#+ /.test(l)).map((l) => anchor(l.replace(/^#+ /, "")));
          if (!headings.includes(hash)) broken.push(`${page}: ${target} (no heading #${hash} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("the README maps every page under docs/", () => {
    for (const page of [...PAGES.keys()].filter((p) => p.startsWith("docs/"))) expect(PAGES.get("README.md")).toContain(`](${page})`);
  });
});

describe("the README", () => {
  it("names only files and folders that exist (apart from the copy it tells you to make)", () => {
    const named = new Set([...README.matchAll(/(?<![\w@/.-])((?:environments|lib|bin|scripts|__tests__|examples)\/[\w./-]*[\w/])/g)].map((m) => m[1]));
    expect(named.size).toBeGreaterThan(5);
    const missing = [...named].filter((p) => p !== "environments/mine.yaml" && !fs.existsSync(path.join(PROJECT_ROOT, p)));
    expect(missing).toEqual([]);
  });

  it("shows the error lines synth really prints for its example", () => {
    const block = /```\n(environments\/mine\.yaml: [^`]*)```/.exec(README);
    expect(block).not.toBeNull();
    const shown = block![1].trim().split("\n").map((l) => l.replace(/^environments\/mine\.yaml: /, "env.yaml: "));
    const printed = problems(changed((r) => {
      r.location = "westeuorpe";
      r.hub.subnets.firewall = "10.0.0.0/27";
      r.spokes[0].cluster.kubernetesVersion = "1.33";
    }));
    expect(printed).toEqual(shown);
  });

  it("shows what explain really answers for the default environment", async () => {
    const out = shippedOutput(["default"]).outdir;
    const hybrid = shippedOutput(["hybrid"]).outdir;
    for (const block of README.matchAll(/\$ npx private-aks explain ([^\n]+)\n((?:(?!\$ |```)[^\n]*\n)+)/g)) {
      let stdout = "";
      const args = block[1].split(" ");
      await run(["explain", ...args, "--out", block[1].includes("onprem") ? hybrid : out], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } });
      expect(stdout).toBe(block[2]);
    }
    expect([...README.matchAll(/\$ npx private-aks explain/g)]).toHaveLength(3);
  });

  it("ships a pull-request workflow that parses and uses only commands that exist", () => {
    const workflow = parse(fs.readFileSync(path.join(PROJECT_ROOT, "examples", "pull-request-review.yml"), "utf8"));
    const runs: string[] = workflow.jobs.review.steps.filter((s: any) => s.run).map((s: any) => s.run);
    // The review logic is a script of the repository, tested in review-pull-request.test.ts.
    expect(runs.join("\n")).toContain("node head/scripts/review-pull-request.js --base base --head head --out review");
    expect(fs.existsSync(path.join(PROJECT_ROOT, "scripts", "review-pull-request.js"))).toBe(true);
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);
    for (const script of runs.join("\n").matchAll(/npm run (\S+)/g)) expect(scripts).toContain(script[1]);
    for (const command of runs.join("\n").matchAll(/npx private-aks (\S+)/g)) expect(["validate", "review", "explain", "diff"]).toContain(command[1]);
  });

  it("Deploying shows what private-aks stacks really prints for full.yaml", async () => {
    const block = /\$ npx private-aks stacks\n((?:wave [^\n]*\n)+)/.exec(PAGES.get("docs/deploying.md") as string);
    expect(block).not.toBeNull();
    let stdout = "";
    expect(await run(["stacks", "--out", shippedOutput(["full"]).outdir], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } })).toBe(0);
    expect(stdout).toBe(block![1]);
  });

  it("ships a deploy workflow that parses, signs in with OIDC, and runs only commands and scripts that exist", () => {
    const workflow = parse(fs.readFileSync(path.join(PROJECT_ROOT, "examples", "deploy.yml"), "utf8"));
    expect(workflow.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(workflow.env.ARM_USE_OIDC).toBe("true");
    expect(JSON.stringify(workflow)).not.toMatch(/ARM_CLIENT_SECRET/);
    expect(workflow.jobs.apply.environment).toBe("production");
    expect(workflow.jobs.apply.needs).toBe("plan");
    const runs = Object.values(workflow.jobs).flatMap((j: any) => j.steps.filter((s: any) => s.run).map((s: any) => s.run as string)).join("\n");
    // The logic is a script of the repository, tested in terraform-waves.test.ts.
    expect(runs).toContain("node head/scripts/terraform-waves.js plan --out out-head --base out-base --plans plans");
    expect(runs).toContain("node head/scripts/terraform-waves.js apply --out out-head --plans plans --approved approved");
    // Binary plans hold sensitive variables' values: only their text is uploaded.
    const upload = workflow.jobs.plan.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact")).with.path as string;
    expect(upload.split("\n").filter(Boolean)).toEqual(["plans/*.json", "plans/*.md", "plans/*.txt"]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, "scripts", "terraform-waves.js"))).toBe(true);
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);
    for (const script of runs.matchAll(/npm run ([\w:-]+)/g)) expect(scripts).toContain(script[1]);
    for (const command of runs.matchAll(/npx private-aks (\S+)/g)) expect(["manifests", "stacks"]).toContain(command[1]);
  });

  it("shows the emergency apply line that synth prints for the default environment", () => {
    const built = stacks();
    expect(README).toContain(`\n${built.apps[0].emergencyApply}\n`);
  });

  it("shows what validate really prints for the default environment", async () => {
    const block = /```\n(environments\/default\.yaml: ok [^`]*)```/.exec(README);
    expect(block).not.toBeNull();
    let stdout = "";
    const cwd = process.cwd();
    process.chdir(PROJECT_ROOT);
    try {
      expect(await run(["validate", "environments/default.yaml"], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } })).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(stdout).toBe(block![1]);
  });
});

describe("the guardrail tables of Reviewing a change", () => {
  const page = PAGES.get("docs/reviewing.md") as string;
  const rows = (section: string) => {
    const text = page.slice(page.indexOf(section));
    const table = text.slice(text.indexOf("\n| "), text.indexOf("\n\n", text.indexOf("\n| ")));
    return table.split("\n").filter((l) => /^\| [A-Z0-9]+-\d{3} \|/.test(l)).map((l) => l.split("|").map((c) => c.trim()));
  };

  it("list every guardrail synth checks, once", () => {
    const ids = rows("## Guardrails: zero public exposure").map((r) => r[1]);
    expect(ids.sort()).toEqual(GUARDRAILS.map((g) => g.id).sort());
  });

  it("give every guardrail its runtime policy, or say none exactly where the table in lib/domain has none", () => {
    const table = rows("## Runtime policy: the same guardrails");
    expect(table.map((r) => r[1]).sort()).toEqual(Object.keys(RUNTIME_ENFORCEMENT).sort());
    for (const [, id, policy] of table) expect([id, policy.startsWith("none")]).toEqual([id, "none" in RUNTIME_ENFORCEMENT[id]]);
  });
});
