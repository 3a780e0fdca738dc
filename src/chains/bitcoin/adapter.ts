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
import { BroadcastUnknownError, InvalidAmountError, InvalidArgumentError, NotSupportedError, RpcError, UnknownAssetError, type BroadcastTransaction } from '../../core/errors.js'
import { BITCOIN_NETWORKS, isValidBitcoinAddress, type BitcoinAddressType, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
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
  type ReceiveAddress,
  type SendTransferOptions,
  type SignedTransaction,
  type TransactionStatus,
  type TransferQuote,
  type TransferRequest,
  type TransferScan,
  type UnsignedTransaction,
  type WaitOptions,
  type MessageSignature,
  type ReplaceTransactionOptions,
} from '../adapter.js'
import type { KeyValueStore } from '../../core/store.js'
import { Records } from '../broadcast-records.js'
import { accountDescriptor, resolveSource, type Source } from './account.js'
import { rpc, type BitcoinBackend } from './client.js'
import { broadcastSigned, DEFAULT_REBROADCASTS } from './broadcast.js'
import { readBalances } from './balances.js'
import { buildUnsigned, type InputJson, type OutputJson } from './transaction.js'
import { checkDeadlineMs, runCall, type Call } from './call.js'
import { DEFAULT_MAX_DISCOVERY_ADDRESSES, discover, type AccountState } from './discovery.js'
import { esplora, type EsploraOptions } from './esplora.js'
import { checkFeeRate, feeCaps, feeRates, type FeeCaps } from './fees.js'
import { readHistory } from './history.js'
import { BITCOIN_CHAINS, type BitcoinChain } from './networks.js'
import { checkPsbtSummary, finalizePsbt, psbtFromBase64, psbtToBase64, signPsbt } from './psbt.js'
import { recipientType, makeQuote, spendable } from './quote.js'
import { bumpFee, type SentTransaction } from './replace.js'
import { rawTxid } from './previous-tx.js'
import { readStatus } from './status.js'
import { dustThreshold } from './vsize.js'
import { waitUntil } from '../wait.js'

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

/** A Bitcoin transfer request: the contract's, plus UTXO options. */
export interface BitcoinTransferRequest extends TransferRequest {
  /** Spend unconfirmed outputs too. Default false. */
  allowUnconfirmed?: boolean
}

/** Options of `speedUp`. */
export interface ReplaceOptions {
  /** Fee level the replacement must at least reach, default `'fast'` (subject to `maxFeeRate`). */
  feeLevel?: FeeLevel
  /** An explicit rate in sat/vB instead (your choice: not capped by `maxFeeRate`). */
  feeRate?: bigint
}

/** @deprecated Renamed {@link ReplaceOptions} (one name across families). */
export type BumpOptions = ReplaceOptions

