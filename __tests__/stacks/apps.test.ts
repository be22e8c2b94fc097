/**
 * Workloads on the private cluster: one definition of each app, rendered as kubernetes
 * provider resources (the apps stack) and as plain manifests (for `az aks command invoke`),
 * published only through an internal load balancer at a fixed private address and a private
 * DNS name.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { parseAllDocuments } from "yaml";
import { synthesize } from "../../lib/app";
import { INTERNAL_LB } from "../../lib/apps/kubernetes-objects";
import { DEFAULT_ENVIRONMENT_FILE, displayName } from "../../lib/config/loader";
import { AKS_AAD_SERVER_APP_ID, emergencyApply } from "../../lib/stacks/apps-stack";
import { hubExpression, idOf, namedEnvironment, resources, stacks, synth } from "../helpers";

const built = stacks();
const appsStack = built.apps[0];
const { json } = synth(appsStack);
const spoke = synth(built.spokes[0]).json;
const hub = synth(built.hub).json;

/** The default environment synthesized to disk once, as `npm run synth` does. */
const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apps-")), "cdktf.out");
let stdout = "";
const code = synthesize({ outdir, file: DEFAULT_ENVIRONMENT_FILE, stderr: { write: () => undefined }, stdout: { write: (t: string) => (stdout += t) } });
const manifest = () => parseAllDocuments(fs.readFileSync(path.join(outdir, "manifests", "demo-aks1", "hello.yaml"), "utf8")).map((d) => d.toJS());

describe("the apps stack", () => {
  it("is <env>-<spoke>-apps, depends on the spoke's stack and reads the cluster from it", () => {
    expect(appsStack.node.id).toBe("demo-aks1-apps");
    expect(appsStack.dependencies.map((d) => d.node.id)).toContain("demo-aks1");
    const provider = json.provider.kubernetes[0];
    expect(provider.host).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-demo-aks1\.outputs\.[^}]*kube_config0host\}$/);
    expect(provider.cluster_ca_certificate).toMatch(/^\$\{base64decode\(data\.terraform_remote_state\.cross-stack-reference-input-demo-aks1\.outputs\.[^}]*cluster_ca_certificate\)\}$/);
    const output = /outputs\.([^}]+)\}$/.exec(provider.host)![1];
    expect(spoke.output[output].value).toBe(`\${${Object.keys(spoke.resource.azurerm_kubernetes_cluster).map((k) => `azurerm_kubernetes_cluster.${k}`)[0]}.kube_config[0].host}`);
  });

  it("authenticates with Entra ID through kubelogin: no admin credentials, client certificates or static tokens", () => {
    const provider = json.provider.kubernetes[0];
    expect(provider.exec).toEqual([{ api_version: "client.authentication.k8s.io/v1beta1", command: "kubelogin", args: ["get-token", "--login", "${var.kubelogin_mode}", "--server-id", AKS_AAD_SERVER_APP_ID] }]);
    for (const key of ["token", "client_certificate", "client_key", "username", "password", "config_path", "insecure"]) expect(provider[key]).toBeUndefined();
    expect(JSON.stringify(spoke)).not.toContain("kube_admin_config");
  });

  it("lets pipelines switch the login mode without editing code (kubelogin_mode, azurecli by default)", () => {
    expect(json.variable.kubelogin_mode).toEqual(expect.objectContaining({ type: "string", default: "azurecli" }));
    expect(json.variable.kubelogin_mode.validation[0].condition).toContain("workloadidentity");
  });

  it("creates a namespace that enforces the restricted Pod Security Standard", () => {
    expect(resources(json, "kubernetes_namespace_v1")[0].metadata).toEqual(expect.objectContaining({
      name: "hello",
      labels: expect.objectContaining({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" }),
    }));
  });

  it("runs the container as non-root, without privilege escalation or capabilities, with RuntimeDefault seccomp and a read-only root filesystem", () => {
    const pod = resources(json, "kubernetes_deployment_v1")[0].spec.template.spec;
    expect(pod.security_context).toEqual({ run_as_non_root: true, seccomp_profile: { type: "RuntimeDefault" } });
    expect(pod.automount_service_account_token).toBe(false);
    const container = pod.container[0];
    expect(container.security_context).toEqual({
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container.volume_mount).toEqual([{ name: "writable-0", mount_path: "/tmp" }, { name: "writable-1", mount_path: "/home/app" }]);
    expect(pod.volume).toEqual([{ name: "writable-0", empty_dir: {} }, { name: "writable-1", empty_dir: {} }]);
  });

  it("gives the container its image, port, requests and limits, and readiness and liveness probes", () => {
    const d = resources(json, "kubernetes_deployment_v1")[0];
    expect(d.spec.replicas).toBe("2");
    const c = d.spec.template.spec.container[0];
    expect(c.image).toBe("mcr.microsoft.com/dotnet/samples:aspnetapp");
    expect(c.port).toEqual([{ name: "app", container_port: 8080, protocol: "TCP" }]);
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    expect(c.readiness_probe.http_get).toEqual({ path: "/", port: "8080" });
    expect(c.liveness_probe.http_get).toEqual({ path: "/", port: "8080" });
  });

  it("denies all ingress to the namespace except the app's port", () => {
    expect(resources(json, "kubernetes_network_policy_v1")[0].spec).toEqual({
      pod_selector: {},
      policy_types: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: "8080" }] }],
    });
  });

  it("publishes the app only on an internal load balancer, in the ingress subnet, at its fixed private address", () => {
    const service = resources(json, "kubernetes_service_v1")[0];
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.metadata.annotations).toEqual({ [INTERNAL_LB.internal]: "true", [INTERNAL_LB.subnet]: "snet-ingress", [INTERNAL_LB.ipv4]: "10.0.4.25" });
    expect(service.spec.port).toEqual([{ name: "app", protocol: "TCP", port: 80, target_port: "8080" }]);
  });

  it("names the app hello.corp.internal: an A record in the hub's zone, from the spoke stack", () => {
    const record = resources(spoke, "azurerm_private_dns_a_record")[0];
    expect(record).toEqual(expect.objectContaining({ name: "hello", records: ["10.0.4.25"] }));
    expect(hubExpression(hub, record.zone_name)).toBe(`\${${idOf(hub, "azurerm_private_dns_zone", "corp.internal").replace(/\.id\}$/, ".name}").slice(2, -1)}}`);
  });

  it("lets the cluster identity place load balancers in the ingress subnet (Network Contributor on the VNet that holds it)", () => {
    const grants = resources(spoke, "azurerm_role_assignment").filter((r) => r.role_definition_name === "Network Contributor").map((r) => r.scope);
    expect(grants).toContain(idOf(spoke, "azurerm_virtual_network", "vnet-demo-aks1"));
    const ingress = resources(spoke, "azurerm_subnet").find((s) => s.name === "snet-ingress");
    expect(ingress.virtual_network_name).toBe(`\${${idOf(spoke, "azurerm_virtual_network", "vnet-demo-aks1").slice(2, -4)}.name}`);
  });
});

