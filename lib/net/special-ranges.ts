/**
 * Address ranges with a meaning of their own, as data: those Azure or AKS reserve or cannot
 * route (refused in any VNet, subnet, Kubernetes or on-premises range), and those that are
 * private (an allow rule may name them; anything else is public address space).
 *
 * Pure: no cdktf imports.
 */
import { type Cidr, cidr, contains, overlaps } from "./cidr";

/** A reserved range and why it cannot be used. */
export interface ReservedRange {
  readonly block: Cidr;
  readonly why: string;
}

const reserved = (text: string, why: string): ReservedRange => ({ block: cidr(text), why });

/**
 * Ranges that no VNet, subnet, service, pod or on-premises range may overlap. Sources: RFC 6890
 * (special-purpose registry), Microsoft Learn "Azure Virtual Network FAQ" (address ranges that
 * cannot be used) and AKS's network concepts (ranges the node or its bridges use).
 */
export const RESERVED_RANGES: readonly ReservedRange[] = [
  reserved("0.0.0.0/8", "is 'this network' (RFC 1122); not routable"),
  reserved("127.0.0.0/8", "is loopback (RFC 1122); Azure refuses it in a VNet"),
  reserved("168.63.129.16/32", "is Azure's platform address (DNS, DHCP, health probes); Azure refuses it in a VNet"),
  reserved("169.254.0.0/16", "is link-local (RFC 3927); Azure refuses it in a VNet and AKS uses it on every node"),
  reserved("172.30.0.0/16", "is reserved by AKS; Microsoft says not to use it for VNets, services or pods"),
  reserved("172.31.0.0/16", "is reserved by AKS; Microsoft says not to use it for VNets, services or pods"),
  reserved("192.0.0.0/24", "is IETF protocol assignments (RFC 6890); not routable"),
  reserved("192.0.2.0/24", "is TEST-NET-1, documentation only (RFC 5737); AKS refuses it"),
  reserved("198.18.0.0/15", "is for benchmarking (RFC 2544); not routable"),
  reserved("198.51.100.0/24", "is TEST-NET-2, documentation only (RFC 5737)"),
  reserved("203.0.113.0/24", "is TEST-NET-3, documentation only (RFC 5737)"),
  reserved("224.0.0.0/4", "is multicast (RFC 5771); Azure refuses it in a VNet"),
  reserved("240.0.0.0/4", "is reserved for future use (RFC 1112), including the broadcast address; Azure refuses it"),
];

/** Private address space: RFC 1918 and RFC 6598 shared address space. */
export const PRIVATE_RANGE_TEXTS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;
export const PRIVATE_RANGES: readonly Cidr[] = PRIVATE_RANGE_TEXTS.map(cidr);

/** The first reserved range a block overlaps, if any. */
export function reservedOverlap(block: Cidr): ReservedRange | undefined {
  return RESERVED_RANGES.find((r) => overlaps(r.block, block));
}

/** True when the block lies wholly inside private address space (RFC 1918, RFC 6598, or a declared range). */
export function isPrivate(block: Cidr, declared: readonly Cidr[] = []): boolean {
  return [...PRIVATE_RANGES, ...declared].some((p) => contains(p, block));
}
