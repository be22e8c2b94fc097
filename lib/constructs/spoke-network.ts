import { SUBNET_NAMES } from "../domain/naming";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { VirtualNetworkPeering } from "@cdktf/provider-azurerm/lib/virtual-network-peering";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DENY_INTERNET_INBOUND, SubnetNsg } from "./subnet-nsg";

/** The subnets a spoke can hold, by role. */
export type SpokeSubnetRole = "nodes" | "ingress" | "apiServer";

export const SPOKE_SUBNET_NAMES: Record<SpokeSubnetRole, string> = SUBNET_NAMES.spoke;

/**
 * The API server subnet is delegated to AKS (Learn, "API Server VNet Integration"). The action
 * is the one Azure sets on this delegation; declaring it keeps plans from showing a change.
 */
export const API_SERVER_DELEGATION = { name: "Microsoft.ContainerService/managedClusters", actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"] };

/** What a spoke needs to know of the hub to peer with it. */
export interface HubPeeringTarget {
  readonly vnetId: string;
  readonly vnetName: string;
  readonly resourceGroupName: string;
}

export interface SpokeNetworkProps {
  /** Short name of the spoke, used in peering names (`hub-to-<spoke>`). */
  readonly spokeName: string;
  readonly vnetName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly addressSpace: string[];
  /** CIDR per subnet role; the node subnet is required. */
  readonly subnets: { readonly nodes: string } & Partial<Record<SpokeSubnetRole, string>>;
  /** The hub to peer with, in both directions. */
  readonly hub: HubPeeringTarget;
  /** The hub has a gateway: the hub side allows gateway transit, the spoke side uses it. @default false */
  readonly gatewayTransit?: boolean;
  /** The provider for resources in the hub's subscription (the hub side of the peering). @default - the stack's */
  readonly hubProvider?: TerraformProvider;
  /** NSG name for a subnet, given its name without the snet- prefix. */
  readonly nsgName: (subnet: string) => string;
  /** @default - Azure-provided DNS */
  readonly dnsServers?: string[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * A spoke VNet with its subnets, an NSG on every subnet, and peering with the hub in both
 * directions (virtual network access and forwarded traffic allowed, so traffic the
 * firewall forwards can come back). Subnets have Azure's default outbound access off: the
 * only way out is the egress route table through the firewall.
 */
export class SpokeNetwork extends Construct {
  public readonly vnet: VirtualNetwork;
  public readonly spokeToHub: VirtualNetworkPeering;
  public readonly hubToSpoke: VirtualNetworkPeering;
  private readonly subnetsByRole = new Map<SpokeSubnetRole, Subnet>();
  private readonly nsgsByRole = new Map<SpokeSubnetRole, SubnetNsg>();
  private readonly cidrs: Partial<Record<SpokeSubnetRole, string>>;

  constructor(scope: Construct, id: string, props: SpokeNetworkProps) {
    super(scope, id);
    this.cidrs = props.subnets;
    this.vnet = new VirtualNetwork(this, "vnet", {
      name: props.vnetName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: props.addressSpace,
      dnsServers: props.dnsServers,
      tags: props.tags,
    });
    for (const role of Object.keys(SPOKE_SUBNET_NAMES) as SpokeSubnetRole[]) {
      const prefix = props.subnets[role];
      if (prefix === undefined) continue;
      const subnet = new Subnet(this, `subnet-${role}`, {
        name: SPOKE_SUBNET_NAMES[role],
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [prefix],
        defaultOutboundAccessEnabled: false,
        delegation: role === "apiServer" ? [{ name: "aks-api-server", serviceDelegation: API_SERVER_DELEGATION }] : undefined,
      });
      this.subnetsByRole.set(role, subnet);
      this.nsgsByRole.set(
        role,
        new SubnetNsg(this, `nsg-${role}`, {
          // The subnet's name without its prefix: nsg-<env>-<spoke>-nodes, -ingress, -apiserver.
          name: props.nsgName(SPOKE_SUBNET_NAMES[role].replace(/^snet-/, "")),
          resourceGroupName: props.resourceGroupName,
          location: props.location,
          subnetId: subnet.id,
          rules: [DENY_INTERNET_INBOUND],
          tags: props.tags,
        }),
      );
    }
    this.hubToSpoke = new VirtualNetworkPeering(this, "peering-hub-to-spoke", {
      name: `hub-to-${props.spokeName}`,
      resourceGroupName: props.hub.resourceGroupName,
      virtualNetworkName: props.hub.vnetName,
      remoteVirtualNetworkId: this.vnet.id,
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: true,
      allowGatewayTransit: props.gatewayTransit ? true : undefined,
      provider: props.hubProvider,
    });
    this.spokeToHub = new VirtualNetworkPeering(this, "peering-spoke-to-hub", {
      name: `${props.spokeName}-to-hub`,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.vnet.name,
      remoteVirtualNetworkId: props.hub.vnetId,
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: true,
      useRemoteGateways: props.gatewayTransit ? true : undefined,
      // Azure refuses useRemoteGateways until the hub side allows gateway transit.
      dependsOn: props.gatewayTransit ? [this.hubToSpoke] : undefined,
    });
  }

  /** Both peerings: whatever needs the hub (nodes booting, reaching the firewall) waits for them. */
  public get peerings(): VirtualNetworkPeering[] {
    return [this.spokeToHub, this.hubToSpoke];
  }

  /** The VNet's id. */
  public get vnetId(): string {
    return this.vnet.id;
  }

  /** The VNet's name. */
  public get vnetName(): string {
    return this.vnet.name;
  }

  public get roles(): SpokeSubnetRole[] {
    return [...this.subnetsByRole.keys()];
  }

  /** The subnet for a role; throws naming the roles that exist when it has none. */
  public subnet(role: SpokeSubnetRole): Subnet {
    const subnet = this.subnetsByRole.get(role);
    if (!subnet) throw new Error(`No '${role}' subnet in this spoke; available: ${this.roles.join(", ")}`);
    return subnet;
  }

  public subnetId(role: SpokeSubnetRole): string {
    return this.subnet(role).id;
  }

  /** The subnet's CIDR as written in the environment. */
  public subnetCidr(role: SpokeSubnetRole): string {
    this.subnet(role);
    return this.cidrs[role] as string;
  }

  /** The NSG association of a subnet (things that must wait for it depend on this). */
  public nsgAssociation(role: SpokeSubnetRole) {
    this.subnet(role);
    return (this.nsgsByRole.get(role) as SubnetNsg).association;
  }
}
