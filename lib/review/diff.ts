/**
 * What changed between two synthesized outputs, the way a reviewer asks it: public endpoints
 * added or removed, egress rules added, widened or narrowed, routes and cluster security
 * settings changed, role assignments added; then every resource added, removed and changed,
 * by type and construct path.
 */
import { acknowledgementsIn } from "../policy/guardrails";
import type { Model, Resource } from "../output/model";
import { AZURERM_POOL_DEFAULTS, type FirewallRule, first, topology } from "../output/topology";
import { type GitOpsDeliveryView, gitopsDeliveries, intervalText } from "../output/delivery";
import { type EnforcedEffect, runtimePolicy } from "../output/runtime-policy";

export interface ResourceChange {
  readonly stack: string;
  readonly type: string;
  readonly path: string;
}

export interface RuleChange {
  readonly rule: string;
  readonly change: "added" | "removed" | "widened" | "narrowed" | "changed";
  readonly detail: string;
}

export interface Diff {
  readonly changed: boolean;
  /** Clusters Terraform replaces and node pools it rotates (new nodes through a temporary pool): disruptive, so named first. */
  readonly disruptive: string[];
  readonly publicEndpoints: { readonly added: string[]; readonly removed: string[] };
  readonly egress: RuleChange[];
  readonly routes: string[];
  readonly clusters: string[];
  readonly roleAssignments: { readonly added: string[]; readonly removed: string[] };
  readonly nsgRules: string[];
  /** Runtime policy assignments added, removed, weakened (deny to audit, an exemption) or strengthened; stacks turned off or on. */
  readonly runtimePolicy: string[];
  /** GitOps deliveries added, removed, or pointed elsewhere (repository, branch, folder, interval, sign-in). */
  readonly delivery: string[];
  readonly resources: { readonly added: ResourceChange[]; readonly removed: ResourceChange[]; readonly changed: ResourceChange[] };
}

const keyOf = (r: Resource) => `${r.stack}|${r.type}|${r.path}`;

/**
 * Arguments whose change makes Terraform destroy and re-create a cluster (ForceNew in
 * terraform-provider-azurerm 4.x, kubernetes_cluster_resource.go, at the top level and in
 * network_profile), and those whose change makes
 * azurerm rotate a node pool: new nodes in a temporary pool, the old ones deleted, without
 * cordon and drain for the system pool (cycleNodePoolProperties in kubernetes_cluster_resource.go
 * and kubernetes_cluster_node_pool_resource.go; the ones this product sets).
 */
const CLUSTER_FORCE_NEW = ["name", "location", "resource_group_name", "dns_prefix", "node_resource_group", "private_cluster_enabled", "private_dns_zone_id"];
const NETWORK_PROFILE_FORCE_NEW = ["network_plugin", "service_cidr", "dns_service_ip", "pod_cidr", "load_balancer_sku"];
const POOL_ROTATION = ["vm_size", "os_disk_type", "os_disk_size_gb", "zones", "max_pods", "host_encryption_enabled", "vnet_subnet_id"];

/** A resolved value as text, references by address, so that two outputs compare (zones, a set, are sorted before). */
const text = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === "object" && x !== null && !Array.isArray(x) && x.constructor !== Object ? String(x) : x)) ?? "unset";

