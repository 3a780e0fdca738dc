/**
 * Test pages that use coffer the way a web app does: through the built package, bundled.
 *
 * 1. coffer is built privately, as tsup's ESM build does it (every `src/**\/*.ts` transpiled
 *    1:1 to `.js`, `bundle: false`), into `<tmp>/consumer/node_modules/coffer/dist`, next to a
 *    package.json with the real `name`, `exports` (`import` targets) and `sideEffects: false`.
 *    `npm run build` is not used: test/package.test.ts rebuilds dist/ concurrently.
 * 2. A page entry, `test/browser/pages/<name>.ts`, is bundled with esbuild (`platform:
 *    'browser'`, ESM, not minified); `coffer` and `coffer/*` resolve through that package's
 *    `exports`, its dependencies from the repository's node_modules. A Node built-in anywhere in
 *    the bundle, or coffer's source instead of the built copy, fails the build.
 * 3. The page is served from 127.0.0.1 (a secure context: WebCrypto works) on a free port.
 *
 * The API is two functions: {@link useBrowser} (Chromium for a test file, pages opened in it,
 * everything cleaned up in `afterAll`) and {@link callPage}. A page entry calls `expose({ … })`
 * (test/browser/pages/expose.ts); the test calls those
 * functions with {@link callPage}. Arguments and results must survive structured cloning:
 * pass bigints as strings.
 *
 * @example
 * const browser = useBrowser()                    // in the describe: launch in beforeAll, clean up in afterAll
 * it('…', async () => {
 *   const page = await browser.open('vault')      // test/browser/pages/vault.ts, in a fresh browser context
 *   expect(await callPage(page, 'addresses', MNEMONIC)).toEqual(…)
 * })
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Message, type Plugin } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium, type LaunchedChromium } from './chromium.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SRC = join(ROOT, 'src')
const PAGES = join(ROOT, 'test', 'browser', 'pages')

/** A Node built-in as a browser bundle might import it (`node:fs`, `fs`, `fs/promises`). */
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const isBuiltin = (id: string) => id.startsWith('node:') || BUILTINS.has(id)

// ---------------------------------------------------------------------------------------
// Temporary folder, the private package build, the page bundles

let workDir: string | undefined
/** The temporary folder of this test file's builds, removed by {@link stopPages} (or at exit). */
function tempDir(): string {
  if (!workDir) {
    workDir = mkdtempSync(join(tmpdir(), 'coffer-browser-'))
    const dir = workDir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  return workDir
}

let consumer: Promise<string> | undefined

/** Builds the private coffer package once; resolves to the consumer folder whose node_modules holds it. */
function buildPackage(): Promise<string> {
  consumer ??= (async () => {
    const dir = join(tempDir(), 'consumer')
    const pkgDir = join(dir, 'node_modules', 'coffer')
    const sources = (readdirSync(SRC, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => join(SRC, f))
    // tsup's ESM build (tsup.config.ts): bundle false, es2022, one .js per source module.
    await build({
      entryPoints: sources,
      outbase: SRC,
      outdir: join(pkgDir, 'dist'),
      bundle: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      logLevel: 'silent',
    })
    const real = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      name: string
      version: string
      exports: Record<string, string | { import?: { default?: string } }>
    }
    const exports: Record<string, unknown> = {}
    for (const [subpath, target] of Object.entries(real.exports)) {
      if (typeof target === 'string') exports[subpath] = target
      else if (target.import?.default) exports[subpath] = { import: target.import.default }
    }
    const pkg = { name: real.name, version: real.version, type: 'module', sideEffects: false, exports }
    mkdirSync(pkgDir, { recursive: true })
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2))
    return dir
  })()
  return consumer
}

