/**
 * The Bitcoin adapter: HD accounts (named by output descriptors) and single addresses, P2PKH,
 * P2SH-P2WPKH, P2WPKH and P2TR, coin selection, PSBTs signed with coffer signers, RBF. It
 * implements the same ChainAdapter contract as the account chains; `from` may be an account.
 *
 * Money safety: every non-taproot input is signed only over its previous transaction, checked
 * against its txid; fee rates from the backend are capped (`maxFeeRate`, `maxFeeRateRatio`);
 * each build has a fresh input / output order and an anti-fee-sniping lock time; a broadcast
 * whose answer is lost is re-sent and looked up, and stays "maybe sent"
 * (BroadcastUnknownError, journalled) when it cannot be settled; every call that touches the
 * network has an overall deadline (`deadlineMs`) and discovery a cap (`maxDiscoveryAddresses`).
 * @module
 */
import { assertInteger, assertOneOf, assertOptions } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { BroadcastUnknownError, InvalidArgumentError, NotSupportedError, type BroadcastTransaction } from '../../core/errors.js'
import { BITCOIN_NETWORKS, isValidBitcoinAddress, type BitcoinAddressType, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type {
  AdapterCapabilities,
  AssetInfo,
  Balance,
  BlockRef,
  ChainAdapter,
  GetBalancesParameters,
  GetTransfersParameters,
  HistoryOptions,
  HistoryPage,
} from '../adapter.js'
import type {
  MessageSignature,
  ReceiveAddress,
  ReplaceTransactionOptions,
  SendTransferOptions,
  SignedTransaction,
  TransactionStatus,
} from '../adapter.js'
import type { TransferQuote, TransferScan, UnsignedTransaction, WaitOptions } from '../adapter.js'
import type { KeyValueStore } from '../../core/store.js'
import { waitUntil } from '../wait.js'
import { accountDescriptor, resolveSource } from './account.js'
import type { BitcoinBackend } from './client.js'
import { broadcastCall, DEFAULT_REBROADCASTS } from './broadcast.js'
import { readBalances } from './balances.js'
import { checkDeadlineMs, runCall, type Call, type CallSettings } from './call.js'
import { DEFAULT_MAX_DISCOVERY_ADDRESSES, discover, type AccountState } from './discovery.js'
import { esplora, type EsploraOptions } from './esplora.js'
import { feeCaps, type FeeCaps } from './fees.js'
import { readSourceHistory } from './history.js'
import { Journal, sentRecord } from './journal.js'
import { BITCOIN_CHAINS, nativeAssetInfo, type BitcoinChain } from './networks.js'
import { finalizePsbt, psbtFromBase64, psbtToBase64, signPsbt } from './psbt.js'
import { checkDust, quoteTransfer, type BitcoinTransferRequest } from './quote.js'
import { speedUp, type ReplaceOptions } from './replace.js'
import { readBlockAt, readLatestBlock, readStatus } from './status.js'
import { buildTransfer, signTransfer } from './transaction.js'
import { checkTransferQuery, scanTransfers } from './transfers.js'
import {
  checkBalanceQuery,
  checkDiscovery,
  checkFrom,
  checkGapLimit,
  checkQuote,
  checkSendOptions,
  checkSigned,
  checkSigning,
  checkSpeedUp,
  checkTransferRequest,
  checkTxid,
} from './validate.js'

export type { BumpOptions, ReplaceOptions } from './replace.js'
export type { BitcoinTransferRequest } from './quote.js'

/** Options of {@link bitcoin}. */
export interface BitcoinAdapterOptions {
  /** Default `'mainnet'`. */
  network?: BitcoinNetwork
  /** An Esplora REST endpoint (e.g. `https://blockstream.info/api`); or pass `backend`. */
  esploraUrl?: string
  /** Options for the Esplora client (timeouts, retries, `maxRetryAfterMs`). */
  esplora?: EsploraOptions
  /** Any backend implementing {@link BitcoinBackend} (Electrum, Bitcoin Core, …). */
  backend?: BitcoinBackend
  /** Unused addresses in a row that end discovery, default 20 (BIP-44). */
  gapLimit?: number
  /** Keep the broadcast journal across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: KeyValueStore
  /**
   * Overall deadline of every call that touches the network, default 60,000 ms (1 to
   * 3,600,000). Past it: DeadlineExceededError; BroadcastUnknownError for a broadcast;
   * DiscoveryLimitError while scanning an account. Time a signer takes does not count.
   */
  deadlineMs?: number
  /** Addresses one account's discovery reads at most (both branches together), default 10,000; past it DiscoveryLimitError. */
  maxDiscoveryAddresses?: number
  /** The highest fee rate from the network this adapter pays, in sat/vB, default 1,000n; above it quotes throw FeeTooHighError. */
  maxFeeRate?: bigint
  /** A fee level more than this many times the level below it (normal vs slow, fast vs normal) is cut to that multiple, default 10. */
  maxFeeRateRatio?: number
  /** Re-broadcasts of the same signed bytes (each followed by a lookup by txid) after a lost answer, default 3 (0 to 10). */
  rebroadcastCount?: number
}

/** What the adapter offers; `transfers` depends on the backend. */
const CAPABILITIES = {
  history: true,
  replaceTransaction: true,
  cancelTransaction: false,
  signMessage: false,
  signTypedData: false,
  sendMax: true,
  tokens: false,
  balancesAt: false,
  stablecoinGas: false,
  mempool: true,
} as const

/** A ChainAdapter for Bitcoin. Create with {@link bitcoin}. */
export class BitcoinAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly network: BitcoinNetwork
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities
  readonly #chain: BitcoinChain
  /** Backend, deadline and discovery limits of every call. */
  readonly #calls: CallSettings
  readonly #journal: Journal
  readonly #feeCaps: FeeCaps
  readonly #rebroadcasts: number

  constructor(options: BitcoinAdapterOptions) {
    const opts = assertOptions(options)
    this.network = assertOneOf(opts.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
    this.#chain = BITCOIN_CHAINS[this.network]
    this.chainId = this.#chain.caip2
    this.nativeAsset = this.#chain.nativeAsset
    this.testnet = this.network !== 'mainnet'
    let backend: BitcoinBackend
    if (opts.backend) backend = opts.backend
    else if (opts.esploraUrl) backend = esplora(opts.esploraUrl, opts.esplora)
    else throw new InvalidArgumentError('bitcoin() needs esploraUrl or a backend.')
    // The transfer scan reads blocks' transaction lists: a backend without them has none.
    this.capabilities = Object.freeze({ ...CAPABILITIES, transfers: typeof backend.blockTransactions === 'function' })
    const gapLimit = checkGapLimit(opts.gapLimit ?? 20)
    const deadlineMs = checkDeadlineMs(opts.deadlineMs)
    const maxDiscoveryAddresses = assertInteger(
      opts.maxDiscoveryAddresses ?? DEFAULT_MAX_DISCOVERY_ADDRESSES,
      'maxDiscoveryAddresses',
      2,
      10_000_000,
    )
    this.#calls = { backend, deadlineMs, gapLimit, maxDiscoveryAddresses }
    this.#feeCaps = feeCaps(opts.maxFeeRate, opts.maxFeeRateRatio)
    this.#rebroadcasts = assertInteger(opts.rebroadcastCount ?? DEFAULT_REBROADCASTS, 'rebroadcastCount', 0, 10)
    this.#journal = new Journal(this.network, opts.journalStorage)
  }

  /** BTC only (tBTC on test networks). Never throws. */
  async assets(): Promise<readonly AssetInfo[]> {
    return [nativeAssetInfo(this.#chain)]
  }

  /** Valid on this network (base58check, bech32 v0, bech32m v1+). Never throws: anything else is false. */
  isValidAddress(address: string): boolean {
    return isValidBitcoinAddress(address, this.network)
  }

  /** The descriptor naming the account of an xpub / ypub / zpub (watch-only works from it). @throws InvalidExtendedKeyError, InvalidPathError, InvalidArgumentError */
  account(xpub: string, options?: { addressType?: BitcoinAddressType; fingerprint?: number; path?: string }): string {
    return accountDescriptor(xpub, options)
  }

  /**
   * Scans an account (descriptor or xpub): used addresses, next receive and change addresses, UTXOs, balances.
   * @throws DiscoveryLimitError past `maxDiscoveryAddresses` or the deadline
   * @throws InvalidAddressError / InvalidArgumentError for an address instead of an account, or a bad gap limit; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async discoverAccount(account: string, options?: { gapLimit?: number }): Promise<AccountState> {
    const { source, gap } = checkDiscovery(account, options, this.network, this.#calls.gapLimit)
    return this.#run('Discovering the account', (call) =>
      call.discovering(() => discover(call.backend, source, { ...call.limits, gapLimit: gap })),
    )
  }

  /** The account's first never-used receive address: `discoverAccount(account).nextReceive`. @throws as discoverAccount */
  async nextReceiveAddress(account: string): Promise<ReceiveAddress> {
    const { address, index, path } = (await this.discoverAccount(account)).nextReceive
    return { address, index, ...(path ? { path } : {}) }
  }

  /**
   * Balances of addresses and accounts: confirmed + mempool, with the part that is not yet
   * `confirmations` deep (default 1: the mempool) as `pending`. Only the newest block can be
   * read (`capabilities.balancesAt` is false).
   * @throws InvalidAddressError / InvalidArgumentError for bad parameters (before any request);
   *   UnknownAssetError for any asset but this network's coin; NotSupportedError for a past
   *   `blockHeight`; DiscoveryLimitError (accounts); RpcError; DeadlineExceededError past `deadlineMs`
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const { sources, depth, blockHeight } = checkBalanceQuery(parameters, this.nativeAsset, this.network)
    return this.#run('Reading balances', (call) => readBalances(call, sources, this.nativeAsset, depth, blockHeight))
  }

  /**
   * Selects coins at the fee level and checks funds; throws InsufficientFundsError before anything
   * is built. The recipient's amount must clear its output type's dust threshold.
   * @throws FeeTooHighError when the level's rate from the network is above `maxFeeRate`
   * @throws InsufficientFundsError before anything is built; InvalidAddressError (`from`, `to`),
   *   InvalidAmountError (below the dust threshold), InvalidArgumentError (amount, fee level)
   *   before any request; UnknownAssetError for any asset but this network's coin;
   *   DiscoveryLimitError (accounts); RpcError; DeadlineExceededError past `deadlineMs`
   */
  async quoteTransfer(request: BitcoinTransferRequest): Promise<TransferQuote> {
    const transfer = checkTransferRequest(request, this.nativeAsset, this.network)
    checkDust(transfer.amount, transfer.to, this.network)
    return this.#run('Quoting the transfer', (call) => quoteTransfer(call, this.#chain, this.#feeCaps, transfer))
  }

  /**
   * The quote as an unsigned PSBT (base64) with a JSON summary: inputs and outputs in a fresh
   * random order, the anti-fee-sniping lock time, and every non-taproot input with its previous
   * transaction, checked against its txid, script and value.
   * @throws DataIntegrityError when the backend's previous transaction does not match the coin
   * @throws InvalidArgumentError for a quote of another chain or not from a Bitcoin adapter; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    const parts = checkQuote(quote, this.chainId)
    return this.#run('Building the transfer', (call) => buildTransfer(call, this.#chain, parts))
  }

  /**
   * Signs every input the signer (a key or an account) can, finalizes, extracts. Offline. Refuses
   * a PSBT that does not match its summary, a non-taproot input without a matching previous
   * transaction, and sighash types other than ALL / ALL|ANYONECANPAY (DEFAULT for taproot).
   * @throws InvalidArgumentError for a PSBT that does not match its summary, an output that is
   *   neither the recipient nor provable change, or a signer of another chain or network;
   *   DataIntegrityError (an input whose previous transaction does not match); VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
    return signTransfer(checkSigning(unsigned, signer, this.network), signer, this.#chain)
  }

  /**
   * Adds the signatures `signer` can make to a base64 PSBT and returns it (not finalized), for multi-party or hardware-wallet flows. Same refusals as {@link signTransaction}.
   * @throws as {@link BitcoinAdapter.signTransaction}; InvalidArgumentError when the signer has no key for any input
   */
  async signPsbt(psbtBase64: string, signer: Signer | AccountSigner): Promise<string> {
    const psbt = psbtFromBase64(psbtBase64)
    if ((await signPsbt(psbt, signer, this.#chain.params)) === 0)
      throw new InvalidArgumentError('The signer has no key for any input of this PSBT.')
    return psbtToBase64(psbt)
  }

  /**
   * Finalizes a fully signed base64 PSBT (signed here or elsewhere) into a broadcastable transaction.
   * @throws InvalidArgumentError for a malformed PSBT; SignatureVerificationError when an input is missing its signature; DataIntegrityError
   */
  finalizePsbt(psbtBase64: string, from = 'psbt'): SignedTransaction {
    checkFrom(from)
    const { hex, txid } = finalizePsbt(psbtFromBase64(psbtBase64))
    return { chainId: this.chainId, kind: 'bitcoin-psbt', from, hash: txid, raw: hex }
  }

  /**
   * Sends a signed transaction; returns the txid. A lost answer (5xx, timeout, reset, unreadable)
   * is followed by re-broadcasts of the same bytes and lookups by txid (`rebroadcastCount`).
   * @throws TransactionRejectedError only when the node refused it
   * @throws BroadcastUnknownError when its fate stays unknown (maybe sent: look it up by hash, never pay again)
   * @throws InvalidArgumentError for bytes that are not a transaction of this chain, or a `hash` that is not their txid
   */
  async broadcast(signed: SignedTransaction): Promise<string> {
    return this.#broadcast(checkSigned(signed, this.chainId))
  }

  /**
   * build → sign → broadcast, and remember the send so it can be sped up. The send is journalled
   * also when the broadcast's outcome is unknown (then BroadcastUnknownError is thrown), so
   * `getTransaction` and `speedUp` work on it. `options.onSigned` sees the signed transaction
   * before it is broadcast (if it throws, nothing is broadcast). The deadline covers the network
   * parts; the time the signer takes does not count.
   * @throws BroadcastUnknownError (maybe sent: never pay again), TransactionRejectedError (refused:
   *   nothing sent); what buildTransfer and signTransaction throw (InvalidArgumentError,
   *   DataIntegrityError, VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError, RpcError; DeadlineExceededError past `deadlineMs`); whatever `options.onSigned` throws
   */
  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options?: SendTransferOptions): Promise<string> {
    const onSigned = checkSendOptions(options)
    const unsigned = await this.buildTransfer(quote)
    const signed = await this.signTransaction(unsigned, signer)
    await onSigned?.(signed)
    const record = (hash: string) => sentRecord(quote, unsigned, hash)
    let txid: string
    try {
      txid = await this.broadcast(signed)
    } catch (error) {
      if (error instanceof BroadcastUnknownError) await this.#journal.add(record(error.transaction.hash))
      throw error
    }
    await this.#journal.add(record(txid))
    return txid
  }

  /**
   * Replaces a pending send of this adapter with a higher fee (BIP-125): the same payment, the
   * fee raised from the change (or from more of the account's coins). Returns the new txid. A
   * replacement whose broadcast outcome is unknown is journalled and BroadcastUnknownError thrown.
   * @throws FeeTooHighError when the network's rate for `feeLevel` is above `maxFeeRate`
   * @throws InvalidArgumentError for a transaction this adapter did not send, a malformed txid or
   *   fee rate, or a transaction no longer pending; InsufficientFundsError (no
   *   coins left to pay the higher fee); DataIntegrityError; TransactionRejectedError;
   *   BroadcastUnknownError (maybe sent); VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError; DiscoveryLimitError; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async speedUp(txid: string, signer: Signer | AccountSigner, options?: ReplaceOptions): Promise<string> {
    const { hash, feeRate, level } = checkSpeedUp(txid, options)
    const context = {
      chain: this.#chain,
      feeCaps: this.#feeCaps,
      journal: this.#journal,
      run: <T>(what: string, task: (call: Call) => Promise<T>) => this.#run(what, task),
      broadcast: (tx: BroadcastTransaction) => this.#broadcast(tx),
    }
    return speedUp(context, hash, signer, { feeRate, level })
  }

  /**
   * The contract's replacement call: a speed-up ({@link BitcoinAdapter.speedUp}, BIP-125). Cancels
   * are not offered (`capabilities.cancelTransaction` is false): a Bitcoin cancel is a new payment
   * back to yourself, which a speed-up of a self-send covers.
   * @throws NotSupportedError for `mode: 'cancel'`; as {@link BitcoinAdapter.speedUp} otherwise
   */
  async replaceTransaction(
    hash: string,
    signer: Signer | AccountSigner,
    options: ReplaceTransactionOptions & { feeRate?: bigint } = {},
  ): Promise<string> {
    const { mode = 'speed-up', ...rest } = assertOptions(options) as ReplaceTransactionOptions & { feeRate?: bigint }
    if (assertOneOf(mode, 'mode', ['speed-up', 'cancel']) === 'cancel')
      throw new NotSupportedError('Bitcoin transactions cannot be cancelled here; speed up a payment to yourself instead.')
    return this.speedUp(hash, signer, rest)
  }

  /** Bitcoin message signing (BIP-137 / BIP-322) is not offered: `capabilities.signMessage` is false. @throws NotSupportedError */
  async signMessage(_signer: Signer | AccountSigner, _message: string | Uint8Array): Promise<MessageSignature> {
    throw new NotSupportedError('The Bitcoin adapter does not sign messages (no BIP-322 yet).')
  }

  /** Bitcoin has no typed data: `capabilities.signTypedData` is false. @throws NotSupportedError */
  async signTypedData(_signer: Signer | AccountSigner, _typedData: unknown): Promise<MessageSignature> {
    throw new NotSupportedError('Bitcoin has no typed-data signatures.')
  }

  /**
   * Pending, confirmed (with confirmations and fee) or dropped (with its replacement when this adapter made one).
   * @throws InvalidArgumentError for a malformed txid; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async getTransaction(txid: string): Promise<TransactionStatus> {
    const hash = checkTxid(txid)
    return this.#run('Reading the transaction', (call) => readStatus(call, hash, this.nativeAsset, this.#journal))
  }

  /**
   * Polls until `confirmations` (default 1) or the transaction is dropped; each poll has the call deadline.
   * @throws TransactionTimeoutError (it may still confirm later); InvalidArgumentError for a
   *   malformed txid or options; RpcError; DeadlineExceededError (one poll past `deadlineMs`)
   */
  async waitForTransaction(txid: string, options?: WaitOptions): Promise<TransactionStatus> {
    const hash = checkTxid(txid)
    return waitUntil(() => this.getTransaction(hash), options, this.#chain.blockTimeMs)
  }

  /**
   * Transfers in and out of an address or an account (net per transaction), newest first.
   * @throws InvalidAddressError; InvalidArgumentError (options, a cursor of another query); DiscoveryLimitError (accounts); RpcError; DeadlineExceededError past `deadlineMs`
   */
  async getHistory(address: string, options?: HistoryOptions): Promise<HistoryPage> {
    const opts = assertOptions(options)
    if (opts.assets !== undefined && opts.assets.some((a) => a !== this.nativeAsset)) return { items: [] }
    const source = resolveSource(address, this.network)
    return this.#run('Reading history', (call) => readSourceHistory(call, this.#chain, source, opts.cursor, opts.limit ?? 50))
  }

  /** Height, hash, parent hash and time of the tip. @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#run('Reading the tip', (call) => readLatestBlock(call))
  }

  /**
   * BTC transfers in and out of `addresses` in blocks `fromBlock..toBlock` (at most 1,000), oldest
   * first: one per output (`index` is its vout) paying an asked address or paid by one (change
   * back to a paying address left out); `from` is the paying asked address, else the first
   * input's address ('' for a coinbase). Requests per block: 2 + one per 25 transactions.
   * `complete` is false when an asked address spent (its fee and change are not transfers).
   * See ./transfers.ts.
   * @throws InvalidArgumentError (range, shapes), InvalidAddressError (an account or another network's address), UnknownAssetError — before any request;
   *   NotSupportedError (a backend without `blockTransactions`); DataIntegrityError (a block replaced during the scan); RpcError; DeadlineExceededError past `deadlineMs`
   */
  async getTransfers(parameters: GetTransfersParameters): Promise<TransferScan> {
    const query = checkTransferQuery(parameters, this.nativeAsset, this.network)
    return this.#run('Scanning transfers', (call) => scanTransfers(call, query, this.chainId, this.nativeAsset))
  }

  /** The block at `height` on the backend's best chain. @throws InvalidArgumentError, RpcError, DeadlineExceededError */
  async blockAt(height: number): Promise<BlockRef> {
    const h = assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER)
    return this.#run(`Reading block ${h}`, (call) => readBlockAt(call, h))
  }

  /** Broadcast with re-sends and lookups, bounded by the deadline (past it: BroadcastUnknownError). */
  #broadcast(tx: BroadcastTransaction): Promise<string> {
    return broadcastCall(this.#calls, tx, this.#rebroadcasts)
  }

  #run<T>(what: string, task: (call: Call) => Promise<T>): Promise<T> {
    return runCall(this.#calls, what, task)
  }
}

/**
 * A Bitcoin ChainAdapter: `bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' })`. Makes no request.
 * @throws InvalidArgumentError for bad options (an unknown network, no `esploraUrl` or `backend`, limits out of range)
 */
export function bitcoin(options: BitcoinAdapterOptions): BitcoinAdapter {
  return new BitcoinAdapter(options)
}
