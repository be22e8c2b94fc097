import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { address, changed, environment, hubExpression as hubValue, resourceNamed, resources, stacks, synth } from "../helpers";

describe("the private AKS cluster", () => {
  const built = stacks();
  const { text, json } = synth(built.spokes[0]);
  const hub = synth(built.hub).json;
  const cluster = resources(json, "azurerm_kubernetes_cluster")[0];

  it("has a private API server with no public FQDN", () => {
    expect(text).toHaveResourceWithProperties(KubernetesCluster, { private_cluster_enabled: true, private_cluster_public_fqdn_enabled: false });
  });

  it("sends egress through the route table: outbound type userDefinedRouting, Azure CNI, standard load balancer", () => {
    expect(cluster.network_profile).toEqual({
      network_plugin: "azure",
      network_policy: "azure",
      outbound_type: "userDefinedRouting",
      load_balancer_sku: "standard",
      service_cidr: "10.2.0.0/24",
      dns_service_ip: "10.2.0.10",
    });
  });

  it("uses Entra ID with Azure RBAC and has local accounts off", () => {
    expect(cluster).toEqual(expect.objectContaining({
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
    }));
  });

  it("turns on OIDC issuer, workload identity and Azure Policy, and keeps run command as the emergency path", () => {
    expect(cluster).toEqual(expect.objectContaining({ oidc_issuer_enabled: true, workload_identity_enabled: true, azure_policy_enabled: true, run_command_enabled: true }));
  });

  it("runs as a user-assigned identity holding exactly three role assignments", () => {
    const identity = address(json, "azurerm_user_assigned_identity", "id-demo-aks1-aks");
    expect(cluster.identity).toEqual({ type: "UserAssigned", identity_ids: [`\${${identity}.id}`] });
    const grants = resources(json, "azurerm_role_assignment").map((r) => [r.role_definition_name, r.scope, r.principal_id]);
    const principal = `\${${identity}.principal_id}`;
    expect(grants).toHaveLength(3);
    expect(grants).toContainEqual(["Network Contributor", `\${${address(json, "azurerm_subnet", "snet-nodes")}.id}`, principal]);
    expect(grants).toContainEqual(["Network Contributor", `\${${address(json, "azurerm_route_table", "rt-demo-aks1-egress")}.id}`, principal]);
    const zoneGrant = grants.find((g) => g[0] === "Private DNS Zone Contributor")!;
    expect(hubValue(hub, zoneGrant[1])).toBe(`\${${address(hub, "azurerm_private_dns_zone", "privatelink.westeurope.azmk8s.io")}.id}`);
  });

  it("is created only after its role assignments and the route table association", () => {
    const assignments = Object.keys(json.resource.azurerm_role_assignment).map((k) => `azurerm_role_assignment.${k}`);
    const association = Object.keys(json.resource.azurerm_subnet_route_table_association).map((k) => `azurerm_subnet_route_table_association.${k}`);
    expect(cluster.depends_on).toEqual(expect.arrayContaining([...assignments, ...association]));
  });

  it("registers the API server in the hub's privatelink zone, linked to the hub and to the spoke", () => {
    expect(synth(built.hub).text).toHaveResourceWithProperties(PrivateDnsZone, { name: "privatelink.westeurope.azmk8s.io" });
    expect(hubValue(hub, cluster.private_dns_zone_id)).toMatch(/^\$\{azurerm_private_dns_zone\./);
    const hubLink = resourceNamed(hub, "azurerm_private_dns_zone_virtual_network_link", "link-vnet-demo-hub");
    expect(hubLink).toEqual(expect.objectContaining({ registration_enabled: false, virtual_network_id: `\${${address(hub, "azurerm_virtual_network", "vnet-demo-hub")}.id}` }));
    const spokeLink = resourceNamed(json, "azurerm_private_dns_zone_virtual_network_link", "link-vnet-demo-aks1");
    expect(spokeLink.virtual_network_id).toBe(`\${${address(json, "azurerm_virtual_network", "vnet-demo-aks1")}.id}`);
    expect(hubValue(hub, spokeLink.private_dns_zone_name)).toMatch(/azurerm_private_dns_zone\..*\.name/);
    expect(spokeLink.registration_enabled).toBe(false);
  });

  it("runs only critical add-ons on an autoscaling, zonal system pool in the node subnet", () => {
    expect(cluster.default_node_pool).toEqual(expect.objectContaining({
      only_critical_addons_enabled: true,
      auto_scaling_enabled: true,
      min_count: 3,
      max_count: 5,
      zones: ["1", "2", "3"],
      vnet_subnet_id: `\${${address(json, "azurerm_subnet", "snet-nodes")}.id}`,
    }));
  });

  it("ships Container Insights and control plane logs to the hub workspace", () => {
    const workspace = hubValue(hub, cluster.oms_agent.log_analytics_workspace_id);
    expect(workspace).toMatch(/^\$\{azurerm_log_analytics_workspace\./);
    expect(cluster.oms_agent.msi_auth_for_monitoring_enabled).toBe(true);
    const dcr = resources(json, "azurerm_monitor_data_collection_rule")[0];
    expect(dcr.data_flow).toEqual([{ streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] }]);
    expect(resources(json, "azurerm_monitor_data_collection_rule_association")[0].target_resource_id).toBe(`\${${address(json, "azurerm_kubernetes_cluster", "aks-demo-aks1")}.id}`);
    const diagnostics = resources(json, "azurerm_monitor_diagnostic_setting")[0];
    expect(diagnostics.enabled_log.map((l: any) => l.category)).toContain("kube-audit-admin");
  });
});

describe("cluster options from the environment", () => {
  it("adds user node pools in the node subnet, and admin groups", () => {
    const env = environment(changed((r) => {
      r.spokes[0].cluster.userPools = [{ name: "apps", vmSize: "Standard_D8ds_v5", minCount: 1, maxCount: 4 }];
      r.spokes[0].cluster.adminGroupObjectIds = ["11111111-2222-3333-4444-555555555555"];
      r.spokes[0].cluster.networkPluginMode = "overlay";
    }));
    const { json } = synth(stacks(env).spokes[0]);
    const pool = resources(json, "azurerm_kubernetes_cluster_node_pool")[0];
    expect(pool).toEqual(expect.objectContaining({ name: "apps", mode: "User", vm_size: "Standard_D8ds_v5", min_count: 1, max_count: 4, auto_scaling_enabled: true }));
    expect(pool.vnet_subnet_id).toBe(`\${${address(json, "azurerm_subnet", "snet-nodes")}.id}`);
    const cluster = resources(json, "azurerm_kubernetes_cluster")[0];
    expect(cluster.azure_active_directory_role_based_access_control.admin_group_object_ids).toEqual(["11111111-2222-3333-4444-555555555555"]);
    expect(cluster.network_profile).toEqual(expect.objectContaining({ network_plugin_mode: "overlay", pod_cidr: "10.244.0.0/16" }));
  });

  it("with privateDnsZone: system, lets AKS manage the zone and grants no DNS role", () => {
    const env = environment(changed((r) => (r.spokes[0].cluster.privateDnsZone = "system")));
    const built = stacks(env);
    const { json } = synth(built.spokes[0]);
    expect(resources(json, "azurerm_kubernetes_cluster")[0].private_dns_zone_id).toBe("System");
    expect(resources(json, "azurerm_role_assignment").map((r) => r.role_definition_name)).toEqual(["Network Contributor", "Network Contributor"]);
    expect(resources(synth(built.hub).json, "azurerm_private_dns_zone")).toEqual([]);
  });
});
