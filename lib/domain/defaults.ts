/**
 * Every default of the product, in one place. The environment schema fills its optional
 * fields from here, and the constructs use the same values when a prop is left out, so a
 * default never differs between the file and the code.
 */
export const DEFAULTS = {
  /** Where synth writes and the review commands read, unless told otherwise (CDKTF_OUTDIR, --out). */
  outdir: "cdktf.out",
  /** Where `private-aks review` writes, inside the output folder. */
  reviewDir: "review",
  firewall: {
    tier: "Standard",
    zones: ["1", "2", "3"],
    threatIntelMode: "Deny",
    dnsProxy: true,
    egressIps: 1,
    /** Intrusion detection and prevention where the tier has it (Premium). */
    idpsOnPremium: "Deny",
  },
  /** TLS inspection: the certificate's name in its vault. */
  tlsInspection: { certificateName: "firewall-intermediate-ca" },
  /** Burstable, current generation (Bsv2), Trusted Launch capable; about the cost of a B2s. */
  jumpboxVmSize: "Standard_B2s_v2",
  jumpboxAdminUsername: "azureops",
  /** Azure CNI Overlay: pods do not consume VNet addresses. */
  networkPluginMode: "overlay",
  /** Cilium network policy on the Cilium dataplane (Azure CNI powered by Cilium). */
  networkPolicy: "cilium",
  /** AKS's default pod range in overlay mode. */
  podCidr: "10.244.0.0/16",
  serviceCidr: "10.2.0.0/24",
  /** Offset of the cluster DNS service inside serviceCidr (10.2.0.10 in 10.2.0.0/24). */
  dnsServiceIpOffset: 10,
  skuTier: "Standard",
  cluster: {
    /** `az aks command invoke`: the emergency path when no private network path exists. */
    runCommand: true,
    /** Image Cleaner removes unused images from the nodes, every 48 hours. */
    imageCleaner: true,
    imageCleanerIntervalHours: 48,
    /** Container Insights (Azure Monitor for the cluster) and the egress it needs. */
    containerInsights: true,
    /** Network isolation (outbound type none, bootstrap from the hub registry's cache): a choice per spoke. */
    networkIsolated: false,
    osSku: "AzureLinux",
    maintenance: { day: "Sunday", startHour: 1, durationHours: 4 },
    podSecurity: { level: "baseline", effect: "audit" },
  },
  privateDnsZone: "byo",
  nodePool: {
    vmSize: "Standard_D4ds_v6",
    zones: ["1", "2", "3"],
    maxPods: 30,
    osDiskSizeGb: 128,
    /** Extra nodes during an upgrade; the node subnet is sized for it. */
    maxSurge: 1,
  },
  systemPool: { minCount: 3, maxCount: 5 },
  userPool: { minCount: 1, maxCount: 3 },
  logRetentionDays: 30,
  /** Private DNS A records: how long resolvers keep an answer, in seconds. */
  dnsRecordTtl: 300,
  /** Route tables that send a subnet to the firewall: routes learned over BGP never bypass it. */
  bgpRoutePropagation: false,
  /** Rule collection group priorities: the jumpbox's, on-premises', then one per spoke in spokeBase..spokeBase+spokeRange-1, derived from its name. */
  rulePriority: { jumpbox: 500, onPremises: 600, spokeBase: 1000, spokeRange: 63000, peeringBase: 64000, peeringRange: 1000 },
  /** Ports a global-peering flow allows when it names none. */
  peeringPorts: [443],
  /** Gateway SKUs: zone-redundant by default. */
  gatewaySku: { Vpn: "VpnGw2AZ", ExpressRoute: "ErGw1AZ" },
  /** Apps: two replicas, modest requests, a writable /tmp beside a read-only root filesystem. */
  app: {
    replicas: 2,
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
    writablePaths: ["/tmp"],
  },
  /**
   * How a spoke's apps reach its cluster: the `-apps` stack (Terraform, from where the API
   * server is reachable), or GitOps (the cluster's Flux pulls the rendered manifests).
   */
  delivery: { mode: "terraform", branch: "main", auth: "none", syncInterval: "5m", pathPrefix: "gitops" },
  /** Runtime policy (Azure Policy assignments of the guardrails): refuse what breaks them. */
  runtimePolicy: { effect: "deny" },
  /** Tags the product adds to every resource, next to the environment's own. */
  addedTags: ["environment", "managed-by", "stack"],
  /** The file the emergency apply command writes the identities of apps with secrets to, beside the apps' own manifests (`<app>.yaml`). */
  workloadIdentitiesManifest: "workload-identities.yaml",
} as const;

/** Limits Azure sets, as data with their source. */
export const AZURE_LIMITS = {
  /**
   * Tags on one resource. Azure allows 50 on most resources, but private DNS zones, their
   * links and records take 15 (Microsoft Learn, "Tag resources": services with a lower limit),
   * and every resource here carries the same tags.
   */
  tagsPerResource: 15,
  /**
   * Rule collection groups in one firewall policy: 90 for policies created after July 2022, 50
   * for older ones (Microsoft Learn, Azure subscription and service limits, Azure Firewall
   * limits, updated 2026-10, read 2026-12-07). A hub built here creates its policy now.
   */
  ruleCollectionGroupsPerPolicy: 90,
  /** The same limit for a policy created before July 2022: what an existing hub's policy is taken to hold unless hub.existing says otherwise. */
  ruleCollectionGroupsPerOlderPolicy: 50,
  /** The private endpoints subnet's smallest size with an Azure Monitor Private Link Scope (its endpoint takes ~15 addresses). */
  monitorPrivateEndpointsPrefix: 27,
  /**
   * Azure Policy, per subscription (Microsoft Learn, Azure subscription and service limits,
   * Azure Policy limits, read 2026-12-07): custom policy definitions, custom initiatives
   * (policy set definitions), and assignments per scope.
   */
  policyDefinitionsPerSubscription: 500,
  policySetDefinitionsPerSubscription: 200,
  policyAssignmentsPerScope: 200,
  /** Characters in an HCP Terraform workspace name. */
  workspaceName: 90,
} as const;

/** Where an app's Key Vault secrets appear, one file per secret. */
export const SECRETS_MOUNT_PATH = "/mnt/secrets";
