/**
 * Sending a signed TRON transaction when answers can be lost (design rule 8).
 *
 * The bytes go to `/wallet/broadcasthex` (the serialized signed Transaction, which the node
 * parses as is — `/wallet/broadcasttransaction` would rebuild it from JSON). A refusal with a
 * code is the node's (java-tron's `GrpcAPI.Return.response_code`: SIGERROR, TAPOS_ERROR,
 * TRANSACTION_EXPIRATION_ERROR, CONTRACT_VALIDATE_ERROR, BANDWITH_ERROR…) and becomes a
 * {@link TransactionRejectedError} (`details.reason` = `CODE: message`; the node's RpcError, with
 * the code in `details.code`, is its `cause`) — except DUP_TRANSACTION_ERROR: java-tron answers
 * it when it has already seen this txID (its pending pool or a block), and the same txID is the
 * same bytes, so the transaction was taken: success.
 *
 * Anything else (timeout, reset, HTTP 5xx, an unreadable answer) leaves the outcome unknown: the
 * txID is looked up and the SAME bytes re-sent a bounded number of times; a refusal after a lost
 * answer is only believed when the lookup finds nothing — and even then it may be a refusal of
 * a copy that already went in (TAPOS or expiration after the first copy was taken), so it stays
 * unknown. Still unknown at the end: {@link BroadcastUnknownError} carrying the signed
 * transaction — maybe sent, never "not sent".
 * @module
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { BroadcastUnknownError, CofferError, InvalidArgumentError, RpcError, TransactionRejectedError } from '../../core/errors.js'
import type { SignedTransaction } from '../adapter.js'
import { sleep, throwIfAborted } from '../abort.js'
import type { TronClient } from './client.js'
import { TRON_TX_KIND } from './transaction.js'

/** Re-sends of the same bytes after an unknown outcome. */
const TRON_REBROADCASTS = 3

/** Options of {@link broadcastTron}. */
export interface BroadcastTronOptions {
  readonly signal?: AbortSignal
  /** Re-sends after an unknown outcome, default 3. */
  readonly rebroadcasts?: number
}

function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0
  for (let i = 0; i < 4 && at + i < bytes.length; i++) {
    const b = bytes[at + i]!
    value |= (b & 0x7f) << (7 * i)
    if ((b & 0x80) === 0) return [value, at + i + 1]
  }
  throw new InvalidArgumentError('signed.raw is not a signed TRON transaction (a bad length).')
}

/**
 * Checks the wire bytes: `Transaction { raw_data, one 65-byte signature }`, sha256(raw_data) =
 * `hash`; returns `raw_data`. @throws InvalidArgumentError
 */
export function checkWire(signed: SignedTransaction): Uint8Array {
  if (signed === null || typeof signed !== 'object' || signed.kind !== TRON_TX_KIND)
    throw new InvalidArgumentError(`signed must be a ${TRON_TX_KIND} SignedTransaction.`)
  if (typeof signed.raw !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(signed.raw) || signed.raw.length > 1_048_576)
    throw new InvalidArgumentError('signed.raw is not hex.')
  if (typeof signed.hash !== 'string' || !/^[0-9a-f]{64}$/.test(signed.hash))
    throw new InvalidArgumentError('signed.hash is not a txID (64 hex).')
  const bytes = hexToBytes(signed.raw.toLowerCase())
  if (bytes[0] !== 0x0a) throw new InvalidArgumentError('signed.raw is not a signed TRON transaction (no raw_data first).')
  const [rawLength, rawAt] = varint(bytes, 1)
  const raw = bytes.subarray(rawAt, rawAt + rawLength)
  const rest = bytes.subarray(rawAt + rawLength)
  if (raw.length !== rawLength || rest.length !== 67 || rest[0] !== 0x12 || rest[1] !== 65)
    throw new InvalidArgumentError('signed.raw is not a signed TRON transaction (raw_data then one 65-byte signature).')
  if (bytesToHex(sha256(raw)) !== signed.hash) throw new InvalidArgumentError('signed.hash is not sha256(raw_data).')
  return raw
}

