/**
 * Typed views of the model: the network, the firewall and its policy, public IPs, clusters,
 * Kubernetes Services, private DNS and role assignments, as a reviewer thinks of them. Read
 * from the synthesized output only.
 */
import { ruleGroupNames } from "../domain/naming";
import { noted, ON_PREMISES_PREFIX } from "./notes";
import { cidr, firstAzureHostIp, parseCidr } from "../net/cidr";
import { type Model, Ref, type Resource, Unknown } from "./model";

export interface Vnet {
  readonly resource: Resource;
  readonly name: string;
  readonly addressSpace: string[];
  readonly dnsServers: unknown[];
  readonly subnets: Subnet[];
}

export interface Subnet {
  readonly resource: Resource;
  readonly name: string;
  readonly vnet?: Vnet;
  readonly prefixes: string[];
  routeTable?: RouteTable;
  nsg?: Resource;
}

export interface Route {
  readonly name: string;
  readonly prefix: string;
  readonly nextHopType: string;
  /** The next hop's address, when known (the firewall's private IP is computed from its subnet). */
  readonly nextHop?: string;
}

export interface RouteTable {
  readonly resource: Resource;
  readonly name: string;
  readonly bgpPropagation: boolean;
  /** Inline routes, then routes written as their own resources. */
  readonly routes: Route[];
  readonly subnets: Subnet[];
}

export interface Peering {
  readonly resource: Resource;
  readonly name: string;
  readonly from?: Vnet;
  readonly to?: Vnet;
  /** The remote VNet's id as written, for a VNet the output does not hold (an existing hub's). */
  readonly remoteVnetId?: unknown;
  readonly allowForwardedTraffic: boolean;
  readonly allowGatewayTransit: boolean;
  readonly useRemoteGateways: boolean;
}

export interface FirewallRule {
  readonly group: string;
  readonly groupPriority: number;
  readonly collection: string;
  readonly collectionPriority: number;
  readonly kind: "application" | "network" | "nat";
  readonly action: string;
  readonly name: string;
  readonly sources: string[];
  readonly destinations: string[];
  readonly fqdnTags: string[];
  /** Network rules: protocols (TCP, UDP, Any, ICMP); application rules: `Https:443` style. */
  readonly protocols: string[];
  readonly ports: string[];
  /** Application rules: the firewall decrypts and inspects what it allows (TLS inspection, terminate_tls). */
  readonly tlsInspected: boolean;
}

export interface Firewall {
  readonly resource: Resource;
  readonly name: string;
  readonly privateIp?: string;
  readonly dnsProxy: boolean;
  readonly publicIps: Resource[];
  /** The addresses it SNATs egress through (its ip_configuration's, not the management one's): any of them, per connection. */
  readonly egressIps: Resource[];
  /** Rules in Azure Firewall's processing order: DNAT, network, application; each by group then collection priority. */
  readonly rules: FirewallRule[];
  /**
   * TLS inspection: the certificate the policy decrypts with, or `waiting` when the policy's
   * identity may read a vault but the policy names no certificate yet; undefined without it.
   */
  readonly tlsInspection?: { readonly certificate: string } | "waiting";
}

/** A firewall policy the output adds rule collection groups to but does not hold (an existing hub's). */
export interface ExistingPolicy {
  /** The policy's name (the last part of its id). */
  readonly name: string;
  /** The rules of the groups this output adds to it, in processing order within each group. */
  readonly rules: FirewallRule[];
}

export interface PublicIp {
  readonly resource: Resource;
  readonly name: string;
  /** The resources whose configuration references it. */
  readonly attachedTo: Resource[];
}

