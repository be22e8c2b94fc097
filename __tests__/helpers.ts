import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { run } from "../lib/cli";
import { DEFAULT_ENVIRONMENT_FILE, parseEnvironment, PROJECT_ROOT } from "../lib/config/loader";
import { EnvironmentError } from "../lib/core/problem";
import type { Environment } from "../lib/config/schema";
import { buildEnvironment, type EnvironmentStacks } from "../lib/stacks/environment";

export const ENVIRONMENTS_DIR = path.dirname(DEFAULT_ENVIRONMENT_FILE);

/** The default environment file as plain data, to be changed by a test. */
export function defaultRaw(): any {
  DEFAULT_RAW ??= parse(fs.readFileSync(DEFAULT_ENVIRONMENT_FILE, "utf8"));
  return structuredClone(DEFAULT_RAW);
}
let DEFAULT_RAW: unknown;

/** Validates raw environment data as if it were the file `env.yaml` next to the default one (read as JSON, which holds the same data and parses in a fraction of the time: the line numbers YAML adds to messages are tested in config/environment-file.test.ts). */
export function environment(raw: unknown = defaultRaw()): Environment {
  return parseEnvironment(JSON.stringify(raw), "env.yaml", ENVIRONMENTS_DIR, "json");
}

/** The error lines for raw environment data, or [] when it is valid. */
export function problems(raw: unknown): string[] {
  try {
    environment(raw);
    return [];
  } catch (e) {
    if (e instanceof EnvironmentError) return e.lines();
    throw e;
  }
}

/** The default environment with a change applied. */
export function changed(change: (raw: any) => void): any {
  const raw = defaultRaw();
  change(raw);
  return raw;
}

/**
 * Builds every stack of an environment in a test app and prepares them as `app.synth()`
 * does, so that references between stacks become the remote-state lookups the real
 * output holds.
 */
export function stacks(env: Environment = environment(), customize?: (built: EnvironmentStacks) => void): EnvironmentStacks {
  // The output folder synth uses by default (nothing is written there): what the stacks compute
  // from it, such as a local backend's state path, is then what a user's synth writes.
  const app = Testing.app({ outdir: path.join(PROJECT_ROOT, "cdktf.out") });
  const built = buildEnvironment(app, env);
  customize?.(built);
  app.node.findAll().filter((c): c is TerraformStack => c instanceof TerraformStack).forEach((s) => s.prepareStack());
  return built;
}

/** A stack's synthesized Terraform JSON, as text (for the cdktf matchers) and parsed. */
export function synth(stack: TerraformStack): { text: string; json: any } {
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

/** Every resource of one Terraform type in a synthesized stack. */
export function resources(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The one resource of a type whose `name` is given. */
export function resourceNamed(json: any, type: string, name: string): any {
  const key = address(json, type, name).slice(type.length + 1);
  return json.resource[type][key];
}

/** A named environment file of environments/, validated. */
export function namedEnvironment(name: string): Environment {
  return parseEnvironment(fs.readFileSync(path.join(ENVIRONMENTS_DIR, `${name}.yaml`), "utf8"), `${name}.yaml`, ENVIRONMENTS_DIR);
}

/** The Terraform address (`type.key`) of the one resource of a type whose `name` is given. */
export function address(json: any, type: string, name: string): string {
  const found = Object.entries(json.resource?.[type] ?? {}).filter(([, r]: [string, any]) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return `${type}.${found[0][0]}`;
}

/** `${type.key.id}`: how another resource in the same stack refers to this one's id. */
export function idOf(json: any, type: string, name: string): string {
  return `\${${address(json, type, name)}.id}`;
}

const REMOTE = /^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([^}]+)\}$/;

/** Follows a cross-stack reference in a spoke to the expression the hub outputs. */
export function hubExpression(hub: any, reference: string): string {
  const match = REMOTE.exec(reference);
  if (!match) throw new Error(`not a cross-stack reference: ${reference}`);
  return hub.output[match[1]].value;
}

/** Runs the `private-aks` command line in this process: its exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

/** Text printed on stderr without the warnings the shipped environments get for the samples they use: the jumpbox key, and full.yaml's TLS inspection CA. */
export function withoutSampleKeyWarning(stderr: string): string {
  return stderr.split("\n").filter((l) => !l.includes(": hub.jumpbox.sshPublicKey: warning: is the sample key") && !l.includes(": hub.firewall.tlsInspection.caCertificate: warning: is the sample CA")).join("\n");
}

/** A minimal existing hub (hub.existing), for environments that attach to one. */
export const EXISTING_HUB = {
  vnetId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub",
  firewallPrivateIp: "10.0.0.4",
  firewallPolicyId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fwp",
  dnsResourceGroup: "rg-dns",
};
