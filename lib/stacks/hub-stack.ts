import type { Construct } from "constructs";
import type { Environment } from "../config/schema";
import { HubNetwork } from "../constructs/hub-network";
import { hubNames } from "./naming";
import { PlatformStack } from "./platform-stack";

export interface HubStackProps {
  readonly env: Environment;
}

/**
 * `<env>-hub`: the hub VNet and its subnets. Everything the spokes need from it is a
 * readonly field; the spokes read those (cdktf turns them into cross-stack references).
 */
export class HubStack extends PlatformStack {
  public readonly network: HubNetwork;
  /** The next hop for spoke egress: the firewall's private IP. */
  public readonly egressNextHop: string;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    const names = hubNames(props.env.name);
    super(scope, id, { env: props.env, resourceGroupName: names.resourceGroup });
    const hub = props.env.hub;
    this.network = new HubNetwork(this, "network", {
      name: names.vnet,
      resourceGroupName: this.resourceGroup.name,
      location: this.location,
      addressSpace: hub.addressSpace,
      subnets: hub.subnets,
      tags: this.tags,
    });
    this.egressNextHop = this.network.firstFirewallSubnetIp;
  }
}
