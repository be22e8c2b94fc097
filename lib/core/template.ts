/**
 * Terraform evaluates every string of a JSON configuration as a template: `${...}` is an
 * interpolation and `%{...}` a directive, in values and in object keys alike. A literal
 * `${` is written `$${` and a literal `%{` is written `%%{`; nothing else is special
 * (`$$`, `%%`, a lone `$` or `%` stay as they are). Terraform's JSON syntax reference
 * ("Expression Mapping", developer.hashicorp.com/terraform/language/syntax/json, read
 * 2026-12-07) defines this; `__tests__/core/template.test.ts` pins it against the terraform
 * CLI itself.
 *
 * This module turns user data into Terraform literals (escape every `${` and `%{`) and reads
 * strings of a synthesized configuration back as what Terraform will make of them.
 */

declare const LITERAL: unique symbol;

/**
 * Data whose every string (keys included) is a Terraform literal: written into the
 * configuration, Terraform reads back exactly the text it was made from.
 */
export type TerraformLiteral<T> = T & { readonly [LITERAL]: true };

/** One string as a Terraform literal: each `${` becomes `$${` and each `%{` becomes `%%{`. */
export function literal(text: string): string {
  return text.replace(/([$%])\{/g, "$1$1{");
}

/**
 * Plain data (what a parsed YAML or JSON file holds) with every string, object keys
 * included, made a Terraform literal; a copy, the original is left as it is.
 */
export function terraformLiteral<T>(value: T): TerraformLiteral<T> {
  return escapeDeep(value) as TerraformLiteral<T>;
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === "string") return literal(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [literal(k), escapeDeep(v)]));
  return value;
}

/** A piece of a Terraform template string. */
export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "interpolation"; readonly expression: string }
  | { readonly kind: "directive"; readonly expression: string };

/**
 * A string of a configuration in the pieces Terraform reads it as: literal text (escapes
 * undone), `${...}` interpolations and `%{...}` directives (their expressions as written,
 * without the delimiters). An interpolation that never closes is read as text to the end,
 * the way a reader that cannot tell would (Terraform refuses such a string).
 */
export function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literalText = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
      literalText += `${c}{`;
      i += 3;
      continue;
    }
    if ((c === "$" || c === "%") && text[i + 1] === "{") {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        literalText += text.slice(i);
        break;
      }
      if (literalText !== "") parts.push({ kind: "text", text: literalText });
      literalText = "";
      parts.push({ kind: c === "$" ? "interpolation" : "directive", expression: text.slice(i + 2, end) });
      i = end + 1;
      continue;
    }
    literalText += c;
    i++;
  }
  if (literalText !== "") parts.push({ kind: "text", text: literalText });
  return parts;
}

/** The index of the `}` that closes an expression starting at `from`, skipping nested braces and quoted strings; -1 when none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** What Terraform makes of a string that holds no interpolation or directive; undefined when it holds one. */
export function literalText(text: string): string | undefined {
  const parts = templateParts(text);
  return parts.every((p) => p.kind === "text") ? parts.map((p) => (p as { text: string }).text).join("") : undefined;
}

/** A string of the output as the environment file wrote it: the literal's text, or the string itself when it holds an expression. */
export function writtenText(text: string): string {
  return literalText(text) ?? text;
}

/**
 * The text a Terraform literal was made from ({@link literal} undone), for data written where
 * nothing evaluates templates (a plain manifest). Throws on an interpolation or directive:
 * such a string is a reference, which only Terraform can give a value.
 */
export function fromLiteral(text: string): string {
  const plain = literalText(text);
  if (plain === undefined) throw new Error(`not a Terraform literal: ${JSON.stringify(text)}`);
  return plain;
}

/** {@link fromLiteral} over plain data, keys included. */
export function fromTerraformLiteral<T>(value: TerraformLiteral<T> | T): T {
  return unescapeDeep(value) as T;
}

function unescapeDeep(value: unknown): unknown {
  if (typeof value === "string") return fromLiteral(value);
  if (Array.isArray(value)) return value.map(unescapeDeep);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [fromLiteral(k), unescapeDeep(v)]));
  return value;
}
