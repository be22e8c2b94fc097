/**
 * One model of a synthesized `cdktf.out`: every stack's Terraform JSON and the plain
 * manifests, with `${...}` references resolved across resources and across stacks (remote
 * state outputs included) wherever the target is in the output. What cannot be resolved (a
 * computed id, a variable, a function) stays a Ref or an Unknown: never guessed.
 *
 * Guardrails, review, explain and diff all read this model, never the environment file or the
 * constructs, so what they judge is what will be applied.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { NOTES_KEY } from "./notes";
import { templateParts } from "../core/template";

/** A value known only when Terraform applies (a variable, a function of unknowns, ...). */
export class Unknown {
  constructor(public readonly expression: string) {}
  public toString(): string {
    return `(known after apply: ${this.expression})`;
  }
}

/** An attribute of a resource in the output that Terraform computes (an id, a principal id). */
export class Ref {
  constructor(
    public readonly resource: Resource,
    public readonly attribute: string,
  ) {}
  public toString(): string {
    return `${this.resource.address}.${this.attribute}`;
  }
}

/** One resource (or data source) of one stack. */
export interface Resource {
  readonly stack: string;
  readonly type: string;
  readonly key: string;
  /** `<stack>/<type>.<key>`. */
  readonly address: string;
  /** The construct path cdktf recorded, e.g. `demo-hub/firewall/public-ip`; the address when there is none. */
  readonly path: string;
  /** The resource's arguments as written in the JSON (references unresolved). */
  readonly raw: Record<string, unknown>;
}

/** A Kubernetes object from a plain manifest. */
export interface ManifestObject {
  /** `manifests/<stack>/<file>`. */
  readonly file: string;
  readonly object: any;
}

/** A construct-level note cdktf wrote into manifest.json (warnings, acknowledged exceptions). */
export interface Annotation {
  readonly stack: string;
  readonly path: string;
  readonly level: string;
  readonly message: string;
}

/** The synthesized output as files: stacks, manifests, annotations. */
export interface SynthesizedOutput {
  readonly stacks: ReadonlyMap<string, any>;
  readonly manifests: readonly ManifestObject[];
  readonly annotations: readonly Annotation[];
}

/** One stack as cdktf's manifest.json lists it. */
export interface ManifestStack {
  readonly dependencies: readonly string[];
  /** Relative to the output folder: where Terraform runs (`stacks/<id>`). */
  readonly workingDirectory: string;
  /** Relative to the output folder: the stack's JSON (`stacks/<id>/cdk.tf.json`). */
  readonly synthesizedStackPath: string;
  readonly annotations?: readonly { constructPath: string; level: string; message: unknown }[];
}

/** The `stacks` of a `cdktf.out` folder's manifest.json. Throws a one-line Error when it is no output. */
export function readManifest(outdir: string): Record<string, ManifestStack> {
  const manifestFile = path.join(outdir, "manifest.json");
  if (!fs.existsSync(manifestFile)) throw new Error(`${outdir}: no manifest.json here; synthesize first (npm run synth) or pass the folder that holds cdktf's output`);
  const stacks = (JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { stacks?: Record<string, Partial<ManifestStack>> }).stacks ?? {};
  return Object.fromEntries(
    Object.entries(stacks).map(([id, s]) => [
      id,
      { ...s, dependencies: [...(s.dependencies ?? [])], workingDirectory: String(s.workingDirectory ?? `stacks/${id}`), synthesizedStackPath: String(s.synthesizedStackPath ?? `stacks/${id}/cdk.tf.json`) },
    ]),
  );
}

/** Reads a `cdktf.out` folder. Throws a one-line Error when it is not one. */
export function readOutput(outdir: string): SynthesizedOutput {
  const manifest = { stacks: readManifest(outdir) };
  const stacks = new Map<string, any>();
  const annotations: Annotation[] = [];
  for (const [id, entry] of Object.entries(manifest.stacks).sort(([a], [b]) => a.localeCompare(b))) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8"));
    stacks.set(id, json);
    for (const a of entry.annotations ?? []) annotations.push({ stack: id, path: a.constructPath, level: a.level, message: String(a.message) });
    // The notes the stack wrote for its readers (core/notes.ts), read as annotations of their constructs.
    for (const n of json?.["//"]?.[NOTES_KEY]?.notes ?? []) annotations.push({ stack: id, path: String(n.path), level: "info", message: String(n.message) });
  }
  const manifests: ManifestObject[] = [];
  const root = path.join(outdir, "manifests");
  if (fs.existsSync(root)) {
    for (const dir of fs.readdirSync(root).sort()) {
      for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(root, dir, file), "utf8"))) {
          const object = doc.toJS();
          if (object) manifests.push({ file: `manifests/${dir}/${file}`, object });
        }
      }
    }
  }
  return { stacks, manifests, annotations };
}

