/**
 * The guardrails' second enforcer: the Azure Policy definitions that hold, after deploy, what
 * synth checks on the output. One table keyed by guardrail id: each guardrail lists its runtime
 * policies (built-in definitions where Microsoft has one, else a custom definition whose rule is
 * written here, for reviewers to read in the output), or says why Azure Policy cannot enforce it.
 *
 * Sources (read 2026-12-07):
 * - built-in definitions: github.com/Azure/azure-policy, built-in-policies/policyDefinitions,
 *   commit f4a50bacae07ddb096943c597669bcae494a6e29 (2026-04-29);
 * - aliases: `az provider show --expand resourceTypes/aliases`, as dumped in
 *   github.com/jeircul/azure-policy-aliases, commit df5015aae9d810eb26de2869de9480a0ba70f3cc
 *   (2026-08-21).
 * The tests check every GUID, display name, version, parameter and alias used here against
 * extracts of both (__tests__/fixtures/azure-policy-*.json, made by
 * scripts/extract-policy-fixtures.js).
 */

/** How hard a runtime policy holds: refuse the request, or only report it as non-compliant. */
export type RuntimeEffect = "deny" | "audit";

/** A built-in policy definition, named by Microsoft's GUID, display name and version (pinned: a newer version is a change to read). */
export interface BuiltInPolicy {
  readonly id: string;
  readonly displayName: string;
  readonly version: string;
  /**
   * The effect parameter's name, when the definition has one; without one its effect is fixed
   * (deny) and audit is an assignment that does not enforce (enforcementMode DoNotEnforce).
   */
  readonly effectParameter?: "effect";
}

const builtIn = (guid: string, displayName: string, version: string, fixedEffect = false): BuiltInPolicy => ({
  id: `/providers/Microsoft.Authorization/policyDefinitions/${guid}`,
  displayName,
  version,
  ...(fixedEffect ? {} : { effectParameter: "effect" as const }),
});

export const BUILT_IN_POLICIES = {
  notAllowedResourceTypes: builtIn("6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "Not allowed resource types", "2.0.0"),
  nicWithoutPublicIp: builtIn("83a86a26-fd1f-447c-b59d-e51f44264114", "Network interfaces should not have public IPs", "1.0.0", true),
  aksPrivateCluster: builtIn("040732e8-d947-40b8-95d6-854c95024bf8", "Azure Kubernetes Service Private Clusters should be enabled", "1.0.1"),
  aksLocalAccountsDisabled: builtIn("993c2fcd-2b29-49d2-9eb0-df2c3a730c32", "Azure Kubernetes Service Clusters should have local authentication methods disabled", "1.0.1"),
  k8sInternalLoadBalancers: builtIn("3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e", "Kubernetes clusters should use internal load balancers", "8.2.0"),
  k8sHostNetworkAndPorts: builtIn("82985f06-dc18-4a48-bc1c-b9f4f0098cfe", "Kubernetes cluster pods should only use approved host network and port list", "7.0.0"),
  registryPublicAccessDisabled: builtIn("0fdf0491-d080-4575-b627-ad0e843cba0f", "Public network access should be disabled for Container registries", "1.0.0"),
  registryAdminDisabled: builtIn("dc921057-6b28-4fbe-9b83-f7bec05db6c2", "Container registries should have local admin account disabled.", "1.0.1"),
  registryAnonymousPullDisabled: builtIn("9f2dea28-e834-476c-99c5-3507b4728395", "Container registries should have anonymous authentication disabled.", "1.0.0"),
  vaultPublicAccessDisabled: builtIn("405c5871-3e91-4644-8a63-58e19d68ff5b", "Azure Key Vault should disable public network access", "1.1.0"),
  vaultRbac: builtIn("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", "Azure Key Vault should use RBAC permission model", "1.0.1"),
  vaultDeletionProtection: builtIn("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", "Key vaults should have deletion protection enabled", "2.1.0"),
} as const satisfies Record<string, BuiltInPolicy>;

export type BuiltInKey = keyof typeof BUILT_IN_POLICIES;

/**
 * The namespaces the Kubernetes built-ins leave alone: their own default (kube-system,
 * gatekeeper-system, azure-arc, azure-extensions-usage-system; a value given replaces it, so it
 * is listed again) and `aks-command`, where `az aks command invoke` (the emergency path) runs
 * its pod, which Microsoft's "Resolve az aks command invoke failures" says to exclude from
 * policies that would deny it.
 */
export const KUBERNETES_EXCLUDED_NAMESPACES = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "aks-command"] as const;

