import { Firewall } from "@cdktf/provider-azurerm/lib/firewall";
import { FirewallPolicy } from "@cdktf/provider-azurerm/lib/firewall-policy";
import type { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEFAULTS } from "../domain/defaults";
import { Diagnostics } from "./log-analytics";
import { publicEndpoint } from "./public-endpoint";

export type FirewallTier = "Basic" | "Standard" | "Premium";

export interface EgressFirewallProps {
  readonly name: string;
  readonly policyName: string;
  readonly publicIpName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** AzureFirewallSubnet. */
  readonly subnetId: string;
  /** Log Analytics workspace for the firewall's logs. */
  readonly workspaceId: string;
  /** @default Standard */
  readonly tier?: FirewallTier;
  /** @default ["1", "2", "3"] */
  readonly zones?: string[];
  /** @default Deny */
  readonly threatIntelMode?: "Off" | "Alert" | "Deny";
  /** @default true */
  readonly dnsProxy?: boolean;
  /** Intrusion detection and prevention, Premium tier only. @default Deny on Premium, none otherwise */
  readonly idps?: "Alert" | "Deny" | "Off";
  /** Per-signature IDPS modes, Premium tier only. @default - none */
  readonly idpsSignatureOverrides?: readonly { readonly id: string; readonly state: "Alert" | "Deny" | "Off" }[];
  /**
   * Every range the network treats as private, when it is more than IANA's (RFC 1918 and RFC
   * 6598): the firewall then never SNATs traffic to them, and IDPS counts them as the home
   * network. @default - IANA's private ranges (Azure's default)
   */
  readonly privateRanges?: readonly string[];
  /** Public IPs for egress SNAT. @default 1 */
  readonly egressIps?: number;
  /**
   * AzureFirewallManagementSubnet and the name of its public IP: Basic tier and forced
   * tunnelling need a management IP configuration there.
   * @default - none (not allowed with Basic tier)
   */
  readonly management?: { readonly subnetId: string; readonly publicIpName: string };
  /**
   * TLS inspection (Premium): the policy's user-assigned identity and, once the CA is in its
   * vault, the certificate (its versionless secret id) and what must exist before the policy
   * reads it (the identity's access policy). @default - none
   */
  readonly tlsInspection?: { readonly identityId: string; readonly certificate?: { readonly name: string; readonly secretId: string; readonly after: ITerraformDependable[] } };
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * Resource-specific log categories of Azure Firewall, sent to the workspace's AZFW* tables:
 * every allowed and denied flow, DNS proxy queries, threat intelligence and IDPS hits.
 */
export const FIREWALL_LOG_CATEGORIES = [
  "AZFWApplicationRule",
  "AZFWApplicationRuleAggregation",
  "AZFWDnsQuery",
  "AZFWFqdnResolveFailure",
  "AZFWIdpsSignature",
  "AZFWNatRule",
  "AZFWNatRuleAggregation",
  "AZFWNetworkRule",
  "AZFWNetworkRuleAggregation",
  "AZFWThreatIntel",
] as const;

/**
 * Azure Firewall with a Firewall Policy: the one way out of every spoke. The policy holds the
 * settings (tier, threat intelligence, DNS proxy); rule collection groups are added to it
 * separately (EgressRuleGroup), one per spoke. Logs go to the hub workspace.
 */
export class EgressFirewall extends Construct {
  public readonly policy: FirewallPolicy;
  public readonly firewall: Firewall;
  /** The first egress public IP. */
  public readonly publicIp: PublicIp;
  /** Every egress public IP. */
  public readonly publicIps: PublicIp[] = [];
  public readonly managementPublicIp?: PublicIp;

