/**
 * Reads an environment file (YAML or JSON), validates it completely and returns the typed
 * environment. Every problem is collected and thrown together as an EnvironmentError, so
 * callers can print them all and exit before anything is written.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { checkAddressPlan } from "./address-plan";
import { EnvironmentError, fieldPath, type Problem } from "../core/problem";
import { checkLocation } from "./rules/location";
import { checkRules } from "./rules";
import { unknownFieldAdvice } from "./field-names";
import { resolveCaCertificate } from "./ca-certificate";
import { resolvePublicKey } from "./ssh-key";
import { type Environment, environmentSchema } from "./schema";

/**
 * The project's root folder: the nearest folder up from this module that holds cdktf.json (the
 * module may run from its source folder or from a bundle under node_modules/.cache).
 */
export const PROJECT_ROOT = projectRoot(__dirname);

function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "..", "..");
  }
}

/** The embedded default environment, used when PRIVATE_AKS_CONFIG is not set. */
export const DEFAULT_ENVIRONMENT_FILE = path.join(PROJECT_ROOT, "environments", "default.yaml");

/** The environment variable that selects another environment file. */
export const CONFIG_ENV_VAR = "PRIVATE_AKS_CONFIG";

/** The file the app should synthesize: $PRIVATE_AKS_CONFIG, or the embedded default. */
export function selectedEnvironmentFile(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CONFIG_ENV_VAR];
  return chosen && chosen.trim() !== "" ? chosen : DEFAULT_ENVIRONMENT_FILE;
}

/** How a file is named in error lines: relative to the working directory when it is below it. */
export function displayName(file: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  if (relative === "") return ".";
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** Largest environment file read: real ones are a few KB. */
export const MAX_ENVIRONMENT_FILE_BYTES = 1024 * 1024;

/** Loads and validates one environment file; throws EnvironmentError listing every problem. */
export function loadEnvironment(file: string): Environment {
  const shown = displayName(file);
  const fail = (message: string) => new EnvironmentError(shown, [{ path: "(file)", message }]);
  let text: string;
  try {
    // A regular file of sane size only: a device or a named pipe would grow memory or block forever.
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw fail("is not a regular file; give the path of a YAML or JSON environment file");
    if (stat.size > MAX_ENVIRONMENT_FILE_BYTES) throw fail(`is ${stat.size} bytes; an environment file is at most ${MAX_ENVIRONMENT_FILE_BYTES / 1024} KiB`);
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === "ENOENT" ? "no such file; check the path or PRIVATE_AKS_CONFIG" : `cannot be read (${code ?? "unknown error"})`);
  }
  return parseEnvironment(text, shown, path.dirname(path.resolve(file)), /\.json$/i.test(file) ? "json" : "yaml");
}

/**
 * Validates the text of an environment file. `baseDir` is where relative paths inside the
 * file (the jumpbox's public key file) are resolved from. Whatever the text holds, the result
 * is an environment or an EnvironmentError: never another exception.
 */
export function parseEnvironment(text: string, file: string, baseDir: string, format: "yaml" | "json" = "yaml"): Environment {
  try {
    return parseUnguarded(text, file, baseDir, format);
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    // A pathological document (nesting too deep for the validator, say): one clear line, no trace.
    throw new EnvironmentError(file, [{ path: "(file)", message: `cannot be checked (${e instanceof Error ? e.name : "error"}: the document is too deeply nested or too large); simplify it` }]);
  }
}

function parseUnguarded(text: string, file: string, baseDir: string, format: "yaml" | "json"): Environment {
  const { raw, sourceOf } = format === "json" ? { raw: parseJson(text, file), sourceOf: () => undefined } : parseYaml(text, file);
  const parsed = environmentSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const location = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).location : undefined;
    throw new EnvironmentError(file, named(inFileOrder([...parsed.error.issues.flatMap((issue) => issueToProblems(issue, raw, sourceOf)), ...checkLocation(location)]), raw));
  }
  const env = parsed.data;
  const problems: Problem[] = [...checkAddressPlan(env), ...checkRules(env)];
  if (env.hub.jumpbox) {
    const key = resolvePublicKey(env.hub.jumpbox.sshPublicKey, baseDir);
    if (key.ok) env.hub.jumpbox.sshPublicKey = key.value;
    else problems.push({ path: "hub.jumpbox.sshPublicKey", message: key.error });
  }
  const tls = env.hub.firewall.tlsInspection;
  if (tls) {
    const ca = resolveCaCertificate(tls.caCertificate, baseDir);
    if (ca.ok) tls.caCertificate = ca.pem;
    else problems.push(...ca.errors.map((message) => ({ path: "hub.firewall.tlsInspection.caCertificate", message })));
  }
  if (problems.length > 0) throw new EnvironmentError(file, named(inFileOrder(problems), raw));
  return env;
}

/**
 * Problems of a spoke (or of one of its apps) say which by name too, where there are several:
 * `spokes.1` alone makes a reader count. The name is added at the end of the message, unless
 * the message names it.
 */
