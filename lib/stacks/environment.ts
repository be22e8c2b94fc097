import type { App } from "cdktf";
import type { Environment } from "../config/schema";
import { HubStack } from "./hub-stack";
import { stackIds } from "./naming";
import { SpokeStack } from "./spoke-stack";

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly hub: HubStack;
  readonly spokes: SpokeStack[];
}

/** Builds every stack of a validated environment into the app: `<env>-hub`, then `<env>-<spoke>` per spoke. */
export function buildEnvironment(app: App, env: Environment): EnvironmentStacks {
  const hub = new HubStack(app, stackIds.hub(env.name), { env });
  const spokes = env.spokes.map((spoke) => new SpokeStack(app, stackIds.spoke(env.name, spoke.name), { env, spoke, hub, hubStack: hub }));
  return { hub, spokes };
}
