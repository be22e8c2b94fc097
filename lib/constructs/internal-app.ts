import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { AppObjects, KubeObject } from "../apps/kubernetes-objects";

export interface InternalAppProps {
  /** The app's objects (from appObjects()): the same definition the plain manifests are written from. */
  readonly objects: AppObjects;
}

/**
 * An app on the private cluster through the kubernetes provider: its namespace, the
 * NetworkPolicy, the Deployment and the internal LoadBalancer Service, each rendered field by
 * field from the app's Kubernetes objects, so the provider resources and the manifests say
 * the same thing.
 */
export class InternalApp extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly networkPolicy: NetworkPolicyV1;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;

  /** With secrets: the service account its identity is federated with. */
  public readonly serviceAccount?: ServiceAccountV1;
  /** With secrets: the SecretProviderClass (a CRD of the Key Vault Secrets Provider add-on). */
  public readonly secretProviderClass?: Manifest;

  constructor(scope: Construct, id: string, props: InternalAppProps) {
    super(scope, id);
    const { namespace, networkPolicy, deployment, service, serviceAccount, secretProviderClass } = props.objects;
    this.namespace = new NamespaceV1(this, "namespace", { metadata: metadata(namespace) });
    const after: ITerraformDependable[] = [this.namespace];
    if (serviceAccount && secretProviderClass) {
      this.serviceAccount = new ServiceAccountV1(this, "service-account", { metadata: metadata(serviceAccount), automountServiceAccountToken: false, dependsOn: [this.namespace] });
      this.secretProviderClass = new Manifest(this, "secret-provider-class", { manifest: { ...secretProviderClass }, dependsOn: [this.namespace] });
    }
    const podAfter = [...after, ...(this.serviceAccount ? [this.serviceAccount] : []), ...(this.secretProviderClass ? [this.secretProviderClass] : [])];

    const np = networkPolicy.spec;
    this.networkPolicy = new NetworkPolicyV1(this, "network-policy", {
      metadata: metadata(networkPolicy),
      spec: {
        // {} selects every pod of the namespace; the block itself is required.
        podSelector: np.podSelector.matchLabels ? { matchLabels: np.podSelector.matchLabels } : {},
        policyTypes: np.policyTypes,
        ingress: np.ingress.map((rule: any) => ({ ports: rule.ports.map((p: any) => ({ protocol: p.protocol, port: String(p.port) })) })),
      },
      dependsOn: after,
    });

    const d = deployment.spec;
    const pod = d.template.spec;
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: metadata(deployment),
      waitForRollout: true,
      spec: {
        replicas: String(d.replicas),
        selector: { matchLabels: d.selector.matchLabels },
        template: {
          metadata: { labels: d.template.metadata.labels },
          spec: {
            serviceAccountName: pod.serviceAccountName,
            automountServiceAccountToken: pod.automountServiceAccountToken,
            securityContext: { runAsNonRoot: pod.securityContext.runAsNonRoot, seccompProfile: { type: pod.securityContext.seccompProfile.type } },
            container: pod.containers.map((c: any) => ({
              name: c.name,
              image: c.image,
              port: c.ports.map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
              env: c.env?.map((e: any) => ({ name: e.name, value: e.value })),
              resources: { requests: c.resources.requests, limits: c.resources.limits },
              readinessProbe: probe(c.readinessProbe),
              livenessProbe: probe(c.livenessProbe),
              securityContext: {
                allowPrivilegeEscalation: c.securityContext.allowPrivilegeEscalation,
                readOnlyRootFilesystem: c.securityContext.readOnlyRootFilesystem,
                runAsNonRoot: c.securityContext.runAsNonRoot,
                capabilities: { drop: c.securityContext.capabilities.drop },
                seccompProfile: { type: c.securityContext.seccompProfile.type },
              },
              volumeMount: c.volumeMounts?.map((m: any) => ({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly })),
            })),
            volume: pod.volumes?.map((v: any) =>
              v.csi ? { name: v.name, csi: { driver: v.csi.driver, readOnly: v.csi.readOnly, volumeAttributes: v.csi.volumeAttributes } } : { name: v.name, emptyDir: {} },
            ),
          },
        },
      },
      dependsOn: podAfter,
    });

    const s = service.spec;
    this.service = new ServiceV1(this, "service", {
      metadata: metadata(service),
      spec: {
        type: s.type,
        selector: s.selector,
        port: s.ports.map((p: any) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: String(p.targetPort) })),
      },
      dependsOn: after,
    });
  }
}

function metadata(o: KubeObject) {
  return { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels, annotations: o.metadata.annotations };
}

function probe(p: any) {
  return {
    httpGet: p.httpGet ? { path: p.httpGet.path, port: String(p.httpGet.port) } : undefined,
    tcpSocket: p.tcpSocket ? [{ port: String(p.tcpSocket.port) }] : undefined,
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
  };
}
