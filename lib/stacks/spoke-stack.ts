import type { Construct } from "constructs";
import type { Environment, SpokeConfig } from "../config/schema";
import { EgressRouteTable } from "../constructs/egress-route-table";
import { SpokeNetwork } from "../constructs/spoke-network";
import type { HubStack } from "./hub-stack";
import { spokeNames } from "./naming";
import { PlatformStack } from "./platform-stack";

export interface SpokeStackProps {
  readonly env: Environment;
  readonly spoke: SpokeConfig;
  /** The hub this spoke peers with and sends its egress through. */
  readonly hub: HubStack;
}

/**
 * `<env>-<spoke>`: the spoke VNet, its subnets and NSGs, peering with the hub in both
 * directions, and the egress route table that sends 0.0.0.0/0 to the firewall.
 */
export class SpokeStack extends PlatformStack {
  public readonly network: SpokeNetwork;
  public readonly egress: EgressRouteTable;

  constructor(scope: Construct, id: string, props: SpokeStackProps) {
    const { env, spoke, hub } = props;
    const names = spokeNames(env.name, spoke.name);
    super(scope, id, { env, resourceGroupName: names.resourceGroup });
    this.addDependency(hub);

    this.network = new SpokeNetwork(this, "network", {
      spokeName: spoke.name,
      vnetName: names.vnet,
      resourceGroupName: this.resourceGroup.name,
      location: this.location,
      addressSpace: spoke.addressSpace,
      subnets: spoke.subnets,
      hub: {
        vnetId: hub.network.vnet.id,
        vnetName: hub.network.vnet.name,
        resourceGroupName: hub.resourceGroup.name,
      },
      nsgName: names.nsg,
      tags: this.tags,
    });

    this.egress = new EgressRouteTable(this, "egress", {
      name: names.routeTable,
      resourceGroupName: this.resourceGroup.name,
      location: this.location,
      nextHopIp: hub.egressNextHop,
      subnets: { nodes: this.network.subnetId("nodes") },
      tags: this.tags,
    });
  }
}
