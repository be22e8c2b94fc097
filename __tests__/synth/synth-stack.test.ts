/**
 * SynthStack resolves each element's tokens once where cdktf resolves them three times. The
 * output must not change: every file of the shipped environments is compared with what
 * cdktf's own prepareStack/toTerraform write.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { Annotations, App, Aspects, DefaultTokenResolver, Fn, TerraformLocal, type ISynthesisSession, Lazy, LocalBackend, StringConcat, TerraformIterator, TerraformOutput, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import { addCustomSynthesis, StackSynthesizer } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { FirewallPolicyRuleCollectionGroup } from "@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { synthesize } from "../../lib/app";
import { BackgroundFiles, finishOutputFiles } from "../../lib/synth/output-files";
import { fastSynthesis, holdsNumberPattern, resolveTokens, SynthStack, WRITTEN_FOR } from "../../lib/synth/synth-stack";
import { ENVIRONMENTS_DIR } from "../helpers";
import { SHIPPED_SETS, shippedOutput } from "../shipped";

/** Every file under `dir`, by relative path, as text; an empty folder as its path and a slash. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true });
    if (entries.length === 0 && d !== dir) out.set(path.relative(dir, d) + "/", "");
    for (const entry of entries) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs `fn` with SynthStack as it is, or (`stock`) with cdktf's own stack methods and
 * synthesizer in its place and no folders made in the background.
 */
function withSynthesis<T>(stock: boolean, fn: (stockToTerraform?: jest.SpyInstance) => T): T {
  const spies = stock
    ? [
        ...(["toTerraform", "prepareStack", "ensureBackendExists"] as const).map((m) =>
          jest.spyOn(SynthStack.prototype, m).mockImplementation(function (this: TerraformStack) {
            return (TerraformStack.prototype[m] as () => unknown).call(this);
          } as never),
        ),
        // cdktf's own synthesizer, which writes what the stock toTerraform gives.
        jest.spyOn(SynthStack.prototype as unknown as { synthesizeStack(session: ISynthesisSession): void }, "synthesizeStack").mockImplementation(function (this: TerraformStack, session: ISynthesisSession) {
          new StackSynthesizer(this, process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined, ["true", "1"].includes(process.env.SYNTH_HCL_OUTPUT ?? "")).synthesize(session);
        }),
        jest.spyOn(BackgroundFiles.prototype, "add").mockImplementation(() => undefined),
      ]
    : [];
  try {
    return fn(spies[0]);
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

function synthTo(file: string, stock: boolean, outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-stack-"))): Map<string, string> {
  return withSynthesis(stock, (stockToTerraform) => {
    const stderr = { text: "", write: (t: string) => (stderr.text += t) };
    const code = synthesize({ outdir, file, stderr, stdout: { write: () => true } });
    // Warnings (the sample key, clusters without user pools) are not what this compares.
    expect(stderr.text.split("\n").filter((l) => l !== "" && !l.includes(": warning: "))).toEqual([]);
    expect(code).toBe(0);
    if (stockToTerraform) expect(stockToTerraform).toHaveBeenCalled();
    return files(outdir);
  });
}

/** Builds an app with `build` and synthesizes it, as it is or the stock way: every file written, and what synth threw. */
function synthApp(build: (app: App) => void, stock: boolean): { files: Map<string, string>; error?: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-stack-"));
  return withSynthesis(stock, () => {
    const app = new App({ outdir, stackTraces: false });
    build(app);
    let error: string | undefined;
    try {
      app.synth();
    } catch (e) {
      error = (e as Error).message;
    }
    finishOutputFiles(app);
    return { files: files(outdir), error };
  });
}

/** Both ways write the same files and throw the same error, if any. */
function expectSameSynthesis(build: (app: App) => void): { files: Map<string, string>; error?: string } {
  const ours = synthApp(build, false);
  const stock = synthApp(build, true);
  expect(ours.error).toBe(stock.error);
  expect([...ours.files.keys()].sort()).toEqual([...stock.files.keys()].sort());
  for (const [name, text] of stock.files) expect({ name, text: ours.files.get(name) }).toEqual({ name, text });
  return ours;
}

/** An environment file with `count` spokes (and so `count` + 1 stacks), written to a scratch folder. */
function manySpokes(count: number): string {
  const spokes = Array.from({ length: count }, (_, i) => ({ name: `s${i}`, addressSpace: [`10.16.${i * 4}.0/22`], subnets: { nodes: `10.16.${i * 4 + 1}.0/24` } }));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "synth-stack-")), "many.json");
  fs.writeFileSync(file, JSON.stringify({ name: "many", location: "westeurope", hub: { addressSpace: ["10.0.0.0/22"], subnets: { firewall: "10.0.0.0/26" } }, spokes }));
  return file;
}

