/**
 * Rules the azurerm provider or Azure enforce at plan or apply time, pinned on the
 * synthesized output of every shipped environment and of the largest inputs the schema
 * allows, so that a user's first `cdktf deploy` does not meet them half an hour in.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import type { z } from "zod";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { synthesize } from "../lib/app";
import { AKS_VERSIONS, checkKubernetesVersion } from "../lib/domain/aks-versions";
import { AZURE_REGIONS } from "../lib/domain/azure-regions";
import { environmentSchema } from "../lib/config/schema";
import { ruleName } from "../lib/constructs/dns-resolver";
import { AZURE_NAME_RULES, checkName, checkStackNames } from "../lib/policy/azure-names";
import { changed, ENVIRONMENTS_DIR, environment, namedEnvironment, problems, stacks, synth, withoutSampleKeyWarning } from "./helpers";
import { SHIPPED, SHIPPED_SETS, shippedOutput } from "./shipped";

/** The longest names the schema allows: 16-character environment and spoke names, the longest region, long DNS names. */
function longestNames() {
  const longestRegion = [...AZURE_REGIONS].sort((a, b) => b.length - a.length)[0];
  const label = (n: number) => "a".repeat(n);
  return environment(changed((r) => {
    r.name = "e234567890123456";
    r.location = longestRegion;
    r.onPremises = ["192.168.0.0/16"];
    r.hub.subnets.dnsResolverInbound = "10.0.2.0/28";
    r.hub.subnets.dnsResolverOutbound = "10.0.2.16/28";
    r.hub.dns = {
      zones: [`${label(63)}.${label(63)}.internal`, "corp.internal"],
      forwarding: [
        { domain: `${label(63)}.${label(63)}.${label(63)}.example.com.`, targets: ["192.168.0.4"] },
        { domain: `${label(63)}.${label(63)}.${label(63)}.example.org.`, targets: ["192.168.0.4"] },
        { domain: "168.192.in-addr.arpa.", targets: ["192.168.0.4"] },
      ],
    };
    r.spokes[0].name = "s234567890123456";
    r.spokes[0].cluster.userPools = [{ name: "p23456789012", minCount: 1, maxCount: 2 }];
    r.spokes[0].apps[0].name = "a234567890123456789012345678901234567890";
    // Every optional named resource: registry, vault (and an app's identity and federated credential), monitoring private link.
    r.hub.subnets.privateEndpoints = "10.0.2.64/27";
    r.hub.registry = { name: `acr${label(47)}` };
    r.hub.keyVault = { name: `kv-${label(21)}` };
    r.hub.monitoring = { privateLink: true };
    r.spokes[0].apps[0].secrets = ["s"];
    // Network isolation (the kubelet's identity, the registry's cache rule) and TLS inspection (its resource group, vault and identity).
    r.spokes[0].cluster.networkIsolated = true;
    r.spokes[0].apps[0].image = `acr${label(47)}.azurecr.io/aks-managed-repository/dotnet/samples:aspnetapp`;
    r.hub.firewall.tier = "Premium";
    r.hub.firewall.tlsInspection = { keyVault: { name: `t${label(23)}` }, caCertificate: "certs/firewall-intermediate-ca.crt", certificateName: label(127), importerObjectIds: ["11111111-1111-1111-1111-111111111111"], certificateImported: true };
    r.spokes[0].egress = { fqdns: ["api.contoso.com"], tlsInspection: ["api.contoso.com"] };
  }));
}

