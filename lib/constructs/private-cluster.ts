import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { MonitorDataCollectionRuleAssociation } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association";
import { ResourcePolicyAssignment } from "@cdktf/provider-azurerm/lib/resource-policy-assignment";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEFAULTS } from "../domain/defaults";
import { defaultOsDiskType } from "../domain/vm-sizes";
import { rotationName, SYSTEM_POOL } from "../domain/naming";
import { KUBERNETES_EXCLUDED_NAMESPACES, POD_SECURITY_EFFECT, POD_SECURITY_INITIATIVES } from "../domain/runtime-policies";
import { Diagnostics } from "./log-analytics";

/** One node pool's size and shape. */
export interface NodePoolOptions {
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
  readonly zones: string[];
  readonly maxPods: number;
  readonly osDiskSizeGb: number;
  /** @default - Ephemeral where vmSize's local disk holds osDiskSizeGb, else Managed (defaultOsDiskType) */
  readonly osDiskType?: "Ephemeral" | "Managed";
}

export interface UserNodePoolOptions extends NodePoolOptions {
  /** 1-12 lowercase letters or digits. */
  readonly name: string;
}

/** A principal that administers the cluster's Kubernetes API. */
export interface ClusterAdministrator {
  /** Stable key, used in the construct id of the role assignment. */
  readonly key: string;
  /** Entra ID object id (a literal, or the deployer's from azurerm_client_config). */
  readonly principalId: string;
  /** @default - left to Azure (the deployer may be a user or a service principal) */
  readonly principalType?: "Group" | "User" | "ServicePrincipal";
}

/** How the cluster is hardened beyond what is always on. */
export interface ClusterHardening {
  /** @default AzureLinux */
  readonly osSku?: "AzureLinux" | "Ubuntu";
  /** Weekly window (UTC) for control plane and node image upgrades. @default Sunday 01:00, 4 hours */
  readonly maintenance?: { readonly day: string; readonly startHour: number; readonly durationHours: number };
  /** The built-in pod security initiative assigned to the cluster. @default baseline, audit */
  readonly podSecurity?: { readonly level: "baseline" | "restricted"; readonly effect: "audit" | "deny" };
  /** @default true */
  readonly imageCleaner?: boolean;
  /** Microsoft Defender for Containers, reporting to the workspace. @default false */
  readonly defender?: boolean;
  /** @default false */
  readonly hostEncryption?: boolean;
}

