/**
 * Checks of what a Solana node answers: objects, safe integers, base58 keys, base64 account
 * data, token amounts. A malformed answer is an `RpcError` (the node said something unreadable);
 * contradictions are the callers' to report as `DataIntegrityError`.
 *
 * Numbers: Agave writes u64 values (lamports, fees) as JSON numbers, which JavaScript reads as
 * doubles. Only `Number.isSafeInteger` values are accepted (up to 2^53 − 1 lamports, about
 * 9 million SOL per account, far above any balance a wallet holds): a larger number cannot be
 * read exactly, so it is refused rather than rounded. Token amounts come as decimal strings and
 * are read exactly up to 2^64 − 1.
 * @module
 * @internal
 */
import { base58, base64 } from '@scure/base'
import { RpcError } from '../../core/errors.js'
import type { RpcResult } from './client.js'

/** The largest u64. */
export const U64_MAX = (1n << 64n) - 1n

/** A malformed answer of `method`. */
export function malformed(method: string, what: string): RpcError {
  return new RpcError(`${method}: the node's answer is malformed (${what}).`, { details: { method, reason: what } })
}

/** `value` as a plain object. @throws RpcError */
export function objectOf(value: unknown, method: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(method, `${what} is not an object`)
  return value as Record<string, unknown>
}

/** `value` as an array. @throws RpcError */
export function arrayOf(value: unknown, method: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(method, `${what} is not an array`)
  return value
}

/** `value` as a non-negative safe integer. @throws RpcError */
export function intOf(value: unknown, method: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw malformed(method, `${what} is not a non-negative safe integer`)
  return value
}

/** `value` (a JSON number of lamports) as a bigint, safe integers only. @throws RpcError */
export function lamportsOf(value: unknown, method: string, what: string): bigint {
  return BigInt(intOf(value, method, what))
}

/** `value` as a string. @throws RpcError */
export function stringOf(value: unknown, method: string, what: string, maxLength = 10_000): string {
  if (typeof value !== 'string' || value.length > maxLength) throw malformed(method, `${what} is not a string`)
  return value
}

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/

/** `value` as a base58 32-byte public key. @throws RpcError */
export function keyOf(value: unknown, method: string, what: string): string {
  if (typeof value !== 'string' || !BASE58.test(value)) throw malformed(method, `${what} is not a base58 key`)
  let length: number
  try {
    length = base58.decode(value).length
  } catch {
    length = 0
  }
  if (length !== 32) throw malformed(method, `${what} is not a 32-byte key`)
  return value
}

/** True when `value` is a base58 string of 64 bytes (a transaction signature). */
export function isSignature(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(value)) return false
  try {
    return base58.decode(value).length === 64
  } catch {
    return false
  }
}

/** A decimal string of a u64 (token amounts). @throws RpcError */
export function u64StringOf(value: unknown, method: string, what: string): bigint {
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) throw malformed(method, `${what} is not a decimal u64`)
  const amount = BigInt(value)
  if (amount > U64_MAX) throw malformed(method, `${what} exceeds u64`)
  return amount
}

/** A u64 written as a canonical decimal string (no sign, no leading zeros), or undefined. Never throws. */
export function u64Decimal(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^(0|[1-9]\d{0,19})$/.test(value)) return undefined
  const n = BigInt(value)
  return n > U64_MAX ? undefined : n
}

/** Account data `[base64, 'base64']` as bytes. @throws RpcError */
function base64DataOf(value: unknown, method: string, what: string): Uint8Array {
  if (!Array.isArray(value) || value.length !== 2 || value[1] !== 'base64' || typeof value[0] !== 'string')
    throw malformed(method, `${what} is not [data, "base64"]`)
  try {
    return base64.decode(value[0])
  } catch {
    throw malformed(method, `${what} is not base64`)
  }
}

/** An account as `getAccountInfo` / `getMultipleAccounts` (base64) give it. */
export interface AccountInfo {
  readonly lamports: bigint
  /** The owning program. */
  readonly owner: string
  readonly data: Uint8Array
}

/** One account of a base64 `getAccountInfo` / `getMultipleAccounts` answer; null when it does not exist. @throws RpcError */
export function accountOf(value: unknown, method: string, what: string): AccountInfo | null {
  if (value === null) return null
  const account = objectOf(value, method, what)
  return {
    lamports: lamportsOf(account.lamports, method, `${what}.lamports`),
    owner: keyOf(account.owner, method, `${what}.owner`),
    data: base64DataOf(account.data, method, `${what}.data`),
  }
}

/** An `RpcResponse` (`{ context: { slot }, value }`): its slot and value. @throws RpcError */
export function withContext(value: unknown, method: string): { slot: number; value: unknown } {
  const answer = objectOf(value, method, 'the answer')
  const context = objectOf(answer.context, method, 'context')
  if (!('value' in answer)) throw malformed(method, 'value is missing')
  return { slot: intOf(context.slot, method, 'context.slot'), value: answer.value }
}

/** The result of one batch answer, or its error thrown. @throws RpcError */
export function resultOf<T = unknown>(answer: RpcResult | undefined, method: string): T {
  if (!answer) throw malformed(method, 'the answer is missing')
  if (!answer.ok) throw answer.error
  return answer.result as T
}

/** The commitment `getBlock` / `getTransaction` accept (`processed` is not allowed there). */
export function blockCommitment(commitment: 'processed' | 'confirmed' | 'finalized'): 'confirmed' | 'finalized' {
  return commitment === 'finalized' ? 'finalized' : 'confirmed'
}
