import { ruleGroupNames } from "../domain/naming";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { SynthStack } from "../synth/synth-stack";
import type { Construct } from "constructs";
import { peeringRulePriority } from "../domain/priorities";
import type { Environment, PeeringConfig, LiteralEnvironment } from "../config/schema";
import { HubPeeringSide, type PeeringFlow } from "../constructs/hub-peering-side";
import { configureBackend } from "./backend";
import type { IPeerableHub } from "./hub-stack";

export interface PeeringStackProps {
  /** The environment that declares the peering: its backend keeps this stack's state. */
  readonly env: LiteralEnvironment;
  readonly peer: LiteralEnvironment;
  readonly peering: PeeringConfig;
  readonly hub: IPeerableHub;
  readonly peerHub: IPeerableHub;
}

/**
 * `<env>-<peer>-peering`: global peering between two environments' hubs, deployed after both.
 * Each hub gets its half ({@link HubPeeringSide}) through the provider of its own subscription.
 * A spoke in one region reaches a spoke in the other through its own firewall, the peering and
 * the other firewall; each firewall allows exactly the declared flows, and the replies.
 */
export class PeeringStack extends SynthStack {
  public readonly sides: readonly [HubPeeringSide, HubPeeringSide];
  /** The two environments whose hubs it joins. */
  public readonly envs: readonly [Environment, Environment];

  constructor(scope: Construct, id: string, props: PeeringStackProps) {
    super(scope, id);
    const { env, peer, peering } = props; // planPeerings checked that every flow names existing spokes
    this.envs = [env, peer];
    configureBackend(this, env.backend, id);
    // One provider per hub, in its environment's subscription (or ARM_SUBSCRIPTION_ID for both).
    const providers = [env, peer].map((e) => new AzurermProvider(this, `azurerm-${e.name}`, { alias: e.name, features: [{}], subscriptionId: e.subscriptionId }));
    const spaceOf = (e: Environment, spoke: string) => e.spokes.find((s) => s.name === spoke)!.addressSpace;
    const flows: PeeringFlow[] = peering.allow.map((flow) => ({
      name: `${env.name}-${flow.from}-to-${peer.name}-${flow.to}`,
      description: `${env.name}/${flow.from} to ${peer.name}/${flow.to} (peerings of ${env.name}).`,
      sources: [...spaceOf(env, flow.from)],
      destinations: [...spaceOf(peer, flow.to)],
      ports: flow.ports.map(String),
    }));
    const side = (local: Environment, localHub: IPeerableHub, remote: Environment, remoteHub: IPeerableHub, provider: AzurermProvider) =>
      new HubPeeringSide(this, `${local.name}-side`, {
        hub: localHub,
        remote: {
          vnetId: remoteHub.vnetId,
          firewallPrivateIp: remoteHub.firewallPrivateIp,
          spokePrefixes: remote.spokes.flatMap((s) => s.addressSpace.map((prefix, i) => ({ name: `to-${remote.name}-${s.name}-${i}`, prefix }))),
        },
        // Not hub-to-<x>: that is how a hub's peerings with its own spokes are named.
        names: { peering: `region-${remote.name}`, ruleGroup: ruleGroupNames.peering(remote.name) },
        rulePriority: peeringRulePriority(remote.name),
        flows,
        provider,
      });
    this.sides = [side(env, props.hub, peer, props.peerHub, providers[0]), side(peer, props.peerHub, env, props.hub, providers[1])];
  }
}
