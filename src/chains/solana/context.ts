/**
 * What every part of the Solana adapter works with: the chain, its node, the tokens it lists,
 * and one call's abort signal. The adapter makes one {@link SolanaContext}; each public call
 * runs with a {@link SolanaCall} bound to its deadline.
 * @module
 * @internal
 */
import type { AssetId, ChainId } from '../../core/caip.js'
import type { SolanaRpc } from './client.js'
import type { SolanaTokenProgram } from './registry.js'

/** A token the adapter lists. */
export interface SolanaToken {
  readonly asset: AssetId
  readonly mint: string
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  readonly family?: string
  readonly program: SolanaTokenProgram
}

/** Commitment levels of Solana's RPC. */
export type SolanaCommitment = 'processed' | 'confirmed' | 'finalized'

/** The adapter's fixed facts. */
export interface SolanaContext {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly rpc: SolanaRpc
  /** Tokens the adapter lists (registry for the cluster plus configured ones). */
  readonly tokens: readonly SolanaToken[]
  /** Commitment of reads (balances, quotes), default `confirmed`. */
  readonly commitment: SolanaCommitment
  /** The highest priority fee the adapter pays, µlamports per compute unit; above it quotes throw FeeTooHighError. */
  readonly maxPriorityFee: bigint
}

/** One public call: the context, and the signal that aborts at the call's deadline. */
export interface SolanaCall extends SolanaContext {
  readonly signal: AbortSignal
}

/**
 * How a broadcast transaction can expire: a recent blockhash (valid until the cluster's block
 * height passes `lastValidBlockHeight`) or a durable nonce (valid until the nonce account's
 * nonce changes).
 */
export type SolanaLifetime =
  | { readonly kind: 'blockhash'; readonly blockhash: string; readonly lastValidBlockHeight: number }
  | { readonly kind: 'nonce'; readonly nonceAccount: string; readonly nonce: string }

/** What the adapter remembers of a transaction it broadcast (never a secret). */
export interface SolanaSentRecord {
  /** The first signature, base58. */
  readonly hash: string
  readonly from: string
  /** The signed wire transaction, base64: re-sending the same bytes is idempotent. */
  readonly raw: string
  readonly lifetime: SolanaLifetime
  /** ms since epoch. */
  readonly time: number
  readonly to?: string
  readonly asset?: AssetId
  readonly amount?: string
}

/** Where the adapter keeps what it sent. */
export interface SentRecords {
  add(record: SolanaSentRecord): Promise<void>
  get(hash: string): Promise<SolanaSentRecord | undefined>
}
