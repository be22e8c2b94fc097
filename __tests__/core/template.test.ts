import { fromLiteral, literal, literalText, templateParts, terraformLiteral } from "../../lib/core/template";
import { evaluate } from "../terraform";

/** Strings whose every `$` and `%` tests one corner of Terraform's template syntax. */
const TRICKY = [
  '${file("/etc/passwd")}',
  "%{if true}x%{endif}",
  "${var.x}",
  "$${already escaped}",
  "$$${three}",
  "%%{two}",
  "%%%{three}",
  "a$",
  "100%",
  "$$",
  "%%",
  "${unclosed",
  "}${",
  "$ {spaced}",
  "jdbc:postgresql://${DB_HOST}:5432/app",
  '%h %l %u %t "%r" %>s %b %{Host}i',
  "${{}",
  "",
];

describe("Terraform literals, judged by terraform itself", () => {
  // One configuration for every case: each is an output, and keys are templates too.
  const [values, keyed] = (() => {
    const out = evaluate([...TRICKY.map(literal), Object.fromEntries(TRICKY.map((t, i) => [literal(`${t}#${i}`), i]))]);
    return [out.slice(0, TRICKY.length), out[TRICKY.length] as Record<string, number>];
  })();

  test.each(TRICKY.map((t, i) => [t, i] as const))("literal(%j) evaluates to exactly that text", (text, i) => {
    expect(values[i]).toBe(text);
  });

  test("the harness sees evaluation when there is some", () => {
    expect(evaluate(['${upper("a")}-%{if true}b%{endif}'])).toEqual(["A-b"]);
  });

  test("object keys made literal evaluate to exactly their text", () => {
    expect(keyed).toEqual(Object.fromEntries(TRICKY.map((t, i) => [`${t}#${i}`, i])));
  });

  test("literalText reads an escaped string as Terraform does", () => {
    TRICKY.forEach((t, i) => expect(literalText(literal(t))).toBe(values[i]));
  });
});

describe("template parts", () => {
  test("interpolations and directives are told from escapes", () => {
    expect(templateParts('a $${b} ${var.x} %%{c} %{if true}x%{endif} ${f("}")}')).toEqual([
      { kind: "text", text: "a ${b} " },
      { kind: "interpolation", expression: "var.x" },
      { kind: "text", text: " %{c} " },
      { kind: "directive", expression: "if true" },
      { kind: "text", text: "x" },
      { kind: "directive", expression: "endif" },
      { kind: "text", text: " " },
      { kind: "interpolation", expression: 'f("}")' },
    ]);
  });

  test("a string with a reference has no literal text; fromLiteral refuses it", () => {
    expect(literalText("id ${azurerm_subnet.a.id}")).toBeUndefined();
    expect(() => fromLiteral("${var.x}")).toThrow(/not a Terraform literal/);
  });

  test("terraformLiteral escapes keys and values at every depth and leaves the input alone", () => {
    const input = { tags: { "${path.cwd}": "${var.k}" }, list: ["%{if}", 1, true, null] };
    expect(terraformLiteral(input)).toEqual({ tags: { "$${path.cwd}": "$${var.k}" }, list: ["%%{if}", 1, true, null] });
    expect(input.tags).toEqual({ "${path.cwd}": "${var.k}" });
  });
});
