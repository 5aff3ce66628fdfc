// ESLint: typescript-eslint's type-checked rules plus complexity budgets, all as errors.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".cluster/", "coverage/", ".bench/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      complexity: ["error", 12],
      "max-depth": ["error", 4],
      "max-params": ["error", 5],
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
      "max-nested-callbacks": ["error", 4],
      "no-console": "error",
      eqeqeq: "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // @kubernetes/client-node's models are generated classes that are plain data: the library
      // serialises object literals exactly like instances, and spreading them is how they are copied.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
  {
    // Shipped code reaches zod only through src/api/zod.ts (zod/mini, ADR 0005): one classic
    // `import { z } from "zod"` doubled the remover's bundle (398 to 826 KB) and its peak in
    // bench:worker went from 62.1 to 63.9 MiB, of a 64 MiB budget.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "zod", message: "import * as z from src/api/zod.ts (zod/mini), see docs/adr/0005" }] }],
    },
  },
  {
    // Tests describe many cases in one table-driven function; scripts and benches talk to people.
    files: ["test/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts"],
    rules: {
      "max-lines-per-function": "off",
      // A test walks one scenario; its assertions' optional chains are not branching logic.
      complexity: "off",
      // Assertions narrow types (assert.equal asserts), which makes later optional chains look
      // needless to the linter while they still guard the test's own reading.
      "@typescript-eslint/no-unnecessary-condition": "off",
      "max-nested-callbacks": ["error", 6],
      "no-console": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      // node:test's describe/test return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "test", "it", "suite", "before", "after", "beforeEach", "afterEach"] },
          ],
        },
      ],
    },
  },
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
