/** DNS: where a name is answered, what forwards it elsewhere, the private zones, a cluster's API server name. */
import { containsIp, parseIp } from "../../net/cidr";
import { PRIVATE_LINK_ZONES } from "../../domain/naming";
import { type Model, type Resource } from "../../output/model";
import { type ClusterPosture, first, type PrivateZone, type Subnet, type Topology, type Vnet } from "../../output/topology";
import { blocks } from "./flow";

/** A cluster's private API server, as the output places it. */
export interface ApiServer {
  readonly cluster: ClusterPosture;
  /** The node subnet (its private endpoint) or, with API Server VNet Integration, its own subnet. */
  readonly subnet: Subnet;
  readonly privateEndpoint: boolean;
  /** An address of that subnet standing for the one AKS picks at deploy time. */
  readonly ip: bigint;
}
/**
 * The cluster whose private API server `host` names: AKS names it `<dns prefix>-<hash>` under
 * the region's `azmk8s.io` zones at deploy time (the spoke's `cluster_private_fqdn` output), so
 * the name is matched on the cluster's DNS prefix.
 */
export function apiServerNamed(model: Model, t: Topology, host: string): ApiServer | undefined {
  if (!host.endsWith(".azmk8s.io")) return undefined;
  const label = host.split(".")[0];
  for (const cluster of t.clusters) {
    const prefix = String(model.attr(cluster.resource, "dns_prefix") ?? model.attr(cluster.resource, "dns_prefix_private_cluster") ?? "").toLowerCase();
    if (prefix === "" || !(label === prefix || label.startsWith(`${prefix}-`))) continue;
    const subnet = cluster.apiServerSubnet ?? cluster.nodeSubnet;
    const block = subnet ? blocks(subnet.prefixes)[0] : undefined;
    if (subnet && block) return { cluster, subnet, privateEndpoint: cluster.apiServerSubnet === undefined, ip: block.first + 4n };
  }
  return undefined;
}
export function apiServerWords(api: ApiServer, host: string): string {
  return api.privateEndpoint
    ? `${host} is the private API server of ${api.cluster.name}: its private endpoint in ${api.subnet.vnet?.resource.stack}/${api.subnet.name} (an address AKS picks there at deploy time)`
    : `${host} is the private API server of ${api.cluster.name}: its load balancer in ${api.subnet.vnet?.resource.stack}/${api.subnet.name} (API Server VNet Integration)`;
}
/**
 * The VNet in whose context Azure DNS answers a VNet's lookups, as far as the output tells:
 * the VNet itself with Azure-provided DNS; the hub, when its DNS server is the hub firewall's
 * DNS proxy (which asks Azure DNS from the hub) or another address inside a VNet of the output
 * (a DNS resolver's inbound endpoint); undefined when the server is elsewhere (on-premises),
 * the firewall forwards to servers of its own, or the address is not known.
 */
export function resolvingVnet(model: Model, t: Topology, vnet: Vnet): Vnet | undefined {
  if (vnet.dnsServers.length === 0) return vnet;
  const server = vnet.dnsServers[0];
  const proxy = t.firewalls.find((f) => f.resource === model.target(server) || (typeof server === "string" && f.privateIp === server));
  if (proxy) {
    const policy = model.target(model.attr(proxy.resource, "firewall_policy_id"));
    const servers = first<{ servers?: unknown[] }>(policy ? model.attr(policy, "dns") : undefined)?.servers ?? [];
    if (servers.length > 0) return undefined;
  }
  const ip = parseIp(proxy?.privateIp ?? (typeof server === "string" ? server : ""));
  return ip.ok ? t.vnets.find((v) => blocks(v.addressSpace).some((b) => containsIp(b, ip.value))) : undefined;
}
/** Whether a DNS forwarding ruleset linked to `vnet` sends lookups of `host` elsewhere. */
export function forwarded(model: Model, vnet: Vnet, host: string): boolean {
  const rulesets = model
    .ofType("azurerm_private_dns_resolver_virtual_network_link")
    .filter((l) => model.target(model.attr(l, "virtual_network_id")) === vnet.resource)
    .map((l) => model.target(model.attr(l, "dns_forwarding_ruleset_id")));
  return model
    .ofType("azurerm_private_dns_resolver_forwarding_rule")
    .filter((r) => rulesets.includes(model.target(model.attr(r, "dns_forwarding_ruleset_id"))))
    .some((r) => {
      const domain = String(model.attr(r, "domain_name") ?? "").toLowerCase().replace(/\.$/, "");
      return domain !== "" && (host === domain || host.endsWith(`.${domain}`));
    });
}
/** The private zone a record is written in, when the output holds it. */
export function zonesOf(t: Topology, record: Topology["records"][number]): Topology["zones"] {
  return t.zones.filter((z) => z.resource === record.zoneResource);
}
/**
 * The destination's address: a literal IP, or a private record of the output, which on-premises
 * DNS reaches through the hub's DNS resolver (its inbound endpoint), or an existing hub's.
 */
