/**
 * How each cluster's apps are delivered, as the output says: a GitOps spoke's Flux
 * configuration (repository, branch, folder, interval, how it signs in), read from the
 * synthesized JSON for review and diff.
 */
import { writtenText } from "../core/template";
import { type Model } from "./model";

export interface GitOpsDeliveryView {
  /** The spoke stack. */
  readonly stack: string;
  readonly repository: string;
  readonly branch: string;
  /** The folder Flux applies, relative to the repository's root. */
  readonly path: string;
  readonly syncIntervalSeconds: number;
  /** How Flux signs in: `https (user git)`, `ssh (deploy key)` or `none (public)`. */
  readonly auth: string;
}

const text = (v: unknown) => (typeof v === "string" ? writtenText(v) : String(v));

export function gitopsDeliveries(model: Model): GitOpsDeliveryView[] {
  return model.ofType("azurerm_kubernetes_flux_configuration").flatMap((r) => {
    const raw = r.raw as any;
    const git = Array.isArray(raw.git_repository) ? raw.git_repository[0] : raw.git_repository;
    if (!git) return [];
    const kustomizations: any[] = Array.isArray(raw.kustomizations) ? raw.kustomizations : [raw.kustomizations];
    const auth = git.https_user !== undefined ? `https (user ${text(git.https_user)})` : git.ssh_private_key_base64 !== undefined ? "ssh (deploy key)" : "none (public)";
    return kustomizations.map((k) => ({
      stack: r.stack,
      repository: text(git.url),
      branch: `${text(git.reference_type)} ${text(git.reference_value)}`.replace(/^branch /, ""),
      path: text(k?.path ?? ".").replace(/^\.\//, ""),
      syncIntervalSeconds: Number(k?.sync_interval_in_seconds ?? git.sync_interval_in_seconds ?? 600),
      auth,
    }));
  });
}

/** An interval as Flux writes it: 90s, 5m, 1h. */
export function intervalText(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
