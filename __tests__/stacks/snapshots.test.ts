/**
 * Pins every stack of the default environment, so that any change to the synthesized plan
 * shows up as a snapshot diff in review. Read the diff before updating it
 * (`npm run test:update`), and update only for intended changes.
 */
import { stacks, synth } from "../helpers";

describe("default environment snapshots", () => {
  const built = stacks();
  it.each([built.hub, ...built.spokes].map((s) => [s.node.id, s] as const))("%s", (_id, stack) => {
    expect(synth(stack).text).toMatchSnapshot();
  });
});
