import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { type AppIdentityRef, appObjects, identityManifest, serviceAccountSubject } from "../apps/kubernetes-objects";
import { AppIdentity } from "../constructs/app-identity";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { Annotations, Fn, TerraformOutput, type TerraformStack, TerraformVariable } from "cdktf";
import { API_SERVER_VNET_INTEGRATION_UNAVAILABLE } from "../domain/azure-regions";
import type { Construct } from "constructs";
import type { LiteralEnvironment, SpokeConfig } from "../config/schema";
import { EgressRouteTable } from "../constructs/egress-route-table";
import { RuntimeGuardrails } from "../constructs/runtime-guardrails";
import { ForwardingRulesetLink } from "../constructs/dns-resolver";
import { type ClusterAdministrator, PrivateCluster } from "../constructs/private-cluster";
import { DnsARecord, PrivateDnsZoneLinks, type ZoneReference } from "../constructs/private-dns";
import { SPOKE_SUBNET_NAMES, SpokeNetwork } from "../constructs/spoke-network";
import type { IHub } from "./hub-stack";
import { gitopsPath, spokeNames, subscriptionOption } from "../domain/naming";
import { PlatformStack } from "./platform-stack";
import { durationSeconds, GITOPS } from "../domain/gitops";
import { KUBERNETES_EXCLUDED_NAMESPACES } from "../domain/runtime-policies";
import { GitOpsDelivery, type GitAuth } from "../constructs/gitops-delivery";
import { fromLiteral } from "../core/template";

export interface SpokeStackProps {
  readonly env: LiteralEnvironment;
  readonly spoke: SpokeConfig;
  /** The hub this spoke peers with and sends its egress through. */
  readonly hub: IHub;
  /** The hub's stack, when the hub is built here: the spoke is deployed after it. @default - no dependency */
  readonly hubStack?: TerraformStack;
}

/**
 * `<env>-<spoke>`: the spoke VNet, its subnets and NSGs, peering with the hub in both
 * directions, the egress route table that sends 0.0.0.0/0 to the firewall, the links of
 * the hub's private DNS zones (and forwarding ruleset) to this VNet, and the private AKS
 * cluster. When the firewall proxies DNS, the VNet uses it as its DNS server, so that the
 * names the firewall's FQDN rules match are the names the nodes resolved.
 */
/** The spoke output holding the identity objects of apps with secrets (YAML). */
export const WORKLOAD_IDENTITIES_OUTPUT = "workload_identities";

/** The registry a network-isolated cluster bootstraps from: the hub's (the rules refuse isolation without one). */
function isolationRegistry(hub: IHub, spoke: string): string {
  if (hub.registryId === undefined) throw new Error(`spoke ${spoke}: cluster.networkIsolated without the hub's registry (the rules require hub.registry)`);
  return hub.registryId;
}

export class SpokeStack extends PlatformStack {
  public readonly network: SpokeNetwork;
  public readonly egress: EgressRouteTable;
  public readonly dnsLinks: PrivateDnsZoneLinks;
  public readonly cluster: PrivateCluster;
  /** The Azure Policy assignments that hold the guardrails on the spoke's resource groups and cluster after deploy. */
  public readonly runtimePolicy: RuntimeGuardrails;
  private readonly hub: IHub;
  /** The provider of the hub's subscription, when this spoke lives in another one. */
  public readonly hubProvider?: AzurermProvider;
  /** The Entra ID tenant: the clusters' Azure RBAC and the apps' workload identities. */
  public readonly tenantId: string;
  /** The identities of apps that read Key Vault secrets, by app name. */
  public readonly appIdentities = new Map<string, AppIdentityRef>();
  /** With delivery.mode gitops: the cluster's Flux extension and configuration. */
  public readonly delivery?: GitOpsDelivery;

