/**
 * What Azure Policy sees of the resources in a synthesized output: each Terraform resource of a
 * type some runtime policy evaluates, as the request body azurerm sends for it (read from the
 * expand functions of terraform-provider-azurerm v4.55.0, internal/services/<service>/), with
 * the defaults azurerm or Azure fill in where the output leaves an argument out; plus what AKS
 * itself creates in the node resource group of a cluster with outbound type
 * userDefinedRouting (Microsoft Learn, "Node resource group" and "Customize cluster egress with
 * outbound types": an internal load balancer when a Service asks for one, the nodes' scale
 * sets and their NSG, no public IP; the API server's private endpoint and its NIC).
 * References stay as the resource attribute they name, so that two values read from the same
 * attribute compare equal.
 */
import { type Model, Ref, type Resource, Unknown } from "../lib/output/model";
import type { Request } from "./policy-language";

/** A request, with the resource group it lands in (by name) and the resource it models. */
export interface Located {
  readonly request: Request;
  readonly resourceGroup: string;
  readonly source: string;
}

const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const first = (v: unknown): any => list(v)[0];
/** A reference as the attribute it names; everything else as written. */
export const flat = (v: unknown): unknown => (v instanceof Ref || v instanceof Unknown ? String(v) : v);

/** The resource group named in an Azure resource id (literal ids of resources outside the output). */
const groupOfId = (id: unknown): string | undefined => (typeof id === "string" ? /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] : undefined);

