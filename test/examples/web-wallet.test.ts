/**
 * examples/web-wallet, clicked through in Chromium: create a wallet (back up and confirm the
 * phrase) → accounts on EVM, Solana, TRON and Bitcoin regtest, each with a QR code → fund them
 * from the dev faucet (the portfolio's fiat total counts all four chains, read through the
 * page's gateway) → send 25 USDC to the wallet's second EVM account (quote,
 * policy, confirm dialog, confirmed) → the incoming transfer shows on that account → a send
 * over the daily limit is refused with its rule → the audit journal verifies → lock / unlock →
 * CSV download. Balances are also read on chain from Node. Screenshots go to
 * test-results/web-wallet/ (gitignored); the one after the send is docs/images/web-wallet.png
 * (written when missing, or with WEB_WALLET_SCREENSHOT=1).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evm } from 'coffer/evm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebWallet, type WebWallet } from '../../examples/web-wallet/server.js'
import { launchChromium, type LaunchedChromium } from '../support/chromium.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT = join(ROOT, 'test-results', 'web-wallet')
const PASSWORD = 'correct horse battery staple'

describe('examples/web-wallet', () => {
  let server: WebWallet
  let chromium: LaunchedChromium
  let page: Page
  const pageErrors: string[] = []
  let shots = 0
  /** The first test's wallet: its phrase and its Main address. */
  let words: string[] = []
  let main = ''

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true })
    server = await startWebWallet()
    chromium = await launchChromium()
    const context = await chromium.browser.newContext({ viewport: { width: 1000, height: 900 } })
    page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)))
  }, 120_000)

  afterAll(async () => {
    await chromium?.close()
    await server?.stop()
  }, 30_000)

  /** A full-page screenshot under test-results/web-wallet/; returns its path. */
  async function shot(name: string): Promise<string> {
    const path = join(OUT, `${String(++shots).padStart(2, '0')}-${name}.png`)
    await page.screenshot({ path, fullPage: true })
    console.log(`screenshot: ${path}`)
    return path
  }

  const text = async (selector: string) => (await page.textContent(selector)) ?? ''
  /** Waits until `selector`'s text contains `expected`. */
  const waitForText = (selector: string, expected: string) =>
    expect.poll(() => text(selector), { timeout: 30_000, interval: 100 }).toContain(expected)

  /** On-chain USDC balances (base units) of `addresses`, read from Node. */
  async function usdcOnChain(addresses: string[]): Promise<bigint[]> {
    const chain = server.chain
    const adapter = evm({ chain: chain.chain, rpcUrls: [chain.rpcUrl], tokens: chain.adapterTokens })
    const reads = await adapter.getBalances({ addresses, assets: [chain.tokens.USDC.assetId] })
    return addresses.map((address) => {
      const read = reads.find((r) => r.address === address)
      if (!read?.ok) throw new Error(`no USDC balance for ${address}`)
      return read.amount
    })
  }

  it('creates, funds, sends USDC to the second account, refuses over the limit, verifies the journal', async () => {
    await page.goto(server.url)

    // Create, with a daily USDC limit of 100.
    await page.locator('#onboard').waitFor()
    await page.fill('#new-password', PASSWORD)
    await page.fill('#usdc-limit', '100')
    await shot('create')
    await page.click('#create')

    // The phrase, shown once; then two of its words.
    await page.locator('#phrase li').nth(11).waitFor()
    words = await page.locator('#phrase li').allTextContents()
    expect(words).toHaveLength(12)
    await shot('phrase')
    await page.click('#backup-written')
    expect(await page.locator('#phrase li').count()).toBe(0)
    const wordAt = async (label: string) => words[Number(/#(\d+)/.exec(await text(label))![1]) - 1]!
    const [a, b] = [await wordAt('#word-a-label'), await wordAt('#word-b-label')]
    await page.fill('#word-a', b === a ? 'wrong' : b)
    await page.fill('#word-b', a)
    await page.click('#backup-confirm')
    await waitForText('#backup-error', 'do not match')
    await page.fill('#word-a', a)
    await page.fill('#word-b', b)
    await page.click('#backup-confirm')
    await page.locator('#wallet').waitFor()

    // Accounts on every chain (two on EVM), each with a QR code: a payment URI where the scheme can
    // name the network (ethereum:, bitcoin:), the address where it cannot (Solana Pay, tron: are mainnet-only).
    const { chains } = server
    const accounts = page.locator('#accounts .account')
    await accounts.nth(4).waitFor()
    const rows = await accounts.evaluateAll((els) =>
      els.map((el) => ({ chain: el.getAttribute('data-chain'), address: el.getAttribute('data-address'), text: el.textContent })),
    )
    expect(rows.map((r) => r.chain)).toEqual([
      chains.evm.chainId,
      chains.evm.chainId,
      chains.solana.chainId,
      chains.tron.chainId,
      chains.bitcoin.chainId,
    ])
    main = rows[0]!.address!
    const savings = rows[1]!.address!
    expect(main).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(rows[1]!.text).toContain('Savings')
    expect(rows[2]!.address).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/)
    expect(rows[3]!.address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/)
    expect(rows[4]!.address).toMatch(/^bcrt1q[0-9a-z]{38}$/)
    expect(rows[0]!.text).toMatch(new RegExp(`ethereum:0x[0-9a-fA-F]{40}@\\d+/transfer\\?address=${main}`)) // EIP-681: USDC to Main
    expect(rows[4]!.text).toContain(`bitcoin:${rows[4]!.address}`)
    expect(await page.locator('#accounts .qr svg').count()).toBe(5)
    await waitForText('#journal-state', 'Journal verified')

    // Faucet (dev only), then the portfolio updates by itself, all four chains at the demo prices:
    // 1 ETH + 1000 USDC + 1000 USDT, 1 SOL + 500 USDC, 100 TRX + 500 USDT, 0.01 BTC = $7075.
    await page.click('#faucet')
    await waitForText('#faucet-state', 'Funded')
    await waitForText('#total', '$7075.00')
    await waitForText('#totals', '1500') // USDC by family: 1000 on EVM + 500 on Solana
    for (const name of ['EVM', 'Solana', 'TRON', 'Bitcoin regtest']) await waitForText('#balances', name)
    expect(await usdcOnChain([main, savings])).toEqual([1_000_000_000n, 0n])
    expect(chains.tron.balanceOf(rows[3]!.address!)).toBe(100_000_000n)
    await shot('funded')

    // Send 25 USDC to Savings: quote (fee in words), the policy, the confirm dialog, confirmed.
    await page.selectOption('#send-asset', { label: 'USDC · EVM' })
    await page.selectOption('#send-from', main)
    await page.fill('#send-to', savings)
    await page.fill('#send-amount', '25')
    await page.click('#quote')
    await waitForText('#quote-text', 'Network fee')
    expect(await text('#policy-text')).toContain('USDC at most 100 per day')
    await shot('quote')
    await page.click('#send')
    await page.locator('#confirm').waitFor()
    expect(await text('#confirm-policy')).toContain('Allowed by the policy')
    await shot('confirm')
    await page.click('#confirm-yes')
    await waitForText('#send-state', 'confirmed')

    // The incoming transfer on the second account, live.
    await waitForText('#activity', 'Received 25 USDC — Savings')
    await waitForText('#balances', '975')
    expect(await usdcOnChain([main, savings])).toEqual([975_000_000n, 25_000_000n])
    await waitForText('#history', '25 USDC')
    const sent = await shot('sent')
    // The README's picture: written when missing, or on request (WEB_WALLET_SCREENSHOT=1), so a test run leaves git clean.
    const readmeImage = join(ROOT, 'docs', 'images', 'web-wallet.png')
    if (!existsSync(readmeImage) || process.env.WEB_WALLET_SCREENSHOT === '1') copyFileSync(sent, readmeImage)

    // Over the daily limit (25 + 200 > 100): refused, with the rule, nothing signed.
    await page.fill('#send-amount', '200')
    await page.click('#quote')
    await waitForText('#quote-text', 'Send 200 USDC')
    await page.click('#send')
    await waitForText('#send-state', 'Rule "perWindow"')
    expect(await text('#send-state')).toContain('Nothing was signed')
    expect(await usdcOnChain([main, savings])).toEqual([975_000_000n, 25_000_000n])
    await shot('refused')

    // The journal: the send and the refusal, verified.
    await page.click('#journal-verify')
    await waitForText('#journal-state', 'Journal verified')
    await waitForText('#journal-entries', 'refused')
    await shot('journal')

    // History as CSV.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#csv')])
    const csvPath = join(OUT, 'history.csv')
    await csv.saveAs(csvPath)
    const csvText = readFileSync(csvPath, 'utf8')
    expect(csvText.split('\n')[0]).toContain('date')
    expect(csvText).toContain('25')

    // Lock, then unlock.
    await page.click('#lock')
    await page.locator('#unlock').waitFor()
    expect(await page.locator('#send-card').isHidden()).toBe(true)
    await shot('locked')
    await page.fill('#password', PASSWORD)
    await page.click('#unlock-button')
    await page.locator('#send-card').waitFor()
    await waitForText('#lock-state', 'Unlocked')

    expect(pageErrors).toEqual([])
    expect(await page.locator('#error').isHidden()).toBe(true)
  }, 180_000)

  it('opens the stored wallet locked after a reload, and restores from the phrase in a fresh browser', async () => {
    expect(words).toHaveLength(12)
    await page.reload()
    await page.locator('#unlock').waitFor()
    await page.fill('#password', PASSWORD)
    await page.click('#unlock-button')
    await waitForText('#accounts', main)

    const context = await chromium.browser.newContext({ viewport: { width: 1000, height: 900 } })
    try {
      const fresh = await context.newPage()
      fresh.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)))
      await fresh.goto(server.url)
      await fresh.locator('#onboard').waitFor()
      await fresh.fill('#new-password', 'another password')
      await fresh.fill('#restore-phrase', words.join(' '))
      await fresh.click('#create')
      await fresh.locator('#wallet').waitFor()
      expect(await fresh.locator('#accounts .account').nth(0).getAttribute('data-address')).toBe(main)
      // The same account, so the same balances (read from the chain).
      await expect.poll(async () => (await fresh.textContent('#balances')) ?? '', { timeout: 30_000 }).toContain('975')
    } finally {
      await context.close()
    }
    expect(pageErrors).toEqual([])
  }, 120_000)
})
