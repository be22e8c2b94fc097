import { OutputNotes } from "./output-notes";
import * as fs from "fs";
import * as path from "path";
import { AnnotationMetadataEntryType, App, Aspects, DefaultTokenResolver, type IStackSynthesizer, type ISynthesisSession, type ResolveOptions, type StackAnnotation, StringConcat, TerraformBackend, TerraformDataSource, TerraformElement, TerraformOutput, TerraformResource, TerraformStack, Token, Tokenization } from "cdktf";
import { encounteredAnnotationWithLevelError } from "cdktf/lib/errors";
import { type ICustomSynthesis, invokeAspects } from "cdktf/lib/synthesize/synthesizer";
import { TerraformDynamicBlock } from "cdktf/lib/terraform-dynamic-block";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";
import { deepMerge, keysToSnakeCase } from "cdktf/lib/util";
import { type Construct, ConstructOrder, type IConstruct } from "constructs";
import { makeFolder, noteFolderMade, noteOutputFile, noteWritten, settleOutputFiles } from "./output-files";
import { RenderedJson, stableJson } from "./stable-json";

/**
 * The versions of cdktf and constructs this synthesizer was written against: it reads their
 * non-public parts (this file holds every such use). With any other installed, or with
 * PRIVATE_AKS_STOCK_SYNTH=1, stacks synthesize the stock way: cdktf's own synthesis, slower,
 * the same files.
 */
export const WRITTEN_FOR = { cdktf: "0.21.0", constructs: "10.4.2" } as const;

/** Whether the fast synthesis runs, and when not, why. */
export function fastSynthesis(env: NodeJS.ProcessEnv = process.env, installed: { cdktf: string; constructs: string } = INSTALLED): { on: boolean; why?: string } {
  if (["1", "true"].includes(env.PRIVATE_AKS_STOCK_SYNTH ?? "")) return { on: false, why: "PRIVATE_AKS_STOCK_SYNTH is set" };
  for (const pkg of ["cdktf", "constructs"] as const) {
    if (installed[pkg] !== WRITTEN_FOR[pkg]) return { on: false, why: `${pkg} ${installed[pkg]} is installed; the fast synthesizer was written for ${WRITTEN_FOR[pkg]}` };
  }
  return { on: true };
}

/** What is installed (read from the packages themselves). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const INSTALLED = { cdktf: String(require("cdktf/package.json").version), constructs: String(require("constructs/package.json").version) };

/** Where cdktf keeps a construct's custom synthesis (`addCustomSynthesis`). */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");
/** The metadata types cdktf collects as annotations. */
const ANNOTATION_TYPES: string[] = [AnnotationMetadataEntryType.INFO, AnnotationMetadataEntryType.WARN, AnnotationMetadataEntryType.ERROR];

