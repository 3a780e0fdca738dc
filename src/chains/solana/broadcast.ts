/**
 * Sending a signed Solana transaction when answers can be lost (design rule 8).
 *
 * `sendTransaction` goes out with preflight at the call's commitment and the node's own retry
 * loop left on (no `maxRetries`: the node re-sends until the blockhash expires, which is what
 * lands transactions under load). A JSON-RPC error in the answer is the node's refusal
 * ({@link TransactionRejectedError} with its code and reason; -32002 preflight failures carry
 * the transaction error) — except "already processed", which means the transaction landed: the
 * signature is returned (re-sending is idempotent: one signature lands at most once). Anything
 * else (timeout, reset, 5xx, an unreadable answer) leaves the outcome unknown: the signature is
 * looked up and the SAME bytes re-sent a bounded number of times; a refusal after a lost answer
 * is only believed when the lookup finds nothing and it is a refusal of bytes, never of a copy
 * that may have landed. Still unknown at the end: {@link BroadcastUnknownError} carrying the
 * signed transaction — maybe sent, never "not sent".
 * @module
 * @internal
 */
import { base58, base64 } from '@scure/base'
import {
  BroadcastUnknownError,
  CofferError,
  DataIntegrityError,
  InvalidArgumentError,
  RpcError,
  TransactionRejectedError,
} from '../../core/errors.js'
import type { SignedTransaction } from '../adapter.js'
import { sleep } from '../abort.js'
import type { SolanaCall } from './context.js'

/** Re-sends of the same bytes after an unknown outcome. */
const SOLANA_REBROADCASTS = 3

const ALREADY_PROCESSED = /AlreadyProcessed|already been processed/i

/** Checks the wire bytes: a shortvec signature count, that many 64-byte signatures, a message; the first signature is `hash`. @throws InvalidArgumentError */
function checkWire(signed: SignedTransaction): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = base64.decode(signed.raw)
  } catch (cause) {
    throw new InvalidArgumentError('signed.raw is not base64.', { cause })
  }
  const count = bytes[0] ?? 0
  if (count < 1 || count > 0x7f || bytes.length < 1 + 64 * count + 4 || bytes.length > 1232)
    throw new InvalidArgumentError('signed.raw is not a signed Solana transaction (signature count, or more than 1,232 bytes).')
  const message = bytes.subarray(1 + 64 * count)
  // A v0 message starts 0x80, then its header: the number of required signatures must equal the count.
  const required = message[0]! & 0x80 ? message[1] : message[0]
  if (required !== count) throw new InvalidArgumentError(`signed.raw carries ${count} signatures, its message needs ${required}.`)
  if (base58.encode(bytes.subarray(1, 65)) !== signed.hash)
    throw new InvalidArgumentError("signed.hash is not the transaction's first signature.")
  return bytes
}

function rejection(error: RpcError): TransactionRejectedError {
  const { code, reason, data } = error.details
  let err: string | undefined
  try {
    const parsed = typeof data === 'string' ? (JSON.parse(data) as { err?: unknown }) : undefined
    err = parsed?.err === undefined ? undefined : JSON.stringify(parsed.err).slice(0, 300)
  } catch {
    err = undefined
  }
  const text = `${String(reason ?? error.shortMessage).slice(0, 300)}${err === undefined ? '' : ` (${err})`}`
  return new TransactionRejectedError(`The node refused the transaction: ${text}`, {
    cause: error,
    details: { ...(typeof code === 'number' ? { code } : {}), reason: text },
  })
}

const alreadyProcessed = (error: RpcError) =>
  ALREADY_PROCESSED.test(`${String(error.details.reason ?? '')} ${String(error.details.data ?? '')}`)

/**
 * Broadcasts `signed`; returns its signature once the node took it (or says it already has it).
 * `lookup` asks the chain for the signature (getSignatureStatuses): `'landed'` settles it.
 * @throws InvalidArgumentError (malformed bytes); TransactionRejectedError; BroadcastUnknownError (also when the node answers
 *   another signature and ours cannot be found)
 */
export async function broadcastSolana(
  call: SolanaCall,
  signed: SignedTransaction,
  lookup: (hash: string) => Promise<'landed' | 'unknown'>,
  rebroadcasts = SOLANA_REBROADCASTS,
): Promise<string> {
  checkWire(signed)
  const hash = signed.hash
  const found = async () => {
    try {
      return (await lookup(hash)) === 'landed'
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason
      return false
    }
  }
  let lastUnknown: unknown
  let attempts = 0
  for (let attempt = 0; attempt <= rebroadcasts; attempt++) {
    if (attempt > 0) await sleep(Math.min(250 * 2 ** (attempt - 1), 2_000), call.signal)
    attempts++
    try {
      const answer = await call.rpc.send<unknown>(
        'sendTransaction',
        [signed.raw, { encoding: 'base64', preflightCommitment: call.commitment }],
        { signal: call.signal },
      )
      if (answer === hash) return hash
      // Another signature (a lying or broken node) proves nothing about ours: it may have gone out, so it is looked up, never "not sent".
      lastUnknown =
        typeof answer === 'string'
          ? new DataIntegrityError(`The node answered the signature ${answer.slice(0, 100)}, not ${hash}.`, { details: { hash } })
          : new Error('the node answered without a signature')
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason
      if (error instanceof RpcError && typeof error.details.code === 'number') {
        if (alreadyProcessed(error)) return hash
        // After a lost answer, a refusal may be of a copy that already landed.
        if (lastUnknown === undefined) throw rejection(error)
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
    `The broadcast of ${hash} got no readable answer in ${attempts} attempts (${why.slice(0, 160)}); it may land until its blockhash expires. Look it up by signature or re-broadcast transaction.raw; do not pay again.`,
    signed as SignedTransaction & { chainId: `${string}:${string}` },
    { cause: lastUnknown, details: { attempts } },
  )
}
