/**
 * Transfer history of an address, newest first, from TronGrid's account lists: TRX from
 * `/v1/accounts/:address/transactions` (its TransferContracts: owner, recipient, sun;
 * `ret[0].contractRet` gives the state, `ret[0].fee` the fee) and each asked TRC-20 from
 * `/v1/accounts/:address/transactions/trc20?contract_address=…` (its Transfer events). Only the
 * TRC-20s the adapter lists can be asked for.
 *
 * - `direction`: `out` when the address sends, `in` when it receives, `self` when both.
 * - `fee` (TRX) on outgoing items only, once per transaction within a page: a TransferContract's
 *   `ret[0].fee`; for a TRC-20 transfer, the fee of its TriggerSmartContract as the TRX list of
 *   the same page shows it, else read with `/wallet/gettransactioninfobyid` (one request per such
 *   transaction, {@link TRON_READ_CONCURRENCY} at once).
 * - `blockHeight` only for TRX items: TronGrid's TRC-20 list gives the block's time, not its
 *   number (`timestamp` is there for both).
 * - A failed TRC-20 transfer (REVERT, OUT_OF_ENERGY) emits no Transfer event and does not appear;
 *   the TRX its call burned is not shown either (the contract call is not a TRX transfer). A TRX
 *   transfer made by a contract (an internal transaction) does not appear. TRX items whose
 *   `contractRet` is not SUCCESS are `failed`.
 *
 * Paging. The first page reads the head block and pins every later request of the query to
 * `max_block_timestamp` = its time, so the lists no longer move under the cursor. Each page reads
 * each stream not yet exhausted from where it stands (TronGrid's fingerprint of its page, plus
 * the entries of that page already consumed), merges them newest first, and emits only entries at
 * least as new as the oldest entry every stream with more to read has reached: nothing a later
 * page lists can be newer than what this one emitted, and each stream's position advances by
 * exactly what was emitted, so no entry is skipped or repeated. Up to four rounds are read per
 * page to fill it; a page may hold fewer than `limit` items (entries that are not transfers
 * count): only the absence of a cursor means the end. The cursor (`th1.`…) carries the pin, each
 * stream's position and a fingerprint of the query (address and assets): a cursor of another
 * query is refused. Entries in blocks not yet solidified are listed as TronGrid lists them.
 * @module
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { AssetId } from '../../core/caip.js'
import { DataIntegrityError, InvalidArgumentError } from '../../core/errors.js'
import type { HistoryItem, HistoryPage } from '../adapter.js'
import { checkAddress, tokensIn } from './validate.js'
import type { TronCall, TronToken } from './context.js'
import { readTronLatestBlock } from './status.js'
import {
  isFingerprint,
  mapLimited,
  parseTrc20Entry,
  parseTrxEntry,
  readTronTxInfo,
  TRON_READ_CONCURRENCY,
  V1_MAX_LIMIT,
  v1Page,
  type Trc20Entry,
  type TrxEntry,
} from './v1.js'

/** Where one stream stands: the fingerprint of its current page (none: the first) and entries of it consumed. */
interface StreamPosition {
  readonly fingerprint?: string
  readonly skip: number
}

/** What a history cursor carries. */
export interface TronHistoryCursor {
  /** ms: the head block's time when the query's first page was read. */
  readonly pin: number
  /** Per stream (TRX if asked, then each asked token), its position; null once exhausted. */
  readonly streams: readonly (StreamPosition | null)[]
}

const CURSOR_PREFIX = 'th1'
/** Rounds of reads one page makes at most to fill itself. */
const MAX_ROUNDS = 4

/** A fingerprint of the query: the address and the asked assets. */
export function historyQueryPrint(address: string, assets: readonly AssetId[]): string {
  return bytesToHex(sha256(utf8ToBytes([address, ...[...new Set(assets)].sort()].join('|')))).slice(0, 16)
}

/** The cursor string of `cursor` for the query `print`. */
export function encodeTronHistoryCursor(print: string, cursor: TronHistoryCursor): string {
  const streams = cursor.streams.map((s) => (s === null ? '!' : `${s.skip}${s.fingerprint === undefined ? '' : `~${s.fingerprint}`}`))
  return [CURSOR_PREFIX, print, String(cursor.pin), ...streams].join('.')
}

/**
 * The cursor `text` of the query `print` with `count` streams.
 * @throws InvalidArgumentError (malformed, or of another query)
 */
