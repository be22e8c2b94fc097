import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEFAULTS } from "../domain/defaults";
import type { EgressEntry } from "../domain/aks-egress-catalog";
import { EgressRouteTable } from "./egress-route-table";
import { EgressRuleGroup } from "./egress-rule-group";
import { type NsgRule, SubnetNsg } from "./subnet-nsg";

export interface JumpboxProps {
  /** Names of the VM, its NIC, NSG and route table, and of its firewall rule collection group. */
  readonly names: { readonly vm: string; readonly nic: string; readonly nsg: string; readonly routeTable: string; readonly ruleGroup: string };
  readonly resourceGroupName: string;
  readonly location: string;
  /** The jumpbox subnet: its id and its CIDR (the NSG and firewall rules name it). */
  readonly subnet: { readonly id: string; readonly cidr: string };
  /** The firewall: the jumpbox's egress goes through it, and its downloads get a rule collection group in its policy. */
  readonly firewall: { readonly privateIp: string; readonly policyId: string; readonly ready: ITerraformDependable[] };
  /** Priority of the jumpbox's rule collection group. */
  readonly rulePriority: number;
  readonly adminUsername: string;
  /** OpenSSH public key; password authentication is off. */
  readonly sshPublicKey: string;
  /** AzureBastionSubnet's CIDR: SSH is allowed from it. @default - no Bastion */
  readonly bastionCidr?: string;
  /** On-premises ranges SSH is allowed from (over VPN/ExpressRoute). @default - none */
  readonly onPremises?: string[];
  /** @default Standard_B2s_v2 */
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
 * Its subnet has an NSG that admits SSH only from AzureBastionSubnet and on-premises, and a
 * route table that sends its egress through the firewall, where its own rule collection group
 * allows exactly its downloads. The VM boots only once both are in place.
 */
export class Jumpbox extends Construct {
  public readonly nic: NetworkInterface;
  public readonly vm: LinuxVirtualMachine;
  public readonly nsg: SubnetNsg;
  public readonly egress: EgressRouteTable;
  public readonly rules: EgressRuleGroup;
  /** True when something can reach the jumpbox (Bastion or on-premises). */
  public readonly reachable: boolean;

  constructor(scope: Construct, id: string, props: JumpboxProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };
    const sshFrom = (name: string, priority: number, sources: string[], description: string): NsgRule => ({
      name, priority, direction: "Inbound", access: "Allow", protocol: "Tcp", sources, destinations: [props.subnet.cidr], ports: ["22"], description,
    });
    const rules: NsgRule[] = [];
    if (props.bastionCidr) rules.push(sshFrom("allow-ssh-from-bastion", 100, [props.bastionCidr], "SSH from Azure Bastion."));
    if (props.onPremises && props.onPremises.length > 0) rules.push(sshFrom("allow-ssh-from-onpremises", 110, props.onPremises, "SSH from on-premises over VPN/ExpressRoute."));
    this.reachable = rules.length > 0;
    rules.push({
      name: "deny-all-other-inbound", priority: 4000, direction: "Inbound", access: "Deny", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"],
      description: "Nothing else reaches the jumpbox: not the Internet, not the spokes.",
    });
    this.nsg = new SubnetNsg(this, "nsg", { ...common, name: props.names.nsg, subnetId: props.subnet.id, rules });
    // The jumpbox installs its tools through the firewall like everything else; gateway
    // routes may reach its subnet so that on-premises SSH sessions return the way they came.
    this.egress = new EgressRouteTable(this, "egress", {
      ...common,
      name: props.names.routeTable,
      nextHopIp: props.firewall.privateIp,
      subnets: { jumpbox: props.subnet.id },
      bgpRoutePropagation: true,
    });
    this.rules = new EgressRuleGroup(this, "firewall-rules", {
      name: props.names.ruleGroup,
      firewallPolicyId: props.firewall.policyId,
      priority: props.rulePriority,
      sourceAddresses: [props.subnet.cidr],
      entries: JUMPBOX_EGRESS,
      after: props.firewall.ready,
    });

    this.nic = new NetworkInterface(this, "nic", {
      name: props.names.nic,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      ipConfiguration: [{ name: "internal", subnetId: props.subnet.id, privateIpAddressAllocation: "Dynamic" }],
      tags: props.tags,
    });
    this.vm = new LinuxVirtualMachine(this, "vm", {
      name: props.names.vm,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      size: props.vmSize ?? DEFAULTS.jumpboxVmSize,
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
      // First boot downloads its tools: the route to the firewall, the firewall and the rules
      // that allow the downloads must all exist by then.
      dependsOn: [...this.egress.associations, this.nsg.association, this.rules.group, ...props.firewall.ready],
    });
  }

  public get privateIp(): string {
    return this.nic.privateIpAddress;
  }
}
