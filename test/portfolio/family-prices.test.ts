/**
 * Family keys price configured tokens (issue 13): `fixedPrices({ prices: { USDT: '1' } })` prices
 * every asset the adapter itself puts in family USDT, tokens added with `evm({ tokens })`
 * included, on chains the registry has never heard of, without the table naming a chain. Against
 * real anvils: the shared one (31337, a test network) and a private one whose chain (31339) the
 * registry does not know, described as a mainnet through a viem Chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineChain } from 'viem'
import { Portfolio, fixedPrices, type AssetId, type PortfolioSnapshot } from 'coffer'
import { evm, type EvmAdapter } from 'coffer/evm'
import type { PriceAssetInfo } from '../../src/portfolio/prices.js'
import { deployFixtures, mintTokens, startAnvil, type Anvil, type FixtureAddresses } from '../support/anvil.js'
import { fixtureTokens, sharedAnvil, vaultSigners } from '../chains/evm/helpers.js'

const MAIN = 31339
let anvil: Anvil
let fixtures: FixtureAddresses
/** A chain the registry does not know, described as a mainnet, with the fixture tokens configured (family = symbol). */
let mainnet: EvmAdapter
/** The shared anvil (31337: a test network in the registry), with the same fixture tokens configured. */
let local: EvmAdapter

/** The id as the adapter spells it (lower-case address). */
const erc20 = (chain: number, address: string) => `eip155:${chain}/erc20:${address.toLowerCase()}` as AssetId
/** What a portfolio knows about an adapter's assets: its own list and its network. */
async function metadata(adapter: EvmAdapter): Promise<PriceAssetInfo[]> {
  return (await adapter.assets()).map((info) => ({ ...info, testnet: adapter.testnet }))
}
const priced = (quotes: ReadonlyMap<AssetId, { price: string }>) => Object.fromEntries([...quotes].map(([id, q]) => [id, q.price]))

beforeAll(async () => {
  anvil = await startAnvil({ chainId: MAIN })
  const { abis: _abis, ...f } = await deployFixtures(anvil.url)
  fixtures = f
  const chain = defineChain({
    id: MAIN,
    name: 'Configured L2',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.url] } },
    testnet: false,
  })
  mainnet = evm({ chain, rpcUrls: [anvil.url], tokens: fixtureTokens(fixtures), retryCount: 0 })
  const shared = sharedAnvil()
  local = evm({ chain: 'eip155:31337', rpcUrls: [shared.url], tokens: fixtureTokens(shared.fixtures), retryCount: 0 })
}, 60_000)

afterAll(async () => {
  await anvil?.stop()
})

