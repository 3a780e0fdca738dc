/**
 * Sending signed bytes to an EVM node when answers get lost. A broadcast ends one of three ways:
 *
 * - **accepted**: the node returned the hash, said "already known", or has the transaction
 *   when asked by hash;
 * - **refused**: the node stated a refusal the chain defines (nonce too low, insufficient funds,
 *   underpriced, …) for the first and only attempt — or, after an unknown answer, the chain proves
 *   the transaction can never be mined (its nonce is used on chain by another transaction);
 * - **unknown**: anything else (HTTP 5xx, timeouts, resets, unreadable answers, provider
 *   errors). The same bytes are sent again a bounded number of times, checking by hash between
 *   tries; if nothing settles it, the caller gets {@link BroadcastUnknownError} carrying the
 *   signed transaction. Such a transaction is "maybe sent": never sign another one for the same
 *   payment until it is proven unminable.
 *
 * The adapter's broadcast ({@link broadcastChecked}) settles the nonce reservation by the
 * outcome and journals every send that was accepted or may have been; its sends
 * ({@link sendInOrder}) broadcast in nonce order and never re-sign a payment whose bytes may have left.
 * @module
 * @internal
 */
import { parseTransaction, type Hex, type PublicClient } from 'viem'
import { BroadcastUnknownError, InsufficientFundsError, TransactionRejectedError, type CofferError } from '../../core/errors.js'
import type { SendTransferOptions, SignedTransaction, UnsignedTransaction } from '../adapter.js'
import { assertOptions } from '../../core/assert.js'
import { redactedCause, sendAnswer } from './client.js'
import { recordSend, type Journal } from './journal.js'
import type { EvmChain } from './networks.js'
import type { NonceManager } from './nonces.js'
import type { TokenBook } from './tokens.js'
import { positiveInt } from './validate.js'

/** How a broadcast ended. */
export type BroadcastResult =
  | { readonly kind: 'accepted'; readonly hash: `0x${string}` }
  /** `nonceUsed`: the refusal says the nonce is taken (by another transaction: ours was never accepted). */
  | { readonly kind: 'refused'; readonly error: CofferError; readonly nonceUsed: boolean }
  | { readonly kind: 'unknown'; readonly error: BroadcastUnknownError }

/** Tuning of the unknown-outcome loop. */
export interface BroadcastRetry {
  /** Re-broadcasts of the same bytes after an unknown answer, default 3. */
  readonly attempts: number
  /** Pause before the first re-broadcast, doubled each time, default 250 ms. */
  readonly delayMs: number
}