/** Resolves `coffer` and `coffer/*` from the consumer folder, through the package's `exports` (never tsconfig paths). */
function fromPackage(consumerDir: string, name: string): Plugin {
  return {
    name: 'coffer-from-package',
    setup(b) {
      const filter = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|$)`)
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'coffer-from-package') return undefined
        const result = await b.resolve(args.path, { kind: args.kind, resolveDir: consumerDir, pluginData: 'coffer-from-package' })
        return result.errors.length ? { errors: result.errors } : { path: result.path }
      })
    },
  }
}

/** A failed build's message, naming a Node built-in plainly when one is the cause. */
function buildFailure(entry: string, errors: readonly Message[]): Error {
  const lines = errors.map((e) => {
    const where = e.location ? `${e.location.file}:${e.location.line}` : '?'
    const id = /Could not resolve "([^"]+)"/.exec(e.text)?.[1]
    return id && isBuiltin(id)
      ? `Node built-in "${id}" reached the browser bundle (imported by ${where}); browser code must not import Node built-ins.`
      : `${e.text} (${where})`
  })
  return new Error(`Bundling test/browser/pages/${entry}.ts for the browser failed:\n${lines.join('\n')}`)
}

const bundles = new Map<string, Promise<string>>()

/** The browser bundle of `test/browser/pages/<entry>.ts`, built once per test file. @throws on a Node built-in or a build error */
function bundlePage(entry: string): Promise<string> {
  let bundle = bundles.get(entry)
  if (!bundle) {
    bundle = buildBundle(entry)
    bundles.set(entry, bundle)
  }
  return bundle
}

async function buildBundle(entry: string): Promise<string> {
  if (!/^[\w-]+$/.test(entry)) throw new Error(`Bad page name ${JSON.stringify(entry)}.`)
  const consumerDir = await buildPackage()
  const name = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name
  let result
  try {
    result = await build({
      entryPoints: [join(PAGES, `${entry}.ts`)],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
      nodePaths: [join(ROOT, 'node_modules')],
      plugins: [fromPackage(consumerDir, name)],
    })
  } catch (error) {
    throw buildFailure(entry, (error as { errors?: Message[] }).errors ?? [{ text: String(error) } as Message])
  }
  const inputs = Object.keys(result.metafile.inputs)
  const external = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((im) => im.external).map((im) => im.path))
  const leaked = external.filter(isBuiltin)
  if (leaked.length) throw new Error(`Node built-ins reached the browser bundle of ${entry}: ${leaked.join(', ')}.`)
  const abs = (p: string) => join(process.cwd(), p)
  if (inputs.some((p) => abs(p).startsWith(SRC + sep))) {
    throw new Error(`The ${entry} page bundled coffer's source (src/), not the built package.`)
  }
  const pkgPart = `${sep}node_modules${sep}coffer${sep}dist${sep}`
  if (!inputs.some((p) => abs(p).includes(pkgPart) && abs(p).startsWith(consumerDir))) {
    throw new Error(`The ${entry} page does not use coffer through the built package (${relative(ROOT, consumerDir)}).`)
  }
  return result.outputFiles[0]!.text
}

// ---------------------------------------------------------------------------------------
// Serving

let server: Promise<{ server: Server; origin: string }> | undefined

const html = (entry: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>coffer: ${entry}</title></head>\n<body><script type="module" src="bundle.js"></script></body></html>\n`

/** The page server of this test file: `/<entry>/` and `/<entry>/bundle.js`, on 127.0.0.1 and a free port. */
function pageServer(): Promise<{ server: Server; origin: string }> {
  server ??= new Promise((resolve, reject) => {
    const s = createServer((req, res) => {
      const match = /^\/([\w-]+)\/(bundle\.js)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname)
      const entry = match?.[1]
      if (!entry || !bundles.has(entry)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found')
        return
      }
      const headers = { 'cache-control': 'no-store' }
      if (!match[2]) {
        res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(html(entry))
        return
      }
      bundles.get(entry)!.then(
        (js) => res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(js),
        () => res.writeHead(500).end(),
      )
    })
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      if (address === null || typeof address === 'string') return reject(new Error('no port'))
      resolve({ server: s, origin: `http://127.0.0.1:${address.port}` })
    })
  })
  return server
}

