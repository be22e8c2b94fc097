/**
 * Guardrail rules: data plus a pure check of one construct. A check answers "pass", "fail"
 * or "n/a" (not a resource the rule is about). Where the platform default is unsafe, an
 * unset value fails.
 */
import { BastionHost } from "@cdktf/provider-azurerm/lib/bastion-host";
import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import type { IConstruct } from "constructs";

export type Verdict = "pass" | "fail" | "n/a";

export interface GuardrailRule {
  readonly id: string;
  /** What the rule requires, in a few words. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** What to do about a failure. */
  readonly fix: string;
  readonly check: (node: IConstruct) => Verdict;
}

const ANYWHERE = ["*", "0.0.0.0/0", "Internet", "Any", "any"];

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

export const publicIpNamed: GuardrailRule = {
  id: "PUB-001",
  title: "every public IP is a named, justified exception",
  rationale: "A public IP is an Internet-facing endpoint; the product allows only the firewall's egress (and management) IP and Bastion's.",
  fix: "Remove the public IP, or acknowledge it with acknowledge(publicIp, { id: \"PUB-001\", reason }) where it is created.",
  check: (n) => (n instanceof PublicIp ? "fail" : "n/a"),
};

export const noPublicNic: GuardrailRule = {
  id: "PUB-002",
  title: "no network interface has a public IP",
  rationale: "A VM with a public IP is reachable from the Internet, bypassing Bastion and the firewall.",
  fix: "Drop public_ip_address_id from the ip_configuration; reach the VM through Bastion or on-premises.",
  check: (n) => (!(n instanceof NetworkInterface) ? "n/a" : list(n.ipConfigurationInput).some((c) => c?.publicIpAddressId) ? "fail" : "pass"),
};

export const noInternetInbound: GuardrailRule = {
  id: "NET-001",
  title: "no NSG rule allows inbound traffic from anywhere",
  rationale: "An inbound Allow from *, 0.0.0.0/0 or Internet opens the subnet to the world.",
  fix: "Name the source ranges (a subnet, on-premises, a service tag other than Internet).",
  check: (n) => {
    if (!(n instanceof NetworkSecurityRule)) return "n/a";
    if (n.accessInput !== "Allow" || n.directionInput !== "Inbound") return "pass";
    const sources = [n.sourceAddressPrefixInput, ...list(n.sourceAddressPrefixesInput)].filter((s) => s !== undefined);
    return sources.length === 0 || sources.some((s) => ANYWHERE.includes(s)) ? "fail" : "pass";
  },
};

export const firewallRulesScoped: GuardrailRule = {
  id: "FW-001",
  title: "firewall rules name their sources and destinations",
  rationale: "An allow rule from or to * turns the egress firewall into an open proxy.",
  fix: "Use the spoke's subnet CIDRs as sources and catalog FQDNs (or named addresses) as destinations.",
  check: (n) => {
    if (!(n instanceof FirewallPolicyRuleCollectionGroup)) return "n/a";
    const rules = [...list(n.applicationRuleCollectionInput), ...list(n.networkRuleCollectionInput)].flatMap((c) => list(c?.rule));
    const broad = rules.some((r) => {
      const sources = [...list(r.sourceAddresses), ...list(r.sourceIpGroups)];
      const destinations = [...list(r.destinationFqdns), ...list(r.destinationAddresses), ...list(r.destinationFqdnTags), ...list(r.destinationIpGroups), ...list(r.destinationUrls)];
      return sources.length === 0 || sources.some((s) => ANYWHERE.includes(s)) || destinations.length === 0 || destinations.some((d) => ANYWHERE.includes(d));
    });
    return broad ? "fail" : "pass";
  },
};

const cluster = (check: (c: KubernetesCluster) => boolean) => (n: IConstruct): Verdict =>
  !(n instanceof KubernetesCluster) ? "n/a" : check(n) ? "pass" : "fail";

export const privateApiServer: GuardrailRule = {
  id: "AKS-001",
  title: "the API server is private",
  rationale: "A public API server exposes the control plane to the Internet.",
  fix: "Keep private_cluster_enabled = true (PrivateCluster always sets it).",
  check: cluster((c) => c.privateClusterEnabledInput === true),
};

export const noPublicFqdn: GuardrailRule = {
  id: "AKS-002",
  title: "the private cluster has no public FQDN",
  rationale: "A public FQDN publishes the API server's private address in public DNS.",
  fix: "Keep private_cluster_public_fqdn_enabled = false.",
  check: cluster((c) => c.privateClusterPublicFqdnEnabledInput === false),
};

export const egressThroughFirewall: GuardrailRule = {
  id: "AKS-003",
  title: "cluster egress goes through the route table (userDefinedRouting)",
  rationale: "Any other outbound type gives the cluster its own public egress IP, bypassing the firewall.",
  fix: "Keep network_profile.outbound_type = userDefinedRouting.",
  check: cluster((c) => c.networkProfileInput?.outboundType === "userDefinedRouting"),
};

export const noLocalAccounts: GuardrailRule = {
  id: "AKS-004",
  title: "local accounts are off and access goes through Entra ID with Azure RBAC",
  rationale: "Local accounts issue static admin credentials that bypass Entra ID and cannot be audited per person.",
  fix: "Keep local_account_disabled = true and azure_active_directory_role_based_access_control.azure_rbac_enabled = true.",
  check: cluster((c) => c.localAccountDisabledInput === true && c.azureActiveDirectoryRoleBasedAccessControlInput?.azureRbacEnabled === true),
};

export const noNodePublicIp: GuardrailRule = {
  id: "AKS-005",
  title: "nodes have no public IPs",
  rationale: "Node public IPs make every node reachable from, and able to egress to, the Internet directly.",
  fix: "Leave node_public_ip_enabled unset or false.",
  check: (n) => {
    if (n instanceof KubernetesCluster) return n.defaultNodePoolInput?.nodePublicIpEnabled === true ? "fail" : "pass";
    if (n instanceof KubernetesClusterNodePool) return n.nodePublicIpEnabledInput === true ? "fail" : "pass";
    return "n/a";
  },
};

export const sshKeysOnly: GuardrailRule = {
  id: "VM-001",
  title: "Linux VMs accept SSH keys only",
  rationale: "Password logins can be guessed; keys cannot.",
  fix: "Set disable_password_authentication = true and give admin_ssh_key.",
  check: (n) => (!(n instanceof LinuxVirtualMachine) ? "n/a" : n.disablePasswordAuthenticationInput === true ? "pass" : "fail"),
};

export const noShareableLinks: GuardrailRule = {
  id: "PUB-003",
  title: "Bastion does not hand out shareable links",
  rationale: "A shareable link lets anyone holding the URL reach a VM without signing in to Azure.",
  fix: "Keep shareable_link_enabled = false.",
  check: (n) => (!(n instanceof BastionHost) ? "n/a" : n.shareableLinkEnabledInput === true ? "fail" : "pass"),
};

/** Every guardrail, in report order. */
export const GUARDRAILS: readonly GuardrailRule[] = [
  publicIpNamed,
  noPublicNic,
  noShareableLinks,
  noInternetInbound,
  firewallRulesScoped,
  privateApiServer,
  noPublicFqdn,
  egressThroughFirewall,
  noLocalAccounts,
  noNodePublicIp,
  sshKeysOnly,
];
