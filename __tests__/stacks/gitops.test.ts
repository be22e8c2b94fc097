/**
 * GitOps delivery: full.yaml's aks2, read from its synthesized output and judged by the rules
 * the azurerm provider (v4.55.0) applies to what we write; its egress; the rendered folder and
 * its copy in a repository; review and diff. (URLs and branches: domain/gitops.test.ts; bad
 * input: config/delivery.test.ts.)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { syncGitOpsFolders } from "../../lib/output/gitops-folders";
import { GITOPS } from "../../lib/domain/gitops";
import { Model, readOutput } from "../../lib/output/model";
import { buildReview } from "../../lib/review/report";
import { diffModels, diffText } from "../../lib/review/diff";
import { explain, parseDestination } from "../../lib/review/explain";
import { checkGuardrails, contextOf } from "../../lib/policy/guardrails";
import { GUARDRAILS } from "../../lib/policy/rules";
import { cli } from "../helpers";
import { shippedOutput } from "../shipped";

const full = shippedOutput(["full"]);
const aks2 = full.stack("full-aks2");
const one = (json: any, type: string) => Object.values(json.resource?.[type] ?? {}) as any[];

// azurerm v4.55.0, internal/services/containers: kubernetes_flux_configuration_resource.go and
// kubernetes_cluster_extension_resource.go (read 2026-12-07).
const AZURERM = {
  configurationName: /^[a-z\d]([-a-z\d]{0,28}[a-z\d])?$/,
  namespace: /^[a-z\d]([-a-z\d]{0,61}[a-z\d])?$/,
  extensionName: /^[a-zA-Z0-9][a-zA-Z0-9-.]{0,252}$/,
  gitUrl: /^(http:\/\/|https:\/\/|git@|ssh:\/\/)/,
  referenceTypes: ["branch", "commit", "semver", "tag"],
  scopes: ["cluster", "namespace"],
  interval: [1, 35791394],
};

describe("a GitOps spoke's output (full.yaml's aks2)", () => {
  const [extension] = one(aks2, "azurerm_kubernetes_cluster_extension");
  const [configuration] = one(aks2, "azurerm_kubernetes_flux_configuration");

  it("installs the Flux extension on the cluster, on the Stable train with minor versions upgraded (no version pinned)", () => {
    expect(extension).toEqual(expect.objectContaining({ extension_type: "microsoft.flux", release_train: "Stable", release_namespace: "flux-system", cluster_id: "${azurerm_kubernetes_cluster.cluster_A4C38409.id}" }));
    expect(extension.name).toMatch(AZURERM.extensionName);
    expect(extension.version).toBeUndefined();
  });

  it("configures Flux as azurerm accepts it: names, namespace, scope, URL, reference and intervals", () => {
    expect(configuration.name).toMatch(AZURERM.configurationName);
    expect(configuration.namespace).toMatch(AZURERM.namespace);
    expect(AZURERM.scopes).toContain(configuration.scope);
    expect(configuration.git_repository.url).toMatch(AZURERM.gitUrl);
    expect(AZURERM.referenceTypes).toContain(configuration.git_repository.reference_type);
    for (const k of configuration.kustomizations) {
      expect(k.name).toMatch(AZURERM.configurationName);
      expect(k.path).not.toBe("");
      expect(k.sync_interval_in_seconds).toBeGreaterThanOrEqual(AZURERM.interval[0]);
      expect(k.sync_interval_in_seconds).toBeLessThanOrEqual(AZURERM.interval[1]);
    }
  });

  it("follows the file's branch and applies its folder, at its interval, pruning what leaves the folder, with cluster scope (azurerm's default is namespace)", () => {
    expect(configuration.git_repository).toEqual(expect.objectContaining({ url: "https://github.com/contoso/platform.git", reference_type: "branch", reference_value: "main", sync_interval_in_seconds: 120 }));
    expect(configuration.kustomizations).toEqual([expect.objectContaining({ path: "./gitops/full-aks2", sync_interval_in_seconds: 120, garbage_collection_enabled: true })]);
    expect(configuration.scope).toBe("cluster");
  });

  it("waits for the extension (azurerm does not order them)", () => {
    expect(configuration.depends_on).toEqual(["azurerm_kubernetes_cluster_extension.gitops_extension_4F65F887"]);
  });

  it("takes the token from a sensitive Terraform variable: no secret in the file or the output", () => {
    expect(configuration.git_repository.https_key_base64).toBe("${base64encode(var.gitops_https_token)}");
    expect(aks2.variable.gitops_https_token).toEqual(expect.objectContaining({ type: "string", sensitive: true, nullable: false }));
    expect(configuration.git_repository.https_user).toBe("git");
  });

  it("registers Microsoft.KubernetesConfiguration, which azurerm's default set of resource providers lacks", () => {
    expect(aks2.provider.azurerm[0].resource_providers_to_register).toEqual(["Microsoft.KubernetesConfiguration"]);
    expect(full.stack("full-aks1").provider.azurerm[0].resource_providers_to_register).toBeUndefined();
  });

  it("has no -apps stack: nothing needs a line of sight to the private API server", () => {
    expect(full.stacks).not.toContain("full-aks2-apps");
    expect(full.stacks).toContain("full-aks1-apps");
  });

  it("leaves flux-system out of pod security on the GitOps cluster only (Microsoft: no policy may restrict it)", () => {
    const excluded = (json: any) => JSON.parse(one(json, "azurerm_resource_policy_assignment").find((a) => a.name.startsWith("pod-security")).parameters).excludedNamespaces.value;
    expect(excluded(aks2)).toContain("flux-system");
    expect(excluded(full.stack("full-aks1"))).not.toContain("flux-system");
  });
});

describe("the egress a GitOps spoke gets", () => {
  const rules = Object.values(full.stack("full-hub").resource.azurerm_firewall_policy_rule_collection_group as Record<string, any>)
    .filter((g) => g.name.includes("aks2"))
    .flatMap((g) => [...(g.application_rule_collection ?? []), ...(g.network_rule_collection ?? [])].flatMap((c: any) => c.rule));
  const rule = (name: string) => rules.find((r) => r.name === name);

  it("allows the cluster extensions service of its region and the agents' metrics, HTTPS only", () => {
    expect(rule("aks-cluster-extensions")).toEqual(expect.objectContaining({ destination_fqdns: ["westeurope.dp.kubernetesconfiguration.azure.com", "*.ingestion.msftcloudes.com", "*.microsoftmetrics.com"], protocols: [{ port: 443, type: "Https" }] }));
  });

  it("allows the repository's host on its port, and nothing broader", () => {
    expect(rule("gitops-repository")).toEqual(expect.objectContaining({ destination_fqdns: ["github.com"], protocols: [{ port: 443, type: "Https" }] }));
  });

  it("is what explain answers: the repository and the extensions service from aks2's nodes, neither from aks1's", () => {
    const model = new Model(readOutput(full.outdir));
    expect(explain(model, { from: "aks2", ...parseDestination("github.com:443/https") })).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-aks2/rcg-aks2-application/gitops-repository" }));
    expect(explain(model, { from: "aks2", ...parseDestination("westeurope.dp.kubernetesconfiguration.azure.com:443/https") })).toEqual(expect.objectContaining({ verdict: "allow", rule: "rcg-aks2/rcg-aks2-application/aks-cluster-extensions" }));
    expect(explain(model, { from: "aks1", ...parseDestination("github.com:443/https") }).verdict).toBe("deny");
  });

  it("gives no other spoke either", () => {
    const others = Object.values(full.stack("full-hub").resource.azurerm_firewall_policy_rule_collection_group as Record<string, any>).filter((g) => !g.name.includes("aks2"));
    expect(JSON.stringify(others)).not.toMatch(/kubernetesconfiguration|gitops-repository/);
  });
});

describe("the rendered folder and the repository", () => {
  it("holds the apps and a kustomization.yaml that lists them, for Flux's kustomize-controller", () => {
    const dir = path.join(full.outdir, "manifests", "full-aks2");
    expect(fs.readdirSync(dir).sort()).toEqual(["kustomization.yaml", "orders.yaml"]);
    expect(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8")).toBe(`${GITOPS.renderedMarker}\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - orders.yaml\n`);
    expect(fs.readFileSync(path.join(dir, "orders.yaml"), "utf8")).toMatch(/kind: Service[\s\S]*azure-load-balancer-internal: "true"/);
  });

  it("private-aks manifests writes the folder where Flux reads it; --check passes then, and fails on a stale, missing or extra file", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-repo-"));
    const check = () => cli("manifests", "--out", full.outdir, "--repo", repo, "--check");
    expect((await check()).code).toBe(1);
    const wrote = await cli("manifests", "--out", full.outdir, "--repo", repo);
    expect(wrote.code).toBe(0);
    expect(fs.readdirSync(path.join(repo, "gitops", "full-aks2")).sort()).toEqual(["kustomization.yaml", "orders.yaml"]);
    expect(await check()).toEqual({ code: 0, stdout: "the committed GitOps manifests are current\n", stderr: "" });

    fs.appendFileSync(path.join(repo, "gitops", "full-aks2", "orders.yaml"), "# edited by hand\n");
    fs.writeFileSync(path.join(repo, "gitops", "full-aks2", "old-app.yaml"), `${GITOPS.renderedMarker}\nkind: ConfigMap\n`);
    fs.writeFileSync(path.join(repo, "gitops", "full-aks2", "team-config.yaml"), "kind: ConfigMap\n");
    fs.writeFileSync(path.join(repo, "gitops", "full-aks2", "README.md"), "not ours\n");
    const stale = await check();
    expect(stale.code).toBe(1);
    expect(stale.stderr.split("\n").filter(Boolean)).toEqual([
      `${path.join(repo, "gitops/full-aks2/orders.yaml")}: stale`,
      `${path.join(repo, "gitops/full-aks2/old-app.yaml")}: not rendered any more`,
      `the committed GitOps manifests differ from ${full.outdir}: run npx private-aks manifests --out ${full.outdir} --repo ${repo} and commit the result`,
    ]);
    expect(syncGitOpsFolders(full.outdir, repo, true).map((c) => c.change)).toEqual(["changed", "removed"]);
    // What no render wrote stays: the README, the team's own YAML.
    expect(fs.readdirSync(path.join(repo, "gitops", "full-aks2")).sort()).toEqual(["README.md", "kustomization.yaml", "orders.yaml", "team-config.yaml"]);
    expect((await check()).code).toBe(0);
  });

  it("says so when the output has no GitOps spoke, and refuses a --repo that does not exist", async () => {
    expect(await cli("manifests", "--out", shippedOutput(["default"]).outdir, "--check")).toEqual({ code: 0, stderr: "", stdout: `${shippedOutput(["default"]).outdir} has no GitOps spoke (spokes[].delivery.mode: gitops): nothing to write\n` });
    const missing = await cli("manifests", "--out", full.outdir, "--repo", path.join(os.tmpdir(), "no-such-repo"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-repo: no such folder/);
  });

  it("never overwrites a file it did not render (delivery.path pointed at a folder of the team's), and says so", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-repo-"));
    fs.mkdirSync(path.join(repo, "gitops", "full-aks2"), { recursive: true });
    fs.writeFileSync(path.join(repo, "gitops", "full-aks2", "orders.yaml"), "the team's own file\n");
    const r = await cli("manifests", "--out", full.outdir, "--repo", repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${path.join(repo, "gitops/full-aks2/orders.yaml")}: exists and was not rendered by private-aks: left as it is; move it, or choose another delivery.path\n`);
    expect(fs.readFileSync(path.join(repo, "gitops", "full-aks2", "orders.yaml"), "utf8")).toBe("the team's own file\n");
  });
});

describe("the guardrails judge the rendered folder, as they judge an apps stack", () => {
  it("a NodePort or public LoadBalancer Service slipped into it stops synth's checks, naming the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-guard-"));
    fs.cpSync(full.outdir, dir, { recursive: true });
    const file = path.join(dir, "manifests", "full-aks2", "orders.yaml");
    fs.appendFileSync(file, "---\napiVersion: v1\nkind: Service\nmetadata: { name: debug, namespace: orders }\nspec: { type: NodePort, ports: [{ port: 80 }] }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: public, namespace: orders }\nspec: { type: LoadBalancer, ports: [{ port: 80 }] }\n");
    const model = new Model(readOutput(dir));
    const failed = checkGuardrails(model, GUARDRAILS, contextOf(model)).violations.map((v) => [v.rule.id, v.path]);
    expect(failed).toEqual(expect.arrayContaining([["K8S-002", expect.stringContaining("manifests/full-aks2/orders.yaml")], ["K8S-001", expect.stringContaining("manifests/full-aks2/orders.yaml")]]));
    const shipped = new Model(readOutput(full.outdir));
    expect(checkGuardrails(shipped, GUARDRAILS, contextOf(shipped)).violations).toEqual([]);
  });
});

describe("review and diff", () => {
  const model = new Model(readOutput(full.outdir));

  it("review shows each spoke's delivery: repository, branch, folder, interval and how Flux signs in", () => {
    const md = buildReview(model).markdown;
    expect(md).toContain("| full-aks2 | GitOps (Flux) | https://github.com/contoso/platform.git | main | gitops/full-aks2 | 2m | https (user git) |");
    expect(md).toContain("| full-aks1-apps | Terraform (kubernetes provider) |");
  });

  it("diff names a delivery added, and a change of its branch and interval", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-diff-"));
    fs.cpSync(full.outdir, dir, { recursive: true });
    const file = path.join(dir, "stacks", "full-aks2", "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    const c = Object.values(json.resource.azurerm_kubernetes_flux_configuration)[0] as any;
    c.git_repository.reference_value = "release";
    c.kustomizations[0].sync_interval_in_seconds = 600;
    fs.writeFileSync(file, JSON.stringify(json));
    const text = diffText(diffModels(model, new Model(readOutput(dir))));
    expect(text).toContain("App delivery (GitOps):\n  ~ full-aks2: branch main => release\n  ~ full-aks2: sync interval 2m => 10m\n");
    const none = new Model(readOutput(shippedOutput(["default"]).outdir));
    expect(diffText(diffModels(none, model))).toContain("  + full-aks2: delivered by GitOps from https://github.com/contoso/platform.git main gitops/full-aks2 every 2m, https (user git)");
  });
});
