/**
 * Payments as the journal records them. Every `wallet.send` is one payment with a random id:
 * an `intent` entry is written before anything is signed and a `signed` entry (with the hash)
 * just before the broadcast, so a crash after the broadcast loses no record and `reconcile()` can
 * look the transaction up; then what became of it — `sent`, `unknown` (the broadcast's answer was lost: maybe
 * sent), `rejected` (refused before anything went out); later `wallet.reconcile()` adds
 * `confirmed`, `failed` or `dropped`.
 *
 * What counts against the limits follows from that record: a payment counts from its intent on,
 * and stops counting only when it is proven never to move the money — `rejected` (the node or a
 * check refused it), `failed` (mined but reverted) or `dropped` with the chain's proof that it
 * can never be mined. An unknown outcome keeps counting: unknown is not "no".
 * @module
 * @internal
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { AssetId, ChainId } from '../core/caip.js'
import type { AssetInfo, ChainAdapter, TransferQuote } from '../chains/adapter.js'
import type { AuditEntry, PaymentStatus } from '../audit/entry.js'
import { CofferError, UnknownAssetError } from '../core/errors.js'
import { randomBytes } from '../vault/crypto.js'

/** A new payment id: 16 random bytes, hex. */
export function newPaymentId(): string {
  return bytesToHex(randomBytes(16))
}

/** Statuses after which a payment no longer counts against the limits. */
const NOT_SPENT: readonly PaymentStatus[] = ['rejected', 'failed', 'dropped']

/**
 * Errors that prove nothing went out: a refusal the node stated, or a check before signing.
 * Anything else from `sendTransfer` after a transaction was signed — BroadcastUnknownError, an
 * RpcError, a deadline, an error coffer did not make — may hide a transaction that went out.
 */
const NOTHING_SENT = new Set([
  'TRANSACTION_REJECTED',
  'INSUFFICIENT_FUNDS',
  'INVALID_ARGUMENT',
  'INVALID_ADDRESS',
  'INVALID_AMOUNT',
  'UNKNOWN_ASSET',
  'CHAIN_MISMATCH',
  'VAULT_LOCKED',
  'KEY_WIPED',
  'SIGNATURE_VERIFICATION',
  'NOT_SUPPORTED',
  'DATA_INTEGRITY',
  'FEE_TOO_HIGH',
  'DISCOVERY_LIMIT',
  'POLICY_VIOLATION',
  // Thrown before a key is used (an account delegated to code coffer does not know).
  'UNKNOWN_DELEGATE',
])

/** Node and time failures that prove nothing only once a transaction was signed. */
const BEFORE_SIGNING_ONLY = new Set(['RPC', 'DEADLINE_EXCEEDED'])

/**
 * What a failed `sendTransfer` means for the payment. `signed`: the adapter handed a signed
 * transaction to `onSigned` (the contract calls it before every broadcast), so one may be out.
 */
export function failedSend(error: unknown, signed: boolean): 'rejected' | 'unknown' {
  if (!(error instanceof CofferError)) return 'unknown'
  if (NOTHING_SENT.has(error.code)) return 'rejected'
  return !signed && BEFORE_SIGNING_ONLY.has(error.code) ? 'rejected' : 'unknown'
}

/** The asset and fee asset of a quote, as the adapter lists them (never the caller's fields). @throws UnknownAssetError */
export async function quoteFacts(adapter: ChainAdapter, quote: TransferQuote): Promise<{ asset: AssetInfo; fee: AssetInfo }> {
  const assets = await adapter.assets()
  const find = (id: unknown, what: string) => {
    const info = typeof id === 'string' ? assets.find((a) => a.id.toLowerCase() === id.toLowerCase()) : undefined
    if (!info || info.unverified)
      throw new UnknownAssetError(
        `The quote's ${what} ${String(id).slice(0, 80)} is not an asset the ${adapter.chainId} adapter lists; the wallet sends only listed assets.`,
        { details: { chainId: adapter.chainId } },
      )
    return info
  }
  return { asset: find(quote.asset, 'asset'), fee: find(quote.fee?.asset, 'fee asset') }
}

/** A spend the policy counts, rebuilt from the journal. */
export interface JournalSpend {
  readonly id: string
  readonly time: number
  readonly asset: AssetId
  readonly family?: string
  readonly amount: bigint
  readonly decimals: number
}

/** One payment of the journal: its intent (or only entry, for records before payment ids) and its latest status. */
export interface PaymentRecord {
  readonly payment: string
  readonly first: AuditEntry
  readonly status: PaymentStatus
  readonly hash?: string
}

/** Payments by id, in journal order; entries without an id (written before payment ids) are one payment each. */
export function payments(entries: readonly AuditEntry[]): PaymentRecord[] {
  const byId = new Map<string, { first: AuditEntry; status: PaymentStatus; hash?: string }>()
  for (const e of entries) {
    if (e.kind !== 'transaction' || !e.decision.allowed) continue
    const id = e.payment ?? `seq-${e.seq}`
    const known = byId.get(id)
    const legacy = e.payment === undefined ? (e.note?.startsWith('not sent') ? 'rejected' : e.hash ? 'sent' : 'unknown') : undefined
    const status = e.status ?? legacy ?? 'unknown'
    if (!known) byId.set(id, { first: e, status, ...(e.hash ? { hash: e.hash } : {}) })
    else byId.set(id, { ...known, status, ...(e.hash ? { hash: e.hash } : {}) })
  }
  return [...byId].map(([payment, p]) => ({ payment, ...p }))
}

/**
 * What the journal says was (or may have been) spent: payments not proven unspent, and typed
 * data that moved tokens; asset facts from the adapters (an asset no adapter lists is skipped).
 */
export async function spentFromJournal(
  entries: readonly AuditEntry[],
  adapters: ReadonlyMap<ChainId, ChainAdapter>,
): Promise<JournalSpend[]> {
  const lists = new Map<ChainId, readonly AssetInfo[]>()
  const info = async (chainId: ChainId | undefined, asset: AssetId) => {
    const adapter = chainId ? adapters.get(chainId) : undefined
    if (!adapter || !chainId) return undefined
    if (!lists.has(chainId)) lists.set(chainId, await adapter.assets())
    return lists.get(chainId)?.find((a) => a.id === asset)
  }
  const out: JournalSpend[] = []
  const add = async (id: string, e: AuditEntry) => {
    if (!e.asset || !e.amount) return
    const a = await info(e.chainId, e.asset)
    if (a)
      out.push({
        id,
        time: Date.parse(e.time),
        asset: e.asset,
        ...(a.family ? { family: a.family } : {}),
        amount: BigInt(e.amount),
        decimals: a.decimals,
      })
  }
  for (const p of payments(entries)) if (!NOT_SPENT.includes(p.status)) await add(p.payment, p.first)
  for (const e of entries) if (e.kind === 'typed-data' && e.decision.allowed) await add(`seq-${e.seq}`, e)
  return out
}

/** Whether a payment's outcome is still open (worth asking the chain about). */
export function unsettled(p: PaymentRecord): boolean {
  return p.status === 'unknown' || p.status === 'sent' || p.status === 'signed' || p.status === 'intent'
}
