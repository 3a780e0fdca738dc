/**
 * A TRON transaction's status and blocks. `/wallet/gettransactioninfobyid` is the receipt: a
 * TransferContract that landed succeeded (a failing one is refused before it lands); a
 * TriggerSmartContract's `receipt.result` is SUCCESS (confirmed) or REVERT, OUT_OF_ENERGY, … (failed:
 * the TRX it burned is gone all the same). `fee` is every sun it cost (energy, bandwidth,
 * activation). Confirmations: a solidified transaction (`/walletsolidity/gettransactioninfobyid`
 * knows it: 2/3 of the super representatives confirmed its block, which can no longer be reverted)
 * counts at least {@link TRON_SOLIDIFIED_CONFIRMATIONS}; otherwise head − block + 1.
 *
 * Not landed and not in the node's pool view (`/wallet/gettransactionbyid`): pending, unless the
 * caller's record of the transaction says it expired — java-tron refuses any transaction whose
 * expiration is not after the head block's time, so once the head passed it the transaction can
 * never be included (`dropped`, `unminable: true`) and whatever it would have spent is free again.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import { DataIntegrityError, InvalidArgumentError, RpcError } from '../../core/errors.js'
import type { BlockRef, TransactionStatus } from '../adapter.js'
import type { TronClient } from './client.js'

/** Blocks after which java-tron solidifies a block (19 of 27 super representatives). */
export const TRON_SOLIDIFIED_CONFIRMATIONS = 19

/** Options of {@link readTronStatus}. */
export interface TronStatusOptions {
  readonly nativeAsset: AssetId
  readonly signal?: AbortSignal
  /** What the wallet recorded when it built the transaction: its expiration (ms). */
  readonly record?: { readonly expiration: number }
}

const HASH = /^[0-9a-f]{64}$/

function blockRefOf(answer: unknown, path: string, height?: number): BlockRef | undefined {
  if (answer !== null && typeof answer === 'object' && !Array.isArray(answer) && Object.keys(answer).length === 0) return undefined
  const a = answer as {
    blockID?: unknown
    block_header?: { raw_data?: { number?: unknown; timestamp?: unknown; parentHash?: unknown } }
  } | null
  const raw = a?.block_header?.raw_data
  const number = raw?.number ?? 0
  const ok =
    typeof a?.blockID === 'string' &&
    HASH.test(a.blockID) &&
    Number.isSafeInteger(number) &&
    (number as number) >= 0 &&
    parseInt(a.blockID.slice(0, 16), 16) === number &&
    Number.isSafeInteger(raw?.timestamp) &&
    (raw!.timestamp as number) > 0 &&
    typeof raw?.parentHash === 'string' &&
    HASH.test(raw.parentHash)
  if (!ok) throw new RpcError(`${path}: the answer is not a block.`, { details: { method: path } })
  if (height !== undefined && number !== height)
    throw new DataIntegrityError(`${path}: asked for block ${height}, the node answered block ${number as number}.`)
  return {
    height: number as number,
    hash: a!.blockID as string,
    parentHash: raw!.parentHash as string,
    timestamp: raw!.timestamp as number,
  }
}

/** The head block. @throws RpcError */
export async function readTronLatestBlock(client: TronClient, signal?: AbortSignal): Promise<BlockRef> {
  const block = blockRefOf(await client.post('/wallet/getnowblock', {}, { signal }), '/wallet/getnowblock')
  if (!block) throw new RpcError('/wallet/getnowblock: the node has no head block.', { details: { method: '/wallet/getnowblock' } })
  return block
}

/** The block at `height`, or undefined above the head. @throws InvalidArgumentError, RpcError, DataIntegrityError */
export async function readTronBlockAt(client: TronClient, height: number, signal?: AbortSignal): Promise<BlockRef | undefined> {
  if (!Number.isSafeInteger(height) || height < 0) throw new InvalidArgumentError('height must be a non-negative integer.')
  return blockRefOf(await client.post('/wallet/getblockbynum', { num: height }, { signal }), '/wallet/getblockbynum', height)
}

interface Info {
  readonly blockNumber: number
  readonly fee: bigint
  readonly failed: boolean
}

