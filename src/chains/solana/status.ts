/**
 * Where a Solana transaction and the chain stand.
 *
 * A transaction (`getSignatureStatuses` with `searchTransactionHistory`, and `getTransaction`
 * in the same batch, then `getBlock` of its slot for the block hash):
 * - `processed` → `pending`, 0 confirmations (its block may still be on a minority fork; an
 *   error at `processed` is not yet a failure either);
 * - `confirmed` → `confirmed`, confirmations = the node's count + 1; with an error → `failed`;
 * - `finalized` (the node's count is null) → `confirmed` with 32 confirmations (the depth at
 *   which Solana finalizes: no rollback is possible), or `failed` with an error;
 * - no status: a transaction the adapter sent with a recent blockhash is `dropped` with
 *   `unminable: true` once the *finalized* block height passes its `lastValidBlockHeight` (no
 *   block that could include it can be added any more), and its status is read once more after
 *   seeing that, in case it landed between the reads. `isBlockhashValid` is not used for this:
 *   a node that does not know a blockhash (restarted from a snapshot, another fork) answers
 *   false for one that is still valid, and "false" must never free funds. A durable-nonce
 *   transaction is dropped and unminable once its nonce account (read at `finalized`) holds
 *   another nonce, or no longer exists, and the status re-read still finds nothing. Otherwise,
 *   and for transactions the adapter does not know, `pending` with 0 confirmations: it may
 *   still arrive.
 *
 * Fee, block height (the slot) and block hash come with confirmed and failed transactions; the
 * answer of `getTransaction` must be the asked transaction, in the slot its status names
 * (`DataIntegrityError` otherwise).
 *
 * The chain: `readLatestBlock` and `readBlockAt` report slots as heights, the block's
 * `blockhash` as hash and its `previousBlockhash` as parent hash, so a tracker can follow the
 * chain and notice forks. A skipped slot has no block: `readBlockAt` returns the closest earlier
 * produced block (its own slot as `height`), whose hash the next block names as its parent;
 * slot 0, when the node has no block there, is the genesis: the genesis hash, no parent (32
 * zero bytes, the all-ones base58 string), time 0.
 * @module
 * @internal
 */
import { DataIntegrityError, InvalidArgumentError, RpcError } from '../../core/errors.js'
import type { BlockRef, TransactionStatus } from '../adapter.js'
import type { SentRecords, SolanaCall, SolanaSentRecord } from './context.js'
import { decodeNonce } from './accounts.js'
import { parseTransaction } from './parsed-transaction.js'
import { SYSTEM_PROGRAM } from './programs.js'
import { transactionRequest } from './signatures.js'
import { accountOf, arrayOf, blockCommitment, intOf, isSignature, keyOf, malformed, objectOf, resultOf, withContext } from './shapes.js'

/** Confirmations reported for a finalized transaction. */
const FINALIZED_CONFIRMATIONS = 32
/** Slots below a skipped one that `readBlockAt` looks at in one batch, and how many batches. */
const WALK_WINDOW = 16
const WALK_BATCHES = 4
/** Agave's "slot skipped / missing" errors. */
const SKIPPED_CODES = new Set([-32007, -32009])

interface SignatureStatus {
  slot: number
  confirmations: number | null
  failed: boolean
  level: 'processed' | 'confirmed' | 'finalized'
}

function statusOf(result: unknown): SignatureStatus | undefined {
  const method = 'getSignatureStatuses'
  const { value } = withContext(result, method)
  const list = arrayOf(value, method, 'value')
  if (list.length !== 1) throw malformed(method, `asked for 1 status, got ${list.length}`)
  if (list[0] === null) return undefined
  const s = objectOf(list[0], method, 'value[0]')
  const level = s.confirmationStatus
  const confirmations = s.confirmations === null ? null : intOf(s.confirmations, method, 'confirmations')
  const resolved =
    level === 'processed' || level === 'confirmed' || level === 'finalized'
      ? level
      : level === undefined || level === null
        ? confirmations === null
          ? 'finalized'
          : 'confirmed'
        : undefined
  if (resolved === undefined) throw malformed(method, 'confirmationStatus is unknown')
  return { slot: intOf(s.slot, method, 'slot'), confirmations, failed: s.err !== null && s.err !== undefined, level: resolved }
}