export function decodeTronHistoryCursor(text: string, print: string, count: number): TronHistoryCursor {
  const bad = () => new InvalidArgumentError('cursor is not a cursor of this Tron history query; start again without one.')
  const parts = typeof text === 'string' && text.length <= 20_000 ? text.split('.') : []
  if (parts[0] !== CURSOR_PREFIX || parts.length < 3) throw bad()
  if (parts[1] !== print) throw new InvalidArgumentError('cursor belongs to another history query (another address or other assets).')
  if (!/^[1-9][0-9]{0,14}$/.test(parts[2]!) || parts.length !== 3 + count) throw bad()
  const streams = parts.slice(3).map((p): StreamPosition | null => {
    if (p === '!') return null
    const m = /^(0|[1-9][0-9]{0,2})(?:~(.+))?$/.exec(p)
    if (!m || Number(m[1]) >= V1_MAX_LIMIT || (m[2] !== undefined && !isFingerprint(m[2]))) throw bad()
    return m[2] === undefined ? { skip: Number(m[1]) } : { fingerprint: m[2], skip: Number(m[1]) }
  })
  return { pin: Number(parts[2]), streams }
}

/** One entry of a stream: a TRX list entry or a TRC-20 event. */
type Entry = { readonly ts: number } & ({ readonly trx: TrxEntry } | { readonly trc20: Trc20Entry })

interface Fetched {
  /** The entries not yet consumed, newest first. */
  readonly entries: readonly Entry[]
  /** Entries in the page read (consumed ones included). */
  readonly length: number
  readonly next?: string
}

/** Reads `stream`'s page at `position`, big enough for `want` more entries. @throws RpcError, DataIntegrityError */
async function fetchStream(
  call: TronCall,
  address: string,
  token: TronToken | undefined,
  position: StreamPosition,
  pin: number,
  want: number,
): Promise<Fetched> {
  const size = Math.min(V1_MAX_LIMIT, position.skip + want)
  const path = token ? `/v1/accounts/${address}/transactions/trc20` : `/v1/accounts/${address}/transactions`
  const page = await v1Page(call, path, {
    limit: size,
    fingerprint: position.fingerprint,
    max_block_timestamp: pin,
    order_by: 'block_timestamp,desc',
    contract_address: token?.contract,
  })
  if (page.data.length > size) throw new DataIntegrityError(`${path}: asked for ${size} entries, the server answered ${page.data.length}.`)
  if (page.data.length < position.skip)
    throw new DataIntegrityError(`${path}: the history changed under the cursor (a page shrank); start again without a cursor.`)
  const entries = page.data.map((raw): Entry => {
    if (token) {
      const trc20 = parseTrc20Entry(raw, path, token.contract)
      return { ts: trc20.timestamp, trc20 }
    }
    const trx = parseTrxEntry(raw, path)
    return { ts: trx.timestamp, trx }
  })
  entries.forEach((e, i) => {
    if (e.ts > pin || (i > 0 && e.ts > entries[i - 1]!.ts))
      throw new DataIntegrityError(`${path}: the list is not newest first up to ${pin} (entry ${i} of a page).`)
  })
  return { entries: entries.slice(position.skip), length: page.data.length, ...(page.next ? { next: page.next } : {}) }
}

/** The item `entry` makes for `address`, without its fee; undefined for an entry that moves nothing. */
function itemOf(call: TronCall, address: string, entry: Entry, asset: AssetId): HistoryItem | undefined {
  const move = 'trx' in entry ? entry.trx.transfer : entry.trc20.event === 'Transfer' ? entry.trc20 : undefined
  if (!move) return undefined
  const amount = 'amount' in move ? move.amount : move.value
  const hash = 'trx' in entry ? entry.trx.txID : entry.trc20.txID
  const direction = move.from === address ? (move.to === address ? 'self' : 'out') : move.to === address ? 'in' : undefined
  if (!direction)
    throw new DataIntegrityError(
      `TronGrid lists ${hash} in the history of ${address}, but its transfer is between ${move.from} and ${move.to}.`,
      {
        details: { hash },
      },
    )
  return {
    chainId: call.chainId,
    hash,
    asset,
    direction,
    from: move.from,
    to: move.to,
    amount,
    ...('trx' in entry ? { blockHeight: entry.trx.blockNumber } : {}),
    timestamp: entry.ts,
    state: 'trx' in entry && !entry.trx.success ? 'failed' : 'confirmed',
  }
}

