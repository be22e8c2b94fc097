/** Bad runtime policy input (lib/config/rules/policy.ts and the schema's policy fields): one line per problem, naming the field. */
import { changed, problems } from "../helpers";

describe("bad runtime policy input: one line per problem, naming the field", () => {
  it("refuses every problem of a field's shape in one run", () => {
    const lines = problems(
      changed((raw) => {
        raw.policy = { effect: "block", exemptions: [{ guardrail: "NET-001", reason: "because" }, { guardrail: "NET-001", reason: "a reason long enough to pass the check", expiresOn: "2027-02-30" }] };
      }),
    );
    expect(lines).toEqual([
      expect.stringMatching(/^env\.yaml: policy\.effect: .*must be deny, audit or off/),
      expect.stringMatching(/^env\.yaml: policy\.exemptions\.0\.reason: .*at least 20 characters/),
      expect.stringMatching(/^env\.yaml: policy\.exemptions\.1\.expiresOn: must be a real date/),
    ]);
  });

  it("refuses every problem between fields in one run", () => {
    const lines = problems(
      changed((raw) => {
        raw.policy = { exemptions: [{ guardrail: "PUB-009", reason: "a reason long enough to pass the check" }, { guardrail: "FW-001", reason: "a reason long enough to pass the check" }] };
        raw.spokes[0].policy = { effect: "off" };
      }),
    );
    // In the file's order (the spoke comes before the environment's policy in the JSON written).
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^env\.yaml: policy\.exemptions\.0\.guardrail: "PUB-009" is not a guardrail id/),
      expect.stringMatching(/^env\.yaml: policy\.exemptions\.1\.guardrail: FW-001 has no runtime policy/),
      expect.stringMatching(/^env\.yaml: spokes\.0\.policy\.reason: is required with spokes\.0\.policy\.effect: off/),
    ]));
  });

  it.each([
    ["an unknown guardrail", { exemptions: [{ guardrail: "PUB-009", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions\.0\.guardrail: "PUB-009" is not a guardrail id; runtime policies enforce PUB-001, /],
    ["a name every object has (no guardrail)", { exemptions: [{ guardrail: "toString", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions\.0\.guardrail: "toString" is not a guardrail id/],
    ["a guardrail Azure Policy cannot enforce", { exemptions: [{ guardrail: "FW-001", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions\.0\.guardrail: FW-001 has no runtime policy to exempt: Azure Policy compares values/],
    ["the same guardrail twice", { exemptions: [{ guardrail: "NET-001", reason: "a reason long enough to pass the check" }, { guardrail: "NET-001", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions\.1\.guardrail: NET-001 is exempted twice/],
    ["off without a reason", { effect: "off" }, /policy\.reason: is required with policy\.effect: off/],
    ["a short reason for off", { effect: "off", reason: "legacy" }, /policy\.reason: .*at least 20 characters/],
    ["exemptions with off", { effect: "off", reason: "a reason long enough to pass the check", exemptions: [{ guardrail: "NET-001", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions: have nothing to exempt: policy\.effect is off/],
    ["a reason without off", { effect: "audit", reason: "a reason long enough to pass the check" }, /policy\.reason: applies only with effect: off/],
    ["a guardrail of a hub service the hub lacks", { exemptions: [{ guardrail: "REG-001", reason: "a reason long enough to pass the check" }] }, /policy\.exemptions\.0\.guardrail: REG-001 is not enforced in this environment, so there is nothing to exempt \(its policies hold hub\.registry, which this environment does not have\)$/],
    ["an expiry that is not a date", { exemptions: [{ guardrail: "NET-001", reason: "a reason long enough to pass the check", expiresOn: "next year" }] }, /policy\.exemptions\.0\.expiresOn: must be a date such as 2027-03-31/],
  ])("refuses %s", (_what, policy, line) => {
    const lines = problems(changed((raw) => (raw.policy = policy)));
    expect(lines).toEqual([expect.stringMatching(line)]);
  });

  it("refuses more spokes in one subscription of their own than Azure's definition limits allow, naming the first one over", () => {
    const many = (n: number) =>
      changed((raw) => {
        const template = raw.spokes[0];
        raw.spokes = Array.from({ length: n }, (_, i) => ({ ...structuredClone(template), name: `s${i}`, subscriptionId: "22222222-2222-2222-2222-222222222222", addressSpace: [`10.${10 + i}.0.0/24`], subnets: { nodes: `10.${10 + i}.0.0/25`, ingress: `10.${10 + i}.0.128/26` }, apps: [], egress: { priority: 1000 + i } }));
      });
    const about = (lines: string[]) => lines.filter((l) => l.includes("subscriptionId"));
    expect(about(problems(many(66)))).toEqual([]);
    expect(about(problems(many(67)))).toEqual([expect.stringMatching(/^env\.yaml: spokes\.66\.subscriptionId: is the subscription of 67 spokes with runtime policy, each making its own 7 policy definitions and 3 initiatives there; Azure allows 500 and 200 per subscription, so at most 66 such spokes/)]);
  });

  it("refuses a spoke's exemption of a guardrail the environment already exempts (the two would be one exemption, the spoke's reason lost)", () => {
    const reason = "a reason long enough to pass the check";
    const lines = problems(
      changed((raw) => {
        raw.policy = { exemptions: [{ guardrail: "NET-001", reason }] };
        raw.spokes[0].policy = { exemptions: [{ guardrail: "NET-002", reason }, { guardrail: "NET-001", reason: "the spoke's own reason for the same thing" }] };
      }),
    );
    expect(lines).toEqual([expect.stringMatching(/^env\.yaml: spokes\.0\.policy\.exemptions\.1\.guardrail: NET-001 is already exempted for every spoke by policy\.exemptions\.0; keep one entry/)]);
  });

  // The pod security initiative's own host-network policy allows no host port: where it denies,
  // a K8S-003 exemption would let no such pod run (its reason would not come true).
  it.each([
    ["the environment's", (raw: any) => (raw.policy = { exemptions: [{ guardrail: "K8S-003", reason: "node-exporter binds host port 9100 for now" }] }), /^env\.yaml: policy\.exemptions\.0\.guardrail: K8S-003's exemption would let no host-network or host-port pod run in spoke aks1: its pod security initiative \(spokes\.0\.cluster\.podSecurity: baseline, deny\) refuses them too/],
    ["a spoke's", (raw: any) => (raw.spokes[0].policy = { exemptions: [{ guardrail: "K8S-003", reason: "node-exporter binds host port 9100 for now" }] }), /^env\.yaml: spokes\.0\.policy\.exemptions\.0\.guardrail: K8S-003's exemption would let no host-network or host-port pod run in spoke aks1/],
  ])("refuses %s K8S-003 exemption where the cluster's pod security denies host ports too", (_which, exempt, line) => {
    const denying = (raw: any) => (raw.spokes[0].cluster = { ...raw.spokes[0].cluster, podSecurity: { level: "baseline", effect: "deny" } });
    expect(problems(changed(exempt))).toEqual([]);
    expect(problems(changed((raw) => (denying(raw), exempt(raw))))).toEqual([expect.stringMatching(line)]);
  });

  it("refuses a spoke's exemption of a guardrail enforced in the hub only, saying where to exempt it", () => {
    const lines = problems(changed((raw) => (raw.spokes[0].policy = { exemptions: [{ guardrail: "VM-001", reason: "a reason long enough to pass the check" }] })));
    expect(lines).toEqual([expect.stringMatching(/spokes\.0\.policy\.exemptions\.0\.guardrail: VM-001 is not enforced in spoke aks1, .*exempt it in the environment's policy\.exemptions/)]);
  });
});
