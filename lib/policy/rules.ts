/**
 * Guardrail rules: data plus a pure check over the model of the synthesized output (what will
 * be applied, escape hatches and hand-written resources included). A check returns one result
 * per resource or manifest object it is about. Where the platform default is unsafe, an unset
 * value fails; a value that cannot be resolved at synth fails too (unknown is not safe).
 */
import { secretIn } from "../core/secrets";
import { literalText, templateParts } from "../core/template";
import { type Cidr, parseCidr } from "../net/cidr";
import { isPrivate } from "../net/special-ranges";
import { type Model, Ref, type Resource, Unknown } from "../output/model";
import { expandIpGroups, type Subnet, topology } from "../output/topology";
import { K8S_INTERNAL_LOAD_BALANCER, K8S_NO_HOST_NETWORK, K8S_NO_NODE_PORT, type KubernetesRule, objectViolations, podViolations, serviceViolations } from "./kubernetes-rules";

export type Verdict = "pass" | "fail";

/** What a rule may need to know of the environment: which address space counts as private. */
export interface GuardrailContext {
  /** Ranges declared private besides RFC 1918 and RFC 6598 (the environment's privateRanges). */
  readonly privateRanges: readonly Cidr[];
}

export const NO_CONTEXT: GuardrailContext = { privateRanges: [] };

/** One judgement of one subject: a resource of a stack, or an object of a manifest file. */
export interface Result {
  /** Construct path (`demo-hub/firewall/public-ip`) or manifest object (`manifests/demo-aks1/hello.yaml: Service hello/hello`). */
  readonly subject: string;
  /** `<stack>/<type>.<key>` for a resource. */
  readonly address?: string;
  readonly verdict: Verdict;
  /** What exactly failed, when it helps. */
  readonly detail?: string;
}

export interface GuardrailRule {
  readonly id: string;
  /** What the rule requires, in a few words. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** What to do about a failure. */
  readonly fix: string;
  readonly check: (model: Model, context: GuardrailContext) => Result[];
}

