/**
 * Production posture: a private supply chain (registry and key vault behind private
 * endpoints), a hardened cluster (maintenance windows, Azure Linux, pod security policy, image
 * cleaner, Defender, host encryption), and a Premium firewall that is Premium in its features.
 */
import { warningsOf } from "../../lib/policy/guardrails";
import { changed, environment, hubExpression, idOf, namedEnvironment, resources, stacks, synth } from "../helpers";

const full = stacks(namedEnvironment("full"));
const hub = synth(full.hub).json;
const aks1 = synth(full.spokes[0]).json;
const aks2 = synth(full.spokes[1]).json;

/** The pod security initiatives assigned to a stack's cluster (the guardrails' own assignments are definitions, not initiatives). */
const initiatives = (stack: any) => resources(stack, "azurerm_resource_policy_assignment").filter((a: any) => a.policy_definition_id.includes("/policySetDefinitions/"));

describe("the private registry", () => {
  it("is Premium with the admin user, anonymous pull and public network access off, and dedicated data endpoints", () => {
    expect(resources(hub, "azurerm_container_registry")).toEqual([
      expect.objectContaining({ name: "acrfullplatform01", sku: "Premium", admin_enabled: false, anonymous_pull_enabled: false, public_network_access_enabled: false, data_endpoint_enabled: true, network_rule_bypass_option: "None" }),
    ]);
  });

  it("is reached through a private endpoint in the hub, registered in privatelink.azurecr.io", () => {
    const pe = resources(hub, "azurerm_private_endpoint").find((p) => p.name === "pe-acrfullplatform01");
    expect(pe.subnet_id).toBe(idOf(hub, "azurerm_subnet", "snet-private-endpoints"));
    expect(pe.private_service_connection).toEqual(expect.objectContaining({ subresource_names: ["registry"], is_manual_connection: false }));
    expect(pe.private_dns_zone_group.private_dns_zone_ids).toEqual([idOf(hub, "azurerm_private_dns_zone", "privatelink.azurecr.io")]);
    expect(resources(hub, "azurerm_subnet").find((s) => s.name === "snet-private-endpoints").private_endpoint_network_policies).toBe("Enabled");
  });

  it("lets every cluster's kubelet pull (AcrPull), and nothing more", () => {
    const pull = resources(aks1, "azurerm_role_assignment").filter((r) => r.role_definition_name === "AcrPull");
    expect(pull).toHaveLength(1);
    expect(pull[0].principal_id).toMatch(/azurerm_kubernetes_cluster\.[^.]+\.kubelet_identity\[0\]\.object_id/);
    expect(hubExpression(hub, pull[0].scope)).toMatch(/^\$\{azurerm_container_registry\./);
  });

  it("has its privatelink zones linked to every spoke", () => {
    for (const spoke of [aks1, aks2]) {
      const zones = resources(spoke, "azurerm_private_dns_zone_virtual_network_link").map((l) => hubExpression(hub, l.private_dns_zone_name));
      expect(zones).toEqual(expect.arrayContaining([`\${${idOf(hub, "azurerm_private_dns_zone", "privatelink.azurecr.io").slice(2, -4)}.name}`, `\${${idOf(hub, "azurerm_private_dns_zone", "privatelink.vaultcore.azure.net").slice(2, -4)}.name}`]));
    }
  });
});

describe("the private key vault", () => {
  it("uses Azure RBAC, purge protection and no public network access", () => {
    // The apps' vault; TLS inspection's CA has a vault of its own (stacks/tls-inspection.test.ts).
    expect(resources(hub, "azurerm_key_vault").filter((v) => v.name !== "kv-full-afw-tls-01")).toEqual([
      expect.objectContaining({ name: "kv-full-platform-01", rbac_authorization_enabled: true, purge_protection_enabled: true, soft_delete_retention_days: 90, public_network_access_enabled: false, network_acls: { default_action: "Deny", bypass: "None" } }),
    ]);
    expect(resources(hub, "azurerm_private_endpoint").find((p) => p.name === "pe-kv-full-platform-01").private_service_connection.subresource_names).toEqual(["vault"]);
  });

  it("gives every cluster the Key Vault Secrets Provider add-on", () => {
    expect(resources(aks1, "azurerm_kubernetes_cluster")[0].key_vault_secrets_provider).toEqual({ secret_rotation_enabled: true });
  });
});

describe("the hardened cluster", () => {
  const demo = synth(stacks().spokes[0]).json;
  const cluster = resources(demo, "azurerm_kubernetes_cluster")[0];

  it("upgrades only in a weekly maintenance window: Sunday 01:00 UTC for four hours by default", () => {
    const window = { frequency: "Weekly", interval: 1, day_of_week: "Sunday", start_time: "01:00", utc_offset: "+00:00", duration: 4 };
    expect(cluster.maintenance_window_auto_upgrade).toEqual(window);
    expect(cluster.maintenance_window_node_os).toEqual(window);
  });

  it("runs Azure Linux nodes and cleans unused images", () => {
    expect(cluster.default_node_pool.os_sku).toBe("AzureLinux");
    for (const pool of resources(demo, "azurerm_kubernetes_cluster_node_pool")) expect(pool.os_sku).toBe("AzureLinux");
    expect(cluster).toEqual(expect.objectContaining({ image_cleaner_enabled: true, image_cleaner_interval_hours: 48 }));
  });

  it("assigns the built-in pod security baseline initiative (audit) by default, restricted/deny on request", () => {
    expect(initiatives(demo)).toEqual([expect.objectContaining({ policy_definition_id: "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d" })]);
    expect(JSON.parse(initiatives(demo)[0].parameters).effect).toEqual({ value: "Audit" });
    const restricted = initiatives(aks1)[0];
    expect(restricted.policy_definition_id).toBe("/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00");
    // Capitalized: the environment file's lowercase is not allowed by the sovereign clouds' copies.
    expect(JSON.parse(restricted.parameters).effect).toEqual({ value: "Deny" });
  });

  it("leaves the emergency path's namespace (aks-command) out of pod security, next to each initiative's own exclusions", () => {
    // A value given replaces the initiative's default list, so the defaults must be there too
    // (their defaults are checked against Microsoft's in __tests__/domain/runtime-policies.test.ts).
    for (const stack of [demo, aks1]) expect(JSON.parse(initiatives(stack)[0].parameters).excludedNamespaces.value).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "aks-command"]);
  });

  it("turns Defender and host encryption on only when asked (a paid plan; a subscription feature)", () => {
    expect(cluster.microsoft_defender).toBeUndefined();
    expect(cluster.default_node_pool.host_encryption_enabled).toBeUndefined();
    const hardened = resources(aks1, "azurerm_kubernetes_cluster")[0];
    expect(hardened.microsoft_defender.log_analytics_workspace_id).toMatch(/remote_state/);
    expect(hardened.default_node_pool.host_encryption_enabled).toBe(true);
  });

  describe("OS disks", () => {
    const osDisks = (json: any) => [resources(json, "azurerm_kubernetes_cluster")[0].default_node_pool, ...resources(json, "azurerm_kubernetes_cluster_node_pool")].map((p) => [p.os_disk_type, p.os_disk_size_gb]);
    const pools = (pool: Record<string, unknown>) => synth(stacks(environment(changed((r) => {
      r.spokes[0].cluster.systemPool = { ...r.spokes[0].cluster.systemPool, ...pool };
      r.spokes[0].cluster.userPools = [{ name: "apps", ...pool }];
    }))).spokes[0]).json;

    it("are ephemeral by default: the default size's 220 GiB local NVMe disk holds the 128 GiB OS disk", () => {
      expect(osDisks(demo)).toEqual([["Ephemeral", 128], ["Ephemeral", 128]]);
    });

    it.each([
      ["a v5 size with a temporary disk that holds it", { vmSize: "Standard_D4ds_v5" }, "Ephemeral"],
      ["a size without a local disk", { vmSize: "Standard_D4s_v5" }, "Managed"],
      ["a local disk smaller than the OS disk (75 GiB)", { vmSize: "Standard_D2ds_v5" }, "Managed"],
      ["the same size with a 64 GiB OS disk", { vmSize: "Standard_D2ds_v5", osDiskSizeGb: 64 }, "Ephemeral"],
      ["a size the product does not know", { vmSize: "Standard_L8s_v3" }, "Managed"],
      ["a known size written in another case (Azure takes any)", { vmSize: "Standard_D4DS_V6" }, "Ephemeral"],
      ["Managed asked for on a size that could be ephemeral", { osDiskType: "Managed" }, "Managed"],
      ["Ephemeral asked for on a size the product does not know (the user answers for the fit)", { vmSize: "Standard_L8s_v3", osDiskType: "Ephemeral" }, "Ephemeral"],
    ])("are %s: %j -> %s", (_what, pool, type) => {
      expect(osDisks(pools(pool)).map(([t]) => t)).toEqual([type, type]);
    });
  });
});

