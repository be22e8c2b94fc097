/**
 * Whole-environment address-plan checks: every subnet inside its VNet, no overlaps within a
 * VNet or between VNets and on-premises ranges, Kubernetes ranges clear of all of them,
 * Azure's minimum subnet sizes, and enough node-subnet addresses for the node pools.
 *
 * Pure: takes a schema-valid environment, returns every problem found (never throws).
 */
import type { Problem } from "../core/problem";
import { DEFAULTS } from "../domain/defaults";
import { type Environment, MAX_SERVICE_CIDR_PREFIX, MIN_SERVICE_CIDR_PREFIX } from "./schema";
import { azureUsableAddresses, type Cidr, cidr, contains, containsIp, formatIp, overlaps, parseIp } from "../net/cidr";
import { isPrivate, reservedOverlap } from "../net/special-ranges";

/** The largest range that may be declared private: no organisation holds more. */
export const MIN_DECLARED_PRIVATE_PREFIX = 8;

/** A CIDR block with the field it came from, so that errors can name both sides. */
interface Placed {
  readonly path: string;
  readonly block: Cidr;
  /** Which network owns it: `hub`, a spoke name, `onPremises`, or a cluster range. */
  readonly owner: string;
}

/**
 * Size rules Azure enforces for special subnets, as the largest prefix length allowed
 * (a /26 rule means /26 or larger, i.e. prefix <= 26) and, where there is one, the smallest.
 */
export const SUBNET_SIZE_RULES: Record<string, { maxPrefix: number; minPrefix?: number; what: string }> = {
  "hub.subnets.firewall": { maxPrefix: 26, what: "AzureFirewallSubnet" },
  "hub.subnets.firewallManagement": { maxPrefix: 26, what: "AzureFirewallManagementSubnet" },
  "hub.subnets.bastion": { maxPrefix: 26, what: "AzureBastionSubnet" },
  "hub.subnets.dnsResolverInbound": { maxPrefix: 28, minPrefix: 24, what: "a DNS Private Resolver endpoint subnet" },
  "hub.subnets.dnsResolverOutbound": { maxPrefix: 28, minPrefix: 24, what: "a DNS Private Resolver endpoint subnet" },
  "hub.subnets.gateway": { maxPrefix: 27, what: "GatewaySubnet" },
  // Learn, "API Server VNet Integration": a /28 at least; AKS reserves nine or more addresses there.
  "spokes[].subnets.apiServer": { maxPrefix: 28, what: "the API server subnet (API Server VNet Integration)" },
};

/** Azure's smallest subnet. */
export const MIN_SUBNET_PREFIX = 29;

/** AKS's default pod range in overlay mode. */
export const DEFAULT_POD_CIDR = DEFAULTS.podCidr;

/** Surge capacity per pool during upgrades: the max surge every pool is given. */
const UPGRADE_SURGE_NODES = DEFAULTS.nodePool.maxSurge;

