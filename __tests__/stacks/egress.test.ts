import { Firewall } from "@cdktf/provider-azurerm/lib/firewall";
import { FirewallPolicy } from "@cdktf/provider-azurerm/lib/firewall-policy";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { defaultRulePriority } from "../../lib/domain/priorities";
import { AKS_EGRESS_CATALOG } from "../../lib/domain/aks-egress-catalog";
import { FIREWALL_LOG_CATEGORIES } from "../../lib/constructs/egress-firewall";
import { warningsOf } from "../../lib/policy/guardrails";
import { address, changed, environment, resourceNamed, resources, stacks, synth } from "../helpers";

/** The spokes' rule collection groups (the jumpbox has its own, tested with the access path). */
function spokeGroups(json: any) {
  return resources(json, "azurerm_firewall_policy_rule_collection_group").filter((g) => g.name !== "rcg-jumpbox");
}

/** The CIDRs a rule's sources stand for: its addresses, and those of the IP groups it names. */
function sourcesOf(json: any, rule: any): string[] {
  const groups = (rule.source_ip_groups ?? []).map((ref: string) => {
    const key = /^\$\{azurerm_ip_group\.([^.]+)\.id\}$/.exec(ref)?.[1];
    return key ? json.resource.azurerm_ip_group[key].cidrs : [ref];
  });
  return [...(rule.source_addresses ?? []), ...groups.flat()];
}

/** Every rule of every spoke rule collection group, flattened, with the group it sits in and the CIDRs of its sources. */
function firewallRules(json: any) {
  return spokeGroups(json).flatMap((g) => [
    ...(g.application_rule_collection ?? []).flatMap((c: any) => c.rule.map((r: any) => ({ group: g.name, kind: "application", action: c.action, ...r, sources: sourcesOf(json, r) }))),
    ...(g.network_rule_collection ?? []).flatMap((c: any) => c.rule.map((r: any) => ({ group: g.name, kind: "network", action: c.action, ...r, sources: sourcesOf(json, r) }))),
  ]);
}

describe("the hub's firewall", () => {
  const { text, json } = synth(stacks().hub);

  it("has a Standard static public IP for egress, in the firewall's zones", () => {
    expect(text).toHaveResourceWithProperties(PublicIp, { name: "pip-demo-afw", sku: "Standard", allocation_method: "Static", zones: ["1", "2", "3"] });
    expect(resources(json, "azurerm_public_ip").map((p) => p.name).sort()).toEqual(["pip-demo-afw", "pip-demo-bastion"]);
  });

  it("sits in AzureFirewallSubnet with a firewall policy of the environment's tier", () => {
    const subnet = Object.entries(json.resource.azurerm_subnet).find(([, s]: [string, any]) => s.name === "AzureFirewallSubnet")![0];
    expect(text).toHaveResourceWithProperties(Firewall, {
      sku_name: "AZFW_VNet",
      sku_tier: "Standard",
      zones: ["1", "2", "3"],
      firewall_policy_id: expect.stringContaining("azurerm_firewall_policy."),
      ip_configuration: [expect.objectContaining({ subnet_id: `\${azurerm_subnet.${subnet}.id}` })],
    });
    expect(resources(json, "azurerm_firewall")[0].management_ip_configuration).toBeUndefined();
  });

  it("denies known-malicious traffic and proxies DNS by default", () => {
    expect(text).toHaveResourceWithProperties(FirewallPolicy, { sku: "Standard", threat_intelligence_mode: "Deny", dns: { proxy_enabled: true } });
  });

  it("sends the firewall's resource-specific logs to the hub workspace", () => {
    expect(text).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringContaining("azurerm_firewall."),
      log_analytics_workspace_id: expect.stringContaining("azurerm_log_analytics_workspace."),
      log_analytics_destination_type: "Dedicated",
      enabled_log: FIREWALL_LOG_CATEGORIES.map((category) => ({ category })),
    });
  });

  it("gives the Basic tier a management IP configuration in AzureFirewallManagementSubnet", () => {
    const env = environment(changed((r) => {
      r.hub.subnets.firewallManagement = "10.0.0.64/26";
      Object.assign(r.hub.firewall, { tier: "Basic", dnsProxy: false, threatIntelMode: "Alert" });
    }));
    const basic = synth(stacks(env).hub).json;
    const firewall = resources(basic, "azurerm_firewall")[0];
    expect(firewall.sku_tier).toBe("Basic");
    expect(firewall.management_ip_configuration).toEqual(expect.objectContaining({ name: "management", public_ip_address_id: expect.stringContaining("management-public-ip") }));
    expect(resources(basic, "azurerm_firewall_policy")[0]).toEqual(expect.objectContaining({ sku: "Basic", threat_intelligence_mode: "Alert" }));
    expect(resources(basic, "azurerm_firewall_policy")[0].dns).toBeUndefined();
  });
});

