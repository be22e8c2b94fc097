/**
 * IPv4 address math for the address plan, over the `ip-address` library.
 *
 * Pure: no cdktf imports, no I/O. Every function takes and returns plain values so the
 * address-plan checks and the constructs can share it.
 */
import { Address4 } from "ip-address";
import { quote } from "../core/problem";

/** A parsed IPv4 CIDR block: its canonical text and its first and last address as numbers. */
export interface Cidr {
  /** Canonical text, e.g. `10.0.0.0/22`. */
  readonly text: string;
  /** Prefix length, 0 to 32. */
  readonly prefix: number;
  /** The network address, as a number. */
  readonly first: bigint;
  /** The last address of the block (the broadcast address), as a number. */
  readonly last: bigint;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const CIDR_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IP_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses `a.b.c.d/n`. Rejects anything that is not an IPv4 network address in canonical
 * form: a block whose host bits are set (`10.0.0.1/24`) is an error that names the
 * network address it probably meant, because Azure rejects such prefixes.
 */
export function parseCidr(text: string): Parsed<Cidr> {
  if (typeof text !== "string" || !CIDR_SHAPE.test(text) || !Address4.isValid(text)) {
    return { ok: false, error: `${quote(text)} is not an IPv4 CIDR block; write it as a.b.c.d/n, e.g. 10.0.0.0/24` };
  }
  const address = new Address4(text);
  if (address.subnetMask > 32) {
    return { ok: false, error: `${quote(text)} has a prefix longer than /32` };
  }
  const network = address.startAddress();
  if (network.address !== address.addressMinusSuffix) {
    return {
      ok: false,
      error: `${quote(text)} has host bits set; the block that contains it is ${network.address}/${address.subnetMask}`,
    };
  }
  return {
    ok: true,
    value: {
      text: `${network.address}/${address.subnetMask}`,
      prefix: address.subnetMask,
      first: network.bigInt(),
      last: address.endAddress().bigInt(),
    },
  };
}

/** Parses a plain IPv4 address (no prefix). */
export function parseIp(text: string): Parsed<bigint> {
  if (typeof text !== "string" || !IP_SHAPE.test(text) || !Address4.isValid(text)) {
    return { ok: false, error: `${quote(text)} is not an IPv4 address; write it as a.b.c.d, e.g. 10.2.0.10` };
  }
  return { ok: true, value: new Address4(text).bigInt() };
}

/** Parses a CIDR block that is already known to be valid (the schema checked it). */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** True when every address of `inner` lies in `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/** True when the address lies in the block. */
export function containsIp(block: Cidr, ip: bigint): boolean {
  return block.first <= ip && ip <= block.last;
}

/** How many addresses the block holds. */
export function size(block: Cidr): bigint {
  return block.last - block.first + 1n;
}

/** Formats a numeric address as dotted quad. */
export function formatIp(ip: bigint): string {
  return Address4.fromBigInt(ip).address;
}

/** The address `offset` places after the network address (`offset` 0 is the network address). */
export function nthAddress(block: Cidr, offset: number): string {
  const ip = block.first + BigInt(offset);
  if (ip > block.last) {
    throw new Error(`${block.text} has no address at offset ${offset}`);
  }
  return formatIp(ip);
}

/**
 * Azure reserves five addresses in every subnet: the network address, the default
 * gateway (.1), two for Azure DNS (.2, .3) and the broadcast address. The first address
 * it hands out is therefore the network address + 4.
 */
export const AZURE_RESERVED_PER_SUBNET = 5;

/** The first address Azure assigns in a subnet (network address + 4), e.g. 10.0.0.4 in 10.0.0.0/26. */
export function firstAzureHostIp(subnet: Cidr): string {
  return nthAddress(subnet, 4);
}

/** Addresses Azure lets resources use in a subnet (its size less the five reserved). */
export function azureUsableAddresses(subnet: Cidr): number {
  return Math.max(0, Number(size(subnet)) - AZURE_RESERVED_PER_SUBNET);
}
