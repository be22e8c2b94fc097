/**
 * Runtime policy on the shipped environments, read from their synthesized output: which
 * assignments each stack makes, on which scopes, with which effect and parameters; that nothing
 * the product deploys (or AKS creates for it) would be refused by them; that the acknowledged
 * public endpoints lie outside every deny of them; exemptions. (Bad input: config/policy.test.ts.)
 */
import { ENFORCED_GUARDRAILS, POLICY_METADATA_KEY, RUNTIME_POLICY_OFF_PREFIX } from "../../lib/domain/runtime-policies";
import { Model, readOutput, type Resource } from "../../lib/output/model";
import { armRequests, flat, type Located } from "../arm-requests";
import { changed, environment, namedEnvironment, resources, stacks, synth } from "../helpers";
import { notesOf } from "../../lib/output/notes";
import { runtimePolicy } from "../../lib/output/runtime-policy";
import { BUILT_INS, holds } from "../policy-language";
import { SHIPPED, shippedOutput } from "../shipped";
import { evaluate } from "../terraform";

const ASSIGNMENT_TYPES = ["azurerm_resource_group_policy_assignment", "azurerm_resource_policy_assignment"];

/** One guardrail policy as assigned: a reference of a scope's initiative, with its assignment. */
interface Assignment {
  /** The assignment of the initiative. */
  readonly resource: Resource;
  readonly initiative: Resource;
  readonly guardrail: string;
  /** The reference id. */
  readonly name: string;
  /** The stack's effect, as its assignment's metadata says. */
  readonly effect: string;
  readonly enforce: boolean;
  readonly parameters: Record<string, { value: unknown }>;
  readonly version?: string;
  readonly definitionId: string;
  /** The definition's rule and declared parameters. */
  readonly rule: any;
  readonly declared: Record<string, any>;
  readonly builtIn: boolean;
  /** The resource group the scope is (by name), or the cluster it is. */
  readonly scope: { kind: "group"; name: string } | { kind: "cluster"; cluster: Resource };
}

function assignmentsOf(model: Model): Assignment[] {
  return ASSIGNMENT_TYPES.flatMap((t) => model.ofType(t)).flatMap((r) => {
    const raw = r.raw as any;
    const metadata = raw.metadata ? JSON.parse(raw.metadata) : {};
    if (metadata[POLICY_METADATA_KEY] === undefined) return []; // the pod security initiative
    const initiative = model.target(model.attr(r, "policy_definition_id")) as Resource;
    const scopeValue = model.attr(r, raw.resource_group_id !== undefined ? "resource_group_id" : "resource_id");
    const target = model.target(scopeValue) as Resource;
    const scope =
      target.type === "azurerm_resource_group"
        ? { kind: "group" as const, name: String(model.attr(target, "name")) }
        : raw.resource_group_id !== undefined
          ? { kind: "group" as const, name: String(model.attr(target, "node_resource_group")) }
          : { kind: "cluster" as const, cluster: target };
    return ((initiative.raw as any).policy_definition_reference as any[]).map((ref) => {
      const definitionId = ref.policy_definition_id as string;
      const builtIn = definitionId.startsWith("/providers/");
      let rule: any;
      let declared: Record<string, any>;
      if (builtIn) {
        const published = BUILT_INS[definitionId.split("/").pop() as string];
        rule = published.if;
        declared = published.parameters;
      } else {
        const definition = model.target(model.resolve(definitionId, initiative.stack)) as Resource;
        rule = JSON.parse((definition.raw as any).policy_rule).if;
        declared = JSON.parse((definition.raw as any).parameters);
      }
      // The values the definition gets: as the reference writes them, or the initiative's parameter it names, as the assignment sets it.
      const written: Record<string, { value: unknown }> = ref.parameter_values ? JSON.parse(ref.parameter_values) : {};
      const [given, initiativeParameters] = [raw.parameters ? JSON.parse(raw.parameters) : {}, JSON.parse((initiative.raw as any).parameters ?? "{}")];
      const parameters = Object.fromEntries(
        Object.entries(written).map(([k, v]) => {
          const named = typeof v.value === "string" ? /^\[parameters\('([^']+)'\)\]$/.exec(v.value)?.[1] : undefined;
          if (named === undefined) return [k, v];
          expect([ref.reference_id, named, initiativeParameters[named] !== undefined]).toEqual([ref.reference_id, named, true]);
          return [k, { value: given[named]?.value ?? initiativeParameters[named].defaultValue }];
        }),
      );
      return { resource: r, initiative, guardrail: ref.policy_group_names[0], name: ref.reference_id, effect: metadata.effect, enforce: raw.enforce !== false, parameters, version: ref.version, definitionId, rule, declared, builtIn, scope };
    });
  });
}