/**
 * The built-in pod security initiatives every cluster is assigned, by level (Microsoft's Pod
 * Security Standards as Azure Policy: Azure/azure-policy, built-in-policies/policySetDefinitions/
 * Kubernetes/PSP{Baseline,Restricted}Standard.json, at the commit above). Both take `effect`
 * (`Audit`, `Deny` or `Disabled`: the public cloud's copies also allow lowercase, the sovereign
 * clouds' do not, so the value is written capitalized) and `excludedNamespaces`, whose default
 * {@link KUBERNETES_EXCLUDED_NAMESPACES} repeats.
 */
export const POD_SECURITY_INITIATIVES = {
  baseline: {
    id: "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
    displayName: "Kubernetes cluster pod security baseline standards for Linux-based workloads",
    version: "1.4.0",
  },
  restricted: {
    id: "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00",
    displayName: "Kubernetes cluster pod security restricted standards for Linux-based workloads",
    version: "2.5.0",
  },
} as const;

/** The environment file's lowercase effect, as the pod security initiatives' `effect` parameter spells it. */
export const POD_SECURITY_EFFECT = { audit: "Audit", deny: "Deny" } as const;

/** A condition of the Azure Policy rule language (`field`, `count`, `allOf`, ...), as JSON. */
export type PolicyCondition = Readonly<Record<string, unknown>>;

/** A definition this product writes, where no built-in exists. Its rule ends `then: { effect: [parameters('effect')] }`. */
export interface CustomPolicy {
  readonly displayName: string;
  readonly description: string;
  /** `All`: the types evaluated include child resources (routes, security rules, subnets) that carry no tags or location. */
  readonly mode: "All";
  /** The values the effect parameter allows. */
  readonly effects: readonly ("Audit" | "Deny" | "Disabled")[];
  /** Parameters besides the effect, with the value the assignment takes from the platform. */
  readonly parameters?: Readonly<Record<string, { readonly type: "String"; readonly description: string; readonly from: "firewallPrivateIp" }>>;
  readonly if: PolicyCondition;
}

/** Address prefixes that stand for anywhere in an NSG rule. */
const ANYWHERE = ["*", "Internet", "0.0.0.0/0", "::/0", "Any"];
const RT = "Microsoft.Network/routeTables";
const NSG = "Microsoft.Network/networkSecurityGroups";
const AKS = "Microsoft.ContainerService/managedClusters";
const FIREWALL_IP = "[parameters('firewallPrivateIp')]";

/** A route (inline `routes[*].x` or the child resource's `routes/x`) that bypasses the firewall: to the Internet, or 0.0.0.0/0 elsewhere than the firewall. */
const bypassingRoute = (field: (name: string) => string): PolicyCondition => ({
  anyOf: [
    { field: field("nextHopType"), equals: "Internet" },
    {
      allOf: [
        { field: field("addressPrefix"), equals: "0.0.0.0/0" },
        { anyOf: [{ field: field("nextHopType"), notEquals: "VirtualAppliance" }, { field: field("nextHopIpAddress"), notEquals: FIREWALL_IP }] },
      ],
    },
  ],
});

/** An NSG security rule (inline `securityRules[*].x` or the child's `securityRules/x`) that allows from (inbound) or to (outbound) anywhere. */
const openRule = (field: (name: string) => string): PolicyCondition => ({
  allOf: [
    { field: field("access"), equals: "Allow" },
    {
      anyOf: ([["Inbound", "source"], ["Outbound", "destination"]] as const).map(([direction, side]) => ({
        allOf: [
          { field: field("direction"), equals: direction },
          { anyOf: [{ field: field(`${side}AddressPrefix`), in: ANYWHERE }, { not: { field: field(`${side}AddressPrefixes[*]`), notIn: ANYWHERE } }] },
        ],
      })),
    },
  ],
});

