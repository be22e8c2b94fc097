import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../lib/config/loader";
import { changed, namedEnvironment, problems } from "../helpers";

describe("apps in the environment file", () => {
  const app = (change: (a: any) => void) => changed((r) => change(r.spokes[0].apps[0]));
  it.each([
    ["an address outside the ingress subnet", app((a) => (a.ip = "10.0.5.25")), "spokes.0.apps.0.ip: 10.0.5.25 is not inside spokes.0.subnets.ingress 10.0.4.0/24"],
    ["one of Azure's reserved addresses", app((a) => (a.ip = "10.0.4.3")), "spokes.0.apps.0.ip: 10.0.4.3 is reserved by Azure in 10.0.4.0/24 (the first four addresses and the last)"],
    ["the subnet's last address", app((a) => (a.ip = "10.0.4.255")), "spokes.0.apps.0.ip: 10.0.4.255 is reserved by Azure"],
    ["an address that is not IPv4", app((a) => (a.ip = "fd00::25")), 'spokes.0.apps.0.ip: "fd00::25" is not an IPv4 address'],
    ["a zone the hub does not host", app((a) => (a.dns.zone = "other.internal")), 'spokes.0.apps.0.dns.zone: "other.internal" is not one of hub.dns.zones (corp.internal)'],
    ["a name that is not a DNS label", app((a) => (a.name = "Hello_World")), "spokes.0.apps.0.name: must be 1-40 lowercase letters"],
    ["a record that is not a DNS label", app((a) => (a.dns.record = "hello.world")), "spokes.0.apps.0.dns.record: must be a DNS label"],
    ["a reserved namespace", app((a) => (a.name = "kube-system")), 'spokes.0.apps.0.name: "kube-system" is a namespace Kubernetes or AKS uses'],
    ["an image from a registry the egress does not allow", app((a) => (a.image = "ghcr.io/contoso/web:1.2.3")), 'spokes.0.apps.0.image: "ghcr.io/contoso/web:1.2.3" comes from ghcr.io, which the spoke\'s egress does not allow (nodes could not pull it); add ghcr.io (and its storage host) to spokes.0.egress.fqdns'],
    ["a Docker Hub image without dockerHub egress", app((a) => (a.image = "nginx:1.27")), 'spokes.0.apps.0.image: "nginx:1.27" comes from Docker Hub, which the spoke\'s egress does not allow; set spokes.0.egress.dockerHub: true'],
    ["an image tagged latest", app((a) => (a.image = "mcr.microsoft.com/dotnet/samples:latest")), 'spokes.0.apps.0.image: "mcr.microsoft.com/dotnet/samples:latest" has the tag latest'],
    ["an image without a tag", app((a) => (a.image = "mcr.microsoft.com/dotnet/samples")), 'spokes.0.apps.0.image: "mcr.microsoft.com/dotnet/samples" has no tag'],
    ["a port of 0", app((a) => (a.port = 0)), "spokes.0.apps.0.port: must be a port from 1 to 65535"],
    ["a container port above 65535", app((a) => (a.containerPort = 70000)), "spokes.0.apps.0.containerPort: must be a port from 1 to 65535"],
    ["no replicas", app((a) => (a.replicas = 0)), "spokes.0.apps.0.replicas: must be 1 or more"],
    ["a request above its limit", app((a) => (a.resources = { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } })), "spokes.0.apps.0.resources.requests.memory: 1Gi is more than the limit 512Mi"],
    ["a spoke without an ingress subnet", changed((r) => delete r.spokes[0].subnets.ingress), "spokes.0.apps: needs spokes.0.subnets.ingress"],
    ["a spoke without a user pool", changed((r) => (r.spokes[0].cluster.userPools = [])), "spokes.0.apps: needs a user node pool"],
  ])("refuses %s, naming the field", (_what, raw, line) => {
    expect(problems(raw)).toContainEqual(expect.stringContaining(`env.yaml: ${line}`));
  });

  it("refuses the same address twice and the same name twice in a zone", () => {
    const lines = problems(changed((r) => r.spokes[0].apps.push({ ...r.spokes[0].apps[0], name: "again" })));
    // With several apps in the spoke, each line names the app too.
    expect(lines).toEqual(["env.yaml: spokes.0.apps.1.ip: 10.0.4.25 is already the address of apps.0 (app again)", "env.yaml: spokes.0.apps.1.dns.record: hello.corp.internal is already published by spokes.0.apps.0 (app again)"]);
  });

  it("accepts an image pinned by digest, and one from a registry the spoke's egress allows", () => {
    expect(problems(changed((r) => (r.spokes[0].apps[0].image = `mcr.microsoft.com/dotnet/samples@sha256:${"a".repeat(64)}`)))).toEqual([]);
    expect(problems(changed((r) => {
      r.spokes[0].apps[0].image = "ghcr.io/contoso/web:1.2.3";
      r.spokes[0].egress = { fqdns: ["ghcr.io", "pkg-containers.githubusercontent.com"] };
    }))).toEqual([]);
  });

  it("ships a demo app in the default environment: hello.corp.internal from mcr.microsoft.com", () => {
    expect(namedEnvironment("default").spokes[0].apps.map((a) => [a.name, a.image, a.ip, a.dns])).toEqual([["hello", "mcr.microsoft.com/dotnet/samples:aspnetapp", "10.0.4.25", { zone: "corp.internal", record: "hello" }]]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, "environments", "default.yaml"))).toBe(true);
  });
});

describe("apps that read Key Vault secrets, in the environment file", () => {
  it("is refused without the hub's key vault, and with a secret named twice or not as Key Vault names them", () => {
    expect(problems(changed((r) => (r.spokes[0].apps[0].secrets = ["db-password"])))).toEqual(["env.yaml: spokes.0.apps.0.secrets: needs hub.keyVault: secrets are read from the hub's private key vault"]);
    expect(problems(changed((r) => (r.spokes[0].apps[0].secrets = ["db_password"])))).toEqual([expect.stringContaining("env.yaml: spokes.0.apps.0.secrets.0: must be a Key Vault secret name")]);
    const withVault = (secrets: string[]) =>
      changed((r) => {
        r.hub.subnets.privateEndpoints = "10.0.2.0/28";
        r.hub.keyVault = { name: "kv-demo-01" };
        r.spokes[0].apps[0].secrets = secrets;
      });
    expect(problems(withVault(["db-password"]))).toEqual([]);
    expect(problems(withVault(["db-password", "DB-Password"]))).toEqual(['env.yaml: spokes.0.apps.0.secrets.1: "DB-Password" is already secrets.0 (Key Vault secret names are case-insensitive)']);
  });
});

describe("apps and the hub's private registry, in the environment file", () => {
  it("accepts an app image from it without any public egress, and refuses others when it is required", () => {
    const withRegistry = (change: (r: any) => void) =>
      changed((r) => {
        r.hub.subnets.privateEndpoints = "10.0.2.64/27";
        r.hub.registry = { name: "acrdemo01" };
        change(r);
      });
    expect(problems(withRegistry((r) => (r.spokes[0].apps[0].image = "acrdemo01.azurecr.io/hello:1.0.0")))).toEqual([]);
    expect(problems(withRegistry((r) => (r.hub.registry.requirePrivateRegistry = true)))).toEqual([
      'env.yaml: spokes.0.apps.0.image: "mcr.microsoft.com/dotnet/samples:aspnetapp" comes from mcr.microsoft.com, but hub.registry.requirePrivateRegistry asks every image to come from acrdemo01.azurecr.io',
    ]);
  });
});