describe("the Premium firewall", () => {
  it("runs intrusion detection and prevention in Deny mode, with the signature overrides full.yaml asks for", () => {
    expect(resources(hub, "azurerm_firewall_policy")[0].intrusion_detection).toMatchObject({ mode: "Deny", signature_overrides: [{ id: "2024897", state: "Alert" }] });
  });

  it("counts privateRanges as private for SNAT and IDPS, next to IANA's ranges (the provider takes CIDRs only, so those are listed too)", () => {
    const policy = resources(hub, "azurerm_firewall_policy")[0];
    const expected = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "30.10.0.0/16"];
    expect(policy.private_ip_ranges).toEqual(expected);
    expect(policy.intrusion_detection.private_ranges).toEqual(expected);
    // Without privateRanges, Azure's default (IANA's private ranges) stays.
    expect(resources(synth(stacks(environment()).hub).json, "azurerm_firewall_policy")[0].private_ip_ranges).toBeUndefined();
  });

  it("egresses through as many named public IPs as asked, only the first in the subnet", () => {
    const configs = resources(hub, "azurerm_firewall")[0].ip_configuration;
    expect(configs.map((c: any) => [c.name, c.subnet_id !== undefined])).toEqual([["egress", true], ["egress-2", false]]);
    expect(resources(hub, "azurerm_public_ip").map((p) => p.name)).toEqual(expect.arrayContaining(["pip-full-afw", "pip-full-afw-2"]));
  });

  it("has no IDPS block on the Standard tier (it has none)", () => {
    expect(resources(synth(stacks(environment()).hub).json, "azurerm_firewall_policy")[0].intrusion_detection).toBeUndefined();
  });
});

