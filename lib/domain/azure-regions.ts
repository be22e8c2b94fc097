/**
 * Azure public-cloud regions, by the programmatic name the environment file's `location`
 * takes. Kept as data: when Microsoft opens a region, add it here.
 *
 * Source: Microsoft Learn, Azure reliability: "List of Azure regions" (the "All" tab), read
 * 2026-11-29 from its 2025-09 revision; restricted and canary regions (jioindiawest,
 * centraluseuap, ...) are left out because customers cannot deploy to them by default.
 */
import { closest, distance } from "fastest-levenshtein";

export const AZURE_REGIONS: readonly string[] = [
  "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
  "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia",
  "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral",
  "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth",
  "japaneast", "japanwest", "koreacentral", "koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth",
  "northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral", "qatarcentral",
  "southafricanorth", "southafricawest", "southcentralus", "southeastasia", "southindia", "spaincentral",
  "swedencentral", "switzerlandnorth", "switzerlandwest", "uaecentral", "uaenorth", "uksouth", "ukwest",
  "westcentralus", "westeurope", "westindia", "westus", "westus2", "westus3",
];

/** The region a mistyped name most likely meant, when one is close enough. */
export function suggestRegion(name: string): string | undefined {
  const squashed = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (AZURE_REGIONS.includes(squashed)) return squashed;
  const best = closest(squashed, [...AZURE_REGIONS]);
  return distance(squashed, best) <= 3 ? best : undefined;
}

/**
 * Regions where AKS did not offer API Server VNet Integration when this was last read, so a
 * spoke with `subnets.apiServer` there is warned about (not refused: Microsoft adds regions).
 * Source: Microsoft Learn, "API Server VNet Integration", availability (a January 2026 copy
 * named eastus2 and qatarcentral; a March 2026 AKS docs change names only qatarcentral).
 */
export const API_SERVER_VNET_INTEGRATION_UNAVAILABLE = { regions: ["qatarcentral"], readIn: "2026-03" } as const;

/**
 * Regions where AKS offers no cluster extensions (so no GitOps extension). Source: Microsoft
 * Learn, "Deploy and manage cluster extensions for AKS" (read 2026-12-07 in its 2026-08 copy).
 */
export const CLUSTER_EXTENSIONS_UNAVAILABLE = { regions: ["qatarcentral"] as readonly string[], readIn: "2026-08" } as const;
