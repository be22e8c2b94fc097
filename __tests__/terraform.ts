import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

/**
 * The terraform CLI, offline: nothing here downloads a provider. Each call works in a fresh
 * folder of its own, with no CLI configuration, no version check and no plugin cache.
 */
export function terraform(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: path.join(dir, ".terraformrc") };
  for (const name of Object.keys(env)) if (name.startsWith("TF_VAR_") || name === "TF_DATA_DIR" || name === "TF_PLUGIN_CACHE_DIR") delete env[name];
  fs.writeFileSync(path.join(dir, ".terraformrc"), "");
  const run = spawnSync("terraform", ["-chdir=" + dir, ...args, "-no-color"], { encoding: "utf8", env });
  if (run.error) throw new Error(`terraform could not be run (${run.error.message}); the tests need the terraform CLI on PATH`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * What Terraform makes of each value, as written in a JSON configuration: the values become
 * the outputs of a configuration with no provider, which Terraform plans, applies and prints.
 * Throws with Terraform's own message when it refuses the configuration.
 */
export function evaluate(values: unknown[]): unknown[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "terraform-evaluate-"));
  try {
    const output = Object.fromEntries(values.map((value, i) => [`v${i}`, { value }]));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ output }));
    for (const args of [["init", "-backend=false"], ["apply", "-auto-approve"]]) {
      const run = terraform(dir, args);
      if (run.status !== 0) throw new Error(`terraform ${args[0]}: ${run.stderr || run.stdout}`);
    }
    const shown = terraform(dir, ["output", "-json"]);
    if (shown.status !== 0) throw new Error(`terraform output: ${shown.stderr}`);
    const outputs = JSON.parse(shown.stdout) as Record<string, { value: unknown }>;
    return values.map((_v, i) => outputs[`v${i}`].value);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `terraform init` offline says that is not the provider download it cannot make. */
const OFFLINE = /Failed to query available provider packages|could not connect to registry\.terraform\.io|Failed to install provider/;

/**
 * Terraform's own verdict on a synthesized stack: `terraform init -backend=false` in a copy of
 * its folder parses and checks the whole configuration before it downloads providers, which
 * these machines cannot. Returns every error Terraform gave but that download, with the line it
 * points at, as Terraform printed it; [] when the configuration loads.
 */
export function initProblems(stackDir: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "terraform-init-"));
  try {
    fs.copyFileSync(path.join(stackDir, "cdk.tf.json"), path.join(dir, "cdk.tf.json"));
    const run = terraform(dir, ["init", "-backend=false", "-input=false"]);
    const text = `${run.stderr}\n${run.stdout}`;
    // Each diagnostic starts with "Error: " (or "│ Error: " in a box) and runs to the next.
    const errors = text.split(/^(?:│ )?Error: /m).slice(1).map((d) => `Error: ${d.trim()}`);
    const problems = errors.filter((e) => !OFFLINE.test(e) && !/Terraform encountered problems during initialisation/.test(e.split("\n")[0]));
    if (problems.length === 0 && errors.length === 0 && run.status !== 0) return [`terraform init failed without an error message: ${text.trim()}`];
    return problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
