/**
 * The topology as one small graph (VNets with their subnets, peerings, the firewall, egress
 * routes, public IPs, clusters and app front ends), drawn twice from the same data: Mermaid for
 * the Markdown a pull request renders, DOT for the SVG Graphviz renders offline.
 */
import { SUBNET_NAMES } from "../domain/naming";
import type { Topology, Vnet } from "../output/topology";

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: "firewall" | "public-ip" | "internet" | "cluster" | "app" | "subnet" | "gateway" | "onprem" | "existing" | "spokes";
  /** The VNet (group) the node is drawn in. */
  readonly group?: string;
}

export interface GraphEdge {
  /** A node's id, or a group's (a VNet) when the edge starts at the VNet's border. */
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly style: "solid" | "dashed";
  /** Drawn both ways (a peering, a tunnel). */
  readonly both?: boolean;
}

export interface Graph {
  /** The VNets; the hub (the VNet with a firewall or gateway) is drawn right of its spokes. */
  readonly groups: { id: string; label: string; hub: boolean }[];
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/**
 * The picture: spokes on the left, each hub right of its spokes, the Internet (and
 * on-premises) on the right. A peering joins two VNets, border to border; a spoke's default
 * route to the firewall is one arrow from the spoke, labelled with the subnets it holds for.
 */
/**
 * From this many spokes on, a hub's spokes are drawn as one box ("56 spokes: ..."), with their
 * peering and default route: a picture of hundreds of VNets reads as noise, and lays out in
 * seconds where the rest of the review takes a fraction of one. The tables of the review
 * still list every spoke.
 */
export const MOST_SPOKES_DRAWN = 24;

export function buildGraph(full: Topology): Graph {
  const { t, summaries } = collapsed(full);
  const groups: Graph["groups"] = [];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<unknown, string>();
  const id = (thing: unknown, prefix: string) => {
    if (!ids.has(thing)) ids.set(thing, `${prefix}${ids.size}`);
    return ids.get(thing)!;
  };
  const hubs = hubVnets(t);
  for (const v of t.vnets) {
    const g = id(v, "v");
    groups.push({ id: g, label: `${v.name} (${v.resource.stack})\\n${v.addressSpace.join(", ")}`, hub: hubs.has(v) });
    for (const s of v.subnets) nodes.push({ id: id(s, "s"), label: `${s.name}\\n${s.prefixes.join(", ")}`, kind: "subnet", group: g });
  }
  const internet = t.publicIps.length > 0 || t.firewalls.length > 0;
  if (internet) nodes.push({ id: "internet", label: "Internet", kind: "internet" });
  for (const f of t.firewalls) {
    const subnet = firewallSubnet(t, f);
    const fw = id(f, "f");
    nodes.push({ id: fw, label: `Azure Firewall ${f.name}\\n${f.privateIp ?? "private IP unknown"}`, kind: "firewall", group: subnet?.vnet ? ids.get(subnet.vnet) : undefined });
    if (subnet) edges.push({ from: ids.get(subnet)!, to: fw, label: "", style: "solid" });
  }
  for (const gw of t.gateways) {
    const node = id(gw, "g");
    nodes.push({ id: node, label: `${gw.type === "ExpressRoute" ? "ExpressRoute" : "VPN"} gateway ${gw.name}`, kind: "gateway", group: gw.subnet?.vnet ? ids.get(gw.subnet.vnet) : undefined });
    if (gw.subnet) edges.push({ from: ids.get(gw.subnet)!, to: node, label: "", style: "solid" });
  }
  for (const p of t.publicIps) {
    const pip = id(p, "p");
    nodes.push({ id: pip, label: `public IP ${p.name}`, kind: "public-ip" });
    edges.push({ from: pip, to: "internet", label: "", style: "solid" });
    for (const owner of p.attachedTo) {
      const firewall = t.firewalls.find((f) => f.resource === owner);
      const gateway = t.gateways.find((g) => g.resource === owner);
      const subnet = t.subnets.find((s) => s.resource.stack === owner.stack && owner.type === "azurerm_bastion_host" && s.name === "AzureBastionSubnet");
      const from = firewall ? ids.get(firewall) : gateway ? ids.get(gateway) : subnet ? ids.get(subnet) : undefined;
      const label = firewall ? (firewall.egressIps.includes(p.resource) ? "egress SNAT" : "management") : gateway ? "tunnels" : owner.type === "azurerm_bastion_host" ? "Bastion" : owner.type.replace("azurerm_", "");
      if (from) edges.push({ from, to: pip, label, style: "solid" });
    }
  }
  if (t.onPremises.length > 0) {
    nodes.push({ id: "onprem", label: `on-premises\\n${t.onPremises.join(", ")}`, kind: "onprem" });
    const tunnels = t.gateways.flatMap((g) => g.publicIps.map((p) => ids.get(p)!));
    // Through the gateway's public IP (VPN), or, for an existing hub's gateway, to the hub itself.
    for (const pip of tunnels) edges.push({ from: pip, to: "onprem", label: "VPN / ExpressRoute", style: "dashed", both: true });
  }
  // A hub this output only attaches to (hub.existing): one node for each VNet peered with but not held.
  const existing = new Map<string, string>();
  for (const p of t.peerings.filter((x) => x.from && !x.to && typeof x.remoteVnetId === "string")) {
    const remote = p.remoteVnetId as string;
    if (!existing.has(remote)) {
      const node = `x${existing.size}`;
      existing.set(remote, node);
      nodes.push({ id: node, label: `existing hub ${remote.split("/").pop()}\\n(not in this output)`, kind: "existing" });
    }
    edges.push({ from: ids.get(p.from)!, to: existing.get(remote)!, label: "peering", style: "dashed", both: true });
  }
  if (t.onPremises.length > 0 && t.gateways.length === 0) for (const node of existing.values()) edges.push({ from: node, to: "onprem", label: "its gateway", style: "dashed", both: true });
  const seen = new Set<string>();
  for (const p of t.peerings) {
    if (!p.from || !p.to) continue;
    // Spoke first: the picture runs from spokes to their hub.
    const [a, b] = hubs.has(p.from) && !hubs.has(p.to) ? [ids.get(p.to)!, ids.get(p.from)!] : [ids.get(p.from)!, ids.get(p.to)!];
    const key = [a, b].sort().join("-");
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from: a, to: b, label: "peering", style: "dashed", both: true });
  }
  for (const f of t.firewalls) {
    const fw = ids.get(f)!;
    const bySpoke = new Map<string, string[]>();
    for (const rt of t.routeTables.filter((r) => r.routes.some((x) => x.prefix === "0.0.0.0/0" && x.nextHop === f.privateIp))) {
      for (const s of rt.subnets) {
        const group = s.vnet ? ids.get(s.vnet) : undefined;
        if (group === undefined) continue;
        // Inside the firewall's own VNet, the subnet itself; from a spoke, the spoke's border.
        if (nodes.find((n) => n.id === fw)?.group === group) edges.push({ from: ids.get(s)!, to: fw, label: "0.0.0.0/0", style: "solid" });
        else bySpoke.set(group, [...(bySpoke.get(group) ?? []), s.name]);
      }
    }
    for (const [group, subnets] of bySpoke) edges.push({ from: group, to: fw, label: `0.0.0.0/0 (${subnets.join(", ")})`, style: "solid" });
  }
  // Default routes to a firewall this output does not hold (an existing hub's).
  const held = new Set(t.firewalls.map((f) => f.privateIp));
  const toExisting = new Map<string, { nextHop: string; subnets: string[] }>();
  for (const rt of t.routeTables) {
    const route = rt.routes.find((x) => x.prefix === "0.0.0.0/0" && x.nextHop !== undefined && !held.has(x.nextHop));
    if (!route) continue;
    for (const s of rt.subnets) {
      const group = s.vnet ? ids.get(s.vnet) : undefined;
      if (group === undefined) continue;
      const entry = toExisting.get(group) ?? { nextHop: route.nextHop!, subnets: [] };
      entry.subnets.push(s.name);
      toExisting.set(group, entry);
    }
  }
  for (const [group, { nextHop, subnets }] of toExisting) {
    const target = [...existing.values()][0];
    if (target) edges.push({ from: group, to: target, label: `0.0.0.0/0 to its firewall ${nextHop} (${subnets.join(", ")})`, style: "solid" });
  }
  for (const c of t.clusters) {
    const node = id(c, "c");
    nodes.push({ id: node, label: `private AKS ${c.name}`, kind: "cluster", group: c.nodeSubnet?.vnet ? ids.get(c.nodeSubnet.vnet) : undefined });
    if (c.nodeSubnet) edges.push({ from: node, to: ids.get(c.nodeSubnet)!, label: "nodes", style: "solid" });
    if (c.apiServerSubnet) edges.push({ from: node, to: ids.get(c.apiServerSubnet)!, label: "API server", style: "solid" });
  }
  for (const svc of t.services.filter((s) => s.source.startsWith("manifests/") === false)) {
    const ip = svc.annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"];
    const subnet = t.subnets.find((s) => s.name === svc.annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] && svc.source.startsWith(s.resource.stack));
    const record = t.records.find((r) => r.addresses.includes(ip));
    const node = id(svc, "a");
    nodes.push({ id: node, label: `app ${svc.namespace}/${svc.name}\\n${record ? `${record.fqdn} ` : ""}${ip ?? ""}`, kind: "app", group: subnet?.vnet ? ids.get(subnet.vnet) : undefined });
    if (subnet) edges.push({ from: node, to: ids.get(subnet)!, label: "internal LB", style: "solid" });
  }
  for (const [i, { hub, spokes }] of summaries.entries()) {
    const node = `m${i}`;
    const names = spokes.map((v) => v.resource.stack).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    nodes.push({ id: node, label: `${spokes.length} spokes\\n${names[0]} ... ${names[names.length - 1]}`, kind: "spokes" });
    if (hub && ids.has(hub)) edges.push({ from: node, to: ids.get(hub)!, label: "peering (each)", style: "dashed", both: true });
    const firewall = hub ? full.firewalls.find((f) => firewallSubnet(full, f)?.vnet === hub) : undefined;
    const routed = firewall && full.routeTables.some((rt) => rt.subnets.some((s) => s.vnet && spokes.includes(s.vnet)) && rt.routes.some((r) => r.prefix === "0.0.0.0/0" && r.nextHop === firewall.privateIp));
    if (firewall && routed && ids.has(firewall)) edges.push({ from: node, to: ids.get(firewall)!, label: "0.0.0.0/0 (each)", style: "solid" });
  }
  return { groups, nodes, edges };
}