export interface ClusterPosture {
  readonly resource: Resource;
  readonly name: string;
  readonly privateCluster: unknown;
  readonly publicFqdn: unknown;
  readonly outboundType: unknown;
  /**
   * Network-isolated (outbound type none, bootstrap artifacts from a registry's cache): the
   * registry it bootstraps from, else undefined.
   */
  readonly isolatedFrom?: { readonly registry?: Resource; readonly name: string };
  readonly localAccountsDisabled: unknown;
  readonly azureRbac: unknown;
  readonly networkPlugin: string;
  readonly networkPolicy: unknown;
  readonly nodeSubnet?: Subnet;
  /** API Server VNet Integration's subnet, when the API server is projected into one (else a private endpoint). */
  readonly apiServerSubnet?: Subnet;
  /** The OS disk type of each node pool, by pool name (the default pool and the cluster's other pools). */
  readonly osDisks: Record<string, unknown>;
  readonly runCommand: unknown;
  readonly kubernetesVersion: unknown;
}

export interface KubeService {
  /** Where it comes from: a resource address or a manifest file. */
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly annotations: Record<string, string>;
  readonly ports: number[];
}

export interface PrivateZone {
  readonly resource: Resource;
  readonly name: string;
  /** Its resource group's name, where the output has it. */
  readonly resourceGroup: unknown;
  /** The VNets it is linked to. */
  readonly links: Vnet[];
}

export interface DnsRecord {
  readonly resource: Resource;
  /** The name of the private zone it is written in. */
  readonly zone: string;
  /** That zone, when the output holds it (an existing hub's zone is looked up, not held). */
  readonly zoneResource?: Resource;
  readonly fqdn: string;
  readonly addresses: string[];
}

export interface Topology {
  readonly vnets: Vnet[];
  readonly subnets: Subnet[];
  readonly peerings: Peering[];
  readonly routeTables: RouteTable[];
  readonly firewalls: Firewall[];
  readonly publicIps: PublicIp[];
  readonly clusters: ClusterPosture[];
  readonly services: KubeService[];
  readonly zones: PrivateZone[];
  /** Policies of firewalls the output does not hold, with the rules it adds to them. */
  readonly existingPolicies: ExistingPolicy[];
  readonly records: DnsRecord[];
  readonly roleAssignments: { resource: Resource; role: string; scope: string; principal: string }[];
  readonly gateways: Gateway[];
  /** The on-premises VPN devices' public addresses (local network gateways). */
  readonly devices: string[];
  /** The on-premises ranges (and point-to-site pool) the stacks noted, when a gateway connects them; [] otherwise. */
  readonly onPremises: string[];
}

/** A VPN or ExpressRoute gateway of the output. */
export interface Gateway {
  readonly resource: Resource;
  readonly name: string;
  /** Vpn or ExpressRoute. */
  readonly type: string;
  readonly subnet?: Subnet;
  readonly publicIps: PublicIp[];
  readonly pointToSite: boolean;
}

/** A nested block's one element: the JSON writes blocks as lists. */
export const first = <T>(v: unknown): T | undefined => (Array.isArray(v) ? v[0] : (v as T | undefined));

/** What azurerm sends for a node pool argument left out, where that is not nothing. */
export const AZURERM_POOL_DEFAULTS: Readonly<Record<string, unknown>> = { os_disk_type: "Managed" };
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === "string" ? x : String(x)));

/** Builds the typed views of a model. */
/** One topology per model: review, its picture, explain and the guardrails all read it. */
const TOPOLOGIES = new WeakMap<Model, Topology>();

export function topology(model: Model): Topology {
  let t = TOPOLOGIES.get(model);
  if (t === undefined) TOPOLOGIES.set(model, (t = buildTopology(model)));
  return t;
}

