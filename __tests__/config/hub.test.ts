import { changed, EXISTING_HUB, problems } from "../helpers";

describe("an existing hub in the environment file", () => {
  it("takes an existing policy to hold 50 rule collection groups unless hub.existing.ruleCollectionGroups says more (90 after July 2022)", () => {
    const many = (n: number, room?: number) =>
      changed((r) => {
        r.hub = { addressSpace: ["10.0.0.0/22"], existing: { ...EXISTING_HUB, ...(room ? { ruleCollectionGroups: room } : {}) } };
        const base = r.spokes[0];
        r.spokes = Array.from({ length: n }, (_, i) => ({ ...structuredClone(base), name: `s${i}`, addressSpace: [`10.${10 + Math.floor(i / 60)}.${(i % 60) * 4}.0/22`], subnets: { nodes: `10.${10 + Math.floor(i / 60)}.${(i % 60) * 4}.0/24` }, apps: [] }));
      });
    expect(problems(many(51))).toContainEqual(expect.stringContaining("env.yaml: spokes: needs 51 firewall rule collection groups (one per spoke) in the existing policy, which has room for 50"));
    expect(problems(many(50)).filter((l) => l.includes("rule collection groups"))).toEqual([]);
    expect(problems(many(51, 90)).filter((l) => l.includes("rule collection groups"))).toEqual([]);
    expect(problems(many(1, 91))).toContainEqual(expect.stringContaining("hub.existing.ruleCollectionGroups: must be at most 90"));
  });

  it("reads an existing hub's DNS proxy from hub.existing.dnsProxy: off, AKS's own (system) zone resolves", () => {
    const off = changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: { ...EXISTING_HUB, dnsProxy: false } };
      r.spokes[0].cluster.privateDnsZone = "system";
      r.spokes[0].apps = [];
    });
    expect(problems(off).filter((l) => l.includes("privateDnsZone"))).toEqual([]);
    const on = changed((r) => {
      r.hub = { addressSpace: ["10.0.0.0/22"], existing: EXISTING_HUB };
      r.spokes[0].cluster.privateDnsZone = "system";
      r.spokes[0].apps = [];
    });
    expect(problems(on)).toContainEqual(expect.stringContaining("spokes.0.cluster.privateDnsZone: system cannot resolve here: AKS links its own zone only to the spoke VNet, which uses the firewall's DNS proxy (hub.existing.dnsProxy)"));
  });
});