  constructor(scope: Construct, id: string, props: EgressFirewallProps) {
    super(scope, id);
    const tier = props.tier ?? DEFAULTS.firewall.tier;
    const zones = props.zones ?? ["1", "2", "3"];
    if (tier === "Basic" && !props.management) {
      throw new Error(`EgressFirewall ${props.name}: Basic tier needs 'management' (AzureFirewallManagementSubnet and a public IP)`);
    }

    const common = { resourceGroupName: props.resourceGroupName, location: props.location, zones, tags: props.tags };
    const egressIps = props.egressIps ?? DEFAULTS.firewall.egressIps;
    for (let i = 0; i < egressIps; i++) {
      this.publicIps.push(
        publicEndpoint(this, i === 0 ? "public-ip" : `public-ip-${i + 1}`, {
          ...common,
          name: i === 0 ? props.publicIpName : `${props.publicIpName}-${i + 1}`,
          reason: "Azure Firewall's egress address: all spoke egress leaves Azure SNAT-ed to it; the policy has no DNAT rules, so nothing inbound is allowed.",
        }),
      );
    }
    this.publicIp = this.publicIps[0];
    if (props.management) {
      this.managementPublicIp = publicEndpoint(this, "management-public-ip", {
        ...common,
        name: props.management.publicIpName,
        reason: "Azure requires a public IP on the firewall's management configuration (the Basic tier, or forced tunnelling on any tier); only the platform uses it, no workload traffic.",
      });
    }

    this.policy = new FirewallPolicy(this, "policy", {
      name: props.policyName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: tier,
      threatIntelligenceMode: props.threatIntelMode ?? DEFAULTS.firewall.threatIntelMode,
      dns: tier === "Basic" ? undefined : { proxyEnabled: props.dnsProxy ?? DEFAULTS.firewall.dnsProxy },
      intrusionDetection:
        tier === "Premium"
          ? {
              mode: props.idps ?? DEFAULTS.firewall.idpsOnPremium,
              signatureOverrides: props.idpsSignatureOverrides?.length ? props.idpsSignatureOverrides.map((o) => ({ id: o.id, state: o.state })) : undefined,
              privateRanges: props.privateRanges ? [...props.privateRanges] : undefined,
            }
          : undefined,
      // Azure's default is IANA's private ranges; the provider takes only CIDRs, so a longer list names them too.
      privateIpRanges: props.privateRanges ? [...props.privateRanges] : undefined,
      identity: props.tlsInspection ? { type: "UserAssigned", identityIds: [props.tlsInspection.identityId] } : undefined,
      tlsCertificate: props.tlsInspection?.certificate ? { name: props.tlsInspection.certificate.name, keyVaultSecretId: props.tlsInspection.certificate.secretId } : undefined,
      dependsOn: props.tlsInspection?.certificate?.after,
      tags: props.tags,
    });

    this.firewall = new Firewall(this, "firewall", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName: "AZFW_VNet",
      skuTier: tier,
      firewallPolicyId: this.policy.id,
      zones,
      // Only the first IP configuration sits in the subnet; the others add egress addresses.
      ipConfiguration: this.publicIps.map((ip, i) => ({ name: i === 0 ? "egress" : `egress-${i + 1}`, subnetId: i === 0 ? props.subnetId : undefined, publicIpAddressId: ip.id })),
      managementIpConfiguration:
        props.management && this.managementPublicIp
          ? { name: "management", subnetId: props.management.subnetId, publicIpAddressId: this.managementPublicIp.id }
          : undefined,
      tags: props.tags,
    });

    new Diagnostics(this, "diagnostics", {
      targetResourceId: this.firewall.id,
      workspaceId: props.workspaceId,
      logCategories: FIREWALL_LOG_CATEGORIES,
    });
  }

  /** The firewall's private IP in AzureFirewallSubnet: the next hop of every spoke's default route. */
  /** What must exist before traffic is sent through the firewall (its rules' groups, the subnets routed to it). */
  public get ready(): ITerraformDependable[] {
    return [this.firewall];
  }

  public get privateIp(): string {
    return this.firewall.ipConfiguration.get(0).privateIpAddress;
  }

  public get policyId(): string {
    return this.policy.id;
  }
}
