/**
 * The runtime policy table, judged by Microsoft's data: the built-in definitions it names (by
 * GUID, display name, version and parameters) and the aliases its custom rules read, as
 * extracted into __tests__/fixtures by scripts/extract-policy-fixtures.js; and each custom
 * rule's meaning, on requests that break and keep its guardrail.
 */
import { BUILT_IN_POLICIES, CUSTOM_POLICIES, ENFORCED_GUARDRAILS, KUBERNETES_EXCLUDED_NAMESPACES, POD_SECURITY_EFFECT, POD_SECURITY_INITIATIVES, RUNTIME_ENFORCEMENT } from "../../lib/domain/runtime-policies";
import { GUARDRAILS } from "../../lib/policy/rules";
import { ALIASES, aliasesIn, aliasPath, BUILT_IN_INITIATIVES, BUILT_INS, holds, type Request } from "../policy-language";

const guid = (id: string) => id.split("/").pop() as string;
const ALIAS_TYPES = Object.keys(ALIASES).map((t) => t.toLowerCase());

describe("one table, two enforcers", () => {
  it("has an entry for every guardrail, and none for anything else", () => {
    expect(Object.keys(RUNTIME_ENFORCEMENT).sort()).toEqual(GUARDRAILS.map((g) => g.id).sort());
  });

  it("says why, where Azure Policy cannot enforce a guardrail", () => {
    const none = Object.entries(RUNTIME_ENFORCEMENT).filter(([, e]) => "none" in e);
    expect(none.map(([id]) => id).sort()).toEqual(["FW-001", "K8S-002", "SEC-001"]);
    for (const [, e] of none) expect("none" in e && e.none.length).toBeGreaterThan(40);
  });

  it("gives each policy of a guardrail its own key (the assignment's name), and a message that names the guardrail", () => {
    for (const [id, e] of Object.entries(RUNTIME_ENFORCEMENT)) {
      if (!("policies" in e)) continue;
      expect(new Set(e.policies.map((p) => p.key)).size).toBe(e.policies.length);
      expect(e.message).toContain(id);
    }
    expect(ENFORCED_GUARDRAILS.length).toBe(GUARDRAILS.length - 3);
  });
});

describe.each(Object.entries(BUILT_IN_POLICIES))("built-in %s", (_key, b) => {
  const published = BUILT_INS[guid(b.id)];
  const uses = Object.values(RUNTIME_ENFORCEMENT).flatMap((e) => ("policies" in e ? e.policies : [])).filter((p) => "builtIn" in p.definition && BUILT_IN_POLICIES[p.definition.builtIn] === b);

  it("is Microsoft's, by GUID, display name and pinned version", () => {
    expect(b.id).toMatch(/^\/providers\/Microsoft\.Authorization\/policyDefinitions\/[0-9a-f-]{36}$/);
    expect(published).toBeDefined();
    expect([b.displayName, b.version]).toEqual([published.displayName, published.version]);
  });

  it("takes the effect values we give it, or has a fixed deny", () => {
    if (b.effectParameter === undefined) {
      expect(published.parameters.effect).toBeUndefined();
      expect(published.effect.toLowerCase()).toBe("deny");
    } else {
      expect(published.parameters.effect.allowedValues).toEqual(expect.arrayContaining(["Deny", "Audit"]));
    }
  });

  it("receives only parameters it declares, of its types", () => {
    const json = { Array: (v: unknown) => Array.isArray(v), Boolean: (v: unknown) => typeof v === "boolean", String: (v: unknown) => typeof v === "string" } as Record<string, (v: unknown) => boolean>;
    for (const p of uses) {
      for (const [name, value] of Object.entries(p.parameters ?? {})) {
        expect([name, published.parameters[name]?.type]).toEqual([name, expect.any(String)]);
        expect([name, json[published.parameters[name].type](value)]).toEqual([name, true]);
      }
    }
  });
});

