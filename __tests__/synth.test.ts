/**
 * The app as users run it: `node scripts/app.js` (what `npm run synth` and cdktf.json's app
 * command run: main.ts from a bundle of the sources) in a separate process, from different
 * working directories.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../lib/app";
import { PROJECT_ROOT } from "../lib/config/loader";
import { withoutSampleKeyWarning } from "./helpers";

/** What cdktf.json's app command and `npm run synth` run. */
const APP = path.join(PROJECT_ROOT, "scripts", "app.js");

function runApp(cwd: string, env: Record<string, string> = {}, nodeOptions: string[] = []) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.CDKTF_OUTDIR;
  Object.assign(childEnv, env);
  if (!env.PRIVATE_AKS_CONFIG) delete childEnv.PRIVATE_AKS_CONFIG;
  const result = spawnSync(process.execPath, [...nodeOptions, APP], { cwd, env: childEnv, encoding: "utf8" });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder, by relative path, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));

describe("synthesizing the default environment", () => {
  const first = tmp("synth-a");
  const second = tmp("synth-b");
  const runs = [runApp(first), runApp(second)];

  it("succeeds with no warning but the sample key's, and writes the hub and spoke stacks", () => {
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(runs.map((r) => withoutSampleKeyWarning(r.stderr))).toEqual(["", ""]);
    expect(fs.existsSync(path.join(first, "cdktf.out", "stacks", "demo-hub", "cdk.tf.json"))).toBe(true);
    expect(fs.existsSync(path.join(first, "cdktf.out", "stacks", "demo-aks1", "cdk.tf.json"))).toBe(true);
  });

  it("gives identical bytes from two different working directories", () => {
    const a = tree(path.join(first, "cdktf.out"));
    const b = tree(path.join(second, "cdktf.out"));
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [file, bytes] of a) expect({ file, same: bytes.equals(b.get(file) as Buffer) }).toEqual({ file, same: true });
  });

  it("writes no absolute path of the machine into any file", () => {
    const suspects = [first, PROJECT_ROOT, os.homedir(), os.tmpdir()];
    for (const [file, bytes] of tree(path.join(first, "cdktf.out"))) {
      const text = bytes.toString("utf8");
      for (const suspect of suspects) expect({ file, contains: text.includes(suspect) }).toEqual({ file, contains: false });
      // Container mount paths (mount_path, mountPath) are paths inside the container, not of this machine.
      // Azure resource ids (/subscriptions/..., /providers/...) are not paths of this machine either.
      const outsideContainers = text.replace(/"(?:mount_path|mountPath)": "[^"]*"|mountPath: \S+/g, "").replace(/"\/(?:subscriptions|providers)\/[^"]*"/g, '""');
      expect({ file, absolute: /"(\/[A-Za-z0-9_.-]+){2,}/.test(outsideContainers) }).toEqual({ file, absolute: false });
    }
  });
});

describe("synthesizing a broken environment file", () => {
  const cwd = tmp("synth-bad");
  const outdir = path.join(cwd, "cdktf.out");
  fs.mkdirSync(path.join(outdir, "stacks", "demo-hub"), { recursive: true });
  fs.writeFileSync(path.join(outdir, "stacks", "demo-hub", "cdk.tf.json"), "previous output");
  const bad = path.join(cwd, "bad.yaml");
  fs.writeFileSync(
    bad,
    fs
      .readFileSync(path.join(PROJECT_ROOT, "environments", "default.yaml"), "utf8")
      .replace("firewall: 10.0.0.0/26", "firewall: 10.0.0.0/27")
      .replace("nodes: 10.0.5.0/24", "nodes: 10.0.9.0/24")
      .replace("sshPublicKey: keys/jumpbox.pub", "sshPublicKey: keys/none.pub"),
  );
  const before = tree(outdir);
  const run = runApp(cwd, { PRIVATE_AKS_CONFIG: "bad.yaml" });

  it("exits non-zero and prints each problem on its own line, naming file and field, without a stack trace", () => {
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      "bad.yaml: hub.subnets.firewall: 10.0.0.0/27 is too small for AzureFirewallSubnet; Azure needs at least a /26",
      'bad.yaml: hub.jumpbox.sshPublicKey: "keys/none.pub" is neither an OpenSSH public key (ssh-ed25519 AAAA...) nor a readable file relative to the environment file',
      "bad.yaml: spokes.0.subnets.nodes: 10.0.9.0/24 is not inside spokes.0.addressSpace (10.0.4.0/22); choose a range inside it",
    ]);
  });

  it("leaves the previous output exactly as it was", () => {
    expect(tree(outdir)).toEqual(before);
  });
});

