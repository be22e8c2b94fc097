/**
 * The runtime policy of a synthesized output, as a reviewer reads it: each Azure Policy
 * assignment that enforces a guardrail (its metadata names the guardrail), the scope it holds,
 * the effect it will have, read from what will be applied (its enforcement mode and effect
 * parameter, not from what the metadata says), its exemption, and the stacks where runtime
 * policy is off, with their reason.
 */
import { BUILT_IN_POLICIES, POLICY_METADATA_KEY, RUNTIME_POLICY_OFF_PREFIX } from "../domain/runtime-policies";
import { literalText } from "../core/template";
import { type Model, Ref, type Resource } from "./model";

/** What an assignment does to a request that breaks its guardrail. */
export type EnforcedEffect = "deny" | "audit" | "disabled" | "unknown";

export interface PolicyAssignmentView {
  readonly resource: Resource;
  readonly guardrail: string;
  readonly name: string;
  /** `rg-demo-aks1`, `rg-demo-aks1-nodes`, or `cluster aks-demo-aks1`. */
  readonly scope: string;
  readonly effect: EnforcedEffect;
  /** A built-in's display name and version, a custom definition's name, or the id as written. */
  readonly definition: string;
  /** The exemption's reason, when the scope is exempted. */
  readonly exemption?: string;
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

const BUILT_IN_NAMES = new Map<string, string>(Object.values(BUILT_IN_POLICIES).map((b) => [b.id.toLowerCase(), `built-in "${b.displayName}" ${b.version}`]));
const builtInName = (id: string) => BUILT_IN_NAMES.get(id.toLowerCase()) ?? id;

function effectOf(raw: any): EnforcedEffect {
  if (raw.enforce === false) return "audit";
  const effect = parse(raw.parameters).effect?.value;
  if (effect === undefined) return "deny"; // a definition without an effect parameter: its fixed deny
  return typeof effect === "string" && ["deny", "audit", "disabled"].includes(effect.toLowerCase()) ? (effect.toLowerCase() as EnforcedEffect) : "unknown";
}

function build(model: Model): RuntimePolicyView {
  const exemptions = new Map<Resource, string>();
  for (const e of EXEMPTION_TYPES.flatMap((t) => model.ofType(t))) {
    const target = model.target(model.attr(e, "policy_assignment_id"));
    if (target) exemptions.set(target, String(model.attr(e, "description") ?? "(no reason given)"));
  }
  const assignments = ASSIGNMENT_TYPES.flatMap((t) => model.ofType(t)).flatMap((r) => {
    const raw = r.raw as any;
    const guardrail = parse(raw.metadata)[POLICY_METADATA_KEY];
    if (typeof guardrail !== "string") return [];
    const definition = model.target(model.attr(r, "policy_definition_id"));
    return [
      {
        resource: r,
        guardrail,
        name: String(raw.name),
        scope: scopeOf(model, r),
        effect: effectOf(raw),
        definition: definition ? String(model.attr(definition, "name")) : builtInName(String(raw.policy_definition_id)),
        exemption: exemptions.get(r),
      },
    ];
  });
  // The reason is written as a Terraform literal (`$${` for `${`): read back as the file wrote it.
  const off = model.output.annotations.filter((a) => a.message.startsWith(RUNTIME_POLICY_OFF_PREFIX)).map((a) => {
    const written = a.message.slice(RUNTIME_POLICY_OFF_PREFIX.length);
    return { stack: a.path.split("/")[0], reason: literalText(written) ?? written };
  });
  return { assignments, off };
}
