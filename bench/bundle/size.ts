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

/** What {@link splitBundle} measured: the chunks a page loads at start, and those it loads only when used. */
export interface SplitBundleResult {
  /** The entry chunk and every chunk it imports statically, transitively: what the page downloads to start. */
  initial: { bytes: number; gzip: number; chunks: number }
  /** Chunks reached only through `import()`: downloaded when that code first runs (keystores, MetaMask, other chain families, fallbacks). */
  lazy: { bytes: number; gzip: number; chunks: number }
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

/**
 * The same app built as a code-split bundle (esbuild `splitting`, minified, browser ESM, as
 * Vite / Rollup ship apps): each chunk gzipped on its own. `initial` is what loads at start;
 * coffer loads keystore and MetaMask import, scrypt's worker, the pure-JS AES fallback and the
 * non-EVM signer families with `import()`, so an app that never uses them never downloads them.
 */
export async function splitBundle(name: string): Promise<SplitBundleResult> {
  const outdir = fileURLToPath(new URL(`../../node_modules/.cache/bundle-split/${name}`, import.meta.url))
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir,
    metafile: true,
    logLevel: 'silent',
    plugins: [recordBuiltins([])],
    alias: SUBPATHS,
  })
  const files = new Map((result.outputFiles ?? []).map((f) => [f.path, f.text]))
  const outputs = result.metafile?.outputs ?? {}
  const absolute = (p: string) => fileURLToPath(new URL(p, `file://${process.cwd()}/`))
  const entry = Object.keys(outputs).find((p) => outputs[p]?.entryPoint !== undefined)
  if (!entry) throw new Error(`${name}: esbuild produced no entry chunk`)
  const initial = new Set<string>()
  const visit = (p: string) => {
    if (initial.has(p)) return
    initial.add(p)
    for (const i of outputs[p]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path)
  }
  visit(entry)
  const sum = (paths: string[]) => {
    const texts = paths.map((p) => files.get(absolute(p)) ?? '')
    return {
      bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
      gzip: texts.reduce((n, t) => n + gzipSync(t, { level: 9 }).length, 0),
      chunks: paths.length,
    }
  }
  const js = Object.keys(outputs).filter((p) => p.endsWith('.js'))
  return { initial: sum([...initial]), lazy: sum(js.filter((p) => !initial.has(p))) }
}
