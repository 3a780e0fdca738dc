/**
 * The shapes of the local Tron server (./server.ts): its options, fault rules, records and the
 * handle `startTronServer` returns.
 * @module
 * @internal
 */

/** The TRC-20 tokens the server can deploy. */
export type LocalTronTokenSymbol = 'USDT'

/** A TRC-20 the server deployed: what a Tron adapter's `tokens` option takes. */
export interface LocalTronToken {
  /** base58 `T…` address of the contract. */
  readonly address: string
  readonly symbol: LocalTronTokenSymbol
  readonly decimals: number
  readonly name: string
  readonly family: LocalTronTokenSymbol
}

/**
 * The chain parameters the server prices with and serves at /wallet/getchainparameters. Defaults:
 * Tron mainnet's values (see ./chain.ts for the sources).
 */
export interface TronChainParameters {
  /** Sun burned per unit of energy (getEnergyFee). */
  energyFee: number
  /** Sun burned per byte of bandwidth not covered by free or staked bandwidth (getTransactionFee). */
  transactionFee: number
  /** Sun a transaction creating an account pays when its bandwidth is not staked (getCreateAccountFee). */
  createAccountFee: number
  /** Sun a TransferContract to a new account pays on top (getCreateNewAccountFeeInSystemContract). */
  createNewAccountFeeInSystemContract: number
  /** Free bandwidth per account per 24 h (getFreeNetLimit). */
  freeNetLimit: number
  /** The largest fee_limit, sun (getMaxFeeLimit). */
  maxFeeLimit: number
}

/** Options of `startTronServer`. */
export interface TronServerOptions {
  /** TRC-20s to deploy, default none. */
  tokens?: readonly LocalTronTokenSymbol[]
  /** Seal a block every `blockMs` ms; 0 (default): only on `mine()`. */
  blockMs?: number
  /** Height of the head block at start, default 100 (at least 20, so a solidified block exists). */
  startHeight?: number
  /** Chain parameters to change from mainnet's. */
  parameters?: Partial<TronChainParameters>
  /** The anvil binary (default: ANVIL_PATH, then the npm package). */
  anvilPath?: string
}

/** What a faulty server does instead of answering. */
export type TronFault = { status: number; body?: string } | 'hang'

/** A fault and the requests it applies to. */
export interface TronFaultRule {
  /** The request path (`/wallet/broadcasttransaction`, `/v1/accounts/T…`), exact or a pattern; any when omitted. */
  path?: string | RegExp
  /** 'GET' or 'POST'; any when omitted. */
  method?: string
  /** 'before' (default): instead of answering; 'after': handle the request (a broadcast lands), then answer with the fault. */
  when?: 'before' | 'after'
  fault: TronFault
  /** How many matching requests it applies to; all when omitted. */
  times?: number
}

/** Contract results a landed transaction can have here. */
export type TronContractResult = 'SUCCESS' | 'REVERT' | 'OUT_OF_ENERGY'

/** One transaction that landed (executed; sealed in a block or pending the next). */
export interface TronLandedTransaction {
  readonly txID: string
  /** base58 of the owner (signer). */
  readonly owner: string
  readonly type: 'TransferContract' | 'TriggerSmartContract'
  /** Every sun the transaction cost: energy burn + bandwidth burn + account-creation fees. */
  readonly fee: bigint
  /** Energy used in total (staked + burned). */
  readonly energy: number
  /** Sun burned for energy. */
  readonly energyFee: bigint
  /** Bandwidth bytes covered by free or staked bandwidth (0 when burned). */
  readonly netUsage: number
  /** Sun burned for bandwidth (or the account-creation bandwidth fee). */
  readonly netFee: bigint
  readonly result: TronContractResult
  /** null while pending (before the next block). */
  readonly blockNumber: number | null
}

/** A broadcast the server refused, with the node's code and message. */
export interface TronRefusal {
  readonly txID: string | null
  readonly code: string
  readonly message: string
}

/** A running local Tron server. */
export interface TronServer {
  /** `http://127.0.0.1:<port>`: TronGrid's base URL (`/wallet/*`, `/walletsolidity/*`, `/v1/*`). */
  readonly url: string
  /** The genesis block id (64 hex). */
  readonly genesisBlockId: string
  /** The TRC-20s deployed at start. */
  readonly tokens: readonly LocalTronToken[]
  /** The chain parameters in force. */
  readonly parameters: Readonly<TronChainParameters>
  /** The anvil the TRC-20s run on. */
  readonly anvilUrl: string
  /** HTTP requests received. */
  readonly requests: number
  /** "METHOD /path" of each request, in order. */
  readonly requestLog: readonly string[]
  /** Requests answered with a fault ("METHOD /path → fault"), in order. */
  readonly faultLog: readonly string[]
  /** Height of the head block. */
  head(): { readonly number: number; readonly id: string; readonly timestamp: number }
  /** Height of the solidified block (19 behind the head). */
  solidNumber(): number
  /** Seals `blocks` blocks (default 1); the first takes the pending transactions. */
  mine(blocks?: number): Promise<void>
  /** Sun of `address` (base58 or 41… hex) now; 0 for an account that does not exist. */
  balanceOf(address: string): bigint
  /** True once the account exists (received TRX, or was created). */
  isActivated(address: string): boolean
  /** Base units of `symbol` held by `address` now. */
  tokenBalanceOf(address: string, symbol: LocalTronTokenSymbol): Promise<bigint>
  /** Sends `sun` from the server's faucet in a real, signed TransferContract (it lands pending). Returns its txID. */
  sendTrx(address: string, sun: bigint): Promise<string>
  /** Mints `amount` base units of `symbol` to `address` in a real TriggerSmartContract signed by the token's owner. */
  mintToken(address: string, symbol: LocalTronTokenSymbol, amount: bigint): Promise<string>
  /** Blacklists `address` on the token (a real addBlackList by the owner). */
  blacklist(address: string, symbol?: LocalTronTokenSymbol): Promise<string>
  /** Pauses or unpauses the token (a real pause/unpause by the owner). */
  setPaused(paused: boolean, symbol?: LocalTronTokenSymbol): Promise<string>
  /**
   * Sets an account's staked (or delegated) energy and bandwidth, as if it had frozen TRX for
   * them; their usage restarts at 0. The account must exist.
   */
  setResources(address: string, resources: { energy?: number; bandwidth?: number }): void
  /** Every transaction that landed, oldest first. */
  transactions(): TronLandedTransaction[]
  /** Every broadcast refused, oldest first. */
  refusals(): TronRefusal[]
  /** Zeroes `requests` and clears `requestLog`. */
  resetRequests(): void
  /** Adds a fault (the first matching rule applies); returns its remover. */
  addFault(rule: TronFaultRule): () => void
  clearFaults(): void
  /** Stops the server, the block timer and anvil. Safe twice. */
  stop(): Promise<void>
}