function buildTopology(model: Model): Topology {
  const vnets: Vnet[] = model.ofType("azurerm_virtual_network").map((r) => {
    const a = model.attrs(r);
    return { resource: r, name: a.name, addressSpace: strings(a.address_space), dnsServers: a.dns_servers ?? [], subnets: [] };
  });
  const vnetOf = (value: unknown, stack?: string): Vnet | undefined => {
    const target = model.target(value);
    if (target) return vnets.find((v) => v.resource === target);
    return typeof value === "string" ? vnets.find((v) => v.name === value && (stack === undefined || v.resource.stack === stack)) ?? vnets.find((v) => v.name === value) : undefined;
  };
  const subnets: Subnet[] = model.ofType("azurerm_subnet").map((r) => {
    const a = model.attrs(r);
    const vnet = vnetOf(a.virtual_network_name, r.stack);
    const s: Subnet = { resource: r, name: a.name, vnet, prefixes: strings(a.address_prefixes) };
    vnet?.subnets.push(s);
    return s;
  });
  const subnetOf = (value: unknown) => subnets.find((s) => s.resource === model.target(value));

  /** An address a value stands for: a literal, or the firewall's private IP computed from its subnet. */
  const addressOf = (value: unknown): string | undefined => {
    if (typeof value === "string") return value;
    if (value instanceof Ref && value.resource.type === "azurerm_firewall" && /^ip_configuration\.0\.private_ip_address$/.test(value.attribute)) return firewallIp(value.resource);
    return undefined;
  };
  const firewallIp = (fw: Resource): string | undefined => {
    const config = first<any>(model.attr(fw, "ip_configuration"));
    const subnet = subnetOf(config?.subnet_id);
    const prefix = subnet?.prefixes[0];
    return prefix && parseCidr(prefix).ok ? firstAzureHostIp(cidr(prefix)) : undefined;
  };

  const routeTables: RouteTable[] = model.ofType("azurerm_route_table").map((r) => {
    const a = model.attrs(r);
    return {
      resource: r,
      name: a.name,
      bgpPropagation: a.bgp_route_propagation_enabled !== false,
      routes: (a.route ?? []).map((x: any) => ({ name: x.name, prefix: x.address_prefix, nextHopType: x.next_hop_type, nextHop: addressOf(x.next_hop_in_ip_address) })),
      subnets: [],
    };
  });
  // Routes written as their own resources (a hub's firewall route table, filled by peering stacks).
  for (const r of model.ofType("azurerm_route")) {
    const a = model.attrs(r);
    const table = routeTables.find((t) => t.name === a.route_table_name && model.attr(t.resource, "resource_group_name") === a.resource_group_name);
    table?.routes.push({ name: a.name, prefix: a.address_prefix, nextHopType: a.next_hop_type, nextHop: addressOf(a.next_hop_in_ip_address) });
  }
  for (const assoc of model.ofType("azurerm_subnet_route_table_association")) {
    const subnet = subnetOf(model.attr(assoc, "subnet_id"));
    const table = routeTables.find((t) => t.resource === model.target(model.attr(assoc, "route_table_id")));
    if (subnet && table) {
      subnet.routeTable = table;
      table.subnets.push(subnet);
    }
  }
  for (const assoc of model.ofType("azurerm_subnet_network_security_group_association")) {
    const subnet = subnetOf(model.attr(assoc, "subnet_id"));
    const nsg = model.target(model.attr(assoc, "network_security_group_id"));
    if (subnet && nsg) subnet.nsg = nsg;
  }

  const peerings: Peering[] = model.ofType("azurerm_virtual_network_peering").map((r) => {
    const a = model.attrs(r);
    return {
      resource: r,
      name: a.name,
      from: vnetOf(a.virtual_network_name),
      to: vnetOf(a.remote_virtual_network_id),
      remoteVnetId: a.remote_virtual_network_id,
      allowForwardedTraffic: a.allow_forwarded_traffic === true,
      allowGatewayTransit: a.allow_gateway_transit === true,
      useRemoteGateways: a.use_remote_gateways === true,
    };
  });

  const groups = model.ofType("azurerm_firewall_policy_rule_collection_group");
  const firewalls: Firewall[] = model.ofType("azurerm_firewall").map((r) => {
    const a = model.attrs(r);
    const policy = model.target(a.firewall_policy_id);
    const policyAttrs = policy ? model.attrs(policy) : {};
    const mine = groups.filter((g) => policy !== undefined && model.target(model.attr(g, "firewall_policy_id")) === policy);
    return {
      resource: r,
      name: a.name,
      privateIp: firewallIp(r),
      dnsProxy: first<any>(policyAttrs.dns)?.proxy_enabled === true,
      publicIps: [...(a.ip_configuration ?? []), ...(a.management_ip_configuration ? [first<any>(a.management_ip_configuration)] : [])]
        .map((c: any) => model.target(c?.public_ip_address_id))
        .filter((x): x is Resource => x !== undefined),
      egressIps: (a.ip_configuration ?? []).map((c: any) => model.target(c?.public_ip_address_id)).filter((x: Resource | undefined): x is Resource => x !== undefined),
      rules: firewallRules(model, mine),
      tlsInspection: tlsInspectionOf(model, policyAttrs),
    };
  });

  // Groups this output adds to a policy it does not hold (an existing hub's): by policy.
  const held = new Set(firewalls.map((f) => model.target(model.attr(f.resource, "firewall_policy_id"))).filter((p) => p !== undefined));
  const existingPolicies: ExistingPolicy[] = [];
  for (const g of groups) {
    const id = model.attr(g, "firewall_policy_id");
    const target = model.target(id);
    if (target !== undefined && held.has(target)) continue;
    const name = typeof id === "string" ? (id.split("/").pop() ?? id) : target ? String(model.attr(target, "name") ?? target.path) : "unknown policy";
    let policy = existingPolicies.find((p) => p.name === name);
    if (!policy) existingPolicies.push((policy = { name, rules: [] }));
    policy.rules.push(...firewallRules(model, [g]));
  }

  const publicIps: PublicIp[] = model.ofType("azurerm_public_ip").map((r) => ({
    resource: r,
    name: String(model.attr(r, "name")),
    // A reference names a resource of its own stack: two stacks may hold resources of one key.
    attachedTo: model.resources.filter((o) => o !== r && o.stack === r.stack && references(o.raw, r)),
  }));

  const clusters: ClusterPosture[] = model.ofType("azurerm_kubernetes_cluster").map((r) => {
    const a = model.attrs(r);
    const net = first<any>(a.network_profile) ?? {};
    const aad = first<any>(a.azure_active_directory_role_based_access_control) ?? {};
    const pool = first<any>(a.default_node_pool) ?? {};
    const api = first<any>(a.api_server_access_profile) ?? {};
    const boot = first<any>(a.bootstrap_profile) ?? {};
    const registry = boot.container_registry_id !== undefined ? model.target(boot.container_registry_id) : undefined;
    const isolated = net.outbound_type === "none" && boot.artifact_source === "Cache";
    const pools = model.ofType("azurerm_kubernetes_cluster_node_pool").filter((p) => model.target(model.attr(p, "kubernetes_cluster_id")) === r);
    return {
      resource: r,
      name: a.name,
      privateCluster: a.private_cluster_enabled,
      publicFqdn: a.private_cluster_public_fqdn_enabled,
      outboundType: net.outbound_type,
      isolatedFrom: isolated ? { registry, name: registry ? String(model.attr(registry, "name") ?? registry.path) : "the AKS-managed registry" } : undefined,
      localAccountsDisabled: a.local_account_disabled,
      azureRbac: aad.azure_rbac_enabled,
      networkPlugin: [net.network_plugin, net.network_plugin_mode, net.network_data_plane].filter((x) => x !== undefined).join("/"),
      networkPolicy: net.network_policy,
      nodeSubnet: subnetOf(pool.vnet_subnet_id),
      apiServerSubnet: api.virtual_network_integration_enabled === true ? subnetOf(api.subnet_id) : undefined,
      osDisks: Object.fromEntries([[pool.name, pool.os_disk_type ?? AZURERM_POOL_DEFAULTS.os_disk_type], ...pools.map((p) => [model.attr(p, "name"), model.attr(p, "os_disk_type") ?? AZURERM_POOL_DEFAULTS.os_disk_type])]),
      runCommand: a.run_command_enabled ?? true,
      kubernetesVersion: a.kubernetes_version ?? "AKS default",
    };
  });

  const services: KubeService[] = [
    ...["kubernetes_service_v1", "kubernetes_service"].flatMap((t) =>
      model.ofType(t).map((r) => {
        const a = model.attrs(r);
        const meta = first<any>(a.metadata) ?? {};
        const spec = first<any>(a.spec) ?? {};
        return { source: r.address, namespace: meta.namespace ?? "default", name: meta.name, type: spec.type ?? "ClusterIP", annotations: meta.annotations ?? {}, ports: (spec.port ?? []).map((p: any) => p.port) };
      }),
    ),
    ...model.output.manifests
      .filter((m) => m.object?.kind === "Service")
      .map((m) => ({
        source: m.file,
        namespace: m.object.metadata?.namespace ?? "default",
        name: m.object.metadata?.name,
        type: m.object.spec?.type ?? "ClusterIP",
        annotations: m.object.metadata?.annotations ?? {},
        ports: (m.object.spec?.ports ?? []).map((p: any) => p.port),
      })),
  ];

  const zones: PrivateZone[] = model.ofType("azurerm_private_dns_zone").map((r) => ({ resource: r, name: String(model.attr(r, "name")), resourceGroup: model.attr(r, "resource_group_name"), links: [] as Vnet[] }));
  // A zone is its name in its resource group: two regions may each have a zone of one name.
  const zoneOf = (name: unknown, group: unknown) =>
    zones.find((z) => z.resource === model.target(name)) ?? zones.find((z) => z.name === name && (typeof group !== "string" || typeof z.resourceGroup !== "string" || z.resourceGroup === group));
  for (const link of model.ofType("azurerm_private_dns_zone_virtual_network_link")) {
    const a = model.attrs(link);
    const zone = zoneOf(a.private_dns_zone_name, a.resource_group_name);
    const vnet = vnetOf(a.virtual_network_id);
    if (zone && vnet) zone.links.push(vnet);
  }
  const records: DnsRecord[] = model.ofType("azurerm_private_dns_a_record").map((r) => {
    const a = model.attrs(r);
    const zone = typeof a.zone_name === "string" ? a.zone_name : "?";
    return { resource: r, zone, zoneResource: zoneOf(a.zone_name, a.resource_group_name)?.resource, fqdn: `${a.name}.${zone}`, addresses: strings(a.records) };
  });
  const roleAssignments = model.ofType("azurerm_role_assignment").map((r) => {
    const a = model.attrs(r);
    const describe = (v: unknown) => (v instanceof Ref ? `${v.resource.path}` : v instanceof Unknown ? v.expression : String(v));
    return { resource: r, role: a.role_definition_name ?? a.role_definition_id, scope: describe(a.scope), principal: describe(a.principal_id) };
  });

  const gateways: Gateway[] = model.ofType("azurerm_virtual_network_gateway").map((r) => {
    const a = model.attrs(r);
    const config = first<any>(a.ip_configuration);
    return {
      resource: r,
      name: String(a.name),
      type: String(a.type),
      subnet: subnets.find((s) => s.resource === model.target(config?.subnet_id)),
      publicIps: publicIps.filter((p) => p.attachedTo.includes(r)),
      pointToSite: first(a.vpn_client_configuration) !== undefined,
    };
  });
  const devices = model.ofType("azurerm_local_network_gateway").map((l) => String(model.attr(l, "gateway_address")));
  // On-premises is connected when a gateway is: one built here, or an existing hub's (its on-premises group is here).
  const connected = gateways.length > 0 || model.ofType("azurerm_firewall_policy_rule_collection_group").some((g) => model.attr(g, "name") === ruleGroupNames.onPremises);
  const onPremises = connected ? noted(model.output.annotations, ON_PREMISES_PREFIX) : [];

  return { vnets, subnets, peerings, routeTables, firewalls, existingPolicies, publicIps, clusters, services, zones, records, roleAssignments, gateways, devices, onPremises };
}

