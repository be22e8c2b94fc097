/**
 * What the stacks note in the output for its readers (review, explain, the guardrails): facts
 * of the environment file the Terraform JSON does not hold, written as info annotations of the
 * hub stack into cdktf's manifest.json, each a prefix and a JSON value.
 */

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