/** A firewall's AzureFirewallSubnet: the one of its own stack. */
function firewallSubnet(t: Topology, f: Topology["firewalls"][number]): Topology["subnets"][number] | undefined {
  return t.subnets.find((s) => s.name === SUBNET_NAMES.hub.firewall && s.resource.stack === f.resource.stack);
}

/** The hubs: the VNets that hold a firewall or a gateway. */
function hubVnets(t: Topology): Set<Vnet> {
  return new Set([...t.firewalls.map((f) => firewallSubnet(t, f)?.vnet), ...t.gateways.map((g) => g.subnet?.vnet)].filter((v): v is Vnet => v !== undefined));
}

/**
 * The topology as drawn: with more than {@link MOST_SPOKES_DRAWN} spokes, each hub's spokes
 * (and what lives in them) leave the picture, summed up by hub.
 */
function collapsed(t: Topology): { t: Topology; summaries: { hub?: Vnet; spokes: Vnet[] }[] } {
  const hubs = hubVnets(t);
  const spokes = t.vnets.filter((v) => !hubs.has(v));
  if (spokes.length <= MOST_SPOKES_DRAWN) return { t, summaries: [] };
  const hubOf = (v: Vnet) => t.peerings.find((p) => p.from === v && p.to && hubs.has(p.to))?.to;
  const byHub = new Map<Vnet | undefined, Vnet[]>();
  for (const v of spokes) byHub.set(hubOf(v), [...(byHub.get(hubOf(v)) ?? []), v]);
  const gone = new Set(spokes);
  const kept = (v: Vnet | undefined) => v === undefined || !gone.has(v);
  const reduced: Topology = {
    ...t,
    vnets: t.vnets.filter((v) => kept(v)),
    subnets: t.subnets.filter((s) => kept(s.vnet)),
    peerings: t.peerings.filter((p) => kept(p.from) && kept(p.to)),
    routeTables: t.routeTables.filter((rt) => rt.subnets.every((s) => kept(s.vnet))),
    clusters: t.clusters.filter((c) => kept(c.nodeSubnet?.vnet)),
    services: t.services.filter((svc) => !spokes.some((v) => svc.source.startsWith(`${v.resource.stack}-apps`) || svc.source.startsWith(`${v.resource.stack}/`))),
  };
  return { t: reduced, summaries: [...byHub].map(([hub, list]) => ({ hub, spokes: list })) };
}