function blockOf(result: unknown, slot: number): BlockRef {
  const method = 'getBlock'
  const block = objectOf(result, method, `block ${slot}`)
  const hash = keyOf(block.blockhash, method, 'blockhash')
  const parentHash = keyOf(block.previousBlockhash, method, 'previousBlockhash')
  const time = block.blockTime === null || block.blockTime === undefined ? 0 : intOf(block.blockTime, method, 'blockTime')
  return { height: slot, hash, parentHash, timestamp: time * 1000 }
}

function checkHash(hash: string): void {
  if (!isSignature(hash)) throw new InvalidArgumentError('A Solana transaction hash is its first signature: 64 bytes in base58.')
}

const statusRequest = (hash: string) => ({ method: 'getSignatureStatuses', params: [[hash], { searchTransactionHistory: true }] })

/** The status of a transaction that has one. */
async function landed(call: SolanaCall, hash: string, status: SignatureStatus, txResult: unknown): Promise<TransactionStatus> {
  if (status.level === 'processed') return { hash, state: 'pending', confirmations: 0 }
  const state = status.failed ? 'failed' : 'confirmed'
  const confirmations = status.level === 'finalized' ? FINALIZED_CONFIRMATIONS : (status.confirmations ?? 0) + 1
  const blockRead = call.rpc
    .call<unknown>(
      'getBlock',
      [status.slot, { transactionDetails: 'none', rewards: false, commitment: 'confirmed', maxSupportedTransactionVersion: 0 }],
      { signal: call.signal },
    )
    .then((b) => blockOf(b, status.slot).hash)
  // Read alongside the checks below; when one of them throws first, its failure is not a second error.
  blockRead.catch(() => undefined)
  if (txResult === null || txResult === undefined) {
    // The status is there but the node cannot serve the transaction yet: report what is known.
    return { hash, state, blockHeight: status.slot, blockHash: await blockRead, confirmations }
  }
  const tx = parseTransaction(txResult, hash)
  if (tx.slot !== status.slot)
    throw new DataIntegrityError(
      `The node places ${hash} in slot ${status.slot} by its status but in slot ${tx.slot} by the transaction.`,
      {
        details: { hash, expected: String(status.slot), got: String(tx.slot) },
      },
    )
  if (tx.failed !== status.failed)
    throw new DataIntegrityError(`The node's status and transaction of ${hash} disagree on whether it failed.`, { details: { hash } })
  return {
    hash,
    state,
    blockHeight: status.slot,
    blockHash: await blockRead,
    confirmations,
    fee: { asset: call.nativeAsset, amount: tx.fee },
  }
}

/** The durable nonce stored in a (System-owned) nonce account's data, or undefined when it holds none. */
export function nonceOf(data: Uint8Array): string | undefined {
  return decodeNonce(SYSTEM_PROGRAM, data)?.nonce
}

/** True when the chain proves `record`'s transaction can never land (its lifetime ended at `finalized`). */
async function expired(call: SolanaCall, record: SolanaSentRecord): Promise<boolean> {
  const lifetime = record.lifetime
  if (lifetime.kind === 'blockhash') {
    const height = intOf(
      await call.rpc.call<unknown>('getBlockHeight', [{ commitment: 'finalized' }], { signal: call.signal }),
      'getBlockHeight',
      'the answer',
    )
    return height > lifetime.lastValidBlockHeight
  }
  const method = 'getAccountInfo'
  const { value } = withContext(
    await call.rpc.call<unknown>(method, [lifetime.nonceAccount, { encoding: 'base64', commitment: 'finalized' }], { signal: call.signal }),
    method,
  )
  const account = accountOf(value, method, 'value')
  // Gone, no longer a nonce account, or another nonce: the transaction's nonce can never be current again.
  return account === null || decodeNonce(account.owner, account.data)?.nonce !== lifetime.nonce
}

/**
 * The status of `hash` now (see the module doc).
 * @throws InvalidArgumentError for a malformed hash; DataIntegrityError; RpcError
 */
