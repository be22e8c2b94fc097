/** Spoke names. */
import { type Problem, quote } from "../../core/problem";
import { type Environment } from "../schema";
import { ruleGroupNames } from "../../domain/naming";

/** Spoke names become stack ids, rule collection group and IP group names: unique, and none of the hub's own. */
export function checkSpokeNames(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const seen = new Map<string, number>();
  env.spokes.forEach((s, i) => {
    const first = seen.get(s.name);
    if (first !== undefined) add(`spokes.${i}.name`, `${quote(s.name)} is already the name of spokes.${first}; spoke names must be unique`);
    else seen.set(s.name, i);
    if (s.name === "hub") add(`spokes.${i}.name`, `"hub" is taken by the hub stack (${env.name}-hub); choose another name`);
    // Spoke names become rule collection group and IP group names next to the hub's own.
    else if (s.name === "jumpbox" || s.name === "onprem") add(`spokes.${i}.name`, `${quote(s.name)} is taken by the hub's rule collection group ${s.name === "jumpbox" ? ruleGroupNames.jumpbox : ruleGroupNames.onPremises}; choose another name`);
    else if (s.name.startsWith("peer-")) add(`spokes.${i}.name`, `${quote(s.name)} starts with "peer-", which names the rule collection groups of global peerings (${ruleGroupNames.peering("<environment>")}); choose another name`);
    if (s.name.endsWith("-apps")) add(`spokes.${i}.name`, `${quote(s.name)} would collide with the apps stack of spoke ${quote(s.name.slice(0, -5))}; drop the -apps suffix`);
  });
  return problems;
}
