/**
 * The Solana adapter: SOL and SPL / Token-2022 tokens (USDC, USDT, PYUSD) over JSON-RPC, behind
 * the same ChainAdapter contract as the other chains. Transactions are built with @solana/kit
 * and the official program clients, signed with coffer's ed25519 signer (the key stays in the
 * vault), and confirmed by polling `getSignatureStatuses` (no websocket).
 *
 * Money safety: the node's genesis hash must match the chain before anything is quoted, built
 * or sent; the signer decodes the message and checks it against the summary before signing; a
 * broadcast whose answer is lost is looked up and re-sent as the same bytes (one signature
 * lands at most once), and stays "maybe sent" (BroadcastUnknownError) when it cannot be
 * settled; a transaction is `dropped` only when its blockhash expired or its durable nonce moved
 * on, i.e. when it can never land. There is no replacement by fee on Solana: a second signed
 * version of a payment could land as well, so a stuck payment is waited out until it is dropped.
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
import { isValidSolanaAddress } from '../../keys/address/solana.js'
import type { AccountSigner, Ed25519Signer, Signer } from '../../keys/signer.js'
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
  TransferScan,
  UnsignedTransaction,
  WaitOptions,
} from '../adapter.js'
import { Records } from '../broadcast-records.js'
import { checkSendOptions } from '../call-checks.js'
import { waitUntil } from '../wait.js'
import { readBalances } from './balances.js'
import { broadcastSolana } from './broadcast.js'
import { solanaRpc, type SolanaRpc, type SolanaRpcOptions } from './client.js'
import type { SolanaCall, SolanaCommitment, SolanaContext, SolanaLifetime, SolanaSentRecord, SolanaToken } from './context.js'
import { readHistory } from './history.js'
import { signSolanaMessage } from './message.js'
import { createNonceAccount, readNonceAccount, type NonceAccount } from './nonce.js'
import {
  SLOT_MS,
  SOLANA_CHAIN_ID,
  SOLANA_CLUSTER_NAMES,
  SOLANA_CLUSTERS,
  SOL_DECIMALS,
  solAssetId,
  solanaChainId,
  solanaClusterOf,
  splAssetId,
  type SolanaClusterName,
} from './networks.js'
import { quoteSolanaTransfer, type SolanaTransferRequest } from './quote.js'
import { findReference, type ReferencePayment } from './reference.js'
import { solanaTokensOf } from './registry.js'
import { checkTokens, type SolanaTokenConfig } from './tokens.js'
import { readBlockAt, readLatestBlock, readStatus } from './status.js'
import { buildSolanaTransfer, signSolanaTransaction } from './transaction.js'
import { scanTransfers } from './transfers.js'
import {
  checkAddress,
  checkAsset,
  checkBalanceQuery,
  checkQuote,
  checkTransfers,
  checkHistory,
  checkSignature,
  checkSigned,
  checkTransferRequest,
} from './validate.js'

export type { SolanaTransferRequest } from './quote.js'
export type { SolanaTokenConfig } from './tokens.js'

/** Options of {@link solana}. */
export interface SolanaAdapterOptions {
  /** A public cluster by name, default `'mainnet-beta'` (unless `chain` is given). */
  cluster?: SolanaClusterName
  /** Any cluster by its CAIP-2 id (`solana:<first 32 characters of its genesis hash>`), e.g. a local test cluster. */
  chain?: ChainId
  /** JSON-RPC endpoints, tried in turn on retries. */
  rpcUrls: readonly string[]
  /** Timeouts, retries and batch size of the JSON-RPC client. */
  rpc?: SolanaRpcOptions
  /** Tokens to list besides the registry's USDC / USDT / PYUSD of the cluster. */
  tokens?: readonly SolanaTokenConfig[]
  /** Commitment of reads and quotes, default `'confirmed'`. */
  commitment?: Exclude<SolanaCommitment, 'processed'>
  /**
   * The highest priority fee this adapter pays, µlamports per compute unit, default 5,000,000n
   * (0.001 SOL on a 200,000-unit transaction); a fee level above it makes quotes throw FeeTooHighError.
   */
  maxPriorityFee?: bigint
  /** Keep the record of what was broadcast across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: KeyValueStore
  /**
   * Overall deadline of every call that touches the network, default 60,000 ms (1 to
   * 3,600,000). Past it: DeadlineExceededError; BroadcastUnknownError for a broadcast.
   */
  deadlineMs?: number
}

