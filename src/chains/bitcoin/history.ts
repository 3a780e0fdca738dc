/**
 * Bitcoin history of an address or an account (discovered first): the backend's transaction lists of every used
 * address, merged, each transaction reduced to its net effect on the wallet (in, out or self,
 * the amount that left or arrived, the fee when the wallet paid it). Newest first, paged by
 * offset.
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { HistoryItem, HistoryPage } from '../adapter.js'
import type { Source } from './account.js'
import type { Call } from './call.js'
import { rpc, type BackendTx, type BitcoinBackend } from './client.js'
import { discover } from './discovery.js'
import type { BitcoinChain } from './networks.js'

/** Up to `want` transactions of one address, newest first (following Esplora's pages). */
async function addressTxs(backend: BitcoinBackend, address: string, want: number): Promise<BackendTx[]> {
  const out: BackendTx[] = []
  let after: string | undefined
  for (;;) {
    const page = await rpc(`Reading transactions of ${address}`, () => backend.transactions(address, after))
    const fresh = page.filter((t) => !out.some((o) => o.txid === t.txid))
    out.push(...fresh)
    const lastConfirmed = [...page].reverse().find((t) => t.confirmed)
    if (fresh.length === 0 || out.length >= want || !lastConfirmed || lastConfirmed.txid === after) return out
    after = lastConfirmed.txid
  }
}

/** A page of history for the wallet that owns `addresses`. */
async function readHistory(
  backend: BitcoinBackend,
  chain: BitcoinChain,
  id: string,
  addresses: readonly string[],
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage> {
  if (!isIntegerIn(limit, 1, 1000)) throw new InvalidArgumentError('limit must be an integer from 1 to 1000.')
  const offset = cursor === undefined ? 0 : Number(cursor)
  if (!isIntegerIn(offset, 0, Number.MAX_SAFE_INTEGER) || (cursor !== undefined && !/^\d{1,9}$/.test(cursor)))
    throw new InvalidArgumentError('cursor is not one this adapter returned.')
  const mine = new Set(addresses)
  const lists = await Promise.all(addresses.map((a) => addressTxs(backend, a, offset + limit + 1)))
  const byId = new Map<string, BackendTx>()
  for (const tx of lists.flat()) byId.set(tx.txid, tx)
  const head = (await rpc('Reading the tip', () => backend.tip())).height
  const txs = [...byId.values()].sort((a, b) => (b.height ?? head + 1) - (a.height ?? head + 1) || (b.time ?? 0) - (a.time ?? 0))
  const items = txs.map((tx): HistoryItem => {
    const spent = tx.inputs.filter((i) => i.address && mine.has(i.address)).reduce((s, i) => s + i.value, 0n)
    const received = tx.outputs.filter((o) => o.address && mine.has(o.address)).reduce((s, o) => s + o.value, 0n)
    const outgoing = spent > 0n
    const external = tx.outputs.filter((o) => !o.address || !mine.has(o.address))
    const direction = outgoing ? (external.length === 0 ? 'self' : 'out') : 'in'
    const amount = direction === 'in' ? received : direction === 'self' ? received : external.reduce((s, o) => s + o.value, 0n)
    return {
      chainId: chain.caip2,
      hash: tx.txid,
      asset: chain.nativeAsset,
      direction,
      from: direction === 'in' ? (tx.inputs[0]?.address ?? 'unknown') : id,
      to: direction === 'out' ? (external[0]?.address ?? 'unknown') : id,
      amount,
      ...(tx.height === undefined ? {} : { blockHeight: tx.height }),
      ...(tx.time === undefined ? {} : { timestamp: tx.time * 1000 }),
      ...(outgoing ? { fee: { asset: chain.nativeAsset, amount: tx.fee } } : {}),
      state: tx.confirmed ? 'confirmed' : 'pending',
    }
  })
  const page = items.slice(offset, offset + limit)
  return { items: page, ...(items.length > offset + limit ? { cursor: String(offset + limit) } : {}) }
}

/** A page of history of an address, or of an account's used addresses (discovered first), in one call. @throws DiscoveryLimitError, InvalidArgumentError, RpcError */
export async function readSourceHistory(
  call: Call,
  chain: BitcoinChain,
  source: Source,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage> {
  const addresses =
    source.kind === 'address'
      ? [source.address]
      : (await call.discovering(() => discover(call.backend, source, call.limits))).used.map((u) => u.address)
  return readHistory(call.backend, chain, source.id, addresses, cursor, limit)
}
