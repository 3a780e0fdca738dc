/**
 * The Portfolio over TRON accounts on a local chain (coffer/testing's startLocalTron; blocks come
 * only from mine(), balances are read at the head). Balances come from the adapter; every
 * expected amount is what the local chain's ledger (TRX) and its anvil (USDT) hold. Transfers are
 * found by the adapter's scan (`capabilities.transfers`: TronGrid's account lists, TRC-20
 * Transfer logs from the receipts). A scan that includes TRX is never `complete` (fees, and TRX
 * moved by contracts, move sun without a TransferContract); the tracker re-reads the accounts a
 * transfer touched, and every balance on its periodic full read (`fullRefreshBlocks`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Portfolio, Wallet, type AccountId, type PortfolioEvents, type PortfolioSnapshot } from 'coffer'
import { tron, type TronAdapter } from 'coffer/tron'
import { startLocalTron, type LocalTron, type LocalTronFunding } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

let trx: LocalTron
let adapter: TronAdapter
let USDT: string

beforeAll(async () => {
  trx = await startLocalTron({ tokens: ['USDT'] })
  adapter = tron({ chain: trx.chainId, apiUrls: [trx.apiUrl], tokens: trx.adapterTokens })
  USDT = `${trx.chainId}/trc20:${trx.adapterTokens[0]!.address}`
}, 120_000)

afterAll(async () => {
  await trx?.stop()
})

/** A new wallet on the local chain, its account 0 funded. */
async function fundedWallet(funding: LocalTronFunding = { TRX: '100', USDT: '100' }, on: TronAdapter = adapter) {
  const wallet = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [on] })
  const address = wallet.accounts()[0]!.address
  await trx.fund(address, funding)
  return { wallet, address }
}

/** Collects every event of a portfolio (or wallet). */
function record(source: { on: Portfolio['on'] }) {
  const seen: { [K in keyof PortfolioEvents]: PortfolioEvents[K][] } = {
    change: [],
    incoming: [],
    outgoing: [],
    reorg: [],
    error: [],
    refresh: [],
  }
  for (const name of Object.keys(seen) as (keyof PortfolioEvents)[]) source.on(name, (e) => (seen[name] as unknown[]).push(e))
  return seen
}