/**
 * The base of every stack of the product: a `TerraformStack` whose synthesis does cdktf's work
 * with less of it, and writes the same files byte for byte.
 *
 * cdktf 0.21 resolves a stack's whole tree in `prepareStack` (to find cross-stack
 * references), then again per element in `toTerraform`, then once more over the merged
 * tree; its resolver builds a context object for every string and number it passes, tokens
 * or not; each resource's `toTerraform` copies its attributes three times over (dynamic blocks
 * set apart, meta-arguments merged, then resolved); the stack's tree is deep-merged by copying
 * every fragment; and the file is written by a generic stable stringify. At 500 spokes that
 * was most of synthesis. Here:
 * - {@link resolveTokens} walks plain data itself (keeping what does not change) and hands
 *   cdktf only the values that hold tokens, so each plain value costs one check;
 * - {@link synthesizeElement} puts a provider resource's or data source's fragment together
 *   in that one walk, and leaves any element using more than attributes, `dependsOn`,
 *   `provider` and `lifecycle` to cdktf's own `toTerraform`;
 * - `prepareStack` keeps what it resolved and synthesis reuses it, the attributes as their
 *   JSON text (one string outlives preparing far more cheaply than the objects it is made
 *   of). Preparing and final resolution differ only in that preparing registers cross-stack
 *   references, and a reference resolves to the same identifier in both once registered.
 *   Elements created after an element was prepared (cross-stack outputs and remote states)
 *   are resolved at synthesis, and nothing is reused when the stack's tree has aspects, which
 *   cdktf invokes between the two phases and which may change elements;
 * - the tree takes fragments by reference ({@link Tree}), and the file is written by
 *   {@link stableJson}, which gives json-stable-stringify's text and copies the kept JSON in;
 * - with many stacks, their folders and files are created in the background while the stacks
 *   are built and prepared (`lib/synth/output-files.ts`).
 *
 * `__tests__/synth/synth-stack.test.ts` synthesizes the shipped environments, and stacks holding
 * every kind of element and synthesis step cdktf has, both ways and compares the files. What
 * this relies on, and this product's stacks meet: a token resolves to the same value when
 * asked twice and whether or not cdktf is preparing (true of references and of values fixed
 * at construction; not of a Lazy value that counts what later stacks add, or of a custom
 * token that reads `context.preparing`), and plain data is not nested 200 deep (cdktf stops
 * there with "circular reference").
 */
export class SynthStack extends TerraformStack {
  private readonly prepared = new Map<TerraformElement, unknown>();
  private backend?: TerraformBackend;

