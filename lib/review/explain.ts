/**
 * "Would this flow leave the spoke, and why?" decided from the synthesized output as Azure
 * would decide it: the source subnet's effective route for the destination (its own VNet and
 * peered VNets stay inside, user-defined routes win on longer prefixes and on ties), then, for
 * traffic sent to the firewall, the policy in Azure Firewall's processing order (network rules
 * before application rules; within each by rule collection group, then rule collection
 * priority; first match wins; nothing matched: denied), and for traffic that stays inside, the
 * destination subnet's NSG.
 */
import { FQDN_TAG_CONTENTS } from "../constructs/aks-egress-catalog";
import { type Cidr, containsIp, parseCidr, parseIp } from "../net/cidr";
import { ON_PREMISES_PREFIX } from "../policy/guardrails";
import type { Model } from "./model";
import { type Firewall, type FirewallRule, firewallRules, first, type Subnet, type Topology, topology, type Vnet } from "./topology";

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
const ROLES: Record<string, string> = {
  nodes: "snet-nodes",
  ingress: "snet-ingress",
  apiServer: "snet-apiserver",
  jumpbox: "snet-jumpbox",
  bastion: "AzureBastionSubnet",
  firewall: "AzureFirewallSubnet",
  dnsResolverInbound: "snet-dns-inbound",
  dnsResolverOutbound: "snet-dns-outbound",
};

/** Finds the source: `<spoke>` (its node subnet) or `<spoke>/<subnet>`, where spoke is a stack id or its last part. */
function findSource(t: Topology, from: string): Source {
  const [place, subnetName = "nodes"] = from.split("/");
  const candidates = t.vnets.filter((v) => v.resource.stack === place || v.resource.stack.endsWith(`-${place}`));
  // Short names (aks1, hub) where they are unique; stack ids where several environments share one.
  const valid = () => {
    const short = t.vnets.map((v) => v.resource.stack.replace(/^.*?-/, ""));
    return t.vnets.map((v, i) => (short.filter((n) => n === short[i]).length > 1 ? v.resource.stack : short[i])).sort().join(", ");
  };
  if (candidates.length === 0) throw new ExplainError(`--from ${JSON.stringify(from)}: no spoke or hub of that name; valid: ${valid()} (add /<subnet> for another subnet)`);
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

/** Explains one flow against a synthesized output. */
export function explain(model: Model, flow: Flow): Explanation {
  const t = topology(model);
  if (flow.from === "onprem") return explainFromOnPremises(model, t, flow);
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
  const destIp = literal.ok ? literal.value : record ? (parseIp(record.addresses[0]).ok ? (parseIp(record.addresses[0]) as { ok: true; value: bigint }).value : undefined) : undefined;
  if (record) path.push(`${flow.host} resolves to ${record.addresses.join(", ")} (private zone record)`);

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
    return nsgVerdict(model, t, subnet, source, src, flow, path);
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
    return verdict === "allow" && firewall ? beyondFirewall(model, t, firewall, matched, source, src, destIp, flow, [firewall]) : matched;
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
function beyondFirewall(model: Model, t: Topology, firewall: Firewall, allowed: Explanation, source: Source, src: bigint | undefined, destIp: bigint | undefined, flow: Flow, seen: Firewall[]): Explanation {
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
    const nsg = nsgVerdict(model, t, target, source, src, flow, path);
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
  return second.verdict === "allow" ? beyondFirewall(model, t, next, second, source, src, destIp, flow, [...seen, next]) : second;
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
  const note = model.output.annotations.find((a) => a.message.startsWith(ON_PREMISES_PREFIX));
  const ranges: string[] = note ? JSON.parse(note.message.slice(ON_PREMISES_PREFIX.length)) : [];
  const gatewaySubnet = t.subnets.find((s) => s.name === "GatewaySubnet");
  // A gateway built here, or an existing hub's (its on-premises rule collection group is here).
  const hasGateway = model.ofType("azurerm_virtual_network_gateway").length > 0 || model.ofType("azurerm_firewall_policy_rule_collection_group").some((g) => model.attr(g, "name") === "rcg-onprem");
  if (ranges.length === 0 || !hasGateway) throw new ExplainError('--from "onprem": this output has no on-premises connection (hub.gateway and onPremises)');
  const path = [`from on-premises (${ranges.join(", ")}) through the hub's gateway`];
  const src = blocks(ranges)[0].first + 10n;
  const destIp = destinationOf(model, t, flow.host, path);
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
    path.push("GatewaySubnet has no route for it: it stays in the hub, not through the firewall");
    return { verdict: "allow", rule: null, path, reason: "the destination is in the hub itself; no firewall on the path" };
  }
  path.push(`GatewaySubnet route ${routes[0].r.prefix} via ${gatewaySubnet!.routeTable!.name}/${routes[0].r.name} (${routes[0].r.nextHopType} ${nextHop ?? ""})`.trim());
  const rules = firewall ? firewall.rules : firewallRules(model, model.ofType("azurerm_firewall_policy_rule_collection_group"));
  path.push(firewall ? `to the firewall ${firewall.name} (${firewall.privateIp})` : `to the existing firewall (${routes[0].r.nextHop})`);
  const decision = firewallDecision(rules, flow, src, destIp, "");
  if (decision) {
    path.push(`${decision.rule.kind} rule ${decision.id} (${decision.rule.action})`);
    return { verdict: decision.rule.action === "Deny" ? "deny" : "allow", rule: decision.id, path, reason: `${decision.rule.kind} rule ${decision.id} matched: ${decision.why}` };
  }
  path.push("no rule matched: denied by default");
  return { verdict: "deny", rule: null, path, reason: "no rule matched" };
}

/** Azure's default NSG rules that decide what custom rules do not. */
function nsgVerdict(model: Model, t: Topology, subnet: Subnet | undefined, source: Source, src: bigint | undefined, flow: Flow, path: string[]): Explanation {
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
  const virtualNetwork = [source.vnet, ...t.peerings.filter((p) => p.from === source.vnet).map((p) => p.to)].flatMap((v) => blocks(v?.addressSpace ?? []));
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

