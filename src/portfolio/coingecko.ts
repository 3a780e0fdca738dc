/**
 * A price source over the CoinGecko API shape (`/simple/price`, `/simple/token_price`):
 * cached with a TTL, deduplicated, split into URL-sized requests, and polite about 429s.
 * @module
 */
import { assertInteger, assertOptions, assertString, describe } from '../core/assert.js'
import type { AssetId } from '../core/caip.js'
import { InvalidArgumentError, PriceSourceError } from '../core/errors.js'
import { formatDecimal, parsePrice, priceFromNumber } from '../core/decimal.js'
import {
  COIN_ID_RE,
  EVM_ADDRESS_RE,
  assetKey,
  checkAssets,
  knownFamily,
  normalizeCurrency,
  type CheckedAsset,
  type PriceQuote,
  type PriceSource,
} from './prices.js'

/** CoinGecko coin ids of native coins, by the market family their chain family gives them (`knownFamily`). */
const NATIVE_COIN_IDS: Readonly<Record<string, string>> = {
  BTC: 'bitcoin',
  ETH: 'ethereum',
  POL: 'polygon-ecosystem-token',
  BNB: 'binancecoin',
  AVAX: 'avalanche-2',
  SOL: 'solana',
  TRX: 'tron',
}
/** CoinGecko asset platforms (for `/simple/token_price/<platform>`), by CAIP-2 chain id (mainnets only). */
const TOKEN_PLATFORMS: Readonly<Record<string, string>> = {
  'eip155:1': 'ethereum',
  'eip155:137': 'polygon-pos',
  'eip155:42161': 'arbitrum-one',
  'eip155:10': 'optimistic-ethereum',
  'eip155:8453': 'base',
  'eip155:56': 'binance-smart-chain',
  'eip155:43114': 'avalanche',
}
const MAX_URL_LENGTH = 1_800
const DEFAULT_RETRY_AFTER_S = 60
const MAX_CACHE_ENTRIES = 10_000

/** Options of {@link httpPrices}. */
export interface HttpPricesOptions {
  /** API root, default 'https://api.coingecko.com/api/v3' (Pro: 'https://pro-api.coingecko.com/api/v3'). */
  baseUrl?: string
  /** API key, sent only in the `apiKeyHeader` header; never in a URL, error message or detail. */
  apiKey?: string
  /** Header carrying `apiKey`, default 'x-cg-demo-api-key' (Pro: 'x-cg-pro-api-key'). */
  apiKeyHeader?: string
  /** How long a fetched price (or a known absence) is reused, default 60,000 ms. */
  ttlMs?: number
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** The fetch to use, default `globalThis.fetch`. */
  fetch?: typeof fetch
  /** Extra CoinGecko coin ids by asset id (they win over the built-in maps and are honoured even for testnet ids). */
  coinIds?: Readonly<Record<AssetId, string>>
  /** Clock in ms since the epoch, default `Date.now` (tests inject one to step past TTLs and Retry-After). */
  now?: () => number
}

type Target =
  { readonly key: string; readonly coin: string } | { readonly key: string; readonly platform: string; readonly contract: string }
interface CacheEntry {
  readonly quote: PriceQuote | undefined
  readonly fetchedAt: number
}
type Batch = ReadonlyMap<string, CacheEntry>
interface Request {
  readonly endpoint: string
  readonly url: string
  /** Cache key → the key of its entry in the response body. */
  readonly items: ReadonlyMap<string, string>
}

function parseRetryAfter(header: string | null, now: number): number {
  if (header === null) return DEFAULT_RETRY_AFTER_S
  const text = header.trim()
  if (/^\d{1,9}$/.test(text)) return Number(text)
  const date = Date.parse(text)
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : DEFAULT_RETRY_AFTER_S
}

function parseEntry(entry: unknown, currency: string, fetchedAt: number): PriceQuote | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined
  const record = entry as Record<string, unknown>
  const value = Object.hasOwn(record, currency) ? record[currency] : undefined
  let price: string
  try {
    if (typeof value === 'number') price = formatDecimal(priceFromNumber(value))
    else if (typeof value === 'string') price = formatDecimal(parsePrice(value))
    else return undefined
  } catch {
    return undefined // a malformed entry is skipped, not fatal
  }
  const updated = record.last_updated_at
  const at = typeof updated === 'number' && Number.isSafeInteger(updated) && updated > 0 ? updated * 1000 : fetchedAt
  return Object.freeze({ price, at })
}

