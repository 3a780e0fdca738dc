/**
 * What every method of the local Solana server receives, and the `{ context, value }` wrapper.
 * @module
 * @internal
 */
import type { Ledger } from './ledger.js'

/** The Agave version the server reports. */
export const API_VERSION = '2.2.16'
/** The feature-set id it reports with getVersion. */
export const FEATURE_SET = 3_294_202_862

/** The server's state a method works on. */
export interface MethodContext {
  readonly ledger: Ledger
  /** A faucet transfer (requestAirdrop); returns its signature. */
  airdrop(address: string, lamports: bigint): string
}

/** A JSON-RPC method: returns the `result` or throws an RpcFailure. */
export type Method = (ctx: MethodContext, params: unknown) => unknown

/** Agave's RpcResponse. */
export const withContext = (slot: number, value: unknown): { context: { slot: number; apiVersion: string }; value: unknown } => ({
  context: { slot, apiVersion: API_VERSION },
  value,
})
