/**
 * The ChainAdapter contract: one chain-neutral API that every chain implements, account
 * chains (EVM, Tron, Solana) and UTXO chains (Bitcoin) alike. Chains are CAIP-2 ids,
 * assets CAIP-19 ids, amounts bigint base units. Writes follow quote → build → sign
 * (offline-capable) → broadcast, so a transaction can be crafted online, signed on another
 * machine, and broadcast later; `sendTransfer` does all three.
 *
 * Optional calls are listed in `capabilities`; an adapter throws `NotSupportedError` for the
 * others. See docs/chain-adapter.md for a guide to writing one.
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'
import type { CofferError } from '../core/errors.js'
import type { AccountSigner, Signer } from '../keys/signer.js'

/** Fee urgency: each adapter maps it to its own fee market. */
export type FeeLevel = 'slow' | 'normal' | 'fast'
/** Every fee level, slowest first. */
export const FEE_LEVELS: readonly FeeLevel[] = ['slow', 'normal', 'fast']

/** JSON values (what unsigned transactions are made of, so they survive JSON.stringify / parse). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** An asset an adapter knows. */
export interface AssetInfo {
  readonly id: AssetId
  readonly chainId: ChainId
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  /** `native` for the chain's coin, `token` for contracts (ERC-20, SPL, TRC-20). */
  readonly kind: 'native' | 'token'
  /** Family for totals across chains ("USDT" on Ethereum, Polygon, Tron… adds up). */
  readonly family?: string
  /** Token contract address, for tokens. */
  readonly address?: string
  /**
   * True for a token the adapter only looked up on chain (neither in its registry nor in its
   * configuration): its symbol and name are the contract's own word, so it has no family, is
   * never listed by `assets()` and never resolves by symbol. Show it as unverified.
   */
  readonly unverified?: boolean
}

/**
 * What a typed-data signature lets someone else move, once signed: an EIP-2612 permit, a DAI
 * permit, an EIP-3009 transfer authorization or a Uniswap Permit2 message. The wallet checks
 * each against the spending policy like a transfer (see `ChainAdapter.typedDataSpends`).
 */
export interface TypedDataSpend {
  /** `approval`: `to` may take up to `amount` later; `transfer`: `amount` goes to `to`. */
  readonly kind: 'approval' | 'transfer'
  /** Which standard the message follows. */
  readonly standard: 'eip-2612' | 'dai-permit' | 'eip-3009' | 'permit2'
  readonly asset: AssetInfo
  /** Base units; an unlimited approval is 2^256 - 1. */
  readonly amount: bigint
  /** True for an approval without a bound (2^256 - 1, Permit2's 2^160 - 1, or DAI's `allowed`). */
  readonly unlimited: boolean
  /** The owner whose tokens move, as the message names it (Permit2 names none: the signer is the owner). */
  readonly from?: string
  /** The spender (approval) or the recipient (transfer). */
  readonly to: string
  /** Unix seconds after which the signature is void, when the message says. */
  readonly expiresAt?: number
}

/** What optional parts of the contract an adapter implements. */
export interface AdapterCapabilities {
  /** `getHistory` works. */
  readonly history: boolean
  /** `replaceTransaction` can speed up a pending transaction (same payment, higher fee). */
  readonly replaceTransaction: boolean
  /** `replaceTransaction(hash, signer, { mode: 'cancel' })` can cancel a pending transaction. */
  readonly cancelTransaction: boolean
  /** `signMessage` works (EIP-191 on EVM chains). */
  readonly signMessage: boolean
  /** `signTypedData` works (EIP-712 on EVM chains). */
  readonly signTypedData: boolean
  /** `amount: 'max'` sends everything left after the fee. */
  readonly sendMax: boolean
  /** Tokens beyond the native asset. */
  readonly tokens: boolean
  /** `getBalances` can read at a past block (`blockHeight`), not only the newest. */
  readonly balancesAt: boolean
  /** `getTransfers` lists transfers of many addresses over a block range in one query. */
  readonly transfers: boolean
  /**
   * Balances move before a block does (UTXO chains: payments wait in the mempool and
   * `getBalances` reports them as `pending`): a block scan cannot follow them, so a tracker
   * re-reads balances instead.
   */
  readonly mempool: boolean
  /**
   * `quoteTransfer({ …, gas: 'stablecoin' })` pays the fee in the token sent (EVM: an ERC-4337
   * operation from the account's own address under EIP-7702, through the configured bundler and
   * token paymaster). False: not configured, or not possible on this chain.
   */
  readonly stablecoinGas: boolean
}

