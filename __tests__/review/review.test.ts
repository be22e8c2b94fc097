/**
 * The reviewers' tools on synthesized outputs: the model, explain (25+ flows), diff between
 * two variants, and the review report with its picture.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse, stringify } from "yaml";
import { synthesize } from "../../lib/app";
import { diffModels, diffText } from "../../lib/review/diff";
import { buildGraph } from "../../lib/review/graph";
import { explain, parseDestination } from "../../lib/review/explain";
import { Model, readOutput, Ref, Unknown } from "../../lib/output/model";
import { buildReview } from "../../lib/review/report";
import { topology } from "../../lib/output/topology";
import type { HubStack } from "../../lib/stacks/hub-stack";
import { cli, ENVIRONMENTS_DIR } from "../helpers";
import { shippedOutput } from "../shipped";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "review-"));
const quiet = { write: () => undefined };

/** Synthesizes an environment (optionally changed, optionally customized) into its own folder. */
function synthesized(name: string, file: string, change?: (raw: any) => void, customize?: Parameters<typeof synthesize>[0]["customize"]): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  const raw = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, file), "utf8"));
  change?.(raw);
  const envFile = path.join(ENVIRONMENTS_DIR, file);
  let target = envFile;
  if (change) {
    // The changed file lives in the scratch folder, with its key and CA certificate inline (never beside the shipped ones).
    if (raw.hub.jumpbox) raw.hub.jumpbox.sshPublicKey = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), "utf8").trim();
    const tls = raw.hub.firewall?.tlsInspection;
    if (tls) tls.caCertificate = fs.readFileSync(path.join(ENVIRONMENTS_DIR, tls.caCertificate), "utf8");
    target = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(target, stringify(raw));
  }
  const code = synthesize({ outdir: path.join(dir, "cdktf.out"), file: target, stderr: quiet, stdout: quiet, customize });
  if (code !== 0) throw new Error(`synth of ${name} failed`);
  return path.join(dir, "cdktf.out");
}

/** A shipped environment's output (synthesized once per run, tests/shipped.ts), copied: review writes into its folder. */
function shippedCopy(name: string): string {
  const dir = path.join(scratch, `shipped-${name}`, "cdktf.out");
  fs.cpSync(shippedOutput([name]).outdir, dir, { recursive: true });
  return dir;
}

const defaultOut = shippedCopy("default");
const fullOut = shippedCopy("full");
const model = new Model(readOutput(defaultOut));
const full = new Model(readOutput(fullOut));

describe("the model of cdktf.out", () => {
  it("holds every stack's resources and the manifests", () => {
    expect([...model.output.stacks.keys()]).toEqual(["demo-aks1", "demo-aks1-apps", "demo-hub"]);
    expect(model.ofType("azurerm_kubernetes_cluster")).toHaveLength(1);
    expect(model.output.manifests.map((m) => `${m.file}:${m.object.kind}`)).toEqual(["manifests/demo-aks1/hello.yaml:Namespace", "manifests/demo-aks1/hello.yaml:NetworkPolicy", "manifests/demo-aks1/hello.yaml:Deployment", "manifests/demo-aks1/hello.yaml:Service"]);
  });

  it("resolves references across stacks through remote state, down to literals where the output has them", () => {
    const record = model.ofType("azurerm_private_dns_a_record")[0];
    expect(model.attrs(record)).toEqual(expect.objectContaining({ name: "hello", zone_name: "corp.internal", resource_group_name: "rg-demo-hub" }));
  });

  it("keeps computed attributes as references to their resource, and the rest unknown: never guessed", () => {
    const spokeToHub = model.ofType("azurerm_virtual_network_peering").find((p) => p.path.endsWith("peering-spoke-to-hub"))!;
    const remote = model.attr(spokeToHub, "remote_virtual_network_id");
    expect(remote).toBeInstanceOf(Ref);
    expect((remote as Ref).resource.stack).toBe("demo-hub");
    const provider = model.resolve(model.output.stacks.get("demo-aks1-apps").provider.kubernetes[0].exec[0].args[2], "demo-aks1-apps");
    expect(provider).toBeInstanceOf(Unknown);
  });

  it("computes the firewall's private IP from its subnet (network address + 4)", () => {
    expect(topology(model).firewalls.map((f) => f.privateIp)).toEqual(["10.0.0.4"]);
    expect(topology(model).routeTables.find((r) => r.name === "rt-demo-aks1-egress")!.routes[0].nextHop).toBe("10.0.0.4");
  });

  it("links subnets to their route tables, peerings to both VNets, public IPs to what they attach to", () => {
    const t = topology(model);
    expect(t.subnets.find((s) => s.name === "snet-nodes")!.routeTable!.name).toBe("rt-demo-aks1-egress");
    expect(t.peerings.map((p) => `${p.from?.name}->${p.to?.name}`).sort()).toEqual(["vnet-demo-aks1->vnet-demo-hub", "vnet-demo-hub->vnet-demo-aks1"]);
    expect(t.publicIps.map((p) => [p.name, p.attachedTo.map((a) => a.type)]).sort()).toEqual([["pip-demo-afw", ["azurerm_firewall"]], ["pip-demo-bastion", ["azurerm_bastion_host"]]]);
  });
});