  constructor(scope: Construct, id: string, props: SpokeStackProps) {
    const { env, spoke, hub } = props;
    const names = spokeNames(env.name, spoke.name);
    const gitops = spoke.delivery.mode === "gitops";
    // The Flux extension's resource provider is not among those azurerm registers by default.
    super(scope, id, { env, resourceGroupName: names.resourceGroup, subscriptionId: spoke.subscriptionId, resourceProviders: gitops ? [GITOPS.resourceProvider] : [] });
    if (props.hubStack) this.addDependency(props.hubStack);
    // A spoke in its own subscription reaches the hub's (the environment's) through an alias:
    // the hub side of the peering, the zone and ruleset links and DNS records live there.
    const own = spoke.subscriptionId ?? env.subscriptionId;
    this.hubProvider = own !== hub.subscriptionId ? new AzurermProvider(this, "azurerm-hub", { alias: "hub", features: [{}], subscriptionId: hub.subscriptionId }) : undefined;
    this.hub = hub;
    const rg = this.resourceGroup.name;

    this.network = new SpokeNetwork(this, "network", {
      spokeName: spoke.name,
      vnetName: names.vnet,
      resourceGroupName: rg,
      location: this.location,
      addressSpace: spoke.addressSpace,
      subnets: spoke.subnets,
      hub: { vnetId: hub.vnetId, vnetName: hub.vnetName, resourceGroupName: hub.resourceGroupName },
      gatewayTransit: hub.gatewayTransit,
      hubProvider: this.hubProvider,
      nsgName: names.nsg,
      dnsServers: hub.spokeDnsServers,
      tags: this.tags,
    });

    this.egress = new EgressRouteTable(this, "egress", {
      name: names.routeTable,
      resourceGroupName: rg,
      location: this.location,
      nextHopIp: hub.firewallPrivateIp,
      // Every subnet of the spoke: nothing in it leaves except through the firewall.
      subnets: Object.fromEntries(this.network.roles.map((role) => [role, this.network.subnetId(role)])),
      tags: this.tags,
    });

    const vnetLink = { key: names.vnet, vnetId: this.network.vnetId };
    const zones: Record<string, ZoneReference> = {};
    // The AKS zone this spoke's cluster registers in (bring your own), and no other: the hub
    // resolves every cluster's, and a spoke added with another mode changes no other spoke.
    const integrated = spoke.subnets.apiServer !== undefined;
    const aksZone = spoke.cluster.privateDnsZone === "byo" ? (integrated ? hub.aksVnetIntegrationDnsZone : hub.aksDnsZone) : undefined;
    if (aksZone) zones[integrated ? "aks-api-vnet-integration" : "aks-api"] = { zoneName: aksZone.name, resourceGroupName: aksZone.resourceGroupName };
    for (const [zone, hosted] of [...hub.appZones, ...hub.privateLinkZones]) zones[`zone-${zone}`] = { zoneName: hosted.name, resourceGroupName: hosted.resourceGroupName, fallbackToInternet: hosted.fallbackToInternet };
    this.dnsLinks = new PrivateDnsZoneLinks(this, "dns-links", { zones, vnet: vnetLink, tags: this.tags, provider: this.hubProvider });
    if (hub.forwardingRulesetId) {
      new ForwardingRulesetLink(this, "dns-forwarding", { rulesetId: hub.forwardingRulesetId, vnet: vnetLink, provider: this.hubProvider });
    }

    // The identity running `cdktf deploy`: its tenant for Azure RBAC unless the file names one,
    // and its object id as a cluster administrator unless turned off.
    const c = spoke.cluster;
    const deployer = c.grantDeployerAdmin || env.tenantId === undefined ? new DataAzurermClientConfig(this, "deployer", {}) : undefined;
    this.tenantId = env.tenantId ?? (deployer as DataAzurermClientConfig).tenantId;
    const administrators: ClusterAdministrator[] = c.adminGroupObjectIds.map((objectId) => ({ key: objectId, principalId: objectId, principalType: "Group" }));
    if (deployer && c.grantDeployerAdmin) administrators.push({ key: "deployer", principalId: deployer.objectId });
    // The cluster waits for its role assignments to propagate (time_sleep).
    new TimeProvider(this, "time", {});
    this.cluster = new PrivateCluster(this, "cluster", {
      name: names.cluster,
      resourceGroupName: rg,
      location: this.location,
      nodeResourceGroup: names.nodeResourceGroup,
      identityName: names.controlPlaneIdentity,
      nodeSubnetId: this.network.subnetId("nodes"),
      vnetId: this.network.vnetId,
      tenantId: this.tenantId,
      administrators,
      routeTableId: this.egress.id,
      apiServerSubnetId: spoke.subnets.apiServer !== undefined ? this.network.subnetId("apiServer") : undefined,
      networkReady: [
        ...this.egress.associations,
        this.network.nsgAssociation("nodes"),
        ...(spoke.subnets.apiServer !== undefined ? [this.network.nsgAssociation("apiServer")] : []),
        ...this.network.peerings,
        ...this.dnsLinks.links,
      ],
      workspaceId: hub.workspaceId,
      serviceCidr: c.serviceCidr,
      dnsServiceIp: c.dnsServiceIp,
      privateDnsZoneId: aksZone?.id,
      kubernetesVersion: c.kubernetesVersion,
      skuTier: c.skuTier,
      networkPluginMode: c.networkPluginMode,
      podCidr: c.podCidr,
      networkPolicy: c.networkPolicy,
      runCommand: c.runCommand,
      // The monitoring agent needs the Container Insights egress: both come and go together.
      containerInsights: spoke.egress.containerInsights,
      hardening: { osSku: c.osSku, maintenance: c.maintenance, podSecurity: c.podSecurity, imageCleaner: c.imageCleaner, defender: c.defender, hostEncryption: c.hostEncryption },
      // Flux's controllers run in flux-system: Microsoft's extension troubleshooting says no policy may restrict it (aks-baseline excludes it too).
      podSecurityExcludedNamespaces: gitops ? [...KUBERNETES_EXCLUDED_NAMESPACES, GITOPS.releaseNamespace] : undefined,
      registryId: hub.registryId,
      // Nodes trust the firewall's CA where it decrypts this spoke's traffic (a registry behind an inspected name, say).
      nodeTrustedCertificates: spoke.egress.tlsInspection.length > 0 && env.hub.firewall.tlsInspection ? [env.hub.firewall.tlsInspection.caCertificate] : undefined,
      networkIsolation: c.networkIsolated ? { registryId: isolationRegistry(hub, spoke.name), kubeletIdentityName: names.kubeletIdentity } : undefined,
      keyVaultId: hub.keyVaultId,
      dataCollectionEndpointId: hub.monitoringEndpointId,
      systemPool: c.systemPool,
      userPools: c.userPools,
      tags: this.tags,
    });

    // The guardrails' runtime enforcement on what this spoke owns: its resource group, the one
    // AKS creates for the nodes, and the cluster. The spoke's effect wins over the environment's;
    // its exemptions add to the environment's (validation refuses one guardrail exempted at both).
    this.runtimePolicy = new RuntimeGuardrails(this, "runtime-policy", {
      namePrefix: id,
      effect: spoke.policy.effect ?? env.policy.effect,
      offReason: spoke.policy.effect === "off" ? spoke.policy.reason : env.policy.reason,
      scopes: { spoke: this.resourceGroup.id, nodes: this.cluster.nodeResourceGroupId, cluster: this.cluster.id },
      // In the environment's subscription, the hub's stack made the definitions; elsewhere, this stack makes its own.
      initiatives: own === env.subscriptionId ? hub.guardrailInitiatives : undefined,
      firewallPrivateIp: hub.firewallPrivateIp,
      exemptions: [...env.policy.exemptions, ...spoke.policy.exemptions],
    });

    if (spoke.subnets.apiServer !== undefined && (API_SERVER_VNET_INTEGRATION_UNAVAILABLE.regions as readonly string[]).includes(env.location)) {
      Annotations.of(this).addWarning(
        `API Server VNet Integration (spoke ${spoke.name}: subnets.apiServer) was not offered in ${env.location} when this product last read Microsoft's list (${API_SERVER_VNET_INTEGRATION_UNAVAILABLE.readIn}); check with az aks create there before deploying`,
      );
    }

    new TerraformOutput(this, "cluster_name", { value: this.cluster.name, description: "The AKS cluster." });
    new TerraformOutput(this, "cluster_resource_group", { value: rg, description: "Resource group of the cluster." });
    new TerraformOutput(this, "cluster_private_fqdn", {
      value: this.cluster.privateFqdn,
      description: "The API server's private FQDN; resolvable from the hub, the spokes, and on-premises through the DNS forwarders.",
    });
    // Apps that read Key Vault secrets: one identity each, federated with the app's service account.
    const vaultName = env.hub.keyVault?.name;
    for (const app of spoke.apps.filter((a) => a.secrets.length > 0)) {
      if (hub.keyVaultId === undefined || vaultName === undefined) throw new Error(`app ${app.name} reads secrets but the hub has no key vault (the rules require one)`);
      const identity = new AppIdentity(this, `app-identity-${app.name}`, {
        name: names.appIdentity(app.name),
        resourceGroupName: rg,
        location: this.location,
        oidcIssuerUrl: this.cluster.oidcIssuerUrl,
        subject: serviceAccountSubject(app),
        keyVaultId: hub.keyVaultId,
        secrets: app.secrets,
        tags: this.tags,
      });
      this.appIdentities.set(app.name, { clientId: identity.clientId, tenantId: this.tenantId, keyVaultName: vaultName });
    }
    if (this.appIdentities.size > 0) {
      const objects = spoke.apps.filter((a) => this.appIdentities.has(a.name)).map((a) => appObjects(a, { ingressSubnetName: SPOKE_SUBNET_NAMES.ingress, identity: this.appIdentities.get(a.name) }));
      new TerraformOutput(this, WORKLOAD_IDENTITIES_OUTPUT, {
        value: identityManifest(objects),
        description: "The service accounts and SecretProviderClasses of the apps that read Key Vault secrets, as YAML for kubectl: they name identities that exist only once this stack is applied.",
      });
    }

    if (gitops) this.delivery = this.gitopsDelivery(spoke, env.name);

    if (c.runCommand) {
      new TerraformOutput(this, "emergency_access", {
        value: `az aks command invoke${subscriptionOption(spoke.subscriptionId)} --resource-group ${names.resourceGroup} --name ${names.cluster} --command "kubectl get nodes"`,
        description: "Runs kubectl inside the cluster through the Azure API when no private network path is available.",
      });
    }
  }

