import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { Construct } from "constructs";

/** One NSG rule, in the words of the Azure portal. */
export interface NsgRule {
  /** Unique within the NSG; also the construct id, so keep it stable. */
  readonly name: string;
  /** 100-4096, lower wins. */
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: "Tcp" | "Udp" | "Icmp" | "*";
  /** CIDRs or service tags (`VirtualNetwork`, `Internet`, `AzureLoadBalancer`). */
  readonly sources: string[];
  readonly destinations: string[];
  /** Ports or ranges (`22`, `8000-8080`, `*`). */
  readonly ports: string[];
  /** Why the rule exists; shown in the portal and in review. */
  readonly description: string;
}

export interface SubnetNsgProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The subnet the NSG is associated with. */
  readonly subnetId: string;
  /** @default - only Azure's default rules (VNet and load balancer in, nothing from the Internet) */
  readonly rules?: NsgRule[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * A network security group associated with one subnet. Rules are separate resources so
 * that adding one shows as one added resource in a plan.
 */
export class SubnetNsg extends Construct {
  public readonly nsg: NetworkSecurityGroup;
  public readonly association: SubnetNetworkSecurityGroupAssociation;

  constructor(scope: Construct, id: string, props: SubnetNsgProps) {
    super(scope, id);
    this.nsg = new NetworkSecurityGroup(this, "nsg", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });
    for (const rule of props.rules ?? []) {
      const one = <T>(values: T[]): T | undefined => (values.length === 1 ? values[0] : undefined);
      const many = <T>(values: T[]): T[] | undefined => (values.length === 1 ? undefined : values);
      new NetworkSecurityRule(this, `rule-${rule.name}`, {
        name: rule.name,
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: this.nsg.name,
        priority: rule.priority,
        direction: rule.direction,
        access: rule.access,
        protocol: rule.protocol,
        description: rule.description,
        sourcePortRange: "*",
        sourceAddressPrefix: one(rule.sources),
        sourceAddressPrefixes: many(rule.sources),
        destinationAddressPrefix: one(rule.destinations),
        destinationAddressPrefixes: many(rule.destinations),
        destinationPortRange: one(rule.ports),
        destinationPortRanges: many(rule.ports),
      });
    }
    this.association = new SubnetNetworkSecurityGroupAssociation(this, "association", {
      subnetId: props.subnetId,
      networkSecurityGroupId: this.nsg.id,
    });
  }
}

/** Denies anything from the Internet service tag explicitly, so reviewers see the intent. */
export const DENY_INTERNET_INBOUND: NsgRule = {
  name: "deny-internet-inbound",
  priority: 4000,
  direction: "Inbound",
  access: "Deny",
  protocol: "*",
  sources: ["Internet"],
  destinations: ["*"],
  ports: ["*"],
  description: "Nothing in this subnet is reachable from the Internet.",
};
