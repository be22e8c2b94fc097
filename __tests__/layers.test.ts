/**
 * Every import of lib/ points down a layer (eslint.config.mjs, run by npm test): pinned here on
 * a deliberate upward import, and on the layers the code has.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { PROJECT_ROOT } from "../lib/config/loader";

/**
 * ESLint's verdicts on some files' texts, as `npm test` runs it: one child process for them
 * all (ESLint's config is an ES module, which jest cannot load in its own workers).
 */
function lintTexts(files: Record<string, string>): Record<string, { ruleId: string | null; message: string }[]> {
  const script = `
    const { ESLint } = await import("eslint");
    const eslint = new ESLint({ cwd: process.cwd() });
    const files = JSON.parse(process.argv[1]);
    const out = {};
    for (const [file, code] of Object.entries(files)) out[file] = (await eslint.lintText(code, { filePath: file }))[0].messages;
    process.stdout.write(JSON.stringify(out));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(files)], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (!run.stdout) throw new Error(`eslint: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe("the layers of lib/", () => {
  const verdicts = lintTexts({
    "lib/core/example.ts": 'import { stackIds } from "../stacks/environment";\nexport const x = stackIds;\n',
    "lib/config/example.ts": 'import { AppsStack } from "../stacks/apps-stack";\nexport const x = AppsStack;\n',
    "lib/review/example.ts": 'import { run } from "../cli";\nexport const x = run;\n',
    "lib/config/rules/example.ts": 'import { HubStack } from "../../stacks/hub-stack";\nexport const x = HubStack;\n',
    "lib/stacks/example.ts": 'import { quote } from "../core/problem";\nimport { DEFAULTS } from "../domain/defaults";\nimport { HubStack } from "./hub-stack";\nexport const x = [quote, DEFAULTS, HubStack];\n',
  });
  const restricted = (file: string) => verdicts[file].filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);

  it("refuses an import that points up a layer", () => {
    expect(restricted("lib/core/example.ts")).toEqual([expect.stringMatching(/lib\/core sits below net, domain, .*: import only from its own layer or lower \(core\)/)]);
    expect(restricted("lib/config/example.ts")).toHaveLength(1);
    // From a folder inside a layer too.
    expect(restricted("lib/config/rules/example.ts")).toHaveLength(1);
    expect(restricted("lib/review/example.ts")).toEqual([expect.stringMatching(/entry points: nothing imports them/)]);
  });

  it("lets a module import from its own layer and those below", () => {
    expect(restricted("lib/stacks/example.ts")).toEqual([]);
  });

  it("knows every folder of lib/ (a new folder needs its place among the layers)", async () => {
    const printed = spawnSync(process.execPath, ["--input-type=module", "-e", 'const { LAYERS } = await import("./eslint.config.mjs"); process.stdout.write(JSON.stringify(LAYERS));'], { cwd: PROJECT_ROOT, encoding: "utf8" });
    const LAYERS: string[] = JSON.parse(printed.stdout);
    const folders = fs.readdirSync(path.join(PROJECT_ROOT, "lib"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual([...LAYERS].sort());
  });
});
