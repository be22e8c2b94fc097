/**
 * The stacks in deployment waves, as pipelines read them (`private-aks stacks`): from the
 * manifest of every shipped output, and of outputs changed on purpose.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackWaves } from "../../lib/output/stacks";
import { cli } from "../helpers";
import { SHIPPED_SETS, shippedOutput } from "../shipped";

/** A copy of a shipped output, to change. */
function copyOf(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
  fs.cpSync(shippedOutput(names).outdir, dir, { recursive: true });
  return dir;
}

describe("deployment waves", () => {
  it.each(SHIPPED_SETS.map((set) => [set.join("+"), set] as const))("%s: every stack comes after everything it depends on, and as early as that allows", (_name, set) => {
    const w = stackWaves(shippedOutput(set).outdir);
    const byName = new Map(w.stacks.map((s) => [s.name, s]));
    expect(w.stacks.map((s) => s.name).sort()).toEqual(shippedOutput(set).stacks);
    for (const s of w.stacks) {
      for (const d of s.dependencies) expect(byName.get(d)!.wave).toBeLessThan(s.wave);
      expect(s.wave).toBe(1 + Math.max(0, ...s.dependencies.map((d) => byName.get(d)!.wave)));
      expect(fs.existsSync(path.join(shippedOutput(set).outdir, s.directory, "cdk.tf.json"))).toBe(true);
    }
    expect(w.waves.flat().sort()).toEqual(w.stacks.map((s) => s.name).sort());
  });

  it("full: the hub, then its spokes together, then the apps stack, the only one that needs the API server", () => {
    const w = stackWaves(shippedOutput(["full"]).outdir);
    expect(w.waves).toEqual([["full-hub"], ["full-aks1", "full-aks2", "full-aks3"], ["full-aks1-apps"]]);
    expect(w.stacks.filter((s) => s.needsApiServer).map((s) => s.name)).toEqual(["full-aks1-apps"]);
    expect(w).not.toHaveProperty("removed");
  });

  it("against a base: marks the stacks whose Terraform JSON changed, and lists the base's stacks this output has not", () => {
    const base = copyOf(["full"]);
    const head = copyOf(["full"]);
    const file = path.join(head, "stacks", "full-aks2", "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.locals = { changed: true };
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    const manifest = JSON.parse(fs.readFileSync(path.join(head, "manifest.json"), "utf8"));
    delete manifest.stacks["full-aks3"];
    fs.writeFileSync(path.join(head, "manifest.json"), JSON.stringify(manifest));
    const w = stackWaves(head, base);
    expect(w.stacks.filter((s) => s.changed).map((s) => s.name)).toEqual(["full-aks2"]);
    expect(w.removed).toEqual(["full-aks3"]);
    expect(stackWaves(base, base).stacks.every((s) => s.changed === false)).toBe(true);
  });

  it("refuses a manifest whose dependencies are missing or run in a circle, naming the stacks", () => {
    const dir = copyOf(["full"]);
    const manifestFile = path.join(dir, "manifest.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, stacks: { ...manifest.stacks, "full-aks1": { ...manifest.stacks["full-aks1"], dependencies: ["full-gone"] } } }));
    expect(() => stackWaves(dir)).toThrow(/stack full-aks1 depends on full-gone, which is not in this output/);
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, stacks: { ...manifest.stacks, "full-hub": { ...manifest.stacks["full-hub"], dependencies: ["full-aks1"] } } }));
    expect(() => stackWaves(dir)).toThrow(/depends on itself through/);
  });
});

describe("private-aks stacks", () => {
  it("prints one line per wave, each stack with what a pipeline must know of it", async () => {
    const result = await cli("stacks", "--out", shippedOutput(["full"]).outdir);
    expect(result).toEqual({ code: 0, stderr: "", stdout: "wave 1: full-hub\nwave 2: full-aks1, full-aks2, full-aks3\nwave 3: full-aks1-apps (needs the API server)\n" });
  });

  it("prints JSON for pipelines, with the changes since a base", async () => {
    const out = shippedOutput(["full"]).outdir;
    const result = await cli("stacks", "--out", out, "--base", out, "--json");
    expect(result.code).toBe(0);
    const w = JSON.parse(result.stdout);
    expect(w.waves[0]).toEqual(["full-hub"]);
    expect(w.stacks[0]).toEqual({ name: "full-aks1", wave: 2, dependencies: ["full-hub"], directory: "stacks/full-aks1", needsApiServer: false, changed: false });
    expect(w.removed).toEqual([]);
  });

  it("answers a folder without an output in one line, exit code 2", async () => {
    const result = await cli("stacks", "--out", path.join(os.tmpdir(), "no-such-output"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^private-aks: .*no-such-output: no manifest\.json here; synthesize first/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