/** A ChainAdapter for Bitcoin. Create with {@link bitcoin}. */
export class BitcoinAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly network: BitcoinNetwork
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities = Object.freeze({
    history: true,
    replaceTransaction: true,
    cancelTransaction: false,
    signMessage: false,
    signTypedData: false,
    sendMax: true,
    tokens: false,
    balancesAt: false,
    transfers: false,
  })
  readonly #chain: BitcoinChain
  readonly #backend: BitcoinBackend
  readonly #gapLimit: number
  readonly #journal: Records<SentTransaction>
  readonly #deadlineMs: number
  readonly #maxDiscoveryAddresses: number
  readonly #feeCaps: FeeCaps
  readonly #rebroadcasts: number

  constructor(options: BitcoinAdapterOptions) {
    const opts = assertOptions(options)
    this.network = assertOneOf(opts.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
    this.#chain = BITCOIN_CHAINS[this.network]
    this.chainId = this.#chain.caip2
    this.nativeAsset = this.#chain.nativeAsset
    this.testnet = this.network !== 'mainnet'
    if (opts.backend) this.#backend = opts.backend
    else if (opts.esploraUrl) this.#backend = esplora(opts.esploraUrl, opts.esplora)
    else throw new InvalidArgumentError('bitcoin() needs esploraUrl or a backend.')
    const gap = opts.gapLimit ?? 20
    if (!Number.isSafeInteger(gap) || gap < 1 || gap > 1000) throw new InvalidArgumentError('gapLimit must be an integer from 1 to 1000.')
    this.#gapLimit = gap
    this.#deadlineMs = checkDeadlineMs(opts.deadlineMs)
    this.#maxDiscoveryAddresses = assertInteger(opts.maxDiscoveryAddresses ?? DEFAULT_MAX_DISCOVERY_ADDRESSES, 'maxDiscoveryAddresses', 2, 10_000_000)
    this.#feeCaps = feeCaps(opts.maxFeeRate, opts.maxFeeRateRatio)
    this.#rebroadcasts = assertInteger(opts.rebroadcastCount ?? DEFAULT_REBROADCASTS, 'rebroadcastCount', 0, 10)
    this.#journal = new Records(`bitcoin-${this.network}-journal`, opts.journalStorage)
  }

  /** BTC only (tBTC on test networks). Never throws. */
  async assets(): Promise<readonly AssetInfo[]> {
    const symbol = this.network === 'mainnet' ? 'BTC' : 'tBTC'
    return [{ id: this.nativeAsset, chainId: this.chainId, symbol, name: this.#chain.name, decimals: 8, kind: 'native', family: 'BTC' }]
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
    const source = this.#source(account)
    if (source.kind !== 'account') throw new InvalidArgumentError('discoverAccount needs an account descriptor or extended public key, not an address.')
    const gap = assertOptions(options).gapLimit ?? this.#gapLimit
    if (!Number.isSafeInteger(gap) || gap < 1 || gap > 1000) throw new InvalidArgumentError('gapLimit must be an integer from 1 to 1000.')
    return this.#run('Discovering the account', (call) => call.discovering(() => discover(call.backend, source, { ...call.limits, gapLimit: gap })))
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
    const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of addresses or account descriptors.')
    if (assets !== undefined && assets.some((a) => a !== this.nativeAsset)) throw new UnknownAssetError(`This Bitcoin adapter only knows ${this.nativeAsset}.`)
    if (blockHeight !== undefined) assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER)
    const depth = confirmations === undefined ? 1 : assertInteger(confirmations, 'confirmations', 1, 10_000)
    const sources = addresses.map((a) => this.#source(a))
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
    const r = assertOptions(request)
    if (r.asset !== this.nativeAsset) throw new UnknownAssetError(`This Bitcoin adapter moves ${this.nativeAsset} only.`)
    if (typeof r.to !== 'string' || !this.isValidAddress(r.to)) throw new InvalidArgumentError(`to is not a ${this.network} Bitcoin address.`)
    const amount = r.amount
    if (amount !== 'max' && (typeof amount !== 'bigint' || amount <= 0n || amount > 21_000_000n * 10n ** 8n)) {
      throw new InvalidArgumentError('amount must be a positive bigint of satoshis or "max".')
    }
    const level = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
    const source = this.#source(r.from)
    const to = r.to
    if (amount !== 'max') {
      const type = recipientType(to, this.network)
      const dust = dustThreshold(type)
      if (amount < dust) throw new InvalidAmountError(`${amount} sat is below the dust threshold of ${dust} sat for a ${type} output; nodes would not relay it.`, { details: { amount, dust, outputType: type } })
    }
    return this.#run('Quoting the transfer', async (call) => {
      const [rates, funds, tip] = await Promise.all([
        feeRates(call.backend, this.#feeCaps),
        source.kind === 'account' ? call.discovering(() => spendable(call.backend, source, call.limits)) : spendable(call.backend, source, call.limits),
        rpc('Reading the tip', () => call.backend.tip()),
      ])
      checkFeeRate(rates[level], this.#feeCaps, level)
      return makeQuote({ chain: this.#chain, source, to, amount, level, rates, funds, allowUnconfirmed: r.allowUnconfirmed === true, tipHeight: checkTip(tip.height) })
    })
  }

  /**
   * The quote as an unsigned PSBT (base64) with a JSON summary: inputs and outputs in a fresh
   * random order, the anti-fee-sniping lock time, and every non-taproot input with its previous
   * transaction, checked against its txid, script and value.
   * @throws DataIntegrityError when the backend's previous transaction does not match the coin
   * @throws InvalidArgumentError for a quote of another chain or not from a Bitcoin adapter; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    const q = assertOptions(quote) as TransferQuote
    if (q.chainId !== this.chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${this.chainId}.`)
    const inputs = q.details?.inputs as unknown as InputJson[] | undefined
    const outputs = q.details?.outputs as unknown as OutputJson[] | undefined
    if (!Array.isArray(inputs) || !Array.isArray(outputs)) throw new InvalidArgumentError('Not a quote from a Bitcoin adapter (details missing).')
    const fingerprint = q.details.fingerprint as number | undefined
    const quotedTip = q.details.tipHeight
    return this.#run('Building the transfer', async (call) => {
      const tipHeight = typeof quotedTip === 'number' ? quotedTip : checkTip((await rpc('Reading the tip', () => call.backend.tip())).height)
      const built = await buildUnsigned(call.backend, this.#chain, inputs, outputs, fingerprint, tipHeight)
      // The coin's symbol and decimals travel with it for an offline signer's prompt.
      const native = (await this.assets()).find((a) => a.id === q.asset)
      return {
        chainId: this.chainId,
        kind: 'bitcoin-psbt',
        from: q.from,
        summary: { to: q.to, asset: q.asset, amount: q.amount.toString(), fee: q.fee.amount.toString(), ...(native ? { symbol: native.symbol, decimals: native.decimals } : {}) },
        payload: {
          psbt: psbtToBase64(built.psbt),
          network: this.network,
          feeRate: q.details.feeRate as string,
          vsize: q.details.vsize as number,
          lockTime: built.lockTime,
          inputs: built.inputs as never,
          outputs: built.outputs as never,
        },
      }
    })
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
    const u = assertOptions(unsigned) as UnsignedTransaction
    if (u.kind !== 'bitcoin-psbt' || typeof u.payload?.psbt !== 'string') throw new InvalidArgumentError('Not an unsigned Bitcoin PSBT transaction.')
    if (!signer || typeof signer !== 'object' || signer.chain !== 'bitcoin') throw new InvalidArgumentError('Bitcoin transactions need a Bitcoin signer (vault.getSigner or vault.getAccountSigner with chain "bitcoin").')
    if (signer.network !== this.network) throw new InvalidArgumentError(`The signer is for ${String(signer.network)}, this adapter for ${this.network}.`)
    const psbt = psbtFromBase64(u.payload.psbt)
    checkPsbtSummary(psbt, u.summary, this.#chain.params, signer)
    await signPsbt(psbt, signer, this.#chain.params)
    const { hex, txid } = finalizePsbt(psbt)
    return { chainId: this.chainId, kind: 'bitcoin-psbt', from: u.from, hash: txid, raw: hex }
  }

  /**
   * Adds the signatures `signer` can make to a base64 PSBT and returns it (not finalized), for multi-party or hardware-wallet flows. Same refusals as {@link signTransaction}.
   * @throws as {@link BitcoinAdapter.signTransaction}; InvalidArgumentError when the signer has no key for any input
   */
  async signPsbt(psbtBase64: string, signer: Signer | AccountSigner): Promise<string> {
    const psbt = psbtFromBase64(psbtBase64)
    if ((await signPsbt(psbt, signer, this.#chain.params)) === 0) throw new InvalidArgumentError('The signer has no key for any input of this PSBT.')
    return psbtToBase64(psbt)
  }

  /**
   * Finalizes a fully signed base64 PSBT (signed here or elsewhere) into a broadcastable transaction.
   * @throws InvalidArgumentError for a malformed PSBT; SignatureVerificationError when an input is missing its signature; DataIntegrityError
   */
  finalizePsbt(psbtBase64: string, from = 'psbt'): SignedTransaction {
    if (typeof from !== 'string') throw new InvalidArgumentError('from must be a string (the sending address or account).')
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
    const s = assertOptions(signed) as SignedTransaction
    if (s.chainId !== this.chainId) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${this.chainId}.`)
    if (typeof s.raw !== 'string' || !/^[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be the transaction hex.')
    const hash = rawTxid(s.raw)
    if (!hash) throw new InvalidArgumentError('signed.raw is not a Bitcoin transaction.')
    if (s.hash !== undefined && (typeof s.hash !== 'string' || s.hash.toLowerCase() !== hash)) throw new InvalidArgumentError(`signed.hash is not the txid of signed.raw (${hash}).`)
    return this.#broadcast({ chainId: this.chainId, kind: typeof s.kind === 'string' ? s.kind : 'bitcoin-psbt', from: typeof s.from === 'string' ? s.from : '', hash, raw: s.raw.toLowerCase() })
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
    const { onSigned } = assertOptions(options)
    if (onSigned !== undefined && typeof onSigned !== 'function') throw new InvalidArgumentError('onSigned must be a function.')
    const unsigned = await this.buildTransfer(quote)
    const signed = await this.signTransaction(unsigned, signer)
    await onSigned?.(signed)
    const record = (hash: string): SentTransaction => ({
      hash,
      source: quote.from,
      inputs: unsigned.payload.inputs as never,
      outputs: unsigned.payload.outputs as never,
      fee: quote.fee.amount.toString(),
      feeRate: unsigned.payload.feeRate as string,
      vsize: unsigned.payload.vsize as number,
      ...(typeof quote.details.fingerprint === 'number' ? { fingerprint: quote.details.fingerprint } : {}),
      sentAt: Date.now(),
    })
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
   * @throws NotSupportedError for a transaction this adapter did not send; InvalidArgumentError (a
   *   malformed txid or fee rate, a transaction no longer pending); InsufficientFundsError (no
   *   coins left to pay the higher fee); DataIntegrityError; TransactionRejectedError;
   *   BroadcastUnknownError (maybe sent); VaultLockedError / KeyWipedError from a signer whose vault locked or key was wiped; SignatureVerificationError; DiscoveryLimitError; RpcError; DeadlineExceededError past `deadlineMs`
   */
  async speedUp(txid: string, signer: Signer | AccountSigner, options?: ReplaceOptions): Promise<string> {
    const opts = assertOptions(options)
    const hash = checkTxid(txid)
    if (opts.feeRate !== undefined && (typeof opts.feeRate !== 'bigint' || opts.feeRate < 1n || opts.feeRate > 100_000n)) throw new InvalidArgumentError('feeRate must be a bigint of sat/vB from 1 to 100,000.')
    const level = assertOneOf(opts.feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)
    const sent = await this.#journal.get(hash)
    if (!sent) throw new NotSupportedError('Only sends this adapter made (sendTransfer) can be sped up here; re-quote with higher fees for others.')
    const source = this.#source(sent.source)
    const { built, bumped } = await this.#run('Preparing the replacement', async (call) => {
      const status = await readStatus(call, hash, this.nativeAsset, this.#journal)
      if (status.state !== 'pending') throw new InvalidArgumentError(`Transaction ${hash} is ${status.state}; only pending transactions can be replaced.`)
      const floor = opts.feeRate ?? checkFeeRate((await feeRates(call.backend, this.#feeCaps))[level], this.#feeCaps, level)
      const bump = () => bumpFee(sent, floor, source, call.backend, call.limits, this.network)
      const bumped = await (source.kind === 'account' ? call.discovering(bump) : bump())
      const tip = checkTip((await rpc('Reading the tip', () => call.backend.tip())).height)
      return { bumped, built: await buildUnsigned(call.backend, this.#chain, bumped.inputs as InputJson[], bumped.outputs as OutputJson[], sent.fingerprint, tip) }
    })
    await signPsbt(built.psbt, signer, this.#chain.params)
    const { hex, txid: newTxid } = finalizePsbt(built.psbt)
    const record: SentTransaction = {
      ...bumped,
      inputs: built.inputs,
      outputs: built.outputs,
      hash: newTxid,
      source: sent.source,
      sentAt: Date.now(),
      replaces: sent.hash,
      ...(sent.fingerprint === undefined ? {} : { fingerprint: sent.fingerprint }),
    }
    try {
      await this.#broadcast({ chainId: this.chainId, kind: 'bitcoin-psbt', from: sent.source, hash: newTxid, raw: hex })
    } catch (error) {
      if (error instanceof BroadcastUnknownError) await this.#journal.add(record)
      throw error
    }
    await this.#journal.add(record)
    return newTxid
  }

  /**
   * The contract's replacement call: a speed-up ({@link BitcoinAdapter.speedUp}, BIP-125). Cancels
   * are not offered (`capabilities.cancelTransaction` is false): a Bitcoin cancel is a new payment
   * back to yourself, which a speed-up of a self-send covers.
   * @throws NotSupportedError for `mode: 'cancel'`; as {@link BitcoinAdapter.speedUp} otherwise
   */
  async replaceTransaction(hash: string, signer: Signer | AccountSigner, options: ReplaceTransactionOptions & { feeRate?: bigint } = {}): Promise<string> {
    const { mode = 'speed-up', ...rest } = assertOptions(options) as ReplaceTransactionOptions & { feeRate?: bigint }
    if (assertOneOf(mode, 'mode', ['speed-up', 'cancel']) === 'cancel') throw new NotSupportedError('Bitcoin transactions cannot be cancelled here; speed up a payment to yourself instead.')
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
    const source = this.#source(address)
    return this.#run('Reading history', async (call) => {
      const addresses = source.kind === 'address' ? [source.address] : (await call.discovering(() => discover(call.backend, source, call.limits))).used.map((u) => u.address)
      return readHistory(call.backend, this.#chain, source.id, addresses, opts.cursor, opts.limit ?? 50)
    })
  }

  /** Height, hash, parent hash and time of the tip. @throws RpcError, DeadlineExceededError */
  async latestBlock(): Promise<BlockRef> {
    return this.#run('Reading the tip', async (call) => {
      const tip = await rpc('Reading the tip', () => call.backend.tip())
      const block = await rpc('Reading the tip block', () => call.backend.block(tip.hash))
      return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
    })
  }

  /** Not offered: Esplora lists transactions per address, so a tracker re-reads balances instead. @throws NotSupportedError */
  async getTransfers(_parameters: GetTransfersParameters): Promise<TransferScan> {
    throw new NotSupportedError('The Bitcoin adapter has no range scan of transfers (capabilities.transfers is false); re-read balances and history instead.')
  }

  /** The block at `height` on the backend's best chain. @throws InvalidArgumentError, RpcError, DeadlineExceededError */
  async blockAt(height: number): Promise<BlockRef> {
    const h = assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER)
    return this.#run(`Reading block ${h}`, async (call) => {
      const block = await rpc(`Reading block ${h}`, async () => call.backend.block(await call.backend.blockHash(h)))
      return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
    })
  }

  /** Broadcast with re-sends and lookups, bounded by the deadline (past it: BroadcastUnknownError). */
  #broadcast(tx: BroadcastTransaction): Promise<string> {
    const ms = this.#deadlineMs
    return this.#run('Broadcasting', (call) => broadcastSigned(call.backend, tx, this.#rebroadcasts, { signal: call.signal }), () =>
      new BroadcastUnknownError(`Broadcasting ${tx.hash} did not finish within ${ms} ms; it may be on its way. Look it up by hash; do not pay again.`, tx, { details: { deadlineMs: ms } }),
    )
  }

  #run<T>(what: string, task: (call: Call) => Promise<T>, onDeadline?: () => Error): Promise<T> {
    return runCall({ backend: this.#backend, deadlineMs: this.#deadlineMs, gapLimit: this.#gapLimit, maxDiscoveryAddresses: this.#maxDiscoveryAddresses }, what, task, onDeadline)
  }

  #source(from: unknown): Source {
    return resolveSource(from, this.network)
  }
}

function checkTxid(txid: unknown): string {
  if (typeof txid !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txid)) throw new InvalidArgumentError('A txid is 64 hex digits.')
  return txid.toLowerCase()
}

/** A tip height fit for a lock time. @throws RpcError */
function checkTip(height: unknown): number {
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0 || height >= 500_000_000) throw new RpcError(`The backend reported an impossible tip height (${String(height).slice(0, 20)}).`)
  return height
}

/**
 * A Bitcoin ChainAdapter: `bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' })`. Makes no request.
 * @throws InvalidArgumentError for bad options (an unknown network, no `esploraUrl` or `backend`, limits out of range)
 */
export function bitcoin(options: BitcoinAdapterOptions): BitcoinAdapter {
  return new BitcoinAdapter(options)
}
