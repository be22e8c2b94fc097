/**
 * Global peering between two regions' hubs (multi-spoke.yaml and multi-spoke-northeurope.yaml,
 * which declares it): the stack, its routes and rules, how explain follows a flow through both
 * firewalls, and what validation says about peerings that cannot be built. Expected ranges come
 * from the environment files.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { planEnvironment, type Plan } from "../../lib/app";
import { explain, parseDestination } from "../../lib/review/explain";
import { ENVIRONMENTS_DIR, address, hubExpression, resources, withoutSampleKeyWarning } from "../helpers";

const WE = path.join(ENVIRONMENTS_DIR, "multi-spoke.yaml");
const NE = path.join(ENVIRONMENTS_DIR, "multi-spoke-northeurope.yaml");
const we = parse(fs.readFileSync(WE, "utf8"));
const ne = parse(fs.readFileSync(NE, "utf8"));
const spaceOf = (env: any, spoke: string): string[] => env.spokes.find((s: any) => s.name === spoke).addressSpace;

function plan(files: string[]): { plan: Plan | undefined; stderr: string; outdir: string } {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "peering-")), "out");
  let stderr = "";
  const result = planEnvironment({ file: files.join(","), outdir, stderr: { write: (t: string) => (stderr += t) } });
  return { plan: result, stderr, outdir };
}

/** Writes changed copies of the two files (keys beside them) and returns the error lines of the set. */
function setProblems(change: (we: any, ne: any) => void): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peering-set-"));
  fs.cpSync(path.join(ENVIRONMENTS_DIR, "keys"), path.join(dir, "keys"), { recursive: true });
  const [a, b] = [structuredClone(we), structuredClone(ne)];
  change(a, b);
  fs.writeFileSync(path.join(dir, "we.yaml"), stringify(a));
  fs.writeFileSync(path.join(dir, "ne.yaml"), stringify(b));
  const result = plan([path.join(dir, "we.yaml"), path.join(dir, "ne.yaml")]);
  expect(result.plan).toBeUndefined();
  return result.stderr.trim().split("\n").map((l) => l.replace(/^.*?(we|ne)\.yaml: /, "$1.yaml: "));
}

