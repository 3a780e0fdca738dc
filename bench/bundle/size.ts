/** Bundles an entry with esbuild (minified, browser, ESM) and measures it gzipped. Used by the bench and by a test. */
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const src = (p: string) => fileURLToPath(new URL(`../../src/${p}`, import.meta.url))

/** The minified bundle of `bench/bundle/<name>.ts`, its size and its gzip size in bytes. */
export async function bundle(name: string, { fromDist = false } = {}): Promise<{ code: string; bytes: number; gzip: number }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // From source by default; `fromDist` resolves `coffer` through package.json exports (run `npm run build` first).
    alias: fromDist
      ? {}
      : {
          'coffer/keys': src('keys/index.ts'),
          'coffer/vault': src('vault/index.ts'),
          'coffer/evm': src('chains/evm/index.ts'),
          'coffer/bitcoin': src('chains/bitcoin/index.ts'),
          coffer: src('index.ts'),
        },
  })
  const code = result.outputFiles?.[0]?.text ?? ''
  return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length }
}
