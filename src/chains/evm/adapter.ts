/**
 * The EVM adapter: native coins and ERC-20 stablecoins on any EVM chain, through viem's
 * JSON-RPC client. `evm({ chain, rpcUrls })` returns one; see the ChainAdapter contract for
 * the shared calls and this class for the EVM extras (speed-up, cancel, message, typed-data,
 * permit and EIP-3009 signatures).
 * @module
 */
import type { PublicClient, TypedDataDefinition } from 'viem'
import { assertInteger, assertOneOf, assertOptions } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { DeadlineExceededError, InsufficientFundsError, InvalidArgumentError, NotSupportedError } from '../../core/errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'
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
  ReplaceTransactionOptions,
  SendTransferOptions,
  SignedTransaction,
  TransactionStatus,
  TransferQuote,
  TransferRequest,
} from '../adapter.js'
import type { TransferScan, TypedDataSpend, UnsignedTransaction, WaitOptions } from '../adapter.js'
import { readBalances, type MulticallState } from './balances.js'
import { scanTransfers } from './transfer-logs.js'
import { ChainVerifier, resolveChain } from './networks.js'
import { checkDeadline, withDeadline } from '../../core/deadline.js'
import { broadcastChecked, lostBroadcast, rebroadcastRetry, sendInOrder, type BroadcastContext } from './broadcast.js'
import { createClient, createSendClients, transportOptions } from './client.js'
import { historySettings, readHistory, type HistorySettings } from './history.js'
import type { KeyValueStore } from '../../core/store.js'
import { Journal } from './journal.js'
import { NonceManager } from './nonces.js'
import { quoteTransfer, type QuoteContext } from './quote.js'
import { evmSigner, signMessage, signTypedData, type EvmSignature } from './signing.js'
import { readBlockAt, readLatestBlock, transactionStatus } from './status.js'
import { waitUntil } from '../wait.js'
import { TokenBook, type EvmTokenConfig } from './tokens.js'
import { signPermit, signTransferAuthorization, type SignPermitParameters, type SignTransferAuthorizationParameters } from './permits.js'
import { replaceTransaction, type ReplaceOptions } from './replace.js'
import { typedDataSpends } from './typed-data-spends.js'
import { checkTypedData } from './typed-data-check.js'
import { buildTransfer, signEvmTransaction } from './transaction.js'
import { quoteSponsored, stablecoinGas, type StablecoinGas, type StablecoinGasOptions } from './stablecoin-gas.js'
import { isSponsoredQuote, operationRecords, sendSponsored, type OperationRecord } from './sponsored-send.js'
import { operationStatus } from './operation-status.js'
import type { Records } from '../broadcast-records.js'
import {
  checkAddress,
  checkAddresses,
  checkMatchAddresses,
  checkHash,
  checkQuote,
  checkScanRange,
  checkSendOptions,
  checkSigned,
  checkPayments,
  checkTransferRequest,
  checkTransport,
  positiveInt,
} from './validate.js'

export type { ReplaceOptions } from './replace.js'
export type { StablecoinGasOptions } from './stablecoin-gas.js'

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
  /**
   * Pay gas in the stablecoin sent (`quoteTransfer({ …, gas: 'stablecoin' })`): an ERC-4337
   * bundler and a token paymaster service (see docs/smart-accounts.md). The account's own
   * address is delegated to Simple7702Account v0.8 by its first such operation.
   */
  stablecoinGas?: StablecoinGasOptions
}

