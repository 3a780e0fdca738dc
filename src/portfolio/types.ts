/**
 * The Portfolio's public shapes: options, the snapshot a refresh returns, and the events a
 * watching portfolio emits. Amounts are bigint base units with their decimals beside them;
 * fiat values are exact decimal strings.
 * @module
 */
import type { AccountId, AssetId, ChainId } from '../core/caip.js'
import type { ChainAdapter, TransactionState } from '../chains/adapter.js'
import type { CofferError } from '../core/errors.js'
import type { KeyValueStore } from '../core/store.js'
import type { PriceSource } from './prices.js'

/**
 * Where the portfolio keeps its state between runs (a vault's storage fits).
 * @deprecated Use {@link KeyValueStore}: the same interface, shared by every persisted record.
 */
export type PortfolioStorage = KeyValueStore

/**
 * An account to follow: a CAIP-10 id (`eip155:1:0xab…`), a chain and address, or a chain and
 * an account descriptor (a Bitcoin output descriptor such as `wpkh([…]xpub…/<0;1>/*)`: every
 * address of the account counts).
 */
export type AccountInput =
  | AccountId
  | { readonly chainId: ChainId; readonly address: string; readonly label?: string }
  | { readonly chainId: ChainId; readonly descriptor: string; readonly label?: string }

/** Options of `new Portfolio(…)`. */
export interface PortfolioOptions {
  /** One adapter per chain. */
  readonly adapters: readonly ChainAdapter[]
  readonly accounts: readonly AccountInput[]
  /**
   * CAIP-19 ids to follow; default every asset each adapter's `assets()` lists. An id the
   * adapter does not list (a token neither in its registry nor in its configuration) is
   * followed as unverified: flagged `unverified: true` wherever it shows, labelled by its id
   * instead of a symbol, never in a family total, never priced. Add the token to the adapter
   * (e.g. `evm({ tokens })`) to follow it as a known asset.
   */
  readonly assets?: readonly AssetId[]
  /**
   * Prices for fiat values; without one, snapshots carry no fiat. The portfolio asks for every
   * followed asset except unverified ones, and passes each asset's family and network from its
   * adapter (`PriceRequest`), so `fixedPrices({ prices: { USDT: '1' } })` prices configured
   * tokens of family USDT too.
   */
  readonly priceSource?: PriceSource
  /** Fiat currency code for `priceSource`, default `'usd'`. */
  readonly currency?: string
  /** Keeps the last snapshot and tracking position, so a restart shows balances at once. */
  readonly storage?: KeyValueStore
  /** Storage key, default `'portfolio'`. */
  readonly storageKey?: string
  /** Blocks deep before an amount counts as confirmed, default 1. */
  readonly confirmations?: number
  /**
   * On chains read incrementally (transfer logs per new block), re-read every balance after
   * this many blocks, default 20: native-coin transfers leave no log and show up then.
   */
  readonly fullRefreshBlocks?: number
  /** Block hashes kept per chain to notice reorgs, default 64 (the deepest reorg undone in place). */
  readonly reorgDepth?: number
  /**
   * Deadline of one chain's step, default 30,000 ms (also of the portfolio's other waits: a
   * price update, listing a chain's assets, reading or writing the saved state). Past it the
   * step counts as failed: an `error` event with a `DeadlineExceededError` (`details.chainId`,
   * `details.deadlineMs`), the chain marked stale, and nothing its late reads bring is applied;
   * the chain tries again on its next step. Other chains never wait for it.
   */
  readonly chainTimeoutMs?: number
}

/** One account as the portfolio follows it. */
export interface PortfolioAccount {
  readonly chainId: ChainId
  /** The address, or the account descriptor. */
  readonly address: string
  readonly label?: string
}

/** Which account and asset a balance, a change or a transfer is about. */
export interface AccountAsset {
  readonly chainId: ChainId
  /** The address, or the account descriptor, as followed. */
  readonly account: string
  readonly label?: string
  readonly asset: AssetId
  /**
   * The ticker from the adapter's registry or configuration; for an unverified asset, a label
   * made from its id (`0x5fbd…0aa3`), never the ticker its contract claims.
   */
  readonly symbol: string
  readonly decimals: number
  /**
   * True for an asset the adapter does not vouch for (it is neither in its registry nor in its
   * configuration, e.g. an airdropped token followed by id): it has no family, never counts in
   * a family total, and gets no price. Absent otherwise. Show it as unverified.
   */
  readonly unverified?: true
}

/** A balance in a snapshot. */
export interface PortfolioBalance extends AccountAsset {
  /** Family for totals ("USDT", "ETH"), when known; never set on an unverified asset. */
  readonly family?: string
  /** Everything, pending included. */
  readonly amount: bigint
  /** The part at least `confirmations` deep. */
  readonly confirmed: bigint
  /** `amount - confirmed` (negative while an outgoing payment settles). */
  readonly pending: bigint
  /** The block the amount was read at. */
  readonly blockHeight: number
  /** True when the last read failed: `amount` is the last known value. */
  readonly stale: boolean
  readonly error?: CofferError
  /** Price of one whole unit in the snapshot currency (exact decimal); never set on an unverified asset. */
  readonly price?: string
  /** `amount` × price, exact decimal. On a test network it counts in the snapshot's `testnetValue`, not `value`. */
  readonly value?: string
}

