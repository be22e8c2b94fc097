/**
 * An app's Kubernetes objects, in the Kubernetes API's own shape: the one definition that both
 * the apps stack (kubernetes provider resources) and the plain manifests under
 * `cdktf.out/manifests/` are rendered from. Pure: no cdktf imports.
 *
 * Every app gets a namespace that enforces the restricted Pod Security Standard, a
 * NetworkPolicy that admits only the app's port, a Deployment that runs as non-root with no
 * privilege escalation, no capabilities, the RuntimeDefault seccomp profile and a read-only root
 * filesystem, and a Service published only on an internal load balancer at a fixed address.
 */
import { stringify } from "yaml";
import type { AppConfig } from "../config/schema";
import { fromTerraformLiteral } from "../core/template";
import { SECRETS_MOUNT_PATH } from "../domain/defaults";

export { SECRETS_MOUNT_PATH };

/** The annotations that keep a LoadBalancer Service on a private address. */
export const INTERNAL_LB = {
  internal: "service.beta.kubernetes.io/azure-load-balancer-internal",
  subnet: "service.beta.kubernetes.io/azure-load-balancer-internal-subnet",
  ipv4: "service.beta.kubernetes.io/azure-load-balancer-ipv4",
} as const;

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: any;
}

/** The objects of one app, in the order they must be applied. */
export interface AppObjects {
  readonly namespace: KubeObject;
  readonly networkPolicy: KubeObject;
  /** With secrets: the app's service account, federated with its Azure identity. */
  readonly serviceAccount?: KubeObject;
  /** With secrets: which Key Vault secrets the CSI driver mounts, read with the app's identity. */
  readonly secretProviderClass?: KubeObject;
  readonly deployment: KubeObject;
  readonly service: KubeObject;
}

export interface AppPlacement {
  /** Name of the spoke's ingress subnet, where the internal load balancer takes its address. */
  readonly ingressSubnetName: string;
  /** The app's Azure identity and the vault, when it reads secrets (values known at apply time may be Terraform references). */
  readonly identity?: AppIdentityRef;
}

/** What an app's Kubernetes objects need of its Azure identity. */
export interface AppIdentityRef {
  readonly clientId: string;
  readonly tenantId: string;
  readonly keyVaultName: string;
}

/** The annotation and label of Microsoft Entra Workload ID. */
export const WORKLOAD_IDENTITY = { clientId: "azure.workload.identity/client-id", use: "azure.workload.identity/use" } as const;


/** The service account an app's pods run as, when it has secrets: subject of its federated credential. */
export function serviceAccountSubject(app: Pick<AppConfig, "name">): string {
  return `system:serviceaccount:${app.name}:${app.name}`;
}

