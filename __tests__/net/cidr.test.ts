import { azureUsableAddresses, cidr, contains, containsIp, firstAzureHostIp, nthAddress, overlaps, parseCidr, parseIp } from "../../lib/net/cidr";

describe("parseCidr", () => {
  it.each(["10.0.0.0/22", "192.168.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "10.0.0.4/32"])("accepts the network address %s", (text) => {
    const parsed = parseCidr(text);
    expect(parsed).toEqual(expect.objectContaining({ ok: true }));
  });

  it.each([
    ["10.0.0.1/24", "host bits set; the block that contains it is 10.0.0.0/24"],
    ["10.0.0.0", "not an IPv4 CIDR block"],
    ["10.0.0.0/33", "not an IPv4 CIDR block"],
    ["300.0.0.0/8", "not an IPv4 CIDR block"],
    ["10.0.0/8", "not an IPv4 CIDR block"],
    ["fd00::/8", "not an IPv4 CIDR block"],
    [" 10.0.0.0/8", "not an IPv4 CIDR block"],
  ])("rejects %s, saying %s", (text, message) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});

describe("parseIp", () => {
  it.each([["10.2.0.10", true], ["10.2.0", false], ["10.2.0.10/32", false], ["256.1.1.1", false]])("%s valid: %s", (text, ok) => {
    expect(parseIp(text).ok).toBe(ok);
  });
});

describe("block relations", () => {
  it.each([
    ["10.0.0.0/22", "10.0.1.0/24", true],
    ["10.0.0.0/22", "10.0.4.0/22", false],
    ["10.0.0.0/22", "10.0.3.255/32", true],
    ["10.0.4.0/24", "10.0.0.0/16", true],
    ["192.168.0.0/16", "10.0.0.0/8", false],
  ])("%s overlaps %s: %s", (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected);
    expect(overlaps(cidr(b), cidr(a))).toBe(expected);
  });

  it.each([
    ["10.0.0.0/22", "10.0.1.0/24", true],
    ["10.0.1.0/24", "10.0.0.0/22", false],
    ["10.0.0.0/22", "10.0.3.0/24", true],
    ["10.0.0.0/22", "10.0.4.0/24", false],
  ])("%s contains %s: %s", (outer, inner, expected) => {
    expect(contains(cidr(outer), cidr(inner))).toBe(expected);
  });

  it("knows whether an address lies in a block", () => {
    const block = cidr("10.2.0.0/24");
    expect(containsIp(block, (parseIp("10.2.0.255") as { value: bigint }).value)).toBe(true);
    expect(containsIp(block, (parseIp("10.2.1.0") as { value: bigint }).value)).toBe(false);
  });
});

describe("Azure subnet arithmetic", () => {
  it.each([
    ["10.0.0.0/26", "10.0.0.4"],
    ["10.0.2.16/28", "10.0.2.20"],
    ["172.16.255.0/24", "172.16.255.4"],
  ])("the first address Azure hands out in %s is %s", (subnet, first) => {
    expect(firstAzureHostIp(cidr(subnet))).toBe(first);
  });

  it.each([
    ["10.0.0.0/24", 251],
    ["10.0.0.0/29", 3],
    ["10.0.0.0/32", 0],
  ])("%s has %d usable addresses", (subnet, usable) => {
    expect(azureUsableAddresses(cidr(subnet))).toBe(usable);
  });

  it("refuses an offset past the end of the block", () => {
    expect(() => nthAddress(cidr("10.0.0.0/30"), 4)).toThrow("10.0.0.0/30 has no address at offset 4");
  });
});
