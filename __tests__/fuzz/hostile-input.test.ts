/**
 * Environment files are untrusted input (they come from pull requests). Every file in
 * corpus/ is a hostile or careless variation of the default environment; each must be refused
 * with one clear line per problem naming the field (its `# expect:` lines), no stack trace, no
 * secret echoed, and the previous output untouched. A property test then throws random
 * mutations at the same path: every run ends in a clean refusal or in output that passes every
 * guardrail.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { planEnvironment, synthesize } from "../../lib/app";
import { PRIVATE_RANGES } from "../../lib/net/special-ranges";
import { parseCidr, contains } from "../../lib/net/cidr";
import { ENVIRONMENTS_DIR } from "../helpers";

const CORPUS = path.join(__dirname, "corpus");
const KEY = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "keys", "jumpbox.pub"), "utf8").trim();

/** A folder with a previous output in it, to prove a refused run leaves it alone. */
function seeded(): { dir: string; outdir: string; before: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-"));
  const outdir = path.join(dir, "cdktf.out");
  fs.mkdirSync(path.join(outdir, "stacks", "demo-hub"), { recursive: true });
  fs.writeFileSync(path.join(outdir, "stacks", "demo-hub", "cdk.tf.json"), "previous output");
  return { dir, outdir, before: snapshot(outdir) };
}

function snapshot(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(`${path.relative(dir, path.join(d, e.name))}=${fs.readFileSync(path.join(d, e.name), "utf8")}`)));
  walk(dir);
  return files.join("\n");
}

/** Runs synth on a file as the app does; returns exit code and stderr lines. */
function run(file: string, outdir: string): { code: number; lines: string[]; stderr: string } {
  let stderr = "";
  const code = synthesize({ outdir, file, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stderr, lines: stderr.split("\n").filter((l) => l !== "") };
}

function expectCleanRefusal(result: { code: number; lines: string[]; stderr: string }, shownFile: string) {
  expect(result.code).toBe(1);
  expect(result.lines.length).toBeGreaterThan(0);
  for (const line of result.lines) expect(line.startsWith(`${shownFile}: `)).toBe(true);
  expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  expect(result.stderr).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|b3BlbnNzaC1rZXktdjE/); // no private key material
}

describe("the hostile corpus", () => {
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".yaml")).sort();

  it("holds a case for every class of the input issue", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)("%s is refused cleanly, naming the field, with the previous output untouched", (name) => {
    const text = fs.readFileSync(path.join(CORPUS, name), "utf8");
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(0);
    const { dir, outdir, before } = seeded();
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    for (const e of expected) expect({ name, found: result.lines.some((l) => l.includes(`${file}: ${e}`)) }).toEqual({ name, found: true });
    expect(snapshot(outdir)).toBe(before);
  });
});

describe("files that are not what they seem", () => {
  const environment = () => parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "default.yaml"), "utf8"));

  it("refuses a key file that is a named pipe instead of blocking forever", () => {
    const { dir, outdir, before } = seeded();
    execFileSync("mkfifo", [path.join(dir, "jumpbox.pub")]);
    const file = path.join(dir, "env.yaml");
    const raw = environment();
    raw.hub.jumpbox.sshPublicKey = "jumpbox.pub";
    fs.writeFileSync(file, stringify(raw));
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    expect(result.lines).toContain(`${file}: hub.jumpbox.sshPublicKey: "jumpbox.pub" is not a regular file; give a public key file (.pub)`);
    expect(snapshot(outdir)).toBe(before);
  });

  it("refuses a key file that is a device (it would grow memory without bound)", () => {
    const { dir, outdir } = seeded();
    const file = path.join(dir, "env.yaml");
    fs.symlinkSync("/dev/zero", path.join(dir, "zero.pub"));
    const raw = environment();
    raw.hub.jumpbox.sshPublicKey = "zero.pub";
    fs.writeFileSync(file, stringify(raw));
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    expect(result.lines).toContain(`${file}: hub.jumpbox.sshPublicKey: "zero.pub" leads outside the environment file's folder; keep the key file beside the environment file`);
  });

  it("refuses a huge key file", () => {
    const { dir, outdir } = seeded();
    fs.writeFileSync(path.join(dir, "big.pub"), `${KEY} ${"x".repeat(20000)}`);
    const file = path.join(dir, "env.yaml");
    const raw = environment();
    raw.hub.jumpbox.sshPublicKey = "big.pub";
    fs.writeFileSync(file, stringify(raw));
    const result = run(file, outdir);
    expect(result.lines).toEqual([expect.stringMatching(/hub\.jumpbox\.sshPublicKey: "big\.pub" is \d+ bytes; a public key file is under 16 KiB$/)]);
  });

  it("refuses an environment file that is a device or a pipe", () => {
    const { dir, outdir } = seeded();
    const fifo = path.join(dir, "env.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(run(fifo, outdir).lines).toEqual([`${fifo}: (file): is not a regular file; give the path of a YAML or JSON environment file`]);
    expect(run("/dev/zero", outdir).lines).toEqual(["/dev/zero: (file): is not a regular file; give the path of a YAML or JSON environment file"]);
  });

  it("parses a .json file as JSON: a trailing comma is an error", () => {
    const { dir, outdir } = seeded();
    const file = path.join(dir, "env.json");
    const raw = environment();
    raw.hub.jumpbox.sshPublicKey = KEY;
    fs.writeFileSync(file, JSON.stringify(raw, null, 2).replace(/\n}$/, ",\n}"));
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    expect(result.lines[0]).toMatch(/: \(syntax\): .*the file ends in \.json, so it must be plain JSON/);
  });

  it("refuses an output folder under a folder that does not exist, with one line", () => {
    const { dir } = seeded();
    const result = run(path.join(ENVIRONMENTS_DIR, "default.yaml"), path.join(dir, "no", "such", "cdktf.out"));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([expect.stringMatching(/cdktf\.out: cannot write the output here: the folder .*no\/such does not exist; create it or choose another CDKTF_OUTDIR$/)]);
  });

  it("never echoes a private key, even cut short", () => {
    const { dir, outdir } = seeded();
    const file = path.join(dir, "env.yaml");
    const raw = environment();
    raw.hub.jumpbox.sshPublicKey = fs.readFileSync(path.join(CORPUS, "private-key-inline.yaml"), "utf8").split("sshPublicKey: ")[1].split("\n")[0];
    raw.hub.addressSpace = ["-----BEGIN RSA PRIVATE KEY-----MIIEow"];
    fs.writeFileSync(file, stringify(raw));
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    expect(result.stderr).not.toContain("MIIEow");
    expect(result.lines).toContain(`${file}: hub.addressSpace.0: (a value that looks like a secret; not shown) is not an IPv4 CIDR block; write it as a.b.c.d/n, e.g. 10.0.0.0/24`);
  });
});

