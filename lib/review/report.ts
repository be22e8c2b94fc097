/**
 * REVIEW.md: what a reviewer of an infrastructure pull request needs to see without running
 * `terraform plan`: what changed since the base (with --base), a picture of the topology,
 * the public endpoints and why each exists, what each spoke may reach, the routes, each
 * cluster's security posture, private DNS, the apps and their private names, and the
 * guardrails with their acknowledged exceptions.
 */
import { checkGuardrails, contextOf, exceptionLine, type GuardrailReport, violationLine } from "../policy/guardrails";
import { diffModels, diffText } from "./diff";
import { buildGraph, toMermaid } from "./graph";
import type { Model } from "../output/model";
import { Ref, Unknown } from "../output/model";
import { type FirewallRule, topology } from "../output/topology";
import { type PolicyAssignmentView, runtimePolicy } from "../output/runtime-policy";
import { runtimeEnforcement } from "../domain/runtime-policies";
import { gitopsDeliveries, intervalText } from "../output/delivery";

export interface Review {
  readonly markdown: string;
  readonly report: GuardrailReport;
  /** A few lines for the terminal. */
  readonly summary: string;
}

const cell = (v: unknown) => String(v instanceof Ref || v instanceof Unknown ? v.toString() : v).replace(/\|/g, "\\|").replace(/\n/g, " ");
const mark = (ok: boolean) => (ok ? "yes" : "**NO**");

/** One firewall rule as a row of the egress table. */
function ruleRow(r: FirewallRule): string {
  const dests = [...r.destinations, ...r.fqdnTags.map((x) => `FQDN tag ${x}`)];
  return `| ${r.group} / ${r.collection} / ${r.name}${r.tlsInspected ? " (TLS inspected)" : ""} | ${r.action} | ${r.kind} | ${cell([...r.protocols, ...r.ports.map((p) => `port ${p}`)].join(", "))} | ${cell(dests.join(", "))} | ${cell(r.sources.join(", "))} |`;
}