  private readonly stockSynthesizer: IStackSynthesizer;
  /** Read as cdktf's TerraformStack reads them, when the stack is made. */
  private readonly hclOutput = process.env.SYNTH_HCL_OUTPUT === "true" || process.env.SYNTH_HCL_OUTPUT === "1";
  private readonly continueOnErrorAnnotations = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
  /** The fast synthesis, unless the installed versions are not the ones it was written for (or it is switched off). */
  private readonly fast = fastSynthesis().on;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    noteOutputFile(this);
    new OutputNotes(this, "private-aks-notes");
    this.stockSynthesizer = this.synthesizer;
    this.synthesizer = { synthesize: (session) => this.synthesizeStack(session) };
  }

  private synthesizeStack(session: ISynthesisSession): void {
    // The stack's folder and file may be being created in the background (see
    // noteOutputFile): that is over before anything is written here.
    const app = App.of(this);
    settleOutputFiles(app);
    if (this.hclOutput || !this.fast) this.stockSynthesizer.synthesize(session);
    else this.synthesizeJson(session);
    noteWritten(app, this.node.id);
  }

  /**
   * cdktf's `StackSynthesizer.synthesize` for JSON output (cdktf 0.21, its last release), step
   * for step, except that the file's text comes from {@link SynthStack.renderJson}: aspects,
   * validations, the stack's manifest entry, custom synthesis, annotations (an error one stops
   * the synth unless CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is set), then the file.
   */
  private synthesizeJson(session: ISynthesisSession): void {
    invokeAspects(this);
    if (this.hasResourceMove()) {
      this.node.addValidation(new ValidateTerraformVersion(">=1.5", "Resource move functionality is only supported for Terraform >=1.5. Please upgrade your Terraform version."));
    }
    if (!session.skipValidation) this.runAllValidations();
    const manifest = session.manifest.forStack(this);
    const workingDirectory = path.join(session.outdir, manifest.workingDirectory);
    if (!fs.existsSync(workingDirectory)) makeFolder(workingDirectory);
    noteFolderMade(App.of(this), this.node.id);
    for (const node of this.node.findAll(ConstructOrder.POSTORDER)) (node as unknown as Record<symbol, ICustomSynthesis | undefined>)[CUSTOM_SYNTHESIS]?.onSynthesize(session);
    const annotations = this.node.findAll().flatMap((node) =>
      node.node.metadata
        .filter((m) => ANNOTATION_TYPES.includes(m.type))
        .map((m) => ({ constructPath: node.node.path, level: m.type as AnnotationMetadataEntryType, message: m.data as string, stacktrace: m.trace })),
    );
    (manifest as { annotations: StackAnnotation[] }).annotations = annotations;
    const errors = annotations.filter((a) => a.level === AnnotationMetadataEntryType.ERROR);
    if (!this.continueOnErrorAnnotations && errors.length > 0) throw encounteredAnnotationWithLevelError(errors.map((a) => `[${a.constructPath}] ${a.message}`).join("\n"));
    fs.writeFileSync(path.join(session.outdir, manifest.synthesizedStackPath), this.renderJson());
  }

  /**
   * cdktf looks the backend up by walking the whole tree, and does so again for the origin
   * stack of every cross-stack reference: with one hub and N spokes, N walks of the hub. A
   * stack's backend is set when the stack is built, so the first answer is kept.
   */
  public override ensureBackendExists(): TerraformBackend {
    this.backend ??= super.ensureBackendExists();
    return this.backend;
  }

  public override prepareStack(): void {
    if (!this.fast) return super.prepareStack();
    try {
      // What an earlier preparation kept, never used (a synth that failed after it), is stale now.
      this.prepared.clear();
      this.ensureBackendExists();
      const reuse = !hasAspects(this);
      // Like cdktf: the element list is taken once; elements that resolving adds are resolved at synth.
      for (const element of elementsOf(this)) {
        const resolved = synthesizeElement(this, element, true);
        // Attributes are kept as their text: one string outlives preparing more cheaply than
        // the objects it is made of, which die young instead.
        if (reuse) this.prepared.set(element, resolved instanceof Placed ? resolved.renderedIfPossible() : resolved);
      }
    } catch (e) {
      // A failed synth removes what it staged: nothing may be created in it afterwards.
      const root = this.node.root;
      if (App.isApp(root)) settleOutputFiles(root);
      throw e;
    }
  }

  /** HCL output (SYNTH_HCL_OUTPUT) resolves as cdktf does; what preparing kept is not used, so it is dropped. */
  public override toHclTerraform(): { [key: string]: any } {
    this.prepared.clear();
    return super.toHclTerraform();
  }

  public override toTerraform(): any {
    return this.fast ? this.build(false) : super.toTerraform();
  }

  /** The stack's file, as cdktf would write it. */
  public renderJson(): string {
    return stableJson(this.build(true))!;
  }

  /**
   * What cdktf's `toTerraform()` gives, built from each element's resolved fragment (kept
   * from preparing, else made now). With `rendered`, attributes kept as text stay text (for
   * {@link stableJson}); else they are parsed back.
   */
  private build(rendered: boolean): Record<string, unknown> {
    const { rawOverrides, cdktfVersion } = this as unknown as { rawOverrides: Record<string, unknown>; cdktfVersion: string };
    const elements = elementsOf(this);
    const overridden = Object.keys(rawOverrides).length > 0;
    const metadata: Record<string, unknown> = {
      version: cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(overridden ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
    };
    for (const element of elements) deepMerge(metadata, resolveTokens(this, element.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      const nested = element.node.path
        .split("/")
        .reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: element.friendlyUniqueId } : { [part]: inner }), {});
      deepMerge(outputs, nested);
    }
    // cdktf's last pass over the whole tree resolves this block too (a token in a construct id
    // of the outputs' paths) and drops the undefined `cloud`; the fragments below are resolved.
    const tf: Record<string, unknown> = { "//": resolveTokens(this, { metadata, outputs }) };
    // The stack's overrides are deep-merged into the whole tree, which must then be plain and all its own.
    const tree = new Tree(tf, !overridden && rendered);
    for (const element of elements) {
      // Used once: a second synthesis of the same stack resolves afresh, as cdktf would.
      const fragment = this.prepared.has(element) ? this.prepared.get(element) : synthesizeElement(this, element, false);
      this.prepared.delete(element);
      if (overridden) deepMerge(tf, fragment instanceof Placed ? fragment.asFragment() : fragment);
      else tree.add(fragment as Placed | Record<string, unknown>);
    }
    if (overridden) deepMerge(tf, rawOverrides);
    // The stack's overrides may hold tokens: the last pass is needed then.
    return overridden ? (resolveTokens(this, tf) as Record<string, unknown>) : tf;
  }
}

