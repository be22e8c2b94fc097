/** The hub: one built here or an existing one, and its jumpbox. */
import { cidr, containsIp, parseIp } from "../../net/cidr";
import { type Problem, quote } from "../../core/problem";
import { type Environment, firewallSchema } from "../schema";

/** Linux user names Azure refuses for a VM's administrator. */
export const RESERVED_ADMIN_USERNAMES = [
  "admin", "administrator", "root", "user", "user1", "test", "test1", "guest", "sys", "support", "backup", "console",
  "server", "sql", "owner", "actuser", "adm", "demo", "david", "john", "a", "aspnet", "db2admin", "sa", "user2",
];
/** The jumpbox: its subnet and its settings come together; a user name Azure accepts. */
export function checkJumpbox(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const sub = env.hub.subnets;
  if (sub.jumpbox !== undefined && env.hub.jumpbox === undefined) {
    add("hub.jumpbox", "is required when hub.subnets.jumpbox is set: give at least sshPublicKey (a public key or a file path)");
  }
  if (env.hub.jumpbox !== undefined && sub.jumpbox === undefined) {
    add("hub.subnets.jumpbox", "is required when hub.jumpbox is set: the VM needs a subnet, e.g. a /29 or larger");
  }
  if (env.hub.jumpbox && RESERVED_ADMIN_USERNAMES.includes(env.hub.jumpbox.adminUsername)) {
    add("hub.jumpbox.adminUsername", `${quote(env.hub.jumpbox.adminUsername)} is reserved by Azure; choose another name, e.g. azureops`);
  }
  return problems;
}
/** A hub built here needs its firewall subnet; an existing hub takes only addressSpace and dns. */
export function checkHubShape(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const hub = env.hub;
  if (!hub.existing) {
    if (hub.subnets.firewall === undefined) problems.push({ path: "hub.subnets.firewall", message: "is required (AzureFirewallSubnet, a /26 or larger), unless hub.existing names a hub that is already there" });
    return problems;
  }
  for (const [role, value] of Object.entries(hub.subnets)) {
    if (value !== undefined) problems.push({ path: `hub.subnets.${role}`, message: "must not be set with hub.existing: the existing hub's subnets are not this environment's to create" });
  }
  if (hub.jumpbox) problems.push({ path: "hub.jumpbox", message: "must not be set with hub.existing: a jumpbox would go into the existing hub" });
  // The existing hub's firewall is configured where it was built: settings here would do nothing.
  const defaults = firewallSchema.parse({});
  for (const [key, value] of Object.entries(hub.firewall)) {
    if (JSON.stringify(value) !== JSON.stringify((defaults as Record<string, unknown>)[key])) {
      problems.push({ path: `hub.firewall.${key}`, message: `must not be set with hub.existing: the existing hub's firewall is configured where it was built${key === "dnsProxy" ? "; say whether its DNS proxy is on with hub.existing.dnsProxy" : ""}` });
    }
  }
  if (hub.gateway) problems.push({ path: "hub.gateway", message: "must not be set with hub.existing; set hub.existing.gateway: true when the existing hub has one" });
  const ip = parseIp(hub.existing.firewallPrivateIp);
  if (!ip.ok) problems.push({ path: "hub.existing.firewallPrivateIp", message: `${quote(hub.existing.firewallPrivateIp)} is not an IPv4 address` });
  else if (!hub.addressSpace.some((a) => containsIp(cidr(a), ip.value))) {
    problems.push({ path: "hub.existing.firewallPrivateIp", message: `${hub.existing.firewallPrivateIp} is not inside hub.addressSpace (${hub.addressSpace.join(", ")}); give the existing hub's address space` });
  } else {
    // Azure gives no host a subnet's network or broadcast address; those of the whole space are both.
    const edge = hub.addressSpace.map((a) => cidr(a)).find((b) => b.first === ip.value || b.last === ip.value);
    if (edge) problems.push({ path: "hub.existing.firewallPrivateIp", message: `${hub.existing.firewallPrivateIp} is the ${edge.first === ip.value ? "network" : "broadcast"} address of ${edge.text}, which no host has; give the firewall's private IP (AzureFirewallSubnet's fourth address, e.g. x.x.x.4)` });
  }
  return problems;
}
/** Whether the spokes use the hub firewall's DNS proxy as their DNS server: a new hub's or an existing one's. */
export function spokesUseFirewallDns(env: Environment): boolean {
  return env.hub.existing ? env.hub.existing.dnsProxy : env.hub.firewall.dnsProxy;
}
