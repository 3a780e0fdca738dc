import { existsSync, readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

/** The package's subpaths (`.`, `./keys`, …) and their sources: subpaths.json is the one list (see scripts/subpaths.mjs). */
const SUBPATHS = JSON.parse(readFileSync(new URL('./subpaths.json', import.meta.url), 'utf8')) as Record<string, string>

/**
 * One CJS entry per `exports` subpath (output name -> source): `.` -> `index`, `./evm` -> `evm/index`,
 * so the CJS files land at `dist/cjs/<name>/index.cjs`. A subpath whose source does not exist yet is left out.
 */
const CJS_ENTRIES = Object.fromEntries(
  Object.entries(SUBPATHS)
    .filter(([, source]) => existsSync(source))
    .map(([subpath, source]) => [subpath === '.' ? 'index' : `${subpath.slice(2)}/index`, source]),
)

/**
 * Two builds:
 * - ESM, one output file per source module (`bundle: false`), so bundlers tree-shake at
 *   module level. This matters for the BIP-39 wordlists: @scure/bip39's wordlist modules
 *   look side-effectful to bundlers, so a single chunk importing all ten would drag all
 *   ten into every app. Declarations come from `tsc` (tsconfig.build.json), mirroring src.
 * - CJS, bundled per `exports` subpath with shared chunks (so `instanceof CofferError`
 *   holds across CJS subpaths), with bundled `.d.cts` declarations. The ESM and CJS builds
 *   are two copies: a class from `require('coffer')` is not the class from `import('coffer')`.
 *
 * After tsup, `scripts/cjs-types.mjs` (run by `npm run build`) marks the `.d.cts` imports of
 * packages whose types are ESM for a `require` (viem) as `import type … with
 * { 'resolution-mode': 'import' }`, so CommonJS consumers type-check them (TS1479 otherwise).
 */
export default defineConfig([
  {
    entry: ['src/**/*.ts'],
    format: ['esm'],
    bundle: false,
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    outDir: 'dist',
    onSuccess: 'tsc -p tsconfig.build.json',
  },
  {
    entry: CJS_ENTRIES,
    format: ['cjs'],
    bundle: true,
    splitting: true,
    // `import.meta.url` is a syntax error in a .cjs file (src/testing finds its anvil binary
    // through it): the shim turns it into the file URL of __filename.
    shims: true,
    // Never inline third-party code: dependencies stay `require`s, and an optional peer such as
    // bitcoinjs-lib (coffer/testing) is loaded from the user's install, not from a copy whose
    // wasm file is not next to it.
    skipNodeModulesBundle: true,
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    outDir: 'dist/cjs',
  },
])
