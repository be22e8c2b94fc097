import { BastionHost } from "@cdktf/provider-azurerm/lib/bastion-host";
import { ContainerRegistry, type ContainerRegistryConfig } from "@cdktf/provider-azurerm/lib/container-registry";
import { IpGroup } from "@cdktf/provider-azurerm/lib/ip-group";
import { KeyVault, type KeyVaultConfig } from "@cdktf/provider-azurerm/lib/key-vault";
import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { KubernetesCluster, type KubernetesClusterConfig } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorPrivateLinkScope } from "@cdktf/provider-azurerm/lib/monitor-private-link-scope";
import { MonitorPrivateLinkScopedService } from "@cdktf/provider-azurerm/lib/monitor-private-link-scoped-service";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { RouteTable } from "@cdktf/provider-azurerm/lib/route-table";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { SubnetRouteTableAssociation } from "@cdktf/provider-azurerm/lib/subnet-route-table-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planEnvironment, synthesize } from "../../lib/app";
import { INTERNAL_LB } from "../../lib/apps/kubernetes-objects";
import { acknowledge } from "../../lib/output/acknowledge";
import { SynthStack } from "../../lib/synth/synth-stack";
import { checkGuardrails } from "../../lib/policy/guardrails";
import * as rules from "../../lib/policy/rules";
import { DEFAULT_ENVIRONMENT_FILE } from "../../lib/config/loader";
import { cidr } from "../../lib/net/cidr";
import { Model, readOutput } from "../../lib/output/model";
import { ENVIRONMENTS_DIR } from "../helpers";

function scope(): Construct {
  return new TerraformStack(Testing.app(), "test");
}

/**
 * Synthesizes a fixture into a throwaway output folder, reads it back as the model the
 * guardrails judge (exactly as synth does), and returns the rule's verdict on the fixture's
 * resources: "n/a" when the rule has nothing to say about them.
 */
function verdictOf(rule: rules.GuardrailRule, fixture: Fixture, context: rules.GuardrailContext = rules.NO_CONTEXT): "pass" | "fail" | "n/a" {
  const results = rule.check(modelOf(fixture), context).filter((r) => r.subject.startsWith("test/"));
  return results.length === 0 ? "n/a" : results.some((r) => r.verdict === "fail") ? "fail" : "pass";
}

function modelOf(fixture: (s: Construct) => unknown): Model {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "rule-")), skipValidation: true, stackTraces: false });
  // A stack of the product: it writes its constructs' notes (acknowledgements) into its file.
  fixture(new SynthStack(app, "test"));
  app.synth();
  return new Model(readOutput(app.outdir));
}

const rg = { resourceGroupName: "rg", location: "westeurope" };

const aks = (overrides: Partial<KubernetesClusterConfig> = {}) => (s: Construct) =>
  new KubernetesCluster(s, "aks", {
    ...rg,
    name: "aks",
    dnsPrefix: "aks",
    privateClusterEnabled: true,
    privateClusterPublicFqdnEnabled: false,
    localAccountDisabled: true,
    azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true },
    networkProfile: { networkPlugin: "azure", outboundType: "userDefinedRouting" },
    defaultNodePool: { name: "system", vmSize: "Standard_D4ds_v6" },
    ...overrides,
  });

const nsgRule = (access: string, direction: string, source: string) => (s: Construct) =>
  new NetworkSecurityRule(s, "rule", { ...rg, name: "r", networkSecurityGroupName: "nsg", priority: 100, access, direction, protocol: "Tcp", sourceAddressPrefix: source, destinationAddressPrefix: "*", sourcePortRange: "*", destinationPortRange: "22" });

const rcg = (source: string, destination: string) => (s: Construct) =>
  new FirewallPolicyRuleCollectionGroup(s, "rcg", {
    name: "rcg",
    firewallPolicyId: "policy",
    priority: 1000,
    applicationRuleCollection: [{ name: "a", priority: 100, action: "Allow", rule: [{ name: "r", sourceAddresses: [source], destinationFqdns: [destination], protocols: [{ type: "Https", port: 443 }] }] }],
  });

