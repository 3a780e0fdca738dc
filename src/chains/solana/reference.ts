/**
 * Solana Pay, merchant side: find the payment that carries a reference key. The reference is an
 * extra read-only account of the transfer, so `getSignaturesForAddress(reference)` lists every
 * transaction that names it (up to 1,000, read at `confirmed`). They are checked oldest first,
 * like @solana/pay's `validateTransfer`, and the first one that
 * - succeeded (a failed transaction is not a payment),
 * - names the reference among its accounts,
 * - raised the recipient's balance by exactly `amount` (SOL: the recipient's lamports after −
 *   before; a token: the token balance of the recipient's associated token account for the
 *   mint, owned by the recipient), and
 * - carries the memo, when one is expected (an instruction of any deployed Memo program — v1,
 *   the SPL Memo coffer writes with, or v4, the default of @solana-program/memo ≥ 0.15 — with
 *   exactly that text),
 * is the payment. A transaction that names the reference but pays anything else is ignored:
 * it is never reported as paid.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import type { TransactionState } from '../adapter.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { SolanaCall } from './context.js'
import { assetSpecs, checkOwner } from './history.js'
import type { ParsedTransaction } from './parsed-transaction.js'
import { associatedTokenAddress } from './pda.js'
import { MEMO_PROGRAM, tokenProgramAddress } from './programs.js'
import { resultOf } from './shapes.js'
import { fetchTransactions, MAX_SIGNATURES_PER_CALL, signaturesOf, signaturesRequest } from './signatures.js'

/**
 * Every Memo program a payer's wallet may have written the memo with: v1 (`Memo1Uhk…`), the SPL
 * Memo (`MemoSq4g…`, "v2" to most tools, "v3" to @solana-program/memo; coffer writes with it),
 * and v4 (`Memo4c2p…`, a wire-compatible rewrite, what @solana-program/memo ≥ 0.15 builds by
 * default). The same list as that package's `SUPPORTED_MEMO_PROGRAM_ADDRESSES`.
 */
export const MEMO_PROGRAMS: readonly string[] = Object.freeze([
  'Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo',
  MEMO_PROGRAM,
  'Memo4c2pN8afCj432Lb7RMVKi9PbQnnW7ewFFaV3oAH',
])

/** What the merchant expects to be paid. */
export interface ExpectedPayment {
  readonly to: string
  readonly amount: bigint
  readonly asset: AssetId
  readonly memo?: string
}

/** The payment `findReference` found. */
export interface ReferencePayment {
  /** The transaction's first signature. */
  readonly hash: string
  /** Always `confirmed`: only successful transactions at `confirmed` or deeper are payments. */
  readonly state: TransactionState
  readonly slot: number
}

/** True when `tx` pays `expected` exactly and names `reference` (see the module doc). */
export function paysExpected(call: SolanaCall, tx: ParsedTransaction, reference: string, expected: ExpectedPayment): boolean {
  if (tx.failed || !tx.keys.includes(reference)) return false
  const [spec] = assetSpecs(call, [expected.asset])
  let received: bigint
  if (!spec!.token) {
    const index = tx.keys.indexOf(expected.to)
    if (index < 0) return false
    received = tx.postBalances[index]! - tx.preBalances[index]!
  } else {
    const token = spec!.token
    const account = associatedTokenAddress(expected.to, token.mint, tokenProgramAddress(token.program))
    const balance = tx.tokenBalances.get(account)
    if (!balance || balance.mint !== token.mint || (balance.owner !== undefined && balance.owner !== expected.to)) return false
    received = balance.post - balance.pre
  }
  if (received !== expected.amount) return false
  if (expected.memo === undefined) return true
  const memo = new TextEncoder().encode(expected.memo)
  return tx.instructions.some(
    (ix) => MEMO_PROGRAMS.includes(ix.programId) && ix.data.length === memo.length && ix.data.every((b, i) => b === memo[i]),
  )
}

/**
 * The oldest successful transaction naming `reference` that pays `expected`, or undefined.
 * @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError (before any request); RpcError; DataIntegrityError
 */
export async function findReference(call: SolanaCall, reference: string, expected: ExpectedPayment): Promise<ReferencePayment | undefined> {
  checkOwner(reference)
  checkOwner(expected.to)
  if (typeof expected.amount !== 'bigint' || expected.amount <= 0n)
    throw new InvalidArgumentError('The expected amount must be a positive bigint.')
  assetSpecs(call, [expected.asset])
  if (expected.memo !== undefined && (typeof expected.memo !== 'string' || expected.memo.length > 566))
    throw new InvalidArgumentError('The memo must be a string of at most 566 characters.')
  const result = await call.rpc.call<unknown>('getSignaturesForAddress', signaturesRequest(reference, MAX_SIGNATURES_PER_CALL).params, {
    signal: call.signal,
  })
  const listed = signaturesOf(resultOf({ ok: true, result }, 'getSignaturesForAddress'), MAX_SIGNATURES_PER_CALL, reference)
    .filter((s) => !s.failed)
    .reverse()
  const transactions = await fetchTransactions(
    call,
    listed.map((s) => s.signature),
  )
  const paid = transactions.find((tx) => paysExpected(call, tx, reference, expected))
  return paid ? { hash: paid.signature, state: 'confirmed', slot: paid.slot } : undefined
}
