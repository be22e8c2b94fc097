import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { IpGroup } from "@cdktf/provider-azurerm/lib/ip-group";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { ApplicationEntry, EgressEntry, NetworkEntry } from "../domain/aks-egress-catalog";

export interface EgressRuleGroupProps {
  /** Rule collection group name, unique in the policy. */
  readonly name: string;
  readonly firewallPolicyId: string;
  /** 100-65000, unique in the policy; lower is evaluated first. */
  readonly priority: number;
  /** Who may use these rules: CIDRs of the subnets that need egress. Never `*`. */
  readonly sourceAddresses: string[];
  /**
   * Name the sources through an IP group holding exactly `sourceAddresses`, created in this
   * resource group: rules then cite the group, so they stay short and one list changes when a
   * subnet does. @default - the addresses in every rule
   */
  readonly sourceIpGroup?: { readonly name: string; readonly resourceGroupName: string; readonly location: string; readonly tags?: Record<string, string> };
  /** What they may reach (from the egress catalog, or built the same way). */
  readonly entries: EgressEntry[];
  /**
   * Wait for these first: the firewall that uses the policy. Azure refuses a change to a policy
   * while a firewall attached to it is still being provisioned. @default - nothing
   */
  readonly after?: ITerraformDependable[];
  /** The provider of the policy's subscription, when it is not the stack's (an existing hub's policy). @default - the stack's */
  readonly policyProvider?: TerraformProvider;
}

/** Priority of the network rule collection inside a group (network rules are evaluated first anyway). */
export const NETWORK_COLLECTION_PRIORITY = 100;
/** Priority of the application rule collection inside a group. */
export const APPLICATION_COLLECTION_PRIORITY = 200;

/**
 * One firewall policy rule collection group that allows a set of sources to reach a set of
 * catalog entries: one network and one application rule collection, both Allow. Everything
 * else stays denied by the firewall's default.
 */
export class EgressRuleGroup extends Construct {
  public readonly group: FirewallPolicyRuleCollectionGroup;
  /** The IP group its rules name as their source, when asked for one. */
  public readonly ipGroup?: IpGroup;

  constructor(scope: Construct, id: string, props: EgressRuleGroupProps) {
    super(scope, id);
    if (props.sourceAddresses.length === 0 || props.sourceAddresses.some((s) => s === "*" || s === "0.0.0.0/0" || s === "Any")) {
      throw new Error(`EgressRuleGroup ${props.name}: sourceAddresses must list the subnets that need egress, never '*' (got ${JSON.stringify(props.sourceAddresses)})`);
    }
    if (props.sourceIpGroup) {
      this.ipGroup = new IpGroup(this, "sources", { ...props.sourceIpGroup, cidrs: [...props.sourceAddresses] });
    }
    const sources = this.ipGroup ? { sourceIpGroups: [this.ipGroup.id] } : { sourceAddresses: props.sourceAddresses };
    const network = props.entries.filter((e): e is NetworkEntry => e.kind === "network");
    const application = props.entries.filter((e): e is ApplicationEntry => e.kind === "application");
    this.group = new FirewallPolicyRuleCollectionGroup(this, "group", {
      name: props.name,
      firewallPolicyId: props.firewallPolicyId,
      priority: props.priority,
      dependsOn: props.after?.length ? props.after : undefined,
      provider: props.policyProvider,
      networkRuleCollection: network.length === 0 ? undefined : [
        {
          name: `${props.name}-network`,
          priority: NETWORK_COLLECTION_PRIORITY,
          action: "Allow",
          rule: network.map((e) => ({
            name: e.id,
            description: e.description,
            protocols: [e.protocol],
            ...sources,
            destinationFqdns: e.fqdns ? [...e.fqdns] : undefined,
            destinationAddresses: e.serviceTags || e.addresses ? [...(e.serviceTags ?? []), ...(e.addresses ?? [])] : undefined,
            destinationPorts: [...e.ports],
          })),
        },
      ],
      applicationRuleCollection: application.length === 0 ? undefined : [
        {
          name: `${props.name}-application`,
          priority: APPLICATION_COLLECTION_PRIORITY,
          action: "Allow",
          rule: application.map((e) => ({
            name: e.id,
            description: e.description,
            ...sources,
            destinationFqdns: e.fqdns ? [...e.fqdns] : undefined,
            destinationFqdnTags: e.fqdnTags ? [...e.fqdnTags] : undefined,
            protocols: e.protocols.map((p) => ({ type: p.type, port: p.port })),
            // TLS inspection: the firewall decrypts and inspects with the policy's CA (Premium).
            terminateTls: e.terminateTls ? true : undefined,
          })),
        },
      ],
    });
  }
}
