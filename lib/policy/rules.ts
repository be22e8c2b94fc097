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
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { Daemonset } from "@cdktf/provider-kubernetes/lib/daemonset";
import { Deployment } from "@cdktf/provider-kubernetes/lib/deployment";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Pod } from "@cdktf/provider-kubernetes/lib/pod";
import { PodV1 } from "@cdktf/provider-kubernetes/lib/pod-v1";
import { ReplicationControllerV1 } from "@cdktf/provider-kubernetes/lib/replication-controller-v1";
import { Service } from "@cdktf/provider-kubernetes/lib/service";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { StatefulSet } from "@cdktf/provider-kubernetes/lib/stateful-set";
import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import type { IConstruct } from "constructs";
import { type Cidr, parseCidr } from "../net/cidr";
import { isPrivate } from "../net/special-ranges";
import {
  K8S_INTERNAL_LOAD_BALANCER,
  K8S_NO_HOST_NETWORK,
  K8S_NO_NODE_PORT,
  type KubernetesRule,
  objectViolations,
  podViolations,
  serviceViolations,
} from "./kubernetes-rules";

export type Verdict = "pass" | "fail" | "n/a";

/** What a rule may need to know of the environment: which address space counts as private. */
export interface GuardrailContext {
  /** Ranges declared private besides RFC 1918 and RFC 6598 (the environment's privateRanges). */
  readonly privateRanges: readonly Cidr[];
}

export const NO_CONTEXT: GuardrailContext = { privateRanges: [] };

export interface GuardrailRule {
  readonly id: string;
  /** What the rule requires, in a few words. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** What to do about a failure. */
  readonly fix: string;
  readonly check: (node: IConstruct, context: GuardrailContext) => Verdict;
}

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/** Service tags that stand for addresses inside the VNet, not the Internet. */
const PRIVATE_SERVICE_TAGS = ["VirtualNetwork", "AzureLoadBalancer"];

/**
 * True when an address expression of an NSG or firewall rule reaches public address space:
 * anywhere (`*`, `Any`, `Internet`, `0.0.0.0/0`), a CIDR, address or range outside private
 * space, a service tag other than VirtualNetwork and AzureLoadBalancer, or a value that is not
 * known at synth (an unresolved reference counts as public: unknown is not safe).
 */
export function reachesPublic(address: unknown, context: GuardrailContext): boolean {
  if (typeof address !== "string" || address.includes("${")) return true;
  if (PRIVATE_SERVICE_TAGS.includes(address)) return false;
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const blocks = range ? [range[1], range[2]].map((ip) => parseCidr(`${ip}/32`)) : [parseCidr(address.includes("/") ? address : `${address}/32`)];
  return blocks.some((b) => !b.ok || !isPrivate(b.value, context.privateRanges));
}

/** A firewall destination that names a Microsoft-maintained address set (a service tag such as AzureMonitor). */
function isServiceTag(address: string): boolean {
  return /^[A-Z][A-Za-z0-9]+(\.[A-Za-z0-9]+)?$/.test(address);
}

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

/** Whether one NSG rule (separate resource or inline block) allows traffic from or to public address space. */
function nsgRuleOpensPublic(rule: { access?: string; direction?: string; sources: unknown[]; destinations: unknown[] }, context: GuardrailContext): boolean {
  if (rule.access !== "Allow") return false;
  const side = rule.direction === "Outbound" ? rule.destinations : rule.sources;
  return side.length === 0 || side.some((a) => reachesPublic(a, context));
}

export const noInternetInbound: GuardrailRule = {
  id: "NET-001",
  title: "no NSG rule allows traffic from or to public address space",
  rationale: "An Allow rule whose source (inbound) or destination (outbound) reaches beyond private address space opens the subnet to the Internet, whatever it is spelt as (*, Internet, 0.0.0.0/0, 128.0.0.0/1, a service tag).",
  fix: "Name private sources (a subnet, on-premises ranges, VirtualNetwork), or declare ranges your organisation routes privately in privateRanges.",
  check: (n, context) => {
    if (n instanceof NetworkSecurityRule) {
      const sources = [n.sourceAddressPrefixInput, ...list(n.sourceAddressPrefixesInput)].filter((s) => s !== undefined);
      const destinations = [n.destinationAddressPrefixInput, ...list(n.destinationAddressPrefixesInput)].filter((s) => s !== undefined);
      return nsgRuleOpensPublic({ access: n.accessInput, direction: n.directionInput, sources, destinations }, context) ? "fail" : "pass";
    }
    if (n instanceof NetworkSecurityGroup) {
      const inline = list(n.securityRuleInput);
      const open = inline.some((r) =>
        nsgRuleOpensPublic({
          access: r?.access,
          direction: r?.direction,
          sources: [r?.sourceAddressPrefix, ...list(r?.sourceAddressPrefixes)].filter((s) => s !== undefined),
          destinations: [r?.destinationAddressPrefix, ...list(r?.destinationAddressPrefixes)].filter((s) => s !== undefined),
        }, context),
      );
      return open ? "fail" : "pass";
    }
    return "n/a";
  },
};

