import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { acknowledgementOf } from "./acknowledge";
import { GUARDRAILS, type GuardrailContext, type GuardrailRule, NO_CONTEXT } from "./rules";

/** A rule a construct fails, where, and whether it is an acknowledged exception. */
export interface Finding {
  readonly rule: GuardrailRule;
  /** Construct path, e.g. `demo-hub/firewall/public-ip`. */
  readonly path: string;
  /** The reason given when acknowledged; absent for a violation. */
  readonly acknowledged?: string;
}

/**
 * Runs the guardrails over every construct it visits. It is an IAspect so it can be added
 * with `Aspects.of(scope).add(...)`, but the app runs it itself through checkGuardrails()
 * before synthesis, so that a violation stops synth before anything is written.
 */
export class GuardrailAspect implements IAspect {
  public readonly findings: Finding[] = [];

  constructor(
    private readonly rules: readonly GuardrailRule[] = GUARDRAILS,
    private readonly context: GuardrailContext = NO_CONTEXT,
  ) {}

  public visit(node: IConstruct): void {
    for (const rule of this.rules) {
      if (rule.check(node, this.context) !== "fail") continue;
      const ack = acknowledgementOf(node, rule.id);
      this.findings.push({ rule, path: node.node.path, acknowledged: ack?.reason });
    }
  }
}

/** The result of checking a construct tree. */
export interface GuardrailReport {
  /** Failures nobody acknowledged: synthesis must stop. */
  readonly violations: Finding[];
  /** Deliberate exceptions, with their reasons (the named public endpoints). */
  readonly exceptions: Finding[];
}

/** Checks every construct under `scope` against the guardrails. */
export function checkGuardrails(scope: IConstruct, rules: readonly GuardrailRule[] = GUARDRAILS, context: GuardrailContext = NO_CONTEXT): GuardrailReport {
  const aspect = new GuardrailAspect(rules, context);
  for (const node of scope.node.findAll()) aspect.visit(node);
  return {
    violations: aspect.findings.filter((f) => f.acknowledged === undefined),
    exceptions: aspect.findings.filter((f) => f.acknowledged !== undefined),
  };
}

/** One error line per violation: `<construct path>: [<id>] <title>: <rationale> Fix: <fix>` */
export function violationLine(f: Finding): string {
  return `${f.path}: [${f.rule.id}] ${f.rule.title}: ${f.rule.rationale} Fix: ${f.rule.fix}`;
}

/** One line per acknowledged exception: `<construct path>: [<id>] <reason>` */
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
