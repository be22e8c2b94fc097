/** One thing wrong with an environment file: the dotted path of the field, and what is wrong and what would be right. */
export interface Problem {
  /** Dotted path into the file, e.g. `spokes.0.subnets.nodes`; `(file)` for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/**
 * Joins path segments the way the error contract wants them: `spokes.0.addressSpace.1`. A
 * segment that is not a plain word (a key from the file with spaces, dots or control
 * characters) is quoted.
 */
export function fieldPath(...segments: (string | number | symbol)[]): string {
  return segments.map((s) => (/^[A-Za-z0-9_-]+$/.test(String(s)) ? String(s) : quote(String(s)))).join(".");
}

/** `<file>: <field.path>: <message>`, on one line whatever the parts hold. */
export function formatProblem(file: string, p: Problem): string {
  return oneLine(`${file}: ${p.path}: ${p.message}`);
}

/** Thrown when an environment file cannot be used; carries every problem found, not only the first. */
export class EnvironmentError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: readonly Problem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join("\n"));
    this.name = "EnvironmentError";
  }

  /** One line per problem, `<file>: <field.path>: <message>`. */
  public lines(): string[] {
    return this.problems.map((p) => formatProblem(this.file, p));
  }
}

/** Longest part of a user's value echoed in a message; the rest is cut. */
export const MAX_ECHO = 60;

/** Values that look like secrets: never echoed, not even in part. */
const SECRET_LOOKING = [
  /-----BEGIN [A-Z0-9 ]*-----/,
  /PRIVATE KEY/i,
  /\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|pwd|client_secret)\s*=/i,
  /[?&]sig=/i,
];

/** True when a value looks like a secret (a private key, a connection string, a SAS token). */
export function looksSecret(value: string): boolean {
  return SECRET_LOOKING.some((re) => re.test(value));
}

/**
 * A user's value as it may appear in an error line: JSON-quoted (so a newline or a control
 * character cannot forge a second line), cut to MAX_ECHO characters, and never a value that
 * looks like a secret.
 */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  if (looksSecret(text)) return "(a value that looks like a secret; not shown)";
  const cut = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
  return JSON.stringify(cut);
}

/**
 * Makes text safe for one line of a terminal: control characters, line and paragraph
 * separators and escape sequences are shown escaped, so no value can start a second line or
 * rewrite the screen.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
