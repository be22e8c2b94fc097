import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { Construct } from "constructs";
import type { EgressEntry } from "./aks-egress-catalog";

export interface JumpboxProps {
  readonly name: string;
  readonly nicName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The jumpbox subnet. */
  readonly subnetId: string;
  readonly adminUsername: string;
  /** OpenSSH public key; password authentication is off. */
  readonly sshPublicKey: string;
  /** @default Standard_B2s */
  readonly vmSize?: string;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * First boot: the Azure CLI from Microsoft's apt repository, then kubectl and kubelogin
 * through `az aks install-cli`. Everything it downloads is in JUMPBOX_EGRESS.
 */
export const JUMPBOX_CLOUD_INIT = `#cloud-config
package_update: true
packages: [ca-certificates, curl, gnupg, lsb-release, jq]
runcmd:
  - mkdir -p /etc/apt/keyrings
  - curl -sSfL https://packages.microsoft.com/keys/microsoft.asc | gpg --dearmor -o /etc/apt/keyrings/microsoft.gpg
  - chmod go+r /etc/apt/keyrings/microsoft.gpg
  - echo "deb [arch=amd64 signed-by=/etc/apt/keyrings/microsoft.gpg] https://packages.microsoft.com/repos/azure-cli/ $(lsb_release -cs) main" > /etc/apt/sources.list.d/azure-cli.list
  - apt-get update
  - apt-get install -y azure-cli
  - az aks install-cli --install-location /usr/local/bin/kubectl --kubelogin-install-location /usr/local/bin/kubelogin
`;

/** What the jumpbox must reach through the firewall: its tools' downloads and the Azure APIs it drives. */
export const JUMPBOX_EGRESS: EgressEntry[] = [
  {
    kind: "application",
    id: "jumpbox-ubuntu-packages",
    description: "Ubuntu package mirrors for the jumpbox's own packages and updates.",
    source: "Ubuntu images on Azure: apt sources azure.archive.ubuntu.com and security.ubuntu.com",
    fqdns: ["azure.archive.ubuntu.com", "security.ubuntu.com"],
    protocols: [{ type: "Http", port: 80 }],
  },
  {
    kind: "application",
    id: "jumpbox-tools",
    description: "Azure CLI apt repository; kubectl (dl.k8s.io) and kubelogin (GitHub releases) for az aks install-cli.",
    source: "Microsoft Learn, Azure CLI: Install on Linux (apt); az aks install-cli reference",
    fqdns: [
      "packages.microsoft.com",
      "dl.k8s.io",
      "cdn.dl.k8s.io",
      "api.github.com",
      "github.com",
      "objects.githubusercontent.com",
      "release-assets.githubusercontent.com",
    ],
    protocols: [{ type: "Https", port: 443 }],
  },
  {
    kind: "application",
    id: "jumpbox-azure-apis",
    description: "Entra ID sign-in and Azure Resource Manager, for az and kubelogin.",
    source: "Microsoft Learn, Azure CLI: endpoints the CLI calls",
    fqdns: ["login.microsoftonline.com", "management.azure.com", "graph.microsoft.com"],
    protocols: [{ type: "Https", port: 443 }],
  },
];

/**
 * A Linux VM in the hub for operators: no public IP, SSH key only (password
 * authentication off), with the Azure CLI, kubectl and kubelogin installed at first boot.
 * Reached through Azure Bastion or from on-premises.
 */
export class Jumpbox extends Construct {
  public readonly nic: NetworkInterface;
  public readonly vm: LinuxVirtualMachine;

  constructor(scope: Construct, id: string, props: JumpboxProps) {
    super(scope, id);
    this.nic = new NetworkInterface(this, "nic", {
      name: props.nicName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      ipConfiguration: [{ name: "internal", subnetId: props.subnetId, privateIpAddressAllocation: "Dynamic" }],
      tags: props.tags,
    });
    this.vm = new LinuxVirtualMachine(this, "vm", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      size: props.vmSize ?? "Standard_B2s",
      networkInterfaceIds: [this.nic.id],
      adminUsername: props.adminUsername,
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: props.adminUsername, publicKey: props.sshPublicKey }],
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
      sourceImageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      customData: Buffer.from(JUMPBOX_CLOUD_INIT, "utf8").toString("base64"),
      bootDiagnostics: {},
      secureBootEnabled: true,
      vtpmEnabled: true,
      tags: props.tags,
    });
  }

  public get privateIp(): string {
    return this.nic.privateIpAddress;
  }
}
