/**
 * Every import of lib/ points down a layer (eslint.config.mjs, run by npm test): pinned here on
 * a deliberate upward import, and on the layers the code has.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { PROJECT_ROOT } from "../lib/config/loader";

/** ESLint's verdict on one file's text, as `npm test` runs it (a child process: the config is an ES module). */
function lintText(file: string, code: string): { ruleId: string | null; message: string }[] {
  const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--stdin", "--stdin-filename", file, "--format", "json"], { cwd: PROJECT_ROOT, input: code, encoding: "utf8" });
  if (!run.stdout) throw new Error(`eslint: ${run.stderr}`);
  return JSON.parse(run.stdout)[0].messages;
}

describe("the layers of lib/", () => {
  const lint = async (file: string, code: string) => lintText(file, code).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);

  it("refuses an import that points up a layer", async () => {
    expect(await lint("lib/core/example.ts", 'import { stackIds } from "../stacks/environment";\nexport const x = stackIds;\n')).toEqual([expect.stringMatching(/lib\/core sits below net, domain, .*: import only from its own layer or lower \(core\)/)]);
    expect(await lint("lib/config/example.ts", 'import { AppsStack } from "../stacks/apps-stack";\nexport const x = AppsStack;\n')).toHaveLength(1);
    expect(await lint("lib/review/example.ts", 'import { run } from "../cli";\nexport const x = run;\n')).toEqual([expect.stringMatching(/entry points: nothing imports them/)]);
  });

  it("lets a module import from its own layer and those below", async () => {
    expect(await lint("lib/stacks/example.ts", 'import { quote } from "../core/problem";\nimport { DEFAULTS } from "../domain/defaults";\nimport { HubStack } from "./hub-stack";\nexport const x = [quote, DEFAULTS, HubStack];\n')).toEqual([]);
  });

  it("knows every folder of lib/ (a new folder needs its place among the layers)", async () => {
    const printed = spawnSync(process.execPath, ["--input-type=module", "-e", 'const { LAYERS } = await import("./eslint.config.mjs"); process.stdout.write(JSON.stringify(LAYERS));'], { cwd: PROJECT_ROOT, encoding: "utf8" });
    const LAYERS: string[] = JSON.parse(printed.stdout);
    const folders = fs.readdirSync(path.join(PROJECT_ROOT, "lib"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual([...LAYERS].sort());
  });
});