const ALL_EFFECTS = ["Audit", "Deny", "Disabled"] as const;

export const CUSTOM_POLICIES = {
  "route-table-via-firewall": {
    displayName: "Spoke route tables send 0.0.0.0/0 to the firewall and learn no BGP routes",
    description:
      "Denies a route table that propagates gateway (BGP) routes, that has no 0.0.0.0/0 route to the firewall's private IP, or that has a route to the Internet or a 0.0.0.0/0 route to anything but the firewall; and such a route written on its own. Written by private-aks for guardrail NET-003.",
    mode: "All",
    effects: ALL_EFFECTS,
    parameters: { firewallPrivateIp: { type: "String", description: "The hub firewall's private IP: the only next hop of 0.0.0.0/0.", from: "firewallPrivateIp" } },
    if: {
      anyOf: [
        {
          allOf: [
            { field: "type", equals: RT },
            {
              anyOf: [
                { field: `${RT}/disableBgpRoutePropagation`, equals: false },
                {
                  count: {
                    field: `${RT}/routes[*]`,
                    where: {
                      allOf: [
                        { field: `${RT}/routes[*].addressPrefix`, equals: "0.0.0.0/0" },
                        { field: `${RT}/routes[*].nextHopType`, equals: "VirtualAppliance" },
                        { field: `${RT}/routes[*].nextHopIpAddress`, equals: FIREWALL_IP },
                      ],
                    },
                  },
                  equals: 0,
                },
                { count: { field: `${RT}/routes[*]`, where: bypassingRoute((n) => `${RT}/routes[*].${n}`) }, greater: 0 },
              ],
            },
          ],
        },
        { allOf: [{ field: "type", equals: `${RT}/routes` }, bypassingRoute((n) => `${RT}/routes/${n}`)] },
      ],
    },
  },
  "subnet-nsg-and-route-table": {
    displayName: "Spoke subnets keep their network security group and route table",
    description:
      "Reports a subnet without a network security group or a route table. Audit only: azurerm creates a subnet before its NSG and route table associations, so a deny would refuse every new subnet. Written by private-aks for guardrail NET-002.",
    mode: "All",
    effects: ["Audit", "Disabled"],
    if: {
      allOf: [
        { field: "type", equals: "Microsoft.Network/virtualNetworks/subnets" },
        { anyOf: [{ field: "Microsoft.Network/virtualNetworks/subnets/networkSecurityGroup.id", exists: false }, { field: "Microsoft.Network/virtualNetworks/subnets/routeTable.id", exists: false }] },
      ],
    },
  },
  "nsg-no-anywhere-rules": {
    displayName: "NSG rules allow no traffic from or to anywhere",
    description:
      "Denies an NSG security rule (inline or on its own) that allows inbound traffic from, or outbound traffic to, *, Internet, 0.0.0.0/0 or ::/0. Narrower than the synth check, which also refuses every public range: Azure Policy compares values, not address ranges. Written by private-aks for guardrail NET-001.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      anyOf: [
        { allOf: [{ field: "type", equals: NSG }, { count: { field: `${NSG}/securityRules[*]`, where: openRule((n) => `${NSG}/securityRules[*].${n}`) }, greater: 0 }] },
        { allOf: [{ field: "type", equals: `${NSG}/securityRules` }, openRule((n) => `${NSG}/securityRules/${n}`)] },
      ],
    },
  },
  "bastion-no-shareable-links": {
    displayName: "Bastion hands out no shareable links",
    description: "Denies a Bastion host with shareable links on. Written by private-aks for guardrail PUB-003.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: { allOf: [{ field: "type", equals: "Microsoft.Network/bastionHosts" }, { field: "Microsoft.Network/bastionHosts/enableShareableLink", equals: true }] },
  },
  "firewall-no-dnat": {
    displayName: "Firewall policies publish nothing (no DNAT rule collections)",
    description: "Denies a firewall policy rule collection group that holds a NAT (DNAT) rule collection. Written by private-aks for guardrail FW-002.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      allOf: [
        { field: "type", equals: "Microsoft.Network/firewallPolicies/ruleCollectionGroups" },
        {
          count: {
            field: "Microsoft.Network/firewallPolicies/ruleCollectionGroups/ruleCollections[*]",
            where: { field: "Microsoft.Network/firewallPolicies/ruleCollectionGroups/ruleCollections[*].ruleCollectionType", equals: "FirewallPolicyNatRuleCollection" },
          },
          greater: 0,
        },
      ],
    },
  },
  "aks-no-public-fqdn": {
    displayName: "Private AKS clusters have no public FQDN",
    description: "Denies a cluster whose private API server also gets a public FQDN. Written by private-aks for guardrail AKS-002.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: { allOf: [{ field: "type", equals: AKS }, { field: `${AKS}/apiServerAccessProfile.enablePrivateClusterPublicFQDN`, equals: true }] },
  },
  "aks-user-defined-routing": {
    displayName: "AKS clusters send egress through the route table (userDefinedRouting, or none when network-isolated)",
    description: "Denies a cluster whose outbound type is neither userDefinedRouting nor none: any other gives it its own public egress, around the firewall (with none, AKS sets up no egress path). Written by private-aks for guardrail AKS-003.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      allOf: [
        { field: "type", equals: AKS },
        { field: `${AKS}/networkProfile.outboundType`, exists: true },
        { field: `${AKS}/networkProfile.outboundType`, notIn: ["userDefinedRouting", "none"] },
      ],
    },
  },
  "aks-azure-rbac": {
    displayName: "AKS clusters authorize through Azure RBAC",
    description: "Denies a cluster with Entra ID integration whose Kubernetes authorization is not Azure RBAC. Written by private-aks for guardrail AKS-004 (the built-in definition covers local accounts).",
    mode: "All",
    effects: ALL_EFFECTS,
    if: { allOf: [{ field: "type", equals: AKS }, { field: `${AKS}/aadProfile`, exists: true }, { field: `${AKS}/aadProfile.enableAzureRBAC`, notEquals: true }] },
  },
  "aks-no-node-public-ip": {
    displayName: "AKS nodes have no public IPs",
    description: "Denies a cluster or node pool with node public IPs. Written by private-aks for guardrail AKS-005.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      anyOf: [
        { allOf: [{ field: "type", equals: AKS }, { count: { field: `${AKS}/agentPoolProfiles[*]`, where: { field: `${AKS}/agentPoolProfiles[*].enableNodePublicIP`, equals: true } }, greater: 0 }] },
        { allOf: [{ field: "type", equals: `${AKS}/agentPools` }, { field: `${AKS}/agentPools/enableNodePublicIP`, equals: true }] },
      ],
    },
  },
  "linux-vm-ssh-keys-only": {
    displayName: "Linux VMs accept SSH keys only",
    description: "Denies a Linux VM with password authentication on. Written by private-aks for guardrail VM-001.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      allOf: [
        { field: "type", equals: "Microsoft.Compute/virtualMachines" },
        { field: "Microsoft.Compute/virtualMachines/osProfile.linuxConfiguration.disablePasswordAuthentication", equals: false },
      ],
    },
  },
  "monitor-private-ingestion": {
    displayName: "Monitoring behind the private link scope accepts no public ingestion",
    description:
      "Denies a private link scope open to public ingestion, a Log Analytics workspace that accepts ingestion from public networks, and a data collection endpoint with public network access. Ingestion only: the hub may keep queries public (hub.monitoring.publicQuery), which the built-in definitions would refuse. Written by private-aks for guardrail MON-001.",
    mode: "All",
    effects: ALL_EFFECTS,
    if: {
      anyOf: [
        { allOf: [{ field: "type", equals: "Microsoft.Insights/privateLinkScopes" }, { field: "Microsoft.Insights/privateLinkScopes/accessModeSettings.ingestionAccessMode", notEquals: "PrivateOnly" }] },
        { allOf: [{ field: "type", equals: "Microsoft.OperationalInsights/workspaces" }, { field: "Microsoft.OperationalInsights/workspaces/publicNetworkAccessForIngestion", equals: "Enabled" }] },
        { allOf: [{ field: "type", equals: "Microsoft.Insights/dataCollectionEndpoints" }, { field: "Microsoft.Insights/dataCollectionEndpoints/networkAcls.publicNetworkAccess", equals: "Enabled" }] },
      ],
    },
  },
} as const satisfies Record<string, CustomPolicy>;