describe("Azure's naming rules, on the synthesized JSON", () => {
  it.each(SHIPPED_SETS.map((names) => names.join(" + ")))("hold for every resource of every stack of %s", (set) => {
    const out = shippedOutput(set.split(" + "));
    expect(out.stacks.length).toBeGreaterThan(1);
    for (const id of out.stacks) expect(checkStackNames(id, out.stack(id))).toEqual([]);
  });

  it("hold for the longest names the schema allows", () => {
    const built = stacks(longestNames());
    const checked = [built.hub, ...built.spokes].map((s) => synth(s).json);
    checked.forEach((json, i) => expect(checkStackNames(`stack${i}`, json)).toEqual([]));
    // Every resource type we emit that has a name has a rule.
    const named = new Set(checked.flatMap((json) => Object.entries(json.resource).filter(([, byKey]: [string, any]) => Object.values(byKey).some((r: any) => typeof r.name === "string")).map(([type]) => type)));
    const unruled = [...named].filter((t) => !AZURE_NAME_RULES[t]);
    expect(unruled.sort()).toEqual([
      "azurerm_monitor_data_collection_rule_association",
      "azurerm_monitor_diagnostic_setting",
      "azurerm_private_dns_a_record",
      "azurerm_private_dns_zone",
    ].filter((t) => named.has(t)));
  });

  it("give every DNS forwarding rule a name that starts with a letter, even for a reverse zone", () => {
    expect(ruleName("168.192.in-addr.arpa.")).toBe("fwd-168-192-in-addr-arpa");
    expect(ruleName("onprem.example.com.")).toBe("fwd-onprem-example-com");
    const rule = AZURE_NAME_RULES.azurerm_private_dns_resolver_forwarding_rule;
    expect(checkName("168-192-in-addr-arpa", rule)).toContain("starts with a letter");
    expect(checkName(ruleName("168.192.in-addr.arpa."), rule)).toBeUndefined();
  });

  it("keep long forwarding rule names within 80 characters and distinct", () => {
    const a = ruleName(`${"a".repeat(63)}.${"b".repeat(63)}.example.com.`);
    const b = ruleName(`${"a".repeat(63)}.${"b".repeat(63)}.example.org.`);
    expect(a.length).toBeLessThanOrEqual(80);
    expect(b.length).toBeLessThanOrEqual(80);
    expect(a).not.toBe(b);
  });

  it.each([
    ["a resource group ending with a period", "azurerm_resource_group", "rg-demo.", "does not end with a period"],
    ["a VNet of one character", "azurerm_virtual_network", "v", "2-64"],
    ["a cluster name with a period", "azurerm_kubernetes_cluster", "aks.demo", "not a valid AKS cluster name"],
    ["a workspace of three characters", "azurerm_log_analytics_workspace", "log", "4-63"],
    ["a node pool with capitals", "azurerm_kubernetes_cluster_node_pool", "Apps", "lowercase"],
    ["a VM name with an underscore", "azurerm_linux_virtual_machine", "vm_jumpbox", "not a valid Linux virtual machine"],
    ["a federated credential of two characters", "azurerm_federated_identity_credential", "sa", "3-120"],
    ["a federated credential starting with a hyphen", "azurerm_federated_identity_credential", "-kubernetes", "not a valid federated identity credential"],
    ["a cache rule of 50 characters (azurerm stops at 49)", "azurerm_container_registry_cache_rule", "a".repeat(50), "5-49"],
    ["a cache rule with two hyphens in a row", "azurerm_container_registry_cache_rule", "aks--mcr", "not a valid container registry cache rule"],
  ])("refuse %s", (_what, type, name, expected) => {
    expect(checkName(name, AZURE_NAME_RULES[type])).toContain(expected);
  });

  it("stop synthesis when a construct added to a stack has a name Azure refuses, writing nothing", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "names-")), "cdktf.out");
    let stderr = "";
    const code = synthesize({
      outdir,
      file: path.join(ENVIRONMENTS_DIR, "default.yaml"),
      stderr: { write: (s: string) => (stderr += s) },
      customize: (built) => new ResourceGroup(built.spokes[0] as TerraformStack, "bad-rg", { name: "rg-ends-with-a-period.", location: "westeurope" }),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^environments\/default\.yaml: demo-aks1\/azurerm_resource_group\.bad-rg: "rg-ends-with-a-period\." is not a valid resource group name: .*does not end with a period\n$/);
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });
});

describe("Kubernetes versions", () => {
  it.each(AKS_VERSIONS.supported.flatMap((v) => [v, `${v}.2`]))("accept %s, a minor AKS supports", (version) => {
    expect(checkKubernetesVersion(version)).toEqual({ ok: true });
  });

  it.each([
    ["1.33", "past standard support"],
    ["1.34", "past standard support"],
    ["1.29", "older than the oldest minor AKS supports"],
    ["1.2", "older than the oldest minor AKS supports"],
    ["99.99.99", "not a minor AKS offers"],
    ["1.40", "not a minor AKS offers"],
  ])("refuse %s (%s), listing the supported minors", (version, reason) => {
    const lines = problems(changed((r) => (r.spokes[0].cluster.kubernetesVersion = version)));
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`env.yaml: spokes.0.cluster.kubernetesVersion: ${version} `)).toBe(true);
    expect(lines[0]).toContain(reason);
    expect(lines[0]).toContain(`use one of 1.35, 1.36, 1.37 (AKS release calendar as of ${AKS_VERSIONS.checked}`);
  });

  it("are pinned only to supported minors in the shipped environments", () => {
    for (const name of SHIPPED) {
      for (const spoke of namedEnvironment(name).spokes) {
        if (spoke.cluster.kubernetesVersion) expect(AKS_VERSIONS.supported).toContain(spoke.cluster.kubernetesVersion.split(".").slice(0, 2).join("."));
      }
    }
  });
});