/** One line of totals: a family across chains (USDT on Ethereum + Polygon + …), or a lone asset. */
export interface PortfolioTotal {
  /** The family name, or the asset id for assets without a family. */
  readonly key: string
  readonly family?: string
  /** The family name, or the lone asset's symbol (an unverified asset's label). */
  readonly symbol: string
  /** True for the line of a lone unverified asset (see {@link AccountAsset.unverified}); such an asset never joins a family line. */
  readonly unverified?: true
  /** Decimals of `amount` (the largest of the members, so the sum is exact). */
  readonly decimals: number
  readonly amount: bigint
  readonly confirmed: bigint
  readonly pending: bigint
  /** A line of test-network assets (key "USDT (testnet)" for a family), never added to mainnet ones; its `value` counts in `testnetValue`. */
  readonly testnet: boolean
  readonly assets: readonly AssetId[]
  readonly chains: readonly ChainId[]
  /** Sum of the members' values; absent when no member has a price. */
  readonly value?: string
  /** False when some non-zero member has no price (then `value` is a lower bound). */
  readonly valueComplete: boolean
  /** Some member is stale. */
  readonly stale: boolean
}

/** How one chain's reading went. */
export interface PortfolioChainState {
  readonly chainId: ChainId
  readonly blockHeight?: number
  readonly blockHash?: string
  /** When the chain was last read successfully (ms since epoch). */
  readonly updatedAt?: number
  /** True when the chain's last step failed or passed its deadline (`chainTimeoutMs`): its balances are the last known. */
  readonly stale: boolean
  /** Why it is stale (a `DeadlineExceededError` for a step past its deadline). */
  readonly error?: CofferError
}

/**
 * What `refresh()` returns, and what `refresh` events carry: built from whatever each chain
 * last committed, so while watching a chain that fails or hangs shows stale beside fresh ones.
 */
export interface PortfolioSnapshot {
  /** ms since epoch. */
  readonly takenAt: number
  readonly currency: string
  readonly balances: readonly PortfolioBalance[]
  readonly totals: readonly PortfolioTotal[]
  readonly chains: readonly PortfolioChainState[]
  /**
   * Sum of every priced balance on a mainnet (an adapter whose `testnet` is false), exact and
   * rounded once to two decimals; absent when none is priced. Test-network balances never add
   * in (see `testnetValue`); unverified assets are never priced.
   */
  readonly value?: string
  /**
   * Sum of every priced balance on a test network (`adapter.testnet`: Sepolia, a local anvil,
   * regtest), kept apart from `value` because test coins have no market value; absent when none
   * is priced. Test-network assets get prices only by their CAIP-19 id or, with
   * `fixedPrices({ testnets: true })`, by family.
   */
  readonly testnetValue?: string
  /** Why prices are missing, when the price source failed. */
  readonly priceError?: CofferError
  /** True when read from storage and not refreshed since. */
  readonly restored: boolean
}

/** A transfer in or out of a followed account. */
export interface PortfolioTransfer extends AccountAsset {
  readonly direction: 'in' | 'out' | 'self'
  readonly amount: bigint
  readonly from: string
  readonly to: string
  readonly hash: string
  readonly blockHeight?: number
  readonly blockHash?: string
  readonly state: TransactionState
}

/** A balance that moved. */
export interface BalanceChange extends AccountAsset {
  readonly previous: bigint
  readonly amount: bigint
  /** `amount - previous`. */
  readonly delta: bigint
  readonly blockHeight: number
  /** Transfers known to explain the move (none for native coins on EVM chains). */
  readonly transfers: readonly PortfolioTransfer[]
  /** True when the move undoes or redoes blocks of a reorg. */
  readonly reorg: boolean
}

/** Blocks replaced by a reorg. */
export interface ReorgEvent {
  readonly chainId: ChainId
  /** The last block both chains share. */
  readonly forkHeight: number
  /** Blocks of the old chain that were dropped. */
  readonly depth: number
  /** Transfers reported before that are no longer on the chain. */
  readonly removed: readonly PortfolioTransfer[]
}

/** A failure while watching (a node down or past its deadline, a price source failing, storage failing). */
export interface PortfolioErrorEvent {
  /** The chain whose step failed; absent for prices and storage. */
  readonly chainId?: ChainId
  readonly error: CofferError
}

/** Events of a portfolio and what each carries. */
export interface PortfolioEvents {
  change: BalanceChange
  incoming: PortfolioTransfer
  outgoing: PortfolioTransfer
  reorg: ReorgEvent
  error: PortfolioErrorEvent
  /** After every `refresh()`; while watching, after each chain's step and after prices change. */
  refresh: PortfolioSnapshot
}

/** Options of `history()`. */
export interface PortfolioHistoryOptions {
  /** Accounts as given to the portfolio (CAIP-10 or `{ chainId, address }`); default all. */
  readonly accounts?: readonly AccountInput[]
  readonly assets?: readonly AssetId[]
  /** Items per page, default 50. */
  readonly limit?: number
  /** From a previous page. */
  readonly cursor?: string
}
