/**
 * Cross-field rules of the environment file that are not address math: references between
 * fields, Azure naming and SKU constraints. Pure; returns every problem found.
 */
import * as path from "path";
import { DOCKER_HUB, hostAllowed, parseImage } from "../domain/image";
import { bytes, millicores } from "../domain/quantity";
import { AKS_EGRESS_CATALOG, FQDN_TAG_CONTENTS, selectEgress } from "../domain/aks-egress-catalog";
import { secretIn } from "../core/secrets";
import { cidr, contains, containsIp, formatIp, parseCidr, parseIp } from "../net/cidr";
import { isPrivate, reservedOverlap } from "../net/special-ranges";
import { checkKubernetesVersion } from "../domain/aks-versions";
import { AZURE_REGIONS, suggestRegion } from "../domain/azure-regions";
import { getPublicSuffix } from "tldts";
import { AZURE_LIMITS, DEFAULTS, SECRETS_MOUNT_PATH } from "../domain/defaults";
import { type Problem, quote } from "../core/problem";
import { type Environment, firewallSchema } from "./schema";
import { ephemeralMisfit, vmCapacity } from "../domain/vm-sizes";
import { isSampleKey } from "./ssh-key";
import { rotationName, ruleGroupNames, stackIds, SYSTEM_POOL } from "../domain/naming";

/** Linux user names Azure refuses for a VM's administrator. */
export const RESERVED_ADMIN_USERNAMES = [
  "admin", "administrator", "root", "user", "user1", "test", "test1", "guest", "sys", "support", "backup", "console",
  "server", "sql", "owner", "actuser", "adm", "demo", "david", "john", "a", "aspnet", "db2admin", "sa", "user2",
];

/** A forwarding rule's domain: labels separated by dots, ending with the dot. */
const FORWARD_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+$/i;

