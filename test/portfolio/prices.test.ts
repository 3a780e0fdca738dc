import { describe, expect, it } from 'vitest'
import type { AssetId } from '../../src/core/caip.js'
import { InvalidArgumentError, InvalidCaipIdError } from '../../src/core/errors.js'
import { fixedPrices, knownFamily, normalizeCurrency } from '../../src/portfolio/prices.js'
import {
  ETH,
  ETH_ARB,
  ETH_BASE,
  POL,
  BNB,
  AVAX,
  SEPOLIA_ETH,
  ANVIL_ETH,
  BTC,
  BTC_TESTNET,
  USDT,
  USDT_LOWER,
  USDC,
  USDC_ARB,
  USDC_SEPOLIA,
  UNKNOWN_TOKEN,
  SOL,
  TRX,
  TRX_NILE,
  USDT_TRON,
  NFT,
  BSC_TESTNET_BNB,
} from './asset-ids.js'

describe('knownFamily', () => {
  it.each([
    [ETH, 'ETH'],
    [ETH_ARB, 'ETH'],
    [ETH_BASE, 'ETH'],
    [POL, 'POL'],
    [BNB, 'BNB'],
    [AVAX, 'AVAX'],
    [BTC, 'BTC'],
    [USDT, 'USDT'],
    [USDT_LOWER, 'USDT'],
    [USDC_ARB, 'USDC'],
    [SEPOLIA_ETH, undefined],
    [BSC_TESTNET_BNB, undefined],
    [ANVIL_ETH, undefined],
    [USDC_SEPOLIA, undefined],
    [BTC_TESTNET, undefined],
    [UNKNOWN_TOKEN, undefined],
    [SOL, 'SOL'],
    [TRX, 'TRX'],
    [USDT_TRON, 'USDT'],
    [TRX_NILE, undefined],
    ['tron:0x2b6653dc/trc20:TDGmmTC7xDgQGwH4FYRGuE7SFH2MePHYeH' as AssetId, undefined],
    [NFT, undefined],
    ['eip155:1/slip44:0' as AssetId, undefined],
    ['bip122:000000000019d6689c085ae165831e93/slip44:60' as AssetId, undefined],
    ['eip155:999999/slip44:60' as AssetId, undefined],
  ])('%s → %s', (asset, family) => {
    expect(knownFamily(asset)).toBe(family)
  })

  it('rejects malformed ids', () => {
    expect(() => knownFamily('eth' as AssetId)).toThrow(InvalidCaipIdError)
  })
})

describe('normalizeCurrency', () => {
  it('lower-cases and checks', () => {
    expect(normalizeCurrency('USD')).toBe('usd')
    expect(normalizeCurrency('eur')).toBe('eur')
    expect(normalizeCurrency('usdt')).toBe('usdt')
    for (const bad of ['', 'us', 'dollar', 'us1', ' usd', 'u-s', 1, null]) {
      expect(() => normalizeCurrency(bad as string)).toThrow(InvalidArgumentError)
    }
  })
})

