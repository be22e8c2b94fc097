/**
 * What the stacks and constructs note in the output for its readers (review, explain, the
 * guardrails): facts of the environment file the Terraform resources do not hold, and the
 * acknowledged exceptions to guardrails. Each note belongs to a construct; the stack writes its
 * constructs' notes into its own `cdk.tf.json`, under the comment key
 * `"//": { "private-aks": { "notes": [{ path, message }] } }`, which Terraform ignores. Not
 * cdktf annotations: the cdktf CLI prints every annotation at synth, and these are for tools.
 */
import type { IConstruct } from "constructs";

/** The key, inside the stack file's `"//"` comment, that holds the notes. */
export const NOTES_KEY = "private-aks";

/** One note as written: the construct's path and the text. */
export interface WrittenNote {
  readonly path: string;
  readonly message: string;
}

const NOTES = new WeakMap<IConstruct, string[]>();

/** Notes a construct's message, for its stack to write. */
export function addNote(node: IConstruct, message: string): void {
  NOTES.set(node, [...(NOTES.get(node) ?? []), message]);
}

/** The notes of a construct, in the order made. */
export function notesOf(node: IConstruct): readonly string[] {
  return NOTES.get(node) ?? [];
}

/** The environment's declared private ranges. */
export const PRIVATE_RANGES_PREFIX = "private-aks private ranges: ";

/** The environment's on-premises ranges (and point-to-site pool), for explain --from onprem. */
export const ON_PREMISES_PREFIX = "private-aks on-premises ranges: ";

/** The note's text for a list of ranges. */
export function note(prefix: string, ranges: readonly string[]): string {
  return `${prefix}${JSON.stringify(ranges)}`;
}

/** The ranges of the first note with that prefix among an output's annotation messages; [] when there is none. */
export function noted(messages: readonly { readonly message: string }[], prefix: string): string[] {
  const found = messages.find((a) => a.message.startsWith(prefix));
  return found ? (JSON.parse(found.message.slice(prefix.length)) as string[]) : [];
}
