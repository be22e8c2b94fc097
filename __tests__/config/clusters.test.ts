import { changed, problems } from "../helpers";

describe("a spoke's cluster in the environment file", () => {
  it("refuse Ephemeral where Azure would refuse it at create time, naming what fits", () => {
    expect(problems(changed((r) => {
      r.spokes[0].cluster.systemPool = { vmSize: "Standard_D4s_v6", osDiskType: "Ephemeral" };
      r.spokes[0].cluster.userPools = [{ name: "apps", osDiskSizeGb: 256, osDiskType: "Ephemeral" }];
    }))).toEqual([
      'env.yaml: spokes.0.cluster.systemPool.osDiskType: Standard_D4s_v6 has no local disk to hold an ephemeral OS disk; use a size with a "d" (such as Standard_D4ds_v6) or osDiskType: Managed',
      "env.yaml: spokes.0.cluster.userPools.0.osDiskType: osDiskSizeGb 256 does not fit Standard_D4ds_v6's 220 GiB local disk, where an ephemeral OS disk lives; set osDiskSizeGb to 220 or less, or osDiskType: Managed",
    ]);
  });

  it("refuses a maintenance window shorter than four hours", () => {
    expect(problems(changed((r) => (r.spokes[0].cluster.maintenance = { durationHours: 2 })))).toEqual([
      "env.yaml: spokes.0.cluster.maintenance.durationHours: must be 4 or more: AKS needs a window of at least four hours",
    ]);
  });

  it("refuses a pool named like another pool's temporary rotation name, and pools that would share one", () => {
    expect(problems(changed((r) => {
      r.spokes[0].cluster.userPools = [
        { name: "systemtmp" },
        { name: "apps" },
        { name: "appstmp" },
        { name: "analytics1" },
        { name: "analytics2" },
      ];
    }))).toEqual([
      'env.yaml: spokes.0.cluster.userPools.0.name: "systemtmp" is the temporary name spokes.0.cluster.systemPool takes while its nodes are replaced (a change of size, OS disk, zones or pods per node); choose another name',
      'env.yaml: spokes.0.cluster.userPools.2.name: "appstmp" is the temporary name spokes.0.cluster.userPools.1 takes while its nodes are replaced (a change of size, OS disk, zones or pods per node); choose another name',
      'env.yaml: spokes.0.cluster.userPools.4.name: "analytics2" and userPools.3 "analytics1" share their first 9 characters, and so the temporary name analyticstmp they take while their nodes are replaced; make them differ earlier',
    ]);
  });

  it("says so plainly when a pool's name is its own rotation name, and reports two pools of one name once", () => {
    expect(problems(changed((r) => (r.spokes[0].cluster.userPools = [{ name: "abcdefghitmp" }, { name: "apps" }, { name: "apps" }])))).toEqual([
      'env.yaml: spokes.0.cluster.userPools.0.name: "abcdefghitmp" is also the temporary name this pool would take while its nodes are replaced (its first 9 characters and "tmp"); choose another name',
      'env.yaml: spokes.0.cluster.userPools.2.name: "apps" is already used by spokes.0.cluster.userPools.1; node pool names must be unique',
    ]);
  });

  it("refuses a cluster with no administrator at all", () => {
    expect(problems(changed((r) => (r.spokes[0].cluster.grantDeployerAdmin = false)))).toEqual([
      "env.yaml: spokes.0.cluster.adminGroupObjectIds: is empty and grantDeployerAdmin is false, so nobody could administer the cluster (local accounts are off); list an Entra ID group or keep grantDeployerAdmin",
    ]);
  });

  it("refuses privateDnsZone: system while spokes resolve through the firewall's DNS proxy (AKS's zone would never be queried)", () => {
    expect(problems(changed((r) => (r.spokes[0].cluster.privateDnsZone = "system")))).toEqual([
      expect.stringMatching(/^env\.yaml: spokes\.0\.cluster\.privateDnsZone: system cannot resolve here: .*use byo \(the hub's zone\), or turn the DNS proxy off$/),
    ]);
  });
});
