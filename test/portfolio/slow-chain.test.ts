/**
 * One slow or dead chain never slows another: the shared anvil (EVM) beside a Bitcoin adapter
 * whose Esplora accepts connections and never answers (a local black hole), or answers only
 * once told to (then it forwards to the local Esplora server). Orderings are asserted, never
 * durations: the EVM events arrive while the black hole still holds the Bitcoin requests open.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Portfolio, type PortfolioEvents, type PortfolioSnapshot } from 'coffer'
import { bitcoin } from 'coffer/bitcoin'
import { evm, type EvmAdapter } from 'coffer/evm'
import type { AccountSigner } from 'coffer/vault'
import { mintTokens } from '../support/anvil.js'
import { startEsplora, type EsploraServer } from '../support/esplora-server.js'
import { fixtureTokens, sharedAnvil, vaultSigners } from '../chains/evm/helpers.js'
import { vaultWith } from '../chains/bitcoin/helpers.js'
import { startBlackhole, type Blackhole } from './blackhole.js'

const BTC_CHAIN = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328'
const EVM_CHAIN = 'eip155:31337'
/** The step deadline here: far above an anvil step or a Bitcoin step through the forwarder, far below the black hole's patience. */
const CHAIN_TIMEOUT_MS = 5_000
/** A shorter one where only the anvil step must fit. */
const SHORT_TIMEOUT_MS = 2_500

let esplora: EsploraServer
let evmAdapter: EvmAdapter
let btcAccount: AccountSigner
let usdc: `eip155:31337/erc20:0x${string}`
const holes: Blackhole[] = []
const portfolios: Portfolio[] = []

beforeAll(async () => {
  const shared = sharedAnvil()
  esplora = await startEsplora({ network: 'regtest' })
  evmAdapter = evm({ chain: EVM_CHAIN, rpcUrls: [shared.url], tokens: fixtureTokens(shared.fixtures), retryCount: 0, timeoutMs: 10_000 })
  usdc = `${EVM_CHAIN}/erc20:${shared.fixtures.usdc.address.toLowerCase()}` as typeof usdc
  const { vault, id } = await vaultWith()
  btcAccount = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
  await esplora.fund(btcAccount.child(0, 0).address, 42_000n)
}, 60_000)

afterEach(async () => {
  await Promise.all(portfolios.splice(0).map((p) => p.stop()))
  await Promise.all(holes.splice(0).map((h) => h.stop()))
})

afterAll(async () => {
  await esplora?.stop()
})

/** A portfolio over a fresh EVM account and the Bitcoin account, the Bitcoin node behind a black hole. */
async function setup(chainTimeoutMs = CHAIN_TIMEOUT_MS) {
  const hole = await startBlackhole()
  holes.push(hole)
  // The Esplora client would wait two minutes per request: only the portfolio's deadline ends a step sooner.
  const btc = bitcoin({ network: 'regtest', esploraUrl: hole.url, esplora: { timeoutMs: 120_000, retryCount: 0 } })
  const { signers } = await vaultSigners(1)
  const address = signers[0]!.address as `0x${string}`
  const portfolio = new Portfolio({
    adapters: [evmAdapter, btc],
    accounts: [`${EVM_CHAIN}:${address}`, { chainId: BTC_CHAIN, descriptor: btcAccount.descriptor }],
    chainTimeoutMs,
  })
  portfolios.push(portfolio)
  const log: string[] = []
  const seen: { [K in keyof PortfolioEvents]: PortfolioEvents[K][] } = {
    change: [],
    incoming: [],
    outgoing: [],
    reorg: [],
    error: [],
    refresh: [],
  }
  for (const name of Object.keys(seen) as (keyof PortfolioEvents)[]) {
    portfolio.on(name, (e) => {
      ;(seen[name] as unknown[]).push(e)
      log.push(`${name}:${'chainId' in e && e.chainId ? e.chainId : ''}`)
    })
  }
  return { hole, portfolio, address, seen, log }
}

const chain = (s: PortfolioSnapshot | undefined, chainId: string) => s?.chains.find((c) => c.chainId === chainId)
const line = (s: PortfolioSnapshot | undefined, asset: string) => s?.balances.find((b) => b.asset === asset)
const mint = (to: `0x${string}`, amount: bigint) => mintTokens(sharedAnvil().url, sharedAnvil().fixtures.usdc.address, to, amount)

