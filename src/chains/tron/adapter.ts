/**
 * The TRON adapter: TRX and TRC-20 tokens (USDT) over TronGrid's HTTP API (java-tron's
 * `/wallet/*` and `/walletsolidity/*`, TronGrid's `/v1/accounts/*`), behind the same
 * ChainAdapter contract as the other chains.
 *
 * Money safety: the node's genesis block must be the chain's before anything is quoted, built or
 * sent; transactions are built here (protobuf encoded locally, TaPoS from the solidified block),
 * never by the node (`createtransaction` / `triggersmartcontract` bytes are never signed); the
 * signer decodes `raw_data` and checks every field against the summary (owner, contract,
 * recipient, amount, fee_limit ≤ fee, expiration); a broadcast whose answer is lost is looked up
 * by txID and re-sent as the same bytes (a txID lands at most once), and stays "maybe sent"
 * (BroadcastUnknownError) when it cannot be settled; a transaction is `dropped` only once the
 * head block passed its expiration and no node knows it. TRON has no replacement by fee: a stuck
 * transfer expires (60 s by default) and only then may be paid again.
 *
 * Fees: TRON has no fee market. A TRC-20 transfer costs energy (staked energy first, then TRX
 * burned at the chain's energy price, capped by the transaction's `fee_limit`) and bandwidth
 * (free or staked bandwidth first, then burned); TRX sent to a new account pays its activation.
 * The quote prices all three as java-tron charges them; `fee.amount` is the most the transfer
 * can cost. See docs/tron-fees.md.
 * @module
 */
import { assertOneOf, assertOptions, isIntegerIn } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { checkDeadline, withDeadline } from '../../core/deadline.js'
import {
  BroadcastUnknownError,
  ChainMismatchError,
  DeadlineExceededError,
  InvalidArgumentError,
  NotSupportedError,
} from '../../core/errors.js'
import type { KeyValueStore } from '../../core/store.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import type { AccountSigner, Secp256k1Signer, Signer } from '../../keys/signer.js'
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
  MessageSignature,
  SendTransferOptions,
  SignedTransaction,
  TransactionStatus,
  TransferQuote,
  TransferRequest,
  TransferScan,
  UnsignedTransaction,
  WaitOptions,
} from '../adapter.js'
import { Records } from '../broadcast-records.js'
import { checkSendOptions } from '../call-checks.js'
import { waitUntil } from '../wait.js'
import { readTronBalances } from './balances.js'
import { broadcastTron, checkWire, tronTransactionLanded } from './broadcast.js'
import { tronClient, type TronClientOptions } from './client.js'
import type { TronCall, TronContext, TronSentRecord, TronToken } from './context.js'
import { readTronHistory } from './history.js'
import { V1_MAX_LIMIT } from './v1.js'
import { signTronMessage } from './message.js'
import {
  TRON_CHAIN_ID,
  TRON_NETWORK_NAMES,
  TRON_NETWORKS,
  TRX_DECIMALS,
  normalizeTronChainId,
  trc20AssetId,
  tronChainId,
  tronNetworkOf,
  trxAssetId,
  type TronNetworkName,
} from './networks.js'
import { decodeRawTransaction } from './protobuf.js'
import { quoteTronTransfer } from './quote.js'
import { tronTokensOf } from './registry.js'
import { signTronTransaction } from './signing.js'
import { readTronBlockAt, readTronLatestBlock, readTronStatus } from './status.js'
import { buildTronTransaction } from './transaction.js'
import { scanTronTransfers } from './transfers.js'
import {
  checkAddress,
  checkBalanceQuery,
  checkQuote,
  checkTransfers,
  checkHistory,
  checkSigned,
  checkTokens,
  checkTransferRequest,
  checkTxId,
  type TronTokenConfig,
} from './validate.js'

export type { TronTokenConfig } from './validate.js'