/** True when a resource's raw JSON refers to another resource (by `${type.key.`). */
function references(raw: unknown, target: Resource): boolean {
  const needle = `\${${target.type}.${target.key}.`;
  return JSON.stringify(raw).includes(needle);
}

/** Firewall rule sources or destinations with every IP group of the output replaced by the CIDRs it holds; anything else as it is. */
export function expandIpGroups(model: Model, values: unknown): unknown[] {
  return (Array.isArray(values) ? values : values === undefined || values === null ? [] : [values]).flatMap((v) => {
    const target = model.target(v);
    if (target?.type !== "azurerm_ip_group") return [v];
    const cidrs = model.attr(target, "cidrs");
    return Array.isArray(cidrs) ? cidrs : [cidrs];
  });
}

/** The rules of a policy's rule collection groups, in Azure Firewall's processing order. */
/** A firewall policy's TLS inspection, as its attributes and the vault access policies of its identity say. */
function tlsInspectionOf(model: Model, policy: Record<string, any>): Firewall["tlsInspection"] {
  const certificate = first<any>(policy.tls_certificate);
  if (certificate) return { certificate: String(certificate.name) };
  const identities = (first<any>(policy.identity)?.identity_ids ?? []).map((id: unknown) => model.target(id)).filter((x: Resource | undefined) => x !== undefined);
  const readable = model.ofType("azurerm_key_vault_access_policy").some((p) => identities.includes(model.target(model.attr(p, "object_id"))));
  return readable ? "waiting" : undefined;
}

