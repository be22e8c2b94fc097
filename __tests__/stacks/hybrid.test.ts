/**
 * Hybrid and brownfield: on-premises through the hub's firewall over a VPN or ExpressRoute
 * gateway, an existing hub, and spokes in their own subscriptions.
 */
import { address, changed, EXISTING_HUB, environment, hubExpression, idOf, namedEnvironment, problems, resources, stacks, synth } from "../helpers";

const hybrid = stacks(namedEnvironment("hybrid"));
const hub = synth(hybrid.hub).json;
const aks1 = synth(hybrid.spokes[0]).json;
const aks2 = synth(hybrid.spokes[1]).json;


describe("a hub with a VPN gateway", () => {
  it("runs a zone-redundant, route-based gateway with BGP in GatewaySubnet, behind a zone-redundant public IP", () => {
    const gw = resources(hub, "azurerm_virtual_network_gateway")[0];
    expect(gw).toEqual(expect.objectContaining({ type: "Vpn", vpn_type: "RouteBased", sku: "VpnGw2AZ", generation: "Generation2", enable_bgp: true, bgp_settings: { asn: 65515 } }));
    expect(gw.ip_configuration[0].subnet_id).toBe(idOf(hub, "azurerm_subnet", "GatewaySubnet"));
    expect(resources(hub, "azurerm_public_ip").find((p) => p.name === "pip-hybrid-vgw")).toEqual(expect.objectContaining({ sku: "Standard", allocation_method: "Static", zones: ["1", "2", "3"] }));
  });

  it("gives point-to-site clients a DNS server that answers the private zones: the hub VNet names the firewall's DNS proxy", () => {
    const [dns] = resources(hub, "azurerm_virtual_network_dns_servers");
    expect(dns.virtual_network_id).toBe(idOf(hub, "azurerm_virtual_network", "vnet-hybrid-hub"));
    expect(dns.dns_servers).toEqual([`\${${address(hub, "azurerm_firewall", "afw-hybrid-hub")}.ip_configuration[0].private_ip_address}`]);
    // azurerm: the standalone resource and in-line dns_servers on the VNet overwrite each other
    // (docs of azurerm_virtual_network_dns_servers, v4.55.0); the VNet leaves them to it.
    expect(resources(hub, "azurerm_virtual_network").find((v) => v.name === "vnet-hybrid-hub").dns_servers).toBeUndefined();
  });

  it("names the resolver's inbound endpoint for point-to-site clients when the firewall's DNS proxy is off", () => {
    const off = synth(stacks(environment(changed((r) => {
      r.onPremises = ["192.168.0.0/16"];
      r.hub.firewall.dnsProxy = false;
      Object.assign(r.hub.subnets, { gateway: "10.0.3.224/27", dnsResolverInbound: "10.0.2.0/28", dnsResolverOutbound: "10.0.2.16/28" });
      r.hub.gateway = { type: "Vpn", pointToSite: { addressPool: "172.16.201.0/24" } };
    }))).hub).json;
    expect(resources(off, "azurerm_virtual_network_dns_servers").map((d) => d.dns_servers)).toEqual([["10.0.2.4"]]);
  });

  it("leaves the hub VNet's DNS alone without point-to-site", () => {
    const siteOnly = synth(stacks(environment(changed((r) => {
      r.onPremises = ["192.168.0.0/16"];
      r.hub.subnets.gateway = "10.0.3.224/27";
      r.hub.gateway = { type: "Vpn", sites: [{ name: "dc1", address: "20.50.60.70", ranges: ["192.168.0.0/16"] }] };
    }))).hub).json;
    expect(resources(siteOnly, "azurerm_virtual_network_dns_servers")).toEqual([]);
  });

  it("takes each site's shared key from a sensitive variable, never a literal", () => {
    expect(hub.variable.vpn_shared_key_dc1).toEqual(expect.objectContaining({ type: "string", sensitive: true }));
    expect(hub.variable.vpn_shared_key_dc1.default).toBeUndefined();
    const connection = resources(hub, "azurerm_virtual_network_gateway_connection")[0];
    expect(connection).toEqual(expect.objectContaining({ type: "IPsec", shared_key: "${var.vpn_shared_key_dc1}", enable_bgp: true }));
    expect(resources(hub, "azurerm_local_network_gateway")[0]).toEqual(expect.objectContaining({ gateway_address: "20.50.60.70", bgp_settings: { asn: 65050, bgp_peering_address: "192.168.0.1" } }));
  });

  it("accepts developers over OpenVPN with Entra ID only: no certificates, no shared secrets", () => {
    const p2s = resources(hub, "azurerm_virtual_network_gateway")[0].vpn_client_configuration;
    expect(p2s).toEqual({
      address_space: ["172.16.201.0/24"],
      vpn_client_protocols: ["OpenVPN"],
      vpn_auth_types: ["AAD"],
      aad_tenant: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000",
      aad_audience: "c632b3df-fb67-4d84-bdcf-b95ad541b5c8",
      aad_issuer: "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
    });
  });

  it("sends each spoke's ranges from GatewaySubnet to the firewall, with BGP propagation on and no default route", () => {
    const table = resources(hub, "azurerm_route_table").find((t) => t.name === "rt-hybrid-gateway");
    expect(table.bgp_route_propagation_enabled).toBe(true);
    expect(table.route.map((r: any) => [r.address_prefix, r.next_hop_type])).toEqual([["10.0.4.0/22", "VirtualAppliance"], ["10.0.8.0/22", "VirtualAppliance"]]);
    for (const r of table.route) expect(r.next_hop_in_ip_address).toMatch(/azurerm_firewall\..*private_ip_address/);
    const association = resources(hub, "azurerm_subnet_route_table_association").find((a) => a.subnet_id === idOf(hub, "azurerm_subnet", "GatewaySubnet"));
    expect(association.route_table_id).toBe(idOf(hub, "azurerm_route_table", "rt-hybrid-gateway"));
    expect(resources(hub, "azurerm_subnet_network_security_group_association").some((a) => a.subnet_id === idOf(hub, "azurerm_subnet", "GatewaySubnet"))).toBe(false);
  });

  it("lets on-premises (and point-to-site clients) reach the apps' ports and the API servers, nothing else", () => {
    const group = resources(hub, "azurerm_firewall_policy_rule_collection_group").find((g) => g.name === "rcg-onprem");
    expect(group.priority).toBe(600);
    expect(group.application_rule_collection).toBeUndefined();
    // Its sources are one IP group, ipg-<env>-onprem: the on-premises ranges and the point-to-site pool.
    const [ipg] = resources(hub, "azurerm_ip_group").filter((g) => g.name === "ipg-hybrid-onprem");
    const ipgRef = `\${${address(hub, "azurerm_ip_group", "ipg-hybrid-onprem")}.id}`;
    const cidrsOf = (r: any) => (r.source_ip_groups ?? []).flatMap((g: string) => (g === ipgRef ? ipg.cidrs : [g]));
    expect(group.network_rule_collection[0].rule.every((r: any) => r.source_addresses === undefined)).toBe(true);
    expect(group.network_rule_collection[0].rule.map((r: any) => [r.name, cidrsOf(r), r.destination_addresses, r.destination_ports])).toEqual([
      ["onprem-to-aks1-apps", ["192.168.0.0/16", "172.16.201.0/24"], ["10.0.4.0/24"], ["80"]],
      ["onprem-to-aks1-api", ["192.168.0.0/16", "172.16.201.0/24"], ["10.0.5.0/24"], ["443"]],
      ["onprem-to-aks2-api", ["192.168.0.0/16", "172.16.201.0/24"], ["10.0.9.0/24"], ["443"]],
    ]);
  });

  it("peers with gateway transit: the hub allows it, the spoke uses it, and only after the hub side", () => {
    const peerings = resources(aks1, "azurerm_virtual_network_peering");
    const hubSide = peerings.find((p) => p.name === "hub-to-aks1");
    const spokeSide = peerings.find((p) => p.name === "aks1-to-hub");
    expect(hubSide.allow_gateway_transit).toBe(true);
    expect(spokeSide.use_remote_gateways).toBe(true);
    const hubKey = Object.entries(aks1.resource.azurerm_virtual_network_peering).find(([, p]: [string, any]) => p.name === "hub-to-aks1")![0];
    expect(spokeSide.depends_on).toEqual([`azurerm_virtual_network_peering.${hubKey}`]);
  });

  it("keeps the spokes' default route to the firewall with BGP propagation off, so learned routes never bypass it", () => {
    const table = resources(aks1, "azurerm_route_table")[0];
    expect(table).toEqual(expect.objectContaining({ bgp_route_propagation_enabled: false }));
    expect(table.route).toEqual([expect.objectContaining({ address_prefix: "0.0.0.0/0", next_hop_type: "VirtualAppliance" })]);
  });
});

