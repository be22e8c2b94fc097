/**
 * The topology as one small graph (VNets with their subnets, peerings, the firewall, egress
 * routes, public IPs, clusters and app front ends), drawn twice from the same data: Mermaid for
 * the Markdown a pull request renders, DOT for the SVG Graphviz renders offline.
 */
import { instance } from "@viz-js/viz";
import type { Topology } from "./topology";

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: "vnet" | "firewall" | "public-ip" | "internet" | "cluster" | "app" | "subnet";
  /** The VNet (group) the node is drawn in. */
  readonly group?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly style: "solid" | "dashed";
  /** For an edge between VNets: the groups it joins (drawn between their borders). */
  readonly groups?: [string, string];
}

export interface Graph {
  readonly groups: { id: string; label: string }[];
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

export function buildGraph(t: Topology): Graph {
  const groups: Graph["groups"] = [];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<unknown, string>();
  const id = (thing: unknown, prefix: string) => {
    if (!ids.has(thing)) ids.set(thing, `${prefix}${ids.size}`);
    return ids.get(thing)!;
  };
  for (const v of t.vnets) {
    const g = id(v, "v");
    groups.push({ id: g, label: `${v.name} (${v.resource.stack})\\n${v.addressSpace.join(", ")}` });
    for (const s of v.subnets) nodes.push({ id: id(s, "s"), label: `${s.name}\\n${s.prefixes.join(", ")}`, kind: "subnet", group: g });
  }
  const internet = t.publicIps.length > 0 || t.firewalls.length > 0;
  if (internet) nodes.push({ id: "internet", label: "Internet", kind: "internet" });
  for (const f of t.firewalls) {
    const subnet = t.subnets.find((s) => s.name === "AzureFirewallSubnet" && s.resource.stack === f.resource.stack);
    const fw = id(f, "f");
    nodes.push({ id: fw, label: `Azure Firewall ${f.name}\\n${f.privateIp ?? "private IP unknown"}`, kind: "firewall", group: subnet?.vnet ? ids.get(subnet.vnet) : undefined });
    if (subnet) edges.push({ from: ids.get(subnet)!, to: fw, label: "", style: "solid" });
  }
  for (const p of t.publicIps) {
    const pip = id(p, "p");
    nodes.push({ id: pip, label: `public IP ${p.name}`, kind: "public-ip" });
    edges.push({ from: pip, to: "internet", label: "", style: "solid" });
    for (const owner of p.attachedTo) {
      const firewall = t.firewalls.find((f) => f.resource === owner);
      const subnet = t.subnets.find((s) => s.resource.stack === owner.stack && owner.type === "azurerm_bastion_host" && s.name === "AzureBastionSubnet");
      const from = firewall ? ids.get(firewall) : subnet ? ids.get(subnet) : undefined;
      const management = firewall !== undefined && JSON.stringify(owner.raw.management_ip_configuration ?? "").includes(`${p.resource.type}.${p.resource.key}.`);
      const label = management ? "management" : firewall ? "egress SNAT" : owner.type === "azurerm_bastion_host" ? "Bastion" : owner.type.replace("azurerm_", "");
      if (from) edges.push({ from, to: pip, label, style: "solid" });
    }
  }
  const seen = new Set<string>();
  for (const p of t.peerings) {
    if (!p.from || !p.to) continue;
    const [a, b] = [ids.get(p.from)!, ids.get(p.to)!];
    const key = [a, b].sort().join("-");
    if (seen.has(key)) continue;
    seen.add(key);
    const firstSubnet = (v: typeof p.from) => (v && v.subnets[0] ? ids.get(v.subnets[0]) : undefined);
    const [x, y] = [firstSubnet(p.from), firstSubnet(p.to)];
    if (x && y) edges.push({ from: x, to: y, label: "peering", style: "dashed", groups: [a, b] });
  }
  for (const rt of t.routeTables) {
    const firewall = t.firewalls.find((f) => rt.routes.some((r) => r.prefix === "0.0.0.0/0" && r.nextHop === f.privateIp));
    if (!firewall) continue;
    for (const s of rt.subnets) edges.push({ from: ids.get(s)!, to: ids.get(firewall)!, label: "0.0.0.0/0", style: "solid" });
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
  return { groups, nodes, edges };
}

const mermaidText = (s: string) => s.replace(/"/g, "'").replace(/\\n/g, "<br/>");

export function toMermaid(g: Graph): string {
  const lines = ["flowchart LR"];
  const shape = (n: GraphNode) => (n.kind === "internet" ? `((${mermaidText(n.label)}))` : n.kind === "firewall" ? `{{"${mermaidText(n.label)}"}}` : n.kind === "public-ip" ? `[/"${mermaidText(n.label)}"/]` : `["${mermaidText(n.label)}"]`);
  for (const group of g.groups) {
    lines.push(`  subgraph ${group.id}["${mermaidText(group.label)}"]`);
    for (const n of g.nodes.filter((x) => x.group === group.id)) lines.push(`    ${n.id}${shape(n)}`);
    lines.push("  end");
  }
  for (const n of g.nodes.filter((x) => !x.group)) lines.push(`  ${n.id}${shape(n)}`);
  for (const e of g.edges) lines.push(`  ${e.from} ${e.style === "dashed" ? "-." : "--"}${e.label ? ` ${mermaidText(e.label)} ` : ""}${e.style === "dashed" ? ".->" : "-->"} ${e.to}`);
  return lines.join("\n");
}

const dotText = (s: string) => s.replace(/"/g, '\\"');

export function toDot(g: Graph): string {
  const lines = ['digraph topology {', '  rankdir=LR; compound=true; newrank=true; fontname="Helvetica"; node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff"]; edge [fontname="Helvetica", fontsize=9];'];
  const attrs = (n: GraphNode) =>
    n.kind === "internet" ? 'shape=ellipse, fillcolor="#fde2e2"' : n.kind === "firewall" ? 'shape=hexagon, fillcolor="#ffe8b3"' : n.kind === "public-ip" ? 'shape=parallelogram, fillcolor="#fde2e2"' : n.kind === "cluster" ? 'fillcolor="#dbeafe"' : n.kind === "app" ? 'fillcolor="#dcfce7"' : 'fillcolor="#f3f4f6"';
  for (const group of g.groups) {
    lines.push(`  subgraph cluster_${group.id} { label="${dotText(group.label)}"; style="rounded"; color="#6b7280";`);
    for (const n of g.nodes.filter((x) => x.group === group.id)) lines.push(`    ${n.id} [label="${dotText(n.label)}", ${attrs(n)}];`);
    lines.push("  }");
  }
  for (const n of g.nodes.filter((x) => !x.group)) lines.push(`  ${n.id} [label="${dotText(n.label)}", ${attrs(n)}];`);
  for (const e of g.edges) {
    const between = e.groups ? `, ltail=cluster_${e.groups[0]}, lhead=cluster_${e.groups[1]}` : "";
    lines.push(`  ${e.from} -> ${e.to} [label="${dotText(e.label)}"${e.style === "dashed" ? ", style=dashed, dir=both" : ""}${between}];`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly: offline, no browser. */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await instance();
  return viz.renderString(dot, { format: "svg", engine: "dot" });
}
