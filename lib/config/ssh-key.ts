/**
 * The jumpbox's SSH public key: given inline or as a file relative to the environment file,
 * and checked as Azure will check it, so that a truncated key, a private key or a key type
 * Azure refuses is a clear error at synth instead of a failed VM at apply.
 *
 * Azure (and the azurerm provider's validator) accept `ssh-rsa` keys of 2048 bits or more and
 * `ssh-ed25519` keys.
 */
import { looksSecret, quote } from "../core/problem";
import { type FileKind, readFileBeside } from "./files";

/** Largest key file read: a 16384-bit RSA key is about 2.8 KB. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;
export const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;

/** What OpenSSH key type names look like (ssh-dss, ecdsa-sha2-nistp256, sk-ssh-ed25519@openssh.com). */
const KEY_TYPE = /^(?:ssh|ecdsa|sk)-[a-z0-9@.-]{1,40}$/;

export type KeyResult = { ok: true; value: string } | { ok: false; error: string };

const PRIVATE_KEY_ERROR =
  "looks like a private key: never put a private key in the environment file or next to it; give the public key (the .pub file)";

/** Checks one line of OpenSSH public key text (`ssh-ed25519 AAAA... comment`). */
export function checkPublicKeyText(text: string): KeyResult {
  const line = text.trim();
  if (looksSecret(line)) return { ok: false, error: PRIVATE_KEY_ERROR };
  if (/[\r\n]/.test(line)) return { ok: false, error: "must be one OpenSSH public key on one line" };
  const [type, blob, ...comment] = line.split(/[ \t]+/);
  if (type !== "ssh-ed25519" && type !== "ssh-rsa") {
    // Named only when it is a key type: the first word of a file that holds a token is the token.
    return { ok: false, error: KEY_TYPE.test(type) ? `is a ${quote(type)} key; Azure accepts ssh-ed25519 and ssh-rsa (${MIN_RSA_BITS} bits or more) public keys` : `is not an OpenSSH public key: it must start with ssh-ed25519 or ssh-rsa` };
  }
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) {
    return { ok: false, error: `is not a complete ${type} public key: the base64 part is missing or damaged` };
  }
  // eslint-disable-next-line no-control-regex
  if (comment.some((c) => /[\u0000-\u001f\u007f]/.test(c))) return { ok: false, error: "has control characters in its comment" };
  const reader = new BlobReader(Buffer.from(blob, "base64"));
  try {
    if (reader.string().toString("latin1") !== type) return { ok: false, error: `is not a ${type} key: the key's own type does not match` };
    if (type === "ssh-ed25519") {
      if (reader.string().length !== 32) throw new Error("short");
    } else {
      reader.string(); // exponent
      const modulus = reader.string();
      const bits = bitLength(modulus);
      if (bits < MIN_RSA_BITS) return { ok: false, error: `is a ${bits}-bit RSA key; Azure needs ${MIN_RSA_BITS} bits or more (or use ssh-ed25519)` };
      if (bits > MAX_RSA_BITS) return { ok: false, error: `is a ${bits}-bit RSA key; use at most ${MAX_RSA_BITS} bits` };
    }
    if (!reader.done()) throw new Error("trailing");
  } catch {
    return { ok: false, error: `is not a complete ${type} public key: it is truncated or damaged` };
  }
  return { ok: true, value: line };
}

const PUBLIC_KEY_FILE: FileKind = { inline: "a public key", neither: "an OpenSSH public key (ssh-ed25519 AAAA...)", file: "the key file", give: "a public key file (.pub)", sized: "a public key file", maxBytes: MAX_KEY_FILE_BYTES };

/**
 * The key itself, from an inline value or a file relative to `baseDir` (the environment
 * file's folder), read as readFileBeside reads it.
 */
export function resolvePublicKey(value: string, baseDir: string): KeyResult {
  const inline = value.trim();
  if (looksSecret(inline)) return { ok: false, error: PRIVATE_KEY_ERROR };
  if (/^(ssh-|ecdsa-|sk-)/.test(inline)) return checkPublicKeyText(inline);
  const read = readFileBeside(value, baseDir, PUBLIC_KEY_FILE);
  if (!read.ok) return read;
  const checked = checkPublicKeyText(read.content);
  return checked.ok ? checked : { ok: false, error: `${quote(value)} ${checked.error}` };
}

/** Reads SSH wire-format strings (uint32 length, then bytes). */
class BlobReader {
  private at = 0;
  constructor(private readonly data: Buffer) {}
  public string(): Buffer {
    if (this.at + 4 > this.data.length) throw new Error("truncated");
    const length = this.data.readUInt32BE(this.at);
    const start = this.at + 4;
    if (start + length > this.data.length) throw new Error("truncated");
    this.at = start + length;
    return this.data.subarray(start, start + length);
  }
  public done(): boolean {
    return this.at === this.data.length;
  }
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]));
}

/**
 * The base64 part of the sample key the project ships (environments/keys/jumpbox.pub): a key
 * for trying the product, whose private half no user holds.
 */
export const SAMPLE_KEY_BLOB = "AAAAC3NzaC1lZDI1NTE5AAAAIDX9jHlAX7075C1lCUqiS9AQM/5wf3lMRk4s0MJXRlew";

/** Whether a (checked) public key is the shipped sample key, whatever its comment. */
export function isSampleKey(key: string): boolean {
  return key.trim().split(/[ \t]+/)[1] === SAMPLE_KEY_BLOB;
}
