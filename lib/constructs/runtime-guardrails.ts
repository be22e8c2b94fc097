import { PolicyDefinition } from "@cdktf/provider-azurerm/lib/policy-definition";
import { PolicySetDefinition } from "@cdktf/provider-azurerm/lib/policy-set-definition";
import { ResourceGroupPolicyAssignment } from "@cdktf/provider-azurerm/lib/resource-group-policy-assignment";
import { ResourceGroupPolicyExemption } from "@cdktf/provider-azurerm/lib/resource-group-policy-exemption";
import { ResourcePolicyAssignment } from "@cdktf/provider-azurerm/lib/resource-policy-assignment";
import { ResourcePolicyExemption } from "@cdktf/provider-azurerm/lib/resource-policy-exemption";
import { Construct } from "constructs";
import { addNote } from "../output/notes";
import {
  BUILT_IN_POLICIES,
  CUSTOM_POLICIES,
  type CustomKey,
  type CustomPolicy,
  type HubService,
  INITIATIVE_ASSIGNMENT_NAME,
  initiativeName,
  plannedAssignments,
  POLICY_METADATA_KEY,
  type PolicyScope,
  referenceId,
  runtimeEnforcement,
  RUNTIME_POLICY_OFF_PREFIX,
  type RuntimeEffect,
  versionPin,
} from "../domain/runtime-policies";

/** The initiative of each scope kind, by id: what assignments take. */
export type GuardrailInitiatives = Partial<Record<PolicyScope, string>>;

export interface GuardrailDefinitionsProps {
  /** Prefix of the definitions' names (the owning stack's id): definitions live in the subscription, which stacks and environments may share. */
  readonly namePrefix: string;
  /** The scope kinds to make initiatives for. */
  readonly kinds: readonly PolicyScope[];
  /** The hub's private services, for the hub initiative's guardrails. @default - none */
  readonly services?: ReadonlySet<HubService>;
}

const message = (guardrail: string) => {
  const entry = runtimeEnforcement(guardrail);
  return entry !== undefined && "policies" in entry ? entry.message : guardrail;
};

/**
 * The definitions of the guardrails' runtime enforcement in one subscription: the custom
 * definitions the table in lib/domain/runtime-policies.ts needs, and per scope kind one
 * initiative (policy set definition) holding each guardrail policy as a reference grouped under
 * its guardrail id, built-ins pinned to the major and minor version read. The initiatives take
 * the effect (`Deny` or `Audit`) and, for a spoke, the firewall's private IP as parameters, so
 * that every spoke of the subscription assigns the same ones: Azure allows 500 custom
 * definitions and 200 initiatives per subscription.
 */
