/**
 * The picture says what the network is: judged on the SVG Graphviz draws, by where its boxes,
 * lines and labels land.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { synthesize } from "../../lib/app";
import { buildGraph, MOST_SPOKES_DRAWN, renderSvg, toDot, toMermaid } from "../../lib/review/graph";
import { Model, readOutput } from "../../lib/output/model";
import { topology } from "../../lib/output/topology";
import { shippedOutput } from "../shipped";

const quiet = { write: () => true };
/** The model of shipped environment files' output, synthesized together (once per run: tests/shipped.ts). */
function model(files: string[]): Model {
  const shipped = shippedOutput(files.map((f) => f.replace(/\.yaml$/, "")));
  if (shipped.code !== 0) throw new Error(`synth of ${files.join(",")} failed`);
  return new Model(readOutput(shipped.outdir));
}

interface Box { x0: number; y0: number; x1: number; y1: number }

/**
 * Text width in DejaVu Sans, the usual fallback where Helvetica is missing and wider than the
 * Helvetica metrics Graphviz measures with: advance widths in units of 1/2048 em.
 */
const DEJAVU: Record<string, number> = {
  " ": 651, a: 1255, b: 1300, c: 1126, d: 1300, e: 1260, f: 721, g: 1300, h: 1298, i: 569, j: 569, k: 1186, l: 569, m: 1995, n: 1298, o: 1253, p: 1300, q: 1300, r: 842, s: 1067, t: 803, u: 1298, v: 1212, w: 1675, x: 1212, y: 1212, z: 1075,
  ".": 651, "-": 739, "/": 690, "(": 799, ")": 799, ",": 651, ":": 690, "'": 563,
};
const widthIn = (text: string, size: number) => [...text].reduce((sum, c) => sum + (DEJAVU[c] ?? (/[0-9]/.test(c) ? 1303 : /[A-Z]/.test(c) ? 1400 : 1300)), 0) * (size / 2048);

/** Points along an SVG path: its cubic Bezier curves sampled, not only their control points. */
function along(d: string): [number, number][] {
  const pts = points(d);
  const out: [number, number][] = [pts[0]];
  for (let i = 1; i + 2 < pts.length; i += 3) {
    const [p0, p1, p2, p3] = [pts[i - 1], pts[i], pts[i + 1], pts[i + 2]];
    for (let k = 1; k <= 16; k++) {
      const t = k / 16;
      const u = 1 - t;
      out.push([u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0], u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1]]);
    }
  }
  return out;
}

/** Every number pair of an SVG path or points attribute. */
const points = (d: string): [number, number][] => [...d.matchAll(/(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/g)].map((m) => [Number(m[1]), Number(m[2])]);
const boxOf = (pts: [number, number][]): Box => ({ x0: Math.min(...pts.map((p) => p[0])), y0: Math.min(...pts.map((p) => p[1])), x1: Math.max(...pts.map((p) => p[0])), y1: Math.max(...pts.map((p) => p[1])) });
const inside = (p: [number, number], b: Box, slack = 0) => p[0] > b.x0 + slack && p[0] < b.x1 - slack && p[1] > b.y0 + slack && p[1] < b.y1 - slack;

/** The drawing: clusters (VNets) by their group id, nodes by id, edges with their path and label position. */
async function drawing(m: Model) {
  const graph = buildGraph(topology(m));
  const svg = await renderSvg(toDot(graph));
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["g", "text", "polygon", "path", "ellipse"].includes(name) }).parse(svg);
  const groups: any[] = doc.svg.g[0].g;
  const title = (g: any) => String(g.title).replace(/&#45;/g, "-").replace(/&gt;/g, ">");
  const clusters = new Map(groups.filter((g) => g.class === "cluster").map((g) => [title(g).replace(/^cluster_/, ""), boxOf(points(g.path[0].d))]));
  const shapeBox = (g: any): Box => {
    const e = g.ellipse?.[0];
    if (e) return { x0: Number(e.cx) - Number(e.rx), x1: Number(e.cx) + Number(e.rx), y0: Number(e.cy) - Number(e.ry), y1: Number(e.cy) + Number(e.ry) };
    return boxOf(points(g.polygon?.[0]?.points ?? g.path?.[0]?.d ?? ""));
  };
  const nodes = new Map(groups.filter((g) => g.class === "node").map((g) => [title(g), { box: shapeBox(g), text: (g.text ?? []).map((t: any) => ({ text: String(t["#text"] ?? ""), size: Number(t["font-size"]) })) }]));
  const edges = groups.filter((g) => g.class === "edge").map((g) => ({ title: title(g), path: along(g.path[0].d), label: g.text?.[0] ? { text: String(g.text[0]["#text"]), at: [Number(g.text[0].x), Number(g.text[0].y)] as [number, number] } : undefined }));
  return { graph, clusters, nodes, edges };
}

