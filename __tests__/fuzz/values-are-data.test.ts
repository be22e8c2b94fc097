/**
 * Values are data: nothing written in an environment file is ever evaluated by Terraform.
 *
 * For every string field of the schema (and every key of its free-form maps), a value holding
 * a Terraform expression is either refused with a line naming that field, or synthesized; and
 * then Terraform itself, given every string of the output that carries the value, gives back
 * exactly the text the file wrote, never an evaluated one. The plain manifests carry the text
 * as written too.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { synthesize } from "../../lib/app";
import { parseEnvironment } from "../../lib/config/loader";
import { planPeerings } from "../../lib/config/peerings";
import { EnvironmentError } from "../../lib/core/problem";
import { environmentSchema, type Environment } from "../../lib/config/schema";
import { checkEnvironmentSet } from "../../lib/config/address-plan";
import { ENVIRONMENTS_DIR } from "../helpers";
import { evaluate } from "../terraform";

/** The three attempts the issue names: a function reading the runner's files, a directive, a variable. */
const PAYLOADS = ['${file("/etc/passwd")}', "%{if true}x%{endif}", "${var.x}"] as const;

type Path = (string | number)[];

/** The schema's string fields, as paths with `[]` for list items and `<key>`/`*` for the keys and values of maps. */
function schemaStringFields(): Set<string> {
  const js = z.toJSONSchema(environmentSchema, { io: "input", unrepresentable: "any" }) as any;
  const defs = js.$defs ?? {};
  const found = new Set<string>();
  const walk = (s: any, at: string): void => {
    if (!s || typeof s !== "object") return;
    if (s.$ref) return walk(defs[s.$ref.split("/").pop()], at);
    for (const k of ["anyOf", "oneOf", "allOf"]) (s[k] ?? []).forEach((x: any) => walk(x, at));
    if (s.type === "string" && s.const === undefined) found.add(at);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
    if (s.additionalProperties && typeof s.additionalProperties === "object") {
      found.add(`${at}.<key>`);
      walk(s.additionalProperties, `${at}.*`);
    }
    if (s.items) walk(s.items, `${at}[]`);
  };
  walk(js, "");
  return found;
}

/** A base's string slots: each string value and each key of a map the schema leaves open (tags, env). */
interface Slot {
  readonly path: Path;
  /** The slot as a schema field, for coverage. */
  readonly field: string;
  readonly key: boolean;
}

function slots(raw: unknown, openMaps: Set<string>): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown, at: Path, field: string): void => {
    if (typeof v === "string") out.push({ path: at, field, key: false });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i], `${field}[]`));
    else if (v && typeof v === "object") {
      const open = openMaps.has(`${field}.<key>`);
      for (const [k, x] of Object.entries(v)) {
        if (open) out.push({ path: [...at, k], field: `${field}.<key>`, key: true });
        walk(x, [...at, k], open ? `${field}.*` : `${field}.${k}`);
      }
    }
  };
  walk(raw, [], "");
  return out;
}

/** A copy of raw with the slot's value (or key) given `payload` after what it held. */
function withPayload(raw: any, slot: Slot, payload: string): any {
  const copy = structuredClone(raw);
  const parent = slot.path.slice(0, -1).reduce((v: any, k) => v[k], copy);
  const last = slot.path[slot.path.length - 1];
  if (slot.key) {
    const entries = Object.entries(parent).map(([k, v]) => [k === last ? `${k}${payload}` : k, v]);
    for (const k of Object.keys(parent)) delete parent[k];
    Object.assign(parent, Object.fromEntries(entries));
  } else parent[last] = `${parent[last]}${payload}`;
  return copy;
}

interface Base {
  readonly name: string;
  /** The environment changed, then the others synthesized with it (peerings). */
  readonly raw: any;
  readonly others?: any[];
}

