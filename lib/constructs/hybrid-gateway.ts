import { LocalNetworkGateway } from "@cdktf/provider-azurerm/lib/local-network-gateway";
import type { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { VirtualNetworkGateway } from "@cdktf/provider-azurerm/lib/virtual-network-gateway";
import { VirtualNetworkGatewayConnection } from "@cdktf/provider-azurerm/lib/virtual-network-gateway-connection";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { publicEndpoint } from "./public-endpoint";

/** An on-premises VPN device. */
export interface VpnSite {
  readonly name: string;
  /** The device's public IPv4 address. */
  readonly address: string;
  /** The ranges behind it (static routes), or its BGP peering. */
  readonly ranges: string[];
  readonly bgp?: { readonly asn: number; readonly peerAddress: string };
}

export interface HybridGatewayProps {
  readonly name: string;
  readonly publicIpName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** GatewaySubnet. */
  readonly subnetId: string;
  readonly type: "Vpn" | "ExpressRoute";
  readonly sku: string;
  /** Turns BGP on with this ASN. @default - BGP off */
  readonly bgpAsn?: number;
  /** Vpn: site-to-site connections. @default - none */
  readonly sites?: VpnSite[];
  /**
   * Vpn: point-to-site for developers, OpenVPN with Entra ID authentication in this tenant.
   * @default - none
   */
  readonly pointToSite?: { readonly addressPool: string; readonly tenantId: string };
  /** ExpressRoute: the circuit to connect. */
  readonly circuitId?: string;
  /** Names of the local network gateways and connections, per site. */
  readonly siteNames: (site: string) => { readonly localGateway: string; readonly connection: string };
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** The Microsoft-registered Azure VPN Client application: the audience of Entra ID point-to-site tokens. */
export const AZURE_VPN_CLIENT_AUDIENCE = "c632b3df-fb67-4d84-bdcf-b95ad541b5c8";

/** VpnGw1(AZ) exists only as Generation1; the larger SKUs are Generation2 (Microsoft Learn, VPN Gateway SKUs). */
export function vpnGeneration(sku: string): "Generation1" | "Generation2" {
  return /^VpnGw1(AZ)?$/.test(sku) ? "Generation1" : "Generation2";
}

/** The Terraform variable that carries a site's shared key: sensitive, never a literal in the JSON. */
export function sharedKeyVariable(site: string): string {
  return `vpn_shared_key_${site.replace(/-/g, "_")}`;
}

/**
 * The hub's gateway to on-premises: a zone-redundant VPN gateway (route-based, optional BGP)
 * with a connection per on-premises site, or an ExpressRoute gateway connected to a circuit.
 * Its public IP is a named, justified public endpoint. Shared keys come from sensitive
 * Terraform variables (TF_VAR_vpn_shared_key_<site>), never from the environment file.
 */
export class HybridGateway extends Construct {
  public readonly gateway: VirtualNetworkGateway;
  public readonly publicIp: PublicIp;
  public readonly connections: VirtualNetworkGatewayConnection[] = [];

  constructor(scope: Construct, id: string, props: HybridGatewayProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };
    this.publicIp = publicEndpoint(this, "public-ip", {
      ...common,
      name: props.publicIpName,
      zones: ["1", "2", "3"],
      reason:
        props.type === "Vpn"
          ? "The VPN gateway's endpoint: Azure requires it; it accepts only IPsec from the declared on-premises devices (and Entra ID-authenticated OpenVPN clients when point-to-site is on)."
          : "The ExpressRoute gateway's management address: Azure requires it; customer traffic crosses the private circuit, not this IP.",
    });
    const p2s = props.pointToSite;
    this.gateway = new VirtualNetworkGateway(this, "gateway", {
      ...common,
      name: props.name,
      type: props.type,
      vpnType: props.type === "Vpn" ? "RouteBased" : undefined,
      sku: props.sku,
      generation: props.type === "Vpn" ? vpnGeneration(props.sku) : undefined,
      activeActive: false,
      enableBgp: props.bgpAsn !== undefined,
      bgpSettings: props.bgpAsn !== undefined ? { asn: props.bgpAsn } : undefined,
      ipConfiguration: [{ name: "gateway", subnetId: props.subnetId, publicIpAddressId: this.publicIp.id, privateIpAddressAllocation: "Dynamic" }],
      vpnClientConfiguration: p2s
        ? {
            addressSpace: [p2s.addressPool],
            vpnClientProtocols: ["OpenVPN"],
            vpnAuthTypes: ["AAD"],
            aadTenant: `https://login.microsoftonline.com/${p2s.tenantId}`,
            aadAudience: AZURE_VPN_CLIENT_AUDIENCE,
            aadIssuer: `https://sts.windows.net/${p2s.tenantId}/`,
          }
        : undefined,
    });
    for (const site of props.sites ?? []) {
      const names = props.siteNames(site.name);
      const local = new LocalNetworkGateway(this, `site-${site.name}`, {
        ...common,
        name: names.localGateway,
        gatewayAddress: site.address,
        addressSpace: site.bgp ? undefined : site.ranges,
        bgpSettings: site.bgp ? { asn: site.bgp.asn, bgpPeeringAddress: site.bgp.peerAddress } : undefined,
      });
      const key = new TerraformVariable(this, sharedKeyVariable(site.name), {
        type: "string",
        sensitive: true,
        description: `The IPsec shared key of site ${site.name}: pass it as TF_VAR_${sharedKeyVariable(site.name)} (from your pipeline's secret store), never in a file.`,
      });
      key.overrideLogicalId(sharedKeyVariable(site.name));
      this.connections.push(
        new VirtualNetworkGatewayConnection(this, `connection-${site.name}`, {
          ...common,
          name: names.connection,
          type: "IPsec",
          virtualNetworkGatewayId: this.gateway.id,
          localNetworkGatewayId: local.id,
          sharedKey: key.stringValue,
          enableBgp: site.bgp !== undefined,
        }),
      );
    }
    if (props.type === "ExpressRoute" && props.circuitId) {
      this.connections.push(
        new VirtualNetworkGatewayConnection(this, "connection-circuit", {
          ...common,
          name: props.siteNames("circuit").connection,
          type: "ExpressRoute",
          virtualNetworkGatewayId: this.gateway.id,
          expressRouteCircuitId: props.circuitId,
        }),
      );
    }
  }
}
