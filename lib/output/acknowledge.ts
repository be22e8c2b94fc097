import type { IConstruct } from "constructs";
import { addNote } from "./notes";

/**
 * How an acknowledgement is written into the output: a note of the construct (core/notes.ts),
 * which its stack writes into its cdk.tf.json, so the guardrails (and review) that read the
 * output find the reason next to the resource.
 */
export const ACKNOWLEDGEMENT_PREFIX = "private-aks acknowledged ";

/** A deliberate exception to a guardrail, with the reason reviewers will read. */
export interface Acknowledgement {
  /** The guardrail rule id, e.g. `PUB-001`. */
  readonly id: string;
  /** Why this exception is needed and safe; at least 20 characters. */
  readonly reason: string;
}

/** Shortest reason accepted: a word or two is not a justification. */
export const MIN_REASON_LENGTH = 20;

/**
 * Records that `node` breaks rule `id` on purpose. The guardrails then report it as an
 * acknowledged exception (listed by `private-aks validate`) instead of failing synthesis.
 */
export function acknowledge(node: IConstruct, ack: Acknowledgement): void {
  if (ack.reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`acknowledge ${ack.id} on ${node.node.path}: the reason must say why the exception is needed (at least ${MIN_REASON_LENGTH} characters)`);
  }
  addNote(node, `${ACKNOWLEDGEMENT_PREFIX}${ack.id}: ${ack.reason}`);
}

