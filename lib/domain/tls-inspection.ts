/**
 * What Azure Firewall Premium requires for TLS inspection, as data.
 *
 * Read on 2026-12-07 in Microsoft Learn, "Azure Firewall Premium certificates"
 * (MicrosoftDocs/azure-docs articles/firewall/premium-certificates.md, the stored version of
 * ms.date 2022-12-11), "Azure Firewall Premium features" (premium-features.md, 2023-06-14) and
 * "Azure Firewall known issues" (firewall-known-issues.md, 2023-10-02); AKS's custom CA trust in
 * MicrosoftDocs/azure-aks-docs articles/aks/custom-certificate-authority.md (2025-03-07); and in
 * hashicorp/terraform-provider-azurerm v4.55.0 (firewall_policy_resource.go: identity and
 * tls_certificate; firewall_policy_rule_collection_group_resource.go: terminate_tls;
 * kubernetes_cluster_resource.go: custom_ca_trust_certificates_base64, at most 10).
 */
export const TLS_INSPECTION = {
  source: "Microsoft Learn, Azure Firewall Premium certificates (premium-certificates.md) and features (premium-features.md); read 2026-12-07",
  /** The intermediate CA the firewall signs its certificates with: what Microsoft lists for it. */
  ca: {
    /** "RSA private key with minimal size of 4096 bytes" (the doc's words; it means bits). */
    minRsaBits: 4096,
    /** Path length of the basic constraints: at least 1. */
    minPathLength: 1,
    /** "Valid for one year forward." */
    minRemainingDays: 365,
  },
  /**
   * The vault's authorization: "Azure role-based access control (Azure RBAC) is not currently
   * supported for authorization. Use the access policy model instead."
   */
  vaultModel: "access policies",
  /** Why the CA's vault breaks KV-001 (Azure RBAC): the acknowledgement's and the runtime exemption's reason. */
  vaultModelReason:
    "Azure Firewall Premium reads its TLS inspection CA only through Key Vault access policies (Microsoft: Azure RBAC is not supported for it); this vault holds that CA alone, public access off, purge protection on",
  /** The runtime policy of KV-001 that the vault's resource group is exempted from: the RBAC model alone. */
  vaultRuntimeExemption: { guardrail: "KV-001", policies: ["vault-rbac"] },
  /** What the firewall policy's identity may do in the vault: read the certificate and its secret. */
  firewallPermissions: { secret: ["Get", "List"], certificate: ["Get", "List"] },
  /** What the PKI team's principals may do: import a certificate (and read it back), nothing on secrets. */
  importerPermissions: { certificate: ["Get", "List", "Import"] },
  /** The most CA certificates AKS adds to a node's trust store (custom CA trust). */
  maxNodeTrustCertificates: 10,
  /**
   * Destinations the firewall never decrypts: whatever a client authenticates with its own
   * certificate (mTLS) or pins (Microsoft's endpoints AKS and its add-ons use), and Git
   * repositories Flux reads (its own trust store). The known issues add: no client
   * certificate authentication through inspection, QUIC/HTTP3 not inspected.
   */
  neverInspected: "the AKS egress catalog's destinations and FQDN tags, a GitOps repository's host",
} as const;
