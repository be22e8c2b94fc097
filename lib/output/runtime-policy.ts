/**
 * The runtime policy of a synthesized output, as a reviewer reads it: each guardrail policy of
 * each scope's initiative (a reference, grouped under its guardrail id), the scope its
 * assignment holds, the effect it will have, read from what will be applied (the assignment's
 * enforcement mode and the reference's effect value, not from what any metadata says), its
 * exemption, and the stacks where runtime policy is off, with their reason.
 */
import { BUILT_IN_POLICIES, POLICY_METADATA_KEY, RUNTIME_POLICY_OFF_PREFIX } from "../domain/runtime-policies";
import { writtenText } from "../core/template";
import { type Model, Ref, type Resource } from "./model";

/** What an assignment does to a request that breaks its guardrail. */
export type EnforcedEffect = "deny" | "audit" | "disabled" | "unknown";

/** One guardrail policy as assigned: a reference of the initiative a scope's assignment holds. */
export interface PolicyAssignmentView {
  /** The assignment (of the scope's initiative). */
  readonly resource: Resource;
  readonly guardrail: string;
  /** The reference's id in the initiative, `<guardrail>-<key>`. */
  readonly name: string;
  /** `rg-demo-aks1`, `rg-demo-aks1-nodes`, or `cluster aks-demo-aks1`. */
  readonly scope: string;
  readonly effect: EnforcedEffect;
  /** A built-in's display name and pinned version, a custom definition's name, or the id as written. */
  readonly definition: string;
  /** The exemption, when the scope is exempted from this reference: its reason, and when it expires (RFC 3339, as written). */
  readonly exemption?: { readonly reason: string; readonly expiresOn?: string };
}

export interface RuntimePolicyView {
  readonly assignments: PolicyAssignmentView[];
  /** Stacks whose runtime policy is off, with the reason. */
  readonly off: { readonly stack: string; readonly reason: string }[];
}

const ASSIGNMENT_TYPES = ["azurerm_resource_group_policy_assignment", "azurerm_resource_policy_assignment"];
const EXEMPTION_TYPES = ["azurerm_resource_group_policy_exemption", "azurerm_resource_policy_exemption"];

const VIEWS = new WeakMap<Model, RuntimePolicyView>();

export function runtimePolicy(model: Model): RuntimePolicyView {
  let v = VIEWS.get(model);
  if (v === undefined) VIEWS.set(model, (v = build(model)));
  return v;
}

const parse = (text: unknown): any => {
  if (typeof text !== "string") return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
};

function scopeOf(model: Model, r: Resource): string {
  const raw = r.raw as any;
  const value = model.attr(r, raw.resource_group_id !== undefined ? "resource_group_id" : "resource_id");
  if (value instanceof Ref) {
    const target = value.resource;
    if (target.type === "azurerm_resource_group") return String(model.attr(target, "name"));
    if (target.type === "azurerm_kubernetes_cluster") return value.attribute === "node_resource_group_id" ? String(model.attr(target, "node_resource_group")) : `cluster ${String(model.attr(target, "name"))}`;
  }
  return String(value);
}

const BUILT_IN_NAMES = new Map<string, string>(Object.values(BUILT_IN_POLICIES).map((b) => [b.id.toLowerCase(), `built-in "${b.displayName}"`]));
/** A built-in by the display name read for its id, and the version the reference pins (as written in the output). */
const builtInName = (id: string, version: unknown) => `${BUILT_IN_NAMES.get(id.toLowerCase()) ?? id}${typeof version === "string" ? ` ${version}` : ""}`;

/** A reference's value for one of its definition's parameters: as written, or the initiative parameter it names, as the assignment (or the initiative's default) sets it. */
function referenceValue(written: unknown, assignmentParameters: any, initiativeParameters: any): unknown {
  const named = typeof written === "string" ? /^\[parameters\('([^']+)'\)\]$/.exec(written)?.[1] : undefined;
  if (named === undefined) return written;
  return assignmentParameters[named]?.value ?? initiativeParameters[named]?.defaultValue;
}

function effectOf(enforced: boolean, effect: unknown): EnforcedEffect {
  const named = typeof effect === "string" && ["deny", "audit", "disabled"].includes(effect.toLowerCase()) ? (effect.toLowerCase() as EnforcedEffect) : effect === undefined ? "deny" : "unknown";
  // Not enforced, a deny only reports (a definition without an effect parameter denies: its fixed effect).
  return !enforced && named === "deny" ? "audit" : named;
}

/** A value as the environment file wrote it (the output holds it as a Terraform literal). */
const text = (value: unknown): string | undefined => (typeof value === "string" ? writtenText(value) : undefined);

function build(model: Model): RuntimePolicyView {
  const exemptions = EXEMPTION_TYPES.flatMap((t) => model.ofType(t)).map((e) => ({
    assignment: model.target(model.attr(e, "policy_assignment_id")),
    references: ((e.raw as any).policy_definition_reference_ids ?? []) as string[],
    exemption: { reason: text(model.attr(e, "description")) ?? "(no reason given)", ...(typeof (e.raw as any).expires_on === "string" ? { expiresOn: (e.raw as any).expires_on as string } : {}) },
  }));
  const assignments = ASSIGNMENT_TYPES.flatMap((t) => model.ofType(t)).flatMap((r) => {
    const raw = r.raw as any;
    if (parse(raw.metadata)[POLICY_METADATA_KEY] === undefined) return [];
    const initiative = model.target(model.attr(r, "policy_definition_id"));
    if (!initiative || initiative.type !== "azurerm_policy_set_definition") return [];
    const scope = scopeOf(model, r);
    const enforced = raw.enforce !== false;
    const [given, declared] = [parse(raw.parameters), parse((initiative.raw as any).parameters)];
    return ((initiative.raw as any).policy_definition_reference ?? []).map((ref: any) => {
      const definition = model.target(model.resolve(ref.policy_definition_id, initiative.stack));
      const name = String(ref.reference_id);
      const exemption = exemptions.find((x) => x.assignment === r && (x.references.length === 0 || x.references.includes(name)));
      return {
        resource: r,
        guardrail: String((ref.policy_group_names ?? [])[0] ?? "(no group)"),
        name,
        scope,
        effect: effectOf(enforced, referenceValue(parse(ref.parameter_values).effect?.value, given, declared)),
        definition: definition ? String(model.attr(definition, "name")) : builtInName(String(ref.policy_definition_id), ref.version),
        ...(exemption ? { exemption: exemption.exemption } : {}),
      };
    });
  });
  // The reason is written as a Terraform literal (`$${` for `${`): read back as the file wrote it.
  const off = model.output.annotations.filter((a) => a.message.startsWith(RUNTIME_POLICY_OFF_PREFIX)).map((a) => {
    const written = a.message.slice(RUNTIME_POLICY_OFF_PREFIX.length);
    return { stack: a.path.split("/")[0], reason: writtenText(written) };
  });
  return { assignments, off };
}
