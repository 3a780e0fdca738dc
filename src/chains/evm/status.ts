/**
 * Where an EVM transaction stands: confirmed or failed (from its receipt), pending (known to
 * the node, no receipt), or dropped (gone; with `replacedBy` when this adapter replaced it,
 * or when the sender's nonce moved past it). One JSON-RPC batch per look. And where the chain
 * stands: the latest block, or the block at a height.
 * @module
 * @internal
 */
import type { PublicClient } from 'viem'
import { DataIntegrityError } from '../../core/errors.js'
import type { BlockRef, TransactionStatus } from '../adapter.js'
import type { EvmChain } from './networks.js'
import type { Journal } from './journal.js'
import { rpc } from './client.js'

interface RawTx {
  from: `0x${string}`
  nonce: `0x${string}`
  blockNumber: `0x${string}` | null
}
interface RawReceipt {
  transactionHash: `0x${string}`
  status: `0x${string}`
  blockNumber: `0x${string}`
  blockHash: `0x${string}`
  gasUsed: `0x${string}`
  effectiveGasPrice?: `0x${string}`
}

/** A receipt is evidence only for the transaction it names. @throws DataIntegrityError */
function checkReceipt(hash: `0x${string}`, receipt: RawReceipt | null): RawReceipt | null {
  if (receipt && (typeof receipt.transactionHash !== 'string' || receipt.transactionHash.toLowerCase() !== hash.toLowerCase())) {
    throw new DataIntegrityError(
      `The node answered the receipt of ${hash} with the receipt of ${String(receipt.transactionHash).slice(0, 66)}; not taken as a confirmation.`,
      { details: { hash } },
    )
  }
  return receipt
}

function receiptStatus(chain: EvmChain, hash: `0x${string}`, receipt: RawReceipt, height: number): TransactionStatus {
  const block = Number(BigInt(receipt.blockNumber))
  const fee = BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice ?? '0x0')
  return {
    hash,
    state: BigInt(receipt.status) === 1n ? 'confirmed' : 'failed',
    blockHeight: block,
    blockHash: receipt.blockHash,
    confirmations: Math.max(0, height - block + 1),
    fee: { asset: chain.nativeAsset, amount: fee },
  }
}

/**
 * The status of `hash` now. The reads are not one snapshot: a transaction mined between the
 * receipt read and the nonce read looks "gone" with its nonce used, so before saying dropped
 * the receipt is read once more (and a transaction the node shows in a block is pending until
 * its receipt appears).
 */
export async function transactionStatus(
  client: PublicClient,
  chain: EvmChain,
  journal: Journal,
  hash: `0x${string}`,
): Promise<TransactionStatus> {
  const readReceipt = async () =>
    checkReceipt(hash, (await client.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as RawReceipt | null)
  const [receipt, tx, head] = await rpc('Reading the transaction', () =>
    Promise.all([
      readReceipt(),
      client.request({ method: 'eth_getTransactionByHash', params: [hash] }) as Promise<RawTx | null>,
      client.request({ method: 'eth_blockNumber' }),
    ]),
  )
  if (receipt) return receiptStatus(chain, hash, receipt, Number(BigInt(head)))
  if (tx?.blockNumber) return { hash, state: 'pending', confirmations: 0 }
  const sent = await journal.get(hash)
  const replacement = await journal.replacementOf(hash)
  let mined: number | undefined
  let nonce: number | undefined
  if (tx) {
    // Known to the node but not mined: pending, unless its nonce was used by another transaction.
    nonce = Number(BigInt(tx.nonce))
    mined = await rpc('Reading the account nonce', () => client.getTransactionCount({ address: tx.from, blockTag: 'latest' }))
    if (mined <= nonce) return { hash, state: 'pending', confirmations: 0 }
  } else if (!sent) {
    return { hash, state: 'dropped', confirmations: 0, unminable: false }
  } else {
    nonce = sent.nonce
    mined = await rpc('Reading the account nonce', () => client.getTransactionCount({ address: sent.from, blockTag: 'latest' }))
    if (mined <= sent.nonce && Date.now() - sent.sentAt < 60_000) return { hash, state: 'pending', confirmations: 0 }
  }
  const [late, lateHead] = await rpc('Reading the transaction', () =>
    Promise.all([readReceipt(), client.request({ method: 'eth_blockNumber' })]),
  )
  if (late) return receiptStatus(chain, hash, late, Number(BigInt(lateHead)))
  // Unminable only when the chain has used its nonce (and the receipt, read after, is not ours).
  return { hash, state: 'dropped', confirmations: 0, unminable: mined > nonce, ...(replacement ? { replacedBy: replacement.hash } : {}) }
}

/** Height, hash and parent hash of the newest block. @throws RpcError */
export async function readLatestBlock(client: PublicClient): Promise<BlockRef> {
  const block = await rpc('Reading the latest block', () => client.getBlock({ blockTag: 'latest' }))
  return {
    height: Number(block.number),
    hash: block.hash as string,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp) * 1000,
  }
}

/** Height, hash and parent hash of the block at height `h`. @throws RpcError */
export async function readBlockAt(client: PublicClient, h: bigint): Promise<BlockRef> {
  const block = await rpc(`Reading block ${h}`, () => client.getBlock({ blockNumber: h }))
  return {
    height: Number(block.number),
    hash: block.hash as string,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp) * 1000,
  }
}
