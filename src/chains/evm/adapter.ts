/**
 * The EVM adapter: native coins and ERC-20 stablecoins on any EVM chain, through viem's
 * JSON-RPC client. `evm({ chain, rpcUrls })` returns one; see the ChainAdapter contract for
 * the shared calls and this class for the EVM extras (speed-up, cancel, message, typed-data,
 * permit and EIP-3009 signatures).
 * @module
 */
import { decodeFunctionData, erc20Abi, getAddress, keccak256, parseTransaction, recoverTransactionAddress, type Hex, type PublicClient, type TypedDataDefinition } from 'viem'
import { assertInteger, assertOneOf, assertOptions } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { BroadcastUnknownError, ChainMismatchError, DeadlineExceededError, InsufficientFundsError, InvalidArgumentError, TransactionRejectedError } from '../../core/errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import {
  FEE_LEVELS,
  type AdapterCapabilities,
  type AssetInfo,
  type Balance,
  type BlockRef,
  type ChainAdapter,
  type FeeLevel,
  type GetBalancesParameters,
  type GetTransfersParameters,
  type HistoryOptions,
  type HistoryPage,
  type SendTransferOptions,
  type SignedTransaction,
  type TransactionStatus,
  type TransferQuote,
  type TransferRequest,
  type TransferScan,
  type TypedDataSpend,
  type UnsignedTransaction,
  type WaitOptions,
  type ReplaceTransactionOptions,
} from '../adapter.js'
import { readBalances, type MulticallState } from './balances.js'
import { scanTransfers } from './transfer-logs.js'
import { resolveChain, type EvmChain } from './networks.js'
import { checkDeadline, withDeadline } from '../../core/deadline.js'
import { broadcastSigned, type BroadcastRetry } from './broadcast.js'
import { createClient, createSendClients, DEFAULT_MAX_RETRY_AFTER_MS, errorText, rpc } from './client.js'
import { gasPricing } from './fees.js'
import { readHistory, type HistorySettings } from './history.js'
import type { KeyValueStore } from '../../core/store.js'
import { Journal } from './journal.js'
import { NonceManager } from './nonces.js'
import { checkAmount, estimateGas, makeQuote, transferCall } from './quote.js'
import { evmSigner, signMessage, signPermitWith, signTransferAuthorizationWith, signTypedData, type EvmSignature } from './signing.js'
import { checkHash, transactionStatus, waitFor } from './status.js'
import { TokenBook, type EvmAsset, type EvmTokenConfig } from './tokens.js'
import { permitNonce, tokenDomain, type SignPermitParameters, type SignTransferAuthorizationParameters } from './permits.js'
import { signReplacement } from './replace.js'
import { typedDataSpends } from './typed-data-spends.js'
import { checkTypedData } from './typed-data-check.js'
import { signEvmTransaction, toSerializable, unsignedTransaction, type EvmTransactionPayload } from './transaction.js'
import { checkAddress, checkValue, positiveInt } from './validate.js'

/** Block ranges of `history.chunkBlocks` one `getTransfers` call may batch together. */
const MAX_SCAN_CHUNKS = 100

/** Options of {@link evm}. */
export interface EvmAdapterOptions {
  /** CAIP-2 id (`eip155:137`) of a chain in coffer's registry, or a viem `Chain`. */
  chain: ChainId | import('viem').Chain
  /** One or more JSON-RPC URLs; later ones are fallbacks. */
  rpcUrls: string | readonly string[]
  /** Tokens beyond the registry's; symbol and decimals are read from the contract when omitted. */
  tokens?: readonly EvmTokenConfig[]
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries of reads on 429 / 5xx / dropped connections, default 3 (Retry-After honoured up to `maxRetryAfterMs`). */
  retryCount?: number
  /** The longest Retry-After a server can make a read wait, default 30,000 ms. */
  maxRetryAfterMs?: number
  /** Overall deadline of each call that touches the network (all its requests and retries), default 60,000 ms. */
  deadlineMs?: number
  /**
   * After a broadcast whose answer was lost: how many times the same bytes are sent again
   * (checking by hash first), default 3, and the first pause, default 250 ms (doubling).
   */
  rebroadcast?: { attempts?: number; delayMs?: number }
  /** Multicall3: its address, or false to never use it. Default: the canonical address, probed once. */
  multicall?: `0x${string}` | false
  /** Calls per Multicall3 `aggregate3` chunk, default 500. */
  balanceChunkSize?: number
  /** Gas estimate margin in percent above plain transfers, default 120. */
  gasMarginPercent?: number
  /** History scanning. */
  history?: Partial<HistorySettings>
  /** Keep the broadcast journal across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: KeyValueStore
  /** Custom fetch (metering, proxies, tests). */
  fetch?: typeof fetch
}

