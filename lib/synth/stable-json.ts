/**
 * The text cdktf writes for a stack: `json-stable-stringify(value, { space: 2 })` (keys sorted
 * by UTF-16 code units, two-space indentation, `[\n  ]`-style empty containers, `toJSON`
 * honoured, undefined and functions dropped from objects and written as null in arrays, a
 * cycle refused), character for character, and faster: the indentation of each depth is made
 * once, and a {@link RenderedJson} is copied in as it is, so that a part of the tree can be
 * rendered early (while it is still young garbage) and kept as one string. `__tests__/synth/stable-json.test.ts`
 * compares the two on generated values.
 */

/** JSON already written by {@link stableJson} for the depth it is placed at. */
export class RenderedJson {
  public constructor(
    public readonly text: string,
    /** The depth it was rendered for: the closing bracket's indentation. */
    public readonly depth: number,
  ) {}
}

const INDENT = "  ";
/** "\n" and `depth` indentations, made once per depth. */
const newlines: string[] = ["\n"];
function newline(depth: number): string {
  while (newlines.length <= depth) newlines.push(newlines[newlines.length - 1] + INDENT);
  return newlines[depth];
}

/**
 * Renders `value` as json-stable-stringify does with `{ space: 2 }`, as if it sat `depth`
 * levels deep; undefined where it gives undefined (for undefined, a function or a symbol).
 * The text is built in one array and joined once, so it is one flat string (V8 would
 * otherwise keep a concatenation as a tree of its pieces until it is read).
 */
export function stableJson(value: unknown, depth = 0): string | undefined {
  const parts: string[] = [];
  return write(value, depth, [], parts) ? parts.join("") : undefined;
}

/**
 * Each key's `"key": ` text, kept for the keys of attributes (lower-case words), which repeat
 * from resource to resource; bounded, so a long-lived process does not keep every key it wrote.
 */
const keyTexts = new Map<string, string>();
function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = JSON.stringify(key) + ": ";
    if (keyTexts.size < 4096 && /^[a-z_]+$/.test(key)) keyTexts.set(key, text);
  }
  return text;
}

/** Appends `node`'s text to `parts`; false (and nothing appended) where it has none. */
function write(node: unknown, depth: number, seen: object[], parts: string[]): boolean {
  // A string is most of what is written, and has no toJSON.
  if (typeof node === "string") {
    parts.push(JSON.stringify(node));
    return true;
  }
  if (node instanceof RenderedJson) {
    if (node.depth !== depth) throw new Error(`stableJson: JSON rendered for depth ${node.depth} placed at depth ${depth}`);
    parts.push(node.text);
    return true;
  }
  if (node && typeof (node as { toJSON?: unknown }).toJSON === "function") node = (node as { toJSON(): unknown }).toJSON();
  if (node === undefined) return false;
  if (typeof node !== "object" || node === null) {
    const text = JSON.stringify(node) as string | undefined;
    if (text === undefined) return false;
    parts.push(text);
    return true;
  }
  const inner = newline(depth + 1);
  if (Array.isArray(node)) {
    parts.push("[");
    for (let i = 0; i < node.length; i++) {
      parts.push(i === 0 ? inner : "," + inner);
      if (!write(node[i], depth + 1, seen, parts)) parts.push("null");
    }
    parts.push(newline(depth) + "]");
    return true;
  }
  if (seen.includes(node)) throw new TypeError("Converting circular structure to JSON");
  seen.push(node);
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  parts.push("{");
  let first = true;
  for (const key of keys) {
    const mark = parts.length;
    parts.push(first ? inner : "," + inner, keyText(key));
    if (write(record[key], depth + 1, seen, parts)) first = false;
    else parts.length = mark;
  }
  seen.pop();
  parts.push(newline(depth) + "}");
  return true;
}
