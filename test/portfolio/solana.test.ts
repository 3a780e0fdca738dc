/**
 * The Portfolio over Solana accounts on a local cluster (coffer/testing's startLocalSolana;
 * slots advance only on mine(), reads are at `confirmed`, one slot behind). Balances come from
 * the adapter; every expected amount is what the cluster's ledger holds. Transfers are found by
 * the adapter's scan (`capabilities.transfers`): System and token transfer instructions. A scan
 * that includes SOL is never `complete` (fees, rent and program payouts move lamports without a
 * transfer instruction); the tracker does not act on that flag per step: it re-reads the
 * accounts a transfer touched, and every balance on its periodic full read (`fullRefreshBlocks`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Portfolio, Wallet, type AccountId, type PortfolioEvents, type PortfolioSnapshot } from 'coffer'
import { solana, type SolanaAdapter } from 'coffer/solana'
import { startLocalSolana, type LocalSolana } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

let sol: LocalSolana
let adapter: SolanaAdapter
let USDC: string

beforeAll(async () => {
  sol = await startLocalSolana({ tokens: ['USDC'] })
  adapter = solana({ chain: sol.chainId, rpcUrls: [sol.rpcUrl], tokens: sol.adapterTokens })
  USDC = `${sol.chainId}/token:${sol.adapterTokens[0]!.mint}`
}, 60_000)

afterAll(async () => {
  await sol?.stop()
})

/** A new wallet on the local cluster, its account 0 funded. */
async function fundedWallet(funding: Parameters<LocalSolana['fund']>[1] = { SOL: '1', USDC: '100' }, on: SolanaAdapter = adapter) {
  const wallet = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [on] })
  const address = wallet.accounts()[0]!.address
  await sol.fund(address, funding)
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

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Portfolio on Solana', () => {
  it('snapshots SOL and USDC of every account, with family totals across accounts', async () => {
    const { wallet, address } = await fundedWallet({ SOL: '1.5', USDC: '100' })
    const second = await wallet.account(sol.chainId, { index: 1 })
    await sol.fund(second.address, { SOL: '0.25', USDC: '0.5' })
    const snap = await wallet.portfolio().refresh()

    expect(snap.chains).toEqual([expect.objectContaining({ chainId: sol.chainId, stale: false })])
    expect(snap.chains[0]!.blockHeight).toBe(sol.slot() - 1) // confirmed: one slot behind the processed one
    expect(snap.balances.map((b) => [b.account, b.symbol, b.amount])).toEqual([
      [address, 'SOL', 1_500_000_000n],
      [address, 'USDC', 100_000_000n],
      [second.address, 'SOL', 250_000_000n],
      [second.address, 'USDC', 500_000n],
    ])
    expect(line(snap, address, sol.nativeAsset)).toMatchObject({ decimals: 9, family: 'SOL', confirmed: 1_500_000_000n, pending: 0n })
    expect(line(snap, address, USDC)).toMatchObject({ decimals: 6, family: 'USDC', stale: false })
    // What the cluster holds, read independently of the adapter.
    expect(sol.balanceOf(address)).toBe(1_500_000_000n)
    expect(sol.tokenBalanceOf(second.address, 'USDC')).toBe(500_000n)

    expect(snap.totals.find((t) => t.family === 'USDC')).toMatchObject({
      amount: 100_500_000n,
      decimals: 6,
      testnet: true, // a cluster coffer does not know is a test network
      chains: [sol.chainId],
      assets: [USDC],
    })
    expect(snap.totals.find((t) => t.family === 'SOL')).toMatchObject({ amount: 1_750_000_000n, decimals: 9 })
    await wallet.close()
  })

  it('watch() reports an incoming USDC transfer once (from the transfer scan), and the payment out of the account', async () => {
    // An adapter of its own, whose scans are recorded.
    const watched = solana({ chain: sol.chainId, rpcUrls: [sol.rpcUrl], tokens: sol.adapterTokens })
    const scans: { fromBlock: number; toBlock: number; complete: boolean; found: number }[] = []
    const getTransfers = watched.getTransfers.bind(watched)
    watched.getTransfers = async (p) => {
      const scan = await getTransfers(p)
      scans.push({ fromBlock: p.fromBlock, toBlock: p.toBlock, complete: scan.complete, found: scan.transfers.length })
      return scan
    }
    const { wallet, address } = await fundedWallet({ SOL: '1', USDC: '100' }, watched)
    const payer = await fundedWallet({ SOL: '1', USDC: '50' })
    const events = record(wallet)
    const portfolio = wallet.portfolio()
    try {
      portfolio.watch({ intervalMs: 20 })
      await until(() => events.refresh.length >= 1)

      const hash = await payer.wallet.send(await payer.wallet.quote({ to: address, asset: 'USDC', amount: '7' }))
      await sol.mine()
      await until(() => events.incoming.length >= 1)
      expect(events.incoming).toEqual([
        expect.objectContaining({
          chainId: sol.chainId,
          account: address,
          asset: USDC,
          symbol: 'USDC',
          direction: 'in',
          amount: 7_000_000n,
          from: payer.address,
          to: address,
          hash,
        }),
      ])
      await until(() => events.change.length >= 1)
      // The USDC balance moved, explained by the transfer; SOL did not (the payer paid the fee).
      expect(events.change.map((c) => [c.account, c.asset, c.delta, c.transfers.map((t) => t.hash)])).toEqual([
        [address, USDC, 7_000_000n, [hash]],
      ])
      expect(sol.tokenBalanceOf(address, 'USDC')).toBe(107_000_000n)
      expect(line(portfolio.snapshot!, address, USDC)?.amount).toBe(107_000_000n)
      // The scan that found it included SOL, so it did not claim to be complete.
      expect(scans.filter((s) => s.found > 0)).toEqual([expect.objectContaining({ complete: false })])

      // Paying out: one outgoing event; the touched account is re-read whole (USDC and the SOL fee).
      const solBefore = sol.balanceOf(address)
      const out = await wallet.send(await wallet.quote({ to: payer.address, asset: 'USDC', amount: '2' }))
      await sol.mine()
      await until(() => events.outgoing.length >= 1 && events.change.length >= 3)
      const fee = solBefore - sol.balanceOf(address)
      expect(fee).toBeGreaterThan(0n)
      expect(events.outgoing.map((t) => [t.hash, t.amount, t.to, t.direction])).toEqual([[out, 2_000_000n, payer.address, 'out']])
      expect(events.change.slice(1).map((c) => [c.asset, c.delta])).toEqual(
        expect.arrayContaining([
          [USDC, -2_000_000n],
          [sol.nativeAsset, -fee],
        ]),
      )

      // More slots, more steps (past a periodic full read): neither transfer is reported again.
      const steps = events.refresh.length
      await sol.mine(25)
      await until(() => events.refresh.length >= steps + 3 && portfolio.snapshot!.chains[0]!.blockHeight === sol.slot() - 1)
      expect(events.incoming).toHaveLength(1)
      expect(events.outgoing).toHaveLength(1)
      expect(events.error).toEqual([])
      expect(events.reorg).toEqual([])
    } finally {
      await wallet.close()
      await payer.wallet.close()
    }
  })

  it('a mint is no transfer: no incoming event, and the balance change shows on the periodic full read', async () => {
    const { wallet, address } = await fundedWallet()
    await wallet.close()
    const portfolio = new Portfolio({
      adapters: [adapter],
      accounts: [`${sol.chainId}:${address}` as AccountId],
      fullRefreshBlocks: 3,
    })
    const events = record(portfolio)
    await portfolio.refresh()

    // MintTo (and its slot) lands: the scan of that slot lists no transfer, so no account is re-read yet.
    await sol.fund(address, { USDC: '5' })
    let snap = await portfolio.refresh()
    expect(sol.tokenBalanceOf(address, 'USDC')).toBe(105_000_000n)
    expect(events.change).toEqual([])
    expect(line(snap, address, USDC)?.amount).toBe(100_000_000n)

    // The periodic full read (3 slots after the last one) reads every balance.
    await sol.mine(2)
    snap = await portfolio.refresh()
    expect(line(snap, address, USDC)?.amount).toBe(105_000_000n)
    expect(events.change.map((c) => [c.asset, c.delta, c.transfers])).toEqual([[USDC, 5_000_000n, []]])
    expect(events.incoming).toEqual([])

    // A SOL payment from the faucet is a System transfer: the scan finds it at once.
    await sol.fund(address, { SOL: '0.5' })
    snap = await portfolio.refresh()
    expect(events.incoming.map((t) => [t.asset, t.amount, t.to])).toEqual([[sol.nativeAsset, 500_000_000n, address]])
    expect(line(snap, address, sol.nativeAsset)?.amount).toBe(1_500_000_000n)
    await portfolio.stop()
  })
})
