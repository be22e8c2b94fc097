import { BastionHost } from "@cdktf/provider-azurerm/lib/bastion-host";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { PrivateDnsResolverInboundEndpoint } from "@cdktf/provider-azurerm/lib/private-dns-resolver-inbound-endpoint";
import { JUMPBOX_CLOUD_INIT } from "../../lib/constructs/jumpbox";
import { warningsOf } from "../../lib/policy/guardrails";
import { address, changed, environment, hubExpression, idOf, namedEnvironment, resourceNamed, resources, stacks, synth } from "../helpers";

const full = stacks(namedEnvironment("full"));
const hub = synth(full.hub);
const spokes = full.spokes.map((s) => synth(s));

describe("private DNS for applications", () => {
  // full.yaml: two application zones, the two AKS zones (aks2 has API Server VNet Integration), the registry's, the vault's and Azure Monitor's five.
  const ZONES = [
    "apps.contoso.internal",
    "corp.internal",
    "private.westeurope.azmk8s.io",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.azurecr.io",
    "privatelink.blob.core.windows.net",
    "privatelink.monitor.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.vaultcore.azure.net",
    "privatelink.westeurope.azmk8s.io",
  ];

  it("creates each hub.dns.zones zone in the hub, linked to the hub VNet with registration off", () => {
    expect(resources(hub.json, "azurerm_private_dns_zone").map((z) => z.name).sort()).toEqual(ZONES);
    const hubVnet = idOf(hub.json, "azurerm_virtual_network", "vnet-full-hub");
    const hubLinks = resources(hub.json, "azurerm_private_dns_zone_virtual_network_link");
    const zoneNames = Object.fromEntries(Object.entries(hub.json.resource.azurerm_private_dns_zone).map(([key, z]: [string, any]) => [`\${azurerm_private_dns_zone.${key}.name}`, z.name]));
    expect(hubLinks.map((l) => zoneNames[l.private_dns_zone_name]).sort()).toEqual(ZONES);
    for (const link of hubLinks) expect(link).toEqual(expect.objectContaining({ virtual_network_id: hubVnet, registration_enabled: false }));
  });

  it("links every zone to every spoke VNet, but for the AKS zones: each spoke links the one its own cluster registers in", () => {
    const zoneNames = Object.fromEntries(Object.entries(hub.json.resource.azurerm_private_dns_zone).map(([key, z]: [string, any]) => [`\${azurerm_private_dns_zone.${key}.name}`, z.name]));
    // aks2 has API Server VNet Integration (private.<region>); aks1 and aks3 a private endpoint (privatelink.<region>).
    const own = ["privatelink.westeurope.azmk8s.io", "private.westeurope.azmk8s.io", "privatelink.westeurope.azmk8s.io"];
    spokes.forEach((spoke, i) => {
      const vnet = idOf(spoke.json, "azurerm_virtual_network", `vnet-full-aks${i + 1}`);
      const links = resources(spoke.json, "azurerm_private_dns_zone_virtual_network_link");
      const zones = links.map((l) => zoneNames[hubExpression(hub.json, l.private_dns_zone_name)]).sort();
      expect(zones).toEqual(ZONES.filter((z) => !z.endsWith(".azmk8s.io") || z === own[i]));
      for (const link of links) expect(link).toEqual(expect.objectContaining({ virtual_network_id: vnet, registration_enabled: false }));
    });
  });

  it("lets a spoke add an A record to a named zone, and names the zones when it is not one", () => {
    const built = stacks(namedEnvironment("full"), (b) => {
      b.spokes[0].addDnsRecord("corp.internal", "extra", ["10.0.4.30"]);
      expect(() => b.spokes[0].addDnsRecord("nope.internal", "x", ["10.0.4.26"])).toThrow("No zone 'nope.internal' in hub.dns.zones; available: corp.internal, apps.contoso.internal");
    });
    const spoke = synth(built.spokes[0]).json;
    const record = resourceNamed(spoke, "azurerm_private_dns_a_record", "extra");
    expect(record).toEqual(expect.objectContaining({ records: ["10.0.4.30"], ttl: 300 }));
    const hubJson = synth(built.hub).json;
    expect(hubExpression(hubJson, record.zone_name)).toBe(`\${${address(hubJson, "azurerm_private_dns_zone", "corp.internal")}.name}`);
    expect(hubExpression(hubJson, record.resource_group_name)).toBe("${azurerm_resource_group.resource-group.name}");
  });
});