describe('fixedPrices with the adapters’ own metadata', () => {
  it('prices configured tokens by family on a chain the registry does not know', async () => {
    expect(mainnet.testnet).toBe(false)
    const assets = await metadata(mainnet)
    const ids = assets.map((a) => a.id)
    const source = fixedPrices({ prices: { USDT: '1', ETH: '3000' }, at: 5 })
    const usdt = erc20(MAIN, fixtures.usdt.address)
    expect(priced(await source.getPrices(ids, 'usd', { assets }))).toEqual({ [mainnet.nativeAsset]: '3000', [usdt]: '1' })
    // Without the metadata the table cannot know these assets' families: nothing is made up.
    expect((await source.getPrices(ids, 'usd')).size).toBe(0)
  })

  it('an asset-id key still wins over the family, and other families stay unpriced', async () => {
    const assets = await metadata(mainnet)
    const usdt = erc20(MAIN, fixtures.usdt.address)
    const usdc = erc20(MAIN, fixtures.usdc.address)
    const quotes = await fixedPrices({ prices: { USDT: '1', [`eip155:${MAIN}/erc20:${fixtures.usdt.address}`]: '0.9991' } }).getPrices(
      [usdt, usdc],
      'usd',
      { assets },
    )
    expect(priced(quotes)).toEqual({ [usdt]: '0.9991' })
  })

  it('leaves test-network assets unpriced by family unless testnets: true', async () => {
    expect(local.testnet).toBe(true)
    const assets = await metadata(local)
    const ids = assets.map((a) => a.id)
    const { fixtures: f } = sharedAnvil()
    const usdt = erc20(31337, f.usdt.address)
    expect((await fixedPrices({ prices: { USDT: '1', ETH: '3000' } }).getPrices(ids, 'usd', { assets })).size).toBe(0)
    const quotes = await fixedPrices({ prices: { USDT: '1' }, testnets: true }).getPrices(ids, 'usd', { assets })
    expect(priced(quotes)).toEqual({ [usdt]: '1' })
  })

  it('never gives an unverified asset a family price, whatever family anyone names', async () => {
    const fake = erc20(MAIN, '0x5FbDB2315678afecb367f032d93F642f64180aa3')
    const source = fixedPrices({ prices: { USDT: '1' }, families: { [fake]: 'USDT' } })
    const quotes = await source.getPrices([fake], 'usd', { assets: [{ id: fake, family: 'USDT', unverified: true, testnet: false }] })
    expect(quotes.size).toBe(0)
    // The same id, vouched for by its adapter: priced.
    expect(priced(await source.getPrices([fake], 'usd', { assets: [{ id: fake, family: 'USDT', testnet: false }] }))).toEqual({
      [fake]: '1',
    })
  })

  it.each([
    [{ assets: 'x' }, /request\.assets must be an array/],
    [{ assets: [{ id: 'nope', testnet: false }] }, /CAIP-19/],
    [{ assets: [{ id: 'eip155:1/slip44:60', family: 42, testnet: false }] }, /family must be a string/],
    [{ assets: [{ id: 'eip155:1/slip44:60', family: 'ETH' }] }, /testnet must be a boolean/],
    [{ assets: [{ id: 'eip155:1/slip44:60', unverified: 'no', testnet: false }] }, /unverified must be a boolean/],
    [
      {
        assets: [
          { id: 'eip155:1/slip44:60', family: 'ETH', testnet: false },
          { id: 'eip155:1/slip44:60', family: 'BTC', testnet: false },
        ],
      },
      /twice, differently/,
    ],
    [null, /request must be an object/],
  ])('rejects bad metadata before answering: %o', async (request, message) => {
    await expect(fixedPrices({ prices: { ETH: '1' } }).getPrices(['eip155:1/slip44:60'], 'usd', request as never)).rejects.toMatchObject({
      code: expect.stringMatching(/^INVALID_(ARGUMENT|CAIP_ID)$/),
      message: expect.stringMatching(message),
    })
  })

  it('rejects a non-boolean testnets option at construction', () => {
    expect(() => fixedPrices({ prices: { USDT: '1' }, testnets: 'yes' as never })).toThrow(/testnets must be a boolean/)
  })
})

describe('Portfolio: family prices for configured tokens, test networks apart', () => {
  const line = (s: PortfolioSnapshot, asset: AssetId) => s.balances.find((b) => b.asset === asset)

  it('values a configured USDT by the USDT family price, and keeps the local chain out of value', async () => {
    const {
      signers: [holder],
    } = await vaultSigners(1)
    const address = holder!.address as `0x${string}`
    const shared = sharedAnvil()
    await mintTokens(anvil.url, fixtures.usdt.address, address, 7_000_000n)
    await mintTokens(shared.url, shared.fixtures.usdt.address, address, 3_000_000n)
    const usdtMain = erc20(MAIN, fixtures.usdt.address)
    const usdtLocal = erc20(31337, shared.fixtures.usdt.address)
    const accounts = [`eip155:${MAIN}:${address}`, `eip155:31337:${address}`] as const

    const snap = await new Portfolio({
      adapters: [mainnet, local],
      accounts,
      priceSource: fixedPrices({ prices: { USDT: '1' } }),
    }).refresh()
    expect(line(snap, usdtMain)).toMatchObject({ amount: 7_000_000n, family: 'USDT', price: '1', value: '7.00' })
    expect(line(snap, usdtLocal)).toMatchObject({ amount: 3_000_000n, family: 'USDT' })
    expect(line(snap, usdtLocal)?.value).toBeUndefined() // a test network: no family price by default
    expect(snap.totals.find((t) => t.key === 'USDT')).toMatchObject({ testnet: false, amount: 7_000_000n, value: '7.00' })
    expect(snap.value).toBe('7.00')
    expect(snap.testnetValue).toBeUndefined()

    // With testnets: true the local USDT is priced too, and its value stays apart.
    const both = await new Portfolio({
      adapters: [mainnet, local],
      accounts,
      priceSource: fixedPrices({ prices: { USDT: '1' }, testnets: true }),
    }).refresh()
    expect(line(both, usdtLocal)).toMatchObject({ price: '1', value: '3.00' })
    expect(both.totals.find((t) => t.key === 'USDT (testnet)')).toMatchObject({ testnet: true, amount: 3_000_000n, value: '3.00' })
    expect(both.value).toBe('7.00')
    expect(both.testnetValue).toBe('3.00')
  })
})
