import { PolicyDefinition } from "@cdktf/provider-azurerm/lib/policy-definition";
import { ResourceGroupPolicyAssignment } from "@cdktf/provider-azurerm/lib/resource-group-policy-assignment";
import { ResourceGroupPolicyExemption } from "@cdktf/provider-azurerm/lib/resource-group-policy-exemption";
import { ResourcePolicyAssignment } from "@cdktf/provider-azurerm/lib/resource-policy-assignment";
import { ResourcePolicyExemption } from "@cdktf/provider-azurerm/lib/resource-policy-exemption";
import { Construct } from "constructs";
import { addNote } from "../output/notes";
import {
  assignmentName,
  BUILT_IN_POLICIES,
  CUSTOM_POLICIES,
  type CustomKey,
  type HubService,
  plannedAssignments,
  POLICY_METADATA_KEY,
  type PolicyScope,
  RUNTIME_ENFORCEMENT,
  RUNTIME_POLICY_OFF_PREFIX,
  type RuntimeEffect,
} from "../domain/runtime-policies";

/** An exemption of one guardrail's runtime policies on the stack's scopes. */
export interface RuntimeExemption {
  readonly guardrail: string;
  /** Why: the exemption's description. At least 20 characters (the config rules check it). */
  readonly reason: string;
  /** ISO 8601 date or time the exemption lapses. @default - never */
  readonly expiresOn?: string;
}

export interface RuntimeGuardrailsProps {
  /** Prefix of the custom definitions' names (the stack id): definitions live in the subscription, which stacks may share. */
  readonly namePrefix: string;
  /** `off` assigns nothing and notes `offReason` for review. */
  readonly effect: RuntimeEffect | "off";
  /** Why runtime policy is off. Required with effect `off`. */
  readonly offReason?: string;
  /** The resource id of each scope this stack owns: resource groups for spoke, nodes and hub; the cluster for cluster. */
  readonly scopes: Partial<Record<PolicyScope, string>>;
  /** The hub's private services, for the guardrails that protect them. @default - none */
  readonly services?: ReadonlySet<HubService>;
  /** The firewall's private IP: the only next hop a spoke route table may send 0.0.0.0/0 to. Required with the spoke scope. */
  readonly firewallPrivateIp?: string;
  /** @default - none */
  readonly exemptions?: readonly RuntimeExemption[];
}

/** The effect parameter's value for a definition. */
const EFFECT_VALUE: Record<RuntimeEffect, "Deny" | "Audit"> = { deny: "Deny", audit: "Audit" };

/**
 * The guardrails' runtime enforcement on one stack's scopes: the custom definitions the table in
 * lib/domain/runtime-policies.ts needs, one assignment per guardrail policy and scope (metadata
 * naming the guardrail, a non-compliance message saying what to do), and the exemptions asked
 * for, each with its reason. No policy here modifies or deploys anything, so none needs an
 * identity or a remediation.
 */
export class RuntimeGuardrails extends Construct {
  /** The assignments made, by `<scope>/<assignment name>`. */
  public readonly assignments = new Map<string, ResourceGroupPolicyAssignment | ResourcePolicyAssignment>();
  public readonly definitions = new Map<CustomKey, PolicyDefinition>();

