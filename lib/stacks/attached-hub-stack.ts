import { DataAzurermPrivateDnsZone } from "@cdktf/provider-azurerm/lib/data-azurerm-private-dns-zone";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { AttachedHubEnvironment } from "../config/schema";
import type { EgressRuleGroup } from "../constructs/egress-rule-group";
import { LogAnalytics } from "../constructs/log-analytics";
import { PrivateDnsZone } from "../constructs/private-dns";
import { addNote, note, ON_PREMISES_PREFIX, PRIVATE_RANGES_PREFIX } from "../output/notes";
import { onPremisesGroup, onPremisesSources, spokeEgressGroups } from "./firewall-rules";
import { aksPrivateLinkZone, aksVnetIntegrationZone, hostedAksZones, type HubZone, type IHub, spokesSharingDefinitions } from "./hub-stack";
import { GuardrailDefinitions, type GuardrailInitiatives } from "../constructs/runtime-guardrails";
import { SPOKE_SCOPES } from "../domain/runtime-policies";
import { hubNames } from "../domain/naming";
import { PlatformStack } from "./platform-stack";

/** The parts of an Azure resource id. */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id);
  if (!match) throw new Error(`not a resource id: ${id}`);
  return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}

export interface AttachedHubStackProps {
  readonly env: AttachedHubEnvironment;
}

/**
 * `<env>-hub` for a hub that already exists (brownfield, `hub.existing`): it creates only what
 * this environment owns, its spokes' rule collection groups in the existing firewall policy (and
 * the on-premises one when the hub has a gateway), its application DNS zones (and the API
 * servers' zone when asked) in the DNS resource group, linked to the existing hub, and a Log
 * Analytics workspace unless one is named. Nothing the environment did not create is replaced
 * or modified; the peerings and the spokes' zone links are created by the spoke stacks.
 */
export class AttachedHubStack extends PlatformStack implements IHub {
  public readonly vnetId: string;
  public readonly vnetName: string;
  public readonly resourceGroupName: string;
  public readonly subscriptionId: string;
  public readonly firewallPrivateIp: string;
  public readonly spokeDnsServers?: string[];
  public readonly workspaceId: string;
  public readonly aksDnsZone?: HubZone;
  public readonly aksVnetIntegrationDnsZone?: HubZone;
  public readonly appZones = new Map<string, HubZone>();
  public readonly forwardingRulesetId = undefined;
  public readonly gatewayTransit: boolean;
  /** An existing hub's private endpoints are not this environment's: none here. */
  public readonly privateLinkZones = new Map<string, HubZone>();
  public readonly registryId = undefined;
  public readonly keyVaultId = undefined;
  public readonly monitoringEndpointId = undefined;
  public readonly guardrailInitiatives?: GuardrailInitiatives;
  public readonly spokeEgress: Map<string, EgressRuleGroup>;

  constructor(scope: Construct, id: string, props: AttachedHubStackProps) {
    const { env } = props;
    const existing = env.hub.existing;
    const names = hubNames(env.name);
    super(scope, id, { env, resourceGroupName: names.resourceGroup });
    const vnet = parseResourceId(existing.vnetId);
    this.vnetId = existing.vnetId;
    this.vnetName = vnet.name;
    this.resourceGroupName = vnet.resourceGroup;
    this.subscriptionId = vnet.subscriptionId;
    this.firewallPrivateIp = existing.firewallPrivateIp;
    this.spokeDnsServers = existing.dnsProxy ? [existing.firewallPrivateIp] : undefined;
    this.gatewayTransit = existing.gateway;

    // The connectivity subscription holds the hub, its policy and its DNS zones.
    const connectivity = new AzurermProvider(this, "azurerm-connectivity", { alias: "connectivity", features: [{}], subscriptionId: vnet.subscriptionId });
    const common = { resourceGroupName: this.resourceGroup.name, location: this.location, tags: this.tags };
    // Without a private link scope (that is the existing hub's to have), Azure Monitor takes
    // the clusters' data and queries on its public endpoints, as before.
    this.workspaceId = existing.workspaceId ?? new LogAnalytics(this, "logs", { ...common, name: names.logAnalytics, publicIngestion: true, publicQuery: true }).workspaceId;

    // The groups go into the existing policy, through the connectivity subscription's provider.
    const policy = { id: existing.firewallPolicyId, provider: connectivity };
    this.spokeEgress = spokeEgressGroups(this, env, policy, existing.dnsProxy, common);
    onPremisesGroup(this, env, policy, common);

    const dnsRg = existing.dnsResourceGroup;
    const hubLink = { key: vnet.name, vnetId: existing.vnetId };
    const zoneCommon = { resourceGroupName: dnsRg, tags: this.tags };
    // The AKS zones: created here, or (the default) found where the landing zone created them.
    const aksZone = (id: string, name: string): HubZone => {
      const zone = existing.createAksDnsZone
        ? new PrivateDnsZone(this, id, { ...zoneCommon, zoneName: name, links: [hubLink], provider: connectivity })
        : new DataAzurermPrivateDnsZone(this, id, { name, resourceGroupName: dnsRg, provider: connectivity });
      return { id: zone.id, name: zone.name, resourceGroupName: dnsRg };
    };
    const aksZones = hostedAksZones(env);
    if (aksZones.privateLink) this.aksDnsZone = aksZone("aks-dns-zone", aksPrivateLinkZone(env.location));
    if (aksZones.vnetIntegration) this.aksVnetIntegrationDnsZone = aksZone("aks-vnet-integration-dns-zone", aksVnetIntegrationZone(env.location));
    for (const zoneName of env.hub.dns.zones) {
      const zone = new PrivateDnsZone(this, `zone-${zoneName}`, { ...zoneCommon, zoneName, links: [hubLink], provider: connectivity });
      this.appZones.set(zoneName, { id: zone.id, name: zone.name, resourceGroupName: dnsRg });
    }

    // The runtime policy definitions of the environment's subscription (this stack's default
    // provider), for the spokes in it: subscription-wide, nothing of the existing hub's.
    if (spokesSharingDefinitions(env).length > 0) this.guardrailInitiatives = new GuardrailDefinitions(this, "runtime-policy-definitions", { namePrefix: id, kinds: SPOKE_SCOPES }).initiatives;

    addNote(this, note(PRIVATE_RANGES_PREFIX, env.privateRanges));
    addNote(this, note(ON_PREMISES_PREFIX, onPremisesSources(env)));
    new TerraformOutput(this, "firewall_private_ip", { value: this.firewallPrivateIp, description: "The existing firewall's private IP: next hop of every spoke's default route." });
    new TerraformOutput(this, "log_analytics_workspace_id", { value: this.workspaceId, description: "Workspace for the clusters' diagnostics and Container Insights." });
  }
}
