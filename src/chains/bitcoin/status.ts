/**
 * Where a Bitcoin transaction and the chain stand. A transaction: confirmed (with its depth and fee), pending in the
 * mempool, or dropped — with the replacement this adapter made, from its journal, and
 * `unminable: true` only when the chain proves it can never be mined: one of its inputs (known
 * from the journal) is spent by another transaction at least {@link UNMINABLE_DEPTH} blocks deep.
 * A transaction that only left the mempool could still be broadcast by anyone holding it.
 * The chain: the tip block, a block at a height, and the tip height a lock time starts from.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import type { BlockRef, TransactionStatus } from '../adapter.js'
import type { Call } from './call.js'
import type { Journal, SentTransaction } from './journal.js'
import { rpc } from './client.js'
import { checkTip } from './validate.js'

/** Confirmations a conflicting spend needs before the transaction it displaced counts as unminable. */
const UNMINABLE_DEPTH = 6

/** Whether an input of the journalled transaction `sent` is spent, deep enough, by another transaction. */
async function provenUnminable(call: Call, hash: string, sent: SentTransaction | undefined, tipHeight: number): Promise<boolean> {
  const outspend = call.backend.outspend
  if (!sent || typeof outspend !== 'function') return false
  for (const input of sent.inputs) {
    const spender = await rpc('Reading who spent an input', () => outspend(input.txid, input.vout))
    if (
      spender.spent &&
      spender.txid !== undefined &&
      spender.txid.toLowerCase() !== hash &&
      spender.confirmed &&
      spender.height !== undefined &&
      tipHeight - spender.height + 1 >= UNMINABLE_DEPTH
    )
      return true
  }
  return false
}

/** Reads `hash`'s status in one call. */
export async function readStatus(call: Call, hash: string, asset: AssetId, journal: Journal): Promise<TransactionStatus> {
  const [tx, tip] = await Promise.all([
    rpc('Reading the transaction', () => call.backend.transaction(hash)),
    rpc('Reading the tip', () => call.backend.tip()),
  ])
  if (tx?.confirmed && tx.height !== undefined) {
    return {
      hash,
      state: 'confirmed',
      blockHeight: tx.height,
      ...(tx.blockHash ? { blockHash: tx.blockHash } : {}),
      confirmations: tip.height - tx.height + 1,
      fee: { asset, amount: tx.fee },
    }
  }
  if (tx) return { hash, state: 'pending', confirmations: 0, fee: { asset, amount: tx.fee } }
  const replacement = await journal.replacementOf(hash)
  const unminable = await provenUnminable(call, hash, await journal.get(hash), tip.height)
  return { hash, state: 'dropped', confirmations: 0, unminable, ...(replacement ? { replacedBy: replacement.hash } : {}) }
}

/** The backend's tip height, checked fit for a lock time. @throws RpcError */
export async function readTipHeight(call: Call): Promise<number> {
  return checkTip((await rpc('Reading the tip', () => call.backend.tip())).height)
}

/** Height, hash, parent hash and time of the tip, in one call. */
export async function readLatestBlock(call: Call): Promise<BlockRef> {
  const tip = await rpc('Reading the tip', () => call.backend.tip())
  const block = await rpc('Reading the tip block', () => call.backend.block(tip.hash))
  return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
}

/** The block at height `h` on the backend's best chain, in one call. */
export async function readBlockAt(call: Call, h: number): Promise<BlockRef> {
  const block = await rpc(`Reading block ${h}`, async () => call.backend.block(await call.backend.blockHash(h)))
  return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
}
