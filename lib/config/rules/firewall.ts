/** The hub firewall: its tier, and how many rule collection groups its policy holds. */
import { AZURE_LIMITS } from "../../domain/defaults";
import { type Problem, quote } from "../../core/problem";
import { type Environment } from "../schema";

/** The firewall tier's constraints: what Basic lacks, what only Premium has. */
export function checkFirewall(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
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
  return problems;
}
/** Firewall policy: one rule collection group per spoke, the jumpbox's and on-premises'. */
export function checkPolicyCapacity(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const sub = env.hub.subnets;
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
  return problems;
}
/** How many rule collection groups an environment adds to its hub's policy, global peerings aside: one per spoke, the jumpbox's, on-premises'. */
export function ruleCollectionGroups(env: Environment): number {
  return env.spokes.length + (env.hub.subnets.jumpbox !== undefined ? 1 : 0) + (env.hub.gateway || env.hub.existing?.gateway ? 1 : 0);
}