/**
 * One page of `address`'s TRX and TRC-20 transfers, newest first (see the module doc).
 * @throws InvalidAddressError, InvalidArgumentError (bad limit, a cursor of another query),
 *   UnknownAssetError — before any request; RpcError; DataIntegrityError
 */
export async function readTronHistory(
  call: TronCall,
  address: string,
  options: { assets: readonly AssetId[]; limit: number; cursor?: string },
): Promise<HistoryPage> {
  checkAddress(address, 'address')
  const limit = options.limit
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > V1_MAX_LIMIT)
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${V1_MAX_LIMIT}.`)
  const assets = [...new Set(options.assets)]
  const tokens = tokensIn(call, assets)
  const streams: { token?: TronToken; asset: AssetId }[] = [
    ...(assets.includes(call.nativeAsset) ? [{ asset: call.nativeAsset }] : []),
    ...tokens.map((token) => ({ token, asset: token.asset })),
  ]
  if (streams.length === 0) return { items: [] }
  const print = historyQueryPrint(address, assets)
  const start = options.cursor === undefined ? undefined : decodeTronHistoryCursor(options.cursor, print, streams.length)
  const pin = start?.pin ?? (await readTronLatestBlock(call.client, call.signal)).timestamp
  const positions: (StreamPosition | null)[] = start ? [...start.streams] : streams.map(() => ({ skip: 0 }))

  const taken: { entry: Entry; asset: AssetId }[] = []
  /** Fees of the address's own transactions, as the TRX list shows them. */
  const fees = new Map<string, bigint>()
  let made = 0
  for (let round = 0; round < MAX_ROUNDS && made < limit && positions.some((p) => p !== null); round++) {
    const active = positions.flatMap((p, i) => (p === null ? [] : [{ i, p }]))
    const fetched = await Promise.all(active.map(({ i, p }) => fetchStream(call, address, streams[i]!.token, p, pin, limit - made)))
    for (const f of fetched) for (const e of f.entries) if ('trx' in e && e.trx.owner === address) fees.set(e.trx.txID, e.trx.fee)
    let boundary = -Infinity
    for (const f of fetched) if (f.next !== undefined) boundary = Math.max(boundary, f.entries.at(-1)?.ts ?? Infinity)
    const candidates = active
      .flatMap(({ i }, k) => fetched[k]!.entries.filter((e) => e.ts >= boundary).map((entry, pos) => ({ entry, i, pos })))
      .sort((a, b) => b.entry.ts - a.entry.ts || a.i - b.i || a.pos - b.pos)
      .slice(0, limit - made)
    const consumed = new Map<number, number>()
    for (const c of candidates) {
      consumed.set(c.i, (consumed.get(c.i) ?? 0) + 1)
      taken.push({ entry: c.entry, asset: streams[c.i]!.asset })
      if (itemOf(call, address, c.entry, streams[c.i]!.asset)) made++
    }
    active.forEach(({ i, p }, k) => {
      const f = fetched[k]!
      const skip = p.skip + (consumed.get(i) ?? 0)
      if (skip < f.length) positions[i] = { ...p, skip }
      else positions[i] = f.next === undefined ? null : { fingerprint: f.next, skip: 0 }
    })
  }

  const items = taken.flatMap(({ entry, asset }) => {
    const item = itemOf(call, address, entry, asset)
    return item ? [{ item, entry }] : []
  })
  const unknownFees = [
    ...new Set(
      items.filter(({ item, entry }) => 'trc20' in entry && item.direction !== 'in' && !fees.has(item.hash)).map(({ item }) => item.hash),
    ),
  ]
  const infos = await mapLimited(unknownFees, TRON_READ_CONCURRENCY, (txID) => readTronTxInfo(call, txID))
  unknownFees.forEach((txID, i) => {
    const info = infos[i]
    if (info) fees.set(txID, info.fee)
  })
  const charged = new Set<string>()
  const out = items.map(({ item }): HistoryItem => {
    const fee = fees.get(item.hash)
    if (item.direction === 'in' || fee === undefined || charged.has(item.hash)) return item
    charged.add(item.hash)
    return { ...item, fee: { asset: call.nativeAsset, amount: fee } }
  })
  return positions.every((p) => p === null)
    ? { items: out }
    : { items: out, cursor: encodeTronHistoryCursor(print, { pin, streams: positions }) }
}
