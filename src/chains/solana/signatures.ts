/**
 * `getSignaturesForAddress` answers, checked, and transactions fetched by signature in one batch.
 * @module
 * @internal
 */
import { DataIntegrityError, RpcError } from '../../core/errors.js'
import type { RpcRequest } from './client.js'
import type { SolanaCall } from './context.js'
import { parseTransaction, type ParsedTransaction } from './parsed-transaction.js'
import { arrayOf, intOf, isSignature, malformed, objectOf, resultOf } from './shapes.js'

/** The most signatures `getSignaturesForAddress` returns per call. */
export const MAX_SIGNATURES_PER_CALL = 1_000

/** One entry of `getSignaturesForAddress`. */
export interface SignatureInfo {
  readonly signature: string
  readonly slot: number
  readonly failed: boolean
}

/** The request for `address`'s signatures, newest first, older than `before`. */
export function signaturesRequest(address: string, limit: number, before?: string): RpcRequest {
  return { method: 'getSignaturesForAddress', params: [address, { limit, commitment: 'confirmed', ...(before ? { before } : {}) }] }
}

/**
 * A checked `getSignaturesForAddress` result: at most `limit` entries, newest first.
 * @throws RpcError; DataIntegrityError when slots go up
 */
export function signaturesOf(result: unknown, limit: number, address: string): SignatureInfo[] {
  const method = 'getSignaturesForAddress'
  const list = arrayOf(result, method, 'the answer')
  if (list.length > limit) throw malformed(method, `asked for ${limit} signatures, got ${list.length}`)
  let previous = Number.POSITIVE_INFINITY
  return list.map((item, i) => {
    const entry = objectOf(item, method, `[${i}]`)
    if (!isSignature(entry.signature)) throw malformed(method, `[${i}].signature is not a signature`)
    const slot = intOf(entry.slot, method, `[${i}].slot`)
    if (slot > previous)
      throw new DataIntegrityError(`The node listed ${address}'s signatures out of order (slot ${slot} after ${previous}).`, {
        details: { expected: `≤ ${previous}`, got: String(slot) },
      })
    previous = slot
    return { signature: entry.signature, slot, failed: entry.err !== null && entry.err !== undefined }
  })
}

/** The `getTransaction` request of `signature` (json, v0 messages, at `confirmed`). */
export function transactionRequest(signature: string): RpcRequest {
  return { method: 'getTransaction', params: [signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }] }
}

/**
 * The transactions of `signatures`, in one batch, checked.
 * @throws RpcError (also for a transaction the node lists but cannot serve); DataIntegrityError
 */
export async function fetchTransactions(call: SolanaCall, signatures: readonly string[]): Promise<ParsedTransaction[]> {
  if (signatures.length === 0) return []
  const answers = await call.rpc.batch(signatures.map(transactionRequest), { signal: call.signal })
  return signatures.map((signature, i) => {
    const result = resultOf(answers[i], 'getTransaction')
    if (result === null)
      throw new RpcError(`getTransaction: the node lists ${signature} but cannot serve it (pruned history?).`, {
        details: { method: 'getTransaction', reason: 'transaction not found' },
      })
    return parseTransaction(result, signature)
  })
}
