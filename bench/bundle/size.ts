/** Bundles an entry with esbuild (minified, browser, ESM) and measures it gzipped. Used by the bench and by tests. */
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Plugin } from 'esbuild'

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url))

/** Every public subpath (`coffer`, `coffer/keys`, …) and its source file, from subpaths.json. */
export const SUBPATHS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(root('subpaths.json'), 'utf8')) as Record<string, string>).map(([key, file]) => [
    key === '.' ? 'coffer' : `coffer/${key.slice(2)}`,
    root(file),
  ]),
)

const BUILTIN = new RegExp(`^(node:|(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(/|$))`)

/** Records every import of a Node built-in (`node:*` or bare, e.g. `fs`) instead of letting esbuild resolve or fail on it. */
function recordBuiltins(found: string[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: BUILTIN }, (args) => {
        found.push(`${args.path} (imported by ${args.importer.replace(root(''), '')})`)
        return { path: args.path, external: true }
      })
    },
  }
}

/** What {@link bundle} measured. */
export interface BundleResult {
  code: string
  /** Minified size in bytes. */
  bytes: number
  /** Gzip (level 9) size in bytes. */
  gzip: number
  /** Node built-ins the bundle tried to import (empty for a browser-clean bundle). */
  builtins: string[]
}

/**
 * The minified browser bundle of `bench/bundle/<name>.ts`, or of `source` (an in-memory entry,
 * e.g. `export * from 'coffer/vault'`) when given; no externals.
 */
export async function bundle(
  name: string,
  { fromDist = false, source }: { fromDist?: boolean; source?: string } = {},
): Promise<BundleResult> {
  const builtins: string[] = []
  const result = await build({
    ...(source === undefined
      ? { entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))] }
      : {
          stdin: {
            contents: source,
            resolveDir: fileURLToPath(new URL('.', import.meta.url)),
            sourcefile: `${name}.ts`,
            loader: 'ts' as const,
          },
        }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [recordBuiltins(builtins)],
    // From source by default (every subpath in subpaths.json); `fromDist` resolves `coffer`
    // through package.json exports (run `npm run build` first).
    alias: fromDist ? {} : SUBPATHS,
  })
  const code = result.outputFiles?.[0]?.text ?? ''
  return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, builtins }
}