export type CustomKey = keyof typeof CUSTOM_POLICIES;

/**
 * Where an assignment goes: a spoke's resource group, the resource group AKS creates for its
 * nodes, the cluster itself (Kubernetes policies, enforced by its Azure Policy add-on), or the
 * hub's resource group (a hub built here only: an existing hub is never touched).
 */
export type PolicyScope = "spoke" | "nodes" | "cluster" | "hub";

/** A private service of the hub an assignment protects: assigned only when the hub has it. */
export type HubService = "registry" | "keyVault" | "monitorPrivateLink";

/** One assignment of a guardrail's runtime enforcement. */
export interface RuntimePolicy {
  /** Unique among the guardrail's policies: the assignment's name is `<guardrail>-<key>`, lowercase. */
  readonly key: string;
  readonly definition: { readonly builtIn: BuiltInKey } | { readonly custom: CustomKey };
  readonly scopes: readonly PolicyScope[];
  /** Fixed parameter values besides the effect (pinned: a definition's default may change). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Only audited, whatever the environment asks, and why. */
  readonly auditOnly?: string;
  /** Assigned only when the hub has this service. */
  readonly requires?: HubService;
}

/** A guardrail's runtime enforcement: its policies, with what they do not cover, or why there are none. */
export type RuntimeEnforcement =
  | { readonly policies: readonly RuntimePolicy[]; readonly message: string }
  | { readonly none: string };

