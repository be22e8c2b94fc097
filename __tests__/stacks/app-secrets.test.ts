/**
 * An app that reads Key Vault secrets (full.yaml's `api` in aks1): its own identity federated
 * with its service account, "Key Vault Secrets User" on the hub's vault, the service account and
 * SecretProviderClass in the apps stack, the CSI volume in its pods, and the plain manifests'
 * way to the same objects. Expected values come from full.yaml and from Microsoft's
 * documentation of workload identity and the Secrets Store CSI driver's Azure provider.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { synthesize } from "../../lib/app";
import { ENVIRONMENTS_DIR, address, hubExpression, namedEnvironment, resources, stacks, synth } from "../helpers";

const file = path.join(ENVIRONMENTS_DIR, "full.yaml");
const raw = parse(fs.readFileSync(file, "utf8"));
const api = raw.spokes[0].apps.find((a: any) => a.name === "api");
const built = stacks(namedEnvironment("full"));
const hub = synth(built.hub).json;
const spoke = synth(built.spokes[0]).json;
const apps = synth(built.apps[0]).json;

describe("an app that reads Key Vault secrets", () => {
  it("gets its own identity, usable only by its service account on this cluster", () => {
    const [identity] = resources(spoke, "azurerm_user_assigned_identity").filter((i) => i.name.includes("-app-"));
    expect(identity.name).toBe("id-full-aks1-app-api");
    const identityAddress = address(spoke, "azurerm_user_assigned_identity", "id-full-aks1-app-api");
    expect(resources(spoke, "azurerm_federated_identity_credential")).toEqual([
      expect.objectContaining({
        audience: ["api://AzureADTokenExchange"],
        subject: "system:serviceaccount:api:api",
        issuer: `\${${address(spoke, "azurerm_kubernetes_cluster", "aks-full-aks1")}.oidc_issuer_url}`,
        parent_id: `\${${identityAddress}.id}`,
        resource_group_name: identity.resource_group_name,
      }),
    ]);
    // Only apps with secrets get one: hello has none.
    expect(resources(spoke, "azurerm_user_assigned_identity").map((i) => i.name).sort()).toEqual(["id-full-aks1-aks", "id-full-aks1-app-api"]);
  });

  it("may read the secrets it lists, each by a role on that secret alone: not the vault, not another app's", () => {
    const identityAddress = address(spoke, "azurerm_user_assigned_identity", "id-full-aks1-app-api");
    const mine = resources(spoke, "azurerm_role_assignment").filter((r) => r.principal_id === `\${${identityAddress}.principal_id}`);
    expect(mine.map((r) => r.role_definition_name)).toEqual(["Key Vault Secrets User", "Key Vault Secrets User"]);
    for (const r of mine) expect(r.principal_type).toBe("ServicePrincipal");
    const vault = `\${${address(hub, "azurerm_key_vault", raw.hub.keyVault.name)}.id}`;
    // The scope is the vault's id (a cross-stack reference) followed by /secrets/<name>.
    const scopes = mine.map((r) => r.scope.replace(/^(\$\{[^}]+\})/, (ref: string) => hubExpression(hub, ref)));
    expect(scopes.sort()).toEqual([`${vault}/secrets/api-db-password`, `${vault}/secrets/api-signing-key`]);
  });

  it("says, in the hub's output, which secrets to create before the spoke, and how", () => {
    expect(hub.output.key_vault_secrets_to_create.value).toEqual([
      `az keyvault secret set --vault-name ${raw.hub.keyVault.name} --name api-db-password --file <file holding its value>`,
      `az keyvault secret set --vault-name ${raw.hub.keyVault.name} --name api-signing-key --file <file holding its value>`,
    ]);
  });

  it("runs as that service account, annotated with the identity's client id, and mounts the secrets read-only from a SecretProviderClass", () => {
    const [account] = resources(apps, "kubernetes_service_account_v1");
    expect(account.metadata).toMatchObject({ name: "api", namespace: "api" });
    expect(account.automount_service_account_token).toBe(false);
    const clientId = account.metadata.annotations["azure.workload.identity/client-id"];
    expect(hubExpression(spoke, clientId)).toBe(`\${${address(spoke, "azurerm_user_assigned_identity", "id-full-aks1-app-api")}.client_id}`);

    const [spc] = resources(apps, "kubernetes_manifest");
    expect(spc.manifest).toMatchObject({ apiVersion: "secrets-store.csi.x-k8s.io/v1", kind: "SecretProviderClass", metadata: { name: "api", namespace: "api" } });
    const params = spc.manifest.spec.parameters;
    expect(spc.manifest.spec.provider).toBe("azure");
    expect(params).toMatchObject({ usePodIdentity: "false", clientID: clientId, keyvaultName: raw.hub.keyVault.name, tenantId: raw.tenantId });
    expect(parse(params.objects).array.map((o: string) => parse(o))).toEqual(api.secrets.map((name: string) => ({ objectName: name, objectType: "secret" })));

    const deployment = resources(apps, "kubernetes_deployment_v1").find((d) => d.metadata.name === "api");
    const pod = deployment.spec.template;
    expect(pod.metadata.labels["azure.workload.identity/use"]).toBe("true");
    expect(pod.spec.service_account_name).toBe("api");
    expect(pod.spec.automount_service_account_token).toBe(false);
    expect(pod.spec.volume).toContainEqual({ name: "secrets", csi: { driver: "secrets-store.csi.k8s.io", read_only: true, volume_attributes: { secretProviderClass: "api" } } });
    expect(pod.spec.container[0].volume_mount).toContainEqual({ name: "secrets", mount_path: "/mnt/secrets", read_only: true });
    expect(deployment.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_service_account_v1\./), expect.stringMatching(/^kubernetes_manifest\./)]));
    // An app without secrets keeps the default service account and no Azure identity.
    const hello = resources(apps, "kubernetes_deployment_v1").find((d) => d.metadata.name === "hello").spec.template;
    expect(hello.spec.service_account_name).toBeUndefined();
    expect(hello.metadata.labels["azure.workload.identity/use"]).toBeUndefined();
  });

  describe("as plain manifests", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secrets-")), "cdktf.out");
    let stdout = "";
    expect(synthesize({ outdir, file, stderr: { write: () => undefined }, stdout: { write: (t: string) => (stdout += t) } })).toBe(0);

    it("leave the identity objects to the spoke's workload_identities output, and the emergency command writes them first", () => {
      const text = fs.readFileSync(path.join(outdir, "manifests", "full-aks1", "api.yaml"), "utf8");
      expect(text).not.toContain("TfToken");
      const objects = parseAllDocuments(text).map((d) => d.toJS());
      expect(objects.map((o) => o.kind)).toEqual(["Namespace", "NetworkPolicy", "Deployment", "Service"]);
      expect(() => new Deployment(objects[2]).validate()).not.toThrow();
      expect(objects[2].spec.template.spec.serviceAccountName).toBe("api");
      expect(stdout).toContain(
        `cd ${outdir}/manifests/full-aks1 && terraform -chdir=../../stacks/full-aks1 init -input=false > /dev/null && terraform -chdir=../../stacks/full-aks1 output -raw workload_identities > workload-identities.yaml && az aks command invoke --resource-group rg-full-aks1 --name aks-full-aks1 --command "kubectl apply -f ." --file .`,
      );
    });

    it("get from that output a namespace, service account and SecretProviderClass that become valid YAML once Terraform fills in the client id", () => {
      const written = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "full-aks1", "cdk.tf.json"), "utf8")).output.workload_identities.value as string;
      const filled = written.replace(/\$\{azurerm_user_assigned_identity\.[^.}]+\.client_id\}/g, "6f1e2d3c-0000-4000-8000-000000000001");
      expect(filled).not.toContain("${");
      const objects = parseAllDocuments(filled).map((d) => d.toJS());
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Namespace/api", "ServiceAccount/api", "SecretProviderClass/api"]);
      expect(() => new ServiceAccount(objects[1]).validate()).not.toThrow();
      expect(objects[1].metadata.annotations["azure.workload.identity/client-id"]).toBe("6f1e2d3c-0000-4000-8000-000000000001");
      expect(objects[2].spec.parameters.clientID).toBe("6f1e2d3c-0000-4000-8000-000000000001");
    });
  });
});