function disruptions(base: Model, head: Model): string[] {
  const out: string[] = [];
  const before = new Map(base.resources.map((r) => [keyOf(r), r]));
  const changedArgs = (a: Record<string, unknown>, b: Record<string, unknown>, args: string[], prefix = "", defaults: Record<string, unknown> = {}) => {
    const value = (x: Record<string, unknown>, k: string) => {
      const v = x[k] ?? defaults[k];
      return k === "zones" && Array.isArray(v) ? [...v].map(String).sort() : v;
    };
    return args.filter((k) => text(value(a, k)) !== text(value(b, k))).map((k) => `${prefix}${k} ${text(value(a, k))} => ${text(value(b, k))}`);
  };
  for (const r of head.resources) {
    const old = before.get(keyOf(r));
    if (!old) continue;
    const [a, b] = [base.attrs(old), head.attrs(r)];
    if (r.type === "azurerm_kubernetes_cluster") {
      const replaced = [...changedArgs(a, b, CLUSTER_FORCE_NEW), ...changedArgs(block(a.network_profile), block(b.network_profile), NETWORK_PROFILE_FORCE_NEW, "network_profile.")];
      // azurerm forces a new cluster when the API server subnet is taken away (ForceNewIfChange).
      const subnet = (x: Record<string, unknown>) => first<Record<string, unknown>>(x.api_server_access_profile)?.subnet_id;
      if (subnet(a) !== undefined && subnet(b) === undefined) replaced.push(`api_server_access_profile.subnet_id ${text(subnet(a))} => unset`);
      // kubelet_identity is Optional, Computed and ForceNew: given where AKS made one, the cluster is replaced; taken away, nothing is planned for the cluster, but its identity resource goes.
      const kubelet = (x: Record<string, unknown>) => first<Record<string, unknown>>(x.kubelet_identity)?.user_assigned_identity_id;
      if (kubelet(a) === undefined && kubelet(b) !== undefined) replaced.push(`kubelet_identity unset => ${text(kubelet(b))}`);
      else if (kubelet(a) !== undefined && text(kubelet(a)) !== text(kubelet(b)) && kubelet(b) !== undefined) replaced.push(`kubelet_identity ${text(kubelet(a))} => ${text(kubelet(b))}`);
      if (replaced.length > 0) out.push(`${r.path}: cluster replaced (destroyed and created again): ${replaced.join("; ")}`);
      else if (kubelet(a) !== undefined && kubelet(b) === undefined) {
        out.push(`${r.path}: kubelet identity ${text(kubelet(a))} is no longer given: Terraform plans no change to the cluster (azurerm keeps the computed kubelet_identity) but deletes that identity while the nodes use it; replace the cluster in the same apply (terraform apply -replace), or keep it given`);
      }
      if (text(a.custom_ca_trust_certificates_base64) !== text(b.custom_ca_trust_certificates_base64)) out.push(`${r.path}: nodes reimaged: the CA certificates they trust (custom_ca_trust_certificates_base64) changed`);
      const [pa, pb] = [block(a.default_node_pool), block(b.default_node_pool)];
      const rotated = changedArgs(pa, pb, POOL_ROTATION, "", AZURERM_POOL_DEFAULTS);
      if (replaced.length === 0 && rotated.length > 0) out.push(`${r.path}: system pool rotated through ${String(pb.temporary_name_for_rotation ?? "a temporary pool")} (no cordon and drain): ${rotated.join("; ")}`);
    }
    if (r.type === "azurerm_kubernetes_cluster_node_pool") {
      const rotated = changedArgs(a, b, POOL_ROTATION, "", AZURERM_POOL_DEFAULTS);
      if (rotated.length > 0) out.push(`${r.path}: pool ${String(b.name)} rotated through ${String(b.temporary_name_for_rotation ?? "a temporary pool")}: ${rotated.join("; ")}`);
    }
  }
  return out;
}

const block = (x: unknown): Record<string, unknown> => first<Record<string, unknown>>(x) ?? {};
const change = (r: Resource): ResourceChange => ({ stack: r.stack, type: r.type, path: r.path });
const strip = (raw: Record<string, unknown>) => {
  const { "//": _m, ...rest } = raw as any;
  return JSON.stringify(rest);
};

