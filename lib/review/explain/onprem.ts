/** From on-premises, through the hub's gateway. */
import { containsIp, parseIp } from "../../net/cidr";
import { type Model } from "../../output/model";
import { firewallRules, type Topology } from "../../output/topology";
import { ExplainError, type Explanation, type Flow, blocks } from "./flow";
import { type ApiServer, apiServerNamed, apiServerWords, destinationOf } from "./dns";
import { nsgVerdict } from "./nsg";
import { firewallDecision } from "./firewall";

/**
 * From on-premises: traffic arrives through the hub's gateway; GatewaySubnet's route table
 * sends each spoke's ranges to the firewall, whose rules (rcg-onprem) decide.
 */
export function explainFromOnPremises(model: Model, t: Topology, flow: Flow): Explanation {
  // The topology's on-premises ranges: empty unless a gateway (built here, or an existing hub's) connects them.
  const ranges = t.onPremises;
  const gatewaySubnet = t.subnets.find((s) => s.name === "GatewaySubnet");
  if (ranges.length === 0) throw new ExplainError('--from "onprem": this output has no on-premises connection (hub.gateway and onPremises)');
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
export function privateEndpointFromOnPremises(api: ApiServer, path: string[]): Explanation {
  path.push("the private endpoint's /32 route, propagated to the hub, beats GatewaySubnet's route to the spoke: straight to it, not through the firewall");
  path.push("no NSG applies to a private endpoint; the firewall neither sees nor logs this traffic");
  return {
    verdict: "allow",
    rule: null,
    path,
    reason: `on-premises reaches ${api.cluster.name}'s API server private endpoint directly, both ways: the firewall neither sees nor logs it (for a path it logs, use the spoke's subnets.apiServer, API Server VNet Integration)`,
  };
}
