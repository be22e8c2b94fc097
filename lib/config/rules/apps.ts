/** Apps: where they are published, what they pull, what they mount and request. */
import * as path from "path";
import { DOCKER_HUB, hostAllowed, parseImage } from "../../domain/image";
import { bytes, millicores } from "../../domain/quantity";
import { selectEgress } from "../../domain/aks-egress-catalog";
import { cachedImage, fromUpstream, NETWORK_ISOLATION } from "../../domain/network-isolation";
import { secretIn } from "../../core/secrets";
import { containsIp, formatIp, parseCidr, parseIp } from "../../net/cidr";
import { DEFAULTS, SECRETS_MOUNT_PATH } from "../../domain/defaults";
import { type Problem, quote } from "../../core/problem";
import { type Environment, egressFeatures } from "../schema";
import { GITOPS } from "../../domain/gitops";
import { vmCapacity } from "../../domain/vm-sizes";
import { spokesUseFirewallDns } from "./hub";

/** Namespaces an app may not take: Kubernetes' own and those AKS add-ons use. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "calico-system", "tigera-operator", "app-routing-system", "aks-command", GITOPS.releaseNamespace, GITOPS.configurationNamespace];
/**
 * Apps: published through an internal load balancer at a fixed address of the spoke's ingress
 * subnet, named in a hub zone, pulled from a registry the spoke's egress allows.
 */