describe("the AKS egress rules", () => {
  const { json } = synth(stacks().hub);
  const rules = firewallRules(json);

  it("allow every required catalog FQDN over HTTPS 443 from the node subnet", () => {
    const required = AKS_EGRESS_CATALOG.find((g) => g.id === "required")!.entries.flatMap((e) => (e.kind === "application" ? e.fqdns ?? [] : []));
    expect(required).toEqual(expect.arrayContaining(["mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com", "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net", "packages.aks.azure.com"]));
    for (const fqdn of required) {
      const allowing = rules.filter((r) => r.kind === "application" && r.destination_fqdns?.includes(fqdn));
      expect({ fqdn, rules: allowing.map((r) => [r.action, r.sources, r.protocols]) }).toEqual({ fqdn, rules: [["Allow", ["10.0.5.0/24"], [{ type: "Https", port: 443 }]]] });
    }
  });

  it("allow the AzureKubernetesService FQDN tag over HTTP 80 and HTTPS 443, and NTP, from the node subnet", () => {
    expect(rules).toContainEqual(expect.objectContaining({
      name: "aks-fqdn-tag",
      destination_fqdn_tags: ["AzureKubernetesService"],
      sources: ["10.0.5.0/24"],
      protocols: [{ type: "Http", port: 80 }, { type: "Https", port: 443 }],
    }));
    expect(rules).toContainEqual(expect.objectContaining({ name: "aks-ntp", protocols: ["UDP"], destination_ports: ["123"], destination_fqdns: ["ntp.ubuntu.com"], sources: ["10.0.5.0/24"] }));
  });

  it("never use '*' as a source, and nothing is allowed to everywhere", () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.sources).not.toContain("*");
      expect(rule.sources).not.toContain("0.0.0.0/0");
      expect(rule.destination_fqdns ?? []).not.toContain("*");
      // The only address destinations are Microsoft's service tags, never a range or '*'.
      for (const d of rule.destination_addresses ?? []) expect(d).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.action).toBe("Allow");
    }
  });

  it("leave the optional Ubuntu and Docker Hub groups off by default", () => {
    const names = rules.map((r) => r.name);
    expect(names).toEqual(["aks-fqdn-tag", "aks-required-fqdns", "aks-azure-policy", "aks-container-insights", "aks-ntp", "aks-azure-monitor"]);
  });

  it("allow Container Insights to the AzureMonitor service tag over TCP 443, from the node subnet only", () => {
    expect(rules.filter((r) => r.name === "aks-azure-monitor")).toEqual([
      expect.objectContaining({ kind: "network", action: "Allow", protocols: ["TCP"], destination_addresses: ["AzureMonitor"], destination_ports: ["443"], sources: ["10.0.5.0/24"] }),
    ]);
  });

  it("add the groups and destinations a spoke switches on", () => {
    const env = environment(changed((r) => Object.assign(r.spokes[0], { egress: { ubuntuUpdates: true, dockerHub: true, containerInsights: false, fqdns: ["api.contoso.com"] } })));
    const more = firewallRules(synth(stacks(env).hub).json);
    expect(more.map((r) => r.name)).toEqual(["aks-fqdn-tag", "aks-required-fqdns", "aks-azure-policy", "ubuntu-updates", "docker-hub", "spoke-fqdns", "aks-ntp"]);
    expect(more.find((r) => r.name === "ubuntu-updates").protocols).toEqual([{ type: "Http", port: 80 }]);
    expect(more.find((r) => r.name === "spoke-fqdns")).toEqual(expect.objectContaining({ destination_fqdns: ["api.contoso.com"], protocols: [{ type: "Https", port: 443 }] }));
  });

  it("allow Defender for Containers' own endpoints (Microsoft lists them beside the FQDN tag) only where the cluster runs its sensor, with or without Container Insights", () => {
    const env = environment(changed((r) => { r.spokes[0].cluster.defender = true; r.spokes[0].egress = { containerInsights: false }; }));
    const defender = firewallRules(synth(stacks(env).hub).json).filter((r) => r.name === "aks-defender");
    expect(defender).toEqual([expect.objectContaining({ kind: "application", destination_fqdns: ["login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"], protocols: [{ type: "Https", port: 443 }], sources: ["10.0.5.0/24"] })]);
    expect(rules.map((r) => r.name)).not.toContain("aks-defender");
  });

  it("give each spoke its own group, with distinct priorities and only its own node subnet as source", () => {
    const env = environment(changed((r) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" } })));
    const groups = spokeGroups(synth(stacks(env).hub).json);
    expect(groups.map((g) => [g.name, g.priority])).toEqual([["rcg-aks1", defaultRulePriority("aks1")], ["rcg-aks2", defaultRulePriority("aks2")]]);
    expect(groups[0].priority).not.toBe(groups[1].priority);
    const hubJson = synth(stacks(env).hub).json;
    const sources = (g: any) => new Set(g.application_rule_collection[0].rule.flatMap((r: any) => sourcesOf(hubJson, r)));
    expect([...sources(groups[0])]).toEqual(["10.0.5.0/24"]);
    expect([...sources(groups[1])]).toEqual(["10.0.8.0/24"]);
  });

  it("wait for the firewall before adding groups to its policy (Azure refuses policy changes while the firewall is provisioning)", () => {
    const hubJson = synth(stacks(environment(changed((r) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" } })))).hub).json;
    const firewall = address(hubJson, "azurerm_firewall", "afw-demo-hub");
    const groups = resources(hubJson, "azurerm_firewall_policy_rule_collection_group");
    expect(groups.map((g) => g.name).sort()).toEqual(["rcg-aks1", "rcg-aks2", "rcg-jumpbox"]);
    for (const g of groups) expect({ group: g.name, waits: g.depends_on ?? [] }).toEqual({ group: g.name, waits: expect.arrayContaining([firewall]) });
  });

  it("name each spoke's sources through its own IP group, holding exactly the node subnet", () => {
    const env = environment(changed((r) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" } })));
    const hubJson = synth(stacks(env).hub).json;
    expect(resources(hubJson, "azurerm_ip_group").map((g) => [g.name, g.cidrs, g.location])).toEqual([
      ["ipg-demo-aks1", ["10.0.5.0/24"], "westeurope"],
      ["ipg-demo-aks2", ["10.0.8.0/24"], "westeurope"],
    ]);
    for (const group of spokeGroups(hubJson)) {
      const ipg = `\${${address(hubJson, "azurerm_ip_group", `ipg-demo-${group.name.slice(4)}`)}.id}`;
      for (const c of [...(group.application_rule_collection ?? []), ...(group.network_rule_collection ?? [])]) {
        for (const rule of c.rule) expect({ rule: rule.name, ipGroups: rule.source_ip_groups, addresses: rule.source_addresses }).toEqual({ rule: rule.name, ipGroups: [ipg], addresses: undefined });
      }
    }
  });

  it("leave out the FQDN network rule, with a warning, when the firewall has no DNS proxy", () => {
    const env = environment(changed((r) => (r.hub.firewall.dnsProxy = false)));
    const hub = stacks(env).hub;
    const out = firewallRules(synth(hub).json);
    expect(out.map((r) => r.name)).not.toContain("aks-ntp");
    const warnings = warningsOf(hub).map((w) => w.message).filter((m) => m.startsWith("egress catalog"));
    expect(warnings).toEqual(["egress catalog entry aks-ntp left out for spoke aks1: FQDN network rules need the firewall's DNS proxy (hub.firewall.dnsProxy)"]);
  });

  it("every catalog entry names the documentation it comes from", () => {
    for (const group of AKS_EGRESS_CATALOG) {
      for (const entry of group.entries) expect({ id: entry.id, cited: entry.source.length > 20 }).toEqual({ id: entry.id, cited: true });
    }
  });

  it("route spoke egress to the firewall's private IP", () => {
    const built = stacks();
    const spoke = synth(built.spokes[0]).json;
    const hub = synth(built.hub).json;
    const route = resourceNamed(spoke, "azurerm_route_table", "rt-demo-aks1-egress").route[0];
    const output = /outputs\.([^}]+)\}$/.exec(route.next_hop_in_ip_address)![1];
    expect(hub.output[output].value).toMatch(/^\$\{azurerm_firewall\.[^.]+\.ip_configuration\[0\]\.private_ip_address\}$/);
  });
});

describe("many spokes", () => {
  const spoke = (name: string, octet: number) => ({ name, addressSpace: [`10.${octet}.0.0/22`], subnets: { nodes: `10.${octet}.1.0/24` }, cluster: { userPools: [] } });
  const three = environment(changed((r) => {
    r.spokes = [spoke("alpha", 10), spoke("bravo", 11), spoke("charlie", 12)];
  }));
  const two = environment(changed((r) => {
    r.spokes = [spoke("alpha", 10), spoke("charlie", 12)];
  }));

  it("removing a spoke changes no other spoke's stack, byte for byte, nor its rule collection group", () => {
    const [a, b] = [stacks(three), stacks(two)];
    for (const name of ["alpha", "charlie"]) {
      expect(synth(a.spokes.find((s) => s.node.id === `demo-${name}`)!).text).toBe(synth(b.spokes.find((s) => s.node.id === `demo-${name}`)!).text);
    }
    const group = (json: any, name: string) => JSON.stringify(resourceNamed(json, "azurerm_firewall_policy_rule_collection_group", `rcg-${name}`));
    const [ha, hb] = [synth(a.hub).json, synth(b.hub).json];
    for (const name of ["alpha", "charlie"]) expect(group(ha, name)).toBe(group(hb, name));
  });

  it("adding a spoke with API Server VNet Integration (and the hub's private.<region> zone with it) changes no other spoke's stack", () => {
    const withIntegrated = environment(changed((r) => {
      r.spokes = [spoke("alpha", 10), { ...spoke("bravo", 11), subnets: { nodes: "10.11.1.0/24", apiServer: "10.11.2.0/28" } }, spoke("charlie", 12)];
    }));
    const [a, b] = [stacks(withIntegrated), stacks(two)];
    expect(resources(synth(a.hub).json, "azurerm_private_dns_zone").map((z) => z.name)).toContain("private.westeurope.azmk8s.io");
    for (const name of ["alpha", "charlie"]) {
      expect(synth(a.spokes.find((s) => s.node.id === `demo-${name}`)!).text).toBe(synth(b.spokes.find((s) => s.node.id === `demo-${name}`)!).text);
    }
  });

  it("derives each spoke's priority from its name, into 1000-63999", () => {
    for (const name of ["alpha", "bravo", "charlie", "aks1"]) {
      expect(defaultRulePriority(name)).toBeGreaterThanOrEqual(1000);
      expect(defaultRulePriority(name)).toBeLessThanOrEqual(63999);
    }
  });
});

describe("the firewall's egress addresses, as outputs", () => {
  it("lists every egress address when the firewall has several: it SNATs each connection through any of them", () => {
    const hub = synth(stacks(environment(changed((r) => (r.hub.firewall.egressIps = 2)))).hub).json;
    const ips = resources(hub, "azurerm_public_ip").filter((p) => p.name.startsWith("pip-demo-afw"));
    expect([...hub.output.firewall_public_ips.value].sort()).toEqual(ips.map((p) => `${"$"}{${address(hub, "azurerm_public_ip", p.name)}.ip_address}`).sort());
    expect(hub.output.firewall_public_ips.value).toHaveLength(2);
    // No single address to hand out: a partner allow-listing one would drop half the calls.
    expect(hub.output.firewall_public_ip).toBeUndefined();
  });

  it("keeps firewall_public_ip beside the list when there is one egress address", () => {
    const hub = synth(stacks().hub).json;
    expect(hub.output.firewall_public_ips.value).toHaveLength(1);
    expect(hub.output.firewall_public_ip.value).toBe(hub.output.firewall_public_ips.value[0]);
  });
});