/** A ChainAdapter for one EVM chain. Create with {@link evm}. */
export class EvmAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities
  /** Chain, clients, tokens, nonces, journal and tuning, as the core files take them. */
  readonly #ctx: BroadcastContext & QuoteContext
  readonly #deadlineMs: number
  readonly #multicall: MulticallState
  readonly #chunkSize: number
  readonly #history: HistorySettings
  readonly #gas: StablecoinGas | undefined
  readonly #operations: Records<OperationRecord>

  constructor(options: EvmAdapterOptions) {
    const opts = assertOptions(options)
    const urls = checkTransport(opts.rpcUrls, opts.fetch)
    const chain = resolveChain(opts.chain, urls, opts.multicall)
    this.chainId = chain.caip2
    this.nativeAsset = chain.nativeAsset
    this.testnet = chain.testnet
    const transport = transportOptions(urls, opts)
    const client = createClient(chain.viem, transport) as PublicClient
    const send = createSendClients(chain.viem, transport) as PublicClient[]
    this.#deadlineMs = checkDeadline(opts.deadlineMs)
    const retry = rebroadcastRetry(opts.rebroadcast)
    const tokens = new TokenBook(chain, client, opts.tokens ?? [])
    this.#multicall = { address: chain.multicall3 }
    const nonces = new NonceManager(client)
    const journal = new Journal(chain.id, opts.journalStorage)
    this.#chunkSize = positiveInt(opts.balanceChunkSize, 'balanceChunkSize', 500, 5_000)
    const gasMargin = BigInt(positiveInt(opts.gasMarginPercent, 'gasMarginPercent', 120, 1_000))
    this.#history = historySettings(opts.history)
    const verifier = new ChainVerifier(client, chain)
    this.#gas =
      opts.stablecoinGas === undefined
        ? undefined
        : stablecoinGas(opts.stablecoinGas, transport as { timeoutMs: number; retryCount: number })
    this.#operations = operationRecords(chain.id, opts.journalStorage)
    this.capabilities = Object.freeze({
      history: true,
      replaceTransaction: true,
      cancelTransaction: true,
      signMessage: true,
      signTypedData: true,
      sendMax: true,
      tokens: true,
      balancesAt: true,
      transfers: true,
      stablecoinGas: this.#gas !== undefined,
      mempool: false,
    })
    this.#ctx = {
      chain,
      client,
      send,
      retry,
      tokens,
      nonces,
      journal,
      gasMargin,
      verifyChain: () => verifier.verify(),
      balances: (p) => this.getBalances(p),
    }
  }

  /** The viem public client (for reads coffer does not wrap). */
  get client(): PublicClient {
    return this.#ctx.client
  }

  /**
   * Native coin first, then registry and configured tokens.
   * @throws RpcError when a configured token's missing symbol or decimals cannot be read from its contract
   */
  async assets(): Promise<readonly AssetInfo[]> {
    return this.#ctx.tokens.list()
  }

  /** EIP-55 enforced on mixed case. Never throws: anything but a valid address is false. */
  isValidAddress(address: string): boolean {
    return isValidEvmAddress(address)
  }

  /**
   * Native and ERC-20 balances at one block, through Multicall3 in a JSON-RPC batch: one HTTP
   * request once the chain has shown that the block number read inside a call is its own (the
   * first read checks it; a chunk that answered from a newer block is read again pinned), else
   * two (block number, then the batch), and one when `blockHeight` pins the block. With
   * `confirmations` above 1 the block number is asked first, the balance that many blocks deep
   * rides in the same batch and the difference is `pending`.
   * @throws InvalidAddressError, InvalidArgumentError for bad parameters (before any request);
   *   InvalidCaipIdError, UnknownAssetError for an asset id this adapter cannot read; RpcError;
   *   DeadlineExceededError past `deadlineMs`
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    return this.#deadline('Reading balances', async () => {
      const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
      const checked = checkAddresses(addresses)
      const list = await this.#ctx.tokens.pick(assets)
      return readBalances(this.#ctx.client, this.#ctx.chain, this.#multicall, checked, list, this.#chunkSize, {
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
      const checked = checkMatchAddresses(addresses)
      const { from, to } = checkScanRange(fromBlock, toBlock, this.#history.chunkBlocks)
      return scanTransfers(
        this.#ctx.client,
        this.#ctx.chain,
        checked,
        await this.#ctx.tokens.pick(assets),
        from,
        to,
        this.#history.chunkBlocks,
      )
    })
  }

  /**
   * Prices a transfer at every fee level and checks amount + fee against balances.
   * @throws InsufficientFundsError before anything is signed; InvalidAddressError (`from`, `to`),
   *   InvalidAmountError / InvalidArgumentError (amount, fee level) before any request;
   *   InvalidCaipIdError, UnknownAssetError (the asset); ChainMismatchError (the node serves
   *   another chain); RpcError; DeadlineExceededError
   */
  async quoteTransfer(request: TransferRequest): Promise<TransferQuote> {
    const { gas = 'native', payments, ...rest } = assertOptions(request) as TransferRequest
    assertOneOf(gas, 'gas', ['native', 'stablecoin', 'auto'])
    const checked = checkTransferRequest(rest)
    const sponsor = this.#gas
    if (gas === 'stablecoin' && !sponsor)
      throw new NotSupportedError('This adapter pays gas in ETH only: give it stablecoinGas (a bundler and a token paymaster).')
    const batch = payments === undefined ? undefined : checkPayments(payments, checked)
    if (batch && gas !== 'stablecoin')
      throw new NotSupportedError("A batch of payments is one ERC-4337 operation here: quote it with gas: 'stablecoin'.")
    return this.#deadline('Quoting the transfer', async () => {
      const sponsored = async () => {
        if (!sponsor) throw new NotSupportedError('stablecoinGas is not configured.')
        const asset = await this.#ctx.tokens.get(rest.asset)
        return quoteSponsored(this.#ctx, sponsor, checked.from, asset, batch ?? [{ to: checked.to, amount: checked.amount }], checked.level)
      }
      if (gas === 'stablecoin') return sponsored()
      try {
        return await quoteTransfer(this.#ctx, checked)
      } catch (error) {
        // 'auto': no ETH for the fee → the fee in the token, when this adapter can.
        if (gas !== 'auto' || !sponsor || !(error instanceof InsufficientFundsError)) throw error
        const asset = await this.#ctx.tokens.get(rest.asset)
        if (asset.kind !== 'token') throw error
        return sponsored()
      }
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
    if (quote && typeof quote === 'object' && isSponsoredQuote(quote))
      throw new NotSupportedError(
        'A quote with the fee in a stablecoin is an ERC-4337 operation, not a transaction: send it with sendTransfer.',
      )
    const { quote: q, call } = checkQuote(quote, this.chainId)
    return buildTransfer(this.#ctx, q, call, sending)
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
    const { signed: checked, tx, from, nonce } = await checkSigned(signed, this.#ctx.chain)
    return this.#deadline(
      'Broadcasting',
      () => broadcastChecked(this.#ctx, checked, tx, from, nonce, false),
      () => lostBroadcast(checked, nonce, this.#deadlineMs),
    )
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
    const s = evmSigner(signer)
    const onSigned = checkSendOptions(options)
    if (quote && typeof quote === 'object' && quote.details && isSponsoredQuote(quote)) {
      const gas = this.#gas
      if (!gas) throw new NotSupportedError('This quote pays gas in a stablecoin; this adapter has no stablecoinGas.')
      if (quote.chainId !== this.chainId) throw new InvalidArgumentError(`This quote is for ${String(quote.chainId)}, not ${this.chainId}.`)
      const ctx = { ...this.#ctx, gas, operations: this.#operations }
      return this.#deadline('Sending the operation', () => sendSponsored(ctx, quote, s, onSigned))
    }
    const deadline = <T>(what: string, task: () => Promise<T>, onTimeout?: () => Error) => this.#deadline(what, task, onTimeout)
    const steps = {
      deadlineMs: this.#deadlineMs,
      deadline,
      build: () => this.#build(quote, true),
      sign: (u: UnsignedTransaction) => this.signTransaction(u, signer),
    }
    return sendInOrder({ ...this.#ctx, ...steps }, onSigned)
  }

  /**
   * Waits for `confirmations` (default 1).
   * @throws TransactionTimeoutError (it may still confirm later); InvalidArgumentError for a
   *   malformed hash or options; DataIntegrityError (the node answered another transaction's receipt); RpcError
   */
  async waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus> {
    const checked = checkHash(hash)
    // Each poll is a getTransaction, under the adapter's deadline: a node that stops answering ends the wait.
    return waitUntil(() => this.getTransaction(checked), options, this.#ctx.chain.blockTimeMs)
  }

  /**
   * Pending, confirmed (with fee paid), failed, or dropped (with its replacement when known).
   * @throws InvalidArgumentError for a malformed hash; DataIntegrityError; RpcError; DeadlineExceededError
   */
  async getTransaction(hash: string): Promise<TransactionStatus> {
    const checked = checkHash(hash)
    return this.#deadline('Reading the transaction', async () => {
      const operation = this.#gas ? await this.#operations.get(checked) : undefined
      if (operation && this.#gas) return operationStatus(this.#ctx.client, this.#gas.bundler, operation)
      return transactionStatus(this.#ctx.client, this.#ctx.chain, this.#ctx.journal, checked)
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
      const assets = await this.#ctx.tokens.pick(opts.assets)
      return readHistory(this.#ctx.client, this.#ctx.chain, this.#ctx.journal, a, assets, opts, this.#history)
    })
  }

  /** Height, hash and parent hash of the newest block. @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#deadline('Reading the latest block', () => readLatestBlock(this.#ctx.client))
  }

  /** Height, hash and parent hash of the block at `height`. @throws InvalidArgumentError, RpcError, DeadlineExceededError */
  async blockAt(height: number): Promise<BlockRef> {
    return this.#deadline('Reading a block', async () =>
      readBlockAt(this.#ctx.client, BigInt(assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER))),
    )
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

  #replace(hash: `0x${string}`, signer: Signer | AccountSigner, options: ReplaceOptions, cancel: boolean): Promise<string> {
    return this.#deadline('Replacing the transaction', () => replaceTransaction(this.#ctx, hash, signer, options, cancel))
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
    return typedDataSpends(checkTypedData(typedData), this.#ctx.chain.id, (id) => this.#ctx.tokens.get(id))
  }

  /**
   * EIP-2612 permit, with the token's domain and the owner's nonce read from the chain.
   * @throws InvalidAddressError (token, spender); InvalidArgumentError (value, the native coin,
   *   a non-EVM signer); InvalidCaipIdError, UnknownAssetError (token id); RpcError; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signPermit(signer: Signer, parameters: SignPermitParameters): Promise<EvmSignature & { nonce: bigint; deadline: bigint }> {
    return signPermit(this.#ctx, signer, parameters)
  }

  /**
   * EIP-3009 `transferWithAuthorization` (USDC): a transfer someone else can submit.
   * @throws InvalidAddressError (token, to); InvalidArgumentError (value, times, nonce, the native
   *   coin, a non-EVM signer); InvalidCaipIdError, UnknownAssetError (token id); RpcError; VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError
   */
  async signTransferAuthorization(signer: Signer, parameters: SignTransferAuthorizationParameters) {
    return signTransferAuthorization(this.#ctx, signer, parameters)
  }

  /** Runs a network call under the adapter's overall deadline. */
  #deadline<T>(what: string, task: () => Promise<T>, onTimeout?: () => Error): Promise<T> {
    const ms = this.#deadlineMs
    return withDeadline(
      ms,
      onTimeout ?? (() => new DeadlineExceededError(`${what} did not finish within ${ms} ms.`, { details: { deadlineMs: ms } })),
      task,
    )
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