/** The `rebroadcast` option, checked: 3 attempts (0 to 20) and a first pause of 250 ms by default. @throws InvalidArgumentError */
export function rebroadcastRetry(option: { attempts?: number; delayMs?: number } | undefined): BroadcastRetry {
  const rebroadcast = option === undefined ? {} : assertOptions(option, 'rebroadcast')
  return {
    attempts: rebroadcast.attempts === 0 ? 0 : positiveInt(rebroadcast.attempts, 'rebroadcast.attempts', 3, 20),
    delayMs: positiveInt(rebroadcast.delayMs, 'rebroadcast.delayMs', 250, 60_000),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const HASH_MISSING = Symbol('missing')

/** The transaction by hash, or HASH_MISSING when the node does not know it; undefined when the read itself failed. */
async function lookUp(client: PublicClient, hash: `0x${string}`): Promise<unknown> {
  try {
    const tx = await client.request({ method: 'eth_getTransactionByHash', params: [hash] })
    return tx ?? HASH_MISSING
  } catch {
    return undefined
  }
}

/** The sender's mined transaction count, or undefined when it cannot be read. */
async function minedNonce(client: PublicClient, from: `0x${string}`): Promise<number | undefined> {
  try {
    return Number(BigInt(await client.request({ method: 'eth_getTransactionCount', params: [from, 'latest'] })))
  } catch {
    return undefined
  }
}

function refusal(message: string, cause: unknown, nonce: number): { error: CofferError; nonceUsed: boolean } {
  const details = { nonce }
  if (/insufficient funds/.test(message))
    return {
      error: new InsufficientFundsError('The node refused the transaction: insufficient funds for value + gas.', {
        cause: redactedCause(cause),
        details,
      }),
      nonceUsed: false,
    }
  const nonceUsed = /nonce too low|nonce has already been used|old nonce/.test(message)
  return {
    error: new TransactionRejectedError(`The node refused the transaction: ${message.split(' | ')[0]?.slice(0, 200)}`, {
      cause: redactedCause(cause),
      details,
    }),
    nonceUsed,
  }
}

/**
 * Broadcasts `signed` (whose sender is `from` and nonce `nonce`) through `send` — one client per
 * endpoint: the first try goes to the first, re-broadcasts rotate through the others — reading
 * back through `read`. Never throws: the result says how it ended.
 *
 * `fresh`: these bytes were just signed and never sent anywhere. Then a first answer of "already
 * known" or "nonce too low" cannot be about this payment: another sender (a second process with
 * the same key) broadcast the identical transaction or used the nonce, so the nonce is taken and
 * this payment must be signed again at another one. Without `fresh` (a caller re-broadcasting
 * bytes it may have sent before), "already known" is success and "nonce too low" is checked by hash.
 */
export async function broadcastSigned(
  send: readonly PublicClient[],
  read: PublicClient,
  signed: SignedTransaction,
  from: `0x${string}`,
  nonce: number,
  retry: BroadcastRetry,
  fresh = false,
): Promise<BroadcastResult> {
  const hash = signed.hash as `0x${string}`
  const submit = async (attempt: number): Promise<{ ok: true } | { ok: false; answer: ReturnType<typeof sendAnswer>; cause: unknown }> => {
    try {
      await (send[attempt % send.length] as PublicClient).request({ method: 'eth_sendRawTransaction', params: [signed.raw as Hex] })
      return { ok: true }
    } catch (cause) {
      return { ok: false, answer: sendAnswer(cause), cause }
    }
  }
  const first = await submit(0)
  if (first.ok) return { kind: 'accepted', hash }
  if (first.answer.kind === 'refused') {
    const known = /already known|already imported|known transaction/.test(first.answer.message)
    const nonceTaken = /nonce too low|nonce has already been used|old nonce/.test(first.answer.message)
    if (fresh && (known || nonceTaken)) {
      const error = new TransactionRejectedError(
        `The node refused the transaction: its nonce ${nonce} is taken by another sender's transaction${known ? ' (an identical one)' : ''}.`,
        { cause: redactedCause(first.cause), details: { nonce } },
      )
      return { kind: 'refused', error, nonceUsed: true }
    }
    if (known) return { kind: 'accepted', hash }
    // Bytes that may have been sent before: "nonce too low" may mean they were mined. Ask by hash;
    // if that read fails, the outcome is unknown.
    const found = nonceTaken ? await lookUp(read, hash) : HASH_MISSING
    if (found !== HASH_MISSING && found !== undefined) return { kind: 'accepted', hash }
    if (found === HASH_MISSING) return { kind: 'refused', ...refusal(first.answer.message, first.cause, nonce) }
  }

  // Unknown: the node may have it. Same bytes again, checking by hash; never a new signature.
  let last = first
  for (let attempt = 0; attempt < retry.attempts; attempt++) {
    await sleep(retry.delayMs * 2 ** attempt)
    const known = await lookUp(read, hash)
    if (known !== undefined && known !== HASH_MISSING) return { kind: 'accepted', hash }
    const again = await submit(attempt + 1)
    if (again.ok) return { kind: 'accepted', hash }
    if (again.answer.kind === 'refused') {
      if (/already known|already imported|known transaction/.test(again.answer.message)) return { kind: 'accepted', hash }
      // Proven unminable only when the chain has used the nonce and the transaction is not ours.
      const [mined, mine] = await Promise.all([minedNonce(read, from), lookUp(read, hash)])
      if (mine !== undefined && mine !== HASH_MISSING) return { kind: 'accepted', hash }
      if (mine === HASH_MISSING && mined !== undefined && mined > nonce)
        return { kind: 'refused', ...refusal(again.answer.message, again.cause, nonce), nonceUsed: true }
    }
    last = again
  }
  const reason = last.ok ? '' : last.answer.message.split(' | ')[0]?.slice(0, 160)
  return {
    kind: 'unknown',
    error: new BroadcastUnknownError(
      `The node's answer to the broadcast was lost (${reason}); transaction ${hash} may be on its way. Check it by hash or re-broadcast the same bytes; do not pay again.`,
      signed,
      {
        cause: last.ok ? undefined : redactedCause(last.cause),
        details: { nonce, attempts: retry.attempts + 1 },
      },
    ),
  }
}

/** What the adapter's broadcast works with. */
export interface BroadcastContext {
  readonly chain: EvmChain
  readonly client: PublicClient
  /** Broadcast clients, one per endpoint. */
  readonly send: readonly PublicClient[]
  readonly retry: BroadcastRetry
  readonly nonces: NonceManager
  readonly journal: Journal
  readonly tokens: TokenBook
  /** Checks the node serves the chain. @throws ChainMismatchError */
  verifyChain(): Promise<void>
}

/**
 * Broadcasts checked bytes (`tx` parsed from them, sent by `from` at `nonce`; `fresh` as in
 * {@link broadcastSigned}). A refusal gives the nonce back (or marks it used and resyncs when the
 * refusal says it is taken); an accepted or unknown outcome keeps the nonce used and journals the
 * send. Returns the hash.
 * @throws TransactionRejectedError, InsufficientFundsError (refused); BroadcastUnknownError (maybe sent); ChainMismatchError
 */
export async function broadcastChecked(
  ctx: BroadcastContext,
  signed: SignedTransaction,
  tx: ReturnType<typeof parseTransaction>,
  from: `0x${string}`,
  nonce: number,
  fresh: boolean,
): Promise<`0x${string}`> {
  await ctx.verifyChain()
  const result = await broadcastSigned(ctx.send, ctx.client, signed, from, nonce, ctx.retry, fresh)
  if (result.kind === 'refused') {
    ctx.nonces.done(from, nonce, result.nonceUsed)
    if (result.nonceUsed) ctx.nonces.resync(from)
    throw result.error
  }
  // Accepted, or maybe: either way the nonce stays used and the send is remembered, so its
  // status, history and speed-up work (and a later look by hash can settle it).
  ctx.nonces.done(from, nonce, true)
  await recordSend(ctx.journal, ctx.tokens, ctx.chain, signed.hash as `0x${string}`, from, tx, nonce)
  if (result.kind === 'unknown') throw result.error
  return result.hash
}

/** The error of a broadcast that ran out of its `deadlineMs`: maybe sent. */
export function lostBroadcast(signed: SignedTransaction, nonce: number, deadlineMs: number): BroadcastUnknownError {
  return new BroadcastUnknownError(
    `Broadcasting ${signed.hash} did not finish within ${deadlineMs} ms; it may be on its way. Check it by hash; do not pay again.`,
    signed,
    { details: { nonce, deadlineMs } },
  )
}

/** What {@link sendInOrder} works with: the broadcast's parts and the adapter's steps. */
export interface SendContext extends BroadcastContext {
  /** The adapter's overall deadline of one call, in ms. */
  readonly deadlineMs: number
  /** Runs `task` under the deadline; past it, `onTimeout()` (else DeadlineExceededError). */
  deadline<T>(what: string, task: () => Promise<T>, onTimeout?: () => Error): Promise<T>
  /** Builds the quoted transaction at a nonce that joins the order of sends in progress. */
  build(): Promise<UnsignedTransaction>
  /** Signs offline. */
  sign(unsigned: UnsignedTransaction): Promise<SignedTransaction>
}

/**
 * build → sign → broadcast, in nonce order per sender. A lower nonce given back meanwhile means
 * rebuilding at it (these bytes never left); a nonce another sender took means signing again at a
 * fresh one (the refused bytes can never be mined); a lost answer is never re-signed.
 * @throws TransactionRejectedError, InsufficientFundsError, BroadcastUnknownError; what the steps and `onSigned` throw
 */
export async function sendInOrder(ctx: SendContext, onSigned: SendTransferOptions['onSigned']): Promise<string> {
  const nonces = ctx.nonces
  const MAX_REBUILDS = 64
  let nonceRetries = 0
  for (let rebuild = 0; ; rebuild++) {
    const unsigned = await ctx.deadline('Building the transaction', () => ctx.build())
    const from = unsigned.from as `0x${string}`
    const nonce = unsigned.payload.nonce as number
    let signed: SignedTransaction
    let turn: { hole: boolean }
    try {
      signed = await ctx.sign(unsigned)
      turn = await nonces.turn(from, nonce, ctx.deadlineMs)
      if (!turn.hole) await onSigned?.(signed)
    } catch (error) {
      // The caller knows this nonce belongs to another payment (another process signed the same
      // transaction): it is used; sign again at the next one.
      const taken = error instanceof TransactionRejectedError && error.details.nonceTaken === true
      if (taken) nonces.usedElsewhere(from, nonce)
      else nonces.done(from, nonce, false)
      if (taken && ++nonceRetries < 10) continue
      throw error
    }
    if (turn.hole) {
      // A lower nonce was given back: take it instead (these bytes never left).
      nonces.done(from, nonce, false)
      if (rebuild < MAX_REBUILDS) continue
      throw new TransactionRejectedError(`Could not find a nonce without a gap for ${from}; nothing was broadcast.`)
    }
    try {
      return await ctx.deadline(
        'Broadcasting',
        () => broadcastChecked(ctx, signed, parseTransaction(signed.raw as Hex), from, nonce, true),
        () => lostBroadcast(signed, nonce, ctx.deadlineMs),
      )
    } catch (error) {
      // Refused because another transaction took the nonce: these bytes can never be mined.
      const retry = error instanceof TransactionRejectedError && /nonce/.test(error.shortMessage) && ++nonceRetries < 10
      if (!retry) throw error
    }
  }
}