describe("folders of stacks that no longer exist", () => {
  const cwd = tmp("synth-prune");
  const stale = path.join(cwd, "cdktf.out", "stacks", "demo-removed");
  const seed = () => {
    fs.mkdirSync(stale, { recursive: true });
    fs.writeFileSync(path.join(stale, "cdk.tf.json"), "{}");
  };

  it("are removed by npm run synth, as cdktf synth removes them", () => {
    seed();
    expect(runApp(cwd).status).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
  });

  it("are left to the cdktf CLI when it runs the app (it removes them itself and fails if they are gone)", () => {
    seed();
    expect(runApp(cwd, { CDKTF_OUTDIR: "cdktf.out" }).status).toBe(0);
    expect(fs.existsSync(stale)).toBe(true);
  });
});

describe("a synth into an existing output", () => {
  // One run, into a folder holding what earlier runs and Terraform left there.
  const cwd = tmp("synth-existing");
  const stack = path.join(cwd, "cdktf.out", "stacks", "demo-hub");
  fs.mkdirSync(path.join(stack, ".terraform", "providers"), { recursive: true });
  fs.writeFileSync(path.join(stack, ".terraform", "providers", "azurerm"), "a provider");
  fs.writeFileSync(path.join(stack, ".terraform.lock.hcl"), "a lock");
  fs.writeFileSync(path.join(stack, "cdk.tf.json"), "stale");
  // A review of an earlier output.
  fs.mkdirSync(path.join(cwd, "cdktf.out", "review"), { recursive: true });
  fs.writeFileSync(path.join(cwd, "cdktf.out", "review", "REVIEW.md"), "a review of what was there before");
  // Staging folders of a synth killed outright (a process id no process has, above Linux's
  // highest) and of one still running (this test's own process), both an hour old; and one of
  // a moment ago, which may be a synth in another container (its process id means nothing here).
  const dead = ".cdktf.out.staging-2147483646-abcdef";
  const alive = `.cdktf.out.staging-${process.pid}-abcdef`;
  const recent = ".cdktf.out.staging-2147483645-abcdef";
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const d of [dead, alive, recent]) fs.mkdirSync(path.join(cwd, d, "stacks"), { recursive: true });
  for (const d of [dead, alive]) fs.utimesSync(path.join(cwd, d), hourAgo, hourAgo);
  const run = runApp(cwd);

  it("keeps Terraform's own files in a stack's folder (.terraform with its providers, the lock file), as cdktf does", () => {
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(stack, ".terraform", "providers", "azurerm"), "utf8")).toBe("a provider");
    expect(fs.readFileSync(path.join(stack, ".terraform.lock.hcl"), "utf8")).toBe("a lock");
    expect(JSON.parse(fs.readFileSync(path.join(stack, "cdk.tf.json"), "utf8"))["//"].metadata.stackName).toBe("demo-hub");
  });

  it("removes a review of the earlier output, which no longer describes it", () => {
    expect(fs.existsSync(path.join(cwd, "cdktf.out", "review"))).toBe(false);
  });

  it("removes the staging folder a killed synth left, and keeps a running or a recent synth's", () => {
    expect(fs.readdirSync(cwd).filter((e) => e.startsWith(".cdktf.out.staging-")).sort()).toEqual([alive, recent].sort());
  });
});