describe("the Kubernetes built-ins", () => {
  it.each(["k8sInternalLoadBalancers", "k8sHostNetworkAndPorts"] as const)("%s: leave out the definition's own system namespaces and the emergency path's", (key) => {
    const defaults = BUILT_INS[guid(BUILT_IN_POLICIES[key].id)].parameters.excludedNamespaces.defaultValue as string[];
    expect(KUBERNETES_EXCLUDED_NAMESPACES).toEqual(expect.arrayContaining([...defaults, "aks-command"]));
  });

  it("K8S-003 allows no host network and no host port", () => {
    const e = RUNTIME_ENFORCEMENT["K8S-003"];
    expect("policies" in e && e.policies[0].parameters).toEqual(expect.objectContaining({ allowHostNetwork: false, allowedHostPorts: [] }));
  });
});

describe.each(Object.entries(POD_SECURITY_INITIATIVES))("pod security initiative %s", (_level, initiative) => {
  const copies = BUILT_IN_INITIATIVES[guid(initiative.id)] ?? [];
  const publicCloud = copies.find((c) => !/Azure (Government|China)/.test(c.file));

  it("is Microsoft's, by GUID, display name and version", () => {
    expect(publicCloud).toEqual(expect.objectContaining({ displayName: initiative.displayName, version: initiative.version }));
  });

  it("takes the effects we write in every cloud's copy (the sovereign clouds allow only the capitalized spelling)", () => {
    expect(copies.length).toBeGreaterThan(1);
    for (const c of copies) expect(c.parameters.effect.allowedValues).toEqual(expect.arrayContaining(Object.values(POD_SECURITY_EFFECT)));
  });

  it("keeps its own system namespaces excluded when we give the list (a value given replaces the default), and the emergency path's", () => {
    for (const c of copies) expect(KUBERNETES_EXCLUDED_NAMESPACES).toEqual(expect.arrayContaining([...(c.parameters.excludedNamespaces.defaultValue as string[]), "aks-command"]));
  });
});

