/**
 * Headless Chromium for the browser tests, driven by playwright-core. No test needs the
 * internet: the browser starts with background networking, component updates and sync off.
 *
 * The browser is found in this order (first hit wins):
 * 1. `$CHROMIUM_PATH`;
 * 2. the Debian packages: `/usr/bin/chromium-headless-shell`, then `/usr/bin/chromium`;
 * 3. the `@sparticuz/chromium` dev dependency, which ships a Chromium inside the npm package and
 *    unpacks it (to /tmp) at run time, so `npm ci` alone is enough on a fresh machine.
 *
 * @example
 * const chromium = await launchChromium()
 * try {
 *   const page = await chromium.browser.newPage()
 * } finally {
 *   await chromium.close()
 * }
 */
import { existsSync } from 'node:fs'
import { chromium as playwright, type Browser, type BrowserServer } from 'playwright-core'

/** Where the browser binary came from. */
type ChromiumSource = 'CHROMIUM_PATH' | 'debian' | '@sparticuz/chromium'

/** A browser binary and the command-line flags it needs. */
interface ChromiumBinary {
  readonly executablePath: string
  readonly args: readonly string[]
  readonly source: ChromiumSource
}

/** A running Chromium. `close()` is idempotent and never throws; it kills the process if a clean close hangs. */
export interface LaunchedChromium extends ChromiumBinary {
  readonly browser: Browser
  close(): Promise<void>
}

/** Flags that keep Chromium off the network (no update checks, sync, field trials or first-run pings). */
const NO_NETWORK = ['--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync']

/**
 * @sparticuz/chromium's flags (made for AWS Lambda) that tests must not use:
 * - `--disable-web-security`, `--allow-running-insecure-content` turn off CORS and mixed-content
 *   rules, which the tests must see exactly as a user's browser applies them;
 * - `--single-process` makes every browser context share one storage (IndexedDB, localStorage):
 *   a new context would see the previous one's vaults.
 */
const DROPPED = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process'])

const DEBIAN = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium']

/** How long a clean close may take before the process is killed. */
const CLOSE_TIMEOUT_MS = 10_000

/** Finds the Chromium to run (see the module comment for the order). @throws when none is found */
async function findChromium(): Promise<ChromiumBinary> {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist.`)
    return { executablePath: fromEnv, args: NO_NETWORK, source: 'CHROMIUM_PATH' }
  }
  const debian = DEBIAN.find((path) => existsSync(path))
  if (debian) return { executablePath: debian, args: NO_NETWORK, source: 'debian' }
  let sparticuz: { executablePath(): Promise<string>; args: string[] }
  try {
    sparticuz = (await import('@sparticuz/chromium')).default
  } catch (cause) {
    throw new Error(
      'No Chromium found: set CHROMIUM_PATH, install the Debian chromium-headless-shell package, or run `npm ci` (@sparticuz/chromium).',
      { cause },
    )
  }
  const executablePath = await sparticuz.executablePath()
  const args = sparticuz.args.filter((arg) => !DROPPED.has(arg))
  return { executablePath, args: [...args, ...NO_NETWORK], source: '@sparticuz/chromium' }
}

/**
 * Launches headless Chromium. Playwright gives every launch a fresh temporary user-data-dir
 * (removed on close and on kill), so no state leaks between runs. Call `close()` in an
 * `afterAll`; Playwright also kills the browser if the test process exits first.
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  const binary = await findChromium()
  // launchServer, not launch: a server hands out its process, so a hung browser can be killed.
  const server = await playwright.launchServer({ executablePath: binary.executablePath, args: [...binary.args], headless: true })
  let browser: Browser
  try {
    browser = await playwright.connect(server.wsEndpoint())
  } catch (error) {
    await server.kill()
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    ...binary,
    browser,
    close: () => (closing ??= closeServer(browser, server)),
  }
}

/** Closes cleanly, or kills after CLOSE_TIMEOUT_MS. */
async function closeServer(browser: Browser, server: BrowserServer): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)
  })
  try {
    const clean = (async () => {
      await browser.close().catch(() => undefined)
      await server.close()
    })()
    if ((await Promise.race([clean, timeout])) === 'timeout') await server.kill()
  } catch {
    await server.kill().catch(() => undefined)
  } finally {
    clearTimeout(timer)
  }
}