export function checkApps(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const records = new Map<string, string>();
  env.spokes.forEach((spoke, i) => {
    if (spoke.apps.length === 0) return;
    const base = `spokes.${i}`;
    const ingress = spoke.subnets.ingress !== undefined ? parseCidr(spoke.subnets.ingress) : undefined;
    if (!ingress) add(`${base}.apps`, `needs ${base}.subnets.ingress: apps are published through internal load balancers in that subnet`);
    if (spoke.cluster.userPools.length === 0) {
      add(`${base}.apps`, `needs a user node pool (${base}.cluster.userPools): the system pool runs only critical add-ons, so the apps' pods could not be scheduled`);
    }
    const selected = selectEgress(spoke.egress, { location: env.location, dnsProxy: spokesUseFirewallDns(env), ...egressFeatures(env, spoke) });
    const https = selected.entries.flatMap((e) => (e.kind === "application" && e.protocols.some((p) => p.type === "Https") ? (e.fqdns ?? []) : []));
    const names = new Map<string, number>();
    const ips = new Map<string, number>();
    spoke.apps.forEach((app, j) => {
      const at = `${base}.apps.${j}`;
      const firstName = names.get(app.name);
      if (firstName !== undefined) add(`${at}.name`, `${quote(app.name)} is already the name of apps.${firstName} in this spoke`);
      else names.set(app.name, j);
      if (RESERVED_NAMESPACES.includes(app.name) || app.name.startsWith("kube-")) add(`${at}.name`, `${quote(app.name)} is a namespace Kubernetes or AKS uses; choose another name`);
      if (`${app.name}.yaml` === DEFAULTS.workloadIdentitiesManifest) add(`${at}.name`, `${quote(app.name)} would write ${DEFAULTS.workloadIdentitiesManifest}, the file the emergency apply command writes the apps' identities to beside the manifests; choose another name`);
      // A secret written into the environment file would be in the output and the manifests (SEC-001).
      for (const [name, value] of Object.entries(app.env)) {
        const secret = secretIn(value);
        if (secret) add(`${at}.env.${name}`, `holds ${secret}, which would be written into cdktf.out and the plain manifests; put it in the hub's key vault and list it in ${at}.secrets (a file under ${SECRETS_MOUNT_PATH})`);
      }
      if (app.secrets.length > 0 && !env.hub.keyVault) add(`${at}.secrets`, "needs hub.keyVault: secrets are read from the hub's private key vault");
      // Each path is a volume mount: Kubernetes refuses two at one path, and one over / would
      // hide the image's whole filesystem under an empty folder.
      const mounts = new Map<string, number>();
      app.writablePaths.forEach((p, k) => {
        const normal = path.posix.normalize(p).replace(/(.)\/$/, "$1");
        const first = mounts.get(normal);
        const kernel = KERNEL_FILESYSTEMS.find((k) => normal === k || normal.startsWith(`${k}/`));
        const secretsMount = app.secrets.length > 0 && (normal === SECRETS_MOUNT_PATH || normal.startsWith(`${SECRETS_MOUNT_PATH}/`));
        if (normal === "/") add(`${at}.writablePaths.${k}`, `${quote(p)} is the root: an empty folder mounted there would hide the image's whole filesystem; name a folder, e.g. /tmp`);
        else if (kernel) add(`${at}.writablePaths.${k}`, `${quote(p)} is ${kernel}, which the container runtime mounts itself and refuses a volume over; name a folder of the app's own, e.g. /tmp`);
        else if (secretsMount) add(`${at}.writablePaths.${k}`, `${quote(p)} is where the app's secrets are mounted (${SECRETS_MOUNT_PATH}, read-only); Kubernetes refuses a second volume there; name another folder, e.g. /tmp`);
        else if (first !== undefined) add(`${at}.writablePaths.${k}`, `${quote(p)} is already listed as writablePaths.${first}; each path is mounted once`);
        else mounts.set(normal, k);
      });
      const secrets = new Map<string, number>();
      app.secrets.forEach((secret, k) => {
        // Key Vault names are case-insensitive; the files under /mnt/secrets would collide too.
        const first = secrets.get(secret.toLowerCase());
        if (first !== undefined) add(`${at}.secrets.${k}`, `${quote(secret)} is already secrets.${first} (Key Vault secret names are case-insensitive)`);
        else secrets.set(secret.toLowerCase(), k);
      });

      const ip = parseIp(app.ip);
      if (!ip.ok) add(`${at}.ip`, `${quote(app.ip)} is not an IPv4 address; give a free address of ${base}.subnets.ingress`);
      else if (ingress?.ok) {
        const block = ingress.value;
        if (!containsIp(block, ip.value)) add(`${at}.ip`, `${app.ip} is not inside ${base}.subnets.ingress ${block.text}; give an address of that subnet, e.g. ${formatIp(block.first + 10n)}`);
        else if (ip.value < block.first + 4n || ip.value === block.last) {
          add(`${at}.ip`, `${app.ip} is reserved by Azure in ${block.text} (the first four addresses and the last); use e.g. ${formatIp(block.first + 10n)}`);
        }
        const firstIp = ips.get(app.ip);
        if (firstIp !== undefined) add(`${at}.ip`, `${app.ip} is already the address of apps.${firstIp}`);
        else ips.set(app.ip, j);
      }

      if (app.dns) {
        if (!env.hub.dns.zones.includes(app.dns.zone)) {
          add(`${at}.dns.zone`, `${quote(app.dns.zone)} is not one of hub.dns.zones (${env.hub.dns.zones.length ? env.hub.dns.zones.join(", ") : "none: add the zone there"})`);
        }
        const fqdn = `${app.dns.record}.${app.dns.zone}`.toLowerCase();
        const first = records.get(fqdn);
        if (first !== undefined) add(`${at}.dns.record`, `${fqdn} is already published by ${first}`);
        else records.set(fqdn, at);
      }

      const image = parseImage(app.image);
      if (!image.ok) add(`${at}.image`, `${quote(app.image)} ${image.error}`);
      else {
        const ref = image.value;
        const registryProblem = checkRegistryHost(ref.registry);
        if (registryProblem) add(`${at}.image`, `${quote(app.image)} ${registryProblem}`);
        if (ref.digest === undefined && (ref.tag === undefined || ref.tag === "latest")) {
          add(`${at}.image`, `${quote(app.image)} has ${ref.tag ? "the tag latest" : "no tag"}, which moves under you; pin a version tag or a digest (@sha256:...)`);
        }
        const privateRegistry = env.hub.registry ? `${env.hub.registry.name}.azurecr.io` : undefined;
        if (env.hub.registry?.requirePrivateRegistry && ref.registry !== privateRegistry) {
          add(`${at}.image`, `${quote(app.image)} comes from ${ref.registry}, but hub.registry.requirePrivateRegistry asks every image to come from ${privateRegistry}`);
        } else if (ref.registry === privateRegistry) {
          // Pulled through the private endpoint: no egress needed.
        } else if (ref.registry === DOCKER_HUB) {
          if (!spoke.egress.dockerHub) add(`${at}.image`, `${quote(app.image)} comes from Docker Hub, which the spoke's egress does not allow; set ${base}.egress.dockerHub: true or use a registry it allows`);
        } else if (registryProblem) {
          // Said above.
        } else if (spoke.cluster.networkIsolated && fromUpstream(ref) && !hostAllowed(ref.registry, https)) {
          // The cache rule AKS requires serves every mcr.microsoft.com repository from the hub's registry.
          const registry = env.hub.existing ? undefined : (privateRegistry ?? "<hub.registry.name>.azurecr.io");
          add(
            `${at}.image`,
            `${quote(app.image)} comes from ${NETWORK_ISOLATION.upstreamRegistry}, which a network-isolated cluster does not reach unless its egress declares it${registry ? `; pull it through the hub registry's cache of it, ${JSON.stringify(cachedImage(ref, registry))}` : ""}`,
          );
        } else if (!hostAllowed(ref.registry, https)) {
          add(`${at}.image`, `${quote(app.image)} comes from ${ref.registry}, which the spoke's egress does not allow (nodes could not pull it); add ${ref.registry} (and its storage host) to ${base}.egress.fqdns`);
        }
      }

      for (const [kind, toNumber] of [["cpu", millicores], ["memory", bytes]] as const) {
        const request = app.resources.requests[kind];
        const limit = app.resources.limits[kind];
        if (toNumber(request) > toNumber(limit)) add(`${at}.resources.requests.${kind}`, `${request} is more than the limit ${limit}; a request may not exceed its limit`);
        // A pod whose request no node of any user pool can hold is never scheduled.
        const largest = largestPool(spoke.cluster.userPools, kind);
        if (largest && toNumber(request) > (kind === "cpu" ? largest.size * 1000 : largest.size * 2 ** 30)) {
          add(`${at}.resources.requests.${kind}`, `${request} is more than a whole node of the largest user pool (${largest.pool.vmSize}: ${kind === "cpu" ? `${largest.size} vCPUs` : `at most ${largest.size} GiB`}), so the pod could never be scheduled; request less, or add a pool of a larger size`);
        }
      }
    });
  });
  return problems;
}
/** File systems the container runtime mounts in every container: no volume may go over them. */
const KERNEL_FILESYSTEMS = ["/proc", "/sys", "/dev"];
/**
 * A registry host as the nodes contact it: DNS labels, and no port but HTTPS's (the
 * firewall's application rules allow 443 only). Returns why not, or undefined.
 */
