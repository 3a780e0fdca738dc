import { defineConfig } from 'tsup'

/**
 * Two builds:
 * - ESM, one output file per source module (`bundle: false`), so bundlers tree-shake at
 *   module level. This matters for the BIP-39 wordlists: @scure/bip39's wordlist modules
 *   look side-effectful to bundlers, so a single chunk importing all ten would drag all
 *   ten into every app. Declarations come from `tsc` (tsconfig.build.json), mirroring src.
 * - CJS, bundled per `exports` subpath with shared chunks (so `instanceof CofferError`
 *   holds across subpaths), with bundled `.d.cts` declarations.
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
    entry: { index: 'src/index.ts', 'keys/index': 'src/keys/index.ts', 'vault/index': 'src/vault/index.ts', 'evm/index': 'src/chains/evm/index.ts', 'bitcoin/index': 'src/chains/bitcoin/index.ts', 'portfolio/index': 'src/portfolio/index.ts' },
    format: ['cjs'],
    bundle: true,
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    outDir: 'dist/cjs',
  },
])
