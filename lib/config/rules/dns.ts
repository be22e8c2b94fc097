/** DNS: the resolver, forwarding rules and application zones. */
import { DOCKER_HUB } from "../../domain/image";
import { AKS_EGRESS_CATALOG, FQDN_TAG_CONTENTS } from "../../domain/aks-egress-catalog";
import { cidr, containsIp, parseIp } from "../../net/cidr";
import { isPrivate, reservedOverlap } from "../../net/special-ranges";
import { getPublicSuffix } from "tldts";
import { type Problem, quote } from "../../core/problem";
import { type Environment } from "../schema";

/** A forwarding rule's domain: labels separated by dots, ending with the dot. */
const FORWARD_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+$/i;
/** The DNS Private Resolver, its forwarding rules and the application zones. */
export function checkDns(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const sub = env.hub.subnets;
  const resolver = sub.dnsResolverInbound !== undefined || sub.dnsResolverOutbound !== undefined;
  if (resolver && sub.dnsResolverInbound === undefined) add("hub.subnets.dnsResolverInbound", "is required with hub.subnets.dnsResolverOutbound; the resolver needs both endpoints");
  if (resolver && sub.dnsResolverOutbound === undefined) add("hub.subnets.dnsResolverOutbound", "is required with hub.subnets.dnsResolverInbound; the resolver needs both endpoints");
  if (env.hub.dns.forwarding.length > 0 && !resolver) {
    add(
      "hub.dns.forwarding",
      env.hub.existing
        ? "must not be set with hub.existing: forwarding rules belong to the existing hub's DNS resolver; add them there"
        : "needs the DNS Private Resolver; set hub.subnets.dnsResolverInbound and hub.subnets.dnsResolverOutbound (/28 each)",
    );
  }
  const domains = new Map<string, number>();
  env.hub.dns.forwarding.forEach((rule, i) => {
    const base = `hub.dns.forwarding.${i}`;
    if (!FORWARD_DOMAIN.test(rule.domain)) {
      add(`${base}.domain`, `${quote(rule.domain)} must be a fully qualified domain name ending with a dot, e.g. onprem.example.com.`);
    }
    const key = rule.domain.toLowerCase();
    const first = domains.get(key);
    if (first !== undefined) add(`${base}.domain`, `${quote(rule.domain)} is already forwarded by hub.dns.forwarding.${first}`);
    else domains.set(key, i);
    rule.targets.forEach((t, j) => {
      const problem = checkTarget(t);
      // On-premises DNS servers: private addresses, reached through the gateway.
      const ip = t.split(":")[0];
      if (problem) add(`${base}.targets.${j}`, problem);
      else if (!isPrivate(cidr(`${ip}/32`), env.privateRanges.map((r) => cidr(r)))) add(`${base}.targets.${j}`, `${quote(t)} is a public address: forwarding sends these names to your own (on-premises) DNS servers, at private addresses; give theirs`);
      else if (env.onPremises.length > 0 && !env.onPremises.some((range) => containsIp(cidr(range), (parseIp(ip) as { ok: true; value: bigint }).value))) {
        add(`${base}.targets.${j}`, `${quote(t)} is not inside any onPremises range (${env.onPremises.join(", ")}): the resolver reaches on-premises DNS servers through the gateway, which routes only those; give a server there, or add its range to onPremises`);
      }
    });
  });

  const zones = new Map<string, number>();
  env.hub.dns.zones.forEach((z, i) => {
    const key = z.toLowerCase();
    const first = zones.get(key);
    if (first !== undefined) add(`hub.dns.zones.${i}`, `${quote(z)} is already listed as hub.dns.zones.${first}`);
    else zones.set(key, i);
    if (key.startsWith("privatelink.")) add(`hub.dns.zones.${i}`, `${quote(z)} is a Private Link zone; application zones must not start with privatelink.`);
    else {
      const shadow = shadowedNames(key);
      if (shadow) add(`hub.dns.zones.${i}`, `${quote(z)} ${shadow}; a private zone linked to every VNet would answer for those names instead of the public DNS, and the clusters need them: choose a zone of your own, e.g. corp.internal`);
    }
  });
  return problems;
}
/** Parses `ip` or `ip:port` (port 53 when left out). */
export function parseTarget(target: string): { ip: string; port: number } {
  const [ip, port] = target.split(":");
  return { ip, port: port === undefined ? 53 : Number(port) };
}
export function checkTarget(target: string): string | undefined {
  const parts = target.split(":");
  const ip = parseIp(parts[0]);
  if (parts.length > 2 || !ip.ok) return `${quote(target)} must be ip or ip:port, e.g. 192.168.0.4:53`;
  const reserved = reservedOverlap(cidr(`${parts[0]}/32`));
  if (reserved) return `${quote(target)} is in ${reserved.block.text}, which ${reserved.why}; give your DNS servers' addresses`;
  if (parts.length === 2) {
    const port = Number(parts[1]);
    if (!/^\d+$/.test(parts[1]) || port < 1 || port > 65535) return `${quote(target)} has an invalid port; use 1-65535, usually 53`;
  }
  return undefined;
}
/**
 * Names a private zone must not take: Microsoft's own domains (and what is under them), any
 * host the egress catalog allows (or a domain above one: the zone would hold it), and public
 * suffixes. Returns why, or undefined.
 */
function shadowedNames(zone: string): string | undefined {
  if (getPublicSuffix(zone, { allowPrivateDomains: false }) === zone) return "is a public suffix";
  const owner = MICROSOFT_DOMAINS.find((d) => zone === d || zone.endsWith(`.${d}`));
  if (owner === "azmk8s.io") return "is under azmk8s.io, AKS's own domain (the product creates the privatelink. and private. zones the clusters need)";
  if (owner) return `is under ${owner}, a Microsoft domain`;
  const host = CATALOG_HOSTS.find((h) => h === zone || h.endsWith(`.${zone}`));
  if (host) return `holds ${host}, which the clusters reach on the Internet through the firewall`;
  return undefined;
}
/** Domains Microsoft serves Azure, Entra ID and its registries from. */
const MICROSOFT_DOMAINS = [
  "microsoft.com", "microsoftonline.com", "microsoftonline-p.com", "windows.net", "windows.com", "azure.com", "azure.net", "azurecr.io", "azmk8s.io",
  "azureedge.net", "azurefd.net", "msftauth.net", "msauth.net", "msecnd.net", "live.com", "office.com", "office365.com", "visualstudio.com",
  "azure-api.net", "azurewebsites.net", "trafficmanager.net", "cloudapp.net", "windowsazure.com", "microsoftazuread-sso.com", "azure-automation.net",
];
/** Every host the egress catalog may allow, wildcards as the domain they stand under (`{location}` left as a label). */
const CATALOG_HOSTS: readonly string[] = [
  ...AKS_EGRESS_CATALOG.flatMap((g) => g.entries).flatMap((e) => e.fqdns ?? []),
  ...Object.values(FQDN_TAG_CONTENTS).flat(),
  DOCKER_HUB,
].map((h) => h.toLowerCase().replace(/^\*\./, ""));