// ---------------------------------------------------------------------------------------
// Pages

const contexts = new Set<BrowserContext>()

/**
 * Opens `test/browser/pages/<entry>.ts` in a new page (in a fresh browser context, so with
 * empty storage, unless `context` is given) and resolves once the page has called `expose`.
 * A page that throws while loading fails with its error. `page.reload()` is a new page load
 * with the same storage (IndexedDB, localStorage).
 */
async function openPage(browser: Browser, entry: string, context?: BrowserContext): Promise<Page> {
  await bundlePage(entry)
  const { origin } = await pageServer()
  let ctx = context
  if (!ctx) {
    ctx = await browser.newContext()
    contexts.add(ctx)
  }
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error.stack ?? error)))
  await page.goto(`${origin}/${entry}/`)
  try {
    await page.waitForFunction(() => 'coffer' in globalThis, undefined, { timeout: 15_000 })
  } catch (error) {
    throw new Error(`The ${entry} page did not start${errors.length ? `:\n${errors.join('\n')}` : '.'}`, { cause: error })
  }
  return page
}

/** A page function's failure, with the thrown error's `name` and `code` (a CofferError's stable code). */
interface PageError extends Error {
  code?: string
}

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; code?: string; message: string }

/**
 * Calls `window.coffer[name](...args)` in the page (waiting for the page to be ready, also
 * after a reload). Rejects with an Error carrying the page error's `name`, `code` and message.
 */
export async function callPage<T = unknown>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  await page.waitForFunction(() => 'coffer' in globalThis, undefined, { timeout: 15_000 })
  const outcome = await page.evaluate(
    async ([fn, params]): Promise<Outcome> => {
      const api = (globalThis as unknown as { coffer: Record<string, (...a: unknown[]) => unknown> }).coffer
      if (typeof api[fn] !== 'function') return { ok: false, name: 'TypeError', message: `The page exposes no function ${fn}.` }
      try {
        return { ok: true, value: await api[fn](...params) }
      } catch (error) {
        const e = error as { name?: string; code?: unknown; message?: string }
        return {
          ok: false,
          name: String(e?.name ?? 'Error'),
          message: String(e?.message ?? error),
          ...(typeof e?.code === 'string' ? { code: e.code } : {}),
        }
      }
    },
    [name, args] as const,
  )
  if (outcome.ok) return outcome.value as T
  const error: PageError = new Error(`${name} failed in the page: ${outcome.message}`)
  error.name = outcome.name
  if (outcome.code !== undefined) error.code = outcome.code
  throw error
}

/** Closes every context {@link openPage} made, stops the page server and removes the temporary builds. Idempotent. */
async function stopPages(): Promise<void> {
  await Promise.all([...contexts].map((c) => c.close().catch(() => undefined)))
  contexts.clear()
  const running = server
  server = undefined
  if (running) {
    const { server: s } = await running.catch(() => ({ server: undefined }))
    if (s) {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  }
  bundles.clear()
  consumer = undefined
  if (workDir) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
}

/** The browser of a describe block, and a shortcut to open pages in it. */
export interface BrowserPages {
  /** The launched browser (after beforeAll). */
  readonly browser: Browser
  /** {@link openPage} in this browser. */
  open(entry: string, context?: BrowserContext): Promise<Page>
}

/**
 * Call at the top of a test file or describe: launches Chromium in `beforeAll` and, in
 * `afterAll` (also after failures), closes pages, the server, the browser and removes temp dirs.
 */
export function useBrowser(): BrowserPages {
  let chromium: LaunchedChromium | undefined
  beforeAll(async () => {
    chromium = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await stopPages()
    await chromium?.close()
  }, 30_000)
  const browser = () => {
    if (!chromium) throw new Error('useBrowser(): the browser starts in beforeAll.')
    return chromium.browser
  }
  return {
    get browser() {
      return browser()
    },
    open: (entry, context) => openPage(browser(), entry, context),
  }
}
