import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { synthesize } from "../../lib/app";
import { checkGuardrails, contextOf } from "../../lib/policy/guardrails";
import { GUARDRAILS } from "../../lib/policy/rules";
import { buildReview } from "../../lib/review/report";
import { explain, parseDestination } from "../../lib/review/explain";
import { TLS_INSPECTION } from "../../lib/domain/tls-inspection";
import { diffModels } from "../../lib/review/diff";
import { Model, readOutput } from "../../lib/output/model";
import { address, ENVIRONMENTS_DIR, environment, idOf, resourceNamed, resources, stacks, synth } from "../helpers";
import { shippedOutput } from "../shipped";

const fullRaw = () => parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "full.yaml"), "utf8"));
const SAMPLE = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "certs", "firewall-intermediate-ca.crt"), "utf8");

/** Every application rule of every rule collection group of a hub. */
const applicationRules = (hub: any) =>
  resources(hub, "azurerm_firewall_policy_rule_collection_group").flatMap((g: any) => (g.application_rule_collection ?? []).flatMap((c: any) => c.rule.map((r: any) => ({ group: g.name, ...r }))));

describe("TLS inspection (full.yaml)", () => {
  const built = stacks(environment(fullRaw()));
  const hub = synth(built.hub).json;
  const vault = resourceNamed(hub, "azurerm_key_vault", "kv-full-afw-tls-01");
  const identity = address(hub, "azurerm_user_assigned_identity", "id-full-afwp");
  const policies = resources(hub, "azurerm_key_vault_access_policy");
  const firewallPolicy = resources(hub, "azurerm_firewall_policy")[0];

  it("keeps the CA in a vault of its own, on the access-policy model Azure Firewall requires, in a resource group outside the hub's", () => {
    expect(vault.rbac_authorization_enabled).toBe(false);
    expect(vault.resource_group_name).toBe(`\${${address(hub, "azurerm_resource_group", "rg-full-hub-tls")}.name}`);
  });

  it("has public network access off with only the trusted-services bypass (Azure Firewall is one), purge protection and 90 days of soft delete", () => {
    expect(vault).toEqual(expect.objectContaining({ public_network_access_enabled: false, network_acls: { default_action: "Deny", bypass: "AzureServices" }, purge_protection_enabled: true, soft_delete_retention_days: 90 }));
  });

  it("lives under the hub's runtime guardrails too, exempted from KV-001's RBAC policy alone, both in place before the vault is created", () => {
    const group = idOf(hub, "azurerm_resource_group", "rg-full-hub-tls");
    const assignments = Object.entries<any>(hub.resource.azurerm_resource_group_policy_assignment).filter(([, a]) => a.resource_group_id === group);
    expect(assignments.map(([, a]) => a.policy_definition_id)).toEqual([resources(hub, "azurerm_resource_group_policy_assignment").find((a: any) => a.resource_group_id === idOf(hub, "azurerm_resource_group", "rg-full-hub")).policy_definition_id]);
    const exemptions = Object.entries<any>(hub.resource.azurerm_resource_group_policy_exemption).filter(([, x]) => x.resource_group_id === group);
    const kv = exemptions.find(([, x]) => x.name === "kv-001-exemption")!;
    expect(kv[1]).toEqual(expect.objectContaining({ policy_definition_reference_ids: ["kv-001-vault-rbac"], description: TLS_INSPECTION.vaultModelReason }));
    expect(vault.depends_on).toEqual(expect.arrayContaining([`azurerm_resource_group_policy_assignment.${assignments[0][0]}`, `azurerm_resource_group_policy_exemption.${kv[0]}`]));
  });

  it("is reached through a private endpoint in the hub, registered in the privatelink vault zone", () => {
    const endpoint = resourceNamed(hub, "azurerm_private_endpoint", "pe-kv-full-afw-tls-01");
    expect(endpoint.private_service_connection).toEqual(expect.objectContaining({ private_connection_resource_id: idOf(hub, "azurerm_key_vault", "kv-full-afw-tls-01"), subresource_names: ["vault"] }));
    expect(endpoint.private_dns_zone_group.private_dns_zone_ids).toEqual([idOf(hub, "azurerm_private_dns_zone", "privatelink.vaultcore.azure.net")]);
  });

  it("grants exactly two things: the firewall policy's identity reads the certificate and its secret; the PKI group imports certificates", () => {
    expect(policies.map((p) => ({ object: p.object_id, secret: p.secret_permissions, certificate: p.certificate_permissions, key: p.key_permissions }))).toEqual([
      { object: `\${${identity}.principal_id}`, secret: ["Get", "List"], certificate: ["Get", "List"], key: undefined },
      { object: "00000000-0000-0000-0000-000000000000", secret: undefined, certificate: ["Get", "List", "Import"], key: undefined },
    ]);
    for (const p of policies) expect(p.key_vault_id).toBe(idOf(hub, "azurerm_key_vault", "kv-full-afw-tls-01"));
  });


  it("gives the firewall policy the identity, and the certificate by its versionless secret, after the identity may read it", () => {
    expect(firewallPolicy.sku).toBe("Premium");
    expect(firewallPolicy.identity).toEqual({ type: "UserAssigned", identity_ids: [`\${${identity}.id}`] });
    expect(firewallPolicy.tls_certificate).toEqual({ name: "firewall-intermediate-ca", key_vault_secret_id: `\${${address(hub, "azurerm_key_vault", "kv-full-afw-tls-01")}.vault_uri}secrets/firewall-intermediate-ca` });
    expect(firewallPolicy.depends_on).toEqual(expect.arrayContaining(Object.keys(hub.resource.azurerm_key_vault_access_policy).map((k) => `azurerm_key_vault_access_policy.${k}`)));
  });

  it("decrypts only the destination the spoke lists for it, never a catalog rule or an FQDN tag", () => {
    const inspected = applicationRules(hub).filter((r: any) => r.terminate_tls === true);
    expect(inspected.map((r: any) => [r.group, r.name, r.destination_fqdns])).toEqual([["rcg-aks1", "spoke-fqdns-inspected", ["api.contoso.com"]]]);
    expect(applicationRules(hub).filter((r: any) => r.destination_fqdn_tags).every((r: any) => r.terminate_tls === undefined)).toBe(true);
  });

  it("makes the nodes of the spoke that inspects trust the CA (AKS custom CA trust), and no other spoke's", () => {
    const [aks1, aks2, aks3] = built.spokes.map((s) => resources(synth(s).json, "azurerm_kubernetes_cluster")[0]);
    expect(aks1.custom_ca_trust_certificates_base64.map((b: string) => Buffer.from(b, "base64").toString())).toEqual([SAMPLE.trim() + "\n"]);
    expect([aks2.custom_ca_trust_certificates_base64, aks3.custom_ca_trust_certificates_base64]).toEqual([undefined, undefined]);
  });
});