  /**
   * Publishes a private name: an A record in one of the hub's application zones
   * (hub.dns.zones), created in this stack. Throws naming the zones that exist when the zone
   * is not one of them.
   */
  /**
   * The cluster pulls its apps: the Flux extension and a configuration that follows the
   * repository's branch and applies the folder of rendered manifests. A private repository's
   * credentials come in as sensitive Terraform variables (TF_VAR_gitops_https_token, or
   * TF_VAR_gitops_ssh_private_key), never through the environment file.
   */
  private gitopsDelivery(spoke: SpokeConfig, envName: string): GitOpsDelivery {
    const d = spoke.delivery;
    if (d.repository === undefined) throw new Error(`spoke ${spoke.name}: delivery.mode gitops without a repository (the rules require one)`);
    const secret = (name: string, description: string) => new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false, description });
    let auth: GitAuth = { kind: "none" };
    if (d.auth === "https") {
      const token = secret(GITOPS.httpsTokenVariable, "The token (or password) Flux sends, with the environment file's delivery.httpsUser, to the spoke's GitOps repository.");
      auth = { kind: "https", user: d.httpsUser ?? "", tokenBase64: Fn.base64encode(token.stringValue) };
    } else if (d.auth === "ssh") {
      const key = secret(GITOPS.sshKeyVariable, "The private deploy key (PEM, ending with a newline) Flux signs in to the spoke's GitOps repository with.");
      auth = { kind: "ssh", privateKeyBase64: Fn.base64encode(key.stringValue), knownHostsBase64: Buffer.from(fromLiteral(d.knownHosts ?? "")).toString("base64") };
    }
    return new GitOpsDelivery(this, "gitops", {
      clusterId: this.cluster.id,
      url: d.repository,
      branch: d.branch,
      path: d.path ?? gitopsPath(envName, spoke.name),
      syncIntervalSeconds: durationSeconds(fromLiteral(d.syncInterval)),
      auth,
    });
  }

  public addDnsRecord(zone: string, name: string, ips: string[]): DnsARecord {
    const target = this.hub.appZones.get(zone);
    if (!target) {
      const available = [...this.hub.appZones.keys()];
      throw new Error(`No zone '${zone}' in hub.dns.zones; available: ${available.length ? available.join(", ") : "none (add it to hub.dns.zones)"}`);
    }
    return new DnsARecord(this, `dns-${zone}-${name}`, {
      zone: { zoneName: target.name, resourceGroupName: target.resourceGroupName },
      name,
      ips,
      tags: this.tags,
      provider: this.hubProvider,
    });
  }
}