/** Options of `speedUp` and `cancel`. */
export interface ReplaceOptions {
  /** Fee level the replacement must at least reach, default `'fast'`. */
  feeLevel?: FeeLevel
}

/** A ChainAdapter for one EVM chain. Create with {@link evm}. */
export class EvmAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities = Object.freeze({
    history: true,
    replaceTransaction: true,
    cancelTransaction: true,
    signMessage: true,
    signTypedData: true,
    sendMax: true,
    tokens: true,
    balancesAt: true,
    transfers: true,
  })
  readonly #chain: EvmChain
  readonly #client: PublicClient
  readonly #send: readonly PublicClient[]
  readonly #deadlineMs: number
  readonly #retry: BroadcastRetry
  readonly #tokens: TokenBook
  readonly #multicall: MulticallState
  readonly #nonces: NonceManager
  readonly #journal: Journal
  readonly #chunkSize: number
  readonly #gasMargin: bigint
  readonly #history: HistorySettings
  #chainChecked: Promise<void> | undefined

  constructor(options: EvmAdapterOptions) {
    const opts = assertOptions(options)
    const urls = typeof opts.rpcUrls === 'string' ? [opts.rpcUrls] : opts.rpcUrls
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^https?:\/\/\S+$/.test(u))) {
      throw new InvalidArgumentError('rpcUrls must be one or more http(s) URLs.')
    }
    if (opts.fetch !== undefined && typeof opts.fetch !== 'function') throw new InvalidArgumentError('fetch must be a function.')
    this.#chain = resolveChain(opts.chain, urls, opts.multicall)
    this.chainId = this.#chain.caip2
    this.nativeAsset = this.#chain.nativeAsset
    this.testnet = this.#chain.testnet
    const transport = {
      rpcUrls: urls,
      timeoutMs: positiveInt(opts.timeoutMs, 'timeoutMs', 10_000),
      retryCount: opts.retryCount === 0 ? 0 : positiveInt(opts.retryCount, 'retryCount', 3, 20),
      maxRetryAfterMs: opts.maxRetryAfterMs === 0 ? 0 : positiveInt(opts.maxRetryAfterMs, 'maxRetryAfterMs', DEFAULT_MAX_RETRY_AFTER_MS, 3_600_000),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    }
    this.#client = createClient(this.#chain.viem, transport) as PublicClient
    this.#send = createSendClients(this.#chain.viem, transport) as PublicClient[]
    this.#deadlineMs = checkDeadline(opts.deadlineMs)
    const rebroadcast = opts.rebroadcast === undefined ? {} : assertOptions(opts.rebroadcast, 'rebroadcast')
    this.#retry = {
      attempts: rebroadcast.attempts === 0 ? 0 : positiveInt(rebroadcast.attempts, 'rebroadcast.attempts', 3, 20),
      delayMs: positiveInt(rebroadcast.delayMs, 'rebroadcast.delayMs', 250, 60_000),
    }
    this.#tokens = new TokenBook(this.#chain, this.#client, opts.tokens ?? [])
    this.#multicall = { address: this.#chain.multicall3 }
    this.#nonces = new NonceManager(this.#client)
    this.#journal = new Journal(this.#chain.id, opts.journalStorage)
    this.#chunkSize = positiveInt(opts.balanceChunkSize, 'balanceChunkSize', 500, 5_000)
    this.#gasMargin = BigInt(positiveInt(opts.gasMarginPercent, 'gasMarginPercent', 120, 1_000))
    this.#history = {
      startBlock: opts.history?.startBlock ?? 0,
      chunkBlocks: positiveInt(opts.history?.chunkBlocks, 'history.chunkBlocks', 5_000),
      maxScanBlocks: positiveInt(opts.history?.maxScanBlocks, 'history.maxScanBlocks', 100_000),
    }
  }

  /** The viem public client (for reads coffer does not wrap). */
  get client(): PublicClient {
    return this.#client
  }

  /**
   * Native coin first, then registry and configured tokens.
   * @throws RpcError when a configured token's missing symbol or decimals cannot be read from its contract
   */
  async assets(): Promise<readonly AssetInfo[]> {
    return this.#tokens.list()
  }

  /** EIP-55 enforced on mixed case. Never throws: anything but a valid address is false. */
  isValidAddress(address: string): boolean {
    return isValidEvmAddress(address)
  }

  /**
   * Native and ERC-20 balances at one block in two HTTP requests (block number, then Multicall3
   * through a JSON-RPC batch), or one when `blockHeight` pins the block. With `confirmations`
   * above 1 the balance that many blocks deep rides in the same batch and the difference is
   * `pending`.
   * @throws InvalidAddressError, InvalidArgumentError for bad parameters (before any request);
   *   InvalidCaipIdError, UnknownAssetError for an asset id this adapter cannot read; RpcError;
   *   DeadlineExceededError past `deadlineMs`
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    return this.#deadline('Reading balances', async () => {
      const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
      if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
      const checked = addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
      const list = await this.#assetList(assets)
      return readBalances(this.#client, this.#chain, this.#multicall, checked, list, this.#chunkSize, {
        ...(blockHeight === undefined ? {} : { blockHeight: assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER) }),
        ...(confirmations === undefined ? {} : { confirmations: assertInteger(confirmations, 'confirmations', 1, 10_000) }),
      })
    })
  }

  /**
   * ERC-20 `Transfer` logs from or to `addresses` over a block range, in one HTTP request (the
   * range split into `history.chunkBlocks` pieces inside the batch); `complete` is false when
   * the native coin is asked for (it leaves no log).
   * @throws InvalidAddressError, InvalidArgumentError for bad parameters or a range longer than
   *   100 × `history.chunkBlocks`; InvalidCaipIdError, UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getTransfers(parameters: GetTransfersParameters): Promise<TransferScan> {
    return this.#deadline('Scanning transfers', async () => {
      const { addresses, assets, fromBlock, toBlock } = assertOptions(parameters)
      if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
      const checked = addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
      const from = assertInteger(fromBlock, 'fromBlock', 0, Number.MAX_SAFE_INTEGER)
      const to = assertInteger(toBlock, 'toBlock', from, Number.MAX_SAFE_INTEGER)
      const most = this.#history.chunkBlocks * MAX_SCAN_CHUNKS
      if (to - from >= most) throw new InvalidArgumentError(`A transfer scan covers at most ${most} blocks (${MAX_SCAN_CHUNKS} × history.chunkBlocks); split the range.`)
      return scanTransfers(this.#client, this.#chain, checked, await this.#assetList(assets), from, to, this.#history.chunkBlocks)
    })
  }

  async #assetList(assets: readonly AssetId[] | undefined): Promise<readonly EvmAsset[]> {
    if (assets === undefined) return this.#tokens.list()
    if (!Array.isArray(assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
    return Promise.all(assets.map((id) => this.#tokens.get(id)))
  }

  /**
   * Prices a transfer at every fee level and checks amount + fee against balances.
   * @throws InsufficientFundsError before anything is signed; InvalidAddressError (`from`, `to`),
   *   InvalidAmountError / InvalidArgumentError (amount, fee level) before any request;
   *   InvalidCaipIdError, UnknownAssetError (the asset); ChainMismatchError (the node serves
   *   another chain); RpcError; DeadlineExceededError
   */
  async quoteTransfer(request: TransferRequest): Promise<TransferQuote> {
    return this.#deadline('Quoting the transfer', async () => {
      const r = assertOptions(request)
      const from = checkAddress(r.from, 'from')
      const to = checkAddress(r.to, 'to')
      const amount = checkAmount(r.amount)
      const level = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
      await this.#verifyChain()
      const [asset, native] = await Promise.all([this.#tokens.get(r.asset as AssetId), this.#tokens.get(this.nativeAsset)])
      const [pricing, balances] = await Promise.all([gasPricing(this.#client, this.#chain), this.getBalances({ addresses: [from], assets: asset.kind === 'native' ? [asset.id] : [native.id, asset.id] })])
      const read = (id: AssetId) => {
        const b = balances.find((x) => x.asset === id)
        if (!b || !b.ok) throw b && !b.ok ? b.error : new InvalidArgumentError('balance missing')
        return b.amount
      }
      const nativeBalance = read(native.id)
      const assetBalance = read(asset.id)
      const probeAmount = amount === 'max' ? (asset.kind === 'native' ? 0n : assetBalance) : amount
      if (asset.kind === 'token' && probeAmount > assetBalance) {
        // Estimating would revert; the quote below reports the shortfall precisely.
        return makeQuote({ chain: this.#chain, request: { ...(r as TransferRequest), from, to, amount }, asset, nativeAsset: native, level, pricing, nativeBalance, assetBalance, gas: 0n })
      }
      const gas = await estimateGas(this.#client, from, transferCall(asset, to, probeAmount), this.#gasMargin).catch((error: unknown) => {
        if (/insufficient funds|exceeds balance|transfer amount exceeds/.test(errorText(error))) {
          throw new InsufficientFundsError(`The node says ${from} cannot pay for this transfer.`, { cause: error })
        }
        throw error
      })
      return makeQuote({ chain: this.#chain, request: { ...(r as TransferRequest), from, to, amount }, asset, nativeAsset: native, level, pricing, nativeBalance, assetBalance, gas })
    })
  }

  /**
   * Takes the next nonce for the sender and returns the transaction as JSON.
   * @throws InvalidArgumentError for a quote of another chain or not from this adapter;
   *   ChainMismatchError; RpcError; DeadlineExceededError
   */
  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    return this.#deadline('Building the transaction', () => this.#build(quote, false))
  }

  /** buildTransfer; `sending`: the nonce joins the order of sends in progress (sendTransfer). */
  async #build(quote: TransferQuote, sending: boolean): Promise<UnsignedTransaction> {
    const q = assertOptions(quote) as TransferQuote
    if (q.chainId !== this.chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${this.chainId}.`)
    const call = q.details?.call as { to: `0x${string}`; value: string; data: Hex } | undefined
    if (!call || typeof q.details.gas !== 'string' || !q.fee?.details) throw new InvalidArgumentError('Not a quote from this adapter (details missing).')
    await this.#verifyChain()
    const from = checkAddress(q.from, 'from')
    const nonce = await this.#nonces.take(from, { sending })
    const { gas: _gas, ...pricing } = q.fee.details as Record<string, string>
    const payload = {
      ...(pricing as Pick<EvmTransactionPayload, 'type' | 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'gasPrice'>),
      chainId: this.#chain.id,
      nonce,
      to: call.to,
      value: call.value,
      data: call.data,
      gas: q.details.gas,
    } satisfies EvmTransactionPayload
    try {
      toSerializable(payload)
    } catch (error) {
      this.#nonces.done(from, nonce, false)
      throw error
    }
    // The asset's symbol and decimals travel with it for an offline signer's prompt; never those of a token only looked up on chain.
    const asset = await this.#tokens.get(q.asset).catch(() => undefined)
    const shown = asset && !asset.unverified ? { symbol: asset.symbol, decimals: asset.decimals } : {}
    return unsignedTransaction(payload, from, { to: q.to, asset: q.asset, amount: q.amount.toString(), fee: q.fee.amount.toString(), ...shown })
  }

  /**
   * Signs offline (no network): serialise, hash, sign with the signer.
   * @throws InvalidArgumentError for a payload that does not match its summary, another chain's
   *   transaction or a non-EVM signer; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
    return signEvmTransaction(unsigned, signer)
  }

  /**
   * Sends a signed transaction; returns its hash. "Already known" counts as sent. When the
   * node's answer is lost (HTTP 5xx, timeout, reset), the same bytes are sent again and looked
   * up by hash; if that does not settle it, BroadcastUnknownError (the transaction may be on
   * its way: do not pay again). Only a refusal the node states is a rejection.
   * @throws TransactionRejectedError, InsufficientFundsError, BroadcastUnknownError
   * @throws InvalidArgumentError for bytes that are not a signed transaction of this chain (or
   *   whose `from` / `hash` do not match them); ChainMismatchError (signed for another chain, or
   *   the node serves another chain)
   */
  async broadcast(signed: SignedTransaction): Promise<string> {
    const s = assertOptions(signed) as SignedTransaction
    if (s.chainId !== this.chainId) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${this.chainId}.`)
    if (typeof s.raw !== 'string' || !/^0x[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be 0x-prefixed hex.')
    let tx: ReturnType<typeof parseTransaction>
    let from: `0x${string}`
    let hash: `0x${string}`
    try {
      tx = parseTransaction(s.raw as Hex)
      from = await recoverTransactionAddress({ serializedTransaction: s.raw as never })
      hash = keccak256(s.raw as Hex)
    } catch (cause) {
      throw new InvalidArgumentError('signed.raw is not a signed EVM transaction.', { cause })
    }
    if (tx.chainId !== undefined && tx.chainId !== this.#chain.id) throw new ChainMismatchError(`The transaction is signed for chain ${tx.chainId}, not ${this.#chain.id}.`)
    if (typeof s.from !== 'string' || s.from.toLowerCase() !== from.toLowerCase()) {
      throw new InvalidArgumentError(`signed.from says ${String(s.from).slice(0, 42)}, but the signature is ${from}'s.`)
    }
    if (typeof s.hash === 'string' && s.hash.toLowerCase() !== hash) throw new InvalidArgumentError(`signed.hash says ${s.hash.slice(0, 66)}, but the bytes hash to ${hash}.`)
    const nonce = tx.nonce ?? 0
    const checked: SignedTransaction = { chainId: this.chainId, kind: s.kind, from, hash, raw: s.raw }
    return this.#deadline('Broadcasting', () => this.#broadcast(checked, tx, from, nonce, false), () => this.#lost(checked, nonce))
  }

  /** The error of a broadcast that ran out of time: maybe sent. */
  #lost(signed: SignedTransaction, nonce: number): BroadcastUnknownError {
    return new BroadcastUnknownError(`Broadcasting ${signed.hash} did not finish within ${this.#deadlineMs} ms; it may be on its way. Check it by hash; do not pay again.`, signed, { details: { nonce, deadlineMs: this.#deadlineMs } })
  }

  async #broadcast(signed: SignedTransaction, tx: ReturnType<typeof parseTransaction>, from: `0x${string}`, nonce: number, fresh: boolean): Promise<`0x${string}`> {
    await this.#verifyChain()
    const result = await broadcastSigned(this.#send, this.#client, signed, from, nonce, this.#retry, fresh)
    if (result.kind === 'refused') {
      this.#nonces.done(from, nonce, result.nonceUsed)
      if (result.nonceUsed) this.#nonces.resync(from)
      throw result.error
    }
    // Accepted, or maybe: either way the nonce stays used and the send is remembered, so its
    // status, history and speed-up work (and a later look by hash can settle it).
    this.#nonces.done(from, nonce, true)
    await this.#record(signed.hash as `0x${string}`, from, tx, nonce)
    if (result.kind === 'unknown') throw result.error
    return result.hash
  }

  async #record(hash: `0x${string}`, from: `0x${string}`, tx: ReturnType<typeof parseTransaction>, nonce: number, extra: { replaces?: `0x${string}`; cancel?: boolean } = {}): Promise<void> {
    let to = (tx.to ?? from) as `0x${string}`
    let asset: AssetId = this.nativeAsset
    let amount = tx.value ?? 0n
    if (tx.data && tx.data !== '0x' && tx.to) {
      try {
        const { functionName, args } = decodeFunctionData({ abi: erc20Abi, data: tx.data })
        if (functionName === 'transfer') {
          asset = (await this.#tokens.get(`${this.chainId}/erc20:${tx.to.toLowerCase()}` as AssetId)).id
          to = args[0] as `0x${string}`
          amount = args[1] as bigint
        }
      } catch {
        // Not a token transfer: journal it as a native send of its value.
      }
    }
    await this.#journal.add({ hash, from, to: getAddress(to), asset, amount: amount.toString(), nonce, sentAt: Date.now(), ...extra })
  }

  /**
   * build → sign → broadcast. Sends from one address broadcast in nonce order, so a send the
   * node refuses never leaves a hole under later ones (they rebuild at the freed nonce). A
   * refusal because the nonce was taken (another sender) rebuilds at a fresh nonce: the refused
   * bytes can never be mined. A lost answer is never re-signed: the same bytes are re-sent, and
   * if that does not settle it, BroadcastUnknownError.
   * @throws TransactionRejectedError, InsufficientFundsError, BroadcastUnknownError
   * @throws what buildTransfer and signTransaction throw (InvalidArgumentError, ChainMismatchError,
   *   VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError, RpcError, DeadlineExceededError), and whatever `options.onSigned` throws
   */
  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options: SendTransferOptions = {}): Promise<string> {
    evmSigner(signer)
    const { onSigned } = assertOptions(options)
    if (onSigned !== undefined && typeof onSigned !== 'function') throw new InvalidArgumentError('onSigned must be a function.')
    const MAX_REBUILDS = 64
    let nonceRetries = 0
    for (let rebuild = 0; ; rebuild++) {
      const unsigned = await this.#deadline('Building the transaction', () => this.#build(quote, true))
      const from = unsigned.from as `0x${string}`
      const nonce = unsigned.payload.nonce as number
      let signed: SignedTransaction
      let turn: { hole: boolean }
      try {
        signed = await this.signTransaction(unsigned, signer)
        turn = await this.#nonces.turn(from, nonce, this.#deadlineMs)
        if (!turn.hole) await onSigned?.(signed)
      } catch (error) {
        // The caller knows this nonce belongs to another payment (another process signed the same
        // transaction): it is used; sign again at the next one.
        const taken = error instanceof TransactionRejectedError && error.details.nonceTaken === true
        if (taken) this.#nonces.usedElsewhere(from, nonce)
        else this.#nonces.done(from, nonce, false)
        if (taken && ++nonceRetries < 10) continue
        throw error
      }
      if (turn.hole) {
        // A lower nonce was given back: take it instead (these bytes never left).
        this.#nonces.done(from, nonce, false)
        if (rebuild < MAX_REBUILDS) continue
        throw new TransactionRejectedError(`Could not find a nonce without a gap for ${from}; nothing was broadcast.`)
      }
      try {
        return await this.#deadline('Broadcasting', () => this.#broadcast(signed, parseTransaction(signed.raw as Hex), from, nonce, true), () => this.#lost(signed, nonce))
      } catch (error) {
        // Refused because another transaction took the nonce: these bytes can never be mined.
        const retry = error instanceof TransactionRejectedError && /nonce/.test(error.shortMessage) && ++nonceRetries < 10
        if (!retry) throw error
      }
    }
  }

  /**
   * Waits for `confirmations` (default 1).
   * @throws TransactionTimeoutError (it may still confirm later); InvalidArgumentError for a
   *   malformed hash or options; DataIntegrityError (the node answered another transaction's receipt); RpcError
   */
  async waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus> {
    return waitFor(this.#client, this.#chain, this.#journal, checkHash(hash), options)
  }

  /**
   * Pending, confirmed (with fee paid), failed, or dropped (with its replacement when known).
   * @throws InvalidArgumentError for a malformed hash; DataIntegrityError; RpcError; DeadlineExceededError
   */
  async getTransaction(hash: string): Promise<TransactionStatus> {
    return this.#deadline('Reading the transaction', async () => {
      return transactionStatus(this.#client, this.#chain, this.#journal, checkHash(hash))
    })
  }

  /**
   * ERC-20 transfers in and out (from logs) and native sends this adapter made, newest first.
   * @throws InvalidAddressError; InvalidArgumentError (options, a cursor of another query);
   *   InvalidCaipIdError, UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getHistory(address: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    return this.#deadline('Reading history', async () => {
      const a = checkAddress(address, 'address')
      const opts = assertOptions(options)
      const assets = await this.#assetList(opts.assets)
      return readHistory(this.#client, this.#chain, this.#journal, a, assets, opts, this.#history)
    })
  }

  /** Height, hash and parent hash of the newest block. @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#deadline('Reading the latest block', async () => {
      const block = await rpc('Reading the latest block', () => this.#client.getBlock({ blockTag: 'latest' }))
      return { height: Number(block.number), hash: block.hash as string, parentHash: block.parentHash, timestamp: Number(block.timestamp) * 1000 }
    })
  }

  /** Height, hash and parent hash of the block at `height`. @throws InvalidArgumentError, RpcError, DeadlineExceededError */
  async blockAt(height: number): Promise<BlockRef> {
    return this.#deadline('Reading a block', async () => {
      const h = BigInt(assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER))
      const block = await rpc(`Reading block ${h}`, () => this.#client.getBlock({ blockNumber: h }))
      return { height: Number(block.number), hash: block.hash as string, parentHash: block.parentHash, timestamp: Number(block.timestamp) * 1000 }
    })
  }

  /**
   * Re-sends a pending transaction with every fee raised ≥ 10% (the nodes' replacement rule). Returns the new hash.
   * @throws InvalidArgumentError (a malformed hash, a transaction that is not pending or not
   *   from this signer); ChainMismatchError; TransactionRejectedError (the node refused the
   *   replacement); BroadcastUnknownError (maybe sent); VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError; RpcError; DeadlineExceededError
   */
  async speedUp(hash: string, signer: Signer | AccountSigner, options: ReplaceOptions = {}): Promise<string> {
    return this.#replace(checkHash(hash), signer, options, false)
  }

  /**
   * Replaces a pending transaction with a 0-value send to yourself at the same nonce. Returns the new hash.
   * @throws as {@link EvmAdapter.speedUp}
   */
  async cancel(hash: string, signer: Signer | AccountSigner, options: ReplaceOptions = {}): Promise<string> {
    return this.#replace(checkHash(hash), signer, options, true)
  }

  /**
   * The contract's replacement call: {@link EvmAdapter.speedUp}, or {@link EvmAdapter.cancel} with `mode: 'cancel'`.
   * @throws as {@link EvmAdapter.speedUp}
   */
  async replaceTransaction(hash: string, signer: Signer | AccountSigner, options: ReplaceTransactionOptions = {}): Promise<string> {
    const { mode = 'speed-up', ...rest } = assertOptions(options) as ReplaceTransactionOptions
    return this.#replace(checkHash(hash), signer, rest, assertOneOf(mode, 'mode', ['speed-up', 'cancel']) === 'cancel')
  }

  async #replace(hash: `0x${string}`, signer: Signer | AccountSigner, options: ReplaceOptions, cancel: boolean): Promise<string> {
    return this.#deadline('Replacing the transaction', async () => {
      const s = evmSigner(signer)
      const level = assertOneOf(assertOptions(options).feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)
      await this.#verifyChain()
      const { raw, nonce } = await signReplacement(this.#client, this.#chain, this.nativeAsset, hash, s, level, cancel)
      const from = getAddress(s.address)
      const signed: SignedTransaction = { chainId: this.chainId, kind: `evm-${parseTransaction(raw).type ?? 'legacy'}`, from, hash: keccak256(raw), raw }
      const result = await broadcastSigned(this.#send, this.#client, signed, from, nonce, this.#retry)
      if (result.kind === 'refused') throw new TransactionRejectedError(`The node refused the replacement: ${result.error.shortMessage}`, { cause: result.error })
      await this.#record(signed.hash as `0x${string}`, from, parseTransaction(raw), nonce, { replaces: hash, ...(cancel ? { cancel: true } : {}) })
      if (result.kind === 'unknown') throw result.error
      return result.hash
    })
  }

  /** EIP-191 personal message signature. @throws InvalidArgumentError (message, non-EVM signer); VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError */
  async signMessage(signer: Signer | AccountSigner, message: string | Uint8Array): Promise<EvmSignature> {
    return signMessage(evmSigner(signer), message)
  }

  /**
   * EIP-712 typed-data signature.
   * @throws InvalidArgumentError for typed data that fails the strict EIP-712 check or a non-EVM signer; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signTypedData(signer: Signer | AccountSigner, typedData: TypedDataDefinition | unknown): Promise<EvmSignature> {
    return signTypedData(evmSigner(signer), typedData as TypedDataDefinition)
  }

  /**
   * The token movements an EIP-712 message authorises (EIP-2612 and DAI permits, EIP-3009
   * authorizations, Permit2), with each token's metadata (read from the chain for tokens the
   * adapter does not list). Empty for any other message. Runs the strict EIP-712 check first.
   * @throws InvalidArgumentError for typed data that would not be signed
   * @throws RpcError when a token the adapter does not list has to be looked up on chain
   */
  async typedDataSpends(typedData: unknown): Promise<readonly TypedDataSpend[]> {
    // The strict check first, so a message that will not be signed never reaches a policy hook.
    return typedDataSpends(checkTypedData(typedData), this.#chain.id, (id) => this.#tokens.get(id))
  }

  /**
   * EIP-2612 permit, with the token's domain and the owner's nonce read from the chain.
   * @throws InvalidAddressError (token, spender); InvalidArgumentError (value, the native coin,
   *   a non-EVM signer); InvalidCaipIdError, UnknownAssetError (token id); RpcError; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signPermit(signer: Signer, parameters: SignPermitParameters): Promise<EvmSignature & { nonce: bigint; deadline: bigint }> {
    const s = evmSigner(signer)
    const p = assertOptions(parameters)
    const token = await this.#tokenAddress(p.token)
    const spender = checkAddress(p.spender, 'spender')
    const owner = getAddress(s.address)
    const [domain, nonce] = await Promise.all([tokenDomain(this.#client, token), p.nonce ?? permitNonce(this.#client, token, owner)])
    const deadline = p.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600)
    const sig = await signPermitWith(s, { token, chainId: this.#chain.id, ...domain, owner, spender, value: checkValue(p.value), nonce, deadline })
    return { ...sig, nonce, deadline }
  }

  /**
   * EIP-3009 `transferWithAuthorization` (USDC): a transfer someone else can submit.
   * @throws InvalidAddressError (token, to); InvalidArgumentError (value, times, nonce, the native
   *   coin, a non-EVM signer); InvalidCaipIdError, UnknownAssetError (token id); RpcError; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signTransferAuthorization(signer: Signer, parameters: SignTransferAuthorizationParameters) {
    const s = evmSigner(signer)
    const p = assertOptions(parameters)
    const token = await this.#tokenAddress(p.token)
    return signTransferAuthorizationWith(s, {
      token,
      chainId: this.#chain.id,
      ...(await tokenDomain(this.#client, token)),
      from: getAddress(s.address),
      to: checkAddress(p.to, 'to'),
      value: checkValue(p.value),
      ...(p.validAfter === undefined ? {} : { validAfter: p.validAfter }),
      validBefore: p.validBefore ?? BigInt(Math.floor(Date.now() / 1000) + 3600),
      ...(p.nonce === undefined ? {} : { nonce: p.nonce }),
    })
  }

  async #tokenAddress(token: unknown): Promise<`0x${string}`> {
    if (typeof token === 'string' && token.startsWith('0x')) return checkAddress(token, 'token')
    const asset: EvmAsset = await this.#tokens.get(token as AssetId)
    if (!asset.address) throw new InvalidArgumentError('The native coin has no permit; pass a token.')
    return asset.address
  }

  /** Runs a network call under the adapter's overall deadline. */
  #deadline<T>(what: string, task: () => Promise<T>, onTimeout?: () => Error): Promise<T> {
    const ms = this.#deadlineMs
    return withDeadline(ms, onTimeout ?? (() => new DeadlineExceededError(`${what} did not finish within ${ms} ms.`, { details: { deadlineMs: ms } })), task)
  }

  /** Checks once that the node serves the configured chain. @throws ChainMismatchError */
  async #verifyChain(): Promise<void> {
    this.#chainChecked ??= rpc('Reading the chain id', () => this.#client.request({ method: 'eth_chainId' })).then(
      (hex) => {
        const reported = Number(BigInt(hex))
        if (reported !== this.#chain.id) {
          this.#chainChecked = undefined
          throw new ChainMismatchError(`The node reports chain ${reported}, but this adapter is for ${this.#chain.name} (${this.#chain.id}); refusing to sign for it.`, {
            details: { expected: this.#chain.id, reported },
          })
        }
      },
      (error: unknown) => {
        this.#chainChecked = undefined
        throw error
      },
    )
    return this.#chainChecked
  }
}

/**
 * An EVM ChainAdapter: `evm({ chain: 'eip155:1', rpcUrls: ['https://…'] })`. Makes no request.
 * @throws InvalidCaipIdError for a chain id in the wrong form (`'31337'`, `31337`, `'eip155-1'`:
 *   the message suggests the right one); InvalidArgumentError for other bad options (a non-EVM
 *   chain, a chain the registry does not know without a viem Chain, bad URLs or tokens)
 */
export function evm(options: EvmAdapterOptions): EvmAdapter {
  return new EvmAdapter(options)
}