describe.each(Object.entries(CUSTOM_POLICIES))("custom %s", (_key, c) => {
  it("reads only aliases Azure has", () => {
    const aliases = aliasesIn(c.if);
    expect(aliases.length).toBeGreaterThan(0);
    expect(aliases.filter((a) => aliasPath(a) === undefined)).toEqual([]);
  });

  it("names only resource types Azure has", () => {
    const types: string[] = [];
    const walk = (x: any): void => {
      if (Array.isArray(x)) return x.forEach(walk);
      if (x && typeof x === "object") {
        if (x.field === "type" && typeof x.equals === "string") types.push(x.equals);
        Object.values(x).forEach(walk);
      }
    };
    walk(c.if);
    expect(types.length).toBeGreaterThan(0);
    expect(types.filter((t) => !ALIAS_TYPES.includes(t.toLowerCase()))).toEqual([]);
  });

  it("declares every parameter its rule reads, and allows only Azure's effects", () => {
    const read = [...JSON.stringify(c.if).matchAll(/\[parameters\('([^']+)'\)\]/g)].map((m) => m[1]);
    expect(read.filter((p) => !Object.keys("parameters" in c ? c.parameters : {}).includes(p))).toEqual([]);
    expect(c.effects.every((e) => ["Audit", "Deny", "Disabled"].includes(e))).toBe(true);
  });
});

/** Requests that break (first) and keep (second) each custom rule. */
const FW = { firewallPrivateIp: "10.0.1.4" };
const rt = (disableBgpRoutePropagation: boolean, routes: [string, string, string?][]): Request => ({
  type: "Microsoft.Network/routeTables",
  properties: { disableBgpRoutePropagation, routes: routes.map(([addressPrefix, nextHopType, nextHopIpAddress]) => ({ properties: { addressPrefix, nextHopType, ...(nextHopIpAddress ? { nextHopIpAddress } : {}) } })) },
});
const nsg = (rules: Record<string, unknown>[]): Request => ({ type: "Microsoft.Network/networkSecurityGroups", properties: { securityRules: rules.map((properties) => ({ properties })) } });
const aks = (props: Record<string, unknown>): Request => ({ type: "Microsoft.ContainerService/managedClusters", properties: props });

const EXAMPLES: Record<keyof typeof CUSTOM_POLICIES, { breaks: [string, Request][]; keeps: [string, Request][] }> = {
  "route-table-via-firewall": {
    breaks: [
      ["BGP propagation on", rt(false, [["0.0.0.0/0", "VirtualAppliance", "10.0.1.4"]])],
      ["no default route", rt(true, [])],
      ["the default route to another appliance", rt(true, [["0.0.0.0/0", "VirtualAppliance", "10.9.9.9"]])],
      ["the default route to the Internet", rt(true, [["0.0.0.0/0", "Internet"]])],
      ["a route to the Internet beside the default", rt(true, [["0.0.0.0/0", "VirtualAppliance", "10.0.1.4"], ["8.8.8.8/32", "Internet"]])],
      ["a route of its own to the Internet", { type: "Microsoft.Network/routeTables/routes", properties: { addressPrefix: "1.2.3.0/24", nextHopType: "Internet" } }],
      ["a default route of its own to the gateway", { type: "Microsoft.Network/routeTables/routes", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualNetworkGateway" } }],
    ],
    keeps: [
      ["the default route to the firewall", rt(true, [["0.0.0.0/0", "VirtualAppliance", "10.0.1.4"]])],
      ["on-premises through the firewall too", rt(true, [["0.0.0.0/0", "VirtualAppliance", "10.0.1.4"], ["192.168.0.0/16", "VirtualAppliance", "10.0.1.4"]])],
      ["a route of its own to the firewall", { type: "Microsoft.Network/routeTables/routes", properties: { addressPrefix: "192.168.0.0/16", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.9.9.9" } }],
      ["another resource type", { type: "Microsoft.Network/virtualNetworks", properties: {} }],
    ],
  },
  "subnet-nsg-and-route-table": {
    breaks: [
      ["no NSG", { type: "Microsoft.Network/virtualNetworks/subnets", properties: { routeTable: { id: "rt" } } }],
      ["no route table", { type: "Microsoft.Network/virtualNetworks/subnets", properties: { networkSecurityGroup: { id: "nsg" } } }],
    ],
    keeps: [["both", { type: "Microsoft.Network/virtualNetworks/subnets", properties: { networkSecurityGroup: { id: "nsg" }, routeTable: { id: "rt" } } }]],
  },
  "nsg-no-anywhere-rules": {
    breaks: [
      ["inbound from Internet", nsg([{ access: "Allow", direction: "Inbound", sourceAddressPrefix: "Internet" }])],
      ["inbound from * among private prefixes", nsg([{ access: "Deny", direction: "Inbound", sourceAddressPrefix: "*" }, { access: "Allow", direction: "Inbound", sourceAddressPrefixes: ["10.0.0.0/8", "*"] }])],
      ["outbound to 0.0.0.0/0", nsg([{ access: "Allow", direction: "Outbound", destinationAddressPrefix: "0.0.0.0/0" }])],
      ["a rule of its own from anywhere", { type: "Microsoft.Network/networkSecurityGroups/securityRules", properties: { access: "Allow", direction: "Inbound", sourceAddressPrefix: "*" } }],
      // What the cloud provider writes for a Service whose loadBalancerSourceRanges is ::/0.
      ["inbound from anywhere in IPv6", nsg([{ access: "Allow", direction: "Inbound", sourceAddressPrefix: "::/0" }])],
    ],
    keeps: [
      ["no rules", nsg([])],
      ["inbound from a private range", nsg([{ access: "Allow", direction: "Inbound", sourceAddressPrefix: "10.0.0.0/8", destinationAddressPrefix: "*" }])],
      ["deny from anywhere", nsg([{ access: "Deny", direction: "Inbound", sourceAddressPrefix: "*" }])],
      ["inbound from VirtualNetwork to anywhere", nsg([{ access: "Allow", direction: "Inbound", sourceAddressPrefixes: ["VirtualNetwork"], destinationAddressPrefix: "*" }])],
    ],
  },
  "bastion-no-shareable-links": {
    breaks: [["shareable links", { type: "Microsoft.Network/bastionHosts", properties: { enableShareableLink: true } }]],
    keeps: [["none", { type: "Microsoft.Network/bastionHosts", properties: { enableShareableLink: false } }], ["Basic SKU (no such property)", { type: "Microsoft.Network/bastionHosts", properties: {} }]],
  },
  "firewall-no-dnat": {
    breaks: [["a DNAT collection", { type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", properties: { ruleCollections: [{ ruleCollectionType: "FirewallPolicyFilterRuleCollection" }, { ruleCollectionType: "FirewallPolicyNatRuleCollection" }] } }]],
    keeps: [["filter collections", { type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", properties: { ruleCollections: [{ ruleCollectionType: "FirewallPolicyFilterRuleCollection" }] } }]],
  },
  "aks-no-public-fqdn": {
    breaks: [["a public FQDN", aks({ apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true } })]],
    keeps: [["none", aks({ apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false } })]],
  },
  "aks-user-defined-routing": {
    breaks: [["a load balancer's egress", aks({ networkProfile: { outboundType: "loadBalancer" } })], ["a NAT gateway", aks({ networkProfile: { outboundType: "managedNATGateway" } })]],
    keeps: [["userDefinedRouting", aks({ networkProfile: { outboundType: "userDefinedRouting" } })], ["none (a network-isolated cluster: AKS sets up no egress path)", aks({ networkProfile: { outboundType: "none" } })]],
  },
  "aks-azure-rbac": {
    breaks: [["Kubernetes RBAC with Entra ID", aks({ aadProfile: { managed: true, enableAzureRBAC: false } })]],
    keeps: [["Azure RBAC", aks({ aadProfile: { managed: true, enableAzureRBAC: true } })]],
  },
  "aks-no-node-public-ip": {
    breaks: [
      ["a pool with public IPs", aks({ agentPoolProfiles: [{ enableNodePublicIP: false }, { enableNodePublicIP: true }] })],
      ["a pool of its own with public IPs", { type: "Microsoft.ContainerService/managedClusters/agentPools", properties: { enableNodePublicIP: true } }],
    ],
    keeps: [["private pools", aks({ agentPoolProfiles: [{ enableNodePublicIP: false }, {}] })]],
  },
  "linux-vm-ssh-keys-only": {
    breaks: [["password logins", { type: "Microsoft.Compute/virtualMachines", properties: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: false } } } }]],
    keeps: [["keys only", { type: "Microsoft.Compute/virtualMachines", properties: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } } } }]],
  },
  "monitor-private-ingestion": {
    breaks: [
      ["a scope open to public ingestion", { type: "Microsoft.Insights/privateLinkScopes", properties: { accessModeSettings: { ingestionAccessMode: "Open", queryAccessMode: "Open" } } }],
      ["a workspace taking public ingestion", { type: "Microsoft.OperationalInsights/workspaces", properties: { publicNetworkAccessForIngestion: "Enabled" } }],
      ["a public data collection endpoint", { type: "Microsoft.Insights/dataCollectionEndpoints", properties: { networkAcls: { publicNetworkAccess: "Enabled" } } }],
    ],
    keeps: [
      ["private ingestion, public queries", { type: "Microsoft.Insights/privateLinkScopes", properties: { accessModeSettings: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open" } } }],
      ["a workspace queried publicly", { type: "Microsoft.OperationalInsights/workspaces", properties: { publicNetworkAccessForIngestion: "Disabled", publicNetworkAccessForQuery: "Enabled" } }],
    ],
  },
};

describe.each(Object.entries(EXAMPLES))("what %s refuses", (key, { breaks, keeps }) => {
  const rule = CUSTOM_POLICIES[key as keyof typeof CUSTOM_POLICIES].if;
  it.each(breaks)("refuses %s", (_what, request) => expect(holds(rule, request, FW)).toBe(true));
  it.each(keeps)("lets %s through", (_what, request) => expect(holds(rule, request, FW)).toBe(false));
});
