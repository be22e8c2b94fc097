/**
 * The environment file, described once. This zod schema is the single source of truth for
 * the file's fields, their defaults and their types: entry points parse with it once, and
 * everything downstream receives the inferred `Environment` type.
 *
 * Cross-field rules (address plan, sizing, references between fields) live in
 * `lib/config/rules.ts` and `lib/config/address-plan.ts`, so that every problem is reported at
 * once instead of the first one stopping the parse.
 */
import type { TerraformLiteral } from "../core/template";
import { z } from "zod";
import { nthAddress, parseCidr, parseIp } from "../net/cidr";
import { AZURE_LIMITS, DEFAULTS } from "../domain/defaults";
import { defaultOsDiskType } from "../domain/vm-sizes";
import { branchProblem, DELIVERY_LIMITS, durationSeconds, type GitEndpoint, parseGitUrl } from "../domain/gitops";
import { MIN_REASON_LENGTH } from "../output/acknowledge";

/** The smallest service range accepted (a /28: 16 addresses; AKS's own add-ons create about a dozen services). */
export const MAX_SERVICE_CIDR_PREFIX = 28;
/** The largest service range AKS accepts: it must be smaller than a /12. */
export const MIN_SERVICE_CIDR_PREFIX = 13;

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
});

const ipv4 = z.string().superRefine((value, ctx) => {
  const parsed = parseIp(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
});

/** An availability zone. YAML users often write `[1, 2, 3]`, so numbers are accepted too. */
const zone = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .pipe(z.enum(["1", "2", "3"], { message: 'must be "1", "2" or "3"' }));

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID such as 00000000-0000-0000-0000-000000000000");

/** A DNS name without a trailing dot: `api.contoso.com`, `*.blob.core.windows.net`. */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
export const FQDN_PATTERN = new RegExp(`^(?:\\*\\.(?:${LABEL}\\.)*${LABEL}|(?:${LABEL}\\.)+${LABEL})$`, "i");
const fqdn = z.string().regex(FQDN_PATTERN, "must be a host name such as api.contoso.com (or *.contoso.com)");

const zoneName = z
  .string()
  .regex(new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`, "i"), "must be a DNS zone name such as corp.internal (no trailing dot)");

/** Environment and spoke names: they prefix Azure resource names and stack ids. */
const NAME = /^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const nameField = (what: string) =>
  z.string().regex(NAME, `${what} must be 1-16 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen`);

/** Tag names Azure refuses (it also treats names case-insensitively). */
const TAG_KEY = /^[^<>%&\\?/]{1,512}$/;
const tags = z
  .record(
    z.string().regex(TAG_KEY, "must be a tag name of 1-512 characters without < > % & \\ ? /"),
    z.string().max(256, "must be a tag value of at most 256 characters"),
  )
  .default({});

/** An Azure resource group name: 1-90 letters, digits, underscores, parentheses, hyphens, periods; not ending with a period. */
const resourceGroupName = z
  .string()
  .regex(/^[-\w.()]{0,89}[-\w()]$/, "must be a resource group name: 1-90 letters, digits, underscores, parentheses, hyphens or periods, not ending with a period");

/** A blob name prefix: path segments of safe characters, never `.` or `..` (state keys must not climb out). */
const KEY_PREFIX = /^(?:(?!\.\.?\/)[A-Za-z0-9._-]+\/)*(?:(?!\.\.?$)[A-Za-z0-9._-]*)$/;

const localBackend = z.object({ type: z.literal("local") }).strict();
const azurermBackend = z
  .object({
    type: z.literal("azurerm"),
    resourceGroupName,
    storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, "must be 3-24 lowercase letters or digits"),
    containerName: z
      .string()
      .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit, without two hyphens in a row"),
    /** Prefix of each stack's state blob; the blob is `<keyPrefix><stack id>.tfstate`. @default - no prefix */
    keyPrefix: z
      .string()
      .max(200, "must be at most 200 characters")
      .regex(KEY_PREFIX, "must be path segments of letters, digits, periods, underscores and hyphens separated by /, e.g. platform/; no leading /, no . or .. segments")
      .default(""),
    /** Authenticate to the storage account with Entra ID instead of its access key. @default true */
    useAzureadAuth: z.boolean().default(true),
  })
  .strict();
const cloudBackend = z
  .object({
    type: z.literal("cloud"),
    organization: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "must be an HCP Terraform organization name: letters, digits, underscores and hyphens"),
    /** @default app.terraform.io */
    hostname: z
      .string()
      .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i, "must be a host name such as app.terraform.io")
      .default("app.terraform.io"),
    /** Each stack gets the workspace `<workspacePrefix><stack id>`. @default - no prefix */
    workspacePrefix: z.string().regex(/^[A-Za-z0-9_-]*$/, "must be letters, digits, underscores and hyphens (workspace names allow nothing else)").default(""),
  })
  .strict();
const backend = z.discriminatedUnion("type", [localBackend, azurermBackend, cloudBackend], {
  message: "must be { type: local }, { type: azurerm, ... } or { type: cloud, ... }",
});

/** A Key Vault name: globally unique, 3-24 letters, digits and hyphens, starting with a letter. */
const vaultName = z.string().regex(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "must be 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without two hyphens in a row (vault names are global)");

/**
 * TLS inspection (Premium): the firewall decrypts the HTTPS of the destinations spokes list in
 * egress.tlsInspection, with an intermediate CA from your PKI.
 */
const tlsInspection = z
  .object({
    /**
     * The dedicated vault the CA lives in: the access-policy model Azure Firewall requires (it
     * cannot read through Azure RBAC), public access off with the trusted-services bypass,
     * purge protection, a private endpoint; in a resource group of its own.
     */
    keyVault: z.object({ /** Globally unique: 3-24 letters, digits and hyphens. */ name: vaultName }).strict(),
    /**
     * The intermediate CA's certificate (PEM, the public part only), or the path of a file
     * holding it, relative to the environment file. Checked against Microsoft's requirements;
     * the clusters' nodes trust it (AKS custom CA trust).
     */
    caCertificate: z.string().min(1),
    /** The certificate's name in the vault, as the PKI team imports it (a password-less PFX with its key). @default firewall-intermediate-ca */
    certificateName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "must be 1-127 letters, digits and hyphens (a Key Vault certificate name)").default(DEFAULTS.tlsInspection.certificateName),
    /** Entra ID principals (the PKI team's group) that may import and rotate the certificate in the vault; nothing else. At least one. */
    importerObjectIds: z.array(guid).min(1, "must name at least one principal (the PKI team's Entra ID group): nobody else can import the CA into the vault"),
    /**
     * The PKI team has imported the certificate: the firewall policy then uses it and the
     * rules of egress.tlsInspection decrypt. Until then the vault waits and those destinations
     * are allowed without inspection. @default false
     */
    certificateImported: z.boolean().default(false),
  })
  .strict();

/** The hub firewall's settings; exported so that rules can tell settings from defaults. */
export const firewallSchema = z
  .object({
    /** Firewall and policy SKU tier. Basic needs hub.subnets.firewallManagement. @default Standard */
    tier: z.enum(["Basic", "Standard", "Premium"]).default(DEFAULTS.firewall.tier),
    /** @default ["1", "2", "3"] */
    zones: z.array(zone).default([...DEFAULTS.firewall.zones]),
    /** @default Deny */
    threatIntelMode: z.enum(["Off", "Alert", "Deny"]).default(DEFAULTS.firewall.threatIntelMode),
    /** DNS proxy on the firewall; spokes then use the firewall as their DNS server. @default true */
    dnsProxy: z.boolean().default(DEFAULTS.firewall.dnsProxy),
    /**
     * Intrusion detection and prevention (Premium tier only): Deny drops what signatures match,
     * Alert logs it. @default Deny on the Premium tier; none on the others (they have no IDPS)
     */
    idps: z.enum(["Alert", "Deny", "Off"], { message: "must be Alert, Deny or Off" }).optional(),
    /** Per-signature IDPS modes that differ from idps (Premium tier only): a false positive set to Alert, say. @default - none */
    idpsSignatureOverrides: z
      .array(
        z
          .object({
            /** The signature id, as the IDPS signature list shows it, e.g. "2024897". */
            id: z.string().regex(/^\d{1,10}$/, "must be an IDPS signature id: digits, e.g. \"2024897\""),
            state: z.enum(["Alert", "Deny", "Off"], { message: "must be Alert, Deny or Off" }),
          })
          .strict(),
      )
      .default([]),
    /** Public IPs the firewall SNATs egress to (more IPs, more SNAT ports for many nodes); each is a named public endpoint. @default 1 */
    egressIps: z.number().int().min(1, "must be 1 or more").max(10, "must be at most 10").default(DEFAULTS.firewall.egressIps),
    /** TLS inspection (Premium tier only). @default - none: HTTPS is allowed or denied by name, never decrypted */
    tlsInspection: tlsInspection.optional(),
  })
  .strict();

const jumpbox = z
  .object({
    /** @default azureops */
    adminUsername: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name (lowercase, up to 32 characters)").default(DEFAULTS.jumpboxAdminUsername),
    /**
     * An OpenSSH public key (`ssh-ed25519 AAAA... comment`) or the path of a file holding
     * one, relative to the environment file. Never read from the synthesizing machine's home.
     */
    sshPublicKey: z.string().min(1),
    /** @default Standard_B2s_v2 (burstable, current generation, Trusted Launch capable) */
    vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "must be an Azure VM size such as Standard_B2s_v2").default(DEFAULTS.jumpboxVmSize),
  })
  .strict();

const forwardingRule = z
  .object({
    /** Fully qualified, with the trailing dot: `onprem.example.com.` */
    domain: z.string(),
    /** DNS servers as `ip:port` (port 53 when left out). */
    targets: z.array(z.string()).min(1, "needs at least one target server, as ip:port"),
  })
  .strict();

const hubDns = z
  .object({
    /** Private DNS zones for applications, linked to the hub and every spoke. @default - none */
    zones: z.array(zoneName).default([]),
    /** Conditional forwarding to on-premises DNS; needs the DNS resolver subnets. @default - none */
    forwarding: z.array(forwardingRule).default([]),
  })
  .strict();

/** An Azure resource id of a given provider type, e.g. Microsoft.Network/virtualNetworks. */
const resourceId = (type: string, example: string) =>
  z
    .string()
    .regex(
      // As azurerm parses ids: segment names in their exact case (resourceGroups, providers,
      // the type), a GUID subscription, a resource group name Azure accepts (no trailing dot).
      new RegExp(`^/subscriptions/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/resourceGroups/[-\\w.()]{0,89}[-\\w()]/providers/${type.replace(/[./]/g, (c) => `\\${c}`)}/[A-Za-z0-9][\\w.-]{0,79}$`),
      `must be the resource id of a ${type}, e.g. ${example}`,
    );

const vpnSite = z
  .object({
    /** A short name for the on-premises device: its local network gateway and connection are named after it. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, "must be 2-32 lowercase letters, digits or hyphens, starting with a letter"),
    /** The device's public IPv4 address (where Azure's VPN gateway connects to). */
    address: z.string(),
    /** The on-premises ranges behind the device; each must be listed in onPremises. */
    ranges: z.array(cidr).min(1, "needs at least one range"),
    /** The device's BGP peer address and ASN, when the site speaks BGP. @default - static routes */
    bgp: z.object({ asn: z.number().int().min(1).max(4294967295), peerAddress: z.string() }).strict().optional(),
  })
  .strict();

const gateway = z
  .object({
    /** Vpn (site-to-site, optionally point-to-site) or ExpressRoute. */
    type: z.enum(["Vpn", "ExpressRoute"], { message: "must be Vpn or ExpressRoute" }),
    /** @default VpnGw2AZ (Vpn) or ErGw1AZ (ExpressRoute): zone-redundant */
    sku: z.string().optional(),
    /** The gateway's BGP ASN; turns BGP on. @default - BGP off (static routes from sites' ranges) */
    bgpAsn: z.number().int().min(1).max(4294967295).optional(),
    /** Vpn: the on-premises devices. */
    sites: z.array(vpnSite).default([]),
    /** Vpn: developers' VPN clients over OpenVPN with Entra ID authentication. @default - none */
    pointToSite: z.object({ addressPool: cidr }).strict().optional(),
    /** ExpressRoute: the circuit to connect. */
    circuitId: resourceId("Microsoft.Network/expressRouteCircuits", "/subscriptions/<id>/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-dc1").optional(),
  })
  .strict();

const existingHub = z
  .object({
    /** The existing hub VNet. */
    vnetId: resourceId("Microsoft.Network/virtualNetworks", "/subscriptions/<id>/resourceGroups/rg-connectivity/providers/Microsoft.Network/virtualNetworks/vnet-hub"),
    /** The existing firewall's private IP: the spokes' next hop. */
    firewallPrivateIp: z.string(),
    /** The existing firewall policy: the spokes' rule collection groups are added to it. */
    firewallPolicyId: resourceId("Microsoft.Network/firewallPolicies", "/subscriptions/<id>/resourceGroups/rg-connectivity/providers/Microsoft.Network/firewallPolicies/fwp-hub"),
    /** The resource group that holds (or will hold) the private DNS zones. */
    dnsResourceGroup: z.string().regex(/^[-\w.()]{0,89}[-\w()]$/, "must be a resource group name"),
    /** Whether the hub already has a VPN or ExpressRoute gateway: spokes then use it (gateway transit). @default false */
    gateway: z.boolean().default(false),
    /** The firewall's DNS proxy is on, so spokes use the firewall as their DNS server. @default true */
    dnsProxy: z.boolean().default(true),
    /**
     * Create the `privatelink.<region>.azmk8s.io` zone (and `private.<region>.azmk8s.io` when a
     * spoke has subnets.apiServer) in dnsResourceGroup, linked to the hub. @default false: the
     * zones exist already (Azure landing zones create them centrally)
     */
    createAksDnsZone: z.boolean().default(false),
    /**
     * How many rule collection groups this environment may add to the existing policy: the
     * policy's limit (90 when it was created after July 2022, 50 before) less the groups it
     * holds already. @default 50 (the older limit: the policy's age is not in the output)
     */
    ruleCollectionGroups: z.number().int().min(1).max(AZURE_LIMITS.ruleCollectionGroupsPerPolicy, `must be at most ${AZURE_LIMITS.ruleCollectionGroupsPerPolicy}, the limit of a firewall policy created after July 2022`).default(AZURE_LIMITS.ruleCollectionGroupsPerOlderPolicy),
    /** A Log Analytics workspace for the clusters. @default - one created in this environment's hub resource group */
    workspaceId: resourceId("Microsoft.OperationalInsights/workspaces", "/subscriptions/<id>/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/log-hub").optional(),
  })
  .strict();

const hub = z
  .object({
    addressSpace: z.array(cidr).min(1, "needs at least one CIDR block"),
    subnets: z
      .object({
        /** AzureFirewallSubnet, at least /26. Required unless hub.existing. */
        firewall: cidr.optional(),
        /** AzureFirewallManagementSubnet, at least /26: the firewall's management IP configuration (the Basic tier, or forced tunnelling on any tier). @default - none */
        firewallManagement: cidr.optional(),
        /** AzureBastionSubnet, at least /26: Azure Bastion is deployed when set. @default - no Bastion */
        bastion: cidr.optional(),
        /** The jumpbox VM's subnet: the jumpbox is deployed when set. @default - no jumpbox */
        jumpbox: cidr.optional(),
        /** DNS Private Resolver inbound endpoint subnet, /28 to /24 (set with dnsResolverOutbound). @default - no resolver */
        dnsResolverInbound: cidr.optional(),
        /** DNS Private Resolver outbound endpoint subnet, /28 to /24 (set with dnsResolverInbound). @default - no resolver */
        dnsResolverOutbound: cidr.optional(),
        /** GatewaySubnet, /27 or larger: needed by hub.gateway. @default - no gateway */
        gateway: cidr.optional(),
        /** Private endpoints of the registry and the key vault (network policies on), /28 or larger. @default - none */
        privateEndpoints: cidr.optional(),
      })
      .strict()
      .prefault({}),
    firewall: firewallSchema.prefault({}),
    jumpbox: jumpbox.optional(),
    /**
     * A private Azure Container Registry (Premium, admin user and anonymous pull off, public
     * network access off, dedicated data endpoints) behind a private endpoint; every cluster's
     * kubelet may pull from it (AcrPull). @default - none
     */
    registry: z
      .object({
        /** Globally unique: 5-50 lowercase letters and digits. */
        name: z.string().regex(/^[a-z0-9]{5,50}$/, "must be 5-50 lowercase letters and digits (registry names are global)"),
        /** Refuse apps whose images come from any other registry. @default false */
        requirePrivateRegistry: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * A private Key Vault (Azure RBAC, purge protection, public network access off) behind a
     * private endpoint; clusters get the Key Vault Secrets Provider add-on. @default - none
     */
    keyVault: z
      .object({
        /** Globally unique: 3-24 letters, digits and hyphens, starting with a letter. */
        name: vaultName,
      })
      .strict()
      .optional(),
    /**
     * Monitoring without public ingestion: an Azure Monitor Private Link Scope holding the
     * workspace and a data collection endpoint, reached through a private endpoint in
     * hub.subnets.privateEndpoints; the workspace refuses ingestion (and queries) from public
     * networks. @default - off: agents reach Azure Monitor's public endpoints through the firewall
     */
    monitoring: z
      .object({
        /** @default false */
        privateLink: z.boolean().default(false),
        /** Keep queries open from public networks (the portal from anywhere); ingestion stays private. @default false */
        publicQuery: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** A VPN or ExpressRoute gateway to on-premises, through the hub's firewall. @default - none */
    gateway: gateway.optional(),
    /** An existing hub to attach to (brownfield): then only addressSpace and dns stay. @default - a new hub */
    existing: existingHub.optional(),
    dns: hubDns.prefault({}),
  })
  .strict();

const nodePool = {
  /** @default Standard_D4ds_v6 (current generation, 4 vCPU, 16 GiB) */
  vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "must be an Azure VM size such as Standard_D4ds_v6").default(DEFAULTS.nodePool.vmSize),
  /** @default ["1", "2", "3"] */
  zones: z.array(zone).default([...DEFAULTS.nodePool.zones]),
  /** Pods per node; with plain Azure CNI each one takes an address of the node subnet. @default 30 */
  maxPods: z.number().int().min(10).max(250).default(DEFAULTS.nodePool.maxPods),
  /** @default 128 */
  osDiskSizeGb: z.number().int().min(30).max(2048).default(DEFAULTS.nodePool.osDiskSizeGb),
  /**
   * `Ephemeral`: the OS disk lives on the VM's local disk (free, fast, rebuilt with the node);
   * `Managed`: an Azure managed disk. @default - Ephemeral where vmSize's local disk is known
   * to hold osDiskSizeGb (lib/domain/vm-sizes.ts, which includes the default size), else Managed
   */
  osDiskType: z.enum(["Ephemeral", "Managed"], { message: "must be Ephemeral or Managed" }).optional(),
};

/** A pool's OS disk type, its default resolved from its size (lib/domain/vm-sizes.ts). */
const withOsDiskType = <P extends { vmSize: string; osDiskSizeGb: number; osDiskType?: "Ephemeral" | "Managed" }>(p: P) => ({
  ...p,
  osDiskType: p.osDiskType ?? defaultOsDiskType(p.vmSize, p.osDiskSizeGb),
});

const systemPool = z
  .object({
    ...nodePool,
    /** @default 3 */
    minCount: z.number().int().min(1).max(1000).default(DEFAULTS.systemPool.minCount),
    /** @default 5 */
    maxCount: z.number().int().min(1).max(1000).default(DEFAULTS.systemPool.maxCount),
  })
  .strict()
  .transform(withOsDiskType);

const userPool = z
  .object({
    /** Linux node pool name: 1-12 lowercase letters or digits, starting with a letter. */
    name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "must be 1-12 lowercase letters or digits, starting with a letter"),
    ...nodePool,
    /** @default 1 */
    minCount: z.number().int().min(0).max(1000).default(DEFAULTS.userPool.minCount),
    /** @default 3 */
    maxCount: z.number().int().min(1).max(1000).default(DEFAULTS.userPool.maxCount),
  })
  .strict()
  .transform(withOsDiskType);

const cluster = z
  .object({
    /** @default - the region's default version at creation time */
    kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'must look like "1.33" or "1.33.2"').optional(),
    /** Control plane tier; Standard carries the uptime SLA. @default Standard */
    skuTier: z.enum(["Free", "Standard", "Premium"]).default(DEFAULTS.skuTier),
    /**
     * `overlay`: Azure CNI Overlay, pods take addresses from podCidr; `nodeSubnet`: plain Azure
     * CNI, every pod takes an address of the node subnet. @default overlay
     */
    networkPluginMode: z.enum(["overlay", "nodeSubnet"], { message: "must be overlay (Azure CNI Overlay) or nodeSubnet (plain Azure CNI)" }).default(DEFAULTS.networkPluginMode),
    /** Pod address range, overlay mode only. @default 10.244.0.0/16 with overlay */
    podCidr: cidr.optional(),
    /**
     * `cilium`: Cilium network policy on the Cilium dataplane (Azure CNI powered by Cilium);
     * `calico`: Calico; `azure`: Azure Network Policy Manager. @default cilium
     */
    networkPolicy: z.enum(["cilium", "calico", "azure"], { message: "must be cilium, calico or azure" }).default(DEFAULTS.networkPolicy),
    /** `byo`: the privatelink zone lives in the hub and is linked to every VNet; `system`: AKS manages it. @default byo */
    privateDnsZone: z.enum(["byo", "system"]).default(DEFAULTS.privateDnsZone),
    /**
     * Entra ID groups made cluster administrators: "Azure Kubernetes Service RBAC Cluster Admin"
     * on the cluster. @default - none
     */
    adminGroupObjectIds: z.array(guid).default([]),
    /**
     * Also make the identity that runs `cdktf deploy` a cluster administrator, so that a first
     * deploy is usable. A cluster needs at least one administrator: with this off, give
     * adminGroupObjectIds. @default true
     */
    grantDeployerAdmin: z.boolean().default(true),
    /** Kubernetes service range; must overlap no VNet or on-premises range. @default 10.2.0.0/24 */
    serviceCidr: cidr.default(DEFAULTS.serviceCidr),
    /** Cluster DNS service address, inside serviceCidr. @default - serviceCidr's 10th address (10.2.0.10) */
    dnsServiceIp: ipv4.optional(),
    /** Keep `az aks command invoke`, the emergency access path. @default true */
    runCommand: z.boolean().default(DEFAULTS.cluster.runCommand),
    /** Node OS. @default AzureLinux: a minimal, Microsoft-maintained host OS */
    osSku: z.enum(["AzureLinux", "Ubuntu"], { message: "must be AzureLinux or Ubuntu" }).default(DEFAULTS.cluster.osSku),
    /**
     * When AKS may upgrade the control plane (patch channel) and the node images: a weekly window,
     * in UTC. @default Sunday 01:00 UTC, 4 hours
     */
    maintenance: z
      .object({
        day: z.enum(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]).default(DEFAULTS.cluster.maintenance.day),
        /** Hour of the day, UTC. */
        startHour: z.number().int().min(0).max(23).default(DEFAULTS.cluster.maintenance.startHour),
        /** 4 or more: AKS needs at least four hours. */
        durationHours: z.number().int().min(4, "must be 4 or more: AKS needs a window of at least four hours").max(24).default(DEFAULTS.cluster.maintenance.durationHours),
      })
      .strict()
      .prefault({}),
    /**
     * The built-in Azure Policy initiative for pod security, assigned to the cluster: baseline or
     * restricted, audited or denied. @default baseline, audit
     */
    podSecurity: z
      .object({
        level: z.enum(["baseline", "restricted"]).default(DEFAULTS.cluster.podSecurity.level),
        effect: z.enum(["audit", "deny"]).default(DEFAULTS.cluster.podSecurity.effect),
      })
      .strict()
      .prefault({}),
    /** Image Cleaner removes unused, vulnerable images from the nodes. @default true */
    imageCleaner: z.boolean().default(DEFAULTS.cluster.imageCleaner),
    /** Microsoft Defender for Containers (a paid plan of the subscription). @default false */
    defender: z.boolean().default(false),
    /**
     * A network-isolated cluster: outbound type none, its bootstrap images pulled from the hub
     * registry's cache of mcr.microsoft.com (hub.registry), so the firewall allows none of AKS's
     * own endpoints for this spoke, only what its workloads declare. @default false
     */
    networkIsolated: z.boolean().default(DEFAULTS.cluster.networkIsolated),
    /** Encryption at host for the node disks; the subscription must have the EncryptionAtHost feature registered. @default false */
    hostEncryption: z.boolean().default(false),
    systemPool: systemPool.prefault({}),
    /** @default - none */
    userPools: z.array(userPool).default([]),
  })
  .strict()
  .transform((c) => {
    if (c.dnsServiceIp !== undefined) return { ...c, dnsServiceIp: c.dnsServiceIp };
    // Derived only when the range can hold it; the address plan reports a range too small.
    const service = parseCidr(c.serviceCidr);
    const fits = service.ok && service.value.prefix <= MAX_SERVICE_CIDR_PREFIX;
    return { ...c, dnsServiceIp: fits ? nthAddress(service.value, DEFAULTS.dnsServiceIpOffset) : "" };
  });

const egress = z
  .object({
    /** Extra destinations for this spoke, allowed over HTTPS 443 from its subnets. @default - none */
    fqdns: z.array(fqdn).default([]),
    /**
     * Destinations of fqdns whose HTTPS the firewall decrypts and inspects
     * (hub.firewall.tlsInspection); the pods that call them must trust the CA. @default - none
     */
    tlsInspection: z.array(fqdn).default([]),
    /** Ubuntu package mirrors over HTTP 80. @default false: node images are patched by AKS */
    ubuntuUpdates: z.boolean().default(false),
    /** Docker Hub over HTTPS 443. @default false: prefer mcr.microsoft.com or your own registry */
    dockerHub: z.boolean().default(false),
    /** Azure Monitor endpoints for Container Insights. @default true: the cluster ships its logs there */
    containerInsights: z.boolean().default(DEFAULTS.cluster.containerInsights),
    /** Priority of this spoke's firewall rule collection group, 1000-64999 (lower ones are the hub's). @default - 1000 + 100 × the spoke's position */
    priority: z.number().int().min(1000, "must be 1000 or more: lower priorities belong to the hub's own rule collection groups").max(64999, "must be at most 64999").optional(),
  })
  .strict();

/** A Kubernetes object name that is also a DNS label: 1-40 lowercase letters, digits, hyphens. */
const KUBE_NAME = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** A CPU quantity (`250m`, `1`) or a memory quantity (`256Mi`, `1Gi`). */
const cpuQuantity = z.string().regex(/^(?:\d+m|\d+(?:\.\d+)?)$/, 'must be a CPU quantity such as "250m" or "1"');
const memoryQuantity = z.string().regex(/^\d+(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a memory quantity such as "256Mi" or "1Gi"');
const port = z.number().int().min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");

const app = z
  .object({
    /** The app's name: its namespace, Deployment and Service. A DNS label of 1-40 characters. */
    name: z.string().regex(KUBE_NAME, "must be 1-40 lowercase letters, digits or hyphens, starting with a letter (a DNS label and a Kubernetes name)"),
    /** Container image with a tag other than latest, or a digest: `mcr.microsoft.com/dotnet/samples:aspnetapp`. */
    image: z.string().min(1).max(512),
    /** The internal load balancer's port. */
    port,
    /** The port the container listens on. @default - port */
    containerPort: port.optional(),
    /** The load balancer's static private address: in the spoke's ingress subnet. */
    ip: z.string(),
    /** An A record `<record>.<zone>` for `ip`, in one of hub.dns.zones. @default - no DNS name */
    dns: z
      .object({
        zone: z.string(),
        record: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be a DNS label: 1-63 lowercase letters, digits or hyphens"),
      })
      .strict()
      .optional(),
    /** @default 2 */
    replicas: z.number().int().min(1, "must be 1 or more").max(100, "must be at most 100").default(DEFAULTS.app.replicas),
    /** Requests and limits of the container. @default - requests 100m CPU / 128Mi, limits 500m CPU / 256Mi */
    resources: z
      .object({
        requests: z.object({ cpu: cpuQuantity.default(DEFAULTS.app.requests.cpu), memory: memoryQuantity.default(DEFAULTS.app.requests.memory) }).strict().prefault({}),
        limits: z.object({ cpu: cpuQuantity.default(DEFAULTS.app.limits.cpu), memory: memoryQuantity.default(DEFAULTS.app.limits.memory) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    /** HTTP path the readiness and liveness probes GET. @default - a TCP check of containerPort */
    healthPath: z.string().regex(/^\/[\x21-\x7e]*$/, "must be an HTTP path starting with /").optional(),
    /** Folders the container may write to (empty volumes); the root filesystem is read-only. @default ["/tmp"] */
    writablePaths: z.array(z.string().regex(/^\/[A-Za-z0-9._/-]*$/, "must be an absolute path")).default([...DEFAULTS.app.writablePaths]),
    /**
     * Key Vault secrets (by name, in hub.keyVault) the app reads as files under /mnt/secrets:
     * the app gets its own identity, federated with its service account, allowed to read
     * secrets. @default - none
     */
    secrets: z.array(z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "must be a Key Vault secret name: 1-127 letters, digits and hyphens")).default([]),
    /** Environment variables of the container. Never secrets: they land in the plan and the manifests. @default - none */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string().max(4096)).default({}),
  })
  .strict();

/**
 * Runtime policy: the Azure Policy assignments that enforce the guardrails after deploy
 * (lib/domain/runtime-policies.ts). `deny` refuses a request that breaks one, `audit` reports it,
 * `off` assigns nothing and needs a reason.
 */
const runtimeEffect = z.enum(["deny", "audit", "off"], { message: "must be deny, audit or off" });
const justification = z
  .string()
  .max(512, "must be at most 512 characters (an Azure policy exemption's description)")
  .refine((r) => r.trim().length >= MIN_REASON_LENGTH, `must say why (at least ${MIN_REASON_LENGTH} characters), as a synth acknowledgement does`);
const exemption = z
  .object({
    /** The guardrail whose runtime policies this scope is exempt from, e.g. `NET-001`. */
    guardrail: z.string(),
    /** Why: it becomes the exemption's description, read by auditors in Azure. */
    reason: justification,
    /**
     * When the exemption lapses: a date (`2027-03-31`, midnight UTC) or an RFC 3339 time in UTC
     * (`2027-03-31T12:00:00Z`). Written as RFC 3339: azurerm parses expires_on so at apply
     * (time.RFC3339, resource_group_policy_exemption_resource.go, v4.55.0). @default - never
     */
    expiresOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/, "must be a date such as 2027-03-31, or a UTC time such as 2027-03-31T12:00:00Z")
      // Only a value of the right shape is a date to check (its shape's own line says the rest).
      .refine((d) => !/^\d{4}-\d{2}-\d{2}/.test(d) || (!Number.isNaN(Date.parse(d)) && new Date(Date.parse(d)).toISOString().slice(0, 10) === d.slice(0, 10)), "must be a real date")
      .transform((d) => (d.length === 10 ? `${d}T00:00:00Z` : d))
      .optional(),
  })
  .strict();
const policyFields = {
  /** Why runtime policy is off; required with effect: off. */
  reason: justification.optional(),
  /** Guardrails exempted from their runtime policies, each with a reason (Azure policy exemptions, category Waiver). @default - none */
  exemptions: z.array(exemption).default([]),
};
/** @default { effect: deny } */
const environmentPolicy = z.object({ effect: runtimeEffect.default(DEFAULTS.runtimePolicy.effect), ...policyFields }).strict();
/** A spoke's own runtime policy; its exemptions add to the environment's. @default - the environment's effect */
const spokePolicy = z.object({ effect: runtimeEffect.optional(), ...policyFields }).strict();

/**
 * A Git repository URL Flux can clone without credentials in it: `https://host/path` or
 * `ssh://[git@]host[:port]/path` (the scp-like `git@host:path` is refused with its ssh://
 * spelling). Plain http is refused (the manifests would travel unauthenticated), and so is a
 * user or token in an https URL (it would land in the Terraform state and the plan):
 * credentials come in as Terraform variables.
 */
const gitUrl = z.string().superRefine((url, ctx) => {
  const parsed = parseGitUrl(url);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});
/** A branch name git accepts (git check-ref-format --branch) and Flux can follow. */
const branchName = z.string().superRefine((b, ctx) => {
  const problem = branchProblem(b);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
/** A folder inside the repository, relative to its root: Flux's kustomization path. */
const repositoryPath = z
  .string()
  .regex(/^(?!\.{1,2}(\/|$))(?!.*\/\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "must be a folder relative to the repository's root, such as gitops/demo-aks1: letters, digits, '.', '_', '-' and '/', no leading or trailing '/', no '.' or '..' segments");
/** A Flux interval: whole seconds, minutes or hours, e.g. 90s, 5m, 1h. */
const fluxInterval = z.string().superRefine((d, ctx) => {
  // One line: the shape's, or (a value of the right shape) the bounds'.
  const seconds = /^[1-9]\d{0,7}(s|m|h)$/.test(d) ? durationSeconds(d) : undefined;
  if (seconds === undefined) ctx.addIssue({ code: "custom", message: "must be a duration in whole seconds, minutes or hours, such as 90s, 5m or 1h" });
  else if (seconds < DELIVERY_LIMITS.minSyncSeconds || seconds > DELIVERY_LIMITS.maxSyncSeconds) ctx.addIssue({ code: "custom", message: `must be between ${DELIVERY_LIMITS.minSyncSeconds}s and ${DELIVERY_LIMITS.maxSyncSeconds}s (what azurerm accepts)` });
});

/** How a spoke's apps reach its cluster. @default { mode: terraform } */
const delivery = z
  .object({
    /**
     * `terraform`: the `<env>-<spoke>-apps` stack applies them with the kubernetes provider, from
     * where the private API server is reachable. `gitops`: the cluster pulls them itself (the AKS
     * GitOps extension, Flux v2) from `repository`, through the firewall: no line of sight
     * needed, and no `-apps` stack. @default terraform
     */
    mode: z.enum(["terraform", "gitops"], { message: "must be terraform or gitops" }).default(DEFAULTS.delivery.mode),
    /** gitops: the repository Flux reads the rendered manifests from. */
    repository: gitUrl.optional(),
    /** gitops: the branch Flux follows. @default main */
    branch: branchName.default(DEFAULTS.delivery.branch),
    /** gitops: the folder the rendered manifests are committed to (`npx private-aks manifests` writes it). @default gitops/<env>-<spoke> */
    path: repositoryPath.optional(),
    /**
     * gitops: how Flux signs in. `none`: a public repository. `https`: a user (`httpsUser`) and a
     * token, the sensitive Terraform variable `gitops_https_token`. `ssh`: a deploy key, the
     * sensitive variable `gitops_ssh_private_key`, and the host's public keys (`knownHosts`).
     * @default none
     */
    auth: z.enum(["none", "https", "ssh"], { message: "must be none, https or ssh" }).default(DEFAULTS.delivery.auth),
    /** gitops with https: the user name sent with the token (GitHub and Azure DevOps accept any non-empty name with a token). */
    httpsUser: z.string().regex(/^[^\s:@/]{1,256}$/, "must be a user name without spaces, ':', '@' or '/'").optional(),
    /** gitops with ssh: the host's lines in known_hosts format (`github.com ssh-ed25519 AAAA...`): public data, how Flux knows it reached the real host. */
    knownHosts: z.string().min(1).max(16384).optional(),
    /** gitops: how often Flux looks for a new commit and re-applies. @default 5m */
    syncInterval: fluxInterval.default(DEFAULTS.delivery.syncInterval),
  })
  .strict();

const spoke = z
  .object({
    name: nameField("a spoke name"),
    /** The spoke's own subscription (its VNet, cluster and stack). @default - the environment's */
    subscriptionId: guid.optional(),
    addressSpace: z.array(cidr).min(1, "needs at least one CIDR block"),
    subnets: z
      .object({
        /** Node subnet of the cluster; egress is routed to the firewall. */
        nodes: cidr,
        /** Subnet for internal load balancer front ends. @default - none */
        ingress: cidr.optional(),
        /**
         * API Server VNet Integration: the API server's internal load balancer and pods are
         * projected into this subnet (a /28 or larger, delegated to AKS, nothing else in it)
         * instead of a private endpoint in the node subnet. @default - none: a private endpoint
         */
        apiServer: cidr.optional(),
      })
      .strict(),
    egress: egress.prefault({}),
    cluster: cluster.prefault({}),
    /** Apps published through an internal load balancer in the ingress subnet. @default - none */
    apps: z.array(app).default([]),
    delivery: delivery.prefault({}),
    policy: spokePolicy.prefault({}),
  })
  .strict();

/**
 * Global VNet peering between this environment's hub and another environment's hub (another
 * region), declared on one side only. Traffic between the two regions' spokes crosses both
 * firewalls; only the flows listed in `allow` pass them.
 */
const peering = z
  .object({
    /** The other environment's `name`: its file must be synthesized together with this one. */
    environment: nameField("the peer environment's name"),
    /** Flows allowed from one of this environment's spokes to one of the peer's (replies are allowed by the firewalls' state). */
    allow: z
      .array(
        z
          .object({
            /** A spoke of this environment: its address space is the source. */
            from: nameField("a spoke name of this environment"),
            /** A spoke of the peer environment: its address space is the destination. */
            to: nameField("a spoke name of the peer environment"),
            /** TCP destination ports. @default [443] */
            ports: z.array(port).min(1, "needs at least one port").default([...DEFAULTS.peeringPorts]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const environmentSchema = z
  .object({
    name: nameField("the environment name"),
    /** Azure region, its programmatic name: `westeurope` (checked against lib/domain/azure-regions.ts with the other rules). */
    location: z.string().min(1, "must be an Azure region name such as westeurope"),
    /** Subscription of every stack. @default - ARM_SUBSCRIPTION_ID from the deploying shell */
    subscriptionId: guid.optional(),
    /** Entra ID tenant of the clusters' Azure RBAC. @default - the deploying identity's tenant */
    tenantId: guid.optional(),
    tags,
    /** @default { type: local }: state files next to cdktf.json */
    backend: backend.default({ type: "local" }),
    /** Ranges reached over VPN or ExpressRoute; they must be private address space. @default - none */
    onPremises: z.array(cidr).default([]),
    /**
     * Ranges your network routes privately although they are outside RFC 1918 and RFC 6598
     * (public blocks your organisation uses internally). Rules may name them like private
     * ranges; every one shows in review. /8 or smaller. @default - none
     */
    privateRanges: z.array(cidr).default([]),
    hub,
    spokes: z.array(spoke).min(1, "needs at least one spoke"),
    /** Global peerings with other environments' hubs (synthesized together). @default - none */
    peerings: z.array(peering).default([]),
    policy: environmentPolicy.prefault({}),
  })
  .strict();

/** A validated environment, with every default filled in. */
export type Environment = z.infer<typeof environmentSchema>;
/**
 * A validated environment whose every string is a Terraform literal (see core/template.ts):
 * what the stacks take, so that no value from an environment file reaches Terraform as an
 * expression. Made by `buildEnvironment`, once, where the values enter the construct tree.
 */
export type LiteralEnvironment = TerraformLiteral<Environment>;
export type HubConfig = Environment["hub"];
export type SpokeConfig = Environment["spokes"][number];

/** Where a GitOps spoke's Flux connects for its repository; undefined unless delivery.mode is gitops with a usable repository. */
export function gitopsEndpoint(spoke: Pick<SpokeConfig, "delivery">): GitEndpoint | undefined {
  if (spoke.delivery.mode !== "gitops" || spoke.delivery.repository === undefined) return undefined;
  const parsed = parseGitUrl(spoke.delivery.repository);
  return typeof parsed === "string" ? undefined : parsed;
}
/** The features of a spoke that decide its egress groups (domain/aks-egress-catalog.ts's selectEgress). */
export function egressFeatures(env: Environment, spoke: SpokeConfig): { gitops?: GitEndpoint; isolated: boolean; defender: boolean; workloadIdentity: boolean; inspectTls: boolean } {
  return {
    gitops: gitopsEndpoint(spoke),
    isolated: spoke.cluster.networkIsolated,
    defender: spoke.cluster.defender,
    workloadIdentity: spoke.apps.some((a) => a.secrets.length > 0),
    inspectTls: tlsInspectionOn(env),
  };
}

/** The firewall decrypts TLS: inspection is configured on a hub built here and its CA has been imported. */
export function tlsInspectionOn(env: Environment): boolean {
  const tls = env.hub.firewall.tlsInspection;
  return tls !== undefined && tls.certificateImported && env.hub.existing === undefined;
}
export type ClusterConfig = SpokeConfig["cluster"];
export type NodePoolConfig = ClusterConfig["userPools"][number];
export type AppConfig = SpokeConfig["apps"][number];
export type FirewallConfig = HubConfig["firewall"];
export type BackendConfig = Environment["backend"];
export type PeeringConfig = Environment["peerings"][number];
export type PolicyConfig = Environment["policy"];
export type ExemptionConfig = PolicyConfig["exemptions"][number];
export type HubSubnetRole = keyof HubConfig["subnets"];
export type SpokeSubnetRole = keyof SpokeConfig["subnets"];
export type ExistingHubConfig = NonNullable<HubConfig["existing"]>;

/** A validated environment whose hub is built here: no `existing`, and its firewall subnet (the rules require it). */
export type BuiltHubEnvironment = LiteralEnvironment & { readonly hub: HubConfig & { readonly existing?: undefined; readonly subnets: HubConfig["subnets"] & { readonly firewall: string } } };

/** A validated environment that attaches to an existing hub. */
export type AttachedHubEnvironment = LiteralEnvironment & { readonly hub: HubConfig & { readonly existing: ExistingHubConfig } };

/** Which hub an environment has, as a type: the one check the stacks rely on, made once. */
export function hubKind(env: LiteralEnvironment): { kind: "existing"; env: AttachedHubEnvironment } | { kind: "built"; env: BuiltHubEnvironment } {
  if (env.hub.existing) return { kind: "existing", env: env as AttachedHubEnvironment };
  if (env.hub.subnets.firewall === undefined) throw new Error(`environment ${env.name}: a hub built here needs hub.subnets.firewall (the rules require it)`);
  return { kind: "built", env: env as BuiltHubEnvironment };
}
