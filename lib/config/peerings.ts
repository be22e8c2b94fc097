/**
 * Checks of global peerings between environments synthesized together: they can only be
 * judged on the set, because each names the other side by environment name.
 */
import { stackIds } from "../domain/naming";
import type { SetProblem } from "./address-plan";
import { AZURE_LIMITS } from "../domain/defaults";
import { quote } from "../core/problem";
import { peeringRulePriority, defaultRulePriority } from "../domain/priorities";
import { ruleCollectionGroups } from "./rules/firewall";
import type { Environment, PeeringConfig } from "./schema";

/** A peering whose both environments are in the set: it gets a stack. */
export interface ResolvedPeering {
  readonly env: Environment;
  readonly peer: Environment;
  readonly peering: PeeringConfig;
}

/** What the set makes of its environments' peerings. */
export interface PeeringPlan {
  readonly problems: SetProblem[];
  /** Peerings to build: both sides synthesized together. */
  readonly resolved: ResolvedPeering[];
  /** Peerings whose other side is not in the set: left out, with a warning. */
  readonly absent: { readonly env: Environment; readonly index: number; readonly peer: string }[];
}

/**
 * Resolves every environment's `peerings` against the set: the peer must be another environment,
 * with a hub built here (an existing hub's firewall and routes are not ours to change), named
 * once per pair; `allow` names spokes that exist on each side; each hub's policy must have room
 * for the extra rule collection group and a free priority for it. A peer that is not in the set
 * is not an error (each region synthesizes alone too): the peering is left out and reported.
 */
export function planPeerings(set: { file: string; env: Environment }[]): PeeringPlan {
  const problems: SetProblem[] = [];
  const resolved: ResolvedPeering[] = [];
  const absent: PeeringPlan["absent"][number][] = [];
  const byName = new Map(set.map((s) => [s.env.name, s]));
  const pairs = new Map<string, { at: string; file: string }>();
  for (const { file, env } of set) {
    env.peerings.forEach((peering, i) => {
      const at = `peerings.${i}`;
      const add = (path: string, message: string) => problems.push({ file, problem: { path: `${at}${path}`, message } });
      if (peering.environment === env.name) {
        add(".environment", "names this environment itself; a peering joins two environments' hubs");
        return;
      }
      const other = byName.get(peering.environment);
      if (env.hub.existing) add("", "needs a hub built by this environment; hub.existing names a hub whose firewall and routes are managed elsewhere");
      if (other === undefined) {
        absent.push({ env, index: i, peer: peering.environment });
        return;
      }
      const key = [env.name, other.env.name].sort().join(" ");
      const first = pairs.get(key);
      if (first !== undefined) {
        add(".environment", first.file === file
          ? `${quote(peering.environment)} is already peered with in ${first.at}; put all its flows in that entry's allow list`
          : `${quote(peering.environment)} is already peered with ${quote(env.name)} (${first.at} of ${first.file}); declare a peering on one side only`);
        return;
      }
      pairs.set(key, { at, file });
      if (other.env.hub.existing) add(".environment", `${quote(peering.environment)} attaches to an existing hub (hub.existing in ${other.file}); a peering needs hubs built by both environments`);
      const mine = new Set(env.spokes.map((s) => s.name));
      const theirs = new Set(other.env.spokes.map((s) => s.name));
      const flows = new Map<string, number>();
      peering.allow.forEach((flow, j) => {
        const same = flows.get(`${flow.from} ${flow.to}`);
        if (same !== undefined) add(`.allow.${j}`, `repeats the flow ${flow.from} to ${flow.to} of allow.${same}; list its ports in one entry`);
        else flows.set(`${flow.from} ${flow.to}`, j);
        if (!mine.has(flow.from)) add(`.allow.${j}.from`, `${quote(flow.from)} is not a spoke of ${quote(env.name)}; spokes: ${[...mine].join(", ")}`);
        if (!theirs.has(flow.to)) add(`.allow.${j}.to`, `${quote(flow.to)} is not a spoke of ${quote(other.env.name)}; spokes: ${[...theirs].join(", ")}`);
      });
      resolved.push({ env, peer: other.env, peering });
    });
  }

  // Each hub's policy gains one group per peering it is part of: room and a free priority.
  for (const { file, env } of set) {
    const peers = resolved.filter((r) => r.env === env || r.peer === env).map((r) => (r.env === env ? r.peer.name : r.env.name));
    if (peers.length === 0 || env.hub.existing) continue;
    const groups = ruleCollectionGroups(env) + peers.length;
    if (ruleCollectionGroups(env) <= AZURE_LIMITS.ruleCollectionGroupsPerPolicy && groups > AZURE_LIMITS.ruleCollectionGroupsPerPolicy) {
      problems.push({ file, problem: { path: "peerings", message: `the hub's firewall policy would need ${groups} rule collection groups with its ${peers.length} peering(s); it holds at most ${AZURE_LIMITS.ruleCollectionGroupsPerPolicy}` } });
    }
    const taken = new Map<number, string>(env.spokes.map((s) => [s.egress.priority ?? defaultRulePriority(s.name), `spoke ${s.name}'s group`]));
    for (const peer of peers) {
      const priority = peeringRulePriority(peer);
      const clash = taken.get(priority);
      if (clash !== undefined) problems.push({ file, problem: { path: "peerings", message: `the group for the peering with ${quote(peer)} takes priority ${priority} (derived from the name), which is already ${clash}; set that spoke's egress.priority to another value` } });
      taken.set(priority, `the group for the peering with ${quote(peer)}`);
    }
  }
  problems.push(...checkStackIds(set, resolved));
  return { problems, resolved, absent };
}

/**
 * Stack ids are `<env>-hub`, `<env>-<spoke>`, `<env>-<spoke>-apps` and `<env>-<peer>-peering`:
 * two environments (or a spoke and a peering) can spell the same one. Within one file the rules
 * already refuse a spoke that clashes with another spoke's apps stack.
 */
function checkStackIds(set: { file: string; env: Environment }[], resolved: ResolvedPeering[]): SetProblem[] {
  const problems: SetProblem[] = [];
  const seen = new Map<string, { file: string; path: string; peering: boolean }>();
  const claim = (id: string, file: string, path: string, peering = false) => {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, { file, path, peering });
    else if (first.file !== file || first.peering || peering) {
      problems.push({ file, problem: { path, message: `makes the stack id ${quote(id)}, which ${first.path} of ${first.file} makes too; rename one (stack ids are <environment>-<spoke>, -hub, -apps and -peering)` } });
    }
  };
  for (const { file, env } of set) {
    claim(stackIds.hub(env.name), file, "name");
    env.spokes.forEach((spoke, i) => {
      claim(stackIds.spoke(env.name, spoke.name), file, `spokes.${i}.name`);
      if (spoke.apps.length > 0) claim(stackIds.apps(env.name, spoke.name), file, `spokes.${i}.apps`);
    });
  }
  for (const { env, peer } of resolved) {
    const file = set.find((s) => s.env === env)!.file;
    claim(stackIds.peering(env.name, peer.name), file, `peerings.${env.peerings.findIndex((p) => p.environment === peer.name)}.environment`, true);
  }
  return problems;
}
