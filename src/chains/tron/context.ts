/**
 * What every part of the Tron adapter works with: the chain, its TronGrid client, the TRC-20s it
 * lists, and one call's abort signal. The adapter makes one {@link TronContext}; each public call
 * runs with a {@link TronCall} bound to its deadline.
 * @module
 * @internal
 */
import type { AssetId, ChainId } from '../../core/caip.js'
import type { TronClient } from './client.js'

/** A TRC-20 the adapter lists. */
export interface TronToken {
  /** CAIP-19 id: `<chainId>/trc20:<base58 contract>`. */
  readonly asset: AssetId
  /** base58 `T…` address of the contract. */
  readonly contract: string
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  /** Family for totals, prices and policy limits across chains (`USDT`). */
  readonly family?: string
}

/** The adapter's fixed facts. */
export interface TronContext {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly client: TronClient
  /** TRC-20s the adapter lists (the registry's for the network, then configured ones). */
  readonly tokens: readonly TronToken[]
}

/** One public call: the context, and the signal that aborts at the call's deadline. */
export interface TronCall extends TronContext {
  readonly signal: AbortSignal
}

/** What the adapter remembers of a transaction it broadcast (never a secret). */
export interface TronSentRecord {
  /** The txID (64 hex). */
  readonly hash: string
  readonly from: string
  /** The signed Transaction, hex: re-sending the same bytes is idempotent (DUP_TRANSACTION_ERROR). */
  readonly raw: string
  /** ms since the epoch after which the transaction can never land. */
  readonly expiration: number
  /** ms since the epoch. */
  readonly time: number
  readonly to?: string
  readonly asset?: AssetId
  readonly amount?: string
}
