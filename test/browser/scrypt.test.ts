/**
 * scrypt in a Web Worker, in real headless Chromium (test/browser/pages/scrypt.ts, through the
 * built package): a scrypt vault (N = 2^17, r = 8, p = 1, the default) unlocks while the page's
 * main thread stays responsive. No absolute timings: the longest main-thread gap is compared
 * with the unlock's own duration, and a run with `Worker` removed (coffer's fallback to
 * @noble/hashes on the main thread) shows that the measurement does see a frozen page. Under a
 * CSP of `worker-src 'none'`, Chromium constructs the Worker and then fires `error`: coffer falls
 * back to the main thread and the unlock still succeeds.
 */
import type { BrowserContext } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { callPage, useBrowser } from '../support/browser-page.js'

const PASSWORD = 'correct horse battery staple'
const SCRYPT = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const

interface Unlock {
  locked: boolean
  totalMs: number
  longestGapMs: number
  longestTaskMs: number
  workers: number
}

const browser = useBrowser()
const contexts: BrowserContext[] = []
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)))
})

describe('scrypt in Chromium', () => {
  it('unlocks a scrypt vault in a Web Worker: the main thread never stalls for long', async () => {
    const page = await browser.open('scrypt')
    expect(await callPage(page, 'hasWorker')).toBe(true)
    await callPage(page, 'create', PASSWORD, SCRYPT)
    const unlock = await callPage<Unlock>(page, 'unlock', PASSWORD)
    expect(unlock.locked).toBe(false)
    expect(unlock.workers).toBe(1)
    expect(unlock.longestGapMs).toBeLessThan(unlock.totalMs / 3)
    expect(unlock.longestTaskMs).toBeLessThan(unlock.totalMs / 3)
    await expect(callPage(page, 'unlock', 'not the password')).rejects.toMatchObject({ name: 'WrongPasswordError' })
  }, 120_000)

  it('without Worker (the fallback), the same unlock freezes the main thread: the measurement sees it', async () => {
    const context = await browser.browser.newContext()
    contexts.push(context)
    await context.addInitScript(() => {
      delete (globalThis as { Worker?: unknown }).Worker
    })
    const page = await browser.open('scrypt', context)
    expect(await callPage(page, 'hasWorker')).toBe(false)
    await callPage(page, 'create', PASSWORD, SCRYPT)
    const unlock = await callPage<Unlock>(page, 'unlock', PASSWORD)
    expect(unlock.locked).toBe(false)
    expect(unlock.workers).toBe(0)
    expect(unlock.longestGapMs).toBeGreaterThan(unlock.totalMs / 2)
  }, 120_000)

  it("under a CSP that refuses blob: workers (worker-src 'none'), it falls back and still unlocks", async () => {
    const context = await browser.browser.newContext()
    contexts.push(context)
    await context.route('**/scrypt/', async (route) => {
      const response = await route.fetch()
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "worker-src 'none'" } })
    })
    const page = await browser.open('scrypt', context)
    expect(await callPage(page, 'hasWorker')).toBe(true)
    await callPage(page, 'create', PASSWORD, SCRYPT)
    const unlock = await callPage<Unlock>(page, 'unlock', PASSWORD)
    expect(unlock.locked).toBe(false)
    expect(unlock.longestGapMs).toBeGreaterThan(unlock.totalMs / 2)
  }, 120_000)
})