const read = (file: string) => parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, file), "utf8"));
const BASES: Base[] = [
  { name: "full", raw: read("full.yaml") },
  { name: "brownfield", raw: read("brownfield.yaml") },
  { name: "peered", raw: read("multi-spoke-northeurope.yaml"), others: [read("multi-spoke.yaml")] },
  { name: "cloud-backend", raw: { ...read("default.yaml"), backend: { type: "cloud", organization: "contoso", hostname: "tfe.contoso.com", workspacePrefix: "aks-" }, policy: { effect: "off", reason: "runtime policy comes from the landing zone's own initiative" } } },
  {
    // GitOps over SSH: the deploy key's host keys (full's GitOps spoke uses https).
    name: "gitops-ssh",
    raw: (() => {
      // default.yaml: few other slots to judge again.
      const raw = read("default.yaml");
      raw.spokes[0].delivery = { mode: "gitops", repository: "ssh://git@github.com/contoso/platform.git", auth: "ssh", knownHosts: "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" };
      return raw;
    })(),
  },
  {
    name: "expressroute",
    raw: (() => {
      const raw = read("hybrid.yaml");
      raw.hub.gateway = { type: "ExpressRoute", sku: "ErGw1AZ", circuitId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-dc1" };
      return raw;
    })(),
  },
];

/** The problem lines of an environment (with the others synthesized beside it), or [] when the set is accepted before synth. */
function refusals(raw: any, others: any[] = []): string[] {
  const loaded: { file: string; env: Environment }[] = [];
  const lines: string[] = [];
  [raw, ...others].forEach((r, i) => {
    const file = i === 0 ? "env.json" : `other-${i}.json`;
    try {
      loaded.push({ file, env: parseEnvironment(JSON.stringify(r), file, ENVIRONMENTS_DIR, "json") });
    } catch (e) {
      if (!(e instanceof EnvironmentError)) throw e;
      lines.push(...e.lines());
    }
  });
  if (lines.length > 0) return lines;
  return [...checkEnvironmentSet(loaded), ...planPeerings(loaded).problems].map(({ file, problem }) => `${file}: ${problem.path}: ${problem.message}`);
}

/** Does a problem line name the slot's field (or the map or list that holds it)? */
function names(line: string, slot: Slot): boolean {
  const at = line.match(/^env\.json: ([^:]+):/)?.[1];
  if (at === undefined) return false;
  const dotted = slot.path.join(".");
  // A changed key is named by its map and the key as changed (quoted when it is no plain word).
  if (slot.key) return at.startsWith(`${slot.path.slice(0, -1).join(".")}.`);
  return dotted === at || dotted.startsWith(`${at}.`);
}

/** Every string in a JSON value, keys included, with where it was found. */
function strings(value: unknown, found: { text: string; key: boolean }[] = []): { text: string; key: boolean }[] {
  if (typeof value === "string") found.push({ text: value, key: false });
  else if (Array.isArray(value)) value.forEach((v) => strings(v, found));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      found.push({ text: k, key: true });
      strings(v, found);
    }
  return found;
}

