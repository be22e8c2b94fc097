/** Synth runs without cdktf's per-token stack traces, and nothing else changes. */
import * as vm from "vm";
import { Lazy, Tokenization } from "cdktf";
import { withoutTokenTraces } from "../../lib/synth/token-traces";

describe("withoutTokenTraces", () => {
  // The jest setup turns token traces off for every test: here V8's own function is back.
  const patched = Error.captureStackTrace;
  beforeAll(() => (Error.captureStackTrace = vm.runInNewContext("Error.captureStackTrace")));
  afterAll(() => (Error.captureStackTrace = patched));
  const token = () => Tokenization.reverseString(Lazy.stringValue({ produce: () => "x" })).tokens[0];

  it("skips the stack trace cdktf records for each token, and puts Error.captureStackTrace back afterwards", () => {
    expect(token().creationStack.length).toBeGreaterThan(0);
    const before = Error.captureStackTrace;
    expect(withoutTokenTraces(token).creationStack).toEqual([]);
    expect(Error.captureStackTrace).toBe(before);
    expect(token().creationStack.length).toBeGreaterThan(0);
  });

  it("leaves errors their stack traces, and passes on what it runs returns or throws", () => {
    const error = withoutTokenTraces(() => new Error("kept"));
    expect(error.stack).toMatch(/^Error: kept\n\s+at /);
    class Custom extends Error {}
    expect(() => withoutTokenTraces(() => { throw new Custom("thrown"); })).toThrow(Custom);
    expect(withoutTokenTraces(() => 42)).toBe(42);
  });
});