export class GuardrailDefinitions extends Construct {
  public readonly initiatives: GuardrailInitiatives = {};
  public readonly definitions = new Map<CustomKey, PolicyDefinition>();
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: GuardrailDefinitionsProps) {
    super(scope, id);
    this.prefix = props.namePrefix;
    const planned = plannedAssignments(props.kinds, props.services);
    for (const kind of props.kinds) {
      const here = planned.filter((p) => p.scope === kind);
      if (here.length === 0) continue;
      const guardrails = [...new Set(here.map((p) => p.guardrail))];
      const parameters: Record<string, unknown> = {
        effect: { type: "String", allowedValues: ["Deny", "Audit"], defaultValue: "Deny", metadata: { displayName: "Effect", description: "Deny refuses a request that breaks a guardrail; Audit reports it." } },
      };
      const references = here.map(({ guardrail, policy }) => {
        const values: Record<string, { value: unknown }> = Object.fromEntries(Object.entries(policy.parameters ?? {}).map(([k, v]) => [k, { value: v }]));
        let definitionId: string;
        let version: string | undefined;
        let takesEffect = true;
        if ("builtIn" in policy.definition) {
          const b = BUILT_IN_POLICIES[policy.definition.builtIn];
          definitionId = b.id;
          version = versionPin(b);
          takesEffect = b.effectParameter !== undefined;
        } else {
          const key = policy.definition.custom;
          definitionId = this.definition(key, guardrail).id;
          const custom: CustomPolicy = CUSTOM_POLICIES[key];
          for (const [param, spec] of Object.entries(custom.parameters ?? {})) {
            parameters[param] = { type: spec.type, metadata: { displayName: param, description: spec.description } };
            values[param] = { value: `[parameters('${param}')]` };
          }
        }
        if (takesEffect) values.effect = { value: policy.auditOnly ? "Audit" : "[parameters('effect')]" };
        return { referenceId: referenceId(guardrail, policy), policyDefinitionId: definitionId, parameterValues: Object.keys(values).length > 0 ? JSON.stringify(values) : undefined, policyGroupNames: [guardrail], version };
      });
      this.initiatives[kind] = new PolicySetDefinition(this, `initiative-${kind}`, {
        name: initiativeName(props.namePrefix, kind),
        policyType: "Custom",
        displayName: `private-aks guardrails: ${kind} (${props.namePrefix})`,
        description: `The guardrails private-aks enforces after deploy on a ${kind} scope, one group per guardrail id (lib/domain/runtime-policies.ts).`,
        metadata: JSON.stringify({ category: "private-aks", [POLICY_METADATA_KEY]: guardrails, version: "1.0.0" }),
        parameters: JSON.stringify(parameters),
        policyDefinitionGroup: guardrails.map((g) => ({ name: g, displayName: message(g).replace(/^private-aks /, "") })),
        policyDefinitionReference: references,
      }).id;
    }
  }

  /** The custom definition `key`, made once. */
  private definition(key: CustomKey, guardrail: string): PolicyDefinition {
    const made = this.definitions.get(key);
    if (made) return made;
    const c: CustomPolicy = CUSTOM_POLICIES[key];
    const parameters: Record<string, unknown> = {
      effect: { type: "String", allowedValues: c.effects, defaultValue: c.effects[0], metadata: { displayName: "Effect", description: "Deny refuses a request that breaks the guardrail; Audit reports it." } },
      ...Object.fromEntries(Object.entries(c.parameters ?? {}).map(([k, v]) => [k, { type: v.type, metadata: { displayName: k, description: v.description } }])),
    };
    const definition = new PolicyDefinition(this, `definition-${key}`, {
      name: `${this.prefix}-${key}`,
      policyType: "Custom",
      mode: c.mode,
      displayName: `private-aks ${guardrail}: ${c.displayName}`,
      description: c.description,
      metadata: JSON.stringify({ category: "private-aks", [POLICY_METADATA_KEY]: [guardrail], version: "1.0.0" }),
      parameters: JSON.stringify(parameters),
      policyRule: JSON.stringify({ if: c.if, then: { effect: "[parameters('effect')]" } }),
    });
    this.definitions.set(key, definition);
    return definition;
  }
}

/** An exemption of one guardrail's runtime policies on the stack's scopes. */
export interface RuntimeExemption {
  readonly guardrail: string;
  /** Why: the exemption's description. At least 20 characters (the config rules check it). */
  readonly reason: string;
  /** RFC 3339 time the exemption lapses (azurerm parses expires_on so). @default - never */
  readonly expiresOn?: string;
  /** Only these of the guardrail's runtime policies (their keys, e.g. `vault-rbac`). @default - all of them */
  readonly policies?: readonly string[];
}

export interface RuntimeGuardrailsProps {
  /** The stack id: names what it assigns, and its own definitions when it makes them. */
  readonly namePrefix: string;
  /** `off` assigns nothing and notes `offReason` for review. */
  readonly effect: RuntimeEffect | "off";
  /** Why runtime policy is off. Required with effect `off`. */
  readonly offReason?: string;
  /** The resource id of each scope this stack owns: resource groups for spoke, nodes and hub; the cluster for cluster. */
  readonly scopes: Partial<Record<PolicyScope, string>>;
  /** Initiatives made elsewhere in the same subscription (by the hub's stack). @default - this construct makes its own */
  readonly initiatives?: GuardrailInitiatives;
  /** The hub's private services, when this construct makes its own initiatives. @default - none */
  readonly services?: ReadonlySet<HubService>;
  /** The firewall's private IP: the only next hop a spoke route table may send 0.0.0.0/0 to. Required with the spoke scope. */
  readonly firewallPrivateIp?: string;
  /** @default - none */
  readonly exemptions?: readonly RuntimeExemption[];
}

/** One scope's assignment of its initiative. */
export type GuardrailAssignment = ResourceGroupPolicyAssignment | ResourcePolicyAssignment;

/**
 * The guardrails' runtime enforcement on one stack's scopes: each scope's initiative assigned to
 * it, with the stack's effect (audit also turns enforcement off, so that a definition whose deny
 * is fixed only reports) and a non-compliance message per guardrail; and the exemptions asked
 * for, each naming the guardrail's references, with its reason. No policy here modifies or
 * deploys anything, so none needs an identity or a remediation.
 */
