import { Annotations, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { defaultRulePriority } from "../config/rules";
import type { Environment } from "../config/schema";
import { selectEgress } from "../constructs/aks-egress-catalog";
import { EgressFirewall } from "../constructs/egress-firewall";
import { EgressRuleGroup } from "../constructs/egress-rule-group";
import { HubNetwork } from "../constructs/hub-network";
import { LogAnalytics } from "../constructs/log-analytics";
import { PrivateDnsZone } from "../constructs/private-dns";
import { hubNames } from "./naming";
import { PlatformStack } from "./platform-stack";

export interface HubStackProps {
  readonly env: Environment;
}

/** The zone AKS registers a private API server in, for a region. */
export function aksPrivateLinkZone(location: string): string {
  return `privatelink.${location}.azmk8s.io`;
}

/**
 * `<env>-hub`: the hub VNet, Azure Firewall with its policy and one rule collection group per
 * spoke, the Log Analytics workspace, and the private DNS zone of the AKS API servers.
 * Everything the spokes need is a readonly field; cdktf turns their reads into cross-stack
 * references.
 */
export class HubStack extends PlatformStack {
  public readonly network: HubNetwork;
  public readonly logs: LogAnalytics;
  public readonly firewall: EgressFirewall;
  /** The `privatelink.<region>.azmk8s.io` zone, when any spoke brings its own (the default). */
  public readonly aksDnsZone?: PrivateDnsZone;
  /** Rule collection group per spoke name. */
  public readonly spokeEgress = new Map<string, EgressRuleGroup>();

  constructor(scope: Construct, id: string, props: HubStackProps) {
    const { env } = props;
    const names = hubNames(env.name);
    super(scope, id, { env, resourceGroupName: names.resourceGroup });
    const hub = env.hub;
    const rg = this.resourceGroup.name;

    this.network = new HubNetwork(this, "network", {
      name: names.vnet,
      resourceGroupName: rg,
      location: this.location,
      addressSpace: hub.addressSpace,
      subnets: hub.subnets,
      tags: this.tags,
    });

    this.logs = new LogAnalytics(this, "logs", { name: names.logAnalytics, resourceGroupName: rg, location: this.location, tags: this.tags });

    this.firewall = new EgressFirewall(this, "firewall", {
      name: names.firewall,
      policyName: names.firewallPolicy,
      publicIpName: names.firewallPublicIp,
      resourceGroupName: rg,
      location: this.location,
      subnetId: this.network.subnetId("firewall"),
      workspaceId: this.logs.workspaceId,
      tier: hub.firewall.tier,
      zones: hub.firewall.zones,
      threatIntelMode: hub.firewall.threatIntelMode,
      dnsProxy: hub.firewall.dnsProxy,
      management: this.network.hasSubnet("firewallManagement")
        ? { subnetId: this.network.subnetId("firewallManagement"), publicIpName: names.firewallManagementPublicIp }
        : undefined,
      tags: this.tags,
    });

    env.spokes.forEach((spoke, index) => {
      const selected = selectEgress(spoke.egress, { location: env.location, dnsProxy: hub.firewall.dnsProxy });
      const group = new EgressRuleGroup(this, `egress-${spoke.name}`, {
        name: `rcg-${spoke.name}`,
        firewallPolicyId: this.firewall.policyId,
        priority: spoke.egress.priority ?? defaultRulePriority(index),
        // The node subnet is the only one that starts connections (pods use node-subnet
        // addresses with Azure CNI, or are SNAT-ed to the node in overlay mode).
        sourceAddresses: [spoke.subnets.nodes],
        entries: selected.entries,
      });
      for (const skip of selected.skipped) {
        Annotations.of(group).addWarning(`egress catalog entry ${skip.id} left out for spoke ${spoke.name}: ${skip.reason}`);
      }
      this.spokeEgress.set(spoke.name, group);
    });

    if (env.spokes.some((s) => s.cluster.privateDnsZone === "byo")) {
      this.aksDnsZone = new PrivateDnsZone(this, "aks-dns-zone", {
        zoneName: aksPrivateLinkZone(env.location),
        resourceGroupName: rg,
        links: [{ key: names.vnet, vnetId: this.network.vnet.id }],
        tags: this.tags,
      });
    }

    new TerraformOutput(this, "firewall_public_ip", {
      value: this.firewall.publicIp.ipAddress,
      description: "The one address all spoke egress leaves Azure from; give it to partners who allow-list callers.",
    });
    new TerraformOutput(this, "firewall_private_ip", {
      value: this.firewall.privateIp,
      description: "Next hop of every spoke's default route, and the spokes' DNS server when the firewall's DNS proxy is on.",
    });
    new TerraformOutput(this, "log_analytics_workspace_id", {
      value: this.logs.workspaceId,
      description: "Workspace holding firewall logs (AZFW* tables), cluster diagnostics and Container Insights.",
    });
  }

  /** The next hop for spoke egress: the firewall's private IP. */
  public get egressNextHop(): string {
    return this.firewall.privateIp;
  }
}
