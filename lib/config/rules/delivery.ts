/** How a spoke's apps reach its cluster: the fields GitOps delivery needs, and what it cannot do. */
import { type Problem } from "../../core/problem";
import { parseGitUrl } from "../../domain/gitops";
import { CLUSTER_EXTENSIONS_UNAVAILABLE } from "../../domain/azure-regions";
import { type Environment } from "../schema";
import { spokesUseFirewallDns } from "./hub";
import { gitopsPath } from "../../domain/naming";

export function checkDelivery(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const folders = new Map<string, number>();
  env.spokes.forEach((spoke, i) => {
    const d = spoke.delivery;
    const base = `spokes.${i}.delivery`;
    if (d.mode === "terraform") {
      for (const field of ["repository", "path", "httpsUser", "knownHosts"] as const) if (d[field] !== undefined) add(`${base}.${field}`, `applies only with ${base}.mode: gitops`);
      if (d.auth !== "none") add(`${base}.auth`, `applies only with ${base}.mode: gitops`);
      return;
    }
    // Each cluster's Flux applies its own folder: a shared one would apply one spoke's apps on the other.
    const folder = `${d.repository ?? ""} ${d.path ?? gitopsPath(env.name, spoke.name)}`;
    const first = folders.get(folder);
    if (first !== undefined) add(`${base}.path`, `is also spokes.${first}'s GitOps folder in the same repository: each cluster applies a folder of its own`);
    else folders.set(folder, i);
    if (spoke.apps.length === 0) add(`${base}.mode`, `gitops delivers the spoke's apps, and spoke ${spoke.name} has none (spokes.${i}.apps): add apps, or leave delivery out`);
    if (CLUSTER_EXTENSIONS_UNAVAILABLE.regions.includes(env.location)) add(`${base}.mode`, `gitops needs AKS cluster extensions, which ${env.location} does not offer (Microsoft Learn, Deploy and manage cluster extensions for AKS, read ${CLUSTER_EXTENSIONS_UNAVAILABLE.readIn})`);
    spoke.apps.forEach((app, j) => {
      if (app.secrets.length > 0)
        add(`spokes.${i}.apps.${j}.secrets`, `cannot be delivered by gitops: the app's service account and SecretProviderClass name an Azure identity whose client id exists only once the spoke is applied, and the committed manifests cannot hold it; deliver spoke ${spoke.name} with delivery.mode: terraform`);
    });
    if (d.repository === undefined) {
      add(`${base}.repository`, `is required with ${base}.mode: gitops: the Git repository Flux pulls the rendered manifests from, such as https://github.com/contoso/platform.git`);
      return;
    }
    const endpoint = parseGitUrl(d.repository);
    if (typeof endpoint === "string") return; // the schema said why
    if (d.auth === "https" && endpoint.protocol !== "https") add(`${base}.auth`, `https signs in with a user and token, which needs an https:// repository; ${base}.repository is ${endpoint.protocol}`);
    if (d.auth === "ssh" && endpoint.protocol !== "ssh") add(`${base}.auth`, `ssh signs in with a deploy key, which needs an ssh:// repository; ${base}.repository is ${endpoint.protocol}`);
    if (d.auth === "none" && endpoint.protocol === "ssh") add(`${base}.auth`, `must be ssh for an ssh:// repository: Flux signs in over SSH with a deploy key (the Terraform variable gitops_ssh_private_key) and checks the host's keys (${base}.knownHosts)`);
    if (d.auth === "https" && d.httpsUser === undefined) add(`${base}.httpsUser`, `is required with ${base}.auth: https: the user name sent with the token (GitHub and Azure DevOps accept any non-empty name, e.g. git)`);
    if (d.auth !== "https" && d.httpsUser !== undefined) add(`${base}.httpsUser`, `applies only with ${base}.auth: https`);
    if (endpoint.protocol === "ssh") {
      if (d.knownHosts === undefined) add(`${base}.knownHosts`, `is required for an ssh:// repository: the host's public keys in known_hosts format (ssh-keyscan ${endpoint.port === 22 ? "" : `-p ${endpoint.port} `}${endpoint.host}), so Flux knows it reached the real host`);
      else if (!wellFormedKnownHosts(d.knownHosts)) add(`${base}.knownHosts`, "must be known_hosts lines, each `<host names> <key type> <base64 key>` (as ssh-keyscan prints them)");
      else if (!knownHostsName(d.knownHosts, endpoint.host, endpoint.port)) add(`${base}.knownHosts`, `has no line for ${endpoint.port === 22 ? endpoint.host : `[${endpoint.host}]:${endpoint.port}`}, the repository's host`);
      if (!spokesUseFirewallDns(env)) add(`${base}.repository`, "is reached over SSH, which the firewall allows only by an FQDN network rule, and those need its DNS proxy (hub.firewall.dnsProxy): use an https:// repository, or turn the DNS proxy on");
    } else if (d.knownHosts !== undefined) add(`${base}.knownHosts`, "applies only to an ssh:// repository");
  });
  return problems;
}

/** Every non-empty, non-comment line reads `[@marker] <names> <key type> <base64 key> [comment]`. */
function wellFormedKnownHosts(text: string): boolean {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  return lines.length > 0 && lines.every((l) => /^(@\S+\s+)?\S+\s+(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+)\s+[A-Za-z0-9+/]+={0,3}(\s.*)?$/.test(l));
}

/** Whether known_hosts text has a line for the host (`host`, `[host]:port`, or among comma-separated names); hashed lines cannot be read and count as a match. */
function knownHostsName(text: string, host: string, port: number): boolean {
  const wanted = port === 22 ? host : `[${host}]:${port}`;
  return text.split(/\r?\n/).some((line) => {
    const names = line.trim().split(/\s+/)[0] ?? "";
    if (names.startsWith("|1|")) return true;
    return names.split(",").some((n) => n.toLowerCase() === wanted);
  });
}