/** Compares a base output with a head output. */
export function diffModels(base: Model, head: Model): Diff {
  const before = new Map(base.resources.map((r) => [keyOf(r), r]));
  const after = new Map(head.resources.map((r) => [keyOf(r), r]));
  const resources = {
    added: [...after.keys()].filter((k) => !before.has(k)).map((k) => change(after.get(k)!)),
    removed: [...before.keys()].filter((k) => !after.has(k)).map((k) => change(before.get(k)!)),
    changed: [...after.keys()].filter((k) => before.has(k) && strip(before.get(k)!.raw) !== strip(after.get(k)!.raw)).map((k) => change(after.get(k)!)),
  };

  const [tb, th] = [topology(base), topology(head)];
  const endpoints = (m: Model, t: ReturnType<typeof topology>) => {
    const acks = acknowledgementsIn(m);
    return new Map(t.publicIps.map((p) => [p.resource.path, `${p.resource.path} (${p.name})${acks.get(p.resource.path)?.get("PUB-001") ? `: ${acks.get(p.resource.path)!.get("PUB-001")}` : ": not acknowledged"}`]));
  };
  const [eb, eh] = [endpoints(base, tb), endpoints(head, th)];

  // Each hub's policy names its groups after its spokes, and two regions may have spokes of one
  // name: with more than one firewall on either side, a rule is named with its firewall's.
  // An existing hub's policy is not in the output, but the groups this output adds to it are.
  const owners = (t: ReturnType<typeof topology>) => [...t.firewalls.map((f) => ({ name: f.name, rules: f.rules })), ...t.existingPolicies.map((p) => ({ name: `policy ${p.name}`, rules: p.rules }))];
  const [wb, wh] = [owners(tb), owners(th)];
  const named = Math.max(wb.length, wh.length) > 1;
  const rulesOf = (o: ReturnType<typeof owners>) => new Map(o.flatMap((f) => f.rules.map((r) => [`${named ? `${f.name}: ` : ""}${r.group}/${r.collection}/${r.name}`, r] as const)));
  const [rb, rh] = [rulesOf(wb), rulesOf(wh)];
  const describe = (r: FirewallRule) =>
    `${r.action} ${r.kind} ${[...r.protocols].join(",")}${r.ports.length ? ` ports ${r.ports.join(",")}` : ""} to ${[...r.destinations, ...r.fqdnTags.map((t) => `tag:${t}`)].join(", ")} from ${r.sources.join(", ")}${r.tlsInspected ? " (TLS inspected)" : ""}`;
  const egress: RuleChange[] = [];
  for (const [id, r] of rh) if (!rb.has(id)) egress.push({ rule: id, change: "added", detail: describe(r) });
  for (const [id, r] of rb) if (!rh.has(id)) egress.push({ rule: id, change: "removed", detail: describe(r) });
  for (const [id, r] of rh) {
    const old = rb.get(id);
    if (!old || describe(old) === describe(r)) continue;
    // TLS inspection neither widens nor narrows what a rule allows: it decides whether the firewall reads it.
    const inspection = "TLS inspection";
    const set = (x: FirewallRule) => new Set([...x.destinations, ...x.fqdnTags.map((t) => `tag:${t}`), ...x.sources.map((s) => `from:${s}`), ...x.ports.map((p) => `port:${p}`), ...x.protocols.map((p) => `proto:${p}`), ...(x.tlsInspected ? [inspection] : [])]);
    const [a, b] = [set(old), set(r)];
    const gained = [...b].filter((x) => !a.has(x));
    const lost = [...a].filter((x) => !b.has(x));
    const allows = (xs: string[]) => xs.filter((x) => x !== inspection);
    const kind = allows(lost).length === 0 && allows(gained).length > 0 ? "widened" : allows(gained).length === 0 && allows(lost).length > 0 ? "narrowed" : "changed";
    egress.push({ rule: id, change: kind, detail: [gained.length ? `+ ${gained.join(", ")}` : "", lost.length ? `- ${lost.join(", ")}` : ""].filter(Boolean).join("; ") });
  }

  const routesOf = (t: ReturnType<typeof topology>) => new Map(t.routeTables.flatMap((rt) => rt.routes.map((r) => [`${rt.name}/${r.name}`, `${r.prefix} -> ${r.nextHopType}${r.nextHop ? ` ${r.nextHop}` : ""}`])));
  const [ob, oh] = [routesOf(tb), routesOf(th)];
  const routes = [
    ...[...oh].filter(([k]) => !ob.has(k)).map(([k, v]) => `+ ${k}: ${v}`),
    ...[...ob].filter(([k]) => !oh.has(k)).map(([k, v]) => `- ${k}: ${v}`),
    ...[...oh].filter(([k, v]) => ob.has(k) && ob.get(k) !== v).map(([k, v]) => `~ ${k}: ${ob.get(k)} => ${v}`),
  ];

  const postureOf = (t: ReturnType<typeof topology>) =>
    new Map(t.clusters.map((c) => [c.name, { private: c.privateCluster, publicFqdn: c.publicFqdn, apiServer: c.apiServerSubnet ? `${c.apiServerSubnet.name} (VNet integration)` : "private endpoint", outbound: c.outboundType, localAccountsDisabled: c.localAccountsDisabled, azureRbac: c.azureRbac, network: c.networkPlugin, policy: c.networkPolicy, runCommand: c.runCommand, version: c.kubernetesVersion }]));
  const [pb, ph] = [postureOf(tb), postureOf(th)];
  const clusters: string[] = [];
  for (const [name, p] of ph) {
    const old = pb.get(name);
    if (!old) {
      clusters.push(`+ ${name}`);
      continue;
    }
    for (const [k, v] of Object.entries(p)) if (String((old as any)[k]) !== String(v)) clusters.push(`~ ${name}: ${k} ${String((old as any)[k])} => ${String(v)}`);
  }
  for (const name of pb.keys()) if (!ph.has(name)) clusters.push(`- ${name}`);

  const assignmentsOf = (t: ReturnType<typeof topology>) => new Set(t.roleAssignments.map((r) => `${r.role} on ${r.scope} for ${r.principal}`));
  const [ab, ah] = [assignmentsOf(tb), assignmentsOf(th)];

  const nsgOf = (m: Model) => new Map(m.ofType("azurerm_network_security_rule").map((r) => [r.path, JSON.stringify(m.attrs(r))]));
  const [nb, nh] = [nsgOf(base), nsgOf(head)];
  const nsgRules = [
    ...[...nh.keys()].filter((k) => !nb.has(k)).map((k) => `+ ${k}`),
    ...[...nb.keys()].filter((k) => !nh.has(k)).map((k) => `- ${k}`),
    ...[...nh].filter(([k, v]) => nb.has(k) && nb.get(k) !== v).map(([k]) => `~ ${k}`),
  ];

  const d: Omit<Diff, "changed"> = {
    runtimePolicy: runtimePolicyChanges(base, head),
    delivery: deliveryChanges(base, head),
    disruptive: disruptions(base, head),
    publicEndpoints: { added: [...eh.keys()].filter((k) => !eb.has(k)).map((k) => eh.get(k)!), removed: [...eb.keys()].filter((k) => !eh.has(k)).map((k) => eb.get(k)!) },
    egress,
    routes,
    clusters,
    roleAssignments: { added: [...ah].filter((x) => !ab.has(x)), removed: [...ab].filter((x) => !ah.has(x)) },
    nsgRules,
    resources,
  };
  const changed = resources.added.length + resources.removed.length + resources.changed.length > 0 || base.output.manifests.length !== head.output.manifests.length ||
    JSON.stringify(base.output.manifests) !== JSON.stringify(head.output.manifests);
  return { changed, ...d };
}