describe("the plain manifests", () => {
  it("name the output folder as one shell word in the emergency line, and the working directory as .", () => {
    const cluster = { resourceGroupName: "rg-demo-aks1", name: "aks-demo-aks1" };
    expect(emergencyApply(cluster, "manifests/demo-aks1", undefined, "my out")).toBe(`cd 'my out/manifests/demo-aks1' && az aks command invoke --resource-group rg-demo-aks1 --name aks-demo-aks1 --command "kubectl apply -f ." --file .`);
    expect(emergencyApply(cluster, "manifests/demo-aks1", undefined, "it's")).toMatch(/^cd 'it'\\''s\/manifests\/demo-aks1' && /);
    expect(displayName(process.cwd())).toBe(".");
    expect(displayName(path.join(process.cwd(), "cdktf.out"))).toBe("cdktf.out");
  });

  it("name a spoke's own subscription in its emergency lines, where the az CLI's default may be the hub's", () => {
    const own = { resourceGroupName: "rg-hybrid-aks2", name: "aks-hybrid-aks2", subscriptionId: "11111111-1111-1111-1111-111111111111" };
    expect(emergencyApply(own, "manifests/hybrid-aks2")).toContain("az aks command invoke --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-hybrid-aks2 ");
    const hybrid = namedEnvironment("hybrid");
    const spoke = hybrid.spokes.find((s) => s.subscriptionId !== undefined)!;
    const built = stacks(hybrid);
    const json = synth(built.spokes.find((s) => s.node.id.endsWith(`-${spoke.name}`))!).json;
    expect(json.output.emergency_access.value).toContain(`az aks command invoke --subscription ${spoke.subscriptionId} `);
    const other = built.spokes.find((s) => !s.node.id.endsWith(`-${spoke.name}`))!;
    expect(synth(other).json.output.emergency_access.value).not.toContain("--subscription");
  });

  it("are written by synth to cdktf.out/manifests/<env>-<spoke>/, and synth prints how to apply them without network access", () => {
    expect(code).toBe(0);
    expect(fs.readdirSync(path.join(outdir, "manifests", "demo-aks1"))).toEqual(["hello.yaml"]);
    // Printed for where this synth wrote (here a scratch folder); the stack's output names the default folder, the same on every machine.
    expect(stdout).toBe(`demo-aks1-apps: plain manifests in ${outdir}/manifests/demo-aks1; without network access to the API server: cd ${outdir}/manifests/demo-aks1 && az aks command invoke --resource-group rg-demo-aks1 --name aks-demo-aks1 --command "kubectl apply -f ." --file .\n`);
    expect(json.output.apply_without_network_access.value).toBe(stdout.split("server: ")[1].trim().replace(`${outdir}/`, "cdktf.out/"));
  });

  it("hold the namespace first, then the network policy, deployment and service", () => {
    expect(manifest().map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Namespace/hello", "NetworkPolicy/allow-app-port-only", "Deployment/hello", "Service/hello"]);
  });

  it("are valid against the Kubernetes API schema", () => {
    const models: Record<string, new (o: any) => { validate(): void }> = { Namespace, NetworkPolicy, Deployment, Service };
    for (const object of manifest()) expect(() => new models[object.kind](object).validate()).not.toThrow();
    // The schema check is real: a wrong type fails it.
    const broken = manifest().find((o) => o.kind === "Deployment");
    broken.spec.template.spec.containers[0].ports[0].containerPort = "8080";
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it("say exactly what the apps stack says, field by field", () => {
    const [ns, np, deploy, svc] = manifest();
    const r = (type: string) => resources(json, type)[0];
    // Namespace and metadata.
    expect(r("kubernetes_namespace_v1").metadata).toEqual({ name: ns.metadata.name, labels: ns.metadata.labels });
    expect(r("kubernetes_service_v1").metadata).toEqual(svc.metadata);
    expect(r("kubernetes_deployment_v1").metadata).toEqual(deploy.metadata);
    expect(r("kubernetes_network_policy_v1").metadata).toEqual(np.metadata);
    // Network policy.
    expect(r("kubernetes_network_policy_v1").spec.ingress.map((i: any) => i.ports.map((p: any) => [p.protocol, Number(p.port)]))).toEqual(np.spec.ingress.map((i: any) => i.ports.map((p: any) => [p.protocol, p.port])));
    // Deployment: back from the provider's shape to the API's.
    const d = r("kubernetes_deployment_v1").spec;
    const c = d.template.spec.container[0];
    const probe = (p: any) => ({ httpGet: { path: p.http_get.path, port: Number(p.http_get.port) }, initialDelaySeconds: p.initial_delay_seconds, periodSeconds: p.period_seconds });
    expect({
      replicas: Number(d.replicas),
      selector: { matchLabels: d.selector.match_labels },
      template: {
        metadata: { labels: d.template.metadata.labels },
        spec: {
          automountServiceAccountToken: d.template.spec.automount_service_account_token,
          securityContext: { runAsNonRoot: d.template.spec.security_context.run_as_non_root, seccompProfile: d.template.spec.security_context.seccomp_profile },
          containers: [
            {
              name: c.name,
              image: c.image,
              ports: c.port.map((p: any) => ({ name: p.name, containerPort: p.container_port, protocol: p.protocol })),
              resources: c.resources,
              readinessProbe: probe(c.readiness_probe),
              livenessProbe: probe(c.liveness_probe),
              securityContext: {
                allowPrivilegeEscalation: c.security_context.allow_privilege_escalation,
                readOnlyRootFilesystem: c.security_context.read_only_root_filesystem,
                runAsNonRoot: c.security_context.run_as_non_root,
                capabilities: c.security_context.capabilities,
                seccompProfile: c.security_context.seccomp_profile,
              },
              volumeMounts: c.volume_mount.map((m: any) => ({ name: m.name, mountPath: m.mount_path })),
            },
          ],
          volumes: d.template.spec.volume.map((v: any) => ({ name: v.name, emptyDir: v.empty_dir })),
        },
      },
    }).toEqual(deploy.spec);
    // Service.
    const s = r("kubernetes_service_v1").spec;
    expect({ type: s.type, selector: s.selector, ports: s.port.map((p: any) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: Number(p.target_port) })) }).toEqual(svc.spec);
  });

  it("leave nothing in the output folder but stacks, manifests and the manifest of stacks", () => {
    expect(fs.readdirSync(outdir).sort()).toEqual(["manifest.json", "manifests", "stacks"]);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });
});