describe("monitoring without public ingestion (hub.monitoring.privateLink)", () => {
  const zoneId = (name: string) => idOf(hub, "azurerm_private_dns_zone", name);
  const MONITOR_ZONES = ["privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com", "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net", "privatelink.blob.core.windows.net"];

  it("puts the workspace and a data collection endpoint in a private link scope that is private for ingestion and query", () => {
    expect(resources(hub, "azurerm_monitor_private_link_scope")).toEqual([expect.objectContaining({ name: "ampls-full-hub", ingestion_access_mode: "PrivateOnly", query_access_mode: "PrivateOnly" })]);
    const scoped = resources(hub, "azurerm_monitor_private_link_scoped_service").map((s) => s.linked_resource_id).sort();
    expect(scoped).toEqual([idOf(hub, "azurerm_log_analytics_workspace", "log-full-hub"), idOf(hub, "azurerm_monitor_data_collection_endpoint", "dce-full-hub")].sort());
    expect(resources(hub, "azurerm_log_analytics_workspace")[0]).toMatchObject({ internet_ingestion_enabled: false, internet_query_enabled: false });
    expect(resources(hub, "azurerm_monitor_data_collection_endpoint")[0]).toMatchObject({ public_network_access_enabled: false, location: "westeurope" });
  });

  it("reaches the scope through a private endpoint in the hub registered in Azure Monitor's five privatelink zones, created after both are in the scope", () => {
    const pe = resources(hub, "azurerm_private_endpoint").find((p) => p.name === "pe-ampls-full-hub");
    expect(pe.subnet_id).toBe(idOf(hub, "azurerm_subnet", "snet-private-endpoints"));
    expect(pe.private_service_connection).toMatchObject({ subresource_names: ["azuremonitor"], is_manual_connection: false, private_connection_resource_id: idOf(hub, "azurerm_monitor_private_link_scope", "ampls-full-hub") });
    expect([...pe.private_dns_zone_group.private_dns_zone_ids].sort()).toEqual(MONITOR_ZONES.map(zoneId).sort());
    expect(pe.depends_on).toHaveLength(2);
    for (const dep of pe.depends_on) expect(dep).toMatch(/^azurerm_monitor_private_link_scoped_service\./);
  });

  it("sends each cluster's Container Insights through the endpoint: the rule names it, and the cluster is associated with it as configurationAccessEndpoint", () => {
    const dce = `\${${idOf(hub, "azurerm_monitor_data_collection_endpoint", "dce-full-hub").slice(2, -4)}.id}`;
    for (const spoke of [aks1, aks2]) {
      const [rule] = resources(spoke, "azurerm_monitor_data_collection_rule");
      expect(hubExpression(hub, rule.data_collection_endpoint_id)).toBe(dce);
      const access = resources(spoke, "azurerm_monitor_data_collection_rule_association").find((a) => a.name === "configurationAccessEndpoint");
      expect(hubExpression(hub, access.data_collection_endpoint_id)).toBe(dce);
      expect(access.data_collection_rule_id).toBeUndefined();
      const linked = resources(spoke, "azurerm_private_dns_zone_virtual_network_link").map((l) => hubExpression(hub, l.private_dns_zone_name));
      for (const zone of MONITOR_ZONES) expect(linked).toContain(`\${${zoneId(zone).slice(2, -4)}.name}`);
    }
  });

  it("adds the endpoint to the scope after the workspace, one change to the scope at a time", () => {
    const endpoint = resources(hub, "azurerm_monitor_private_link_scoped_service").find((s) => s.name === "data-collection-endpoint");
    expect(endpoint.depends_on).toEqual([expect.stringMatching(/^azurerm_monitor_private_link_scoped_service\..*scoped-workspace/)]);
  });

  it("lets names its shared zones do not hold (every other storage account's blob name) resolve publicly, in the hub and in every spoke", () => {
    const zoneOf = (json: any, link: any) => (json === hub ? link.private_dns_zone_name : hubExpression(hub, link.private_dns_zone_name));
    const byZone = (json: any) => new Map(resources(json, "azurerm_private_dns_zone_virtual_network_link").map((l) => [zoneOf(json, l), l.resolution_policy]));
    const nameRef = (zone: string) => `\${${zoneId(zone).slice(2, -4)}.name}`;
    for (const json of [hub, aks1, aks2]) {
      const policies = byZone(json);
      for (const zone of MONITOR_ZONES) expect({ zone, policy: policies.get(nameRef(zone)) }).toEqual({ zone, policy: "NxDomainRedirect" });
      // The registry's zone and the application zones keep the default: a missing name stays missing.
      expect(policies.get(nameRef("privatelink.azurecr.io"))).toBeUndefined();
      expect(policies.get(nameRef("corp.internal"))).toBeUndefined();
    }
  });

  it("is off by default: the workspace takes public ingestion, and no scope or endpoint exists", () => {
    const plain = stacks(environment());
    const json = synth(plain.hub).json;
    expect(resources(json, "azurerm_log_analytics_workspace")[0]).toMatchObject({ internet_ingestion_enabled: true, internet_query_enabled: true });
    expect(resources(json, "azurerm_monitor_private_link_scope")).toEqual([]);
    expect(resources(synth(plain.spokes[0]).json, "azurerm_monitor_data_collection_rule_association").map((a) => a.name)).toEqual(["ContainerInsightsExtension"]);
  });

  it("keeps queries open on request, never ingestion", () => {
    const open = synth(stacks(environment(changed((r) => {
      r.hub.subnets.privateEndpoints = "10.0.2.0/27";
      r.hub.monitoring = { privateLink: true, publicQuery: true };
    }))).hub).json;
    expect(resources(open, "azurerm_monitor_private_link_scope")[0]).toMatchObject({ ingestion_access_mode: "PrivateOnly", query_access_mode: "Open" });
    expect(resources(open, "azurerm_log_analytics_workspace")[0]).toMatchObject({ internet_ingestion_enabled: false, internet_query_enabled: true });
  });
});

