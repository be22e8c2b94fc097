import { NETWORK_ISOLATION } from "../../lib/domain/network-isolation";
import { address, changed, environment, hubExpression, idOf, resourceNamed, resources, stacks, synth } from "../helpers";

/**
 * The default environment with its spoke network-isolated: the hub gets the registry (and the
 * Azure Monitor private link scope Container Insights then needs), the app pulls through the
 * registry's cache, and reads a Key Vault secret (so its pods use workload identity).
 */
const isolatedRaw = () =>
  changed((r) => {
    r.hub.subnets.privateEndpoints = "10.0.2.0/27";
    r.hub.registry = { name: "acrdemoplatform01" };
    r.hub.keyVault = { name: "kv-demo-platform-01" };
    r.hub.monitoring = { privateLink: true };
    r.spokes[0].cluster.networkIsolated = true;
    r.spokes[0].egress = { fqdns: ["api.contoso.com"] };
    r.spokes[0].apps[0].image = "acrdemoplatform01.azurecr.io/aks-managed-repository/dotnet/samples:aspnetapp";
    r.spokes[0].apps[0].secrets = ["hello-db-password"];
  });

/** Every rule of the spoke's rule collection group. */
function spokeRules(hub: any): any[] {
  const group = resourceNamed(hub, "azurerm_firewall_policy_rule_collection_group", "rcg-aks1");
  return [...(group.application_rule_collection ?? []), ...(group.network_rule_collection ?? [])].flatMap((c: any) => c.rule);
}

