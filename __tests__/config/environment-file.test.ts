import { checkWarnings } from "../../lib/config/rules/warnings";
import { DEFAULTS } from "../../lib/domain/defaults";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadEnvironment, parseEnvironment } from "../../lib/config/loader";
import { EnvironmentError } from "../../lib/core/problem";
import { parse } from "yaml";
import { changed, defaultRaw, environment, ENVIRONMENTS_DIR, problems } from "../helpers";

describe("the default environment", () => {
  it("is valid and reproduces the reference topology", () => {
    const env = environment();
    expect(env.name).toBe("demo");
    expect(env.location).toBe("westeurope");
    expect(env.hub.addressSpace).toEqual(["10.0.0.0/22"]);
    expect(env.hub.subnets).toEqual({ firewall: "10.0.0.0/26", bastion: "10.0.0.128/26", jumpbox: "10.0.1.0/24" });
    expect(env.spokes.map((s) => [s.name, s.addressSpace, s.subnets])).toEqual([
      ["aks1", ["10.0.4.0/22"], { ingress: "10.0.4.0/24", nodes: "10.0.5.0/24" }],
    ]);
    expect(env.spokes[0].cluster.serviceCidr).toBe("10.2.0.0/24");
    expect(env.spokes[0].cluster.dnsServiceIp).toBe("10.2.0.10");
  });

  it("fills in the documented secure defaults", () => {
    const env = environment({ name: "min", location: "westeurope", hub: { addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26" } }, spokes: [{ name: "a", addressSpace: ["10.0.4.0/22"], subnets: { nodes: "10.0.4.0/24" } }] });
    expect(env.backend).toEqual({ type: "local" });
    expect(env.hub.firewall).toEqual({ tier: "Standard", zones: ["1", "2", "3"], threatIntelMode: "Deny", dnsProxy: true, egressIps: 1, idpsSignatureOverrides: [] });
    const c = env.spokes[0].cluster;
    expect([c.privateDnsZone, c.networkPluginMode, c.networkPolicy, c.serviceCidr, c.dnsServiceIp, c.runCommand, c.grantDeployerAdmin]).toEqual(["byo", "overlay", "cilium", "10.2.0.0/24", "10.2.0.10", true, true]);
    expect(env.spokes[0].egress).toEqual({ fqdns: [], tlsInspection: [], ubuntuUpdates: false, dockerHub: false, containerInsights: true });
  });
});

describe("schema errors name the field", () => {
  it.each([
    ["a name with capitals", (r: any) => (r.name = "Demo"), "env.yaml: name: the environment name must be 1-16 lowercase letters"],
    ["a region with spaces, suggesting the name meant", (r: any) => (r.location = "West Europe"), 'env.yaml: location: "West Europe" is not an Azure region name; did you mean westeurope?'],
    ["a mistyped region", (r: any) => (r.location = "westeuorpe"), 'env.yaml: location: "westeuorpe" is not an Azure region name; did you mean westeurope?'],
    ["a region that does not exist", (r: any) => (r.location = "moon"), 'env.yaml: location: "moon" is not an Azure region name; use the programmatic name, e.g. westeurope'],
    ["an unknown field", (r: any) => (r.hub.subnet = {}), "env.yaml: hub.subnet: unknown field"],
    ["a missing required field", (r: any) => delete r.hub.subnets.firewall, "env.yaml: hub.subnets.firewall: is required"],
    ["a CIDR with host bits set", (r: any) => (r.spokes[0].subnets.nodes = "10.0.5.1/24"), 'env.yaml: spokes.0.subnets.nodes: "10.0.5.1/24" has host bits set; the block that contains it is 10.0.5.0/24'],
    ["a CIDR that does not parse", (r: any) => (r.hub.addressSpace = ["10.0.0/22"]), 'env.yaml: hub.addressSpace.0: "10.0.0/22" is not an IPv4 CIDR block'],
    ["a zone that does not exist", (r: any) => (r.hub.firewall.zones = ["1", "4"]), 'env.yaml: hub.firewall.zones.1: must be "1", "2" or "3"'],
    ["a wrong type", (r: any) => (r.hub.firewall.dnsProxy = "yes"), "env.yaml: hub.firewall.dnsProxy: must be a boolean"],
    [
      "a version written without quotes, which YAML reads as a number, saying to quote it",
      (r: any) => (r.spokes[0].cluster.kubernetesVersion = 1.36),
      'env.yaml: spokes.0.cluster.kubernetesVersion: must be a string, and YAML reads unquoted digits as a number; put the value in quotes as you mean it: "1.36"',
    ],
    ["an unknown backend", (r: any) => (r.backend = { type: "s3" }), "env.yaml: backend.type: must be { type: local }"],
    ["no spokes", (r: any) => (r.spokes = []), "env.yaml: spokes: needs at least one spoke"],
  ])("rejects %s", (_what, change, line) => {
    expect(problems(changed(change))).toContainEqual(expect.stringContaining(line));
  });

  it("reports every problem at once, one line each", () => {
    const lines = problems(changed((r) => {
      r.name = "Bad Name";
      r.location = "West Europe";
      r.spokes[0].subnets.nodes = "nope";
    }));
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => /^env\.yaml: [\w.]+: \S/.test(l))).toBe(true);
  });

  it("names the spelling that works when a choice is written in the wrong case, and only then", () => {
    expect(problems(changed((r) => {
      r.spokes[0].cluster.osSku = "azurelinux";
      r.spokes[0].cluster.networkPolicy = "weave";
    }))).toEqual([
      "env.yaml: spokes.0.cluster.networkPolicy: must be cilium, calico or azure",
      "env.yaml: spokes.0.cluster.osSku: must be AzureLinux or Ubuntu; did you mean AzureLinux?",
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    expect(() => parseEnvironment("name: [demo\nlocation: x\n", "env.yaml", ENVIRONMENTS_DIR)).toThrow(/env\.yaml: \(syntax\): line \d+:/);
  });

  it("names a missing file", () => {
    expect(() => loadEnvironment("does/not/exist.yaml")).toThrow("does/not/exist.yaml: (file): no such file");
  });

  it("accepts JSON as well as YAML", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "env-"));
    const raw = defaultRaw();
    raw.hub.jumpbox.sshPublicKey = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), "utf8");
    fs.writeFileSync(path.join(dir, "env.json"), JSON.stringify(raw));
    expect(loadEnvironment(path.join(dir, "env.json")).name).toBe("demo");
  });
});