export const firewallRulesScoped: GuardrailRule = {
  id: "FW-001",
  title: "firewall rules come from private sources and name their destinations",
  rationale: "An allow rule from public address space, or to * or a public address range, turns the egress firewall into an open proxy or a way in.",
  fix: "Use the spoke's subnet CIDRs as sources, and catalog FQDNs, FQDN tags or service tags as destinations; acknowledge a deliberate public address destination with its reason.",
  check: (n, context) => {
    if (!(n instanceof FirewallPolicyRuleCollectionGroup)) return "n/a";
    const collections = [...list(n.applicationRuleCollectionInput), ...list(n.networkRuleCollectionInput)].filter((c) => c?.action !== "Deny");
    const broad = collections.flatMap((c) => list(c?.rule)).some((r) => {
      const sources = [...list(r.sourceAddresses), ...list(r.sourceIpGroups)];
      const fqdns = [...list(r.destinationFqdns), ...list(r.destinationFqdnTags), ...list(r.destinationUrls)];
      const addresses = [...list(r.destinationAddresses), ...list(r.destinationIpGroups)];
      return (
        sources.length === 0 ||
        sources.some((s) => reachesPublic(s, context)) ||
        fqdns.length + addresses.length === 0 ||
        fqdns.some((d) => typeof d !== "string" || d === "*" || d.includes("${")) ||
        addresses.some((a) => typeof a !== "string" || (!isServiceTag(a) && reachesPublic(a, context)))
      );
    });
    return broad ? "fail" : "pass";
  },
};

export const noDnat: GuardrailRule = {
  id: "FW-002",
  title: "the firewall publishes nothing (no DNAT rules)",
  rationale: "A DNAT rule makes an inside address reachable on the firewall's public IP: the one way in the egress firewall must never offer.",
  fix: "Remove the nat_rule_collection; publish apps only through internal load balancers and private DNS.",
  check: (n) => (!(n instanceof FirewallPolicyRuleCollectionGroup) ? "n/a" : list(n.natRuleCollectionInput).length > 0 ? "fail" : "pass"),
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

/** Kubernetes provider workload resources: their pod template, in the provider's shape. */
const WORKLOADS: { type: new (...args: any[]) => IConstruct; pod: (spec: any) => any }[] = [
  { type: DeploymentV1, pod: (s) => s?.template?.spec },
  { type: Deployment, pod: (s) => s?.template?.spec },
  { type: DaemonSetV1, pod: (s) => s?.template?.spec },
  { type: Daemonset, pod: (s) => s?.template?.spec },
  { type: StatefulSetV1, pod: (s) => s?.template?.spec },
  { type: StatefulSet, pod: (s) => s?.template?.spec },
  { type: JobV1, pod: (s) => s?.template?.spec },
  { type: CronJobV1, pod: (s) => s?.jobTemplate?.spec?.template?.spec },
  { type: ReplicationControllerV1, pod: (s) => s?.template?.spec },
  { type: PodV1, pod: (s) => s },
  { type: Pod, pod: (s) => s },
];

/** The Kubernetes guardrails a construct breaks, read from what it will send (provider resources or a raw manifest). */
function kubernetesViolations(n: IConstruct): KubernetesRule[] | undefined {
  if (n instanceof ServiceV1 || n instanceof Service) {
    const spec = list(n.specInput)[0] ?? n.specInput;
    const meta = list(n.metadataInput)[0] ?? n.metadataInput;
    return serviceViolations({ type: (spec as any)?.type, annotations: (meta as any)?.annotations });
  }
  if (n instanceof Manifest) return objectViolations(n.manifestInput);
  const workload = WORKLOADS.find((w) => n instanceof w.type);
  if (!workload) return undefined;
  const anyNode = n as any;
  const spec = list(anyNode.specInput)[0] ?? anyNode.specInput;
  const pod = workload.pod(spec);
  const containers = [...list(pod?.container), ...list(pod?.initContainer)];
  const hostPorts = containers.flatMap((c) => list(c?.port)).map((p) => p?.hostPort).filter((p) => p !== undefined && p !== 0);
  return podViolations({ hostNetwork: pod?.hostNetwork === true, hostPorts });
}

const kubernetesRule = (rule: KubernetesRule): GuardrailRule => ({
  ...rule,
  check: (n) => {
    const found = kubernetesViolations(n);
    return found === undefined ? "n/a" : found.includes(rule) ? "fail" : "pass";
  },
});

export const internalLoadBalancers = kubernetesRule(K8S_INTERNAL_LOAD_BALANCER);
export const noNodePorts = kubernetesRule(K8S_NO_NODE_PORT);
export const noHostNetwork = kubernetesRule(K8S_NO_HOST_NETWORK);

/** Every guardrail, in report order. */
export const GUARDRAILS: readonly GuardrailRule[] = [
  publicIpNamed,
  noPublicNic,
  noShareableLinks,
  noInternetInbound,
  firewallRulesScoped,
  noDnat,
  privateApiServer,
  noPublicFqdn,
  egressThroughFirewall,
  noLocalAccounts,
  noNodePublicIp,
  sshKeysOnly,
  internalLoadBalancers,
  noNodePorts,
  noHostNetwork,
];