export function destinationOf(model: Model, t: Topology, host: string, path: string[]): bigint | undefined {
  const literal = parseIp(host);
  if (literal.ok) return literal.value;
  const record = t.records.find((r) => r.fqdn.toLowerCase() === host);
  if (!record) return undefined;
  const through = model.ofType("azurerm_private_dns_resolver_inbound_endpoint").length > 0 ? "through the DNS resolver's inbound endpoint" : t.firewalls.length === 0 ? "if on-premises DNS forwards to the existing hub's resolver" : "if on-premises DNS can reach it: this hub has no DNS resolver";
  path.push(`${host} resolves to ${record.addresses.join(", ")} (private zone record, ${through})`);
  const ip = parseIp(record.addresses[0]);
  return ip.ok ? ip.value : undefined;
}

/** A service the output reaches through a private endpoint, by one of its names. */
export interface PrivateEndpointTarget {
  /** The service's name (the registry's, the vault's). */
  readonly name: string;
  readonly service: Resource;
  /** The private endpoint's subnet. */
  readonly subnet: Subnet;
  /** The privatelink zone its record is registered in (the endpoint's DNS zone group). */
  readonly zone: PrivateZone;
  /** An address of that subnet standing for the one Azure picks at deploy time. */
  readonly ip: bigint;
}

/**
 * The names a service answers at its private endpoint, and the privatelink zone that holds
 * their records: a registry's login server and, with dedicated data endpoints, its regional
 * data endpoint (`<name>.<region>.data.azurecr.io`); a vault's `<name>.vault.azure.net`.
 */
const PRIVATE_ENDPOINT_NAMES: Record<string, { readonly zone: string; readonly names: (a: Record<string, any>) => string[] }> = {
  azurerm_container_registry: { zone: PRIVATE_LINK_ZONES.registry, names: (a) => [`${a.name}.azurecr.io`, ...(a.data_endpoint_enabled === true ? [`${a.name}.${a.location}.data.azurecr.io`] : [])] },
  azurerm_key_vault: { zone: PRIVATE_LINK_ZONES.keyVault, names: (a) => [`${a.name}.vault.azure.net`] },
};

/**
 * The service `host` names, when the output puts it behind a private endpoint whose privatelink
 * zone is linked to `where` (the VNet whose DNS answers the source): the public name's CNAME
 * then leads to the endpoint's record, which Azure writes at deploy time. Elsewhere the name
 * resolves publicly, and undefined is returned.
 */
export function privateEndpointNamed(model: Model, t: Topology, host: string, where: Vnet | undefined): PrivateEndpointTarget | undefined {
  for (const [type, service] of Object.entries(PRIVATE_ENDPOINT_NAMES)) {
    for (const r of model.ofType(type)) {
      const a = model.attrs(r);
      if (!service.names(a).some((n) => n.toLowerCase() === host)) continue;
      for (const endpoint of model.ofType("azurerm_private_endpoint")) {
        const connection = first<any>(model.attr(endpoint, "private_service_connection"));
        if (model.target(connection?.private_connection_resource_id) !== r) continue;
        const group = first<any>(model.attr(endpoint, "private_dns_zone_group"));
        const zone = t.zones.find((z) => z.name === service.zone && (group?.private_dns_zone_ids ?? []).some((id: unknown) => model.target(id) === z.resource));
        const subnet = t.subnets.find((s) => s.resource === model.target(model.attr(endpoint, "subnet_id")));
        const block = subnet ? blocks(subnet.prefixes)[0] : undefined;
        if (zone && subnet && block && (where === undefined || zone.links.includes(where))) return { name: String(a.name), service: r, subnet, zone, ip: block.first + 4n };
      }
    }
  }
  return undefined;
}

/** The network-isolated cluster whose nodes sit in `subnet`, when there is one. */
export function isolatedClusterIn(t: Topology, subnet: Subnet): ClusterPosture | undefined {
  return t.clusters.find((c) => c.isolatedFrom !== undefined && c.nodeSubnet === subnet);
}