/** The diff in words, reviewer's concerns first. */
export function diffText(d: Diff): string {
  if (!d.changed) return "No changes.\n";
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`${title}:`);
    for (const i of items) lines.push(`  ${i}`);
  };
  section("Replaced or rotated (disruptive)", d.disruptive);
  section("Public endpoints", [...d.publicEndpoints.added.map((e) => `+ ${e}`), ...d.publicEndpoints.removed.map((e) => `- ${e}`)]);
  section("Runtime policy (Azure Policy)", d.runtimePolicy);
  section("App delivery (GitOps)", d.delivery);
  section("Egress rules", d.egress.map((e) => `${e.change === "added" ? "+" : e.change === "removed" ? "-" : "~"} ${e.rule} (${e.change}): ${e.detail}`));
  section("Routes", d.routes);
  section("Cluster security settings", d.clusters);
  section("Role assignments", [...d.roleAssignments.added.map((a) => `+ ${a}`), ...d.roleAssignments.removed.map((a) => `- ${a}`)]);
  section("NSG rules", d.nsgRules);
  const r = d.resources;
  lines.push(`Resources: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed`);
  for (const [mark, list] of [["+", r.added], ["-", r.removed], ["~", r.changed]] as const) for (const c of list) lines.push(`  ${mark} ${c.type} ${c.path}`);
  return lines.join("\n") + "\n";
}

/** A GitOps spoke's delivery: what Flux pulls from where, named field by field. */
function deliveryChanges(base: Model, head: Model): string[] {
  const index = (m: Model) => new Map(gitopsDeliveries(m).map((g) => [g.stack, g]));
  const [b, h] = [index(base), index(head)];
  const shown = (g: GitOpsDeliveryView) => `${g.repository} ${g.branch} ${g.path} every ${intervalText(g.syncIntervalSeconds)}, ${g.auth}`;
  const out: string[] = [];
  for (const [stack, g] of h) {
    const old = b.get(stack);
    if (!old) {
      out.push(`+ ${stack}: delivered by GitOps from ${shown(g)}`);
      continue;
    }
    for (const [field, was, is] of [
      ["repository", old.repository, g.repository],
      ["branch", old.branch, g.branch],
      ["folder", old.path, g.path],
      ["sync interval", intervalText(old.syncIntervalSeconds), intervalText(g.syncIntervalSeconds)],
      ["signs in with", old.auth, g.auth],
    ] as const)
      if (was !== is) out.push(`~ ${stack}: ${field} ${was} => ${is}`);
  }
  for (const [stack, g] of b) if (!h.has(stack)) out.push(`- ${stack}: no longer delivered by GitOps (was ${shown(g)})`);
  return out;
}

