/**
 * Cross-field rules of the environment file that are not address math: references between
 * fields, Azure naming and SKU constraints. Pure; each area of the file has its rules in
 * config/rules/, registered here in one list.
 */
import type { Problem } from "../core/problem";
import type { Environment } from "./schema";
import { checkSpokeNames } from "./rules/names";
import { checkFirewall, checkPolicyCapacity } from "./rules/firewall";
import { checkPrivateServices } from "./rules/services";
import { checkDns } from "./rules/dns";
import { checkJumpbox, checkHubShape } from "./rules/hub";
import { checkGateway } from "./rules/gateway";
import { checkTags, checkBackend } from "./rules/tags-and-backend";
import { checkClusters } from "./rules/clusters";
import { checkApps } from "./rules/apps";
import { checkLocation } from "./rules/location";
import { checkRuntimePolicy } from "./rules/policy";
import { checkDelivery } from "./rules/delivery";
import { checkNetworkIsolation } from "./rules/isolation";
import { checkTlsInspection } from "./rules/tls-inspection";

/**
 * Every cross-field rule of the environment file, one per area, in the order their problems
 * are reported (the loader then sorts them by field). A new rule is a function here.
 */
export const RULES: readonly ((env: Environment) => Problem[])[] = [
  (env) => checkLocation(env.location),
  checkSpokeNames,
  checkFirewall,
  checkPrivateServices,
  checkDns,
  checkJumpbox,
  checkHubShape,
  checkGateway,
  checkTags,
  checkBackend,
  checkPolicyCapacity,
  checkClusters,
  checkApps,
  checkDelivery,
  checkNetworkIsolation,
  checkTlsInspection,
  checkRuntimePolicy,
];

export function checkRules(env: Environment): Problem[] {
  return RULES.flatMap((rule) => rule(env));
}
