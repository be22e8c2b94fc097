/** Each spoke's cluster and its egress. */
import { checkKubernetesVersion } from "../../domain/aks-versions";
import { getPublicSuffix } from "tldts";
import { type Problem, quote } from "../../core/problem";
import { type Environment } from "../schema";
import { ephemeralMisfit } from "../../domain/vm-sizes";
import { rotationName, SYSTEM_POOL } from "../../domain/naming";
import { spokesUseFirewallDns } from "./hub";
import { defaultRulePriority } from "../../domain/priorities";

/** Each spoke's cluster: network mode and policy, version, DNS zone mode, administrators, pools, egress destinations, rule priorities. */
export function checkClusters(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const priorities = new Map<number, number>();
  env.spokes.forEach((s, i) => {
    const base = `spokes.${i}`;
    const c = s.cluster;
    if (c.podCidr !== undefined && c.networkPluginMode !== "overlay") {
      add(`${base}.cluster.podCidr`, "applies only with networkPluginMode: overlay; remove it or set the mode");
    }
    const combination = NETWORK_COMBINATIONS.find((n) => n.mode === c.networkPluginMode && n.policy === c.networkPolicy);
    if (combination && !combination.allowed) {
      const allowed = NETWORK_COMBINATIONS.filter((n) => n.allowed && n.mode === c.networkPluginMode).map((n) => n.policy);
      add(`${base}.cluster.networkPolicy`, `${c.networkPolicy} with networkPluginMode ${c.networkPluginMode}: ${combination.why}; with ${c.networkPluginMode} use ${allowed.join(" or ")}`);
    }
    if (c.kubernetesVersion !== undefined) {
      const version = checkKubernetesVersion(c.kubernetesVersion);
      if (!version.ok) add(`${base}.cluster.kubernetesVersion`, version.message);
      // The cluster takes patch upgrades automatically (automatic_upgrade_channel patch): a pinned
      // patch would be planned back after the first one, a downgrade AKS refuses.
      else if (/^\d+\.\d+\.\d+$/.test(c.kubernetesVersion)) {
        const minor = c.kubernetesVersion.split(".").slice(0, 2).join(".");
        add(`${base}.cluster.kubernetesVersion`, `${c.kubernetesVersion} pins a patch, but the cluster takes patch upgrades automatically, after which Terraform would plan a downgrade AKS refuses; give the minor, "${minor}"`);
      }
    }
    if (c.privateDnsZone === "system" && spokesUseFirewallDns(env)) {
      const field = env.hub.existing ? "hub.existing.dnsProxy" : "hub.firewall.dnsProxy";
      add(
        `${base}.cluster.privateDnsZone`,
        `system cannot resolve here: AKS links its own zone only to the spoke VNet, which uses the firewall's DNS proxy (${field}), and Azure ignores zones linked to a VNet with custom DNS servers; use byo (the hub's zone), or turn the DNS proxy off`,
      );
    }
    if (c.adminGroupObjectIds.length === 0 && !c.grantDeployerAdmin) {
      add(`${base}.cluster.adminGroupObjectIds`, "is empty and grantDeployerAdmin is false, so nobody could administer the cluster (local accounts are off); list an Entra ID group or keep grantDeployerAdmin");
    }
    const admins = new Map<string, number>();
    c.adminGroupObjectIds.forEach((id, j) => {
      const first = admins.get(id.toLowerCase());
      if (first !== undefined) add(`${base}.cluster.adminGroupObjectIds.${j}`, `${id} is already listed as adminGroupObjectIds.${first}`);
      else admins.set(id.toLowerCase(), j);
    });
    const pools = [{ name: SYSTEM_POOL.name, ...c.systemPool, path: `${base}.cluster.systemPool` }, ...c.userPools.map((p, j) => ({ ...p, path: `${base}.cluster.userPools.${j}` }))];
    // The names pools take while azurerm rotates them must be free, and distinct.
    const rotations = new Map<string, string>([[SYSTEM_POOL.rotation, `${base}.cluster.systemPool`], ...c.userPools.map((p, j): [string, string] => [rotationName(p.name), `${base}.cluster.userPools.${j}`])]);
    c.userPools.forEach((p, j) => {
      const at = `${base}.cluster.userPools.${j}`;
      const rotating = rotations.get(p.name);
      if (rotating === at) add(`${at}.name`, `${quote(p.name)} is also the temporary name this pool would take while its nodes are replaced (its first 9 characters and "tmp"); choose another name`);
      else if (rotating !== undefined) add(`${at}.name`, `${quote(p.name)} is the temporary name ${rotating} takes while its nodes are replaced (a change of size, OS disk, zones or pods per node); choose another name`);
      // Two pools of one name are reported as duplicates below.
      const shared = c.userPools.findIndex((q) => q !== p && q.name !== p.name && rotationName(q.name) === rotationName(p.name));
      if (shared !== -1 && shared < j) add(`${base}.cluster.userPools.${j}.name`, `${quote(p.name)} and userPools.${shared} ${quote(c.userPools[shared].name)} share their first 9 characters, and so the temporary name ${rotationName(p.name)} they take while their nodes are replaced; make them differ earlier`);
    });
    const names = new Map<string, string>();
    for (const p of pools) {
      if (p.minCount > p.maxCount) add(`${p.path}.minCount`, `${p.minCount} is more than maxCount ${p.maxCount}`);
      // The default is Managed wherever Ephemeral would not fit, so a misfit was asked for.
      const misfit = p.osDiskType === "Ephemeral" ? ephemeralMisfit(p.vmSize, p.osDiskSizeGb) : undefined;
      if (misfit) add(`${p.path}.osDiskType`, misfit);
      const first = names.get(p.name);
      if (first !== undefined) add(`${p.path}.name`, `${quote(p.name)} is already used by ${first}; node pool names must be unique`);
      else names.set(p.name, p.path);
    }
    const destinations = new Map<string, number>();
    s.egress.fqdns.forEach((f, j) => {
      const problem = checkEgressFqdn(f);
      if (problem) add(`${base}.egress.fqdns.${j}`, problem);
      const first = destinations.get(f.toLowerCase());
      if (first !== undefined) add(`${base}.egress.fqdns.${j}`, `${quote(f)} is already listed as egress.fqdns.${first}`);
      else destinations.set(f.toLowerCase(), j);
    });
    const priority = s.egress.priority ?? defaultRulePriority(s.name);
    const first = priorities.get(priority);
    // Two spokes of one name derive one priority: the name's own line says what to fix.
    const sameName = first !== undefined && s.egress.priority === undefined && env.spokes[first].egress.priority === undefined && env.spokes[first].name === s.name;
    if (first !== undefined && !sameName) {
      add(`${base}.egress.priority`, `${priority}${s.egress.priority === undefined ? " (derived from the spoke's name)" : ""} is already the priority of spokes.${first}'s rule collection group; set egress.priority to a free value from 1000 to 64999`);
    }
    else if (first === undefined) priorities.set(priority, i);
  });
  return problems;
}
/**
 * Network plugin mode and network policy combinations, and whether AKS accepts them
 * (Microsoft Learn, AKS: Azure CNI Overlay; Azure CNI powered by Cilium; network policies).
 */