describe("an inspected destination under a wildcard of the spoke's", () => {
  it("is matched by the decrypting rule first, so the wildcard cannot let it through undecrypted", () => {
    const raw = fullRaw();
    raw.spokes[0].egress.fqdns = ["*.contoso.com"];
    raw.spokes[0].egress.tlsInspection = ["api.contoso.com"];
    const rules = applicationRules(synth(stacks(environment(raw)).hub).json).filter((r: any) => r.group === "rcg-aks1");
    expect(rules.map((r: any) => [r.name, r.destination_fqdns ?? r.destination_fqdn_tags, r.terminate_tls ?? false]).slice(0, 1)).toEqual([["spoke-fqdns-inspected", ["api.contoso.com"], true]]);
    expect(rules.find((r: any) => r.name === "spoke-fqdns").destination_fqdns).toEqual(["*.contoso.com"]);
  });
});

describe("TLS inspection before the CA is imported", () => {
  const raw = fullRaw();
  raw.hub.firewall.tlsInspection.certificateImported = false;
  const hub = synth(stacks(environment(raw)).hub).json;
  const firewallPolicy = resources(hub, "azurerm_firewall_policy")[0];

  it("builds the vault, the identity and its access, but the policy names no certificate and no rule decrypts", () => {
    expect(resourceNamed(hub, "azurerm_key_vault", "kv-full-afw-tls-01")).toBeDefined();
    expect(firewallPolicy.identity.type).toBe("UserAssigned");
    expect(firewallPolicy.tls_certificate).toBeUndefined();
    expect(applicationRules(hub).filter((r: any) => r.terminate_tls)).toEqual([]);
    // The destination is still allowed, by name.
    expect(applicationRules(hub).find((r: any) => r.name === "spoke-fqdns" && r.group === "rcg-aks1").destination_fqdns).toEqual(["api.contoso.com"]);
  });
});