export function armRequests(model: Model): Located[] {
  const out: Located[] = [];
  const groupOf = (r: Resource): string => String(flat(model.attr(r, "resource_group_name")));
  const push = (r: Resource, request: Request, resourceGroup = groupOf(r)) => out.push({ request, resourceGroup, source: r.address });
  const targetGroup = (value: unknown): string | undefined => {
    const t = model.target(value);
    return t ? groupOf(t) : groupOfId(value);
  };

  const nsgOf = new Map<Resource, unknown>();
  const routeTableOf = new Map<Resource, unknown>();
  for (const a of model.ofType("azurerm_subnet_network_security_group_association")) {
    const subnet = model.target(model.attr(a, "subnet_id"));
    if (subnet) nsgOf.set(subnet, flat(model.attr(a, "network_security_group_id")));
  }
  for (const a of model.ofType("azurerm_subnet_route_table_association")) {
    const subnet = model.target(model.attr(a, "subnet_id"));
    if (subnet) routeTableOf.set(subnet, flat(model.attr(a, "route_table_id")));
  }

  for (const r of model.resources) {
    const a = model.attrs(r);
    switch (r.type) {
      case "azurerm_route_table":
        push(r, {
          type: "Microsoft.Network/routeTables",
          name: a.name,
          properties: {
            disableBgpRoutePropagation: a.bgp_route_propagation_enabled === false,
            routes: list(a.route).map((x) => ({ name: x.name, properties: { addressPrefix: x.address_prefix, nextHopType: x.next_hop_type, ...(x.next_hop_in_ip_address !== undefined ? { nextHopIpAddress: flat(x.next_hop_in_ip_address) } : {}) } })),
          },
        });
        break;
      case "azurerm_route":
        push(r, { type: "Microsoft.Network/routeTables/routes", name: a.name, properties: { addressPrefix: a.address_prefix, nextHopType: a.next_hop_type, ...(a.next_hop_in_ip_address !== undefined ? { nextHopIpAddress: flat(a.next_hop_in_ip_address) } : {}) } });
        break;
      case "azurerm_network_security_group":
        push(r, { type: "Microsoft.Network/networkSecurityGroups", name: a.name, properties: { securityRules: list(a.security_rule).map((x) => ({ name: x.name, properties: securityRule(x) })) } });
        break;
      case "azurerm_network_security_rule":
        push(r, { type: "Microsoft.Network/networkSecurityGroups/securityRules", name: a.name, properties: securityRule(a) });
        break;
      case "azurerm_subnet": {
        const vnetGroup = String(flat(a.resource_group_name));
        const nsg = nsgOf.get(r);
        const rt = routeTableOf.get(r);
        push(r, { type: "Microsoft.Network/virtualNetworks/subnets", name: a.name, properties: { ...(nsg ? { networkSecurityGroup: { id: nsg } } : {}), ...(rt ? { routeTable: { id: rt } } : {}) } }, vnetGroup);
        break;
      }
      case "azurerm_network_interface":
        push(r, {
          type: "Microsoft.Network/networkInterfaces",
          name: a.name,
          properties: { ipConfigurations: list(a.ip_configuration).map((c) => ({ name: c.name, properties: c.public_ip_address_id !== undefined ? { publicIPAddress: { id: flat(c.public_ip_address_id) } } : {} })) },
        });
        break;
      case "azurerm_public_ip":
        push(r, { type: "Microsoft.Network/publicIPAddresses", name: a.name, properties: {} });
        break;
      case "azurerm_public_ip_prefix":
        push(r, { type: "Microsoft.Network/publicIPPrefixes", name: a.name, properties: {} });
        break;
      case "azurerm_bastion_host":
        push(r, { type: "Microsoft.Network/bastionHosts", name: a.name, properties: { enableShareableLink: a.shareable_link_enabled === true } });
        break;
      case "azurerm_firewall_policy_rule_collection_group": {
        const collections = [
          ...list(a.application_rule_collection).map((c) => ({ name: c.name, ruleCollectionType: "FirewallPolicyFilterRuleCollection" })),
          ...list(a.network_rule_collection).map((c) => ({ name: c.name, ruleCollectionType: "FirewallPolicyFilterRuleCollection" })),
          ...list(a.nat_rule_collection).map((c) => ({ name: c.name, ruleCollectionType: "FirewallPolicyNatRuleCollection" })),
        ];
        // The group lives in its policy's resource group (the hub's, for a spoke's group).
        push(r, { type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", name: a.name, properties: { ruleCollections: collections } }, targetGroup(a.firewall_policy_id) ?? "(unknown)");
        break;
      }
      case "azurerm_kubernetes_cluster": {
        const rbac = first(a.azure_active_directory_role_based_access_control);
        push(r, {
          type: "Microsoft.ContainerService/managedClusters",
          name: a.name,
          properties: {
            apiServerAccessProfile: { enablePrivateCluster: a.private_cluster_enabled === true, enablePrivateClusterPublicFQDN: a.private_cluster_public_fqdn_enabled === true },
            networkProfile: { outboundType: first(a.network_profile)?.outbound_type ?? "loadBalancer" },
            ...(rbac ? { aadProfile: { managed: true, enableAzureRBAC: rbac.azure_rbac_enabled === true } } : {}),
            disableLocalAccounts: a.local_account_disabled === true,
            agentPoolProfiles: [{ name: first(a.default_node_pool)?.name, enableNodePublicIP: first(a.default_node_pool)?.node_public_ip_enabled === true }],
          },
        });
        // What AKS creates for it in the node resource group.
        const nodes = String(flat(a.node_resource_group));
        const created = (request: Request) => out.push({ request, resourceGroup: nodes, source: `${r.address} (created by AKS)` });
        created({ type: "Microsoft.Network/loadBalancers", name: "kubernetes-internal", properties: {} });
        created({ type: "Microsoft.Network/networkSecurityGroups", name: "aks-agentpool-nsg", properties: { securityRules: [] } });
        // The cloud provider's update of that NSG for an internal LoadBalancer Service with
        // loadBalancerSourceRanges (kubernetes-sigs/cloud-provider-azure at 7b31c76c, read
        // 2026-12-07: securitygroup.go addAllowRule writes one Inbound Allow rule per protocol from
        // the ranges to the frontend IP; without ranges an internal Service writes no rule at all).
        created({
          type: "Microsoft.Network/networkSecurityGroups",
          name: "aks-agentpool-nsg",
          properties: {
            securityRules: [
              {
                name: "k8s-azure-lb_allow_IPv4_0123456789abcdef",
                properties: { access: "Allow", direction: "Inbound", protocol: "Tcp", priority: 500, sourceAddressPrefix: "10.0.0.0/8", sourcePortRange: "*", destinationAddressPrefix: "10.0.6.250", destinationPortRanges: ["443"] },
              },
            ],
          },
        });
        created({ type: "Microsoft.Compute/virtualMachineScaleSets", name: "aks-system-vmss", properties: {} });
        created({ type: "Microsoft.Network/privateEndpoints", name: "kube-apiserver", properties: {} });
        created({ type: "Microsoft.Network/networkInterfaces", name: "kube-apiserver.nic", properties: { ipConfigurations: [{ name: "privateEndpointIpConfig", properties: {} }] } });
        created({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", name: `${a.name}-agentpool`, properties: {} });
        break;
      }
      case "azurerm_kubernetes_cluster_node_pool": {
        const cluster = model.target(a.kubernetes_cluster_id);
        push(r, { type: "Microsoft.ContainerService/managedClusters/agentPools", name: a.name, properties: { enableNodePublicIP: a.node_public_ip_enabled === true } }, cluster ? groupOf(cluster) : "(unknown)");
        break;
      }
      case "azurerm_linux_virtual_machine":
        push(r, {
          type: "Microsoft.Compute/virtualMachines",
          name: a.name,
          properties: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: a.disable_password_authentication !== false } }, storageProfile: { osDisk: { osType: "Linux" } } },
        });
        break;
      case "azurerm_monitor_private_link_scope":
        push(r, { type: "Microsoft.Insights/privateLinkScopes", name: a.name, properties: { accessModeSettings: { ingestionAccessMode: a.ingestion_access_mode ?? "Open", queryAccessMode: a.query_access_mode ?? "Open" } } });
        break;
      case "azurerm_log_analytics_workspace":
        push(r, {
          type: "Microsoft.OperationalInsights/workspaces",
          name: a.name,
          properties: { publicNetworkAccessForIngestion: a.internet_ingestion_enabled === false ? "Disabled" : "Enabled", publicNetworkAccessForQuery: a.internet_query_enabled === false ? "Disabled" : "Enabled" },
        });
        break;
      case "azurerm_monitor_data_collection_endpoint":
        push(r, { type: "Microsoft.Insights/dataCollectionEndpoints", name: a.name, properties: { networkAcls: { publicNetworkAccess: a.public_network_access_enabled === false ? "Disabled" : "Enabled" } } });
        break;
      case "azurerm_container_registry":
        push(r, {
          type: "Microsoft.ContainerRegistry/registries",
          name: a.name,
          properties: { publicNetworkAccess: a.public_network_access_enabled === false ? "Disabled" : "Enabled", adminUserEnabled: a.admin_enabled === true, anonymousPullEnabled: a.anonymous_pull_enabled === true },
        });
        break;
      case "azurerm_key_vault":
        // azurerm 4.x sends soft delete on always; the API version of its Key Vault client (2023-07-01).
        push(r, {
          type: "Microsoft.KeyVault/vaults",
          name: a.name,
          apiVersion: "2023-07-01",
          properties: {
            publicNetworkAccess: a.public_network_access_enabled === false ? "Disabled" : "Enabled",
            enableRbacAuthorization: a.rbac_authorization_enabled === true || a.enable_rbac_authorization === true,
            enableSoftDelete: true,
            ...(a.purge_protection_enabled === true ? { enablePurgeProtection: true } : {}),
          },
        });
        break;
    }
  }
  return out;
}

function securityRule(x: any): Record<string, unknown> {
  const props: Record<string, unknown> = { access: x.access, direction: x.direction };
  for (const side of ["source", "destination"]) {
    if (x[`${side}_address_prefix`] !== undefined) props[`${side}AddressPrefix`] = flat(x[`${side}_address_prefix`]);
    if (x[`${side}_address_prefixes`] !== undefined) props[`${side}AddressPrefixes`] = list(x[`${side}_address_prefixes`]).map(flat);
  }
  return props;
}
