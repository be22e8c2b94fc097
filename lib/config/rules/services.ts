/** The hub's private services and Azure Monitor private link. */
import { cidr } from "../../net/cidr";
import { AZURE_LIMITS } from "../../domain/defaults";
import { type Problem } from "../../core/problem";
import { type Environment } from "../schema";

/** The hub's private services and Azure Monitor private link: the subnet their endpoints need. */
export function checkPrivateServices(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const sub = env.hub.subnets;
  for (const service of ["registry", "keyVault"] as const) {
    if (env.hub[service] === undefined) continue;
    if (env.hub.existing) add(`hub.${service}`, "must not be set with hub.existing: its private endpoint would go into the existing hub");
    else if (sub.privateEndpoints === undefined) add("hub.subnets.privateEndpoints", `is required by hub.${service}: its private endpoint lives there (a /28 or larger)`);
  }

  const monitoring = env.hub.monitoring;
  if (monitoring.publicQuery && !monitoring.privateLink) add("hub.monitoring.publicQuery", "applies only with hub.monitoring.privateLink: true (without it, ingestion and queries are public anyway)");
  if (monitoring.privateLink) {
    if (env.hub.existing) add("hub.monitoring.privateLink", "must not be set with hub.existing: the workspace and its private endpoint belong to the existing hub");
    else if (sub.privateEndpoints === undefined) add("hub.subnets.privateEndpoints", `is required by hub.monitoring.privateLink: its private endpoint lives there (a /${AZURE_LIMITS.monitorPrivateEndpointsPrefix} or larger)`);
    else if (cidr(sub.privateEndpoints).prefix > AZURE_LIMITS.monitorPrivateEndpointsPrefix) {
      add("hub.subnets.privateEndpoints", `is too small for hub.monitoring.privateLink: the Azure Monitor private endpoint alone takes about 15 addresses (one per Azure Monitor endpoint), next to the registry's and the vault's; use a /${AZURE_LIMITS.monitorPrivateEndpointsPrefix} or larger`);
    }
  }
  return problems;
}
