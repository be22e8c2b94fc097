/**
 * What the product knows of VM sizes' local disks: where an ephemeral OS disk can live.
 *
 * An ephemeral OS disk sits on the VM's local storage (the NVMe disk of v6 sizes, the temporary
 * disk of v5 sizes with a "d"; v5 and v6 have no cache disk), so it costs nothing, reads and
 * writes locally, and is rebuilt with the node. It must fit: Azure refuses at create time
 * (VMCannotFitEphemeralOSDisk, VMSizeDoesNotSupportEphemeralOS) an OS disk larger than the
 * local disk. The azurerm provider sends `os_disk_type = "Managed"` unless told otherwise, so
 * AKS's own "ephemeral where it fits" default never applies through Terraform: the product
 * decides, from this table.
 *
 * Sources: Microsoft Learn, "Ephemeral OS disks" (placement: NVMe, temp or cache disk; the
 * OS disk must be no larger than it) and the size series pages (Ddsv5, Dadsv5, Edsv5: temp
 * storage; Ddsv6: local NVMe; Dsv5, Dasv5, Dsv6, Dasv6: no local storage, "Ephemeral OS
 * Disk: Not Supported"); AKS "Best practices for ephemeral NVMe data disks" (ephemeral OS on
 * v6 NVMe sizes).
 */
export const LOCAL_DISK_GIB: Readonly<Record<string, number>> = {
  // Ddsv5: temporary disk.
  Standard_D2ds_v5: 75,
  Standard_D4ds_v5: 150,
  Standard_D8ds_v5: 300,
  Standard_D16ds_v5: 600,
  // Dadsv5, Edsv5: temporary disk.
  Standard_D4ads_v5: 150,
  Standard_E4ds_v5: 150,
  // Ddsv6: one local NVMe disk, which the OS disk takes whole.
  Standard_D4ds_v6: 220,
  Standard_D8ds_v6: 440,
  // No local storage at all.
  Standard_D2s_v5: 0,
  Standard_D4s_v5: 0,
  Standard_D8s_v5: 0,
  Standard_D4as_v5: 0,
  Standard_D4s_v6: 0,
  Standard_D8s_v6: 0,
  Standard_D4as_v6: 0,
};

/** The table by lowercase name: Azure takes VM size names in any case. */
const BY_LOWERCASE = new Map(Object.entries(LOCAL_DISK_GIB).map(([size, gib]) => [size.toLowerCase(), gib]));

/** The local disk of a VM size in GiB (0: none), or undefined when the product does not know the size. */
export function localDiskGib(vmSize: string): number | undefined {
  return BY_LOWERCASE.get(vmSize.toLowerCase());
}

/**
 * A node pool's OS disk when the environment file names none: ephemeral where the size is
 * known to hold the OS disk on its local disk, managed otherwise (an unknown size, a size
 * without a local disk, or an OS disk larger than it).
 */
export function defaultOsDiskType(vmSize: string, osDiskSizeGb: number): "Ephemeral" | "Managed" {
  const local = localDiskGib(vmSize);
  return local !== undefined && osDiskSizeGb <= local ? "Ephemeral" : "Managed";
}

/** Why an ephemeral OS disk cannot be had on this size, or undefined when it fits (or the size is unknown: the user answers for it). */
export function ephemeralMisfit(vmSize: string, osDiskSizeGb: number): string | undefined {
  const local = localDiskGib(vmSize);
  if (local === undefined || osDiskSizeGb <= local) return undefined;
  if (local === 0) return `${vmSize} has no local disk to hold an ephemeral OS disk; use a size with a "d" (such as Standard_D4ds_v6) or osDiskType: Managed`;
  return `osDiskSizeGb ${osDiskSizeGb} does not fit ${vmSize}'s ${local} GiB local disk, where an ephemeral OS disk lives; set osDiskSizeGb to ${local} or less, or osDiskType: Managed`;
}

/**
 * What a VM size's name says of its capacity (Microsoft Learn, "Azure virtual machine sizes
 * naming conventions", read 2026-12-07: `Standard_<family><vCPUs>[-<constrained vCPUs>]<features>_v<version>`):
 * its vCPUs, and for the general-purpose, memory-optimised, compute-optimised, burstable and
 * storage families an upper bound of its memory (their most memory per vCPU: D 4 GiB, E 8,
 * F 2, B 4, L 8). Undefined when the name is not of that shape; `maxMemoryGib` undefined for
 * other families (M, N, H: too varied to bound).
 */
export function vmCapacity(vmSize: string): { vcpus: number; maxMemoryGib?: number } | undefined {
  const m = /^Standard_([A-Z]+)(\d+)(?:-(\d+))?[a-z]*(?:_v(\d+))?$/i.exec(vmSize);
  if (!m) return undefined;
  // Older generations name sizes otherwise (D11_v2 has 2 vCPUs, DS3_v2 has 4): only sizes
  // known to follow the convention are read.
  const family = m[1].toUpperCase();
  const version = m[4] === undefined ? undefined : Number(m[4]);
  const conventional = (version !== undefined && version >= 3) || (family === "F" && version === 2) || (family === "B" && (version === undefined || version === 2));
  if (!conventional) return undefined;
  const vcpus = Number(m[3] ?? m[2]);
  const perVcpu = MEMORY_PER_VCPU_GIB[family];
  // Memory follows the size's full vCPU count, even where fewer are active (constrained cores).
  return { vcpus, maxMemoryGib: perVcpu === undefined ? undefined : perVcpu * Number(m[2]) };
}

const MEMORY_PER_VCPU_GIB: Readonly<Record<string, number>> = { D: 4, E: 8, F: 2, B: 4, L: 8 };
