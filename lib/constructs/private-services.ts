import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { ContainerRegistryCacheRule } from "@cdktf/provider-azurerm/lib/container-registry-cache-rule";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { KeyVaultAccessPolicyA as KeyVaultAccessPolicy } from "@cdktf/provider-azurerm/lib/key-vault-access-policy";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { dependable, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { NETWORK_ISOLATION } from "../domain/network-isolation";
import { TLS_INSPECTION } from "../domain/tls-inspection";
import { acknowledge } from "../output/acknowledge";

/** Where a private endpoint goes and which zone registers its name. */
export interface PrivateEndpointPlacement {
  /** The private endpoints' subnet. */
  readonly subnetId: string;
  /** The privatelink zone the endpoint's records are written to. */
  readonly zoneId: string;
}

interface CommonProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly endpoint: PrivateEndpointPlacement;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * The public zones on-premises DNS servers forward to the resolver's inbound endpoint for
 * each service's private endpoint: the public zone, never the privatelink one (Microsoft
 * Learn, "Azure Private Endpoint DNS configuration": "Public DNS zone forwarders", and the
 * DNS integration guide's on-premises scenario; read 2026-12-07). azurecr.io also holds the
 * registry's regional data endpoints (`<region>.data.azurecr.io`).
 */
export const ON_PREMISES_FORWARDED_ZONES = {
  registry: ["azurecr.io"],
  keyVault: ["vault.azure.net", "vaultcore.azure.net"],
} as const;

function privateEndpoint(scope: Construct, props: CommonProps, resourceId: string, subresource: string): PrivateEndpoint {
  return new PrivateEndpoint(scope, "private-endpoint", {
    name: `pe-${props.name}`,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    subnetId: props.endpoint.subnetId,
    privateServiceConnection: { name: `psc-${props.name}`, privateConnectionResourceId: resourceId, subresourceNames: [subresource], isManualConnection: false },
    privateDnsZoneGroup: { name: "privatelink", privateDnsZoneIds: [props.endpoint.zoneId] },
    tags: props.tags,
  });
}

/**
 * Azure Container Registry reachable only through its private endpoint: Premium (private
 * endpoints need it), admin user off, anonymous pull off, public network access off, dedicated
 * data endpoints (layers come from `<name>.<region>.data.azurecr.io`, also private), zone
 * redundant. Clusters pull with their kubelet identity (AcrPull).
 */
export interface PrivateRegistryProps extends CommonProps {
  /**
   * Network-isolated clusters bootstrap from this registry: it gets the cache rule AKS
   * requires (`aks-managed-mcr`: `mcr.microsoft.com/*` served as `aks-managed-repository/*`).
   * @default false
   */
  readonly bootstrapCache?: boolean;
}

export class PrivateRegistry extends Construct {
  public readonly registry: ContainerRegistry;
  public readonly endpoint: PrivateEndpoint;
  /** The cache rule network-isolated clusters pull their images through, when bootstrapCache is on. */
  public readonly bootstrapCache?: ContainerRegistryCacheRule;

  constructor(scope: Construct, id: string, props: PrivateRegistryProps) {
    super(scope, id);
    this.registry = new ContainerRegistry(this, "registry", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "Premium",
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: false,
      dataEndpointEnabled: true,
      networkRuleBypassOption: "None",
      zoneRedundancyEnabled: true,
      tags: props.tags,
    });
    this.endpoint = privateEndpoint(this, props, this.registry.id, "registry");
    if (props.bootstrapCache) {
      // Anonymous pull stays off: the rule needs no credential set (mcr.microsoft.com is public), and kubelets pull with AcrPull.
      const rule = NETWORK_ISOLATION.cacheRule;
      this.bootstrapCache = new ContainerRegistryCacheRule(this, "bootstrap-cache", { name: rule.name, containerRegistryId: this.registry.id, sourceRepo: rule.sourceRepo, targetRepo: rule.targetRepo });
    }
  }

  /** The registry's login server, e.g. `acrdemo01.azurecr.io`. */
  public get loginServer(): string {
    return this.registry.loginServer;
  }
}

export interface PrivateKeyVaultProps extends CommonProps {
  /** Entra ID tenant of the vault. */
  readonly tenantId: string;
}

/**
 * Key Vault reachable only through its private endpoint: Azure RBAC for data access (no access
 * policies), purge protection, 90 days of soft delete, public network access off and the
 * network ACL denying everything else.
 */
