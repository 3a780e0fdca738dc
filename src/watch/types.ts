/**
 * The deposit watcher's public shapes: watched addresses, cursors, deposits, events, scan steps.
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'

/** A watched address and the caller's reference for it (a customer id). */
export interface WatchedAddress {
  readonly address: string
  readonly reference: string
}

/** Where a chain's scan stands. */
export interface ChainCursor {
  readonly height: number
  readonly hash: string
}

/** One shard's progress (see {@link DepositStore.progress}). */
export interface ShardProgress extends ChainCursor {
  readonly shard: number
  /** The shard's last failed step (a node down), cleared by the next step that commits. */
  readonly lastError?: string
}

/** An extended public key or descriptor whose addresses are watched with a gap policy. */
export interface WatchSource {
  /** A short id of the key (not the key). */
  readonly sourceId: string
  /** The key as given (public: an xpub or a descriptor). */
  readonly source: unknown
  /** Address `i`'s reference is `<reference>/<i>`. */
  readonly reference: string
  /** Addresses watched beyond the highest paid index. */
  readonly gap: number
  /** Addresses derived and watched so far: indexes 0 … derived − 1. */
  readonly derived: number
  /** The highest index that received a deposit, −1 for none. */
  readonly used: number
}

/** A transfer to a watched address, found by a scan. */
export interface FoundDeposit {
  readonly asset: AssetId
  /** The watched address that received it. */
  readonly address: string
  readonly from: string
  /** Base units. */
  readonly amount: bigint
  readonly hash: string
  /** Position in the block (EVM log index); with `hash`, names the deposit. */
  readonly index: number
  readonly blockHeight: number
  readonly blockHash: string
}

/** A deposit event, as the handler receives it. */
export interface DepositEvent extends FoundDeposit {
  /** The outbox id: unique, increasing; a handler that must not act twice keys on it. */
  readonly id: string
  /**
   * `detected`: seen in a block; `confirmed`: the configured depth reached (credit it);
   * `reorged`: its block left the chain — if it was confirmed, the credit must be undone (it may
   * come back: then `detected` and `confirmed` again).
   */
  readonly kind: 'detected' | 'confirmed' | 'reorged'
  readonly chainId: ChainId
  /** The caller's reference of the address (a customer id). */
  readonly reference: string
}

/** One scan step's result, committed at once. */
export interface ScanStep {
  readonly chainId: ChainId
  /** The shard scanned (default 0) and the chain's shard count the step was planned with (default 1). */
  readonly shard?: number
  readonly shards?: number
  /**
   * The assets the step scanned for. With them, a deposit of those assets already stored in the
   * scanned range but not found again is `reorged` (it left the chain while the range was being
   * rescanned, e.g. after the shard count changed).
   */
  readonly assets?: readonly AssetId[]
  /** The cursor the step started from (null: the chain's first step). */
  readonly from: ChainCursor | null
  /** Where the chain forked below `from` (a reorg): deposits above it are reorged. */
  readonly forkHeight?: number
  readonly deposits: readonly FoundDeposit[]
  /** Block hashes worth keeping for finding forks later (the new cursor's, the deposits'). */
  readonly blocks: readonly ChainCursor[]
  readonly to: ChainCursor
  /** Deposits at or below this height are confirmed. */
  readonly confirmedThrough: number
}

/** What a committed step did. */
export interface StepResult {
  readonly detected: number
  readonly confirmed: number
  readonly reorged: number
}
