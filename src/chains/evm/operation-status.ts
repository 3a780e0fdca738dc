/**
 * Where a sent ERC-4337 operation stands, from the node's word, not the bundler's: included
 * when the EntryPoint's `UserOperationEvent` with its hash is in a transaction's receipt
 * (confirmed or failed by the event's `success`); the bundler only says where to look. Not
 * found: pending while the sender's EntryPoint nonce has not passed it; once the nonce has
 * passed it, a search of the EntryPoint's logs since the send finds it, or proves it dropped
 * (its nonce is used by another operation: it can never be included).
 *
 * The fee is what the account paid in the token (its transfers of the token in that
 * transaction beyond the payments), in the token, as the quote stated it.
 * @module
 * @internal
 */
import { decodeEventLog, encodeEventTopics, erc20Abi, type Hex, type Log, type PublicClient } from 'viem'
import { DataIntegrityError } from '../../core/errors.js'
import type { TransactionStatus } from '../adapter.js'
import type { BundlerClient } from './bundler.js'
import { rpc } from './client.js'
import { GET_NONCE_ABI } from './stablecoin-gas.js'
import type { OperationRecord } from './sponsored-send.js'

/** EntryPoint v0.8's UserOperationEvent. */
const USER_OPERATION_EVENT = [
  {
    type: 'event',
    name: 'UserOperationEvent',
    inputs: [
      { name: 'userOpHash', type: 'bytes32', indexed: true },
      { name: 'sender', type: 'address', indexed: true },
      { name: 'paymaster', type: 'address', indexed: true },
      { name: 'nonce', type: 'uint256', indexed: false },
      { name: 'success', type: 'bool', indexed: false },
      { name: 'actualGasCost', type: 'uint256', indexed: false },
      { name: 'actualGasUsed', type: 'uint256', indexed: false },
    ],
  },
] as const

const TOPIC = encodeEventTopics({ abi: USER_OPERATION_EVENT, eventName: 'UserOperationEvent' })[0] as Hex

/** The status from the transaction `txHash` that includes the operation, or undefined if it does not. */
async function fromTransaction(
  client: PublicClient,
  record: OperationRecord,
  txHash: Hex,
  height: number,
): Promise<TransactionStatus | undefined> {
  const receipt = await rpc('Reading the operation’s transaction', () => client.getTransactionReceipt({ hash: txHash }).catch(() => null))
  if (!receipt) return undefined
  const event = receipt.logs.find(
    (l) =>
      l.address.toLowerCase() === record.entryPoint.toLowerCase() &&
      l.topics[0] === TOPIC &&
      l.topics[1]?.toLowerCase() === record.hash.toLowerCase(),
  )
  if (!event) return undefined
  const { args } = decodeEventLog({ abi: USER_OPERATION_EVENT, data: event.data, topics: event.topics as [Hex, ...Hex[]] })
  if (args.sender.toLowerCase() !== record.sender.toLowerCase() || args.nonce.toString() !== record.nonce)
    throw new DataIntegrityError(`The EntryPoint event of operation ${record.hash} names another sender or nonce.`)
  const block = Number(receipt.blockNumber)
  return {
    hash: record.hash,
    state: args.success ? 'confirmed' : 'failed',
    blockHeight: block,
    blockHash: receipt.blockHash,
    confirmations: Math.max(0, height - block + 1),
    fee: { asset: record.asset, amount: tokenPaid(receipt.logs, record, args.success) },
    transaction: receipt.transactionHash,
  }
}

/** What the account paid in the token in these logs, beyond the payments (which a failed operation did not make). */
function tokenPaid(logs: readonly Log[], record: OperationRecord, success: boolean): bigint {
  let out = 0n
  for (const l of logs) {
    if (l.address.toLowerCase() !== record.token.toLowerCase()) continue
    try {
      const e = decodeEventLog({ abi: erc20Abi, data: l.data, topics: l.topics as [Hex, ...Hex[]] })
      if (e.eventName === 'Transfer' && e.args.from.toLowerCase() === record.sender.toLowerCase()) out += e.args.value
    } catch {
      // another event of the token
    }
  }
  const fee = out - (success ? BigInt(record.paid) : 0n)
  return fee > 0n ? fee : 0n
}

/**
 * The status of a recorded operation.
 * @throws RpcError, DataIntegrityError
 */
export async function operationStatus(client: PublicClient, bundler: BundlerClient, record: OperationRecord): Promise<TransactionStatus> {
  const height = async () => Number(await rpc('Reading the latest block', () => client.getBlockNumber()))
  const told = await bundler.receipt(record.hash).catch(() => null)
  if (told) {
    const status = await fromTransaction(client, record, told.transactionHash, await height())
    if (status) return status
  }
  const nonce = await rpc('Reading the EntryPoint nonce', () =>
    client.readContract({ address: record.entryPoint, abi: GET_NONCE_ABI, functionName: 'getNonce', args: [record.sender, 0n] }),
  )
  const pending: TransactionStatus = { hash: record.hash, state: 'pending', confirmations: 0 }
  if (nonce <= BigInt(record.nonce)) return pending
  // Read after the nonce: the block that used it is at or below this height.
  const to = await height()
  const logs = await rpc('Searching the EntryPoint’s events', () =>
    client.getLogs({
      address: record.entryPoint,
      event: USER_OPERATION_EVENT[0],
      args: { userOpHash: record.hash },
      fromBlock: BigInt(record.fromBlock),
      toBlock: BigInt(to),
    }),
  )
  const found = logs.find((l) => l.transactionHash)
  if (found?.transactionHash) return (await fromTransaction(client, record, found.transactionHash, to)) ?? pending
  return { hash: record.hash, state: 'dropped', confirmations: 0, unminable: true }
}