/** Options of {@link tron}. */
export interface TronAdapterOptions {
  /** A public network by name, default `'mainnet'` (unless `chain` is given). */
  network?: TronNetworkName
  /** Any TRON chain by its CAIP-2 id (`tron:0x` + the genesis block id's last 8 hex digits), e.g. a local test chain. */
  chain?: ChainId
  /** TronGrid (or java-tron full node + TronGrid-compatible `/v1`) base URLs, tried in turn on retries. */
  apiUrls: readonly string[]
  /** TronGrid API key, sent only in the `TRON-PRO-API-KEY` header; never in a message or a log. */
  apiKey?: string
  /** Timeouts and retries of the HTTP client. */
  http?: Omit<TronClientOptions, 'apiKey'>
  /** TRC-20s to list besides the registry's (USDT on mainnet). */
  tokens?: readonly TronTokenConfig[]
  /** How long a built transaction stays valid after the head block, ms: default 60,000 (TronWeb's), 3,000 to 86,100,000. */
  expirationMs?: number
  /** Keep the record of what was broadcast across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: KeyValueStore
  /**
   * Overall deadline of every call that touches the network, default 60,000 ms (1 to
   * 3,600,000). Past it: DeadlineExceededError; BroadcastUnknownError for a broadcast.
   */
  deadlineMs?: number
}

/** Options of {@link TronAdapter.buildTransfer}. */
export interface TronBuildOptions {
  /**
   * How long the transaction stays valid after the head block, ms (default: the adapter's
   * `expirationMs`, 60,000): up to 86,100,000 (java-tron refuses more than 24 hours), for a signer
   * that is a walk away.
   */
  readonly expirationMs?: number
}

/** TRON seals a block every 3 seconds. */
const BLOCK_MS = 3_000

