import { createHash } from "crypto";
import { PrivateDnsResolver } from "@cdktf/provider-azurerm/lib/private-dns-resolver";
import { PrivateDnsResolverDnsForwardingRuleset } from "@cdktf/provider-azurerm/lib/private-dns-resolver-dns-forwarding-ruleset";
import { PrivateDnsResolverForwardingRule } from "@cdktf/provider-azurerm/lib/private-dns-resolver-forwarding-rule";
import { PrivateDnsResolverInboundEndpoint } from "@cdktf/provider-azurerm/lib/private-dns-resolver-inbound-endpoint";
import { PrivateDnsResolverOutboundEndpoint } from "@cdktf/provider-azurerm/lib/private-dns-resolver-outbound-endpoint";
import { PrivateDnsResolverVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-resolver-virtual-network-link";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { cidr, firstAzureHostIp } from "../net/cidr";
import type { VnetLinkTarget } from "./private-dns";
import { DENY_INTERNET_INBOUND, SubnetNsg } from "./subnet-nsg";

/** A conditional forwarding rule: queries for `domain` go to `targets`. */
export interface ForwardingRule {
  /** Fully qualified, with the trailing dot: `onprem.example.com.` */
  readonly domain: string;
  readonly targets: { readonly ip: string; readonly port: number }[];
}

export interface DnsResolverProps {
  readonly name: string;
  readonly rulesetName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The hub VNet the resolver lives in. */
  readonly vnetId: string;
  /** Subnet of the inbound endpoint (delegated to Microsoft.Network/dnsResolvers); the endpoint takes its first usable address. */
  readonly inboundSubnet: { readonly id: string; readonly cidr: string };
  /** Subnet of the outbound endpoint (delegated to Microsoft.Network/dnsResolvers). */
  readonly outboundSubnetId: string;
  /** Names of the NSGs on the two endpoint subnets (nothing from the Internet reaches them). */
  readonly nsgNames: { readonly inbound: string; readonly outbound: string };
  /** Conditional forwarding to on-premises DNS. @default - none (no ruleset is created) */
  readonly forwarding?: ForwardingRule[];
  /** VNets the ruleset is linked to at creation (the hub); spokes link theirs with ForwardingRulesetLink. @default - none */
  readonly rulesetLinks?: VnetLinkTarget[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * Azure DNS Private Resolver in the hub: an inbound endpoint at a static address that
 * on-premises DNS forwards Azure zones to, and an outbound endpoint with a forwarding ruleset
 * that sends on-premises domains to on-premises DNS servers.
 */
export class DnsResolver extends Construct {
  public readonly resolver: PrivateDnsResolver;
  public readonly inbound: PrivateDnsResolverInboundEndpoint;
  public readonly outbound: PrivateDnsResolverOutboundEndpoint;
  public readonly ruleset?: PrivateDnsResolverDnsForwardingRuleset;
  /** The inbound endpoint's address, known at synth. */
  public readonly inboundIp: string;

  constructor(scope: Construct, id: string, props: DnsResolverProps) {
    super(scope, id);
    this.inboundIp = firstAzureHostIp(cidr(props.inboundSubnet.cidr));
    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };
    new SubnetNsg(this, "nsg-inbound", { ...common, name: props.nsgNames.inbound, subnetId: props.inboundSubnet.id, rules: [DENY_INTERNET_INBOUND] });
    new SubnetNsg(this, "nsg-outbound", { ...common, name: props.nsgNames.outbound, subnetId: props.outboundSubnetId, rules: [DENY_INTERNET_INBOUND] });
    this.resolver = new PrivateDnsResolver(this, "resolver", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      virtualNetworkId: props.vnetId,
      tags: props.tags,
    });
    this.inbound = new PrivateDnsResolverInboundEndpoint(this, "inbound", {
      name: "inbound",
      privateDnsResolverId: this.resolver.id,
      location: props.location,
      ipConfigurations: { subnetId: props.inboundSubnet.id, privateIpAllocationMethod: "Static", privateIpAddress: this.inboundIp },
      tags: props.tags,
    });
    this.outbound = new PrivateDnsResolverOutboundEndpoint(this, "outbound", {
      name: "outbound",
      privateDnsResolverId: this.resolver.id,
      location: props.location,
      subnetId: props.outboundSubnetId,
      tags: props.tags,
    });
    const rules = props.forwarding ?? [];
    if (rules.length === 0) return;
    const ruleset = new PrivateDnsResolverDnsForwardingRuleset(this, "ruleset", {
      name: props.rulesetName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      privateDnsResolverOutboundEndpointIds: [this.outbound.id],
      tags: props.tags,
    });
    this.ruleset = ruleset;
    for (const rule of rules) {
      const name = ruleName(rule.domain);
      new PrivateDnsResolverForwardingRule(this, `rule-${name}`, {
        name,
        dnsForwardingRulesetId: ruleset.id,
        domainName: rule.domain,
        enabled: true,
        targetDnsServers: rule.targets.map((t) => ({ ipAddress: t.ip, port: t.port })),
      });
    }
    for (const link of props.rulesetLinks ?? []) {
      rulesetLink(this, ruleset.id, link);
    }
  }
}

export interface ForwardingRulesetLinkProps {
  readonly rulesetId: string;
  readonly vnet: VnetLinkTarget;
  /** The provider of the ruleset's subscription. @default - the stack's */
  readonly provider?: TerraformProvider;
}

/** Links a VNet (a spoke) to the hub's forwarding ruleset, so its Azure DNS queries follow the rules. */
export class ForwardingRulesetLink extends Construct {
  public readonly link: PrivateDnsResolverVirtualNetworkLink;

  constructor(scope: Construct, id: string, props: ForwardingRulesetLinkProps) {
    super(scope, id);
    this.link = rulesetLink(this, props.rulesetId, props.vnet, props.provider);
  }
}

function rulesetLink(scope: Construct, rulesetId: string, target: VnetLinkTarget, provider?: TerraformProvider) {
  return new PrivateDnsResolverVirtualNetworkLink(scope, `link-${target.key}`, {
    provider,
    name: `link-${target.key}`,
    dnsForwardingRulesetId: rulesetId,
    virtualNetworkId: target.vnetId,
  });
}

/** Longest forwarding rule name Azure accepts. */
const MAX_RULE_NAME = 80;

/**
 * A rule name from its domain, valid whatever the domain: `onprem.example.com.` becomes
 * `fwd-onprem-example-com`, `168.192.in-addr.arpa.` becomes `fwd-168-192-in-addr-arpa` (Azure
 * wants the name to start with a letter). A domain too long for 80 characters is cut and
 * ends with a short hash of the whole domain, so two long domains never share a name.
 */
export function ruleName(domain: string): string {
  const slug = domain.replace(/\.$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const name = `fwd-${slug}`;
  if (name.length <= MAX_RULE_NAME) return name;
  const hash = createHash("sha256").update(domain.toLowerCase()).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_RULE_NAME - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
