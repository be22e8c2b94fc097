import { SUBNET_NAMES } from "../domain/naming";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Construct } from "constructs";

/** The subnets a hub can hold, by role. */
export type HubSubnetRole = "firewall" | "firewallManagement" | "bastion" | "jumpbox" | "dnsResolverInbound" | "dnsResolverOutbound" | "gateway" | "privateEndpoints";

/** The subnet names Azure requires (firewall, Bastion) or that we choose (the rest), by role. */
export const HUB_SUBNET_NAMES: Record<HubSubnetRole, string> = SUBNET_NAMES.hub;

/** Subnets that hold only Azure-managed appliances with their own public IPs: they keep Azure's default outbound access. */
const APPLIANCE_SUBNETS: HubSubnetRole[] = ["firewall", "firewallManagement", "bastion", "gateway"];

/** Subnets delegated to DNS Private Resolver. */
const RESOLVER_SUBNETS: HubSubnetRole[] = ["dnsResolverInbound", "dnsResolverOutbound"];

export interface HubNetworkProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly addressSpace: string[];
  /** CIDR per subnet role; AzureFirewallSubnet is required, the others are created when given. */
  readonly subnets: { readonly firewall: string } & Partial<Record<HubSubnetRole, string>>;
  /** @default - Azure-provided DNS */
  readonly dnsServers?: string[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * The hub VNet and its subnets. Special subnets get the names Azure requires; the DNS
 * resolver subnets are delegated to Microsoft.Network/dnsResolvers; workload subnets
 * (jumpbox, resolver) have Azure's default outbound access off, so their only way out is
 * the route to the firewall.
 */
export class HubNetwork extends Construct {
  public readonly vnet: VirtualNetwork;
  private readonly subnetsByRole = new Map<HubSubnetRole, Subnet>();
  private readonly cidrs: Partial<Record<HubSubnetRole, string>>;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    this.cidrs = props.subnets;
    this.vnet = new VirtualNetwork(this, "vnet", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: props.addressSpace,
      dnsServers: props.dnsServers,
      tags: props.tags,
    });
    for (const role of Object.keys(HUB_SUBNET_NAMES) as HubSubnetRole[]) {
      const prefix = props.subnets[role];
      if (prefix === undefined) continue;
      const subnet = new Subnet(this, `subnet-${role}`, {
        name: HUB_SUBNET_NAMES[role],
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [prefix],
        defaultOutboundAccessEnabled: APPLIANCE_SUBNETS.includes(role) ? undefined : false,
        // Network policies on for private endpoints: NSGs and route tables apply to them too.
        privateEndpointNetworkPolicies: role === "privateEndpoints" ? "Enabled" : undefined,
        delegation: RESOLVER_SUBNETS.includes(role)
          ? [{ name: "dns-resolver", serviceDelegation: { name: "Microsoft.Network/dnsResolvers", actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"] } }]
          : undefined,
      });
      this.subnetsByRole.set(role, subnet);
    }
  }

  /** The roles this hub has subnets for, in a stable order. */
  /** The VNet's id. */
  public get vnetId(): string {
    return this.vnet.id;
  }

  /** The VNet's name. */
  public get vnetName(): string {
    return this.vnet.name;
  }

  public get roles(): HubSubnetRole[] {
    return [...this.subnetsByRole.keys()];
  }

  /** True when the hub has a subnet for the role. */
  public hasSubnet(role: HubSubnetRole): boolean {
    return this.subnetsByRole.has(role);
  }

  /** The subnet for a role; throws naming the roles that exist when it has none. */
  public subnet(role: HubSubnetRole): Subnet {
    const subnet = this.subnetsByRole.get(role);
    if (!subnet) throw new Error(`No '${role}' subnet in the hub; available: ${this.roles.join(", ")}`);
    return subnet;
  }

  /** The subnet's resource id. */
  public subnetId(role: HubSubnetRole): string {
    return this.subnet(role).id;
  }

  /** The subnet's CIDR as written in the environment (a plain string, usable in rules). */
  public subnetCidr(role: HubSubnetRole): string {
    this.subnet(role);
    return this.cidrs[role] as string;
  }
}