/** The parameter values an assignment gives its rule (references as the attribute they name), with the definition's defaults. */
function values(model: Model, a: Assignment): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(a.parameters).map(([k, v]) => [k, flat(model.resolve(v.value, a.resource.stack))]));
  const defaults = Object.fromEntries(Object.entries(a.declared).filter(([, d]) => d.defaultValue !== undefined).map(([k, d]) => [k, d.defaultValue]));
  return { ...defaults, ...given };
}

const outputs = new Map<string, { model: Model; assignments: Assignment[]; requests: Located[] }>();
function shipped(name: string) {
  let o = outputs.get(name);
  if (!o) {
    const model = new Model(readOutput(shippedOutput([name]).outdir));
    outputs.set(name, (o = { model, assignments: assignmentsOf(model), requests: armRequests(model) }));
  }
  return o;
}

const inStack = (as: Assignment[], stack: string) => as.filter((a) => a.resource.stack === stack);
const ids = (as: Assignment[]) => [...new Set(as.map((a) => a.guardrail))].sort();

describe("full.yaml assigns every runtime policy", () => {
  const { assignments, model } = shipped("full");

  it("covers every guardrail Azure Policy can enforce, between the hub and the spoke that denies", () => {
    expect(ids([...inStack(assignments, "full-hub"), ...inStack(assignments, "full-aks1")])).toEqual([...ENFORCED_GUARDRAILS].sort());
  });

  it("puts the hub's private services, VMs, Bastion and firewall policy under the hub's resource group, and the same under TLS inspection's", () => {
    expect(ids(inStack(assignments, "full-hub"))).toEqual(["FW-002", "KV-001", "MON-001", "PUB-002", "PUB-003", "REG-001", "VM-001"]);
    const scopes = (group: string) => inStack(assignments, "full-hub").filter((a) => a.scope.kind === "group" && a.scope.name === group).map((a) => a.name);
    expect(scopes("rg-full-hub").length + scopes("rg-full-hub-tls").length).toBe(inStack(assignments, "full-hub").length);
    expect(scopes("rg-full-hub-tls")).toEqual(scopes("rg-full-hub"));
  });

  it("puts a spoke's under its resource group, the node resource group and the cluster", () => {
    const scopes = (id: string) => inStack(assignments, "full-aks1").filter((a) => a.guardrail === id).map((a) => (a.scope.kind === "group" ? a.scope.name : "cluster")).sort();
    expect(scopes("PUB-001")).toEqual(["rg-full-aks1", "rg-full-aks1-nodes"]);
    expect(scopes("PUB-002")).toEqual(["rg-full-aks1", "rg-full-aks1-nodes"]);
    expect(scopes("NET-001")).toEqual(["rg-full-aks1", "rg-full-aks1-nodes"]);
    expect(scopes("NET-003")).toEqual(["rg-full-aks1"]);
    expect(scopes("K8S-001")).toEqual(["cluster"]);
    expect(scopes("AKS-004")).toEqual(["rg-full-aks1", "rg-full-aks1"]);
  });

  it("denies by default; NET-002 only audits, since a deny would refuse azurerm's own subnet-then-association order", () => {
    const aks1 = inStack(assignments, "full-aks1");
    expect(aks1.filter((a) => a.guardrail !== "NET-002").every((a) => a.effect === "deny" && a.enforce && (a.parameters.effect === undefined || a.parameters.effect.value === "Deny"))).toBe(true);
    expect(aks1.filter((a) => a.guardrail === "NET-002").map((a) => a.parameters.effect.value)).toEqual(["Audit"]);
  });

  it("audits only in the spoke that asks (aks2): effect Audit, and the fixed-deny NIC definition not enforced", () => {
    const aks2 = inStack(assignments, "full-aks2");
    expect(aks2.length).toBe(inStack(assignments, "full-aks1").length);
    expect(aks2.every((a) => a.effect === "audit")).toBe(true);
    const nic = aks2.filter((a) => a.guardrail === "PUB-002");
    expect(nic.map((a) => [a.enforce, a.parameters.effect])).toEqual([[false, undefined], [false, undefined]]);
    expect(aks2.filter((a) => a.guardrail !== "PUB-002").every((a) => a.parameters.effect.value === "Audit")).toBe(true);
  });

  it("assigns nothing where runtime policy is off (aks3), and says why in the output", () => {
    expect(inStack(assignments, "full-aks3")).toEqual([]);
    expect(model.output.annotations.filter((a) => a.message.startsWith(RUNTIME_POLICY_OFF_PREFIX)).map((a) => a.path)).toEqual(["full-aks3/runtime-policy"]);
  });

  it("pins the route table's next hop to the hub firewall's private IP, the one the route itself names", () => {
    const a = inStack(assignments, "full-aks1").find((x) => x.guardrail === "NET-003") as Assignment;
    const table = model.ofType("azurerm_route_table").find((r) => r.stack === "full-aks1") as Resource;
    expect(values(model, a).firewallPrivateIp).toBe(flat(model.attrs(table).route[0].next_hop_in_ip_address));
    expect(String(values(model, a).firewallPrivateIp)).toMatch(/^full-hub\/azurerm_firewall\.[^.]+\.ip_configuration\.0\.private_ip_address$/);
  });
});