const PUBLIC_IP_TYPES = ["Microsoft.Network/publicIPAddresses", "Microsoft.Network/publicIPPrefixes"];
const kubernetes = { excludedNamespaces: [...KUBERNETES_EXCLUDED_NAMESPACES] };

/** Every guardrail id, with its runtime enforcement. A test proves the keys are the guardrails' ids. */
export const RUNTIME_ENFORCEMENT: Readonly<Record<string, RuntimeEnforcement>> = {
  "PUB-001": {
    policies: [{ key: "no-public-ips", definition: { builtIn: "notAllowedResourceTypes" }, scopes: ["spoke", "nodes"], parameters: { listOfResourceTypesNotAllowed: PUBLIC_IP_TYPES } }],
    message: "private-aks PUB-001: no public IP in a spoke; publish through an internal load balancer and private DNS.",
    // The hub is outside the deny scope: its public IPs (firewall, Bastion, gateway) are the acknowledged endpoints. With outbound type userDefinedRouting or none, AKS creates no public IP in the node resource group.
  },
  "PUB-002": {
    policies: [{ key: "no-public-nics", definition: { builtIn: "nicWithoutPublicIp" }, scopes: ["spoke", "nodes", "hub"] }],
    message: "private-aks PUB-002: no network interface with a public IP; reach VMs through Bastion or on-premises.",
  },
  "PUB-003": {
    policies: [{ key: "no-shareable-links", definition: { custom: "bastion-no-shareable-links" }, scopes: ["hub"] }],
    message: "private-aks PUB-003: Bastion hands out no shareable links.",
  },
  "NET-001": {
    policies: [{ key: "no-open-nsg-rules", definition: { custom: "nsg-no-anywhere-rules" }, scopes: ["spoke", "nodes"] }],
    message: "private-aks NET-001: NSG rules allow no traffic from or to anywhere; name private sources.",
    // Runtime refuses *, Internet, 0.0.0.0/0 and ::/0; synth also refuses every other public range.
  },
  "NET-002": {
    policies: [
      {
        key: "subnet-nsg-route-table",
        definition: { custom: "subnet-nsg-and-route-table" },
        scopes: ["spoke"],
        auditOnly: "azurerm creates a subnet before its NSG and route table associations (azurerm 4.x has no inline NSG on a subnet), so a deny would refuse the product's own deploy",
      },
    ],
    message: "private-aks NET-002: a spoke subnet keeps its NSG and its route table to the firewall.",
  },
  "NET-003": {
    policies: [{ key: "route-table-via-firewall", definition: { custom: "route-table-via-firewall" }, scopes: ["spoke"] }],
    message: "private-aks NET-003: the spoke route table keeps 0.0.0.0/0 on the firewall and learns no BGP routes.",
    // A deny cannot stop a route's deletion; the route table's own check refuses a table written without it.
  },
  "FW-001": {
    none: "Azure Policy compares values, not address ranges: it cannot tell a private source from a public one, nor resolve IP groups; synth judges every rule, and the firewall policy lives in the hub's resource group",
  },
  "FW-002": {
    policies: [{ key: "no-dnat", definition: { custom: "firewall-no-dnat" }, scopes: ["hub"] }],
    message: "private-aks FW-002: the firewall publishes nothing (no DNAT rule collections).",
  },
  "AKS-001": {
    policies: [{ key: "private-cluster", definition: { builtIn: "aksPrivateCluster" }, scopes: ["spoke"] }],
    message: "private-aks AKS-001: the API server is private.",
  },
  "AKS-002": {
    policies: [{ key: "no-public-fqdn", definition: { custom: "aks-no-public-fqdn" }, scopes: ["spoke"] }],
    message: "private-aks AKS-002: the private cluster has no public FQDN.",
  },
  "AKS-003": {
    policies: [{ key: "user-defined-routing", definition: { custom: "aks-user-defined-routing" }, scopes: ["spoke"] }],
    message: "private-aks AKS-003: cluster egress goes through the route table to the firewall (userDefinedRouting, or none when network-isolated).",
  },
  "AKS-004": {
    policies: [
      { key: "no-local-accounts", definition: { builtIn: "aksLocalAccountsDisabled" }, scopes: ["spoke"] },
      { key: "azure-rbac", definition: { custom: "aks-azure-rbac" }, scopes: ["spoke"] },
    ],
    message: "private-aks AKS-004: local accounts stay off and access goes through Entra ID with Azure RBAC.",
  },
  "AKS-005": {
    policies: [{ key: "no-node-public-ips", definition: { custom: "aks-no-node-public-ip" }, scopes: ["spoke"] }],
    message: "private-aks AKS-005: nodes have no public IPs.",
  },
  "VM-001": {
    policies: [{ key: "ssh-keys-only", definition: { custom: "linux-vm-ssh-keys-only" }, scopes: ["hub"] }],
    message: "private-aks VM-001: Linux VMs accept SSH keys only.",
    // The hub only: the node resource group's scale sets are AKS's to configure.
  },
  "K8S-001": {
    policies: [{ key: "internal-load-balancers", definition: { builtIn: "k8sInternalLoadBalancers" }, scopes: ["cluster"], parameters: kubernetes }],
    message: "private-aks K8S-001: a LoadBalancer Service must be internal (service.beta.kubernetes.io/azure-load-balancer-internal: \"true\").",
  },
  "K8S-002": {
    none: "no built-in definition refuses NodePort Services, and a custom Kubernetes definition needs a Gatekeeper constraint template published at a URL the cluster reads; synth judges the apps' manifests",
  },
  "K8S-003": {
    policies: [{ key: "no-host-network", definition: { builtIn: "k8sHostNetworkAndPorts" }, scopes: ["cluster"], parameters: { ...kubernetes, allowHostNetwork: false, allowedHostPorts: [] } }],
    message: "private-aks K8S-003: pods use no host network and no host ports.",
  },
  "SEC-001": { none: "it judges the synthesized output (cdktf.out), an artifact, not an Azure resource" },
  "REG-001": {
    policies: [
      { key: "registry-private", definition: { builtIn: "registryPublicAccessDisabled" }, scopes: ["hub"], requires: "registry" },
      { key: "registry-no-admin", definition: { builtIn: "registryAdminDisabled" }, scopes: ["hub"], requires: "registry" },
      { key: "registry-no-anonymous", definition: { builtIn: "registryAnonymousPullDisabled" }, scopes: ["hub"], requires: "registry" },
    ],
    message: "private-aks REG-001: the registry keeps public access, the admin user and anonymous pull off.",
  },
  "KV-001": {
    policies: [
      { key: "vault-private", definition: { builtIn: "vaultPublicAccessDisabled" }, scopes: ["hub"], requires: "keyVault" },
      { key: "vault-rbac", definition: { builtIn: "vaultRbac" }, scopes: ["hub"], requires: "keyVault" },
      { key: "vault-purge-protection", definition: { builtIn: "vaultDeletionProtection" }, scopes: ["hub"], requires: "keyVault" },
    ],
    message: "private-aks KV-001: the vault keeps public access off, Azure RBAC and purge protection.",
  },
  "MON-001": {
    policies: [{ key: "private-ingestion", definition: { custom: "monitor-private-ingestion" }, scopes: ["hub"], requires: "monitorPrivateLink" }],
    message: "private-aks MON-001: monitoring behind the private link scope accepts no public ingestion.",
  },
};

