/**
 * Unverified tokens in the portfolio, on the shared anvil: a second "Tether USD" / "USDT"
 * contract is deployed (an airdrop look-alike the adapter was never configured with) beside the
 * configured USDT fixture (family "USDT"). Followed by id, it shows everywhere flagged
 * `unverified`, labelled by its address, never in the USDT total, never priced; not followed,
 * it never shows at all.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import {
  Portfolio,
  fixedPrices,
  parseHistoryCsv,
  type AssetInfo,
  type ChainAdapter,
  type PortfolioEvents,
  type PortfolioSnapshot,
} from 'coffer'
import { evm, type EvmAdapter } from 'coffer/evm'
import { memoryStorage } from 'coffer/vault'
import { deployToken, mintTokens } from '../support/anvil.js'
import { fixtureTokens, sharedAnvil, vaultSigners } from '../chains/evm/helpers.js'

const CHAIN = 'eip155:31337'
const ETH = `${CHAIN}/slip44:60` as const

let adapter: EvmAdapter
let fake: Address
let realUsdt: `${typeof CHAIN}/erc20:${string}`
let fakeUsdt: `${typeof CHAIN}/erc20:${string}`

beforeAll(async () => {
  const { url, fixtures } = sharedAnvil()
  adapter = evm({ chain: CHAIN, rpcUrls: [url], tokens: fixtureTokens(fixtures), retryCount: 0 })
  // The fixture USDT's own code, name and symbol: only the address differs.
  fake = (await deployToken(url, 'Tether USD', 'USDT', 6, 'NoReturnToken')).address
  realUsdt = `${CHAIN}/erc20:${fixtures.usdt.address.toLowerCase()}`
  fakeUsdt = `${CHAIN}/erc20:${fake.toLowerCase()}`
}, 60_000)

function record(portfolio: Portfolio) {
  const seen: { [K in keyof PortfolioEvents]: PortfolioEvents[K][] } = {
    change: [],
    incoming: [],
    outgoing: [],
    reorg: [],
    error: [],
    refresh: [],
  }
  for (const name of Object.keys(seen) as (keyof PortfolioEvents)[]) portfolio.on(name, (e) => (seen[name] as unknown[]).push(e))
  return seen
}

const line = (s: PortfolioSnapshot, asset: string) => s.balances.find((b) => b.asset === asset)

/** A fresh account holding 10 real USDT and a million look-alike "USDT". */
async function holder(): Promise<Address> {
  const { url, fixtures } = sharedAnvil()
  const { signers } = await vaultSigners(1)
  const address = signers[0]!.address as Address
  await mintTokens(url, fixtures.usdt.address, address, 10_000_000n)
  await mintTokens(url, fake, address, 1_000_000_000_000n)
  return address
}

/** Every shape the portfolio shows an asset in, flattened to what the user would read. */
function expectFlagged(shown: { asset: string; symbol: string; unverified?: boolean; family?: string }): void {
  if (shown.asset === fakeUsdt) {
    expect(shown).toMatchObject({ unverified: true, symbol: `${fake.toLowerCase().slice(0, 6)}…${fake.toLowerCase().slice(-4)}` })
    expect(shown.family).toBeUndefined()
  } else {
    expect(shown).not.toHaveProperty('unverified')
  }
  expect(shown.symbol === 'USDT' && shown.unverified === true).toBe(false)
}

