/**
 * The portfolio's saved state: per chain the kept block hashes, the last readings and the
 * recent announcements (so a restart shows balances at once, resumes where it stopped and
 * reports what moved meanwhile without repeating itself), plus the last prices. JSON under one
 * storage key; amounts as decimal strings. Holds addresses and balances, never a secret.
 *
 * A record that does not parse or check is ignored (the portfolio starts afresh): losing a
 * cache must never stop the wallet.
 * @module
 * @internal
 */
import { isIntegerIn } from '../core/assert.js'
import type { AssetId, ChainId } from '../core/caip.js'
import type { PriceQuote } from './prices.js'
import type { TrackerData } from './tracker.js'

/** The format tag and version of the saved record. */
const PORTFOLIO_FORMAT = 'coffer-portfolio'
const PORTFOLIO_VERSION = 1

/** What is saved. */
export interface SavedPortfolio {
  readonly savedAt: number
  readonly currency: string
  readonly prices: Readonly<Record<string, PriceQuote>>
  readonly chains: Readonly<Record<string, TrackerData>>
}

/** The record as text. */
export function encodeState(state: SavedPortfolio): string {
  return JSON.stringify({ format: PORTFOLIO_FORMAT, version: PORTFOLIO_VERSION, ...state })
}

const isInt = (v: unknown): v is number => isIntegerIn(v, 0, Number.MAX_SAFE_INTEGER)
const isUnits = (v: unknown, signed = false): v is string => typeof v === 'string' && (signed ? /^-?\d{1,80}$/ : /^\d{1,80}$/).test(v)
const isText = (v: unknown, max = 2_000): v is string => typeof v === 'string' && v.length <= max
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function checkTracker(t: unknown): t is TrackerData {
  if (!isObject(t) || !Array.isArray(t.blocks) || !Array.isArray(t.readings) || !Array.isArray(t.announced)) return false
  if (
    !isInt(t.sinceFull) ||
    typeof t.stale !== 'boolean' ||
    (t.baseline !== undefined && !isInt(t.baseline)) ||
    (t.updatedAt !== undefined && !isInt(t.updatedAt))
  )
    return false
  const blocksOk = t.blocks.every(
    (b) => isObject(b) && isInt(b.height) && isText(b.hash, 200) && isText(b.parentHash, 200) && isInt(b.timestamp),
  )
  const readingsOk = t.readings.every(
    (r) =>
      isObject(r) && isText(r.account) && isText(r.asset, 300) && isUnits(r.amount) && isUnits(r.pending, true) && isInt(r.blockHeight),
  )
  const announcedOk = t.announced.every(
    (a) =>
      isObject(a) &&
      isText(a.chainId, 50) &&
      isText(a.account) &&
      ['in', 'out', 'self'].includes(a.direction as string) &&
      isText(a.asset, 300) &&
      isText(a.symbol, 100) &&
      isInt(a.decimals) &&
      isUnits(a.amount) &&
      isText(a.from) &&
      isText(a.to) &&
      isText(a.hash, 200) &&
      (a.blockHeight === undefined || isInt(a.blockHeight)) &&
      (a.index === undefined || isInt(a.index)) &&
      (a.unverified === undefined || a.unverified === true) &&
      ['pending', 'confirmed', 'failed', 'dropped'].includes(a.state as string),
  )
  return blocksOk && readingsOk && announcedOk
}

/** The saved record, or undefined if it is absent, damaged or of another version. */
export function decodeState(text: string | undefined, chains: readonly ChainId[]): SavedPortfolio | undefined {
  if (!text) return undefined
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(data) || data.format !== PORTFOLIO_FORMAT || data.version !== PORTFOLIO_VERSION) return undefined
  if (!isInt(data.savedAt) || !isText(data.currency, 10) || !isObject(data.prices) || !isObject(data.chains)) return undefined
  const prices: Record<string, PriceQuote> = {}
  for (const [asset, quote] of Object.entries(data.prices)) {
    if (isObject(quote) && typeof quote.price === 'string' && /^\d{1,80}(\.\d{1,80})?$/.test(quote.price) && isInt(quote.at))
      prices[asset as AssetId] = { price: quote.price, at: quote.at }
  }
  const trackers: Record<string, TrackerData> = {}
  for (const chainId of chains) {
    const t = data.chains[chainId]
    if (t !== undefined && checkTracker(t)) trackers[chainId] = t
  }
  return { savedAt: data.savedAt, currency: data.currency, prices, chains: trackers }
}