/** A ChainAdapter for TRON. Create with {@link tron}. */
export class TronAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly testnet: boolean
  /** The network's name when it is a public one. */
  readonly network: TronNetworkName | undefined
  readonly capabilities: AdapterCapabilities = Object.freeze({
    history: true,
    replaceTransaction: false,
    cancelTransaction: false,
    signMessage: true,
    signTypedData: false,
    sendMax: true,
    tokens: true,
    balancesAt: false,
    transfers: true,
    stablecoinGas: false,
    mempool: false,
  })
  readonly #context: TronContext
  readonly #deadlineMs: number
  readonly #expirationMs: number | undefined
  readonly #sent: Records<TronSentRecord>
  #chainChecked: Promise<void> | undefined

  constructor(options: TronAdapterOptions) {
    const opts = assertOptions(options)
    let chainId: ChainId
    if (opts.chain !== undefined) {
      const normalized = typeof opts.chain === 'string' ? normalizeTronChainId(opts.chain) : undefined
      if (!normalized || !TRON_CHAIN_ID.test(normalized))
        throw new InvalidArgumentError('chain must be a TRON CAIP-2 id: tron:0x + the last 8 hex digits of the genesis block id.')
      chainId = normalized
      if (opts.network !== undefined && TRON_NETWORKS[assertOneOf(opts.network, 'network', TRON_NETWORK_NAMES)].chainId !== chainId)
        throw new InvalidArgumentError(`network ${opts.network} is not ${chainId}.`)
    } else {
      chainId = TRON_NETWORKS[assertOneOf(opts.network ?? 'mainnet', 'network', TRON_NETWORK_NAMES)].chainId
    }
    const network = tronNetworkOf(chainId)
    this.chainId = chainId
    this.network = network?.name
    this.nativeAsset = trxAssetId(chainId)
    // A chain coffer does not know (a local test chain) is a test network.
    this.testnet = network?.testnet ?? true
    const registry = (network ? tronTokensOf(network.name) : []).map((t): TronToken =>
      Object.freeze({
        asset: trc20AssetId(chainId, t.contract),
        contract: t.contract,
        symbol: t.symbol,
        name: t.name,
        decimals: t.decimals,
        family: t.family,
      }),
    )
    const http = assertOptions(opts.http, 'http')
    if ('apiKey' in http) throw new InvalidArgumentError('Pass apiKey at the top level of the options, not in http.')
    const client = tronClient(opts.apiUrls as readonly string[], { ...http, ...(opts.apiKey === undefined ? {} : { apiKey: opts.apiKey }) })
    if (opts.expirationMs !== undefined && !isIntegerIn(opts.expirationMs, 3_000, 86_100_000))
      throw new InvalidArgumentError('expirationMs must be an integer from 3,000 to 86,100,000 (java-tron refuses more than 24 hours).')
    this.#expirationMs = opts.expirationMs
    this.#context = Object.freeze({
      chainId,
      nativeAsset: this.nativeAsset,
      client,
      tokens: Object.freeze(checkTokens(opts.tokens, chainId, registry)),
    })
    this.#deadlineMs = checkDeadline(opts.deadlineMs)
    // A storage key is lower-case letters, digits and dashes: `tron-2b6653dc-journal`.
    this.#sent = new Records<TronSentRecord>(`tron-${chainId.slice(7)}-journal`, opts.journalStorage)
  }

  /** TRX and the listed TRC-20s (the registry's for the network, then the configured ones). Never throws. */
  async assets(): Promise<readonly AssetInfo[]> {
    const trx: AssetInfo = {
      id: this.nativeAsset,
      chainId: this.chainId,
      symbol: 'TRX',
      name: 'TRON',
      decimals: TRX_DECIMALS,
      kind: 'native',
      family: 'TRX',
    }
    const tokens = this.#context.tokens.map((t): AssetInfo => ({
      id: t.asset,
      chainId: this.chainId,
      symbol: t.symbol,
      name: t.name,
      decimals: t.decimals,
      kind: 'token',
      address: t.contract,
      ...(t.family ? { family: t.family } : {}),
    }))
    return [trx, ...tokens]
  }

  /** Base58check, 34 characters starting with T. Never throws. */
  isValidAddress(address: string): boolean {
    return isValidTronAddress(address)
  }

  /**
   * TRX and TRC-20 balances of many addresses: TronGrid's `/v1/accounts/<address>` (TRX and every
   * TRC-20 held, one request per address, a few at once). An account never activated holds 0.
   * @throws InvalidAddressError / InvalidArgumentError for bad parameters; UnknownAssetError;
   *   NotSupportedError for a `blockHeight` other than the head; RpcError; DeadlineExceededError
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const q = checkBalanceQuery(parameters, this.#context)
    const balances = await this.#run('Reading balances', (call) => readTronBalances(call, q.addresses, q.assets, q.confirmations))
    const height = balances[0]?.blockHeight
    if (q.blockHeight !== undefined && height !== undefined && height !== q.blockHeight)
      throw new NotSupportedError(`The Tron adapter reads the newest block only (${height}), not block ${q.blockHeight}.`, {
        details: { chainId: this.chainId },
      })
    return balances
  }

  /**
   * Prices a transfer and checks funds: TRX for amount + activation + bandwidth; a TRC-20 for the
   * tokens AND the TRX its energy and bandwidth may burn (refused in plain words when missing).
   * `fee.details` says the energy and bandwidth needed, what the account's staked and free
   * resources cover, and what burns.
   * @throws InsufficientFundsError; InvalidAddressError, InvalidArgumentError, UnknownAssetError,
   *   NotSupportedError (payment references) before any request; TransactionRejectedError (the
   *   token refuses the transfer: paused, blacklisted); ChainMismatchError; RpcError; DeadlineExceededError
   */
  async quoteTransfer(request: TransferRequest): Promise<TransferQuote> {
    const checked = checkTransferRequest(request, this.#context)
    return this.#run('Quoting the transfer', async (call) => {
      await this.#checkChain(call)
      return quoteTronTransfer(call.client, call, checked, { signal: call.signal })
    })
  }

  /**
   * The quote as an unsigned transaction (`Transaction.raw` encoded here, hex) with its summary;
   * TaPoS from the solidified block, valid for `expirationMs` (default 60 s) after the head; its
   * `payload.expiration` (ms since the epoch) says until when.
   * @throws InvalidArgumentError for a quote of another chain or adapter; ChainMismatchError; RpcError; DeadlineExceededError
   */
  async buildTransfer(quote: TransferQuote, options?: TronBuildOptions): Promise<UnsignedTransaction> {
    const q = checkQuote(quote, this.chainId)
    const expirationMs = assertOptions(options).expirationMs ?? this.#expirationMs
    if (expirationMs !== undefined && !isIntegerIn(expirationMs, 3_000, 86_100_000))
      throw new InvalidArgumentError('expirationMs must be an integer from 3,000 to 86,100,000 (java-tron refuses more than 24 hours).')
    const d = q.details as { kind: 'trx' | 'trc20'; contract?: string; feeLimit: string; maxFee: string; memo?: string }
    if (q.fee.amount !== BigInt(d.maxFee))
      throw new InvalidArgumentError('quote.fee.amount is not the quote’s maxFee: quote again rather than edit a quote.')
    const plan = {
      from: q.from,
      to: q.to,
      kind: d.kind,
      ...(d.kind === 'trc20' ? { contract: d.contract as string, feeLimit: BigInt(d.feeLimit) } : {}),
      amount: q.amount as bigint,
      maxFee: q.fee.amount,
      ...(d.memo === undefined ? {} : { memo: d.memo }),
    }
    return this.#run('Building the transfer', async (call) => {
      await this.#checkChain(call)
      return buildTronTransaction(call.client, plan, {
        chainId: this.chainId,
        signal: call.signal,
        ...(expirationMs === undefined ? {} : { expirationMs }),
      })
    })
  }

  /**
   * Signs offline after decoding `raw_data` and checking it against the summary (owner, contract,
   * recipient, amount, fee_limit, expiration).
   * @throws InvalidArgumentError (bytes that do not do what the summary says, another chain, a
   *   signer that is not this sender's TRON key); SignatureVerificationError; VaultLockedError / KeyWipedError
   */
  async signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
    return signTronTransaction(this.chainId, this.nativeAsset, this.#context.tokens, unsigned, this.#tronSigner(signer))
  }

  /**
   * Sends a signed transaction (`/wallet/broadcasthex`); returns its txID. A lost answer is
   * followed by lookups and re-sends of the same bytes; a transaction the node already has is not an error.
   * It is recorded first with the expiration its bytes carry, so a transaction signed elsewhere
   * (offline) is also judged `dropped` once it can never land.
   * @throws TransactionRejectedError when the node refused it (SIGERROR, TAPOS_ERROR, TRANSACTION_EXPIRATION_ERROR,
   *   BANDWITH_ERROR…); BroadcastUnknownError when its fate stays unknown (maybe sent: never pay again);
   *   InvalidArgumentError for bytes that are not a signed transaction of this chain; ChainMismatchError
   */
  async broadcast(signed: SignedTransaction): Promise<string> {
    const s = checkSigned(signed, this.chainId)
    return this.#run(
      'Broadcasting',
      async (call) => {
        await this.#checkChain(call)
        await this.#record(s)
        return broadcastTron(call.client, s, (hash) => tronTransactionLanded(call.client, hash, call.signal), { signal: call.signal })
      },
      () =>
        new BroadcastUnknownError(
          `Broadcasting ${s.hash} did not finish within ${this.#deadlineMs} ms; it may be on its way. Look it up by its txID; do not pay again.`,
          s,
          { details: { deadlineMs: this.#deadlineMs } },
        ),
    )
  }

  /**
   * build → sign → broadcast, recording the send (with its expiration, so `getTransaction` can say
   * `dropped` once it can never land). `options.onSigned` sees the signed transaction before it is
   * broadcast (if it throws, nothing is broadcast).
   * @throws BroadcastUnknownError (maybe sent: never pay again), TransactionRejectedError (refused:
   *   nothing sent); what buildTransfer and signTransaction throw; whatever `options.onSigned` throws
   */
  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options?: SendTransferOptions): Promise<string> {
    const onSigned = checkSendOptions(options)
    const unsigned = await this.buildTransfer(quote)
    const signed = await this.signTransaction(unsigned, signer)
    await onSigned?.(signed)
    // Recorded before the broadcast: a crash or a lost answer still leaves the expiration to judge it by.
    await this.#sent.add({
      hash: signed.hash,
      from: signed.from,
      raw: signed.raw,
      expiration: unsigned.payload.expiration as number,
      time: Date.now(),
      to: quote.to,
      asset: quote.asset,
      amount: String(quote.amount),
    })
    return this.broadcast(signed)
  }

  /** TRON has no replacement by fee. @throws NotSupportedError */
  async replaceTransaction(_hash: string, _signer: Signer | AccountSigner): Promise<string> {
    throw new NotSupportedError(
      'TRON transactions cannot be replaced: there is no fee market, and a second signed version could land too. A stuck transaction expires (getTransaction then says dropped); pay again only after that.',
      { details: { chainId: this.chainId } },
    )
  }

  /**
   * Signs a message as TronWeb's `signMessageV2` does (TIP-191: "\x19TRON Signed Message:\n" +
   * length + message, keccak256, secp256k1); `0x` + r + s + v. Offline.
   * @throws InvalidArgumentError for a signer that is not a TRON signer, or an empty or oversized message
   */
  async signMessage(signer: Signer | AccountSigner, message: string | Uint8Array): Promise<MessageSignature> {
    return signTronMessage(this.#tronSigner(signer), message)
  }

  /** Typed data (TIP-712) is not signed by this adapter (`capabilities.signTypedData` is false). @throws NotSupportedError */
  async signTypedData(_signer: Signer | AccountSigner, _typedData: unknown): Promise<MessageSignature> {
    throw new NotSupportedError('The Tron adapter does not sign typed data (TIP-712); sign a message instead.', {
      details: { chainId: this.chainId },
    })
  }

  /**
   * `pending` (not in a block yet), `confirmed` (with the TRX it burned, and 19+ confirmations once
   * solidified), `failed` (REVERT, OUT_OF_ENERGY…: the fee still burned), or `dropped` once the head
   * passed the expiration of a transaction this adapter sent and no node knows it (the node's chain is
   * checked first for such a transaction: a node of another chain never knows it).
   * @throws InvalidArgumentError for a malformed txID; ChainMismatchError; DataIntegrityError; RpcError; DeadlineExceededError
   */
  async getTransaction(hash: string): Promise<TransactionStatus> {
    const h = checkTxId(hash)
    return this.#run('Reading the transaction', async (call) => {
      const record = await this.#sent.get(h)
      // "dropped" (pay again) is said only by this chain's node: another chain's never knows our txID.
      if (record) await this.#checkChain(call)
      return readTronStatus(call.client, h, {
        nativeAsset: this.nativeAsset,
        signal: call.signal,
        ...(record ? { record: { expiration: record.expiration } } : {}),
      })
    })
  }

  /**
   * Polls until `confirmations` (19 = solidified) or the transaction failed or was dropped.
   * @throws TransactionTimeoutError; InvalidArgumentError; RpcError; DeadlineExceededError
   */
  async waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus> {
    const h = checkTxId(hash)
    return waitUntil(() => this.getTransaction(h), options, BLOCK_MS)
  }

  /**
   * TRX and TRC-20 movements of an address, newest first (TronGrid's account transaction endpoints).
   * `limit` 1 to 1,000 as on every adapter; TronGrid lists 200 at most per request, so a page
   * holds at most 200 items (and a cursor when there are more).
   * @throws InvalidAddressError; InvalidArgumentError (a cursor of another query); UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getHistory(address: string, options?: HistoryOptions): Promise<HistoryPage> {
    const a = checkAddress(address, 'address')
    const q = checkHistory(options, this.#context, 1000)
    return this.#run('Reading history', (call) => readTronHistory(call, a, { ...q, limit: Math.min(q.limit, V1_MAX_LIMIT) }))
  }

  /**
   * TRX and TRC-20 transfers touching the addresses in a block range.
   * @throws InvalidAddressError / InvalidArgumentError (a range too long); UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getTransfers(parameters: GetTransfersParameters): Promise<TransferScan> {
    const q = checkTransfers(parameters, this.#context)
    return this.#run('Scanning transfers', (call) => scanTronTransfers(call, q))
  }

  /** The head block. @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#run('Reading the newest block', (call) => readTronLatestBlock(call.client, call.signal))
  }

  /** The block at `height`. @throws InvalidArgumentError (negative, or above the head), RpcError, DeadlineExceededError */
  async blockAt(height: number): Promise<BlockRef> {
    if (!isIntegerIn(height, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError('A block height is a non-negative integer.')
    return this.#run(`Reading block ${height}`, async (call) => {
      const block = await readTronBlockAt(call.client, height, call.signal)
      if (!block) throw new InvalidArgumentError(`Block ${height} is above the head of ${this.chainId}.`)
      return block
    })
  }

  /**
   * Records a transaction about to be broadcast with the expiration its own bytes carry (signed
   * elsewhere, e.g. offline: `getTransaction` can then say `dropped` once it can never land).
   * A transaction already recorded (by `sendTransfer`, with its summary) is kept as it is; bytes
   * coffer cannot decode are not recorded (never judged dropped).
   */
  async #record(signed: SignedTransaction): Promise<void> {
    if (await this.#sent.get(signed.hash)) return
    let expiration: number
    try {
      expiration = Number(decodeRawTransaction(checkWire(signed)).expiration)
    } catch {
      return // malformed bytes: broadcastTron refuses them; a contract type coffer does not decode: not judged
    }
    if (!Number.isSafeInteger(expiration) || expiration <= 0) return // java-tron refuses it anyway
    await this.#sent.add({ hash: signed.hash, from: signed.from, raw: signed.raw, expiration, time: Date.now() })
  }

  /** A signer of this family, or InvalidArgumentError. */
  #tronSigner(signer: Signer | AccountSigner): Secp256k1Signer {
    if (!signer || typeof signer !== 'object' || 'kind' in signer || signer.curve !== 'secp256k1' || signer.chain !== 'tron')
      throw new InvalidArgumentError('TRON needs a TRON secp256k1 signer (vault.getSigner({ chain: "tron" })). Nothing was signed.')
    return signer
  }

  /** The node serves this chain (its genesis block), checked once. @throws ChainMismatchError */
  async #checkChain(call: TronCall): Promise<void> {
    this.#chainChecked ??= (async () => {
      const genesis = await readTronBlockAt(call.client, 0, call.signal)
      const served = genesis ? tronChainId(genesis.hash) : undefined
      if (served !== this.chainId)
        throw new ChainMismatchError(`The node serves ${served ?? 'a chain without a genesis block'}, not ${this.chainId}.`, {
          details: { expected: this.chainId, reported: genesis?.hash ?? 'none' },
        })
    })()
    try {
      await this.#chainChecked
    } catch (error) {
      this.#chainChecked = undefined
      throw error
    }
  }

  #run<T>(what: string, task: (call: TronCall) => Promise<T>, onDeadline?: () => Error): Promise<T> {
    const ms = this.#deadlineMs
    return withDeadline(
      ms,
      () => onDeadline?.() ?? new DeadlineExceededError(`${what} did not finish within ${ms} ms.`, { details: { deadlineMs: ms } }),
      (signal) => task({ ...this.#context, signal }),
    )
  }
}

/**
 * A TRON ChainAdapter: `tron({ network: 'mainnet', apiUrls: ['https://api.trongrid.io'], apiKey })`,
 * or any chain by `chain`. Makes no request.
 * @throws InvalidArgumentError for bad options (an unknown network, no apiUrls, bad tokens)
 */
export function tron(options: TronAdapterOptions): TronAdapter {
  return new TronAdapter(options)
}
