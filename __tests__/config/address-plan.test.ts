import { changed, problems } from "../helpers";

describe("API Server VNet Integration's subnet in the address plan", () => {
  it("refuses a subnet smaller than a /28, outside the spoke, or overlapping another subnet", () => {
    expect(problems(changed((r) => (r.spokes[0].subnets.apiServer = "10.0.7.248/29")))).toEqual([
      "env.yaml: spokes.0.subnets.apiServer: 10.0.7.248/29 is too small for the API server subnet (API Server VNet Integration); Azure needs at least a /28",
    ]);
    expect(problems(changed((r) => (r.spokes[0].subnets.apiServer = "10.9.0.0/28")))).toEqual([
      expect.stringMatching(/^env\.yaml: spokes\.0\.subnets\.apiServer: 10\.9\.0\.0\/28 is not inside spokes\.0\.addressSpace/),
    ]);
    expect(problems(changed((r) => (r.spokes[0].subnets.apiServer = r.spokes[0].subnets.nodes.replace(/\/\d+$/, "/28"))))).toEqual([
      expect.stringMatching(/^env\.yaml: spokes\.0\.subnets\.(apiServer|nodes): .* overlaps/),
    ]);
  });
});
