/**
 * Backend failures at the adapter boundary become {@link RpcError} (CofferErrors pass through).
 * @module
 * @internal
 */
import { CofferError, RpcError } from '../../errors.js'

/** Runs a backend call, turning unexpected failures into RpcError. */
export async function rpcCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof CofferError) throw error
    throw new RpcError(`${what} failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`, { cause: error })
  }
}
