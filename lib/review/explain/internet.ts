/** From the Internet: what the output's public IPs accept. */
import { containsIp, parseIp } from "../../net/cidr";
import { isPrivate } from "../../net/special-ranges";
import { type Model } from "../../output/model";
import { type Topology } from "../../output/topology";
import { type Explanation, type Flow, blocks } from "./flow";
import { apiServerNamed } from "./dns";
import { runtimeInboundLine, stackOfAddress } from "./runtime";

/** What one public IP of the output is for, from what it is attached to. */
export function publicIpRole(model: Model, ip: Topology["publicIps"][number], t: Topology): { kind: "firewall" | "firewall-management" | "bastion" | "gateway" | "other"; owner?: string } {
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
export function explainFromInternet(model: Model, t: Topology, flow: Flow): Explanation {
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
    // The spoke it lives in, when known: its runtime policy keeps it unreachable after deploy too.
    const record = t.records.find((r) => r.fqdn.toLowerCase() === host);
    const address = literal.ok ? literal.value : record ? (parseIp(record.addresses[0] ?? "") as { ok: boolean; value?: bigint }).value : undefined;
    const runtime = runtimeInboundLine(model, stackOfAddress(t, address));
    if (runtime) path.push(runtime);
    return { verdict: "deny", rule: null, path, reason: "no private address of this output is reachable from the Internet" };
  }
  const target = roles.find((r) => r.ip.name.toLowerCase() === host || String(model.attr(r.ip.resource, "domain_name_label") ?? "").toLowerCase() === host.split(".")[0]);
  if (!target) {
    path.push(`${host} is not a public IP of this output by name (their addresses are assigned at deploy time: ask by name, e.g. ${roles[0]?.ip.name ?? "pip-<env>-afw"})`);
    const runtime = runtimeInboundLine(model);
    if (runtime) path.push(runtime);
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