const REMOTE = /^data\.terraform_remote_state\.cross-stack-reference-input-([^.]+)\.outputs\.(.+)$/;

/** The synthesized output as resources with resolvable references. */
export class Model {
  public readonly resources: Resource[] = [];
  private readonly index = new Map<string, Resource>();

  constructor(public readonly output: SynthesizedOutput) {
    for (const [stack, json] of output.stacks) {
      for (const kind of ["resource", "data"] as const) {
        for (const [type, byKey] of Object.entries<any>(json[kind] ?? {})) {
          for (const [key, raw] of Object.entries<any>(byKey)) {
            const fullType = kind === "data" ? `data.${type}` : type;
            const r: Resource = { stack, type: fullType, key, address: `${stack}/${fullType}.${key}`, path: raw?.["//"]?.metadata?.path ?? `${stack}/${fullType}.${key}`, raw };
            this.resources.push(r);
            this.index.set(r.address, r);
          }
        }
      }
    }
  }

  /** Resources of one Terraform type (e.g. `azurerm_public_ip`), in stack order. */
  public ofType(type: string): Resource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** A resource's arguments with every reference resolved as far as the output allows. */
  public attrs(resource: Resource): Record<string, any> {
    const { "//": _metadata, ...rest } = resource.raw as any;
    return this.resolve(rest, resource.stack) as Record<string, any>;
  }

  /** One argument, resolved. */
  public attr(resource: Resource, name: string): any {
    return this.resolve((resource.raw as any)[name], resource.stack);
  }

  /** The resource a value refers to, when it is a reference to a resource in the output. */
  public target(value: unknown): Resource | undefined {
    return value instanceof Ref ? value.resource : undefined;
  }

  /** Resolves a value of a stack: strings with `${...}`, arrays and objects, recursively. */
  public resolve(value: unknown, stack: string, depth = 0): unknown {
    if (depth > 20) return new Unknown(String(value));
    if (typeof value === "string") {
      // Read as Terraform reads it: escapes (`$${`, `%%{`) are literal text, `${...}` a reference
      // or an expression, and `%{...}` a directive, whose result only Terraform knows.
      if (!value.includes("{")) return value; // no template syntax without a brace: the common case, read as it is
      const parts = templateParts(value);
      if (parts.length === 1 && parts[0].kind === "interpolation") return this.expression(parts[0].expression, stack, depth);
      let text = "";
      for (const part of parts) {
        if (part.kind === "text") {
          text += part.text;
          continue;
        }
        const v = part.kind === "interpolation" ? this.expression(part.expression, stack, depth) : undefined;
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return new Unknown(value);
        text += String(v);
      }
      return text;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack, depth + 1));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, stack, depth + 1)]));
    return value;
  }

  /** What each expression of each stack resolves to: an output is read many times (by every view and rule). */
  private readonly resolved = new Map<string, unknown>();

  private expression(expr: string, stack: string, depth: number): unknown {
    const key = `${stack}\0${expr}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const value = this.evaluate(expr, stack, depth);
    // A result cut short by the depth limit is not kept: from a shallower start it may resolve.
    if (!(value instanceof Unknown && depth > 0)) this.resolved.set(key, value);
    return value;
  }

  private evaluate(expr: string, stack: string, depth: number): unknown {
    const remote = REMOTE.exec(expr);
    if (remote) {
      const [, from, output] = remote;
      const value = this.output.stacks.get(from)?.output?.[output]?.value;
      return value === undefined ? new Unknown(`\${${expr}}`) : this.resolve(value, from, depth + 1);
    }
    const segments = parsePath(expr);
    if (!segments) return new Unknown(`\${${expr}}`);
    const [first, second, ...rest] = segments;
    const isData = first === "data";
    const type = isData ? `data.${second}` : first;
    const key = isData ? rest.shift() : second;
    const resource = this.index.get(`${stack}/${type}.${key}`);
    if (!resource) return new Unknown(`\${${expr}}`);
    let value: unknown = resource.raw;
    for (const segment of rest) {
      if (value && typeof value === "object" && segment in (value as any)) value = (value as any)[segment];
      else if (Array.isArray(value) && typeof segment === "number") value = value[segment];
      else if (value && typeof value === "object" && !Array.isArray(value) && segment === 0) continue; // a block written as an object, read as [0]
      else return new Ref(resource, rest.join("."));
    }
    return this.resolve(value, stack, depth + 1);
  }
}

/** `a.b[0].c` as segments, or undefined when the expression is not a plain reference. */
function parsePath(expr: string): (string | number)[] | undefined {
  if (!PATHS.has(expr)) PATHS.set(expr, parsePathOnce(expr));
  return PATHS.get(expr);
}

const PATHS = new Map<string, (string | number)[] | undefined>();

function parsePathOnce(expr: string): (string | number)[] | undefined {
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+|\[\d+\])*$/.test(expr)) return undefined;
  return [...expr.matchAll(/([\w-]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}