/** Builds the objects of one app. */
export function appObjects(app: AppConfig, placement: AppPlacement): AppObjects {
  const containerPort = app.containerPort ?? app.port;
  const selector = { "app.kubernetes.io/name": app.name };
  const labels = { ...selector, "app.kubernetes.io/managed-by": "private-aks" };
  const probe = (initialDelaySeconds: number, periodSeconds: number) => ({
    ...(app.healthPath ? { httpGet: { path: app.healthPath, port: containerPort } } : { tcpSocket: { port: containerPort } }),
    initialDelaySeconds,
    periodSeconds,
  });
  const volumes = app.writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath }));
  const identity = app.secrets.length > 0 ? placement.identity : undefined;
  if (app.secrets.length > 0 && identity === undefined) throw new Error(`app ${app.name} reads secrets but has no identity`);
  const podLabels = identity ? { ...labels, [WORKLOAD_IDENTITY.use]: "true" } : labels;
  const mounts = [
    ...volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
    ...(identity ? [{ name: "secrets", mountPath: SECRETS_MOUNT_PATH, readOnly: true }] : []),
  ];
  const podVolumes = [
    ...volumes.map((v) => ({ name: v.name, emptyDir: {} })),
    ...(identity ? [{ name: "secrets", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: app.name } } }] : []),
  ];
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: app.name,
        labels: {
          "app.kubernetes.io/managed-by": "private-aks",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    },
    networkPolicy: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-app-port-only", namespace: app.name, labels },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ ports: [{ protocol: "TCP", port: containerPort }] }],
      },
    },
    ...(identity ? identityObjects(app, identity, labels) : {}),
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: app.name, namespace: app.name, labels },
      spec: {
        replicas: app.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: podLabels },
          spec: {
            ...(identity ? { serviceAccountName: app.name } : {}),
            // Workload identity projects its own token; the Kubernetes API token stays out.
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: app.name,
                image: app.image,
                ports: [{ name: "app", containerPort, protocol: "TCP" }],
                ...(Object.keys(app.env).length > 0 ? { env: Object.entries(app.env).map(([name, value]) => ({ name, value })) } : {}),
                resources: { requests: { ...app.resources.requests }, limits: { ...app.resources.limits } },
                readinessProbe: probe(5, 10),
                livenessProbe: probe(15, 20),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
              },
            ],
            ...(podVolumes.length > 0 ? { volumes: podVolumes } : {}),
          },
        },
      },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: app.name,
        namespace: app.name,
        labels,
        annotations: { [INTERNAL_LB.internal]: "true", [INTERNAL_LB.subnet]: placement.ingressSubnetName, [INTERNAL_LB.ipv4]: app.ip },
      },
      spec: {
        type: "LoadBalancer",
        selector,
        ports: [{ name: "app", protocol: "TCP", port: app.port, targetPort: containerPort }],
      },
    },
  };
}

/** The service account and the SecretProviderClass of an app that reads Key Vault secrets. */
function identityObjects(app: AppConfig, identity: AppIdentityRef, labels: Record<string, string>): { serviceAccount: KubeObject; secretProviderClass: KubeObject } {
  // The Azure provider's `objects` parameter: a YAML array of YAML documents, one per secret.
  const objects = `array:\n${app.secrets.map((name) => `  - |\n    objectName: ${name}\n    objectType: secret\n`).join("")}`;
  return {
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: app.name, namespace: app.name, labels, annotations: { [WORKLOAD_IDENTITY.clientId]: identity.clientId } },
    },
    secretProviderClass: {
      apiVersion: "secrets-store.csi.x-k8s.io/v1",
      kind: "SecretProviderClass",
      metadata: { name: app.name, namespace: app.name, labels },
      spec: {
        provider: "azure",
        parameters: { usePodIdentity: "false", clientID: identity.clientId, keyvaultName: identity.keyVaultName, tenantId: identity.tenantId, objects },
      },
    },
  };
}

/** The objects that name the app's Azure identity (known only once it exists). */
export function identityPart(objects: AppObjects): KubeObject[] {
  return [objects.serviceAccount, objects.secretProviderClass].filter((o): o is KubeObject => o !== undefined);
}

const yaml = (o: KubeObject) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

/**
 * One app as a multi-document YAML file, for `kubectl apply -f`. The service account and the
 * SecretProviderClass of an app with secrets hold its identity's client id, which exists only
 * once the spoke is deployed: they come from the spoke stack's `workload_identities` output.
 *
 * The objects' strings are Terraform literals (the stacks are built from a literal
 * environment); kubectl evaluates nothing, so the file carries the text they were made from,
 * exactly as the environment file wrote it.
 */
export function toManifest(objects: AppObjects): string {
  return [objects.namespace, objects.networkPolicy, objects.deployment, objects.service].map((o) => yaml(fromTerraformLiteral(o))).join("---\n");
}

/** The objects of apps with secrets that name their identities, with their namespaces, as one YAML document stream. */
export function identityManifest(all: AppObjects[]): string {
  return all.filter((o) => identityPart(o).length > 0).flatMap((o) => [o.namespace, ...identityPart(o)]).map(yaml).join("---\n");
}

/**
 * The kustomization.yaml of a GitOps folder: the apps' files, which Flux's kustomize-controller
 * applies together (and prunes when one is removed). No postBuild substitution is configured,
 * so Flux evaluates nothing in them either.
 */
export function kustomizationManifest(files: readonly string[]): string {
  return stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...files].sort() }, { lineWidth: 0 });
}