/** A rule whose sources are an IP group of the output holding `cidrs`. */
const rcgFromIpGroup = (cidrs: string[]) => (s: Construct) => {
  const group = new IpGroup(s, "ipg", { ...rg, name: "ipg", cidrs });
  return new FirewallPolicyRuleCollectionGroup(s, "rcg", {
    name: "rcg",
    firewallPolicyId: "policy",
    priority: 1000,
    applicationRuleCollection: [{ name: "a", priority: 100, action: "Allow", rule: [{ name: "r", sourceIpGroups: [group.id], destinationFqdns: ["mcr.microsoft.com"], protocols: [{ type: "Https", port: 443 }] }] }],
  });
};

const nic = (publicIpAddressId?: string) => (s: Construct) =>
  new NetworkInterface(s, "nic", { ...rg, name: "nic", ipConfiguration: [{ name: "ip", subnetId: "subnet", privateIpAddressAllocation: "Dynamic", publicIpAddressId }] });

const vm = (disablePasswordAuthentication: boolean) => (s: Construct) =>
  new LinuxVirtualMachine(s, "vm", { ...rg, name: "vm", size: "Standard_B2s", networkInterfaceIds: ["nic"], adminUsername: "ops", adminPassword: disablePasswordAuthentication ? undefined : "not-a-real-one", disablePasswordAuthentication, osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" } });

const bastion = (shareableLinkEnabled: boolean) => (s: Construct) => new BastionHost(s, "bastion", { ...rg, name: "bastion", sku: "Standard", shareableLinkEnabled });

const pool = (nodePublicIpEnabled: boolean) => (s: Construct) => new KubernetesClusterNodePool(s, "pool", { name: "apps", kubernetesClusterId: "aks", vmSize: "Standard_D4ds_v6", nodePublicIpEnabled });

const k8sService = (type: string, internal?: string) => (s: Construct) =>
  new ServiceV1(s, "svc", {
    metadata: { name: "web", namespace: "web", annotations: internal === undefined ? undefined : { "service.beta.kubernetes.io/azure-load-balancer-internal": internal } },
    spec: { type, selector: { app: "web" }, port: [{ port: 80, targetPort: "8080" }] },
  });

const k8sDeployment = (pod: { hostNetwork?: boolean; hostPort?: number }) => (s: Construct) =>
  new DeploymentV1(s, "deploy", {
    metadata: { name: "web", namespace: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { hostNetwork: pod.hostNetwork, container: [{ name: "web", image: "mcr.microsoft.com/x:1", port: [{ containerPort: 8080, hostPort: pod.hostPort }] }] },
      },
    },
  });

const acr = (overrides: Partial<ContainerRegistryConfig>) => (s: Construct) =>
  new ContainerRegistry(s, "acr", { ...rg, name: "acrtest01", sku: "Premium", adminEnabled: false, anonymousPullEnabled: false, publicNetworkAccessEnabled: false, ...overrides });

const vault = (overrides: Partial<KeyVaultConfig>) => (s: Construct) =>
  new KeyVault(s, "kv", { ...rg, name: "kv-test", tenantId: "00000000-0000-0000-0000-000000000000", skuName: "standard", rbacAuthorizationEnabled: true, purgeProtectionEnabled: true, publicNetworkAccessEnabled: false, ...overrides });

/** A workspace in a private link scope; `workspace` and `scope` override their settings. */
const monitoredScope = (workspace: { internetIngestionEnabled?: boolean }, scope: { ingestionAccessMode?: string } = {}) => (s: Construct) => {
  const logs = new LogAnalyticsWorkspace(s, "logs", { ...rg, name: "log-test", internetIngestionEnabled: false, ...workspace });
  const ampls = new MonitorPrivateLinkScope(s, "ampls", { resourceGroupName: "rg", name: "ampls-test", ingestionAccessMode: "PrivateOnly", ...scope });
  return new MonitorPrivateLinkScopedService(s, "scoped", { resourceGroupName: "rg", scopeName: ampls.name, name: "workspace", linkedResourceId: logs.id });
};

/** A spoke: a VNet whose node subnet holds a cluster, with (by default) an NSG and a route table sending 0.0.0.0/0 to a firewall. */
const spoke = (o: { nsg?: boolean; routeTable?: boolean; bgp?: boolean; routes?: { name: string; addressPrefix: string; nextHopType: string; nextHopInIpAddress?: string }[] } = {}) => (s: Construct) => {
  const vnet = new VirtualNetwork(s, "vnet", { ...rg, name: "vnet", addressSpace: ["10.1.0.0/22"] });
  const subnet = new Subnet(s, "nodes", { resourceGroupName: "rg", virtualNetworkName: vnet.name, name: "snet-nodes", addressPrefixes: ["10.1.0.0/24"] });
  if (o.nsg !== false) new SubnetNetworkSecurityGroupAssociation(s, "nsg-assoc", { subnetId: subnet.id, networkSecurityGroupId: new NetworkSecurityGroup(s, "nsg", { ...rg, name: "nsg" }).id });
  if (o.routeTable !== false) {
    const table = new RouteTable(s, "rt", {
      ...rg,
      name: "rt",
      bgpRoutePropagationEnabled: o.bgp ?? false,
      route: o.routes ?? [{ name: "default", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopInIpAddress: "10.0.1.4" }],
    });
    new SubnetRouteTableAssociation(s, "rt-assoc", { subnetId: subnet.id, routeTableId: table.id });
  }
  return aks({ defaultNodePool: { name: "system", vmSize: "Standard_D4ds_v6", vnetSubnetId: subnet.id } })(s);
};

type Fixture = (s: Construct) => IConstruct;

const cases: [rules.GuardrailRule, Fixture, Fixture][] = [
  [rules.publicIpNamed, (s) => new PublicIp(s, "pip", { ...rg, name: "pip", allocationMethod: "Static", sku: "Standard" }), (s) => new PublicIp(s, "pip", { ...rg, name: "pip", allocationMethod: "Static", sku: "Standard" })],
  [rules.noPublicNic, nic(), nic("pip-id")],
  [rules.noShareableLinks, bastion(false), bastion(true)],
  [rules.noInternetInbound, nsgRule("Allow", "Inbound", "10.0.0.128/26"), nsgRule("Allow", "Inbound", "Internet")],
  [rules.spokeSubnetsGuarded, spoke(), spoke({ nsg: false })],
  [rules.routeViaFirewall, spoke(), spoke({ bgp: true })],
  [rules.firewallRulesScoped, rcg("10.0.5.0/24", "mcr.microsoft.com"), rcg("*", "mcr.microsoft.com")],
  [rules.noDnat, rcg("10.0.5.0/24", "mcr.microsoft.com"), (s) => new FirewallPolicyRuleCollectionGroup(s, "rcg", { name: "rcg", firewallPolicyId: "policy", priority: 1000, natRuleCollection: [{ name: "nat", priority: 100, action: "Dnat", rule: [{ name: "r", protocols: ["TCP"], sourceAddresses: ["10.0.0.0/8"], destinationPorts: ["22"], translatedPort: 22 }] }] })],
  [rules.privateApiServer, aks(), aks({ privateClusterEnabled: false })],
  [rules.noPublicFqdn, aks(), aks({ privateClusterPublicFqdnEnabled: true })],
  [rules.egressThroughFirewall, aks(), aks({ networkProfile: { networkPlugin: "azure", outboundType: "loadBalancer" } })],
  // Network-isolated: outbound type none, bootstrapped from a registry's cache; none without the cache is refused.
  [rules.egressThroughFirewall, aks({ networkProfile: { networkPlugin: "azure", outboundType: "none" }, bootstrapProfile: { artifactSource: "Cache", containerRegistryId: "acr-id" } }), aks({ networkProfile: { networkPlugin: "azure", outboundType: "none" }, bootstrapProfile: { artifactSource: "Direct" } })],
  [rules.noLocalAccounts, aks(), aks({ localAccountDisabled: false })],
  [rules.noNodePublicIp, pool(false), pool(true)],
  [rules.sshKeysOnly, vm(true), vm(false)],
  [rules.noLiteralSecrets, vm(true), vm(false)],
  [rules.privateRegistry, acr({}), acr({ publicNetworkAccessEnabled: true })],
  [rules.privateKeyVault, vault({}), vault({ purgeProtectionEnabled: false })],
  [rules.privateMonitoring, monitoredScope({}), monitoredScope({ internetIngestionEnabled: true })],
  [rules.internalLoadBalancers, k8sService("LoadBalancer", "true"), k8sService("LoadBalancer")],
  [rules.noNodePorts, k8sService("ClusterIP"), k8sService("NodePort")],
  [rules.noHostNetwork, k8sDeployment({}), k8sDeployment({ hostNetwork: true })],
];

describe.each(cases.map(([rule, ok, bad]) => [`${rule.id} (${rule.title})`, rule, ok, bad] as const))("%s", (_name, rule, compliant, violating) => {
  it("passes a compliant resource", () => {
    if (rule.id === "PUB-001") {
      // Every public IP fails PUB-001; the compliant one is acknowledged with its reason.
      const report = checkGuardrails(modelOf((s) => acknowledge(compliant(s), { id: "PUB-001", reason: "A named endpoint, justified where it is made." })), [rule]);
      expect([report.violations, report.exceptions.map((f) => f.rule.id)]).toEqual([[], ["PUB-001"]]);
    } else {
      expect(verdictOf(rule, compliant)).toBe("pass");
    }
  });
  it("fails a violating resource", () => {
    expect(verdictOf(rule, violating)).toBe("fail");
  });
});

describe("rule details", () => {
  it("FW-001 judges an IP group source by the ranges it holds", () => {
    expect(verdictOf(rules.firewallRulesScoped, rcgFromIpGroup(["10.0.5.0/24"]))).toBe("pass");
    expect(verdictOf(rules.firewallRulesScoped, rcgFromIpGroup(["10.0.5.0/24", "0.0.0.0/0"]))).toBe("fail");
  });

  it("NET-002 also fails a spoke subnet without its route table", () => {
    expect(verdictOf(rules.spokeSubnetsGuarded, spoke({ routeTable: false }))).toBe("fail");
  });

  it.each([
    ["no default route", [{ name: "onprem", addressPrefix: "192.168.0.0/16", nextHopType: "VirtualAppliance", nextHopInIpAddress: "10.0.1.4" }]],
    ["a default route to the gateway", [{ name: "default", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualNetworkGateway" }]],
    ["a route to the Internet beside the default", [{ name: "default", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopInIpAddress: "10.0.1.4" }, { name: "dns", addressPrefix: "8.8.8.8/32", nextHopType: "Internet" }]],
  ])("NET-003 fails a spoke route table with %s", (_what, routes) => {
    expect(verdictOf(rules.routeViaFirewall, spoke({ routes }))).toBe("fail");
  });

  it("NET-002 and NET-003 judge only spokes: a VNet without a cluster is not theirs", () => {
    const hubOnly = (s: Construct) => new Subnet(s, "jump", { resourceGroupName: "rg", virtualNetworkName: new VirtualNetwork(s, "vnet", { ...rg, name: "hub", addressSpace: ["10.0.0.0/22"] }).name, name: "snet-jumpbox", addressPrefixes: ["10.0.0.0/24"] });
    expect([verdictOf(rules.spokeSubnetsGuarded, hubOnly), verdictOf(rules.routeViaFirewall, hubOnly)]).toEqual(["n/a", "n/a"]);
  });

  it("MON-001 also fails a scope open to public ingestion", () => {
    expect(verdictOf(rules.privateMonitoring, monitoredScope({}, { ingestionAccessMode: "Open" }))).toBe("fail");
  });

  it("every rule is in the pack, with a rationale and a fix", () => {
    expect(rules.GUARDRAILS.map((r) => r.id).sort()).toEqual([...new Set(cases.map(([r]) => r.id))].sort());
    for (const r of rules.GUARDRAILS) expect(r.rationale.length > 20 && r.fix.length > 10).toBe(true);
  });

  it("fails an unset security setting where the platform default is unsafe", () => {
    const bare = (s: Construct) => new KubernetesCluster(s, "bare", { ...rg, name: "bare", dnsPrefix: "bare", defaultNodePool: { name: "system", vmSize: "Standard_D4ds_v6" } });
    expect([rules.privateApiServer, rules.egressThroughFirewall, rules.noLocalAccounts].map((r) => verdictOf(r, bare))).toEqual(["fail", "fail", "fail"]);
  });

  it("ignores deny rules, and checks the destination of outbound allow rules", () => {
    expect(verdictOf(rules.noInternetInbound, nsgRule("Deny", "Inbound", "*"), rules.NO_CONTEXT)).toBe("pass");
    expect(verdictOf(rules.noInternetInbound, nsgRule("Allow", "Outbound", "10.0.0.0/8"), rules.NO_CONTEXT)).toBe("fail"); // destination *
  });
});

describe("exposure is decided by address, not by spelling", () => {
  const check = (source: string, context = rules.NO_CONTEXT) => verdictOf(rules.noInternetInbound, nsgRule("Allow", "Inbound", source), context);

  it.each(["*", "Internet", "Any", "0.0.0.0/0", "128.0.0.0/1", "64.0.0.0/2", "8.8.8.0/24", "1.2.3.4", "AzureCloud", "10.0.0.0/7", "192.168.0.1-192.169.0.1", "${var.source}"])(
    "an inbound allow from %s reaches public address space: NET-001 fails",
    (source) => expect(check(source)).toBe("fail"),
  );

  it.each(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "10.0.0.128/26", "10.0.0.4", "VirtualNetwork", "AzureLoadBalancer", "192.168.0.1-192.168.0.9"])(
    "an inbound allow from %s stays private: NET-001 passes",
    (source) => expect(check(source)).toBe("pass"),
  );

  it("counts a range declared in privateRanges as private, and only then", () => {
    expect(check("30.10.0.0/16")).toBe("fail");
    expect(check("30.10.0.0/16", { privateRanges: [cidr("30.10.0.0/16")] })).toBe("pass");
    expect(check("30.0.0.0/8", { privateRanges: [cidr("30.10.0.0/16")] })).toBe("fail");
  });

  it("checks rules written inline in a network security group (an escape hatch) too", () => {
    const nsg = (s: Construct) =>
      new NetworkSecurityGroup(s, "nsg", {
        ...rg,
        name: "nsg",
        securityRule: [{ name: "ssh", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "22", sourceAddressPrefix: "128.0.0.0/1", destinationAddressPrefix: "*" }],
      });
    expect(verdictOf(rules.noInternetInbound, nsg)).toBe("fail");
  });

  it("fails firewall rules from public sources or to public address ranges, but not to service tags", () => {
    const network = (source: string, destination: string) => (s: Construct) =>
      new FirewallPolicyRuleCollectionGroup(s, "rcg", {
        name: "rcg",
        firewallPolicyId: "policy",
        priority: 1000,
        networkRuleCollection: [{ name: "n", priority: 100, action: "Allow", rule: [{ name: "r", protocols: ["TCP"], sourceAddresses: [source], destinationAddresses: [destination], destinationPorts: ["443"] }] }],
      });
    const verdict = (source: string, destination: string) => verdictOf(rules.firewallRulesScoped, network(source, destination), rules.NO_CONTEXT);
    expect(verdict("10.0.5.0/24", "AzureMonitor")).toBe("pass");
    expect(verdict("10.0.5.0/24", "192.168.0.10")).toBe("pass");
    expect(verdict("8.8.8.0/24", "AzureMonitor")).toBe("fail");
    expect(verdict("10.0.5.0/24", "1.2.3.4")).toBe("fail");
    expect(verdict("10.0.5.0/24", "*")).toBe("fail");
  });

  it("fails any DNAT rule collection (FW-002)", () => {
    const withNat = (s: Construct) =>
      new FirewallPolicyRuleCollectionGroup(s, "rcg", {
        name: "rcg",
        firewallPolicyId: "policy",
        priority: 1000,
        natRuleCollection: [{ name: "nat", priority: 100, action: "Dnat", rule: [{ name: "ssh", protocols: ["TCP"], sourceAddresses: ["10.0.0.0/8"], destinationAddress: "20.1.2.3", destinationPorts: ["22"], translatedAddress: "10.0.1.4", translatedPort: 22 }] }],
      });
    expect(verdictOf(rules.noDnat, withNat)).toBe("fail");
  });
});

describe("Kubernetes objects", () => {
  it("fail K8S-001 for a LoadBalancer whose internal annotation is anything but \"true\"", () => {
    for (const value of [undefined, "false", "True", "yes"]) expect(verdictOf(rules.internalLoadBalancers, k8sService("LoadBalancer", value), rules.NO_CONTEXT)).toBe("fail");
  });

  it("fail K8S-003 for a host port", () => {
    expect(verdictOf(rules.noHostNetwork, k8sDeployment({ hostPort: 8080 }), rules.NO_CONTEXT)).toBe("fail");
  });

  it("read a raw kubernetes_manifest too", () => {
    const raw = (s: Construct) => new Manifest(s, "raw", { manifest: { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "web" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } } });
    expect(verdictOf(rules.internalLoadBalancers, raw)).toBe("fail");
  });

  it("stop synthesis when a plain manifest would publish an app on a public IP, naming the file and the object", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "k8s-")), "cdktf.out");
    let stderr = "";
    const code = synthesize({
      outdir,
      file: DEFAULT_ENVIRONMENT_FILE,
      stderr: { write: (t: string) => (stderr += t) },
      stdout: { write: () => undefined },
      customize: (built) => {
        const hello = built.apps[0].objects.get("hello")!;
        const { [INTERNAL_LB.internal]: _dropped, ...rest } = hello.service.metadata.annotations!;
        built.apps[0].objects.set("hello", { ...hello, service: { ...hello.service, metadata: { ...hello.service.metadata, annotations: rest } } });
      },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^environments\/default\.yaml: manifests\/demo-aks1\/hello\.yaml: Service hello\/hello: \[K8S-001\] every LoadBalancer Service is internal: /);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});

describe("what only the synthesized output shows", () => {
  it("catches an escape hatch that opens SSH to the Internet on a construct the guardrails would otherwise pass", () => {
    const fixture = (s: Construct) => {
      const rule = nsgRule("Allow", "Inbound", "10.0.0.0/8")(s);
      rule.addOverride("source_address_prefix", "0.0.0.0/0");
      return rule;
    };
    expect(verdictOf(rules.noInternetInbound, fixture)).toBe("fail");
  });

  it("catches an override that turns a private cluster public", () => {
    const fixture = (s: Construct) => {
      const cluster = aks()(s);
      cluster.addOverride("private_cluster_enabled", false);
      return cluster;
    };
    expect(verdictOf(rules.privateApiServer, fixture)).toBe("fail");
  });

  it("treats a source that is known only at apply (a variable) as public: unknown is not safe", () => {
    const fixture = (s: Construct) => nsgRule("Allow", "Inbound", new TerraformVariable(s, "source_prefix", { type: "string" }).stringValue)(s);
    expect(verdictOf(rules.noInternetInbound, fixture)).toBe("fail");
  });

  it("finds a storage account key written into any resource (SEC-001)", () => {
    const fixture = (s: Construct) => {
      const n = nic()(s);
      n.addOverride("tags", { conn: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123==;EndpointSuffix=core.windows.net" });
      return n;
    };
    expect(verdictOf(rules.noLiteralSecrets, fixture)).toBe("fail");
  });

  it.each([
    ["a password in a connection string", "Server=tcp:db.example.com;Database=app;User ID=app;Password=Sup3rS3cret!;", "fail"],
    ["a Pwd= in an ODBC string", "Driver={ODBC};Server=db;Uid=app;Pwd=hunter2;", "fail"],
    ["a password in a URL", "postgres://app:S3cretPassw0rd@db.example.com:5432/app", "fail"],
    ["a URL with a user and no password", "https://app@db.example.com/", "pass"],
    ["a password read at apply time", "Server=db;Password=${var.db_password};", "pass"],
    ["an ordinary URL with a port", "https://db.example.com:5432/app", "pass"],
  ])("SEC-001 on %s: %s", (_what, value, verdict) => {
    const fixture = (s: Construct) => {
      const n = nic()(s);
      n.addOverride("tags", { value });
      return n;
    };
    expect(verdictOf(rules.noLiteralSecrets, fixture)).toBe(verdict);
  });
});

describe("acknowledged exceptions", () => {
  it("turns a failure into an exception that carries its reason", () => {
    const report = checkGuardrails(
      modelOf((s) => acknowledge(new PublicIp(s, "pip", { ...rg, name: "pip", allocationMethod: "Static", sku: "Standard" }), { id: "PUB-001", reason: "The firewall's egress address, nothing inbound." })),
    );
    expect(report.violations).toEqual([]);
    expect(report.exceptions.map((f) => [f.rule.id, f.path, f.acknowledged])).toEqual([["PUB-001", "test/pip", "The firewall's egress address, nothing inbound."]]);
  });

  it("refuses a reason too short to justify anything", () => {
    const pip = new PublicIp(scope(), "pip", { ...rg, name: "pip", allocationMethod: "Static", sku: "Standard" });
    expect(() => acknowledge(pip, { id: "PUB-001", reason: "needed" })).toThrow("acknowledge PUB-001 on test/pip: the reason must say why");
  });
});

describe("the built environments", () => {
  it("break no guardrail; the default names two public endpoints (firewall egress, Bastion), the full one five (two egress IPs, management, Bastion, the VPN gateway) and its TLS inspection vault, the brownfield none", () => {
    for (const [name, expected] of [
      ["default", ["demo-hub/bastion/public-ip", "demo-hub/firewall/public-ip"]],
      ["full", ["full-hub/bastion/public-ip", "full-hub/firewall/management-public-ip", "full-hub/firewall/public-ip", "full-hub/firewall/public-ip-2", "full-hub/gateway/public-ip"]],
      ["hybrid", ["hybrid-hub/firewall/public-ip", "hybrid-hub/gateway/public-ip"]],
      ["brownfield", []],
      ["multi-spoke", ["we-hub/bastion/public-ip", "we-hub/firewall/public-ip"]],
      ["multi-spoke-northeurope", ["ne-hub/firewall/public-ip"]],
    ] as const) {
      const plan = planEnvironment({ file: path.join(ENVIRONMENTS_DIR, `${name}.yaml`), outdir: fs.mkdtempSync(path.join(os.tmpdir(), "env-")), stderr: { write: () => undefined } })!;
      expect(plan.report.violations).toEqual([]);
      expect(plan.report.exceptions.filter((f) => f.rule.id === "PUB-001").map((f) => f.path).sort()).toEqual(expected);
      // The one other exception: TLS inspection's vault, on access policies as Azure Firewall requires.
      expect(plan.report.exceptions.filter((f) => f.rule.id !== "PUB-001").map((f) => `${f.rule.id} ${f.path}`)).toEqual(name === "full" ? ["KV-001 full-hub/tls-inspection/vault"] : []);
      // Every rule judged something in the full environment, and everything it judged passed or was acknowledged.
      if (name === "full") for (const t of plan.report.tally) expect({ rule: t.rule.id, judged: t.checked > 0 }).toEqual({ rule: t.rule.id, judged: !["PUB-002", "PUB-003", "FW-002", "K8S-002", "K8S-003"].includes(t.rule.id) || t.checked > 0 });
    }
  });

  it("stop synthesis, naming the construct and writing nothing, when a construct added to a stack breaks one", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "guard-")), "cdktf.out");
    let stderr = "";
    const code = synthesize({
      outdir,
      file: DEFAULT_ENVIRONMENT_FILE,
      stderr: { write: (t: string) => (stderr += t) },
      customize: (built) => new PublicIp(built.spokes[0], "rogue", { ...rg, name: "pip-rogue", allocationMethod: "Static", sku: "Standard" }),
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^.*default\.yaml: demo-aks1\/rogue: \[PUB-001\] every public IP is a named, justified exception \(a public address\): .* Fix: /)]);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
