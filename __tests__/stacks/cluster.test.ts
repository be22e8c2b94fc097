import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { CLUSTER_ADMIN_ROLE } from "../../lib/constructs/private-cluster";
import { address, changed, environment, hubExpression as hubValue, idOf, namedEnvironment, resources, stacks, synth } from "../helpers";

const refs = (json: any, type: string) => Object.keys(json.resource[type] ?? {}).map((k) => `${type}.${k}`);

describe("the private AKS cluster", () => {
  const built = stacks();
  const { text, json } = synth(built.spokes[0]);
  const hub = synth(built.hub).json;
  const cluster = resources(json, "azurerm_kubernetes_cluster")[0];
  const identity = address(json, "azurerm_user_assigned_identity", "id-demo-aks1-aks");
  const principal = `\${${identity}.principal_id}`;

  it("has a private API server with no public FQDN", () => {
    expect(text).toHaveResourceWithProperties(KubernetesCluster, { private_cluster_enabled: true, private_cluster_public_fqdn_enabled: false });
  });

  it("sends egress through the route table: outbound type userDefinedRouting, standard load balancer", () => {
    expect(cluster.network_profile).toEqual(expect.objectContaining({ outbound_type: "userDefinedRouting", load_balancer_sku: "standard" }));
  });

  it("defaults to Azure CNI Overlay powered by Cilium: Cilium dataplane and Cilium network policy", () => {
    expect(cluster.network_profile).toEqual({
      network_plugin: "azure",
      network_plugin_mode: "overlay",
      pod_cidr: "10.244.0.0/16",
      network_data_plane: "cilium",
      network_policy: "cilium",
      outbound_type: "userDefinedRouting",
      load_balancer_sku: "standard",
      service_cidr: "10.2.0.0/24",
      dns_service_ip: "10.2.0.10",
    });
  });

  it("uses Entra ID with Azure RBAC in the deployer's tenant, and has local accounts off", () => {
    expect(cluster).toEqual(expect.objectContaining({ local_account_disabled: true, role_based_access_control_enabled: true }));
    // The provider requires tenant_id or admin_group_object_ids in this block (AtLeastOneOf).
    expect(cluster.azure_active_directory_role_based_access_control).toEqual({ azure_rbac_enabled: true, tenant_id: "${data.azurerm_client_config.deployer.tenant_id}" });
    expect(json.data.azurerm_client_config.deployer).toEqual({});
  });

  it("makes the deploying identity a cluster administrator, so a first deploy is usable", () => {
    const admins = resources(json, "azurerm_role_assignment").filter((r) => r.role_definition_name === "Azure Kubernetes Service RBAC Cluster Admin");
    expect(admins).toEqual([expect.objectContaining({ scope: idOf(json, "azurerm_kubernetes_cluster", "aks-demo-aks1"), principal_id: "${data.azurerm_client_config.deployer.object_id}" })]);
    expect(admins[0].principal_type).toBeUndefined();
  });

  it("turns on OIDC issuer, workload identity and Azure Policy, and keeps run command as the emergency path", () => {
    expect(cluster).toEqual(expect.objectContaining({ oidc_issuer_enabled: true, workload_identity_enabled: true, azure_policy_enabled: true, run_command_enabled: true }));
  });

  it("upgrades the control plane by patch and the node images automatically", () => {
    expect(cluster).toEqual(expect.objectContaining({ automatic_upgrade_channel: "patch", node_os_upgrade_channel: "NodeImage" }));
  });

  it("surges one node per pool during upgrades, which the node subnet is sized for", () => {
    expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: "1" });
    for (const pool of resources(json, "azurerm_kubernetes_cluster_node_pool")) expect(pool.upgrade_settings).toEqual({ max_surge: "1" });
  });

  it("runs as a user-assigned identity with Network Contributor on the VNet and the route table, and Private DNS Zone Contributor on the zone: nothing more", () => {
    expect(cluster.identity).toEqual({ type: "UserAssigned", identity_ids: [`\${${identity}.id}`] });
    const grants = resources(json, "azurerm_role_assignment").filter((r) => r.principal_id === principal).map((r) => [r.role_definition_name, r.scope]);
    expect(grants).toHaveLength(3);
    // With a bring-your-own zone AKS links the zone to the cluster's VNet, which takes rights on the VNet itself.
    expect(grants).toContainEqual(["Network Contributor", idOf(json, "azurerm_virtual_network", "vnet-demo-aks1")]);
    expect(grants).toContainEqual(["Network Contributor", idOf(json, "azurerm_route_table", "rt-demo-aks1-egress")]);
    const zoneGrant = grants.find((g) => g[0] === "Private DNS Zone Contributor")!;
    expect(hubValue(hub, zoneGrant[1])).toBe(`\${${address(hub, "azurerm_private_dns_zone", "privatelink.westeurope.azmk8s.io")}.id}`);
  });

  it("is created only after its role assignments, the route table and NSG associations, both peerings and the zone link", () => {
    const controlPlane = Object.entries(json.resource.azurerm_role_assignment).filter(([, r]: [string, any]) => r.principal_id === principal).map(([k]) => `azurerm_role_assignment.${k}`);
    expect(controlPlane).toHaveLength(3);
    expect(cluster.depends_on).toEqual(expect.arrayContaining([
      ...controlPlane,
      ...refs(json, "azurerm_subnet_route_table_association"),
      ...refs(json, "azurerm_virtual_network_peering"),
      ...refs(json, "azurerm_private_dns_zone_virtual_network_link"),
    ]));
    expect(refs(json, "azurerm_virtual_network_peering")).toHaveLength(2);
    const nodesNsg = Object.entries(json.resource.azurerm_subnet_network_security_group_association).find(([, a]: [string, any]) => a.subnet_id === idOf(json, "azurerm_subnet", "snet-nodes"))![0];
    expect(cluster.depends_on).toContain(`azurerm_subnet_network_security_group_association.${nodesNsg}`);
  });

  it("registers the API server in the hub's privatelink zone, linked to the hub and to the spoke", () => {
    expect(synth(built.hub).text).toHaveResourceWithProperties(PrivateDnsZone, { name: "privatelink.westeurope.azmk8s.io" });
    expect(hubValue(hub, cluster.private_dns_zone_id)).toMatch(/^\$\{azurerm_private_dns_zone\./);
    const zoneName = `\${${address(hub, "azurerm_private_dns_zone", "privatelink.westeurope.azmk8s.io")}.name}`;
    const hubLink = resources(hub, "azurerm_private_dns_zone_virtual_network_link").find((l) => l.private_dns_zone_name === zoneName);
    expect(hubLink).toEqual(expect.objectContaining({ registration_enabled: false, virtual_network_id: `\${${address(hub, "azurerm_virtual_network", "vnet-demo-hub")}.id}` }));
    const spokeLink = resources(json, "azurerm_private_dns_zone_virtual_network_link").find((l) => hubValue(hub, l.private_dns_zone_name) === zoneName);
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

  it("has a user node pool for workloads, in the node subnet", () => {
    expect(resources(json, "azurerm_kubernetes_cluster_node_pool")).toEqual([
      expect.objectContaining({ name: "apps", mode: "User", auto_scaling_enabled: true, min_count: 1, max_count: 5, vnet_subnet_id: idOf(json, "azurerm_subnet", "snet-nodes") }),
    ]);
  });

  it("names the temporary pool each pool rotates through, so that a change of size or OS disk applies instead of failing", () => {
    expect(cluster.default_node_pool.temporary_name_for_rotation).toBe("systemtmp");
    expect(resources(json, "azurerm_kubernetes_cluster_node_pool").map((p) => p.temporary_name_for_rotation)).toEqual(["appstmp"]);
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

  it("adds user node pools in the node subnet", () => {
    const env = environment(changed((r) => {
      r.spokes[0].cluster.userPools = [{ name: "batch", vmSize: "Standard_D8ds_v6", minCount: 1, maxCount: 4 }];
    }));
    const { json } = synth(stacks(env).spokes[0]);
    const pool = resources(json, "azurerm_kubernetes_cluster_node_pool")[0];
    expect(pool).toEqual(expect.objectContaining({ name: "batch", mode: "User", vm_size: "Standard_D8ds_v6", min_count: 1, max_count: 4, auto_scaling_enabled: true }));
    expect(pool.vnet_subnet_id).toBe(`\${${address(json, "azurerm_subnet", "snet-nodes")}.id}`);
  });

  it("makes each admin group a cluster administrator through Azure RBAC, next to the deployer", () => {
    const group = "11111111-2222-3333-4444-555555555555";
    const { json } = synth(stacks(environment(changed((r) => (r.spokes[0].cluster.adminGroupObjectIds = [group])))).spokes[0]);
    const admins = resources(json, "azurerm_role_assignment").filter((r) => r.role_definition_name === CLUSTER_ADMIN_ROLE).map((r) => [r.principal_id, r.principal_type]);
    expect(admins).toEqual([[group, "Group"], ["${data.azurerm_client_config.deployer.object_id}", undefined]]);
  });

  it("with grantDeployerAdmin: false, leaves the deployer out", () => {
    const group = "11111111-2222-3333-4444-555555555555";
    const { json } = synth(stacks(environment(changed((r) => Object.assign(r.spokes[0].cluster, { adminGroupObjectIds: [group], grantDeployerAdmin: false })))).spokes[0]);
    expect(resources(json, "azurerm_role_assignment").filter((r) => r.role_definition_name === CLUSTER_ADMIN_ROLE).map((r) => r.principal_id)).toEqual([group]);
  });

  it("uses the environment's tenantId when it names one", () => {
    const tenant = "99999999-8888-7777-6666-555555555555";
    const { json } = synth(stacks(environment(changed((r) => (r.tenantId = tenant)))).spokes[0]);
    expect(resources(json, "azurerm_kubernetes_cluster")[0].azure_active_directory_role_based_access_control).toEqual({ azure_rbac_enabled: true, tenant_id: tenant });
  });

  it("with networkPluginMode: nodeSubnet and Calico, runs plain Azure CNI on the Azure dataplane", () => {
    const env = environment(changed((r) => { Object.assign(r.spokes[0].cluster, { networkPluginMode: "nodeSubnet", networkPolicy: "calico", userPools: [] }); r.spokes[0].apps = []; }));
    const profile = resources(synth(stacks(env).spokes[0]).json, "azurerm_kubernetes_cluster")[0].network_profile;
    expect(profile).toEqual(expect.objectContaining({ network_plugin: "azure", network_data_plane: "azure", network_policy: "calico" }));
    expect(profile.network_plugin_mode).toBeUndefined();
    expect(profile.pod_cidr).toBeUndefined();
  });

  it("with privateDnsZone: system (and Azure-provided DNS), lets AKS manage the zone and grants no DNS role", () => {
    const env = environment(changed((r) => {
      r.spokes[0].cluster.privateDnsZone = "system";
      r.hub.firewall.dnsProxy = false;
    }));
    const built = stacks(env);
    const { json } = synth(built.spokes[0]);
    expect(resources(json, "azurerm_kubernetes_cluster")[0].private_dns_zone_id).toBe("System");
    const controlPlane = resources(json, "azurerm_role_assignment").filter((r) => r.role_definition_name !== CLUSTER_ADMIN_ROLE).map((r) => [r.role_definition_name, r.scope]);
    // AKS links its own zone to the VNet: Network Contributor stays on the VNet.
    expect(controlPlane.sort()).toEqual([
      ["Network Contributor", idOf(json, "azurerm_route_table", "rt-demo-aks1-egress")],
      ["Network Contributor", idOf(json, "azurerm_virtual_network", "vnet-demo-aks1")],
    ]);
    expect(resources(synth(built.hub).json, "azurerm_private_dns_zone").map((z) => z.name)).toEqual(["corp.internal"]);
  });

  it("waits for the role assignments to propagate before creating the cluster", () => {
    const { json } = synth(stacks().spokes[0]);
    const sleep = resources(json, "time_sleep");
    expect(sleep).toEqual([expect.objectContaining({ create_duration: "120s" })]);
    const assignments = Object.entries(json.resource.azurerm_role_assignment).filter(([, r]: [string, any]) => r.role_definition_name !== CLUSTER_ADMIN_ROLE).map(([k]) => `azurerm_role_assignment.${k}`);
    expect([...sleep[0].depends_on].sort()).toEqual(assignments.sort());
    expect(Object.keys(sleep[0].triggers)).toHaveLength(assignments.length);
    expect(resources(json, "azurerm_kubernetes_cluster")[0].depends_on).toContain(`time_sleep.${Object.keys(json.resource.time_sleep)[0]}`);
  });

  it("leaves out the emergency access output, and the apps' emergency apply line, when run command is off", () => {
    const built = stacks(environment(changed((r) => (r.spokes[0].cluster.runCommand = false))));
    const { json } = synth(built.spokes[0]);
    expect(json.output.emergency_access).toBeUndefined();
    expect(resources(json, "azurerm_kubernetes_cluster")[0].run_command_enabled).toBe(false);
    expect(built.apps[0].emergencyApply).toBeUndefined();
    expect(synth(built.apps[0]).json.output?.apply_without_network_access).toBeUndefined();
  });

  it("with egress.containerInsights: false, runs no monitoring agent (it could not reach Azure Monitor) but keeps control plane logs", () => {
    const { json } = synth(stacks(environment(changed((r) => (r.spokes[0].egress = { containerInsights: false })))).spokes[0]);
    expect(resources(json, "azurerm_kubernetes_cluster")[0].oms_agent).toBeUndefined();
    expect(resources(json, "azurerm_monitor_data_collection_rule")).toEqual([]);
    expect(resources(json, "azurerm_monitor_diagnostic_setting")).toHaveLength(1);
  });

  it("pins each spoke of the full environment to its own network mode and policy", () => {
    const full = stacks(namedEnvironment("full"));
    const profiles = full.spokes.map((s) => resources(synth(s).json, "azurerm_kubernetes_cluster")[0].network_profile).map((p) => [p.network_plugin_mode, p.network_data_plane, p.network_policy]);
    expect(profiles).toEqual([[undefined, "azure", "calico"], ["overlay", "cilium", "cilium"], ["overlay", "azure", "azure"]]);
  });
});
