import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { Route } from "@cdktf/provider-azurerm/lib/route";
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

export interface FirewallSubnetRouteTableProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** AzureFirewallSubnet. */
  readonly subnetId: string;
  readonly tags?: Record<string, string>;
}

/** The route that keeps the firewall's own egress direct: Azure Firewall refuses a default route on its subnet that does not go to the Internet (unless set up for forced tunnelling). */
export const FIREWALL_INTERNET_ROUTE = "firewall-to-internet";

/**
 * AzureFirewallSubnet's route table in a hub peered with other regions' hubs. It holds no inline
 * routes: its default route to the Internet and each peering's routes are separate resources
 * (a peering stack adds and removes only its own), so Terraform never has two owners of one list.
 */
export class FirewallSubnetRouteTable extends Construct {
  public readonly routeTable: RouteTable;
  public readonly internet: Route;
  public readonly association: SubnetRouteTableAssociation;

  constructor(scope: Construct, id: string, props: FirewallSubnetRouteTableProps) {
    super(scope, id);
    this.routeTable = new RouteTable(this, "route-table", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      // Keep what the subnet had without a route table: routes learned from a gateway still apply.
      bgpRoutePropagationEnabled: true,
      tags: props.tags,
    });
    this.internet = new Route(this, "internet", {
      name: FIREWALL_INTERNET_ROUTE,
      resourceGroupName: props.resourceGroupName,
      routeTableName: this.routeTable.name,
      addressPrefix: "0.0.0.0/0",
      nextHopType: "Internet",
    });
    // The default route exists before the table reaches the subnet: the firewall never loses its way out.
    this.association = new SubnetRouteTableAssociation(this, "association", { subnetId: props.subnetId, routeTableId: this.routeTable.id, dependsOn: [this.internet] });
  }
}

export interface HubPeeringSideProps {
  /** The hub this side configures. */
  readonly hub: {
    readonly vnetName: string;
    readonly resourceGroupName: string;
    readonly firewallPolicyId: string;
    /** Its AzureFirewallSubnet route table ({@link FirewallSubnetRouteTable}). */
    readonly firewallRouteTableName: string;
  };
  /** The other region's hub: its VNet, and its firewall as the next hop to its spokes. */
  readonly remote: {
    readonly vnetId: string;
    readonly firewallPrivateIp: string;
    /** The other region's spoke address spaces, by route name (unique in the route table). */
    readonly spokePrefixes: { readonly name: string; readonly prefix: string }[];
  };
  readonly names: { readonly peering: string; readonly ruleGroup: string };
  /** 100-65000, unique in the hub's policy. */
  readonly rulePriority: number;
  /** The flows this hub's firewall lets through. */
  readonly flows: PeeringFlow[];
  readonly provider?: TerraformProvider;
}

/**
 * One hub's half of a global peering between two hubs: the VNet peering towards the other hub
 * (forwarded traffic allowed: it comes from the other region's spokes through its firewall);
 * routes in AzureFirewallSubnet's route table that send the other region's spoke ranges to the
 * other firewall (peering is not transitive: without them this firewall has no route to those
 * spokes); and a rule collection group allowing only the declared flows.
 */
export class HubPeeringSide extends Construct {
  public readonly peering: VirtualNetworkPeering;
  public readonly routes: Route[];
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
    this.routes = props.remote.spokePrefixes.map(
      (p) =>
        new Route(this, `route-${p.name}`, {
          name: p.name,
          resourceGroupName: props.hub.resourceGroupName,
          routeTableName: props.hub.firewallRouteTableName,
          addressPrefix: p.prefix,
          nextHopType: "VirtualAppliance",
          nextHopInIpAddress: props.remote.firewallPrivateIp,
          provider,
          // Routes to the other region are useless (and the rules unreachable) before the peering.
          dependsOn: [this.peering],
        }),
    );
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