describe("explain", () => {
  const ask = (from: string, to: string, m: Model = model) => explain(m, { from, ...parseDestination(to) });

  it.each([
    ["aks1", "mcr.microsoft.com:443/https", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "eastus.data.mcr.microsoft.com:443", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "management.azure.com:443", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "login.microsoftonline.com:443", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "packages.aks.azure.com:443", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "abc.hcp.westeurope.azmk8s.io:443", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["aks1", "data.policy.core.windows.net:443", "allow", "rcg-aks1/rcg-aks1-application/aks-azure-policy"],
    ["aks1", "westeurope.handler.control.monitor.azure.com:443", "allow", "rcg-aks1/rcg-aks1-application/aks-container-insights"],
    ["aks1", "ntp.ubuntu.com:123/udp", "allow", "rcg-aks1/rcg-aks1-network/aks-ntp"],
    ["aks1", "AzureMonitor:443/tcp", "allow", "rcg-aks1/rcg-aks1-network/aks-azure-monitor"],
    ["aks1/ingress", "batman.com:443", "deny", null],
    ["aks1", "mcr.microsoft.com:80/http", "allow", "rcg-aks1/rcg-aks1-application/aks-fqdn-tag"],
    ["hub/jumpbox", "dl.k8s.io:443", "allow", "rcg-jumpbox/rcg-jumpbox-application/jumpbox-tools"],
    ["hub/jumpbox", "azure.archive.ubuntu.com:80/http", "allow", "rcg-jumpbox/rcg-jumpbox-application/jumpbox-ubuntu-packages"],
  ])("%s -> %s: %s by %s", (from, to, verdict, rule) => {
    expect(ask(from, to)).toEqual(expect.objectContaining({ verdict, rule }));
  });

  it.each([
    ["batman.com:80/http"],
    ["batman.com:443"],
    ["registry-1.docker.io:443"],
    ["security.ubuntu.com:80/http"],
    ["mcr.microsoft.com:8080/http"],
    ["mcr.microsoft.com:8443/tcp"],
    ["8.8.8.8:53/udp"],
    ["1.1.1.1:443/tcp"],
    ["dl.k8s.io:443"],
  ])("aks1 -> %s: deny, no rule matched", (to) => {
    expect(ask("aks1", to)).toEqual(expect.objectContaining({ verdict: "deny", rule: null, reason: "no rule matched" }));
  });

  describe("for a network-isolated spoke (full's aks3)", () => {
    it("denies what AKS needs elsewhere (mcr.microsoft.com, the FQDN tag's endpoints, NTP), and says where its images come from instead", () => {
      for (const to of ["mcr.microsoft.com:443/https", "management.azure.com:443", "abc.hcp.westeurope.azmk8s.io:443", "ntp.ubuntu.com:123/udp", "westeurope.handler.control.monitor.azure.com:443"]) {
        expect({ to, ...ask("aks3", to, full) }).toEqual(expect.objectContaining({ to, verdict: "deny", rule: null }));
      }
      expect(ask("aks3", "mcr.microsoft.com:443/https", full).path.at(-1)).toBe(
        "aks-full-aks3 is network-isolated: AKS pulls its own images through acrfullplatform01's cache instead, and a workload pulls mcr.microsoft.com/<path> as acrfullplatform01.azurecr.io/aks-managed-repository/<path>",
      );
      // The add-on that has no private link keeps its two names.
      expect(ask("aks3", "data.policy.core.windows.net:443", full)).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-aks3/rcg-aks3-application/aks-azure-policy" }));
    });

    it.each(["acrfullplatform01.azurecr.io:443/https", "acrfullplatform01.westeurope.data.azurecr.io:443/https"])("reaches the registry's private endpoint for %s over the peering, not through the firewall", (to) => {
      const e = ask("aks3", to, full);
      expect(e.verdict).toBe("allow");
      expect(e.path).toEqual([
        "from full-aks3/snet-nodes (10.0.12.0/24)",
        `${to.split(":")[0]} resolves to the private endpoint of acrfullplatform01 in full-hub/snet-private-endpoints (its record in privatelink.azurecr.io, linked to vnet-full-hub; an address Azure picks there at deploy time)`,
        "aks-full-aks3 is network-isolated: its bootstrap and system images come from this registry's cache of mcr.microsoft.com, over this path",
        "route 10.0.0.0/22 via peering to vnet-full-hub",
        "to full-hub/snet-private-endpoints, not through the firewall",
        "no NSG on the destination subnet",
      ]);
    });

    it("resolves a private endpoint's name only where its zone is linked: the default hub has no registry, so the name goes to the firewall", () => {
      expect(ask("aks1", "acrfullplatform01.azurecr.io:443/https").path).toContain("to the firewall afw-demo-hub (10.0.0.4)");
    });
  });

  it("does not let a wildcard match a look-alike host", () => {
    expect(ask("aks1", "evildata.mcr.microsoft.com:443").verdict).toBe("deny");
    expect(ask("aks1", "data.mcr.microsoft.com.evil.com:443").verdict).toBe("deny");
    expect(ask("aks1", "mcr.microsoft.com.evil.com:443").verdict).toBe("deny");
  });

  it("sends spoke egress to the firewall's private IP", () => {
    expect(ask("aks1", "batman.com:80").path).toEqual(expect.arrayContaining(["route 0.0.0.0/0 via rt-demo-aks1-egress/default-via-firewall (VirtualAppliance)", "to the firewall afw-demo-hub (10.0.0.4)"]));
  });

  it("keeps peered traffic off the firewall: the destination subnet's NSG decides", () => {
    const toJumpbox = ask("aks1", "10.0.1.5:22/tcp");
    expect(toJumpbox.path).toContain("route 10.0.0.0/22 via peering to vnet-demo-hub");
    expect(toJumpbox.path.join(" ")).not.toContain("to the firewall");
    expect(toJumpbox).toEqual(expect.objectContaining({ verdict: "deny", rule: "nsg/nsg-demo-jumpbox/deny-all-other-inbound" }));
  });

  it("resolves an app's private name and keeps the flow inside the spoke", () => {
    const hello = ask("aks1", "hello.corp.internal:80");
    expect(hello.path).toEqual(expect.arrayContaining(["hello.corp.internal resolves to 10.0.4.25 (private zone record)", "to demo-aks1/snet-ingress, not through the firewall"]));
    expect(hello.verdict).toBe("allow");
  });

  it("resolves a private name only where its zone is linked: not from another region's spoke, even with a zone of that name", () => {
    // Two regions, each with a zone named corp.internal linked to its own VNets, and an app
    // named in the first region's: the second region's zone has no such record.
    const dir = path.join(scratch, "dns-two-regions");
    fs.mkdirSync(dir, { recursive: true });
    const we = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "multi-spoke.yaml"), "utf8"));
    we.hub.jumpbox.sshPublicKey = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), "utf8").trim();
    we.hub.dns.zones = ["corp.internal"];
    we.spokes[0].apps = [{ name: "web", image: "mcr.microsoft.com/dotnet/samples:aspnetapp", port: 80, containerPort: 8080, ip: "10.10.4.25", dns: { zone: "corp.internal", record: "web" } }];
    const ne = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "multi-spoke-northeurope.yaml"), "utf8"));
    ne.hub.dns.zones = ["corp.internal"];
    const files = [["we.yaml", we], ["ne.yaml", ne]].map(([name, raw]) => {
      const file = path.join(dir, name as string);
      fs.writeFileSync(file, stringify(raw));
      return file;
    });
    expect(synthesize({ outdir: path.join(dir, "cdktf.out"), file: files.join(","), stderr: quiet, stdout: quiet })).toBe(0);
    const two = new Model(readOutput(path.join(dir, "cdktf.out")));
    const near = ask("we-orders", "web.corp.internal:80", two);
    expect(near.path).toContain("web.corp.internal resolves to 10.10.4.25 (private zone record)");
    const far = ask("ne-payments", "web.corp.internal:80", two);
    expect(far).toEqual({
      verdict: "deny",
      rule: null,
      path: [expect.stringContaining("from ne-payments"), "web.corp.internal has a private record in corp.internal, which is not linked to vnet-ne-hub, where lookups from ne-payments/snet-nodes are answered"],
      reason: "web.corp.internal does not resolve from ne-payments/snet-nodes: its private zone is not linked to vnet-ne-hub",
    });
    // Names two regions share are listed as stack ids when the source is unknown.
    expect(() => ask("nosuch", "web.corp.internal:80", two)).toThrow("valid: ne-hub, ne-orders, ne-payments, search, we-hub, we-orders, we-payments (add");
  });

  it("sends spoke-to-spoke traffic through the firewall, which denies it", () => {
    const out = ask("aks1", "10.0.9.10:443/tcp", full);
    expect(out.path).toContain("to the firewall afw-full-hub (10.0.0.4)");
    expect(out.verdict).toBe("deny");
  });

  it("lets SSH from Bastion into the jumpbox through its NSG rule", () => {
    expect(ask("hub/bastion", "10.0.1.5:22/tcp")).toEqual(expect.objectContaining({ verdict: "allow", rule: "nsg/nsg-demo-jumpbox/allow-ssh-from-bastion" }));
  });

  it("lets priority decide between two overlapping rules: a deny collection with a lower number wins", () => {
    const out = synthesized("deny-first", "default.yaml", undefined, (built) => {
      new FirewallPolicyRuleCollectionGroup(built.hub, "block-mcr", {
        name: "rcg-block",
        firewallPolicyId: (built.hub as HubStack).firewall.policyId,
        priority: 900,
        applicationRuleCollection: [{ name: "block", priority: 100, action: "Deny", rule: [{ name: "no-mcr", sourceAddresses: ["10.0.5.0/24"], destinationFqdns: ["mcr.microsoft.com"], protocols: [{ type: "Https", port: 443 }] }] }],
      });
    });
    const m = new Model(readOutput(out));
    expect(ask("aks1", "mcr.microsoft.com:443", m)).toEqual(expect.objectContaining({ verdict: "deny", rule: "rcg-block/block/no-mcr" }));
    expect(ask("aks1", "management.azure.com:443", m).verdict).toBe("allow");
  });

  it("from on-premises: through the gateway, GatewaySubnet's route and the firewall's on-premises rules", () => {
    const hybrid = new Model(readOutput(shippedOutput(["hybrid"]).outdir));
    const app = ask("onprem", "hello.corp.internal:80", hybrid);
    expect(app).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-onprem/rcg-onprem-network/onprem-to-aks1-apps" }));
    expect(app.path).toEqual(expect.arrayContaining(["GatewaySubnet route 10.0.4.0/22 via rt-hybrid-gateway/to-aks1-0 (VirtualAppliance 10.0.0.4)", "to the firewall afw-hybrid-hub (10.0.0.4)"]));
    expect(ask("onprem", "10.0.5.10:443/tcp", hybrid)).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-onprem/rcg-onprem-network/onprem-to-aks1-api" }));
    expect(ask("onprem", "10.0.5.10:22/tcp", hybrid)).toEqual(expect.objectContaining({ verdict: "deny", rule: null }));
    expect(() => ask("onprem", "hello.corp.internal:80")).toThrow('--from "onprem": this output has no on-premises connection');
  });

  it("from on-premises, says how a private name is resolved: the hub's resolver, or none", () => {
    const hybrid = new Model(readOutput(shippedOutput(["hybrid"]).outdir));
    expect(ask("onprem", "hello.corp.internal:80", hybrid).path).toContain("hello.corp.internal resolves to 10.0.4.25 (private zone record, through the DNS resolver's inbound endpoint)");
    const noResolver = new Model(readOutput(synthesized("hybrid-no-resolver", "hybrid.yaml", (raw) => {
      delete raw.hub.subnets.dnsResolverInbound;
      delete raw.hub.subnets.dnsResolverOutbound;
      delete raw.hub.dns.forwarding;
    })));
    expect(ask("onprem", "hello.corp.internal:80", noResolver).path).toContain("hello.corp.internal resolves to 10.0.4.25 (private zone record, if on-premises DNS can reach it: this hub has no DNS resolver)");
  });

  describe("decides as Azure would (each case with the rule Azure applies)", () => {
    const hybrid = new Model(readOutput(shippedOutput(["hybrid"]).outdir));
    const apiName = (cluster: string) => `${cluster}-1a2b3c4d.privatelink.westeurope.azmk8s.io`;

    it("judges on-premises traffic that ends in a hub subnet by that subnet's NSG: the jumpbox's denies RDP, allows SSH", () => {
      // Microsoft Learn, "Network security groups: how they filter traffic": inbound traffic is
      // judged by the NSG of the subnet it arrives in, whatever its source.
      expect(ask("onprem", "10.0.1.4:3389/tcp", full)).toEqual(expect.objectContaining({ verdict: "deny", rule: "nsg/nsg-full-jumpbox/deny-all-other-inbound" }));
      expect(ask("onprem", "10.0.1.4:22/tcp", full)).toEqual(expect.objectContaining({ verdict: "allow", rule: "nsg/nsg-full-jumpbox/allow-ssh-from-onpremises" }));
      expect(ask("onprem", "10.0.1.4:3389/tcp", full).path).toContain("GatewaySubnet has no route for it: straight to full-hub/snet-jumpbox, not through the firewall");
    });

    it("resolves a cluster's private API server name to its private endpoint in the node subnet: the traffic stays in the VNet", () => {
      // AKS private clusters: the API server's private endpoint is in the cluster's (default pool's) subnet.
      const answer = ask("aks1", `${apiName("aks-demo-aks1")}:443`);
      expect(answer).toEqual(expect.objectContaining({ verdict: "allow", rule: null }));
      expect(answer.path).toEqual(expect.arrayContaining([
        `${apiName("aks-demo-aks1")} is the private API server of aks-demo-aks1: its private endpoint in demo-aks1/snet-nodes (an address AKS picks there at deploy time)`,
        "to demo-aks1/snet-nodes, not through the firewall",
      ]));
      // API Server VNet Integration: the API server's own subnet, judged by its NSG.
      expect(ask("aks2", `${apiName("aks-full-aks2")}:443`, full).path).toContain(`${apiName("aks-full-aks2")} is the private API server of aks-full-aks2: its load balancer in full-aks2/snet-apiserver (API Server VNet Integration)`);
    });

    it("from on-premises to a private-endpoint API server, by name and by address, says the firewall is bypassed and does not log it", () => {
      // Microsoft Learn, "What is a private endpoint?": a private endpoint adds a /32 route to its
      // VNet and the peered ones, longer than GatewaySubnet's route for the spoke.
      const byName = ask("onprem", `${apiName("aks-hybrid-aks1")}:443`, hybrid);
      expect(byName).toEqual(expect.objectContaining({ verdict: "allow", rule: null }));
      expect(byName.reason).toMatch(/directly, both ways: the firewall neither sees nor logs it/);
      const byAddress = ask("onprem", "10.0.5.10:443/tcp", hybrid);
      expect(byAddress.rule).toBe("rcg-onprem/rcg-onprem-network/onprem-to-aks1-api");
      expect(byAddress.reason).toMatch(/unless 10\.0\.5\.10 is aks-hybrid-aks1's API server private endpoint .*the firewall neither sees nor logs it$/);
    });

    it("answers inbound questions from the Internet from the output's public IPs and what each accepts", () => {
      expect(ask("internet", "pip-full-afw:443", full)).toEqual(expect.objectContaining({ verdict: "deny", reason: "pip-full-afw is the firewall's egress address and the firewall has no DNAT rules" }));
      expect(ask("internet", "pip-full-afw-mgmt:443", full).verdict).toBe("deny");
      expect(ask("internet", "pip-full-bastion:443", full).verdict).toBe("allow");
      expect(ask("internet", "pip-full-bastion:22/tcp", full)).toEqual(expect.objectContaining({ verdict: "deny", reason: "Azure Bastion does not accept TCP 22" }));
      expect(ask("internet", "pip-full-vgw:500/udp", full).path).toContain("IPsec/IKE: tunnels only with the declared devices (20.50.60.70), each authenticated by its shared key");
      expect(ask("internet", "pip-full-vgw:443", full).reason).toBe("the VPN gateway accepts OpenVPN on 443 from clients that sign in with Entra ID");
      expect(ask("internet", "pip-full-vgw:3389/tcp", full).verdict).toBe("deny");
      for (const privateOne of ["hello.corp.internal:80", "10.0.4.25:80", `${apiName("aks-full-aks1")}:443`]) {
        expect(ask("internet", privateOne, full)).toEqual(expect.objectContaining({ verdict: "deny", reason: "no private address of this output is reachable from the Internet" }));
      }
      expect(ask("internet", "20.1.2.3:443", full).verdict).toBe("deny");
    });

    it("lists every --from form in --help", async () => {
      const help = await cli("explain", "--help");
      for (const form of ["<spoke>", "<spoke>/<subnet>", "hub/<subnet>", "onprem", "internet"]) expect(help.stdout).toContain(form);
    });
  });

  it("names the valid sources when asked about one that does not exist", async () => {
    const result = await cli("explain", "--from", "aks9", "--to", "mcr.microsoft.com:443", "--out", defaultOut);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('private-aks: --from "aks9": no spoke or hub of that name; valid: aks1, hub (add /<subnet> for another subnet), onprem, internet\n');
    const subnet = await cli("explain", "--from", "aks1/db", "--to", "mcr.microsoft.com:443", "--out", defaultOut);
    expect(subnet.stderr).toBe('private-aks: --from "aks1/db": vnet-demo-aks1 has no subnet "db"; valid: ingress, nodes\n');
  });

  it("prints JSON with --json", async () => {
    const result = await cli("explain", "--from", "aks1", "--to", "batman.com:80/http", "--out", defaultOut, "--json");
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ verdict: "deny", rule: null, path: expect.any(Array) }));
  });
});

