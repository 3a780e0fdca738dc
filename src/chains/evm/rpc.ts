/**
 * Node errors at the adapter boundary: anything viem or fetch throws becomes an
 * {@link RpcError} (or passes through if it already is a CofferError).
 * @module
 * @internal
 */
import { BaseError } from 'viem'
import { CofferError, RpcError } from '../../errors.js'

/** Runs a node call, turning failures into RpcError with a one-line message. */
export async function rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toRpcError(what, error)
  }
}

/** The RpcError for a failed node call (CofferErrors pass through). */
export function toRpcError(what: string, error: unknown): CofferError {
  if (error instanceof CofferError) return error
  const detail = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error)
  return new RpcError(`${what} failed: ${detail.split('\n')[0]?.slice(0, 300)}`, { cause: error })
}

/** The node's error text for a viem error (for matching "nonce too low" and friends). */
export function errorText(error: unknown): string {
  const parts: string[] = []
  let e: unknown = error
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof BaseError) parts.push(e.shortMessage, e.details ?? '')
    else if (e instanceof Error) parts.push(e.message)
    e = (e as { cause?: unknown }).cause
  }
  return parts.join(' | ').toLowerCase()
}
