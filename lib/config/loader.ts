/**
 * Reads an environment file (YAML or JSON), validates it completely and returns the typed
 * environment. Every problem is collected and thrown together as an EnvironmentError, so
 * callers can print them all and exit before anything is written.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { checkAddressPlan } from "../net/address-plan";
import { EnvironmentError, fieldPath, type Problem } from "./problem";
import { checkLocation, checkRules } from "./rules";
import { type Environment, environmentSchema } from "./schema";

/** The project's root folder (where cdktf.json lives). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The embedded default environment, used when PRIVATE_AKS_CONFIG is not set. */
export const DEFAULT_ENVIRONMENT_FILE = path.join(PROJECT_ROOT, "environments", "default.yaml");

/** The environment variable that selects another environment file. */
export const CONFIG_ENV_VAR = "PRIVATE_AKS_CONFIG";

const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** The file the app should synthesize: $PRIVATE_AKS_CONFIG, or the embedded default. */
export function selectedEnvironmentFile(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CONFIG_ENV_VAR];
  return chosen && chosen.trim() !== "" ? chosen : DEFAULT_ENVIRONMENT_FILE;
}

/** How a file is named in error lines: relative to the working directory when it is below it. */
export function displayName(file: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** Loads and validates one environment file; throws EnvironmentError listing every problem. */
export function loadEnvironment(file: string): Environment {
  const shown = displayName(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(shown, [
      { path: "(file)", message: code === "ENOENT" ? "no such file; check the path or PRIVATE_AKS_CONFIG" : `cannot be read (${code ?? String(e)})` },
    ]);
  }
  return parseEnvironment(text, shown, path.dirname(path.resolve(file)));
}

/**
 * Validates the text of an environment file. `baseDir` is where relative paths inside the
 * file (the jumpbox's public key file) are resolved from.
 */
export function parseEnvironment(text: string, file: string, baseDir: string): Environment {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new EnvironmentError(
      file,
      doc.errors.map((e) => ({ path: "(syntax)", message: `line ${e.linePos?.[0]?.line ?? "?"}: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}` })),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = environmentSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const location = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).location : undefined;
    throw new EnvironmentError(file, inFileOrder([...parsed.error.issues.flatMap(issueToProblems), ...checkLocation(location)]));
  }
  const env = parsed.data;
  const problems: Problem[] = inFileOrder([...checkAddressPlan(env), ...checkRules(env)]);
  if (env.hub.jumpbox) {
    const key = resolvePublicKey(env.hub.jumpbox.sshPublicKey, baseDir);
    if (key.ok) env.hub.jumpbox.sshPublicKey = key.value;
    else problems.push({ path: "hub.jumpbox.sshPublicKey", message: key.error });
  }
  if (problems.length > 0) throw new EnvironmentError(file, problems);
  return env;
}

/** An inline OpenSSH public key, or the contents of a key file given relative to the environment file. */
function resolvePublicKey(value: string, baseDir: string): { ok: true; value: string } | { ok: false; error: string } {
  const inline = value.trim();
  if (SSH_PUBLIC_KEY.test(inline)) return { ok: true, value: inline };
  if (inline.startsWith("~") || path.isAbsolute(inline)) {
    return {
      ok: false,
      error: `"${value}" must be a public key or a path relative to the environment file; a home or absolute path would make the output depend on the machine`,
    };
  }
  const file = path.join(baseDir, inline);
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8").trim();
  } catch {
    return { ok: false, error: `"${value}" is neither an OpenSSH public key (ssh-ed25519 AAAA...) nor a readable file relative to the environment file` };
  }
  if (!SSH_PUBLIC_KEY.test(content)) {
    return { ok: false, error: `"${value}" does not hold an OpenSSH public key (ssh-ed25519 or ssh-rsa AAAA...); is it the private key?` };
  }
  return { ok: true, value: content };
}

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

function issueToProblems(issue: z.core.$ZodIssue): Problem[] {
  const at = (extra: (string | number | symbol)[] = []) => {
    const segments = [...issue.path, ...extra];
    return segments.length === 0 ? "(root)" : fieldPath(...segments);
  };
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ path: at([key]), message: "unknown field; check its spelling against the environment file reference in the README" }));
    case "invalid_type":
      if (/received undefined/.test(issue.message)) return [{ path: at(), message: `is required (${issue.expected})` }];
      return [{ path: at(), message: `must be ${article(issue.expected)} ${issue.expected}` }];
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
