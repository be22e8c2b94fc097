/** Runtime policy: effects, their reasons, and exemptions that name a guardrail the stack enforces. */
import { type Problem } from "../../core/problem";
import { ENFORCED_GUARDRAILS, HUB_SCOPES, type HubService, plannedAssignments, runtimeEnforcement, SPOKE_SCOPES } from "../../domain/runtime-policies";
import { AZURE_LIMITS } from "../../domain/defaults";
import { type Environment, type ExemptionConfig } from "../schema";

export function checkRuntimePolicy(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const services = new Set<HubService>([...(env.hub.registry ? ["registry" as const] : []), ...(env.hub.keyVault || env.hub.firewall.tlsInspection ? ["keyVault" as const] : []), ...(env.hub.monitoring.privateLink ? ["monitorPrivateLink" as const] : [])]);
  const hubBuilt = env.hub.existing === undefined;
  const enforcedIn = (scopes: typeof SPOKE_SCOPES) => new Set(plannedAssignments(scopes, services).map((a) => a.guardrail));
  const inSpokes = enforcedIn(SPOKE_SCOPES);
  const inHub = hubBuilt ? enforcedIn(HUB_SCOPES) : new Set<string>();

  // Where each hub service is asked for in the environment file.
  const SERVICE_FIELD: Record<HubService, string> = { registry: "hub.registry", keyVault: "hub.keyVault", monitorPrivateLink: "hub.monitoring.privateLink" };
  const why = (id: string): string => {
    const e = runtimeEnforcement(id);
    if (e === undefined || !("policies" in e)) return "";
    const missing = [...new Set(e.policies.flatMap((p) => (p.requires && !services.has(p.requires) ? [SERVICE_FIELD[p.requires]] : [])))];
    if (missing.length > 0 && e.policies.every((p) => p.requires && !services.has(p.requires))) return ` (its policies hold ${missing.join(" and ")}, which this environment does not have)`;
    if (e.policies.every((p) => p.scopes.every((s) => s === "hub"))) return ` (its policies are assigned to the hub${hubBuilt ? ": exempt it in the environment's policy.exemptions" : ", and an existing hub gets none"})`;
    return "";
  };
  const checkExemptions = (base: string, exemptions: readonly ExemptionConfig[], enforced: ReadonlySet<string>, where: string, inherited: ReadonlyMap<string, number> = new Map()) => {
    const seen = new Set<string>();
    exemptions.forEach((x, j) => {
      const path = `${base}.exemptions.${j}.guardrail`;
      const entry = runtimeEnforcement(x.guardrail);
      if (entry === undefined) add(path, `${JSON.stringify(x.guardrail)} is not a guardrail id; runtime policies enforce ${ENFORCED_GUARDRAILS.join(", ")}`);
      else if ("none" in entry) add(path, `${x.guardrail} has no runtime policy to exempt: ${entry.none}`);
      else if (!enforced.has(x.guardrail)) add(path, `${x.guardrail} is not enforced ${where}, so there is nothing to exempt${why(x.guardrail)}`);
      else if (seen.has(x.guardrail)) add(path, `${x.guardrail} is exempted twice; keep one entry`);
      else if (inherited.has(x.guardrail)) add(path, `${x.guardrail} is already exempted for every spoke by policy.exemptions.${inherited.get(x.guardrail)}; keep one entry: the environment's, or this one alone`);
      seen.add(x.guardrail);
    });
  };
  // The pod security initiative holds K8S-003's rule too (its host-network policy allows no host
  // port), so where it denies, a K8S-003 exemption lets no such pod run.
  const checkHostPortExemption = (path: string, spokeIndex: number) => {
    const s = env.spokes[spokeIndex];
    if (s.cluster.podSecurity.effect !== "deny") return;
    add(path, `K8S-003's exemption would let no host-network or host-port pod run in spoke ${s.name}: its pod security initiative (spokes.${spokeIndex}.cluster.podSecurity: ${s.cluster.podSecurity.level}, deny) refuses them too; set that effect to audit, or exempt K8S-003 only in the spokes whose pod security audits`);
  };

  const p = env.policy;
  if (p.effect === "off" && p.reason === undefined) add("policy.reason", "is required with policy.effect: off: say why the guardrails go unenforced at runtime (at least 20 characters)");
  if (p.effect === "off" && p.exemptions.length > 0) add("policy.exemptions", "have nothing to exempt: policy.effect is off");
  else {
    checkExemptions("policy", p.exemptions, new Set([...inSpokes, ...inHub]), "in this environment");
    const k = p.exemptions.findIndex((x) => x.guardrail === "K8S-003");
    if (k >= 0) env.spokes.forEach((s, i) => (s.policy.effect ?? p.effect) !== "off" && checkHostPortExemption(`policy.exemptions.${k}.guardrail`, i));
  }
  const inherited = new Map(p.effect === "off" ? [] : p.exemptions.map((x, k) => [x.guardrail, k] as const));

  env.spokes.forEach((s, i) => {
    const base = `spokes.${i}.policy`;
    const effect = s.policy.effect ?? p.effect;
    if (s.policy.effect === "off" && s.policy.reason === undefined) add(`${base}.reason`, `is required with ${base}.effect: off: say why spoke ${s.name}'s guardrails go unenforced at runtime (at least 20 characters)`);
    if (s.policy.effect !== "off" && s.policy.reason !== undefined) add(`${base}.reason`, `applies only with ${base}.effect: off`);
    if (effect === "off" && s.policy.exemptions.length > 0) add(`${base}.exemptions`, `have nothing to exempt: spoke ${s.name}'s runtime policy is off`);
    else {
      checkExemptions(base, s.policy.exemptions, inSpokes, `in spoke ${s.name}`, inherited);
      const k = s.policy.exemptions.findIndex((x) => x.guardrail === "K8S-003");
      if (k >= 0 && !inherited.has("K8S-003")) checkHostPortExemption(`${base}.exemptions.${k}.guardrail`, i);
    }
  });
  if (p.effect !== "off" && p.reason !== undefined) add("policy.reason", "applies only with effect: off");
  problems.push(...checkDefinitionCapacity(env));
  return problems;
}

