/** Files the environment file names: read beside it, never from elsewhere on the machine. */
import * as fs from "fs";
import * as path from "path";
import { quote } from "../core/problem";

/** How a file given in the environment file is named in the messages about it. */
export interface FileKind {
  /** What an inline value is: "a public key". */
  readonly inline: string;
  /** What the value is neither of, inline: "an OpenSSH public key (ssh-ed25519 AAAA...)". */
  readonly neither: string;
  /** "the key file". */
  readonly file: string;
  /** "a public key file (.pub)". */
  readonly give: string;
  /** "a public key file". */
  readonly sized: string;
  readonly maxBytes: number;
}

export type FileResult = { ok: true; content: string } | { ok: false; error: string };

/**
 * A file named relative to `baseDir` (the environment file's folder), read only when it is a
 * regular file under `baseDir` and smaller than `kind.maxBytes`: never a device, a pipe, a
 * home-folder or absolute path, so the output never depends on the machine.
 */
export function readFileBeside(value: string, baseDir: string, kind: FileKind): FileResult {
  const inline = value.trim();
  if (inline.startsWith("~") || path.isAbsolute(inline)) {
    return { ok: false, error: `${quote(value)} must be ${kind.inline} or a path relative to the environment file; a home or absolute path would make the output depend on the machine` };
  }
  const file = path.resolve(baseDir, inline);
  const notFound = { ok: false as const, error: `${quote(value)} is neither ${kind.neither} nor a readable file relative to the environment file` };
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return notFound;
  }
  const base = fs.realpathSync(baseDir);
  if (real !== base && !real.startsWith(base + path.sep)) {
    return { ok: false, error: `${quote(value)} leads outside the environment file's folder; keep ${kind.file} beside the environment file` };
  }
  const stat = fs.statSync(real);
  if (!stat.isFile()) return { ok: false, error: `${quote(value)} is not a regular file; give ${kind.give}` };
  if (stat.size > kind.maxBytes) return { ok: false, error: `${quote(value)} is ${stat.size} bytes; ${kind.sized} is under ${kind.maxBytes / 1024} KiB` };
  return { ok: true, content: fs.readFileSync(real, "utf8") };
}