const line = (s: PortfolioSnapshot, account: string, asset: string) => s.balances.find((x) => x.account === account && x.asset === asset)

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Portfolio on TRON', () => {
  it('snapshots TRX and USDT of every account, with family totals across accounts', async () => {
    const { wallet, address } = await fundedWallet({ TRX: '150', USDT: '100' })
    const second = await wallet.account(trx.chainId, { index: 1 })
    await trx.fund(second.address, { TRX: '25', USDT: '0.5' })
    const snap = await wallet.portfolio().refresh()

    expect(snap.chains).toEqual([expect.objectContaining({ chainId: trx.chainId, stale: false })])
    expect(snap.chains[0]!.blockHeight).toBe(trx.head().number)
    expect(snap.balances.map((b) => [b.account, b.symbol, b.amount])).toEqual([
      [address, 'TRX', 150_000_000n],
      [address, 'USDT', 100_000_000n],
      [second.address, 'TRX', 25_000_000n],
      [second.address, 'USDT', 500_000n],
    ])
    expect(line(snap, address, trx.nativeAsset)).toMatchObject({ decimals: 6, family: 'TRX', confirmed: 150_000_000n, pending: 0n })
    expect(line(snap, address, USDT)).toMatchObject({ decimals: 6, family: 'USDT', stale: false })
    // What the chain holds, read independently of the adapter.
    expect(trx.balanceOf(address)).toBe(150_000_000n)
    expect(await trx.tokenBalanceOf(second.address, 'USDT')).toBe(500_000n)

    expect(snap.totals.find((t) => t.family === 'USDT')).toMatchObject({
      amount: 100_500_000n,
      decimals: 6,
      testnet: true, // a chain coffer does not know is a test network
      chains: [trx.chainId],
      assets: [USDT],
    })
    expect(snap.totals.find((t) => t.family === 'TRX')).toMatchObject({ amount: 175_000_000n, decimals: 6 })
    await wallet.close()
  })

  it('watch() reports incoming USDT and TRX transfers once (from the transfer scan), and the payment out of the account', async () => {
    // An adapter of its own, whose scans are recorded.
    const watched = tron({ chain: trx.chainId, apiUrls: [trx.apiUrl], tokens: trx.adapterTokens })
    const scans: { fromBlock: number; toBlock: number; complete: boolean; found: number }[] = []
    const getTransfers = watched.getTransfers.bind(watched)
    watched.getTransfers = async (p) => {
      const scan = await getTransfers(p)
      scans.push({ fromBlock: p.fromBlock, toBlock: p.toBlock, complete: scan.complete, found: scan.transfers.length })
      return scan
    }
    const { wallet, address } = await fundedWallet({ TRX: '100', USDT: '100' }, watched)
    const payer = await fundedWallet({ TRX: '100', USDT: '50' })
    const events = record(wallet)
    const portfolio = wallet.portfolio()
    try {
      portfolio.watch({ intervalMs: 20 })
      await until(() => events.refresh.length >= 1)

      const hash = await payer.wallet.send(await payer.wallet.quote({ to: address, asset: 'USDT', amount: '7' }))
      await trx.mine()
      await until(() => events.incoming.length >= 1)
      expect(events.incoming).toEqual([
        expect.objectContaining({
          chainId: trx.chainId,
          account: address,
          asset: USDT,
          symbol: 'USDT',
          direction: 'in',
          amount: 7_000_000n,
          from: payer.address,
          to: address,
          hash,
        }),
      ])
      await until(() => events.change.length >= 1)
      // The USDT balance moved, explained by the transfer; TRX did not (the payer paid the energy).
      expect(events.change.map((c) => [c.account, c.asset, c.delta, c.transfers.map((t) => t.hash)])).toEqual([
        [address, USDT, 7_000_000n, [hash]],
      ])
      expect(await trx.tokenBalanceOf(address, 'USDT')).toBe(107_000_000n)
      expect(line(portfolio.snapshot!, address, USDT)?.amount).toBe(107_000_000n)

      // TRX in: a TransferContract.
      const trxHash = await payer.wallet.send(await payer.wallet.quote({ to: address, asset: 'TRX', amount: '3' }))
      await trx.mine()
      await until(() => events.incoming.length >= 2 && events.change.length >= 2)
      expect(events.incoming[1]).toMatchObject({
        asset: trx.nativeAsset,
        symbol: 'TRX',
        amount: 3_000_000n,
        hash: trxHash,
        direction: 'in',
      })
      expect(events.change[1]).toMatchObject({ account: address, asset: trx.nativeAsset, delta: 3_000_000n })
      expect(trx.balanceOf(address)).toBe(103_000_000n)
      // The scans that found them included TRX, so they did not claim to be complete.
      expect(scans.filter((s) => s.found > 0)).toEqual([
        expect.objectContaining({ complete: false }),
        expect.objectContaining({ complete: false }),
      ])

      // Paying out: one outgoing event; the touched account is re-read whole (USDT and the TRX burned).
      const sunBefore = trx.balanceOf(address)
      const out = await wallet.send(await wallet.quote({ to: payer.address, asset: 'USDT', amount: '2' }))
      await trx.mine()
      await until(() => events.outgoing.length >= 1 && events.change.length >= 4)
      const fee = sunBefore - trx.balanceOf(address)
      expect(fee).toBeGreaterThan(0n)
      expect(events.outgoing.map((t) => [t.hash, t.amount, t.to, t.direction])).toEqual([[out, 2_000_000n, payer.address, 'out']])
      expect(events.change.slice(2).map((c) => [c.asset, c.delta])).toEqual(
        expect.arrayContaining([
          [USDT, -2_000_000n],
          [trx.nativeAsset, -fee],
        ]),
      )

      // More blocks, more steps (past a periodic full read): no transfer is reported again.
      const steps = events.refresh.length
      await trx.mine(25)
      await until(() => events.refresh.length >= steps + 3 && portfolio.snapshot!.chains[0]!.blockHeight === trx.head().number)
      expect(events.incoming).toHaveLength(2)
      expect(events.outgoing).toHaveLength(1)
      expect(events.error).toEqual([])
      expect(events.reorg).toEqual([])
      expect(line(portfolio.snapshot!, address, USDT)?.amount).toBe(await trx.tokenBalanceOf(address, 'USDT'))
      expect(line(portfolio.snapshot!, address, trx.nativeAsset)?.amount).toBe(trx.balanceOf(address))
    } finally {
      await wallet.close()
      await payer.wallet.close()
    }
  })

  it('a TRX payment from the faucet and a USDT mint are found by the scan; totals follow on refresh()', async () => {
    const { wallet, address } = await fundedWallet()
    await wallet.close()
    const portfolio = new Portfolio({
      adapters: [adapter],
      accounts: [`${trx.chainId}:${address}` as AccountId],
      fullRefreshBlocks: 3,
    })
    const events = record(portfolio)
    await portfolio.refresh()

    await trx.fund(address, { TRX: '0.5' })
    let snap = await portfolio.refresh()
    expect(events.incoming.map((t) => [t.asset, t.amount, t.to])).toEqual([[trx.nativeAsset, 500_000n, address]])
    expect(line(snap, address, trx.nativeAsset)?.amount).toBe(100_500_000n)

    // The local USDT's mint emits a Transfer from the zero address: an incoming transfer too.
    await trx.fund(address, { USDT: '5' })
    snap = await portfolio.refresh()
    expect(await trx.tokenBalanceOf(address, 'USDT')).toBe(105_000_000n)
    expect(line(snap, address, USDT)?.amount).toBe(105_000_000n)
    expect(events.incoming.slice(1).map((t) => [t.asset, t.amount, t.from, t.to])).toEqual([
      [USDT, 5_000_000n, 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb', address], // the zero address, base58
    ])
    expect(events.change.map((c) => [c.asset, c.delta])).toEqual([
      [trx.nativeAsset, 500_000n],
      [USDT, 5_000_000n],
    ])
    await portfolio.stop()
  })

  // Portfolio.toCSV reads pages of 1,000; TronGrid lists 200 at most per request. The adapter
  // takes any limit up to 1,000 (as every adapter does) and returns a shorter page with a cursor.
  it('exports a TRON account with more than 200 transfers to CSV, every one once', async () => {
    const { wallet, address } = await fundedWallet({ TRX: '10' })
    await wallet.close()
    for (let i = 0; i < 220; i++) await trx.fund(address, { TRX: 1n })
    const page = await adapter.getHistory(address, { limit: 1000 })
    expect(page.items).toHaveLength(200)
    expect(page.cursor).toBeDefined()
    const portfolio = new Portfolio({ adapters: [adapter], accounts: [`${trx.chainId}:${address}` as AccountId] })
    const rows = (await portfolio.toCSV()).trim().split('\n')
    expect(rows).toHaveLength(1 + 221) // the header, the first payment of 10 TRX and 220 of 1 sun
    expect(new Set(rows.slice(1).map((r) => r.split(',').find((c) => /^[0-9a-f]{64}$/.test(c)))).size).toBe(221)
    await portfolio.stop()
  }, 120_000)
})
