import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

export interface AppIdentityProps {
  /** The identity's name. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuerUrl: string;
  /** `system:serviceaccount:<namespace>:<name>`: the only service account that may use the identity. */
  readonly subject: string;
  /** The key vault whose secrets the app reads. */
  readonly keyVaultId: string;
  /** The secrets it reads, by name: the identity may read these and no other. */
  readonly secrets: readonly string[];
  /** The provider of the vault's subscription, when it is not the stack's. @default - the stack's */
  readonly vaultProvider?: TerraformProvider;
  readonly tags?: Record<string, string>;
}

/** The audience Microsoft Entra Workload ID tokens are issued for. */
export const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";

/**
 * One app's Azure identity, for Microsoft Entra Workload ID: a user-assigned managed identity,
 * a federated credential that lets exactly the app's service account on this cluster use it,
 * and "Key Vault Secrets User" on each secret it lists (read those; nothing else, nowhere
 * else). The vault is shared by every team's apps, which is where Microsoft allows roles on
 * individual secrets (Microsoft Learn, "Provide access to Key Vault keys, certificates, and
 * secrets with Azure role-based access control": "Individual secrets must be shared between
 * multiple applications"; read 2026-12-07). A secret's scope exists only once the secret does,
 * so the secrets are created before the spoke is deployed.
 */
export class AppIdentity extends Construct {
  public readonly identity: UserAssignedIdentity;
  public readonly credential: FederatedIdentityCredential;
  /** One per secret, scoped to that secret (`<vault id>/secrets/<name>`). */
  public readonly secretsUser: RoleAssignment[];

  constructor(scope: Construct, id: string, props: AppIdentityProps) {
    super(scope, id);
    this.identity = new UserAssignedIdentity(this, "identity", { name: props.name, resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags });
    this.credential = new FederatedIdentityCredential(this, "federated-credential", {
      name: "kubernetes-service-account",
      // The credential's id is built from this group and the identity's name: it must be the identity's group.
      resourceGroupName: props.resourceGroupName,
      parentId: this.identity.id,
      issuer: props.oidcIssuerUrl,
      subject: props.subject,
      audience: [WORKLOAD_IDENTITY_AUDIENCE],
    });
    this.secretsUser = props.secrets.map(
      (name) =>
        new RoleAssignment(this, `key-vault-secrets-user-${name}`, {
          scope: secretScope(props.keyVaultId, name),
          roleDefinitionName: "Key Vault Secrets User",
          principalId: this.identity.principalId,
          principalType: "ServicePrincipal",
          provider: props.vaultProvider,
        }),
    );
  }

  public get clientId(): string {
    return this.identity.clientId;
  }
}

/** The ARM scope of one secret of a vault (the secret's versionless resource id). */
export function secretScope(keyVaultId: string, secret: string): string {
  return `${keyVaultId}/secrets/${secret}`;
}