export function checkRules(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  problems.push(...checkLocation(env.location));

  // Spoke names become stack ids `<env>-<spoke>` and `<env>-<spoke>-apps`.
  const seen = new Map<string, number>();
  env.spokes.forEach((s, i) => {
    const first = seen.get(s.name);
    if (first !== undefined) add(`spokes.${i}.name`, `${quote(s.name)} is already the name of spokes.${first}; spoke names must be unique`);
    else seen.set(s.name, i);
    if (s.name === "hub") add(`spokes.${i}.name`, `"hub" is taken by the hub stack (${env.name}-hub); choose another name`);
    // Spoke names become rule collection group and IP group names next to the hub's own.
    else if (s.name === "jumpbox" || s.name === "onprem") add(`spokes.${i}.name`, `${quote(s.name)} is taken by the hub's rule collection group ${s.name === "jumpbox" ? ruleGroupNames.jumpbox : ruleGroupNames.onPremises}; choose another name`);
    else if (s.name.startsWith("peer-")) add(`spokes.${i}.name`, `${quote(s.name)} starts with "peer-", which names the rule collection groups of global peerings (${ruleGroupNames.peering("<environment>")}); choose another name`);
    if (s.name.endsWith("-apps")) add(`spokes.${i}.name`, `${quote(s.name)} would collide with the apps stack of spoke ${quote(s.name.slice(0, -5))}; drop the -apps suffix`);
  });

  // Firewall SKU constraints.
  const fw = env.hub.firewall;
  const sub = env.hub.subnets;
  if (fw.tier === "Basic") {
    if (!sub.firewallManagement) add("hub.subnets.firewallManagement", "is required with hub.firewall.tier Basic (its management IP configuration lives there); add a /26");
    if (fw.dnsProxy) add("hub.firewall.dnsProxy", "Basic tier has no DNS proxy; set dnsProxy: false or use tier Standard");
    if (fw.threatIntelMode === "Deny") add("hub.firewall.threatIntelMode", "Basic tier supports threat intelligence in Alert mode only; set Alert or use tier Standard");
  }

  if (fw.idps !== undefined && fw.tier !== "Premium") add("hub.firewall.idps", `intrusion detection and prevention is a Premium feature; remove it or set hub.firewall.tier: Premium (this hub is ${fw.tier})`);
  if (fw.idpsSignatureOverrides.length > 0 && fw.tier !== "Premium") add("hub.firewall.idpsSignatureOverrides", `IDPS signature overrides are a Premium feature; remove them or set hub.firewall.tier: Premium (this hub is ${fw.tier})`);
  const signatures = new Map<string, number>();
  fw.idpsSignatureOverrides.forEach((o, i) => {
    const first = signatures.get(o.id);
    if (first !== undefined) add(`hub.firewall.idpsSignatureOverrides.${i}.id`, `${quote(o.id)} is already overridden by idpsSignatureOverrides.${first}`);
    else signatures.set(o.id, i);
  });
  for (const service of ["registry", "keyVault"] as const) {
    if (env.hub[service] === undefined) continue;
    if (env.hub.existing) add(`hub.${service}`, "must not be set with hub.existing: its private endpoint would go into the existing hub");
    else if (sub.privateEndpoints === undefined) add("hub.subnets.privateEndpoints", `is required by hub.${service}: its private endpoint lives there (a /28 or larger)`);
  }

  const monitoring = env.hub.monitoring;
  if (monitoring.publicQuery && !monitoring.privateLink) add("hub.monitoring.publicQuery", "applies only with hub.monitoring.privateLink: true (without it, ingestion and queries are public anyway)");
  if (monitoring.privateLink) {
    if (env.hub.existing) add("hub.monitoring.privateLink", "must not be set with hub.existing: the workspace and its private endpoint belong to the existing hub");
    else if (sub.privateEndpoints === undefined) add("hub.subnets.privateEndpoints", `is required by hub.monitoring.privateLink: its private endpoint lives there (a /${AZURE_LIMITS.monitorPrivateEndpointsPrefix} or larger)`);
    else if (cidr(sub.privateEndpoints).prefix > AZURE_LIMITS.monitorPrivateEndpointsPrefix) {
      add("hub.subnets.privateEndpoints", `is too small for hub.monitoring.privateLink: the Azure Monitor private endpoint alone takes about 15 addresses (one per Azure Monitor endpoint), next to the registry's and the vault's; use a /${AZURE_LIMITS.monitorPrivateEndpointsPrefix} or larger`);
    }
  }

  // The DNS Private Resolver needs both of its subnets.
  const resolver = sub.dnsResolverInbound !== undefined || sub.dnsResolverOutbound !== undefined;
  if (resolver && sub.dnsResolverInbound === undefined) add("hub.subnets.dnsResolverInbound", "is required with hub.subnets.dnsResolverOutbound; the resolver needs both endpoints");
  if (resolver && sub.dnsResolverOutbound === undefined) add("hub.subnets.dnsResolverOutbound", "is required with hub.subnets.dnsResolverInbound; the resolver needs both endpoints");
  if (env.hub.dns.forwarding.length > 0 && !resolver) {
    add(
      "hub.dns.forwarding",
      env.hub.existing
        ? "must not be set with hub.existing: forwarding rules belong to the existing hub's DNS resolver; add them there"
        : "needs the DNS Private Resolver; set hub.subnets.dnsResolverInbound and hub.subnets.dnsResolverOutbound (/28 each)",
    );
  }
  const domains = new Map<string, number>();
  env.hub.dns.forwarding.forEach((rule, i) => {
    const base = `hub.dns.forwarding.${i}`;
    if (!FORWARD_DOMAIN.test(rule.domain)) {
      add(`${base}.domain`, `${quote(rule.domain)} must be a fully qualified domain name ending with a dot, e.g. onprem.example.com.`);
    }
    const key = rule.domain.toLowerCase();
    const first = domains.get(key);
    if (first !== undefined) add(`${base}.domain`, `${quote(rule.domain)} is already forwarded by hub.dns.forwarding.${first}`);
    else domains.set(key, i);
    rule.targets.forEach((t, j) => {
      const problem = checkTarget(t);
      // On-premises DNS servers: private addresses, reached through the gateway.
      const ip = t.split(":")[0];
      if (problem) add(`${base}.targets.${j}`, problem);
      else if (!isPrivate(cidr(`${ip}/32`), env.privateRanges.map((r) => cidr(r)))) add(`${base}.targets.${j}`, `${quote(t)} is a public address: forwarding sends these names to your own (on-premises) DNS servers, at private addresses; give theirs`);
      else if (env.onPremises.length > 0 && !env.onPremises.some((range) => containsIp(cidr(range), (parseIp(ip) as { ok: true; value: bigint }).value))) {
        add(`${base}.targets.${j}`, `${quote(t)} is not inside any onPremises range (${env.onPremises.join(", ")}): the resolver reaches on-premises DNS servers through the gateway, which routes only those; give a server there, or add its range to onPremises`);
      }
    });
  });

  const zones = new Map<string, number>();
  env.hub.dns.zones.forEach((z, i) => {
    const key = z.toLowerCase();
    const first = zones.get(key);
    if (first !== undefined) add(`hub.dns.zones.${i}`, `${quote(z)} is already listed as hub.dns.zones.${first}`);
    else zones.set(key, i);
    if (key.startsWith("privatelink.")) add(`hub.dns.zones.${i}`, `${quote(z)} is a Private Link zone; application zones must not start with privatelink.`);
    else {
      const shadow = shadowedNames(key);
      if (shadow) add(`hub.dns.zones.${i}`, `${quote(z)} ${shadow}; a private zone linked to every VNet would answer for those names instead of the public DNS, and the clusters need them: choose a zone of your own, e.g. corp.internal`);
    }
  });

  // Jumpbox: the subnet and its VM settings come together.
  if (sub.jumpbox !== undefined && env.hub.jumpbox === undefined) {
    add("hub.jumpbox", "is required when hub.subnets.jumpbox is set: give at least sshPublicKey (a public key or a file path)");
  }
  if (env.hub.jumpbox !== undefined && sub.jumpbox === undefined) {
    add("hub.subnets.jumpbox", "is required when hub.jumpbox is set: the VM needs a subnet, e.g. a /29 or larger");
  }
  if (env.hub.jumpbox && RESERVED_ADMIN_USERNAMES.includes(env.hub.jumpbox.adminUsername)) {
    add("hub.jumpbox.adminUsername", `${quote(env.hub.jumpbox.adminUsername)} is reserved by Azure; choose another name, e.g. azureops`);
  }

  problems.push(...checkHubShape(env), ...checkGateway(env));

  // Tags: the product adds its own to every resource; Azure's limits apply to the sum.
  const userTags = Object.keys(env.tags);
  for (const key of userTags) {
    const taken = DEFAULTS.addedTags.find((t) => t.toLowerCase() === key.toLowerCase());
    if (taken) add(`tags.${key}`, `is set by the product on every resource (${DEFAULTS.addedTags.join(", ")}); Azure tag names are case-insensitive, so yours would be overwritten; rename it`);
  }
  const roomForTags = AZURE_LIMITS.tagsPerResource - DEFAULTS.addedTags.length;
  if (userTags.length > roomForTags) {
    add("tags", `has ${userTags.length} tags; at most ${roomForTags} fit, because private DNS zones and links take ${AZURE_LIMITS.tagsPerResource} tags and the product adds ${DEFAULTS.addedTags.length}`);
  }

  // Backend: workspace names must fit HCP Terraform's limit for the longest stack id.
  if (env.backend.type === "cloud") {
    const longest = Math.max(...env.spokes.map((sp) => stackIds.apps(env.name, sp.name).length), stackIds.hub(env.name).length);
    if (env.backend.workspacePrefix.length + longest > AZURE_LIMITS.workspaceName) {
      add("backend.workspacePrefix", `makes workspace names up to ${env.backend.workspacePrefix.length + longest} characters; HCP Terraform allows ${AZURE_LIMITS.workspaceName}`);
    }
  }

  // Firewall policy: one rule collection group per spoke, and the jumpbox's.
  const groups = ruleCollectionGroups(env);
  const room = env.hub.existing ? env.hub.existing.ruleCollectionGroups : AZURE_LIMITS.ruleCollectionGroupsPerPolicy;
  if (groups > room) {
    const parts = `one per spoke${sub.jumpbox !== undefined ? ", one for the jumpbox" : ""}${env.hub.gateway || env.hub.existing?.gateway ? ", one for on-premises" : ""}`;
    add(
      "spokes",
      env.hub.existing
        ? `needs ${groups} firewall rule collection groups (${parts}) in the existing policy, which has room for ${room} (hub.existing.ruleCollectionGroups: 50 by default, the limit of a policy created before July 2022; up to 90 for a newer one, less the groups it holds): raise it if the policy has room, or split the spokes across environments`
        : `needs ${groups} firewall rule collection groups (${parts}); an Azure Firewall policy holds at most ${room}: split the spokes across environments (one hub each)`,
    );
  }

  // Clusters.
  const priorities = new Map<number, number>();
  env.spokes.forEach((s, i) => {
    const base = `spokes.${i}`;
    const c = s.cluster;
    if (c.podCidr !== undefined && c.networkPluginMode !== "overlay") {
      add(`${base}.cluster.podCidr`, "applies only with networkPluginMode: overlay; remove it or set the mode");
    }
    const combination = NETWORK_COMBINATIONS.find((n) => n.mode === c.networkPluginMode && n.policy === c.networkPolicy);
    if (combination && !combination.allowed) {
      const allowed = NETWORK_COMBINATIONS.filter((n) => n.allowed && n.mode === c.networkPluginMode).map((n) => n.policy);
      add(`${base}.cluster.networkPolicy`, `${c.networkPolicy} with networkPluginMode ${c.networkPluginMode}: ${combination.why}; with ${c.networkPluginMode} use ${allowed.join(" or ")}`);
    }
    if (c.kubernetesVersion !== undefined) {
      const version = checkKubernetesVersion(c.kubernetesVersion);
      if (!version.ok) add(`${base}.cluster.kubernetesVersion`, version.message);
      // The cluster takes patch upgrades automatically (automatic_upgrade_channel patch): a pinned
      // patch would be planned back after the first one, a downgrade AKS refuses.
      else if (/^\d+\.\d+\.\d+$/.test(c.kubernetesVersion)) {
        const minor = c.kubernetesVersion.split(".").slice(0, 2).join(".");
        add(`${base}.cluster.kubernetesVersion`, `${c.kubernetesVersion} pins a patch, but the cluster takes patch upgrades automatically, after which Terraform would plan a downgrade AKS refuses; give the minor, "${minor}"`);
      }
    }
    if (c.privateDnsZone === "system" && spokesUseFirewallDns(env)) {
      const field = env.hub.existing ? "hub.existing.dnsProxy" : "hub.firewall.dnsProxy";
      add(
        `${base}.cluster.privateDnsZone`,
        `system cannot resolve here: AKS links its own zone only to the spoke VNet, which uses the firewall's DNS proxy (${field}), and Azure ignores zones linked to a VNet with custom DNS servers; use byo (the hub's zone), or turn the DNS proxy off`,
      );
    }
    if (c.defender && !s.egress.containerInsights) {
      add(`${base}.cluster.defender`, "needs the Azure Monitor endpoints Defender reports to; keep spokes[].egress.containerInsights on");
    }
    if (c.adminGroupObjectIds.length === 0 && !c.grantDeployerAdmin) {
      add(`${base}.cluster.adminGroupObjectIds`, "is empty and grantDeployerAdmin is false, so nobody could administer the cluster (local accounts are off); list an Entra ID group or keep grantDeployerAdmin");
    }
    const admins = new Map<string, number>();
    c.adminGroupObjectIds.forEach((id, j) => {
      const first = admins.get(id.toLowerCase());
      if (first !== undefined) add(`${base}.cluster.adminGroupObjectIds.${j}`, `${id} is already listed as adminGroupObjectIds.${first}`);
      else admins.set(id.toLowerCase(), j);
    });
    const pools = [{ name: SYSTEM_POOL.name, ...c.systemPool, path: `${base}.cluster.systemPool` }, ...c.userPools.map((p, j) => ({ ...p, path: `${base}.cluster.userPools.${j}` }))];
    // The names pools take while azurerm rotates them must be free, and distinct.
    const rotations = new Map<string, string>([[SYSTEM_POOL.rotation, `${base}.cluster.systemPool`], ...c.userPools.map((p, j): [string, string] => [rotationName(p.name), `${base}.cluster.userPools.${j}`])]);
    c.userPools.forEach((p, j) => {
      const at = `${base}.cluster.userPools.${j}`;
      const rotating = rotations.get(p.name);
      if (rotating === at) add(`${at}.name`, `${quote(p.name)} is also the temporary name this pool would take while its nodes are replaced (its first 9 characters and "tmp"); choose another name`);
      else if (rotating !== undefined) add(`${at}.name`, `${quote(p.name)} is the temporary name ${rotating} takes while its nodes are replaced (a change of size, OS disk, zones or pods per node); choose another name`);
      // Two pools of one name are reported as duplicates below.
      const shared = c.userPools.findIndex((q) => q !== p && q.name !== p.name && rotationName(q.name) === rotationName(p.name));
      if (shared !== -1 && shared < j) add(`${base}.cluster.userPools.${j}.name`, `${quote(p.name)} and userPools.${shared} ${quote(c.userPools[shared].name)} share their first 9 characters, and so the temporary name ${rotationName(p.name)} they take while their nodes are replaced; make them differ earlier`);
    });
    const names = new Map<string, string>();
    for (const p of pools) {
      if (p.minCount > p.maxCount) add(`${p.path}.minCount`, `${p.minCount} is more than maxCount ${p.maxCount}`);
      // The default is Managed wherever Ephemeral would not fit, so a misfit was asked for.
      const misfit = p.osDiskType === "Ephemeral" ? ephemeralMisfit(p.vmSize, p.osDiskSizeGb) : undefined;
      if (misfit) add(`${p.path}.osDiskType`, misfit);
      const first = names.get(p.name);
      if (first !== undefined) add(`${p.path}.name`, `${quote(p.name)} is already used by ${first}; node pool names must be unique`);
      else names.set(p.name, p.path);
    }
    const destinations = new Map<string, number>();
    s.egress.fqdns.forEach((f, j) => {
      const problem = checkEgressFqdn(f);
      if (problem) add(`${base}.egress.fqdns.${j}`, problem);
      const first = destinations.get(f.toLowerCase());
      if (first !== undefined) add(`${base}.egress.fqdns.${j}`, `${quote(f)} is already listed as egress.fqdns.${first}`);
      else destinations.set(f.toLowerCase(), j);
    });
    const priority = s.egress.priority ?? defaultRulePriority(s.name);
    const first = priorities.get(priority);
    // Two spokes of one name derive one priority: the name's own line says what to fix.
    const sameName = first !== undefined && s.egress.priority === undefined && env.spokes[first].egress.priority === undefined && env.spokes[first].name === s.name;
    if (first !== undefined && !sameName) {
      add(`${base}.egress.priority`, `${priority}${s.egress.priority === undefined ? " (derived from the spoke's name)" : ""} is already the priority of spokes.${first}'s rule collection group; set egress.priority to a free value from 1000 to 64999`);
    }
    else if (first === undefined) priorities.set(priority, i);
  });

  problems.push(...checkApps(env));
  return problems;
}

