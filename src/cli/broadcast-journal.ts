/**
 * The wallet journal's record of `coffer broadcast`, kept like `wallet.send` keeps a payment:
 * the signed hash before the bytes go out (a crash after the broadcast leaves a record), then
 * what became of it — `sent`, `unknown` (the answer was lost: maybe sent) or `rejected` — under
 * one payment id. A hash the journal already holds (signed by `coffer sign-tx` with this wallet,
 * or broadcast before) continues that payment, with its recipient, asset and amount; a new one
 * has only what the signed file proves (chain, sender, hash). Without a wallet at the vault path
 * there is no journal and nothing is recorded.
 * @module
 * @internal
 */
import { AuditJournal, type AuditEntry } from '../audit/journal.js'
import type { PaymentStatus } from '../audit/entry.js'
import type { SignedTransaction } from '../chains/adapter.js'
import type { Vault } from '../vault/vault.js'
import { newPaymentId, payments } from '../wallet/payments.js'
import type { Context } from './context.js'

/** The note on entries this command writes. */
const NOTE = 'broadcast by coffer broadcast (signed elsewhere)'

/** One broadcast's journal record. */
export class BroadcastRecord {
  readonly #journal: AuditJournal
  readonly #vault: Vault
  readonly #signed: SignedTransaction
  readonly #payment: string
  readonly #known: AuditEntry | undefined

  private constructor(journal: AuditJournal, vault: Vault, signed: SignedTransaction, payment: string, known: AuditEntry | undefined) {
    this.#journal = journal
    this.#vault = vault
    this.#signed = signed
    this.#payment = payment
    this.#known = known
  }

  /**
   * Opens the wallet's journal (unlocking the vault: the journal is sealed with it) and records
   * the hash before the broadcast. Undefined when there is no wallet at the vault path.
   * @throws WrongPasswordError, JournalIntegrityError (a journal that does not verify takes no entry: nothing is broadcast)
   */
  static async open(ctx: Context, signed: SignedTransaction): Promise<BroadcastRecord | undefined> {
    if (!(await ctx.vaultExists())) return undefined
    const vault = await ctx.unlockedVault()
    try {
      const journal = await AuditJournal.open({ storage: ctx.storage, sealer: vault.sealer('journal') })
      const hash = signed.hash.toLowerCase()
      const entries = await journal.entries()
      const earlier = payments(entries).find((p) => p.hash?.toLowerCase() === hash && !p.payment.startsWith('seq-'))
      const record = new BroadcastRecord(journal, vault, signed, earlier?.payment ?? newPaymentId(), earlier?.first)
      if (!earlier) await record.#append('signed')
      return record
    } catch (error) {
      vault.lock()
      throw error
    }
  }

  /** Records the outcome. */
  async outcome(status: Extract<PaymentStatus, 'sent' | 'unknown' | 'rejected'>, why?: string): Promise<void> {
    await this.#append(status, why)
  }

  /** Locks the vault again. */
  close(): void {
    this.#vault.lock()
  }

  async #append(status: PaymentStatus, why?: string): Promise<void> {
    const k = this.#known
    const s = this.#signed
    await this.#journal.append({
      kind: 'transaction',
      chainId: s.chainId,
      from: k?.from ?? s.from,
      ...(k?.to ? { to: k.to } : {}),
      ...(k?.asset ? { asset: k.asset } : {}),
      ...(k?.amount ? { amount: k.amount } : {}),
      ...(k?.fee ? { fee: k.fee, ...(k.feeAsset ? { feeAsset: k.feeAsset } : {}) } : {}),
      hash: s.hash,
      status,
      payment: this.#payment,
      decision: { allowed: true },
      note: (why ? `${NOTE}: ${why}` : NOTE).slice(0, 300),
    })
  }
}