describe("hostile input that needs more than one file", () => {
  it("never echoes a token held in the file sshPublicKey names", () => {
    const { dir, outdir, before } = seeded();
    const token = "ghp_" + "A1b2C3d4E5".repeat(4);
    fs.writeFileSync(path.join(dir, "token.pub"), `${token}\n`);
    const file = path.join(dir, "env.yaml");
    const raw = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "default.yaml"), "utf8"));
    raw.hub.jumpbox.sshPublicKey = "token.pub";
    fs.writeFileSync(file, stringify(raw));
    const result = run(file, outdir);
    expectCleanRefusal(result, file);
    expect(result.stderr).not.toContain(token);
    expect(result.lines).toEqual([`${file}: hub.jumpbox.sshPublicKey: "token.pub" is not an OpenSSH public key: it must start with ssh-ed25519 or ssh-rsa`]);
    expect(snapshot(outdir)).toBe(before);
  });

  it("refuses a point-to-site pool that overlaps a spoke of another environment synthesized with it", () => {
    const { dir, outdir, before } = seeded();
    const read = (f: string) => parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, f), "utf8"));
    const we = read("multi-spoke.yaml");
    const ne = read("multi-spoke-northeurope.yaml");
    for (const env of [we, ne]) if (env.hub.jumpbox) env.hub.jumpbox.sshPublicKey = KEY;
    const spoke = ne.spokes[0].addressSpace[0];
    we.onPremises = ["192.168.0.0/16"];
    we.hub.subnets.gateway = we.hub.subnets.gateway ?? "10.10.3.224/27";
    we.hub.gateway = { type: "Vpn", pointToSite: { addressPool: spoke } };
    const [a, b] = [path.join(dir, "we.yaml"), path.join(dir, "ne.yaml")];
    fs.writeFileSync(a, stringify(we));
    fs.writeFileSync(b, stringify(ne));
    const result = run(`${a},${b}`, outdir);
    expect(result.code).toBe(1);
    expect(result.lines).toContainEqual(expect.stringContaining(`${a}: hub.gateway.pointToSite.addressPool: ${spoke} overlaps ${spoke} (spokes.0.addressSpace.0 of ${b})`));
    expect(snapshot(outdir)).toBe(before);
  });
});

/** Every allow rule in the synthesized JSON names only private sources: checked independently of the guardrails. */
function publicAllowSources(outdir: string, declared: string[]): string[] {
  const privateSpace = [...PRIVATE_RANGES, ...declared.map((d) => parseCidr(d)).flatMap((p) => (p.ok ? [p.value] : []))];
  const isPrivateText = (a: string) => ["VirtualNetwork", "AzureLoadBalancer"].includes(a) || (() => {
    const p = parseCidr(a.includes("/") ? a : `${a}/32`);
    return p.ok && privateSpace.some((r) => contains(r, p.value));
  })();
  const found: string[] = [];
  for (const stack of fs.readdirSync(path.join(outdir, "stacks"))) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
    for (const rule of Object.values<any>(json.resource?.azurerm_network_security_rule ?? {})) {
      if (rule.access !== "Allow" || rule.direction !== "Inbound") continue;
      for (const s of [rule.source_address_prefix, ...(rule.source_address_prefixes ?? [])].filter(Boolean)) if (!isPrivateText(s)) found.push(`${stack}: ${rule.name} from ${s}`);
    }
    for (const group of Object.values<any>(json.resource?.azurerm_firewall_policy_rule_collection_group ?? {})) {
      for (const c of [...(group.application_rule_collection ?? []), ...(group.network_rule_collection ?? [])]) {
        for (const r of c.rule) for (const s of r.source_addresses ?? []) if (!isPrivateText(s)) found.push(`${stack}: ${r.name} from ${s}`);
      }
      if (group.nat_rule_collection) found.push(`${stack}: DNAT in ${group.name}`);
    }
  }
  return found;
}