/**
 * A price source over the CoinGecko API (`/simple/price` for native coins and `coinIds`,
 * `/simple/token_price/<platform>` for ERC-20 tokens on mainnet chains, one request per
 * endpoint, sent concurrently, split so no URL exceeds ~1,800 characters).
 *
 * Prices are cached per (coin or contract, currency) for `ttlMs`, absences too; only missing or
 * expired ones are fetched, and a price already being fetched is awaited, not fetched again.
 * HTTP 429 raises PriceSourceError with `retryAfter` (seconds) in its details; until then the
 * source answers from its cache, expired entries included, and sends nothing. Other statuses,
 * network errors and timeouts raise PriceSourceError. Assets without a mapping (testnets,
 * non-ERC-20 tokens, chains CoinGecko is not asked about) are absent, without a request.
 *
 * @example const prices = httpPrices({ apiKey: process.env.CG_KEY }); await prices.getPrices(['eip155:1/slip44:60'], 'usd')
 * @throws InvalidArgumentError on bad options
 */
export function httpPrices(options: HttpPricesOptions = {}): PriceSource {
  const opts = assertOptions(options)
  const baseUrl = assertString(opts.baseUrl ?? 'https://api.coingecko.com/api/v3', 'baseUrl', 500)
  if (!/^https?:\/\/\S+$/.test(baseUrl)) throw new InvalidArgumentError('baseUrl must be an http(s) URL.')
  const base = baseUrl.replace(/\/+$/, '')
  const apiKey = opts.apiKey === undefined ? undefined : assertString(opts.apiKey, 'apiKey', 500)
  if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey))
    throw new InvalidArgumentError('apiKey must be non-empty printable ASCII without spaces.')
  const apiKeyHeader = assertString(opts.apiKeyHeader ?? 'x-cg-demo-api-key', 'apiKeyHeader', 100)
  if (!/^[A-Za-z0-9-]+$/.test(apiKeyHeader)) throw new InvalidArgumentError('apiKeyHeader must be an HTTP header name.')
  const ttlMs = assertInteger(opts.ttlMs ?? 60_000, 'ttlMs', 0, 2 ** 31 - 1)
  const timeoutMs = assertInteger(opts.timeoutMs ?? 10_000, 'timeoutMs', 1, 2 ** 31 - 1)
  const fetchFn = opts.fetch ?? globalThis.fetch
  if (typeof fetchFn !== 'function') throw new InvalidArgumentError(`fetch must be a function, got ${describe(fetchFn)}.`)
  const now = opts.now ?? Date.now
  if (typeof now !== 'function') throw new InvalidArgumentError(`now must be a function, got ${describe(now)}.`)
  const coinIds = new Map<string, string>()
  for (const [key, coin] of Object.entries(opts.coinIds === undefined ? {} : assertOptions(opts.coinIds, 'coinIds'))) {
    const { canonical } = assetKey(key, 'coinIds')
    if (typeof coin !== 'string' || !COIN_ID_RE.test(coin)) {
      throw new InvalidArgumentError(`coinIds[${JSON.stringify(key.slice(0, 120))}] must be a CoinGecko coin id like "tether".`)
    }
    coinIds.set(canonical, coin)
  }

  const cache = new Map<string, CacheEntry>()
  const inflight = new Map<string, Promise<Batch>>()
  let blockedUntil = 0

  function target(asset: CheckedAsset): Target | undefined {
    const extra = coinIds.get(asset.canonical)
    if (extra !== undefined) return { key: `coin:${extra}`, coin: extra }
    const { parts } = asset
    if (parts.tokenId !== undefined) return undefined
    if (parts.assetNamespace === 'slip44') {
      const family = knownFamily(asset.id)
      const native = family === undefined ? undefined : NATIVE_COIN_IDS[family]
      return native === undefined ? undefined : { key: `coin:${native}`, coin: native }
    }
    const platform = TOKEN_PLATFORMS[parts.chainId]
    if (parts.assetNamespace !== 'erc20' || platform === undefined || !EVM_ADDRESS_RE.test(parts.assetReference)) return undefined
    return { key: `token:${platform}:${parts.assetReference}`, platform, contract: parts.assetReference }
  }

  function plan(targets: readonly Target[], currency: string): Request[] {
    const groups = new Map<string, Target[]>()
    for (const t of targets) {
      const endpoint = 'coin' in t ? 'simple/price' : `simple/token_price/${t.platform}`
      groups.set(endpoint, [...(groups.get(endpoint) ?? []), t])
    }
    const requests: Request[] = []
    for (const [endpoint, group] of groups) {
      const param = endpoint === 'simple/price' ? 'ids' : 'contract_addresses'
      const fixed = `${base}/${endpoint}?vs_currencies=${currency}&include_last_updated_at=true&${param}=`
      const sorted = [...group].sort((a, b) => (a.key < b.key ? -1 : 1))
      let items = new Map<string, string>()
      const flush = () => {
        if (items.size) requests.push({ endpoint, url: fixed + [...new Set(items.values())].join(','), items })
        items = new Map()
      }
      let length = fixed.length
      for (const t of sorted) {
        const name = 'coin' in t ? t.coin : t.contract
        if (items.size && length + name.length + 1 > MAX_URL_LENGTH) {
          flush()
          length = fixed.length
        }
        items.set(`${t.key}|${currency}`, name)
        length += name.length + 1
      }
      flush()
    }
    return requests
  }

  async function send(request: Request, currency: string): Promise<Batch> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (apiKey !== undefined) headers[apiKeyHeader] = apiKey
    const endpoint = request.endpoint
    let response: Response
    try {
      response = await fetchFn(request.url, { headers, signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name
      const timedOut = name === 'TimeoutError' || name === 'AbortError'
      throw new PriceSourceError(
        timedOut ? `Price request to ${endpoint} timed out after ${timeoutMs} ms.` : `Price request to ${endpoint} failed (network error).`,
        {
          details: { endpoint, ...(timedOut ? { timeoutMs } : {}) },
          cause: error,
        },
      )
    }
    const fetchedAt = now()
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      const status = response.status
      if (status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), fetchedAt)
        blockedUntil = Math.max(blockedUntil, fetchedAt + retryAfter * 1000)
        throw new PriceSourceError(
          `Price source rate-limited the request to ${endpoint} (HTTP 429); answering from cache for ${retryAfter} s.`,
          {
            details: { endpoint, status, retryAfter },
          },
        )
      }
      throw new PriceSourceError(`Price source answered HTTP ${status} to ${endpoint}.`, { details: { endpoint, status } })
    }
    let body: unknown
    try {
      body = await response.json()
    } catch (error) {
      throw new PriceSourceError(`Price source answered ${endpoint} with invalid JSON.`, { details: { endpoint }, cause: error })
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new PriceSourceError(`Price source answered ${endpoint} with ${describe(body)}, expected a JSON object.`, {
        details: { endpoint },
      })
    }
    // Contract keys are matched case-insensitively (CoinGecko answers lower-case, as asked).
    const isToken = endpoint !== 'simple/price'
    const answer = new Map(Object.entries(body).map(([k, v]) => [isToken ? k.toLowerCase() : k, v as unknown]))
    const batch = new Map<string, CacheEntry>()
    for (const [key, name] of request.items) {
      const entry: CacheEntry = { quote: parseEntry(answer.get(name), currency, fetchedAt), fetchedAt }
      batch.set(key, entry)
      cache.delete(key)
      cache.set(key, entry)
    }
    while (cache.size > MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
    return batch
  }

  return {
    async getPrices(assets, wanted) {
      const currency = normalizeCurrency(wanted)
      const checked = checkAssets(assets)
      const time = now()
      const blocked = time < blockedUntil
      const keys = new Map<AssetId, string>()
      const found = new Map<string, CacheEntry>()
      const waiting = new Map<string, Promise<Batch>>()
      const missing = new Map<string, Target>()
      for (const asset of checked) {
        const t = target(asset)
        if (!t) continue
        const key = `${t.key}|${currency}`
        keys.set(asset.id, key)
        if (found.has(key) || waiting.has(key) || missing.has(key)) continue
        const cached = cache.get(key)
        const pending = inflight.get(key)
        if (cached && (blocked || time - cached.fetchedAt < ttlMs)) found.set(key, cached)
        else if (pending) waiting.set(key, pending)
        else if (!blocked) missing.set(key, t)
      }
      for (const request of plan([...missing.values()], currency)) {
        const promise = send(request, currency)
        const done = () => {
          for (const key of request.items.keys()) if (inflight.get(key) === promise) inflight.delete(key)
        }
        promise.then(done, done)
        for (const key of request.items.keys()) {
          inflight.set(key, promise)
          waiting.set(key, promise)
        }
      }
      const settled = await Promise.allSettled([...new Set(waiting.values())])
      const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
      if (failure) throw failure.reason
      for (const [key, promise] of waiting) {
        const entry = (await promise).get(key)
        if (entry) found.set(key, entry)
      }
      const quotes = new Map<AssetId, PriceQuote>()
      for (const [asset, key] of keys) {
        const quote = found.get(key)?.quote
        if (quote) quotes.set(asset, quote)
      }
      return quotes
    },
  }
}
