/** The gateway to on-premises: SKUs, ASNs, sites and BGP peers, point-to-site. */
import { cidr, contains, containsIp, parseIp } from "../../net/cidr";
import { isPrivate, reservedOverlap } from "../../net/special-ranges";
import { type Problem, quote } from "../../core/problem";
import { type Environment } from "../schema";

/** ASNs Azure or IANA reserve (Microsoft Learn, VPN Gateway BGP: "Don't use Azure-reserved ASNs ..."). */
export function reservedAsn(asn: number, gateway = false): boolean {
  if ([8074, 8075, 12076, 23456].includes(asn)) return true;
  if (asn >= 65517 && asn <= 65520) return true;
  if (!gateway && asn === 65515) return true; // the Azure side's default; a site must differ
  return (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551);
}
/** Gateway SKUs that can still be created, by type (non-AZ VPN SKUs closed to new gateways in January 2025). */
export const GATEWAY_SKUS = {
  Vpn: ["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"],
  ExpressRoute: ["ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "Standard", "HighPerformance", "UltraPerformance"],
} as const;
export function checkGateway(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const gw = env.hub.gateway;
  if (!gw) return problems;
  if (env.hub.subnets.gateway === undefined) add("hub.subnets.gateway", "is required by hub.gateway: GatewaySubnet, a /27 or larger");
  const skus: readonly string[] = GATEWAY_SKUS[gw.type];
  if (gw.sku !== undefined && !skus.includes(gw.sku)) add("hub.gateway.sku", `${quote(gw.sku)} is not a ${gw.type} gateway SKU Azure creates; use one of ${skus.join(", ")}`);
  if (gw.bgpAsn !== undefined && reservedAsn(gw.bgpAsn, true)) add("hub.gateway.bgpAsn", `${gw.bgpAsn} is reserved by Azure or IANA; use a private ASN such as 65010 (or 65515, Azure's default)`);
  if (gw.type === "ExpressRoute") {
    if (!gw.circuitId) add("hub.gateway.circuitId", "is required for an ExpressRoute gateway: the resource id of the circuit to connect");
    if (gw.sites.length > 0) add("hub.gateway.sites", "apply to a Vpn gateway only");
    if (gw.pointToSite) add("hub.gateway.pointToSite", "applies to a Vpn gateway only");
    return problems;
  }
  if (gw.circuitId) add("hub.gateway.circuitId", "applies to an ExpressRoute gateway only");
  if (gw.sites.length === 0 && !gw.pointToSite) add("hub.gateway.sites", "needs at least one on-premises site (or pointToSite) for a Vpn gateway");
  const onPremises = env.onPremises.map((r) => cidr(r));
  const names = new Map<string, number>();
  gw.sites.forEach((site, i) => {
    const at = `hub.gateway.sites.${i}`;
    const first = names.get(site.name);
    if (first !== undefined) add(`${at}.name`, `${quote(site.name)} is already the name of sites.${first}`);
    else names.set(site.name, i);
    const address = parseIp(site.address);
    if (!address.ok) add(`${at}.address`, `${quote(site.address)} is not an IPv4 address; give the device's public address`);
    else {
      const block = cidr(`${site.address}/32`);
      if (isPrivate(block) || reservedOverlap(block)) add(`${at}.address`, `${site.address} is not a public address; the VPN device must be reachable from Azure on a public IPv4 address`);
    }
    site.ranges.forEach((r, j) => {
      const parsed = cidr(r);
      if (!onPremises.some((o) => contains(o, parsed))) add(`${at}.ranges.${j}`, `${r} is not inside any onPremises range; list it in onPremises too (the firewall and the address plan work from onPremises)`);
    });
    if (site.bgp) {
      if (reservedAsn(site.bgp.asn) || site.bgp.asn === gw.bgpAsn) add(`${at}.bgp.asn`, `${site.bgp.asn} is reserved or equals the gateway's own ASN; use the device's private ASN, e.g. 65050`);
      if (gw.bgpAsn === undefined) add("hub.gateway.bgpAsn", `is required when sites.${i} speaks BGP`);
      const peer = parseIp(site.bgp.peerAddress);
      if (!peer.ok) add(`${at}.bgp.peerAddress`, `${quote(site.bgp.peerAddress)} is not an IPv4 address`);
      else {
        const problem = checkBgpPeer(env, site.bgp.peerAddress, peer.value);
        if (problem) add(`${at}.bgp.peerAddress`, problem);
      }
    }
  });
  const pool = gw.pointToSite?.addressPool;
  // VPN clients cannot reach Azure's own DNS: they need a server in the hub that answers the private zones.
  if (pool && !env.hub.firewall.dnsProxy && (env.hub.subnets.dnsResolverInbound === undefined || env.hub.subnets.dnsResolverOutbound === undefined)) {
    add("hub.gateway.pointToSite", "gives VPN clients no DNS server that answers the private zones (Azure DNS is not reachable from them): keep hub.firewall.dnsProxy on, or add the DNS Private Resolver (hub.subnets.dnsResolverInbound and dnsResolverOutbound)");
  }
  if (pool && cidr(pool).prefix > 29) add("hub.gateway.pointToSite.addressPool", `${pool} is too small; the point-to-site pool needs a /29 or larger`);
  if (env.onPremises.length === 0 && gw.sites.length > 0) add("onPremises", "must list the on-premises ranges the gateway's sites reach");
  return problems;
}
/**
 * A BGP peer is the on-premises device, at an address the gateway reaches over the tunnel:
 * not an address Azure or the Internet reserve (but the APIPA range Azure's VPN gateways
 * peer from, 169.254.21.0-169.254.22.255), and not inside the hub, a spoke or the
 * point-to-site pool.
 */
export function checkBgpPeer(env: Environment, text: string, ip: bigint): string | undefined {
  const block = cidr(`${text}/32`);
  const apipa = containsIp(cidr("169.254.21.0/24"), ip) || containsIp(cidr("169.254.22.0/24"), ip);
  const reserved = apipa ? undefined : reservedOverlap(block);
  if (reserved) return `${text} is in ${reserved.block.text}, which ${reserved.why}; give the on-premises device's BGP address (an APIPA address 169.254.21.x-169.254.22.x is allowed)`;
  const inside = [
    ...env.hub.addressSpace.map((t, i) => ({ path: `hub.addressSpace.${i}`, t })),
    ...env.spokes.flatMap((sp, i) => sp.addressSpace.map((t, j) => ({ path: `spokes.${i}.addressSpace.${j}`, t }))),
    ...(env.hub.gateway?.pointToSite ? [{ path: "hub.gateway.pointToSite.addressPool", t: env.hub.gateway.pointToSite.addressPool }] : []),
  ].find((r) => containsIp(cidr(r.t), ip));
  if (inside) return `${text} is inside ${inside.path} ${inside.t}, an Azure address; the BGP peer is the on-premises device, at an address of its own`;
  return undefined;
}