export interface PrivateClusterProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Resource group AKS creates for the nodes. */
  readonly nodeResourceGroup: string;
  /** Name of the control plane's user-assigned identity. */
  readonly identityName: string;
  /** The node subnet (its egress is routed to the firewall). The stack must configure the time provider (for the role propagation wait). */
  readonly nodeSubnetId: string;
  /**
   * The spoke VNet. With a bring-your-own private DNS zone AKS links the zone to this VNet
   * itself, which takes join rights on the VNet: the identity then gets Network Contributor
   * here instead of on the node subnet alone.
   */
  readonly vnetId: string;
  /** Entra ID tenant of the cluster's Azure RBAC (a literal, or the deployer's from azurerm_client_config). */
  readonly tenantId: string;
  /** Principals made cluster administrators ("Azure Kubernetes Service RBAC Cluster Admin" on the cluster). At least one. */
  readonly administrators: ClusterAdministrator[];
  /** The egress route table; the identity gets Network Contributor on it. */
  readonly routeTableId: string;
  /**
   * Created before the cluster: the route table association (so the first node boots with
   * egress), NSG associations, both peerings (nodes reach the firewall through them while they
   * boot) and the private DNS zone links.
   */
  readonly networkReady: ITerraformDependable[];
  /** Workspace for Container Insights and the cluster's diagnostics. */
  readonly workspaceId: string;
  /**
   * A data collection endpoint in an Azure Monitor private link scope: Container Insights'
   * agents then fetch their configuration and send data through it, privately. @default - public endpoints
   */
  readonly dataCollectionEndpointId?: string;
  readonly serviceCidr: string;
  readonly dnsServiceIp: string;
  readonly systemPool: NodePoolOptions;
  /**
   * The `privatelink.<region>.azmk8s.io` zone to register the API server in (bring your own;
   * `private.<region>.azmk8s.io` with apiServerSubnetId); the identity gets Private DNS Zone
   * Contributor on it.
   * @default - the zone AKS manages itself ("System")
   */
  readonly privateDnsZoneId?: string;
  /**
   * API Server VNet Integration: the subnet (delegated to AKS) the API server's internal load
   * balancer is projected into, instead of a private endpoint in the node subnet. The private
   * DNS zone must then be a `private.<region>.azmk8s.io` zone. @default - a private endpoint
   */
  readonly apiServerSubnetId?: string;
  /** @default - the region's default version when created */
  readonly kubernetesVersion?: string;
  /** @default Standard */
  readonly skuTier?: "Free" | "Standard" | "Premium";
  /** `nodeSubnet`: plain Azure CNI (pods take node-subnet addresses). @default overlay */
  readonly networkPluginMode?: "overlay" | "nodeSubnet";
  /** Pod range in overlay mode. @default 10.244.0.0/16 */
  readonly podCidr?: string;
  /** `cilium` runs on the Cilium dataplane. @default cilium */
  readonly networkPolicy?: "cilium" | "calico" | "azure";
  /** Keep `az aks command invoke`, the emergency access path. @default true */
  readonly runCommand?: boolean;
  /**
   * Container Insights (the monitoring agent, its data collection rule) to the workspace. Its
   * endpoints must be allowed through the firewall. @default true
   */
  readonly containerInsights?: boolean;
  /** Hardening options; each default is in DEFAULTS.cluster. @default - the defaults */
  readonly hardening?: ClusterHardening;
  /** The namespaces the pod security initiative leaves alone. @default KUBERNETES_EXCLUDED_NAMESPACES */
  readonly podSecurityExcludedNamespaces?: readonly string[];
  /** A private registry the kubelet may pull from (AcrPull). @default - none */
  readonly registryId?: string;
  /**
   * Network isolation: outbound type `none`, and the cluster's own images (bootstrap, system
   * pods, add-ons) pulled from this registry's cache of mcr.microsoft.com, which must hold the
   * `aks-managed-mcr` cache rule and be reachable through its private endpoint. The kubelet
   * then has an identity of its own, created (with AcrPull on the registry) before the cluster,
   * so the first node can pull. @default - not isolated: outbound type userDefinedRouting
   */
  readonly networkIsolation?: NetworkIsolation;
  /**
   * CA certificates (PEM) the nodes trust besides the public ones, at most 10 (AKS custom CA
   * trust): the firewall's TLS inspection CA. Pods do not see them. A change reimages the nodes.
   * @default - none
   */
  readonly nodeTrustedCertificates?: readonly string[];
  /** A key vault: turns the Key Vault Secrets Provider add-on on. @default - off */
  readonly keyVaultId?: string;
  /** @default - none */
  readonly userPools?: UserNodePoolOptions[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** What a network-isolated cluster bootstraps from. */
export interface NetworkIsolation {
  /** The Premium registry with the `aks-managed-mcr` cache rule. */
  readonly registryId: string;
  /** Name of the kubelet's user-assigned identity. */
  readonly kubeletIdentityName: string;
}

/** Control plane diagnostics sent to the workspace. */
export const CLUSTER_LOG_CATEGORIES = [
  "cluster-autoscaler",
  "guard",
  "kube-apiserver",
  "kube-audit-admin",
  "kube-controller-manager",
  "kube-scheduler",
] as const;

/**
 * The roles the control plane identity holds, and on what. Nothing more: the spoke VNet (AKS
 * joins the node subnet and, with VNet integration, the API server subnet, places internal load
 * balancers, and links the private DNS zone to the VNet itself, which takes rights on the VNet), the route table (userDefinedRouting with a
 * custom route table), and the bring-your-own private DNS zone.
 */
export const CONTROL_PLANE_ROLES = {
  vnet: "Network Contributor",
  routeTable: "Network Contributor",
  privateDnsZone: "Private DNS Zone Contributor",
  /**
   * A kubelet identity of the user's own: the control plane assigns it to the nodes (Microsoft
   * Learn, AKS: managed identity overview > kubelet identity, read 2026-12-07; the provider's
   * network-isolated acceptance test grants the same).
   */
  kubeletIdentity: "Managed Identity Operator",
} as const;

/** The kubelet's role on the private registry. */
export const KUBELET_REGISTRY_ROLE = "AcrPull";

/**
 * How long the cluster waits after its role assignments are created: Azure RBAC takes a while
 * to propagate, and AKS checks the identity's rights as it creates the cluster.
 */
export const ROLE_PROPAGATION_WAIT = "120s";

/** The built-in role that makes a principal administrator of a cluster's Kubernetes API under Azure RBAC. */
export const CLUSTER_ADMIN_ROLE = "Azure Kubernetes Service RBAC Cluster Admin";

/** The Container Insights stream the data collection rule carries. */
const CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default";

/**
 * A private AKS cluster with no public surface: private API server with no public FQDN,
 * egress only through the route table (outbound type userDefinedRouting), Azure CNI,
 * Entra ID with Azure RBAC and local accounts off, a user-assigned control plane identity
 * holding exactly the roles it needs, workload identity, Azure Policy, and Container
 * Insights plus control plane diagnostics to the hub workspace.
 */
export class PrivateCluster extends Construct {
  public readonly identity: UserAssignedIdentity;
  /** The kubelet's own identity (network isolation only; otherwise AKS creates one in the node resource group). */
  public readonly kubeletIdentity?: UserAssignedIdentity;
  /** The role assignments made before the cluster: the control plane's, and with network isolation the kubelet's AcrPull. */
  public readonly roleAssignments: RoleAssignment[] = [];
  /** A pause after the role assignments (time_sleep): the cluster is created only when they have propagated. */
  public readonly rolesPropagated: Sleep;
  public readonly cluster: KubernetesCluster;
  public readonly userPools: KubernetesClusterNodePool[] = [];
  /** "Azure Kubernetes Service RBAC Cluster Admin" assignments, one per administrator. */
  public readonly adminAssignments: RoleAssignment[] = [];

  constructor(scope: Construct, id: string, props: PrivateClusterProps) {
    super(scope, id);

    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.identityName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });

    const grant = (key: string, role: string, scopeId: string, principalId = this.identity.principalId) =>
      this.roleAssignments.push(
        new RoleAssignment(this, key, {
          scope: scopeId,
          roleDefinitionName: role,
          principalId,
          principalType: "ServicePrincipal",
          skipServicePrincipalAadCheck: true,
        }),
      );
    grant("role-vnet", CONTROL_PLANE_ROLES.vnet, props.vnetId);
    grant("role-route-table", CONTROL_PLANE_ROLES.routeTable, props.routeTableId);
    if (props.privateDnsZoneId) grant("role-private-dns-zone", CONTROL_PLANE_ROLES.privateDnsZone, props.privateDnsZoneId);
    const isolation = props.networkIsolation;
    if (isolation) {
      // The first node pulls its bootstrap images from the registry's cache: the kubelet's
      // identity exists, may pull and may be assigned before the cluster is created.
      this.kubeletIdentity = new UserAssignedIdentity(this, "kubelet-identity", {
        name: isolation.kubeletIdentityName,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags: props.tags,
      });
      grant("role-kubelet-identity", CONTROL_PLANE_ROLES.kubeletIdentity, this.kubeletIdentity.id);
      grant("kubelet-acr-pull", KUBELET_REGISTRY_ROLE, isolation.registryId, this.kubeletIdentity.principalId);
    }
    if (props.administrators.length === 0) {
      throw new Error(`PrivateCluster ${props.name}: needs at least one administrator (local accounts are off, so nobody could use the cluster)`);
    }

    // Re-waits whenever an assignment is replaced, not on every apply.
    this.rolesPropagated = new Sleep(this, "role-propagation", {
      createDuration: ROLE_PROPAGATION_WAIT,
      triggers: Object.fromEntries(this.roleAssignments.map((r, i) => [`assignment${i}`, r.id])),
      dependsOn: this.roleAssignments,
    });

    const insights = props.containerInsights ?? DEFAULTS.cluster.containerInsights;
    const hardening = props.hardening ?? {};
    const osSku = hardening.osSku ?? DEFAULTS.cluster.osSku;
    const maintenance = hardening.maintenance ?? DEFAULTS.cluster.maintenance;
    const window = {
      frequency: "Weekly",
      interval: 1,
      dayOfWeek: maintenance.day,
      startTime: `${String(maintenance.startHour).padStart(2, "0")}:00`,
      utcOffset: "+00:00",
      duration: maintenance.durationHours,
    };
    const overlay = (props.networkPluginMode ?? DEFAULTS.networkPluginMode) === "overlay";
    const networkPolicy = props.networkPolicy ?? DEFAULTS.networkPolicy;
    const system = props.systemPool;
    this.cluster = new KubernetesCluster(this, "cluster", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dnsPrefix: props.name,
      nodeResourceGroup: props.nodeResourceGroup,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.skuTier ?? DEFAULTS.skuTier,
      automaticUpgradeChannel: "patch",
      nodeOsUpgradeChannel: "NodeImage",

      privateClusterEnabled: true,
      privateClusterPublicFqdnEnabled: false,
      privateDnsZoneId: props.privateDnsZoneId ?? "System",
      apiServerAccessProfile: props.apiServerSubnetId ? { virtualNetworkIntegrationEnabled: true, subnetId: props.apiServerSubnetId } : undefined,

      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      // Administrators are granted through Azure RBAC role assignments below, not through
      // admin_group_object_ids (which would be a second, Kubernetes-side way in).
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, tenantId: props.tenantId },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      runCommandEnabled: props.runCommand ?? DEFAULTS.cluster.runCommand,

      identity: { type: "UserAssigned", identityIds: [this.identity.id] },
      kubeletIdentity: this.kubeletIdentity
        ? { clientId: this.kubeletIdentity.clientId, objectId: this.kubeletIdentity.principalId, userAssignedIdentityId: this.kubeletIdentity.id }
        : undefined,
      // Network isolation: the cluster's own images come from the registry's cache, never from mcr.microsoft.com.
      bootstrapProfile: isolation ? { artifactSource: "Cache", containerRegistryId: isolation.registryId } : undefined,
      customCaTrustCertificatesBase64: props.nodeTrustedCertificates?.length ? props.nodeTrustedCertificates.map((pem) => Buffer.from(pem).toString("base64")) : undefined,

      defaultNodePool: {
        name: SYSTEM_POOL.name,
        temporaryNameForRotation: SYSTEM_POOL.rotation,
        vmSize: system.vmSize,
        vnetSubnetId: props.nodeSubnetId,
        onlyCriticalAddonsEnabled: true,
        autoScalingEnabled: true,
        minCount: system.minCount,
        maxCount: system.maxCount,
        zones: system.zones,
        maxPods: system.maxPods,
        osDiskSizeGb: system.osDiskSizeGb,
        osDiskType: system.osDiskType ?? defaultOsDiskType(system.vmSize, system.osDiskSizeGb),
        osSku,
        hostEncryptionEnabled: hardening.hostEncryption ? true : undefined,
        upgradeSettings: { maxSurge: String(DEFAULTS.nodePool.maxSurge) },
        tags: props.tags,
      },

      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: overlay ? "overlay" : undefined,
        podCidr: overlay ? (props.podCidr ?? DEFAULTS.podCidr) : undefined,
        networkDataPlane: networkPolicy === "cilium" ? "cilium" : "azure",
        networkPolicy,
        // Isolated: AKS sets up no egress path and checks for no default route; the node
        // subnet's route table still sends everything to the firewall, which denies and logs
        // whatever the spoke did not declare.
        outboundType: isolation ? "none" : "userDefinedRouting",
        loadBalancerSku: "standard",
        serviceCidr: props.serviceCidr,
        dnsServiceIp: props.dnsServiceIp,
      },

      omsAgent: insights ? { logAnalyticsWorkspaceId: props.workspaceId, msiAuthForMonitoringEnabled: true } : undefined,
      maintenanceWindowAutoUpgrade: window,
      maintenanceWindowNodeOs: window,
      imageCleanerEnabled: hardening.imageCleaner ?? DEFAULTS.cluster.imageCleaner,
      imageCleanerIntervalHours: DEFAULTS.cluster.imageCleanerIntervalHours,
      microsoftDefender: hardening.defender ? { logAnalyticsWorkspaceId: props.workspaceId } : undefined,
      keyVaultSecretsProvider: props.keyVaultId ? { secretRotationEnabled: true } : undefined,

      tags: props.tags,
      dependsOn: [this.rolesPropagated, ...this.roleAssignments, ...props.networkReady],
    });

    for (const pool of props.userPools ?? []) {
      this.userPools.push(
        new KubernetesClusterNodePool(this, `pool-${pool.name}`, {
          name: pool.name,
          temporaryNameForRotation: rotationName(pool.name),
          kubernetesClusterId: this.cluster.id,
          mode: "User",
          vmSize: pool.vmSize,
          vnetSubnetId: props.nodeSubnetId,
          autoScalingEnabled: true,
          minCount: pool.minCount,
          maxCount: pool.maxCount,
          zones: pool.zones,
          maxPods: pool.maxPods,
          osDiskSizeGb: pool.osDiskSizeGb,
          osDiskType: pool.osDiskType ?? defaultOsDiskType(pool.vmSize, pool.osDiskSizeGb),
          osSku,
          hostEncryptionEnabled: hardening.hostEncryption ? true : undefined,
          upgradeSettings: { maxSurge: String(DEFAULTS.nodePool.maxSurge) },
          tags: props.tags,
        }),
      );
    }

    // The kubelet pulls from the private registry with the identity AKS made for it.
    if (props.registryId && !isolation) {
      new RoleAssignment(this, "kubelet-acr-pull", {
        scope: props.registryId,
        roleDefinitionName: KUBELET_REGISTRY_ROLE,
        principalId: this.cluster.kubeletIdentity.objectId,
        principalType: "ServicePrincipal",
        skipServicePrincipalAadCheck: true,
      });
    }

    const podSecurity = hardening.podSecurity ?? DEFAULTS.cluster.podSecurity;
    new ResourcePolicyAssignment(this, "pod-security", {
      name: `pod-security-${podSecurity.level}`,
      resourceId: this.cluster.id,
      policyDefinitionId: POD_SECURITY_INITIATIVES[podSecurity.level].id,
      displayName: `Kubernetes pod security ${podSecurity.level} standards (${podSecurity.effect})`,
      // aks-command stays out (the emergency path: az aks command invoke runs its pod there).
      parameters: JSON.stringify({ effect: { value: POD_SECURITY_EFFECT[podSecurity.effect] }, excludedNamespaces: { value: props.podSecurityExcludedNamespaces ?? KUBERNETES_EXCLUDED_NAMESPACES } }),
    });

    for (const admin of props.administrators) {
      this.adminAssignments.push(
        new RoleAssignment(this, `admin-${admin.key}`, {
          scope: this.cluster.id,
          roleDefinitionName: CLUSTER_ADMIN_ROLE,
          principalId: admin.principalId,
          principalType: admin.principalType,
        }),
      );
    }

    if (insights) this.containerInsights(props);

    new Diagnostics(this, "diagnostics", {
      targetResourceId: this.cluster.id,
      workspaceId: props.workspaceId,
      logCategories: CLUSTER_LOG_CATEGORIES,
    });
  }

  // Container Insights with managed identity authentication needs a data collection rule
  // associated with the cluster (the Azure CLI creates one; Terraform has to say so).
  private containerInsights(props: PrivateClusterProps): void {
    const rule = new MonitorDataCollectionRule(this, "container-insights", {
      name: `MSCI-${props.location}-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dataCollectionEndpointId: props.dataCollectionEndpointId,
      destinations: { logAnalytics: [{ name: "workspace", workspaceResourceId: props.workspaceId }] },
      dataFlow: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: ["workspace"] }],
      dataSources: {
        extension: [
          {
            name: "ContainerInsightsExtension",
            extensionName: "ContainerInsights",
            streams: [CONTAINER_INSIGHTS_STREAM],
            extensionJson: JSON.stringify({
              dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true },
            }),
          },
        ],
      },
      tags: props.tags,
    });
    new MonitorDataCollectionRuleAssociation(this, "container-insights-association", {
      name: "ContainerInsightsExtension",
      targetResourceId: this.cluster.id,
      dataCollectionRuleId: rule.id,
    });
    if (props.dataCollectionEndpointId !== undefined) {
      // Behind a private link scope, the agents find their endpoint through this association;
      // Azure requires exactly this name for it.
      new MonitorDataCollectionRuleAssociation(this, "container-insights-endpoint", {
        name: "configurationAccessEndpoint",
        targetResourceId: this.cluster.id,
        dataCollectionEndpointId: props.dataCollectionEndpointId,
      });
    }
  }

  /** The API server's URL (`https://<private fqdn>:443`), from the cluster's user kubeconfig (no credentials in it: local accounts are off). */
  /** The cluster's name. */
  public get name(): string {
    return this.cluster.name;
  }

  /** The cluster's OIDC issuer, which workload identities federate with. */
  public get oidcIssuerUrl(): string {
    return this.cluster.oidcIssuerUrl;
  }

  public get apiServerHost(): string {
    return this.cluster.kubeConfig.get(0).host;
  }

  /** The API server's CA certificate, base64-encoded PEM. */
  public get clusterCaCertificate(): string {
    return this.cluster.kubeConfig.get(0).clusterCaCertificate;
  }

  /** The API server's private FQDN (resolvable only through the privatelink zone). */
  public get privateFqdn(): string {
    return this.cluster.privateFqdn;
  }

  public get id(): string {
    return this.cluster.id;
  }

  /** The resource group AKS creates for the nodes (load balancers, NICs, disks). */
  public get nodeResourceGroupId(): string {
    return this.cluster.nodeResourceGroupId;
  }
}
