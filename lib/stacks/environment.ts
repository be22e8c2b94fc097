import type { App } from "cdktf";
import { type Environment, hubKind, type LiteralEnvironment } from "../config/schema";
import { terraformLiteral } from "../core/template";
import { AppsStack } from "./apps-stack";
import { AttachedHubStack } from "./attached-hub-stack";
import { HubStack } from "./hub-stack";
import { spokeNames, stackIds } from "../domain/naming";
import { SpokeStack } from "./spoke-stack";

/** The stacks of one environment. */
export interface EnvironmentStacks {
  /** The environment the stacks were built from, every string a Terraform literal. */
  readonly env: LiteralEnvironment;
  /** The hub built here, or the stack that attaches to an existing hub. */
  readonly hub: HubStack | AttachedHubStack;
  readonly spokes: SpokeStack[];
  /** One per spoke that has apps. */
  readonly apps: AppsStack[];
}

/** What the set of environments synthesized together tells one environment. */
export interface BuildOptions {
  /** Its hub takes part in a global peering built in this output. @default false */
  readonly peered?: boolean;
}

/** Where a spoke's plain manifests land, relative to the output folder. */
export function manifestsDir(stackId: string): string {
  return `manifests/${stackId}`;
}

/**
 * Builds every stack of a validated environment into the app: `<env>-hub`, then
 * `<env>-<spoke>` per spoke and `<env>-<spoke>-apps` per spoke with apps.
 *
 * This is where the environment file's values enter the construct tree, and they enter as
 * data: every string, keys included, is made a Terraform literal here, once, so that no
 * value (a tag, an app's env, a file an SSH key came from) is ever evaluated by Terraform,
 * whatever field it comes from, now or added later.
 */
export function buildEnvironment(app: App, raw: Environment, options: BuildOptions = {}): EnvironmentStacks {
  const env = terraformLiteral(raw);
  const which = hubKind(env);
  const hub = which.kind === "existing" ? new AttachedHubStack(app, stackIds.hub(env.name), { env: which.env }) : new HubStack(app, stackIds.hub(env.name), { env: which.env, peered: options.peered });
  const spokes = env.spokes.map((spoke) => new SpokeStack(app, stackIds.spoke(env.name, spoke.name), { env, spoke, hub, hubStack: hub }));
  const apps = env.spokes.flatMap((spoke, i) => {
    if (spoke.apps.length === 0) return [];
    const names = spokeNames(env.name, spoke.name);
    const spokeStack = spokes[i];
    for (const a of spoke.apps) if (a.dns) spokeStack.addDnsRecord(a.dns.zone, a.dns.record, [a.ip]);
    const id = stackIds.apps(env.name, spoke.name);
    return [
      new AppsStack(app, id, {
        env,
        spoke,
        cluster: {
          apiServerHost: spokeStack.cluster.apiServerHost,
          clusterCaCertificate: spokeStack.cluster.clusterCaCertificate,
          resourceGroupName: names.resourceGroup,
          name: names.cluster,
          subscriptionId: spoke.subscriptionId,
        },
        manifestsDir: manifestsDir(stackIds.spoke(env.name, spoke.name)),
        identities: spokeStack.appIdentities,
        spokeStackId: stackIds.spoke(env.name, spoke.name),
      }),
    ];
  });
  return { env, hub, spokes, apps };
}