/** Options of {@link SolanaAdapter.buildTransfer}. */
export interface SolanaBuildOptions {
  /**
   * Use a durable nonce instead of a recent blockhash, for signing that may take longer than a
   * minute (an offline signer): the nonce account (see {@link SolanaAdapter.createNonceAccount})
   * and its authority (default: the sender).
   */
  readonly durableNonce?: { readonly account: string; readonly authority?: string }
}

const DEFAULT_MAX_PRIORITY_FEE = 5_000_000n
/** A ChainAdapter for Solana. Create with {@link solana}. */
export class SolanaAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly testnet: boolean
  /** The cluster's name when it is a public one. */
  readonly cluster: SolanaClusterName | undefined
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
  readonly #context: SolanaContext
  readonly #deadlineMs: number
  readonly #sent: Records<SolanaSentRecord>
  #chainChecked: Promise<void> | undefined

  constructor(options: SolanaAdapterOptions) {
    const opts = assertOptions(options)
    let chainId: ChainId
    if (opts.chain !== undefined) {
      if (typeof opts.chain !== 'string' || !SOLANA_CHAIN_ID.test(opts.chain))
        throw new InvalidArgumentError('chain must be a Solana CAIP-2 id: solana:<first 32 characters of the genesis hash>.')
      chainId = opts.chain as ChainId
      if (opts.cluster !== undefined && SOLANA_CLUSTERS[assertOneOf(opts.cluster, 'cluster', SOLANA_CLUSTER_NAMES)].chainId !== chainId)
        throw new InvalidArgumentError(`cluster ${opts.cluster} is not ${chainId}.`)
    } else {
      chainId = SOLANA_CLUSTERS[assertOneOf(opts.cluster ?? 'mainnet-beta', 'cluster', SOLANA_CLUSTER_NAMES)].chainId
    }
    const cluster = solanaClusterOf(chainId)
    this.chainId = chainId
    this.cluster = cluster?.name
    this.nativeAsset = solAssetId(chainId)
    // A cluster coffer does not know (a local validator) is a test network.
    this.testnet = cluster?.testnet ?? true
    const registry = (cluster ? solanaTokensOf(cluster.name) : []).map((t): SolanaToken =>
      Object.freeze({
        asset: splAssetId(chainId, t.mint),
        mint: t.mint,
        symbol: t.symbol,
        name: t.name,
        decimals: t.decimals,
        family: t.family,
        program: t.program,
      }),
    )
    const rpc: SolanaRpc = solanaRpc(opts.rpcUrls as readonly string[], opts.rpc)
    const maxPriorityFee = opts.maxPriorityFee ?? DEFAULT_MAX_PRIORITY_FEE
    if (typeof maxPriorityFee !== 'bigint' || maxPriorityFee < 0n || maxPriorityFee > 10n ** 12n)
      throw new InvalidArgumentError('maxPriorityFee must be a bigint of µlamports per compute unit, from 0n to 10^12.')
    this.#context = Object.freeze({
      chainId,
      nativeAsset: this.nativeAsset,
      rpc,
      tokens: Object.freeze(checkTokens(opts.tokens, chainId, registry)),
      commitment: assertOneOf(opts.commitment ?? 'confirmed', 'commitment', ['confirmed', 'finalized'] as const),
      maxPriorityFee,
    })
    this.#deadlineMs = checkDeadline(opts.deadlineMs)
    // A storage key is lower-case letters, digits and dashes (a vault's storage refuses anything else):
    // the cluster's genesis hash prefix, lower-cased, names the journal as `evm-<id>-journal` does.
    this.#sent = new Records<SolanaSentRecord>(`solana-${chainId.slice(7).toLowerCase()}-journal`, opts.journalStorage)
  }

  /** SOL and the listed tokens (the registry's for the cluster, then the configured ones). Never throws. */
  async assets(): Promise<readonly AssetInfo[]> {
    const sol: AssetInfo = {
      id: this.nativeAsset,
      chainId: this.chainId,
      symbol: 'SOL',
      name: 'Solana',
      decimals: SOL_DECIMALS,
      kind: 'native',
      family: 'SOL',
    }
    const tokens = this.#context.tokens.map((t): AssetInfo => ({
      id: t.asset,
      chainId: this.chainId,
      symbol: t.symbol,
      name: t.name,
      decimals: t.decimals,
      kind: 'token',
      address: t.mint,
      ...(t.family ? { family: t.family } : {}),
    }))
    return [sol, ...tokens]
  }

  /** Base58 of 32 bytes (a key or a program-derived address). Never throws. */
  isValidAddress(address: string): boolean {
    return isValidSolanaAddress(address)
  }

  /**
   * SOL and token balances of many owners: their accounts and associated token accounts in one
   * JSON-RPC batch of `getMultipleAccounts` (100 keys each), all read at one slot. An owner without
   * a token account holds 0. Tokens held outside associated token accounts are not counted.
   * @throws InvalidAddressError / InvalidArgumentError for bad parameters; UnknownAssetError;
   *   NotSupportedError for a `blockHeight` other than the slot read; RpcError; DeadlineExceededError
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const q = checkBalanceQuery(parameters, this.#context)
    const balances = await this.#run('Reading balances', (call) => readBalances(call, q.addresses, q.assets, q.confirmations))
    const slot = balances[0]?.blockHeight
    if (q.blockHeight !== undefined && slot !== undefined && slot !== q.blockHeight)
      throw new NotSupportedError(`The Solana adapter reads the newest slot only (${slot}), not slot ${q.blockHeight}.`, {
        details: { chainId: this.chainId },
      })
    return balances
  }

  /**
   * Prices a transfer and checks funds (SOL for amount, fee and any new token account's rent;
   * tokens for the amount and a Token-2022 transfer fee). A Solana Pay request's `memo` and
   * `references` go into the transaction.
   * @throws InsufficientFundsError (also for a SOL transfer that would leave the sender below rent
   *   exemption); InvalidAmountError (a new recipient account funded below rent exemption);
   *   FeeTooHighError (priority fee above `maxPriorityFee`); InvalidAddressError, InvalidArgumentError,
   *   UnknownAssetError before any request; ChainMismatchError; TransactionRejectedError (the
   *   simulation failed); RpcError; DeadlineExceededError
   */
  async quoteTransfer(request: SolanaTransferRequest): Promise<TransferQuote> {
    const checked = checkTransferRequest(request, this.#context)
    return this.#run('Quoting the transfer', async (call) => {
      await this.#checkChain(call)
      return quoteSolanaTransfer(call, checked)
    })
  }

  /**
   * The quote as an unsigned v0 transaction (message bytes, base64) with a summary; its lifetime a
   * recent blockhash (sign within about a minute) or, with `durableNonce`, a nonce account's nonce.
   * @throws InvalidArgumentError for a quote of another chain or adapter, a nonce account that is
   *   not one or has another authority; ChainMismatchError; RpcError; DeadlineExceededError
   */
  async buildTransfer(quote: TransferQuote, options?: SolanaBuildOptions): Promise<UnsignedTransaction> {
    const q = checkQuote(quote, this.chainId)
    const { durableNonce } = assertOptions(options)
    if (durableNonce !== undefined) {
      const n = assertOptions(durableNonce, 'durableNonce')
      checkAddress(n.account, 'durableNonce.account')
      if (n.authority !== undefined) checkAddress(n.authority, 'durableNonce.authority')
    }
    return this.#run('Building the transfer', async (call) => {
      await this.#checkChain(call)
      return buildSolanaTransfer(call, q, durableNonce === undefined ? {} : { durableNonce })
    })
  }

  /**
   * Signs offline after checking the message against its summary (fee payer, instructions,
   * recipient, amount, mint, fee bound, lifetime).
   * @throws InvalidArgumentError (a message that does not do what its summary says, another chain,
   *   a signer that is not this sender's ed25519 key); SignatureVerificationError; VaultLockedError / KeyWipedError
   */
  async signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
    return signSolanaTransaction(this.chainId, this.nativeAsset, this.#context.tokens, unsigned, signer)
  }

  /**
   * Sends a signed transaction (preflight at the read commitment); returns its signature. A lost
   * answer is followed by lookups and re-sends of the same bytes; a transaction that already landed
   * is not an error.
   * @throws TransactionRejectedError when the node refused it (preflight, expired blockhash);
   *   BroadcastUnknownError when its fate stays unknown (maybe sent: never pay again);
   *   InvalidArgumentError for bytes that are not a signed transaction of this chain; ChainMismatchError
   */
  async broadcast(signed: SignedTransaction): Promise<string> {
    const s = checkSigned(signed, this.chainId)
    return this.#run(
      'Broadcasting',
      async (call) => {
        await this.#checkChain(call)
        return broadcastSolana(call, s, async (hash) => ((await this.#landed(call, hash)) ? 'landed' : 'unknown'))
      },
      () =>
        new BroadcastUnknownError(
          `Broadcasting ${s.hash} did not finish within ${this.#deadlineMs} ms; it may be on its way. Look it up by its signature; do not pay again.`,
          s,
          { details: { deadlineMs: this.#deadlineMs } },
        ),
    )
  }

  /**
   * build → sign → broadcast, recording the send (with its lifetime, so `getTransaction` can say
   * `dropped` once it can never land). `options.onSigned` sees the signed transaction before it is
   * broadcast (if it throws, nothing is broadcast).
   * @throws BroadcastUnknownError (maybe sent: never pay again), TransactionRejectedError (refused:
   *   nothing sent); what buildTransfer and signTransaction throw; whatever `options.onSigned` throws
   */
  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options?: SendTransferOptions): Promise<string> {
    const onSigned = checkSendOptions(options)
    const unsigned = await this.buildTransfer(quote)
    return this.#sendBuilt(unsigned, signer, onSigned, quote)
  }

  /**
   * Creates a durable nonce account owned by `signer` (System `createAccountWithSeed`: no other
   * key is needed) and waits for nothing: returns its address and the transaction's signature.
   * Build transfers with `{ durableNonce: { account } }` afterwards, and they stay valid until used.
   * @throws InsufficientFundsError (rent of the nonce account plus the fee); InvalidArgumentError;
   *   the errors of {@link sendTransfer}
   */
  async createNonceAccount(signer: Signer | AccountSigner, options?: { seed?: string }): Promise<{ address: string; hash: string }> {
    const { seed } = assertOptions(options)
    const from = this.#ed25519(signer)
    const { unsigned, address } = await this.#run('Building the nonce account', async (call) => {
      await this.#checkChain(call)
      return createNonceAccount(call, from.address, seed === undefined ? {} : { seed })
    })
    const hash = await this.#sendBuilt(unsigned, signer, undefined)
    return { address, hash }
  }

  /** A durable nonce account's authority, nonce and lamports. @throws InvalidAddressError; InvalidArgumentError when it is not an initialized nonce account; RpcError; DeadlineExceededError */
  async nonceAccount(address: string): Promise<NonceAccount> {
    const a = checkAddress(address, 'address')
    return this.#run('Reading the nonce account', (call) => readNonceAccount(call, a))
  }

  /**
   * Solana Pay, for merchants: the transaction that carries `reference` and pays exactly
   * `expected.amount` of `expected.asset` to `expected.to` (checked on the balances it moved, like
   * @solana/pay's validateTransfer), or undefined while there is none. A transaction that names the
   * reference but pays anything else is ignored.
   * @throws InvalidAddressError, UnknownAssetError, InvalidArgumentError; RpcError; DeadlineExceededError
   */
  async findPayment(
    reference: string,
    expected: { readonly to: string; readonly amount: bigint; readonly asset: AssetId; readonly memo?: string },
  ): Promise<ReferencePayment | undefined> {
    const ref = checkAddress(reference, 'reference')
    const e = assertOptions(expected, 'expected')
    const to = checkAddress(e.to, 'expected.to')
    const asset = checkAsset(e.asset, this.#context)
    if (typeof e.amount !== 'bigint' || e.amount <= 0n)
      throw new InvalidArgumentError('expected.amount must be a positive bigint of base units.')
    if (e.memo !== undefined && typeof e.memo !== 'string') throw new InvalidArgumentError('expected.memo must be a string.')
    return this.#run('Finding the payment', (call) =>
      findReference(call, ref, { to, amount: e.amount as bigint, asset, ...(e.memo === undefined ? {} : { memo: e.memo }) }),
    )
  }

  /** Solana has no replacement by fee: a second version of a payment could land as well. @throws NotSupportedError */
  async replaceTransaction(_hash: string, _signer: Signer | AccountSigner): Promise<string> {
    throw new NotSupportedError(
      'Solana transactions cannot be replaced: a second signed version could land too. A stuck transaction expires with its blockhash (getTransaction then says dropped); pay again only after that.',
      { details: { chainId: this.chainId } },
    )
  }

  /**
   * Signs a message in Solana's off-chain message format with the account's ed25519 key. Offline.
   * @throws InvalidArgumentError for a signer that is not a Solana ed25519 signer or an empty or oversized message
   */
  async signMessage(signer: Signer | AccountSigner, message: string | Uint8Array): Promise<MessageSignature> {
    return signSolanaMessage(this.#ed25519(signer), message)
  }

  /** Solana has no typed data (`capabilities.signTypedData` is false). @throws NotSupportedError */
  async signTypedData(_signer: Signer | AccountSigner, _typedData: unknown): Promise<MessageSignature> {
    throw new NotSupportedError('Solana has no typed-data signatures; sign a message instead.', { details: { chainId: this.chainId } })
  }

  /**
   * `pending` (processed, or not seen yet), `confirmed` (confirmed or finalized commitment, with
   * its fee), `failed`, or `dropped` once its blockhash expired (or its nonce moved on) unseen.
   * For a transaction this adapter sent, the node's genesis hash is checked first.
   * @throws InvalidArgumentError for a malformed signature; ChainMismatchError; DataIntegrityError; RpcError; DeadlineExceededError
   */
  async getTransaction(hash: string): Promise<TransactionStatus> {
    const h = checkSignature(hash)
    return this.#run('Reading the transaction', async (call) => {
      // "dropped" (pay again) is said only by this cluster's node: another cluster's never knows our signature.
      if (await this.#sent.get(h)) await this.#checkChain(call)
      return readStatus(call, h, this.#sent)
    })
  }

  /**
   * Polls `getSignatureStatuses` until `confirmations` (1 = confirmed commitment, 32 = finalized)
   * or the transaction failed or was dropped.
   * @throws TransactionTimeoutError; InvalidArgumentError; RpcError; DeadlineExceededError
   */
  async waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus> {
    const h = checkSignature(hash)
    return waitUntil(() => this.getTransaction(h), options, SLOT_MS)
  }

  /**
   * SOL and token movements of an owner (its account and associated token accounts), newest first.
   * @throws InvalidAddressError; InvalidArgumentError (a cursor of another query); UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getHistory(address: string, options?: HistoryOptions): Promise<HistoryPage> {
    const a = checkAddress(address, 'address')
    const q = checkHistory(options, this.#context, 1_000)
    return this.#run('Reading history', (call) => readHistory(call, a, q))
  }

  /**
   * SOL and token transfers touching the owners in a slot range (System and Token instructions,
   * inner ones included).
   * @throws InvalidAddressError / InvalidArgumentError (a range too long); UnknownAssetError; RpcError; DeadlineExceededError
   */
  async getTransfers(parameters: GetTransfersParameters): Promise<TransferScan> {
    const q = checkTransfers(parameters, this.#context)
    return this.#run('Scanning transfers', (call) => scanTransfers(call, q))
  }

  /** The newest block at the read commitment (height = slot). @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#run('Reading the newest block', (call) => readLatestBlock(call))
  }

  /** The block at `slot` (a skipped slot gives the closest earlier block). @throws InvalidArgumentError, RpcError, DeadlineExceededError */
  async blockAt(slot: number): Promise<BlockRef> {
    if (!isIntegerIn(slot, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError('A slot is a non-negative integer.')
    return this.#run(`Reading slot ${slot}`, (call) => readBlockAt(call, slot))
  }

  /** A signer of this family, or InvalidArgumentError. */
  #ed25519(signer: Signer | AccountSigner): Ed25519Signer {
    if (!signer || typeof signer !== 'object' || 'kind' in signer || signer.curve !== 'ed25519' || signer.chain !== 'solana')
      throw new InvalidArgumentError('Solana needs an ed25519 signer (vault.getSigner({ chain: "solana" })).')
    return signer
  }

  /** Signs, hands to `onSigned`, broadcasts and records an unsigned transaction. */
  async #sendBuilt(
    unsigned: UnsignedTransaction,
    signer: Signer | AccountSigner,
    onSigned: SendTransferOptions['onSigned'],
    quote?: TransferQuote,
  ): Promise<string> {
    const signed = await this.signTransaction(unsigned, signer)
    await onSigned?.(signed)
    const record: SolanaSentRecord = {
      hash: signed.hash,
      from: signed.from,
      raw: signed.raw,
      lifetime: unsigned.payload.lifetime as unknown as SolanaLifetime,
      time: Date.now(),
      ...(quote ? { to: quote.to, asset: quote.asset, amount: String(quote.amount) } : {}),
    }
    // Recorded before the broadcast: a crash or a lost answer still leaves the lifetime to judge it by.
    await this.#sent.add(record)
    return this.broadcast(signed)
  }

  /** True when the node knows the signature at any commitment (one more look before "unknown"). */
  async #landed(call: SolanaCall, hash: string): Promise<boolean> {
    const answer = await call.rpc.call<{ value: unknown[] }>('getSignatureStatuses', [[hash], { searchTransactionHistory: true }], {
      signal: call.signal,
    })
    return Array.isArray(answer?.value) && answer.value[0] !== null && answer.value[0] !== undefined
  }

  /** The node serves this chain (its genesis hash), checked once. @throws ChainMismatchError */
  async #checkChain(call: SolanaCall): Promise<void> {
    this.#chainChecked ??= (async () => {
      const genesis = await call.rpc.call<unknown>('getGenesisHash', [], { signal: call.signal })
      if (typeof genesis !== 'string' || solanaChainId(genesis) !== this.chainId)
        throw new ChainMismatchError(
          `The node serves ${typeof genesis === 'string' ? solanaChainId(genesis) : 'an unknown chain'}, not ${this.chainId}.`,
          {
            details: { expected: this.chainId, reported: typeof genesis === 'string' ? genesis.slice(0, 60) : 'none' },
          },
        )
    })()
    try {
      await this.#chainChecked
    } catch (error) {
      this.#chainChecked = undefined
      throw error
    }
  }

  #run<T>(what: string, task: (call: SolanaCall) => Promise<T>, onDeadline?: () => Error): Promise<T> {
    const ms = this.#deadlineMs
    return withDeadline(
      ms,
      () => onDeadline?.() ?? new DeadlineExceededError(`${what} did not finish within ${ms} ms.`, { details: { deadlineMs: ms } }),
      (signal) => task({ ...this.#context, signal }),
    )
  }
}

/**
 * A Solana ChainAdapter: `solana({ cluster: 'mainnet-beta', rpcUrls: ['https://api.mainnet-beta.solana.com'] })`,
 * or any cluster by `chain`. Makes no request.
 * @throws InvalidArgumentError for bad options (an unknown cluster, no rpcUrls, bad tokens)
 */
export function solana(options: SolanaAdapterOptions): SolanaAdapter {
  return new SolanaAdapter(options)
}
