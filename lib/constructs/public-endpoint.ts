import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import type { Construct } from "constructs";
import { acknowledge } from "../output/acknowledge";

export interface PublicEndpointProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Why this endpoint must exist and why it is safe; shown by `validate` and checked by PUB-001. */
  readonly reason: string;
  /** @default - no zones (regional) */
  readonly zones?: string[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * The only way the product makes a public IP: Standard SKU, static, and acknowledged as a
 * PUB-001 exception with its reason, so that the guardrails list it instead of failing.
 */
export function publicEndpoint(scope: Construct, id: string, props: PublicEndpointProps): PublicIp {
  const ip = new PublicIp(scope, id, {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    sku: "Standard",
    allocationMethod: "Static",
    zones: props.zones,
    tags: props.tags,
  });
  acknowledge(ip, { id: "PUB-001", reason: props.reason });
  return ip;
}
