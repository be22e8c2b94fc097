/**
 * Guardrails for Kubernetes objects, whichever way they reach the cluster: kubernetes provider
 * resources in an apps stack (the `...Input` of the construct, normalised) or the plain
 * manifests written under `cdktf.out/manifests/` (read back from the files). Pure predicates
 * over one normalised shape, so both paths apply exactly the same rule.
 */
import { INTERNAL_LB } from "../apps/kubernetes-objects";

/** A Service as the rules need it. */
export interface ServiceShape {
  readonly type?: string;
  readonly annotations?: Record<string, string>;
}

/** A pod template as the rules need it. */
export interface PodShape {
  readonly hostNetwork?: boolean;
  readonly hostPorts: readonly number[];
}

export interface KubernetesRule {
  readonly id: string;
  readonly title: string;
  readonly rationale: string;
  readonly fix: string;
}

export const K8S_INTERNAL_LOAD_BALANCER: KubernetesRule = {
  id: "K8S-001",
  title: "every LoadBalancer Service is internal",
  rationale: `A LoadBalancer Service without the annotation ${INTERNAL_LB.internal}: "true" silently buys a public IP on the cluster's load balancer.`,
  fix: `Set metadata.annotations["${INTERNAL_LB.internal}"] = "true" (apps in the environment file always have it).`,
};

export const K8S_NO_NODE_PORT: KubernetesRule = {
  id: "K8S-002",
  title: "no NodePort Services",
  rationale: "A NodePort opens the port on every node, outside the internal load balancer and the firewall's view.",
  fix: "Publish through an internal LoadBalancer Service (an app in the environment file).",
};

export const K8S_NO_HOST_NETWORK: KubernetesRule = {
  id: "K8S-003",
  title: "no pod uses the host's network or host ports",
  rationale: "hostNetwork and hostPort put a pod on the node's own address, bypassing network policy and the firewall's view.",
  fix: "Remove hostNetwork and hostPort; publish through an internal LoadBalancer Service.",
};

/** The rules a Service breaks. */
export function serviceViolations(service: ServiceShape): KubernetesRule[] {
  const out: KubernetesRule[] = [];
  if (service.type === "LoadBalancer" && service.annotations?.[INTERNAL_LB.internal] !== "true") out.push(K8S_INTERNAL_LOAD_BALANCER);
  if (service.type === "NodePort") out.push(K8S_NO_NODE_PORT);
  return out;
}

/** The rules a pod template breaks. */
export function podViolations(pod: PodShape): KubernetesRule[] {
  return pod.hostNetwork === true || pod.hostPorts.length > 0 ? [K8S_NO_HOST_NETWORK] : [];
}

const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** The pod spec inside a workload object of the Kubernetes API (Deployment, DaemonSet, Job, Pod, ...). */
function podSpecOf(object: any): any {
  const spec = object?.spec;
  if (object?.kind === "Pod") return spec;
  if (object?.kind === "CronJob") return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

/** The rules one Kubernetes API object (from a manifest) breaks. */
export function objectViolations(object: any): KubernetesRule[] {
  if (object?.kind === "Service") return serviceViolations({ type: object.spec?.type, annotations: object.metadata?.annotations });
  const pod = podSpecOf(object);
  if (!pod) return [];
  const containers = [...list(pod.containers), ...list(pod.initContainers)];
  const hostPorts = containers.flatMap((c) => list(c?.ports)).map((p) => p?.hostPort).filter((p) => p !== undefined && p !== 0);
  return podViolations({ hostNetwork: pod.hostNetwork, hostPorts });
}
