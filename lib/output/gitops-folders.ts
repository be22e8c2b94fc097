/**
 * The GitOps folders of a synthesized output: for each Flux configuration, the rendered
 * manifests synth wrote (`manifests/<stack>/`) and the folder of the repository they are
 * committed to (its kustomization's path). `private-aks manifests` copies the one to the other,
 * and with `--check` fails when a committed folder is stale, so that what Flux applies is what
 * synth rendered and judged.
 */
import * as fs from "fs";
import * as path from "path";
import { GITOPS } from "../domain/gitops";
import { readManifest } from "./model";

export interface GitOpsFolder {
  /** The spoke stack whose cluster's Flux applies the folder. */
  readonly stack: string;
  /** The rendered manifests, relative to the output folder. */
  readonly rendered: string;
  /** The folder in the repository, relative to its root. */
  readonly committed: string;
}

/** Every GitOps folder of the output in `outdir`, by stack. */
export function gitopsFolders(outdir: string): GitOpsFolder[] {
  return Object.entries(readManifest(outdir))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([stack, entry]) => {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8")) as { resource?: Record<string, Record<string, any>> };
      return Object.values(json.resource?.azurerm_kubernetes_flux_configuration ?? {}).flatMap((c) =>
        ((c.kustomizations ?? []) as { path?: string }[]).map((k) => ({ stack, rendered: `manifests/${stack}`, committed: String(k.path ?? ".").replace(/^\.\//, "") })),
      );
    });
}

/** One file that differs between a rendered folder and its committed copy. */
export interface FolderChange {
  /** The file in the repository, relative to its root. */
  readonly file: string;
  /** `conflict`: a file of that name exists that no render wrote: it is left as it is. */
  readonly change: "added" | "changed" | "removed" | "conflict";
}

const isManifest = (f: string) => /\.ya?ml$/.test(f);
const listed = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => isManifest(f) && fs.statSync(path.join(dir, f)).isFile()).sort() : []);
/** A file a render wrote (its first line says so): the only kind this command replaces or removes. */
const renderedFile = (file: string) => fs.readFileSync(file, "utf8").startsWith(`${GITOPS.renderedMarker}\n`);

/**
 * What writing the rendered folders into the repository at `repo` changes (nothing when they
 * are current); with `write`, makes those changes. A file is removed only when a render wrote
 * it (its first line is the marker): anything else in a committed folder (a README, a file of
 * the team's own) is left alone, even where delivery.path points at a folder with other files.
 */
export function syncGitOpsFolders(outdir: string, repo: string, write: boolean, folders: readonly GitOpsFolder[] = gitopsFolders(outdir)): FolderChange[] {
  const changes: FolderChange[] = [];
  for (const folder of folders) {
    const source = path.join(outdir, folder.rendered);
    const target = path.join(repo, folder.committed);
    const rendered = listed(source);
    for (const f of rendered) {
      const text = fs.readFileSync(path.join(source, f));
      const at = path.join(target, f);
      const change = !fs.existsSync(at) ? "added" : fs.readFileSync(at).equals(text) ? undefined : renderedFile(at) ? "changed" : "conflict";
      if (change === undefined) continue;
      changes.push({ file: path.posix.join(folder.committed, f), change });
      if (write && change !== "conflict") {
        fs.mkdirSync(target, { recursive: true });
        fs.writeFileSync(at, text);
      }
    }
    for (const f of listed(target).filter((f) => !rendered.includes(f) && renderedFile(path.join(target, f)))) {
      changes.push({ file: path.posix.join(folder.committed, f), change: "removed" });
      if (write) fs.rmSync(path.join(target, f));
    }
  }
  return changes;
}