/** How many rule collection groups an environment adds to its hub's policy, global peerings aside: one per spoke, the jumpbox's, on-premises'. */
export function ruleCollectionGroups(env: Environment): number {
  return env.spokes.length + (env.hub.subnets.jumpbox !== undefined ? 1 : 0) + (env.hub.gateway || env.hub.existing?.gateway ? 1 : 0);
}

/** Whether the spokes use the hub firewall's DNS proxy as their DNS server: a new hub's or an existing one's. */
function spokesUseFirewallDns(env: Environment): boolean {
  return env.hub.existing ? env.hub.existing.dnsProxy : env.hub.firewall.dnsProxy;
}

/** A hub built here needs its firewall subnet; an existing hub takes only addressSpace and dns. */
function checkHubShape(env: Environment): Problem[] {
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

/** ASNs Azure or IANA reserve (Microsoft Learn, VPN Gateway BGP: "Don't use Azure-reserved ASNs ..."). */
export function reservedAsn(asn: number, gateway = false): boolean {
  if ([8074, 8075, 12076, 23456].includes(asn)) return true;
  if (asn >= 65517 && asn <= 65520) return true;
  if (!gateway && asn === 65515) return true; // the Azure side's default; a site must differ
  return (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551);
}

/** Gateway SKUs that can still be created, by type (non-AZ VPN SKUs closed to new gateways in January 2025). */
export const GATEWAY_SKUS = {
  Vpn: ["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"],
  ExpressRoute: ["ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "Standard", "HighPerformance", "UltraPerformance"],
} as const;

function checkGateway(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const gw = env.hub.gateway;
  if (!gw) return problems;
  if (env.hub.subnets.gateway === undefined) add("hub.subnets.gateway", "is required by hub.gateway: GatewaySubnet, a /27 or larger");
  const skus: readonly string[] = GATEWAY_SKUS[gw.type];
  if (gw.sku !== undefined && !skus.includes(gw.sku)) add("hub.gateway.sku", `${quote(gw.sku)} is not a ${gw.type} gateway SKU Azure creates; use one of ${skus.join(", ")}`);
  if (gw.bgpAsn !== undefined && reservedAsn(gw.bgpAsn, true)) add("hub.gateway.bgpAsn", `${gw.bgpAsn} is reserved by Azure or IANA; use a private ASN such as 65010 (or 65515, Azure's default)`);
  if (gw.type === "ExpressRoute") {
    if (!gw.circuitId) add("hub.gateway.circuitId", "is required for an ExpressRoute gateway: the resource id of the circuit to connect");
    if (gw.sites.length > 0) add("hub.gateway.sites", "apply to a Vpn gateway only");
    if (gw.pointToSite) add("hub.gateway.pointToSite", "applies to a Vpn gateway only");
    return problems;
  }
  if (gw.circuitId) add("hub.gateway.circuitId", "applies to an ExpressRoute gateway only");
  if (gw.sites.length === 0 && !gw.pointToSite) add("hub.gateway.sites", "needs at least one on-premises site (or pointToSite) for a Vpn gateway");
  const onPremises = env.onPremises.map((r) => cidr(r));
  const names = new Map<string, number>();
  gw.sites.forEach((site, i) => {
    const at = `hub.gateway.sites.${i}`;
    const first = names.get(site.name);
    if (first !== undefined) add(`${at}.name`, `${quote(site.name)} is already the name of sites.${first}`);
    else names.set(site.name, i);
    const address = parseIp(site.address);
    if (!address.ok) add(`${at}.address`, `${quote(site.address)} is not an IPv4 address; give the device's public address`);
    else {
      const block = cidr(`${site.address}/32`);
      if (isPrivate(block) || reservedOverlap(block)) add(`${at}.address`, `${site.address} is not a public address; the VPN device must be reachable from Azure on a public IPv4 address`);
    }
    site.ranges.forEach((r, j) => {
      const parsed = cidr(r);
      if (!onPremises.some((o) => contains(o, parsed))) add(`${at}.ranges.${j}`, `${r} is not inside any onPremises range; list it in onPremises too (the firewall and the address plan work from onPremises)`);
    });
    if (site.bgp) {
      if (reservedAsn(site.bgp.asn) || site.bgp.asn === gw.bgpAsn) add(`${at}.bgp.asn`, `${site.bgp.asn} is reserved or equals the gateway's own ASN; use the device's private ASN, e.g. 65050`);
      if (gw.bgpAsn === undefined) add("hub.gateway.bgpAsn", `is required when sites.${i} speaks BGP`);
      const peer = parseIp(site.bgp.peerAddress);
      if (!peer.ok) add(`${at}.bgp.peerAddress`, `${quote(site.bgp.peerAddress)} is not an IPv4 address`);
      else {
        const problem = checkBgpPeer(env, site.bgp.peerAddress, peer.value);
        if (problem) add(`${at}.bgp.peerAddress`, problem);
      }
    }
  });
  const pool = gw.pointToSite?.addressPool;
  // VPN clients cannot reach Azure's own DNS: they need a server in the hub that answers the private zones.
  if (pool && !env.hub.firewall.dnsProxy && (env.hub.subnets.dnsResolverInbound === undefined || env.hub.subnets.dnsResolverOutbound === undefined)) {
    add("hub.gateway.pointToSite", "gives VPN clients no DNS server that answers the private zones (Azure DNS is not reachable from them): keep hub.firewall.dnsProxy on, or add the DNS Private Resolver (hub.subnets.dnsResolverInbound and dnsResolverOutbound)");
  }
  if (pool && cidr(pool).prefix > 29) add("hub.gateway.pointToSite.addressPool", `${pool} is too small; the point-to-site pool needs a /29 or larger`);
  if (env.onPremises.length === 0 && gw.sites.length > 0) add("onPremises", "must list the on-premises ranges the gateway's sites reach");
  return problems;
}

/** Namespaces an app may not take: Kubernetes' own and those AKS add-ons use. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "calico-system", "tigera-operator", "app-routing-system", "aks-command"];

/**
 * Apps: published through an internal load balancer at a fixed address of the spoke's ingress
 * subnet, named in a hub zone, pulled from a registry the spoke's egress allows.
 */
function checkApps(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const records = new Map<string, string>();
  env.spokes.forEach((spoke, i) => {
    if (spoke.apps.length === 0) return;
    const base = `spokes.${i}`;
    const ingress = spoke.subnets.ingress !== undefined ? parseCidr(spoke.subnets.ingress) : undefined;
    if (!ingress) add(`${base}.apps`, `needs ${base}.subnets.ingress: apps are published through internal load balancers in that subnet`);
    if (spoke.cluster.userPools.length === 0) {
      add(`${base}.apps`, `needs a user node pool (${base}.cluster.userPools): the system pool runs only critical add-ons, so the apps' pods could not be scheduled`);
    }
    const selected = selectEgress(spoke.egress, { location: env.location, dnsProxy: spokesUseFirewallDns(env) });
    const https = selected.entries.flatMap((e) => (e.kind === "application" && e.protocols.some((p) => p.type === "Https") ? (e.fqdns ?? []) : []));
    const names = new Map<string, number>();
    const ips = new Map<string, number>();
    spoke.apps.forEach((app, j) => {
      const at = `${base}.apps.${j}`;
      const firstName = names.get(app.name);
      if (firstName !== undefined) add(`${at}.name`, `${quote(app.name)} is already the name of apps.${firstName} in this spoke`);
      else names.set(app.name, j);
      if (RESERVED_NAMESPACES.includes(app.name) || app.name.startsWith("kube-")) add(`${at}.name`, `${quote(app.name)} is a namespace Kubernetes or AKS uses; choose another name`);
      if (`${app.name}.yaml` === DEFAULTS.workloadIdentitiesManifest) add(`${at}.name`, `${quote(app.name)} would write ${DEFAULTS.workloadIdentitiesManifest}, the file the emergency apply command writes the apps' identities to beside the manifests; choose another name`);
      // A secret written into the environment file would be in the output and the manifests (SEC-001).
      for (const [name, value] of Object.entries(app.env)) {
        const secret = secretIn(value);
        if (secret) add(`${at}.env.${name}`, `holds ${secret}, which would be written into cdktf.out and the plain manifests; put it in the hub's key vault and list it in ${at}.secrets (a file under ${SECRETS_MOUNT_PATH})`);
      }
      if (app.secrets.length > 0 && !env.hub.keyVault) add(`${at}.secrets`, "needs hub.keyVault: secrets are read from the hub's private key vault");
      // Each path is a volume mount: Kubernetes refuses two at one path, and one over / would
      // hide the image's whole filesystem under an empty folder.
      const mounts = new Map<string, number>();
      app.writablePaths.forEach((p, k) => {
        const normal = path.posix.normalize(p).replace(/(.)\/$/, "$1");
        const first = mounts.get(normal);
        const kernel = KERNEL_FILESYSTEMS.find((k) => normal === k || normal.startsWith(`${k}/`));
        const secretsMount = app.secrets.length > 0 && (normal === SECRETS_MOUNT_PATH || normal.startsWith(`${SECRETS_MOUNT_PATH}/`));
        if (normal === "/") add(`${at}.writablePaths.${k}`, `${quote(p)} is the root: an empty folder mounted there would hide the image's whole filesystem; name a folder, e.g. /tmp`);
        else if (kernel) add(`${at}.writablePaths.${k}`, `${quote(p)} is ${kernel}, which the container runtime mounts itself and refuses a volume over; name a folder of the app's own, e.g. /tmp`);
        else if (secretsMount) add(`${at}.writablePaths.${k}`, `${quote(p)} is where the app's secrets are mounted (${SECRETS_MOUNT_PATH}, read-only); Kubernetes refuses a second volume there; name another folder, e.g. /tmp`);
        else if (first !== undefined) add(`${at}.writablePaths.${k}`, `${quote(p)} is already listed as writablePaths.${first}; each path is mounted once`);
        else mounts.set(normal, k);
      });
      const secrets = new Map<string, number>();
      app.secrets.forEach((secret, k) => {
        // Key Vault names are case-insensitive; the files under /mnt/secrets would collide too.
        const first = secrets.get(secret.toLowerCase());
        if (first !== undefined) add(`${at}.secrets.${k}`, `${quote(secret)} is already secrets.${first} (Key Vault secret names are case-insensitive)`);
        else secrets.set(secret.toLowerCase(), k);
      });

      const ip = parseIp(app.ip);
      if (!ip.ok) add(`${at}.ip`, `${quote(app.ip)} is not an IPv4 address; give a free address of ${base}.subnets.ingress`);
      else if (ingress?.ok) {
        const block = ingress.value;
        if (!containsIp(block, ip.value)) add(`${at}.ip`, `${app.ip} is not inside ${base}.subnets.ingress ${block.text}; give an address of that subnet, e.g. ${formatIp(block.first + 10n)}`);
        else if (ip.value < block.first + 4n || ip.value === block.last) {
          add(`${at}.ip`, `${app.ip} is reserved by Azure in ${block.text} (the first four addresses and the last); use e.g. ${formatIp(block.first + 10n)}`);
        }
        const firstIp = ips.get(app.ip);
        if (firstIp !== undefined) add(`${at}.ip`, `${app.ip} is already the address of apps.${firstIp}`);
        else ips.set(app.ip, j);
      }

      if (app.dns) {
        if (!env.hub.dns.zones.includes(app.dns.zone)) {
          add(`${at}.dns.zone`, `${quote(app.dns.zone)} is not one of hub.dns.zones (${env.hub.dns.zones.length ? env.hub.dns.zones.join(", ") : "none: add the zone there"})`);
        }
        const fqdn = `${app.dns.record}.${app.dns.zone}`.toLowerCase();
        const first = records.get(fqdn);
        if (first !== undefined) add(`${at}.dns.record`, `${fqdn} is already published by ${first}`);
        else records.set(fqdn, at);
      }

      const image = parseImage(app.image);
      if (!image.ok) add(`${at}.image`, `${quote(app.image)} ${image.error}`);
      else {
        const ref = image.value;
        const registryProblem = checkRegistryHost(ref.registry);
        if (registryProblem) add(`${at}.image`, `${quote(app.image)} ${registryProblem}`);
        if (ref.digest === undefined && (ref.tag === undefined || ref.tag === "latest")) {
          add(`${at}.image`, `${quote(app.image)} has ${ref.tag ? "the tag latest" : "no tag"}, which moves under you; pin a version tag or a digest (@sha256:...)`);
        }
        const privateRegistry = env.hub.registry ? `${env.hub.registry.name}.azurecr.io` : undefined;
        if (env.hub.registry?.requirePrivateRegistry && ref.registry !== privateRegistry) {
          add(`${at}.image`, `${quote(app.image)} comes from ${ref.registry}, but hub.registry.requirePrivateRegistry asks every image to come from ${privateRegistry}`);
        } else if (ref.registry === privateRegistry) {
          // Pulled through the private endpoint: no egress needed.
        } else if (ref.registry === DOCKER_HUB) {
          if (!spoke.egress.dockerHub) add(`${at}.image`, `${quote(app.image)} comes from Docker Hub, which the spoke's egress does not allow; set ${base}.egress.dockerHub: true or use a registry it allows`);
        } else if (registryProblem) {
          // Said above.
        } else if (!hostAllowed(ref.registry, https)) {
          add(`${at}.image`, `${quote(app.image)} comes from ${ref.registry}, which the spoke's egress does not allow (nodes could not pull it); add ${ref.registry} (and its storage host) to ${base}.egress.fqdns`);
        }
      }

      for (const [kind, toNumber] of [["cpu", millicores], ["memory", bytes]] as const) {
        const request = app.resources.requests[kind];
        const limit = app.resources.limits[kind];
        if (toNumber(request) > toNumber(limit)) add(`${at}.resources.requests.${kind}`, `${request} is more than the limit ${limit}; a request may not exceed its limit`);
        // A pod whose request no node of any user pool can hold is never scheduled.
        const largest = largestPool(spoke.cluster.userPools, kind);
        if (largest && toNumber(request) > (kind === "cpu" ? largest.size * 1000 : largest.size * 2 ** 30)) {
          add(`${at}.resources.requests.${kind}`, `${request} is more than a whole node of the largest user pool (${largest.pool.vmSize}: ${kind === "cpu" ? `${largest.size} vCPUs` : `at most ${largest.size} GiB`}), so the pod could never be scheduled; request less, or add a pool of a larger size`);
        }
      }
    });
  });
  return problems;
}

/**
 * `location` is an Azure region, with a "did you mean" for a typo. It needs no other field, so
 * it is also checked when the rest of the file does not parse.
 */
export function checkLocation(location: unknown): Problem[] {
  if (typeof location !== "string" || AZURE_REGIONS.includes(location)) return [];
  const guess = suggestRegion(location);
  return [{ path: "location", message: `${quote(location)} is not an Azure region name${guess ? `; did you mean ${guess}?` : "; use the programmatic name, e.g. westeurope"}` }];
}

/**
 * The default priority of a spoke's firewall rule collection group, derived from the spoke's
 * name (FNV-1a) into 1000-63999: adding or removing a spoke never moves another spoke's group.
 * Two names that land on the same priority are reported, asking for egress.priority.
 */
export function defaultRulePriority(spokeName: string): number {
  return DEFAULTS.rulePriority.spokeBase + (fnv1a(spokeName) % DEFAULTS.rulePriority.spokeRange);
}

/**
 * The priority of the rule collection group a global peering adds to a hub's policy, derived
 * from the peer environment's name into 64000-64999 (above every derived spoke priority), so
 * that adding a peering never moves another group.
 */
export function peeringRulePriority(peerEnvironment: string): number {
  return DEFAULTS.rulePriority.peeringBase + (fnv1a(peerEnvironment) % DEFAULTS.rulePriority.peeringRange);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const c of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
  return hash;
}

/**
 * Network plugin mode and network policy combinations, and whether AKS accepts them
 * (Microsoft Learn, AKS: Azure CNI Overlay; Azure CNI powered by Cilium; network policies).
 */
export const NETWORK_COMBINATIONS: readonly { mode: string; policy: string; allowed: boolean; why: string }[] = [
  { mode: "overlay", policy: "cilium", allowed: true, why: "Azure CNI Overlay powered by Cilium (the default)" },
  { mode: "overlay", policy: "calico", allowed: true, why: "Azure CNI Overlay with Calico" },
  { mode: "overlay", policy: "azure", allowed: true, why: "Azure CNI Overlay with Azure Network Policy Manager" },
  {
    mode: "nodeSubnet",
    policy: "cilium",
    allowed: false,
    why: "the azurerm provider requires overlay (or a pod subnet) for the Cilium dataplane, and AKS offers Cilium on a node subnet only to recent CLIs",
  },
  { mode: "nodeSubnet", policy: "calico", allowed: true, why: "Azure CNI with Calico" },
  { mode: "nodeSubnet", policy: "azure", allowed: true, why: "Azure CNI with Azure Network Policy Manager" },
];

/**
 * An extra egress destination must name hosts: not an IP address (the firewall's application
 * rules match names), not `*`, and not a wildcard straight over a public suffix (`*.com`,
 * `*.co.uk`), which would allow most of the Internet. Public suffixes come from the Public
 * Suffix List's ICANN section (the tldts package): a wildcard over a shared hosting domain
 * such as `*.blob.core.windows.net` is accepted and allows every tenant's accounts there.
 */
export function checkEgressFqdn(fqdn: string): string | undefined {
  const host = fqdn.replace(/^\*\./, "");
  if (/^[\d.]+$/.test(host)) return `${quote(fqdn)} is an IP address; egress rules name hosts (the firewall matches names), e.g. api.contoso.com`;
  const suffix = getPublicSuffix(host, { allowPrivateDomains: false });
  if (suffix === host.toLowerCase()) {
    return fqdn.startsWith("*.")
      ? `${quote(fqdn)} is a wildcard over the public suffix ${host}, which would allow every domain under it; name the domains you need, e.g. *.contoso.${host}`
      : `${quote(fqdn)} is a public suffix, not a host; name the host you need`;
  }
  return undefined;
}

/** Parses `ip` or `ip:port` (port 53 when left out). */
export function parseTarget(target: string): { ip: string; port: number } {
  const [ip, port] = target.split(":");
  return { ip, port: port === undefined ? 53 : Number(port) };
}

function checkTarget(target: string): string | undefined {
  const parts = target.split(":");
  const ip = parseIp(parts[0]);
  if (parts.length > 2 || !ip.ok) return `${quote(target)} must be ip or ip:port, e.g. 192.168.0.4:53`;
  const reserved = reservedOverlap(cidr(`${parts[0]}/32`));
  if (reserved) return `${quote(target)} is in ${reserved.block.text}, which ${reserved.why}; give your DNS servers' addresses`;
  if (parts.length === 2) {
    const port = Number(parts[1]);
    if (!/^\d+$/.test(parts[1]) || port < 1 || port > 65535) return `${quote(target)} has an invalid port; use 1-65535, usually 53`;
  }
  return undefined;
}

/**
 * Names a private zone must not take: Microsoft's own domains (and what is under them), any
 * host the egress catalog allows (or a domain above one: the zone would hold it), and public
 * suffixes. Returns why, or undefined.
 */
function shadowedNames(zone: string): string | undefined {
  if (getPublicSuffix(zone, { allowPrivateDomains: false }) === zone) return "is a public suffix";
  const owner = MICROSOFT_DOMAINS.find((d) => zone === d || zone.endsWith(`.${d}`));
  if (owner === "azmk8s.io") return "is under azmk8s.io, AKS's own domain (the product creates the privatelink. and private. zones the clusters need)";
  if (owner) return `is under ${owner}, a Microsoft domain`;
  const host = CATALOG_HOSTS.find((h) => h === zone || h.endsWith(`.${zone}`));
  if (host) return `holds ${host}, which the clusters reach on the Internet through the firewall`;
  return undefined;
}

/** Domains Microsoft serves Azure, Entra ID and its registries from. */
const MICROSOFT_DOMAINS = [
  "microsoft.com", "microsoftonline.com", "microsoftonline-p.com", "windows.net", "windows.com", "azure.com", "azure.net", "azurecr.io", "azmk8s.io",
  "azureedge.net", "azurefd.net", "msftauth.net", "msauth.net", "msecnd.net", "live.com", "office.com", "office365.com", "visualstudio.com",
  "azure-api.net", "azurewebsites.net", "trafficmanager.net", "cloudapp.net", "windowsazure.com", "microsoftazuread-sso.com", "azure-automation.net",
];

/** Every host the egress catalog may allow, wildcards as the domain they stand under (`{location}` left as a label). */
const CATALOG_HOSTS: readonly string[] = [
  ...AKS_EGRESS_CATALOG.flatMap((g) => g.entries).flatMap((e) => e.fqdns ?? []),
  ...Object.values(FQDN_TAG_CONTENTS).flat(),
  DOCKER_HUB,
].map((h) => h.toLowerCase().replace(/^\*\./, ""));

/** File systems the container runtime mounts in every container: no volume may go over them. */
const KERNEL_FILESYSTEMS = ["/proc", "/sys", "/dev"];

/**
 * A registry host as the nodes contact it: DNS labels, and no port but HTTPS's (the
 * firewall's application rules allow 443 only). Returns why not, or undefined.
 */
function checkRegistryHost(registry: string): string | undefined {
  const [host, port, extra] = registry.split(":");
  if (extra !== undefined || !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(host) || host.length > 253) {
    return "does not name its registry as a host name (letters, digits, hyphens and dots), e.g. mcr.microsoft.com/dotnet/samples:aspnetapp";
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return `names the registry port ${quote(port)}; a port is 1-65535`;
  if (port !== undefined && port !== "443") return `pulls from port ${port}, but the firewall lets the nodes reach registries on HTTPS port 443 only; use the registry on 443 (leave the port out)`;
  return undefined;
}

/**
 * A BGP peer is the on-premises device, at an address the gateway reaches over the tunnel:
 * not an address Azure or the Internet reserve (but the APIPA range Azure's VPN gateways
 * peer from, 169.254.21.0-169.254.22.255), and not inside the hub, a spoke or the
 * point-to-site pool.
 */
function checkBgpPeer(env: Environment, text: string, ip: bigint): string | undefined {
  const block = cidr(`${text}/32`);
  const apipa = containsIp(cidr("169.254.21.0/24"), ip) || containsIp(cidr("169.254.22.0/24"), ip);
  const reserved = apipa ? undefined : reservedOverlap(block);
  if (reserved) return `${text} is in ${reserved.block.text}, which ${reserved.why}; give the on-premises device's BGP address (an APIPA address 169.254.21.x-169.254.22.x is allowed)`;
  const inside = [
    ...env.hub.addressSpace.map((t, i) => ({ path: `hub.addressSpace.${i}`, t })),
    ...env.spokes.flatMap((sp, i) => sp.addressSpace.map((t, j) => ({ path: `spokes.${i}.addressSpace.${j}`, t }))),
    ...(env.hub.gateway?.pointToSite ? [{ path: "hub.gateway.pointToSite.addressPool", t: env.hub.gateway.pointToSite.addressPool }] : []),
  ].find((r) => containsIp(cidr(r.t), ip));
  if (inside) return `${text} is inside ${inside.path} ${inside.t}, an Azure address; the BGP peer is the on-premises device, at an address of its own`;
  return undefined;
}

/** The user pool with the most vCPUs or memory whose size the product can read, and that amount (vCPUs, or GiB at most). */
function largestPool(pools: readonly { vmSize: string }[], kind: "cpu" | "memory"): { pool: { vmSize: string }; size: number } | undefined {
  let best: { pool: { vmSize: string }; size: number } | undefined;
  for (const pool of pools) {
    const capacity = vmCapacity(pool.vmSize);
    // A size the product cannot read could be any size: nothing is known to be too large.
    if (capacity === undefined) return undefined;
    const size = kind === "cpu" ? capacity.vcpus : capacity.maxMemoryGib;
    if (size === undefined) return undefined;
    if (!best || size > best.size) best = { pool, size };
  }
  return best;
}

/**
 * What is allowed but most likely not meant: printed as `<file>: <field>: warning: ...` by
 * synth and `validate`, after the output passed every check.
 */
export function checkWarnings(env: Environment): Problem[] {
  const warnings: Problem[] = [];
  env.spokes.forEach((s, i) => {
    if (s.cluster.userPools.length === 0) {
      warnings.push({ path: `spokes.${i}.cluster.userPools`, message: `is empty (spoke ${s.name}): the system pool takes only critical add-ons, so any other pod on this cluster stays Pending; add a user pool, e.g. [{ name: apps, minCount: 1, maxCount: 3 }]` });
    }
  });
  if (env.onPremises.length > 0 && !env.hub.gateway && !env.hub.existing?.gateway) {
    warnings.push({ path: "onPremises", message: "lists on-premises ranges, but the hub has no gateway (hub.gateway, or hub.existing.gateway for an existing hub): nothing routes them here, yet the firewall and the jumpbox admit them as sources" });
  }
  const key = env.hub.jumpbox?.sshPublicKey;
  if (key !== undefined && isSampleKey(key)) {
    warnings.push({ path: "hub.jumpbox.sshPublicKey", message: "is the sample key shipped in environments/keys/jumpbox.pub, whose private key is nobody's on your team: replace it with your team's public key before deploying" });
  }
  return warnings;
}
