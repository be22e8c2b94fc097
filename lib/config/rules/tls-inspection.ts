/** TLS inspection: what the firewall needs for it, and which destinations it may decrypt. */
import { type Problem, quote } from "../../core/problem";
import { AKS_EGRESS_CATALOG, FQDN_TAG_CONTENTS } from "../../domain/aks-egress-catalog";
import { gitopsEndpoint, type Environment } from "../schema";

/** Whether wildcard pattern `wide` (`*.contoso.com`) allows every host `narrow` names (`api.contoso.com`, `*.eu.contoso.com`). */
export function fqdnCovers(wide: string, narrow: string): boolean {
  const domain = wide.toLowerCase().slice(2);
  const n = narrow.toLowerCase();
  return n.endsWith(`.${domain}`) || (n.startsWith("*.") && n.slice(2) === domain);
}

/** Whether two FQDN patterns (`api.contoso.com`, `*.contoso.com`) can name one host. */
export function fqdnsOverlap(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  const wild = (p: string) => p.startsWith("*.");
  const domain = (p: string) => (wild(p) ? p.slice(2) : p);
  if (wild(x) && wild(y)) return domain(x) === domain(y) || domain(x).endsWith(`.${domain(y)}`) || domain(y).endsWith(`.${domain(x)}`);
  if (wild(x)) return y.endsWith(`.${domain(x)}`);
  if (wild(y)) return x.endsWith(`.${domain(y)}`);
  return x === y;
}

/**
 * The firewall's side (Premium tier, a hub built here, the private endpoint's subnet, a vault
 * of its own) and each spoke's inspected destinations: listed in its egress, and never one
 * the firewall must leave alone (domain/tls-inspection.ts: neverInspected).
 */
export function checkTlsInspection(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const tls = env.hub.firewall.tlsInspection;
  if (tls) {
    const at = "hub.firewall.tlsInspection";
    if (env.hub.existing) add(at, "must not be set with hub.existing: the existing hub's firewall policy and its identity are not this environment's");
    else {
      if (env.hub.firewall.tier !== "Premium") add(at, `needs hub.firewall.tier: Premium (the ${env.hub.firewall.tier} tier cannot decrypt TLS)`);
      if (env.hub.subnets.privateEndpoints === undefined) add("hub.subnets.privateEndpoints", `is required by ${at}: the vault's private endpoint, which the PKI team imports the certificate through, lives there`);
    }
    if (env.hub.keyVault && env.hub.keyVault.name.toLowerCase() === tls.keyVault.name.toLowerCase()) {
      add(`${at}.keyVault.name`, `${quote(tls.keyVault.name)} is hub.keyVault's name; the CA needs a vault of its own (Azure Firewall reads only through access policies, and the apps' vault keeps Azure RBAC)`);
    }
  }
  // Microsoft's endpoints of the catalog (not the Ubuntu mirrors or Docker Hub, which the nodes reach with their own trust store, and which trusts the CA).
  const microsoftGroups = AKS_EGRESS_CATALOG.filter((g) => g.id !== "ubuntuUpdates" && g.id !== "dockerHub");
  const catalog = [...microsoftGroups.flatMap((g) => g.entries).flatMap((e) => e.fqdns ?? []), ...Object.values(FQDN_TAG_CONTENTS).flat()].map((h) => h.split("{location}").join(env.location));
  env.spokes.forEach((s, i) => {
    const base = `spokes.${i}.egress.tlsInspection`;
    const git = gitopsEndpoint(s);
    const seen = new Map<string, number>();
    s.egress.tlsInspection.forEach((f, j) => {
      const path = `${base}.${j}`;
      const first = seen.get(f.toLowerCase());
      if (first !== undefined) {
        add(path, `${quote(f)} is already listed as egress.tlsInspection.${first}`);
        return;
      }
      seen.set(f.toLowerCase(), j);
      if (env.hub.existing) {
        add(path, `${quote(f)}: TLS inspection needs a hub built here; the existing hub's firewall policy (hub.existing) is not this environment's`);
        return;
      }
      if (!tls) {
        add(path, `${quote(f)}: inspection needs hub.firewall.tlsInspection (the firewall's CA and its vault)`);
        return;
      }
      const microsoft = catalog.find((c) => fqdnsOverlap(c, f));
      if (microsoft) add(path, `${quote(f)} overlaps ${microsoft}, an endpoint AKS or its add-ons reach (the egress catalog): their clients trust Microsoft's certificates only, so it is never inspected`);
      else if (git && fqdnsOverlap(git.host, f)) add(path, `${quote(f)} names the GitOps repository's host, which Flux reaches with its own trust store: it is never inspected`);
      else if (!s.egress.fqdns.some((g) => g.toLowerCase() === f.toLowerCase() || (g.startsWith("*.") && fqdnCovers(g, f)))) {
        add(path, `${quote(f)} is not allowed by spokes.${i}.egress.fqdns; only a destination the spoke allows can be inspected: add it (or a wildcard over it) there`);
      }
    });
  });
  return problems;
}
