import { BastionHost } from "@cdktf/provider-azurerm/lib/bastion-host";
import type { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { Construct } from "constructs";
import { publicEndpoint } from "./public-endpoint";

export interface BastionProps {
  readonly name: string;
  readonly publicIpName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** AzureBastionSubnet (at least /26). */
  readonly subnetId: string;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * Azure Bastion, Standard SKU with native-client tunnelling on, so that
 * `az network bastion ssh` and `az network bastion tunnel` reach the jumpbox without a VPN.
 */
export class Bastion extends Construct {
  public readonly host: BastionHost;
  public readonly publicIp: PublicIp;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    this.publicIp = publicEndpoint(this, "public-ip", {
      name: props.publicIpName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
      reason: "Azure Bastion's front door: Azure requires it; it accepts only Entra ID-authenticated TLS sessions and opens SSH to the jumpbox only.",
    });
    this.host = new BastionHost(this, "bastion", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "Standard",
      tunnelingEnabled: true,
      shareableLinkEnabled: false,
      ipConfiguration: { name: "bastion", subnetId: props.subnetId, publicIpAddressId: this.publicIp.id },
      tags: props.tags,
    });
  }
}
