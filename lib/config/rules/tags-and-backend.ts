/** Tags and the state backend. */
import { AZURE_LIMITS, DEFAULTS } from "../../domain/defaults";
import { type Problem } from "../../core/problem";
import { type Environment } from "../schema";
import { stackIds } from "../../domain/naming";

/** Tags: the product adds its own to every resource; Azure's limits apply to the sum. */
export function checkTags(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const userTags = Object.keys(env.tags);
  for (const key of userTags) {
    const taken = DEFAULTS.addedTags.find((t) => t.toLowerCase() === key.toLowerCase());
    if (taken) add(`tags.${key}`, `is set by the product on every resource (${DEFAULTS.addedTags.join(", ")}); Azure tag names are case-insensitive, so yours would be overwritten; rename it`);
  }
  const roomForTags = AZURE_LIMITS.tagsPerResource - DEFAULTS.addedTags.length;
  if (userTags.length > roomForTags) {
    add("tags", `has ${userTags.length} tags; at most ${roomForTags} fit, because private DNS zones and links take ${AZURE_LIMITS.tagsPerResource} tags and the product adds ${DEFAULTS.addedTags.length}`);
  }
  return problems;
}
/** Backend: workspace names must fit HCP Terraform's limit for the longest stack id. */
export function checkBackend(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (env.backend.type === "cloud") {
    const longest = Math.max(...env.spokes.map((sp) => stackIds.apps(env.name, sp.name).length), stackIds.hub(env.name).length);
    if (env.backend.workspacePrefix.length + longest > AZURE_LIMITS.workspaceName) {
      add("backend.workspacePrefix", `makes workspace names up to ${env.backend.workspacePrefix.length + longest} characters; HCP Terraform allows ${AZURE_LIMITS.workspaceName}`);
    }
  }
  return problems;
}