describe("TLS inspection in the guardrails and the reviewers' tools", () => {
  const full = new Model(readOutput(shippedOutput(["full"]).outdir));

  it("acknowledges KV-001 on this vault alone, with Microsoft's reason; the apps' vault keeps Azure RBAC and passes", () => {
    const report = checkGuardrails(full, GUARDRAILS, contextOf(full));
    expect(report.violations).toEqual([]);
    expect(report.exceptions.filter((f) => f.rule.id === "KV-001").map((f) => [f.path, f.acknowledged])).toEqual([
      ["full-hub/tls-inspection/vault", expect.stringContaining("reads its TLS inspection CA only through Key Vault access policies (Microsoft: Azure RBAC is not supported for it)")],
    ]);
  });

  it("explain says the firewall decrypts the flow, and only that one", () => {
    const flow = (to: string) => explain(full, { from: "aks1", ...parseDestination(to) });
    expect(flow("api.contoso.com:443/https")).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns-inspected" }));
    expect(flow("api.contoso.com:443/https").path).toContain("the firewall decrypts and inspects it (TLS inspection): the client must trust the firewall's CA");
    expect(flow("mcr.microsoft.com:443/https").path.join("\n")).not.toContain("decrypts");
  });

  it("review marks the rule that decrypts", () => {
    expect(buildReview(full).markdown).toContain("| rcg-aks1 / rcg-aks1-application / spoke-fqdns-inspected (TLS inspected) | Allow | application | Https:443 | api.contoso.com |");
  });

  /** full.yaml before the CA's import, synthesized as a user would. */
  const waiting = (() => {
    const raw = fullRaw();
    raw.hub.firewall.tlsInspection.certificateImported = false;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-diff-"));
    raw.hub.jumpbox.sshPublicKey = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), "utf8").trim();
    raw.hub.firewall.tlsInspection.caCertificate = SAMPLE;
    const file = path.join(dir, "full.yaml");
    fs.writeFileSync(file, stringify(raw));
    const quiet = { write: () => true };
    if (synthesize({ outdir: path.join(dir, "cdktf.out"), file, stderr: quiet, stdout: quiet }) !== 0) throw new Error("synth of full before the import failed");
    return new Model(readOutput(path.join(dir, "cdktf.out")));
  })();

  it("review says whether the firewall decrypts with its CA, or waits for it", () => {
    expect(buildReview(full).markdown).toContain("### afw-full-hub (10.0.0.4, DNS proxy on, TLS inspection with firewall-intermediate-ca)");
    expect(buildReview(waiting).markdown).toContain("### afw-full-hub (10.0.0.4, DNS proxy on, TLS inspection waiting for its CA: no rule decrypts yet)");
  });

  it("diff names a destination whose inspection is turned on", () => {
    const d = diffModels(waiting, full);
    expect(d.egress).toEqual(expect.arrayContaining([
      { rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns-inspected", change: "added", detail: "Allow application Https:443 to api.contoso.com from 10.0.6.0/23 (TLS inspected)" },
      { rule: "rcg-aks1/rcg-aks1-application/spoke-fqdns", change: "removed", detail: "Allow application Https:443 to api.contoso.com from 10.0.6.0/23" },
    ]));
  });
});
