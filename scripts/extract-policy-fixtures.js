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

// The built-in definitions lib/domain/runtime-policies.ts names, by GUID.
const { BUILT_IN_POLICIES } = require("tsx/cjs/api").require("../lib/domain/runtime-policies.ts", __filename);
const wanted = new Set(Object.values(BUILT_IN_POLICIES).map((b) => b.id.split("/").pop()));
const builtins = {};
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
for (const file of walk(path.join(policyRepo, "built-in-policies", "policyDefinitions")).filter((f) => f.endsWith(".json"))) {
  let def;
  try {
    def = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch {
    continue;
  }
  if (!wanted.has(def.name)) continue;
  const p = def.properties;
  builtins[def.name] = {
    file: path.relative(policyRepo, file),
    displayName: p.displayName,
    version: p.metadata?.version,
    versions: p.versions,
    mode: p.mode,
    parameters: Object.fromEntries(Object.entries(p.parameters ?? {}).map(([k, v]) => [k, { type: v.type, allowedValues: v.allowedValues, defaultValue: v.defaultValue }])),
    if: p.policyRule.if,
    effect: p.policyRule.then.effect,
  };
}

// The built-in initiatives (pod security), every cloud's copy: the sovereign clouds' allow fewer
// spellings of the effect.
const { POD_SECURITY_INITIATIVES } = require("tsx/cjs/api").require("../lib/domain/runtime-policies.ts", __filename);
const wantedSets = new Set(Object.values(POD_SECURITY_INITIATIVES).map((b) => b.id.split("/").pop()));
const initiatives = {};
for (const file of walk(path.join(policyRepo, "built-in-policies", "policySetDefinitions")).filter((f) => f.endsWith(".json"))) {
  let def;
  try {
    def = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch {
    continue;
  }
  if (!wantedSets.has(def.name)) continue;
  const p = def.properties;
  (initiatives[def.name] ??= []).push({
    file: path.relative(policyRepo, file),
    displayName: p.displayName,
    version: p.version ?? p.metadata?.version,
    parameters: Object.fromEntries(Object.entries(p.parameters ?? {}).map(([k, v]) => [k, { type: v.type, allowedValues: v.allowedValues, defaultValue: v.defaultValue }])),
  });
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
