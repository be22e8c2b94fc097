/**
 * "Would this flow leave the spoke, and why?" decided from the synthesized output as Azure
 * would decide it: the source subnet's effective route for the destination (its own VNet and
 * peered VNets stay inside, user-defined routes win on longer prefixes and on ties), then, for
 * traffic sent to the firewall, the policy in Azure Firewall's processing order (network rules
 * before application rules; within each by rule collection group, then rule collection
 * priority; first match wins; nothing matched: denied), and for traffic that stays inside, the
 * destination subnet's NSG.
 */
import { SUBNET_NAMES } from "../domain/naming";
import { type Cidr, containsIp, parseIp } from "../net/cidr";
import { type Model } from "../output/model";
import { firewallRules, type Subnet, type Topology, topology, type Vnet } from "../output/topology";
import { ExplainError, type Explanation, type Flow, blocks } from "./explain/flow";
import { apiServerNamed, apiServerWords, forwarded, isolatedClusterIn, privateEndpointNamed, resolvingVnet, zonesOf } from "./explain/dns";
import { NETWORK_ISOLATION } from "../domain/network-isolation";
import { nsgVerdict, privateEndpointVerdict } from "./explain/nsg";
import { beyondFirewall, firewallDecision } from "./explain/firewall";
import { explainFromOnPremises } from "./explain/onprem";
import { explainFromInternet } from "./explain/internet";

export { ExplainError, fqdnMatches, parseDestination, type Explanation, type Flow, type Protocol } from "./explain/flow";

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
  // A registry's or vault's public name leads to its private endpoint where its privatelink zone is linked (Azure writes the record at deploy time).
  const answeredIn = resolvingVnet(model, t, source.vnet);
  const endpoint = literal.ok || record || api ? undefined : privateEndpointNamed(model, t, flow.host, answeredIn);
  const destIp = literal.ok ? literal.value : record ? (parseIp(record.addresses[0]).ok ? (parseIp(record.addresses[0]) as { ok: true; value: bigint }).value : undefined) : (api?.ip ?? endpoint?.ip);
  if (record) path.push(`${flow.host} resolves to ${record.addresses.join(", ")} (private zone record)`);
  if (api) path.push(apiServerWords(api, flow.host));
  const isolated = isolatedClusterIn(t, source.subnet);
  if (endpoint) {
    path.push(`${flow.host} resolves to the private endpoint of ${endpoint.name} in ${endpoint.subnet.vnet?.resource.stack}/${endpoint.subnet.name} (its record in ${endpoint.zone.name}${answeredIn ? `, linked to ${answeredIn.name}` : ""}; an address Azure picks there at deploy time)`);
    if (isolated?.isolatedFrom?.registry === endpoint.service) path.push(`${isolated.name} is network-isolated: its bootstrap and system images come from this registry's cache of ${NETWORK_ISOLATION.upstreamRegistry}, over this path`);
  }

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
    if (decision.rule.tlsInspected && decision.rule.action !== "Deny") path.push("the firewall decrypts and inspects it (TLS inspection): the client must trust the firewall's CA");
    const matched: Explanation = { verdict, rule: decision.id, path, reason: `${decision.rule.kind} rule ${decision.id} matched: ${decision.why}` };
    return verdict === "allow" && firewall ? beyondFirewall(model, t, firewall, matched, src, destIp, flow, [firewall], api) : matched;
  }
  path.push("no rule matched: denied by default");
  const upstream = NETWORK_ISOLATION.upstreamRegistry;
  if (isolated && (flow.host === upstream || flow.host.endsWith(`.${upstream}`))) {
    const registry = isolated.isolatedFrom?.registry ? `${isolated.isolatedFrom.name}.azurecr.io` : "<registry>.azurecr.io";
    path.push(`${isolated.name} is network-isolated: AKS pulls its own images through ${isolated.isolatedFrom?.name}'s cache instead, and a workload pulls ${upstream}/<path> as ${registry}/${NETWORK_ISOLATION.cachedRepositoryPrefix}/<path>`);
  }
  return { verdict: "deny", rule: null, path, reason: "no rule matched" };
}