describe("HCL output (cdktf synth --hcl)", () => {
  it("is refused in one line, nothing written: the checks read the JSON output", () => {
    const cwd = tmp("synth-hcl");
    const run = runApp(cwd, { SYNTH_HCL_OUTPUT: "true" });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 1, stderr: expect.stringMatching(/^SYNTH_HCL_OUTPUT \(cdktf synth --hcl\): not supported: .*\n$/) });
    expect(fs.existsSync(path.join(cwd, "cdktf.out"))).toBe(false);
  });
});

describe("an interrupted synth", () => {
  it("finishes what it started on Ctrl-C or a cancel (SIGINT, SIGTERM), then ends by that signal, leaving no staging folder", () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const cwd = tmp("synth-interrupted");
      // The signal arrives while synth is busy: as its staging folder is made.
      const preload = path.join(cwd, "interrupt.js");
      fs.writeFileSync(
        preload,
        `const fs = require("fs"); const made = fs.mkdtempSync;
         fs.mkdtempSync = (...args) => { if (String(args[0]).includes(".staging-")) process.kill(process.pid, ${JSON.stringify(signal)}); return made(...args); };\n`,
      );
      const run = runApp(cwd, {}, ["--require", preload]);
      expect({ status: run.status, signal: run.signal }).toEqual({ status: null, signal });
      expect(fs.existsSync(path.join(cwd, "cdktf.out", "stacks", "demo-hub", "cdk.tf.json"))).toBe(true);
      expect(fs.existsSync(path.join(cwd, "cdktf.out", "manifest.json"))).toBe(true);
      expect(fs.readdirSync(cwd).filter((e) => e.startsWith(".cdktf.out.staging-"))).toEqual([]);
    }
  });
});