export async function readStatus(call: SolanaCall, hash: string, records: SentRecords): Promise<TransactionStatus> {
  checkHash(hash)
  const [statusAnswer, txAnswer] = await call.rpc.batch([statusRequest(hash), transactionRequest(hash)], { signal: call.signal })
  const status = statusOf(resultOf(statusAnswer, 'getSignatureStatuses'))
  if (status) return landed(call, hash, status, resultOf(txAnswer, 'getTransaction'))
  const record = await records.get(hash)
  if (!record || !(await expired(call, record))) return { hash, state: 'pending', confirmations: 0 }
  // Expired: read the status once more, in case it landed between the reads.
  const again = statusOf(await call.rpc.call<unknown>('getSignatureStatuses', statusRequest(hash).params, { signal: call.signal }))
  if (again) {
    const tx = await call.rpc.call<unknown>('getTransaction', transactionRequest(hash).params, { signal: call.signal })
    return landed(call, hash, again, tx)
  }
  return { hash, state: 'dropped', confirmations: 0, unminable: true }
}

/**
 * Slot, hash, parent hash and time of the newest block at the adapter's commitment
 * (`confirmed` when that is `processed`: blocks are only served from `confirmed` on).
 * @throws RpcError
 */
export async function readLatestBlock(call: SolanaCall): Promise<BlockRef> {
  const commitment = blockCommitment(call.commitment)
  const slot = intOf(await call.rpc.call<unknown>('getSlot', [{ commitment }], { signal: call.signal }), 'getSlot', 'the answer')
  return readBlockAt(call, slot)
}

function skipped(error: unknown): boolean {
  return error instanceof RpcError && SKIPPED_CODES.has(error.details.code as number)
}

const blockRequest = (slot: number, commitment: 'confirmed' | 'finalized') => ({
  method: 'getBlock',
  params: [slot, { transactionDetails: 'none', rewards: false, commitment, maxSupportedTransactionVersion: 0 }],
})

/**
 * Slot 0 when the node serves no block there (a ledger that starts later, as the local test
 * server's): the genesis, whose hash is the cluster's genesis hash — the hash slot 1 names as
 * its parent. It has no parent (32 zero bytes) and no known time (timestamp 0).
 */
async function genesisBlock(call: SolanaCall): Promise<BlockRef> {
  const hash = keyOf(await call.rpc.call<unknown>('getGenesisHash', [], { signal: call.signal }), 'getGenesisHash', 'the answer')
  return { height: 0, hash, parentHash: SYSTEM_PROGRAM, timestamp: 0 }
}

/**
 * The block at `slot`, or, when that slot was skipped, the closest earlier produced block (up to
 * 64 slots below, 16 per batch; its own slot is the returned height). Below the first produced
 * block, slot 0 is the genesis (see `genesisBlock`).
 * @throws InvalidArgumentError for a slot that is not a non-negative integer; RpcError
 */
export async function readBlockAt(call: SolanaCall, slot: number): Promise<BlockRef> {
  if (!Number.isSafeInteger(slot) || slot < 0) throw new InvalidArgumentError('A block height (slot) must be a non-negative integer.')
  const commitment = blockCommitment(call.commitment)
  try {
    return blockOf(await call.rpc.call<unknown>('getBlock', blockRequest(slot, commitment).params, { signal: call.signal }), slot)
  } catch (error) {
    if (!skipped(error)) throw error
  }
  let top = slot - 1
  for (let round = 0; round < WALK_BATCHES && top >= 0; round++) {
    const slots = Array.from({ length: Math.min(WALK_WINDOW, top + 1) }, (_, i) => top - i)
    const answers = await call.rpc.batch(
      slots.map((s) => blockRequest(s, commitment)),
      { signal: call.signal },
    )
    for (const [i, answer] of answers.entries()) {
      if (answer.ok && answer.result !== null) return blockOf(answer.result, slots[i]!)
      if (!answer.ok && !skipped(answer.error)) throw answer.error
    }
    top -= WALK_WINDOW
  }
  if (top < 0) return genesisBlock(call)
  throw new RpcError(`No produced block within ${WALK_WINDOW * WALK_BATCHES} slots below the skipped slot ${slot}.`, {
    details: { method: 'getBlock', reason: 'skipped slots' },
  })
}