/**
 * An element's attributes (resolved, with its meta-arguments and metadata) and where they go
 * in the stack's tree: `<kind>.<type>.<id>`. Kept as text between preparing and synthesis.
 */
class Placed {
  public constructor(
    public readonly kind: "resource" | "data",
    public readonly type: string,
    public readonly id: string,
    public readonly attributes: Record<string, unknown> | RenderedJson,
  ) {}

  /** Depth of the attributes in the stack's tree: root, kind, type, id. */
  public static readonly DEPTH = 3;

  /**
   * The attributes as text, or (where rendering throws, as for a BigInt or a throwing toJSON)
   * as they are: cdktf meets such a value when it writes the stack, and so must this.
   */
  public renderedIfPossible(): Placed {
    if (this.attributes instanceof RenderedJson) return this;
    let text: string;
    try {
      text = stableJson(this.attributes, Placed.DEPTH)!;
    } catch {
      return this;
    }
    return new Placed(this.kind, this.type, this.id, new RenderedJson(text, Placed.DEPTH));
  }

  /** The attributes as objects. */
  public plain(): Record<string, unknown> {
    return this.attributes instanceof RenderedJson ? (JSON.parse(this.attributes.text) as Record<string, unknown>) : this.attributes;
  }

  /** The fragment cdktf's `toTerraform()` gives. */
  public asFragment(): Record<string, unknown> {
    return { [this.kind]: { [this.type]: { [this.id]: this.plain() } } };
  }
}

/**
 * A stack's tree, put together from resolved fragments as cdktf's `deepMerge` would, with the
 * same result (the one thing `deepMerge` changes in what it copies, a Date in an object, the
 * walk has already changed: see {@link MERGED}), but taking what the tree does not hold yet by
 * reference instead of copying it key by key. An object taken so is never changed: where a later fragment merges into it, it
 * is copied first (`owned` lists the tree's own objects). Arrays meeting arrays are
 * concatenated into a new one, as cdktf does. With `keepRendered`, attributes kept as text
 * are placed as they are.
 */
class Tree {
  private readonly owned = new Set<object>();

  public constructor(
    private readonly root: Record<string, unknown>,
    private readonly keepRendered: boolean,
  ) {
    this.owned.add(root);
  }

  public add(fragment: Placed | Record<string, unknown>): void {
    if (!(fragment instanceof Placed)) return this.merge(this.root, fragment);
    const byType = this.child(this.child(this.root, fragment.kind), fragment.type);
    if (byType === undefined || byType[fragment.id] !== undefined) return this.merge(this.root, fragment.asFragment());
    byType[fragment.id] = this.keepRendered ? fragment.attributes : fragment.plain();
  }

  /** `parent[key]` as an object of the tree's own, made or copied if need be; undefined if it holds something else. */
  private child(parent: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
    if (parent === undefined) return undefined;
    const existing = parent[key];
    if (existing === undefined) {
      const made: Record<string, unknown> = {};
      this.owned.add(made);
      parent[key] = made;
      return made;
    }
    if (typeof existing !== "object" || existing === null || Array.isArray(existing) || existing instanceof RenderedJson) return undefined;
    return this.own(parent, key, existing as Record<string, unknown>);
  }

  private own(parent: Record<string, unknown>, key: string, existing: Record<string, unknown>): Record<string, unknown> {
    if (this.owned.has(existing)) return existing;
    const copy = (Array.isArray(existing) ? [...existing] : { ...existing }) as Record<string, unknown>;
    this.owned.add(copy);
    parent[key] = copy;
    return copy;
  }

