// Lint (`npm run lint`, part of `npm test`): typescript-eslint's strict, type-aware rule set on
// all TypeScript in the repository, checked against the same tsconfig as `tsc --noEmit`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "packaging/", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // tsconfig's noUncheckedIndexedAccess types every index as T | undefined; a `!` after a
      // regex group or a checked index states what the code has just proved
      "@typescript-eslint/no-non-null-assertion": "off",
      // numbers and booleans in messages ("after 30 ms", "manage: true") read as they should
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // an implementation of a Promise-returning interface (a driver, a fake) may answer at once
      "@typescript-eslint/require-await": "off",
      // `_name`: unused on purpose (a parameter an interface passes, a field left out of a rest)
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // `() => void promise` and one-line arrow bodies are the intended shorthand
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
    },
  },
  {
    // these patterns exist to find control characters in input (manifest strings, check output)
    files: ["src/manifest/patterns.ts", "src/health/runners/text.ts", "test/unit/manifest/hostile.test.ts"],
    rules: { "no-control-regex": "off" },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining, …) are typed `any` by
    // design, and tests put them inside expected objects
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
);
