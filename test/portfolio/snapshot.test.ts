/** Snapshot totals: families across chains at mixed decimals, test networks apart, fiat exact and rounded once. */
import { describe, expect, it } from 'vitest'
import type { AssetId, ChainId } from '../../src/core/caip.js'
import type { ChainAdapter } from '../../src/chains/adapter.js'
import { buildSnapshot } from '../../src/portfolio/snapshot.js'
import type { AssetMeta } from '../../src/portfolio/assets.js'
import { ChainTracker } from '../../src/portfolio/tracker.js'

const settings = { confirmations: 1, fullRefreshBlocks: 20, reorgDepth: 64 }

function tracker(chainId: ChainId, testnet: boolean, assets: AssetMeta[], readings: [string, AssetId, bigint, bigint][]): ChainTracker {
  const adapter = { chainId, testnet, capabilities: { transfers: true } } as unknown as ChainAdapter
  const accounts = [...new Set(readings.map((r) => r[0]))].map((address) => ({ chainId, address }))
  const t = new ChainTracker(adapter, accounts, settings, assets)
  t.load({
    blocks: [{ height: 10, hash: '0xaa', parentHash: '0x99', timestamp: 0 }],
    sinceFull: 0,
    stale: false,
    readings: readings.map(([account, asset, amount, pending]) => ({
      account,
      asset,
      amount: String(amount),
      pending: String(pending),
      blockHeight: 10,
    })),
    announced: [],
  })
  return t
}

const USDT_ETH = 'eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7' as AssetId
const USDT_BSC = 'eip155:56/erc20:0x55d398326f99059ff775485246999027b3197955' as AssetId
const USDC_SEPOLIA = 'eip155:11155111/erc20:0x1c7d4b196cb0c7b01d743fbc6116a902379c7238' as AssetId
const ETH = 'eip155:1/slip44:60' as AssetId

describe('buildSnapshot', () => {
  const eth = tracker(
    'eip155:1',
    false,
    [
      { id: ETH, symbol: 'ETH', decimals: 18, family: 'ETH' },
      { id: USDT_ETH, symbol: 'USDT', decimals: 6, family: 'USDT' },
    ],
    [
      ['0xa', ETH, 15n * 10n ** 17n, 0n],
      ['0xa', USDT_ETH, 1_500_000n, 500_000n],
    ],
  )
  const bsc = tracker(
    'eip155:56',
    false,
    [{ id: USDT_BSC, symbol: 'USDT', decimals: 18, family: 'USDT' }],
    [['0xa', USDT_BSC, 25n * 10n ** 17n, 0n]],
  )
  const sepolia = tracker(
    'eip155:11155111',
    true,
    [{ id: USDC_SEPOLIA, symbol: 'USDC', decimals: 6, family: 'USDC' }],
    [['0xa', USDC_SEPOLIA, 9_000_000n, 0n]],
  )

  it('adds a family across chains at the largest decimals, keeps test networks apart, and rounds fiat once', () => {
    const prices = new Map([
      [USDT_ETH, { price: '0.9995', at: 1 }],
      [USDT_BSC, { price: '0.9995', at: 1 }],
      [ETH, { price: '3333.333', at: 1 }],
    ])
    const snap = buildSnapshot([eth, bsc, sepolia], prices, 'usd', { restored: false })
    const usdt = snap.totals.find((t) => t.key === 'USDT')!
    expect(usdt).toMatchObject({
      amount: 4n * 10n ** 18n,
      confirmed: 35n * 10n ** 17n,
      pending: 5n * 10n ** 17n,
      decimals: 18,
      chains: ['eip155:1', 'eip155:56'],
      valueComplete: true,
      testnet: false,
    })
    // 1.5 × 0.9995 = 1.49925 → "1.50" and 2.5 × 0.9995 = 2.49875 → "2.50" alone; the total adds exact values: 3.998 → "4.00".
    expect(snap.balances.filter((b) => b.family === 'USDT').map((b) => b.value)).toEqual(['1.50', '2.50'])
    expect(usdt.value).toBe('4.00')
    expect(snap.totals.find((t) => t.key === 'USDC (testnet)')).toMatchObject({ testnet: true, amount: 9_000_000n, valueComplete: false })
    expect(snap.totals.find((t) => t.key === 'USDC (testnet)')?.value).toBeUndefined()
    // 1.5 ETH × 3333.333 = 4999.9995 → the grand total adds exact values: 4999.9995 + 3.998 = 5003.9975 → 5004.00.
    expect(snap.value).toBe('5004.00')
    expect(snap.balances.find((b) => b.asset === USDT_ETH)).toMatchObject({
      amount: 1_500_000n,
      confirmed: 1_000_000n,
      pending: 500_000n,
      price: '0.9995',
    })
  })

  it('never adds test-network values to the mainnet value: they sum apart, in testnetValue', () => {
    const prices = new Map([
      [USDT_ETH, { price: '1', at: 1 }],
      [USDC_SEPOLIA, { price: '1', at: 1 }],
    ])
    const snap = buildSnapshot([eth, sepolia], prices, 'usd', { restored: false })
    expect(snap.value).toBe('1.50') // 1.5 USDT on Ethereum; the 9 USDC on Sepolia do not count
    expect(snap.testnetValue).toBe('9.00')
    expect(snap.balances.find((b) => b.asset === USDC_SEPOLIA)).toMatchObject({ price: '1', value: '9.00' })
    expect(snap.totals.find((t) => t.key === 'USDC (testnet)')).toMatchObject({ testnet: true, value: '9.00', valueComplete: true })

    // Test networks alone: no mainnet value at all.
    const local = buildSnapshot([sepolia], prices, 'usd', { restored: false })
    expect(local.value).toBeUndefined()
    expect(local.testnetValue).toBe('9.00')
    // Mainnets alone: no testnetValue.
    expect(buildSnapshot([eth], prices, 'usd', { restored: false }).testnetValue).toBeUndefined()
  })

  it('without prices there are no fiat values, and totals say so', () => {
    const snap = buildSnapshot([eth, bsc], new Map(), 'eur', { restored: true })
    expect(snap).toMatchObject({ currency: 'eur', restored: true })
    expect(snap.value).toBeUndefined()
    expect(snap.testnetValue).toBeUndefined()
    expect(snap.totals.every((t) => t.value === undefined && t.valueComplete === false)).toBe(true)
  })
})