/** How hard an effect holds, to tell a weakening from a strengthening. */
const STRENGTH: Record<EnforcedEffect, number> = { deny: 3, audit: 2, disabled: 1, unknown: 0 };

/**
 * Initiatives a stack stops making while other stacks assign them in the base: the stack that
 * makes them (the hub) applies first, and Azure refuses to delete an initiative still assigned
 * (InvalidDeletePolicySetDefinitionRequest), so the assigning stacks must apply before it.
 */
function deletionOrder(base: Model, head: Model): string[] {
  const kept = new Set(head.ofType("azurerm_policy_set_definition").map((d) => d.address));
  const assigners = new Map<string, Set<string>>();
  for (const t of ["azurerm_resource_group_policy_assignment", "azurerm_resource_policy_assignment"]) {
    for (const a of base.ofType(t)) {
      const d = base.target(base.attr(a, "policy_definition_id"));
      if (!d || d.type !== "azurerm_policy_set_definition" || d.stack === a.stack || kept.has(d.address)) continue;
      assigners.set(d.stack, (assigners.get(d.stack) ?? new Set()).add(a.stack));
    }
  }
  return [...assigners].map(([maker, stacks]) => {
    const list = [...stacks].sort();
    return `! deploy order: ${maker} deletes initiatives that ${list.join(", ")} ${list.length === 1 ? "assigns" : "assign"}, and Azure refuses to delete an initiative still assigned: apply ${list.length === 1 ? "that stack" : "those stacks"} first (npx cdktf deploy ${list.join(" ")} --ignore-missing-stack-dependencies), then ${maker}`;
  });
}

const exemptionText = (x: { reason: string; expiresOn?: string }) => `(${x.reason}${x.expiresOn ? `; until ${x.expiresOn}` : ""})`;

function runtimePolicyChanges(base: Model, head: Model): string[] {
  const [vb, vh] = [runtimePolicy(base), runtimePolicy(head)];
  const index = (v: typeof vb) => new Map(v.assignments.map((a) => [`${a.resource.stack} ${a.scope} ${a.guardrail} ${a.name}`, a]));
  const [ib, ih] = [index(vb), index(vh)];
  const out: string[] = [];
  const offOf = (v: typeof vb) => new Map(v.off.map((o) => [o.stack, o.reason]));
  const [ob, oh] = [offOf(vb), offOf(vh)];
  for (const [stack, reason] of oh) if (!ob.has(stack)) out.push(`- ${stack}: runtime policy turned off (${reason})`);
  for (const stack of ob.keys()) if (!oh.has(stack)) out.push(`+ ${stack}: runtime policy turned on`);
  out.push(...deletionOrder(base, head));
  for (const [k, a] of ih) if (!ib.has(k)) out.push(`+ ${k} (${a.effect}) added`);
  for (const [k, a] of ib) if (!ih.has(k)) out.push(`- ${k} (${a.effect}) removed`);
  for (const [k, a] of ih) {
    const old = ib.get(k);
    if (!old) continue;
    if (old.effect !== a.effect) out.push(`~ ${k} ${STRENGTH[a.effect] < STRENGTH[old.effect] ? "weakened" : "strengthened"}: ${old.effect} => ${a.effect}`);
    const [was, is] = [old.exemption, a.exemption];
    if (was === undefined && is !== undefined) out.push(`~ ${k} weakened: exempted ${exemptionText(is)}`);
    if (was !== undefined && is === undefined) out.push(`~ ${k} strengthened: exemption removed`);
    if (was !== undefined && is !== undefined) {
      if (was.expiresOn !== is.expiresOn) {
        const longer = is.expiresOn === undefined || (was.expiresOn !== undefined && Date.parse(is.expiresOn) > Date.parse(was.expiresOn));
        out.push(`~ ${k} ${longer ? "weakened" : "strengthened"}: exemption expires ${was.expiresOn ?? "never"} => ${is.expiresOn ?? "never"}`);
      }
      if (was.reason !== is.reason) out.push(`~ ${k} exemption's reason changed: ${JSON.stringify(was.reason)} => ${JSON.stringify(is.reason)}`);
    }
  }
  return out;
}