describe("network plugin and policy combinations", () => {
  it("refuse Cilium on plain Azure CNI (the provider requires overlay for the Cilium dataplane), naming what works", () => {
    expect(problems(changed((r) => { Object.assign(r.spokes[0].cluster, { networkPluginMode: "nodeSubnet", networkPolicy: "cilium", userPools: [] }); r.spokes[0].apps = []; }))).toEqual([
      expect.stringMatching(/^env\.yaml: spokes\.0\.cluster\.networkPolicy: cilium with networkPluginMode nodeSubnet: .*; with nodeSubnet use calico or azure$/),
    ]);
  });

  it.each([["overlay", "cilium"], ["overlay", "calico"], ["overlay", "azure"], ["nodeSubnet", "calico"], ["nodeSubnet", "azure"]])("accept %s with %s", (mode, policy) => {
    expect(problems(changed((r) => { Object.assign(r.spokes[0].cluster, { networkPluginMode: mode, networkPolicy: policy, userPools: [] }); r.spokes[0].apps = []; }))).toEqual([]);
  });
});

describe("the shipped environments", () => {
  it.each(SHIPPED_SETS.map((names) => names.join(" + ")))("%s synthesizes with no warnings but the samples' (jumpbox key, TLS inspection CA)", (set) => {
    const names = set.split(" + ");
    const out = shippedOutput(names);
    expect(out.code).toBe(0);
    // A file that peers with another says so when synthesized without it (the set has both).
    const peersElsewhere = names.length === 1 && SHIPPED_SETS.some((s) => s.length > 1 && s.includes(names[0]));
    const lines = withoutSampleKeyWarning(out.stderr).split("\n").filter((l) => l !== "" && !(peersElsewhere && /: warning: peerings\.\d+\.environment of .* is left out;/.test(l)));
    expect(lines).toEqual([]);
  });

  it("environments/full.yaml uses every field the schema offers, and brownfield.yaml those of an existing hub", () => {
    const used = (file: string) => {
      const found = new Set<string>();
      const walk = (value: unknown, at: string) => {
        if (Array.isArray(value)) value.forEach((v) => walk(v, `${at}[]`));
        else if (value && typeof value === "object") {
          for (const [k, v] of Object.entries(value)) {
            const field = at ? `${at}.${k}` : k;
            found.add(field);
            walk(v, field);
          }
        }
      };
      walk(parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, file), "utf8")), "");
      return found;
    };
    const fields = schemaFields(environmentSchema, "");
    expect(fields).toEqual(expect.arrayContaining(["tenantId", "spokes[].cluster.grantDeployerAdmin", "hub.jumpbox.vmSize", "spokes[].cluster.userPools[].osDiskSizeGb", "hub.gateway.pointToSite.addressPool"]));
    const full = used("full.yaml");
    // circuitId belongs to an ExpressRoute gateway (full.yaml's is a VPN gateway): pinned by the ExpressRoute snapshot.
    // Peerings name another environment synthesized together: the second region of multi-spoke shows them.
    // policy.reason goes with policy.effect: off, which would leave full.yaml's hub and spokes unassigned: its spoke aks3 shows the spoke's.
    // delivery.knownHosts goes with an ssh:// repository (full's GitOps spoke uses https): the gitops-ssh base of the values-are-data test has one.
    const elsewhere = ["hub.gateway.circuitId", "policy.reason", "spokes[].delivery.knownHosts"];
    expect(fields.filter((f) => !f.startsWith("hub.existing") && !f.startsWith("peerings") && !elsewhere.includes(f) && !full.has(f))).toEqual([]);
    const regions = used("multi-spoke-northeurope.yaml");
    expect(fields.filter((f) => f.startsWith("peerings") && !regions.has(f))).toEqual([]);
    const brownfield = used("brownfield.yaml");
    expect(fields.filter((f) => f.startsWith("hub.existing") && !brownfield.has(f))).toEqual([]);
  });
});

/** Every field path of an object schema (`spokes[].cluster.systemPool.vmSize`); unions and records are leaves. */
function schemaFields(schema: z.ZodType, at: string): string[] {
  const def = (schema as any)._zod.def;
  switch (def.type) {
    case "object":
      return Object.entries(def.shape).flatMap(([k, v]) => [at ? `${at}.${k}` : k, ...schemaFields(v as z.ZodType, at ? `${at}.${k}` : k)]);
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return schemaFields(def.innerType, at);
    case "pipe":
      return schemaFields(def.in, at);
    case "array":
      return schemaFields(def.element, `${at}[]`);
    default:
      return [];
  }
}
