/** NSGs: the destination subnet's rules, with the VirtualNetwork tag as Azure computes it, and private endpoints, which no NSG judges. */
import { type Cidr, containsIp } from "../../net/cidr";
import { type Model } from "../../output/model";
import { type Subnet, type Topology, type Vnet } from "../../output/topology";
import { type Explanation, type Flow, addressMatches, blocks, portMatches } from "./flow";
import { type ApiServer } from "./dns";

/**
 * What the `VirtualNetwork` service tag covers in an NSG of `vnet` (Microsoft Learn, "Virtual
 * network service tags": the VNet's address space, peered VNets, connected on-premises
 * address spaces, and the prefixes of user-defined routes; read 2026-12-07).
 */
export function virtualNetworkTag(t: Topology, vnet: Vnet | undefined): Cidr[] {
  if (vnet === undefined) return [];
  const peers = t.peerings.filter((p) => p.from === vnet || p.to === vnet).flatMap((p) => [p.from, p.to]);
  const routes = vnet.subnets.flatMap((s) => s.routeTable?.routes ?? []).map((r) => r.prefix);
  return [...blocks([...new Set([vnet, ...peers])].flatMap((v) => v?.addressSpace ?? [])), ...blocks(t.onPremises), ...blocks(routes)];
}
/** Azure's default NSG rules that decide what custom rules do not. */
export function nsgVerdict(model: Model, t: Topology, subnet: Subnet | undefined, src: bigint | undefined, flow: Flow, path: string[]): Explanation {
  if (!subnet?.nsg) {
    path.push("no NSG on the destination subnet");
    return { verdict: "allow", rule: null, path, reason: "traffic inside a virtual network and between peered ones is allowed when no NSG says otherwise" };
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
/** A private endpoint takes what reaches it: NSGs apply to it only with network policies for private endpoints on, which the node subnet leaves off. */
export function privateEndpointVerdict(api: ApiServer, path: string[]): Explanation {
  path.push(`the private endpoint of ${api.cluster.name}'s API server: no NSG applies to it (network policies for private endpoints are off in ${api.subnet.name})`);
  return { verdict: "allow", rule: null, path, reason: `reaches ${api.cluster.name}'s API server private endpoint; no NSG applies to a private endpoint there` };
}