describe.each(SHIPPED)("%s: the assignments as Azure reads them", (name) => {
  it("give each definition only parameters it declares, with values it allows", () => {
    const { assignments } = shipped(name);
    for (const a of assignments) {
      for (const [param, { value }] of Object.entries(a.parameters)) {
        expect([a.name, param, a.declared[param] !== undefined]).toEqual([a.name, param, true]);
        const allowed = a.declared[param].allowedValues;
        if (allowed) expect([a.name, param, allowed.includes(value)]).toEqual([a.name, param, true]);
      }
      const required = Object.entries(a.declared).filter(([, d]) => d.defaultValue === undefined).map(([k]) => k);
      expect([a.name, required.filter((k) => a.parameters[k] === undefined)]).toEqual([a.name, []]);
    }
  });

  it("pin each built-in to the major and minor version read, one Microsoft publishes", () => {
    const { assignments } = shipped(name);
    for (const a of assignments.filter((x) => x.builtIn)) {
      const published = BUILT_INS[a.definitionId.split("/").pop() as string];
      expect([a.name, a.version]).toEqual([a.name, `${published.version.split(".").slice(0, 2).join(".")}.*`]);
      expect(published.versions.some((v: string) => v.startsWith(`${(a.version as string).slice(0, -1)}`))).toBe(true);
    }
    for (const a of assignments.filter((x) => !x.builtIn)) expect(a.version).toBeUndefined();
  });

  it("give each initiative only parameters it declares, and every one it requires", () => {
    const { assignments } = shipped(name);
    for (const r of new Set(assignments.map((a) => a.resource))) {
      const a = assignments.find((x) => x.resource === r) as Assignment;
      const [given, declared] = [JSON.parse((r.raw as any).parameters ?? "{}"), JSON.parse((a.initiative.raw as any).parameters ?? "{}")];
      expect([r.address, Object.keys(given).filter((k) => declared[k] === undefined)]).toEqual([r.address, []]);
      expect([r.address, Object.keys(declared).filter((k) => declared[k].defaultValue === undefined && given[k] === undefined)]).toEqual([r.address, []]);
      for (const [k, v] of Object.entries<any>(given)) if (declared[k].allowedValues) expect([r.address, k, declared[k].allowedValues.includes(v.value)]).toEqual([r.address, k, true]);
    }
  });

  it("scope each assignment to a resource group or cluster of the same stack, and name it uniquely there", () => {
    const { assignments } = shipped(name);
    const keys = assignments.map((a) => `${a.resource.stack} ${a.scope.kind === "group" ? a.scope.name : a.scope.cluster.address} ${a.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const a of assignments) if (a.scope.kind === "cluster") expect(a.scope.cluster.type).toBe("azurerm_kubernetes_cluster");
  });

  it("refuse nothing the product deploys, nor what AKS creates in the node resource group, but what an exemption admits", () => {
    const { assignments, requests, model } = shipped(name);
    // An exemption takes its references out of its assignment, as Azure does (TLS inspection's vault: KV-001's RBAC policy).
    const exempted = new Set(
      ["azurerm_resource_group_policy_exemption", "azurerm_resource_policy_exemption"].flatMap((t) => model.ofType(t)).flatMap((e) => ((e.raw as any).policy_definition_reference_ids as string[]).map((id) => `${model.target(model.attr(e, "policy_assignment_id"))?.address}|${id}`)),
    );
    const refused = assignments
      .filter((a) => a.scope.kind === "group" && !exempted.has(`${a.resource.address}|${a.name}`))
      .flatMap((a) => {
        const group = (a.scope as { name: string }).name;
        const params = values(model, a);
        return requests.filter((r) => r.resourceGroup === group && holds(a.rule, r.request, params)).map((r) => `${a.resource.stack}/${a.name} refuses ${r.source}`);
      });
    expect(refused).toEqual([]);
    // The check saw something: every spoke resource group holds a route table, an NSG and subnets.
    expect(requests.filter((r) => r.request.type === "Microsoft.Network/routeTables").length).toBeGreaterThan(0);
  });

  it("leave the acknowledged public endpoints outside every deny of public IPs", () => {
    const { assignments, requests } = shipped(name);
    const publicIpGroups = new Set(requests.filter((r) => r.request.type === "Microsoft.Network/publicIPAddresses").map((r) => r.resourceGroup));
    const denied = assignments.filter((a) => a.guardrail === "PUB-001" && a.scope.kind === "group" && publicIpGroups.has(a.scope.name));
    expect(denied).toEqual([]);
  });
});

describe("Azure's limits on policy resources' text", () => {
  // Display names 1-128 characters, descriptions up to 512 (Microsoft Learn, REST API reference
  // for Policy Definitions, Policy Assignments and Policy Exemptions, read 2026-12-07); azurerm
  // v4.55.0 checks them only on exemptions, so Azure would refuse them at apply.
  it.each(["full", "brownfield"])("%s: every policy resource's display name and description fit", (name) => {
    const { model } = shipped(name);
    const policy = model.resources.filter((r) => /^azurerm_(policy_definition|resource(_group)?_policy_(assignment|exemption))$/.test(r.type));
    expect(policy.length).toBeGreaterThan(10);
    const over = policy.flatMap((r) => {
      const a = r.raw as any;
      return [
        ...(typeof a.display_name === "string" && (a.display_name.length < 1 || a.display_name.length > 128) ? [`${r.address} display_name ${a.display_name.length}`] : []),
        ...(typeof a.description === "string" && a.description.length > 512 ? [`${r.address} description ${a.description.length}`] : []),
      ];
    });
    expect(over).toEqual([]);
  });
});

describe("an existing hub is never touched", () => {
  it("brownfield.yaml assigns nothing to the hub, and every scope is a resource group the output creates", () => {
    const { assignments, model } = shipped("brownfield");
    expect(assignments.length).toBeGreaterThan(0);
    const created = new Set(model.ofType("azurerm_resource_group").map((g) => String(model.attr(g, "name"))));
    const clusters = new Set(model.ofType("azurerm_kubernetes_cluster").map((c) => String(model.attr(c, "node_resource_group"))));
    expect(assignments.filter((a) => a.scope.kind === "group" && !created.has(a.scope.name) && !clusters.has(a.scope.name))).toEqual([]);
    // The attached hub's stack holds the environment subscription's definitions (its default provider), nothing on the existing hub.
    const inHubStack = model.resources.filter((r) => r.type.includes("policy") && !r.type.includes("firewall_policy") && r.stack === "brown-hub");
    expect([...new Set(inHubStack.map((r) => r.type))].sort()).toEqual(["azurerm_policy_definition", "azurerm_policy_set_definition"]);
    expect(inHubStack.filter((r) => (r.raw as any).provider !== undefined)).toEqual([]);
  });
});

describe("runtime policy off", () => {
  it("notes the reason as a literal, like every value of the stack file, and review reads it back as the file wrote it", () => {
    const reason = "governed by the landing zone's initiative; see ${var.ticket} and %{if x}";
    const built = stacks(environment(changed((raw) => (raw.spokes[0].policy = { effect: "off", reason }))));
    expect(notesOf(built.spokes[0].runtimePolicy)).toEqual([`${RUNTIME_POLICY_OFF_PREFIX}governed by the landing zone's initiative; see $\${var.ticket} and %%{if x}`]);
    expect(built.spokes[0].runtimePolicy.assignments.size).toBe(0);
    const model = new Model({ stacks: new Map(), manifests: [], annotations: [{ path: "demo-aks1/runtime-policy", message: notesOf(built.spokes[0].runtimePolicy)[0] }] } as any);
    expect(runtimePolicy(model).off).toEqual([{ stack: "demo-aks1", reason }]);
  });
});

describe("exemptions", () => {
  const EXEMPTION_TYPES = ["azurerm_resource_group_policy_exemption", "azurerm_resource_policy_exemption"];
  const exemptionsOf = (model: Model) => EXEMPTION_TYPES.flatMap((t) => model.ofType(t));
  const shippedExemptions = ["full", "hybrid"].flatMap((name) => exemptionsOf(shipped(name).model).map((e) => ({ e, model: shipped(name).model })));

  it("exempt the guardrail's references in each initiative that holds them, with the reason as the description", () => {
    const seen = shippedExemptions.map(({ e, model }) => {
      const a = model.target(model.attr(e, "policy_assignment_id")) as Resource;
      const initiative = model.target(model.attr(a, "policy_definition_id")) as Resource;
      const raw = e.raw as any;
      const references = ((initiative.raw as any).policy_definition_reference as any[]).filter((r) => raw.policy_definition_reference_ids.includes(r.reference_id));
      const sameScope = (raw.resource_group_id ?? raw.resource_id) === ((a.raw as any).resource_group_id ?? (a.raw as any).resource_id);
      return [e.stack, [...new Set(references.map((r) => r.policy_group_names[0]))].join(), references.length === raw.policy_definition_reference_ids.length, raw.exemption_category, sameScope, raw.description.length >= 20];
    });
    // The environment's (full: VM-001, enforced in the hub's two resource groups), a spoke's own (full's aks2: NET-002, hybrid's aks1: K8S-003),
    // and TLS inspection's vault's (KV-001's RBAC policy alone, in the vault's resource group).
    expect(seen.sort()).toEqual([
      ["full-aks2", "NET-002", true, "Waiver", true, true],
      ["full-hub", "KV-001", true, "Waiver", true, true],
      ["full-hub", "VM-001", true, "Waiver", true, true],
      ["full-hub", "VM-001", true, "Waiver", true, true],
      ["hybrid-aks1", "K8S-003", true, "Waiver", true, true],
    ]);
    const tls = shippedExemptions.find(({ e }) => JSON.parse((e.raw as any).metadata).privateAksGuardrails[0] === "KV-001")!;
    expect((tls.e.raw as any).policy_definition_reference_ids).toEqual(["kv-001-vault-rbac"]);
    expect(String(tls.model.attr(tls.model.target(tls.model.attr(tls.e, "resource_group_id")) as Resource, "name"))).toBe("rg-full-hub-tls");
  });

  it("of the environment cover the hub and every spoke that assigns the guardrail", () => {
    const reason = "a reason long enough to pass the check";
    const built = stacks(environment(changed((raw) => (raw.policy = { exemptions: [{ guardrail: "NET-001", reason }, { guardrail: "VM-001", reason }] }))));
    const exempted = (stack: any) =>
      EXEMPTION_TYPES.flatMap((t) => resources(synth(stack).json, t)).map((x: any) => [...new Set((x.policy_definition_reference_ids as string[]).map((r) => r.split("-").slice(0, 2).join("-")))].join());
    expect(exempted(built.hub)).toEqual(["vm-001"]);
    for (const spoke of built.spokes) expect(exempted(spoke).sort()).toEqual(["net-001", "net-001"]); // the spoke's and its node resource group's
  });

  it("of the hub's private services (registry, vault, monitoring) reach the hub's assignment, with its messages", () => {
    const reason = "a reason long enough to pass the check";
    const env = namedEnvironment("full");
    const built = stacks({ ...env, policy: { ...env.policy, exemptions: ["REG-001", "KV-001", "MON-001"].map((guardrail) => ({ guardrail, reason })) } });
    const hub = synth(built.hub).json;
    // In the hub's resource group and in TLS inspection's (whose own KV-001 exemption the environment's then covers).
    const exempted = EXEMPTION_TYPES.flatMap((t) => resources(hub, t)).map((x: any) => JSON.parse(x.metadata).privateAksGuardrails[0]);
    expect(exempted.sort()).toEqual(["KV-001", "KV-001", "MON-001", "MON-001", "REG-001", "REG-001"]);
    const [assignment] = resources(hub, "azurerm_resource_group_policy_assignment");
    const messages = (assignment.non_compliance_message as { policy_definition_reference_id?: string }[]).map((m) => m.policy_definition_reference_id?.split("-").slice(0, 2).join("-"));
    for (const id of ["reg-001", "kv-001", "mon-001"]) expect(messages).toContain(id);
  });

  it("expire at an RFC 3339 time, which Terraform reads as a timestamp (azurerm parses expires_on so at apply)", () => {
    const written = shippedExemptions.map(({ e }) => (e.raw as any).expires_on as string | undefined).filter((w): w is string => w !== undefined);
    expect(written.sort()).toEqual(["2027-01-31T00:00:00Z", "2027-03-31T00:00:00Z", "2027-03-31T00:00:00Z", "2027-03-31T00:00:00Z"]);
    expect(evaluate(written.map((w) => `\${timeadd("${w}", "0s")}`))).toEqual(written);
  });
});
