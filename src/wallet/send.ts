/**
 * `wallet.send` and `wallet.reconcile`: a payment from policy to journal. The policy decides from
 * the adapter's facts; the journal records the intent before signing and the signed hash before
 * the broadcast; the outcome is `sent`, `unknown` (maybe sent: kept counted) or `rejected`
 * (released). `reconcile` settles open payments later with the chains' answers (see payments.ts).
 * @module
 * @internal
 */
import type { AuditEntry, AuditEntryInput, PaymentStatus } from '../audit/entry.js'
import type { AuditJournal } from '../audit/journal.js'
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter, SignedTransaction } from '../chains/adapter.js'
import { BroadcastUnknownError, CofferError, InvalidArgumentError, PolicyViolationError, TransactionRejectedError } from '../core/errors.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { PolicyEngine, SignSummary } from '../policy/policy.js'
import { failedSend, newPaymentId, payments, quoteFacts, unsettled } from './payments.js'
import type { PaymentState, SendOptions, WalletQuote } from './wallet.js'

/** What a payment needs from the wallet. */
export interface PaymentContext {
  readonly journal: AuditJournal
  readonly policy: PolicyEngine
  readonly adapters: ReadonlyMap<ChainId, ChainAdapter>
  /** The signer of the quote's account (the vault must be unlocked). */
  signer(): Promise<Signer | AccountSigner>
  /** Appends without throwing (a failure is reported as an `error` event); emits `refused` / `sent`. */
  record(
    event: 'refused' | 'sent' | undefined,
    input: AuditEntryInput,
    refusal?: PolicyViolationError,
    hash?: string,
  ): Promise<AuditEntry | undefined>
}

/** Journal entries of the recent past searched for a hash another payment already holds. */
const COLLISION_WINDOW = 200

/** The intent note of a batch: how many payments, and as many recipients and amounts as fit. */
function batchNote(batch: readonly { readonly to: string; readonly amount: bigint }[]): string {
  const head = `batch of ${batch.length} payments (to = the first, amount = the total):`
  let note = head
  for (const p of batch) {
    const next = ` ${p.to} ${p.amount};`
    if (note.length + next.length > 290) return `${note} …`
    note += next
  }
  return note
}

