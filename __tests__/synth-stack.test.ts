/**
 * SynthStack resolves each element's tokens once where cdktf resolves them three times. The
 * output must not change: every file of the shipped environments is compared with what
 * cdktf's own prepareStack/toTerraform write.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { synthesize } from "../lib/app";
import { holdsNumberPattern, resolveTokens, SynthStack } from "../lib/stacks/synth-stack";
import { ENVIRONMENTS_DIR } from "./helpers";

/** Every file under `dir`, by relative path, as text. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

function synthTo(file: string, stock: boolean): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-stack-"));
  const spies = stock
    ? (["prepareStack", "toTerraform", "ensureBackendExists"] as const).map((m) =>
        jest.spyOn(SynthStack.prototype, m).mockImplementation(function (this: TerraformStack) {
          return (TerraformStack.prototype[m] as () => unknown).call(this);
        } as never),
      )
    : [];
  try {
    const stderr = { text: "", write: (t: string) => (stderr.text += t) };
    const code = synthesize({ outdir, file, stderr, stdout: { write: () => true } });
    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    if (stock) expect(spies[1]).toHaveBeenCalled();
    return files(outdir);
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

describe("SynthStack writes what cdktf's own synthesis writes", () => {
  const envs = (...names: string[]) => names.map((n) => path.join(ENVIRONMENTS_DIR, `${n}.yaml`)).join(",");
  it.each([
    ["full (every option on)", envs("full")],
    ["two regions with global peering (cross-stack references both ways)", envs("multi-spoke", "multi-spoke-northeurope")],
    ["brownfield (an existing hub)", envs("brownfield")],
  ])("%s: every file, byte for byte", (_name, file) => {
    const ours = synthTo(file, false);
    const stock = synthTo(file, true);
    expect([...ours.keys()].sort()).toEqual([...stock.keys()].sort());
    expect(ours.size).toBeGreaterThanOrEqual(5);
    for (const [name, text] of stock) expect({ name, text: ours.get(name) }).toEqual({ name, text });
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