export class RuntimeGuardrails extends Construct {
  /** The assignment of each scope. */
  public readonly assignments = new Map<PolicyScope, GuardrailAssignment>();
  /** The definitions this construct made, when it was given none. */
  public readonly ownDefinitions?: GuardrailDefinitions;
  /** The exemptions made, in the order asked. */
  public readonly exemptions: (ResourceGroupPolicyExemption | ResourcePolicyExemption)[] = [];

  constructor(scope: Construct, id: string, props: RuntimeGuardrailsProps) {
    super(scope, id);
    if (props.effect === "off") {
      if (props.offReason === undefined) throw new Error(`${this.node.path}: runtime policy off needs a reason`);
      // Written as the literal it is (escaped, like every value in the stack file); review reads it back as the file wrote it.
      addNote(this, `${RUNTIME_POLICY_OFF_PREFIX}${props.offReason}`);
      return;
    }
    const effect = props.effect;
    const kinds = Object.keys(props.scopes) as PolicyScope[];
    const planned = plannedAssignments(kinds, props.services);
    let initiatives = props.initiatives;
    if (initiatives === undefined) {
      this.ownDefinitions = new GuardrailDefinitions(this, "definitions", { namePrefix: props.namePrefix, kinds, services: props.services });
      initiatives = this.ownDefinitions.initiatives;
    }
    const exempt = new Map((props.exemptions ?? []).map((x) => [x.guardrail, x]));
    for (const kind of kinds) {
      const here = planned.filter((p) => p.scope === kind);
      const initiative = initiatives[kind];
      if (here.length === 0 || initiative === undefined) continue;
      const scopeId = props.scopes[kind] as string;
      const guardrails = [...new Set(here.map((p) => p.guardrail))];
      const parameters: Record<string, { value: unknown }> = { effect: { value: effect === "deny" ? "Deny" : "Audit" } };
      if (kind === "spoke") {
        if (props.firewallPrivateIp === undefined) throw new Error(`${this.node.path}: the spoke's initiative needs the firewall's private IP`);
        parameters.firewallPrivateIp = { value: props.firewallPrivateIp };
      }
      const common = {
        name: INITIATIVE_ASSIGNMENT_NAME,
        policyDefinitionId: initiative,
        displayName: `private-aks guardrails (${effect}): ${props.namePrefix} ${kind}`,
        description: `Guardrails ${guardrails.join(", ")}, enforced at runtime as synth checks them (private-aks).`,
        enforce: effect === "deny",
        parameters: JSON.stringify(parameters),
        metadata: JSON.stringify({ [POLICY_METADATA_KEY]: guardrails, managedBy: "private-aks", effect }),
        nonComplianceMessage: [
          { content: "private-aks guardrail: the policy's group names the guardrail; docs/reviewing.md (Runtime policy) says what to do." },
          ...here.map((p) => ({ content: message(p.guardrail), policyDefinitionReferenceId: referenceId(p.guardrail, p.policy) })),
        ],
      };
      const assignment =
        kind === "cluster"
          ? new ResourcePolicyAssignment(this, `assignment-${kind}`, { ...common, resourceId: scopeId })
          : new ResourceGroupPolicyAssignment(this, `assignment-${kind}`, { ...common, resourceGroupId: scopeId });
      this.assignments.set(kind, assignment);

      for (const guardrail of guardrails) {
        const exemption = exempt.get(guardrail);
        if (!exemption) continue;
        const x = {
          name: `${guardrail.toLowerCase()}-exemption`,
          policyAssignmentId: assignment.id,
          policyDefinitionReferenceIds: here.filter((p) => p.guardrail === guardrail && (exemption.policies === undefined || exemption.policies.includes(p.policy.key))).map((p) => referenceId(guardrail, p.policy)),
          exemptionCategory: "Waiver",
          displayName: `${guardrail} exempted`,
          description: exemption.reason,
          expiresOn: exemption.expiresOn,
          metadata: JSON.stringify({ [POLICY_METADATA_KEY]: [guardrail], managedBy: "private-aks" }),
        };
        this.exemptions.push(
          kind === "cluster"
            ? new ResourcePolicyExemption(this, `exemption-${kind}-${guardrail}`, { ...x, resourceId: scopeId })
            : new ResourceGroupPolicyExemption(this, `exemption-${kind}-${guardrail}`, { ...x, resourceGroupId: scopeId }),
        );
      }
    }
  }
}
