import { MonitorDataCollectionEndpoint } from "@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint";
import { MonitorPrivateLinkScope } from "@cdktf/provider-azurerm/lib/monitor-private-link-scope";
import { MonitorPrivateLinkScopedService } from "@cdktf/provider-azurerm/lib/monitor-private-link-scoped-service";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Construct } from "constructs";

/**
 * The privatelink zones an Azure Monitor private endpoint registers its names in (Microsoft
 * Learn, "Configure your private link": monitor, oms and ods for workspaces, agentsvc for agent
 * onboarding, blob for the agents' solution packs).
 */
export const MONITOR_PRIVATE_LINK_ZONES = [
  "privatelink.monitor.azure.com",
  "privatelink.oms.opinsights.azure.com",
  "privatelink.ods.opinsights.azure.com",
  "privatelink.agentsvc.azure-automation.net",
  "privatelink.blob.core.windows.net",
] as const;

/** What on-premises DNS forwards for them: each public zone (see ON_PREMISES_FORWARDED_ZONES in private-services.ts). */
export const MONITOR_FORWARDED_ZONES = MONITOR_PRIVATE_LINK_ZONES.map((z) => z.replace(/^privatelink\./, ""));

export interface MonitorPrivateLinkProps {
  readonly names: { readonly scope: string; readonly endpoint: string; readonly dataCollectionEndpoint: string };
  readonly resourceGroupName: string;
  readonly location: string;
  /** The Log Analytics workspace the scope holds. */
  readonly workspaceId: string;
  /** The private endpoints' subnet. */
  readonly subnetId: string;
  /** The zones of {@link MONITOR_PRIVATE_LINK_ZONES}, by id, in the hub. */
  readonly zoneIds: string[];
  /** Leave queries open to public networks (ingestion stays private). @default false */
  readonly publicQuery?: boolean;
  readonly tags?: Record<string, string>;
}

/**
 * Azure Monitor over Private Link: a private link scope whose ingestion (and, unless asked
 * otherwise, query) access is private only, holding the workspace and a data collection
 * endpoint (with managed identity, Container Insights' agents fetch their configuration and send
 * data through a DCE, which must be in the scope); its private endpoint, created once both are
 * in the scope so that their names are registered, writes every Azure Monitor name into the
 * privatelink zones.
 */
export class MonitorPrivateLink extends Construct {
  public readonly scope: MonitorPrivateLinkScope;
  public readonly dataCollectionEndpoint: MonitorDataCollectionEndpoint;
  public readonly endpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: MonitorPrivateLinkProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, tags: props.tags };
    this.dataCollectionEndpoint = new MonitorDataCollectionEndpoint(this, "data-collection-endpoint", {
      ...common,
      name: props.names.dataCollectionEndpoint,
      location: props.location,
      kind: "Linux",
      publicNetworkAccessEnabled: false,
    });
    this.scope = new MonitorPrivateLinkScope(this, "scope", {
      ...common,
      name: props.names.scope,
      ingestionAccessMode: "PrivateOnly",
      queryAccessMode: props.publicQuery ? "Open" : "PrivateOnly",
    });
    const workspace = new MonitorPrivateLinkScopedService(this, "scoped-workspace", { resourceGroupName: props.resourceGroupName, scopeName: this.scope.name, name: "workspace", linkedResourceId: props.workspaceId });
    // One at a time: Azure refuses a second change to a scope while the first is provisioning.
    const endpoint = new MonitorPrivateLinkScopedService(this, "scoped-data-collection-endpoint", {
      resourceGroupName: props.resourceGroupName,
      scopeName: this.scope.name,
      name: "data-collection-endpoint",
      linkedResourceId: this.dataCollectionEndpoint.id,
      dependsOn: [workspace],
    });
    const scoped = [workspace, endpoint];
    this.endpoint = new PrivateEndpoint(this, "private-endpoint", {
      ...common,
      name: props.names.endpoint,
      location: props.location,
      subnetId: props.subnetId,
      privateServiceConnection: { name: `psc-${props.names.scope}`, privateConnectionResourceId: this.scope.id, subresourceNames: ["azuremonitor"], isManualConnection: false },
      privateDnsZoneGroup: { name: "privatelink", privateDnsZoneIds: props.zoneIds },
      dependsOn: scoped,
    });
  }

  /** The data collection endpoint clusters are associated with. */
  public get dataCollectionEndpointId(): string {
    return this.dataCollectionEndpoint.id;
  }
}
