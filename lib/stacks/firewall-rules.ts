/**
 * The rule collection groups an environment adds to its hub's firewall policy, whether the hub
 * is built here or already exists: one per spoke (the AKS egress catalog and the spoke's own
 * destinations, from its node subnet), and one for on-premises (apps and API servers, from the
 * on-premises ranges and the point-to-site pool).
 */
import { ipGroupNames, ruleGroupNames } from "../domain/naming";
import { Annotations, type ITerraformDependable, type TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { defaultRulePriority } from "../domain/priorities";
import { DEFAULTS } from "../domain/defaults";
import { type Environment, egressFeatures } from "../config/schema";
import { type NetworkEntry, selectEgress } from "../domain/aks-egress-catalog";
import { EgressRuleGroup } from "../constructs/egress-rule-group";

/** Where the environment's IP groups are created: the stack's resource group. */
export interface IpGroupPlacement {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags?: Record<string, string>;
}

/** The policy the groups go into, and what must exist before it is changed (the firewall built here, if any). */
export interface PolicyTarget {
  readonly id: string;
  readonly after?: ITerraformDependable[];
  /** The provider of the policy's subscription, when it is not the stack's. @default - the stack's */
  readonly provider?: TerraformProvider;
}

/** One rule collection group per spoke, by spoke name, its sources an IP group of the spoke's node subnet. */
export function spokeEgressGroups(scope: Construct, env: Environment, policy: PolicyTarget, dnsProxy: boolean, ipGroups: IpGroupPlacement): Map<string, EgressRuleGroup> {
  const groups = new Map<string, EgressRuleGroup>();
  env.spokes.forEach((spoke) => {
    const selected = selectEgress(spoke.egress, { location: env.location, dnsProxy, ...egressFeatures(env, spoke) });
    const group = new EgressRuleGroup(scope, `egress-${spoke.name}`, {
      name: ruleGroupNames.spoke(spoke.name),
      firewallPolicyId: policy.id,
      after: policy.after,
      policyProvider: policy.provider,
      priority: spoke.egress.priority ?? defaultRulePriority(spoke.name),
      // The node subnet is the only one that starts connections (pods use node-subnet
      // addresses with Azure CNI, or are SNAT-ed to the node in overlay mode).
      sourceAddresses: [spoke.subnets.nodes],
      sourceIpGroup: { ...ipGroups, name: ipGroupNames.spoke(env.name, spoke.name) },
      entries: selected.entries,
    });
    for (const skip of selected.skipped) Annotations.of(group).addWarning(`egress catalog entry ${skip.id} left out for spoke ${spoke.name}: ${skip.reason}`);
    groups.set(spoke.name, group);
  });
  return groups;
}

/** The ranges on-premises traffic comes from: onPremises and the point-to-site pool. */
export function onPremisesSources(env: Environment): string[] {
  const pool = env.hub.gateway?.pointToSite?.addressPool;
  return [...env.onPremises, ...(pool ? [pool] : [])];
}

/**
 * What on-premises may reach through the firewall: each spoke's apps on the ports they publish
 * (their ingress subnet) and each cluster's API server on 443 (its private endpoint sits in the
 * node subnet; with API Server VNet Integration, its load balancer in the API server subnet).
 * Nothing else. Undefined when there is no on-premises connection.
 */
export function onPremisesGroup(scope: Construct, env: Environment, policy: PolicyTarget, ipGroups: IpGroupPlacement): EgressRuleGroup | undefined {
  const sources = onPremisesSources(env);
  if (sources.length === 0 || (env.hub.gateway === undefined && !env.hub.existing?.gateway)) return undefined;
  const entries: NetworkEntry[] = env.spokes.flatMap((spoke) => {
    const ports = [...new Set(spoke.apps.map((a) => String(a.port)))];
    const apps: NetworkEntry[] =
      ports.length > 0 && spoke.subnets.ingress
        ? [{ kind: "network", id: `onprem-to-${spoke.name}-apps`, description: `On-premises to ${spoke.name}'s apps (internal load balancers).`, source: "environment file: spokes[].apps", protocol: "TCP", addresses: [spoke.subnets.ingress], ports }]
        : [];
    // The API server listens in the node subnet (its private endpoint), or with API Server VNet
    // Integration at an internal load balancer in the API server subnet.
    const integrated = spoke.subnets.apiServer;
    const api: NetworkEntry = {
      kind: "network",
      id: `onprem-to-${spoke.name}-api`,
      description: integrated
        ? `On-premises to ${spoke.name}'s private API server (its internal load balancer in the API server subnet).`
        : `On-premises to ${spoke.name}'s private API server (its private endpoint in the node subnet).`,
      source: integrated ? "Microsoft Learn, AKS: API Server VNet Integration" : "Microsoft Learn, AKS: Create a private cluster > hub and spoke with custom DNS",
      protocol: "TCP",
      addresses: [integrated ?? spoke.subnets.nodes],
      ports: ["443"],
    };
    return [...apps, api];
  });
  return new EgressRuleGroup(scope, "from-onpremises", {
    name: ruleGroupNames.onPremises,
    firewallPolicyId: policy.id,
    after: policy.after,
    policyProvider: policy.provider,
    priority: DEFAULTS.rulePriority.onPremises,
    sourceAddresses: sources,
    sourceIpGroup: { ...ipGroups, name: ipGroupNames.onPremises(env.name) },
    entries,
  });
}
