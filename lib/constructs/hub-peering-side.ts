import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { RouteTable } from "@cdktf/provider-azurerm/lib/route-table";
import { SubnetRouteTableAssociation } from "@cdktf/provider-azurerm/lib/subnet-route-table-association";
import { VirtualNetworkPeering } from "@cdktf/provider-azurerm/lib/virtual-network-peering";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { NETWORK_COLLECTION_PRIORITY } from "./egress-rule-group";

/** A flow between the two regions' spokes that both firewalls allow. */
export interface PeeringFlow {
  /** Rule name, unique in the group. */
  readonly name: string;
  readonly description: string;
  readonly sources: string[];
  readonly destinations: string[];
  readonly ports: string[];
}

export interface HubPeeringSideProps {
  /** The hub this side configures. */
  readonly hub: {
    readonly vnetName: string;
    readonly resourceGroupName: string;
    readonly location: string;
    readonly firewallSubnetId: string;
    readonly firewallPolicyId: string;
  };
  /** The other region's hub: its VNet, and its firewall as the next hop to its spokes. */
  readonly remote: {
    readonly vnetId: string;
    readonly firewallPrivateIp: string;
    /** The other region's spoke address spaces, by route name. */
    readonly spokePrefixes: { readonly name: string; readonly prefix: string }[];
  };
  readonly names: { readonly peering: string; readonly routeTable: string; readonly ruleGroup: string };
  /** 100-65000, unique in the hub's policy. */
  readonly rulePriority: number;
  /** The flows this hub's firewall lets through, in both regions' directions. */
  readonly flows: PeeringFlow[];
  readonly provider?: TerraformProvider;
  readonly tags?: Record<string, string>;
}

/** The route that keeps the firewall's own egress direct: Azure Firewall refuses a default route on its subnet that does not go to the Internet (unless set up for forced tunnelling). */
export const FIREWALL_INTERNET_ROUTE = "firewall-to-internet";

/**
 * One hub's half of a global peering between two hubs: the VNet peering towards the other hub
 * (forwarded traffic allowed: it comes from the other region's spokes through its firewall);
 * a route table on AzureFirewallSubnet that sends the other region's spoke ranges to the other
 * firewall (peering is not transitive: without it this firewall has no route to them) and keeps
 * 0.0.0.0/0 on the Internet, which Azure Firewall needs for its own egress; and a rule collection
 * group allowing only the declared flows.
 */
export class HubPeeringSide extends Construct {
  public readonly peering: VirtualNetworkPeering;
  public readonly routeTable: RouteTable;
  public readonly association: SubnetRouteTableAssociation;
  public readonly ruleGroup?: FirewallPolicyRuleCollectionGroup;

  constructor(scope: Construct, id: string, props: HubPeeringSideProps) {
    super(scope, id);
    const provider = props.provider;
    this.peering = new VirtualNetworkPeering(this, "peering", {
      name: props.names.peering,
      resourceGroupName: props.hub.resourceGroupName,
      virtualNetworkName: props.hub.vnetName,
      remoteVirtualNetworkId: props.remote.vnetId,
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: true,
      provider,
    });
    this.routeTable = new RouteTable(this, "route-table", {
      name: props.names.routeTable,
      resourceGroupName: props.hub.resourceGroupName,
      location: props.hub.location,
      // Keep what the subnet had without a route table: routes learned from a gateway still apply.
      bgpRoutePropagationEnabled: true,
      route: [
        { name: FIREWALL_INTERNET_ROUTE, addressPrefix: "0.0.0.0/0", nextHopType: "Internet" },
        ...props.remote.spokePrefixes.map((p) => ({ name: p.name, addressPrefix: p.prefix, nextHopType: "VirtualAppliance", nextHopInIpAddress: props.remote.firewallPrivateIp })),
      ],
      tags: props.tags,
      provider,
    });
    this.association = new SubnetRouteTableAssociation(this, "route-table-association", {
      subnetId: props.hub.firewallSubnetId,
      routeTableId: this.routeTable.id,
      provider,
      // Routes to the other region are useless (and the rules unreachable) before the peering.
      dependsOn: [this.peering],
    });
    if (props.flows.length > 0) {
      if (props.flows.some((f) => [...f.sources, ...f.destinations].some((a) => a === "*" || a === "0.0.0.0/0"))) {
        throw new Error(`HubPeeringSide ${props.names.ruleGroup}: flows must name spoke ranges, never '*'`);
      }
      this.ruleGroup = new FirewallPolicyRuleCollectionGroup(this, "rules", {
        name: props.names.ruleGroup,
        firewallPolicyId: props.hub.firewallPolicyId,
        priority: props.rulePriority,
        networkRuleCollection: [
          {
            name: `${props.names.ruleGroup}-network`,
            priority: NETWORK_COLLECTION_PRIORITY,
            action: "Allow",
            rule: props.flows.map((f) => ({
              name: f.name,
              description: f.description,
              protocols: ["TCP"],
              sourceAddresses: f.sources,
              destinationAddresses: f.destinations,
              destinationPorts: f.ports,
            })),
          },
        ],
        provider,
      });
    }
  }
}
