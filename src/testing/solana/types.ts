/**
 * The shapes of the local Solana JSON-RPC server (./server.ts): its options, fault rules and
 * the handle `startSolanaServer` returns.
 * @module
 * @internal
 */

/** The local stablecoins the server can create. */
export type LocalSolanaTokenSymbol = 'USDC' | 'USDT' | 'PYUSD'

/** A token mint the server created: what the adapter's `tokens` option takes. */
export interface LocalSolanaToken {
  readonly mint: string
  readonly symbol: LocalSolanaTokenSymbol
  readonly decimals: number
  readonly name: string
  readonly family: LocalSolanaTokenSymbol
  readonly program: 'token' | 'token-2022'
}

/** Options of `startSolanaServer`. */
export interface SolanaServerOptions {
  /** Mints to create, default none. */
  tokens?: readonly LocalSolanaTokenSymbol[]
  /** Advance a slot every `slotMs` ms; 0 (default): only on `mine()`. */
  slotMs?: number
  /** Token-2022 transfer fee of the PYUSD-like mint, default 25 (0.25 %). */
  transferFeeBasisPoints?: number
  /** Its maximum fee in base units, default 5 tokens (5_000_000). */
  maximumFee?: bigint
}

/** What a faulty server does instead of answering. */
export type SolanaFault = { status: number; body?: string } | 'hang' | { rpcError: { code: number; message: string; data?: unknown } }

/** A fault and the requests it applies to. */
export interface SolanaFaultRule {
  /** JSON-RPC method name (or pattern); any when omitted. A batch matches if any call in it does. */
  method?: string | RegExp
  /**
   * 'before' (default): instead of executing; 'after': execute (a sent transaction lands), then
   * answer with the fault — a lost answer.
   */
  when?: 'before' | 'after'
  /** An HTTP status (whole request), 'hang' (never answer), or a JSON-RPC error for the matching calls. */
  fault: SolanaFault
  /** How many matching requests it applies to; all when omitted. */
  times?: number
}

/** One recorded transaction (what getTransaction answers from). */
export interface RecordedTransaction {
  readonly signature: string
  readonly slot: number
  /** Position in its block. */
  readonly index: number
  readonly fee: bigint
  /** Agave's JSON form of the error, null on success. */
  readonly err: unknown
  readonly logs: readonly string[]
}

/** A running local Solana JSON-RPC server. */
export interface SolanaServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly genesisHash: string
  /** Tokens created at start. */
  readonly tokens: readonly LocalSolanaToken[]
  /** HTTP requests received (a batch counts once). */
  readonly requests: number
  /** JSON-RPC method names called, in order (batch members included). */
  readonly methodLog: readonly string[]
  /** Requests answered with a fault ("method → fault"), in order. */
  readonly faultLog: readonly string[]
  /** The current (processed) slot. */
  slot(): number
  /** Advances `slots` slots (default 1). */
  mine(slots?: number): void
  /** Lamports of `address` (0 when absent). */
  balanceOf(address: string): bigint
  /** Base units in the associated token account of `owner` for `symbol` (0 when none). */
  tokenBalanceOf(owner: string, symbol: LocalSolanaTokenSymbol): bigint
  /** Sends `lamports` from the server's faucet in a real, recorded transfer; returns its signature. */
  airdrop(address: string, lamports: bigint): string
  /** Mints `amount` base units of `symbol` to the owner's associated token account (created if needed). */
  mintTo(owner: string, symbol: LocalSolanaTokenSymbol, amount: bigint): string
  /** Every transaction that landed, oldest first. */
  transactions(): RecordedTransaction[]
  /** Per-slot µlamports for getRecentPrioritizationFees (most recent slot last); undefined: from the transactions. */
  setPrioritizationFees(fees: readonly number[] | undefined): void
  /** Zeroes `requests` and clears `methodLog`. */
  resetRequests(): void
  /** Adds a fault (the first matching rule applies); returns its remover. */
  addFault(rule: SolanaFaultRule): () => void
  clearFaults(): void
  /** Stops the server (and the slot timer). Safe twice. */
  stop(): Promise<void>
}
