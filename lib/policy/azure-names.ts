/**
 * Azure's naming rules, per Terraform resource type, checked on the synthesized JSON: every
 * `name` that will be sent to Azure, whoever wrote it (our constructs, an override, a
 * construct added through `customize`). The azurerm provider validates few of these at plan
 * time; Azure refuses the rest at apply time, often after other resources were created.
 *
 * Source: Microsoft Learn, "Naming rules and restrictions for Azure resources"
 * (azure-resource-manager/management/resource-name-rules), and the azurerm provider's own
 * validators where they are stricter.
 */

import { literalText } from "../core/template";

export interface NameRule {
  /** What the resource is called in Azure, for messages. */
  readonly what: string;
  readonly min: number;
  readonly max: number;
  /** The whole name must match. */
  readonly pattern: RegExp;
  /** The characters and shape `pattern` stands for, in words. */
  readonly shape: string;
}

const ALNUM_START = "starts with a letter or digit";
/** Letters, digits, underscores, periods, hyphens; starts alphanumeric; ends alphanumeric or underscore. */
const NETWORK = { pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, shape: `letters, digits, underscores, periods and hyphens; ${ALNUM_START} and ends with a letter, digit or underscore` };

const POLICY_NAME = (what: string): NameRule => ({
  what,
  min: 1,
  max: 64,
  pattern: /^[^<>*%&:\\?.+/#\s](?:[^<>*%&:\\?+/#]*[^<>*%&:\\?.+/#\s])?$/,
  shape: "no < > * % & : \\ ? + / # characters; not ending with a period or a space",
});

export const AZURE_NAME_RULES: Record<string, NameRule> = {
  azurerm_resource_group: { what: "resource group", min: 1, max: 90, pattern: /^[-\w.()]*[-\w()]$/, shape: "letters, digits, underscores, parentheses, hyphens and periods; does not end with a period" },
  azurerm_virtual_network: { what: "virtual network", min: 2, max: 64, ...NETWORK },
  azurerm_subnet: { what: "subnet", min: 1, max: 80, ...NETWORK },
  azurerm_virtual_network_peering: { what: "virtual network peering", min: 1, max: 80, ...NETWORK },
  azurerm_network_security_group: { what: "network security group", min: 1, max: 80, ...NETWORK },
  azurerm_network_security_rule: { what: "security rule", min: 1, max: 80, ...NETWORK },
  azurerm_route_table: { what: "route table", min: 1, max: 80, ...NETWORK },
  azurerm_route: { what: "route", min: 1, max: 80, ...NETWORK },
  azurerm_ip_group: { what: "IP group", min: 1, max: 80, ...NETWORK },
  azurerm_public_ip: { what: "public IP address", min: 1, max: 80, ...NETWORK },
  azurerm_firewall: { what: "Azure Firewall", min: 1, max: 80, ...NETWORK },
  azurerm_firewall_policy: { what: "firewall policy", min: 1, max: 80, ...NETWORK },
  azurerm_firewall_policy_rule_collection_group: { what: "rule collection group", min: 1, max: 80, ...NETWORK },
  azurerm_bastion_host: { what: "Bastion host", min: 1, max: 80, ...NETWORK },
  azurerm_network_interface: { what: "network interface", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_zone_virtual_network_link: { what: "private DNS zone link", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver: { what: "DNS resolver", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver_inbound_endpoint: { what: "DNS resolver inbound endpoint", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver_outbound_endpoint: { what: "DNS resolver outbound endpoint", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver_dns_forwarding_ruleset: { what: "DNS forwarding ruleset", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver_virtual_network_link: { what: "DNS forwarding ruleset link", min: 1, max: 80, ...NETWORK },
  azurerm_private_dns_resolver_forwarding_rule: {
    what: "DNS forwarding rule",
    min: 1,
    max: 80,
    pattern: /^[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/,
    shape: "letters, digits, underscores and hyphens; starts with a letter and ends with a letter or digit",
  },
  azurerm_kubernetes_cluster: {
    what: "AKS cluster",
    min: 1,
    max: 63,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/,
    shape: `letters, digits, underscores and hyphens; ${ALNUM_START} and ends with a letter or digit`,
  },
  azurerm_kubernetes_cluster_node_pool: { what: "Linux node pool", min: 1, max: 12, pattern: /^[a-z][a-z0-9]*$/, shape: "lowercase letters and digits; starts with a letter" },
  azurerm_user_assigned_identity: {
    what: "user-assigned managed identity",
    min: 3,
    max: 128,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    shape: `letters, digits, hyphens and underscores; ${ALNUM_START}`,
  },
  // Learn, "Federated identity credential" errors: "Alphanumeric, dash, underscore, no more than 3-120 symbols. First symbol is alphanumeric."
  azurerm_federated_identity_credential: {
    what: "federated identity credential",
    min: 3,
    max: 120,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    shape: `letters, digits, hyphens and underscores; ${ALNUM_START}`,
  },
  azurerm_log_analytics_workspace: {
    what: "Log Analytics workspace",
    min: 4,
    max: 63,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    shape: `letters, digits and hyphens; ${ALNUM_START} and ends with a letter or digit`,
  },
  azurerm_monitor_data_collection_rule: {
    what: "data collection rule",
    min: 1,
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/,
    shape: `letters, digits, underscores, periods and hyphens; ${ALNUM_START} and ends with a letter, digit or underscore`,
  },
  // Policy resources: 1-64 characters at a subscription, resource group or resource scope
  // (Microsoft Learn, "Naming rules and restrictions for Azure resources", Microsoft.Authorization,
  // read 2026-12-07); azurerm v4.55.0 refuses # < > % & : \\ ? / and a trailing period or space.
  azurerm_resource_policy_assignment: POLICY_NAME("policy assignment"),
  azurerm_resource_group_policy_assignment: POLICY_NAME("policy assignment"),
  azurerm_policy_definition: POLICY_NAME("policy definition"),
  azurerm_policy_set_definition: POLICY_NAME("policy set definition"),
  azurerm_resource_policy_exemption: POLICY_NAME("policy exemption"),
  azurerm_resource_group_policy_exemption: POLICY_NAME("policy exemption"),
  azurerm_container_registry: { what: "container registry", min: 5, max: 50, pattern: /^[a-zA-Z0-9]+$/, shape: "letters and digits" },
  // azurerm v4.55.0 internal/services/containers/validate/container_registry_cache_rule_name.go: 5 or more, under 50.
  azurerm_container_registry_cache_rule: { what: "container registry cache rule", min: 5, max: 49, pattern: /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/, shape: "letters and digits in hyphen-separated runs" },
  azurerm_key_vault: {
    what: "key vault",
    min: 3,
    max: 24,
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    shape: "letters, digits and hyphens; starts with a letter, ends with a letter or digit, no two hyphens in a row",
  },
  azurerm_private_endpoint: { what: "private endpoint", min: 2, max: 64, ...NETWORK },
  // The provider's PrivateLinkScopeName validator (it also ends the name with a letter, digit, _ or -).
  azurerm_monitor_private_link_scope: { what: "Azure Monitor private link scope", min: 1, max: 255, pattern: /^[A-Za-z0-9()_.-]*[A-Za-z0-9_-]$/, shape: "letters, digits, periods, underscores, hyphens and parentheses; does not end with a period" },
  azurerm_monitor_private_link_scoped_service: { what: "private link scoped resource", min: 1, max: 255, pattern: /^[A-Za-z0-9()_.-]*[A-Za-z0-9_-]$/, shape: "letters, digits, periods, underscores, hyphens and parentheses; does not end with a period" },
  azurerm_monitor_data_collection_endpoint: {
    what: "data collection endpoint",
    min: 3,
    max: 44,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    shape: `letters, digits and hyphens; ${ALNUM_START} and ends with a letter or digit`,
  },
  azurerm_virtual_network_gateway: { what: "virtual network gateway", min: 1, max: 80, ...NETWORK },
  azurerm_virtual_network_gateway_connection: { what: "gateway connection", min: 1, max: 80, ...NETWORK },
  azurerm_local_network_gateway: { what: "local network gateway", min: 1, max: 80, ...NETWORK },
  azurerm_linux_virtual_machine: {
    what: "Linux virtual machine (and its computer name)",
    min: 1,
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/,
    shape: `letters, digits, periods and hyphens; ${ALNUM_START} and ends with a letter or digit`,
  },
};

/** Extra names inside a resource that Azure also checks, with the rule each follows. */
export const AZURE_NESTED_NAME_RULES: Record<string, { readonly path: string; readonly rule: NameRule }[]> = {
  azurerm_kubernetes_cluster: [
    {
      path: "dns_prefix",
      rule: {
        what: "AKS DNS prefix",
        min: 1,
        max: 54,
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        shape: `letters, digits and hyphens; ${ALNUM_START} and ends with a letter or digit`,
      },
    },
    {
      path: "node_resource_group",
      rule: { what: "AKS node resource group", min: 1, max: 80, pattern: /^[-\w.()]*[-\w()]$/, shape: "letters, digits, underscores, parentheses, hyphens and periods; does not end with a period" },
    },
    { path: "default_node_pool.name", rule: { what: "system node pool", min: 1, max: 12, pattern: /^[a-z][a-z0-9]*$/, shape: "lowercase letters and digits; starts with a letter" } },
    {
      path: "default_node_pool.temporary_name_for_rotation",
      rule: { what: "system node pool rotation name", min: 1, max: 12, pattern: /^[a-z][a-z0-9]*$/, shape: "lowercase letters and digits; starts with a letter" },
    },
  ],
};

/** A name in the synthesized output that Azure would refuse. */
export interface NameProblem {
  /** `<stack>/<type>.<key>` (plus `.attribute` for a nested name). */
  readonly address: string;
  readonly message: string;
}

/** Checks one name against a rule; undefined when it passes. Names that are Terraform references are checked where they are defined. */
export function checkName(written: unknown, rule: NameRule): string | undefined {
  // Judged as Terraform will pass it to Azure: escapes undone; a reference has no text yet.
  const name = typeof written === "string" ? literalText(written) : undefined;
  if (name === undefined) return undefined;
  if (name.length < rule.min || name.length > rule.max) {
    return `${JSON.stringify(name)} is ${name.length} characters; a ${rule.what} name must be ${rule.min}-${rule.max}`;
  }
  if (!rule.pattern.test(name)) return `${JSON.stringify(name)} is not a valid ${rule.what} name: ${rule.shape}`;
  return undefined;
}

/** Every resource name in one synthesized stack (`cdk.tf.json`, parsed) that Azure would refuse. */
export function checkStackNames(stackId: string, json: { resource?: Record<string, Record<string, Record<string, unknown>>> }): NameProblem[] {
  const problems: NameProblem[] = [];
  for (const [type, byKey] of Object.entries(json.resource ?? {})) {
    const rule = AZURE_NAME_RULES[type];
    const nested = AZURE_NESTED_NAME_RULES[type] ?? [];
    for (const [key, resource] of Object.entries(byKey)) {
      const address = `${stackId}/${type}.${key}`;
      const own = rule ? checkName(resource.name, rule) : undefined;
      if (own) problems.push({ address, message: own });
      for (const n of nested) {
        const found = checkName(at(resource, n.path), n.rule);
        if (found) problems.push({ address: `${address}.${n.path}`, message: found });
      }
    }
  }
  return problems;
}

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}