const list = (value: unknown): any[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const first = (value: unknown): any => (Array.isArray(value) ? value[0] : value);

/** Judges every resource of some types. */
const perResource = (types: string[], judge: (attrs: any, r: Resource, model: Model, context: GuardrailContext) => string | undefined) =>
  (model: Model, context: GuardrailContext): Result[] =>
    types.flatMap((t) => model.ofType(t)).map((r) => {
      const detail = judge(model.attrs(r), r, model, context);
      return { subject: r.path, address: r.address, verdict: detail === undefined ? "pass" : "fail", detail };
    });

/** Service tags that stand for addresses inside the VNet, not the Internet. */
const PRIVATE_SERVICE_TAGS = ["VirtualNetwork", "AzureLoadBalancer"];

/**
 * True when an address of an NSG or firewall rule reaches public address space: anywhere
 * (`*`, `Any`, `Internet`, `0.0.0.0/0`), a CIDR, address or range outside private space, a
 * service tag other than VirtualNetwork and AzureLoadBalancer, or a value not known at synth.
 */
export function reachesPublic(address: unknown, context: GuardrailContext): boolean {
  if (typeof address !== "string") return true;
  if (PRIVATE_SERVICE_TAGS.includes(address)) return false;
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const blocks = range ? [range[1], range[2]].map((ip) => parseCidr(`${ip}/32`)) : [parseCidr(address.includes("/") ? address : `${address}/32`)];
  return blocks.some((b) => !b.ok || !isPrivate(b.value, context.privateRanges));
}

/** A firewall destination that names a Microsoft-maintained address set (a service tag such as AzureMonitor). */
function isServiceTag(address: unknown): boolean {
  return typeof address === "string" && /^[A-Z][A-Za-z0-9]+(\.[A-Za-z0-9]+)?$/.test(address);
}

const show = (v: unknown) => (v instanceof Ref || v instanceof Unknown ? String(v) : JSON.stringify(v));

export const publicIpNamed: GuardrailRule = {
  id: "PUB-001",
  title: "every public IP is a named, justified exception",
  rationale: "A public IP is an Internet-facing endpoint; the product allows only the firewall's egress (and management) IP and Bastion's.",
  fix: 'Remove the public IP, or acknowledge it with acknowledge(publicIp, { id: "PUB-001", reason }) where it is created.',
  check: perResource(["azurerm_public_ip", "azurerm_public_ip_prefix"], () => "a public address"),
};

export const noPublicNic: GuardrailRule = {
  id: "PUB-002",
  title: "no network interface has a public IP",
  rationale: "A VM with a public IP is reachable from the Internet, bypassing Bastion and the firewall.",
  fix: "Drop public_ip_address_id from the ip_configuration; reach the VM through Bastion or on-premises.",
  check: perResource(["azurerm_network_interface"], (a) => (list(a.ip_configuration).some((c) => c?.public_ip_address_id !== undefined) ? "an ip_configuration has public_ip_address_id" : undefined)),
};

export const noShareableLinks: GuardrailRule = {
  id: "PUB-003",
  title: "Bastion does not hand out shareable links",
  rationale: "A shareable link lets anyone holding the URL reach a VM without signing in to Azure.",
  fix: "Keep shareable_link_enabled = false.",
  check: perResource(["azurerm_bastion_host"], (a) => (a.shareable_link_enabled === true ? "shareable_link_enabled is true" : undefined)),
};

/** Whether one NSG rule (separate resource or inline block) allows traffic from or to public address space. */
function nsgRuleOpensPublic(rule: any, context: GuardrailContext): string | undefined {
  if (rule?.access !== "Allow") return undefined;
  const outbound = rule.direction === "Outbound";
  const side = outbound
    ? [rule.destination_address_prefix, ...list(rule.destination_address_prefixes)]
    : [rule.source_address_prefix, ...list(rule.source_address_prefixes)];
  const present = side.filter((s) => s !== undefined);
  const open = present.length === 0 ? ["(none: anywhere)"] : present.filter((a) => reachesPublic(a, context));
  return open.length > 0 ? `${rule.name ?? "a rule"} allows ${outbound ? "to" : "from"} ${open.map(show).join(", ")}` : undefined;
}

export const noInternetInbound: GuardrailRule = {
  id: "NET-001",
  title: "no NSG rule allows traffic from or to public address space",
  rationale:
    "An Allow rule whose source (inbound) or destination (outbound) reaches beyond private address space opens the subnet to the Internet, whatever it is spelt as (*, Internet, 0.0.0.0/0, 128.0.0.0/1, a service tag).",
  fix: "Name private sources (a subnet, on-premises ranges, VirtualNetwork), or declare ranges your organisation routes privately in privateRanges.",
  check: (model, context) => [
    ...perResource(["azurerm_network_security_rule"], (a) => nsgRuleOpensPublic(a, context))(model, context),
    ...perResource(["azurerm_network_security_group"], (a) => list(a.security_rule).map((r) => nsgRuleOpensPublic(r, context)).find((x) => x !== undefined))(model, context),
  ],
};

/** The subnets of spoke VNets: every VNet that holds a cluster's nodes. */
function spokeSubnets(model: Model): Subnet[] {
  const t = topology(model);
  const vnets = new Set(t.clusters.flatMap((c) => (c.nodeSubnet?.vnet ? [c.nodeSubnet.vnet] : [])));
  return [...vnets].flatMap((v) => v.subnets);
}

export const spokeSubnetsGuarded: GuardrailRule = {
  id: "NET-002",
  title: "every spoke subnet has an NSG and a route table",
  rationale: "A subnet without the route table sends its traffic straight to the Internet, around the firewall; one without an NSG admits whatever its peers send.",
  fix: "Associate the subnet with an NSG and with the spoke's egress route table (SpokeNetwork and EgressRouteTable do it for every role).",
  check: (model) =>
    spokeSubnets(model).map((s) => {
      const missing = [s.nsg ? undefined : "an NSG", s.routeTable ? undefined : "a route table"].filter((x) => x !== undefined);
      return { subject: s.resource.path, address: s.resource.address, verdict: missing.length === 0 ? "pass" : "fail", detail: missing.length > 0 ? `${s.name} has no ${missing.join(" and no ")}` : undefined };
    }),
};

export const routeViaFirewall: GuardrailRule = {
  id: "NET-003",
  title: "spoke route tables send 0.0.0.0/0 to the firewall and learn no BGP routes",
  rationale: "A default route to anything but the firewall, a route to the Internet, or routes learned from a gateway let a spoke's traffic leave without passing the firewall.",
  fix: "Keep the egress route table's 0.0.0.0/0 route to the firewall (VirtualAppliance), bgp_route_propagation_enabled = false, and no route with next hop Internet.",
  check: (model) => {
    const tables = [...new Set(spokeSubnets(model).flatMap((s) => (s.routeTable ? [s.routeTable] : [])))];
    return tables.map((t) => {
      const defaults = t.routes.filter((r) => r.prefix === "0.0.0.0/0");
      const detail = t.bgpPropagation
        ? "bgp_route_propagation_enabled is not false"
        : defaults.length === 0
          ? "no 0.0.0.0/0 route"
          : defaults.some((r) => r.nextHopType !== "VirtualAppliance")
            ? "0.0.0.0/0 goes to something other than a virtual appliance"
            : t.routes.some((r) => r.nextHopType === "Internet")
              ? `route ${t.routes.find((r) => r.nextHopType === "Internet")?.name} goes to the Internet`
              : undefined;
      return { subject: t.resource.path, address: t.resource.address, verdict: detail === undefined ? "pass" : "fail", detail };
    });
  },
};

/** Whether a firewall allow rule has a public or missing source, or a broad or public destination. */
function broadFirewallRule(r: any, context: GuardrailContext, model: Model): string | undefined {
  // An IP group in the output stands for its CIDRs; one outside it (or unknown) is judged as unknown, i.e. public.
  const sources = [...list(r.source_addresses), ...expandIpGroups(model, r.source_ip_groups)];
  const fqdns = [...list(r.destination_fqdns), ...list(r.destination_fqdn_tags), ...list(r.destination_urls)];
  const addresses = [...list(r.destination_addresses), ...expandIpGroups(model, r.destination_ip_groups)];
  if (sources.length === 0) return `${r.name}: no source`;
  const publicSource = sources.find((s) => reachesPublic(s, context));
  if (publicSource !== undefined) return `${r.name}: source ${show(publicSource)} reaches public address space`;
  if (fqdns.length + addresses.length === 0) return `${r.name}: no destination`;
  const broad = fqdns.find((d) => typeof d !== "string" || d === "*");
  if (broad !== undefined) return `${r.name}: destination ${show(broad)}`;
  const publicAddress = addresses.find((a) => !isServiceTag(a) && reachesPublic(a, context));
  return publicAddress !== undefined ? `${r.name}: destination ${show(publicAddress)} is public address space` : undefined;
}

export const firewallRulesScoped: GuardrailRule = {
  id: "FW-001",
  title: "firewall rules come from private sources and name their destinations",
  rationale: "An allow rule from public address space, or to * or a public address range, turns the egress firewall into an open proxy or a way in.",
  fix: "Use the spoke's subnet CIDRs as sources, and catalog FQDNs, FQDN tags or service tags as destinations; acknowledge a deliberate public address destination with its reason.",
  check: (model, context) => [
    ...perResource(["azurerm_firewall_policy_rule_collection_group"], (a) =>
      [...list(a.application_rule_collection), ...list(a.network_rule_collection)]
        .filter((c) => c?.action !== "Deny")
        .flatMap((c) => list(c?.rule))
        .map((r) => broadFirewallRule(r, context, model))
        .find((x) => x !== undefined),
    )(model, context),
    ...perResource(["azurerm_firewall_application_rule_collection", "azurerm_firewall_network_rule_collection"], (a) =>
      a.action === "Deny" ? undefined : list(a.rule).map((r) => broadFirewallRule({ ...r, destination_fqdns: r.target_fqdns ?? r.destination_fqdns }, context, model)).find((x) => x !== undefined),
    )(model, context),
  ],
};

export const noDnat: GuardrailRule = {
  id: "FW-002",
  title: "the firewall publishes nothing (no DNAT rules)",
  rationale: "A DNAT rule makes an inside address reachable on the firewall's public IP: the one way in the egress firewall must never offer.",
  fix: "Remove the nat_rule_collection; publish apps only through internal load balancers and private DNS.",
  check: (model, context) => [
    ...perResource(["azurerm_firewall_policy_rule_collection_group"], (a) => (list(a.nat_rule_collection).length > 0 ? "has a nat_rule_collection" : undefined))(model, context),
    ...perResource(["azurerm_firewall_nat_rule_collection"], () => "a NAT rule collection")(model, context),
  ],
};

const cluster = (judge: (a: any) => string | undefined) => perResource(["azurerm_kubernetes_cluster"], judge);

export const privateApiServer: GuardrailRule = {
  id: "AKS-001",
  title: "the API server is private",
  rationale: "A public API server exposes the control plane to the Internet.",
  fix: "Keep private_cluster_enabled = true (PrivateCluster always sets it).",
  check: cluster((a) => (a.private_cluster_enabled === true ? undefined : `private_cluster_enabled is ${show(a.private_cluster_enabled)}`)),
};

export const noPublicFqdn: GuardrailRule = {
  id: "AKS-002",
  title: "the private cluster has no public FQDN",
  rationale: "A public FQDN publishes the API server's private address in public DNS.",
  fix: "Keep private_cluster_public_fqdn_enabled = false.",
  check: cluster((a) => (a.private_cluster_public_fqdn_enabled === false ? undefined : `private_cluster_public_fqdn_enabled is ${show(a.private_cluster_public_fqdn_enabled)}`)),
};

export const egressThroughFirewall: GuardrailRule = {
  id: "AKS-003",
  title: "cluster egress goes through the route table (userDefinedRouting, or none on a network-isolated cluster)",
  rationale: "Any other outbound type gives the cluster its own public egress IP, bypassing the firewall. With none, AKS sets up no egress path at all (a network-isolated cluster bootstraps from a registry's cache), and the node subnet's route table still leads to the firewall.",
  fix: "Keep network_profile.outbound_type = userDefinedRouting, or none with bootstrap_profile.artifact_source = Cache (spokes[].cluster.networkIsolated).",
  check: cluster((a) => {
    const outbound = first(a.network_profile)?.outbound_type;
    if (outbound === "userDefinedRouting") return undefined;
    if (outbound === "none") return first(a.bootstrap_profile)?.artifact_source === "Cache" ? undefined : `outbound_type is "none" but bootstrap_profile.artifact_source is ${show(first(a.bootstrap_profile)?.artifact_source)}, not Cache`;
    return `outbound_type is ${show(outbound)}`;
  }),
};

export const noLocalAccounts: GuardrailRule = {
  id: "AKS-004",
  title: "local accounts are off and access goes through Entra ID with Azure RBAC",
  rationale: "Local accounts issue static admin credentials that bypass Entra ID and cannot be audited per person.",
  fix: "Keep local_account_disabled = true and azure_active_directory_role_based_access_control.azure_rbac_enabled = true.",
  check: cluster((a) =>
    a.local_account_disabled === true && first(a.azure_active_directory_role_based_access_control)?.azure_rbac_enabled === true ? undefined : "local accounts on, or Azure RBAC off",
  ),
};

export const noNodePublicIp: GuardrailRule = {
  id: "AKS-005",
  title: "nodes have no public IPs",
  rationale: "Node public IPs make every node reachable from, and able to egress to, the Internet directly.",
  fix: "Leave node_public_ip_enabled unset or false.",
  check: (model, context) => [
    ...cluster((a) => (first(a.default_node_pool)?.node_public_ip_enabled === true ? "the default node pool has public IPs" : undefined))(model, context),
    ...perResource(["azurerm_kubernetes_cluster_node_pool"], (a) => (a.node_public_ip_enabled === true ? "node_public_ip_enabled is true" : undefined))(model, context),
  ],
};

export const sshKeysOnly: GuardrailRule = {
  id: "VM-001",
  title: "Linux VMs accept SSH keys only",
  rationale: "Password logins can be guessed; keys cannot.",
  fix: "Set disable_password_authentication = true and give admin_ssh_key.",
  check: perResource(["azurerm_linux_virtual_machine", "azurerm_linux_virtual_machine_scale_set"], (a) => (a.disable_password_authentication === true ? undefined : "password authentication is allowed")),
};

/** The Kubernetes guardrails a resource of the kubernetes provider breaks, read from its JSON (snake_case). */
const SERVICE_TYPES = ["kubernetes_service_v1", "kubernetes_service"];
const WORKLOAD_TYPES: Record<string, (spec: any) => any> = {
  kubernetes_deployment_v1: (s) => first(first(s?.template)?.spec),
  kubernetes_deployment: (s) => first(first(s?.template)?.spec),
  kubernetes_daemon_set_v1: (s) => first(first(s?.template)?.spec),
  kubernetes_daemonset: (s) => first(first(s?.template)?.spec),
  kubernetes_stateful_set_v1: (s) => first(first(s?.template)?.spec),
  kubernetes_stateful_set: (s) => first(first(s?.template)?.spec),
  kubernetes_job_v1: (s) => first(first(s?.template)?.spec),
  kubernetes_cron_job_v1: (s) => first(first(first(first(s?.job_template)?.spec)?.template)?.spec),
  kubernetes_replication_controller_v1: (s) => first(first(s?.template)?.spec),
  kubernetes_pod_v1: (s) => s,
  kubernetes_pod: (s) => s,
};

function providerViolations(type: string, a: any): KubernetesRule[] {
  if (SERVICE_TYPES.includes(type)) return serviceViolations({ type: first(a.spec)?.type, annotations: first(a.metadata)?.annotations });
  if (type === "kubernetes_manifest") return objectViolations(a.manifest);
  const pod = WORKLOAD_TYPES[type]?.(first(a.spec));
  const containers = [...list(pod?.container), ...list(pod?.init_container)];
  const hostPorts = containers.flatMap((c) => list(c?.port)).map((p) => p?.host_port).filter((p) => p !== undefined && p !== 0);
  return podViolations({ hostNetwork: pod?.host_network === true, hostPorts });
}

const kubernetesRule = (rule: KubernetesRule): GuardrailRule => ({
  ...rule,
  check: (model, context) => [
    ...perResource([...SERVICE_TYPES, "kubernetes_manifest", ...Object.keys(WORKLOAD_TYPES)], (a, r) => (providerViolations(r.type, a).includes(rule) ? `${first(a.metadata)?.namespace ?? ""}/${first(a.metadata)?.name ?? ""}` : undefined))(model, context),
    ...model.output.manifests.map((m) => ({
      subject: `${m.file}: ${m.object?.kind} ${m.object?.metadata?.namespace ?? "default"}/${m.object?.metadata?.name}`,
      verdict: objectViolations(m.object).includes(rule) ? ("fail" as const) : ("pass" as const),
    })),
  ],
});

export const internalLoadBalancers = kubernetesRule(K8S_INTERNAL_LOAD_BALANCER);
export const noNodePorts = kubernetesRule(K8S_NO_NODE_PORT);
export const noHostNetwork = kubernetesRule(K8S_NO_HOST_NETWORK);

const SECRET_ATTRIBUTES = /^(admin_password|password|client_secret|shared_key|primary_access_key|secondary_access_key|connection_string|sas_token|private_key)$/;

function literalSecret(value: unknown, key = ""): string | undefined {
  if (typeof value === "string") {
    // Read as Terraform will: a reference is no literal secret, an escaped `$${` is literal text.
    if (SECRET_ATTRIBUTES.test(key) && value !== "" && literalText(value) !== undefined) return `${key} is a literal`;
    const text = templateParts(value).map((p) => (p.kind === "text" ? p.text : "${}")).join("");
    return secretIn(text) ? `${key || "a value"} holds a secret` : undefined;
  }
  if (Array.isArray(value)) return value.map((v) => literalSecret(v, key)).find((x) => x !== undefined);
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => literalSecret(v, k)).find((x) => x !== undefined);
  return undefined;
}

