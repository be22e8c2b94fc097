/** What Azure Policy, assigned by this output, holds after deploy about a question explain answers. */
import { containsIp } from "../../net/cidr";
import { type Model } from "../../output/model";
import { runtimePolicy } from "../../output/runtime-policy";
import { type Topology } from "../../output/topology";
import { blocks } from "./flow";

/** Guardrails that keep a spoke unreachable from the Internet: no public IP (for a public LoadBalancer Service or anything else), Services on internal load balancers only. */
const INBOUND_GUARDRAILS = ["K8S-001", "PUB-001"];

/** The stack whose VNet holds an address, when one does. */
export function stackOfAddress(t: Topology, ip: bigint | undefined): string | undefined {
  if (ip === undefined) return undefined;
  return t.vnets.find((v) => blocks(v.addressSpace).some((b) => containsIp(b, ip)))?.resource.stack;
}

/**
 * One line on the runtime policy that keeps an inbound path from the Internet closed: a
 * LoadBalancer Service that is not internal, or a public IP, refused (or audited) by the
 * assignments of K8S-001 and PUB-001 in `stack` (every spoke when not known); or why there is
 * none there.
 */
export function runtimeInboundLine(model: Model, stack?: string): string | undefined {
  const view = runtimePolicy(model);
  const off = view.off.find((o) => o.stack === stack);
  if (off) return `at runtime nothing refuses a public LoadBalancer Service there: runtime policy is off in ${off.stack} (${off.reason})`;
  const relevant = view.assignments.filter((a) => INBOUND_GUARDRAILS.includes(a.guardrail) && (stack === undefined || a.resource.stack === stack));
  if (relevant.length === 0) return undefined;
  const parts = INBOUND_GUARDRAILS.flatMap((id) => {
    const of = relevant.filter((a) => a.guardrail === id);
    if (of.length === 0) return [];
    const what = id === "K8S-001" ? "a LoadBalancer Service that is not internal" : "a public IP";
    const byEffect = ["deny", "audit", "disabled", "unknown"].flatMap((effect) => {
      const scopes = of.filter((a) => a.effect === effect && a.exemption === undefined).map((a) => a.scope);
      return scopes.length === 0 ? [] : [`${effect === "deny" ? "refused" : effect === "audit" ? "only audited" : effect === "disabled" ? "not evaluated" : "of unknown effect"} in ${[...new Set(scopes)].join(", ")}`];
    });
    const exempted = [...new Map(of.filter((a) => a.exemption !== undefined).map((a) => [a.scope, a.exemption!.reason])).entries()].map(([scope, reason]) => `exempted in ${scope} (${reason})`);
    return [`${id}: ${what} is ${[...byEffect, ...exempted].join("; ")}`];
  });
  // Only a deny keeps the path closed; audit and exemptions let the change through.
  const denying = relevant.filter((a) => a.effect === "deny" && a.exemption === undefined);
  const lead = denying.length === relevant.length ? "and after deploy Azure Policy keeps it so" : denying.length > 0 ? "and after deploy Azure Policy keeps it so only in part" : "and after deploy Azure Policy refuses no such change there";
  const offNote = stack === undefined && view.off.length > 0 ? `; runtime policy is off in ${view.off.map((o) => o.stack).join(", ")}` : "";
  return `${lead}: ${parts.join("; ")}${offNote}`;
}
