import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, TerraformOutput, TerraformVariable } from "cdktf";
import { DEFAULTS } from "../domain/defaults";
import { SynthStack } from "../synth/synth-stack";
import type { Construct } from "constructs";
import { type AppIdentityRef, type AppObjects, appObjects } from "../apps/kubernetes-objects";
import type { LiteralEnvironment, SpokeConfig } from "../config/schema";
import { InternalApp } from "../constructs/internal-app";
import { SPOKE_SUBNET_NAMES } from "../constructs/spoke-network";
import { configureBackend } from "./backend";
import { subscriptionOption } from "../domain/naming";
import { WORKLOAD_IDENTITIES_OUTPUT } from "./spoke-stack";

/** What the apps stack needs of its cluster: where the API server is and how to trust it. */
export interface ClusterAccess {
  /** `https://<private fqdn>:443` (a cross-stack reference to the spoke stack). */
  readonly apiServerHost: string;
  /** Base64-encoded PEM. */
  readonly clusterCaCertificate: string;
  /** For the emergency command line: literal names, not references. */
  readonly resourceGroupName: string;
  readonly name: string;
  /** The spoke's own subscription, when it has one: the az CLI's default may be another. */
  readonly subscriptionId?: string;
}

export interface AppsStackProps {
  readonly env: LiteralEnvironment;
  readonly spoke: SpokeConfig;
  readonly cluster: ClusterAccess;
  /** The folder the plain manifests of these apps land in, relative to the output folder. */
  readonly manifestsDir: string;
  /** The identities of apps that read Key Vault secrets, by app name (from the spoke stack). @default - none */
  readonly identities?: ReadonlyMap<string, AppIdentityRef>;
  /** The spoke stack's id: its `workload_identities` output completes the plain manifests of apps with secrets. */
  readonly spokeStackId: string;
}

/**
 * The application ID of the Entra ID server application AKS's managed Entra ID integration
 * uses, the same in every tenant: kubelogin asks for a token for it.
 */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** kubelogin's login modes: the Azure CLI's session, or non-interactive modes for pipelines. */
export const KUBELOGIN_MODES = ["azurecli", "workloadidentity", "spn", "msi", "azd"] as const;

/**
 * `<env>-<spoke>-apps`: the spoke's apps on its private cluster, through the kubernetes
 * provider. The provider reaches the private API server (so this stack runs where that server
 * is reachable: the jumpbox, a runner in the VNet, a VPN) and authenticates with Entra ID
 * through `kubelogin get-token`: no admin credentials, client certificates or static tokens.
 * The login mode is the `kubelogin_mode` variable (azurecli by default; set
 * TF_VAR_kubelogin_mode in a pipeline).
 */
export class AppsStack extends SynthStack {
  /** Each app's Kubernetes objects: the plain manifests are written from these. */
  public readonly objects = new Map<string, AppObjects>();
  public readonly apps: InternalApp[] = [];
  public readonly manifestsDir: string;
  /** The command line that applies the plain manifests through the Azure API, for the default output folder; undefined when the cluster's run command is off. */
  public readonly emergencyApply?: string;
  private readonly emergency?: { readonly cluster: Pick<ClusterAccess, "resourceGroupName" | "name">; readonly spokeStackId?: string };

  constructor(scope: Construct, id: string, props: AppsStackProps) {
    super(scope, id);
    this.manifestsDir = props.manifestsDir;
    const withSecrets = props.spoke.apps.some((a) => a.secrets.length > 0);
    this.emergency = props.spoke.cluster.runCommand ? { cluster: props.cluster, spokeStackId: withSecrets ? props.spokeStackId : undefined } : undefined;
    this.emergencyApply = this.emergencyApplyIn(DEFAULTS.outdir);
    configureBackend(this, props.env.backend, id);

    const mode = new TerraformVariable(this, "kubelogin_mode", {
      type: "string",
      default: "azurecli",
      description: `How kubelogin signs in to Entra ID: ${KUBELOGIN_MODES.join(", ")} (see kubelogin's docs for the environment variables each one reads).`,
    });
    // The condition is an expression over the variable itself (Terraform refuses plain text).
    mode.addValidation({ condition: Fn.contains([...KUBELOGIN_MODES], mode.stringValue), errorMessage: `kubelogin_mode must be one of ${KUBELOGIN_MODES.join(", ")}.` });
    new KubernetesProvider(this, "kubernetes", {
      host: props.cluster.apiServerHost,
      clusterCaCertificate: Fn.base64decode(props.cluster.clusterCaCertificate),
      exec: [
        {
          apiVersion: "client.authentication.k8s.io/v1beta1",
          command: "kubelogin",
          args: ["get-token", "--login", mode.stringValue, "--server-id", AKS_AAD_SERVER_APP_ID],
        },
      ],
    });

    for (const app of props.spoke.apps) {
      const objects = appObjects(app, { ingressSubnetName: SPOKE_SUBNET_NAMES.ingress, identity: props.identities?.get(app.name) });
      this.objects.set(app.name, objects);
      this.apps.push(new InternalApp(this, `app-${app.name}`, { objects }));
    }

    if (this.emergencyApply) {
      new TerraformOutput(this, "apply_without_network_access", {
        value: this.emergencyApply,
        description: "Applies the same apps as plain manifests through the Azure API, from the project folder, when the private API server cannot be reached.",
      });
    }
  }

  /** The emergency command line for output written to `outdir` (as the user names it); undefined when the cluster's run command is off. */
  public emergencyApplyIn(outdir: string): string | undefined {
    return this.emergency ? emergencyApply(this.emergency.cluster, this.manifestsDir, this.emergency.spokeStackId, outdir) : undefined;
  }
}

/** The file the identity objects of apps with secrets are written to, beside the plain manifests, by the emergency command. */
export const WORKLOAD_IDENTITIES_FILE = DEFAULTS.workloadIdentitiesManifest;

/**
 * The command that applies a spoke's manifests through the Azure API, run from the project
 * folder. With apps that read secrets, it first writes their service accounts and
 * SecretProviderClasses from the (deployed) spoke stack's output: they name identities whose
 * client ids exist only in Azure.
 */
export function emergencyApply(cluster: Pick<ClusterAccess, "resourceGroupName" | "name" | "subscriptionId">, manifestsDir: string, spokeStackId?: string, outdir: string = DEFAULTS.outdir): string {
  // synth leaves the stack folder uninitialised: init (backend and providers) before reading its output.
  const stack = `../../stacks/${spokeStackId}`;
  const identities = spokeStackId ? `terraform -chdir=${stack} init -input=false > /dev/null && terraform -chdir=${stack} output -raw ${WORKLOAD_IDENTITIES_OUTPUT} > ${WORKLOAD_IDENTITIES_FILE} && ` : "";
  return `cd ${shellWord(`${outdir}/${manifestsDir}`)} && ${identities}az aks command invoke${subscriptionOption(cluster.subscriptionId)} --resource-group ${cluster.resourceGroupName} --name ${cluster.name} --command "kubectl apply -f ." --file .`;
}

/** A path as one shell word: as it is when it holds only safe characters, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