export function firewallRules(model: Model, groups: Resource[]): FirewallRule[] {
  const rules: FirewallRule[] = [];
  const kindOrder = { nat: 0, network: 1, application: 2 } as const;
  for (const g of groups) {
    const a = model.attrs(g);
    const collections: [keyof typeof kindOrder, any[]][] = [
      ["nat", a.nat_rule_collection ?? []],
      ["network", a.network_rule_collection ?? []],
      ["application", a.application_rule_collection ?? []],
    ];
    for (const [kind, list] of collections) {
      for (const c of list) {
        for (const r of c.rule ?? []) {
          rules.push({
            group: a.name,
            groupPriority: a.priority,
            collection: c.name,
            collectionPriority: c.priority,
            kind,
            action: c.action,
            name: r.name,
            sources: [...strings(r.source_addresses), ...strings(expandIpGroups(model, r.source_ip_groups))],
            destinations: strings(kind === "application" ? [...(r.destination_fqdns ?? []), ...(r.destination_urls ?? [])] : [...(r.destination_fqdns ?? []), ...(r.destination_addresses ?? []), ...(r.destination_address ? [r.destination_address] : [])]),
            fqdnTags: strings(r.destination_fqdn_tags),
            protocols: kind === "application" ? (r.protocols ?? []).map((p: any) => `${p.type}:${p.port}`) : strings(r.protocols),
            ports: strings(r.destination_ports),
            tlsInspected: kind === "application" && r.terminate_tls === true,
          });
        }
      }
    }
  }
  // Azure Firewall's processing order (Microsoft Learn, "Azure Firewall rule processing logic"):
  // all DNAT rules, then all network rules, then all application rules; within each type by rule
  // collection group priority, then rule collection priority. The first match decides.
  return rules.sort((x, y) => kindOrder[x.kind] - kindOrder[y.kind] || x.groupPriority - y.groupPriority || x.collectionPriority - y.collectionPriority);
}
