// ESLint (flat config) with typescript-eslint's recommended rules, without type information so
// that it stays fast; `tsc --noEmit` does the type checking. Runs in `npm test`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Imports that load a whole provider package. */
const PROVIDER_ROOTS = [
  { name: "@cdktf/provider-azurerm", message: "Import by deep path (@cdktf/provider-azurerm/lib/<resource>): the package root loads the whole provider." },
  { name: "@cdktf/provider-kubernetes", message: "Import by deep path (@cdktf/provider-kubernetes/lib/<resource>): the package root loads the whole provider." },
];

/**
 * The layers of lib/, bottom first: a module imports only from its own layer and those below
 * (lib/app.ts and lib/cli.ts, on top, import from any). Moving a concept means moving it to
 * the layer it belongs to, never an import that points up.
 */
export const LAYERS = ["core", "net", "domain", "output", "config", "apps", "constructs", "synth", "stacks", "policy", "review"];

const layered = LAYERS.map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  return {
    files: [`lib/${layer}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: PROVIDER_ROOTS,
          patterns: [
            ...(above.length === 0 ? [] : [{ regex: `^(\\.\\./)+(${above.join("|")})(/|$)`, message: `lib/${layer} sits below ${above.join(", ")}: import only from its own layer or lower (${LAYERS.slice(0, i + 1).join(", ")}); move the concept down instead.` }]),
            { regex: "^(\\.\\./)+(app|cli)(\\.ts)?$", message: "lib/app.ts and lib/cli.ts are the entry points: nothing imports them." },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", ".gen/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // Synthesized Terraform JSON is read as plain data in tests and the review model.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-restricted-imports": ["error", { paths: PROVIDER_ROOTS }],
    },
  },
  ...layered,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", __filename: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