export const noLiteralSecrets: GuardrailRule = {
  id: "SEC-001",
  title: "no literal secret anywhere in the output",
  rationale: "cdktf.out is an artifact pipelines publish and reviewers read: a password, key, SAS token or connection string written into it is leaked.",
  fix: "Pass secrets as sensitive Terraform variables or read them from Key Vault at apply time; never as literals.",
  check: (model) => {
    const results: Result[] = model.resources.map((r) => {
      const detail = literalSecret(r.raw);
      return { subject: r.path, address: r.address, verdict: detail ? "fail" : "pass", detail };
    });
    for (const [stack, json] of model.output.stacks) {
      for (const part of ["provider", "variable", "output", "locals"] as const) {
        const detail = literalSecret(json[part]);
        if (detail) results.push({ subject: `${stack} (${part})`, verdict: "fail", detail });
      }
    }
    return results;
  },
};

export const privateRegistry: GuardrailRule = {
  id: "REG-001",
  title: "container registries are private",
  rationale: "A registry with public network access, an admin user or anonymous pull lets images be pulled (or pushed) from the Internet, outside Entra ID.",
  fix: "Keep public_network_access_enabled = false, admin_enabled = false and anonymous_pull_enabled = false; reach the registry through its private endpoint.",
  check: perResource(["azurerm_container_registry"], (a) =>
    a.public_network_access_enabled !== false ? "public network access is on" : a.admin_enabled === true ? "the admin user is on" : a.anonymous_pull_enabled === true ? "anonymous pull is on" : undefined,
  ),
};