describe('Portfolio: one slow chain never delays another', () => {
  it('refresh(): a chain whose node never answers fails at its deadline (typed error, stale) while the other is fresh and reports at once', async () => {
    const { hole, portfolio, address, seen, log } = await setup(SHORT_TIMEOUT_MS)
    const first = await portfolio.refresh()
    expect(hole.answered).toBe(0)
    expect(chain(first, BTC_CHAIN)).toMatchObject({
      stale: true,
      error: { code: 'DEADLINE_EXCEEDED', details: { chainId: BTC_CHAIN, deadlineMs: SHORT_TIMEOUT_MS } },
    })
    expect(chain(first, BTC_CHAIN)?.blockHeight).toBeUndefined()
    expect(chain(first, EVM_CHAIN)).toMatchObject({ stale: false })
    expect(line(first, usdc)).toMatchObject({ amount: 0n, stale: false })
    expect(seen.error.map((e) => [e.chainId, e.error.code, e.error.name])).toEqual([
      [BTC_CHAIN, 'DEADLINE_EXCEEDED', 'DeadlineExceededError'],
    ])

    // A transfer to the EVM account: its event comes as soon as the EVM step is done, before the
    // Bitcoin step gives up, while the black hole still holds the Bitcoin requests open.
    await mint(address, 4_000_000n)
    log.length = 0
    let heldWhenIncoming = -1
    portfolio.once('incoming', () => (heldWhenIncoming = hole.open))
    const second = await portfolio.refresh()
    expect(log).toEqual([`incoming:${EVM_CHAIN}`, `change:${EVM_CHAIN}`, `error:${BTC_CHAIN}`, 'refresh:'])
    expect(heldWhenIncoming).toBeGreaterThan(0)
    expect(hole.answered).toBe(0)
    expect(line(second, usdc)).toMatchObject({ amount: 4_000_000n, stale: false })
    expect(chain(second, BTC_CHAIN)).toMatchObject({ stale: true, error: { code: 'DEADLINE_EXCEEDED' } })
    expect(second.totals.find((t) => t.family === 'USDC')).toMatchObject({ amount: 4_000_000n, stale: false })
  })

  it('watch(): EVM events arrive while the Bitcoin node has not answered; Bitcoin is marked stale, then recovers when its node answers', async () => {
    const { hole, portfolio, address, seen } = await setup()
    portfolio.watch({ intervalMs: 20, maxBackoffMs: 200 })
    // The EVM baseline is read while the first Bitcoin request hangs.
    await until(() => chain(portfolio.snapshot, EVM_CHAIN)?.blockHeight !== undefined && hole.open > 0)
    expect(hole.answered).toBe(0)

    const seenAtIncoming: { open: number; answered: number; btcStep: boolean }[] = []
    portfolio.on('incoming', () =>
      seenAtIncoming.push({
        open: hole.open,
        answered: hole.answered,
        btcStep: chain(portfolio.snapshot, BTC_CHAIN)?.blockHeight !== undefined,
      }),
    )
    await mint(address, 7_000_000n)
    await until(() => seen.incoming.length === 1)
    expect(seen.incoming[0]).toMatchObject({ chainId: EVM_CHAIN, asset: usdc, amount: 7_000_000n, direction: 'in' })
    // The Bitcoin requests were still open and unanswered, and no Bitcoin step had completed.
    expect(seenAtIncoming).toEqual([{ open: expect.any(Number), answered: 0, btcStep: false }])
    expect(seenAtIncoming[0]!.open).toBeGreaterThan(0)

    // At its deadline the Bitcoin step counts as failed: a typed error, the chain stale, EVM fresh.
    await until(() => seen.error.some((e) => e.chainId === BTC_CHAIN))
    const btcError = seen.error.find((e) => e.chainId === BTC_CHAIN)!
    expect(btcError.error).toMatchObject({ code: 'DEADLINE_EXCEEDED', details: { chainId: BTC_CHAIN, deadlineMs: CHAIN_TIMEOUT_MS } })
    await until(() => chain(portfolio.snapshot, BTC_CHAIN)?.stale === true)
    const during = portfolio.snapshot!
    expect(chain(during, BTC_CHAIN)).toMatchObject({ stale: true, error: { code: 'DEADLINE_EXCEEDED' } })
    expect(chain(during, EVM_CHAIN)).toMatchObject({ stale: false })
    expect(line(during, usdc)).toMatchObject({ amount: 7_000_000n, stale: false })
    expect(seen.error.every((e) => e.chainId === BTC_CHAIN)).toBe(true)

    // The node answers again: the next attempt (after its backoff) reads Bitcoin, and the chain is fresh.
    hole.answerFrom(esplora.url)
    await until(() => chain(portfolio.snapshot, BTC_CHAIN)?.stale === false)
    const after = portfolio.snapshot!
    expect(line(after, `${BTC_CHAIN}/slip44:1`)).toMatchObject({ amount: 42_000n, stale: false })
    expect(chain(after, EVM_CHAIN)).toMatchObject({ stale: false })
    expect(seen.incoming.filter((t) => t.chainId === EVM_CHAIN)).toHaveLength(1)
  })

  it('refresh() while watching waits for the slow chain, but never holds back the fast chain’s watch events', async () => {
    // A deadline the test never reaches: the Bitcoin step ends only when its node answers.
    const { hole, portfolio, address, seen } = await setup(600_000)
    portfolio.watch({ intervalMs: 20 })
    await until(() => chain(portfolio.snapshot, EVM_CHAIN)?.blockHeight !== undefined && hole.open > 0)

    let refreshed: PortfolioSnapshot | undefined
    const pending = portfolio.refresh().then((s) => (refreshed = s))
    const refreshDoneAtIncoming: boolean[] = []
    portfolio.on('incoming', () => refreshDoneAtIncoming.push(refreshed !== undefined))
    await mint(address, 3_000_000n)
    await until(() => seen.incoming.length === 1)
    expect(refreshDoneAtIncoming).toEqual([false])
    expect(hole.answered).toBe(0)

    hole.answerFrom(esplora.url)
    const snap = await pending
    expect(chain(snap, BTC_CHAIN)).toMatchObject({ stale: false })
    expect(line(snap, `${BTC_CHAIN}/slip44:1`)).toMatchObject({ amount: 42_000n })
    expect(line(snap, usdc)).toMatchObject({ amount: 3_000_000n, stale: false })
    expect(seen.error).toEqual([])
  })

  it('rejects bad deadlines and intervals with typed errors', () => {
    const accounts = [`${EVM_CHAIN}:0x0000000000000000000000000000000000000001`] as const
    expect(() => new Portfolio({ adapters: [evmAdapter], accounts, chainTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    const portfolio = new Portfolio({ adapters: [evmAdapter], accounts })
    expect(() => portfolio.watch({ chainIntervalMs: { 'eip155:1': 1_000 } })).toThrow(/no adapter serves it/)
    expect(() => portfolio.watch({ chainIntervalMs: { [EVM_CHAIN]: 1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => portfolio.watch({ maxBackoffMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(portfolio.watching).toBe(false)
  })
})

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}
