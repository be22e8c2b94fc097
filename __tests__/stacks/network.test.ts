import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../lib/app";
import { RouteTable } from "@cdktf/provider-azurerm/lib/route-table";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { SubnetRouteTableAssociation } from "@cdktf/provider-azurerm/lib/subnet-route-table-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { VirtualNetworkPeering } from "@cdktf/provider-azurerm/lib/virtual-network-peering";
import { TerraformStack, Testing } from "cdktf";
import { HubNetwork } from "../../lib/constructs/hub-network";
import { changed, environment, namedEnvironment, resourceNamed, resources, stacks, synth, ENVIRONMENTS_DIR } from "../helpers";

describe("hub stack", () => {
  const { hub } = stacks();
  const { text, json } = synth(hub);

  it("creates the hub VNet with its address space", () => {
    expect(text).toHaveResourceWithProperties(VirtualNetwork, { name: "vnet-demo-hub", address_space: ["10.0.0.0/22"], location: "westeurope" });
  });

  it("names the firewall subnet AzureFirewallSubnet, as Azure requires", () => {
    expect(text).toHaveResourceWithProperties(Subnet, { name: "AzureFirewallSubnet", address_prefixes: ["10.0.0.0/26"] });
  });

  it("turns Azure's default outbound access off on workload subnets", () => {
    expect(resourceNamed(json, "azurerm_subnet", "snet-jumpbox").default_outbound_access_enabled).toBe(false);
  });

  it("creates only the subnets the environment asks for", () => {
    expect(resources(json, "azurerm_subnet").map((s) => s.name).sort()).toEqual(["AzureBastionSubnet", "AzureFirewallSubnet", "snet-jumpbox"]);
  });

  it("keeps local state at a relative path", () => {
    expect(json.terraform.backend.local.path).toBe("../../../terraform.demo-hub.tfstate");
  });

  it("keeps local state in the project folder when the output folder is elsewhere (synth --output)", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "elsewhere-")), "out");
    expect(synthesize({ outdir, file: path.join(ENVIRONMENTS_DIR, "default.yaml"), stderr: { write: () => true }, stdout: { write: () => true } })).toBe(0);
    const hub = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "demo-hub", "cdk.tf.json"), "utf8"));
    // Terraform runs in the stack's folder: the path is taken from there, and leads to the project.
    expect(path.resolve(outdir, "stacks", "demo-hub", hub.terraform.backend.local.path)).toBe(path.join(process.cwd(), "terraform.demo-hub.tfstate"));
    expect(path.isAbsolute(hub.terraform.backend.local.path)).toBe(false);
  });

  it("keeps Log Analytics' shared-key (local) authentication off", () => {
    expect(resources(json, "azurerm_log_analytics_workspace")).toEqual([expect.objectContaining({ name: "log-demo-hub", local_authentication_enabled: false })]);
  });
});