export const NETWORK_COMBINATIONS: readonly { mode: string; policy: string; allowed: boolean; why: string }[] = [
  { mode: "overlay", policy: "cilium", allowed: true, why: "Azure CNI Overlay powered by Cilium (the default)" },
  { mode: "overlay", policy: "calico", allowed: true, why: "Azure CNI Overlay with Calico" },
  { mode: "overlay", policy: "azure", allowed: true, why: "Azure CNI Overlay with Azure Network Policy Manager" },
  {
    mode: "nodeSubnet",
    policy: "cilium",
    allowed: false,
    why: "the azurerm provider requires overlay (or a pod subnet) for the Cilium dataplane, and AKS offers Cilium on a node subnet only to recent CLIs",
  },
  { mode: "nodeSubnet", policy: "calico", allowed: true, why: "Azure CNI with Calico" },
  { mode: "nodeSubnet", policy: "azure", allowed: true, why: "Azure CNI with Azure Network Policy Manager" },
];
/**
 * An extra egress destination must name hosts: not an IP address (the firewall's application
 * rules match names), not `*`, and not a wildcard straight over a public suffix (`*.com`,
 * `*.co.uk`), which would allow most of the Internet. Public suffixes come from the Public
 * Suffix List's ICANN section (the tldts package): a wildcard over a shared hosting domain
 * such as `*.blob.core.windows.net` is accepted and allows every tenant's accounts there.
 */
export function checkEgressFqdn(fqdn: string): string | undefined {
  const host = fqdn.replace(/^\*\./, "");
  if (/^[\d.]+$/.test(host)) return `${quote(fqdn)} is an IP address; egress rules name hosts (the firewall matches names), e.g. api.contoso.com`;
  const suffix = getPublicSuffix(host, { allowPrivateDomains: false });
  if (suffix === host.toLowerCase()) {
    return fqdn.startsWith("*.")
      ? `${quote(fqdn)} is a wildcard over the public suffix ${host}, which would allow every domain under it; name the domains you need, e.g. *.contoso.${host}`
      : `${quote(fqdn)} is a public suffix, not a host; name the host you need`;
  }
  return undefined;
}