describe("a spoke in its own subscription", () => {
  it("deploys into that subscription and reaches the hub's through an aliased provider", () => {
    expect(aks2.provider.azurerm).toEqual([
      { features: [{}], subscription_id: "11111111-1111-1111-1111-111111111111" },
      { alias: "hub", features: [{}], subscription_id: "00000000-0000-0000-0000-000000000000" },
    ]);
  });

  it("creates the hub side of the peering and the DNS links in the hub's subscription", () => {
    const hubSide = resources(aks2, "azurerm_virtual_network_peering").find((p) => p.name === "hub-to-aks2");
    expect(hubSide.provider).toBe("azurerm.hub");
    expect(resources(aks2, "azurerm_virtual_network_peering").find((p) => p.name === "aks2-to-hub").provider).toBeUndefined();
    for (const link of [...resources(aks2, "azurerm_private_dns_zone_virtual_network_link"), ...resources(aks2, "azurerm_private_dns_resolver_virtual_network_link")]) expect(link.provider).toBe("azurerm.hub");
  });

  it("grants the cluster identity Private DNS Zone Contributor on the hub's zone across subscriptions", () => {
    const grant = resources(aks2, "azurerm_role_assignment").find((r) => r.role_definition_name === "Private DNS Zone Contributor");
    expect(hubExpression(hub, grant.scope)).toMatch(/^\$\{azurerm_private_dns_zone\./);
  });

  it("a spoke in the environment's subscription uses one provider", () => {
    expect(aks1.provider.azurerm).toEqual([{ features: [{}], subscription_id: "00000000-0000-0000-0000-000000000000" }]);
  });
});

describe("an existing hub (brownfield)", () => {
  const brown = stacks(namedEnvironment("brownfield"));
  const bhub = synth(brown.hub).json;
  const team1 = synth(brown.spokes[0]).json;

  it("creates no VNet, firewall, policy, public IP or gateway of the hub", () => {
    for (const type of ["azurerm_virtual_network", "azurerm_firewall", "azurerm_firewall_policy", "azurerm_public_ip", "azurerm_virtual_network_gateway", "azurerm_subnet", "azurerm_log_analytics_workspace"]) {
      expect({ type, found: resources(bhub, type).length }).toEqual({ type, found: 0 });
    }
  });

  it("adds its spokes' rule collection groups (and the on-premises one) to the existing policy, in the hub's subscription", () => {
    const policy = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-connectivity/providers/Microsoft.Network/firewallPolicies/fwp-hub";
    const groups = resources(bhub, "azurerm_firewall_policy_rule_collection_group");
    expect(groups.map((g) => [g.name, g.priority, g.firewall_policy_id, g.provider])).toEqual([
      ["rcg-team1", 44783, policy, "azurerm.connectivity"],
      ["rcg-onprem", 600, policy, "azurerm.connectivity"],
    ]);
    expect(bhub.provider.azurerm[1]).toEqual({ alias: "connectivity", features: [{}], subscription_id: "22222222-2222-2222-2222-222222222222" });
  });

  it("reads the existing API server zone and creates its application zones in the DNS resource group, linked to the existing hub", () => {
    expect(bhub.data.azurerm_private_dns_zone["aks-dns-zone"]).toEqual(expect.objectContaining({ name: "privatelink.westeurope.azmk8s.io", resource_group_name: "rg-dns", provider: "azurerm.connectivity" }));
    expect(resources(bhub, "azurerm_private_dns_zone").map((z) => [z.name, z.resource_group_name])).toEqual([["corp.internal", "rg-dns"]]);
    expect(resources(bhub, "azurerm_private_dns_zone_virtual_network_link")[0].virtual_network_id).toBe("/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-connectivity/providers/Microsoft.Network/virtualNetworks/vnet-hub");
  });

  it("peers the spoke with the existing hub in both directions, using its gateway, and routes egress to its firewall", () => {
    const peerings = resources(team1, "azurerm_virtual_network_peering");
    const hubSide = peerings.find((p) => p.name === "hub-to-team1");
    expect(hubSide).toEqual(expect.objectContaining({ virtual_network_name: "vnet-hub", resource_group_name: "rg-connectivity", allow_gateway_transit: true, provider: "azurerm.hub" }));
    expect(peerings.find((p) => p.name === "team1-to-hub").use_remote_gateways).toBe(true);
    expect(resources(team1, "azurerm_route_table")[0].route[0].next_hop_in_ip_address).toBe("10.100.0.4");
    expect(resources(team1, "azurerm_virtual_network")[0].dns_servers).toEqual(["10.100.0.4"]);
  });

  it("sends the clusters' monitoring to the named workspace", () => {
    expect(resources(team1, "azurerm_kubernetes_cluster")[0].oms_agent.log_analytics_workspace_id).toBe(
      "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/log-platform",
    );
  });
});

describe("hybrid input", () => {
  const gateway = (change: (r: any) => void) =>
    changed((r) => {
      r.onPremises = ["192.168.0.0/16"];
      r.hub.subnets.gateway = "10.0.3.224/27";
      r.hub.gateway = { type: "Vpn", sites: [{ name: "dc1", address: "20.50.60.70", ranges: ["192.168.0.0/16"] }] };
      change(r);
    });
  it.each([
    ["a gateway without GatewaySubnet", gateway((r) => delete r.hub.subnets.gateway), "hub.subnets.gateway: is required by hub.gateway"],
    ["a GatewaySubnet smaller than /27", gateway((r) => (r.hub.subnets.gateway = "10.0.3.240/28")), "hub.subnets.gateway: 10.0.3.240/28 is too small for GatewaySubnet; Azure needs at least a /27"],
    ["a non-zone-redundant VPN SKU", gateway((r) => (r.hub.gateway.sku = "VpnGw2")), 'hub.gateway.sku: "VpnGw2" is not a Vpn gateway SKU Azure creates'],
    ["an ASN Azure reserves", gateway((r) => (r.hub.gateway.bgpAsn = 65517)), "hub.gateway.bgpAsn: 65517 is reserved"],
    ["a site range outside onPremises", gateway((r) => (r.hub.gateway.sites[0].ranges = ["172.20.0.0/16"])), "hub.gateway.sites.0.ranges.0: 172.20.0.0/16 is not inside any onPremises range"],
    ["a private device address", gateway((r) => (r.hub.gateway.sites[0].address = "192.168.0.1")), "hub.gateway.sites.0.address: 192.168.0.1 is not a public address"],
    ["a public point-to-site pool", gateway((r) => (r.hub.gateway.pointToSite = { addressPool: "20.0.0.0/24" })), "hub.gateway.pointToSite.addressPool: 20.0.0.0/24 is public address space"],
    ["a point-to-site pool that overlaps a spoke", gateway((r) => (r.hub.gateway.pointToSite = { addressPool: "10.0.4.0/24" })), "hub.gateway.pointToSite.addressPool: 10.0.4.0/24 overlaps"],
    ["point-to-site with no DNS server VPN clients can reach", gateway((r) => ((r.hub.firewall.dnsProxy = false), (r.hub.gateway.pointToSite = { addressPool: "172.16.201.0/24" }))), "hub.gateway.pointToSite: gives VPN clients no DNS server that answers the private zones"],
    ["ExpressRoute without a circuit", gateway((r) => (r.hub.gateway = { type: "ExpressRoute" })), "hub.gateway.circuitId: is required for an ExpressRoute gateway"],
    ["a VPN gateway with no site", gateway((r) => (r.hub.gateway.sites = [])), "hub.gateway.sites: needs at least one on-premises site"],
    ["an existing hub with subnets of its own", changed((r) => (r.hub.existing = { vnetId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub", firewallPrivateIp: "10.0.0.4", firewallPolicyId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fwp", dnsResourceGroup: "rg-dns" })), "hub.subnets.firewall: must not be set with hub.existing"],
    ["an existing hub whose firewall is outside its address space", changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: { vnetId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub", firewallPrivateIp: "10.9.0.4", firewallPolicyId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fwp", dnsResourceGroup: "rg-dns" } };
    }), "hub.existing.firewallPrivateIp: 10.9.0.4 is not inside hub.addressSpace (10.0.0.0/22)"],
    ["an existing hub id of the wrong type", changed((r) => (r.hub = { addressSpace: ["10.0.0.0/22"], existing: { vnetId: "vnet-hub", firewallPrivateIp: "10.0.0.4", firewallPolicyId: "fwp", dnsResourceGroup: "rg-dns" } })), "hub.existing.vnetId: must be the resource id of a Microsoft.Network/virtualNetworks"],
    ["firewall settings next to an existing hub, which would do nothing", changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: EXISTING_HUB, firewall: { tier: "Premium", idps: "Deny" } };
    }), "hub.firewall.tier: must not be set with hub.existing: the existing hub's firewall is configured where it was built"],
    ["an existing firewall at the hub's network address", changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: { ...EXISTING_HUB, firewallPrivateIp: "10.0.0.0" } };
    }), "hub.existing.firewallPrivateIp: 10.0.0.0 is the network address of 10.0.0.0/22, which no host has"],
    ["DNS forwarding next to an existing hub", changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: EXISTING_HUB, dns: { forwarding: [{ domain: "corp.contoso.com.", targets: ["192.168.0.53"] }] } };
    }), "hub.dns.forwarding: must not be set with hub.existing: forwarding rules belong to the existing hub's DNS resolver"],
  ])("refuses %s, naming the field", (_what, raw, line) => {
    expect(problems(raw)).toContainEqual(expect.stringContaining(`env.yaml: ${line}`));
  });

  it("accepts an ExpressRoute gateway with its circuit, on its zone-redundant default SKU", () => {
    const env = environment(gateway((r) => (r.hub.gateway = { type: "ExpressRoute", circuitId: "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-dc1" })));
    const json = synth(stacks(env).hub).json;
    expect(resources(json, "azurerm_virtual_network_gateway")[0]).toEqual(expect.objectContaining({ type: "ExpressRoute", sku: "ErGw1AZ" }));
    expect(resources(json, "azurerm_virtual_network_gateway_connection")[0]).toEqual(expect.objectContaining({ type: "ExpressRoute", express_route_circuit_id: expect.stringContaining("expressRouteCircuits/er-dc1") }));
  });
});
