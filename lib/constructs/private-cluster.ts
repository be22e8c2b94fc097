import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { MonitorDataCollectionRuleAssociation } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Diagnostics } from "./log-analytics";

/** One node pool's size and shape. */
export interface NodePoolOptions {
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
  readonly zones: string[];
  readonly maxPods: number;
  readonly osDiskSizeGb: number;
}

export interface UserNodePoolOptions extends NodePoolOptions {
  /** 1-12 lowercase letters or digits. */
  readonly name: string;
}

export interface PrivateClusterProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Resource group AKS creates for the nodes. */
  readonly nodeResourceGroup: string;
  /** Name of the control plane's user-assigned identity. */
  readonly identityName: string;
  /** The node subnet (its egress is routed to the firewall). */
  readonly nodeSubnetId: string;
  /** The egress route table; the identity gets Network Contributor on it. */
  readonly routeTableId: string;
  /** Created before the cluster: the route table association (so the first node boots with egress) and any NSG associations. */
  readonly networkReady: ITerraformDependable[];
  /** Workspace for Container Insights and the cluster's diagnostics. */
  readonly workspaceId: string;
  readonly serviceCidr: string;
  readonly dnsServiceIp: string;
  readonly systemPool: NodePoolOptions;
  /**
   * The `privatelink.<region>.azmk8s.io` zone to register the API server in (bring your own);
   * the identity gets Private DNS Zone Contributor on it.
   * @default - the zone AKS manages itself ("System")
   */
  readonly privateDnsZoneId?: string;
  /** @default - the region's default version when created */
  readonly kubernetesVersion?: string;
  /** @default Standard */
  readonly skuTier?: "Free" | "Standard" | "Premium";
  /** @default - plain Azure CNI (pods take node-subnet addresses) */
  readonly networkPluginMode?: "overlay";
  /** Pod range in overlay mode. @default 10.244.0.0/16 */
  readonly podCidr?: string;
  /** @default azure */
  readonly networkPolicy?: "azure" | "calico";
  /** @default - none: access is granted with Azure RBAC role assignments */
  readonly adminGroupObjectIds?: string[];
  /** Keep `az aks command invoke`, the emergency access path. @default true */
  readonly runCommand?: boolean;
  /** @default - none */
  readonly userPools?: UserNodePoolOptions[];
  /** @default - none */
  readonly tags?: Record<string, string>;
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

/** The roles the control plane identity holds, and on what. Nothing more. */
export const CONTROL_PLANE_ROLES = {
  nodeSubnet: "Network Contributor",
  routeTable: "Network Contributor",
  privateDnsZone: "Private DNS Zone Contributor",
} as const;

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
  public readonly roleAssignments: RoleAssignment[] = [];
  public readonly cluster: KubernetesCluster;
  public readonly userPools: KubernetesClusterNodePool[] = [];

  constructor(scope: Construct, id: string, props: PrivateClusterProps) {
    super(scope, id);

    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.identityName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });

    const grant = (key: string, role: string, scopeId: string) =>
      this.roleAssignments.push(
        new RoleAssignment(this, `role-${key}`, {
          scope: scopeId,
          roleDefinitionName: role,
          principalId: this.identity.principalId,
          principalType: "ServicePrincipal",
          skipServicePrincipalAadCheck: true,
        }),
      );
    grant("node-subnet", CONTROL_PLANE_ROLES.nodeSubnet, props.nodeSubnetId);
    grant("route-table", CONTROL_PLANE_ROLES.routeTable, props.routeTableId);
    if (props.privateDnsZoneId) grant("private-dns-zone", CONTROL_PLANE_ROLES.privateDnsZone, props.privateDnsZoneId);

    const overlay = props.networkPluginMode === "overlay";
    const system = props.systemPool;
    this.cluster = new KubernetesCluster(this, "cluster", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dnsPrefix: props.name,
      nodeResourceGroup: props.nodeResourceGroup,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.skuTier ?? "Standard",
      automaticUpgradeChannel: "patch",
      nodeOsUpgradeChannel: "NodeImage",

      privateClusterEnabled: true,
      privateClusterPublicFqdnEnabled: false,
      privateDnsZoneId: props.privateDnsZoneId ?? "System",

      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        adminGroupObjectIds: props.adminGroupObjectIds && props.adminGroupObjectIds.length > 0 ? props.adminGroupObjectIds : undefined,
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      runCommandEnabled: props.runCommand ?? true,

      identity: { type: "UserAssigned", identityIds: [this.identity.id] },

      defaultNodePool: {
        name: "system",
        temporaryNameForRotation: "systemtmp",
        vmSize: system.vmSize,
        vnetSubnetId: props.nodeSubnetId,
        onlyCriticalAddonsEnabled: true,
        autoScalingEnabled: true,
        minCount: system.minCount,
        maxCount: system.maxCount,
        zones: system.zones,
        maxPods: system.maxPods,
        osDiskSizeGb: system.osDiskSizeGb,
        upgradeSettings: { maxSurge: "1" },
        tags: props.tags,
      },

      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: overlay ? "overlay" : undefined,
        podCidr: overlay ? (props.podCidr ?? "10.244.0.0/16") : undefined,
        networkPolicy: props.networkPolicy ?? "azure",
        outboundType: "userDefinedRouting",
        loadBalancerSku: "standard",
        serviceCidr: props.serviceCidr,
        dnsServiceIp: props.dnsServiceIp,
      },

      omsAgent: { logAnalyticsWorkspaceId: props.workspaceId, msiAuthForMonitoringEnabled: true },

      tags: props.tags,
      dependsOn: [...this.roleAssignments, ...props.networkReady],
    });

    for (const pool of props.userPools ?? []) {
      this.userPools.push(
        new KubernetesClusterNodePool(this, `pool-${pool.name}`, {
          name: pool.name,
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
          upgradeSettings: { maxSurge: "1" },
          tags: props.tags,
        }),
      );
    }

    // Container Insights with managed identity authentication needs a data collection rule
    // associated with the cluster (the Azure CLI creates one; Terraform has to say so).
    const rule = new MonitorDataCollectionRule(this, "container-insights", {
      name: `MSCI-${props.location}-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
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

    new Diagnostics(this, "diagnostics", {
      targetResourceId: this.cluster.id,
      workspaceId: props.workspaceId,
      logCategories: CLUSTER_LOG_CATEGORIES,
    });
  }

  /** The API server's private FQDN (resolvable only through the privatelink zone). */
  public get privateFqdn(): string {
    return this.cluster.privateFqdn;
  }

  public get id(): string {
    return this.cluster.id;
  }
}
