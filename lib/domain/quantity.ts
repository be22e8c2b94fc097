/** Kubernetes resource quantities, for comparing requests with limits. Pure. */

/** CPU in millicores: `250m` is 250, `1.5` is 1500. */
export function millicores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const MEMORY_UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Memory in bytes: `256Mi` is 268435456. */
export function bytes(quantity: string): number {
  const match = /^(\d+)([a-zA-Z]*)$/.exec(quantity);
  return match ? Number(match[1]) * (MEMORY_UNITS[match[2]] ?? NaN) : NaN;
}