  private merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
    for (const key of Object.keys(source)) {
      const value = source[key];
      const existing = target[key];
      if (value === undefined) delete target[key];
      else if (typeof value !== "object" || value === null) target[key] = value;
      else if (Array.isArray(value)) target[key] = Array.isArray(existing) ? [...(existing as unknown[]), ...value] : value;
      else if (typeof existing !== "object" || existing === null) target[key] = value;
      else {
        const into = existing instanceof RenderedJson ? (target[key] = JSON.parse(existing.text) as Record<string, unknown>) : this.own(target, key, existing as Record<string, unknown>);
        this.owned.add(into);
        this.merge(into, value as Record<string, unknown>);
      }
    }
  }
}

/** cdktf's element order: depth first, the stack's own elements only. */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

function hasAspects(stack: TerraformStack): boolean {
  return stack.node.scopes.some((s) => Aspects.of(s).all.length > 0) || stack.node.findAll().some((c) => Aspects.of(c).all.length > 0);
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Whether cdktf's pattern for a number token inside a string, `[-|\d|.+]+(e[-|\d|.|e|E|+]+)`,
 * matches `s`: it does exactly when some "e" has one of `-|0-9.+` before it and one of
 * `-|0-9.+eE` after it. Checked by hand because it runs on every string and key of the
 * output, and the regular expression is several times slower. Exported for its test.
 */
export function holdsNumberPattern(s: string): boolean {
  for (let i = s.indexOf("e", 1); i !== -1 && i < s.length - 1; i = s.indexOf("e", i + 1)) {
    const after = s.charCodeAt(i + 1);
    if (isNumberChar(s.charCodeAt(i - 1)) && (isNumberChar(after) || after === 0x65 /* e */ || after === 0x45) /* E */) return true;
  }
  return false;
}

/** One of `-|0-9.+`. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x7c || c === 0x2e || c === 0x2b;
}

// Read once: through the bundle, each read of a cdktf export is a call or two, and this runs on every string.
const STRING_MAP_TOKEN = Token.STRING_MAP_TOKEN_VALUE;
const ANY_MAP_TOKEN = Token.ANY_MAP_TOKEN_VALUE;

/** Whether cdktf's resolver would do anything with this string (or throw on it). */
function stringNeedsCdktf(s: string): boolean {
  return s.includes("TfToken[") || s === STRING_MAP_TOKEN || s === ANY_MAP_TOKEN || holdsNumberPattern(s);
}

function numberNeedsCdktf(n: number): boolean {
  return n === Token.NUMBER_MAP_TOKEN_VALUE || Token.isUnresolved(n);
}

/** Delegated to cdktf whole: a number in a list may be a list token, which only cdktf tells apart. */
function listNeedsCdktf(list: readonly unknown[]): boolean {
  for (const x of list) if (typeof x === "number" || (typeof x === "string" && stringNeedsCdktf(x))) return true;
  return false;
}

/**
 * Resolves `value` as cdktf's `resolve(scope, value, preparing)` does, with the same result.
 * Plain strings, numbers, booleans, arrays and objects are checked here and kept as they are
 * (a plain object or array is copied only where something in it changes, or to drop an
 * undefined value as cdktf does); any value that holds a token (a token string or number, a
 * list that may hold list tokens, an object with token keys, anything resolvable) is resolved
 * by cdktf itself. The result may share plain objects with `value`, so `value` must be fresh,
 * as an element's `toTerraform()` is.
 */
export function resolveTokens(scope: IConstruct, value: unknown, preparing = false): unknown {
  return walk(value, { scope, preparing, resolver: RESOLVER }, 0);
}

/**
 * An element's resolved `toTerraform()`: for a provider's resource or data source that uses
 * nothing but attributes, `dependsOn`, `provider` and `lifecycle` (every element this product
 * builds), its attributes and their place ({@link Placed}), put together here without the
 * intermediate copies cdktf makes (dynamic blocks set apart, meta-arguments converted to snake
 * case key by key, everything deep-merged, then resolved); for anything else (an escape
 * hatch, count or for_each, provisioners, a move or an import, a dynamic block), cdktf's
 * `toTerraform()`, resolved.
 */
function synthesizeElement(scope: IConstruct, element: TerraformElement, preparing: boolean): Placed | unknown {
  const options = { scope, preparing, resolver: RESOLVER };
  try {
    return attributesOnly(element, options) ?? walk(element.toTerraform(), options, MERGED);
  } catch (err) {
    // cdktf's own resolution names where in the element the problem is: its error, if it has one.
    Tokenization.resolve(element.toTerraform(), options);
    throw err;
  }
}

const RESOURCE_TO_TERRAFORM = TerraformResource.prototype.toTerraform;
const DATA_SOURCE_TO_TERRAFORM = TerraformDataSource.prototype.toTerraform;
/** Keys cdktf's `toTerraform()` sets or removes on top of the attributes: an attribute by one of these names is left to cdktf. */
const PLACED_META = new Set(["dependsOn", "provider", "lifecycle"]);
const META_KEYS = ["depends_on", "count", "provider", "lifecycle", "for_each", "connection", "provisioner", "//"];

/** What `toTerraform()` reads beyond the public API of a resource or data source. */
interface ElementInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly terraformResourceType: string;
  readonly terraformMetaArguments: Record<string, unknown>;
  readonly constructNodeMetadata: unknown;
  readonly provisioners?: unknown;
  readonly _imported?: unknown;
  readonly _movedByTarget?: unknown;
  readonly _movedById?: unknown;
  readonly _hasMoved?: boolean;
  synthesizeAttributes(): Record<string, unknown>;
}