describe("the app's start-up bundle", () => {
  // scripts/launch.js is plain JavaScript (it runs before any TypeScript can): loaded as such.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inputs, key, sources } = require("../scripts/launch.js") as { inputs: (entry: string) => string[]; key: (entry: string, files: string[]) => string; sources: () => string[] };

  it("is keyed on every source: an edit never runs a stale bundle", () => {
    const dir = tmp("launch");
    const files = ["a.ts", "b.ts"].map((f) => path.join(dir, f));
    files.forEach((f, i) => fs.writeFileSync(f, `export const x${i} = 1;\n`));
    const before = key("main.ts", files);
    expect(key("main.ts", files)).toBe(before);
    fs.writeFileSync(files[1], "export const x1 = 2;\n");
    expect(key("main.ts", files)).not.toBe(before);
    expect(key("lib/cli.ts", files)).not.toBe(key("main.ts", files));
  });

  it("is built from the app's sources, its entry and the installed dependencies (they are bundled too)", () => {
    const built = inputs("scripts/bench-generated.ts").map((f) => path.relative(PROJECT_ROOT, f));
    expect(built).toEqual(expect.arrayContaining(["main.ts", "lib/app.ts", "lib/cli.ts", "scripts/bench-generated.ts", "package-lock.json", path.join("node_modules", ".package-lock.json")]));
    expect(inputs("main.ts").filter((f) => f.endsWith("main.ts"))).toHaveLength(1);
  });

  it("is keyed on what else the bundle holds or is built with: JSON the sources import, tsconfig.json, this launcher", () => {
    const built = inputs("main.ts").map((f) => path.relative(PROJECT_ROOT, f));
    expect(built).toEqual(expect.arrayContaining(["tsconfig.json", path.join("scripts", "launch.js")]));
    // Every file under lib/, not only TypeScript: a JSON file a source imports is bundled.
    const dir = tmp("launch-json");
    const ts = path.join(dir, "a.ts");
    const json = path.join(dir, "data.json");
    fs.writeFileSync(ts, 'import data from "./data.json";\nexport const x = data;\n');
    fs.writeFileSync(json, '{"a": 1}');
    const before = key("main.ts", [ts, json]);
    fs.writeFileSync(json, '{"a": 2}');
    expect(key("main.ts", [ts, json])).not.toBe(before);
    const lib = fs.readdirSync(path.join(PROJECT_ROOT, "lib"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    expect(sources()).toEqual(expect.arrayContaining(lib));
  });

  it("is compiled from V8's code cache beside it, and a cache V8 rejects is written again, never trusted", () => {
    const dir = tmp("launch-cache");
    const entry = path.relative(PROJECT_ROOT, path.join(dir, "entry.ts"));
    fs.writeFileSync(path.join(PROJECT_ROOT, entry), "export const answer: number = 6 * 7;\n");
    const name = entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
    const cacheDir = path.join(PROJECT_ROOT, "node_modules", ".cache", "private-aks");
    const loadEntry = () => spawnSync(process.execPath, ["-e", `process.stdout.write(String(require(${JSON.stringify(path.join(PROJECT_ROOT, "scripts", "launch.js"))}).load(${JSON.stringify(entry)}).answer))`], { cwd: PROJECT_ROOT, encoding: "utf8" });
    const written = () => fs.readdirSync(cacheDir).filter((f) => f.startsWith(`${name}-`));
    try {
      expect(loadEntry().stdout).toBe("42");
      const [bundleFile, cacheFile] = written().sort();
      expect([bundleFile.endsWith(".js"), cacheFile]).toEqual([true, bundleFile.replace(/\.js$/, ".v8")]);
      const cache = path.join(cacheDir, cacheFile);
      fs.writeFileSync(cache, "not a code cache");
      expect(loadEntry().stdout).toBe("42");
      expect(fs.readFileSync(cache, "utf8")).not.toBe("not a code cache");
      expect(written()).toHaveLength(2);
    } finally {
      for (const f of written()) fs.rmSync(path.join(cacheDir, f), { force: true });
    }
  });

  it("synthesizes several environment files together into one output, checked as a set", () => {
    const cwd = tmp("synth-multi");
    const both = ["multi-spoke.yaml", "multi-spoke-northeurope.yaml"].map((f) => path.join(PROJECT_ROOT, "environments", f)).join(",");
    const run = runApp(cwd, { PRIVATE_AKS_CONFIG: both });
    expect(run.status).toBe(0);
    expect(fs.readdirSync(path.join(cwd, "cdktf.out", "stacks")).sort()).toEqual(["ne-hub", "ne-orders", "ne-payments", "ne-we-peering", "we-hub", "we-orders", "we-payments", "we-search"]);
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, "cdktf.out", "manifest.json"), "utf8"));
    expect(manifest.stacks["we-payments"].dependencies).toEqual(["we-hub"]);
    // cdktf deploy '*' orders the peering after both hubs.
    expect([...manifest.stacks["ne-we-peering"].dependencies].sort()).toEqual(["ne-hub", "we-hub"]);
  });

  // What the set's files may be is a check of the input, the same in any process: run in this one.
  const synthInProcess = (files: string[]) => {
    let stderr = "";
    const code = synthesize({ outdir: path.join(tmp("synth-set"), "cdktf.out"), file: files.join(","), stderr: { write: (s: string) => (stderr += s) }, stdout: { write: () => true } });
    return { code, stderr };
  };

  it("refuses a set that names one file twice, in one line", () => {
    const multi = path.join(PROJECT_ROOT, "environments", "multi-spoke.yaml");
    const clash = synthInProcess([multi, multi]);
    expect(clash.code).toBe(1);
    expect(clash.stderr.trim().split("\n")).toEqual([expect.stringMatching(/multi-spoke\.yaml: \(file\): is listed more than once; name each environment file once$/)]);
  });

  it("refuses a copy under another name: another file, whose environment name clashes", () => {
    const dir = tmp("synth-copy");
    fs.cpSync(path.join(PROJECT_ROOT, "environments", "keys"), path.join(dir, "keys"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, "environments", "multi-spoke.yaml"), path.join(dir, "copy.yaml"));
    const copy = synthInProcess([path.join(PROJECT_ROOT, "environments", "multi-spoke.yaml"), path.join(dir, "copy.yaml")]);
    expect(copy.code).toBe(1);
    expect(copy.stderr).toContain('copy.yaml: name: "we" is already the name of the environment in');
  });
});