/** A guardrail's entry, by its id as written (an own entry only: `toString` is no guardrail). */
export function runtimeEnforcement(id: string): RuntimeEnforcement | undefined {
  return Object.prototype.hasOwnProperty.call(RUNTIME_ENFORCEMENT, id) ? RUNTIME_ENFORCEMENT[id] : undefined;
}

/** The guardrails a runtime exemption may name: those with runtime policies. */
export const ENFORCED_GUARDRAILS = Object.entries(RUNTIME_ENFORCEMENT).flatMap(([id, e]) => ("policies" in e ? [id] : []));

/**
 * How the output holds runtime policy: per scope, one initiative (policy set definition)
 * `<stack>-guardrails-<scope>` assigned as `private-aks-guardrails`; in it, each guardrail
 * policy is a reference `<guardrail>-<key>` (lowercase) in the group named after its guardrail.
 * An initiative lets Azure's compliance view group results by guardrail, lets an exemption name
 * the references of one guardrail, and pins a built-in's version, which azurerm 4.55 cannot do
 * on an assignment (only a set definition's references take `version`).
 */
export const INITIATIVE_ASSIGNMENT_NAME = "private-aks-guardrails";
export const initiativeName = (stack: string, scope: PolicyScope) => `${stack}-guardrails-${scope}`;
export const referenceId = (guardrail: string, policy: RuntimePolicy) => `${guardrail.toLowerCase()}-${policy.key}`;