/** A gettransactioninfobyid answer; undefined when the node does not know the transaction. */
function infoOf(answer: unknown, hash: string, path: string): Info | undefined {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    throw new RpcError(`${path}: the answer is not an object.`, { details: { method: path } })
  if (Object.keys(answer).length === 0) return undefined
  const a = answer as { id?: unknown; blockNumber?: unknown; fee?: unknown; result?: unknown; receipt?: { result?: unknown } }
  if (a.id !== hash) throw new DataIntegrityError(`${path}: asked for ${hash}, the node answered ${String(a.id).slice(0, 64)}.`)
  const fee = a.fee ?? 0
  if (!Number.isSafeInteger(a.blockNumber) || (a.blockNumber as number) < 0 || !Number.isSafeInteger(fee) || (fee as number) < 0)
    throw new RpcError(`${path}: the receipt has no block number or fee.`, { details: { method: path } })
  const result = a.receipt?.result
  if (result !== undefined && typeof result !== 'string')
    throw new RpcError(`${path}: receipt.result is not a string.`, { details: { method: path } })
  // A TransferContract's receipt has no result (it landed, so it succeeded); a contract call's says how it ended.
  const failed = (result !== undefined && result !== 'SUCCESS') || a.result === 'FAILED'
  if (result === 'SUCCESS' && a.result === 'FAILED')
    throw new DataIntegrityError(`${path}: the receipt says SUCCESS and the transaction FAILED.`)
  return { blockNumber: a.blockNumber as number, fee: BigInt(fee as number), failed }
}

/**
 * The status of `hash`.
 * @throws InvalidArgumentError, RpcError, DataIntegrityError
 */
export async function readTronStatus(client: TronClient, hash: string, options: TronStatusOptions): Promise<TransactionStatus> {
  const { nativeAsset, signal, record } = options
  if (typeof hash !== 'string' || !HASH.test(hash)) throw new InvalidArgumentError('hash must be a TRON txID (64 lowercase hex).')
  if (record !== undefined && (!Number.isSafeInteger(record.expiration) || record.expiration <= 0))
    throw new InvalidArgumentError('record.expiration must be a positive integer (ms).')
  const post = (path: string, body: object) => client.post(path, body, { signal })
  const [infoAnswer, solidAnswer, head] = await Promise.all([
    post('/wallet/gettransactioninfobyid', { value: hash }),
    post('/walletsolidity/gettransactioninfobyid', { value: hash }).catch((error: unknown) => {
      if (signal?.aborted) throw signal.reason
      if (error instanceof RpcError) return {} // no solidity API here: counted from the head
      throw error
    }),
    readTronLatestBlock(client, signal),
  ])
  const info = infoOf(infoAnswer, hash, '/wallet/gettransactioninfobyid')
  const solid = infoOf(solidAnswer, hash, '/walletsolidity/gettransactioninfobyid')
  if (!info) {
    if (solid) throw new DataIntegrityError(`The solidified node knows ${hash}, the full node does not.`)
    const tx = await post('/wallet/gettransactionbyid', { value: hash })
    const known = tx !== null && typeof tx === 'object' && Object.keys(tx).length > 0
    if (known && (tx as { txID?: unknown }).txID !== hash)
      throw new DataIntegrityError(`/wallet/gettransactionbyid: asked for ${hash}, the node answered another transaction.`)
    if (!known && record !== undefined && record.expiration <= head.timestamp)
      return { hash, state: 'dropped', confirmations: 0, unminable: true }
    return { hash, state: 'pending', confirmations: 0 }
  }
  if (solid && (solid.blockNumber !== info.blockNumber || solid.fee !== info.fee || solid.failed !== info.failed))
    throw new DataIntegrityError(`The full and the solidified node disagree about ${hash}.`)
  if (info.blockNumber > head.height)
    throw new DataIntegrityError(`${hash} is in block ${info.blockNumber}, above the head ${head.height}.`)
  const block = await readTronBlockAt(client, info.blockNumber, signal)
  if (!block) throw new DataIntegrityError(`${hash} is in block ${info.blockNumber}, which the node does not have.`)
  const depth = head.height - info.blockNumber + 1
  return {
    hash,
    state: info.failed ? 'failed' : 'confirmed',
    blockHeight: info.blockNumber,
    blockHash: block.hash,
    confirmations: solid ? Math.max(depth, TRON_SOLIDIFIED_CONFIRMATIONS) : depth,
    fee: { asset: nativeAsset, amount: info.fee },
  }
}