const mermaidText = (s: string) => s.replace(/"/g, "'").replace(/\\n/g, "<br/>");

export function toMermaid(g: Graph): string {
  const lines = ["flowchart LR"];
  const shape = (n: GraphNode) =>
    n.kind === "internet" || n.kind === "onprem" ? `(("${mermaidText(n.label)}"))` : n.kind === "firewall" ? `{{"${mermaidText(n.label)}"}}` : n.kind === "public-ip" ? `[/"${mermaidText(n.label)}"/]` : `["${mermaidText(n.label)}"]`;
  // Spokes first, so that Mermaid lays them out left of their hub.
  for (const group of [...g.groups].sort((a, b) => Number(a.hub) - Number(b.hub))) {
    lines.push(`  subgraph ${group.id}["${mermaidText(group.label)}"]`);
    for (const n of g.nodes.filter((x) => x.group === group.id)) lines.push(`    ${n.id}${shape(n)}`);
    lines.push("  end");
  }
  for (const n of g.nodes.filter((x) => !x.group)) lines.push(`  ${n.id}${shape(n)}`);
  for (const e of g.edges) {
    // A link both ways (a peering, a tunnel) is a dotted line without arrowheads.
    const link = e.style === "dashed" ? (e.both ? "-.-" : "-.->") : e.both ? "---" : "-->";
    lines.push(`  ${e.from} ${link}${e.label ? `|"${mermaidText(e.label)}"|` : ""} ${e.to}`);
  }
  return lines.join("\n");
}

const dotText = (s: string) => s.replace(/"/g, '\\"');

/** How each kind of node is drawn in DOT. */
const NODE_STYLE: Record<GraphNode["kind"], string> = {
  internet: 'shape=ellipse, fillcolor="#fde2e2"',
  onprem: 'shape=ellipse, fillcolor="#fde2e2"',
  firewall: 'shape=hexagon, fillcolor="#ffe8b3"',
  "public-ip": 'shape=parallelogram, fillcolor="#fde2e2"',
  gateway: 'shape=box3d, fillcolor="#ede9fe"',
  spokes: 'shape=folder, fillcolor="#f3f4f6"',
  existing: 'style="rounded,dashed,filled", fillcolor="#fff7ed"',
  cluster: 'fillcolor="#dbeafe"',
  app: 'fillcolor="#dcfce7"',
  subnet: 'fillcolor="#f3f4f6"',
};

/**
 * DOT for Graphviz. Every VNet has an invisible anchor node: edges that start or end at a VNet
 * run between anchors, clipped at the VNets' borders (compound), and each anchor sits left of
 * its VNet's nodes, so a hub's whole box stays right of its spokes and no line between a hub
 * and one spoke crosses another spoke's box. Edge labels are drawn on their lines
 * (decorate), and node text has room to spare (margins), whatever font a viewer uses.
 */
export function toDot(g: Graph): string {
  const lines = [
    "digraph topology {",
    '  rankdir=LR; compound=true; newrank=true; nodesep=0.35; ranksep=0.6; fontname="Helvetica,Arial,sans-serif";',
    '  node [fontname="Helvetica,Arial,sans-serif", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", margin="0.4,0.1"];',
    '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9];',
  ];
  const attrs = (n: GraphNode) => NODE_STYLE[n.kind];
  const anchor = (group: string) => `anchor_${group}`;
  const isGroup = (x: string) => g.groups.some((group) => group.id === x);
  for (const group of g.groups) {
    lines.push(`  subgraph cluster_${group.id} { label="${dotText(group.label)}"; style="rounded"; color="${group.hub ? "#b45309" : "#6b7280"}"; margin=14;`);
    lines.push(`    ${anchor(group.id)} [shape=point, style=invis, width=0.01, height=0.01, label=""];`);
    const members = g.nodes.filter((x) => x.group === group.id);
    for (const n of members) lines.push(`    ${n.id} [label="${dotText(n.label)}", ${attrs(n)}];`);
    // A spoke's anchor sits right of its nodes (its arrows leave from its right border), a hub's left of them.
    for (const n of members) lines.push(group.hub ? `    ${anchor(group.id)} -> ${n.id} [style=invis];` : `    ${n.id} -> ${anchor(group.id)} [style=invis];`);
    lines.push("  }");
  }
  for (const n of g.nodes.filter((x) => !x.group)) lines.push(`  ${n.id} [label="${dotText(n.label)}", ${attrs(n)}];`);
  for (const e of g.edges) {
    const from = isGroup(e.from) ? anchor(e.from) : e.from;
    const to = isGroup(e.to) ? anchor(e.to) : e.to;
    const clip = `${isGroup(e.from) ? `, ltail=cluster_${e.from}` : ""}${isGroup(e.to) ? `, lhead=cluster_${e.to}` : ""}`;
    // Between two hubs (a global peering) the edge does not order them.
    const level = isGroup(e.from) && isGroup(e.to) && g.groups.find((x) => x.id === e.from)?.hub && g.groups.find((x) => x.id === e.to)?.hub ? ", constraint=false" : "";
    lines.push(`  ${from} -> ${to} [label="${dotText(e.label)}"${e.style === "dashed" ? ", style=dashed" : ""}${e.both ? ", dir=both" : ""}${clip}${level}];`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly: offline, no browser. */
export async function renderSvg(dot: string): Promise<string> {
  // Graphviz (WebAssembly, a few MB) is loaded only to draw.
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  return viz.renderString(dot, { format: "svg", engine: "dot" });
}
