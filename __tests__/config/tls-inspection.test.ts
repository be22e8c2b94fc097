import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkCaCertificate, isSampleCa, resolveCaCertificate } from "../../lib/config/ca-certificate";
import { checkWarnings } from "../../lib/config/rules/warnings";
import { parse } from "yaml";
import { changed, environment, ENVIRONMENTS_DIR, problems } from "../helpers";

const FIXTURES = path.join(__dirname, "..", "fixtures", "certs");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, `${name}.crt`), "utf8");
const SAMPLE = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "certs", "firewall-intermediate-ca.crt"), "utf8");
/** The fixtures were made on 2026-12-07, valid for ten years (short.crt: 200 days). */
const NOW = new Date("2026-12-08T00:00:00Z");
const errorsOf = (pem: string, now = NOW) => {
  const r = checkCaCertificate(pem, now);
  return r.ok ? [] : r.errors;
};

describe("the TLS inspection CA certificate, against Microsoft's requirements", () => {
  it("accepts an intermediate CA as Microsoft describes it (RSA 4096, CA, path length 1, critical key usage keyCertSign)", () => {
    expect(errorsOf(SAMPLE)).toEqual([]);
  });

  it("names every way a certificate misses, at once: a server certificate is neither a CA nor signs certificates", () => {
    expect(errorsOf(fixture("leaf"))).toEqual(["is not a CA certificate (basic constraints CA:TRUE); the firewall signs the certificates it presents with it", "has no keyCertSign key usage; Azure Firewall needs it (marked critical)"]);
  });

  it.each([
    ["rsa2048", "has a 2048-bit RSA key; Azure Firewall needs 4096 bits or more"],
    ["pathlen0", "has path length 0; Azure Firewall needs 1 or more"],
    ["noncritical", "has basic constraints that are not marked critical; Azure Firewall needs them critical"],
    ["nokeycertsign", "has no keyCertSign key usage; Azure Firewall needs it (marked critical)"],
    ["chain", "holds 2 certificates; give the intermediate CA's certificate alone (Azure Firewall refuses a chain)"],
  ])("refuses %s: %s", (name, message) => {
    expect(errorsOf(fixture(name))).toEqual([message]);
  });

  it("refuses a CA that is expired, not yet valid, or valid for less than the year ahead Microsoft requires", () => {
    expect(errorsOf(fixture("short"))).toEqual([expect.stringMatching(/^expires on 2027-\d\d-\d\d, within a year; Microsoft requires the firewall's CA to be valid for a year ahead: renew it$/)]);
    expect(errorsOf(SAMPLE, new Date("2037-01-01T00:00:00Z"))).toEqual(["expired on 2036-12-07"]);
    expect(errorsOf(SAMPLE, new Date("2026-01-01T00:00:00Z"))).toEqual(["is not valid before 2026-12-07"]);
  });

  it("names an EC key's type, and tells a binary file (DER, a PFX) from text", () => {
    expect(errorsOf(fixture("ec"))).toEqual(["has a key of type EC; Azure Firewall needs an RSA key of 4096 bits or more"]);
    const der = fs.readFileSync(path.join(FIXTURES, "sample.der"), "latin1");
    expect(errorsOf(der)).toEqual([expect.stringMatching(/^is not a PEM certificate but binary \(DER, or a PFX, which holds the private key too\): give the CA's certificate alone as PEM/)]);
  });

  it("refuses text that is no certificate, and a damaged one", () => {
    expect(errorsOf("hello")).toEqual(["is not a PEM certificate (-----BEGIN CERTIFICATE-----)"]);
    expect(errorsOf(SAMPLE.replace(/\n[A-Za-z0-9+/]{20}/, "\n"))).toEqual(["is not a complete certificate: it is truncated or damaged"]);
  });

  it("refuses a private key, inline or in the file, without echoing it", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ca-"));
    fs.writeFileSync(path.join(dir, "ca.pem"), SAMPLE + key);
    const inline = resolveCaCertificate(key, dir);
    const file = resolveCaCertificate("ca.pem", dir);
    expect(inline).toEqual({ ok: false, errors: [expect.stringMatching(/^holds a private key: never put the CA's private key in the environment file/)] });
    expect(file).toEqual({ ok: false, errors: [expect.stringMatching(/^"ca\.pem" holds a private key/)] });
    expect(JSON.stringify([inline, file])).not.toContain("MIIEvQIBADANBg");
  });

  it("reads the file beside the environment file only, as the jumpbox key is read", () => {
    expect(resolveCaCertificate("/etc/ssl/certs/ca.pem", ENVIRONMENTS_DIR)).toEqual({ ok: false, errors: [expect.stringMatching(/must be a PEM certificate or a path relative to the environment file/)] });
    expect(resolveCaCertificate("../package.json", ENVIRONMENTS_DIR)).toEqual({ ok: false, errors: [expect.stringMatching(/leads outside the environment file's folder; keep the certificate file beside the environment file/)] });
    expect(resolveCaCertificate("certs/firewall-intermediate-ca.crt", ENVIRONMENTS_DIR)).toEqual({ ok: true, pem: SAMPLE.trim() + "\n" });
  });

  it("knows the shipped sample, whose private key was destroyed", () => {
    expect(isSampleCa(SAMPLE)).toBe(true);
    expect(isSampleCa(fixture("leaf"))).toBe(false);
  });
});

/** The default environment with a Premium firewall, TLS inspection and one inspected destination. */
const inspecting = (more: (r: any) => void = () => {}) =>
  changed((r) => {
    r.hub.subnets.privateEndpoints = "10.0.2.0/27";
    r.hub.firewall.tier = "Premium";
    r.hub.firewall.tlsInspection = { keyVault: { name: "kv-demo-afw-tls" }, caCertificate: "certs/firewall-intermediate-ca.crt", importerObjectIds: ["11111111-1111-1111-1111-111111111111"], certificateImported: true };
    r.spokes[0].egress = { fqdns: ["api.contoso.com", "*.partner.example"], tlsInspection: ["api.contoso.com"] };
    more(r);
  });

describe("TLS inspection in the environment file", () => {
  it("is accepted on a Premium firewall, the CA file's text taking the path's place", () => {
    expect(problems(inspecting())).toEqual([]);
    expect(environment(inspecting()).hub.firewall.tlsInspection?.caCertificate).toBe(SAMPLE.trim() + "\n");
  });

  it("names every problem of the certificate on its field, in one run", () => {
    const lines = problems(inspecting((r) => (r.hub.firewall.tlsInspection.caCertificate = fixture("rsa2048") + "")));
    expect(lines).toEqual(["env.yaml: hub.firewall.tlsInspection.caCertificate: has a 2048-bit RSA key; Azure Firewall needs 4096 bits or more"]);
  });

  it("needs the Premium tier, a hub built here, the private endpoints' subnet, a vault of its own and an importer", () => {
    expect(problems(inspecting((r) => (r.hub.firewall.tier = "Standard")))).toContainEqual("env.yaml: hub.firewall.tlsInspection: needs hub.firewall.tier: Premium (the Standard tier cannot decrypt TLS)");
    expect(problems(inspecting((r) => delete r.hub.subnets.privateEndpoints))).toContainEqual(expect.stringMatching(/^env\.yaml: hub\.subnets\.privateEndpoints: is required by hub\.firewall\.tlsInspection: the vault's private endpoint/));
    expect(problems(inspecting((r) => (r.hub.keyVault = { name: "kv-demo-afw-tls" })))).toContainEqual(expect.stringMatching(/^env\.yaml: hub\.firewall\.tlsInspection\.keyVault\.name: "kv-demo-afw-tls" is hub\.keyVault's name; the CA needs a vault of its own/));
    expect(problems(inspecting((r) => (r.hub.firewall.tlsInspection.importerObjectIds = [])))).toContainEqual(expect.stringMatching(/^env\.yaml: hub\.firewall\.tlsInspection\.importerObjectIds: must name at least one principal/));
  });

  it("inspects only a destination the spoke allows, and only with the firewall's CA configured", () => {
    expect(problems(inspecting((r) => (r.spokes[0].egress.tlsInspection = ["other.contoso.com"])))).toEqual([
      `env.yaml: spokes.0.egress.tlsInspection.0: "other.contoso.com" is not allowed by spokes.0.egress.fqdns; only a destination the spoke allows can be inspected: add it (or a wildcard over it) there`,
    ]);
    // Under a wildcard the spoke allows, it may be inspected.
    expect(problems(inspecting((r) => (r.spokes[0].egress.tlsInspection = ["eu.partner.example", "*.eu.partner.example"])))).toEqual([]);
    expect(problems(inspecting((r) => delete r.hub.firewall.tlsInspection))).toEqual([`env.yaml: spokes.0.egress.tlsInspection.0: "api.contoso.com": inspection needs hub.firewall.tlsInspection (the firewall's CA and its vault)`]);
  });

  it.each([["mcr.microsoft.com"], ["*.data.mcr.microsoft.com"], ["login.microsoftonline.com"], ["*.microsoftonline.com"], ["x.hcp.westeurope.azmk8s.io"]])("never inspects an endpoint AKS or its add-ons reach: %s", (fqdn) => {
    const lines = problems(inspecting((r) => { r.spokes[0].egress.fqdns.push(fqdn); r.spokes[0].egress.tlsInspection = [fqdn]; }));
    expect(lines.filter((l) => l.includes("tlsInspection"))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.egress\.tlsInspection\.0: .* overlaps .*, an endpoint AKS or its add-ons reach \(the egress catalog\): their clients trust Microsoft's certificates only, so it is never inspected$/)]);
  });

  it("refuses an endpoint it never inspects with that reason alone, even when fqdns does not list it", () => {
    expect(problems(inspecting((r) => (r.spokes[0].egress.tlsInspection = ["mcr.microsoft.com"])))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.egress\.tlsInspection\.0: "mcr\.microsoft\.com" overlaps mcr\.microsoft\.com, an endpoint AKS or its add-ons reach/)]);
  });

  it("may inspect the Ubuntu mirrors or Docker Hub, which the nodes reach with their own (CA-trusting) store", () => {
    expect(problems(inspecting((r) => { r.spokes[0].egress.fqdns.push("registry-1.docker.io"); r.spokes[0].egress.tlsInspection = ["registry-1.docker.io"]; }))).toEqual([]);
  });

  it("is refused on an existing hub with the one reason that holds there", () => {
    const raw = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "brownfield.yaml"), "utf8"));
    raw.spokes[0].egress = { fqdns: ["api.contoso.com"], tlsInspection: ["api.contoso.com"] };
    expect(problems(raw)).toEqual([`env.yaml: spokes.0.egress.tlsInspection.0: "api.contoso.com": TLS inspection needs a hub built here; the existing hub's firewall policy (hub.existing) is not this environment's`]);
  });

  it("never inspects the GitOps repository's host", () => {
    const lines = problems(inspecting((r) => {
      r.spokes[0].delivery = { mode: "gitops", repository: "https://git.contoso.com/platform.git" };
      r.spokes[0].egress.fqdns.push("git.contoso.com");
      r.spokes[0].egress.tlsInspection = ["git.contoso.com"];
    }));
    expect(lines).toContainEqual(`env.yaml: spokes.0.egress.tlsInspection.0: "git.contoso.com" names the GitOps repository's host, which Flux reaches with its own trust store: it is never inspected`);
  });

  it("says, until the CA is imported, how to import it and that nothing is inspected yet; and names the shipped sample", () => {
    const warnings = checkWarnings(environment(inspecting((r) => (r.hub.firewall.tlsInspection.certificateImported = false))));
    expect(warnings.map((w) => w.path)).toEqual(expect.arrayContaining(["hub.firewall.tlsInspection.caCertificate", "hub.firewall.tlsInspection.certificateImported"]));
    expect(warnings.find((w) => w.path === "hub.firewall.tlsInspection.certificateImported")?.message).toContain("az keyvault certificate import --vault-name kv-demo-afw-tls --name firewall-intermediate-ca --file ca.pfx");
    expect(checkWarnings(environment(inspecting())).map((w) => w.path)).not.toContain("hub.firewall.tlsInspection.certificateImported");
  });
});
