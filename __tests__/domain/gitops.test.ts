/** What the product knows of Git sources Flux can use: URLs and branch names (lib/domain/gitops.ts). */
import { branchProblem, parseGitUrl } from "../../lib/domain/gitops";

describe("Git URLs and branches", () => {
  it.each([
    ["https://github.com/contoso/platform.git", { protocol: "https", host: "github.com", port: 443 }],
    ["https://git.contoso.com:8443/team/repo", { protocol: "https", host: "git.contoso.com", port: 8443 }],
    ["ssh://git@github.com/contoso/platform.git", { protocol: "ssh", host: "github.com", port: 22 }],
    ["ssh://git@ssh.dev.azure.com:22/v3/contoso/platform/platform", { protocol: "ssh", host: "ssh.dev.azure.com", port: 22 }],
  ])("%s: Flux connects to %j", (url, endpoint) => {
    expect(parseGitUrl(url)).toEqual(endpoint);
  });

  it.each([
    ["http://github.com/contoso/platform.git", /must use https:\/\/ or ssh:\/\//],
    ["https://user:ghp_token@github.com/contoso/platform.git", /must not hold a user or token/],
    ["https://ghp_token@github.com/contoso/platform.git", /must not hold a user or token/],
    ["ssh://git:secret@github.com/contoso/platform.git", /must not hold a password/],
    ["git@github.com:contoso/platform.git", /must be written as ssh:\/\/git@github\.com\/contoso\/platform\.git/],
    ["https://10.0.0.5/repo.git", /must name its host by name/],
    ["https://github.com", /must name a repository after the host/],
    ["ftp://github.com/x", /must be an https:\/\/ or ssh:\/\/ URL/],
  ])("refuses %s", (url, message) => {
    expect(parseGitUrl(url)).toEqual(expect.stringMatching(message));
  });

  it.each(["main", "release/2027.1", "feature/x-y_z"])("takes the branch %s", (b) => expect(branchProblem(b)).toBeUndefined());
  it.each(["", "-main", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b", "/main", "main/", "a//b", "main.", "a/.hidden", "main.lock", "@", "a@{1}"])("refuses the branch %j", (b) => expect(branchProblem(b)).toBeDefined());
});
