/**
 * Broadcasting a signed Bitcoin transaction when answers can be lost (design rule 8).
 *
 * Only the node's explicit refusal of bytes not sent before is a "no"
 * ({@link TransactionRejectedError}). A 5xx, a
 * timeout, a reset or an unreadable answer leaves the outcome unknown: the same bytes are sent
 * again a bounded number of times (a transaction is idempotent by txid: a node that has it in
 * its mempool answers with the txid), and after every unknown outcome the node is asked for
 * the txid (`GET /tx/:txid`); when it knows it, the broadcast succeeded. A refusal that says the
 * node already has it ("already in block chain", "txn-already-known", code -27) is a success
 * once the txid is found; any other refusal after a lost answer leaves the outcome unknown (the
 * first copy may be on its way elsewhere), and so does `non-final` (a lock time not yet
 * reached: the same bytes become valid later). Still unknown at the end:
 * {@link BroadcastUnknownError}, carrying the signed transaction — maybe sent, never "not sent".
 * The adapter's broadcast ({@link broadcastCall}) is one call under its deadline; past the
 * deadline it is "maybe sent" too.
 * @module
 * @internal
 */
import {
  BroadcastUnknownError,
  CofferError,
  DeadlineExceededError,
  TransactionRejectedError,
  type BroadcastTransaction,
} from '../../core/errors.js'
import { sleep } from '../abort.js'
import { runCall, type CallSettings } from './call.js'
import type { BackendCallOptions, BitcoinBackend } from './client.js'

/** Default number of re-broadcasts of the same bytes after an unknown outcome. */
export const DEFAULT_REBROADCASTS = 3

/** Bitcoin Core's ways of saying "I already have this transaction". */
const ALREADY_KNOWN =
  /already in (the )?block ?chain|already in utxo set|outputs already in utxo set|txn-already-known|txn-already-in-mempool|already have transaction/i

/**
 * Refusals that do not make a transaction unminable: its lock time (or a relative lock) is not
 * reached yet. The same bytes become valid later — anyone holding them can broadcast them then —
 * so such a refusal leaves the outcome unknown.
 */
const NOT_YET = /non-final|non-BIP68-final/i

/** Whether a refusal says the node already has the transaction. */
function saysAlreadyKnown(error: TransactionRejectedError): boolean {
  return error.details.code === -27 || ALREADY_KNOWN.test(String(error.details.reason ?? error.shortMessage))
}

/** Whether the backend knows the transaction; undefined when it could not say. */
async function lookUp(backend: BitcoinBackend, txid: string, options: BackendCallOptions): Promise<boolean | undefined> {
  try {
    return (await backend.transaction(txid, options)) !== undefined
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason
    if (error instanceof DeadlineExceededError) throw error
    return undefined
  }
}

function describeFailure(error: unknown): string {
  return error instanceof CofferError ? error.shortMessage : String((error as Error)?.message ?? error)
}

/**
 * Sends `tx.raw` until the node's answer is known: returns the txid (`tx.hash`) once the node
 * accepts it or is found to have it.
 * @throws TransactionRejectedError when the node refuses it on the first attempt (and does not have it)
 * @throws BroadcastUnknownError when every attempt ended without a readable answer
 */
async function broadcastSigned(
  backend: BitcoinBackend,
  tx: BroadcastTransaction,
  rebroadcasts: number,
  options: BackendCallOptions = {},
): Promise<string> {
  const txid = tx.hash.toLowerCase()
  let lastUnknown: unknown
  let attempts = 0
  for (let attempt = 0; attempt <= rebroadcasts; attempt++) {
    if (attempt > 0) await sleep(Math.min(150 * 2 ** (attempt - 1), 2_000), options.signal)
    attempts++
    try {
      const answer = await backend.broadcast(tx.raw, options)
      if (typeof answer === 'string' && answer.trim().toLowerCase() === txid) return txid
      lastUnknown = new Error(`the node answered ${JSON.stringify(String(answer).slice(0, 80))} instead of the txid`)
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason
      if (error instanceof DeadlineExceededError) throw error
      if (error instanceof TransactionRejectedError) {
        const known = saysAlreadyKnown(error)
        if ((known || lastUnknown !== undefined) && (await lookUp(backend, txid, options))) return txid
        // Only a refusal of bytes never sent before says "not sent". After a lost answer, a
        // refusal may be this node refusing a copy of what another node (or it) already took.
        if (!known && lastUnknown === undefined && !NOT_YET.test(String(error.details.reason ?? error.shortMessage))) throw error
      }
      lastUnknown = error
    }
    if (await lookUp(backend, txid, options)) return txid
  }
  throw new BroadcastUnknownError(
    `The broadcast of ${txid} got no readable answer in ${attempts} attempts (${describeFailure(lastUnknown).slice(0, 160)}); it may be in the mempool. Look it up by hash or re-broadcast transaction.raw; do not pay again.`,
    tx,
    { cause: lastUnknown, details: { attempts } },
  )
}

/**
 * {@link broadcastSigned} as one call bounded by `settings.deadlineMs` (re-sends and lookups stop
 * at it).
 * @throws BroadcastUnknownError past the deadline (it may be on its way); as {@link broadcastSigned}
 */
export function broadcastCall(settings: CallSettings, tx: BroadcastTransaction, rebroadcasts: number): Promise<string> {
  const ms = settings.deadlineMs
  return runCall(
    settings,
    'Broadcasting',
    (call) => broadcastSigned(call.backend, tx, rebroadcasts, { signal: call.signal }),
    () =>
      new BroadcastUnknownError(
        `Broadcasting ${tx.hash} did not finish within ${ms} ms; it may be on its way. Look it up by hash; do not pay again.`,
        tx,
        { details: { deadlineMs: ms } },
      ),
  )
}
