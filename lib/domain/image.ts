/**
 * Container image references, as the container runtime reads them
 * (`[registry[:port]/]repository[:tag][@sha256:digest]`), and whether a spoke's egress lets its
 * nodes pull them. Pure: no cdktf imports.
 */

export interface ImageReference {
  /** The registry host the nodes contact, e.g. `mcr.microsoft.com`; Docker Hub is `docker.io`. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Docker Hub: the host image names without a registry resolve to, and the hosts a pull contacts. */
export const DOCKER_HUB = "docker.io";

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export type ImageParse = { ok: true; value: ImageReference } | { ok: false; error: string };

export function parseImage(reference: string): ImageParse {
  const [withoutDigest, digest, extra] = reference.split("@");
  if (extra !== undefined || (digest !== undefined && !DIGEST.test(digest))) {
    return { ok: false, error: "has a malformed digest; use @sha256: and 64 hexadecimal characters" };
  }
  const parts = withoutDigest.split("/");
  const first = parts[0];
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first.toLowerCase() : DOCKER_HUB;
  const path = hasRegistry ? parts.slice(1) : parts;
  const last = path[path.length - 1] ?? "";
  const colon = last.lastIndexOf(":");
  const tag = colon >= 0 ? last.slice(colon + 1) : undefined;
  path[path.length - 1] = colon >= 0 ? last.slice(0, colon) : last;
  if (path.length === 0 || !path.every((c) => COMPONENT.test(c))) return { ok: false, error: "is not an image reference such as mcr.microsoft.com/dotnet/samples:aspnetapp" };
  if (tag !== undefined && !TAG.test(tag)) return { ok: false, error: "has a malformed tag" };
  const repository = registry === DOCKER_HUB && path.length === 1 ? `library/${path[0]}` : path.join("/");
  return { ok: true, value: { registry, repository, tag, digest } };
}

/**
 * True when a host matches an allowed destination as Azure Firewall matches application
 * rules: exactly, or by a leading `*.` wildcard that stands for one or more labels.
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, "");
  return allowed.some((a) => {
    const pattern = a.toLowerCase();
    return pattern.startsWith("*.") ? h.endsWith(pattern.slice(1)) : h === pattern;
  });
}
