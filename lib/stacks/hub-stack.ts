import { Annotations, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { VirtualNetworkDnsServers } from "@cdktf/provider-azurerm/lib/virtual-network-dns-servers";
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { parseTarget } from "../config/rules/dns";
import type { Environment, BuiltHubEnvironment } from "../config/schema";
import { Bastion } from "../constructs/bastion";
import { DnsResolver } from "../constructs/dns-resolver";
import { EgressFirewall } from "../constructs/egress-firewall";
import { EgressRuleGroup } from "../constructs/egress-rule-group";
import { HubNetwork } from "../constructs/hub-network";
import { DEFAULTS } from "../domain/defaults";
import { addNote, note, ON_PREMISES_PREFIX, PRIVATE_RANGES_PREFIX } from "../output/notes";
import { EgressRouteTable } from "../constructs/egress-route-table";
import { GuardrailDefinitions, type GuardrailInitiatives, RuntimeGuardrails } from "../constructs/runtime-guardrails";
import { type HubService, type PolicyScope, SPOKE_SCOPES } from "../domain/runtime-policies";
import { HybridGateway } from "../constructs/hybrid-gateway";
import { ON_PREMISES_FORWARDED_ZONES, PrivateKeyVault, PrivateRegistry, TlsInspectionVault } from "../constructs/private-services";
import { MONITOR_FORWARDED_ZONES, MONITOR_PRIVATE_LINK_ZONES, MonitorPrivateLink } from "../constructs/monitor-private-link";
import { FirewallSubnetRouteTable } from "../constructs/hub-peering-side";
import { PRIVATE_RANGE_TEXTS } from "../net/special-ranges";
import { Jumpbox } from "../constructs/jumpbox";
import { LogAnalytics } from "../constructs/log-analytics";
import { PrivateDnsZone } from "../constructs/private-dns";
import { onPremisesGroup, onPremisesSources, spokeEgressGroups } from "./firewall-rules";
import { hubNames, PRIVATE_LINK_ZONES } from "../domain/naming";
import { TLS_INSPECTION } from "../domain/tls-inspection";
import { PlatformStack } from "./platform-stack";

export interface HubStackProps {
  readonly env: BuiltHubEnvironment;
  /**
   * The hub is peered with another region's: AzureFirewallSubnet gets a route table (its own
   * default route to the Internet, as Azure Firewall requires) that the peering stacks add the
   * other regions' spoke routes to. @default false
   */
  readonly peered?: boolean;
}

/** The zone AKS registers a private API server in, for a region. */
export function aksPrivateLinkZone(location: string): string {
  return `privatelink.${location}.azmk8s.io`;
}

/**
 * The zone AKS registers a private API server with API Server VNet Integration in: Learn,
 * "Create a private AKS cluster": such clusters take a zone named `private.<region>.azmk8s.io`.
 */
export function aksVnetIntegrationZone(location: string): string {
  return `private.${location}.azmk8s.io`;
}

/**
 * The AKS zones a hub hosts (bring your own): the privatelink zone whenever a spoke brings its
 * own, and the VNet-integrated clusters' zone while one of them exists. Keeping the privatelink
 * zone when every such spoke is VNet-integrated lets a spoke switch to VNet integration (which
 * replaces its cluster) without the hub deleting a zone the spoke still links (Azure refuses to
 * delete a linked zone).
 */
export function hostedAksZones(env: Environment): { privateLink: boolean; vnetIntegration: boolean } {
  const byo = env.spokes.filter((s) => s.cluster.privateDnsZone === "byo");
  return { privateLink: byo.length > 0, vnetIntegration: byo.some((s) => s.subnets.apiServer !== undefined) };
}

/**
 * The zone on-premises DNS must forward for AKS API servers: the region's `azmk8s.io` zone,
 * not only its privatelink child, because clients may resolve the public CNAME first.
 */
export function aksForwardedZone(location: string): string {
  return `${location}.azmk8s.io`;
}

/**
 * Every zone on-premises DNS must forward to the resolver's inbound endpoint: the clusters'
 * (`<region>.azmk8s.io`), the public zones of the hub's private endpoints, the application
 * zones. Without one, an on-premises client resolves that service's public address and is
 * refused (public access is off).
 */
export function onPremisesForwardedZones(env: Environment): string[] {
  return [
    aksForwardedZone(env.location),
    ...(env.hub.registry ? ON_PREMISES_FORWARDED_ZONES.registry : []),
    ...(env.hub.keyVault ? ON_PREMISES_FORWARDED_ZONES.keyVault : []),
    ...(env.hub.monitoring.privateLink ? MONITOR_FORWARDED_ZONES : []),
    ...env.hub.dns.zones,
  ];
}

/**
 * What a spoke needs of its hub, as plain values (cross-stack references when the hub is
 * another stack). Spokes take an IHub and never reach into the hub's constructs.
 */
export interface IHub {
  /** The hub VNet, for peering. */
  readonly vnetId: string;
  readonly vnetName: string;
  /** Resource group of the hub VNet (the hub side of each peering lives there). */
  readonly resourceGroupName: string;
  /** The firewall's private IP: next hop of every spoke's default route. */
  readonly firewallPrivateIp: string;
  /** DNS servers for spoke VNets: the firewall when its DNS proxy is on, else Azure DNS (undefined). */
  readonly spokeDnsServers?: string[];
  /** The Log Analytics workspace for Container Insights and diagnostics. */
  readonly workspaceId: string;
  /** The `privatelink.<region>.azmk8s.io` zone, when the hub hosts it. */
  readonly aksDnsZone?: HubZone;
  /** The `private.<region>.azmk8s.io` zone of clusters with API Server VNet Integration, when the hub hosts it. */
  readonly aksVnetIntegrationDnsZone?: HubZone;
  /** Application zones (hub.dns.zones), by zone name. */
  readonly appZones: ReadonlyMap<string, HubZone>;
  /** The DNS forwarding ruleset spokes link to, when there is one. */
  readonly forwardingRulesetId?: string;
  /** The hub has a VPN or ExpressRoute gateway: spokes use it through the peering (gateway transit). */
  readonly gatewayTransit: boolean;
  /** The hub VNet's subscription (its side of each peering, its DNS zones). @default - the environment's */
  readonly subscriptionId?: string;
  /** Privatelink zones of the hub's private endpoints (registry, key vault), by zone name: spokes link them too. */
  readonly privateLinkZones: ReadonlyMap<string, HubZone>;
  /** The private registry, when there is one: kubelets get AcrPull on it. */
  readonly registryId?: string;
  /** The private key vault, when there is one: clusters get the Key Vault Secrets Provider add-on. */
  readonly keyVaultId?: string;
  /** The data collection endpoint in the hub's Azure Monitor private link scope, when there is one: clusters send monitoring data through it. */
  readonly monitoringEndpointId?: string;
  /**
   * The runtime policy initiatives of the environment's subscription, made by the hub's stack,
   * for the spokes in that subscription (spokesSharingDefinitions); undefined when none uses them.
   */
  readonly guardrailInitiatives?: GuardrailInitiatives;
}

/**
 * The spokes whose runtime policy uses the definitions the hub's stack makes in the
 * environment's subscription: those in that subscription with runtime policy on. A spoke in a
 * subscription of its own makes its own (definitions and initiatives are subscription-wide).
 */
export function spokesSharingDefinitions(env: Environment): Environment["spokes"] {
  return env.spokes.filter((s) => (s.subscriptionId ?? env.subscriptionId) === env.subscriptionId && (s.policy.effect ?? env.policy.effect) !== "off");
}

/** What a global peering needs from a hub this environment builds: its VNet, its firewall's subnet, address and policy. */
export interface IPeerableHub {
  readonly vnetId: string;
  readonly vnetName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly firewallPrivateIp: string;
  /** AzureFirewallSubnet: the peering's routes to the other region's spokes are set on it. */
  readonly firewallSubnetId: string;
  /** The firewall policy: the peering's rule collection group is added to it. */
  readonly firewallPolicyId: string;
  /** AzureFirewallSubnet's route table: each peering adds its routes to the other region's spokes. */
  readonly firewallRouteTableName: string;
  /** The hub VNet's subscription. @default - the environment's */
  readonly subscriptionId?: string;
}

/** A private DNS zone the hub hosts. */
export interface HubZone {
  readonly id: string;
  readonly name: string;
  /** Links fall back to public resolution for names it does not hold (shared privatelink zones). @default false */
  readonly fallbackToInternet?: boolean;
  readonly resourceGroupName: string;
}

/**
 * `<env>-hub`: the hub VNet; Azure Firewall with its policy and one rule collection group per
 * spoke; the Log Analytics workspace; private DNS (the AKS API servers' zone and the
 * application zones); and, when their subnets are set, the DNS Private Resolver, the jumpbox
 * and Azure Bastion. Everything the spokes need is a readonly field; cdktf turns their
 * reads into cross-stack references.
 */
export class HubStack extends PlatformStack implements IHub, IPeerableHub {
  public readonly network: HubNetwork;
  public readonly logs: LogAnalytics;
  public readonly firewall: EgressFirewall;
  /** The `privatelink.<region>.azmk8s.io` zone, when any spoke brings its own (the default). */
  public readonly aksDnsZone?: HubZone;
  /** The `private.<region>.azmk8s.io` zone, when any spoke with API Server VNet Integration brings its own. */
  public readonly aksVnetIntegrationDnsZone?: HubZone;
  /** Application zones (hub.dns.zones) by zone name. */
  public readonly appZones = new Map<string, HubZone>();
  public readonly privateLinkZones = new Map<string, HubZone>();
  public readonly registry?: PrivateRegistry;
  public readonly keyVault?: PrivateKeyVault;
  /** TLS inspection's vault and the firewall policy's identity, when hub.firewall.tlsInspection is set. */
  public readonly tlsVault?: TlsInspectionVault;
  public readonly monitorPrivateLink?: MonitorPrivateLink;
  /** AzureFirewallSubnet's route table, when the hub is peered with another region's. */
  public readonly firewallRoutes?: FirewallSubnetRouteTable;
  public readonly resolver?: DnsResolver;
  public readonly jumpbox?: Jumpbox;
  public readonly bastion?: Bastion;
  /** The Azure Policy assignments that hold the guardrails on the hub's resource group after deploy. */
  public readonly runtimePolicy: RuntimeGuardrails;
  public readonly guardrailInitiatives?: GuardrailInitiatives;
  /** Rule collection group per spoke name. */
  public readonly spokeEgress: Map<string, EgressRuleGroup>;
  /** The VPN or ExpressRoute gateway, when hub.gateway is set. */
  public readonly gateway?: HybridGateway;
  /** Whether spokes should use the firewall as their DNS server (its DNS proxy is on). */
  public readonly firewallDnsProxy: boolean;

  private readonly env: Environment;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    const { env } = props;
    const names = hubNames(env.name);
    super(scope, id, { env, resourceGroupName: names.resourceGroup });
    this.env = env;
    const hub = env.hub;
    const rg = this.resourceGroup.name;
    const common = { resourceGroupName: rg, location: this.location, tags: this.tags };
    this.firewallDnsProxy = hub.firewall.dnsProxy; // the schema rules refuse it with the Basic tier

    this.network = new HubNetwork(this, "network", { ...common, name: names.vnet, addressSpace: hub.addressSpace, subnets: hub.subnets });
    const hubLink = { key: names.vnet, vnetId: this.network.vnetId };
    const hosted = (zone: PrivateDnsZone): HubZone => ({ id: zone.id, name: zone.name, resourceGroupName: rg });

    this.logs = new LogAnalytics(this, "logs", {
      ...common,
      name: names.logAnalytics,
      // Behind the Azure Monitor private link, nothing public may send (or, unless asked, query).
      publicIngestion: !hub.monitoring.privateLink,
      publicQuery: !hub.monitoring.privateLink || hub.monitoring.publicQuery,
    });

    // Private endpoints' zones, one each, linked to the hub here and to every spoke by the spokes.
    const zones = new Map<string, string>();
    const endpointZone = (zoneName: string, fallbackToInternet = false): string => {
      const known = zones.get(zoneName);
      if (known !== undefined) return known;
      const zone = new PrivateDnsZone(this, `zone-${zoneName}`, { ...common, zoneName, links: [hubLink], fallbackToInternet });
      this.privateLinkZones.set(zoneName, { ...hosted(zone), fallbackToInternet });
      zones.set(zoneName, zone.id);
      return zone.id;
    };

    // TLS inspection: the CA's vault, in a resource group of its own, and the policy's identity.
    const tls = hub.firewall.tlsInspection;
    const tlsGroup = tls && this.network.hasSubnet("privateEndpoints") ? new ResourceGroup(this, "tls-resource-group", { name: names.tlsResourceGroup, location: this.location, tags: this.tags }) : undefined;
    if (tls && tlsGroup) {
      this.tlsVault = new TlsInspectionVault(this, "tls-inspection", {
        name: tls.keyVault.name,
        resourceGroupName: tlsGroup.name,
        location: this.location,
        tenantId: env.tenantId ?? this.deployerTenant(),
        identityName: names.firewallPolicyIdentity,
        certificateName: tls.certificateName,
        importerObjectIds: tls.importerObjectIds,
        endpoint: { subnetId: this.network.subnetId("privateEndpoints"), zoneId: endpointZone(PRIVATE_LINK_ZONES.keyVault) },
        tags: this.tags,
      });
    }

    this.firewall = new EgressFirewall(this, "firewall", {
      ...common,
      name: names.firewall,
      policyName: names.firewallPolicy,
      publicIpName: names.firewallPublicIp,
      subnetId: this.network.subnetId("firewall"), // the rules require it for a hub built here
      workspaceId: this.logs.workspaceId,
      tier: hub.firewall.tier,
      zones: hub.firewall.zones,
      threatIntelMode: hub.firewall.threatIntelMode,
      dnsProxy: hub.firewall.dnsProxy,
      idps: hub.firewall.idps,
      idpsSignatureOverrides: hub.firewall.idpsSignatureOverrides,
      privateRanges: env.privateRanges.length > 0 ? [...PRIVATE_RANGE_TEXTS, ...env.privateRanges] : undefined,
      egressIps: hub.firewall.egressIps,
      management: this.network.hasSubnet("firewallManagement")
        ? { subnetId: this.network.subnetId("firewallManagement"), publicIpName: names.firewallManagementPublicIp }
        : undefined,
      tlsInspection: this.tlsVault
        ? {
            identityId: this.tlsVault.identity.id,
            certificate: tls?.certificateImported ? { name: tls.certificateName, secretId: this.tlsVault.certificateSecretId, after: this.tlsVault.accessPolicies } : undefined,
          }
        : undefined,
    });

    this.spokeEgress = spokeEgressGroups(this, env, { id: this.firewall.policyId, after: this.firewall.ready }, this.firewallDnsProxy, common);

    if (props.peered) {
      this.firewallRoutes = new FirewallSubnetRouteTable(this, "firewall-routes", {
        ...common,
        name: names.firewallRouteTable,
        subnetId: this.network.subnetId("firewall"),
      });
    }

    if (hub.gateway && this.network.hasSubnet("gateway")) {
      const gw = hub.gateway;
      // Point-to-site signs in with Entra ID: the environment's tenant, else the deployer's.
      const tenantId = gw.pointToSite ? (env.tenantId ?? new DataAzurermClientConfig(this, "deployer", {}).tenantId) : undefined;
      this.gateway = new HybridGateway(this, "gateway", {
        ...common,
        name: names.gateway,
        publicIpName: names.gatewayPublicIp,
        subnetId: this.network.subnetId("gateway"),
        type: gw.type,
        sku: gw.sku ?? DEFAULTS.gatewaySku[gw.type],
        bgpAsn: gw.bgpAsn,
        sites: gw.sites,
        pointToSite: gw.pointToSite && tenantId ? { addressPool: gw.pointToSite.addressPool, tenantId } : undefined,
        circuitId: gw.circuitId,
        siteNames: names.gatewaySite,
      });
      // On-premises traffic to the spokes crosses the firewall: GatewaySubnet sends each spoke's
      // ranges there (BGP propagation stays on; Azure does not support 0.0.0.0/0 on GatewaySubnet).
      new EgressRouteTable(this, "gateway-routes", {
        ...common,
        name: names.gatewayRouteTable,
        nextHopIp: this.firewall.privateIp,
        subnets: { gateway: this.network.subnetId("gateway") },
        bgpRoutePropagation: true,
        routes: env.spokes.flatMap((spoke) => spoke.addressSpace.map((prefix, i) => ({ name: `to-${spoke.name}-${i}`, prefix }))),
      });
      onPremisesGroup(this, env, { id: this.firewall.policyId, after: this.firewall.ready }, common);
    }

    // Private DNS: zones live here and are linked to the hub; each spoke links its own VNet.
    const aksZones = hostedAksZones(env);
    if (aksZones.privateLink) {
      this.aksDnsZone = hosted(new PrivateDnsZone(this, "aks-dns-zone", { ...common, zoneName: aksPrivateLinkZone(env.location), links: [hubLink] }));
    }
    if (aksZones.vnetIntegration) {
      this.aksVnetIntegrationDnsZone = hosted(new PrivateDnsZone(this, "aks-vnet-integration-dns-zone", { ...common, zoneName: aksVnetIntegrationZone(env.location), links: [hubLink] }));
    }
    for (const zone of hub.dns.zones) {
      this.appZones.set(zone, hosted(new PrivateDnsZone(this, `zone-${zone}`, { ...common, zoneName: zone, links: [hubLink] })));
    }

    // The private supply chain: registry and key vault behind private endpoints, their
    // privatelink zones in the hub, linked to the hub here and to every spoke by the spokes.
    if (this.network.hasSubnet("privateEndpoints")) {
      if (hub.registry) {
        this.registry = new PrivateRegistry(this, "registry", {
          ...common,
          name: hub.registry.name,
          bootstrapCache: env.spokes.some((spoke) => spoke.cluster.networkIsolated),
          endpoint: { subnetId: this.network.subnetId("privateEndpoints"), zoneId: endpointZone(PRIVATE_LINK_ZONES.registry) },
        });
      }
      if (hub.keyVault) {
        const tenant = env.tenantId ?? this.deployerTenant();
        this.keyVault = new PrivateKeyVault(this, "key-vault", {
          ...common,
          name: hub.keyVault.name,
          tenantId: tenant,
          endpoint: { subnetId: this.network.subnetId("privateEndpoints"), zoneId: endpointZone(PRIVATE_LINK_ZONES.keyVault) },
        });
      }
      if (hub.monitoring.privateLink) {
        this.monitorPrivateLink = new MonitorPrivateLink(this, "monitor-private-link", {
          ...common,
          names: { scope: names.monitorPrivateLinkScope, endpoint: `pe-${names.monitorPrivateLinkScope}`, dataCollectionEndpoint: names.dataCollectionEndpoint },
          workspaceId: this.logs.workspaceId,
          subnetId: this.network.subnetId("privateEndpoints"),
          // Azure Monitor's zones are shared with every other resource of these services
          // (blob: every storage account): names they do not hold resolve publicly.
          zoneIds: MONITOR_PRIVATE_LINK_ZONES.map((z) => endpointZone(z, true)),
          publicQuery: hub.monitoring.publicQuery,
        });
      }
    }

    if (this.network.hasSubnet("dnsResolverInbound") && this.network.hasSubnet("dnsResolverOutbound")) {
      this.resolver = new DnsResolver(this, "dns-resolver", {
        ...common,
        name: names.dnsResolver,
        rulesetName: names.forwardingRuleset,
        vnetId: this.network.vnetId,
        inboundSubnet: { id: this.network.subnetId("dnsResolverInbound"), cidr: this.network.subnetCidr("dnsResolverInbound") },
        outboundSubnetId: this.network.subnetId("dnsResolverOutbound"),
        nsgNames: { inbound: names.dnsResolverNsg("dns-inbound"), outbound: names.dnsResolverNsg("dns-outbound") },
        forwarding: hub.dns.forwarding.map((rule) => ({ domain: rule.domain, targets: rule.targets.map(parseTarget) })),
        rulesetLinks: [hubLink],
      });
    }

    if (this.network.hasSubnet("bastion")) {
      this.bastion = new Bastion(this, "bastion", { ...common, name: names.bastion, publicIpName: names.bastionPublicIp, subnetId: this.network.subnetId("bastion") });
    }

    if (this.network.hasSubnet("jumpbox") && hub.jumpbox) {
      this.jumpbox = new Jumpbox(this, "jumpbox", {
        ...common,
        names: { vm: names.jumpbox, nic: names.jumpboxNic, nsg: names.jumpboxNsg, routeTable: names.jumpboxRouteTable, ruleGroup: names.jumpboxRuleGroup },
        subnet: { id: this.network.subnetId("jumpbox"), cidr: this.network.subnetCidr("jumpbox") },
        firewall: { privateIp: this.firewall.privateIp, policyId: this.firewall.policyId, ready: this.firewall.ready },
        rulePriority: DEFAULTS.rulePriority.jumpbox,
        bastionCidr: this.network.hasSubnet("bastion") ? this.network.subnetCidr("bastion") : undefined,
        onPremises: env.onPremises,
        adminUsername: hub.jumpbox.adminUsername,
        sshPublicKey: hub.jumpbox.sshPublicKey,
        vmSize: hub.jumpbox.vmSize,
      });
      if (!this.jumpbox.reachable) {
        Annotations.of(this).addWarning("the jumpbox has no way in: set hub.subnets.bastion (Azure Bastion) or onPremises (SSH over VPN/ExpressRoute)");
      }
    }

    // Point-to-site clients take the DNS servers of the VNet their gateway is in (written into
    // the VPN client profile), and Azure's own DNS is not reachable from them: the hub VNet
    // names the spokes' DNS server (the firewall's proxy), else the resolver's inbound
    // endpoint, so a developer on the VPN resolves the private zones. A separate resource: the
    // firewall's address depends on the VNet. The rules refuse point-to-site with neither.
    const vpnDns = this.p2sDnsServers();
    if (hub.gateway?.pointToSite && vpnDns) {
      new VirtualNetworkDnsServers(this, "vpn-client-dns", { virtualNetworkId: this.network.vnetId, dnsServers: vpnDns });
    }

    // The guardrails' runtime enforcement: the definitions of the environment's subscription
    // (shared by the spokes in it), and the hub's own assignment on its resource group. Not "no
    // public IP": the hub's are its acknowledged endpoints.
    const services = new Set<HubService>([...(this.registry ? ["registry" as const] : []), ...(this.keyVault || this.tlsVault ? ["keyVault" as const] : []), ...(this.monitorPrivateLink ? ["monitorPrivateLink" as const] : [])]);
    const sharing = spokesSharingDefinitions(env).length > 0;
    const kinds: PolicyScope[] = [...(env.policy.effect !== "off" ? (["hub"] as const) : []), ...(sharing ? SPOKE_SCOPES : [])];
    const definitions = kinds.length > 0 ? new GuardrailDefinitions(this, "runtime-policy-definitions", { namePrefix: id, kinds, services }) : undefined;
    this.guardrailInitiatives = sharing ? definitions?.initiatives : undefined;
    this.runtimePolicy = new RuntimeGuardrails(this, "runtime-policy", {
      namePrefix: id,
      effect: env.policy.effect,
      offReason: env.policy.reason,
      scopes: { hub: this.resourceGroup.id },
      initiatives: definitions?.initiatives ?? {},
      // The same services the initiative was made with: its registry, vault and monitoring references get their messages and exemptions.
      services,
      exemptions: env.policy.exemptions,
    });
    // TLS inspection's vault: its resource group holds the hub's guardrails too, but for the one
    // policy Microsoft's requirement breaks (KV-001's RBAC model), exempted there before the vault exists.
    if (this.tlsVault && tlsGroup && env.policy.effect !== "off") {
      const exemption = { ...TLS_INSPECTION.vaultRuntimeExemption, reason: TLS_INSPECTION.vaultModelReason };
      const whole = env.policy.exemptions.some((x) => x.guardrail === exemption.guardrail);
      const tlsPolicy = new RuntimeGuardrails(this, "runtime-policy-tls", {
        namePrefix: `${id}-tls`,
        effect: env.policy.effect,
        scopes: { hub: tlsGroup.id },
        initiatives: definitions?.initiatives ?? {},
        services,
        exemptions: [...env.policy.exemptions, ...(whole ? [] : [exemption])],
      });
      this.tlsVault.waitFor([...tlsPolicy.assignments.values(), ...tlsPolicy.exemptions]);
    }

    // The declared private ranges travel with the output, so that review judges it as synth did.
    addNote(this, note(PRIVATE_RANGES_PREFIX, env.privateRanges));
    addNote(this, note(ON_PREMISES_PREFIX, onPremisesSources(env)));

    this.outputs(env, names);
  }

  public get vnetId(): string {
    return this.network.vnetId;
  }

  public get vnetName(): string {
    return this.network.vnetName;
  }

  public get resourceGroupName(): string {
    return this.resourceGroup.name;
  }

  /** The next hop for spoke egress: the firewall's private IP. */
  public get firewallPrivateIp(): string {
    return this.firewall.privateIp;
  }

  public get monitoringEndpointId(): string | undefined {
    return this.monitorPrivateLink?.dataCollectionEndpointId;
  }

  public get firewallSubnetId(): string {
    return this.network.subnetId("firewall");
  }

  public get firewallPolicyId(): string {
    return this.firewall.policyId;
  }

  public get firewallRouteTableName(): string {
    if (!this.firewallRoutes) throw new Error(`${this.node.id}: built without a peering, so AzureFirewallSubnet has no route table`);
    return this.firewallRoutes.routeTable.name;
  }

  public get workspaceId(): string {
    return this.logs.workspaceId;
  }

  public get subscriptionId(): string | undefined {
    return this.env.subscriptionId;
  }

  public get registryId(): string | undefined {
    return this.registry?.registry.id;
  }

  public get keyVaultId(): string | undefined {
    return this.keyVault?.vault.id;
  }

  public get gatewayTransit(): boolean {
    return this.gateway !== undefined;
  }

  public get forwardingRulesetId(): string | undefined {
    return this.resolver?.ruleset?.id;
  }

  private vaultTenant?: DataAzurermClientConfig;
  /** The deployer's tenant, for the vaults when the file names none (one data source for both). */
  private deployerTenant(): string {
    this.vaultTenant ??= new DataAzurermClientConfig(this, "vault-tenant", {});
    return this.vaultTenant.tenantId;
  }

  /** The DNS server point-to-site clients are given: the firewall's DNS proxy when it is on, else the resolver's inbound endpoint; undefined with neither. */
  private p2sDnsServers(): string[] | undefined {
    return this.firewallDnsProxy ? [this.firewall.privateIp] : this.resolver ? [this.resolver.inboundIp] : undefined;
  }

  /** DNS servers for spoke VNets: the firewall when its DNS proxy is on, else Azure DNS. */
  public get spokeDnsServers(): string[] | undefined {
    return this.firewallDnsProxy ? [this.firewall.privateIp] : undefined;
  }

  private outputs(env: Environment, names: ReturnType<typeof hubNames>): void {
    // With several egress addresses the firewall SNATs each connection through any of them
    // (Microsoft Learn, "Deploy an Azure Firewall with multiple public IP addresses"): a
    // partner must allow every one, so there is no single address to hand out then.
    new TerraformOutput(this, "firewall_public_ips", {
      value: this.firewall.publicIps.map((ip) => ip.ipAddress),
      description: "Every address spoke egress leaves Azure from (the firewall picks one per connection); give them all to partners who allow-list callers.",
    });
    if (this.firewall.publicIps.length === 1) {
      new TerraformOutput(this, "firewall_public_ip", {
        value: this.firewall.publicIp.ipAddress,
        description: "The one address all spoke egress leaves Azure from (firewall_public_ips holds it too); give it to partners who allow-list callers.",
      });
    }
    new TerraformOutput(this, "firewall_private_ip", {
      value: this.firewall.privateIp,
      description: "Next hop of every spoke's default route, and the spokes' DNS server when the firewall's DNS proxy is on.",
    });
    new TerraformOutput(this, "log_analytics_workspace_id", {
      value: this.logs.workspaceId,
      description: "Workspace holding firewall logs (AZFW* tables), cluster diagnostics and Container Insights.",
    });
    const resolver = this.resolver;
    if (resolver) {
      const zones = onPremisesForwardedZones(env);
      new TerraformOutput(this, "dns_resolver_inbound_ip", {
        value: resolver.inboundIp,
        description: "Where on-premises DNS servers send conditional forwards for Azure private zones.",
      });
      new TerraformOutput(this, "onprem_dns_conditional_forwarders", {
        value: Object.fromEntries(zones.map((z) => [z, [resolver.inboundIp]])),
        description: `Conditional forwarders to create on the on-premises DNS servers: each zone to the resolver's inbound endpoint. ${aksForwardedZone(env.location)} (not only its privatelink child) because clients resolve the cluster's public CNAME first; the private endpoints' public zones (registry, key vault, Azure Monitor) for the same reason.`,
      });
    }
    // Each app's role is scoped to the secrets it lists, and a scope exists only once its
    // secret does: the secrets are created after the hub and before the spokes that read them.
    const secrets = [...new Set(env.spokes.flatMap((sp) => sp.apps.flatMap((a) => a.secrets)))].sort();
    const vault = env.hub.keyVault;
    if (vault && secrets.length > 0) {
      new TerraformOutput(this, "key_vault_secrets_to_create", {
        value: secrets.map((name) => `az keyvault secret set --vault-name ${vault.name} --name ${name} --file <file holding its value>`),
        description: "Create these secrets before deploying the spokes whose apps read them (each app's role is scoped to its own secrets, which must exist), from where the vault's private endpoint is reachable (its public access is off).",
      });
    }
    if (this.jumpbox) {
      new TerraformOutput(this, "jumpbox_private_ip", { value: this.jumpbox.privateIp, description: "The jumpbox's address; it has no public IP." });
    }
    const jumpboxSettings = env.hub.jumpbox;
    if (this.bastion && this.jumpbox && jumpboxSettings) {
      new TerraformOutput(this, "jumpbox_ssh_via_bastion", {
        value: `az network bastion ssh --name ${names.bastion} --resource-group ${names.resourceGroup} --target-resource-id ${this.jumpbox.vm.id} --auth-type ssh-key --username ${jumpboxSettings.adminUsername} --ssh-key <path to your private key>`,
        description: "Opens an SSH session to the jumpbox through Azure Bastion (native client tunnelling).",
      });
    }
  }
}