describe("API Server VNet Integration (spokes[].subnets.apiServer)", () => {
  // full.yaml's aks2 has it; aks1 and aks3 keep the private endpoint in the node subnet.
  const cluster = resources(aks2, "azurerm_kubernetes_cluster")[0];
  const subnet = resources(aks2, "azurerm_subnet").find((s) => s.name === "snet-apiserver");
  const apiSubnet = idOf(aks2, "azurerm_subnet", "snet-apiserver");

  it("projects the API server into a subnet delegated to AKS, nothing else in it", () => {
    expect(subnet).toEqual(expect.objectContaining({
      address_prefixes: ["10.0.10.0/28"],
      default_outbound_access_enabled: false,
      delegation: [{ name: "aks-api-server", service_delegation: { name: "Microsoft.ContainerService/managedClusters", actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"] } }],
    }));
    expect(cluster.api_server_access_profile).toEqual({ virtual_network_integration_enabled: true, subnet_id: apiSubnet });
    // Nothing else is placed in it: no node pool, no load balancer front end, no endpoint.
    const uses = JSON.stringify({ ...aks2.resource, azurerm_subnet: undefined }).split(apiSubnet).length - 1;
    const expectedUses = [cluster.api_server_access_profile, ...resources(aks2, "azurerm_subnet_network_security_group_association"), ...resources(aks2, "azurerm_subnet_route_table_association")].filter((r) => JSON.stringify(r).includes(apiSubnet)).length;
    expect(uses).toBe(expectedUses);
  });

  it("keeps the cluster private: no public FQDN, registered in the hub's private.<region>.azmk8s.io zone", () => {
    expect(cluster).toEqual(expect.objectContaining({ private_cluster_enabled: true, private_cluster_public_fqdn_enabled: false }));
    expect(hubExpression(hub, cluster.private_dns_zone_id)).toBe(idOf(hub, "azurerm_private_dns_zone", "private.westeurope.azmk8s.io"));
    const zoneRole = resources(aks2, "azurerm_role_assignment").find((r) => r.role_definition_name === "Private DNS Zone Contributor");
    expect(zoneRole.scope).toBe(cluster.private_dns_zone_id);
    // The clusters without it keep the privatelink zone.
    expect(hubExpression(hub, resources(aks1, "azurerm_kubernetes_cluster")[0].private_dns_zone_id)).toBe(idOf(hub, "azurerm_private_dns_zone", "privatelink.westeurope.azmk8s.io"));
    expect(resources(aks1, "azurerm_kubernetes_cluster")[0].api_server_access_profile).toBeUndefined();
  });

  it("links the zone to the hub and to the spokes, before the cluster is created", () => {
    const zone = idOf(hub, "azurerm_private_dns_zone", "private.westeurope.azmk8s.io");
    const zoneName = `\${${zone.slice(2, -4)}.name}`;
    expect(resources(hub, "azurerm_private_dns_zone_virtual_network_link").filter((l) => l.private_dns_zone_name === zoneName).map((l) => l.virtual_network_id)).toEqual([idOf(hub, "azurerm_virtual_network", "vnet-full-hub")]);
    const [link] = Object.entries(aks2.resource.azurerm_private_dns_zone_virtual_network_link).filter(([, l]: [string, any]) => hubExpression(hub, l.private_dns_zone_name) === zoneName);
    expect(cluster.depends_on).toContain(`azurerm_private_dns_zone_virtual_network_link.${link[0]}`);
  });

  it("routes the subnet through the firewall like the node subnet (replies to on-premises come back the way they came) and gives it an NSG, both in place before the cluster", () => {
    const route = resources(aks2, "azurerm_subnet_route_table_association").find((a) => a.subnet_id === apiSubnet);
    expect(route.route_table_id).toBe(idOf(aks2, "azurerm_route_table", "rt-full-aks2-egress"));
    const nsg = resources(aks2, "azurerm_subnet_network_security_group_association").find((a) => a.subnet_id === apiSubnet);
    expect(nsg.network_security_group_id).toBe(idOf(aks2, "azurerm_network_security_group", "nsg-full-aks2-apiserver"));
    const key = (type: string, r: any) => `${type}.${Object.entries(aks2.resource[type]).find(([, v]) => v === r)![0]}`;
    expect(cluster.depends_on).toEqual(expect.arrayContaining([key("azurerm_subnet_route_table_association", route), key("azurerm_subnet_network_security_group_association", nsg)]));
  });

  it("lets on-premises reach the API server where it now listens: the API server subnet, on 443", () => {
    const group = resources(hub, "azurerm_firewall_policy_rule_collection_group").find((g) => g.name === "rcg-onprem");
    const rule = group.network_rule_collection[0].rule.find((r: any) => r.name === "onprem-to-aks2-api");
    expect([rule.destination_addresses, rule.destination_ports]).toEqual([["10.0.10.0/28"], ["443"]]);
  });

  it("keeps the hub's privatelink zone while any spoke brings its own zone, so a spoke can switch without the hub deleting a zone it still links", () => {
    const onlyIntegrated = stacks(environment(changed((r) => (r.spokes[0].subnets.apiServer = "10.0.6.0/28"))));
    const hubJson = synth(onlyIntegrated.hub).json;
    expect(resources(hubJson, "azurerm_private_dns_zone").map((z) => z.name).filter((n) => n.endsWith(".azmk8s.io")).sort()).toEqual(["private.westeurope.azmk8s.io", "privatelink.westeurope.azmk8s.io"]);
    // The spoke itself links only the zone its cluster registers in.
    const zoneNames = Object.fromEntries(Object.entries(hubJson.resource.azurerm_private_dns_zone).map(([key, z]: [string, any]) => [`\${azurerm_private_dns_zone.${key}.name}`, z.name]));
    const linked = resources(synth(onlyIntegrated.spokes[0]).json, "azurerm_private_dns_zone_virtual_network_link").map((l) => zoneNames[hubExpression(hubJson, l.private_dns_zone_name)]);
    expect(linked.filter((n) => n.endsWith(".azmk8s.io"))).toEqual(["private.westeurope.azmk8s.io"]);
  });

  it("warns, without refusing, in a region where AKS did not offer it when last read", () => {
    const spoke = (location: string) => stacks(environment(changed((r) => {
      r.location = location;
      r.spokes[0].subnets.apiServer = "10.0.6.0/28";
    }))).spokes[0];
    expect(warningsOf(spoke("qatarcentral")).map((w) => w.message)).toEqual([
      "API Server VNet Integration (spoke aks1: subnets.apiServer) was not offered in qatarcentral when this product last read Microsoft's list (2026-03); check with az aks create there before deploying",
    ]);
    expect(warningsOf(spoke("westeurope"))).toEqual([]);
  });

  it("is off by default: no delegated subnet, no private.<region> zone", () => {
    const built = stacks();
    expect(resources(synth(built.spokes[0]).json, "azurerm_kubernetes_cluster")[0].api_server_access_profile).toBeUndefined();
    expect(resources(synth(built.hub).json, "azurerm_private_dns_zone").map((z) => z.name)).not.toContain("private.westeurope.azmk8s.io");
  });

  it("reads an existing hub's private.<region>.azmk8s.io zone from its DNS resource group, or creates it there", () => {
    const brown = (create: boolean) => {
      const env = namedEnvironment("brownfield");
      const raw = JSON.parse(JSON.stringify(env));
      raw.hub.existing.createAksDnsZone = create;
      raw.spokes[0].subnets.apiServer = "10.100.10.0/28";
      return synth(stacks(environment(raw)).hub).json;
    };
    expect(Object.values(brown(false).data.azurerm_private_dns_zone).map((z: any) => z.name)).toContain("private.westeurope.azmk8s.io");
    expect(resources(brown(true), "azurerm_private_dns_zone").map((z) => z.name)).toContain("private.westeurope.azmk8s.io");
  });
});
