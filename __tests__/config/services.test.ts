import { changed, problems } from "../helpers";

describe("monitoring without public ingestion, in the environment file", () => {
  it("refuses what Azure or the option would not support", () => {
    expect(problems(changed((r) => (r.hub.monitoring = { privateLink: true })))).toEqual(["env.yaml: hub.subnets.privateEndpoints: is required by hub.monitoring.privateLink: its private endpoint lives there (a /27 or larger)"]);
    expect(problems(changed((r) => {
      r.hub.subnets.privateEndpoints = "10.0.2.0/28";
      r.hub.monitoring = { privateLink: true };
    }))).toEqual([expect.stringMatching(/^env\.yaml: hub\.subnets\.privateEndpoints: is too small for hub\.monitoring\.privateLink: .* use a \/27 or larger$/)]);
    expect(problems(changed((r) => (r.hub.monitoring = { publicQuery: true })))).toEqual(["env.yaml: hub.monitoring.publicQuery: applies only with hub.monitoring.privateLink: true (without it, ingestion and queries are public anyway)"]);
  });
});
