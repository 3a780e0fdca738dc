/**
 * Price sources: where a portfolio gets the fiat price of each asset. A {@link PriceSource}
 * answers with exact decimal text, never a float, and leaves out every asset it has no price
 * for (a missing price is never made up). Two sources ship here:
 *
 * - {@link fixedPrices}: a table the caller writes (tests, offline use, pegged assets);
 * - `httpPrices` (coingecko.ts): the CoinGecko API (or anything speaking its shape), cached, deduplicated,
 *   and polite about rate limits.
 *
 * Callers that know the assets (the portfolio, the wallet's policy) pass each asset's family and
 * network as the adapters describe them ({@link PriceRequest}), so a family key (`USDT`) prices
 * tokens the caller configured, on any chain, without the table naming chains.
 *
 * Stablecoins are NOT assumed to be worth 1: a USDT balance has a fiat value only if a source
 * prices it, e.g. `fixedPrices({ prices: { USDT: '1' } })` when the caller decides so.
 * @module
 */
import { assertInteger, assertOptions, describe } from '../core/assert.js'
import { parseAssetId, type AssetId, type AssetIdParts } from '../core/caip.js'
import { findChainFamily } from '../chains/family.js'
import { CofferError, InvalidArgumentError } from '../core/errors.js'
import { formatDecimal, parsePrice, priceFromNumber } from '../core/decimal.js'

/** One price of one whole coin/token in one fiat currency. */
export interface PriceQuote {
  /** Exact decimal text, as `formatDecimal(exact)` prints it ("0.9998", "0.0000001", "67234.12"). */
  readonly price: string
  /** When the source observed this price, in ms since the Unix epoch. */
  readonly at: number
}

/** Prices by asset id. Assets the source has no price for are absent. */
export type PriceQuotes = ReadonlyMap<AssetId, PriceQuote>

/**
 * What the caller knows about an asset it asks a price for, from the adapter that serves it
 * (its registry and configuration: `adapter.assets()` and `adapter.testnet`), never from a token
 * contract or a quote. An `AssetInfo` spread with `testnet` fits: `{ ...info, testnet: adapter.testnet }`.
 */
export interface PriceAssetInfo {
  readonly id: AssetId
  /** The family the adapter gives the asset ("USDT", "ETH"); absent when it gives none. */
  readonly family?: string
  /** True for a token the adapter only looked up on chain: it never gets a family price. */
  readonly unverified?: boolean
  /** The asset lives on a test network (`adapter.testnet`). */
  readonly testnet: boolean
}

/** The optional third argument of {@link PriceSource.getPrices}. */
export interface PriceRequest {
  /**
   * Metadata of the asked assets (entries for other ids are ignored). With it a source can
   * price by family without knowing chains; without it, {@link fixedPrices} falls back to
   * {@link knownFamily} (registry tokens and mainnet native coins only).
   */
  readonly assets?: readonly PriceAssetInfo[]
}

/** Anything that prices assets in a fiat currency. */
export interface PriceSource {
  /**
   * Prices of `assets` in `currency` (a code such as 'usd' or 'EUR', matched case-insensitively).
   * The result is keyed by the ids exactly as passed; unpriced assets are absent. `request`
   * carries what the caller knows about the assets (see {@link PriceRequest}); a source may ignore it.
   * @throws InvalidArgumentError / InvalidCaipIdError on bad input (before any request),
   *   PriceSourceError when the source fails (rejected promises)
   */
  getPrices(assets: readonly AssetId[], currency: string, request?: PriceRequest): Promise<PriceQuotes>
}

const CURRENCY_RE = /^[a-z]{3,5}$/
const FAMILY_RE = /^[A-Z][A-Z0-9.]{0,15}$/
/** @internal */
export const COIN_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/
/** @internal */
export const EVM_ADDRESS_RE = /^0x[0-9a-f]{40}$/
const MAX_ASSETS = 10_000

/** Checks a currency code (3 to 5 letters, any case: 'usd', 'EUR') and returns it lower-cased. @throws InvalidArgumentError */
export function normalizeCurrency(currency: string): string {
  const lower = typeof currency === 'string' ? currency.toLowerCase() : currency
  if (typeof lower !== 'string' || !CURRENCY_RE.test(lower)) {
    const got = typeof currency === 'string' ? JSON.stringify(currency.slice(0, 20)) : describe(currency)
    throw new InvalidArgumentError(`currency must be a 3-5 letter code such as "usd", got ${got}.`)
  }
  return lower
}

/** An asset id, checked, with its canonical form. @internal */
export interface CheckedAsset {
  readonly id: AssetId
  /** The id with an EVM contract address lower-cased, so checksummed and lower-case ids match. */
  readonly canonical: string
  readonly parts: AssetIdParts
}

