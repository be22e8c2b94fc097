import { changed, problems } from "../helpers";

describe("the firewall in the environment file", () => {
  it("refuse spoke names that would spell the hub's own group names (rcg-jumpbox, rcg-onprem, rcg-peer-*)", () => {
    for (const name of ["jumpbox", "onprem"]) {
      expect(problems(changed((r) => (r.spokes[0].name = name)))).toEqual([`env.yaml: spokes.0.name: "${name}" is taken by the hub's rule collection group rcg-${name}; choose another name`]);
    }
    expect(problems(changed((r) => (r.spokes[0].name = "peer-we")))).toEqual([
      'env.yaml: spokes.0.name: "peer-we" starts with "peer-", which names the rule collection groups of global peerings (rcg-peer-<environment>); choose another name',
    ]);
  });

  it("refuses signature overrides on another tier, and the same signature twice", () => {
    expect(problems(changed((r) => (r.hub.firewall.idpsSignatureOverrides = [{ id: "2024897", state: "Alert" }])))).toEqual([
      "env.yaml: hub.firewall.idpsSignatureOverrides: IDPS signature overrides are a Premium feature; remove them or set hub.firewall.tier: Premium (this hub is Standard)",
    ]);
    expect(problems(changed((r) => {
      r.hub.firewall.tier = "Premium";
      r.hub.firewall.idpsSignatureOverrides = [{ id: "2024897", state: "Alert" }, { id: "2024897", state: "Off" }, { id: "ET-1", state: "Off" }];
    }))).toEqual([
      'env.yaml: hub.firewall.idpsSignatureOverrides.2.id: must be an IDPS signature id: digits, e.g. "2024897"',
    ]);
    expect(problems(changed((r) => {
      r.hub.firewall.tier = "Premium";
      r.hub.firewall.idpsSignatureOverrides = [{ id: "2024897", state: "Alert" }, { id: "2024897", state: "Off" }];
    }))).toEqual(['env.yaml: hub.firewall.idpsSignatureOverrides.1.id: "2024897" is already overridden by idpsSignatureOverrides.0']);
  });

  it("refuses Premium features on another tier, and a registry without a private endpoints subnet", () => {
    expect(problems(changed((r) => (r.hub.firewall.idps = "Deny")))).toEqual([expect.stringContaining("env.yaml: hub.firewall.idps: intrusion detection and prevention is a Premium feature")]);
    expect(problems(changed((r) => (r.hub.registry = { name: "acrdemo01" })))).toEqual(["env.yaml: hub.subnets.privateEndpoints: is required by hub.registry: its private endpoint lives there (a /28 or larger)"]);
  });
});