describe('fixedPrices', () => {
  const source = fixedPrices({
    prices: { USDT: '1', ETH: 3120.55, BTC: '67234.12', [USDC]: '0.9998', [USDT_LOWER]: '1.0001', POL: '1e-7' },
    at: 1_700_000_000_000,
  })

  it('prices by asset id and by family, asset id first', async () => {
    const quotes = await source.getPrices(
      [USDT, USDC, USDC_ARB, ETH, ETH_ARB, POL, BTC, 'eip155:42161/erc20:0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9' as AssetId],
      'usd',
    )
    expect(Object.fromEntries([...quotes].map(([k, q]) => [k, q.price]))).toEqual({
      [USDT]: '1.0001', // explicit (lower-case key matches the checksummed id)
      [USDC]: '0.9998',
      [ETH]: '3120.55',
      [ETH_ARB]: '3120.55',
      [POL]: '0.0000001',
      [BTC]: '67234.12',
      'eip155:42161/erc20:0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9': '1', // USDT0 on Arbitrum: family USDT
    })
    expect(quotes.has(USDC_ARB)).toBe(false) // no USDC family price: nothing made up
    expect(quotes.get(ETH)?.at).toBe(1_700_000_000_000)
  })

  it('never prices testnet assets from a family', async () => {
    const quotes = await fixedPrices({ prices: { ETH: '3000', USDC: '1', BTC: '60000', BNB: '500' } }).getPrices(
      [SEPOLIA_ETH, USDC_SEPOLIA, BTC_TESTNET, BSC_TESTNET_BNB, ANVIL_ETH],
      'usd',
    )
    expect(quotes.size).toBe(0)
  })

  it('prices a testnet asset only by its explicit id', async () => {
    const quotes = await fixedPrices({ prices: { [SEPOLIA_ETH]: '0' } }).getPrices([SEPOLIA_ETH], 'usd')
    expect(quotes.get(SEPOLIA_ETH)?.price).toBe('0')
  })

  it('answers only for its currency, case-insensitively', async () => {
    const eur = fixedPrices({ currency: 'EUR', prices: { ETH: '2900' } })
    expect((await eur.getPrices([ETH], 'usd')).size).toBe(0)
    expect((await eur.getPrices([ETH], 'eur')).get(ETH)?.price).toBe('2900')
    expect((await eur.getPrices([ETH], 'EUR')).get(ETH)?.price).toBe('2900')
    expect((await source.getPrices([ETH], 'usd')).size).toBe(1)
  })

  it('uses extra families', async () => {
    const custom = 'eip155:1/erc20:0x2222222222222222222222222222222222222222' as AssetId
    const quotes = await fixedPrices({ prices: { USDT: '1' }, families: { [custom]: 'USDT' } }).getPrices([custom], 'usd')
    expect(quotes.get(custom)?.price).toBe('1')
  })

  it('stamps quotes with the call time by default', async () => {
    const before = Date.now()
    const quote = (await fixedPrices({ prices: { ETH: '1' } }).getPrices([ETH], 'usd')).get(ETH)
    expect(quote?.at).toBeGreaterThanOrEqual(before)
    expect(quote?.at).toBeLessThanOrEqual(Date.now())
  })

  it('normalises prices to exact text', async () => {
    const quotes = await fixedPrices({ prices: { [ETH]: 0.1, [BTC]: '2.50E+3', USDT: '1.000' } }).getPrices([ETH, BTC, USDT], 'usd')
    expect([...quotes.values()].map((q) => q.price)).toEqual(['0.1', '2500', '1'])
  })

  it.each([
    [{ prices: { ETH: '-1' } }, /prices\["ETH"\].*negative/],
    [{ prices: { ETH: Number.NaN } }, /finite/],
    [{ prices: { ETH: Number.POSITIVE_INFINITY } }, /finite/],
    [{ prices: { ETH: '' } }, /empty/],
    [{ prices: { ETH: 'abc' } }, /ETH/],
    [{ prices: { ETH: null } }, /decimal string or a number/],
    [{ prices: { eth: '1' } }, /neither a CAIP-19 asset id nor a family name/],
    [{ prices: { 'eip155:1': '1' } }, /neither/],
    [{ prices: { [USDT]: '1', [USDT_LOWER]: '2' } }, /two different prices/],
    [{ prices: { ETH: '1' }, currency: 'dollars' }, /currency/],
    [{ prices: { ETH: '1' }, families: { [USDT]: 'usdt' } }, /family name/],
    [{ prices: { ETH: '1' }, families: { nope: 'USDT' } }, /neither/],
    [{ prices: null }, /prices must be an object/],
    [{ prices: { ETH: '1' }, at: -1 }, /at/],
  ])('rejects bad input at construction: %o', (options, message) => {
    expect(() => fixedPrices(options as never)).toThrow(InvalidArgumentError)
    expect(() => fixedPrices(options as never)).toThrow(message)
  })

  it('rejects bad calls', async () => {
    await expect(source.getPrices([ETH], 'us')).rejects.toThrow(InvalidArgumentError)
    await expect(source.getPrices(['nope' as AssetId], 'usd')).rejects.toThrow(InvalidCaipIdError)
    await expect(source.getPrices(ETH as unknown as AssetId[], 'usd')).rejects.toThrow(InvalidArgumentError)
  })
})
