import type { App } from "cdktf";
import { type Environment, hubKind, type LiteralEnvironment } from "../config/schema";
import { terraformLiteral } from "../core/template";
import { AppsStack } from "./apps-stack";
import { AttachedHubStack } from "./attached-hub-stack";
import { HubStack } from "./hub-stack";
import { gitopsPath, spokeNames, stackIds } from "../domain/naming";
import { type AppObjects, appObjects } from "../apps/kubernetes-objects";
import { SPOKE_SUBNET_NAMES } from "../constructs/spoke-network";
import { SpokeStack } from "./spoke-stack";

/** The stacks of one environment. */
export interface EnvironmentStacks {
  /** The environment the stacks were built from, every string a Terraform literal. */
  readonly env: LiteralEnvironment;
  /** The hub built here, or the stack that attaches to an existing hub. */
  readonly hub: HubStack | AttachedHubStack;
  readonly spokes: SpokeStack[];
  /** One per spoke that has apps delivered by Terraform. */
  readonly apps: AppsStack[];
  /** The apps of each GitOps spoke, rendered as manifests that the cluster's Flux applies. */
  readonly delivered: DeliveredApps[];
}

/** A GitOps spoke's apps: their Kubernetes objects, written as plain manifests with a kustomization.yaml. */
export interface DeliveredApps {
  /** The spoke stack's id. */
  readonly stackId: string;
  /** Where the rendered manifests land, relative to the output folder. */
  readonly manifestsDir: string;
  /** Where the repository holds them, relative to its root (the Flux configuration's path). */
  readonly repositoryPath: string;
  readonly objects: ReadonlyMap<string, AppObjects>;
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
 * `<env>-<spoke>` per spoke and `<env>-<spoke>-apps` per spoke with apps delivered by
 * Terraform (a GitOps spoke's apps are rendered as manifests instead).
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
  for (const [i, spoke] of env.spokes.entries()) for (const a of spoke.apps) if (a.dns) spokes[i].addDnsRecord(a.dns.zone, a.dns.record, [a.ip]);
  const delivered = env.spokes.flatMap((spoke): DeliveredApps[] => {
    if (spoke.apps.length === 0 || spoke.delivery.mode !== "gitops") return [];
    const stackId = stackIds.spoke(env.name, spoke.name);
    // GitOps delivers no app that reads secrets (the rules refuse it): no identity to name.
    const objects = new Map(spoke.apps.map((a) => [a.name, appObjects(a, { ingressSubnetName: SPOKE_SUBNET_NAMES.ingress })]));
    return [{ stackId, manifestsDir: manifestsDir(stackId), repositoryPath: spoke.delivery.path ?? gitopsPath(env.name, spoke.name), objects }];
  });
  const apps = env.spokes.flatMap((spoke, i) => {
    if (spoke.apps.length === 0 || spoke.delivery.mode !== "terraform") return [];
    const names = spokeNames(env.name, spoke.name);
    const spokeStack = spokes[i];
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
  return { env, hub, spokes, apps, delivered };
}
