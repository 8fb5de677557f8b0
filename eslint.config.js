// Lint: recommended rules of ESLint and typescript-eslint, plus the layering of DESIGN.md
// ("Layout"): portal → gateway → resolvers → access / audit / flows → sources and storage, simulators beside.
// Each layer lists the folders it must never import from; `npm run lint` also runs madge, which
// fails on any import cycle (type-only imports included), so no circle can form within a layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** A relative import that climbs into the top-level folder `dir` (e.g. `../../gateway/x.ts`). */
const into = (dir, except = '') => `^(\\.\\./)+${dir}(/${except}|$)`;
/** Packages by name: GraphQL and its servers, and node's HTTP servers and clients. */
const GRAPHQL = '^(graphql|dataloader)(/|$)|^@apollo/|^@graphql-tools/';
const HTTP = '^(node:)?(http|https|http2)$';

/**
 * The layer rule for the files of `layer`: it may not import from any of `forbidden`
 * (folder names, or `[folder, negative lookahead]` to allow part of one), nor the packages whose
 * names match `packages` (regular expressions).
 */
function layer(layerDir, forbidden, ...packages) {
  const patterns = forbidden.map((f) => {
    const [dir, except] = Array.isArray(f) ? f : [f, ''];
    return { regex: into(dir, except), message: `${layerDir}/ must not import from ${dir}/: imports run one way (DESIGN.md, Layout)` };
  });
  const paths = packages.map((regex) => ({ regex, message: `${layerDir}/ must not use this package (DESIGN.md, Layout)` }));
  return {
    files: [`${layerDir}/**/*.{ts,tsx,js,mjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, ...paths] }] },
  };
}

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
  // The layers, top to bottom. The portal reaches the gateway over HTTP only; in demo mode it
  // mints tokens with the demo issuer and lists the demo users (portal/lib/demo-bridge.js).
  layer('portal', [
    ['gateway', '(?!demo-issuer\\.ts$)'],
    'resolvers',
    'access',
    'audit',
    'flows',
    'sources',
    'schema',
    ['simulators', '(?!demo/)'],
  ]),
  // The gateway may read the demo world (demo users, simulator credentials) in demo mode, never a simulator.
  layer('gateway', ['portal', ['simulators', '(?!demo/)']]),
  layer('resolvers', ['portal', 'gateway', 'simulators'], HTTP),
  layer('flows', ['portal', 'gateway', 'resolvers', 'schema', 'simulators'], HTTP),
  layer('audit', ['portal', 'gateway', 'resolvers', 'flows', 'schema', 'simulators'], HTTP, GRAPHQL),
  // The shared database (PGlite or PostgreSQL), its migrations and its thread: below audit and flows, beside sources.
  layer('storage', ['portal', 'gateway', 'resolvers', 'access', 'audit', 'flows', 'sources', 'schema', 'simulators'], HTTP, GRAPHQL),
  layer('access', ['portal', 'gateway', 'resolvers', 'audit', 'flows', 'storage', 'schema', 'simulators'], HTTP),
  layer('sources', ['portal', 'gateway', 'resolvers', 'access', 'audit', 'flows', 'storage', 'schema', 'simulators'], HTTP, GRAPHQL),
  // Simulators speak the vendors' wire (sources/<system>/wire.ts) and serve the demo world; they know no layer above.
  layer('simulators', ['portal', 'gateway', 'resolvers', 'access', 'audit', 'flows', 'storage', 'schema'], GRAPHQL),
  layer('schema', ['portal', 'gateway', 'resolvers', 'access', 'audit', 'flows', 'sources', 'storage', 'simulators']),
);