describe("the topology picture", () => {
  const hybrid = model(["hybrid.yaml"]);
  const full = model(["full.yaml"]);

  test("a peering joins two VNets, not two subnets", () => {
    const graph = buildGraph(topology(hybrid));
    const vnets = new Set(graph.groups.map((g) => g.id));
    const peerings = graph.edges.filter((e) => e.label === "peering");
    expect(peerings).toHaveLength(2);
    for (const e of peerings) expect(vnets.has(e.from) && vnets.has(e.to)).toBe(true);
    const hub = graph.groups.find((g) => g.hub)!;
    expect(hub.label).toMatch(/^vnet-hybrid-hub/);
    for (const e of peerings) expect(e.to).toBe(hub.id);
  });

  test.each([["hybrid (two spokes)", () => hybrid], ["full (three spokes)", () => full]])("%s: every spoke's box is left of the hub's, and no line between the hub and a spoke crosses another spoke's box", async (_name, m) => {
    const { graph, clusters, edges } = await drawing(m());
    const hub = graph.groups.find((g) => g.hub)!;
    const spokes = graph.groups.filter((g) => !g.hub);
    for (const s of spokes) expect(clusters.get(s.id)!.x1).toBeLessThan(clusters.get(hub.id)!.x0);
    for (const s of spokes) {
      const between = edges.filter((e) => e.title.startsWith(`anchor_${s.id}->`));
      expect(between.length).toBeGreaterThan(0);
      for (const other of spokes.filter((o) => o !== s)) for (const e of between) expect(e.path.filter((p) => inside(p, clusters.get(other.id)!, 2))).toEqual([]);
    }
  });

  test("on-premises and the gateway appear when they exist, joined through the gateway's public IP", () => {
    const graph = buildGraph(topology(hybrid));
    const label = (id: string) => graph.nodes.find((n) => n.id === id)?.label;
    expect(graph.nodes.find((n) => n.kind === "gateway")?.label).toBe("VPN gateway vgw-hybrid-hub");
    const onprem = graph.nodes.find((n) => n.kind === "onprem")!;
    expect(onprem.label).toBe("on-premises\\n192.168.0.0/16, 172.16.201.0/24");
    expect(graph.edges.filter((e) => e.to === onprem.id).map((e) => label(e.from))).toEqual(["public IP pip-hybrid-vgw"]);
    const noGateway = buildGraph(topology(model(["default.yaml"])));
    expect(noGateway.nodes.filter((n) => n.kind === "gateway" || n.kind === "onprem")).toEqual([]);
  });

  test("an existing hub, which the output does not hold, appears as such, with the spokes' peering and route", () => {
    const graph = buildGraph(topology(model(["brownfield.yaml"])));
    const existing = graph.nodes.find((n) => n.kind === "existing")!;
    expect(existing.label).toBe("existing hub vnet-hub\\n(not in this output)");
    expect(graph.edges.filter((e) => e.to === existing.id).map((e) => e.label).sort()).toEqual(["0.0.0.0/0 to its firewall 10.100.0.4 (snet-ingress, snet-nodes)", "peering"]);
  });

  test("each route's label sits on its arrow", async () => {
    const { edges } = await drawing(full);
    const routes = edges.filter((e) => e.label?.text.startsWith("0.0.0.0/0"));
    expect(routes.length).toBeGreaterThanOrEqual(4);
    for (const e of routes) {
      // The label's text is centred on x; its baseline is y. It sits on the arrow when the line
      // passes within a line height of the text's extent.
      const half = widthIn(e.label!.text.replace(/&#45;/g, "-"), 9) / 2;
      const [x, y] = e.label!.at;
      const distance = (path: [number, number][]) => Math.min(...path.map(([px, py]) => Math.hypot(Math.max(0, Math.abs(px - x) - half), py - (y - 3))));
      const own = distance(e.path);
      const others = Math.min(...edges.filter((o) => o !== e).map((o) => distance(o.path)));
      // Within two line heights of its own arrow, and nearer to it than to any other line.
      expect({ label: e.label!.text, near: own < 24, nearest: own < others }).toEqual({ label: e.label!.text, near: true, nearest: true });
    }
  });

  test("every node's box holds its text, even in a font wider than Graphviz measures", async () => {
    for (const m of [full, hybrid]) {
      const { graph, nodes } = await drawing(m);
      for (const [id, n] of nodes) {
        const kind = graph.nodes.find((x) => x.id === id)?.kind;
        if (kind === undefined) continue; // an invisible anchor
        const longest = Math.max(...n.text.map((t: { text: string; size: number }) => widthIn(t.text.replace(/&#45;/g, "-").replace(/&#39;/g, "'"), t.size)));
        // Shapes that slant (a parallelogram, a hexagon, an ellipse) keep their text in the middle part.
        const room = ["public-ip", "firewall", "internet", "onprem"].includes(kind) ? (n.box.x1 - n.box.x0) * 0.8 : n.box.x1 - n.box.x0 - 6;
        expect({ id, label: n.text.map((t: { text: string }) => t.text).join(" "), fits: room >= longest }).toEqual({ id, label: expect.any(String), fits: true });
      }
    }
  });

  test(`beyond ${MOST_SPOKES_DRAWN} spokes, each hub's spokes are one box, with their peering and default route`, () => {
    const spokes = Array.from({ length: MOST_SPOKES_DRAWN + 1 }, (_, i) => ({ name: `s${i}`, addressSpace: [`10.16.${i * 4}.0/22`], subnets: { nodes: `10.16.${i * 4 + 1}.0/24` }, cluster: { userPools: [{ name: "apps" }] } }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graph-many-"));
    fs.writeFileSync(path.join(dir, "many.json"), JSON.stringify({ name: "many", location: "westeurope", hub: { addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26" } }, spokes }));
    const outdir = path.join(dir, "cdktf.out");
    expect(synthesize({ outdir, file: path.join(dir, "many.json"), stderr: quiet, stdout: quiet })).toBe(0);
    const graph = buildGraph(topology(new Model(readOutput(outdir))));
    expect(graph.groups.map((g) => g.label.split("\\n")[0])).toEqual(["vnet-many-hub (many-hub)"]);
    const box = graph.nodes.find((n) => n.kind === "spokes")!;
    expect(box.label).toBe(`${MOST_SPOKES_DRAWN + 1} spokes\\nmany-s0 ... many-s${MOST_SPOKES_DRAWN}`);
    expect(graph.edges.filter((e) => e.from === box.id).map((e) => e.label).sort()).toEqual(["0.0.0.0/0 (each)", "peering (each)"]);
    expect(graph.nodes.filter((n) => n.kind === "cluster")).toEqual([]);
  });

  test("the Mermaid text draws the same graph: every node and link", () => {
    const graph = buildGraph(topology(hybrid));
    const text = toMermaid(graph);
    for (const n of graph.nodes) expect(text).toContain(`  ${n.id}`);
    for (const e of graph.edges) expect(text).toMatch(new RegExp(`\\b${e.from} (-->|-\\.->|-\\.-|---)(\\|[^|]*\\|)? ${e.to}\\b`));
    // Spokes come before their hub, so Mermaid too draws them on the left.
    const order = graph.groups.map((g) => text.indexOf(`subgraph ${g.id}[`));
    const hub = graph.groups.findIndex((g) => g.hub);
    for (const [i, at] of order.entries()) if (i !== hub) expect(at).toBeLessThan(order[hub]);
  });
});