describe("random mutations of the default environment", () => {
  const base = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "default.yaml"), "utf8"));
  base.hub.jumpbox.sshPublicKey = KEY;
  const octet = fc.integer({ min: 0, max: 255 });
  const cidrText = fc.tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`);
  const networkCidr = fc.constantFrom("128.0.0.0/1", "0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16", "172.31.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "30.10.0.0/16", "10.0.4.0/22", "10.9.0.0/16");
  const weird = fc.oneof(
    fc.string(),
    fc.constantFrom("", "*", "\n", "a\nb", "Internet", "-----BEGIN OPENSSH PRIVATE KEY-----", "../../etc/passwd", "~/.ssh/id_rsa.pub", "\u001b[2J", "ssh-rsa AAAA"),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(cidrText, networkCidr), { maxLength: 4 }),
  );
  const paths: [string, fc.Arbitrary<unknown>][] = [
    ["onPremises", fc.array(fc.oneof(cidrText, networkCidr), { maxLength: 4 })],
    ["privateRanges", fc.array(fc.oneof(cidrText, networkCidr), { maxLength: 2 })],
    ["hub.addressSpace", fc.array(fc.oneof(cidrText, networkCidr), { minLength: 1, maxLength: 2 })],
    ["hub.subnets.jumpbox", fc.oneof(cidrText, networkCidr)],
    ["hub.subnets.bastion", fc.oneof(cidrText, networkCidr, fc.constant(undefined))],
    ["spokes.0.addressSpace", fc.array(fc.oneof(cidrText, networkCidr), { minLength: 1, maxLength: 2 })],
    ["spokes.0.subnets.nodes", fc.oneof(cidrText, networkCidr)],
    ["spokes.0.cluster.serviceCidr", fc.oneof(cidrText, networkCidr)],
    ["spokes.0.cluster.podCidr", fc.oneof(cidrText, networkCidr)],
    ["spokes.0.egress.fqdns", fc.array(fc.oneof(fc.domain(), fc.constantFrom("*", "*.com", "10.0.0.1", "*.contoso.com")), { maxLength: 3 })],
    ["hub.jumpbox.sshPublicKey", weird],
    ["name", weird],
    ["location", weird],
    ["tags", fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 14 })],
    ["spokes.0.cluster.kubernetesVersion", fc.oneof(fc.constantFrom("1.35", "1.2", "99.99.99", "1.36.1"), weird)],
    ["hub.firewall.tier", fc.constantFrom("Basic", "Standard", "Premium", "Gold")],
  ];
  const mutation = fc.array(fc.integer({ min: 0, max: paths.length - 1 }).chain((i) => paths[i][1].map((v) => [paths[i][0], v] as const)), { minLength: 1, maxLength: 4 });

  it("end in a clean refusal or in output with no allow rule from public address space", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-"));
    let run = 0;
    let synthesized = 0;
    fc.assert(
      fc.property(mutation, (changes) => {
        const raw = structuredClone(base);
        for (const [at, value] of changes) {
          const keys = at.split(".");
          let cursor: any = raw;
          for (const k of keys.slice(0, -1)) cursor = cursor[k] ??= {};
          cursor[keys[keys.length - 1]] = value;
        }
        const dir = path.join(scratch, String(run++));
        fs.mkdirSync(dir);
        const file = path.join(dir, "env.yaml");
        fs.writeFileSync(file, stringify(raw));
        let stderr = "";
        const plan = planEnvironment({ file, outdir: path.join(dir, "out"), stderr: { write: (s: string) => (stderr += s) } });
        const lines = stderr.split("\n").filter((l) => l !== "");
        if (!plan) {
          expect(lines.length).toBeGreaterThan(0);
          for (const line of lines) expect(line.startsWith(`${file}: `)).toBe(true);
          expect(stderr).not.toContain("BEGIN OPENSSH PRIVATE KEY");
          expect(stderr).not.toContain(String.fromCharCode(27)); // no raw escape sequence
        } else {
          synthesized++;
          expect(plan.report.violations).toEqual([]);
          expect(publicAllowSources(path.join(dir, "out"), plan.env.privateRanges)).toEqual([]);
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150), seed: Number(process.env.FUZZ_SEED ?? 20261129) },
    );
    // The property means something only if some mutations were accepted and synthesized.
    expect(synthesized).toBeGreaterThan(10);
  });
});