export function buildReview(model: Model, base?: Model): Review {
  const t = topology(model);
  const report = checkGuardrails(model, undefined, contextOf(model));
  const out: string[] = ["# Infrastructure review", ""];
  const stacks = [...model.output.stacks.keys()];
  out.push(`Stacks: ${stacks.map((s) => `\`${s}\``).join(", ")}. Guardrails: ${report.violations.length === 0 ? "all pass" : `**${report.violations.length} violation(s)**`}; ${report.exceptions.length} acknowledged exception(s).`, "");

  if (base) {
    const d = diffModels(base, model);
    out.push("## Changes since the base", "", "```", diffText(d).trimEnd(), "```", "");
  }

  out.push("## Topology", "", "```mermaid", toMermaid(buildGraph(t)), "```", "", "The same picture as SVG: `topology.svg` next to this file.", "");

  out.push("## Public endpoints", "", "| public IP | resource | attached to | justification |", "| --- | --- | --- | --- |");
  for (const p of t.publicIps) {
    const ack = report.exceptions.find((e) => e.path === p.resource.path && e.rule.id === "PUB-001");
    out.push(`| ${cell(p.name)} | \`${p.resource.path}\` | ${p.attachedTo.map((a) => `\`${a.path}\``).join(", ") || "nothing"} | ${ack ? cell(ack.acknowledged) : "**not acknowledged**"} |`);
  }
  if (t.publicIps.length === 0) out.push("| (none) | | | |");
  out.push("");
  for (const f of t.firewalls.filter((x) => x.egressIps.length > 0)) {
    const names = f.egressIps.map((r) => cell(String(model.attr(r, "name"))));
    out.push(
      f.egressIps.length === 1
        ? `Egress from ${cell(f.name)} leaves Azure from ${names[0]} (the hub's \`firewall_public_ips\` output): the address partners allow-list.`
        : `Egress from ${cell(f.name)} leaves Azure from any of ${f.egressIps.length} addresses, ${names.join(", ")}, one per connection (the hub's \`firewall_public_ips\` output): partners must allow-list all of them.`,
      "",
    );
  }

  out.push("## Egress allowed through the firewall", "", "Rules in Azure Firewall's processing order (network rules, then application rules; by group and collection priority). Everything else is denied.", "");
  for (const f of t.firewalls) {
    const tls = f.tlsInspection === undefined ? "" : f.tlsInspection === "waiting" ? ", TLS inspection waiting for its CA: no rule decrypts yet" : `, TLS inspection with ${cell(f.tlsInspection.certificate)}`;
    out.push(`### ${f.name} (${f.privateIp ?? "private IP unknown"}, DNS proxy ${f.dnsProxy ? "on" : "off"}${tls})`, "", "| group / collection / rule | action | kind | protocols and ports | destinations | sources |", "| --- | --- | --- | --- | --- | --- |");
    for (const r of f.rules) out.push(ruleRow(r));
    out.push("");
  }
  for (const p of t.existingPolicies) {
    out.push(`### existing policy ${p.name} (the rule collection groups this output adds; the policy's own rules are not in the output)`, "", "| group / collection / rule | action | kind | protocols and ports | destinations | sources |", "| --- | --- | --- | --- | --- | --- |");
    for (const r of p.rules) out.push(ruleRow(r));
    out.push("");
  }

  out.push("## Routes", "", "| route table | subnets | BGP propagation | routes |", "| --- | --- | --- | --- |");
  for (const rt of t.routeTables) {
    out.push(`| ${rt.name} | ${rt.subnets.map((s) => `${s.vnet?.name ?? "?"}/${s.name}`).join(", ")} | ${rt.bgpPropagation ? "on" : "off"} | ${rt.routes.map((r) => `${r.prefix} -> ${r.nextHopType}${r.nextHop ? ` ${r.nextHop}` : ""}`).join("; ")} |`);
  }
  out.push("");

  out.push(
    "## Clusters",
    "",
    "| cluster | private API | public FQDN off | API server in | egress via firewall | local accounts off | Entra ID + Azure RBAC | network | policy | run command | version | OS disks |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const c of t.clusters) {
    const apiServer = c.apiServerSubnet ? `${c.apiServerSubnet.name} (VNet integration)` : `${c.nodeSubnet?.name ?? "?"} (private endpoint)`;
    // A network-isolated cluster has no egress path of its own (outbound type none); its node subnet's route table still leads to the firewall.
    const egress = c.isolatedFrom ? `yes (network-isolated: images from ${cell(c.isolatedFrom.name)}'s cache)` : c.outboundType === "userDefinedRouting" ? "yes (UDR)" : mark(false);
    const disks = Object.entries(c.osDisks).map(([pool, type]) => `${pool}: ${String(type)}`).join(", ");
    out.push(
      `| ${c.name} | ${mark(c.privateCluster === true)} | ${mark(c.publicFqdn === false)} | ${apiServer} | ${egress} | ${mark(c.localAccountsDisabled === true)} | ${mark(c.azureRbac === true)} | ${cell(c.networkPlugin)} | ${cell(c.networkPolicy)} | ${c.runCommand === false ? "off" : "on"} | ${cell(c.kubernetesVersion)} | ${disks} |`,
    );
  }
  out.push("");

  out.push("## Private DNS", "", "| zone | linked to |", "| --- | --- |");
  for (const z of t.zones) out.push(`| ${z.name} | ${z.links.map((v) => v.name).join(", ")} |`);
  out.push("", "| record | addresses |", "| --- | --- |");
  for (const r of t.records) out.push(`| ${r.fqdn} | ${r.addresses.join(", ")} |`);
  if (t.records.length === 0) out.push("| (none) | |");
  out.push("");

  out.push("## Apps", "", "| service | from | type | internal | subnet | address | private name |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const s of t.services) {
    const ip = s.annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"] ?? "";
    const name = t.records.find((r) => r.addresses.includes(ip))?.fqdn ?? "";
    out.push(`| ${s.namespace}/${s.name} | \`${s.source}\` | ${s.type} | ${mark(s.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] === "true")} | ${s.annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] ?? ""} | ${ip} | ${name} |`);
  }
  if (t.services.length === 0) out.push("| (none) | | | | | | |");
  out.push("");
  const gitops = gitopsDeliveries(model);
  const appsStacks = [...model.output.stacks].filter(([, json]) => json?.provider?.kubernetes !== undefined).map(([name]) => name);
  out.push("### Delivery", "", "How the apps reach each cluster: a Terraform stack with the kubernetes provider (it needs a line of sight to the private API server), or GitOps (the cluster's Flux pulls the folder).", "");
  out.push("| stack | delivery | repository | branch | folder | sync interval | signs in with |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const g of gitops) out.push(`| ${g.stack} | GitOps (Flux) | ${cell(g.repository)} | ${cell(g.branch)} | ${cell(g.path)} | ${intervalText(g.syncIntervalSeconds)} | ${cell(g.auth)} |`);
  for (const s of appsStacks) out.push(`| ${s} | Terraform (kubernetes provider) | | | | | |`);
  if (gitops.length + appsStacks.length === 0) out.push("| (no apps) | | | | | | |");
  out.push("");

  out.push("## Role assignments", "", "| role | scope | principal |", "| --- | --- | --- |");
  for (const r of t.roleAssignments) out.push(`| ${cell(r.role)} | ${cell(r.scope)} | ${cell(r.principal)} |`);
  out.push("");

  // Two enforcers: synth judges the output; Azure Policy, assigned by it, judges requests after deploy.
  const runtime = runtimePolicy(model);
  out.push(
    "## Guardrails",
    "",
    "Each guardrail is enforced twice: at synth, on this output, and after deploy by the Azure Policy assignments the output makes (read from it: enforcement mode and effect).",
    "",
    "| rule | requires | judged | passed | acknowledged | at runtime (Azure Policy) |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const x of report.tally) {
    out.push(`| ${x.rule.id} | ${x.rule.title} | ${x.checked} | ${x.passed} | ${report.exceptions.filter((e) => e.rule === x.rule).length} | ${cell(runtimeCell(x.rule.id, runtime.assignments.filter((a) => a.guardrail === x.rule.id)))} |`);
  }
  out.push("");
  out.push("### Runtime policy", "");
  for (const o of runtime.off) out.push(`- \`${o.stack}\`: **off**: ${cell(o.reason)}`);
  if (runtime.assignments.length === 0) out.push("- (no assignments)");
  else {
    out.push(...(runtime.off.length > 0 ? [""] : []), "| stack | scope | guardrail | assignment | effect | definition | exempted because | exempted until |", "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const a of runtime.assignments) out.push(`| ${a.resource.stack} | ${cell(a.scope)} | ${a.guardrail} | ${a.name} | ${a.effect === "deny" ? "deny" : `**${a.effect}**`} | ${cell(a.definition)} | ${cell(a.exemption?.reason ?? "")} | ${a.exemption ? (a.exemption.expiresOn ?? "no expiry") : ""} |`);
  }
  out.push("");
  if (report.violations.length > 0) {
    out.push("### Violations", "");
    for (const v of report.violations) out.push(`- ${violationLine(v)}`);
    out.push("");
  }
  out.push("### Acknowledged exceptions", "");
  for (const e of report.exceptions) out.push(`- ${exceptionLine(e)}`);
  if (report.exceptions.length === 0) out.push("- (none)");
  out.push("");

  const summary = [
    `${stacks.length} stacks, ${t.vnets.length} VNets, ${t.clusters.length} clusters, ${t.publicIps.length} public IPs (${report.exceptions.filter((e) => e.rule.id === "PUB-001").length} acknowledged)`,
    report.violations.length === 0 ? "guardrails: all pass" : `guardrails: ${report.violations.length} violation(s)`,
  ].join("\n");
  return { markdown: out.join("\n"), report, summary };
}

/** A guardrail's runtime enforcement in a few words: its effects and scopes, or why there is none. */
function runtimeCell(id: string, assignments: PolicyAssignmentView[]): string {
  const entry = runtimeEnforcement(id);
  if (entry === undefined || "none" in entry) return `not enforceable: ${entry ? entry.none : "no entry"}`;
  if (assignments.length === 0) return "not assigned in this output";
  // Counted by assignment (one per scope), not by the guardrail's policies in it.
  const count = (n: number) => `${n} assignment${n === 1 ? "" : "s"}`;
  const by = new Map<string, { all: Set<unknown>; exempted: Set<unknown> }>();
  for (const a of assignments) {
    const e = by.get(a.effect) ?? { all: new Set(), exempted: new Set() };
    e.all.add(a.resource);
    if (a.exemption !== undefined) e.exempted.add(a.resource);
    by.set(a.effect, e);
  }
  return [...by].map(([effect, of]) => `${effect} (${count(of.all.size)}${of.exempted.size > 0 ? `, ${of.exempted.size === of.all.size && of.all.size === 1 ? "exempted" : `${of.exempted.size} exempted`}` : ""})`).join(", ");
}