/** The version a reference pins a built-in to: its major and minor as read, any patch (`2.0.*`). */
export const versionPin = (b: BuiltInPolicy) => `${b.version.split(".").slice(0, 2).join(".")}.*`;

/** How the output marks a policy resource as the guardrails': its metadata holds the guardrail ids under this key. */
export const POLICY_METADATA_KEY = "privateAksGuardrails";

/** The note a stack writes when its runtime policy is off, with the reason. */
export const RUNTIME_POLICY_OFF_PREFIX = "private-aks runtime policy off: ";

/** One assignment to make: a guardrail's policy on one of a stack's scopes. */
export interface PlannedAssignment {
  readonly guardrail: string;
  readonly policy: RuntimePolicy;
  readonly scope: PolicyScope;
}

/**
 * The assignments a stack makes on the scopes it owns (a spoke: spoke, nodes, cluster; a hub
 * built here: hub), given the hub's private services, in table order.
 */
export function plannedAssignments(scopes: readonly PolicyScope[], services: ReadonlySet<HubService> = new Set()): PlannedAssignment[] {
  return Object.entries(RUNTIME_ENFORCEMENT).flatMap(([guardrail, e]) =>
    "policies" in e
      ? e.policies.filter((p) => p.requires === undefined || services.has(p.requires)).flatMap((policy) => policy.scopes.filter((s) => scopes.includes(s)).map((scope) => ({ guardrail, policy, scope })))
      : [],
  );
}

export const SPOKE_SCOPES: readonly PolicyScope[] = ["spoke", "nodes", "cluster"];
export const HUB_SCOPES: readonly PolicyScope[] = ["hub"];