export class PrivateKeyVault extends Construct {
  public readonly vault: KeyVault;
  public readonly endpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: PrivateKeyVaultProps) {
    super(scope, id);
    this.vault = privateVault(this, props, { rbac: true, bypass: "None" });
    this.endpoint = privateEndpoint(this, props, this.vault.id, "vault");
  }
}

/** A vault with public network access off, purge protection and 90 days of soft delete; its authorization model and network bypass as asked. */
function privateVault(scope: Construct, props: PrivateKeyVaultProps, access: { readonly rbac: boolean; readonly bypass: "None" | "AzureServices" }): KeyVault {
  return new KeyVault(scope, "vault", {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    tenantId: props.tenantId,
    skuName: "standard",
    rbacAuthorizationEnabled: access.rbac,
    purgeProtectionEnabled: true,
    softDeleteRetentionDays: 90,
    publicNetworkAccessEnabled: false,
    networkAcls: { defaultAction: "Deny", bypass: access.bypass },
    tags: props.tags,
  });
}

export interface TlsInspectionVaultProps extends PrivateKeyVaultProps {
  /** Name of the firewall policy's user-assigned identity, which reads the CA. */
  readonly identityName: string;
  /** The certificate's name in the vault, as the PKI team imports it. */
  readonly certificateName: string;
  /** Entra ID principals that may import and rotate the certificate. */
  readonly importerObjectIds: readonly string[];
}

/**
 * The vault of Azure Firewall Premium's intermediate CA: the access-policy model, because the
 * firewall cannot read a vault through Azure RBAC (TLS_INSPECTION.vaultModel); public network
 * access off with the trusted-services bypass (Azure Firewall is a trusted service), purge
 * protection, 90 days of soft delete, and a private endpoint the PKI team imports through.
 * Access policies: the firewall policy's identity may read the certificate and its secret;
 * the importers may import and read certificates, and nothing else. The private key is never
 * in Terraform: the vault waits for the import.
 */
export class TlsInspectionVault extends Construct {
  public readonly vault: KeyVault;
  public readonly endpoint: PrivateEndpoint;
  /** The firewall policy's identity. */
  public readonly identity: UserAssignedIdentity;
  /** The firewall identity's access policy, then the importers'. */
  public readonly accessPolicies: KeyVaultAccessPolicy[] = [];
  private readonly certificateName: string;

  constructor(scope: Construct, id: string, props: TlsInspectionVaultProps) {
    super(scope, id);
    this.certificateName = props.certificateName;
    this.identity = new UserAssignedIdentity(this, "identity", { name: props.identityName, resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags });
    // Access policies (Azure Firewall cannot read through Azure RBAC); the firewall, a trusted service, passes the vault's network rules.
    this.vault = privateVault(this, props, { rbac: false, bypass: "AzureServices" });
    acknowledge(this.vault, { id: TLS_INSPECTION.vaultRuntimeExemption.guardrail, reason: TLS_INSPECTION.vaultModelReason });
    const policy = (key: string, objectId: string, permissions: { secret?: readonly string[]; certificate?: readonly string[] }) =>
      this.accessPolicies.push(
        new KeyVaultAccessPolicy(this, key, {
          keyVaultId: this.vault.id,
          tenantId: props.tenantId,
          objectId,
          secretPermissions: permissions.secret ? [...permissions.secret] : undefined,
          certificatePermissions: permissions.certificate ? [...permissions.certificate] : undefined,
        }),
      );
    policy("firewall-access", this.identity.principalId, TLS_INSPECTION.firewallPermissions);
    props.importerObjectIds.forEach((objectId) => policy(`importer-${objectId}`, objectId, TLS_INSPECTION.importerPermissions));
    this.endpoint = privateEndpoint(this, props, this.vault.id, "vault");
  }

  /** Creates the vault only after these (the runtime policy of its resource group and the exemption that admits its access-policy model). */
  public waitFor(dependables: ITerraformDependable[]): void {
    this.vault.dependsOn = [...(this.vault.dependsOn ?? []), ...dependables.map((d) => dependable(d))];
  }

  /** The certificate's secret, versionless: the firewall follows a rotation (a new version imported) by itself. */
  public get certificateSecretId(): string {
    return `${this.vault.vaultUri}secrets/${this.certificateName}`;
  }
}
