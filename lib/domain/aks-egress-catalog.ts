/**
 * What a private AKS cluster must reach through the firewall, as data. Each entry names the
 * Microsoft documentation section it comes from, so a reviewer can check it against the
 * source and a maintainer knows where to look when Microsoft changes the list.
 *
 * Nothing here is broader than the documentation: no `*` destinations, no allow-all. The
 * API server is not listed because the cluster is private: nodes reach it through its
 * private endpoint in the spoke, not through the firewall.
 *
 * Pure data and one pure function; the AksEgressRules construct turns the selection into
 * firewall policy rules.
 */
import type { GitEndpoint } from "./gitops";

/** The documentation page most entries come from. */
export const AKS_EGRESS_DOC = "Microsoft Learn, AKS: Outbound network and FQDN rules for AKS clusters";

/** An application rule: FQDNs (or an FQDN tag) over HTTP/HTTPS. */
export interface ApplicationEntry {
  readonly kind: "application";
  /** Stable id; becomes the firewall rule name. */
  readonly id: string;
  readonly description: string;
  /** Documentation section this entry comes from. */
  readonly source: string;
  /** Destination FQDNs; `{location}` is replaced by the environment's region. */
  readonly fqdns?: readonly string[];
  /** Azure Firewall FQDN tags (Microsoft-maintained FQDN sets). */
  readonly fqdnTags?: readonly string[];
  readonly protocols: readonly { readonly type: "Http" | "Https"; readonly port: number }[];
  /** The firewall decrypts and inspects this HTTPS (TLS inspection); never on a catalog entry. @default false */
  readonly terminateTls?: boolean;
}

/** A network rule: a transport protocol to FQDNs (resolved by the firewall's DNS proxy) or to service tags. */
export interface NetworkEntry {
  readonly kind: "network";
  readonly id: string;
  readonly description: string;
  readonly source: string;
  readonly protocol: "TCP" | "UDP";
  /** Destination FQDNs; Azure Firewall enforces these only with its DNS proxy on. */
  readonly fqdns?: readonly string[];
  /** Destination service tags (Microsoft-maintained address sets), e.g. `AzureMonitor`. */
  readonly serviceTags?: readonly string[];
  /** Destination address ranges (CIDRs), e.g. a spoke's ingress subnet. */
  readonly addresses?: readonly string[];
  readonly ports: readonly string[];
}

export type EgressEntry = ApplicationEntry | NetworkEntry;

/** A set of entries switched on or off together. */
export interface EgressGroup {
  readonly id: EgressGroupId;
  readonly title: string;
  /** On unless the environment says otherwise. */
  readonly defaultOn: boolean;
  /** Why it is on or off by default. */
  readonly why: string;
  /** The environment field that switches it (absent: always on). */
  readonly switch?: string;
  readonly entries: readonly EgressEntry[];
}

export type EgressGroupId = "required" | "azurePolicy" | "containerInsights" | "defender" | "workloadIdentity" | "ubuntuUpdates" | "dockerHub" | "gitops";

/** The FQDNs "Azure Global required FQDN / application rules" lists (the API server's aside). */
const AKS_REQUIRED_FQDNS = [
  "mcr.microsoft.com",
  "*.data.mcr.microsoft.com",
  "mcr-0001.mcr-msedge.net",
  "management.azure.com",
  "login.microsoftonline.com",
  "packages.microsoft.com",
  "acs-mirror.azureedge.net",
  "packages.aks.azure.com",
] as const;

const HTTPS = [{ type: "Https", port: 443 }] as const;
const HTTP = [{ type: "Http", port: 80 }] as const;
const HTTP_AND_HTTPS = [{ type: "Http", port: 80 }, { type: "Https", port: 443 }] as const;

