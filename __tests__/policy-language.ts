/**
 * The part of Azure Policy's rule language our definitions and the built-ins we assign use,
 * evaluated on a request body the way Azure documents it ("Azure Policy definition structure:
 * policy rule", Microsoft Learn, read 2026-12-07):
 * - `field` reads an alias, through the request path `az provider show` gives for it (the alias
 *   fixture); `type` and `name` read the resource's own;
 * - a `[*]` alias outside a count is true only when every member satisfies the condition (and
 *   true for an empty or missing array); inside `count.where`, the counted alias's `[*]` is the
 *   current member;
 * - string comparisons ignore case; a missing field equals nothing and is in nothing;
 * - `[parameters('x')]` is the assignment's parameter value (else the definition's default).
 * Anything else throws: a definition using an unmodelled operator must extend this first.
 */
import * as fs from "fs";
import * as path from "path";

/** Microsoft's aliases by resource type: alias to request path. */
export const ALIASES: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "azure-policy-aliases.json"), "utf8")).aliases;
export const BUILT_INS: Record<string, { displayName: string; version: string; versions: string[]; mode: string; parameters: Record<string, { type: string; allowedValues?: unknown[]; defaultValue?: unknown }>; if: any; effect: string }> = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "azure-policy-builtins.json"), "utf8"),
).definitions;

type PublishedParameters = Record<string, { type: string; allowedValues?: unknown[]; defaultValue?: unknown }>;

/** The built-in initiatives (pod security) by GUID: every cloud's copy, by its file in Azure/azure-policy. */
export const BUILT_IN_INITIATIVES: Record<string, { file: string; displayName: string; version: string; parameters: PublishedParameters }[]> = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "azure-policy-builtins.json"), "utf8"),
).initiatives;

const ALIAS_PATHS = new Map<string, string>(Object.values(ALIASES).flatMap((byAlias) => Object.entries(byAlias).map(([a, p]) => [a.toLowerCase(), p] as [string, string])));

/** The request path of an alias, or undefined when Azure has no such alias. */
export function aliasPath(alias: string): string | undefined {
  return ALIAS_PATHS.get(alias.toLowerCase());
}

/** A resource as the request Azure Policy evaluates: its type, name and body. */
export interface Request {
  readonly type: string;
  readonly name?: string;
  readonly properties?: Record<string, unknown>;
  /** The API version of the request (`[requestContext().apiVersion]`). */
  readonly apiVersion?: string;
  readonly [key: string]: unknown;
}

type Bindings = readonly { prefix: string; member: unknown }[];

const MISSING = Symbol("missing");

/** Reads `path` (`properties.routes[*].properties.nextHopType`) from `from`; `[*]` yields every member. */
function read(from: unknown, pathText: string): { many: boolean; values: unknown[] } {
  const parts = pathText.split(".").flatMap((p) => (p.endsWith("[*]") ? [p.slice(0, -3), "[*]"] : [p])).filter((p) => p !== "");
  let current: unknown[] = [from];
  let many = false;
  for (const part of parts) {
    if (part === "[*]") {
      many = true;
      current = current.flatMap((v) => (Array.isArray(v) ? v : v === MISSING ? [] : []));
      continue;
    }
    current = current.map((v) => (v !== null && typeof v === "object" && !Array.isArray(v) && part in (v as any) ? (v as any)[part] : MISSING));
  }
  return { many, values: current };
}

function fieldValues(field: string, request: Request, bindings: Bindings): { many: boolean; values: unknown[] } {
  if (field === "type") return { many: false, values: [request.type] };
  if (field === "name") return { many: false, values: [request.name ?? MISSING] };
  const p = aliasPath(field);
  if (p === undefined) throw new Error(`no alias ${field}`);
  // Bound by an enclosing count: read the rest of the path from the current member.
  for (const b of [...bindings].reverse()) {
    if (p.toLowerCase().startsWith(b.prefix.toLowerCase())) return read(b.member, p.slice(b.prefix.length));
  }
  return read(request, p);
}

const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : JSON.stringify(v));