/** Sends a quoted payment (see `Wallet.send`). */
export async function sendPayment(ctx: PaymentContext, adapter: ChainAdapter, q: WalletQuote, options: SendOptions): Promise<string> {
  if (typeof q.amount !== 'bigint' || q.amount <= 0n || typeof q.to !== 'string' || !q.fee || typeof q.fee.amount !== 'bigint') {
    throw new InvalidArgumentError('Not a quote from wallet.quote (to, amount or fee missing).')
  }
  const { asset, fee } = await quoteFacts(adapter, q)
  const summary: SignSummary = {
    kind: 'transaction',
    chainId: q.chainId,
    from: q.from,
    to: q.to,
    asset: asset.id,
    symbol: asset.symbol,
    decimals: asset.decimals,
    ...(asset.family ? { family: asset.family } : {}),
    amount: q.amount,
    fee: { asset: fee.id, amount: q.fee.amount, decimals: fee.decimals, symbol: fee.symbol, ...(fee.family ? { family: fee.family } : {}) },
    ...(adapter.testnet ? { testnet: true } : {}),
  }
  const base = {
    chainId: q.chainId,
    from: q.from,
    to: q.to,
    asset: asset.id,
    amount: q.amount.toString(),
    fee: q.fee.amount.toString(),
    feeAsset: fee.id,
  }
  const { journal } = ctx
  // Nothing is signed that cannot be recorded: a journal that does not verify stops here.
  await journal.verifyOrThrow()
  const payment = newPaymentId()
  const batch = q.payments && q.payments.length > 1 ? q.payments : undefined
  let reservation
  try {
    // A batch: each payment checked as one (lists, limits), the fee counted once, the hooks asked once.
    const { fee: _fee, ...feeless } = summary
    reservation = batch
      ? await ctx.policy.authorizeSpends(
          batch.map((p, i) => ({ ...(i === 0 ? summary : feeless), to: p.to, amount: p.amount })),
          summary,
          options.confirm,
          { id: payment },
        )
      : await ctx.policy.authorize(summary, options.confirm, { id: payment })
  } catch (error) {
    if (error instanceof PolicyViolationError)
      await ctx.record(
        'refused',
        {
          kind: 'refused',
          ...base,
          decision: { allowed: false, rule: String(error.details.rule ?? 'policy'), reason: error.shortMessage.slice(0, 300) },
        },
        error,
      )
    throw error
  }
  // The intent comes first: a crash after the broadcast must leave a record of what may have gone out.
  try {
    await journal.append({
      kind: 'transaction',
      ...base,
      status: 'intent',
      payment,
      decision: { allowed: true },
      ...(batch ? { note: batchNote(batch) } : {}),
    })
  } catch (error) {
    await reservation.release()
    throw error
  }
  let hash: string
  let signedOnce = false
  // Each signed transaction's hash is journaled before it is broadcast (a failed write stops it).
  const onSigned = async (signed: SignedTransaction) => {
    // Another process on this wallet signing the very same transaction (same nonce and payload)
    // would make two payments one: refuse to broadcast it as this payment.
    const recent = payments(await journal.entries({ from: Math.max(0, journal.size - COLLISION_WINDOW) }))
    if (recent.some((p) => p.hash === signed.hash && p.payment !== payment && p.status !== 'rejected')) {
      // The nonce is another payment's: the adapter signs this one again at a fresh nonce.
      throw new TransactionRejectedError(
        `Transaction ${signed.hash} already belongs to another payment of this wallet (another process signed the same transaction); nothing was broadcast for this one.`,
        { details: { nonceTaken: true } },
      )
    }
    await journal.append({ kind: 'transaction', ...base, hash: signed.hash, status: 'signed', payment, decision: { allowed: true } })
    signedOnce = true
  }
  try {
    hash = await adapter.sendTransfer(q, await ctx.signer(), { onSigned })
  } catch (error) {
    // A refusal (or a check before signing) sent nothing; anything else may hide a transaction that went out.
    const outcome = failedSend(error, signedOnce)
    if (outcome === 'rejected') await reservation.release()
    const lost = error instanceof BroadcastUnknownError ? { hash: error.transaction.hash } : {}
    const note = `${outcome === 'rejected' ? 'not sent' : 'outcome unknown'}: ${error instanceof CofferError ? error.shortMessage : String(error)}`
    await ctx.record(undefined, {
      kind: 'transaction',
      ...base,
      ...lost,
      status: outcome,
      payment,
      decision: { allowed: true },
      note: note.slice(0, 300),
    })
    throw error
  }
  await reservation.commit()
  await ctx.record('sent', { kind: 'transaction', ...base, hash, status: 'sent', payment, decision: { allowed: true } }, undefined, hash)
  return hash
}

/** Settles open payments with the chains' answers (see `Wallet.reconcile`). */
export async function reconcilePayments(ctx: PaymentContext): Promise<PaymentState[]> {
  const out: PaymentState[] = []
  for (const p of payments(await ctx.journal.entries()).filter(unsettled)) {
    const chainId = p.first.chainId
    const adapter = chainId ? ctx.adapters.get(chainId) : undefined
    let next: PaymentStatus | undefined
    let transaction: string | undefined
    if (adapter && p.hash) {
      const status = await adapter.getTransaction(p.hash).catch(() => undefined)
      transaction = status?.transaction
      if (status?.state === 'confirmed') next = 'confirmed'
      else if (status?.state === 'failed') next = 'failed'
      else if (status?.state === 'dropped' && status.unminable === true) next = 'dropped'
    }
    if (next) {
      if (next !== 'confirmed') await ctx.policy.release(p.payment)
      const e = p.first
      await ctx.record(undefined, {
        kind: 'transaction',
        ...(e.chainId ? { chainId: e.chainId } : {}),
        ...(e.from ? { from: e.from } : {}),
        ...(e.to ? { to: e.to } : {}),
        ...(e.asset ? { asset: e.asset } : {}),
        ...(e.amount ? { amount: e.amount } : {}),
        ...(p.hash ? { hash: p.hash } : {}),
        ...(p.payment.startsWith('seq-') ? {} : { payment: p.payment }),
        status: next,
        decision: { allowed: true },
        // An operation's own transaction (the bundler's), found on the node.
        ...(transaction ? { note: `included in transaction ${transaction}` } : {}),
      })
    }
    out.push({ payment: p.payment, ...(chainId ? { chainId } : {}), ...(p.hash ? { hash: p.hash } : {}), status: next ?? p.status })
  }
  return out
}