describe("spoke stack", () => {
  const { spokes } = stacks();
  const { text, json } = synth(spokes[0]);
  const remote = "data.terraform_remote_state.cross-stack-reference-input-demo-hub.outputs";

  it("peers the spoke to the hub with forwarded traffic allowed", () => {
    expect(text).toHaveResourceWithProperties(VirtualNetworkPeering, {
      name: "aks1-to-hub",
      allow_virtual_network_access: true,
      allow_forwarded_traffic: true,
      remote_virtual_network_id: expect.stringContaining(remote),
    });
  });

  it("peers the hub back to the spoke, in the hub's VNet, with forwarded traffic allowed", () => {
    const peering = resourceNamed(json, "azurerm_virtual_network_peering", "hub-to-aks1");
    expect(peering).toEqual(expect.objectContaining({ allow_virtual_network_access: true, allow_forwarded_traffic: true }));
    expect(peering.virtual_network_name).toContain(remote);
    expect(peering.resource_group_name).toContain(remote);
    expect(peering.remote_virtual_network_id).toMatch(/^\$\{azurerm_virtual_network\./);
  });

  it("routes 0.0.0.0/0 to the firewall's private IP with BGP propagation off", () => {
    expect(text).toHaveResourceWithProperties(RouteTable, {
      name: "rt-demo-aks1-egress",
      bgp_route_propagation_enabled: false,
      route: [{ name: "default-via-firewall", address_prefix: "0.0.0.0/0", next_hop_type: "VirtualAppliance", next_hop_in_ip_address: expect.anything() }],
    });
  });

  it("associates the egress route table with every subnet of the spoke, so nothing leaves but through the firewall", () => {
    const table = Object.keys(json.resource.azurerm_route_table)[0];
    const associated = resources(json, "azurerm_subnet_route_table_association").filter((a) => a.route_table_id === `\${azurerm_route_table.${table}.id}`).map((a) => a.subnet_id).sort();
    expect(associated).toEqual(Object.keys(json.resource.azurerm_subnet).map((k) => `\${azurerm_subnet.${k}.id}`).sort());
  });

  it("associates the route table with the node subnet", () => {
    const nodes = Object.entries(json.resource.azurerm_subnet).find(([, s]: [string, any]) => s.name === "snet-nodes")![0];
    expect(text).toHaveResourceWithProperties(SubnetRouteTableAssociation, { subnet_id: `\${azurerm_subnet.${nodes}.id}` });
  });

  it("puts an NSG on every subnet", () => {
    const subnetIds = Object.keys(json.resource.azurerm_subnet).map((k) => `\${azurerm_subnet.${k}.id}`).sort();
    const associated = resources(json, "azurerm_subnet_network_security_group_association").map((a) => a.subnet_id).sort();
    expect(associated).toEqual(subnetIds);
    expect(text).toHaveResource(SubnetNetworkSecurityGroupAssociation);
  });

  it("denies inbound traffic from the Internet explicitly on every subnet's NSG", () => {
    const rules = resources(json, "azurerm_network_security_rule");
    expect(rules).toHaveLength(resources(json, "azurerm_network_security_group").length);
    for (const rule of rules) {
      expect(rule).toEqual(expect.objectContaining({ name: "deny-internet-inbound", direction: "Inbound", access: "Deny", source_address_prefix: "Internet", priority: 4000 }));
    }
  });

  it("keeps state in a file of its own, named after the stack", () => {
    expect(json.terraform.backend.local.path).toBe("../../../terraform.demo-aks1.tfstate");
  });

  it("has no subnet with default outbound access", () => {
    expect(resources(json, "azurerm_subnet").every((s) => s.default_outbound_access_enabled === false)).toBe(true);
  });
});

describe("environments with more spokes", () => {
  it("builds one stack per spoke, each peered with the hub", () => {
    const env = environment(changed((r) => r.spokes.push({ name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { nodes: "10.0.8.0/24" } })));
    const built = stacks(env);
    expect(built.spokes.map((s) => s.node.id)).toEqual(["demo-aks1", "demo-aks2"]);
    const { json } = synth(built.spokes[1]);
    expect(resourceNamed(json, "azurerm_virtual_network_peering", "hub-to-aks2")).toBeDefined();
    expect(resources(json, "azurerm_subnet").map((s) => s.name)).toEqual(["snet-nodes"]);
  });
});

describe("HubNetwork", () => {
  it("answers subnetId for a missing role with the roles it has", () => {
    const scope = new TerraformStack(Testing.app(), "test");
    const hub = new HubNetwork(scope, "hub", { name: "vnet", resourceGroupName: "rg", location: "westeurope", addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26" } });
    expect(() => hub.subnetId("bastion")).toThrow("No 'bastion' subnet in the hub; available: firewall");
  });
});

describe("state of each stack", () => {
  it("lives in its own blob of an azurerm backend, under the key prefix", () => {
    const built = stacks(namedEnvironment("full"));
    for (const stack of [built.hub, ...built.spokes]) {
      expect(synth(stack).json.terraform.backend.azurerm).toEqual({
        resource_group_name: "rg-tfstate",
        storage_account_name: "sttfstatefull01",
        container_name: "tfstate",
        key: `platform/${stack.node.id}.tfstate`,
        use_azuread_auth: true,
      });
    }
  });
});
