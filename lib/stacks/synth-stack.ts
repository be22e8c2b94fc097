import { Aspects, DefaultTokenResolver, type ResolveOptions, StringConcat, TerraformBackend, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from "cdktf";
import { deepMerge } from "cdktf/lib/util";
import type { IConstruct } from "constructs";

/**
 * The base of every stack of the product: a `TerraformStack` whose synthesis resolves each
 * element's tokens once instead of three times, with the same output byte for byte.
 *
 * cdktf 0.21 resolves a stack's whole tree in `prepareStack` (to find cross-stack
 * references), then again per element in `toTerraform`, then once more over the merged
 * tree; and its resolver builds a context object for every string and number it passes,
 * tokens or not. At 500 spokes that was about 90% of synthesis. Here:
 * - {@link resolveTokens} walks plain data itself (keeping what does not change) and hands
 *   cdktf only the values that hold tokens, so each plain value costs one check;
 * - `prepareStack` keeps what it resolved and `toTerraform` reuses it. Preparing and final
 *   resolution differ only in that preparing registers cross-stack references, and a
 *   reference resolves to the same identifier in both once registered. Elements created
 *   after an element was prepared (cross-stack outputs and remote states) are resolved in
 *   `toTerraform`, and nothing is reused when the stack's tree has aspects, which cdktf
 *   invokes between the two phases and which may change elements.
 *
 * `__tests__/synth-stack.test.ts` synthesizes the shipped environments both ways and compares
 * the files. What this relies on, and this product's stacks meet: a token resolves to the same
 * value when asked twice and whether or not cdktf is preparing (true of references and of
 * values fixed at construction; not of a Lazy value that counts what later stacks add, or of a
 * custom token that reads `context.preparing`), and plain data is not nested 200 deep (cdktf
 * stops there with "circular reference").
 */
export class SynthStack extends TerraformStack {
  private readonly prepared = new Map<TerraformElement, unknown>();
  private backend?: TerraformBackend;

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
    // What an earlier preparation kept, never used (a synth that failed after it), is stale now.
    this.prepared.clear();
    this.ensureBackendExists();
    const reuse = !hasAspects(this);
    // Like cdktf: the element list is taken once; elements that resolving adds are resolved at synth.
    for (const element of elementsOf(this)) {
      const resolved = resolveTokens(this, element.toTerraform(), true);
      if (reuse) this.prepared.set(element, resolved);
    }
  }

  /** HCL output (SYNTH_HCL_OUTPUT) resolves as cdktf does; what preparing kept is not used, so it is dropped. */
  public override toHclTerraform(): { [key: string]: any } {
    this.prepared.clear();
    return super.toHclTerraform();
  }

  public override toTerraform(): any {
    const { rawOverrides, cdktfVersion } = this as unknown as { rawOverrides: Record<string, unknown>; cdktfVersion: string };
    const elements = elementsOf(this);
    const metadata: Record<string, unknown> = {
      version: cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(rawOverrides).length > 0 ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
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
    const tf: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements) {
      // Used once: a second synthesis of the same stack resolves afresh, as cdktf would.
      const fragment = this.prepared.has(element) ? this.prepared.get(element) : resolveTokens(this, element.toTerraform());
      this.prepared.delete(element);
      deepMerge(tf, fragment as Record<string, unknown>);
    }
    deepMerge(tf, rawOverrides);
    // Fragments and metadata are resolved; cdktf's last pass over the whole tree changes
    // nothing else than dropping an undefined `cloud` and resolving the stack's overrides.
    if (metadata.cloud === undefined) delete metadata.cloud;
    return Object.keys(rawOverrides).length > 0 ? resolveTokens(this, tf) : tf;
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

/** Whether cdktf's resolver would do anything with this string (or throw on it). */
function stringNeedsCdktf(s: string): boolean {
  return s.includes("TfToken[") || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE || holdsNumberPattern(s);
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
  return walk(value, { scope, preparing, resolver: RESOLVER });
}

function walk(v: unknown, options: ResolveOptions): unknown {
  switch (typeof v) {
    case "undefined":
    case "boolean":
    case "bigint":
    case "symbol":
      return v;
    case "string":
      return stringNeedsCdktf(v) ? Tokenization.resolve(v, options) : v;
    case "number":
      return numberNeedsCdktf(v) ? Tokenization.resolve(v, options) : v;
    case "function":
      return Tokenization.resolve(v, options);
  }
  if (v === null || v instanceof Date) return v;
  if (Array.isArray(v)) {
    if (listNeedsCdktf(v)) return Tokenization.resolve(v, options);
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const r = walk(x, options);
      if (out === undefined && (r !== x || r === undefined)) out = v.slice(0, i);
      if (out !== undefined && r !== undefined) out.push(r);
    }
    return out ?? v;
  }
  const obj = v as Record<string, unknown>;
  if (typeof obj.resolve === "function" || isConstruct(obj)) return Tokenization.resolve(v, options);
  const proto: unknown = Object.getPrototypeOf(obj);
  // cdktf returns a plain object; so does this, for anything else than a plain object.
  let out: Record<string, unknown> | undefined = proto === Object.prototype || proto === null ? undefined : {};
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const x = obj[key];
    // Most keys of a provider's attributes hold undefined: cdktf drops them, whatever the key.
    if (x !== undefined && stringNeedsCdktf(key)) return Tokenization.resolve(v, options);
    const r = x === undefined ? undefined : walk(x, options);
    if (out === undefined && (r !== x || r === undefined)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = obj[keys[j]];
    }
    if (out !== undefined && r !== undefined) out[key] = r;
  }
  return out ?? obj;
}

function isConstruct(x: Record<string, unknown>): boolean {
  return x._children !== undefined && x._metadata !== undefined;
}