/** The catalog, in the order rules are generated. */
export const AKS_EGRESS_CATALOG: readonly EgressGroup[] = [
  {
    id: "required",
    title: "AKS required",
    defaultOn: true,
    why: "Without these a cluster cannot be created, pull its system images, authenticate or upgrade.",
    entries: [
      {
        kind: "application",
        id: "aks-fqdn-tag",
        description: "Azure Firewall's AzureKubernetesService FQDN tag: Microsoft's own list of AKS control endpoints.",
        source: `${AKS_EGRESS_DOC} > Azure Firewall: use the AzureKubernetesService FQDN tag`,
        fqdnTags: ["AzureKubernetesService"],
        protocols: HTTP_AND_HTTPS,
      },
      {
        kind: "application",
        id: "aks-required-fqdns",
        description: "Microsoft Container Registry and its CDN, ARM, Entra ID, AKS packages and binaries.",
        source: `${AKS_EGRESS_DOC} > Azure Global required FQDN / application rules`,
        fqdns: [...AKS_REQUIRED_FQDNS],
        protocols: HTTPS,
      },
      {
        kind: "network",
        id: "aks-ntp",
        description: "Time synchronization for Linux nodes.",
        source: `${AKS_EGRESS_DOC} > Azure Global required network rules`,
        protocol: "UDP",
        fqdns: ["ntp.ubuntu.com"],
        ports: ["123"],
      },
    ],
  },
  {
    id: "azurePolicy",
    title: "Azure Policy add-on",
    defaultOn: true,
    why: "The cluster runs the Azure Policy add-on (on by default), which fetches policies and reports compliance here.",
    entries: [
      {
        kind: "application",
        id: "aks-azure-policy",
        description: "Azure Policy add-on: policy definitions and compliance reporting.",
        source: `${AKS_EGRESS_DOC} > Azure Policy > Required FQDN / application rules`,
        fqdns: ["data.policy.core.windows.net", "store.policy.core.windows.net"],
        protocols: HTTPS,
      },
    ],
  },
  {
    id: "containerInsights",
    title: "Container Insights",
    defaultOn: true,
    switch: "spokes[].egress.containerInsights",
    why: "The cluster sends logs and metrics to the hub's Log Analytics workspace; without these the monitoring agent cannot.",
    entries: [
      {
        kind: "network",
        id: "aks-azure-monitor",
        description: "Azure Monitor service tag: metrics and log ingestion by the monitoring agent.",
        source: `${AKS_EGRESS_DOC} > Azure Monitor for containers > Required network rules`,
        protocol: "TCP",
        serviceTags: ["AzureMonitor"],
        ports: ["443"],
      },
      {
        kind: "application",
        id: "aks-container-insights",
        description: "Azure Monitor agent: data collection rules, log ingestion and metrics.",
        source: `${AKS_EGRESS_DOC} > Azure Monitor for containers > Required FQDN / application rules`,
        fqdns: [
          "dc.services.visualstudio.com",
          "*.ods.opinsights.azure.com",
          "*.oms.opinsights.azure.com",
          "*.monitoring.azure.com",
          "global.handler.control.monitor.azure.com",
          "{location}.handler.control.monitor.azure.com",
          "*.ingest.monitor.azure.com",
        ],
        protocols: HTTPS,
      },
    ],
  },
  {
    id: "defender",
    title: "Microsoft Defender for Containers",
    defaultOn: false,
    switch: "spokes[].cluster.defender",
    why: "Only for a cluster with Defender's sensor: it signs in and uploads security events to Defender and to the workspace.",
    entries: [
      {
        kind: "application",
        id: "aks-defender",
        description: "Defender for Containers' sensor: Entra ID sign-in, security events to Defender and to the Log Analytics workspace.",
        source: `${AKS_EGRESS_DOC} > Microsoft Defender for Containers > Required FQDN / application rules (read 2026-12-07)`,
        fqdns: ["login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"],
        protocols: HTTPS,
      },
    ],
  },
  {
    id: "workloadIdentity",
    title: "Workload identity (network-isolated clusters)",
    defaultOn: false,
    switch: "spokes[].cluster.networkIsolated with apps that read secrets",
    why: "Only for a network-isolated cluster whose apps read Key Vault secrets: their pods exchange the service account token at Entra ID, which has no private endpoint (other clusters reach it through the AKS required group).",
    entries: [
      {
        kind: "application",
        id: "aks-workload-identity",
        description: "Entra ID: the token exchange of pods with a workload identity.",
        source: `${AKS_EGRESS_DOC} > Microsoft Entra Workload ID > Required FQDN / application rules (read 2026-12-07)`,
        fqdns: ["login.microsoftonline.com"],
        protocols: HTTPS,
      },
    ],
  },
  {
    id: "gitops",
    title: "GitOps (Flux cluster extension)",
    defaultOn: false,
    switch: "spokes[].delivery.mode: gitops",
    why: "Only for a spoke whose apps the cluster pulls itself: the extension's agents fetch their configuration and report status here (their images come from mcr.microsoft.com, already allowed). The repository's own host is added from delivery.repository.",
    entries: [
      {
        kind: "application",
        id: "aks-cluster-extensions",
        description: "Cluster extensions service: the Flux extension's configuration and status, and its agents' metrics.",
        source: `${AKS_EGRESS_DOC} > Cluster extensions > Required FQDN / application rules (read 2026-12-07)`,
        fqdns: ["{location}.dp.kubernetesconfiguration.azure.com", "*.ingestion.msftcloudes.com", "*.microsoftmetrics.com"],
        protocols: HTTPS,
      },
    ],
  },
  {
    id: "ubuntuUpdates",
    title: "Ubuntu package updates",
    defaultOn: false,
    switch: "spokes[].egress.ubuntuUpdates",
    why: "Off: nodes are patched by AKS node image upgrades (nodeOsUpgradeChannel NodeImage), not by apt on the node.",
    entries: [
      {
        kind: "application",
        id: "ubuntu-updates",
        description: "Ubuntu security updates and package mirrors for nodes that patch themselves.",
        source: `${AKS_EGRESS_DOC} > Optional recommended FQDN / application rules for AKS clusters`,
        fqdns: ["security.ubuntu.com", "azure.archive.ubuntu.com", "changelogs.ubuntu.com"],
        protocols: HTTP,
      },
    ],
  },
  {
    id: "dockerHub",
    title: "Docker Hub",
    defaultOn: false,
    switch: "spokes[].egress.dockerHub",
    why: "Off: system images come from mcr.microsoft.com; workloads should use a registry you control.",
    entries: [
      {
        kind: "application",
        id: "docker-hub",
        description: "Docker Hub image pulls: token service, registry API and layer CDN.",
        source: "Docker documentation: hosts contacted for Docker Hub image pulls",
        fqdns: ["auth.docker.io", "registry-1.docker.io", "production.cloudflare.docker.com"],
        protocols: HTTPS,
      },
    ],
  },
];