/** A balance read. */
export interface BalanceRead {
  readonly ok: true
  readonly address: string
  readonly asset: AssetId
  /** Base units, including `pending`. */
  readonly amount: bigint
  /** The part of `amount` not yet confirmed (negative while an outgoing payment is pending); UTXO chains report it. */
  readonly pending?: bigint
  readonly decimals: number
  /** The block the amount was read at. */
  readonly blockHeight: number
}
/** A balance that could not be read (one failing token never hides the others). */
export interface BalanceFailure {
  readonly ok: false
  readonly address: string
  readonly asset: AssetId
  readonly decimals: number
  readonly blockHeight: number
  readonly error: CofferError
}
/** One address × asset result of `getBalances`. */
export type Balance = BalanceRead | BalanceFailure

/** Parameters of `getBalances`. */
export interface GetBalancesParameters {
  readonly addresses: readonly string[]
  /** Default: every asset `assets()` lists. */
  readonly assets?: readonly AssetId[]
  /**
   * Read at this block instead of the newest (saves the adapter asking for the head, and
   * pins reads a tracker has already seen the block of). Needs `capabilities.balancesAt`;
   * other adapters throw `NotSupportedError` unless it is the newest block.
   */
  readonly blockHeight?: number
  /**
   * Depth at which an amount counts as confirmed, default 1. Whatever is not yet that deep is
   * reported as `pending`: account chains compare with the balance `confirmations - 1` blocks
   * below the read block (in the same round trip); UTXO chains count outputs with fewer
   * confirmations, mempool included.
   */
  readonly confirmations?: number
}

/** Parameters of `getTransfers`. */
export interface GetTransfersParameters {
  readonly addresses: readonly string[]
  /** Default: every asset `assets()` lists. */
  readonly assets?: readonly AssetId[]
  /** First block of the range (inclusive). */
  readonly fromBlock: number
  /** Last block of the range (inclusive). */
  readonly toBlock: number
}

/** A transfer seen on chain, touching at least one of the addresses asked about. */
export interface ChainTransfer {
  readonly chainId: ChainId
  readonly hash: string
  readonly asset: AssetId
  readonly from: string
  readonly to: string
  readonly amount: bigint
  readonly blockHeight: number
  readonly blockHash: string
  /** Position within the block (log index on EVM): with `hash` it names the transfer. */
  readonly index: number
}

/** What `getTransfers` found. */
export interface TransferScan {
  /** Oldest first. */
  readonly transfers: readonly ChainTransfer[]
  /**
   * False when some movements of the asked assets cannot appear (native-coin transfers on EVM
   * chains leave no log): the caller must re-read those balances to see them.
   */
  readonly complete: boolean
}

/** What the caller wants to send. */
export interface TransferRequest {
  /** The sending address; on UTXO chains also an account (an output descriptor). */
  readonly from: string
  readonly to: string
  readonly asset: AssetId
  /** Base units, or `'max'` for everything (after the fee, for the native asset). */
  readonly amount: bigint | 'max'
  /** Default `'normal'`. */
  readonly feeLevel?: FeeLevel
  /**
   * A memo recorded on chain with the payment (Solana Pay's `memo`, by the Memo program). An
   * adapter that cannot carry one throws NotSupportedError rather than drop it.
   */
  readonly memo?: string
  /**
   * Payment reference keys (Solana Pay's `reference`: read-only accounts of the transfer, so the
   * payee finds the payment by them). An adapter that cannot carry them throws NotSupportedError.
   */
  readonly references?: readonly string[]
  /**
   * Who pays the fee in what: `'native'` (default) the chain's coin; `'stablecoin'` the token
   * sent, through the chain's sponsor (needs `capabilities.stablecoinGas`; others throw
   * NotSupportedError); `'auto'` the native coin when it covers the fee, else the stablecoin.
   */
  readonly gas?: 'native' | 'stablecoin' | 'auto'
  /**
   * Several payments of `asset` in one transaction or operation (a payroll): `to` is then the
   * first recipient and `amount` the total. EVM: with `gas: 'stablecoin'`, as one ERC-4337
   * operation (one signature, one confirmation); other adapters throw NotSupportedError.
   */
  readonly payments?: readonly { readonly to: string; readonly amount: bigint }[]
}

