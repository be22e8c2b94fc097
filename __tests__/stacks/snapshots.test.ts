/**
 * Pins every stack of the default and the full example environments, so that any change to the synthesized plan
 * shows up as a snapshot diff in review. Read the diff before updating it
 * (`npm run test:update`), and update only for intended changes.
 */
import { namedEnvironment, stacks, synth } from "../helpers";

describe.each(["default", "full"])("%s environment snapshots", (name) => {
  const built = stacks(namedEnvironment(name));
  it.each([built.hub, ...built.spokes, ...built.apps].map((s) => [s.node.id, s] as const))("%s", (_id, stack) => {
    expect(synth(stack).text).toMatchSnapshot();
  });
});
