/** The firewall: its policy in Azure Firewall's processing order, and where an allowed flow goes next. */
import { FQDN_TAG_CONTENTS } from "../../domain/aks-egress-catalog";
import { containsIp, parseIp } from "../../net/cidr";
import { type Model } from "../../output/model";
import { type Firewall, type FirewallRule, type Topology, type Vnet } from "../../output/topology";
import { type Explanation, type Flow, addressMatches, blocks, fqdnMatches, portMatches } from "./flow";
import { type ApiServer } from "./dns";
import { nsgVerdict, privateEndpointVerdict } from "./nsg";

export function firewallDecision(rules: FirewallRule[], flow: Flow, src: bigint | undefined, destIp: bigint | undefined, location: string) {
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
 * Where a flow a firewall allowed goes next, from AzureFirewallSubnet's effective routes: into a
 * VNet peered with the hub (a spoke: its NSG decides), to another region's firewall through a
 * global peering (its rules decide, then its own routes), or out to the Internet.
 */
export function beyondFirewall(model: Model, t: Topology, firewall: Firewall, allowed: Explanation, src: bigint | undefined, destIp: bigint | undefined, flow: Flow, seen: Firewall[], api?: ApiServer): Explanation {
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
