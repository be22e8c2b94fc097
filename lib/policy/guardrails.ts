import { noted, PRIVATE_RANGES_PREFIX } from "../output/notes";
import type { IConstruct } from "constructs";
import { parseCidr } from "../net/cidr";
import type { Model } from "../output/model";
import { ACKNOWLEDGEMENT_PREFIX } from "../output/acknowledge";
import { GUARDRAILS, type GuardrailContext, type GuardrailRule, NO_CONTEXT } from "./rules";

/** A rule a subject fails, where, and whether it is an acknowledged exception. */
export interface Finding {
  readonly rule: GuardrailRule;
  /** Construct path, e.g. `demo-hub/firewall/public-ip`, or a manifest object. */
  readonly path: string;
  /** `<stack>/<type>.<key>` for a resource. */
  readonly address?: string;
  readonly detail?: string;
  /** The reason given when acknowledged; absent for a violation. */
  readonly acknowledged?: string;
}

/** The result of checking a synthesized output. */
export interface GuardrailReport {
  /** Failures nobody acknowledged: synthesis must stop. */
  readonly violations: Finding[];
  /** Deliberate exceptions, with their reasons (the named public endpoints). */
  readonly exceptions: Finding[];
  /** How many subjects each rule judged, and how many passed. */
  readonly tally: { readonly rule: GuardrailRule; readonly checked: number; readonly passed: number }[];
}

/**
 * The acknowledgements recorded in the output (cdktf writes them into manifest.json as info
 * annotations of the construct they were made on): rule id and reason by construct path.
 */
export function acknowledgementsIn(model: Model): Map<string, Map<string, string>> {
  const found = new Map<string, Map<string, string>>();
  for (const a of model.output.annotations) {
    if (!a.message.startsWith(ACKNOWLEDGEMENT_PREFIX)) continue;
    const match = /^(\S+): (.*)$/s.exec(a.message.slice(ACKNOWLEDGEMENT_PREFIX.length));
    if (!match) continue;
    const byRule = found.get(a.path) ?? new Map<string, string>();
    byRule.set(match[1], match[2]);
    found.set(a.path, byRule);
  }
  return found;
}

/** The guardrail context recorded in an output: the private ranges the environment declared. */
export function contextOf(model: Model): GuardrailContext {
  const ranges = noted(model.output.annotations, PRIVATE_RANGES_PREFIX);
  return { privateRanges: ranges.map((r) => parseCidr(r)).flatMap((p) => (p.ok ? [p.value] : [])) };
}

/** Checks a synthesized output against the guardrails. */
export function checkGuardrails(model: Model, rules: readonly GuardrailRule[] = GUARDRAILS, context: GuardrailContext = NO_CONTEXT): GuardrailReport {
  const acks = acknowledgementsIn(model);
  const violations: Finding[] = [];
  const exceptions: Finding[] = [];
  const tally = rules.map((rule) => {
    const results = rule.check(model, context);
    for (const r of results.filter((x) => x.verdict === "fail")) {
      const reason = acks.get(r.subject)?.get(rule.id);
      const finding: Finding = { rule, path: r.subject, address: r.address, detail: r.detail, acknowledged: reason };
      (reason === undefined ? violations : exceptions).push(finding);
    }
    return { rule, checked: results.length, passed: results.filter((x) => x.verdict === "pass").length };
  });
  return { violations, exceptions, tally };
}

/** One error line per violation: `<path>: [<id>] <title>: <rationale> Fix: <fix>` */
export function violationLine(f: Finding): string {
  return `${f.path}: [${f.rule.id}] ${f.rule.title}${f.detail ? ` (${f.detail})` : ""}: ${f.rule.rationale} Fix: ${f.rule.fix}`;
}

/** One line per acknowledged exception: `<path>: [<id>] <reason>` */
export function exceptionLine(f: Finding): string {
  return `${f.path}: [${f.rule.id}] ${f.acknowledged}`;
}

/** A synth-time warning some construct raised (Annotations.addWarning): worth reading, not fatal. */
export interface Warning {
  readonly path: string;
  readonly message: string;
}

/** Every warning annotation under `scope`, in tree order. */
export function warningsOf(scope: IConstruct): Warning[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => ({ path: c.node.path, message: String(m.data) })));
}