export function checkAddressPlan(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const networks: Placed[] = [];

  const vnet = (owner: string, base: string, addressSpace: string[], subnets: Record<string, string | undefined>) => {
    const spaces = addressSpace.map((text, i) => ({ path: `${base}.addressSpace.${i}`, block: cidr(text), owner }));
    networks.push(...spaces);
    pairwise(spaces, (a, b) =>
      problems.push({ path: b.path, message: `${b.block.text} overlaps ${a.path} ${a.block.text}; the blocks of one address space must be disjoint` }),
    );

    const placed: Placed[] = [];
    for (const [role, text] of Object.entries(subnets)) {
      if (text === undefined) continue;
      const path = `${base}.subnets.${role}`;
      const block = cidr(text);
      placed.push({ path, block, owner });
      if (!spaces.some((s) => contains(s.block, block))) {
        problems.push({
          path,
          message: `${block.text} is not inside ${base}.addressSpace (${addressSpace.join(", ")}); choose a range inside it`,
        });
      }
      const rule = SUBNET_SIZE_RULES[path] ?? SUBNET_SIZE_RULES[path.replace(/^spokes\.\d+\./, "spokes[].")];
      if (rule && block.prefix > rule.maxPrefix) {
        problems.push({ path, message: `${block.text} is too small for ${rule.what}; Azure needs at least a /${rule.maxPrefix}` });
      } else if (rule?.minPrefix !== undefined && block.prefix < rule.minPrefix) {
        problems.push({ path, message: `${block.text} is too large for ${rule.what}; Azure allows /${rule.maxPrefix} to /${rule.minPrefix}` });
      } else if (block.prefix > MIN_SUBNET_PREFIX) {
        problems.push({ path, message: `${block.text} is smaller than Azure's smallest subnet, a /${MIN_SUBNET_PREFIX}` });
      }
    }
    pairwise(placed, (a, b) =>
      problems.push({ path: b.path, message: `${b.block.text} overlaps ${a.path} ${a.block.text}; subnets of one VNet must not overlap` }),
    );
    return placed;
  };

  // Declared private ranges: named on purpose, never "everything".
  const declared = env.privateRanges.map((text, i) => ({ path: `privateRanges.${i}`, block: cidr(text) }));
  for (const d of declared) {
    if (d.block.prefix < MIN_DECLARED_PRIVATE_PREFIX) {
      problems.push({ path: d.path, message: `${d.block.text} is larger than a /${MIN_DECLARED_PRIVATE_PREFIX}; declare only the blocks your organisation routes privately` });
    }
  }
  // Each entry is bounded, and so is the sum: many blocks of a /8 each would declare billions
  // of public addresses private (and admit them as on-premises sources through the firewall).
  const declaredAddresses = unionSize(declared.map((d) => d.block));
  const mostDeclared = 2n ** BigInt(32 - MIN_DECLARED_PRIVATE_PREFIX);
  if (declaredAddresses > mostDeclared) {
    problems.push({ path: "privateRanges", message: `declares ${declaredAddresses} addresses in all; at most ${mostDeclared} (one /${MIN_DECLARED_PRIVATE_PREFIX}) may be declared private: list only the blocks your organisation routes privately` });
  }
  const privateSpace = declared.map((d) => d.block);

  vnet("hub", "hub", env.hub.addressSpace, env.hub.subnets);
  const spokeSubnets = env.spokes.map((s, i) => vnet(s.name, `spokes.${i}`, s.addressSpace, s.subnets));
  env.onPremises.forEach((text, i) => networks.push({ path: `onPremises.${i}`, block: cidr(text), owner: `onPremises.${i}` }));
  const pool = env.hub.gateway?.pointToSite?.addressPool;
  if (pool) networks.push({ path: "hub.gateway.pointToSite.addressPool", block: cidr(pool), owner: "pointToSite" });

  // On-premises ranges become sources of allow rules (SSH to the jumpbox): they must be private.
  networks.filter((n) => n.path.startsWith("onPremises.") || n.owner === "pointToSite").forEach((n) => {
    if (!isPrivate(n.block, privateSpace)) {
      problems.push({
        path: n.path,
        message: `${n.block.text} is public address space; ${n.owner === "pointToSite" ? "the point-to-site pool" : "on-premises ranges"} must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) or declared in privateRanges`,
      });
    }
  });

  // VNets and on-premises ranges must be disjoint, or peering and routing cannot work.
  pairwise(networks, (a, b) => {
    if (a.owner === b.owner) return; // reported above, as an overlap inside one address space
    problems.push({
      path: b.path,
      message: `${b.block.text} overlaps ${a.path} ${a.block.text}; peered networks and on-premises ranges must not overlap`,
    });
  });

  env.spokes.forEach((spoke, i) => {
    const base = `spokes.${i}.cluster`;
    const c = spoke.cluster;
    const service: Placed = { path: `${base}.serviceCidr`, block: cidr(c.serviceCidr), owner: "service" };
    const ranges: Placed[] = [service];
    if (c.networkPluginMode === "overlay") {
      const pod = c.podCidr ?? DEFAULT_POD_CIDR;
      ranges.push({ path: c.podCidr ? `${base}.podCidr` : `${base}.podCidr (default ${DEFAULT_POD_CIDR})`, block: cidr(pod), owner: "pod" });
    }
    for (const range of ranges) {
      for (const net of networks) {
        if (overlaps(range.block, net.block)) {
          problems.push({
            path: range.path,
            message: `${range.block.text} overlaps ${net.path} ${net.block.text}; cluster-internal ranges must be outside every VNet and on-premises range`,
          });
        }
      }
    }
    pairwise(ranges, (a, b) => problems.push({ path: b.path, message: `${b.block.text} overlaps ${a.path} ${a.block.text}` }));
    if (service.block.prefix > MAX_SERVICE_CIDR_PREFIX) {
      problems.push({ path: service.path, message: `${service.block.text} is too small for the cluster's services; use a /${MAX_SERVICE_CIDR_PREFIX} or larger, e.g. 10.2.0.0/24` });
    } else if (service.block.prefix < MIN_SERVICE_CIDR_PREFIX) {
      problems.push({ path: service.path, message: `${service.block.text} is too large; AKS needs a service range smaller than a /12, e.g. 10.2.0.0/24` });
    }

    if (c.dnsServiceIp !== "") {
      const ip = parseIp(c.dnsServiceIp);
      if (ip.ok) {
        const block = service.block;
        if (!containsIp(block, ip.value)) {
          problems.push({ path: `${base}.dnsServiceIp`, message: `${c.dnsServiceIp} is not inside serviceCidr ${block.text}; pick an address inside it, e.g. ${formatIp(block.first + 10n)}` });
        } else if (ip.value === block.first || ip.value === block.first + 1n || ip.value === block.last) {
          problems.push({
            path: `${base}.dnsServiceIp`,
            message: `${c.dnsServiceIp} is reserved in ${block.text} (network address, the kubernetes service's first address, or broadcast); use e.g. ${formatIp(block.first + 10n)}`,
          });
        }
      }
    }

    // Node subnet capacity: every node takes one address; with plain Azure CNI each pod does too.
    const nodes = spokeSubnets[i].find((p) => p.path.endsWith(".subnets.nodes"));
    if (nodes) {
      const pools = [c.systemPool, ...c.userPools];
      const perNode = (maxPods: number) => (c.networkPluginMode === "overlay" ? 1 : maxPods + 1);
      const needed = pools.reduce((sum, p) => sum + (p.maxCount + UPGRADE_SURGE_NODES) * perNode(p.maxPods), 0);
      const usable = azureUsableAddresses(nodes.block);
      if (needed > usable) {
        problems.push({
          path: nodes.path,
          message:
            `${nodes.block.text} has ${usable} usable addresses but the node pools need up to ${needed} ` +
            `(max nodes + 1 surge per pool, ${c.networkPluginMode === "overlay" ? "1 address per node" : "maxPods + 1 addresses per node"}); ` +
            `use a larger subnet${c.networkPluginMode === "overlay" ? "" : ", networkPluginMode: overlay,"} or fewer nodes`,
        });
      }
    }
  });

  // No range may overlap what Azure or AKS reserve.
  const ranges: { path: string; text: string }[] = [
    ...env.hub.addressSpace.map((t, i) => ({ path: `hub.addressSpace.${i}`, text: t })),
    ...Object.entries(env.hub.subnets).filter(([, t]) => t !== undefined).map(([role, t]) => ({ path: `hub.subnets.${role}`, text: t as string })),
    ...env.onPremises.map((t, i) => ({ path: `onPremises.${i}`, text: t })),
    ...(pool ? [{ path: "hub.gateway.pointToSite.addressPool", text: pool }] : []),
    ...env.privateRanges.map((t, i) => ({ path: `privateRanges.${i}`, text: t })),
    ...env.spokes.flatMap((sp, i) => [
      ...sp.addressSpace.map((t, j) => ({ path: `spokes.${i}.addressSpace.${j}`, text: t })),
      ...Object.entries(sp.subnets).filter(([, t]) => t !== undefined).map(([role, t]) => ({ path: `spokes.${i}.subnets.${role}`, text: t as string })),
      { path: `spokes.${i}.cluster.serviceCidr`, text: sp.cluster.serviceCidr },
      ...(sp.cluster.networkPluginMode === "overlay" ? [{ path: sp.cluster.podCidr ? `spokes.${i}.cluster.podCidr` : `spokes.${i}.cluster.podCidr (default ${DEFAULT_POD_CIDR})`, text: sp.cluster.podCidr ?? DEFAULT_POD_CIDR }] : []),
    ]),
  ];
  for (const r of ranges) {
    const hit = reservedOverlap(cidr(r.text));
    if (hit) problems.push({ path: r.path, message: `${r.text} overlaps ${hit.block.text}, which ${hit.why}; choose another range` });
  }
  // VNets and cluster ranges are private too: a public range there would shadow real Internet addresses.
  for (const r of ranges.filter((x) => !x.path.startsWith("onPremises.") && !x.path.startsWith("privateRanges.") && !x.path.startsWith("hub.gateway."))) {
    const block = cidr(r.text);
    if (!reservedOverlap(block) && !isPrivate(block, privateSpace)) {
      problems.push({ path: r.path, message: `${r.text} is public address space; use private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) or declare it in privateRanges` });
    }
  }
  return problems;
}

