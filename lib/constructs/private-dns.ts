import { DEFAULTS } from "../domain/defaults";
import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record";
import { PrivateDnsZone as AzurePrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

/** A VNet to link a zone to, under a stable key (used in construct ids and link names). */
export interface VnetLinkTarget {
  readonly key: string;
  readonly vnetId: string;
}

export interface PrivateDnsZoneProps {
  /** The zone, e.g. `privatelink.westeurope.azmk8s.io` or `corp.internal`. */
  readonly zoneName: string;
  readonly resourceGroupName: string;
  /** VNets linked at creation (the hub); spokes add theirs with PrivateDnsZoneLinks. @default - none */
  readonly links?: VnetLinkTarget[];
  /** The provider of the zone's subscription. @default - the stack's */
  readonly provider?: TerraformProvider;
  /**
   * Names the zone does not hold resolve publicly (links with resolution policy
   * NxDomainRedirect) instead of failing: for shared privatelink zones such as
   * `privatelink.blob.core.windows.net`, which other services' private endpoints use too.
   * @default false
   */
  readonly fallbackToInternet?: boolean;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * A private DNS zone and its VNet links. Links never register VM records (registration off):
 * records are created on purpose, by AKS or by the workloads.
 */
export class PrivateDnsZone extends Construct {
  public readonly zone: AzurePrivateDnsZone;

  constructor(scope: Construct, id: string, props: PrivateDnsZoneProps) {
    super(scope, id);
    this.zone = new AzurePrivateDnsZone(this, "zone", {
      provider: props.provider,
      name: props.zoneName,
      resourceGroupName: props.resourceGroupName,
      tags: props.tags,
    });
    for (const link of props.links ?? []) {
      zoneLink(this, { zoneName: this.zone.name, resourceGroupName: props.resourceGroupName, fallbackToInternet: props.fallbackToInternet, tags: props.tags }, link, props.provider);
    }
  }

  public get id(): string {
    return this.zone.id;
  }

  public get name(): string {
    return this.zone.name;
  }
}

/** An existing zone (possibly in another stack), by name and resource group. */
export interface ZoneReference {
  readonly zoneName: string;
  readonly resourceGroupName: string;
  /** Links fall back to public resolution for names the zone does not hold. @default false */
  readonly fallbackToInternet?: boolean;
}

export interface PrivateDnsZoneLinksProps {
  /** The zones to link, by a stable key. */
  readonly zones: Record<string, ZoneReference>;
  readonly vnet: VnetLinkTarget;
  /** The provider of the zones' subscription. @default - the stack's */
  readonly provider?: TerraformProvider;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** Links one VNet to zones that live elsewhere (a spoke to the hub's zones). */
export class PrivateDnsZoneLinks extends Construct {
  public readonly links: PrivateDnsZoneVirtualNetworkLink[] = [];

  constructor(scope: Construct, id: string, props: PrivateDnsZoneLinksProps) {
    super(scope, id);
    for (const [key, zone] of Object.entries(props.zones)) {
      const group = new Construct(this, key);
      this.links.push(zoneLink(group, { ...zone, tags: props.tags }, props.vnet, props.provider));
    }
  }
}

function zoneLink(scope: Construct, zone: ZoneReference & { tags?: Record<string, string> }, target: VnetLinkTarget, provider?: TerraformProvider) {
  return new PrivateDnsZoneVirtualNetworkLink(scope, `link-${target.key}`, {
    provider,
    name: `link-${target.key}`,
    privateDnsZoneName: zone.zoneName,
    resourceGroupName: zone.resourceGroupName,
    virtualNetworkId: target.vnetId,
    registrationEnabled: false,
    resolutionPolicy: zone.fallbackToInternet ? "NxDomainRedirect" : undefined,
    tags: zone.tags,
  });
}

export interface DnsARecordProps {
  /** The zone the record goes into (possibly in another stack). */
  readonly zone: ZoneReference;
  /** Relative name inside the zone: `hello` for hello.corp.internal. */
  readonly name: string;
  /** Private addresses, e.g. an internal load balancer's front end. */
  readonly ips: string[];
  /** @default 300 */
  readonly ttl?: number;
  /** The provider of the zone's subscription. @default - the stack's */
  readonly provider?: TerraformProvider;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** An A record in a private zone: how workloads publish an internal name. */
export class DnsARecord extends Construct {
  public readonly record: PrivateDnsARecord;

  constructor(scope: Construct, id: string, props: DnsARecordProps) {
    super(scope, id);
    this.record = new PrivateDnsARecord(this, "record", {
      provider: props.provider,
      name: props.name,
      zoneName: props.zone.zoneName,
      resourceGroupName: props.zone.resourceGroupName,
      records: props.ips,
      ttl: props.ttl ?? DEFAULTS.dnsRecordTtl,
      tags: props.tags,
    });
  }
}