function parameterValue(expr: unknown, parameters: Record<string, unknown>): unknown {
  if (typeof expr !== "string") return expr;
  const m = /^\[parameters\('([^']+)'\)\]$/.exec(expr);
  if (!m) return expr;
  if (!(m[1] in parameters)) throw new Error(`no parameter ${m[1]}`);
  return parameters[m[1]];
}

function compare(op: string, actual: unknown, expected: unknown): boolean {
  const present = actual !== MISSING;
  switch (op) {
    case "equals":
      return present && norm(actual) === norm(expected);
    case "notEquals":
      return !present || norm(actual) !== norm(expected);
    case "in":
      return present && (expected as unknown[]).map(norm).includes(norm(actual));
    case "notIn":
      return !present || !(expected as unknown[]).map(norm).includes(norm(actual));
    case "exists":
      return present === (expected === true || expected === "true");
    case "like":
    case "notLike": {
      const pattern = new RegExp(`^${String(expected).split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
      const like = present && typeof actual === "string" && pattern.test(actual);
      return op === "like" ? like : !like;
    }
    case "less":
    case "greaterOrEquals": {
      const below = present && typeof actual === "string" && typeof expected === "string" ? actual < expected : Number(actual) < Number(expected);
      return present && (op === "less" ? below : !below);
    }
    case "contains":
      return present && typeof actual === "string" && actual.toLowerCase().includes(String(expected).toLowerCase());
    default:
      throw new Error(`operator ${op} is not modelled`);
  }
}

const OPERATORS = ["equals", "notEquals", "in", "notIn", "exists", "contains", "like", "notLike", "greater", "greaterOrEquals", "less", "lessOrEquals"];

/** The template expressions a `value` condition may hold here. */
function valueOf(expr: unknown, request: Request): unknown {
  if (expr === "[requestContext().apiVersion]") return request.apiVersion ?? MISSING;
  if (expr === "[field('type')]") return request.type;
  throw new Error(`value ${JSON.stringify(expr)} is not modelled`);
}

/** Whether the rule's `if` condition holds for the request (i.e. the effect applies). */
export function holds(condition: any, request: Request, parameters: Record<string, unknown> = {}, bindings: Bindings = []): boolean {
  if (condition.allOf) return condition.allOf.every((c: any) => holds(c, request, parameters, bindings));
  if (condition.anyOf) return condition.anyOf.some((c: any) => holds(c, request, parameters, bindings));
  if (condition.not) return !holds(condition.not, request, parameters, bindings);
  const op = OPERATORS.find((o) => o in condition);
  if (op === undefined) throw new Error(`condition not modelled: ${JSON.stringify(condition)}`);
  const expected = parameterValue(condition[op], parameters);
  if (condition.count) {
    const { field, where } = condition.count;
    const p = aliasPath(field);
    if (p === undefined || !field.endsWith("[*]")) throw new Error(`count over ${field}: not an array alias`);
    const members = fieldValues(field, request, bindings).values;
    const n = where === undefined ? members.length : members.filter((m) => holds(where, request, parameters, [...bindings, { prefix: p, member: m }])).length;
    const k = Number(expected);
    return op === "equals" ? n === k : op === "greater" ? n > k : op === "less" ? n < k : op === "greaterOrEquals" ? n >= k : op === "lessOrEquals" ? n <= k : op === "notEquals" ? n !== k : (() => { throw new Error(`count with ${op}`); })();
  }
  if (condition.value !== undefined) return compare(op, valueOf(condition.value, request), expected);
  if (condition.field === undefined) throw new Error(`condition not modelled: ${JSON.stringify(condition)}`);
  const { many, values } = fieldValues(condition.field, request, bindings);
  return many ? values.every((v) => compare(op, v, expected)) : compare(op, values[0], expected);
}

/** Every alias a condition reads (its `field` and `count.field` values but `type` and `name`). */
export function aliasesIn(condition: any): string[] {
  if (Array.isArray(condition)) return condition.flatMap(aliasesIn);
  if (condition === null || typeof condition !== "object") return [];
  return Object.entries(condition).flatMap(([k, v]) => (k === "field" && typeof v === "string" && v !== "type" && v !== "name" ? [v] : aliasesIn(v)));
}