/**
 * Thrown by {@link walk} in attributes when it meets a dynamic block, which cdktf sets apart
 * before resolving, or an object it would hand to cdktf whole (a token key), which may hold one.
 */
const DYNAMIC_BLOCK = new Error("dynamic block");

function attributesOnly(element: TerraformElement, options: ResolveOptions): Placed | undefined {
  const kind = element.toTerraform === RESOURCE_TO_TERRAFORM ? "resource" : element.toTerraform === DATA_SOURCE_TO_TERRAFORM ? "data" : undefined;
  if (kind === undefined) return undefined;
  const e = element as unknown as ElementInternals;
  for (const _ in e.rawOverrides) return undefined;
  if (kind === "resource" && (e.provisioners !== undefined || e._imported !== undefined || e._movedByTarget !== undefined || e._movedById !== undefined || e._hasMoved)) return undefined;
  const meta = e.terraformMetaArguments;
  // Only dependsOn, provider and lifecycle are put together here (a subclass may add more).
  for (const key in meta) if (meta[key as keyof typeof meta] !== undefined && !PLACED_META.has(key)) return undefined;
  const type = e.terraformResourceType;
  const id = element.friendlyUniqueId;
  if (stringNeedsCdktf(type) || stringNeedsCdktf(id)) return undefined;
  const raw = e.synthesizeAttributes();
  for (const key of META_KEYS) if (raw[key] !== undefined) return undefined;
  let attributes: Record<string, unknown>;
  try {
    attributes = walk(raw, options, MERGED | IN_ATTRIBUTES) as Record<string, unknown>;
  } catch (err) {
    if (err === DYNAMIC_BLOCK) return undefined;
    throw err;
  }
  // `raw` is the element's own fresh object; the walk returned it or a copy.
  if (attributes === raw) attributes = { ...raw };
  if (meta.dependsOn !== undefined) attributes.depends_on = walk(keysToSnakeCase(meta.dependsOn), options, MERGED);
  if (meta.provider !== undefined) attributes.provider = walk(meta.provider, options, MERGED);
  // cdktf deep-merges the lifecycle into the attributes before resolving: undefined values go first.
  if (meta.lifecycle !== undefined) attributes.lifecycle = walk(deepMerge({}, keysToSnakeCase(meta.lifecycle)), options, MERGED);
  attributes["//"] = walk(e.constructNodeMetadata, options, MERGED);
  return new Placed(kind, type, id, attributes);
}