/** A fee at one level: the most the transfer can cost, in the chain's fee asset. */
export interface FeeEstimate {
  readonly level: FeeLevel
  readonly asset: AssetId
  /** Upper bound in base units (what funds are checked against). */
  readonly amount: bigint
  /** Likely cost in base units (e.g. at today's base fee). */
  readonly expected: bigint
  /** Chain-specific pricing, JSON-safe (e.g. gas, maxFeePerGas as decimal strings). */
  readonly details: { readonly [key: string]: Json }
}

/** A priced transfer, checked against balances, ready to build. */
export interface TransferQuote {
  readonly chainId: ChainId
  readonly from: string
  readonly to: string
  readonly asset: AssetId
  /** Exact base units that will arrive (resolved from `'max'`). */
  readonly amount: bigint
  readonly feeLevel: FeeLevel
  /** The fee at `feeLevel`. */
  readonly fee: FeeEstimate
  /** All levels, for a UI to offer. */
  readonly fees: { readonly [L in FeeLevel]: FeeEstimate }
  /** When the quote was made (ms since epoch); fee markets move, re-quote after a minute or so. */
  readonly createdAt: number
  /** Chain-specific build data, JSON-safe. */
  readonly details: { readonly [key: string]: Json }
  /** A batch (`TransferRequest.payments`): each payment; `to` is the first recipient, `amount` the total. */
  readonly payments?: readonly { readonly to: string; readonly amount: bigint }[]
}

/** An unsigned transaction: plain JSON, so it can travel to an offline signer and back. */
export interface UnsignedTransaction {
  readonly chainId: ChainId
  /** Format tag, e.g. `evm-eip1559`, `evm-legacy`, `bitcoin-psbt`. */
  readonly kind: string
  readonly from: string
  /**
   * Human-checkable summary (amounts as decimal base-unit strings; `fee` is the most it can cost).
   * Signers check that the payload does what it says. `data` shows the call data of a transaction
   * that is not a plain transfer (EVM), so the reader sees it too.
   *
   * `symbol` and `decimals` are those of `asset` as the building adapter lists it (its registry or
   * configuration; left out for a token only looked up on chain), so an offline signer can show
   * "7 USDT" instead of base units. They are the builder's word and the payload cannot prove
   * them: a signer shows them only after checking them against its own asset list.
   */
  readonly summary: {
    readonly to: string
    readonly asset: AssetId
    readonly amount: string
    readonly fee: string
    readonly data?: string
    readonly symbol?: string
    readonly decimals?: number
  }
  /** Everything needed to sign, chain-specific. */
  readonly payload: { readonly [key: string]: Json }
}

/** A signed transaction, ready to broadcast (plain JSON). */
export interface SignedTransaction {
  readonly chainId: ChainId
  readonly kind: string
  readonly from: string
  /** Transaction id / hash, as the chain's explorers show it. */
  readonly hash: string
  /** The serialized transaction (hex for EVM, Tron; base64 or hex for others). */
  readonly raw: string
}