describe("address plan", () => {
  it.each([
    [
      "a subnet outside its VNet",
      (r: any) => (r.spokes[0].subnets.nodes = "10.0.8.0/24"),
      "env.yaml: spokes.0.subnets.nodes: 10.0.8.0/24 is not inside spokes.0.addressSpace (10.0.4.0/22)",
    ],
    [
      "two subnets of one VNet that overlap",
      (r: any) => (r.spokes[0].subnets.ingress = "10.0.5.128/25"),
      "spokes.0.subnets.ingress: 10.0.5.128/25 overlaps spokes.0.subnets.nodes 10.0.5.0/24",
    ],
    [
      "hub subnets that overlap",
      (r: any) => (r.hub.subnets.jumpbox = "10.0.0.0/27"),
      "hub.subnets.jumpbox: 10.0.0.0/27 overlaps hub.subnets.firewall 10.0.0.0/26",
    ],
    [
      "a spoke that overlaps the hub, naming both fields",
      (r: any) => {
        r.spokes[0].addressSpace = ["10.0.2.0/23"];
        r.spokes[0].subnets = { nodes: "10.0.2.0/24", ingress: "10.0.3.0/24" };
      },
      "spokes.0.addressSpace.0: 10.0.2.0/23 overlaps hub.addressSpace.0 10.0.0.0/22",
    ],
    [
      "two spokes that overlap",
      (r: any) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.6.0/23"], subnets: { nodes: "10.0.6.0/24" } }),
      "spokes.1.addressSpace.0: 10.0.6.0/23 overlaps spokes.0.addressSpace.0 10.0.4.0/22",
    ],
    [
      "an on-premises range that overlaps a VNet",
      (r: any) => (r.onPremises = ["10.0.0.0/16"]),
      "onPremises.0: 10.0.0.0/16 overlaps hub.addressSpace.0 10.0.0.0/22",
    ],
    [
      "a service CIDR that overlaps a VNet",
      (r: any) => {
        r.spokes[0].cluster.serviceCidr = "10.0.4.0/24";
        r.spokes[0].cluster.dnsServiceIp = "10.0.4.10";
      },
      "spokes.0.cluster.serviceCidr: 10.0.4.0/24 overlaps spokes.0.addressSpace.0 10.0.4.0/22",
    ],
    [
      "a service CIDR that overlaps on-premises",
      (r: any) => (r.onPremises = ["10.2.0.0/16"]),
      "spokes.0.cluster.serviceCidr: 10.2.0.0/24 overlaps onPremises.0 10.2.0.0/16",
    ],
    [
      "a DNS service IP outside the service CIDR",
      (r: any) => (r.spokes[0].cluster.dnsServiceIp = "10.3.0.10"),
      "spokes.0.cluster.dnsServiceIp: 10.3.0.10 is not inside serviceCidr 10.2.0.0/24",
    ],
    [
      "a DNS service IP that is the service CIDR's first address",
      (r: any) => (r.spokes[0].cluster.dnsServiceIp = "10.2.0.0"),
      "spokes.0.cluster.dnsServiceIp: 10.2.0.0 is reserved in 10.2.0.0/24",
    ],
    [
      "a DNS service IP that is the kubernetes service's address",
      (r: any) => (r.spokes[0].cluster.dnsServiceIp = "10.2.0.1"),
      "spokes.0.cluster.dnsServiceIp: 10.2.0.1 is reserved in 10.2.0.0/24",
    ],
    [
      "an AzureFirewallSubnet smaller than /26",
      (r: any) => (r.hub.subnets.firewall = "10.0.0.0/27"),
      "hub.subnets.firewall: 10.0.0.0/27 is too small for AzureFirewallSubnet; Azure needs at least a /26",
    ],
    [
      "an AzureBastionSubnet smaller than /26",
      (r: any) => (r.hub.subnets.bastion = "10.0.0.64/27"),
      "hub.subnets.bastion: 10.0.0.64/27 is too small for AzureBastionSubnet",
    ],
    [
      "an AzureFirewallManagementSubnet smaller than /26",
      (r: any) => (r.hub.subnets.firewallManagement = "10.0.0.64/27"),
      "hub.subnets.firewallManagement: 10.0.0.64/27 is too small for AzureFirewallManagementSubnet",
    ],
    [
      "a subnet smaller than Azure's smallest",
      (r: any) => (r.spokes[0].subnets.ingress = "10.0.4.0/30"),
      "spokes.0.subnets.ingress: 10.0.4.0/30 is smaller than Azure's smallest subnet, a /29",
    ],
    [
      "a node subnet too small for the pools with plain Azure CNI",
      (r: any) => Object.assign(r.spokes[0], { subnets: { nodes: "10.0.5.0/26" }, cluster: { ...r.spokes[0].cluster, networkPluginMode: "nodeSubnet", networkPolicy: "calico", userPools: [] } }),
      "spokes.0.subnets.nodes: 10.0.5.0/26 has 59 usable addresses but the node pools need up to 186",
    ],
  ])("rejects %s", (_what, change, line) => {
    expect(problems(changed(change))).toContainEqual(expect.stringContaining(line));
  });

  it("accepts a small node subnet in overlay mode, where pods do not take subnet addresses", () => {
    expect(problems(changed((r) => {
      r.spokes[0].subnets.nodes = "10.0.5.0/26";
      r.spokes[0].cluster.networkPluginMode = "overlay";
    }))).toEqual([]);
  });

  it("checks the overlay pod range against the VNets", () => {
    expect(problems(changed((r) => {
      r.spokes[0].cluster.networkPluginMode = "overlay";
      r.spokes[0].cluster.podCidr = "10.0.0.0/16";
    }))).toContainEqual(expect.stringContaining("spokes.0.cluster.podCidr: 10.0.0.0/16 overlaps hub.addressSpace.0 10.0.0.0/22"));
  });
});