function named(problems: Problem[], raw: unknown): Problem[] {
  const spokes = typeof raw === "object" && raw !== null && Array.isArray((raw as any).spokes) ? ((raw as any).spokes as unknown[]) : [];
  const nameOf = (v: unknown) => (typeof v === "object" && v !== null && typeof (v as any).name === "string" && /^[a-z0-9][a-z0-9-]{0,62}$/.test((v as any).name) ? ((v as any).name as string) : undefined);
  return problems.map((p) => {
    const m = /^spokes\.(\d+)(?:\.apps\.(\d+))?/.exec(p.path);
    const spoke = m && spokes.length > 1 ? nameOf(spokes[Number(m[1])]) : undefined;
    const apps: unknown[] = m && Array.isArray((spokes[Number(m[1])] as any)?.apps) ? (spokes[Number(m[1])] as any).apps : [];
    const app = m?.[2] !== undefined && apps.length > 1 ? nameOf(apps[Number(m[2])]) : undefined;
    if (!m || (spoke === undefined && app === undefined)) return p;
    const which = [spoke && `spoke ${spoke}`, app && `app ${app}`].filter(Boolean).join(", ");
    if (spoke && p.message.includes(`spoke ${spoke}`)) return p;
    return { ...p, message: `${p.message} (${which})` };
  });
}

/** The file's data, and the text a scalar of it was written as (`1.30`, which YAML reads as the number 1.3). */
function parseYaml(text: string, file: string): { raw: unknown; sourceOf: (path: readonly PropertyKey[]) => string | undefined } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, keepSourceTokens: true });
  if (doc.errors.length > 0) {
    throw new EnvironmentError(
      file,
      doc.errors.map((e) => ({ path: "(syntax)", message: `line ${e.linePos?.[0]?.line ?? "?"}: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}` })),
    );
  }
  const sourceOf = (path: readonly PropertyKey[]) => {
    const node = doc.getIn(path as unknown[], true) as { source?: unknown } | undefined;
    return typeof node?.source === "string" ? node.source : undefined;
  };
  try {
    return { raw: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }), sourceOf };
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new EnvironmentError(file, [{ path: "(syntax)", message: `uses YAML aliases more than ${MAX_YAML_ALIASES} times (the shape of a resource-exhaustion attack); write the values out` }]);
    }
    throw e;
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof SyntaxError ? e.message : "not JSON";
    throw new EnvironmentError(file, [{ path: "(syntax)", message: `${message.split("\n")[0]}; the file ends in .json, so it must be plain JSON (no comments, no trailing commas)` }]);
  }
}

/** How many times YAML aliases may be expanded: enough for any real file, far from a billion laughs. */
const MAX_YAML_ALIASES = 100;

/** Problems in the order of the fields in the file (top-level fields, then spoke by spoke); stable otherwise. */
function inFileOrder(problems: Problem[]): Problem[] {
  const fields = Object.keys(environmentSchema.shape);
  const rank = (p: Problem) => {
    const [top, index] = p.path.split(".");
    const at = fields.indexOf(top);
    return [at < 0 ? fields.length : at, /^\d+$/.test(index ?? "") ? Number(index) : -1];
  };
  return problems
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.p);
}

function issueToProblems(issue: z.core.$ZodIssue, raw: unknown, sourceOf: (path: readonly PropertyKey[]) => string | undefined): Problem[] {
  const at = (extra: (string | number | symbol)[] = []) => {
    const segments = [...issue.path, ...extra];
    return segments.length === 0 ? "(root)" : fieldPath(...segments);
  };
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ path: at([key]), message: unknownFieldAdvice(issue.path, key) }));
    case "invalid_type":
      if (/received undefined/.test(issue.message)) return [{ path: at(), message: `is required (${issue.expected})` }];
      if (issue.expected === "string") {
        const given = issue.path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);
        // An unquoted version or number in YAML (kubernetesVersion: 1.30) is read as a number.
        if (typeof given === "number" && Number.isFinite(given)) {
          const written = sourceOf(issue.path) ?? String(given);
          const reads = written === String(given) ? "" : ` (it reads ${written} as ${given})`;
          return [{ path: at(), message: `must be a string, and YAML reads unquoted digits as a number${reads}; put the value in quotes as you mean it: "${written}"` }];
        }
      }
      return [{ path: at(), message: `must be ${article(issue.expected)} ${issue.expected}` }];
    case "invalid_key":
      // A record's key (a tag name) failed its own check: report that check's words.
      return [{ path: at(), message: issue.issues[0]?.message ?? issue.message }];
    case "invalid_value": {
      // A choice written in the wrong case (`ephemeral`): name the spelling that works.
      const given = issue.path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);
      const meant = typeof given === "string" ? issue.values.find((v) => typeof v === "string" && v.toLowerCase() === given.toLowerCase() && v !== given) : undefined;
      return [{ path: at(), message: meant === undefined ? issue.message : `${issue.message}; did you mean ${String(meant)}?` }];
    }
    default:
      return [{ path: at(), message: issue.message }];
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}