  constructor(scope: Construct, id: string, props: RuntimeGuardrailsProps) {
    super(scope, id);
    if (props.effect === "off") {
      if (props.offReason === undefined) throw new Error(`${this.node.path}: runtime policy off needs a reason`);
      // Written as the literal it is (escaped, like every value in the stack file); review reads it back as the file wrote it.
      addNote(this, `${RUNTIME_POLICY_OFF_PREFIX}${props.offReason}`);
      return;
    }
    const owned = Object.keys(props.scopes) as PolicyScope[];
    const planned = plannedAssignments(owned, props.services);
    const exempt = new Map((props.exemptions ?? []).map((x) => [x.guardrail, x]));

    for (const { guardrail, policy, scope } of planned) {
      const entry = RUNTIME_ENFORCEMENT[guardrail];
      if (!("policies" in entry)) continue;
      const effect: RuntimeEffect = policy.auditOnly ? "audit" : props.effect;
      const scopeId = props.scopes[scope] as string;
      const name = assignmentName(guardrail, policy);
      let definitionId: string;
      let displayName: string;
      let takesEffect = true;
      const parameters: Record<string, { value: unknown }> = Object.fromEntries(Object.entries(policy.parameters ?? {}).map(([k, v]) => [k, { value: v }]));
      if ("builtIn" in policy.definition) {
        const b = BUILT_IN_POLICIES[policy.definition.builtIn];
        definitionId = b.id;
        displayName = b.displayName;
        takesEffect = b.effectParameter !== undefined;
      } else {
        const key = policy.definition.custom;
        const custom: { parameters?: Record<string, { from: "firewallPrivateIp" }> } & (typeof CUSTOM_POLICIES)[CustomKey] = CUSTOM_POLICIES[key];
        const definition = this.definition(props.namePrefix, key, guardrail);
        definitionId = definition.id;
        displayName = custom.displayName;
        for (const [param, spec] of Object.entries(custom.parameters ?? {})) {
          if (spec.from === "firewallPrivateIp") {
            if (props.firewallPrivateIp === undefined) throw new Error(`${this.node.path}: ${key} needs the firewall's private IP`);
            parameters[param] = { value: props.firewallPrivateIp };
          }
        }
      }
      if (takesEffect) parameters.effect = { value: EFFECT_VALUE[effect] };
      const common = {
        name,
        policyDefinitionId: definitionId,
        displayName: `${guardrail}: ${displayName} (${effect})`.slice(0, 128),
        description: entry.message,
        // A definition without an effect parameter denies; audit is the same assignment, not enforced.
        enforce: takesEffect || effect === "deny",
        parameters: Object.keys(parameters).length > 0 ? JSON.stringify(parameters) : undefined,
        metadata: JSON.stringify({ [POLICY_METADATA_KEY]: guardrail, managedBy: "private-aks", effect }),
        nonComplianceMessage: [{ content: entry.message }],
      };
      const assignment =
        scope === "cluster"
          ? new ResourcePolicyAssignment(this, `${scope}-${name}`, { ...common, resourceId: scopeId })
          : new ResourceGroupPolicyAssignment(this, `${scope}-${name}`, { ...common, resourceGroupId: scopeId });
      this.assignments.set(`${scope}/${name}`, assignment);

      const exemption = exempt.get(guardrail);
      if (exemption) {
        const x = {
          name: `${name}-exemption`,
          policyAssignmentId: assignment.id,
          exemptionCategory: "Waiver",
          displayName: `${guardrail} exempted`,
          description: exemption.reason,
          expiresOn: exemption.expiresOn,
          metadata: JSON.stringify({ [POLICY_METADATA_KEY]: guardrail, managedBy: "private-aks" }),
        };
        if (scope === "cluster") new ResourcePolicyExemption(this, `${scope}-${name}-exemption`, { ...x, resourceId: scopeId });
        else new ResourceGroupPolicyExemption(this, `${scope}-${name}-exemption`, { ...x, resourceGroupId: scopeId });
      }
    }
  }

  /** The custom definition `key`, made once per stack. */
  private definition(prefix: string, key: CustomKey, guardrail: string): PolicyDefinition {
    const made = this.definitions.get(key);
    if (made) return made;
    const c: (typeof CUSTOM_POLICIES)[CustomKey] & { parameters?: Record<string, { type: string; description: string }> } = CUSTOM_POLICIES[key];
    const parameters: Record<string, unknown> = {
      effect: { type: "String", allowedValues: c.effects, defaultValue: c.effects[0], metadata: { displayName: "Effect", description: "Deny refuses a request that breaks the guardrail; Audit reports it." } },
      ...Object.fromEntries(Object.entries(c.parameters ?? {}).map(([k, v]) => [k, { type: v.type, metadata: { displayName: k, description: v.description } }])),
    };
    const definition = new PolicyDefinition(this, `definition-${key}`, {
      name: `${prefix}-${key}`,
      policyType: "Custom",
      mode: c.mode,
      displayName: `private-aks ${guardrail}: ${c.displayName}`,
      description: c.description,
      metadata: JSON.stringify({ category: "private-aks", [POLICY_METADATA_KEY]: guardrail, version: "1.0.0" }),
      parameters: JSON.stringify(parameters),
      policyRule: JSON.stringify({ if: c.if, then: { effect: "[parameters('effect')]" } }),
    });
    this.definitions.set(key, definition);
    return definition;
  }
}