/** How many addresses some blocks cover together, overlaps counted once. */
function unionSize(blocks: Cidr[]): bigint {
  const sorted = [...blocks].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let total = 0n;
  let end = -1n;
  for (const b of sorted) {
    if (b.last <= end) continue;
    total += b.last - (b.first > end ? b.first : end + 1n) + 1n;
    end = b.last;
  }
  return total;
}

function pairwise(items: Placed[], report: (a: Placed, b: Placed) => void): void {
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (overlaps(items[i].block, items[j].block)) report(items[i], items[j]);
    }
  }
}

/** A problem of one file of a set of environments synthesized together. */
export interface SetProblem {
  readonly file: string;
  readonly problem: Problem;
}

/**
 * Environments synthesized together (several regions, one hub each) must not collide: names
 * differ (they prefix every stack id and resource), and no hub or spoke range of one overlaps a
 * hub or spoke range of another (their hubs may be peered, and on-premises routes to all).
 */
export function checkEnvironmentSet(set: { file: string; env: Environment }[]): SetProblem[] {
  const problems: SetProblem[] = [];
  const names = new Map<string, string>();
  const ranges: { file: string; path: string; block: Cidr }[] = [];
  for (const { file, env } of set) {
    const first = names.get(env.name);
    if (first !== undefined) problems.push({ file, problem: { path: "name", message: `"${env.name}" is already the name of the environment in ${first}; environments synthesized together need different names` } });
    else names.set(env.name, file);
    const mine = [
      ...env.hub.addressSpace.map((t, i) => ({ file, path: `hub.addressSpace.${i}`, block: cidr(t) })),
      ...env.spokes.flatMap((sp, i) => sp.addressSpace.map((t, j) => ({ file, path: `spokes.${i}.addressSpace.${j}`, block: cidr(t) }))),
    ];
    for (const r of mine) {
      const clash = ranges.find((o) => overlaps(o.block, r.block));
      if (clash) problems.push({ file, problem: { path: r.path, message: `${r.block.text} overlaps ${clash.block.text} (${clash.path} of ${clash.file}); environments synthesized together must not overlap` } });
    }
    ranges.push(...mine);
  }
  // One region's on-premises ranges and point-to-site clients are reached over its gateway:
  // they must not be another region's VNets.
  for (const { file, env } of set) {
    const remote = [...env.onPremises.map((text, i) => ({ path: `onPremises.${i}`, text, what: "on-premises ranges" }))];
    const pool = env.hub.gateway?.pointToSite?.addressPool;
    if (pool) remote.push({ path: "hub.gateway.pointToSite.addressPool", text: pool, what: "the point-to-site pool" });
    for (const { path, text, what } of remote) {
      const block = cidr(text);
      const clash = ranges.find((r) => r.file !== file && overlaps(r.block, block));
      if (clash) problems.push({ file, problem: { path, message: `${block.text} overlaps ${clash.block.text} (${clash.path} of ${clash.file}), a VNet of an environment synthesized together; ${what} must be outside every region's VNets` } });
    }
  }
  return problems;
}
