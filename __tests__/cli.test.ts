import * as path from "path";
import { stringify } from "yaml";
import * as fs from "fs";
import * as os from "os";
import { reportInternalError } from "../lib/cli";
import { changed, cli, ENVIRONMENTS_DIR } from "./helpers";

describe("private-aks validate", () => {
  it("accepts the default environment and names the stacks it would build", async () => {
    const result = await cli("validate", path.join(ENVIRONMENTS_DIR, "default.yaml"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok (environment demo, westeurope; stacks demo-hub, demo-aks1, demo-aks1-apps)");
    // The shipped files use the sample key: the one warning, naming the field.
    expect(result.stderr).toBe(`environments/default.yaml: hub.jumpbox.sshPublicKey: warning: is the sample key shipped in environments/keys/jumpbox.pub, whose private key is nobody's on your team: replace it with your team's public key before deploying\n`);
    expect(result.stdout).toContain("public endpoints (2), each an acknowledged exception:\n  demo-hub/bastion/public-ip: [PUB-001] Azure Bastion's front door");
    expect(result.stdout).toContain("\n  demo-hub/firewall/public-ip: [PUB-001] Azure Firewall's egress address");
  });

  it("prints every problem of a broken file, one per line, and exits 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "validate-"));
    const file = path.join(dir, "env.yaml");
    fs.writeFileSync(file, stringify(changed((r) => {
      r.location = "West Europe";
      r.hub.jumpbox.sshPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDX9jHlAX7075C1lCUqiS9AQM/5wf3lMRk4s0MJXRlew x";
      r.spokes[0].cluster.serviceCidr = "10.0.4.0/24";
    })));
    const result = await cli("validate", file);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `${file}: location: "West Europe" is not an Azure region name; did you mean westeurope?`,
      `${file}: spokes.0.cluster.serviceCidr: 10.0.4.0/24 overlaps spokes.0.addressSpace.0 10.0.4.0/22; cluster-internal ranges must be outside every VNet and on-premises range`,
      `${file}: spokes.0.cluster.dnsServiceIp: 10.2.0.10 is not inside serviceCidr 10.0.4.0/24; pick an address inside it, e.g. 10.0.4.10`,
    ]);
  });

  it("prints its version", async () => {
    const result = await cli("--version");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "..", "package.json"), "utf8")).version);
  });

  it("reports a bug of its own as one line without the machine's stack trace, unless asked", async () => {
    let out = "";
    const code = reportInternalError(new Error("boom\nsecond line"), { write: (s: string) => (out += s) }, {});
    expect(code).toBe(2);
    expect(out).toBe("private-aks: internal error: boom (please report it; PRIVATE_AKS_DEBUG=1 prints the stack trace)\n");
    out = "";
    reportInternalError(new Error("boom"), { write: (s: string) => (out += s) }, { PRIVATE_AKS_DEBUG: "1" });
    expect(out).toContain("\n    at ");
  });

  it("answers an unknown command with usage and exit code 2", async () => {
    const result = await cli("bogus");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'bogus'");
  });
});