describe('Portfolio: unverified tokens', () => {
  it('follows a look-alike "USDT" by id as unverified: flagged everywhere, labelled by address, never in the USDT total, never priced', async () => {
    const { url } = sharedAnvil()
    const account = await holder()
    const storage = memoryStorage()
    const options = {
      adapters: [adapter],
      accounts: [`${CHAIN}:${account}` as const],
      // The look-alike asked for by its checksummed address: matched to the adapter's id all the same.
      assets: [ETH, realUsdt, `${CHAIN}/erc20:${fake}` as const],
      // A price table that prices the look-alike too: the portfolio never asks for it, and ignores it.
      priceSource: fixedPrices({ prices: { [realUsdt]: '1', [fakeUsdt]: '1' } }),
      storage,
    }
    const portfolio = new Portfolio(options)
    const events = record(portfolio)
    const snap = await portfolio.refresh()

    expect(line(snap, realUsdt)).toMatchObject({ symbol: 'USDT', family: 'USDT', amount: 10_000_000n, price: '1', value: '10.00' })
    expect(line(snap, realUsdt)).not.toHaveProperty('unverified')
    expect(line(snap, fakeUsdt)).toMatchObject({ amount: 1_000_000_000_000n, decimals: 6, unverified: true, stale: false })
    expect(line(snap, fakeUsdt)).not.toHaveProperty('price')
    expect(line(snap, fakeUsdt)).not.toHaveProperty('value')
    snap.balances.forEach(expectFlagged)

    // The USDT family is the real token alone; the look-alike is its own unverified, unpriced line.
    const usdt = snap.totals.filter((t) => t.family === 'USDT')
    expect(usdt).toHaveLength(1)
    expect(usdt[0]).toMatchObject({ amount: 10_000_000n, assets: [realUsdt], value: '10.00', valueComplete: true })
    expect(usdt[0]).not.toHaveProperty('unverified')
    const lookAlike = snap.totals.find((t) => t.assets.includes(fakeUsdt))!
    expect(lookAlike).toMatchObject({ key: fakeUsdt, amount: 1_000_000_000_000n, unverified: true, valueComplete: false })
    expect(lookAlike.family).toBeUndefined()
    expect(lookAlike.symbol).not.toBe('USDT')
    expect(lookAlike.value).toBeUndefined()
    expect(snap.testnetValue).toBe('10.00') // anvil is a test network: its value is kept apart
    expect(snap.value).toBeUndefined()
    expect(snap.totals.filter((t) => t.symbol === 'USDT').map((t) => t.assets)).toEqual([[realUsdt]])

    // Events: a look-alike transfer is flagged, in `incoming` and in `change` alike.
    await mintTokens(url, fake, account, 5_000_000n)
    await mintTokens(sharedAnvil().url, sharedAnvil().fixtures.usdt.address, account, 2_000_000n)
    await portfolio.refresh()
    expect(events.incoming.map((t) => [t.asset, t.amount, t.unverified === true])).toEqual([
      [fakeUsdt, 5_000_000n, true],
      [realUsdt, 2_000_000n, false],
    ])
    events.incoming.forEach(expectFlagged)
    events.change.forEach(expectFlagged)
    expect(events.change.find((c) => c.asset === fakeUsdt)).toMatchObject({
      unverified: true,
      delta: 5_000_000n,
      transfers: [expect.objectContaining({ unverified: true })],
    })
    expect(events.error).toEqual([])

    // History and its CSV carry the flag on every look-alike row, and only there.
    const { items } = await portfolio.history({ limit: 100 })
    expect(new Set(items.map((i) => i.asset))).toEqual(new Set([realUsdt, fakeUsdt]))
    items.forEach(expectFlagged)
    const rows = parseHistoryCsv(await portfolio.toCSV())
    expect(rows).toHaveLength(items.length)
    for (const row of rows) {
      if (row.asset === fakeUsdt) expect(row).toMatchObject({ unverified: true, symbol: items.find((i) => i.asset === fakeUsdt)!.symbol })
      else expect(row).not.toHaveProperty('unverified')
    }

    // After a restart the saved snapshot says the same, whatever the record says about the token.
    const saved = JSON.parse((await storage.get('portfolio'))!) as {
      chains: Record<string, { announced: { asset: string; symbol: string; unverified?: boolean }[] }>
    }
    for (const t of saved.chains[CHAIN]!.announced) if (t.asset === fakeUsdt) Object.assign(t, { symbol: 'USDT', unverified: undefined })
    await storage.set('portfolio', JSON.stringify(saved))
    const restarted = new Portfolio(options)
    const restored = (await restarted.restore())!
    expect(line(restored, fakeUsdt)).toMatchObject({ amount: 1_000_005_000_000n, unverified: true })
    expect(restored.totals.find((t) => t.family === 'USDT')).toMatchObject({ amount: 12_000_000n, assets: [realUsdt] })
    restored.balances.forEach(expectFlagged)
  })

  it('does not show a token the adapter does not list unless it is followed by id', async () => {
    const { url } = sharedAnvil()
    const account = await holder()
    const portfolio = new Portfolio({ adapters: [adapter], accounts: [`${CHAIN}:${account}`] })
    const events = record(portfolio)
    const snap = await portfolio.refresh()
    await mintTokens(url, fake, account, 5_000_000n)
    await portfolio.refresh()
    expect(line(snap, realUsdt)).toMatchObject({ amount: 10_000_000n, family: 'USDT' })
    expect(snap.balances.some((b) => b.asset === fakeUsdt || b.unverified)).toBe(false)
    expect([...events.incoming, ...events.change].some((e) => e.asset === fakeUsdt)).toBe(false)
    const { items } = await portfolio.history({ limit: 100 })
    expect(items.some((i) => i.asset === fakeUsdt)).toBe(false)
    expect(items.map((i) => i.asset)).toContain(realUsdt)
  })

  it('treats an asset an adapter lists as unverified the same way, even with a family and a known symbol', async () => {
    // A third-party adapter that lists tokens it discovered: it says unverified, yet claims "USDT".
    const info = (await adapter.assets()).find((a) => a.id === realUsdt)!
    const lists: AssetInfo = { ...info, id: fakeUsdt, address: fake, unverified: true, family: 'USDT', symbol: 'USDT' }
    const lister = new Proxy(adapter, {
      get: (target, key) => {
        if (key === 'assets') return async () => [...(await target.assets()), lists]
        const value = Reflect.get(target, key, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as ChainAdapter
    const account = await holder()
    const portfolio = new Portfolio({
      adapters: [lister],
      accounts: [`${CHAIN}:${account}`],
      priceSource: fixedPrices({ prices: { [fakeUsdt]: '1', [realUsdt]: '1' } }),
    })
    const snap = await portfolio.refresh()
    expect(line(snap, fakeUsdt)).toMatchObject({ amount: 1_000_000_000_000n, unverified: true })
    snap.balances.forEach(expectFlagged)
    expect(snap.totals.find((t) => t.family === 'USDT')).toMatchObject({ amount: 10_000_000n, assets: [realUsdt], value: '10.00' })
    expect(snap.testnetValue).toBe('10.00') // anvil is a test network: its value is kept apart
    expect(snap.value).toBeUndefined()
    const { items } = await portfolio.history({ limit: 100 })
    expect(items.filter((i) => i.asset === fakeUsdt).map((i) => i.unverified)).toEqual([true])
    items.forEach(expectFlagged)
  })
})