describe("SynthStack writes what cdktf's own synthesis writes", () => {
  const same = (ours: Map<string, string>, stock: Map<string, string>) => {
    expect([...ours.keys()].sort()).toEqual([...stock.keys()].sort());
    // At least the manifest, a hub and a spoke: an empty output would match an empty output.
    expect(ours.size).toBeGreaterThanOrEqual(3);
    for (const [name, text] of stock) expect({ name, text: ours.get(name) }).toEqual({ name, text });
  };

  // Every shipped file, and the two regions with global peering (cross-stack references both
  // ways). Ours is the run's shared output; stock writes beside it, at the same depth, because
  // a local backend's state path is relative to the output folder.
  it.each(SHIPPED_SETS.map((names) => [names.join(" + "), names] as const))("%s: every file, byte for byte", (_name, names) => {
    const ours = shippedOutput(names);
    expect(ours.code).toBe(0);
    const stockDir = path.join(fs.mkdtempSync(`${path.dirname(ours.outdir)}-stock-`), "cdktf.out");
    same(files(ours.outdir), synthTo(names.map((n) => path.join(ENVIRONMENTS_DIR, `${n}.yaml`)).join(","), true, stockDir));
  });

  it("31 spokes (32 stacks, whose folders are made in the background): every file, byte for byte", () => {
    const file = manySpokes(31);
    same(synthTo(file, false), synthTo(file, true));
  });
});

