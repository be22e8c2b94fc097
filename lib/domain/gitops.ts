/**
 * GitOps delivery: what we know about the AKS GitOps extension (Flux v2) and the Git sources it
 * reads, as data and small pure functions (no config, no constructs).
 *
 * Sources (read 2026-12-07):
 * - hashicorp/terraform-provider-azurerm v4.55.0,
 *   internal/services/containers/kubernetes_flux_configuration_resource.go: names
 *   `^[a-z\d]([-a-z\d]{0,28}[a-z\d])?$`, the namespace a 63-character DNS label, scope
 *   `cluster`/`namespace`, git URLs starting `http://`, `https://`, `git@` or `ssh://`
 *   (validate/kubernetes.go), kustomization intervals `IntBetween(1, 35791394)` seconds;
 *   kubernetes_cluster_extension_resource.go: extension names `^[a-zA-Z0-9][a-zA-Z0-9-.]{0,252}$`.
 * - git-check-ref-format(1): the rules a branch name follows.
 */

/** The Flux configuration and cluster extension this product writes, by name (one of each per cluster). */
export const GITOPS = {
  extensionName: "flux",
  /** Microsoft's Flux v2 extension type (Microsoft Learn, "Microsoft.Flux cluster extension"). */
  extensionType: "microsoft.flux",
  /** The extension's release train: Stable, with minor versions upgraded automatically (no version pinned). */
  releaseTrain: "Stable",
  /** Where the extension installs Flux's controllers (Microsoft's default namespace for it). */
  releaseNamespace: "flux-system",
  configurationName: "apps",
  /** The namespace of the Flux objects (GitRepository, Kustomization) the configuration creates; cluster scope lets them create the apps' namespaces. */
  configurationNamespace: "cluster-config",
  kustomizationName: "apps",
  /** The manifest Flux's kustomize-controller builds the folder from. */
  kustomizationFile: "kustomization.yaml",
  /** The first line of every file of a rendered GitOps folder: `private-aks manifests` replaces or removes only files that carry it. */
  renderedMarker: "# Rendered by private-aks (npx private-aks manifests); do not edit: the next render replaces this file.",
  /** The resource provider of cluster extensions and Flux configurations (Microsoft Learn, "Tutorial: Deploy applications using GitOps with Flux v2": register it); azurerm 4.55's default set lacks it. */
  resourceProvider: "Microsoft.KubernetesConfiguration",
  /** The sensitive Terraform variables a private repository's credentials come in as (TF_VAR_<name>). */
  httpsTokenVariable: "gitops_https_token",
  sshKeyVariable: "gitops_ssh_private_key",
} as const;

/** The azurerm provider's bounds on a kustomization's intervals, in seconds. */
export const DELIVERY_LIMITS = { minSyncSeconds: 1, maxSyncSeconds: 35791394 } as const;

/** A duration such as `90s`, `5m` or `1h`, in seconds. */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(d);
  if (!m) return Number.NaN;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
}

/** Where Flux connects to for a repository: the protocol, host and port its egress rule allows. */
export interface GitEndpoint {
  readonly protocol: "https" | "ssh";
  readonly host: string;
  readonly port: number;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * The endpoint of a Git URL, or why Flux cannot use it as this product requires: https or
 * ssh (`ssh://[git@]host[:port]/path`, the forms Microsoft's "GitOps (Flux v2) supported
 * parameters" lists), a host name (an application or FQDN rule names it), no credentials.
 */
export function parseGitUrl(url: string): GitEndpoint | string {
  if (/\s/.test(url)) return "must not contain spaces";
  if (url.startsWith("http://")) return "must use https:// or ssh://: http sends the manifests unauthenticated and in clear";
  const https = /^https:\/\/([^/?#]*)(\/[^?#]*)?$/.exec(url);
  if (https) {
    const authority = https[1];
    if (authority.includes("@")) return "must not hold a user or token (https://user:token@...): they would be written into the Terraform state and plans; set delivery.auth: https and pass the token as the Terraform variable gitops_https_token";
    const [host, port] = splitPort(authority);
    if (!HOST.test(host)) return `must name its host by name, such as github.com (got ${JSON.stringify(host)}): the firewall allows host names`;
    if (port === undefined || !https[2] || https[2] === "/") return port === undefined ? "must have a valid port after the host" : "must name a repository after the host, such as https://github.com/contoso/platform.git";
    return { protocol: "https", host: host.toLowerCase(), port };
  }
  if (/^ssh:\/\/[^/@]*:[^/@]*@/.test(url)) return "must not hold a password (ssh://user:password@...): Flux signs in with a deploy key, the Terraform variable gitops_ssh_private_key";
  const ssh = /^ssh:\/\/(?:([^@/:]+)@)?([^/:]+)(?::(\d+))?(\/.+)$/.exec(url);
  if (ssh) {
    const host = ssh[2].toLowerCase();
    const port = ssh[3] ? Number(ssh[3]) : 22;
    if (!(port >= 1 && port <= 65535)) return "must have a port from 1 to 65535";
    if (!HOST.test(host)) return `must name its host by name, such as github.com (got ${JSON.stringify(host)}): the firewall allows host names`;
    return { protocol: "ssh", host, port };
  }
  // The scp-like form: azurerm accepts it, Microsoft's Flux docs do not list it.
  const scp = /^([^@/:]+)@([^/:]+):(?!\/\/)(.+)$/.exec(url);
  if (scp) return `must be written as ssh://${scp[1]}@${scp[2]}/${scp[3].replace(/^\//, "")}: Microsoft documents Flux's SSH sources as ssh:// URLs`;
  return "must be an https:// or ssh:// URL, such as https://github.com/contoso/platform.git";
}

function splitPort(authority: string): [string, number | undefined] {
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return [authority, undefined];
  const port = m[2] === undefined ? 443 : Number(m[2]);
  return [m[1], port >= 1 && port <= 65535 ? port : undefined];
}

/** Why a branch name is one git (check-ref-format --branch) or Flux would refuse, or undefined. */
export function branchProblem(b: string): string | undefined {
  if (b.length === 0) return "must not be empty";
  if (b.length > 255) return "must be at most 255 characters";
  // eslint-disable-next-line no-control-regex -- git refuses control characters in a ref name, and so must we
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(b)) return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\";
  if (b.startsWith("-")) return "must not start with '-'";
  if (b.startsWith("refs/")) return `must be the branch's short name (${b.replace(/^refs\/(heads\/)?/, "")}): Flux prefixes refs/heads/ itself`;
  if (b === "@" || b.includes("@{")) return "must not be '@' or contain '@{'";
  if (b.includes("..")) return "must not contain '..'";
  if (b.startsWith("/") || b.endsWith("/") || b.includes("//")) return "must not start or end with '/' or contain '//'";
  if (b.endsWith(".") || b.split("/").some((c) => c.startsWith(".") || c.endsWith(".lock"))) return "must not end with '.', and no part of it may start with '.' or end with '.lock'";
  return undefined;
}