function canonicalize(id: string): CheckedAsset {
  const parts = parseAssetId(id)
  const reference =
    parts.chainId.startsWith('eip155:') && parts.assetNamespace === 'erc20' ? parts.assetReference.toLowerCase() : parts.assetReference
  const canonical = `${parts.chainId}/${parts.assetNamespace}:${reference}${parts.tokenId === undefined ? '' : `/${parts.tokenId}`}`
  return { id: id as AssetId, canonical, parts: { ...parts, assetReference: reference } }
}

/** @internal */
export function checkAssets(assets: readonly AssetId[]): CheckedAsset[] {
  if (!Array.isArray(assets)) throw new InvalidArgumentError(`assets must be an array of CAIP-19 asset ids, got ${describe(assets)}.`)
  if (assets.length > MAX_ASSETS) throw new InvalidArgumentError(`Too many assets: ${assets.length}, at most ${MAX_ASSETS}.`)
  return assets.map(canonicalize)
}

/** An asset id that is either a family name or a CAIP-19 id, for table keys. */
/** @internal */
export function assetKey(key: string, name: string): CheckedAsset {
  try {
    return canonicalize(key)
  } catch (error) {
    throw new InvalidArgumentError(
      `${name} key ${JSON.stringify(key.slice(0, 120))} is neither a CAIP-19 asset id nor a family name like "USDT".`,
      { cause: error },
    )
  }
}

/**
 * The family of an asset for pricing, as its chain family knows it (`ChainFamily.knownFamily`):
 * the registry family of a registry token ("USDT", "USDC", "DAI"), the native symbol of a
 * mainnet coin (`eip155:1/slip44:60` → "ETH", `eip155:137/slip44:60` → "POL", Bitcoin mainnet's
 * coin → "BTC"). Testnet assets (test coins and testnet stablecoins alike) have no family, so a
 * mainnet price never reaches them. Undefined for everything else.
 * @throws InvalidCaipIdError for a malformed id
 */
export function knownFamily(asset: AssetId): string | undefined {
  const { id, parts } = canonicalize(asset)
  return findChainFamily(parts.chainId)?.knownFamily?.(id)
}

function priceText(value: unknown, key: string): string {
  try {
    if (typeof value === 'number') return formatDecimal(priceFromNumber(value))
    if (typeof value === 'string') return formatDecimal(parsePrice(value))
    throw new InvalidArgumentError(`A price must be a decimal string or a number, got ${describe(value)}.`)
  } catch (error) {
    if (!(error instanceof CofferError)) throw error
    throw new InvalidArgumentError(`prices[${JSON.stringify(key.slice(0, 120))}]: ${error.shortMessage}`, {
      details: error.details,
      cause: error,
    })
  }
}

/** Options of {@link fixedPrices}. */
export interface FixedPricesOptions {
  /** The one currency these prices are in, default 'usd'. Other currencies get no prices. */
  currency?: string
  /**
   * Price per whole coin, by CAIP-19 asset id or by family name (/^[A-Z][A-Z0-9.]{0,15}$/:
   * "USDT", "ETH", "BTC"). Decimal strings are exact; numbers go through their shortest text
   * (`0.1` is 0.1). Asset-id keys win over family keys.
   *
   * A family key prices every asset of that family: by `families`, else by the family the
   * caller's metadata gives (the adapter's own list, so tokens configured with `family: 'USDT'`
   * count, on any chain), else by {@link knownFamily}. It never prices an unverified asset, and
   * it prices test-network assets only with `testnets: true` (or through `families`). Symbols
   * are not keys: a token's symbol may be its contract's own word.
   */
  prices: Readonly<Record<string, string | number>>
  /** Extra family assignments by asset id (for tokens the registry does not know); they win over {@link knownFamily} and reach test networks too. */
  families?: Readonly<Record<string, string>>
  /**
   * Let family keys price assets on test networks too (local chains in tests and demos), default
   * false: a test coin has no market value, so `{ ETH: '3000' }` leaves Sepolia ETH unpriced.
   * Needs the caller's metadata (a portfolio passes it) to know an asset's family and network.
   * A portfolio never adds test-network values to mainnet ones (`snapshot.testnetValue`).
   */
  testnets?: boolean
  /** The `at` of every quote; default: the time of each `getPrices` call. */
  at?: number
}

/** What a price request says about one asset, by canonical id. */
interface Described {
  readonly family: string | undefined
  readonly unverified: boolean
  readonly testnet: boolean
}

