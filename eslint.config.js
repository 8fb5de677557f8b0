// Lint: recommended rules of ESLint and typescript-eslint, plus the layering rule of
// DESIGN.md ("nothing below imports from above it").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const above = (...dirs) => dirs.map((d) => ({ group: [`**/${d}/**`, `../${d}/*`], message: `sources/ must not import from ${d}/ (DESIGN.md: data flows one way)` }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'portal/.next/**', 'bench/node_modules/**', '.data/**', 'dist/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The portal's client components run in the browser, its server code in Node.
    files: ['portal/**/*.{ts,tsx,js}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['sources/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: above('gateway', 'resolvers', 'schema', 'portal') }] },
  },
);