export const privateKeyVault: GuardrailRule = {
  id: "KV-001",
  title: "key vaults are private, with Azure RBAC and purge protection",
  rationale: "A vault with public network access is one stolen token away from leaking every secret; without purge protection a deleted vault is gone for good.",
  fix: "Keep public_network_access_enabled = false, rbac_authorization_enabled = true and purge_protection_enabled = true.",
  check: perResource(["azurerm_key_vault"], (a) =>
    a.public_network_access_enabled !== false
      ? "public network access is on"
      : a.rbac_authorization_enabled !== true && a.enable_rbac_authorization !== true
        ? "access policies instead of Azure RBAC"
        : a.purge_protection_enabled !== true
          ? "purge protection is off"
          : undefined,
  ),
};

export const privateMonitoring: GuardrailRule = {
  id: "MON-001",
  title: "monitoring behind a private link scope accepts no public ingestion",
  rationale: "A private link scope is the promise that logs never cross a public network; a workspace or data collection endpoint in it that still accepts public traffic (or a scope open to public ingestion) breaks that promise silently.",
  fix: "Keep ingestion_access_mode = PrivateOnly on the scope, internet_ingestion_enabled = false on its workspaces and public_network_access_enabled = false on its data collection endpoints.",
  check: perResource(["azurerm_monitor_private_link_scope", "azurerm_monitor_private_link_scoped_service"], (a, r, model) => {
    if (r.type === "azurerm_monitor_private_link_scope") return a.ingestion_access_mode !== "PrivateOnly" ? `ingestion_access_mode is ${JSON.stringify(a.ingestion_access_mode ?? "Open")}` : undefined;
    const linked = model.target(a.linked_resource_id);
    if (linked === undefined) return undefined; // outside this output: its owner's to keep private
    const attrs = model.attrs(linked);
    if (linked.type === "azurerm_log_analytics_workspace" && attrs.internet_ingestion_enabled !== false) return `its workspace ${linked.path} accepts ingestion from public networks`;
    if (linked.type === "azurerm_monitor_data_collection_endpoint" && attrs.public_network_access_enabled !== false) return `its data collection endpoint ${linked.path} accepts public network access`;
    return undefined;
  }),
};

/** Every guardrail, in report order. */
export const GUARDRAILS: readonly GuardrailRule[] = [
  publicIpNamed,
  noPublicNic,
  noShareableLinks,
  noInternetInbound,
  spokeSubnetsGuarded,
  routeViaFirewall,
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
  noLiteralSecrets,
  privateRegistry,
  privateKeyVault,
  privateMonitoring,
];
