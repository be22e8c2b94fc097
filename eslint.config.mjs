// ESLint (flat config) with typescript-eslint's recommended rules, without type information so
// that it stays fast; `tsc --noEmit` does the type checking. Runs in `npm test`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@cdktf/provider-azurerm", message: "Import by deep path (@cdktf/provider-azurerm/lib/<resource>): the package root loads the whole provider." },
            { name: "@cdktf/provider-kubernetes", message: "Import by deep path (@cdktf/provider-kubernetes/lib/<resource>): the package root loads the whole provider." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