/** Options of `sendTransfer`. */
export interface SendTransferOptions {
  /**
   * Called with each signed transaction just before it is broadcast (a wallet records its hash,
   * so a crash after the broadcast loses no record). If it throws, that transaction is not
   * broadcast and the error is the result — except a `TransactionRejectedError` with
   * `details.nonceTaken: true` (the hook knows the nonce belongs to another payment): account
   * chains then sign again at a fresh nonce.
   */
  readonly onSigned?: (signed: SignedTransaction) => void | Promise<void>
}

/** Where a transaction stands. */
export type TransactionState = 'pending' | 'confirmed' | 'failed' | 'dropped'

/** The status of a transaction. */
export interface TransactionStatus {
  readonly hash: string
  readonly state: TransactionState
  readonly blockHeight?: number
  readonly blockHash?: string
  /** Blocks on top of (and including) its block; 0 while pending. */
  readonly confirmations: number
  /** Fee paid (confirmed or failed transactions). */
  readonly fee?: { readonly asset: AssetId; readonly amount: bigint }
  /** For dropped transactions: the transaction that took its place, when known. */
  readonly replacedBy?: string
  /** For an ERC-4337 operation (its hash is the userOpHash): the transaction that included it. */
  readonly transaction?: string
  /**
   * For dropped transactions: true when the chain proves it can never be mined (its nonce is
   * used by another transaction, its inputs spent by another); false when it only left the
   * node's pool — anyone holding the bytes could still broadcast it. Only an unminable
   * transaction frees what it would have spent.
   */
  readonly unminable?: boolean
}

/** Options of `waitForTransaction`. */
export interface WaitOptions {
  /** Default 1. */
  readonly confirmations?: number
  /** Default 120,000 ms. */
  readonly timeoutMs?: number
  /** Default: the chain's block time, at most 4 s. */
  readonly pollIntervalMs?: number
}

/** One transfer in an address's history. */
export interface HistoryItem {
  readonly chainId: ChainId
  readonly hash: string
  readonly asset: AssetId
  readonly direction: 'in' | 'out' | 'self'
  readonly from: string
  readonly to: string
  readonly amount: bigint
  readonly blockHeight?: number
  /** Milliseconds since epoch, when known. */
  readonly timestamp?: number
  /** Fee paid by the sender, when known (outgoing transfers). */
  readonly fee?: { readonly asset: AssetId; readonly amount: bigint }
  readonly state: TransactionState
}

/** Options of `getHistory`. */
export interface HistoryOptions {
  readonly assets?: readonly AssetId[]
  /** Opaque cursor from a previous page. */
  readonly cursor?: string
  /**
   * Items per page: 1 to 1,000 on every adapter, default 50. A page may hold fewer (an adapter
   * whose node pages smaller returns what one request gives, e.g. TRON 200, with a cursor);
   * keep reading while there is a cursor.
   */
  readonly limit?: number
}

/** One page of history, newest first. */
export interface HistoryPage {
  readonly items: readonly HistoryItem[]
  /** Pass to get the next (older) page; absent on the last page. */
  readonly cursor?: string
}

/** A message or typed-data signature. */
export interface MessageSignature {
  /** The signature as the chain's tools show it (0x-prefixed hex on EVM chains). */
  readonly signature: string
  /** The digest that was signed (hex), where the scheme signs one (EIP-191 / EIP-712 hashes). */
  readonly digest?: string
}

/** Options of `replaceTransaction`. */
export interface ReplaceTransactionOptions {
  /** `speed-up` (default): the same payment at a higher fee. `cancel`: void it (needs `capabilities.cancelTransaction`). */
  readonly mode?: 'speed-up' | 'cancel'
  /** Fee level the replacement must at least reach, default `'fast'`. */
  readonly feeLevel?: FeeLevel
}

/** An unused receive address of a multi-address account (see `ChainAdapter.nextReceiveAddress`). */
export interface ReceiveAddress {
  readonly address: string
  /** Its index on the account's receive branch. */
  readonly index: number
  /** Its derivation path from the master key, when the account names its key origin. */
  readonly path?: string
}

/** The newest block: what a tracker needs to notice reorgs. */
export interface BlockRef {
  readonly height: number
  readonly hash: string
  readonly parentHash: string
  /** Milliseconds since epoch. */
  readonly timestamp: number
}

