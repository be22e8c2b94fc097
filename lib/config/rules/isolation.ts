/** Network-isolated clusters: what they need from the hub, and what Microsoft does not support on them. */
import { type Problem } from "../../core/problem";
import { NETWORK_ISOLATION } from "../../domain/network-isolation";
import { type Environment } from "../schema";

/**
 * A network-isolated cluster bootstraps from the hub registry's cache, so it needs the hub's
 * registry (a hub built here); and it refuses what Microsoft lists as unsupported, or what
 * would need egress it no longer has (NETWORK_ISOLATION.source).
 */
export function checkNetworkIsolation(env: Environment): Problem[] {
  const problems: Problem[] = [];
  env.spokes.forEach((s, i) => {
    if (!s.cluster.networkIsolated) return;
    const base = `spokes.${i}`;
    const add = (path: string, message: string) => problems.push({ path: `${base}.${path}`, message });
    if (env.hub.existing) {
      add("cluster.networkIsolated", "needs the hub's private registry, and an existing hub (hub.existing) has none this product knows: the cluster pulls its bootstrap images from a registry's cache of mcr.microsoft.com; build the hub here with hub.registry, or leave the cluster not isolated");
    } else if (env.hub.registry === undefined) {
      const subnet = env.hub.subnets.privateEndpoints === undefined ? " (and hub.subnets.privateEndpoints, where its private endpoint lives)" : "";
      add("cluster.networkIsolated", `needs hub.registry${subnet}: the cluster pulls its bootstrap and system images from the registry's cache of mcr.microsoft.com (the ${NETWORK_ISOLATION.cacheRule.name} cache rule), through its private endpoint, instead of through the firewall`);
    }
    if (s.delivery.mode === "gitops") {
      add("delivery.mode", "gitops runs the Flux cluster extension, which Microsoft does not support yet on network-isolated clusters (cluster.networkIsolated); deliver this spoke's apps with mode terraform");
    }
    if (s.egress.containerInsights && !env.hub.monitoring.privateLink && !env.hub.existing) {
      add("egress.containerInsights", "on a network-isolated cluster, Container Insights reaches the workspace only through the Azure Monitor private link scope: set hub.monitoring.privateLink: true, or turn containerInsights off (the cluster then has no Container Insights)");
    }
    if (s.egress.ubuntuUpdates) {
      add("egress.ubuntuUpdates", "a network-isolated cluster is patched by node image upgrades (its channel is NodeImage); Microsoft advises against upgrading packages over egress there; remove it");
    }
  });
  return problems;
}

/**
 * For `validate`'s output: what each network-isolated spoke goes without, one line per spoke,
 * so that the choice's cost is read before the first deploy. Not problems: the file asked for it.
 */
export function isolationNotices(env: Environment): Problem[] {
  return env.spokes.flatMap((s, i) => {
    if (!s.cluster.networkIsolated) return [];
    const without = [
      ...(s.egress.containerInsights ? [] : ["Container Insights (egress.containerInsights is off)"]),
      `the cluster extensions Microsoft does not support there yet (${NETWORK_ISOLATION.unsupportedExtensions.join(", ")})`,
      "images from mcr.microsoft.com except through the hub registry's cache",
      "any destination its egress does not declare (the firewall denies and logs it)",
    ];
    return [{ path: `spokes.${i}.cluster.networkIsolated`, message: `spoke ${s.name}: unavailable there: ${without.join("; ")}` }];
  });
}
