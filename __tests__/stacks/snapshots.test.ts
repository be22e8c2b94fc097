/**
 * Pins every stack of the shipped environments (and of an ExpressRoute hub), so that any
 * change to the synthesized plan shows up as a snapshot diff in review. Read the diff before
 * updating it (`npm run test:update`), and update only for intended changes.
 */
import { changed, environment, namedEnvironment, stacks, synth } from "../helpers";

describe.each(["default", "full", "hybrid", "brownfield"])("%s environment snapshots", (name) => {
  const built = stacks(namedEnvironment(name));
  it.each([built.hub, ...built.spokes, ...built.apps].map((s) => [s.node.id, s] as const))("%s", (_id, stack) => {
    expect(synth(stack).text).toMatchSnapshot();
  });
});

describe("a hub with an ExpressRoute gateway", () => {
  it("demo-hub", () => {
    const env = environment(changed((r) => {
      r.onPremises = ["192.168.0.0/16"];
      r.hub.subnets.gateway = "10.0.3.224/27";
      r.hub.gateway = { type: "ExpressRoute", circuitId: "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-dc1" };
    }));
    expect(synth(stacks(env).hub).text).toMatchSnapshot();
  });
});