/**
 * A spoke outside the environment's subscription makes its own runtime policy definitions and
 * initiatives (the hub's stack makes those of the environment's subscription, shared by its
 * spokes): Azure's per-subscription limits cap how many spokes one other subscription holds.
 */
function checkDefinitionCapacity(env: Environment): Problem[] {
  const planned = plannedAssignments(SPOKE_SCOPES);
  const definitions = new Set(planned.flatMap((a) => ("custom" in a.policy.definition ? [a.policy.definition.custom] : []))).size;
  const initiatives = new Set(planned.map((a) => a.scope)).size;
  const most = Math.min(Math.floor(AZURE_LIMITS.policyDefinitionsPerSubscription / definitions), Math.floor(AZURE_LIMITS.policySetDefinitionsPerSubscription / initiatives));
  const bySubscription = new Map<string, number[]>();
  env.spokes.forEach((s, i) => {
    if (s.subscriptionId === undefined || s.subscriptionId === env.subscriptionId || (s.policy.effect ?? env.policy.effect) === "off") return;
    bySubscription.set(s.subscriptionId, [...(bySubscription.get(s.subscriptionId) ?? []), i]);
  });
  return [...bySubscription].filter(([, spokes]) => spokes.length > most).map(([subscription, spokes]) => ({
    path: `spokes.${spokes[most]}.subscriptionId`,
    message: `is the subscription of ${spokes.length} spokes with runtime policy, each making its own ${definitions} policy definitions and ${initiatives} initiatives there; Azure allows ${AZURE_LIMITS.policyDefinitionsPerSubscription} and ${AZURE_LIMITS.policySetDefinitionsPerSubscription} per subscription, so at most ${most} such spokes (${subscription}); move some into the environment's subscription, whose definitions the hub shares`,
  }));
}
