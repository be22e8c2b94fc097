/** Bad delivery input (lib/config/rules/delivery.ts and the schema's delivery fields): one line per problem, naming the field. */
import { changed, problems } from "../helpers";

describe("bad delivery input: one line per problem, naming the field", () => {
  /** The default environment's aks1 delivered by GitOps, with a change. */
  const gitops = (delivery: Record<string, unknown>, more: (raw: any) => void = () => {}) =>
    problems(
      changed((raw) => {
        raw.spokes[0].delivery = { mode: "gitops", repository: "https://github.com/contoso/platform.git", ...delivery };
        more(raw);
      }),
    );

  it("accepts a public https repository with the defaults", () => {
    expect(gitops({})).toEqual([]);
  });

  it.each([
    ["an http URL", { repository: "http://github.com/contoso/platform.git" }, /^env\.yaml: spokes\.0\.delivery\.repository: must use https:\/\/ or ssh:\/\//],
    ["credentials in the URL", { repository: "https://x:y@github.com/contoso/platform.git" }, /^env\.yaml: spokes\.0\.delivery\.repository: must not hold a user or token/],
    ["no repository", { repository: undefined }, /^env\.yaml: spokes\.0\.delivery\.repository: is required with spokes\.0\.delivery\.mode: gitops/],
    ["a branch git refuses", { branch: "main..x" }, /^env\.yaml: spokes\.0\.delivery\.branch: must not contain '\.\.'/],
    ["a path outside the repository", { path: "../elsewhere" }, /^env\.yaml: spokes\.0\.delivery\.path: must be a folder relative to the repository's root/],
    ["an absolute path", { path: "/gitops/x" }, /^env\.yaml: spokes\.0\.delivery\.path: must be a folder relative/],
    ["an interval that is no duration", { syncInterval: "often" }, /^env\.yaml: spokes\.0\.delivery\.syncInterval: must be a duration in whole seconds, minutes or hours/],
    ["a zero interval, in one line", { syncInterval: "0s" }, /^env\.yaml: spokes\.0\.delivery\.syncInterval: must be a duration in whole seconds/],
    ["an interval beyond azurerm's bound", { syncInterval: "9999999h" }, /^env\.yaml: spokes\.0\.delivery\.syncInterval: must be between 1s and 35791394s/],
    ["an unknown mode", { mode: "flux" }, /^env\.yaml: spokes\.0\.delivery\.mode: .*must be terraform or gitops/],
    ["https sign-in without a user", { auth: "https" }, /^env\.yaml: spokes\.0\.delivery\.httpsUser: is required with spokes\.0\.delivery\.auth: https/],
    ["ssh sign-in to an https URL", { auth: "ssh" }, /^env\.yaml: spokes\.0\.delivery\.auth: ssh signs in with a deploy key, which needs an ssh:\/\/ repository/],
    ["an ssh URL without sign-in", { repository: "ssh://git@github.com/contoso/platform.git", knownHosts: "github.com ssh-ed25519 AAAA" }, /^env\.yaml: spokes\.0\.delivery\.auth: must be ssh for an ssh:\/\/ repository/],
    ["an ssh URL without the host's keys", { repository: "ssh://git@github.com/contoso/platform.git", auth: "ssh" }, /^env\.yaml: spokes\.0\.delivery\.knownHosts: is required for an ssh:\/\/ repository: .*ssh-keyscan github\.com/],
    ["host keys that are no known_hosts line", { repository: "ssh://git@github.com/contoso/platform.git", auth: "ssh", knownHosts: "github.com not-a-key" }, /^env\.yaml: spokes\.0\.delivery\.knownHosts: must be known_hosts lines/],
    ["a full ref for a branch", { branch: "refs/heads/main" }, /^env\.yaml: spokes\.0\.delivery\.branch: must be the branch's short name \(main\)/],
    ["host keys of another host", { repository: "ssh://git@github.com/contoso/platform.git", auth: "ssh", knownHosts: "gitlab.com ssh-ed25519 AAAA" }, /^env\.yaml: spokes\.0\.delivery\.knownHosts: has no line for github\.com/],
  ])("refuses %s", (_what, delivery, line) => {
    expect(gitops(delivery)).toEqual([expect.stringMatching(line)]);
  });

  it("refuses two spokes sharing one folder of one repository (each cluster would apply the other's apps)", () => {
    const lines = problems(
      changed((raw) => {
        const second = { ...structuredClone(raw.spokes[0]), name: "aks2", addressSpace: ["10.0.8.0/22"], subnets: { ingress: "10.0.8.0/24", nodes: "10.0.9.0/24" } };
        second.apps = [{ ...second.apps[0], ip: "10.0.8.25", dns: undefined }];
        raw.spokes = [raw.spokes[0], second];
        for (const s of raw.spokes) s.delivery = { mode: "gitops", repository: "https://github.com/contoso/platform.git", path: "gitops/shared" };
      }),
    );
    expect(lines).toEqual([expect.stringMatching(/^env\.yaml: spokes\.1\.delivery\.path: is also spokes\.0's GitOps folder in the same repository/)]);
  });

  it("refuses gitops on a spoke without apps", () => {
    expect(gitops({}, (raw) => (raw.spokes[0].apps = []))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.delivery\.mode: gitops delivers the spoke's apps, and spoke aks1 has none/)]);
  });

  it("refuses GitOps fields on a spoke delivered by Terraform, each named", () => {
    const lines = problems(changed((raw) => (raw.spokes[0].delivery = { repository: "https://github.com/contoso/platform.git", auth: "https", httpsUser: "git" })));
    expect(lines.sort()).toEqual([
      expect.stringMatching(/spokes\.0\.delivery\.auth: applies only with spokes\.0\.delivery\.mode: gitops/),
      expect.stringMatching(/spokes\.0\.delivery\.httpsUser: applies only with spokes\.0\.delivery\.mode: gitops/),
      expect.stringMatching(/spokes\.0\.delivery\.repository: applies only with spokes\.0\.delivery\.mode: gitops/),
    ]);
  });

  it("refuses an app with Key Vault secrets on a GitOps spoke: its identity's client id exists only after apply", () => {
    const lines = gitops({}, (raw) => {
      raw.hub.keyVault = { name: "kv-demo-gitops-01" };
      raw.hub.subnets.privateEndpoints = "10.0.3.0/27";
      raw.spokes[0].apps[0].secrets = ["db-password"];
    });
    expect(lines).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.apps\.0\.secrets: cannot be delivered by gitops/)]);
  });

  it("refuses SSH where the firewall's DNS proxy is off (an FQDN network rule needs it)", () => {
    const lines = gitops({ repository: "ssh://git@github.com/contoso/platform.git", auth: "ssh", knownHosts: "github.com ssh-ed25519 AAAA" }, (raw) => (raw.hub.firewall = { ...raw.hub.firewall, dnsProxy: false }));
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^env\.yaml: spokes\.0\.delivery\.repository: is reached over SSH, which the firewall allows only by an FQDN network rule/)]));
  });

  it("refuses gitops where AKS offers no cluster extensions", () => {
    expect(gitops({}, (raw) => (raw.location = "qatarcentral"))).toEqual(expect.arrayContaining([expect.stringMatching(/^env\.yaml: spokes\.0\.delivery\.mode: gitops needs AKS cluster extensions, which qatarcentral does not offer/)]));
  });

  it("reports every problem of a delivery in one run", () => {
    const lines = gitops({ repository: "http://x/y", branch: "-b", path: "/p", syncInterval: "1d" });
    expect(lines.map((l) => l.split(":")[1].trim()).sort()).toEqual(["spokes.0.delivery.branch", "spokes.0.delivery.path", "spokes.0.delivery.repository", "spokes.0.delivery.syncInterval"]);
  });
});