describe("SynthStack writes what cdktf writes for any element, not only those this product builds", () => {
  const group = (stack: TerraformStack, id: string, extra: Partial<ConstructorParameters<typeof ResourceGroup>[2]> = {}) =>
    new ResourceGroup(stack, id, { name: `rg-${id}`, location: "westeurope", ...extra });
  /** A stack with its azurerm provider. */
  const azure = (app: App, id: string) => {
    const stack = new SynthStack(app, id);
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    return stack;
  };

  it("meta-arguments, aliased providers, cross-stack references, escape hatches, dynamic blocks, provisioners, imports, token keys, aspects", () => {
    const { files } = expectSameSynthesis((app) => {
      const hub = new SynthStack(app, "hub");
      new AzurermProvider(hub, "azurerm", { features: [{}] });
      const hubGroup = group(hub, "hub");
      const spoke = new SynthStack(app, "spoke");
      new AzurermProvider(spoke, "azurerm", { features: [{}] });
      const other = new AzurermProvider(spoke, "other", { features: [{}], alias: "other", subscriptionId: "00000000-0000-0000-0000-000000000000" });
      const plain = group(spoke, "plain", { tags: { hub: hubGroup.name, exponent: "1e5" } });
      group(spoke, "counted", { count: 2 });
      const names = TerraformIterator.fromList(["a", "b"]);
      group(spoke, "for-each", { forEach: names, name: names.value });
      group(spoke, "lifecycle", { lifecycle: { ignoreChanges: ["tags"], preventDestroy: true }, dependsOn: [plain] });
      group(spoke, "aliased", { provider: other });
      new DataAzurermClientConfig(spoke, "client", { dependsOn: [plain], provider: other });
      group(spoke, "escape").addOverride("lifecycle.prevent_destroy", true);
      group(spoke, "provisioned", { provisioners: [{ type: "local-exec", command: "echo hi" }] });
      group(spoke, "imported").importFrom("/subscriptions/x/resourceGroups/rg-imported");
      group(spoke, "token-key", { tags: { [`k-${plain.name}`]: "v" } });
      const rules = TerraformIterator.fromMap({ a: { priority: 100 } });
      new FirewallPolicyRuleCollectionGroup(spoke, "dynamic", {
        name: "rcg",
        firewallPolicyId: "/subscriptions/x/policy",
        priority: 100,
        networkRuleCollection: rules.dynamic({ name: rules.key, priority: rules.getNumber("priority"), action: "Allow", rule: [] }),
      });
      new TerraformOutput(spoke, "plain-id", { value: plain.id });
      // A stack with overrides of its own, and one with an aspect.
      const overridden = azure(app, "overridden");
      new LocalBackend(overridden, { path: "overridden.tfstate" });
      group(overridden, "one", { tags: { hub: hubGroup.name } });
      overridden.addOverride("terraform.required_version", ">= 1.5");
      overridden.addOverride("resource.azurerm_resource_group.one.tags.extra", "x");
      const aspected = azure(app, "aspected");
      group(aspected, "one");
      Aspects.of(aspected).add({ visit: (node) => (node instanceof ResourceGroup ? (node.tags = { touched: "yes" }) : undefined) });
    });
    // Each kind took its path: the file holds it.
    const spoke = JSON.parse(files.get(path.join("stacks", "spoke", "cdk.tf.json"))!);
    expect(spoke.resource.azurerm_firewall_policy_rule_collection_group.dynamic.dynamic.network_rule_collection.for_each).toBeDefined();
    expect(spoke.resource.azurerm_resource_group.lifecycle.depends_on).toEqual(["azurerm_resource_group.plain"]);
    expect(spoke.provider.azurerm).toHaveLength(2);
    expect(JSON.parse(files.get(path.join("stacks", "overridden", "cdk.tf.json"))!).resource.azurerm_resource_group.one.tags.extra).toBe("x");
  });

  it("values cdktf's own steps change: dates in objects and in lists, token keys of undefined values, meta-arguments a subclass adds", () => {
    class WithTimeouts extends ResourceGroup {
      public override get terraformMetaArguments(): { [key: string]: unknown } {
        return { ...super.terraformMetaArguments, timeouts: { create: "5m" } };
      }
    }
    const { files } = expectSameSynthesis((app) => {
      const hub = azure(app, "hub");
      const hubGroup = group(hub, "hub");
      const spoke = azure(app, "spoke");
      group(spoke, "dated", { tags: { when: new Date(0) as unknown as string } });
      new TerraformLocal(spoke, "when", { at: new Date(0), list: [new Date(0)], nested: { at: new Date(0) } });
      // Dates that tokens resolve to: as a string, a number, in a list, in an output.
      const lazy = (value: unknown) => Lazy.anyValue({ produce: () => value });
      group(spoke, "lazy-date", { tags: { when: Token.asString(lazy(new Date(0))) } });
      new TerraformLocal(spoke, "lazy", { s: Token.asString(lazy({ at: new Date(0) })), n: Token.asNumber(lazy(new Date(0))) });
      new TerraformOutput(spoke, "lazy-list", { value: { x: Token.asList(lazy({ at: new Date(0) })) } });
      // A token key of an undefined value in a lifecycle: cdktf's merge drops it before resolving, so no reference.
      group(spoke, "lifecycle-key", { lifecycle: { tags: { [hubGroup.id]: undefined } } as never });
      // The key is a cross-stack reference: cdktf registers it (an output in the hub) though the value is dropped.
      group(spoke, "undefined-value", { tags: { [hubGroup.name]: undefined as unknown as string } });
      new WithTimeouts(spoke, "timeouts", { name: "rg-timeouts", location: "westeurope" });
    });
    const spoke = JSON.parse(files.get(path.join("stacks", "spoke", "cdk.tf.json"))!);
    expect(spoke.resource.azurerm_resource_group.timeouts.timeouts).toEqual({ create: "5m" });
    expect(spoke.locals.when).toEqual({ at: {}, list: ["1970-01-01T00:00:00.000Z"], nested: { at: {} } });
    expect(Object.keys(JSON.parse(files.get(path.join("stacks", "hub", "cdk.tf.json"))!).output ?? {})).toHaveLength(1);
  });

  it("resolves the paths of outputs in the file's metadata, as cdktf's last pass does", () => {
    // A token in the id of a construct above an output. (Its logical id holds the token's
    // number, which differs from one synth to the next in a process, so this is not compared.)
    const { files } = synthApp((app) => {
      const stack = azure(app, "s");
      new TerraformOutput(new Construct(stack, `grp-${group(stack, "one").location}`), "out", { value: "x" });
    }, false);
    const outputs = JSON.parse(files.get(path.join("stacks", "s", "cdk.tf.json"))!)["//"].outputs;
    expect(Object.keys(outputs.s)).toEqual(["grp-${azurerm_resource_group.one.location}"]);
  });

  it("fails where cdktf fails, having written what cdktf writes, with cdktf's message", () => {
    // Among many stacks (folders made in the background), one stops at an error annotation
    // after cdktf made its folder: the empty folder stays, as with cdktf, the others' files go.
    const { error: annotated, files: left } = expectSameSynthesis((app) => {
      for (let i = 0; i < 40; i++) {
        const stack = azure(app, `s${i}`);
        const one = group(stack, "one");
        if (i === 5) Annotations.of(one).addError("broken");
      }
    });
    expect(annotated).toContain("broken");
    expect(left.has(path.join("stacks", "s5") + "/")).toBe(true);
    const { error } = expectSameSynthesis((app) => {
      group(azure(app, "a"), "fine");
      group(azure(app, "b"), "big", { tags: { size: BigInt(1) as unknown as string } });
    });
    expect(error).toMatch(/BigInt/);
    const { error: fn } = expectSameSynthesis((app) => {
      group(azure(app, "a"), "fn", { tags: { f: (() => "x") as unknown as string } });
    });
    expect(fn).toContain("/resource/azurerm_resource_group/fn/tags/f");
  });

  it("runs annotations, custom synthesis and validations as cdktf does", () => {
    const { files } = expectSameSynthesis((app) => {
      const stack = azure(app, "s");
      const one = group(stack, "one");
      Annotations.of(one).addWarning("careful");
      Annotations.of(stack).addInfo("for your information");
      addCustomSynthesis(one, { onSynthesize: (session) => fs.writeFileSync(path.join(session.outdir, "custom.txt"), "written by custom synthesis") });
    });
    expect(files.get("custom.txt")).toBe("written by custom synthesis");
    expect(files.get("manifest.json")).toContain("careful");
    const { error: invalid } = expectSameSynthesis((app) => {
      const stack = azure(app, "s");
      group(stack, "one");
      stack.node.addValidation({ validate: () => ["not valid"] });
    });
    expect(invalid).toContain("not valid");
  });

  it("stops at an error annotation with cdktf's message, and goes on with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", () => {
    const build = (app: App) => Annotations.of(group(azure(app, "s"), "one")).addError("broken");
    expect(expectSameSynthesis(build).error).toMatch(/Encountered Annotations with level "ERROR":\n\[s\/one\] broken/);
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "1";
    try {
      expect(expectSameSynthesis(build).files.get("manifest.json")).toContain("broken");
    } finally {
      delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    }
  });

  it("leaves HCL output (SYNTH_HCL_OUTPUT) to cdktf", () => {
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const { files } = expectSameSynthesis((app) => {
        const hub = azure(app, "hub");
        group(azure(app, "spoke"), "one", { tags: { hub: group(hub, "hub").name } });
      });
      expect(files.get(path.join("stacks", "spoke", "cdk.tf"))).toContain('resource "azurerm_resource_group" "one"');
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
  });

  it("writes the same with many stacks, whose folders are made in the background", () => {
    const { files } = expectSameSynthesis((app) => {
      const hub = azure(app, "hub");
      const shared = group(hub, "shared");
      for (let i = 0; i < 40; i++) group(azure(app, `spoke-${i}`), "own", { tags: { shared: shared.name } });
    });
    expect([...files.keys()].filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(41);
  });
});

describe("what preparing keeps", () => {
  it("is never used stale: a stack prepared again, or synthesized after a change, shows the change", () => {
    const stack = new SynthStack(Testing.app(), "s");
    const group = new ResourceGroup(stack, "rg", { name: "before", location: "westeurope" });
    stack.prepareStack();
    group.name = "after";
    stack.prepareStack();
    expect(JSON.parse(Testing.synth(stack)).resource.azurerm_resource_group.rg.name).toBe("after");
    // Prepared but never synthesized (a failed synth), then changed and synthesized through HCL: fresh too.
    stack.prepareStack();
    group.name = "again";
    expect(stack.toHclTerraform().hcl).toContain('"again"');
    expect(JSON.parse(Testing.synth(stack)).resource.azurerm_resource_group.rg.name).toBe("again");
  });
});

describe("resolveTokens", () => {
  it("gives cdktf's result for plain data, tokens, references, functions and undefined values", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const account = new StorageAccount(stack, "sa", { name: "sa", resourceGroupName: "rg", location: "l", accountTier: "Standard", accountReplicationType: "LRS" });
    const value = {
      plain: { a: "x", b: 1, c: true, d: null, e: undefined, list: ["a", undefined, "b"], empty: {} },
      ref: account.id,
      inString: `id=${account.id}`,
      number: Token.asNumber(account.accessTier),
      numbers: [1, 2, Token.asNumber(account.primaryAccessKey)],
      list: Token.asList(account.primaryBlobEndpoint),
      fn: Fn.lower(account.name),
      lazy: Lazy.anyValue({ produce: () => ({ x: [1, "y"] }) }),
      exponent: "1e5 and -2e+3",
      [`key-${account.name}`]: "token key",
    };
    // What TerraformStack itself calls.
    const cdktf = (v: unknown) => Tokenization.resolve(v, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
    const expected = cdktf(value);
    expect(expected.ref).toMatch(/^\$\{azurerm_storage_account\.sa\.id\}$/);
    expect(resolveTokens(stack, value)).toEqual(expected);
    expect(JSON.stringify(resolveTokens(stack, value))).toBe(JSON.stringify(expected));
    expect(resolveTokens(stack, value, true)).toEqual(expected);
  });

  it("keeps plain objects it does not change, and copies those it drops a value from", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const kept = { a: { b: ["c"] } };
    expect(resolveTokens(stack, kept)).toBe(kept);
    const dropped = { a: 1, b: undefined };
    const out = resolveTokens(stack, dropped);
    expect(out).toEqual({ a: 1 });
    expect(out).not.toBe(dropped);
    expect(dropped).toHaveProperty("b");
  });

  it("finds cdktf's number-token pattern in exactly the strings its regular expression matches", () => {
    const cdktfPattern = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
    const alphabet = fc.constantFrom(..."ae1.-+|E x9e_/".split(""));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 12 }).map((a) => a.join("")), (s) => holdsNumberPattern(s) === cdktfPattern.test(s)), { numRuns: 5000 });
    expect(holdsNumberPattern("-1.8881545897087626e+289")).toBe(true);
    expect(holdsNumberPattern("Standard_D4ds_v5")).toBe(false);
  });
});

