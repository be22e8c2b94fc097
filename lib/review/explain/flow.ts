/** A question to explain and its answer; matching addresses, names and ports as Azure does. */
import { type Cidr, containsIp, parseCidr, parseIp } from "../../net/cidr";

export type Protocol = "tcp" | "udp" | "http" | "https";
export interface Flow {
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: Protocol;
}
export interface Explanation {
  readonly verdict: "allow" | "deny";
  /** `group/collection/rule` for a firewall rule, `nsg/<name>/<rule>` for an NSG rule; null when nothing matched. */
  readonly rule: string | null;
  /** The hops, in words. */
  readonly path: string[];
  /** Why, in one sentence. */
  readonly reason: string;
}
/** A mistake in the question (unknown spoke, malformed destination): one line, listing what is valid. */
export class ExplainError extends Error {}
/** Parses `host-or-ip:port[/protocol]`. The protocol defaults to https on 443, http on 80, tcp otherwise. */
export function parseDestination(text: string): { host: string; port: number; protocol: Protocol } {
  const match = /^([A-Za-z0-9.*-]+):(\d{1,5})(?:\/(tcp|udp|http|https))?$/i.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) throw new ExplainError(`--to ${JSON.stringify(text)}: write host-or-ip:port[/tcp|udp|http|https], e.g. mcr.microsoft.com:443/https`);
  const protocol = (match[3]?.toLowerCase() as Protocol | undefined) ?? (port === 443 ? "https" : port === 80 ? "http" : "tcp");
  return { host: match[1].toLowerCase(), port, protocol };
}
export const blocks = (texts: string[]): Cidr[] => texts.flatMap((t) => {
  const p = parseCidr(t);
  return p.ok ? [p.value] : [];
});
/** True when a firewall or NSG address matches the destination (or source) address. */
export function addressMatches(pattern: string, ip: bigint | undefined): boolean {
  if (pattern === "*" || pattern === "Any" || pattern === "0.0.0.0/0") return true;
  if (ip === undefined) return false;
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(pattern);
  if (range) {
    const [lo, hi] = [parseIp(range[1]), parseIp(range[2])];
    return lo.ok && hi.ok && lo.value <= ip && ip <= hi.value;
  }
  const block = parseCidr(pattern.includes("/") ? pattern : `${pattern}/32`);
  return block.ok && containsIp(block.value, ip);
}
/** True when a host name matches an FQDN pattern as Azure Firewall matches it: exactly, or by a leading `*.`, or `*`. */
export function fqdnMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === "*") return true;
  return p.startsWith("*.") ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
}
export function portMatches(ports: string[], port: number): boolean {
  return ports.some((p) => {
    if (p === "*") return true;
    const [lo, hi] = p.split("-").map(Number);
    return hi === undefined ? lo === port : lo <= port && port <= hi;
  });
}
