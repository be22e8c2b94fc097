/**
 * stableJson must write what cdktf writes (json-stable-stringify with two spaces), character
 * for character: the synthesized files are compared byte for byte across versions and machines.
 */
import * as fc from "fast-check";
import { RenderedJson, stableJson } from "../../lib/synth/stable-json";

// cdktf's own copy, the one its synthesizer calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfStringify: (value: unknown, options: { space: number }) => string | undefined = require(require.resolve("json-stable-stringify", { paths: [require.resolve("cdktf")] }));
const theirs = (value: unknown) => cdktfStringify(value, { space: 2 });

describe("stableJson", () => {
  it("writes what json-stable-stringify writes, for any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expect(stableJson(value)).toBe(theirs(value))), { numRuns: 500 });
  });

  it("writes what json-stable-stringify writes for objects with undefined, functions and symbols, dates, toJSON, and keys that sort oddly", () => {
    const values: unknown[] = [
      {},
      [],
      { a: [], b: {}, c: [[]], d: [{}] },
      { kept: 1, dropped: undefined, fn: () => 1, sym: Symbol("s") },
      [undefined, () => 1, Symbol("s"), null],
      { when: new Date(0), custom: { toJSON: () => ({ z: 1, a: [2] }) } },
      { "10": 1, "9": 2, b: 3, B: 4, "": 5, "é": 6, "\u{1F600}": 7, "a\"b": 8 },
      { n: [0, -0, 1.5, 1e21, -1e-7, NaN, Infinity] },
      "text",
      42,
      null,
      true,
      undefined,
    ];
    for (const value of values) expect(stableJson(value)).toBe(theirs(value));
  });

  it("refuses a cycle, as json-stable-stringify does", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => theirs(cyclic)).toThrow(TypeError);
    expect(() => stableJson(cyclic)).toThrow(TypeError);
    // The same object twice, side by side, is no cycle.
    const shared = { x: 1 };
    expect(stableJson({ a: shared, b: shared })).toBe(theirs({ a: shared, b: shared }));
  });

  it("copies JSON rendered earlier for the depth it is placed at, and refuses it at another depth", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (inner, key) => {
        const whole = { resource: { type: { [key]: inner } } };
        const placed = { resource: { type: { [key]: new RenderedJson(stableJson(inner, 3)!, 3) } } };
        expect(stableJson(placed)).toBe(theirs(whole));
      }),
      { numRuns: 200 },
    );
    expect(() => stableJson({ a: new RenderedJson("{}", 2) })).toThrow(/depth 2 placed at depth 1/);
  });
});
