#!/usr/bin/env node
// Extracts, from Microsoft's published policy data, the facts the runtime-policy tests check our
// definitions against, so that the tests judge the code by Microsoft's data, not by itself:
//   node scripts/extract-policy-fixtures.js <azure-policy checkout> <alias dump checkout> <azure-policy commit> <alias commit>
// <azure-policy checkout>: github.com/Azure/azure-policy (built-in-policies/policyDefinitions/**.json)
// <alias dump checkout>: github.com/jeircul/azure-policy-aliases (aliases/<Namespace>/<type>.md, `az provider show` output)
// Writes __tests__/fixtures/azure-policy-builtins.json (definitions and the pod security initiatives) and azure-policy-aliases.json.
const fs = require("node:fs");
const path = require("node:path");

const [policyRepo, aliasRepo, policyCommit, aliasCommit] = process.argv.slice(2);
if (!aliasCommit) {
  console.error("usage: extract-policy-fixtures.js <azure-policy dir> <alias dump dir> <azure-policy commit> <alias commit>");
  process.exit(2);
}
const out = path.join(__dirname, "..", "__tests__", "fixtures");

// The built-in definitions and initiatives lib/domain/runtime-policies.ts names, by GUID.
const { BUILT_IN_POLICIES, POD_SECURITY_INITIATIVES } = require("tsx/cjs/api").require("../lib/domain/runtime-policies.ts", __filename);
const guids = (table) => new Set(Object.values(table).map((b) => b.id.split("/").pop()));
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
/** Every published definition of a folder (policyDefinitions, policySetDefinitions) whose GUID is wanted, with its file. */
const published = (folder, wanted) =>
  walk(path.join(policyRepo, "built-in-policies", folder))
    .filter((f) => f.endsWith(".json"))
    .flatMap((file) => {
      try {
        const def = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
        return wanted.has(def.name) ? [{ def, file: path.relative(policyRepo, file) }] : [];
      } catch {
        return [];
      }
    });
const parametersOf = (p) => Object.fromEntries(Object.entries(p.parameters ?? {}).map(([k, v]) => [k, { type: v.type, allowedValues: v.allowedValues, defaultValue: v.defaultValue }]));

const wanted = guids(BUILT_IN_POLICIES);
const builtins = {};
for (const { def, file } of published("policyDefinitions", wanted)) {
  const p = def.properties;
  builtins[def.name] = { file, displayName: p.displayName, version: p.metadata?.version, versions: p.versions, mode: p.mode, parameters: parametersOf(p), if: p.policyRule.if, effect: p.policyRule.then.effect };
}

// The pod security initiatives, every cloud's copy: the sovereign clouds' allow fewer spellings of the effect.
const wantedSets = guids(POD_SECURITY_INITIATIVES);
const initiatives = {};
for (const { def, file } of published("policySetDefinitions", wantedSets)) {
  const p = def.properties;
  (initiatives[def.name] ??= []).push({ file, displayName: p.displayName, version: p.version ?? p.metadata?.version, parameters: parametersOf(p) });
}
for (const copies of Object.values(initiatives)) copies.sort((a, b) => a.file.localeCompare(b.file));

// Aliases of the resource types the definitions evaluate, with the request path each reads.
const TYPES = [
  "Microsoft.Network/routeTables", "Microsoft.Network/routeTables/routes", "Microsoft.Network/networkSecurityGroups",
  "Microsoft.Network/networkSecurityGroups/securityRules", "Microsoft.Network/virtualNetworks/subnets", "Microsoft.Network/networkInterfaces",
  "Microsoft.Network/bastionHosts", "Microsoft.Network/firewallPolicies/ruleCollectionGroups", "Microsoft.ContainerService/managedClusters",
  "Microsoft.ContainerService/managedClusters/agentPools", "Microsoft.Compute/virtualMachines", "Microsoft.Insights/privateLinkScopes",
  "Microsoft.Insights/dataCollectionEndpoints", "Microsoft.OperationalInsights/workspaces", "Microsoft.ContainerRegistry/registries", "Microsoft.KeyVault/vaults",
];
const aliases = {};
for (const type of TYPES) {
  const [ns, ...rest] = type.split("/");
  const dir = fs.readdirSync(path.join(aliasRepo, "aliases")).find((d) => d.toLowerCase() === ns.toLowerCase());
  const text = fs.readFileSync(path.join(aliasRepo, "aliases", dir, `${rest.join("-")}.md`), "utf8");
  // Aliases that reach into other resources' nested properties (a route table's subnets' NSGs'
  // rules, ...) are left out: no definition here reads them, and they are most of the dump.
  const shallow = (a) => (a.match(/\[\*\]/g) ?? []).length <= 2 && a.split("/").slice(1).join("/").split(".").length <= 3;
  aliases[type] = Object.fromEntries([...text.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|/gm)].filter(([, , a]) => shallow(a)).map(([, p, a]) => [a, p]));
}

const header = (source, commit) => ({ source, commit, extracted: new Date().toISOString().slice(0, 10), by: "scripts/extract-policy-fixtures.js" });
fs.writeFileSync(path.join(out, "azure-policy-builtins.json"), JSON.stringify({ _source: header("https://github.com/Azure/azure-policy", policyCommit), definitions: builtins, initiatives }, null, 1) + "\n");
fs.writeFileSync(path.join(out, "azure-policy-aliases.json"), JSON.stringify({ _source: header("https://github.com/jeircul/azure-policy-aliases (az provider show)", aliasCommit), aliases }).replace(/","/g, '",\n"') + "\n");
console.log(`${Object.keys(builtins).length} built-ins of ${wanted.size}, ${Object.keys(initiatives).length} initiatives of ${wantedSets.size}, ${TYPES.length} resource types`);
