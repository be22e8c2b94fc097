/** The region. */
import { AZURE_REGIONS, suggestRegion } from "../../domain/azure-regions";
import { type Problem, quote } from "../../core/problem";

/**
 * `location` is an Azure region, with a "did you mean" for a typo. It needs no other field, so
 * it is also checked when the rest of the file does not parse.
 */
export function checkLocation(location: unknown): Problem[] {
  if (typeof location !== "string" || AZURE_REGIONS.includes(location)) return [];
  const guess = suggestRegion(location);
  return [{ path: "location", message: `${quote(location)} is not an Azure region name${guess ? `; did you mean ${guess}?` : "; use the programmatic name, e.g. westeurope"}` }];
}