/**
 * What an Azure Firewall FQDN tag allows, as far as Microsoft documents it: `explain` expands
 * a tag rule with this list. `{location}` is the cluster's region.
 */
export const FQDN_TAG_CONTENTS: Record<string, readonly string[]> = {
  // "The AzureKubernetesService FQDN tag contains all required FQDNs" of the AKS egress page.
  AzureKubernetesService: ["*.hcp.{location}.azmk8s.io", ...AKS_REQUIRED_FQDNS],
};

/** Which optional groups a spoke switches on; `azurePolicy` is always on, and `required` on every cluster that is not network-isolated. */
export interface EgressSelection {
  readonly containerInsights: boolean;
  readonly ubuntuUpdates: boolean;
  readonly dockerHub: boolean;
  /** The spoke's own extra destinations, HTTPS 443. */
  readonly fqdns: readonly string[];
  /** Of fqdns, those the firewall decrypts and inspects (when inspection is on). */
  readonly tlsInspection?: readonly string[];
}

/** What else about the spoke decides its groups: its region, the firewall's DNS proxy, and the cluster's features. */
export interface EgressOptions {
  readonly location: string;
  readonly dnsProxy: boolean;
  /** The GitOps repository Flux pulls from. @default - no GitOps */
  readonly gitops?: GitEndpoint;
  /** The cluster is network-isolated. @default false */
  readonly isolated?: boolean;
  /** The cluster runs Defender for Containers' sensor. @default false */
  readonly defender?: boolean;
  /** Pods exchange workload identity tokens at Entra ID (apps that read Key Vault secrets). @default false */
  readonly workloadIdentity?: boolean;
  /** The firewall inspects TLS (its CA is in place): the spoke's tlsInspection destinations get a rule that decrypts. @default false */
  readonly inspectTls?: boolean;
}

