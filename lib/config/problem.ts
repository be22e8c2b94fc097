/** One thing wrong with an environment file: the dotted path of the field, and what is wrong and what would be right. */
export interface Problem {
  /** Dotted path into the file, e.g. `spokes.0.subnets.nodes`; `(file)` for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/** Joins path segments the way the error contract wants them: `spokes.0.addressSpace.1`. */
export function fieldPath(...segments: (string | number | symbol)[]): string {
  return segments.map((s) => String(s)).join(".");
}

/** Thrown when an environment file cannot be used; carries every problem found, not only the first. */
export class EnvironmentError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: readonly Problem[],
  ) {
    super(problems.map((p) => `${file}: ${p.path}: ${p.message}`).join("\n"));
    this.name = "EnvironmentError";
  }

  /** One line per problem, `<file>: <field.path>: <message>`. */
  public lines(): string[] {
    return this.problems.map((p) => `${this.file}: ${p.path}: ${p.message}`);
  }
}

/** Longest part of a user's value echoed in a message; the rest is cut. */
export const MAX_ECHO = 60;

/**
 * A user's value as it may appear in an error line: JSON-quoted (so a newline or a control
 * character cannot forge a second line) and cut to MAX_ECHO characters.
 */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
  return JSON.stringify(cut);
}