function rejection(error: RpcError): TransactionRejectedError {
  const code = String(error.details.code)
  const reason = `${code}${error.details.reason ? `: ${String(error.details.reason).slice(0, 300)}` : ''}`
  return new TransactionRejectedError(`The node refused the transaction: ${reason}`, { cause: error, details: { code, reason } })
}

const isRefusal = (error: unknown): error is RpcError => error instanceof RpcError && typeof error.details.code === 'string'

/**
 * Whether the chain has `hash` (a sealed transaction): `/wallet/gettransactionbyid`, then
 * `/wallet/gettransactioninfobyid`. `'unknown'` when neither has it.
 * @throws RpcError
 */
export async function tronTransactionLanded(client: TronClient, hash: string, signal?: AbortSignal): Promise<'landed' | 'unknown'> {
  const tx = await client.post<{ txID?: unknown }>('/wallet/gettransactionbyid', { value: hash }, { signal })
  if (tx.txID === hash) return 'landed'
  const info = await client.post<{ id?: unknown }>('/wallet/gettransactioninfobyid', { value: hash }, { signal })
  return info.id === hash ? 'landed' : 'unknown'
}

/**
 * Broadcasts `signed`; returns its txID once the node took it (or says it already has it).
 * `lookup` asks the chain for the txID (e.g. {@link tronTransactionLanded}): `'landed'` settles it.
 * @throws InvalidArgumentError (malformed bytes); TransactionRejectedError; BroadcastUnknownError
 */
export async function broadcastTron(
  client: TronClient,
  signed: SignedTransaction,
  lookup: (hash: string) => Promise<'landed' | 'unknown'>,
  options: BroadcastTronOptions = {},
): Promise<string> {
  checkWire(signed)
  const { signal } = options
  const rebroadcasts = options.rebroadcasts ?? TRON_REBROADCASTS
  if (!Number.isInteger(rebroadcasts) || rebroadcasts < 0 || rebroadcasts > 10)
    throw new InvalidArgumentError('rebroadcasts must be an integer from 0 to 10.')
  throwIfAborted(signal)
  const hash = signed.hash
  const found = async () => {
    try {
      return (await lookup(hash)) === 'landed'
    } catch {
      throwIfAborted(signal)
      return false
    }
  }
  let lastUnknown: unknown
  let attempts = 0
  for (let attempt = 0; attempt <= rebroadcasts; attempt++) {
    if (attempt > 0) await sleep(Math.min(250 * 2 ** (attempt - 1), 2_000), signal)
    attempts++
    try {
      const answer = await client.send<{ result?: unknown; txid?: unknown }>(
        '/wallet/broadcasthex',
        { transaction: signed.raw },
        { signal },
      )
      if (answer.result === true && answer.txid === hash) return hash
      // Success for another txID, or no verdict: proves nothing about ours, which may have gone out.
      lastUnknown = new Error(`the node answered ${JSON.stringify(answer).slice(0, 120)}`)
    } catch (error) {
      throwIfAborted(signal)
      if (isRefusal(error)) {
        if (error.details.code === 'DUP_TRANSACTION_ERROR') return hash
        if (lastUnknown === undefined) throw rejection(error)
        // After a lost answer, a refusal may be of a copy that already went in.
        if (await found()) return hash
        lastUnknown = error
        continue
      }
      lastUnknown = error
    }
    if (await found()) return hash
  }
  const why = lastUnknown instanceof CofferError ? lastUnknown.shortMessage : String((lastUnknown as Error)?.message ?? lastUnknown)
  throw new BroadcastUnknownError(
    `The broadcast of ${hash} got no readable answer in ${attempts} attempts (${why.slice(0, 160)}); it may land until it expires. Look it up by txID or re-broadcast transaction.raw; do not pay again.`,
    signed as SignedTransaction & { chainId: `${string}:${string}` },
    { cause: lastUnknown, details: { attempts } },
  )
}
