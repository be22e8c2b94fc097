import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { AKS_VERSIONS } from "../../lib/domain/aks-versions";
import { cachedImage, fromUpstream, NETWORK_ISOLATION } from "../../lib/domain/network-isolation";
import { parseImage } from "../../lib/domain/image";
import { changed, cli, ENVIRONMENTS_DIR, problems } from "../helpers";

/** The default environment with a hub registry (and its subnet) and the spoke network-isolated. */
const isolated = (more: (r: any) => void = () => {}) =>
  changed((r) => {
    r.hub.subnets.privateEndpoints = "10.0.2.0/27";
    r.hub.registry = { name: "acrdemoplatform01" };
    r.spokes[0].cluster.networkIsolated = true;
    r.spokes[0].egress = { containerInsights: false };
    r.spokes[0].apps[0].image = "acrdemoplatform01.azurecr.io/aks-managed-repository/dotnet/samples:aspnetapp";
    more(r);
  });

describe("a network-isolated spoke in the environment file", () => {
  it("is accepted with the hub's registry", () => {
    expect(problems(isolated())).toEqual([]);
  });

  it("is refused without hub.registry: the cluster bootstraps from the registry's cache", () => {
    expect(problems(isolated((r) => delete r.hub.registry))).toEqual([
      // The cached image's registry is then no registry the spoke can reach either.
      expect.stringMatching(/^env\.yaml: spokes\.0\.apps\.0\.image: .* comes from acrdemoplatform01\.azurecr\.io, which the spoke's egress does not allow/),
      expect.stringMatching(/^env\.yaml: spokes\.0\.cluster\.networkIsolated: needs hub\.registry: the cluster pulls its bootstrap and system images from the registry's cache of mcr\.microsoft\.com \(the aks-managed-mcr cache rule\)/),
    ]);
  });

  it("is refused on an existing hub, which has no registry this product knows", () => {
    const raw = parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "brownfield.yaml"), "utf8"));
    raw.spokes[0].cluster.networkIsolated = true;
    raw.spokes[0].egress = { containerInsights: false };
    raw.spokes[0].apps = [];
    raw.spokes[0].cluster.userPools = [];
    const lines = problems(raw);
    expect(lines.filter((l) => l.includes("networkIsolated"))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.cluster\.networkIsolated: needs the hub's private registry, and an existing hub \(hub\.existing\) has none/)]);
  });

  it("refuses GitOps delivery: Microsoft does not support the Flux extension on network-isolated clusters yet", () => {
    const lines = problems(isolated((r) => (r.spokes[0].delivery = { mode: "gitops", repository: "https://github.com/contoso/platform.git" })));
    expect(lines).toContainEqual(expect.stringMatching(/^env\.yaml: spokes\.0\.delivery\.mode: gitops runs the Flux cluster extension, which Microsoft does not support yet on network-isolated clusters/));
  });

  it("refuses Container Insights without the Azure Monitor private link scope, naming both ways out", () => {
    expect(problems(isolated((r) => (r.spokes[0].egress = {})))).toEqual([
      "env.yaml: spokes.0.egress.containerInsights: on a network-isolated cluster, Container Insights reaches the workspace only through the Azure Monitor private link scope: set hub.monitoring.privateLink: true, or turn containerInsights off (the cluster then has no Container Insights)",
    ]);
    expect(problems(isolated((r) => { r.spokes[0].egress = {}; r.hub.monitoring = { privateLink: true }; }))).toEqual([]);
  });

  it("refuses Ubuntu package updates over egress: such a cluster is patched by node images", () => {
    expect(problems(isolated((r) => (r.spokes[0].egress.ubuntuUpdates = true)))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.egress\.ubuntuUpdates: a network-isolated cluster is patched by node image upgrades/)]);
  });

  it("refuses an app image from mcr.microsoft.com, naming the registry's cache of it", () => {
    expect(problems(isolated((r) => (r.spokes[0].apps[0].image = "mcr.microsoft.com/dotnet/samples:aspnetapp")))).toEqual([
      "env.yaml: spokes.0.apps.0.image: \"mcr.microsoft.com/dotnet/samples:aspnetapp\" comes from mcr.microsoft.com, which a network-isolated cluster does not reach unless its egress declares it; pull it through the hub registry's cache of it, \"acrdemoplatform01.azurecr.io/aks-managed-repository/dotnet/samples:aspnetapp\"",
    ]);
    // Written in capitals, or with HTTPS's port, it is the same registry and the same advice.
    for (const image of ["MCR.Microsoft.com/dotnet/samples:aspnetapp", "mcr.microsoft.com:443/dotnet/samples:aspnetapp"]) {
      expect(problems(isolated((r) => (r.spokes[0].apps[0].image = image)))).toEqual([expect.stringMatching(/pull it through the hub registry's cache of it, "acrdemoplatform01\.azurecr\.io\/aks-managed-repository\/dotnet\/samples:aspnetapp"$/)]);
    }
    // A spoke that declares mcr.microsoft.com itself may pull from it through the firewall.
    expect(problems(isolated((r) => { r.spokes[0].apps[0].image = "mcr.microsoft.com/dotnet/samples:aspnetapp"; r.spokes[0].egress.fqdns = ["mcr.microsoft.com", "*.data.mcr.microsoft.com"]; }))).toEqual([]);
  });

  it("reports every problem in one run", () => {
    const lines = problems(isolated((r) => {
      delete r.hub.registry;
      r.spokes[0].egress = { ubuntuUpdates: true };
      r.spokes[0].delivery = { mode: "gitops", repository: "https://github.com/contoso/platform.git" };
    }));
    for (const field of ["cluster.networkIsolated", "delivery.mode", "egress.containerInsights", "egress.ubuntuUpdates"]) expect(lines).toContainEqual(expect.stringContaining(`spokes.0.${field}: `));
  });

  it("needs Kubernetes 1.30 or later, which every minor the product accepts is", () => {
    const [major, minor] = NETWORK_ISOLATION.minimumKubernetes.split(".").map(Number);
    for (const v of AKS_VERSIONS.supported) {
      const [a, b] = v.split(".").map(Number);
      expect({ v, ok: a > major || (a === major && b >= minor) }).toEqual({ v, ok: true });
    }
  });

  it("maps an mcr.microsoft.com image to the registry's cached repository, and leaves others alone", () => {
    const parsed = (image: string) => {
      const p = parseImage(image);
      if (!p.ok) throw new Error(p.error);
      return p.value;
    };
    expect(cachedImage(parsed("mcr.microsoft.com/oss/nginx/nginx:1.27"), "acr.azurecr.io")).toBe("acr.azurecr.io/aks-managed-repository/oss/nginx/nginx:1.27");
    const digest = `sha256:${"a".repeat(64)}`;
    expect(cachedImage(parsed(`MCR.Microsoft.com:443/dotnet/runtime@${digest}`), "acr.azurecr.io")).toBe(`acr.azurecr.io/aks-managed-repository/dotnet/runtime@${digest}`);
    expect([parsed("MCR.Microsoft.com/a:1"), parsed("mcr.microsoft.com:443/a:1"), parsed("contoso.azurecr.io/app:1"), parsed("mcr.microsoft.com.evil.com/a:1")].map(fromUpstream)).toEqual([true, true, false, false]);
  });
});

describe("validate, for a network-isolated spoke", () => {
  it("names what is unavailable on it, after the public endpoints", async () => {
    const out = await cli("validate", path.join(ENVIRONMENTS_DIR, "full.yaml"));
    expect(out.code).toBe(0);
    const lines = out.stdout.split("\n");
    const at = lines.indexOf("network-isolated clusters (1):");
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("public endpoints")));
    expect(lines[at + 1]).toMatch(/^ {2}full: spokes\.2\.cluster\.networkIsolated: spoke aks3: unavailable there: Container Insights \(egress\.containerInsights is off\); the cluster extensions Microsoft does not support there yet \(Dapr, .*Flux \(GitOps\).*\); images from mcr\.microsoft\.com except through the hub registry's cache; any destination its egress does not declare/);
  });
});
