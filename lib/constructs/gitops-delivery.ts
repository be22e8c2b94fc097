import { KubernetesClusterExtension } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-extension";
import { KubernetesFluxConfiguration, type KubernetesFluxConfigurationGitRepository } from "@cdktf/provider-azurerm/lib/kubernetes-flux-configuration";
import { Construct } from "constructs";
import { GITOPS } from "../domain/gitops";

/** How Flux signs in to the repository; secrets arrive as Terraform expressions over sensitive variables, never as text. */
export type GitAuth =
  | { readonly kind: "none" }
  | { readonly kind: "https"; readonly user: string; readonly tokenBase64: string }
  | { readonly kind: "ssh"; readonly privateKeyBase64: string; readonly knownHostsBase64: string };

export interface GitOpsDeliveryProps {
  /** The AKS cluster (`azurerm_kubernetes_cluster.id`). */
  readonly clusterId: string;
  /** The repository's https:// or ssh:// URL. */
  readonly url: string;
  readonly branch: string;
  /** The folder of the rendered manifests, relative to the repository's root. */
  readonly path: string;
  /** How often Flux fetches the branch and re-applies the folder. */
  readonly syncIntervalSeconds: number;
  readonly auth: GitAuth;
}

/**
 * GitOps delivery of a cluster's apps: the AKS cluster extension `microsoft.flux` (Flux v2, on
 * the Stable release train, minor versions upgraded automatically) and one Flux configuration
 * that follows a branch of a Git repository and applies one folder of it, pruning what is
 * removed from the folder. The cluster pulls: nothing needs to reach its private API server.
 */
export class GitOpsDelivery extends Construct {
  public readonly extension: KubernetesClusterExtension;
  public readonly configuration: KubernetesFluxConfiguration;

  constructor(scope: Construct, id: string, props: GitOpsDeliveryProps) {
    super(scope, id);
    this.extension = new KubernetesClusterExtension(this, "extension", {
      name: GITOPS.extensionName,
      clusterId: props.clusterId,
      extensionType: GITOPS.extensionType,
      releaseTrain: GITOPS.releaseTrain,
      releaseNamespace: GITOPS.releaseNamespace,
    });
    const auth: Partial<KubernetesFluxConfigurationGitRepository> =
      props.auth.kind === "https"
        ? { httpsUser: props.auth.user, httpsKeyBase64: props.auth.tokenBase64 }
        : props.auth.kind === "ssh"
          ? { sshPrivateKeyBase64: props.auth.privateKeyBase64, sshKnownHostsBase64: props.auth.knownHostsBase64 }
          : {};
    this.configuration = new KubernetesFluxConfiguration(this, "configuration", {
      name: GITOPS.configurationName,
      clusterId: props.clusterId,
      namespace: GITOPS.configurationNamespace,
      // Cluster scope: the apps' namespaces are created by the folder itself (azurerm's default is namespace).
      scope: "cluster",
      gitRepository: {
        url: props.url,
        referenceType: "branch",
        referenceValue: props.branch,
        syncIntervalInSeconds: props.syncIntervalSeconds,
        ...auth,
      },
      kustomizations: [
        {
          name: GITOPS.kustomizationName,
          path: `./${props.path}`,
          syncIntervalInSeconds: props.syncIntervalSeconds,
          // An app removed from the folder is removed from the cluster.
          garbageCollectionEnabled: true,
        },
      ],
      // azurerm does not order them: the configuration needs the extension's controllers.
      dependsOn: [this.extension],
    });
  }
}
