import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { SynthStack } from "../synth/synth-stack";
import type { Construct } from "constructs";
import { DEFAULTS } from "../domain/defaults";
import type { Environment, LiteralEnvironment } from "../config/schema";
import { configureBackend } from "./backend";

export interface PlatformStackProps {
  readonly env: LiteralEnvironment;
  /** Name of the stack's resource group. */
  readonly resourceGroupName: string;
  /** The stack's subscription. @default - the environment's (subscriptionId, else ARM_SUBSCRIPTION_ID) */
  readonly subscriptionId?: string;
  /** Resource providers the azurerm provider registers in the subscription besides its own set (its `legacy` set lacks, e.g., Microsoft.KubernetesConfiguration). @default - none */
  readonly resourceProviders?: readonly string[];
}

/**
 * What every stack of an environment shares: the azurerm provider, the environment's
 * backend with a per-stack state location, its resource group, and the tags every
 * resource carries (the environment's own plus `managed-by` and `stack`).
 */
export class PlatformStack extends SynthStack {
  public readonly resourceGroup: ResourceGroup;
  public readonly location: string;
  public readonly tags: Record<string, string>;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { env } = props;
    new AzurermProvider(this, "azurerm", {
      features: [{}],
      subscriptionId: props.subscriptionId ?? env.subscriptionId,
      ...(props.resourceProviders && props.resourceProviders.length > 0 ? { resourceProvidersToRegister: [...props.resourceProviders] } : {}),
    });
    configureBackend(this, env.backend, id);
    this.location = env.location;
    this.tags = stackTags(env, id);
    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: props.resourceGroupName,
      location: env.location,
      tags: this.tags,
    });
  }
}

/** The tags of every resource of a stack: the environment's own, then `environment`, `managed-by` and `stack`, sorted. */
export function stackTags(env: Environment, stackId: string): Record<string, string> {
  const added: Record<(typeof DEFAULTS.addedTags)[number], string> = { environment: env.name, "managed-by": "private-aks", stack: stackId };
  return Object.fromEntries(Object.entries({ ...env.tags, ...added }).sort(([a], [b]) => a.localeCompare(b)));
}