export interface SelectedEntries {
  readonly entries: EgressEntry[];
  /** Entries left out because the firewall cannot enforce them, with why. */
  readonly skipped: { readonly id: string; readonly reason: string }[];
}

/**
 * The entries a spoke gets: every group that is on, the spoke's own FQDNs, and `{location}`
 * filled in. FQDN network rules are left out (and reported) when the firewall has no DNS
 * proxy, since Azure Firewall cannot enforce them then.
 */
export function selectEgress(selection: EgressSelection, options: EgressOptions): SelectedEntries {
  const isolated = options.isolated ?? false;
  const on = (group: EgressGroup): boolean => {
    switch (group.id) {
      // A network-isolated cluster bootstraps from the registry's cache and sends its
      // monitoring through the Azure Monitor private link scope: neither crosses the firewall.
      case "required":
        return !isolated;
      case "containerInsights":
        return selection.containerInsights && !isolated;
      case "ubuntuUpdates":
      case "dockerHub":
        return selection[group.id];
      case "defender":
        return options.defender ?? false;
      case "workloadIdentity":
        return isolated && (options.workloadIdentity ?? false);
      case "gitops":
        return options.gitops !== undefined;
      case "azurePolicy":
        return true;
    }
  };
  const entries: EgressEntry[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const group of AKS_EGRESS_CATALOG.filter(on)) {
    for (const entry of group.entries) {
      if (entry.kind === "network" && entry.fqdns && !options.dnsProxy) {
        skipped.push({ id: entry.id, reason: "FQDN network rules need the firewall's DNS proxy (hub.firewall.dnsProxy)" });
        continue;
      }
      entries.push(withLocation(entry, options.location));
    }
  }
  const git = options.gitops;
  if (git) {
    // The repository's host: HTTPS through an application rule; SSH (TCP, not HTTP) through an FQDN network rule, which the firewall enforces only with its DNS proxy.
    const source = "environment file: spokes[].delivery.repository";
    const description = `The Git repository Flux pulls the apps from (${git.protocol}).`;
    if (git.protocol === "https") entries.push({ kind: "application", id: "gitops-repository", description, source, fqdns: [git.host], protocols: [{ type: "Https", port: git.port }] });
    else if (options.dnsProxy) entries.push({ kind: "network", id: "gitops-repository", description, source, protocol: "TCP", fqdns: [git.host], ports: [String(git.port)] });
    else skipped.push({ id: "gitops-repository", reason: "an SSH repository needs an FQDN network rule, which needs the firewall's DNS proxy (hub.firewall.dnsProxy)" });
  }
  // Inspected destinations come first: a wildcard of the spoke's that also covers one must not match it before (first match wins).
  const decrypted = options.inspectTls ? [...(selection.tlsInspection ?? [])] : [];
  const inspected = new Set(decrypted.map((f) => f.toLowerCase()));
  if (decrypted.length > 0) {
    entries.unshift({
      kind: "application",
      id: "spoke-fqdns-inspected",
      description: "Destinations this spoke's environment file adds, decrypted and inspected by the firewall (TLS inspection).",
      source: "environment file: spokes[].egress.tlsInspection",
      fqdns: decrypted,
      protocols: HTTPS,
      terminateTls: true,
    });
  }
  const plain = selection.fqdns.filter((f) => !inspected.has(f.toLowerCase()));
  if (plain.length > 0) {
    entries.push({
      kind: "application",
      id: "spoke-fqdns",
      description: "Destinations this spoke's environment file adds.",
      source: "environment file: spokes[].egress.fqdns",
      fqdns: plain,
      protocols: HTTPS,
    });
  }
  return { entries, skipped };
}

function withLocation(entry: EgressEntry, location: string): EgressEntry {
  if (!entry.fqdns) return entry;
  const fqdns = entry.fqdns.map((f) => f.split("{location}").join(location));
  return { ...entry, fqdns } as EgressEntry;
}