export function checkRegistryHost(registry: string): string | undefined {
  const [host, port, extra] = registry.split(":");
  if (extra !== undefined || !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(host) || host.length > 253) {
    return "does not name its registry as a host name (letters, digits, hyphens and dots), e.g. mcr.microsoft.com/dotnet/samples:aspnetapp";
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return `names the registry port ${quote(port)}; a port is 1-65535`;
  if (port !== undefined && port !== "443") return `pulls from port ${port}, but the firewall lets the nodes reach registries on HTTPS port 443 only; use the registry on 443 (leave the port out)`;
  return undefined;
}
/** The user pool with the most vCPUs or memory whose size the product can read, and that amount (vCPUs, or GiB at most). */
function largestPool(pools: readonly { vmSize: string }[], kind: "cpu" | "memory"): { pool: { vmSize: string }; size: number } | undefined {
  let best: { pool: { vmSize: string }; size: number } | undefined;
  for (const pool of pools) {
    const capacity = vmCapacity(pool.vmSize);
    // A size the product cannot read could be any size: nothing is known to be too large.
    if (capacity === undefined) return undefined;
    const size = kind === "cpu" ? capacity.vcpus : capacity.maxMemoryGib;
    if (size === undefined) return undefined;
    if (!best || size > best.size) best = { pool, size };
  }
  return best;
}
