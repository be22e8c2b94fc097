/**
 * "Would this flow leave the spoke, and why?" decided from the synthesized output as Azure
 * would decide it: the source subnet's effective route for the destination (its own VNet and
 * peered VNets stay inside, user-defined routes win on longer prefixes and on ties), then, for
 * traffic sent to the firewall, the policy in Azure Firewall's processing order (network rules
 * before application rules; within each by rule collection group, then rule collection
 * priority; first match wins; nothing matched: denied), and for traffic that stays inside, the
 * destination subnet's NSG.
 */
import { ruleGroupNames, SUBNET_NAMES } from "../domain/naming";
import { FQDN_TAG_CONTENTS } from "../domain/aks-egress-catalog";
import { type Cidr, containsIp, parseCidr, parseIp } from "../net/cidr";
import { isPrivate } from "../net/special-ranges";
import { noted, ON_PREMISES_PREFIX } from "../output/notes";
import type { Model } from "../output/model";
import { type ClusterPosture, type Firewall, type FirewallRule, firewallRules, first, type Subnet, type Topology, topology, type Vnet } from "../output/topology";

export type Protocol = "tcp" | "udp" | "http" | "https";

export interface Flow {
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface Explanation {
  readonly verdict: "allow" | "deny";
  /** `group/collection/rule` for a firewall rule, `nsg/<name>/<rule>` for an NSG rule; null when nothing matched. */
  readonly rule: string | null;
  /** The hops, in words. */
  readonly path: string[];
  /** Why, in one sentence. */
  readonly reason: string;
}

/** A mistake in the question (unknown spoke, malformed destination): one line, listing what is valid. */
export class ExplainError extends Error {}

/** Parses `host-or-ip:port[/protocol]`. The protocol defaults to https on 443, http on 80, tcp otherwise. */
export function parseDestination(text: string): { host: string; port: number; protocol: Protocol } {
  const match = /^([A-Za-z0-9.*-]+):(\d{1,5})(?:\/(tcp|udp|http|https))?$/i.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) throw new ExplainError(`--to ${JSON.stringify(text)}: write host-or-ip:port[/tcp|udp|http|https], e.g. mcr.microsoft.com:443/https`);
  const protocol = (match[3]?.toLowerCase() as Protocol | undefined) ?? (port === 443 ? "https" : port === 80 ? "http" : "tcp");
  return { host: match[1].toLowerCase(), port, protocol };
}

interface Source {
  readonly label: string;
  readonly subnet: Subnet;
  readonly vnet: Vnet;
}

/** Subnet roles `--from` accepts, by the subnet names they stand for. */
const ROLES: Record<string, string> = { ...SUBNET_NAMES.hub, ...SUBNET_NAMES.spoke };

/** Finds the source: `<spoke>` (its node subnet) or `<spoke>/<subnet>`, where spoke is a stack id or its last part. */
function findSource(t: Topology, from: string): Source {
  const [place, subnetName = "nodes"] = from.split("/");
  const candidates = t.vnets.filter((v) => v.resource.stack === place || v.resource.stack.endsWith(`-${place}`));
  // Short names (aks1, hub) where they are unique; stack ids where several environments share one.
  const valid = () => {
    const short = t.vnets.map((v) => v.resource.stack.replace(/^.*?-/, ""));
    return t.vnets.map((v, i) => (short.filter((n) => n === short[i]).length > 1 ? v.resource.stack : short[i])).sort().join(", ");
  };
  if (candidates.length === 0) throw new ExplainError(`--from ${JSON.stringify(from)}: no spoke or hub of that name; valid: ${valid()} (add /<subnet> for another subnet), onprem, internet`);
  if (candidates.length > 1) throw new ExplainError(`--from ${JSON.stringify(from)}: several stacks match (${candidates.map((c) => c.resource.stack).join(", ")}); give the stack id`);
  const vnet = candidates[0];
  const wanted = ROLES[subnetName] ?? subnetName;
  const subnet = vnet.subnets.find((s) => s.name === wanted || s.name === subnetName);
  if (!subnet) {
    throw new ExplainError(`--from ${JSON.stringify(from)}: ${vnet.name} has no subnet ${JSON.stringify(subnetName)}; valid: ${vnet.subnets.map((s) => Object.entries(ROLES).find(([, n]) => n === s.name)?.[0] ?? s.name).join(", ")}`);
  }
  return { label: `${vnet.resource.stack}/${subnet.name}`, subnet, vnet };
}

const blocks = (texts: string[]): Cidr[] => texts.flatMap((t) => {
  const p = parseCidr(t);
  return p.ok ? [p.value] : [];
});