describe("on-premises resolution", () => {
  it("delegates both resolver subnets to Microsoft.Network/dnsResolvers", () => {
    for (const name of ["snet-dns-inbound", "snet-dns-outbound"]) {
      expect(resourceNamed(hub.json, "azurerm_subnet", name).delegation).toEqual([
        { name: "dns-resolver", service_delegation: { name: "Microsoft.Network/dnsResolvers", actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"] } },
      ]);
    }
  });

  it("gives the inbound endpoint a static address in its subnet", () => {
    expect(hub.text).toHaveResourceWithProperties(PrivateDnsResolverInboundEndpoint, {
      ip_configurations: { private_ip_allocation_method: "Static", private_ip_address: "10.0.2.4", subnet_id: idOf(hub.json, "azurerm_subnet", "snet-dns-inbound") },
    });
  });

  it("forwards each domain to its targets through the outbound endpoint's ruleset", () => {
    const ruleset = resources(hub.json, "azurerm_private_dns_resolver_dns_forwarding_ruleset")[0];
    expect(ruleset.private_dns_resolver_outbound_endpoint_ids).toEqual([expect.stringContaining("azurerm_private_dns_resolver_outbound_endpoint.")]);
    const rules = resources(hub.json, "azurerm_private_dns_resolver_forwarding_rule").map((r) => [r.domain_name, r.target_dns_servers]);
    expect(rules.sort()).toEqual([
      ["168.192.in-addr.arpa.", [{ ip_address: "192.168.0.4", port: 53 }]],
      ["onprem.example.com.", [{ ip_address: "192.168.0.4", port: 53 }, { ip_address: "192.168.0.5", port: 53 }]],
    ]);
  });

  it("links the ruleset to the hub and every spoke", () => {
    const hubLinks = resources(hub.json, "azurerm_private_dns_resolver_virtual_network_link");
    expect(hubLinks.map((l) => l.virtual_network_id)).toEqual([idOf(hub.json, "azurerm_virtual_network", "vnet-full-hub")]);
    spokes.forEach((spoke, i) => {
      const links = resources(spoke.json, "azurerm_private_dns_resolver_virtual_network_link");
      expect(links.map((l) => l.virtual_network_id)).toEqual([idOf(spoke.json, "azurerm_virtual_network", `vnet-full-aks${i + 1}`)]);
      expect(hubExpression(hub.json, links[0].dns_forwarding_ruleset_id)).toMatch(/azurerm_private_dns_resolver_dns_forwarding_ruleset\./);
    });
  });

  it("outputs what on-premises DNS must forward: the region's azmk8s.io zone, the private endpoints' public zones and every application zone, to the inbound endpoint", () => {
    expect(hub.json.output.dns_resolver_inbound_ip.value).toBe("10.0.2.4");
    // full.yaml has a registry, a key vault and Azure Monitor private link: each public zone
    // is forwarded (Microsoft Learn, private endpoint DNS: "Public DNS zone forwarders").
    expect(hub.json.output.onprem_dns_conditional_forwarders.value).toEqual({
      "westeurope.azmk8s.io": ["10.0.2.4"],
      "azurecr.io": ["10.0.2.4"],
      "vault.azure.net": ["10.0.2.4"],
      "vaultcore.azure.net": ["10.0.2.4"],
      "monitor.azure.com": ["10.0.2.4"],
      "oms.opinsights.azure.com": ["10.0.2.4"],
      "ods.opinsights.azure.com": ["10.0.2.4"],
      "agentsvc.azure-automation.net": ["10.0.2.4"],
      "blob.core.windows.net": ["10.0.2.4"],
      "corp.internal": ["10.0.2.4"],
      "apps.contoso.internal": ["10.0.2.4"],
    });
  });

  it("forwards no private endpoint zone the hub does not have (hybrid: no registry, vault or monitor private link)", () => {
    const hybrid = synth(stacks(namedEnvironment("hybrid")).hub).json;
    expect(Object.keys(hybrid.output.onprem_dns_conditional_forwarders.value)).toEqual(["corp.internal", "westeurope.azmk8s.io"]);
  });

  it("makes spokes use the firewall as DNS server when its DNS proxy is on, and Azure DNS when it is off", () => {
    const vnet = resourceNamed(spokes[0].json, "azurerm_virtual_network", "vnet-full-aks1");
    expect(hubExpression(hub.json, vnet.dns_servers[0])).toMatch(/^\$\{azurerm_firewall\.[^.]+\.ip_configuration\[0\]\.private_ip_address\}$/);
    const off = stacks(environment(changed((r) => (r.hub.firewall.dnsProxy = false))));
    expect(resourceNamed(synth(off.spokes[0]).json, "azurerm_virtual_network", "vnet-demo-aks1").dns_servers).toBeUndefined();
  });
});

describe("the access path", () => {
  it("has exactly the named public IPs: firewall egress, firewall management, Bastion, the VPN gateway", () => {
    expect(resources(hub.json, "azurerm_public_ip").map((p) => p.name).sort()).toEqual(["pip-full-afw", "pip-full-afw-2", "pip-full-afw-mgmt", "pip-full-bastion", "pip-full-vgw"]);
    for (const spoke of spokes) expect(resources(spoke.json, "azurerm_public_ip")).toEqual([]);
  });

  it("gives the jumpbox no public IP and SSH keys only", () => {
    const nic = resourceNamed(hub.json, "azurerm_network_interface", "nic-full-jumpbox");
    expect(nic.ip_configuration).toEqual([{ name: "internal", subnet_id: idOf(hub.json, "azurerm_subnet", "snet-jumpbox"), private_ip_address_allocation: "Dynamic" }]);
    expect(hub.text).toHaveResourceWithProperties(LinuxVirtualMachine, {
      disable_password_authentication: true,
      admin_username: "azureops",
      admin_ssh_key: [{ username: "azureops", public_key: expect.stringMatching(/^ssh-ed25519 AAAA/) }],
      network_interface_ids: [idOf(hub.json, "azurerm_network_interface", "nic-full-jumpbox")],
    });
    expect(resources(hub.json, "azurerm_linux_virtual_machine")[0].admin_password).toBeUndefined();
  });

  it("installs the Azure CLI, kubectl and kubelogin at first boot", () => {
    const vm = resources(hub.json, "azurerm_linux_virtual_machine")[0];
    const cloudInit = Buffer.from(vm.custom_data, "base64").toString("utf8");
    expect(cloudInit).toBe(JUMPBOX_CLOUD_INIT);
    expect(cloudInit).toContain("apt-get install -y azure-cli");
    expect(cloudInit).toContain("az aks install-cli --install-location /usr/local/bin/kubectl --kubelogin-install-location /usr/local/bin/kubelogin");
  });

  it("lets SSH into the jumpbox subnet only from Bastion and on-premises, and nothing else", () => {
    const rules = resources(hub.json, "azurerm_network_security_rule").filter((r) => r.network_security_group_name.includes("jumpbox_nsg"));
    expect(rules.map((r) => [r.name, r.access, r.protocol, r.source_address_prefix ?? r.source_address_prefixes, r.destination_port_range])).toEqual([
      ["allow-ssh-from-bastion", "Allow", "Tcp", "10.0.0.128/26", "22"],
      ["allow-ssh-from-onpremises", "Allow", "Tcp", ["192.168.0.0/16", "30.10.0.0/16"], "22"],
      ["deny-all-other-inbound", "Deny", "*", "*", "*"],
    ]);
    const jumpboxNsg = resources(hub.json, "azurerm_network_security_group").find((n) => n.name === "nsg-full-jumpbox");
    expect(jumpboxNsg).toBeDefined();
    expect(resources(hub.json, "azurerm_subnet_network_security_group_association").map((a) => a.subnet_id)).toContain(idOf(hub.json, "azurerm_subnet", "snet-jumpbox"));
  });

  it("sends the jumpbox's egress through the firewall, allowing only its tools' downloads", () => {
    const table = resourceNamed(hub.json, "azurerm_route_table", "rt-full-jumpbox-egress");
    expect(table.route[0]).toEqual(expect.objectContaining({ address_prefix: "0.0.0.0/0", next_hop_type: "VirtualAppliance", next_hop_in_ip_address: expect.stringMatching(/azurerm_firewall\..*private_ip_address/) }));
    const group = resourceNamed(hub.json, "azurerm_firewall_policy_rule_collection_group", "rcg-jumpbox");
    const sources = new Set(group.application_rule_collection[0].rule.flatMap((r: any) => r.source_addresses));
    expect([...sources]).toEqual(["10.0.1.0/24"]);
    expect(group.priority).toBe(500);
    // Its own tools only: no package or provider registry a deploy would download from (the
    // README sends deploys of the apps stack elsewhere for that reason).
    const hosts = group.application_rule_collection[0].rule.flatMap((r: any) => r.destination_fqdns);
    for (const registry of ["registry.npmjs.org", "registry.terraform.io", "releases.hashicorp.com"]) expect(hosts).not.toContain(registry);
  });

  it("runs Azure Bastion on the Standard SKU with tunnelling on, in AzureBastionSubnet", () => {
    expect(hub.text).toHaveResourceWithProperties(BastionHost, {
      sku: "Standard",
      tunneling_enabled: true,
      shareable_link_enabled: false,
      ip_configuration: { name: "bastion", subnet_id: idOf(hub.json, "azurerm_subnet", "AzureBastionSubnet"), public_ip_address_id: idOf(hub.json, "azurerm_public_ip", "pip-full-bastion") },
    });
  });

  it("builds no Bastion, resolver or jumpbox when their subnets are absent", () => {
    const minimal = synth(stacks(environment(changed((r) => {
      delete r.hub.subnets.jumpbox;
      delete r.hub.subnets.bastion;
      delete r.hub.jumpbox;
    }))).hub).json;
    for (const type of ["azurerm_bastion_host", "azurerm_private_dns_resolver", "azurerm_linux_virtual_machine"]) expect(resources(minimal, type)).toEqual([]);
    expect(minimal.output.dns_resolver_inbound_ip).toBeUndefined();
  });

  it("boots the jumpbox only after its route to the firewall, its NSG, the firewall and the rules its first boot needs", () => {
    const vm = resources(hub.json, "azurerm_linux_virtual_machine")[0];
    const group = address(hub.json, "azurerm_firewall_policy_rule_collection_group", "rcg-jumpbox");
    const table = address(hub.json, "azurerm_route_table", "rt-full-jumpbox-egress");
    const association = Object.entries(hub.json.resource.azurerm_subnet_route_table_association).find(([, a]: [string, any]) => a.route_table_id === `\${${table}.id}`)![0];
    const nsgAssociation = Object.entries(hub.json.resource.azurerm_subnet_network_security_group_association).find(([, a]: [string, any]) => a.subnet_id === idOf(hub.json, "azurerm_subnet", "snet-jumpbox"))![0];
    expect(vm.depends_on).toEqual(expect.arrayContaining([
      group,
      `azurerm_subnet_route_table_association.${association}`,
      `azurerm_subnet_network_security_group_association.${nsgAssociation}`,
      address(hub.json, "azurerm_firewall", "afw-full-hub"),
    ]));
  });

  it("runs the jumpbox on a current-generation size with Trusted Launch (secure boot and vTPM)", () => {
    expect(resources(hub.json, "azurerm_linux_virtual_machine")[0]).toEqual(expect.objectContaining({ size: "Standard_B2s_v2", secure_boot_enabled: true, vtpm_enabled: true }));
  });

  it("denies everything else into the jumpbox subnet with an explicit rule", () => {
    const deny = resources(hub.json, "azurerm_network_security_rule").find((r) => r.name === "deny-all-other-inbound");
    expect(deny).toEqual(expect.objectContaining({ direction: "Inbound", access: "Deny", priority: 4000, source_address_prefix: "*", destination_port_range: "*" }));
  });

  it("warns when the jumpbox has no way in", () => {
    const hubStack = stacks(environment(changed((r) => delete r.hub.subnets.bastion))).hub;
    const warnings = warningsOf(hubStack).map((w) => w.message);
    expect(warnings).toEqual(["the jumpbox has no way in: set hub.subnets.bastion (Azure Bastion) or onPremises (SSH over VPN/ExpressRoute)"]);
  });

  it("gives the default environment a way in: Bastion, so it synthesizes with no warning", () => {
    expect(warningsOf(stacks().hub)).toEqual([]);
  });
});
