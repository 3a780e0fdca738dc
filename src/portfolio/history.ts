/**
 * One history across chains and accounts: every account's `getHistory` pages, merged newest
 * first (by time; items not yet in a block first). The cursor remembers, per account, the
 * adapter cursor of the page in progress and how many of its items were already handed out,
 * so pages never repeat or skip an item as long as the accounts' histories do not change
 * between calls (newer items appear on a fresh first page).
 * @module
 * @internal
 */
import { isIntegerIn } from '../core/assert.js'
import { base64url } from '@scure/base'
import type { AssetId } from '../core/caip.js'
import type { ChainAdapter, HistoryItem } from '../chains/adapter.js'
import { InvalidArgumentError } from '../core/errors.js'
import type { AssetMeta } from './assets.js'
import type { PortfolioAccount } from './types.js'

/** A history item with the account it belongs to and its asset's symbol and decimals. */
export interface PortfolioHistoryItem extends HistoryItem {
  readonly account: string
  readonly label?: string
  /** The ticker from the adapter's registry or configuration; for an unverified asset, a label made from its id (`0x5fbd…0aa3`). */
  readonly symbol: string
  readonly decimals: number
  /**
   * True for an asset the adapter does not vouch for (followed by id, neither in its registry
   * nor in its configuration): show it as unverified; it has no family. Absent otherwise.
   */
  readonly unverified?: true
  /** Decimals of the fee's asset, when there is a fee. */
  readonly feeDecimals?: number
  readonly feeSymbol?: string
}

/** One page of merged history. */
export interface PortfolioHistoryPage {
  readonly items: readonly PortfolioHistoryItem[]
  /** For the next (older) page; absent on the last. */
  readonly cursor?: string
}

/** Where one account's history stands: the adapter cursor of its current page, and items of it already returned. */
interface Position {
  c?: string
  s: number
  done?: true
}

/** A source of history: an account, its adapter and the assets to include. */
export interface HistorySource {
  readonly account: PortfolioAccount
  readonly adapter: ChainAdapter
  readonly assets: readonly AssetMeta[]
  /** Every asset the adapter lists (for fee decimals). */
  readonly known: readonly AssetMeta[]
}

const sourceKey = (s: HistorySource) => `${s.account.chainId}|${s.account.address.toLowerCase()}`

function encodeCursor(positions: Record<string, Position>): string {
  return base64url.encode(new TextEncoder().encode(JSON.stringify(positions)))
}

function decodeCursor(cursor: unknown): Record<string, Position> {
  try {
    if (typeof cursor !== 'string' || cursor.length > 100_000) throw new Error('not text')
    const data = JSON.parse(new TextDecoder().decode(base64url.decode(cursor))) as unknown
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object')
    for (const p of Object.values(data as Record<string, Position>)) {
      if (!p || typeof p !== 'object' || !isIntegerIn(p.s, 0, Number.MAX_SAFE_INTEGER) || (p.c !== undefined && typeof p.c !== 'string'))
        throw new Error('bad position')
    }
    return data as Record<string, Position>
  } catch {
    throw new InvalidArgumentError('cursor is not one this portfolio returned.')
  }
}

/** Newest first: pending (no block) before mined; then by time, then chain and height. */
function newestFirst(a: PortfolioHistoryItem, b: PortfolioHistoryItem): number {
  const pa = a.blockHeight === undefined ? 1 : 0
  const pb = b.blockHeight === undefined ? 1 : 0
  if (pa !== pb) return pb - pa
  const ta = a.timestamp ?? 0
  const tb = b.timestamp ?? 0
  if (ta !== tb) return tb - ta
  if (a.chainId !== b.chainId) return a.chainId < b.chainId ? -1 : 1
  return (b.blockHeight ?? 0) - (a.blockHeight ?? 0)
}

/**
 * One merged page: a k-way merge of each account's next items. It stops early where an
 * account's fetched items run out while it has more (their order against the others is not
 * known yet), so a page may hold fewer than `limit` items; keep going while there is a cursor.
 */
export async function mergedHistory(
  sources: readonly HistorySource[],
  limit: number,
  cursor: string | undefined,
): Promise<PortfolioHistoryPage> {
  const positions = cursor === undefined ? {} : decodeCursor(cursor)
  const live = sources.filter((s) => !positions[sourceKey(s)]?.done && s.assets.length > 0)
  const pages = await Promise.all(
    live.map(async (source) => {
      const at = positions[sourceKey(source)] ?? { s: 0 }
      const page = await source.adapter.getHistory(source.account.address, {
        assets: source.assets.map((a) => a.id),
        limit: Math.min(1000, limit + at.s),
        ...(at.c === undefined ? {} : { cursor: at.c }),
      })
      const items = page.items.slice(at.s).flatMap((item, raw) => {
        const decorated = decorate(item, source)
        return decorated ? [{ item: decorated, raw }] : []
      })
      return { source, at, items, next: page.cursor, used: 0 }
    }),
  )
  const taken: PortfolioHistoryItem[] = []
  while (taken.length < limit) {
    let best: (typeof pages)[number] | undefined
    let blocked = false
    for (const p of pages) {
      const head = p.items[p.used]
      if (!head) {
        if (p.next !== undefined) blocked = true
        continue
      }
      if (!best || newestFirst(head.item, (best.items[best.used] as { item: PortfolioHistoryItem }).item) < 0) best = p
    }
    if (!best || blocked) break
    taken.push((best.items[best.used++] as { item: PortfolioHistoryItem }).item)
  }
  const next: Record<string, Position> = { ...positions }
  for (const p of pages) {
    const key = sourceKey(p.source)
    if (p.used < p.items.length)
      next[key] = { ...(p.at.c === undefined ? {} : { c: p.at.c }), s: p.at.s + (p.items[p.used] as { raw: number }).raw }
    else if (p.next !== undefined) next[key] = { c: p.next, s: 0 }
    else next[key] = { s: 0, done: true }
  }
  const more = sources.some((s) => s.assets.length > 0 && !next[sourceKey(s)]?.done)
  return { items: taken, ...(more ? { cursor: encodeCursor(next) } : {}) }
}

/** The item with what the portfolio knows of its asset (followed first, so an unverified one stays flagged); undefined for an asset it does not know. */
function decorate(item: HistoryItem, source: HistorySource): PortfolioHistoryItem | undefined {
  const find = (id: string | undefined) => source.assets.find((a) => a.id === id) ?? source.known.find((a) => a.id === id)
  const asset = find(item.asset)
  if (!asset) return undefined
  const fee = item.fee ? find(item.fee.asset) : undefined
  return Object.freeze({
    ...item,
    account: source.account.address,
    ...(source.account.label === undefined ? {} : { label: source.account.label }),
    symbol: asset.symbol,
    decimals: asset.decimals,
    ...(asset.unverified ? { unverified: true as const } : {}),
    ...(fee ? { feeDecimals: fee.decimals, feeSymbol: fee.symbol } : {}),
  })
}

/** Keeps the assets of a source that `wanted` names (all when undefined). */
export function pickAssets(assets: readonly AssetMeta[], wanted: readonly AssetId[] | undefined): AssetMeta[] {
  return wanted === undefined ? [...assets] : assets.filter((a) => wanted.includes(a.id))
}