/** {@link walk}'s mode: `v` is (inside) a provider's attributes, where a dynamic block throws {@link DYNAMIC_BLOCK}. */
const IN_ATTRIBUTES = 1;
/**
 * {@link walk}'s mode: `v` is (inside) an element's fragment, which cdktf deep-merges into the
 * stack's tree after resolving it; its `deepMerge` makes each Date it meets in an object (not
 * in an array, which it takes whole) an empty object, and so does the walk.
 */
const MERGED = 2;

function walk(v: unknown, options: ResolveOptions, mode: number): unknown {
  switch (typeof v) {
    case "undefined":
    case "boolean":
    case "bigint":
    case "symbol":
      return v;
    case "string":
      return stringNeedsCdktf(v) ? delegate(v, options, mode) : v;
    case "number":
      return numberNeedsCdktf(v) ? delegate(v, options, mode) : v;
    case "function":
      return delegate(v, options, mode);
  }
  if (v === null) return v;
  if (v instanceof Date) return mode & MERGED ? {} : v;
  if (Array.isArray(v)) {
    if (listNeedsCdktf(v)) return delegate(v, options, mode);
    // deepMerge takes an array whole: what is in it is kept as resolved.
    const inner = mode & ~MERGED;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const r = walk(x, options, inner);
      if (out === undefined && (r !== x || r === undefined)) out = v.slice(0, i);
      if (out !== undefined && r !== undefined) out.push(r);
    }
    return out ?? v;
  }
  const obj = v as Record<string, unknown>;
  if (typeof obj.resolve === "function" || isConstruct(obj)) {
    if (mode & IN_ATTRIBUTES && TerraformDynamicBlock.isTerraformDynamicBlock(obj)) throw DYNAMIC_BLOCK;
    return delegate(v, options, mode);
  }
  const proto: unknown = Object.getPrototypeOf(obj);
  // cdktf returns a plain object; so does this, for anything else than a plain object.
  let out: Record<string, unknown> | undefined = proto === Object.prototype || proto === null ? undefined : {};
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const x = obj[key];
    // cdktf resolves every key, even one whose value it then drops (registering references).
    if (stringNeedsCdktf(key)) {
      // cdktf would have set dynamic blocks in this object apart first: left to it.
      if (mode & IN_ATTRIBUTES) throw DYNAMIC_BLOCK;
      return delegate(v, options, mode);
    }
    const r = x === undefined ? undefined : walk(x, options, mode);
    if (out === undefined && (r !== x || r === undefined)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = obj[keys[j]];
    }
    if (out !== undefined && r !== undefined) out[key] = r;
  }
  return out ?? obj;
}

/** `v` resolved by cdktf; in a fragment, as cdktf's `deepMerge` then leaves it. */
function delegate(v: unknown, options: ResolveOptions, mode: number): unknown {
  const resolved = Tokenization.resolve(v, options);
  return mode & MERGED ? datesMerged(resolved) : resolved;
}

/** What cdktf's `deepMerge` makes of resolved data: each Date in an object (not in an array) an empty object. */
function datesMerged(v: unknown): unknown {
  if (v instanceof Date) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const obj = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const r = datesMerged(obj[key]);
    if (r !== obj[key]) out ??= { ...obj };
    if (out !== undefined) out[key] = r;
  }
  return out ?? obj;
}

function isConstruct(x: Record<string, unknown>): boolean {
  return x._children !== undefined && x._metadata !== undefined;
}