describe("a global peering between two regions' hubs", () => {
  const both = plan([WE, NE]);
  const read = (id: string) => JSON.parse(fs.readFileSync(path.join(both.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
  const link = read("ne-we-peering");
  const hubs = { ne: read("ne-hub"), we: read("we-hub") };
  const side = (env: "ne" | "we", type: string) => resources(link, type).filter((r) => r.provider === `azurerm.${env}`);

  it("synthesizes with both files, breaking no guardrail, as one stack that depends on both hubs", () => {
    expect(withoutSampleKeyWarning(both.stderr)).toBe("");
    expect(both.plan!.report.violations).toEqual([]);
    expect(both.plan!.stackIds).toContain("ne-we-peering");
    expect(both.plan!.peerings[0].dependencies.map((d) => d.node.id).sort()).toEqual(["ne-hub", "we-hub"]);
    // Each hub is configured through the provider of its own environment: one alias each, no default provider to fall back on.
    expect(link.provider.azurerm.map((p: any) => p.alias).sort()).toEqual(["ne", "we"]);
    for (const type of Object.keys(link.resource)) for (const r of resources(link, type)) expect(["azurerm.ne", "azurerm.we"]).toContain(r.provider);
    // State: the declaring environment's backend, under its key prefix.
    expect(link.terraform.backend.azurerm.key).toBe(`${ne.backend.keyPrefix}ne-we-peering.tfstate`);
  });

  it("peers each hub's VNet with the other's, forwarded traffic allowed (it comes from the other region's spokes)", () => {
    for (const [env, other] of [["ne", "we"], ["we", "ne"]] as const) {
      const [peering] = side(env, "azurerm_virtual_network_peering");
      expect(peering).toMatchObject({ allow_virtual_network_access: true, allow_forwarded_traffic: true, name: `region-${other}` });
      expect(peering.use_remote_gateways).toBeUndefined();
      expect(hubExpression(hubs[other], peering.remote_virtual_network_id)).toBe(`\${${address(hubs[other], "azurerm_virtual_network", `vnet-${other}-hub`)}.id}`);
      expect(hubExpression(hubs[env], peering.virtual_network_name)).toBe(`\${${address(hubs[env], "azurerm_virtual_network", `vnet-${env}-hub`)}.name}`);
    }
  });

  it("gives each hub's AzureFirewallSubnet a route table whose own default route stays on the Internet, in the hub stack", () => {
    for (const env of ["ne", "we"] as const) {
      const hubJson = hubs[env];
      const [table] = resources(hubJson, "azurerm_route_table").filter((t) => t.name === `rt-${env}-firewall`);
      expect(table.route).toBeUndefined(); // no inline routes: the routes are resources of their own
      expect(table.bgp_route_propagation_enabled).toBe(true);
      const tableAddress = address(hubJson, "azurerm_route_table", `rt-${env}-firewall`);
      const [internet] = resources(hubJson, "azurerm_route").filter((r) => r.route_table_name === `\${${tableAddress}.name}`);
      expect(internet).toMatchObject({ address_prefix: "0.0.0.0/0", next_hop_type: "Internet" });
      expect(internet.next_hop_in_ip_address).toBeUndefined();
      const association = resources(hubJson, "azurerm_subnet_route_table_association").find((a) => a.route_table_id === `\${${tableAddress}.id}`);
      expect(association.subnet_id).toBe(`\${${address(hubJson, "azurerm_subnet", "AzureFirewallSubnet")}.id}`);
      expect(association.depends_on).toEqual([expect.stringMatching(/^azurerm_route\./)]);
    }
  });

  it("routes the other region's spokes from that table to the other firewall, once the hubs are peered", () => {
    for (const [env, other, otherFile] of [["ne", "we", we], ["we", "ne", ne]] as const) {
      const routes = side(env, "azurerm_route");
      expect(routes.map((r: any) => r.address_prefix).sort()).toEqual(otherFile.spokes.flatMap((s: any) => s.addressSpace).sort());
      const firewallIp = `\${${address(hubs[other], "azurerm_firewall", `afw-${other}-hub`)}.ip_configuration[0].private_ip_address}`;
      const tableName = `\${${address(hubs[env], "azurerm_route_table", `rt-${env}-firewall`)}.name}`;
      for (const r of routes) {
        expect(r.next_hop_type).toBe("VirtualAppliance");
        expect(hubExpression(hubs[other], r.next_hop_in_ip_address)).toBe(firewallIp);
        expect(hubExpression(hubs[env], r.route_table_name)).toBe(tableName);
        expect(r.depends_on).toEqual([expect.stringMatching(/^azurerm_virtual_network_peering\./)]);
      }
      // Route names are unique in the table even when the hub is peered with several regions.
      expect(routes.every((r: any) => r.name.startsWith(`to-${other}-`))).toBe(true);
      // The other hub's own address space is reached through the peering's system route.
      expect(routes.map((r: any) => r.address_prefix)).not.toContain(otherFile.hub.addressSpace[0]);
    }
    expect(resources(link, "azurerm_route_table")).toEqual([]);
  });

  it("adds to each firewall exactly the declared flows, TCP, between the spokes' ranges, at a priority no other group of that policy has", () => {
    const expected = [
      { source_addresses: spaceOf(ne, "payments"), destination_addresses: spaceOf(we, "payments"), destination_ports: ["443"], protocols: ["TCP"] },
      { source_addresses: spaceOf(ne, "orders"), destination_addresses: spaceOf(we, "search"), destination_ports: ["443", "8443"], protocols: ["TCP"] },
    ];
    for (const env of ["ne", "we"] as const) {
      const [group] = side(env, "azurerm_firewall_policy_rule_collection_group");
      expect(hubExpression(hubs[env], group.firewall_policy_id)).toBe(`\${${address(hubs[env], "azurerm_firewall_policy", `afwp-${env}-hub`)}.id}`);
      expect(group.application_rule_collection).toBeUndefined();
      expect(group.network_rule_collection).toHaveLength(1);
      expect(group.network_rule_collection[0].action).toBe("Allow");
      expect(group.network_rule_collection[0].rule).toEqual(expected.map((e) => expect.objectContaining(e)));
      expect(group.priority).toBeGreaterThanOrEqual(64000);
      const others = both.plan!.model.ofType("azurerm_firewall_policy_rule_collection_group").filter((g) => g.stack.startsWith(`${env}-`) && !g.stack.endsWith("-peering"));
      expect(others.length).toBeGreaterThan(0);
      expect(others.map((g) => both.plan!.model.attr(g, "priority"))).not.toContain(group.priority);
    }
  });

  describe("explain follows a flow through both firewalls", () => {
    const ask = (from: string, to: string) => explain(both.plan!.model, { from, ...parseDestination(to) });
    const host = (env: any, spoke: string) => spaceOf(env, spoke)[0].replace(/0\/\d+$/, "10");

    it("allows a declared flow, naming the rule of each firewall", () => {
      const answer = ask("ne-payments", `${host(we, "payments")}:443`);
      expect(answer.verdict).toBe("allow");
      expect(answer.path).toEqual(expect.arrayContaining([
        "to the firewall afw-ne-hub (10.20.0.4)",
        "through the peering to the firewall afw-we-hub (10.10.0.4)",
        "network rule rcg-peer-we/rcg-peer-we-network/ne-payments-to-we-payments (Allow)",
        "network rule rcg-peer-ne/rcg-peer-ne-network/ne-payments-to-we-payments (Allow)",
      ]));
      expect(answer.path.join("\n")).not.toContain("SNAT");
    });

    it("denies a port, a pair of spokes and a direction that were not declared", () => {
      expect(ask("ne-payments", `${host(we, "payments")}:80`).verdict).toBe("deny");
      expect(ask("ne-payments", `${host(we, "orders")}:443`).verdict).toBe("deny");
      expect(ask("we-payments", `${host(ne, "payments")}:443`).verdict).toBe("deny");
    });
  });

  it("leaves adding the peering without effect on the spokes; the hubs gain only their firewall route table, its default route and its association", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peering-none-"));
    fs.cpSync(path.join(ENVIRONMENTS_DIR, "keys"), path.join(dir, "keys"), { recursive: true });
    fs.writeFileSync(path.join(dir, "we.yaml"), stringify(we));
    fs.writeFileSync(path.join(dir, "ne.yaml"), stringify({ ...ne, peerings: undefined }));
    const without = plan([path.join(dir, "we.yaml"), path.join(dir, "ne.yaml")]);
    expect(withoutSampleKeyWarning(without.stderr)).toBe("");
    const ids = without.plan!.stackIds;
    expect(both.plan!.stackIds.filter((id) => !ids.includes(id))).toEqual(["ne-we-peering"]);
    const keys = (json: any) => Object.entries(json.resource).flatMap(([type, byKey]: [string, any]) => Object.keys(byKey).map((k) => `${type}.${k}`));
    for (const id of ids) {
      const before = JSON.parse(fs.readFileSync(path.join(without.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
      const after = read(id);
      const added = keys(after).filter((k) => !keys(before).includes(k));
      expect({ id, removed: keys(before).filter((k) => !keys(after).includes(k)) }).toEqual({ id, removed: [] });
      expect({ id, added: added.map((k) => k.split(".")[0]).sort() }).toEqual({ id, added: id.endsWith("-hub") ? ["azurerm_route", "azurerm_route_table", "azurerm_subnet_route_table_association"] : [] });
      for (const k of keys(before)) {
        const [type, key] = k.split(".");
        expect({ k, value: after.resource[type][key] }).toEqual({ k, value: before.resource[type][key] });
      }
    }
  });

  it("is left out, with a warning, when the other region's file is synthesized alone", () => {
    const alone = plan([NE]);
    expect(alone.plan).toBeDefined();
    expect(alone.plan!.stackIds).not.toContain("ne-we-peering");
    expect(alone.stderr.trim()).toMatch(
      /^\S*multi-spoke-northeurope\.yaml: ne-hub: warning: peerings\.0\.environment of \S*multi-spoke-northeurope\.yaml: no environment named "we" is synthesized with this file \(here: ne\), so the peering stack ne-we-peering is left out; add that environment's file to PRIVATE_AKS_CONFIG, or correct the name$/,
    );
  });

  it("deploys peerings that share a hub one after the other (a firewall policy takes one change at a time)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peering-three-"));
    fs.cpSync(path.join(ENVIRONMENTS_DIR, "keys"), path.join(dir, "keys"), { recursive: true });
    const third = structuredClone(ne);
    third.name = "sc";
    third.location = "swedencentral";
    third.backend.keyPrefix = "platform/swedencentral/";
    third.hub.addressSpace = ["10.30.0.0/22"];
    third.hub.subnets.firewall = "10.30.0.0/26";
    third.hub.dns.zones = ["sc.corp.internal"];
    third.spokes = [{ ...third.spokes[0], addressSpace: ["10.30.4.0/22"], subnets: { ingress: "10.30.4.0/24", nodes: "10.30.5.0/24" } }];
    third.peerings = [{ environment: "we", allow: [{ from: "payments", to: "orders" }] }];
    const files = [["we.yaml", we], ["ne.yaml", ne], ["sc.yaml", third]].map(([name, content]) => {
      fs.writeFileSync(path.join(dir, name as string), stringify(content));
      return path.join(dir, name as string);
    });
    const three = plan(files);
    expect(withoutSampleKeyWarning(three.stderr)).toBe("");
    const manifest = JSON.parse(fs.readFileSync(path.join(three.outdir, "manifest.json"), "utf8"));
    expect([...manifest.stacks["ne-we-peering"].dependencies].sort()).toEqual(["ne-hub", "we-hub"]);
    expect([...manifest.stacks["sc-we-peering"].dependencies].sort()).toEqual(["ne-we-peering", "sc-hub", "we-hub"]);
    // we's firewall subnet has one route table; each peering adds its own routes to it, names apart.
    const stack = (id: string) => JSON.parse(fs.readFileSync(path.join(three.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
    expect(resources(stack("we-hub"), "azurerm_route_table").filter((t) => t.name === "rt-we-firewall")).toHaveLength(1);
    const weRoutes = (id: string) => resources(stack(id), "azurerm_route").filter((r) => r.provider === "azurerm.we").map((r) => r.name);
    expect(weRoutes("ne-we-peering").sort()).toEqual(["to-ne-orders-0", "to-ne-payments-0"]);
    expect(weRoutes("sc-we-peering")).toEqual(["to-sc-payments-0"]);
  });

  it("is refused, field by field, when it cannot be built", () => {
    expect(setProblems((_, b) => (b.peerings[0].allow = [{ from: "billing", to: "searches" }, { from: "payments", to: "payments" }, { from: "payments", to: "payments", ports: [8443] }]))).toEqual([
      'ne.yaml: peerings.0.allow.0.from: "billing" is not a spoke of "ne"; spokes: payments, orders',
      'ne.yaml: peerings.0.allow.0.to: "searches" is not a spoke of "we"; spokes: payments, orders, search',
      "ne.yaml: peerings.0.allow.2: repeats the flow payments to payments of allow.1; list its ports in one entry",
    ]);
    expect(setProblems((_, b) => (b.peerings[0].environment = "ne"))).toEqual(["ne.yaml: peerings.0.environment: names this environment itself; a peering joins two environments' hubs"]);
    expect(setProblems((_, b) => b.peerings.push({ environment: "we" }))).toEqual(['ne.yaml: peerings.1.environment: "we" is already peered with in peerings.0; put all its flows in that entry\'s allow list']);
    // Stack ids spelt twice across the set: a spoke against a peering stack, a spoke against another environment's hub.
    expect(setProblems((_, b) => {
      b.spokes[1].name = "we-peering";
      b.peerings[0].allow[1].from = "we-peering";
    })).toEqual([expect.stringMatching(/^ne\.yaml: peerings\.0\.environment: makes the stack id "ne-we-peering", which spokes\.1\.name of .*ne\.yaml makes too; rename one/)]);
    expect(setProblems((a, b) => {
      b.name = "we-x";
      b.peerings = [];
      a.spokes[2].name = "x-hub";
    })).toEqual([expect.stringMatching(/^ne\.yaml: name: makes the stack id "we-x-hub", which spokes\.2\.name of .*we\.yaml makes too/)]);
    // One region's on-premises ranges cannot be another region's VNets.
    expect(setProblems((_, b) => (b.onPremises = ["10.10.0.0/16"]))).toEqual([expect.stringMatching(/^ne\.yaml: onPremises\.0: 10\.10\.0\.0\/16 overlaps 10\.10\.0\.0\/22 \(hub\.addressSpace\.0 of .*we\.yaml\), a VNet of an environment synthesized together/)]);
    expect(setProblems((a) => (a.peerings = [{ environment: "ne" }]))).toEqual([
      expect.stringMatching(/^ne\.yaml: peerings\.0\.environment: "we" is already peered with "ne" \(peerings\.0 of .*we\.yaml\); declare a peering on one side only$/),
    ]);
  });
});
