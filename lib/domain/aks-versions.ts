/**
 * The Kubernetes minor versions AKS supports, as data: a pinned `cluster.kubernetesVersion`
 * must be one of them, because AKS refuses to create a cluster on a minor it no longer (or
 * not yet) offers, and it does so only at apply time, half an hour into a deploy.
 *
 * Update this table when AKS's release calendar moves (a new minor reaches GA, an old one
 * reaches end of life), then run `npm test`: the shipped environments are checked against it.
 */
import { quote } from "../core/problem";

export const AKS_VERSIONS = {
  /** Where the figures come from. */
  source: "Microsoft Learn, AKS: Supported Kubernetes versions > AKS Kubernetes release calendar",
  /** The day the table was last read against that source. */
  checked: "2026-11-29",
  /**
   * Minors in standard support on that day, oldest first: AKS supports the three newest GA
   * minors (1.35 GA Mar 2026, 1.36 Jun 2026, 1.37 Oct 2026; 1.34 left standard support
   * when 1.37 reached GA).
   */
  supported: ["1.35", "1.36", "1.37"],
  /**
   * Older minors still under AKS long-term support on that day (1.32 until Mar 2027, 1.33
   * until Jul 2027, 1.34 until Nov 2027), for Premium clusters on the AKSLongTermSupport plan.
   */
  longTermSupport: ["1.32", "1.33", "1.34"],
} as const;

export type KubernetesVersionCheck =
  | { ok: true }
  | { ok: false; message: string };

/** Checks a pinned version (`1.36` or `1.36.2`) against the table. */
export function checkKubernetesVersion(version: string): KubernetesVersionCheck {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) return { ok: false, message: `${quote(version)} must look like "1.36" or "1.36.2"` };
  // AKS compares versions as written: "1.036" is no version it offers, though it reads as 1.36.
  const canonical = match.slice(1).filter((p) => p !== undefined).map(Number).join(".");
  if (canonical !== version) return { ok: false, message: `${quote(version)} has a leading zero; write it as AKS does, "${canonical}"` };
  const minor = `${Number(match[1])}.${Number(match[2])}`;
  const supported: readonly string[] = AKS_VERSIONS.supported;
  const lts: readonly string[] = AKS_VERSIONS.longTermSupport;
  const list = `${supported.join(", ")} (AKS release calendar as of ${AKS_VERSIONS.checked}; lib/domain/aks-versions.ts)`;
  if (supported.includes(minor)) return { ok: true };
  if (lts.includes(minor)) {
    return {
      ok: false,
      message: `${version} is past standard support: AKS offers it only under long-term support (Premium tier and the AKSLongTermSupport plan), which this product does not configure; use one of ${list}`,
    };
  }
  const [major, min] = [Number(match[1]), Number(match[2])];
  const oldest = supported[0].split(".").map(Number);
  const older = major < oldest[0] || (major === oldest[0] && min < oldest[1]);
  return {
    ok: false,
    message: older
      ? `${version} is older than the oldest minor AKS supports; use one of ${list}`
      : `${version} is not a minor AKS offers; use one of ${list}`,
  };
}
