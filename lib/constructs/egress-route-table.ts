import { DEFAULTS } from "../domain/defaults";
import { RouteTable } from "@cdktf/provider-azurerm/lib/route-table";
import { SubnetRouteTableAssociation } from "@cdktf/provider-azurerm/lib/subnet-route-table-association";
import { Construct } from "constructs";

export interface EgressRouteTableProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The firewall's private IP: the next hop of the default route. */
  readonly nextHopIp: string;
  /** Subnets whose egress goes through the firewall, by a stable key (used in construct ids). */
  readonly subnets: Record<string, string>;
  /**
   * Let routes learned by a VPN/ExpressRoute gateway reach the subnet. Off, a gateway can
   * never advertise a way around the firewall; on, on-premises ranges are reached directly
   * (the default route to the firewall still wins over a learned 0.0.0.0/0, as a UDR).
   * @default false
   */
  readonly bgpRoutePropagation?: boolean;
  /**
   * Prefixes sent to the firewall, by route name. @default - one route, default-via-firewall: 0.0.0.0/0
   */
  readonly routes?: { readonly name: string; readonly prefix: string }[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** The route that sends everything not otherwise routed to the firewall. */
export const DEFAULT_ROUTE_NAME = "default-via-firewall";

/**
 * A route table that sends 0.0.0.0/0 (or the given prefixes) to a virtual appliance (the firewall),
 * with BGP route propagation off by default so that a gateway can never advertise a way
 * around it, associated with the given subnets.
 */
export class EgressRouteTable extends Construct {
  public readonly routeTable: RouteTable;
  public readonly associations: SubnetRouteTableAssociation[] = [];

  constructor(scope: Construct, id: string, props: EgressRouteTableProps) {
    super(scope, id);
    this.routeTable = new RouteTable(this, "route-table", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      bgpRoutePropagationEnabled: props.bgpRoutePropagation ?? DEFAULTS.bgpRoutePropagation,
      route: (props.routes ?? [{ name: DEFAULT_ROUTE_NAME, prefix: "0.0.0.0/0" }]).map((r) => ({
        name: r.name,
        addressPrefix: r.prefix,
        nextHopType: "VirtualAppliance",
        nextHopInIpAddress: props.nextHopIp,
      })),
      tags: props.tags,
    });
    for (const [key, subnetId] of Object.entries(props.subnets)) {
      this.associations.push(
        new SubnetRouteTableAssociation(this, `association-${key}`, { subnetId, routeTableId: this.routeTable.id }),
      );
    }
  }

  public get id(): string {
    return this.routeTable.id;
  }
}