describe("the switch to cdktf's own synthesis", () => {
  it("runs the fast synthesis only on the versions it was written for, and says why not otherwise", () => {
    expect(fastSynthesis({}, { ...WRITTEN_FOR })).toEqual({ on: true });
    expect(fastSynthesis({}, { ...WRITTEN_FOR, cdktf: "0.22.0" })).toEqual({ on: false, why: `cdktf 0.22.0 is installed; the fast synthesizer was written for ${WRITTEN_FOR.cdktf}` });
    expect(fastSynthesis({}, { ...WRITTEN_FOR, constructs: "10.5.0" }).on).toBe(false);
    expect(fastSynthesis({ PRIVATE_AKS_STOCK_SYNTH: "1" }, { ...WRITTEN_FOR })).toEqual({ on: false, why: "PRIVATE_AKS_STOCK_SYNTH is set" });
    // What package.json pins is what it was written for.
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    expect({ cdktf: pkg.dependencies.cdktf, constructs: pkg.dependencies.constructs }).toEqual(WRITTEN_FOR);
  });

  it("writes the same files with PRIVATE_AKS_STOCK_SYNTH=1 as without", () => {
    const file = path.join(ENVIRONMENTS_DIR, "default.yaml");
    const ours = synthTo(file, false);
    process.env.PRIVATE_AKS_STOCK_SYNTH = "1";
    const fastPath = jest.spyOn(SynthStack.prototype, "renderJson");
    let stock: Map<string, string>;
    try {
      stock = synthTo(file, false);
      // cdktf's own synthesizer wrote the files: the fast one's rendering never ran.
      expect(fastPath).not.toHaveBeenCalled();
    } finally {
      delete process.env.PRIVATE_AKS_STOCK_SYNTH;
      fastPath.mockRestore();
    }
    expect([...stock.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [name, text] of ours) expect({ name, text: stock.get(name) }).toEqual({ name, text });
  });
});
