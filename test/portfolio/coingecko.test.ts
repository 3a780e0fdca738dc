import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AssetId } from '../../src/core/caip.js'
import { CofferError, InvalidArgumentError, InvalidCaipIdError, PriceSourceError } from '../../src/core/errors.js'
import { httpPrices } from '../../src/portfolio/coingecko.js'
import type { PriceSource } from '../../src/portfolio/prices.js'
import { startPriceServer, type PriceServer } from '../support/price-server.js'
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
  NFT,
  SOL,
  TRX,
  TRX_NILE,
  USDT_TRON,
} from './asset-ids.js'

describe('httpPrices', () => {
  let server: PriceServer
  let clock = 1_000_000
  const now = () => clock

  beforeAll(async () => {
    server = await startPriceServer({
      table: {
        coins: {
          ethereum: { usd: 3120.55, eur: 2900.1 },
          bitcoin: { usd: 67234.12 },
          'polygon-ecosystem-token': { usd: 1e-7 },
          binancecoin: { usd: 580 },
          'avalanche-2': { usd: 35.5 },
          'usd-coin': { usd: 1 },
          solana: { usd: 150.25 },
          tron: { usd: 0.2875 },
        },
        tokens: {
          ethereum: {
            '0xdac17f958d2ee523a2206206994597c13d831ec7': { usd: 0.9998 },
            '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48': { usd: 1.0001 },
          },
          'arbitrum-one': { '0xaf88d065e77c8cc2239327c5edb3a432268e5831': { usd: 0.1 } },
        },
      },
    })
  })
  afterAll(() => server.close())
  afterEach(() => {
    server.requests.length = 0
    server.headers.length = 0
    server.setDelay(0)
    server.failNext(0, 500)
    server.setUpdatedAt(1_700_000_000)
  })

  const source = (extra: Parameters<typeof httpPrices>[0] = {}): PriceSource => httpPrices({ baseUrl: server.url, now, ...extra })
  const prices = (quotes: ReadonlyMap<AssetId, { price: string }>) => Object.fromEntries([...quotes].map(([k, q]) => [k, q.price]))

  it('prices natives and tokens on two platforms with one request per endpoint', async () => {
    const quotes = await source().getPrices([ETH, ETH_ARB, ETH_BASE, BTC, POL, BNB, AVAX, USDT, USDC, USDC_ARB], 'usd')
    expect(prices(quotes)).toEqual({
      [ETH]: '3120.55',
      [ETH_ARB]: '3120.55',
      [ETH_BASE]: '3120.55',
      [BTC]: '67234.12',
      [POL]: '0.0000001', // JSON 1e-7
      [BNB]: '580',
      [AVAX]: '35.5',
      [USDT]: '0.9998',
      [USDC]: '1.0001',
      [USDC_ARB]: '0.1',
    })
    expect(quotes.get(ETH)?.at).toBe(1_700_000_000_000)
    expect(server.requests).toHaveLength(3)
    const paths = server.requests.map((r) => r.split('?')[0]).sort()
    expect(paths).toEqual(['/api/v3/simple/price', '/api/v3/simple/token_price/arbitrum-one', '/api/v3/simple/token_price/ethereum'])
    const coinRequest = new URL(`http://x${server.requests.find((r) => r.includes('/simple/price'))}`)
    expect(coinRequest.searchParams.get('ids')?.split(',').sort()).toEqual([
      'avalanche-2',
      'binancecoin',
      'bitcoin',
      'ethereum',
      'polygon-ecosystem-token',
    ])
    expect(coinRequest.searchParams.get('vs_currencies')).toBe('usd')
    expect(coinRequest.searchParams.get('include_last_updated_at')).toBe('true')
    const tokenRequest = new URL(`http://x${server.requests.find((r) => r.includes('/token_price/ethereum'))}`)
    expect(tokenRequest.searchParams.get('contract_addresses')).toBe(
      '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48,0xdac17f958d2ee523a2206206994597c13d831ec7',
    )
  })

  it('prices SOL and TRX by their coin ids (solana, tron); Nile TRX and TRC-20 tokens send no request', async () => {
    const quotes = await source().getPrices([SOL, TRX, TRX_NILE, USDT_TRON], 'usd')
    expect(prices(quotes)).toEqual({ [SOL]: '150.25', [TRX]: '0.2875' })
    expect(server.requests).toEqual(['/api/v3/simple/price?vs_currencies=usd&include_last_updated_at=true&ids=solana,tron'])
  })

  it('answers in other currencies, and leaves out what the API omits', async () => {
    const quotes = await source().getPrices([ETH, BTC, USDT, UNKNOWN_TOKEN], 'EUR')
    expect(prices(quotes)).toEqual({ [ETH]: '2900.1' })
    expect(server.requests).toHaveLength(2)
  })

  it('sends no request for assets without a mapping', async () => {
    const quotes = await source().getPrices(
      [
        SEPOLIA_ETH,
        USDC_SEPOLIA,
        BTC_TESTNET,
        ANVIL_ETH,
        'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1/slip44:501' as AssetId, // devnet SOL
        NFT,
        'eip155:1/erc20:0xnotanaddress' as AssetId,
      ],
      'usd',
    )
    expect(quotes.size).toBe(0)
    expect(server.requests).toHaveLength(0)
    expect((await source().getPrices([], 'usd')).size).toBe(0)
    expect(server.requests).toHaveLength(0)
  })

  it('uses the caller’s coinIds', async () => {
    const quotes = await source({ coinIds: { [USDC_SEPOLIA]: 'usd-coin', [USDT]: 'usd-coin' } }).getPrices(
      [USDC_SEPOLIA, USDT_LOWER],
      'usd',
    )
    expect(prices(quotes)).toEqual({ [USDC_SEPOLIA]: '1', [USDT_LOWER]: '1' })
    expect(server.requests).toEqual(['/api/v3/simple/price?vs_currencies=usd&include_last_updated_at=true&ids=usd-coin'])
  })

  it('caches for ttlMs, absences included, and refetches only what expired', async () => {
    const p = source({ ttlMs: 1_000 })
    await p.getPrices([ETH, USDT, UNKNOWN_TOKEN], 'usd')
    expect(server.requests).toHaveLength(2)
    clock += 999
    expect(prices(await p.getPrices([ETH, USDT, UNKNOWN_TOKEN], 'usd'))).toEqual({ [ETH]: '3120.55', [USDT]: '0.9998' })
    expect(server.requests).toHaveLength(2)
    // a new asset within the TTL: only it is fetched
    await p.getPrices([ETH, BTC], 'usd')
    expect(server.requests).toHaveLength(3)
    expect(server.requests[2]).toContain('ids=bitcoin')
    // other currency: separate cache entries
    await p.getPrices([ETH], 'eur')
    expect(server.requests).toHaveLength(4)
    clock += 1
    server.setPrice({ coin: 'ethereum' }, 'usd', 3200)
    try {
      expect((await p.getPrices([ETH], 'usd')).get(ETH)?.price).toBe('3200')
    } finally {
      server.setPrice({ coin: 'ethereum' }, 'usd', 3120.55)
    }
    expect(server.requests).toHaveLength(5)
    expect(new URL(`http://x${server.requests[4]}`).searchParams.get('ids')).toBe('ethereum')
  })

  it('works with a real short TTL', async () => {
    const p = httpPrices({ baseUrl: server.url, ttlMs: 30 })
    await p.getPrices([ETH], 'usd')
    await p.getPrices([ETH], 'usd')
    expect(server.requests).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 40))
    await p.getPrices([ETH], 'usd')
    expect(server.requests).toHaveLength(2)
  })

  it('deduplicates concurrent requests', async () => {
    server.setDelay(20)
    const p = source()
    const [a, b, c] = await Promise.all([
      p.getPrices([ETH, BTC], 'usd'),
      p.getPrices([ETH, BTC], 'usd'),
      p.getPrices([ETH_ARB, USDT], 'usd'),
    ])
    expect(server.requests).toHaveLength(2) // one simple/price (ethereum, bitcoin), one token_price/ethereum
    expect(prices(a)).toEqual({ [ETH]: '3120.55', [BTC]: '67234.12' })
    expect(prices(b)).toEqual(prices(a))
    expect(prices(c)).toEqual({ [ETH_ARB]: '3120.55', [USDT]: '0.9998' })
  })

  it('stamps quotes with the fetch time when the API gives no last_updated_at', async () => {
    server.setUpdatedAt(undefined)
    clock = 5_000_000
    expect((await source().getPrices([ETH], 'usd')).get(ETH)?.at).toBe(5_000_000)
  })

  it('keeps exact decimals and skips malformed entries', async () => {
    server.setPrice({ coin: 'binancecoin' }, 'usd', -5)
    server.setPrice({ coin: 'avalanche-2' }, 'usd', 'abc')
    server.setPrice({ platform: 'ethereum', contract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' }, 'usd', null)
    try {
      const quotes = await source().getPrices([ETH, BNB, AVAX, USDT, USDC, POL], 'usd')
      expect(prices(quotes)).toEqual({ [ETH]: '3120.55', [USDT]: '0.9998', [POL]: '0.0000001' })
    } finally {
      server.setPrice({ coin: 'binancecoin' }, 'usd', 580)
      server.setPrice({ coin: 'avalanche-2' }, 'usd', 35.5)
      server.setPrice({ platform: 'ethereum', contract: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48' }, 'usd', 1.0001)
    }
  })

  it('splits long contract lists so no URL exceeds 1,800 characters', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `eip155:1/erc20:0x${i.toString(16).padStart(40, '0')}` as AssetId)
    const quotes = await source().getPrices([...many, USDT], 'usd')
    expect(prices(quotes)).toEqual({ [USDT]: '0.9998' })
    expect(server.requests.length).toBeGreaterThanOrEqual(3)
    const origin = new URL(server.url).origin
    for (const r of server.requests) expect((origin + r).length).toBeLessThanOrEqual(1_800)
    const asked = server.requests.flatMap((r) => new URL(origin + r).searchParams.get('contract_addresses')?.split(',') ?? [])
    expect(new Set(asked).size).toBe(121)
    expect(asked).toHaveLength(121)
  })

  it('on 429 reports Retry-After, then answers from cache (even expired) without requests', async () => {
    clock = 10_000_000
    const p = source({ ttlMs: 1_000 })
    await p.getPrices([ETH], 'usd')
    expect(server.requests).toHaveLength(1)
    clock += 5_000 // expired
    server.failNext(1, 429, 30)
    const error = await p.getPrices([ETH], 'usd').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PriceSourceError)
    expect((error as PriceSourceError).code).toBe('PRICE_SOURCE')
    expect((error as PriceSourceError).details).toMatchObject({ status: 429, retryAfter: 30 })
    expect(server.requests).toHaveLength(2)
    clock += 29_000
    const quotes = await p.getPrices([ETH, BTC, USDT], 'usd')
    expect(prices(quotes)).toEqual({ [ETH]: '3120.55' }) // stale ETH from cache; BTC and USDT never fetched: absent
    expect(server.requests).toHaveLength(2)
    clock += 1_001
    expect(prices(await p.getPrices([ETH, BTC], 'usd'))).toEqual({ [ETH]: '3120.55', [BTC]: '67234.12' })
    expect(server.requests).toHaveLength(3)
  })

  it('on 429 without Retry-After backs off for 60 s', async () => {
    clock = 20_000_000
    const p = source()
    server.failNext(1, 429)
    await expect(p.getPrices([ETH], 'usd')).rejects.toMatchObject({ details: { status: 429, retryAfter: 60 } })
    clock += 59_999
    expect((await p.getPrices([ETH], 'usd')).size).toBe(0)
    expect(server.requests).toHaveLength(1)
    clock += 1
    expect((await p.getPrices([ETH], 'usd')).size).toBe(1)
  })

  it('on 500 raises PriceSourceError with the status', async () => {
    server.failNext(1, 500)
    const error = await source()
      .getPrices([ETH, USDT], 'usd')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PriceSourceError)
    expect(error).toBeInstanceOf(CofferError)
    expect((error as PriceSourceError).details.status).toBe(500)
    expect((error as PriceSourceError).shortMessage).toMatch(/HTTP 500/)
  })

  it('sends the api key header and never shows the key in errors', async () => {
    const secret = 'CG-s3cr3t-key-value'
    const guarded = await startPriceServer({ apiKey: secret, table: { coins: { ethereum: { usd: 1 } } } })
    try {
      const good = httpPrices({ baseUrl: guarded.url, apiKey: secret })
      expect((await good.getPrices([ETH], 'usd')).get(ETH)?.price).toBe('1')
      expect(guarded.headers[0]?.['x-cg-demo-api-key']).toBe(secret)
      expect(guarded.requests[0]).not.toContain(secret)

      const pro = httpPrices({ baseUrl: guarded.url, apiKey: secret, apiKeyHeader: 'x-cg-pro-api-key' })
      const errors: unknown[] = []
      errors.push(await pro.getPrices([ETH], 'usd').catch((e: unknown) => e)) // 401: key in the wrong header
      guarded.failNext(1, 500)
      errors.push(
        await httpPrices({ baseUrl: guarded.url, apiKey: secret })
          .getPrices([ETH], 'usd')
          .catch((e: unknown) => e),
      )
      guarded.setDelay(100)
      errors.push(
        await httpPrices({ baseUrl: guarded.url, apiKey: secret, timeoutMs: 20 })
          .getPrices([ETH], 'usd')
          .catch((e: unknown) => e),
      )
      guarded.setDelay(0)
      guarded.failNext(1, 429, 5)
      errors.push(
        await httpPrices({ baseUrl: guarded.url, apiKey: secret })
          .getPrices([ETH], 'usd')
          .catch((e: unknown) => e),
      )
      expect(() => httpPrices({ apiKey: `${secret} with space` })).toThrow(InvalidArgumentError)
      errors.push(
        (() => {
          try {
            httpPrices({ apiKey: `${secret} with space` })
          } catch (e) {
            return e
          }
        })(),
      )
      const thrown = errors.filter((e) => e !== undefined)
      expect(thrown).toHaveLength(5)
      expect((thrown[0] as PriceSourceError).details.status).toBe(401)
      for (const e of thrown) {
        const err = e as CofferError
        expect(err).toBeInstanceOf(CofferError)
        expect(err.message).not.toContain(secret)
        expect(JSON.stringify(err.details)).not.toContain(secret)
        expect(String(err.cause ?? '')).not.toContain(secret)
      }
    } finally {
      await guarded.close()
    }
  })

  it('times out', async () => {
    server.setDelay(500)
    const started = Date.now()
    const error = await source({ timeoutMs: 50 })
      .getPrices([ETH], 'usd')
      .catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(400)
    expect(error).toBeInstanceOf(PriceSourceError)
    expect((error as PriceSourceError).shortMessage).toMatch(/timed out after 50 ms/)
    expect((error as PriceSourceError).cause).toBeDefined()
  })

  it('reports network errors with their cause', async () => {
    const dead = await startPriceServer()
    const url = dead.url
    await dead.close()
    const error = await httpPrices({ baseUrl: url })
      .getPrices([ETH], 'usd')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PriceSourceError)
    expect((error as PriceSourceError).shortMessage).toMatch(/network error/)
    expect((error as PriceSourceError).cause).toBeInstanceOf(Error)
  })

  it('rejects malformed answers', async () => {
    const answer = (body: string) => httpPrices({ fetch: async () => new Response(body, { status: 200 }) })
    await expect(answer('not json').getPrices([ETH], 'usd')).rejects.toThrow(/invalid JSON/)
    await expect(answer('[1,2]').getPrices([ETH], 'usd')).rejects.toThrow(PriceSourceError)
    await expect(answer('null').getPrices([ETH], 'usd')).rejects.toThrow(PriceSourceError)
    expect((await answer('{"ethereum":[1]}').getPrices([ETH], 'usd')).size).toBe(0)
    expect((await answer('{"ethereum":{"usd":"12.5"}}').getPrices([ETH], 'usd')).get(ETH)?.price).toBe('12.5')
  })

  it('checks input before any request', async () => {
    const p = source()
    await expect(p.getPrices([ETH], 'usdollar')).rejects.toThrow(InvalidArgumentError)
    await expect(p.getPrices([ETH, 'bad' as AssetId], 'usd')).rejects.toThrow(InvalidCaipIdError)
    expect(server.requests).toHaveLength(0)
    for (const bad of [
      { baseUrl: 'ftp://x' },
      { ttlMs: -1 },
      { timeoutMs: 0 },
      { apiKeyHeader: 'bad header' },
      { fetch: 1 },
      { coinIds: { nope: 'ethereum' } },
      { coinIds: { [ETH]: 'Not An Id' } },
    ]) {
      expect(() => httpPrices(bad as never)).toThrow(InvalidArgumentError)
    }
  })
})
