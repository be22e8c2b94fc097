/**
 * What Microsoft requires of a network-isolated AKS cluster, as data: the cluster bootstraps
 * from a private registry's cache of Microsoft Artifact Registry instead of reaching
 * mcr.microsoft.com, so it needs no egress to be created or upgraded.
 *
 * Read on 2026-12-07 in Microsoft Learn (MicrosoftDocs/azure-aks-docs): "Network isolated
 * Azure Kubernetes Service (AKS) clusters" (articles/aks/concepts-network-isolated.md,
 * ms.date 2026-06-15) and "Create a network isolated AKS cluster" (network-isolated.md,
 * ms.date 2025-06-20); and in hashicorp/terraform-provider-azurerm v4.55.0
 * (internal/services/containers/kubernetes_cluster_resource.go: outbound_type "none" is
 * refused at plan unless bootstrap_profile.artifact_source is "Cache").
 */

import type { ImageReference } from "./image";

export const NETWORK_ISOLATION = {
  source: "Microsoft Learn, AKS: Network isolated AKS clusters (concepts-network-isolated.md, 2026-06-15) and Create a network isolated cluster (network-isolated.md); read 2026-12-07",
  /**
   * The cache rule AKS looks for in a bring-your-own registry. "The cache rule name and repo
   * names must be strictly aligned with the guidance", and the rule "should NOT be modified".
   */
  cacheRule: { name: "aks-managed-mcr", sourceRepo: "mcr.microsoft.com/*", targetRepo: "aks-managed-repository/*" },
  /** The registry the cache rule reads from: a workload image from here is pulled as `<registry>.azurecr.io/<cachedRepositoryPrefix>/<path>`. */
  upstreamRegistry: "mcr.microsoft.com",
  cachedRepositoryPrefix: "aks-managed-repository",
  /** "Network isolated clusters are supported on AKS clusters using Kubernetes version 1.30 or higher." */
  minimumKubernetes: "1.30",
  /** "Only NodeImage and None upgrade channels are currently supported" (the FAQ); the product uses NodeImage. */
  nodeOsUpgradeChannels: ["NodeImage", "None"],
  /** The cluster extensions the doc lists as not supported yet on network-isolated clusters. */
  unsupportedExtensions: ["Dapr", "Azure App Configuration", "Azure Machine Learning", "Flux (GitOps)", "Azure Backup for AKS"],
} as const;

/** An image of mcr.microsoft.com (its registry host, any case, HTTPS's port or none), as parsed. */
export function fromUpstream(ref: ImageReference): boolean {
  return ref.registry.toLowerCase().replace(/:443$/, "") === NETWORK_ISOLATION.upstreamRegistry;
}

/** The image a network-isolated cluster pulls for an mcr.microsoft.com image: the registry's cache of it. */
export function cachedImage(ref: ImageReference, registryLoginServer: string): string {
  return `${registryLoginServer}/${NETWORK_ISOLATION.cachedRepositoryPrefix}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
