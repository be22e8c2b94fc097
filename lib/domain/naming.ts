/**
 * Azure resource names and stack ids, derived from the environment and spoke names. One
 * place, so that a reviewer can predict every name and a rename is one diff.
 */
import { DEFAULTS } from "./defaults";
export const stackIds = {
  hub: (env: string) => `${env}-hub`,
  spoke: (env: string, spoke: string) => `${env}-${spoke}`,
  apps: (env: string, spoke: string) => `${env}-${spoke}-apps`,
  /** Declared by `env`, joining its hub with `peer`'s. */
  peering: (env: string, peer: string) => `${env}-${peer}-peering`,
};

/** Where a GitOps spoke's rendered manifests are committed, relative to the repository's root, unless delivery.path says otherwise: `gitops/<env>-<spoke>`. */
export function gitopsPath(env: string, spoke: string): string {
  return `${DEFAULTS.delivery.pathPrefix}/${stackIds.spoke(env, spoke)}`;
}

export function hubNames(env: string) {
  return {
    resourceGroup: `rg-${env}-hub`,
    vnet: `vnet-${env}-hub`,
    firewall: `afw-${env}-hub`,
    firewallPolicy: `afwp-${env}-hub`,
    /** TLS inspection: the firewall policy's identity and the vault's resource group (outside the hub's, whose runtime policy requires Azure RBAC of vaults). */
    firewallPolicyIdentity: `id-${env}-afwp`,
    tlsResourceGroup: `rg-${env}-hub-tls`,
    firewallPublicIp: `pip-${env}-afw`,
    firewallManagementPublicIp: `pip-${env}-afw-mgmt`,
    logAnalytics: `log-${env}-hub`,
    monitorPrivateLinkScope: `ampls-${env}-hub`,
    dataCollectionEndpoint: `dce-${env}-hub`,
    jumpbox: `vm-${env}-jumpbox`,
    jumpboxNic: `nic-${env}-jumpbox`,
    jumpboxNsg: `nsg-${env}-jumpbox`,
    jumpboxRouteTable: `rt-${env}-jumpbox-egress`,
    jumpboxRuleGroup: ruleGroupNames.jumpbox,
    bastion: `bas-${env}-hub`,
    bastionPublicIp: `pip-${env}-bastion`,
    dnsResolver: `dnspr-${env}-hub`,
    dnsResolverNsg: (role: string) => `nsg-${env}-${role}`,
    forwardingRuleset: `dnsfrs-${env}-hub`,
    gateway: `vgw-${env}-hub`,
    gatewayPublicIp: `pip-${env}-vgw`,
    gatewayRouteTable: `rt-${env}-gateway`,
    /** On AzureFirewallSubnet, only with global peerings: routes to the other regions' spokes. */
    firewallRouteTable: `rt-${env}-firewall`,
    gatewaySite: (site: string) => ({ localGateway: `lgw-${env}-${site}`, connection: `con-${env}-${site}` }),
  };
}

export function spokeNames(env: string, spoke: string) {
  return {
    resourceGroup: `rg-${env}-${spoke}`,
    vnet: `vnet-${env}-${spoke}`,
    nsg: (role: string) => `nsg-${env}-${spoke}-${role}`,
    routeTable: `rt-${env}-${spoke}-egress`,
    cluster: `aks-${env}-${spoke}`,
    nodeResourceGroup: `rg-${env}-${spoke}-nodes`,
    controlPlaneIdentity: `id-${env}-${spoke}-aks`,
    /** The kubelet's own identity, created before a network-isolated cluster so it can pull its bootstrap images. */
    kubeletIdentity: `id-${env}-${spoke}-kubelet`,
    /** An app's workload identity (apps with Key Vault secrets). */
    appIdentity: (app: string) => `id-${env}-${spoke}-app-${app}`,
  };
}

/** The privatelink zones of the hub's private endpoints, by service: the stacks create them, explain resolves names through them. */
export const PRIVATE_LINK_ZONES = {
  registry: "privatelink.azurecr.io",
  keyVault: "privatelink.vaultcore.azure.net",
} as const;

/** Subnet names by role: those Azure requires (AzureFirewallSubnet, ...) and the product's own. */
export const SUBNET_NAMES = {
  hub: {
    firewall: "AzureFirewallSubnet",
    firewallManagement: "AzureFirewallManagementSubnet",
    bastion: "AzureBastionSubnet",
    jumpbox: "snet-jumpbox",
    dnsResolverInbound: "snet-dns-inbound",
    dnsResolverOutbound: "snet-dns-outbound",
    gateway: "GatewaySubnet",
    privateEndpoints: "snet-private-endpoints",
  },
  spoke: { nodes: "snet-nodes", ingress: "snet-ingress", apiServer: "snet-apiserver" },
} as const;

/** The firewall policy's rule collection groups. */
export const ruleGroupNames = {
  spoke: (spoke: string) => `rcg-${spoke}`,
  jumpbox: "rcg-jumpbox",
  onPremises: "rcg-onprem",
  /** A global peering's group in each hub, named after the other environment. */
  peering: (peer: string) => `rcg-peer-${peer}`,
} as const;

/** The IP groups that hold a rule collection group's sources. */
export const ipGroupNames = {
  spoke: (env: string, spoke: string) => `ipg-${env}-${spoke}`,
  onPremises: (env: string) => `ipg-${env}-onprem`,
} as const;

/** The system pool's name, and the name it takes while azurerm rotates it. */
export const SYSTEM_POOL = { name: "system", rotation: "systemtmp" } as const;

/**
 * The name a user pool takes while azurerm rotates it (a change to its size, OS disk, zones or
 * pods per node replaces its nodes through a temporary pool): at most 12 characters, like a pool name.
 */
export function rotationName(pool: string): string {
  return `${pool.slice(0, 9)}tmp`;
}

/** ` --subscription <id>` for an az command on a spoke in its own subscription, else nothing (the CLI's default). */
export function subscriptionOption(subscriptionId: string | undefined): string {
  return subscriptionId ? ` --subscription ${subscriptionId}` : "";
}