/** True when a firewall or NSG address matches the destination (or source) address. */
function addressMatches(pattern: string, ip: bigint | undefined): boolean {
  if (pattern === "*" || pattern === "Any" || pattern === "0.0.0.0/0") return true;
  if (ip === undefined) return false;
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(pattern);
  if (range) {
    const [lo, hi] = [parseIp(range[1]), parseIp(range[2])];
    return lo.ok && hi.ok && lo.value <= ip && ip <= hi.value;
  }
  const block = parseCidr(pattern.includes("/") ? pattern : `${pattern}/32`);
  return block.ok && containsIp(block.value, ip);
}

/** True when a host name matches an FQDN pattern as Azure Firewall matches it: exactly, or by a leading `*.`, or `*`. */
export function fqdnMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === "*") return true;
  return p.startsWith("*.") ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
}

function portMatches(ports: string[], port: number): boolean {
  return ports.some((p) => {
    if (p === "*") return true;
    const [lo, hi] = p.split("-").map(Number);
    return hi === undefined ? lo === port : lo <= port && port <= hi;
  });
}

/** A cluster's private API server, as the output places it. */
interface ApiServer {
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
function apiServerNamed(model: Model, t: Topology, host: string): ApiServer | undefined {
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

function apiServerWords(api: ApiServer, host: string): string {
  return api.privateEndpoint
    ? `${host} is the private API server of ${api.cluster.name}: its private endpoint in ${api.subnet.vnet?.resource.stack}/${api.subnet.name} (an address AKS picks there at deploy time)`
    : `${host} is the private API server of ${api.cluster.name}: its load balancer in ${api.subnet.vnet?.resource.stack}/${api.subnet.name} (API Server VNet Integration)`;
}

/** A private endpoint takes what reaches it: NSGs apply to it only with network policies for private endpoints on, which the node subnet leaves off. */
function privateEndpointVerdict(api: ApiServer, path: string[]): Explanation {
  path.push(`the private endpoint of ${api.cluster.name}'s API server: no NSG applies to it (network policies for private endpoints are off in ${api.subnet.name})`);
  return { verdict: "allow", rule: null, path, reason: `reaches ${api.cluster.name}'s API server private endpoint; no NSG applies to a private endpoint there` };
}

/** Explains one flow against a synthesized output. */
export function explain(model: Model, flow: Flow): Explanation {
  const t = topology(model);
  if (flow.from === "onprem") return explainFromOnPremises(model, t, flow);
  if (flow.from === "internet") return explainFromInternet(model, t, flow);
  const source = findSource(t, flow.from);
  const path: string[] = [`from ${source.label} (${source.subnet.prefixes.join(", ")})`];
  const sourceIp = blocks(source.subnet.prefixes)[0]?.first;
  const src = sourceIp === undefined ? undefined : sourceIp + 4n; // a host of the subnet

  // A name: a private record of the output, else somewhere beyond the VNets.
  const literal = parseIp(flow.host);
  const named = literal.ok ? [] : t.records.filter((r) => r.fqdn.toLowerCase() === flow.host);
  // Only a record whose zone is linked where the source's lookups are answered resolves there
  // (another environment's zone does not, even of the same name); where that is not known (the
  // DNS, or a zone the output does not hold), the record is taken as resolving.
  const where = named.length > 0 ? resolvingVnet(model, t, source.vnet) : undefined;
  const answered = where === undefined || forwarded(model, where, flow.host) ? named : named.filter((r) => {
          const zones = zonesOf(t, r);
          return zones.length === 0 || zones.some((z) => z.links.includes(where));
        });
  if (named.length > 0 && answered.length === 0) {
    const zones = [...new Set(named.flatMap((r) => zonesOf(t, r).map((z) => z.name)))].join(", ");
    path.push(`${flow.host} has a private record in ${zones}, which is not linked to ${where!.name}, where lookups from ${source.label} are answered`);
    return { verdict: "deny", rule: null, path, reason: `${flow.host} does not resolve from ${source.label}: its private zone is not linked to ${where!.name}` };
  }
  const record = answered[0];
  // A cluster's API server name: AKS writes its record at deploy time, so it is not in the output.
  const api = literal.ok || record ? undefined : apiServerNamed(model, t, flow.host);
  const destIp = literal.ok ? literal.value : record ? (parseIp(record.addresses[0]).ok ? (parseIp(record.addresses[0]) as { ok: true; value: bigint }).value : undefined) : api?.ip;
  if (record) path.push(`${flow.host} resolves to ${record.addresses.join(", ")} (private zone record)`);
  if (api) path.push(apiServerWords(api, flow.host));

  // Effective route: system routes for the VNet and its peers, then the route table's; longest prefix wins, a user route wins a tie.
  const peers = t.peerings.filter((p) => p.from === source.vnet && p.to).map((p) => p.to as Vnet);
  type Candidate = { prefix: Cidr; kind: "VnetLocal" | "VNetPeering" | "User"; nextHop: string; name: string; vnet?: Vnet };
  const candidates: Candidate[] = [
    ...blocks(source.vnet.addressSpace).map((b) => ({ prefix: b, kind: "VnetLocal" as const, nextHop: "VnetLocal", name: `${source.vnet.name} address space`, vnet: source.vnet })),
    ...peers.flatMap((v) => blocks(v.addressSpace).map((b) => ({ prefix: b, kind: "VNetPeering" as const, nextHop: "VNetPeering", name: `peering to ${v.name}`, vnet: v }))),
    ...(source.subnet.routeTable?.routes ?? []).flatMap((r) => blocks([r.prefix]).map((b) => ({ prefix: b, kind: "User" as const, nextHop: r.nextHop ?? r.nextHopType, name: `${source.subnet.routeTable!.name}/${r.name} (${r.nextHopType})` }))),
  ];
  const applicable = candidates.filter((c) => (destIp === undefined ? c.prefix.prefix === 0 : containsIp(c.prefix, destIp)));
  applicable.sort((a, b) => b.prefix.prefix - a.prefix.prefix || (a.kind === "User" ? -1 : b.kind === "User" ? 1 : 0));
  const route = applicable[0];
  if (!route) {
    if (model.attr(source.subnet.resource, "default_outbound_access_enabled") === false) {
      path.push("no route to it but Azure's default route, and the subnet has no default outbound access");
      return { verdict: "deny", rule: null, path, reason: "the subnet has neither a route to the firewall nor default outbound access: nothing leaves" };
    }
    path.push("no route: Azure's default route sends it to the Internet directly");
    return { verdict: "allow", rule: null, path, reason: "no user-defined route covers it: it would leave Azure without crossing the firewall" };
  }
  path.push(`route ${route.prefix.text} via ${route.name}`);

  if (route.kind !== "User") {
    // Stays inside: the destination subnet's NSG decides.
    const subnet = t.subnets.find((s) => s.vnet === route.vnet && destIp !== undefined && blocks(s.prefixes).some((b) => containsIp(b, destIp)));
    path.push(subnet ? `to ${subnet.vnet?.resource.stack}/${subnet.name}, not through the firewall` : `inside ${route.vnet?.name}, not through the firewall`);
    if (api?.privateEndpoint && subnet === api.subnet) return privateEndpointVerdict(api, path);
    return nsgVerdict(model, t, subnet, src, flow, path);
  }

  const firewall = t.firewalls.find((f) => f.privateIp !== undefined && f.privateIp === route.nextHop);
  const groups = model.ofType("azurerm_firewall_policy_rule_collection_group");
  if (!firewall && groups.length === 0) {
    path.push(`next hop ${route.nextHop} is not a firewall in this output`);
    return { verdict: "deny", rule: null, path, reason: "the route's next hop is not a firewall the output holds; the flow cannot be judged further" };
  }
  // An existing hub's firewall: only this environment's rule collection groups are in the output.
  path.push(firewall ? `to the firewall ${firewall.name} (${firewall.privateIp})` : `to the existing firewall ${route.nextHop} (judged on this environment's rule collection groups only)`);
  const location = firewall ? String(model.attr(firewall.resource, "location") ?? "") : String(model.attr(source.vnet.resource, "location") ?? "");
  const decision = firewallDecision(firewall ? firewall.rules : firewallRules(model, groups), flow, src, destIp, location);
  if (decision) {
    const verdict = decision.rule.action === "Deny" ? "deny" : "allow";
    path.push(`${decision.rule.kind} rule ${decision.id} (${decision.rule.action})`);
    const matched: Explanation = { verdict, rule: decision.id, path, reason: `${decision.rule.kind} rule ${decision.id} matched: ${decision.why}` };
    return verdict === "allow" && firewall ? beyondFirewall(model, t, firewall, matched, src, destIp, flow, [firewall], api) : matched;
  }
  path.push("no rule matched: denied by default");
  return { verdict: "deny", rule: null, path, reason: "no rule matched" };
}

/**
 * The VNet in whose context Azure DNS answers a VNet's lookups, as far as the output tells:
 * the VNet itself with Azure-provided DNS; the hub, when its DNS server is the hub firewall's
 * DNS proxy (which asks Azure DNS from the hub) or another address inside a VNet of the output
 * (a DNS resolver's inbound endpoint); undefined when the server is elsewhere (on-premises),
 * the firewall forwards to servers of its own, or the address is not known.
 */
function resolvingVnet(model: Model, t: Topology, vnet: Vnet): Vnet | undefined {
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
function forwarded(model: Model, vnet: Vnet, host: string): boolean {
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
function zonesOf(t: Topology, record: Topology["records"][number]): Topology["zones"] {
  return t.zones.filter((z) => z.resource === record.zoneResource);
}

/**
 * Where a flow a firewall allowed goes next, from AzureFirewallSubnet's effective routes: into a
 * VNet peered with the hub (a spoke: its NSG decides), to another region's firewall through a
 * global peering (its rules decide, then its own routes), or out to the Internet.
 */
function beyondFirewall(model: Model, t: Topology, firewall: Firewall, allowed: Explanation, src: bigint | undefined, destIp: bigint | undefined, flow: Flow, seen: Firewall[], api?: ApiServer): Explanation {
  const path = allowed.path;
  const ip = firewall.privateIp === undefined ? undefined : parseIp(firewall.privateIp);
  const subnet = ip?.ok ? t.subnets.find((s) => s.name === "AzureFirewallSubnet" && blocks(s.prefixes).some((b) => containsIp(b, ip.value))) : undefined;
  const internet = () => {
    path.push("leaves Azure SNAT-ed to the firewall's public IP");
    return allowed;
  };
  if (destIp === undefined || subnet?.vnet === undefined) return internet();
  const hub = subnet.vnet;
  const peered = t.peerings.filter((p) => p.from === hub && p.to).map((p) => p.to as Vnet);
  const routes = [
    ...blocks(hub.addressSpace).map((b) => ({ prefix: b, user: false, vnet: hub as Vnet | undefined, name: `${hub.name} address space`, nextHop: undefined as string | undefined, type: "VnetLocal" })),
    ...peered.flatMap((v) => blocks(v.addressSpace).map((b) => ({ prefix: b, user: false, vnet: v as Vnet | undefined, name: `peering to ${v.name}`, nextHop: undefined as string | undefined, type: "VNetPeering" }))),
    ...(subnet.routeTable?.routes ?? []).flatMap((r) => blocks([r.prefix]).map((b) => ({ prefix: b, user: true, vnet: undefined as Vnet | undefined, name: `${subnet.routeTable!.name}/${r.name}`, nextHop: r.nextHop, type: r.nextHopType }))),
  ].filter((r) => containsIp(r.prefix, destIp));
  routes.sort((a, b) => b.prefix.prefix - a.prefix.prefix || (a.user ? -1 : b.user ? 1 : 0));
  const route = routes[0];
  if (route === undefined || route.type === "Internet") return internet();
  if (!route.user) {
    const target = t.subnets.find((s) => s.vnet === route.vnet && blocks(s.prefixes).some((b) => containsIp(b, destIp)));
    path.push(target ? `on through ${route.name} to ${target.vnet?.resource.stack}/${target.name}` : `on into ${route.vnet?.name}`);
    if (api?.privateEndpoint && target === api.subnet) return { ...privateEndpointVerdict(api, path), rule: allowed.rule, reason: `${allowed.reason}; then ${privateEndpointVerdict(api, []).reason}` };
    const nsg = nsgVerdict(model, t, target, src, flow, path);
    return nsg.verdict === "deny" ? nsg : { ...allowed, reason: `${allowed.reason}; then ${nsg.reason}` };
  }
  const next = t.firewalls.find((f) => f.privateIp !== undefined && f.privateIp === route.nextHop);
  path.push(`route ${route.prefix.text} via ${route.name} (${route.type} ${route.nextHop ?? ""})`.trim());
  if (next === undefined || seen.includes(next)) {
    path.push(next ? `back to the firewall ${next.name}: a routing loop` : `to ${route.nextHop ?? "an unknown next hop"}, not a firewall in this output`);
    return { verdict: "deny", rule: allowed.rule, path, reason: "the firewall's subnet routes it somewhere this output cannot follow" };
  }
  path.push(`through the peering to the firewall ${next.name} (${next.privateIp})`);
  const decision = firewallDecision(next.rules, flow, src, destIp, String(model.attr(next.resource, "location") ?? ""));
  if (!decision) {
    path.push(`no rule of ${next.name} matched: denied by default`);
    return { verdict: "deny", rule: null, path, reason: `${allowed.reason}; but no rule of ${next.name} matched` };
  }
  path.push(`${decision.rule.kind} rule ${decision.id} (${decision.rule.action})`);
  const second: Explanation = { verdict: decision.rule.action === "Deny" ? "deny" : "allow", rule: decision.id, path, reason: `${allowed.reason}; then ${next.name}'s ${decision.rule.kind} rule ${decision.id} matched: ${decision.why}` };
  return second.verdict === "allow" ? beyondFirewall(model, t, next, second, src, destIp, flow, [...seen, next], api) : second;
}

function firewallDecision(rules: FirewallRule[], flow: Flow, src: bigint | undefined, destIp: bigint | undefined, location: string) {
  const id = (r: FirewallRule) => `${r.group}/${r.collection}/${r.name}`;
  const fromSource = (r: FirewallRule) => r.sources.some((s) => addressMatches(s, src));
  for (const r of rules.filter((x) => x.kind === "network")) {
    const transport = flow.protocol === "udp" ? "UDP" : "TCP";
    if (!r.protocols.some((p) => p === "Any" || p === transport)) continue;
    if (!fromSource(r) || !portMatches(r.ports, flow.port)) continue;
    const byAddress = r.destinations.some((d) => d.toLowerCase() === flow.host || (/^[\d*]/.test(d) && addressMatches(d, destIp)));
    const byName = r.destinations.some((d) => /[a-z]/i.test(d) && !/^[A-Z]/.test(d) && fqdnMatches(d, flow.host));
    if (byAddress || byName) return { rule: r, id: id(r), why: `${transport} ${flow.port} from ${r.sources.join(", ")} to ${r.destinations.join(", ")}` };
  }
  if (flow.protocol !== "http" && flow.protocol !== "https") return undefined;
  for (const r of rules.filter((x) => x.kind === "application")) {
    const wanted = `${flow.protocol === "https" ? "Https" : "Http"}:${flow.port}`;
    if (!r.protocols.includes(wanted) || !fromSource(r)) continue;
    const direct = r.destinations.find((d) => fqdnMatches(d, flow.host));
    const tag = r.fqdnTags.find((tagName) => (FQDN_TAG_CONTENTS[tagName] ?? []).some((f) => fqdnMatches(f.replace("{location}", location), flow.host)));
    if (direct !== undefined || tag !== undefined) return { rule: r, id: id(r), why: `${wanted} to ${direct ?? `FQDN tag ${tag}`} from ${r.sources.join(", ")}` };
  }
  return undefined;
}

/**
 * The destination's address: a literal IP, or a private record of the output, which on-premises
 * DNS reaches through the hub's DNS resolver (its inbound endpoint), or an existing hub's.
 */
function destinationOf(model: Model, t: Topology, host: string, path: string[]): bigint | undefined {
  const literal = parseIp(host);
  if (literal.ok) return literal.value;
  const record = t.records.find((r) => r.fqdn.toLowerCase() === host);
  if (!record) return undefined;
  const through = model.ofType("azurerm_private_dns_resolver_inbound_endpoint").length > 0 ? "through the DNS resolver's inbound endpoint" : t.firewalls.length === 0 ? "if on-premises DNS forwards to the existing hub's resolver" : "if on-premises DNS can reach it: this hub has no DNS resolver";
  path.push(`${host} resolves to ${record.addresses.join(", ")} (private zone record, ${through})`);
  const ip = parseIp(record.addresses[0]);
  return ip.ok ? ip.value : undefined;
}

/**
 * From on-premises: traffic arrives through the hub's gateway; GatewaySubnet's route table
 * sends each spoke's ranges to the firewall, whose rules (rcg-onprem) decide.
 */
function explainFromOnPremises(model: Model, t: Topology, flow: Flow): Explanation {
  const ranges = noted(model.output.annotations, ON_PREMISES_PREFIX);
  const gatewaySubnet = t.subnets.find((s) => s.name === "GatewaySubnet");
  // A gateway built here, or an existing hub's (its on-premises rule collection group is here).
  const hasGateway = model.ofType("azurerm_virtual_network_gateway").length > 0 || model.ofType("azurerm_firewall_policy_rule_collection_group").some((g) => model.attr(g, "name") === ruleGroupNames.onPremises);
  if (ranges.length === 0 || !hasGateway) throw new ExplainError('--from "onprem": this output has no on-premises connection (hub.gateway and onPremises)');
  const path = [`from on-premises (${ranges.join(", ")}) through the hub's gateway`];
  const src = blocks(ranges)[0].first + 10n;
  const api = parseIp(flow.host).ok ? undefined : apiServerNamed(model, t, flow.host);
  if (api) path.push(apiServerWords(api, flow.host));
  if (api?.privateEndpoint) return privateEndpointFromOnPremises(api, path);
  const destIp = api ? api.ip : destinationOf(model, t, flow.host, path);
  if (destIp === undefined) {
    path.push("not a private address or name of this output: on-premises reaches it without Azure");
    return { verdict: "deny", rule: null, path, reason: "the destination is not in Azure's private address space of this output" };
  }
  const routes = (gatewaySubnet?.routeTable?.routes ?? []).flatMap((r) => blocks([r.prefix]).map((b) => ({ r, b }))).filter((x) => containsIp(x.b, destIp));
  routes.sort((a, b) => b.b.prefix - a.b.prefix);
  const firewall = t.firewalls.find((f) => f.privateIp !== undefined && f.privateIp === routes[0]?.r.nextHop);
  const nextHop = routes[0]?.r.nextHop;
  if (!gatewaySubnet && blocks(t.vnets.flatMap((v) => v.addressSpace)).some((b) => containsIp(b, destIp))) {
    // An existing hub: its GatewaySubnet is not in this output; this environment requires it to send spoke ranges to the firewall.
    path.push("GatewaySubnet belongs to the existing hub (not in this output): it must send the spokes' ranges to the firewall");
    path.push("to the existing firewall (judged on this environment's rule collection groups only)");
    const decision = firewallDecision(firewallRules(model, model.ofType("azurerm_firewall_policy_rule_collection_group")), flow, src, destIp, "");
    if (decision) {
      path.push(`${decision.rule.kind} rule ${decision.id} (${decision.rule.action})`);
      return { verdict: decision.rule.action === "Deny" ? "deny" : "allow", rule: decision.id, path, reason: `${decision.rule.kind} rule ${decision.id} matched: ${decision.why}` };
    }
    path.push("no rule matched: denied by default");
    return { verdict: "deny", rule: null, path, reason: "no rule matched" };
  }
  if (!routes[0]) {
    // Into the hub itself: no firewall on the path; the destination subnet's NSG decides.
    const subnet = t.subnets.find((s) => blocks(s.prefixes).some((b) => containsIp(b, destIp)));
    if (!subnet) {
      path.push(`GatewaySubnet has no route for it, and no subnet of the output holds ${flow.host}`);
      return { verdict: "deny", rule: null, path, reason: `${flow.host} is in no subnet of this output: nothing there answers` };
    }
    path.push(`GatewaySubnet has no route for it: straight to ${subnet.vnet?.resource.stack}/${subnet.name}, not through the firewall`);
    return nsgVerdict(model, t, subnet, src, flow, path);
  }
  path.push(`GatewaySubnet route ${routes[0].r.prefix} via ${gatewaySubnet!.routeTable!.name}/${routes[0].r.name} (${routes[0].r.nextHopType} ${nextHop ?? ""})`.trim());
  const rules = firewall ? firewall.rules : firewallRules(model, model.ofType("azurerm_firewall_policy_rule_collection_group"));
  path.push(firewall ? `to the firewall ${firewall.name} (${firewall.privateIp})` : `to the existing firewall (${routes[0].r.nextHop})`);
  const decision = firewallDecision(rules, flow, src, destIp, "");
  // An address of a node subnet may be its cluster's API server private endpoint, which the firewall never sees.
  const endpoint = t.clusters.find((c) => c.apiServerSubnet === undefined && c.nodeSubnet && blocks(c.nodeSubnet.prefixes).some((b) => containsIp(b, destIp)));
  const unless = endpoint && flow.port === 443 && flow.protocol !== "udp"
    ? `; unless ${flow.host} is ${endpoint.name}'s API server private endpoint (AKS picks its address in ${endpoint.nodeSubnet!.name}): its /32 route, propagated to the hub, beats GatewaySubnet's, so on-premises reaches it directly, both ways, and the firewall neither sees nor logs it`
    : "";
  if (unless) path.push(`if ${flow.host} is ${endpoint!.name}'s API server private endpoint: reached directly through its /32 route, not through the firewall (not logged)`);
  if (decision) {
    path.push(`${decision.rule.kind} rule ${decision.id} (${decision.rule.action})`);
    return { verdict: decision.rule.action === "Deny" ? "deny" : "allow", rule: decision.id, path, reason: `${decision.rule.kind} rule ${decision.id} matched: ${decision.why}${unless}` };
  }
  path.push("no rule matched: denied by default");
  return { verdict: "deny", rule: null, path, reason: `no rule matched${unless}` };
}

/**
 * On-premises to a cluster's API server private endpoint: the endpoint's /32 route, propagated
 * to the hub's VNet and so to the gateway, is longer than GatewaySubnet's route for the spoke
 * (Microsoft Learn, "What is a private endpoint?": private endpoints add /32 routes to the VNet
 * and its peers; read 2026-12-07), so the traffic goes straight to it, both ways.
 */
function privateEndpointFromOnPremises(api: ApiServer, path: string[]): Explanation {
  path.push("the private endpoint's /32 route, propagated to the hub, beats GatewaySubnet's route to the spoke: straight to it, not through the firewall");
  path.push("no NSG applies to a private endpoint; the firewall neither sees nor logs this traffic");
  return {
    verdict: "allow",
    rule: null,
    path,
    reason: `on-premises reaches ${api.cluster.name}'s API server private endpoint directly, both ways: the firewall neither sees nor logs it (for a path it logs, use the spoke's subnets.apiServer, API Server VNet Integration)`,
  };
}

/**
 * What the `VirtualNetwork` service tag covers in an NSG of `vnet` (Microsoft Learn, "Virtual
 * network service tags": the VNet's address space, peered VNets, connected on-premises
 * address spaces, and the prefixes of user-defined routes; read 2026-12-07).
 */
function virtualNetworkTag(t: Topology, vnet: Vnet | undefined): Cidr[] {
  if (vnet === undefined) return [];
  const peers = t.peerings.filter((p) => p.from === vnet || p.to === vnet).flatMap((p) => [p.from, p.to]);
  const routes = vnet.subnets.flatMap((s) => s.routeTable?.routes ?? []).map((r) => r.prefix);
  return [...blocks([...new Set([vnet, ...peers])].flatMap((v) => v?.addressSpace ?? [])), ...blocks(t.onPremises), ...blocks(routes)];
}

/** Azure's default NSG rules that decide what custom rules do not. */
function nsgVerdict(model: Model, t: Topology, subnet: Subnet | undefined, src: bigint | undefined, flow: Flow, path: string[]): Explanation {
  if (!subnet?.nsg) {
    path.push("no NSG on the destination subnet");
    return { verdict: "allow", rule: null, path, reason: "traffic between peered networks is allowed when no NSG says otherwise" };
  }
  const nsgName = String(model.attr(subnet.nsg, "name"));
  const rules = model
    .ofType("azurerm_network_security_rule")
    .filter((r) => model.target(model.attr(r, "network_security_group_name")) === subnet.nsg || model.attr(r, "network_security_group_name") === nsgName)
    .map((r) => model.attrs(r))
    .filter((r) => r.direction === "Inbound")
    .sort((a, b) => a.priority - b.priority);
  const virtualNetwork = virtualNetworkTag(t, subnet.vnet);
  const matchesAddress = (a: string) => (a === "VirtualNetwork" ? src !== undefined && virtualNetwork.some((b) => containsIp(b, src)) : a === "Internet" ? false : addressMatches(a, src));
  for (const r of rules) {
    const sources = [r.source_address_prefix, ...(r.source_address_prefixes ?? [])].filter((x) => x !== undefined);
    const ports = [r.destination_port_range, ...(r.destination_port_ranges ?? [])].filter((x) => x !== undefined);
    const protocolOk = r.protocol === "*" || r.protocol.toLowerCase() === (flow.protocol === "udp" ? "udp" : "tcp");
    if (protocolOk && sources.some(matchesAddress) && portMatches(ports, flow.port)) {
      const rule = `nsg/${nsgName}/${r.name}`;
      path.push(`NSG rule ${rule} (${r.access})`);
      return { verdict: r.access === "Allow" ? "allow" : "deny", rule, path, reason: `NSG ${nsgName} rule ${r.name} (priority ${r.priority}) matched` };
    }
  }
  path.push(`NSG ${nsgName}: Azure's default AllowVnetInBound`);
  return { verdict: "allow", rule: `nsg/${nsgName}/AllowVnetInBound`, path, reason: "no custom rule matched; Azure's default rule allows traffic from the virtual network" };
}


/** What one public IP of the output is for, from what it is attached to. */
function publicIpRole(model: Model, ip: Topology["publicIps"][number], t: Topology): { kind: "firewall" | "firewall-management" | "bastion" | "gateway" | "other"; owner?: string } {
  const owner = ip.attachedTo[0];
  if (owner === undefined) return { kind: "other" };
  const name = String(model.attr(owner, "name") ?? owner.path);
  if (owner.type === "azurerm_firewall") {
    const firewall = t.firewalls.find((f) => f.resource === owner);
    return { kind: firewall?.egressIps.includes(ip.resource) ? "firewall" : "firewall-management", owner: name };
  }
  if (owner.type === "azurerm_bastion_host") return { kind: "bastion", owner: name };
  if (owner.type === "azurerm_virtual_network_gateway") return { kind: "gateway", owner: name };
  return { kind: "other", owner: name };
}

/**
 * From the Internet, inbound: only the output's public IPs can be reached, and each accepts only
 * what its service does (the firewall forwards nothing without DNAT rules; Bastion takes TLS on
 * 443; a VPN gateway IPsec/IKE from the declared devices and, with point-to-site, OpenVPN
 * signed in with Entra ID). A private address or name is reachable from nowhere on the Internet.
 */
function explainFromInternet(model: Model, t: Topology, flow: Flow): Explanation {
  const roles = t.publicIps.map((ip) => ({ ip, ...publicIpRole(model, ip, t) }));
  const listed = roles.map((r) => `${r.ip.name} (${r.kind === "firewall" ? `${r.owner}'s egress` : r.kind === "firewall-management" ? `${r.owner}'s management` : r.owner ?? "attached to nothing"})`);
  const path = [`from the Internet; the output's public IPs: ${listed.join(", ") || "none"}`];
  const dnat = model.ofType("azurerm_firewall_policy_rule_collection_group").some((g) => (model.attr(g, "nat_rule_collection") ?? []).length > 0);
  const host = flow.host;
  const literal = parseIp(host);
  const privateName = !literal.ok && (t.records.some((r) => r.fqdn.toLowerCase() === host) || apiServerNamed(model, t, host) !== undefined);
  const inVnets = literal.ok && blocks([...t.vnets.flatMap((v) => v.addressSpace), ...t.onPremises]).some((b) => containsIp(b, literal.value));
  if (privateName || inVnets || (literal.ok && isPrivate(blocks([`${host}/32`])[0]))) {
    path.push(`${host} is a private ${privateName ? "name" : "address"}: no route from the Internet leads to it, and no public IP of this output forwards to it${dnat ? "" : " (the firewall has no DNAT rules)"}`);
    return { verdict: "deny", rule: null, path, reason: "no private address of this output is reachable from the Internet" };
  }
  const target = roles.find((r) => r.ip.name.toLowerCase() === host || String(model.attr(r.ip.resource, "domain_name_label") ?? "").toLowerCase() === host.split(".")[0]);
  if (!target) {
    path.push(`${host} is not a public IP of this output by name (their addresses are assigned at deploy time: ask by name, e.g. ${roles[0]?.ip.name ?? "pip-<env>-afw"})`);
    return { verdict: "deny", rule: null, path, reason: roles.length === 0 ? "this output has no public IP: nothing of it is reachable from the Internet" : `not one of this output's public IPs (${roles.map((r) => r.ip.name).join(", ")}): nothing else of it is reachable from the Internet` };
  }
  const tcp = flow.protocol !== "udp";
  const at = `${target.ip.name}, ${target.kind === "firewall" ? `${target.owner}'s egress address` : target.kind === "firewall-management" ? `${target.owner}'s management address` : `attached to ${target.owner ?? "nothing"}`}`;
  path.push(`to ${at}`);
  switch (target.kind) {
    case "firewall":
      if (dnat) {
        path.push("the firewall's policy has DNAT rules: this output does not judge them");
        return { verdict: "allow", rule: null, path, reason: "the firewall has DNAT rules, which may forward it inward" };
      }
      path.push("no DNAT rule: the firewall forwards nothing that arrives from the Internet; the address carries egress and its replies only");
      return { verdict: "deny", rule: null, path, reason: `${target.ip.name} is the firewall's egress address and the firewall has no DNAT rules` };
    case "firewall-management":
      path.push("the firewall's management address: Azure's platform uses it to run the firewall; it forwards nothing");
      return { verdict: "deny", rule: null, path, reason: `${target.ip.name} serves the firewall's management traffic only` };
    case "bastion":
      if (tcp && flow.port === 443) {
        path.push("Azure Bastion's front end: TLS on 443, signed in with Entra ID (the portal, or az network bastion ssh/tunnel); Bastion itself opens SSH to the VMs, no private address is exposed");
        return { verdict: "allow", rule: null, path, reason: "Azure Bastion accepts TLS on 443 (Entra ID sign-in) and reaches the VMs itself" };
      }
      path.push("Azure Bastion accepts TLS on 443 only");
      return { verdict: "deny", rule: null, path, reason: `Azure Bastion does not accept ${flow.protocol.toUpperCase()} ${flow.port}` };
    case "gateway": {
      const devices = t.devices;
      const p2s = t.gateways.find((g) => g.publicIps.includes(target.ip))?.pointToSite === true;
      if (!tcp && (flow.port === 500 || flow.port === 4500) && devices.length > 0) {
        path.push(`IPsec/IKE: tunnels only with the declared devices (${devices.join(", ")}), each authenticated by its shared key`);
        return { verdict: "allow", rule: null, path, reason: `the VPN gateway accepts IPsec/IKE (UDP ${flow.port}) from its declared devices only` };
      }
      if (tcp && flow.port === 443 && p2s) {
        path.push("point-to-site OpenVPN: clients sign in with Entra ID (the Azure VPN Client); no certificate or shared secret");
        return { verdict: "allow", rule: null, path, reason: "the VPN gateway accepts OpenVPN on 443 from clients that sign in with Entra ID" };
      }
      path.push(`the VPN gateway accepts ${devices.length > 0 ? "IPsec/IKE (UDP 500, 4500) from its declared devices" : "no site-to-site tunnel"}${p2s ? " and OpenVPN on TCP 443 with Entra ID sign-in" : ""}, nothing else`);
      return { verdict: "deny", rule: null, path, reason: `the VPN gateway does not accept ${flow.protocol.toUpperCase()} ${flow.port}` };
    }
    default:
      path.push(`attached to ${target.owner ?? "nothing"}: what it accepts is that resource's (and its NSG's) to say, not judged here`);
      return { verdict: "allow", rule: null, path, reason: `${target.ip.name} is a public endpoint this output does not judge: take it as reachable` };
  }
}
