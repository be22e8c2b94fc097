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
  readonly deployment: KubeObject;
  readonly service: KubeObject;
}

export interface AppPlacement {
  /** Name of the spoke's ingress subnet, where the internal load balancer takes its address. */
  readonly ingressSubnetName: string;
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
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: app.name, namespace: app.name, labels },
      spec: {
        replicas: app.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
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
                ...(volumes.length > 0 ? { volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })) } : {}),
              },
            ],
            ...(volumes.length > 0 ? { volumes: volumes.map((v) => ({ name: v.name, emptyDir: {} })) } : {}),
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

/** The objects in apply order: namespace first. */
export function inApplyOrder(objects: AppObjects): KubeObject[] {
  return [objects.namespace, objects.networkPolicy, objects.deployment, objects.service];
}

/** One app as a multi-document YAML file, for `kubectl apply -f`. */
export function toManifest(objects: AppObjects): string {
  return inApplyOrder(objects).map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}
