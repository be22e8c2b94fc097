/** Rule collection group priorities, derived from names so that adding one never moves another. */
import { DEFAULTS } from "./defaults";

/**
 * The default priority of a spoke's firewall rule collection group, derived from the spoke's
 * name (FNV-1a) into 1000-63999: adding or removing a spoke never moves another spoke's group.
 * Two names that land on the same priority are reported, asking for egress.priority.
 */
export function defaultRulePriority(spokeName: string): number {
  return DEFAULTS.rulePriority.spokeBase + (fnv1a(spokeName) % DEFAULTS.rulePriority.spokeRange);
}
/**
 * The priority of the rule collection group a global peering adds to a hub's policy, derived
 * from the peer environment's name into 64000-64999 (above every derived spoke priority), so
 * that adding a peering never moves another group.
 */
export function peeringRulePriority(peerEnvironment: string): number {
  return DEFAULTS.rulePriority.peeringBase + (fnv1a(peerEnvironment) % DEFAULTS.rulePriority.peeringRange);
}
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const c of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
  return hash;
}