describe("naming and cross-field rules", () => {
  it.each([
    ["duplicate spoke names", (r: any) => r.spokes.push({ ...r.spokes[0], addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" } }), 'spokes.1.name: "aks1" is already the name of spokes.0'],
    ["a spoke named hub", (r: any) => (r.spokes[0].name = "hub"), 'spokes.0.name: "hub" is taken by the hub stack'],
    ["a spoke name that is too long", (r: any) => (r.spokes[0].name = "a-very-long-spoke-name"), "spokes.0.name: a spoke name must be 1-16"],
    ["Basic tier without a management subnet", (r: any) => Object.assign(r.hub.firewall, { tier: "Basic", dnsProxy: false, threatIntelMode: "Alert" }), "hub.subnets.firewallManagement: is required with hub.firewall.tier Basic"],
    ["Basic tier with DNS proxy", (r: any) => (r.hub.firewall.tier = "Basic"), "hub.firewall.dnsProxy: Basic tier has no DNS proxy"],
    ["a jumpbox subnet without jumpbox settings", (r: any) => delete r.hub.jumpbox, "hub.jumpbox: is required when hub.subnets.jumpbox is set"],
    ["a reserved admin name", (r: any) => (r.hub.jumpbox.adminUsername = "admin"), 'hub.jumpbox.adminUsername: "admin" is reserved by Azure'],
    ["a pinned patch version, which automatic patch upgrades would move", (r: any) => (r.spokes[0].cluster.kubernetesVersion = "1.36.2"), 'spokes.0.cluster.kubernetesVersion: 1.36.2 pins a patch, but the cluster takes patch upgrades automatically, after which Terraform would plan a downgrade AKS refuses; give the minor, "1.36"'],
    ["a public DNS server as a forwarding target", (r: any) => Object.assign(r.hub, { subnets: { ...r.hub.subnets, dnsResolverInbound: "10.0.3.0/28", dnsResolverOutbound: "10.0.3.16/28" }, dns: { ...r.hub.dns, forwarding: [{ domain: "onprem.example.com.", targets: ["8.8.8.8"] }] } }), 'hub.dns.forwarding.0.targets.0: "8.8.8.8" is a public address'],
    ["a forwarding target outside onPremises", (r: any) => Object.assign(r, { onPremises: ["192.168.0.0/16"], hub: { ...r.hub, subnets: { ...r.hub.subnets, dnsResolverInbound: "10.0.3.0/28", dnsResolverOutbound: "10.0.3.16/28" }, dns: { ...r.hub.dns, forwarding: [{ domain: "onprem.example.com.", targets: ["172.16.0.4"] }] } } }), 'hub.dns.forwarding.0.targets.0: "172.16.0.4" is not inside any onPremises range (192.168.0.0/16)'],
    ["a writable path listed twice (two mounts at one path: Kubernetes refuses it)", (r: any) => (r.spokes[0].apps[0].writablePaths = ["/tmp", "/tmp/"]), 'spokes.0.apps.0.writablePaths.1: "/tmp/" is already listed as writablePaths.0'],
    ["the root as a writable path", (r: any) => (r.spokes[0].apps[0].writablePaths = ["/"]), 'spokes.0.apps.0.writablePaths.0: "/" is the root'],
    ["a key from the home directory", (r: any) => (r.hub.jumpbox.sshPublicKey = "~/.ssh/id_ed25519.pub"), "hub.jumpbox.sshPublicKey: \"~/.ssh/id_ed25519.pub\" must be a public key or a path relative to the environment file"],
    ["a key file that does not exist", (r: any) => (r.hub.jumpbox.sshPublicKey = "keys/missing.pub"), "hub.jumpbox.sshPublicKey: \"keys/missing.pub\" is neither an OpenSSH public key"],
    ["duplicate node pool names", (r: any) => (r.spokes[0].cluster.userPools = [{ name: "apps" }, { name: "apps" }]), 'spokes.0.cluster.userPools.1.name: "apps" is already used by spokes.0.cluster.userPools.0'],
    ["two spokes with the same rule priority", (r: any) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" }, egress: { priority: 13777 } }), "spokes.1.egress.priority: 13777 is already the priority of spokes.0's rule collection group"],
    ["a rule priority among the hub's", (r: any) => (r.spokes[0].egress = { priority: 500 }), "spokes.0.egress.priority: must be 1000 or more: lower priorities belong to the hub's own rule collection groups"],
    ["minCount above maxCount", (r: any) => (r.spokes[0].cluster.systemPool.minCount = 9), "spokes.0.cluster.systemPool.minCount: 9 is more than maxCount 5"],
  ])("rejects %s", (_what, change, line) => {
    expect(problems(changed(change))).toContainEqual(expect.stringContaining(line));
  });

  it("reports two spokes of one name once: not again as the rule priority their name derives", () => {
    const lines = problems(changed((r: any) => r.spokes.push({ ...r.spokes[0], addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" }, apps: [] })));
    expect(lines.filter((l) => l.includes("spokes.1."))).toEqual([expect.stringContaining('spokes.1.name: "aks1" is already the name of spokes.0')]);
  });

  it("reads the jumpbox key from a file relative to the environment file", () => {
    const env = environment();
    expect(env.hub.jumpbox?.sshPublicKey).toMatch(/^ssh-ed25519 AAAA/);
  });

  it("throws an EnvironmentError that carries every problem", () => {
    expect(() => environment(changed((r) => (r.name = "X")))).toThrow(EnvironmentError);
  });
});

describe("DNS resolver and forwarding rules", () => {
  const withResolver = (change: (r: any) => void = () => undefined) =>
    changed((r) => {
      Object.assign(r.hub.subnets, { dnsResolverInbound: "10.0.2.0/28", dnsResolverOutbound: "10.0.2.16/28" });
      r.onPremises = ["192.168.0.0/16"];
      r.hub.dns = { zones: ["corp.internal"], forwarding: [{ domain: "onprem.example.com.", targets: ["192.168.0.4:53"] }] };
      change(r);
    });

  it("accepts /28 to /24 resolver subnets with fully qualified forwarding domains", () => {
    expect(problems(withResolver())).toEqual([]);
    expect(problems(withResolver((r) => Object.assign(r.hub.subnets, { dnsResolverInbound: "10.0.2.0/24", dnsResolverOutbound: "10.0.3.0/24" })))).toEqual([]);
  });

  it("accepts the full example environment", () => {
    expect(problems(parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "full.yaml"), "utf8")))).toEqual([]);
  });

  it.each([
    ["a resolver subnet smaller than /28", (r: any) => (r.hub.subnets.dnsResolverInbound = "10.0.2.0/29"), "env.yaml: hub.subnets.dnsResolverInbound: 10.0.2.0/29 is too small for a DNS Private Resolver endpoint subnet; Azure needs at least a /28"],
    ["a resolver subnet larger than /24", (r: any) => (r.hub.subnets.dnsResolverOutbound = "10.0.2.0/23"), "env.yaml: hub.subnets.dnsResolverOutbound: 10.0.2.0/23 is too large for a DNS Private Resolver endpoint subnet; Azure allows /28 to /24"],
    ["an inbound subnet without an outbound one", (r: any) => delete r.hub.subnets.dnsResolverOutbound, "env.yaml: hub.subnets.dnsResolverOutbound: is required with hub.subnets.dnsResolverInbound"],
    ["a forwarding domain without the trailing dot", (r: any) => (r.hub.dns.forwarding[0].domain = "onprem.example.com"), 'env.yaml: hub.dns.forwarding.0.domain: "onprem.example.com" must be a fully qualified domain name ending with a dot'],
    ["a forwarding domain that is not a name", (r: any) => (r.hub.dns.forwarding[0].domain = "on prem."), 'env.yaml: hub.dns.forwarding.0.domain: "on prem." must be a fully qualified domain name'],
    ["the same domain forwarded twice", (r: any) => r.hub.dns.forwarding.push({ domain: "OnPrem.example.com.", targets: ["192.168.0.5"] }), 'env.yaml: hub.dns.forwarding.1.domain: "OnPrem.example.com." is already forwarded by hub.dns.forwarding.0'],
    ["a target with a bad port", (r: any) => (r.hub.dns.forwarding[0].targets = ["192.168.0.4:99999"]), 'env.yaml: hub.dns.forwarding.0.targets.0: "192.168.0.4:99999" has an invalid port'],
    ["a target that is not an address", (r: any) => (r.hub.dns.forwarding[0].targets = ["dns1.onprem:53"]), 'env.yaml: hub.dns.forwarding.0.targets.0: "dns1.onprem:53" must be ip or ip:port'],
    ["forwarding without the resolver", (r: any) => { delete r.hub.subnets.dnsResolverInbound; delete r.hub.subnets.dnsResolverOutbound; }, "env.yaml: hub.dns.forwarding: needs the DNS Private Resolver"],
    ["an application zone with a trailing dot", (r: any) => (r.hub.dns.zones = ["corp.internal."]), "env.yaml: hub.dns.zones.0: must be a DNS zone name such as corp.internal (no trailing dot)"],
    ["a privatelink application zone", (r: any) => (r.hub.dns.zones = ["privatelink.blob.core.windows.net"]), "env.yaml: hub.dns.zones.0: \"privatelink.blob.core.windows.net\" is a Private Link zone"],
  ])("rejects %s", (_what, change, line) => {
    expect(problems(withResolver(change))).toContainEqual(expect.stringContaining(line));
  });
});

describe("warnings: allowed, but most likely not meant", () => {
  const warnings = (raw: any) => checkWarnings(environment(raw)).map((w) => `${w.path}: ${w.message}`);

  it("names a spoke without user pools, whose pods would stay Pending", () => {
    expect(warnings(changed((r) => (r.spokes[0].cluster.userPools = [], r.spokes[0].apps = [])))).toContainEqual(expect.stringMatching(/^spokes\.0\.cluster\.userPools: is empty \(spoke aks1\): the system pool takes only critical add-ons/));
  });

  it("names onPremises when no gateway routes it", () => {
    expect(warnings(changed((r) => (r.onPremises = ["192.168.0.0/16"])))).toContainEqual(expect.stringMatching(/^onPremises: lists on-premises ranges, but the hub has no gateway/));
  });

  it("names the sample jumpbox key, whatever its comment, and no other key", () => {
    expect(warnings(defaultRaw())).toEqual([expect.stringMatching(/^hub\.jumpbox\.sshPublicKey: is the sample key shipped in environments\/keys\/jumpbox\.pub/)]);
    const other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHoDb1Q3IoQnPGlQ8O0bBvKjvD5h0B2vUj+Vb2mZ4hTt team@example";
    expect(warnings(changed((r) => (r.hub.jumpbox.sshPublicKey = other)))).toEqual([]);
  });
});

describe("problem lines a new user can act on", () => {
  it("suggests the field a misspelt one is close to", () => {
    expect(problems(changed((r) => ((r.spokes[0].adressSpace = r.spokes[0].addressSpace), delete r.spokes[0].addressSpace)))).toContain("env.yaml: spokes.0.adressSpace: unknown field; did you mean addressSpace?");
  });

  it("says where a field belongs when it is written in the wrong place", () => {
    expect(problems(changed((r) => (r.spokes[0].serviceCidr = "10.2.0.0/24")))).toContain("env.yaml: spokes.0.serviceCidr: unknown field here; serviceCidr belongs in spokes.0.cluster");
  });

  it("names the spoke (and the app) of a problem when there are several", () => {
    const two = changed((r) => r.spokes.push({ ...structuredClone(r.spokes[0]), name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { ingress: "10.0.8.0/24", nodes: "10.0.9.0/24" }, apps: [] }));
    two.spokes[1].cluster.osSku = "azurelinux";
    expect(problems(two)).toContain("env.yaml: spokes.1.cluster.osSku: must be AzureLinux or Ubuntu; did you mean AzureLinux? (spoke aks2)");
  });

  it("quotes back an unquoted version as it was written: 1.30, not the 1.3 YAML reads", () => {
    const text = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "default.yaml"), "utf8").replace("networkPluginMode: overlay", "networkPluginMode: overlay\n      kubernetesVersion: 1.30");
    let lines: string[] = [];
    try {
      parseEnvironment(text, "env.yaml", ENVIRONMENTS_DIR);
    } catch (e) {
      lines = (e as EnvironmentError).lines();
    }
    expect(lines).toContain('env.yaml: spokes.0.cluster.kubernetesVersion: must be a string, and YAML reads unquoted digits as a number (it reads 1.30 as 1.3); put the value in quotes as you mean it: "1.30"');
  });
});


describe("every default in one place", () => {
  it("fills the schema's defaults from DEFAULTS (domain/defaults.ts), where the constructs read them too", () => {
    const minimal = {
      name: "min",
      location: "westeurope",
      hub: { addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26", jumpbox: "10.0.1.0/24" }, jumpbox: { sshPublicKey: "keys/jumpbox.pub" } },
      spokes: [{ name: "a", addressSpace: ["10.0.4.0/22"], subnets: { ingress: "10.0.4.0/24", nodes: "10.0.5.0/24" }, cluster: { userPools: [{ name: "apps" }] }, apps: [{ name: "web", image: "mcr.microsoft.com/dotnet/samples:aspnetapp", port: 80, ip: "10.0.4.10" }] }],
    };
    const env = environment(minimal);
    const [spoke] = env.spokes;
    const c = spoke.cluster;
    expect(env.hub.firewall).toEqual(expect.objectContaining({ tier: DEFAULTS.firewall.tier, zones: DEFAULTS.firewall.zones, threatIntelMode: DEFAULTS.firewall.threatIntelMode, dnsProxy: DEFAULTS.firewall.dnsProxy, egressIps: DEFAULTS.firewall.egressIps }));
    expect(env.hub.jumpbox).toEqual(expect.objectContaining({ vmSize: DEFAULTS.jumpboxVmSize, adminUsername: DEFAULTS.jumpboxAdminUsername }));
    expect(c).toEqual(expect.objectContaining({
      skuTier: DEFAULTS.skuTier, networkPluginMode: DEFAULTS.networkPluginMode, networkPolicy: DEFAULTS.networkPolicy, serviceCidr: DEFAULTS.serviceCidr, privateDnsZone: DEFAULTS.privateDnsZone,
      runCommand: DEFAULTS.cluster.runCommand, imageCleaner: DEFAULTS.cluster.imageCleaner, osSku: DEFAULTS.cluster.osSku, maintenance: DEFAULTS.cluster.maintenance, podSecurity: DEFAULTS.cluster.podSecurity, networkIsolated: DEFAULTS.cluster.networkIsolated,
    }));
    expect(c.systemPool).toEqual(expect.objectContaining({ vmSize: DEFAULTS.nodePool.vmSize, minCount: DEFAULTS.systemPool.minCount, maxCount: DEFAULTS.systemPool.maxCount, maxPods: DEFAULTS.nodePool.maxPods, osDiskSizeGb: DEFAULTS.nodePool.osDiskSizeGb }));
    expect(c.userPools[0]).toEqual(expect.objectContaining({ vmSize: DEFAULTS.nodePool.vmSize, minCount: DEFAULTS.userPool.minCount, maxCount: DEFAULTS.userPool.maxCount }));
    expect(spoke.egress.containerInsights).toBe(DEFAULTS.cluster.containerInsights);
    expect(spoke.apps[0]).toEqual(expect.objectContaining({ replicas: DEFAULTS.app.replicas, resources: { requests: DEFAULTS.app.requests, limits: DEFAULTS.app.limits }, writablePaths: DEFAULTS.app.writablePaths }));
  });
});