/** The caller's metadata by canonical id. @throws InvalidArgumentError */
function described(request: PriceRequest | undefined): Map<string, Described> {
  const out = new Map<string, Described>()
  if (request === undefined) return out
  const { assets } = assertOptions(request, 'request')
  if (assets === undefined) return out
  if (!Array.isArray(assets))
    throw new InvalidArgumentError(`request.assets must be an array of { id, family?, unverified?, testnet }, got ${describe(assets)}.`)
  if (assets.length > MAX_ASSETS)
    throw new InvalidArgumentError(`Too many assets in request.assets: ${assets.length}, at most ${MAX_ASSETS}.`)
  assets.forEach((info: unknown, i) => {
    const a = assertOptions(info as PriceAssetInfo, `request.assets[${i}]`)
    const { canonical } = canonicalize(a.id as string)
    // Any string will do: one that is not a family name ("Tether USD") simply matches no key.
    if (a.family !== undefined && typeof a.family !== 'string')
      throw new InvalidArgumentError(`request.assets[${i}].family must be a string like "USDT", got ${describe(a.family)}.`)
    if (a.unverified !== undefined && typeof a.unverified !== 'boolean')
      throw new InvalidArgumentError(`request.assets[${i}].unverified must be a boolean, got ${describe(a.unverified)}.`)
    if (typeof a.testnet !== 'boolean')
      throw new InvalidArgumentError(`request.assets[${i}].testnet must be a boolean (the adapter's testnet), got ${describe(a.testnet)}.`)
    const entry: Described = { family: a.family, unverified: a.unverified === true, testnet: a.testnet }
    const previous = out.get(canonical)
    if (previous && (previous.family !== entry.family || previous.unverified !== entry.unverified || previous.testnet !== entry.testnet)) {
      throw new InvalidArgumentError(`request.assets describes ${canonical} twice, differently.`)
    }
    out.set(canonical, entry)
  })
  return out
}

/**
 * A price source over a fixed table. Everything is validated here, at construction: bad keys
 * or prices throw InvalidArgumentError at once. Stablecoins get a price only if the table
 * gives one (`{ USDT: '1' }`): nothing is assumed.
 *
 * Which family an asset is in, for family keys: `families` (the caller's word, by id), else the
 * family in the request's metadata (the adapter's registry and configuration), else
 * {@link knownFamily}. An unverified asset never takes a family price; a test-network asset takes
 * one only with `testnets: true` or through `families`.
 *
 * @example fixedPrices({ prices: { USDT: '1', ETH: '3120.55', 'eip155:1/slip44:60': '3121' } })
 * @throws InvalidArgumentError
 */
export function fixedPrices(options: FixedPricesOptions): PriceSource {
  const opts = assertOptions(options)
  const currency = normalizeCurrency(opts.currency ?? 'usd')
  const at = opts.at === undefined ? undefined : assertInteger(opts.at, 'at', 0, Number.MAX_SAFE_INTEGER)
  if (opts.testnets !== undefined && typeof opts.testnets !== 'boolean')
    throw new InvalidArgumentError(`testnets must be a boolean, got ${describe(opts.testnets)}.`)
  const testnets = opts.testnets === true
  const table = opts.prices
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new InvalidArgumentError(`prices must be an object of prices by asset id or family, got ${describe(table)}.`)
  }
  const byAsset = new Map<string, string>()
  const byFamily = new Map<string, string>()
  for (const [key, value] of Object.entries(table)) {
    const price = priceText(value, key)
    if (FAMILY_RE.test(key)) {
      byFamily.set(key, price)
      continue
    }
    const { canonical } = assetKey(key, 'prices')
    const previous = byAsset.get(canonical)
    if (previous !== undefined && previous !== price) {
      throw new InvalidArgumentError(`prices has two different prices for ${canonical} (address case differs).`)
    }
    byAsset.set(canonical, price)
  }
  const families = new Map<string, string>()
  const extra = opts.families === undefined ? {} : assertOptions(opts.families, 'families')
  for (const [key, family] of Object.entries(extra)) {
    const { canonical } = assetKey(key, 'families')
    if (typeof family !== 'string' || !FAMILY_RE.test(family)) {
      throw new InvalidArgumentError(`families[${JSON.stringify(key.slice(0, 120))}] must be a family name like "USDT".`)
    }
    families.set(canonical, family)
  }

  /** The family whose price `asset` may take, if any. */
  function familyOf(asset: CheckedAsset, info: Described | undefined): string | undefined {
    if (info?.unverified) return undefined
    const explicit = families.get(asset.canonical)
    if (explicit !== undefined) return explicit
    if (info === undefined) return knownFamily(asset.id)
    return info.testnet && !testnets ? undefined : info.family
  }

  return {
    async getPrices(assets, wanted, request) {
      const cur = normalizeCurrency(wanted)
      const checked = checkAssets(assets)
      const infos = described(request)
      const quotes = new Map<AssetId, PriceQuote>()
      if (cur !== currency) return quotes
      const time = at ?? Date.now()
      for (const asset of checked) {
        let price = byAsset.get(asset.canonical)
        if (price === undefined) {
          const family = familyOf(asset, infos.get(asset.canonical))
          price = family === undefined ? undefined : byFamily.get(family)
        }
        if (price !== undefined) quotes.set(asset.id, Object.freeze({ price, at: time }))
      }
      return quotes
    },
  }
}
