/**
 * Builds a portfolio snapshot from the chain trackers' readings: one line per account ×
 * asset, totals per asset family across chains (test networks apart), and fiat values —
 * exact products of base units and decimal prices, shown with two decimals. Totals add the
 * exact values and round once, so a total may differ by a cent from the sum of its rounded
 * lines. Balances on test networks (`adapter.testnet`) never add up with mainnet ones: their
 * values sum into `testnetValue`, apart from `value`. Unverified assets (see assets.ts) are
 * never priced and never join a family line.
 * @module
 * @internal
 */
import type { AssetId, ChainId } from '../core/caip.js'
import type { CofferError } from '../core/errors.js'
import { addDecimals, fiatValue, formatDecimal, parsePrice, type Decimal } from '../core/decimal.js'
import { accountAsset } from './assets.js'
import type { PriceQuote } from './prices.js'
import type { ChainTracker } from './tracker.js'
import type { PortfolioBalance, PortfolioChainState, PortfolioSnapshot, PortfolioTotal } from './types.js'

/** Fraction digits of fiat values. */
const FIAT_DIGITS = 2

const ZERO: Decimal = { units: 0n, scale: 0 }

interface TotalDraft {
  key: string
  family?: string
  symbol: string
  unverified?: true
  decimals: number
  testnet: boolean
  members: { balance: PortfolioBalance; exact?: Decimal }[]
}

/** The snapshot of every tracker's current readings. */
export function buildSnapshot(
  trackers: readonly ChainTracker[],
  prices: ReadonlyMap<AssetId, PriceQuote>,
  currency: string,
  extra: { restored: boolean; priceError?: CofferError },
): PortfolioSnapshot {
  const balances: PortfolioBalance[] = []
  const exact = new Map<PortfolioBalance, Decimal>()
  const drafts = new Map<string, TotalDraft>()
  const chains: PortfolioChainState[] = []
  /** Sums of priced balances: mainnets, and test networks apart. */
  let grand: Decimal | undefined
  let testnetGrand: Decimal | undefined
  for (const tracker of trackers) {
    const head = tracker.head
    chains.push(
      Object.freeze({
        chainId: tracker.chainId,
        ...(head ? { blockHeight: head.height, blockHash: head.hash } : {}),
        ...(tracker.updatedAt === undefined ? {} : { updatedAt: tracker.updatedAt }),
        stale: tracker.stale,
        ...(tracker.error ? { error: tracker.error } : {}),
      }),
    )
    for (const account of tracker.accounts) {
      for (const asset of tracker.assets) {
        const reading = tracker.reading(account.address, asset.id)
        if (!reading) continue
        // An unverified asset never has a family, and a price for it (a saved one, or a source answering anyway) is ignored.
        const family = asset.unverified ? undefined : asset.family
        const quote = asset.unverified ? undefined : prices.get(asset.id)
        const price = quote ? parsePrice(quote.price) : undefined
        const value = price ? fiatValue(reading.amount, asset.decimals, price) : undefined
        const error = reading.error ?? (tracker.stale && tracker.error ? tracker.error : undefined)
        const balance: PortfolioBalance = Object.freeze({
          ...accountAsset(account, asset),
          ...(family ? { family } : {}),
          amount: reading.amount,
          confirmed: reading.amount - reading.pending,
          pending: reading.pending,
          blockHeight: reading.blockHeight,
          stale: error !== undefined,
          ...(error ? { error } : {}),
          ...(quote ? { price: quote.price } : {}),
          ...(value ? { value: formatDecimal(value, FIAT_DIGITS) } : {}),
        })
        balances.push(balance)
        const testnet = tracker.adapter.testnet === true
        if (value) {
          exact.set(balance, value)
          if (testnet) testnetGrand = addDecimals(testnetGrand ?? ZERO, value)
          else grand = addDecimals(grand ?? ZERO, value)
        }
        const key = family ? `${family}${testnet ? ' (testnet)' : ''}` : asset.id
        let draft = drafts.get(key)
        if (!draft) {
          draft = {
            key,
            ...(family ? { family } : {}),
            symbol: family ?? asset.symbol,
            ...(asset.unverified ? { unverified: true as const } : {}),
            decimals: asset.decimals,
            testnet,
            members: [],
          }
          drafts.set(key, draft)
        }
        draft.decimals = Math.max(draft.decimals, asset.decimals)
        draft.members.push({ balance, ...(value ? { exact: value } : {}) })
      }
    }
  }
  const totals = [...drafts.values()].map(total)
  return Object.freeze({
    takenAt: Date.now(),
    currency,
    balances: Object.freeze(balances),
    totals: Object.freeze(totals),
    chains: Object.freeze(chains),
    ...(grand ? { value: formatDecimal(grand, FIAT_DIGITS) } : {}),
    ...(testnetGrand ? { testnetValue: formatDecimal(testnetGrand, FIAT_DIGITS) } : {}),
    ...(extra.priceError ? { priceError: extra.priceError } : {}),
    restored: extra.restored,
  })
}

function total(draft: TotalDraft): PortfolioTotal {
  const scale = (b: PortfolioBalance, units: bigint) => units * 10n ** BigInt(draft.decimals - b.decimals)
  let amount = 0n
  let confirmed = 0n
  let value: Decimal | undefined
  let valueComplete = true
  for (const { balance, exact } of draft.members) {
    amount += scale(balance, balance.amount)
    confirmed += scale(balance, balance.confirmed)
    if (exact) value = addDecimals(value ?? ZERO, exact)
    else if (balance.amount !== 0n) valueComplete = false
  }
  const chains = [...new Set(draft.members.map((m) => m.balance.chainId))] as ChainId[]
  const assets = [...new Set(draft.members.map((m) => m.balance.asset))] as AssetId[]
  return Object.freeze({
    key: draft.key,
    ...(draft.family ? { family: draft.family } : {}),
    symbol: draft.symbol,
    ...(draft.unverified ? { unverified: true as const } : {}),
    decimals: draft.decimals,
    amount,
    confirmed,
    pending: amount - confirmed,
    testnet: draft.testnet,
    assets: Object.freeze(assets),
    chains: Object.freeze(chains),
    ...(value ? { value: formatDecimal(value, FIAT_DIGITS) } : {}),
    valueComplete,
    stale: draft.members.some((m) => m.balance.stale),
  })
}