/** The files of a folder, recursively, relative to it. */
function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("values from an environment file are data, never code", () => {
  const open = schemaStringFields();
  const judged = BASES.map((base) => {
    const accepted: { slot: Slot; payload: string }[] = [];
    const unnamed: { slot: string; payload: string; lines: string[] }[] = [];
    const baseSlots = slots(base.raw, open);
    expect(refusals(base.raw, base.others)).toEqual([]);
    for (const slot of baseSlots)
      for (const payload of PAYLOADS) {
        const lines = refusals(withPayload(base.raw, slot, payload), base.others);
        if (lines.length === 0) accepted.push({ slot, payload });
        else if (!lines.some((l) => names(l, slot))) unnamed.push({ slot: slot.path.join("."), payload, lines });
      }
    return { base, slots: baseSlots, accepted, unnamed };
  });

  test("the bases between them hold every string field of the schema", () => {
    const covered = new Set(judged.flatMap((j) => j.slots.map((s) => s.field)));
    expect([...open].filter((f) => !covered.has(f)).sort()).toEqual([]);
  });

  test.each(judged.map((j) => [j.base.name, j] as const))("%s: every refused value is refused with a line naming its field", (_name, j) => {
    expect(j.unnamed).toEqual([]);
  });

  test("free text takes the payloads (an app's env, tags, a health path): they are not all refused", () => {
    const fields = new Set(judged.flatMap((j) => j.accepted.map((a) => a.slot.field)));
    for (const f of [".tags.*", ".tags.<key>", ".spokes[].apps[].env.*", ".spokes[].apps[].healthPath"]) expect({ f, accepted: fields.has(f) }).toEqual({ f, accepted: true });
  });

  // Each base once more, with every accepted payload at once (and its own marker, to find it),
  // synthesized as a user would; then Terraform reads every output string that carries one.
  test.each(judged.filter((j) => j.accepted.length > 0).map((j) => [j.base.name, j] as const))(
    "%s: Terraform reads back every accepted value as the literal text the file wrote",
    (_name, j) => {
      let raw = j.base.raw;
      const expected: string[] = [];
      j.accepted.forEach(({ slot, payload }, i) => {
        // One payload per slot in this run: the first it accepted, marked so that it can be found.
        if (expected.some((e) => e.startsWith(`${slot.path.join(".")}|`))) return;
        const marked = `~${i}~${payload}`;
        // A field whose rule refuses the marker itself (a branch name takes no '~') was judged without it.
        if (refusals(withPayload(j.base.raw, slot, marked), j.base.others).length > 0) return;
        raw = withPayload(raw, slot, marked);
        expected.push(`${slot.path.join(".")}|${marked}`);
      });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "values-are-data-"));
      fs.cpSync(path.join(ENVIRONMENTS_DIR, "keys"), path.join(dir, "keys"), { recursive: true });
      fs.cpSync(path.join(ENVIRONMENTS_DIR, "certs"), path.join(dir, "certs"), { recursive: true });
      // A file the environment names is read into it: the jumpbox key's comment carries all three.
      const keyFile = path.join(dir, "keys", "jumpbox.pub");
      const keyMarker = `~999~${PAYLOADS.join("")}`;
      fs.writeFileSync(keyFile, `${fs.readFileSync(keyFile, "utf8").trim().split(" ").slice(0, 2).join(" ")} ops@example${keyMarker}\n`);
      if (JSON.stringify([raw, j.base.others]).includes("keys/jumpbox.pub")) expected.push(`hub.jumpbox.sshPublicKey|${keyMarker}`);
      const files = [raw, ...(j.base.others ?? [])].map((r, i) => {
        const file = path.join(dir, i === 0 ? "env.json" : `other-${i}.json`);
        fs.writeFileSync(file, JSON.stringify(r));
        return file;
      });
      let stderr = "";
      const outdir = path.join(dir, "cdktf.out");
      const code = synthesize({ outdir, file: files.join(","), stderr: { write: (s: string) => (stderr += s) }, stdout: { write: () => true } });
      expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/error|must|cannot/i) });

      const markers = expected.map((e) => e.slice(e.indexOf("|") + 1));
      const carrying: { text: string; key: boolean }[] = [];
      const manifests: string[] = [];
      // Values written base64-encoded by synth (known_hosts): data by construction, with no template syntax left to evaluate.
      const encoded: string[] = [];
      for (const file of filesIn(outdir)) {
        const text = fs.readFileSync(path.join(outdir, file), "utf8");
        if (file.endsWith("cdk.tf.json")) {
          carrying.push(...strings(JSON.parse(text)).filter((s) => /~\d+~/.test(s.text)));
          for (const m of text.matchAll(/"[a-z_]+_base64": "([A-Za-z0-9+/=]+)"/g)) encoded.push(Buffer.from(m[1], "base64").toString("utf8"));
        } else if (file.startsWith("manifests/")) manifests.push(text);
      }
      // Every value that was accepted reaches the output somewhere, or this test proves nothing for it.
      // (A GitOps spoke's apps reach only its rendered manifests.)
      const reached = (m: string) => [...carrying.map((s) => s.text), ...encoded, ...manifests].some((t) => t.includes(m.slice(0, m.indexOf("~", 1) + 1)));
      expect(expected.filter((e) => !reached(e.slice(e.indexOf("|") + 1)))).toEqual([]);
      const values = evaluate(carrying.map((s) => (s.key ? { [s.text]: true } : s.text)));
      carrying.forEach((s, i) => {
        const got = s.key ? Object.keys(values[i] as object)[0] : (values[i] as string);
        const marks = [...s.text.matchAll(/~\d+~/g)].map((m) => m[0]);
        for (const mark of marks) {
          const marker = markers.find((m) => m.startsWith(mark))!;
          expect({ written: s.text, got, holds: got.includes(marker) }).toEqual({ written: s.text, got, holds: true });
        }
        expect(got).not.toMatch(/root:|(?<!%\{if true\})x(?!%\{endif\})~|^x$/);
      });
      // kubectl evaluates nothing: the plain manifests hold the text unescaped.
      for (const text of manifests) {
        expect(text).not.toMatch(/\$\$\{|%%\{/);
        for (const m of text.matchAll(/~\d+~/g)) expect(markers.some((marker) => text.includes(marker) && marker.startsWith(m[0]))).toBe(true);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