describe("a network-isolated cluster", () => {
  const built = stacks(environment(isolatedRaw()));
  const { json } = synth(built.spokes[0]);
  const hub = synth(built.hub).json;
  const cluster = resources(json, "azurerm_kubernetes_cluster")[0];
  const kubelet = address(json, "azurerm_user_assigned_identity", "id-demo-aks1-kubelet");
  const controlPlane = address(json, "azurerm_user_assigned_identity", "id-demo-aks1-aks");
  const assignments = resources(json, "azurerm_role_assignment");

  it("has outbound type none and bootstraps from the hub registry's cache", () => {
    expect(cluster.network_profile.outbound_type).toBe("none");
    expect(cluster.bootstrap_profile).toEqual({ artifact_source: "Cache", container_registry_id: expect.any(String) });
    expect(hubExpression(hub, cluster.bootstrap_profile.container_registry_id)).toBe(idOf(hub, "azurerm_container_registry", "acrdemoplatform01"));
  });

  it("stays private, on Azure CNI, on the NodeImage channel Microsoft supports for it", () => {
    expect(cluster).toEqual(expect.objectContaining({ private_cluster_enabled: true, private_cluster_public_fqdn_enabled: false, node_os_upgrade_channel: "NodeImage" }));
    expect(NETWORK_ISOLATION.nodeOsUpgradeChannels).toContain(cluster.node_os_upgrade_channel);
    expect(cluster.network_profile.network_plugin).toBe("azure");
  });

  it("still routes every subnet's 0.0.0.0/0 to the firewall, so what the spoke does not declare is denied and logged", () => {
    const table = resourceNamed(json, "azurerm_route_table", "rt-demo-aks1-egress");
    expect(table.route).toEqual([expect.objectContaining({ address_prefix: "0.0.0.0/0", next_hop_type: "VirtualAppliance" })]);
    expect(resources(json, "azurerm_subnet_route_table_association").length).toBe(2);
  });

  it("gives the kubelet its own identity, with AcrPull on the registry, before the cluster exists", () => {
    expect(cluster.kubelet_identity).toEqual({ client_id: `\${${kubelet}.client_id}`, object_id: `\${${kubelet}.principal_id}`, user_assigned_identity_id: `\${${kubelet}.id}` });
    const pull = assignments.filter((a) => a.role_definition_name === "AcrPull");
    expect(pull).toEqual([expect.objectContaining({ principal_id: `\${${kubelet}.principal_id}`, principal_type: "ServicePrincipal" })]);
    expect(hubExpression(hub, pull[0].scope)).toBe(idOf(hub, "azurerm_container_registry", "acrdemoplatform01"));
    // The first node pulls its bootstrap images: the assignment has propagated before the cluster is created.
    const key = Object.keys(json.resource.azurerm_role_assignment).find((k) => json.resource.azurerm_role_assignment[k] === pull[0]);
    expect(cluster.depends_on).toContain(`azurerm_role_assignment.${key}`);
    expect(Object.values(resources(json, "time_sleep")[0].triggers)).toContain(`\${azurerm_role_assignment.${key}.id}`);
  });

  it("lets the control plane assign that identity (Managed Identity Operator on it), and nothing more than a cluster that is not isolated", () => {
    const mine = assignments.filter((a) => a.principal_id === `\${${controlPlane}.principal_id}`).map((a) => a.role_definition_name).sort();
    expect(mine).toEqual(["Managed Identity Operator", "Network Contributor", "Network Contributor", "Private DNS Zone Contributor"]);
    expect(assignments.find((a) => a.role_definition_name === "Managed Identity Operator").scope).toBe(`\${${kubelet}.id}`);
  });

  it("links the registry's privatelink zone to the spoke before the cluster, so nodes resolve the registry and its data endpoint privately", () => {
    const links = Object.entries(json.resource.azurerm_private_dns_zone_virtual_network_link).filter(([, l]: [string, any]) => hubExpression(hub, l.private_dns_zone_name) === `\${${address(hub, "azurerm_private_dns_zone", "privatelink.azurecr.io")}.name}`);
    expect(links).toHaveLength(1);
    expect(cluster.depends_on).toContain(`azurerm_private_dns_zone_virtual_network_link.${links[0][0]}`);
    const registry = resourceNamed(hub, "azurerm_container_registry", "acrdemoplatform01");
    expect(registry).toEqual(expect.objectContaining({ sku: "Premium", public_network_access_enabled: false, data_endpoint_enabled: true, anonymous_pull_enabled: false }));
  });

  it("sends Container Insights through the Azure Monitor private link scope's endpoint", () => {
    const rule = resources(json, "azurerm_monitor_data_collection_rule")[0];
    expect(hubExpression(hub, rule.data_collection_endpoint_id)).toMatch(/^\$\{azurerm_monitor_data_collection_endpoint\./);
  });
});

describe("the hub registry of network-isolated clusters", () => {
  it("holds the cache rule AKS requires, exactly as Microsoft names it", () => {
    const hub = synth(stacks(environment(isolatedRaw())).hub).json;
    const rules = resources(hub, "azurerm_container_registry_cache_rule");
    expect(rules).toEqual([
      { name: "aks-managed-mcr", container_registry_id: idOf(hub, "azurerm_container_registry", "acrdemoplatform01"), source_repo: "mcr.microsoft.com/*", target_repo: "aks-managed-repository/*" },
    ]);
  });

  it("has no cache rule when no spoke is isolated", () => {
    const raw = isolatedRaw();
    raw.spokes[0].cluster.networkIsolated = false;
    raw.spokes[0].apps[0].image = "mcr.microsoft.com/dotnet/samples:aspnetapp";
    expect(resources(synth(stacks(environment(raw)).hub).json, "azurerm_container_registry_cache_rule")).toEqual([]);
  });
});

describe("a network-isolated spoke's firewall rules", () => {
  const hub = synth(stacks(environment(isolatedRaw())).hub).json;
  const rules = spokeRules(hub);
  const names = rules.map((r) => r.name);

  it("leave out the AKS required groups and Container Insights: no FQDN tag, no mcr.microsoft.com, no NTP", () => {
    for (const absent of ["aks-fqdn-tag", "aks-required-fqdns", "aks-ntp", "aks-azure-monitor", "aks-container-insights"]) expect(names).not.toContain(absent);
    const destinations = rules.flatMap((r) => [...(r.destination_fqdns ?? []), ...(r.destination_fqdn_tags ?? [])]);
    expect(destinations).not.toContain("mcr.microsoft.com");
    expect(destinations).not.toContain("AzureKubernetesService");
  });

  it("hold what the spoke declares, the Azure Policy add-on (no private link exists for it) and Entra ID for its pods' workload identity", () => {
    expect(names.sort()).toEqual(["aks-azure-policy", "aks-workload-identity", "spoke-fqdns"]);
    expect(rules.find((r) => r.name === "aks-workload-identity").destination_fqdns).toEqual(["login.microsoftonline.com"]);
    expect(rules.find((r) => r.name === "spoke-fqdns").destination_fqdns).toEqual(["api.contoso.com"]);
  });

  it("have no workload identity rule when no app reads a secret", () => {
    const raw = isolatedRaw();
    raw.spokes[0].apps[0].secrets = [];
    expect(spokeRules(synth(stacks(environment(raw)).hub).json).map((r) => r.name)).not.toContain("aks-workload-identity");
  });

  it("allow Defender for Containers' endpoints when the cluster runs its sensor", () => {
    const raw = isolatedRaw();
    raw.spokes[0].cluster.defender = true;
    const defender = spokeRules(synth(stacks(environment(raw)).hub).json).find((r) => r.name === "aks-defender");
    expect(defender.destination_fqdns).toEqual(["login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"]);
  });
});