/** The contract every chain implements. */
export interface ChainAdapter {
  /** CAIP-2 id of the chain. */
  readonly chainId: ChainId
  /** CAIP-19 id of the chain's native coin. */
  readonly nativeAsset: AssetId
  /** A test network: its coins have no market value and never add up with mainnet ones. */
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities
  /**
   * Native coin and known tokens.
   * @throws RpcError, DeadlineExceededError when token metadata has to be read from the chain (EVM tokens configured without symbol or decimals)
   */
  assets(): Promise<readonly AssetInfo[]>
  /** True if `address` is valid on this chain (checksums and network included). Never throws: anything else is false. */
  isValidAddress(address: string): boolean
  /**
   * Balances of many addresses and assets, in as few round trips as the chain allows; one entry
   * per address × asset, in that order. A balance that cannot be read is a `BalanceFailure`
   * entry, not a throw.
   * @throws InvalidAddressError / InvalidArgumentError for bad parameters (before any request);
   *   InvalidCaipIdError for a malformed asset id; UnknownAssetError for an asset the adapter
   *   cannot read; NotSupportedError for a past `blockHeight` without `capabilities.balancesAt`;
   *   DiscoveryLimitError (UTXO accounts); RpcError; DeadlineExceededError
   */
  getBalances(parameters: GetBalancesParameters): Promise<Balance[]>
  /**
   * Prices a transfer and checks funds; throws `InsufficientFundsError` before anything is signed.
   * @throws InvalidAddressError, InvalidAmountError, InvalidArgumentError for a bad request
   *   (before any request is sent); InvalidCaipIdError, UnknownAssetError for the asset;
   *   InsufficientFundsError (amount plus fee); FeeTooHighError (a network fee rate above the
   *   adapter's ceiling); ChainMismatchError (the node serves another chain); DiscoveryLimitError
   *   (UTXO accounts); RpcError; DeadlineExceededError
   */
  quoteTransfer(request: TransferRequest): Promise<TransferQuote>
  /**
   * Turns a quote into an unsigned, JSON-serialisable transaction.
   * @throws InvalidArgumentError for a quote of another chain or adapter; DataIntegrityError when
   *   the server's data does not match what it listed (a previous transaction); ChainMismatchError;
   *   RpcError; DeadlineExceededError
   */
  buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction>
  /**
   * Signs without network access (a script on an offline machine can sign). UTXO chains also take an account signer.
   * @throws InvalidArgumentError for a payload that does not match its summary, another chain's
   *   transaction or the wrong kind of signer; DataIntegrityError (UTXO inputs whose previous
   *   transaction does not match); SignatureVerificationError (the signer's own check failed);
   *   VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped
   */
  signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction>
  /**
   * Sends a signed transaction; returns its hash.
   * @throws InvalidArgumentError for bytes that are not a signed transaction of this chain;
   *   ChainMismatchError; TransactionRejectedError only when the node refused it (also
   *   InsufficientFundsError on EVM chains); BroadcastUnknownError when the answer was lost or the
   *   deadline passed (maybe sent: look it up by hash, never pay again)
   */
  broadcast(signed: SignedTransaction): Promise<string>
  /**
   * build + sign + broadcast. Throws BroadcastUnknownError when the broadcast's outcome is unknown
   * (the transaction may be on its way: never send the payment again); any other error means
   * nothing was broadcast. Never signs a second transaction for the quote while a first may
   * still be mined.
   * @throws everything buildTransfer, signTransaction and broadcast throw (BroadcastUnknownError
   *   and TransactionRejectedError included), and whatever `options.onSigned` throws
   */
  sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options?: SendTransferOptions): Promise<string>
  /**
   * Waits until the transaction has `confirmations` or failed; throws `TransactionTimeoutError`.
   * @throws InvalidArgumentError for a malformed hash or options; TransactionTimeoutError (it may
   *   still confirm later); DataIntegrityError (a receipt of another transaction); RpcError;
   *   DeadlineExceededError
   */
  waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus>
  /**
   * The transaction's state now (`pending`, `confirmed`, `failed` or `dropped`), without waiting.
   * @throws InvalidArgumentError for a malformed hash; DataIntegrityError; RpcError; DeadlineExceededError
   */
  getTransaction(hash: string): Promise<TransactionStatus>
  /**
   * Transfers in and out of `address`, newest first, paged.
   * @throws InvalidAddressError / InvalidArgumentError for bad parameters or a cursor of another
   *   query; UnknownAssetError; DiscoveryLimitError (UTXO accounts); RpcError; DeadlineExceededError
   */
  getHistory(address: string, options?: HistoryOptions): Promise<HistoryPage>
  /**
   * Transfers touching any of `addresses` in a block range, in one query where the chain
   * allows (needs `capabilities.transfers`, else `NotSupportedError`): what an incremental
   * tracker reads per new block.
   * @throws NotSupportedError without `capabilities.transfers`; InvalidAddressError /
   *   InvalidArgumentError for bad parameters (a range too long to scan at once); UnknownAssetError;
   *   RpcError; DeadlineExceededError
   */
  getTransfers(parameters: GetTransfersParameters): Promise<TransferScan>
  /**
   * Height, hash, parent hash and time of the newest block: what a tracker compares to notice reorgs.
   * @throws RpcError, DeadlineExceededError
   */
  latestBlock(): Promise<BlockRef>
  /**
   * The block at `height` on the chain the node follows now (a tracker walks back with it after a reorg).
   * @throws InvalidArgumentError for a height that is not a non-negative integer; RpcError; DeadlineExceededError
   */
  blockAt(height: number): Promise<BlockRef>
  /**
   * Replaces a pending transaction the adapter broadcast: a speed-up (same payment, higher fee)
   * or, with `mode: 'cancel'`, a cancel. Resolves to the replacement's hash.
   * @throws NotSupportedError without `capabilities.replaceTransaction` (or `cancelTransaction`
   *   for a cancel); InvalidArgumentError for a hash the adapter did not broadcast or that is no
   *   longer pending; the errors of `sendTransfer`
   */
  replaceTransaction(hash: string, signer: Signer | AccountSigner, options?: ReplaceTransactionOptions): Promise<string>
  /**
   * Signs a message the chain's way (EIP-191 personal message on EVM chains). Offline.
   * @throws NotSupportedError without `capabilities.signMessage`; InvalidArgumentError for the
   *   wrong kind of signer or message
   */
  signMessage(signer: Signer | AccountSigner, message: string | Uint8Array): Promise<MessageSignature>
  /**
   * Signs typed data the chain's way (EIP-712 on EVM chains). Offline. The wallet checks
   * `typedDataSpends` against its policy first; this call does not.
   * @throws NotSupportedError without `capabilities.signTypedData`; InvalidArgumentError for typed
   *   data that would not be signed or the wrong kind of signer
   */
  signTypedData(signer: Signer | AccountSigner, typedData: unknown): Promise<MessageSignature>
  /**
   * Optional, for adapters that sign typed data: the token movements a typed-data message
   * authorises (empty when it authorises none the adapter knows of). The wallet puts each under
   * the spending policy before signing. Throws `InvalidArgumentError` for a message of another
   * chain (its domain names another chain id).
   * @throws InvalidArgumentError for typed data that would not be signed; RpcError, DeadlineExceededError
   *   while reading the metadata of a token the adapter does not list
   */
  typedDataSpends?(typedData: unknown): Promise<readonly TypedDataSpend[]>
  /**
   * Optional, for chains whose accounts spread over many addresses (UTXO chains): the first
   * never-used receive address of `account` (the account as a transfer's `from` names it, e.g. an
   * output descriptor), found by scanning the chain. Account chains leave it out: their account is
   * one address. Wallets check the answer against their own derivation.
   * @throws InvalidArgumentError when `account` is a single address; the adapter's network errors
   */
  nextReceiveAddress?(account: string): Promise<ReceiveAddress>
}
