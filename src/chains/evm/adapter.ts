/**
 * The EVM adapter: native coins and ERC-20 stablecoins on any EVM chain, through viem's
 * JSON-RPC client. `evm({ chain, rpcUrls })` returns one; see the ChainAdapter contract for
 * the shared calls and this class for the EVM extras (speed-up, cancel, message, typed-data,
 * permit and EIP-3009 signatures).
 * @module
 */
import { decodeFunctionData, erc20Abi, getAddress, parseTransaction, recoverTransactionAddress, type Hex, type PublicClient, type TypedDataDefinition } from 'viem'
import { assertInteger, assertOneOf, assertOptions } from '../../assert.js'
import type { AssetId, ChainId } from '../../caip.js'
import { ChainMismatchError, InsufficientFundsError, InvalidArgumentError, TransactionRejectedError } from '../../errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'
import type { Signer } from '../../keys/signer.js'
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
  type SignedTransaction,
  type TransactionStatus,
  type TransferQuote,
  type TransferRequest,
  type TransferScan,
  type TypedDataSpend,
  type UnsignedTransaction,
  type WaitOptions,
} from '../adapter.js'
import { readBalances, type MulticallState } from './balances.js'
import { scanTransfers } from './transfer-logs.js'
import { resolveChain, type EvmChain } from './chain.js'
import { createClient } from './client.js'
import { gasPricing } from './fees.js'
import { readHistory, type HistorySettings } from './history.js'
import { Journal, type JournalStorage } from './journal.js'
import { NonceManager } from './nonces.js'
import { checkAmount, estimateGas, makeQuote, transferCall } from './quote.js'
import { errorText, rpc } from './rpc.js'
import { evmSigner, signMessage, signPermitWith, signTransferAuthorizationWith, signTypedData, type EvmSignature } from './signing.js'
import { checkHash, transactionStatus, waitFor } from './status.js'
import { TokenBook, type EvmAsset, type EvmTokenConfig } from './tokens.js'
import { permitNonce, tokenDomain, type SignPermitParameters, type SignTransferAuthorizationParameters } from './permits.js'
import { signReplacement } from './replace.js'
import { typedDataSpends } from './typed-data-spends.js'
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
  /** Retries on 429 / 5xx / dropped connections, default 3 (Retry-After honoured). */
  retryCount?: number
  /** Multicall3: its address, or false to never use it. Default: the canonical address, probed once. */
  multicall?: `0x${string}` | false
  /** Calls per Multicall3 `aggregate3` chunk, default 500. */
  balanceChunkSize?: number
  /** Gas estimate margin in percent above plain transfers, default 120. */
  gasMarginPercent?: number
  /** History scanning. */
  history?: Partial<HistorySettings>
  /** Keep the broadcast journal across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: JournalStorage
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
  readonly capabilities: AdapterCapabilities = Object.freeze({ history: true, replaceTransaction: true, sendMax: true, tokens: true, balancesAt: true, transfers: true })
  readonly #chain: EvmChain
  readonly #client: PublicClient
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
    this.#client = createClient(this.#chain.viem, {
      rpcUrls: urls,
      timeoutMs: positiveInt(opts.timeoutMs, 'timeoutMs', 10_000),
      retryCount: opts.retryCount === 0 ? 0 : positiveInt(opts.retryCount, 'retryCount', 3, 20),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    }) as PublicClient
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

  /** Native coin first, then registry and configured tokens. */
  async assets(): Promise<readonly AssetInfo[]> {
    return this.#tokens.list()
  }

  /** EIP-55 enforced on mixed case. */
  isValidAddress(address: string): boolean {
    return isValidEvmAddress(address)
  }

  /**
   * Native and ERC-20 balances at one block in two HTTP requests (block number, then Multicall3
   * through a JSON-RPC batch), or one when `blockHeight` pins the block. With `confirmations`
   * above 1 the balance that many blocks deep rides in the same batch and the difference is
   * `pending`.
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
    const checked = addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
    const list = await this.#assetList(assets)
    return readBalances(this.#client, this.#chain, this.#multicall, checked, list, this.#chunkSize, {
      ...(blockHeight === undefined ? {} : { blockHeight: assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER) }),
      ...(confirmations === undefined ? {} : { confirmations: assertInteger(confirmations, 'confirmations', 1, 10_000) }),
    })
  }

  /**
   * ERC-20 `Transfer` logs from or to `addresses` over a block range, in one HTTP request (the
   * range split into `history.chunkBlocks` pieces inside the batch); `complete` is false when
   * the native coin is asked for (it leaves no log).
   */
  async getTransfers(parameters: GetTransfersParameters): Promise<TransferScan> {
    const { addresses, assets, fromBlock, toBlock } = assertOptions(parameters)
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
    const checked = addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
    const from = assertInteger(fromBlock, 'fromBlock', 0, Number.MAX_SAFE_INTEGER)
    const to = assertInteger(toBlock, 'toBlock', from, Number.MAX_SAFE_INTEGER)
    const most = this.#history.chunkBlocks * MAX_SCAN_CHUNKS
    if (to - from >= most) throw new InvalidArgumentError(`A transfer scan covers at most ${most} blocks (${MAX_SCAN_CHUNKS} × history.chunkBlocks); split the range.`)
    return scanTransfers(this.#client, this.#chain, checked, await this.#assetList(assets), from, to, this.#history.chunkBlocks)
  }

  async #assetList(assets: readonly AssetId[] | undefined): Promise<readonly EvmAsset[]> {
    if (assets === undefined) return this.#tokens.list()
    if (!Array.isArray(assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
    return Promise.all(assets.map((id) => this.#tokens.get(id)))
  }

  /** Prices a transfer at every fee level and checks amount + fee against balances. @throws InsufficientFundsError */
  async quoteTransfer(request: TransferRequest): Promise<TransferQuote> {
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
  }

  /** Takes the next nonce for the sender and returns the transaction as JSON. */
  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    const q = assertOptions(quote) as TransferQuote
    if (q.chainId !== this.chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${this.chainId}.`)
    const call = q.details?.call as { to: `0x${string}`; value: string; data: Hex } | undefined
    if (!call || typeof q.details.gas !== 'string' || !q.fee?.details) throw new InvalidArgumentError('Not a quote from this adapter (details missing).')
    await this.#verifyChain()
    const from = checkAddress(q.from, 'from')
    const nonce = await this.#nonces.take(from)
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
    return unsignedTransaction(payload, from, { to: q.to, asset: q.asset, amount: q.amount.toString(), fee: q.fee.amount.toString() })
  }

  /** Signs offline (no network): serialise, hash, sign with the signer. */
  async signTransaction(unsigned: UnsignedTransaction, signer: Signer): Promise<SignedTransaction> {
    return signEvmTransaction(unsigned, signer)
  }

  /** Sends a signed transaction. "Already known" counts as sent. @throws TransactionRejectedError */
  async broadcast(signed: SignedTransaction): Promise<string> {
    const s = assertOptions(signed) as SignedTransaction
    if (s.chainId !== this.chainId) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${this.chainId}.`)
    if (typeof s.raw !== 'string' || !/^0x[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be 0x-prefixed hex.')
    await this.#verifyChain()
    let tx: ReturnType<typeof parseTransaction>
    let from: `0x${string}`
    try {
      tx = parseTransaction(s.raw as Hex)
      from = await recoverTransactionAddress({ serializedTransaction: s.raw as never })
    } catch (cause) {
      throw new InvalidArgumentError('signed.raw is not a signed EVM transaction.', { cause })
    }
    if (tx.chainId !== undefined && tx.chainId !== this.#chain.id) throw new ChainMismatchError(`The transaction is signed for chain ${tx.chainId}, not ${this.#chain.id}.`)
    if (typeof s.from !== 'string' || s.from.toLowerCase() !== from.toLowerCase()) {
      throw new InvalidArgumentError(`signed.from says ${String(s.from).slice(0, 42)}, but the signature is ${from}'s.`)
    }
    const nonce = tx.nonce ?? 0
    try {
      const hash = await this.#client.request({ method: 'eth_sendRawTransaction', params: [s.raw as Hex] })
      this.#nonces.done(from, nonce, true)
      await this.#record(hash, from, tx, nonce)
      return hash
    } catch (error) {
      const text = errorText(error)
      if (/already known|already imported/.test(text)) {
        this.#nonces.done(from, nonce, true)
        return s.hash
      }
      if (/nonce too low|nonce.*already (been )?used|old nonce/.test(text)) {
        this.#nonces.done(from, nonce, true)
        this.#nonces.resync(from)
      } else {
        this.#nonces.done(from, nonce, false)
      }
      if (/insufficient funds/.test(text)) throw new InsufficientFundsError('The node refused the transaction: insufficient funds for value + gas.', { cause: error })
      throw new TransactionRejectedError(`The node refused the transaction: ${text.split(' | ')[0]?.slice(0, 200)}`, { cause: error, details: { nonce } })
    }
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

  /** build → sign → broadcast, retrying with a fresh nonce when the node reports it used. */
  async sendTransfer(quote: TransferQuote, signer: Signer): Promise<string> {
    evmSigner(signer)
    for (let attempt = 1; ; attempt++) {
      const unsigned = await this.buildTransfer(quote)
      let signed: SignedTransaction
      try {
        signed = await this.signTransaction(unsigned, signer)
      } catch (error) {
        this.#nonces.done(unsigned.from as `0x${string}`, unsigned.payload.nonce as number, false)
        throw error
      }
      try {
        return await this.broadcast(signed)
      } catch (error) {
        const retry = error instanceof TransactionRejectedError && /nonce/.test(errorText(error)) && attempt < 3
        if (!retry) throw error
      }
    }
  }

  /** Waits for `confirmations` (default 1). @throws TransactionTimeoutError */
  async waitForTransaction(hash: string, options?: WaitOptions): Promise<TransactionStatus> {
    return waitFor(this.#client, this.#chain, this.#journal, checkHash(hash), options)
  }

  /** Pending, confirmed (with fee paid), failed, or dropped (with its replacement when known). */
  async getTransaction(hash: string): Promise<TransactionStatus> {
    return transactionStatus(this.#client, this.#chain, this.#journal, checkHash(hash))
  }

  /** ERC-20 transfers in and out (from logs) and native sends this adapter made, newest first. */
  async getHistory(address: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    const a = checkAddress(address, 'address')
    const opts = assertOptions(options)
    const assets = await this.#assetList(opts.assets)
    return readHistory(this.#client, this.#chain, this.#journal, a, assets, opts, this.#history)
  }

  /** Height, hash and parent hash of the newest block. */
  async latestBlock(): Promise<BlockRef> {
    const block = await rpc('Reading the latest block', () => this.#client.getBlock({ blockTag: 'latest' }))
    return { height: Number(block.number), hash: block.hash as string, parentHash: block.parentHash, timestamp: Number(block.timestamp) * 1000 }
  }

  /** Height, hash and parent hash of the block at `height`. */
  async blockAt(height: number): Promise<BlockRef> {
    const h = BigInt(assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER))
    const block = await rpc(`Reading block ${h}`, () => this.#client.getBlock({ blockNumber: h }))
    return { height: Number(block.number), hash: block.hash as string, parentHash: block.parentHash, timestamp: Number(block.timestamp) * 1000 }
  }

  /** Re-sends a pending transaction with every fee raised ≥ 10% (the nodes' replacement rule). Returns the new hash. */
  async speedUp(hash: string, signer: Signer, options: ReplaceOptions = {}): Promise<string> {
    return this.#replace(checkHash(hash), signer, options, false)
  }

  /** Replaces a pending transaction with a 0-value send to yourself at the same nonce. Returns the new hash. */
  async cancel(hash: string, signer: Signer, options: ReplaceOptions = {}): Promise<string> {
    return this.#replace(checkHash(hash), signer, options, true)
  }

  async #replace(hash: `0x${string}`, signer: Signer, options: ReplaceOptions, cancel: boolean): Promise<string> {
    const s = evmSigner(signer)
    const level = assertOneOf(assertOptions(options).feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)
    await this.#verifyChain()
    const { raw, nonce } = await signReplacement(this.#client, this.#chain, this.nativeAsset, hash, s, level, cancel)
    try {
      const newHash = await this.#client.request({ method: 'eth_sendRawTransaction', params: [raw] })
      await this.#record(newHash, getAddress(s.address), parseTransaction(raw), nonce, { replaces: hash, ...(cancel ? { cancel: true } : {}) })
      return newHash
    } catch (error) {
      throw new TransactionRejectedError(`The node refused the replacement: ${errorText(error).split(' | ')[0]?.slice(0, 200)}`, { cause: error })
    }
  }

  /** EIP-191 personal message signature. */
  async signMessage(signer: Signer, message: string | Uint8Array): Promise<EvmSignature> {
    return signMessage(signer, message)
  }

  /** EIP-712 typed-data signature. */
  async signTypedData(signer: Signer, typedData: TypedDataDefinition): Promise<EvmSignature> {
    return signTypedData(signer, typedData)
  }

  /**
   * The token movements an EIP-712 message authorises (EIP-2612 and DAI permits, EIP-3009
   * authorizations, Permit2), with each token's metadata (read from the chain for tokens the
   * adapter does not list). Empty for any other message.
   */
  async typedDataSpends(typedData: unknown): Promise<readonly TypedDataSpend[]> {
    return typedDataSpends(typedData, this.#chain.id, (id) => this.#tokens.get(id))
  }

  /** EIP-2612 permit, with the token's domain and the owner's nonce read from the chain. */
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

  /** EIP-3009 `transferWithAuthorization` (USDC): a transfer someone else can submit. */
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

/** An EVM ChainAdapter: `evm({ chain: 'eip155:1', rpcUrls: ['https://…'] })`. */
export function evm(options: EvmAdapterOptions): EvmAdapter {
  return new EvmAdapter(options)
}