describe("diff", () => {
  const variant = synthesized("variant", "default.yaml", (raw) => {
    raw.spokes[0].egress = { fqdns: ["api.contoso.com"], ubuntuUpdates: true };
    raw.spokes[0].cluster.networkPolicy = "calico";
    raw.spokes[0].cluster.adminGroupObjectIds = ["11111111-2222-3333-4444-555555555555"];
    delete raw.hub.subnets.bastion;
    raw.onPremises = ["192.168.0.0/16"];
  });
  const d = diffModels(model, new Model(readOutput(variant)));

  it("reports no change between two syntheses of the same environment, exit 0", async () => {
    const again = synthesized("again", "default.yaml");
    expect(diffModels(model, new Model(readOutput(again))).changed).toBe(false);
    expect(await cli("diff", defaultOut, again)).toEqual({ code: 0, stdout: "No changes.\n", stderr: "" });
  });

  it("names a removed public endpoint", () => {
    expect(d.publicEndpoints.removed).toEqual([expect.stringMatching(/^demo-hub\/bastion\/public-ip \(pip-demo-bastion\): Azure Bastion's front door/)]);
    expect(d.publicEndpoints.added).toEqual([]);
  });

  it("names egress rules added, with their destinations, ports and sources", () => {
    expect(d.egress).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns", change: "added", detail: "Allow application Https:443 to api.contoso.com from 10.0.5.0/24" }),
      expect.objectContaining({ rule: "rcg-aks1/rcg-aks1-application/ubuntu-updates", change: "added" }),
    ]));
  });

  it("names cluster security settings and role assignments that changed", () => {
    expect(d.clusters).toContain("~ aks-demo-aks1: policy cilium => calico");
    expect(d.roleAssignments.added).toEqual([expect.stringContaining("Azure Kubernetes Service RBAC Cluster Admin on demo-aks1/cluster/cluster")]);
  });

  it("lists resources added, removed and changed by type and path, and exits 1", async () => {
    expect(d.resources.removed.map((r) => `${r.type} ${r.path}`)).toEqual(expect.arrayContaining(["azurerm_bastion_host demo-hub/bastion/bastion"]));
    expect(d.resources.changed.map((r) => r.path)).toEqual(expect.arrayContaining(["demo-aks1/cluster/cluster"]));
    const text = diffText(d);
    expect(text.indexOf("Public endpoints:")).toBeLessThan(text.indexOf("Resources:"));
    const result = await cli("diff", defaultOut, variant, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).changed).toBe(true);
  });

  it("tells the rules of two regions' spokes of one name apart: adding a region adds its rules and changes none", () => {
    const out = (names: string[]) => new Model(readOutput(shippedOutput(names).outdir));
    // Both regions have spokes named payments and orders, so both policies have an rcg-payments.
    const one = out(["multi-spoke"]);
    const two = out(["multi-spoke", "multi-spoke-northeurope"]);
    const d = diffModels(one, two);
    expect(d.egress.filter((e) => e.change !== "added")).toEqual([]);
    const added = d.egress.map((e) => e.rule);
    expect(added).toEqual(expect.arrayContaining([expect.stringMatching(/^afw-\S*ne\S*: rcg-payments\/rcg-payments-network\//)]));
    expect(added.filter((r) => r.includes("rcg-payments")).every((r) => !/^afw-\S*we\S*:/.test(r))).toBe(true);
  });

  it("names the rules added to an existing hub's policy, which the output does not hold, in diff and in REVIEW.md", () => {
    const base = new Model(readOutput(shippedOutput(["brownfield"]).outdir));
    const head = new Model(readOutput(synthesized("brown-head", "brownfield.yaml", (raw) => (raw.spokes[0].egress = { fqdns: ["api.contoso.com"] }))));
    const d = diffModels(base, head);
    expect(d.egress).toEqual([expect.objectContaining({ rule: expect.stringMatching(/^rcg-\S+\/rcg-\S+-application\/spoke-fqdns$/), change: "added", detail: expect.stringContaining("api.contoso.com") })]);
    const report = buildReview(head).markdown;
    expect(report).toMatch(/### existing policy \S+ \(the rule collection groups this output adds/);
    expect(report).toContain("api.contoso.com");
  });

  it("catches a widened egress rule", () => {
    const wider = synthesized("wider", "default.yaml", (raw) => (raw.spokes[0].egress = { fqdns: ["api.contoso.com", "api2.contoso.com"] }));
    const narrow = synthesized("narrow", "default.yaml", (raw) => (raw.spokes[0].egress = { fqdns: ["api.contoso.com"] }));
    const w = diffModels(new Model(readOutput(narrow)), new Model(readOutput(wider)));
    expect(w.egress).toEqual([{ rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns", change: "widened", detail: "+ api2.contoso.com" }]);
    const n = diffModels(new Model(readOutput(wider)), new Model(readOutput(narrow)));
    expect(n.egress).toEqual([{ rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns", change: "narrowed", detail: "- api2.contoso.com" }]);
  });
});

describe("diff names what Terraform replaces or rotates", () => {
  it("a cluster moved to API Server VNet Integration is replaced: its private DNS zone, a ForceNew argument, changes", () => {
    const integrated = synthesized("integrated", "default.yaml", (raw) => (raw.spokes[0].subnets.apiServer = "10.0.6.0/28"));
    const d = diffModels(new Model(readOutput(defaultOut)), new Model(readOutput(integrated)));
    expect(d.disruptive).toEqual([expect.stringMatching(/^demo-aks1\/cluster\/cluster: cluster replaced \(destroyed and created again\): private_dns_zone_id "demo-hub\/azurerm_private_dns_zone\.aks-dns-zone_[0-9A-F]+\.id" => "demo-hub\/azurerm_private_dns_zone\.aks-vnet-integration-dns-zone_[0-9A-F]+\.id"$/)]);
    expect(d.clusters).toContain("~ aks-demo-aks1: apiServer private endpoint => snet-apiserver (VNet integration)");
    // Taking the subnet away again replaces it too (azurerm's ForceNewIfChange on the subnet).
    const back = diffModels(new Model(readOutput(integrated)), new Model(readOutput(defaultOut)));
    expect(back.disruptive[0]).toMatch(/cluster replaced .*api_server_access_profile\.subnet_id .* => unset$/);
  });

  it("a pool whose OS disk or size changes is rotated through its temporary pool, the system pool without cordon and drain", () => {
    const changedPools = synthesized("rotated", "default.yaml", (raw) => {
      raw.spokes[0].cluster.systemPool = { vmSize: "Standard_D8ds_v6" };
      raw.spokes[0].cluster.userPools[0].osDiskType = "Managed";
    });
    expect(diffModels(new Model(readOutput(defaultOut)), new Model(readOutput(changedPools))).disruptive).toEqual([
      'demo-aks1/cluster/cluster: system pool rotated through systemtmp (no cordon and drain): vm_size "Standard_D4ds_v6" => "Standard_D8ds_v6"',
      'demo-aks1/cluster/pool-apps: pool apps rotated through appstmp: os_disk_type "Ephemeral" => "Managed"',
    ]);
  });

  it("a new service range replaces the cluster (network_profile's ForceNew arguments)", () => {
    const moved = synthesized("service-range", "default.yaml", (raw) => Object.assign(raw.spokes[0].cluster, { serviceCidr: "10.3.0.0/24", dnsServiceIp: "10.3.0.10" }));
    expect(diffModels(new Model(readOutput(defaultOut)), new Model(readOutput(moved))).disruptive).toEqual([
      'demo-aks1/cluster/cluster: cluster replaced (destroyed and created again): network_profile.service_cidr "10.2.0.0/24" => "10.3.0.0/24"; network_profile.dns_service_ip "10.2.0.10" => "10.3.0.10"',
    ]);
  });

  it("names no rotation where azurerm plans none: an OS disk type left out is Managed, and zones are a set", () => {
    const managed = synthesized("managed", "default.yaml", (raw) => {
      raw.spokes[0].cluster.userPools[0].osDiskType = "Managed";
      raw.spokes[0].cluster.userPools[0].zones = ["3", "2", "1"];
    });
    // The base as an output written before os_disk_type existed: the pool leaves it out.
    const base = path.join(scratch, "managed-base");
    fs.cpSync(managed, base, { recursive: true });
    const file = path.join(base, "stacks", "demo-aks1", "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const pool of Object.values<any>(json.resource.azurerm_kubernetes_cluster_node_pool)) {
      delete pool.os_disk_type;
      pool.zones = ["1", "2", "3"];
    }
    fs.writeFileSync(file, JSON.stringify(json));
    expect(diffModels(new Model(readOutput(base)), new Model(readOutput(managed))).disruptive).toEqual([]);
  });

  it("a cluster made network-isolated is replaced (its kubelet identity, ForceNew), and one made not isolated keeps running on an identity Terraform deletes: both named", () => {
    const open = synthesized("not-isolated", "full.yaml", (raw) => (raw.spokes[2].cluster.networkIsolated = false));
    const on = diffModels(new Model(readOutput(open)), full).disruptive.filter((l) => l.startsWith("full-aks3/"));
    expect(on).toEqual([expect.stringMatching(/^full-aks3\/cluster\/cluster: cluster replaced \(destroyed and created again\): kubelet_identity unset => "full-aks3\/azurerm_user_assigned_identity\.cluster_kubelet-identity_[0-9A-F]+\.id"$/)]);
    const off = diffModels(full, new Model(readOutput(open))).disruptive.filter((l) => l.startsWith("full-aks3/"));
    expect(off).toEqual([expect.stringMatching(/^full-aks3\/cluster\/cluster: kubelet identity .* is no longer given: Terraform plans no change to the cluster .* replace the cluster in the same apply \(terraform apply -replace\), or keep it given$/)]);
  });

  it("names the nodes' reimage when the CA certificates they trust change (TLS inspection's CA)", () => {
    const none = synthesized("no-inspection", "full.yaml", (raw) => (raw.spokes[0].egress.tlsInspection = []));
    expect(diffModels(new Model(readOutput(none)), full).disruptive).toContain("full-aks1/cluster/cluster: nodes reimaged: the CA certificates they trust (custom_ca_trust_certificates_base64) changed");
  });

  it("names nothing for a change that neither replaces nor rotates", () => {
    const variant = synthesized("egress-only", "default.yaml", (raw) => (raw.spokes[0].egress = { fqdns: ["api.contoso.com"] }));
    expect(diffModels(new Model(readOutput(defaultOut)), new Model(readOutput(variant))).disruptive).toEqual([]);
  });
});

describe("review", () => {
  it("writes REVIEW.md and topology.svg into <out>/review and exits 0 when every guardrail passes", async () => {
    const result = await cli("review", "--out", fullOut);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("guardrails: all pass");
    expect(fs.readdirSync(path.join(fullOut, "review")).sort()).toEqual(["REVIEW.md", "topology.svg"]);
  });

  it("draws an SVG that is valid XML and names every VNet", async () => {
    await cli("review", "--out", fullOut);
    const svg = fs.readFileSync(path.join(fullOut, "review", "topology.svg"), "utf8");
    expect(XMLValidator.validate(svg)).toBe(true);
    const text = JSON.stringify(new XMLParser({ htmlEntities: true }).parse(svg));
    for (const v of topology(full).vnets) expect(text).toContain(v.name);
  });

  it("shows public endpoints with their justification, egress per spoke, routes, cluster posture, DNS, apps and guardrails", () => {
    const md = buildReview(full).markdown;
    for (const heading of ["## Topology", "## Public endpoints", "## Egress allowed through the firewall", "## Routes", "## Clusters", "## Private DNS", "## Apps", "## Guardrails", "### Acknowledged exceptions"]) expect(md).toContain(heading);
    expect(md).toContain("```mermaid\nflowchart LR");
    expect(md).toMatch(/\| pip-full-afw \| `full-hub\/firewall\/public-ip` \| `full-hub\/firewall\/firewall` \| Azure Firewall's egress address/);
    expect(md).toContain("| aks-full-aks1 | yes | yes | snet-nodes (private endpoint) | yes (UDR) | yes | yes |");
    // A network-isolated cluster has no egress path of its own: the review says so, and where its images come from.
    expect(md).toContain("| aks-full-aks3 | yes | yes | snet-nodes (private endpoint) | yes (network-isolated: images from acrfullplatform01's cache) | yes | yes |");
    // The picture joins each cluster to its node subnet, and a VNet-integrated one to its API server subnet too.
    const graph = buildGraph(topology(full));
    const label = (id: string) => graph.nodes.find((n) => n.id === id)?.label.split("\\n")[0];
    expect(graph.edges.filter((e) => e.label === "API server").map((e) => [label(e.from), label(e.to)])).toEqual([["private AKS aks-full-aks2", "snet-apiserver"]]);
    // Where each API server listens, and each pool's OS disk, are what a reviewer cannot see in a snapshot line.
    expect(md).toContain("| aks-full-aks2 | yes | yes | snet-apiserver (VNet integration) | yes (UDR) |");
    expect(md).toMatch(/\| aks-full-aks1 \|.*\| system: Ephemeral, apps: Ephemeral, batch: Managed \|$/m);
    expect(md).toContain("| hello/hello | `full-aks1-apps/kubernetes_service_v1.");
    expect(md).toContain("| hello/hello | `manifests/full-aks1/hello.yaml` | LoadBalancer | yes | snet-ingress | 10.0.4.25 | hello.corp.internal |");
  });

  it("names every egress address partners must allow-list: both of full.yaml's egressIps: 2, the one of default.yaml", () => {
    expect(buildReview(full).markdown).toContain("Egress from afw-full-hub leaves Azure from any of 2 addresses, pip-full-afw, pip-full-afw-2, one per connection (the hub's `firewall_public_ips` output): partners must allow-list all of them.");
    expect(buildReview(model).markdown).toContain("Egress from afw-demo-hub leaves Azure from pip-demo-afw (the hub's `firewall_public_ips` output): the address partners allow-list.");
  });

  it("puts the changes since the base at the top with --base", async () => {
    const variant = synthesized("review-base", "default.yaml", (raw) => (raw.spokes[0].egress = { fqdns: ["api.contoso.com"] }));
    expect(await cli("review", "--out", variant, "--base", defaultOut)).toEqual(expect.objectContaining({ code: 0 }));
    const md = fs.readFileSync(path.join(variant, "review", "REVIEW.md"), "utf8");
    expect(md.indexOf("## Changes since the base")).toBeLessThan(md.indexOf("## Topology"));
    expect(md).toContain("+ rcg-aks1/rcg-aks1-application/spoke-fqdns (added): Allow application Https:443 to api.contoso.com from 10.0.5.0/24");
  });

  it("exits 2 and names the violation when the output breaks a guardrail", async () => {
    const out = path.join(scratch, "broken");
    fs.cpSync(defaultOut, out, { recursive: true });
    const file = path.join(out, "stacks", "demo-aks1", "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    Object.values<any>(json.resource.azurerm_kubernetes_cluster)[0].private_cluster_enabled = false;
    fs.writeFileSync(file, JSON.stringify(json));
    const result = await cli("review", "--out", out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^demo-aks1\/cluster\/cluster: \[AKS-001\] the API server is private/);
  });

  it("says clearly when the folder holds no synthesized output", async () => {
    expect(await cli("review", "--out", path.join(scratch, "nothing"))).toEqual(expect.objectContaining({ code: 2, stderr: expect.stringMatching(/^private-aks: .*nothing: no manifest\.json here; synthesize first/) }));
  });
});

describe("runtime policy in the reviewers' tools", () => {
  /**
   * full.yaml with aks1 audited instead of denied and exempted from K8S-001, aks2's NET-002
   * exemption dropped, aks3's runtime policy on, and the environment's VM-001 exemption given a
   * later expiry and another reason.
   */
  const weakenedOut = synthesized("full-runtime-changed", "full.yaml", (raw) => {
    raw.spokes[0].policy = { effect: "audit", exemptions: [{ guardrail: "K8S-001", reason: "the vendor's ingress controller needs a public address for its trial" }] };
    raw.spokes[1].policy.exemptions = [];
    raw.spokes[2].policy = {};
    raw.policy.exemptions[0].expiresOn = "2027-06-30";
    raw.policy.exemptions[0].reason = "the vendor's DNS appliance keeps its console password until its summer image (NET-5120)";
  });
  const weakened = new Model(readOutput(weakenedOut));

  it("review: the guardrail table has its runtime column, from the assignments in the output", () => {
    const md = buildReview(full).markdown;
    expect(md).toContain("| rule | requires | judged | passed | acknowledged | at runtime (Azure Policy) |");
    expect(md).toMatch(/\| PUB-001 \| every public IP is a named, justified exception \| 5 \| 0 \| 5 \| deny \(2 assignments\), audit \(2 assignments\) \|/);
    // Counted by assignment: REG-001's three policies are in the hub's one.
    expect(md).toMatch(/\| K8S-003 \| [^|]+ \| \d+ \| \d+ \| 0 \| deny \(1 assignment\), audit \(1 assignment\) \|/);
    // The hub's guardrails hold in its resource group and in TLS inspection's, where KV-001's RBAC policy alone is exempted.
    expect(md).toMatch(/\| REG-001 \| [^|]+ \| \d+ \| \d+ \| 0 \| deny \(2 assignments\) \|/);
    expect(md).toMatch(/\| VM-001 \| [^|]+ \| \d+ \| \d+ \| 0 \| deny \(2 assignments, 2 exempted\) \|/);
    expect(md).toMatch(/\| KV-001 \| [^|]+ \| \d+ \| \d+ \| 1 \| deny \(2 assignments, 1 exempted\) \|/);
    expect(md).toMatch(/\| FW-001 \| [^|]+ \| \d+ \| \d+ \| 0 \| not enforceable: Azure Policy compares values, not address ranges/);
    expect(md).toContain("- `full-aks3`: **off**: the lab subscription is governed by the landing zone's management-group policy initiative instead");
    expect(md).toContain("| full-aks2 | rg-full-aks2 | NET-002 | net-002-subnet-nsg-route-table | **audit** | full-aks2-subnet-nsg-and-route-table | the ingress subnet's NSG moves to the network team's pipeline in January; its findings are tracked in NET-4711 | 2027-01-31T00:00:00Z |");
    expect(md).toContain('| full-aks1 | rg-full-aks1-nodes | PUB-001 | pub-001-no-public-ips | deny | built-in "Not allowed resource types" 2.0.* |  |  |');
  });

  it("review reads what will be applied: an escape hatch that stops enforcing shows as audit", () => {
    const out = synthesized("full-escape-hatch", "full.yaml", undefined, (built) => {
      built.spokes[0].runtimePolicy.assignments.get("spoke")?.addOverride("enforce", false);
    });
    expect(buildReview(new Model(readOutput(out))).markdown).toContain("| full-aks1 | rg-full-aks1 | AKS-001 | aks-001-private-cluster | **audit** |");
  });

  it("diff: names each assignment weakened, an exemption removed, and a stack's runtime policy turned on with its assignments", () => {
    const text = diffText(diffModels(full, weakened));
    expect(text).toContain("Runtime policy (Azure Policy):");
    expect(text).toContain("  ~ full-aks1 rg-full-aks1 AKS-001 aks-001-private-cluster weakened: deny => audit");
    expect(text).toContain("  ~ full-aks1 cluster aks-full-aks1 K8S-001 k8s-001-internal-load-balancers weakened: deny => audit");
    expect(text).toContain("  ~ full-aks2 rg-full-aks2 NET-002 net-002-subnet-nsg-route-table strengthened: exemption removed");
    expect(text).toContain("  + full-aks3: runtime policy turned on");
    expect(text).toContain("  + full-aks3 rg-full-aks3-nodes PUB-001 pub-001-no-public-ips (deny) added");
    expect(text).not.toMatch(/weakened: deny => deny|NET-002 [^\n]*weakened: audit/);
  });

  it("diff: names an exemption made, one that lasts longer, and its reason changed", () => {
    const text = diffText(diffModels(full, weakened));
    expect(text).toContain("  ~ full-aks1 cluster aks-full-aks1 K8S-001 k8s-001-internal-load-balancers weakened: exempted (the vendor's ingress controller needs a public address for its trial)");
    expect(text).toContain("  ~ full-hub rg-full-hub VM-001 vm-001-ssh-keys-only weakened: exemption expires 2027-03-31T00:00:00Z => 2027-06-30T00:00:00Z");
    expect(text).toContain(`  ~ full-hub rg-full-hub VM-001 vm-001-ssh-keys-only exemption's reason changed: "the vendor's DNS appliance VM in the hub's resource group takes a console password until its 2027 image accepts SSH keys (NET-5120)" => "the vendor's DNS appliance keeps its console password until its summer image (NET-5120)"`);
    expect(diffText(diffModels(weakened, full))).toContain("  ~ full-hub rg-full-hub VM-001 vm-001-ssh-keys-only strengthened: exemption expires 2027-06-30T00:00:00Z => 2027-03-31T00:00:00Z");
  });

  it("diff: when runtime policy goes off everywhere, says the spokes must apply before the hub deletes the initiatives they assign", () => {
    const allOff = new Model(
      readOutput(
        synthesized("full-runtime-off", "full.yaml", (raw) => {
          raw.policy = { effect: "off", reason: "the landing zone's management-group initiative takes over (GOV-77)" };
          for (const spoke of raw.spokes) spoke.policy = {};
        }),
      ),
    );
    const text = diffText(diffModels(full, allOff));
    expect(text).toContain(
      // aks2, in a subscription of its own, assigns its own initiatives, deleted in its own apply.
      "  ! deploy order: full-hub deletes initiatives that full-aks1 assigns, and Azure refuses to delete an initiative still assigned: apply that stack first (npx cdktf deploy full-aks1 --ignore-missing-stack-dependencies), then full-hub",
    );
    // Nothing to order when the initiatives stay (or come back).
    expect(diffText(diffModels(full, weakened))).not.toContain("deploy order");
    expect(diffText(diffModels(allOff, full))).not.toContain("deploy order");
  });

  it("diff the other way: turned off (with the reason), removed and strengthened", () => {
    const text = diffText(diffModels(weakened, full));
    expect(text).toContain("  - full-aks3: runtime policy turned off (the lab subscription is governed by the landing zone's management-group policy initiative instead)");
    expect(text).toContain("  - full-aks3 rg-full-aks3 NET-003 net-003-route-table-via-firewall (deny) removed");
    expect(text).toContain("  ~ full-aks1 rg-full-aks1 AKS-001 aks-001-private-cluster strengthened: audit => deny");
    expect(text).toContain("  ~ full-aks2 rg-full-aks2 NET-002 net-002-subnet-nsg-route-table weakened: exempted (");
  });

  it("explain: an inbound question about an app's private name says the runtime policy keeps its Service internal", () => {
    const e = explain(full, { from: "internet", ...parseDestination("hello.corp.internal:80") });
    expect(e.verdict).toBe("deny");
    expect(e.path[e.path.length - 1]).toBe("and after deploy Azure Policy keeps it so: K8S-001: a LoadBalancer Service that is not internal is refused in cluster aks-full-aks1; PUB-001: a public IP is refused in rg-full-aks1-nodes, rg-full-aks1");
  });

  it("explain: where the assignments only audit or are exempted, says that nothing refuses the change", () => {
    const e = explain(weakened, { from: "internet", ...parseDestination("hello.corp.internal:80") });
    expect(e.path[e.path.length - 1]).toBe(
      "and after deploy Azure Policy refuses no such change there: K8S-001: a LoadBalancer Service that is not internal is exempted in cluster aks-full-aks1 (the vendor's ingress controller needs a public address for its trial); PUB-001: a public IP is only audited in rg-full-aks1-nodes, rg-full-aks1",
    );
  });

  it("explain: says so where runtime policy is off, and sums up every spoke for an address of none", () => {
    const lab = explain(full, { from: "internet", ...parseDestination("10.0.12.5:443") });
    expect(lab.path).toContain("at runtime nothing refuses a public LoadBalancer Service there: runtime policy is off in full-aks3 (the lab subscription is governed by the landing zone's management-group policy initiative instead)");
    const elsewhere = explain(full, { from: "internet", ...parseDestination("20.1.2.3:443") });
    expect(elsewhere.path[elsewhere.path.length - 1]).toMatch(/^and after deploy Azure Policy keeps it so only in part: K8S-001: a LoadBalancer Service that is not internal is refused in cluster aks-full-aks1; only audited in cluster aks-full-aks2; PUB-001: .*; runtime policy is off in full-aks3$/);
  });
});
