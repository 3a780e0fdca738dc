/**
 * The Bitcoin adapter: HD accounts (named by output descriptors) and single addresses, P2PKH,
 * P2SH-P2WPKH, P2WPKH and P2TR, coin selection, PSBTs signed with coffer signers, RBF. It
 * implements the same ChainAdapter contract as the account chains; `from` may be an account.
 * @module
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { assertInteger, assertOneOf, assertOptions } from '../../assert.js'
import type { AssetId, ChainId } from '../../caip.js'
import { InvalidArgumentError, NotSupportedError, UnknownAssetError } from '../../errors.js'
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
  type SignedTransaction,
  type TransactionStatus,
  type TransferQuote,
  type TransferRequest,
  type TransferScan,
  type UnsignedTransaction,
  type WaitOptions,
} from '../adapter.js'
import { Records, type JournalStorage } from '../journal.js'
import { accountDescriptor, resolveSource, type Source } from './account.js'
import type { BackendUtxo, BitcoinBackend } from './backend.js'
import { discover, type AccountState } from './discovery.js'
import { esplora, type EsploraOptions } from './esplora.js'
import { feeRates } from './fees.js'
import { readHistory } from './history.js'
import { BITCOIN_CHAINS, type BitcoinChain } from './networks.js'
import { buildPsbt, checkPsbtSummary, finalizePsbt, psbtFromBase64, psbtToBase64, signPsbt, type PsbtInput, type PsbtOutput } from './psbt.js'
import { makeQuote, spendable } from './quote.js'
import { bumpFee, type SentTransaction } from './rbf.js'
import { rpcCall } from './rpc.js'
import { waitUntil } from '../wait.js'

/** Options of {@link bitcoin}. */
export interface BitcoinAdapterOptions {
  /** Default `'mainnet'`. */
  network?: BitcoinNetwork
  /** An Esplora REST endpoint (e.g. `https://blockstream.info/api`); or pass `backend`. */
  esploraUrl?: string
  /** Options for the Esplora client. */
  esplora?: EsploraOptions
  /** Any backend implementing {@link BitcoinBackend} (Electrum, Bitcoin Core, …). */
  backend?: BitcoinBackend
  /** Unused addresses in a row that end discovery, default 20 (BIP-44). */
  gapLimit?: number
  /** Keep the broadcast journal across restarts (a vault's `VaultStorage` fits). */
  journalStorage?: JournalStorage
}

/** A Bitcoin transfer request: the contract's, plus UTXO options. */
export interface BitcoinTransferRequest extends TransferRequest {
  /** Spend unconfirmed outputs too. Default false. */
  allowUnconfirmed?: boolean
}

/** Options of `speedUp`. */
export interface BumpOptions {
  /** Fee level the replacement must at least reach, default `'fast'`. */
  feeLevel?: FeeLevel
  /** An explicit rate in sat/vB instead. */
  feeRate?: bigint
}

interface InputJson {
  txid: string
  vout: number
  value: string
  type: BitcoinAddressType
  address: string
  publicKey?: string
  path?: string
}

interface OutputJson {
  address: string
  value: string
  change?: boolean
  /** Change to an account: its key (hex) and full path, so the PSBT proves the output is the signer's. */
  publicKey?: string
  path?: string
}

/** Quote / journal outputs as PSBT outputs (change with its key origin when the account's fingerprint is known). */
function psbtOutputs(outputs: readonly OutputJson[], fingerprint: number | undefined): PsbtOutput[] {
  return outputs.map((o) => ({
    address: o.address,
    value: BigInt(o.value),
    ...(o.change && o.publicKey && o.path && fingerprint !== undefined ? { publicKey: hexToBytes(o.publicKey), origin: { fingerprint, path: o.path } } : {}),
  }))
}

/** A ChainAdapter for Bitcoin. Create with {@link bitcoin}. */
export class BitcoinAdapter implements ChainAdapter {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly network: BitcoinNetwork
  readonly testnet: boolean
  readonly capabilities: AdapterCapabilities = Object.freeze({ history: true, replaceTransaction: true, sendMax: true, tokens: false, balancesAt: false, transfers: false })
  readonly #chain: BitcoinChain
  readonly #backend: BitcoinBackend
  readonly #gapLimit: number
  readonly #journal: Records<SentTransaction>

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
    this.#journal = new Records(`bitcoin-${this.network}-journal`, opts.journalStorage)
  }

  /** BTC only (tBTC on test networks). */
  async assets(): Promise<readonly AssetInfo[]> {
    const symbol = this.network === 'mainnet' ? 'BTC' : 'tBTC'
    return [{ id: this.nativeAsset, chainId: this.chainId, symbol, name: this.#chain.name, decimals: 8, kind: 'native', family: 'BTC' }]
  }

  /** Valid on this network (base58check, bech32 v0, bech32m v1+). */
  isValidAddress(address: string): boolean {
    return isValidBitcoinAddress(address, this.network)
  }

  /** The descriptor naming the account of an xpub / ypub / zpub (watch-only works from it). */
  account(xpub: string, options?: { addressType?: BitcoinAddressType; fingerprint?: number; path?: string }): string {
    return accountDescriptor(xpub, options)
  }

  /** Scans an account (descriptor or xpub): used addresses, next receive and change addresses, UTXOs, balances. */
  async discoverAccount(account: string, options?: { gapLimit?: number }): Promise<AccountState> {
    const source = this.#source(account)
    if (source.kind !== 'account') throw new InvalidArgumentError('discoverAccount needs an account descriptor or extended public key, not an address.')
    const gap = assertOptions(options).gapLimit ?? this.#gapLimit
    if (!Number.isSafeInteger(gap) || gap < 1 || gap > 1000) throw new InvalidArgumentError('gapLimit must be an integer from 1 to 1000.')
    return discover(this.#backend, source, gap)
  }

  /**
   * Balances of addresses and accounts: confirmed + mempool, with the part that is not yet
   * `confirmations` deep (default 1: the mempool) as `pending`. Only the newest block can be
   * read (`capabilities.balancesAt` is false).
   */
  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of addresses or account descriptors.')
    if (assets !== undefined && assets.some((a) => a !== this.nativeAsset)) throw new UnknownAssetError(`This Bitcoin adapter only knows ${this.nativeAsset}.`)
    if (blockHeight !== undefined) assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER)
    const depth = confirmations === undefined ? 1 : assertInteger(confirmations, 'confirmations', 1, 10_000)
    const sources = addresses.map((a) => this.#source(a))
    const tip = await rpcCall('Reading the tip', () => this.#backend.tip())
    if (blockHeight !== undefined && blockHeight !== tip.height) {
      throw new NotSupportedError(`Esplora reads balances at the tip (${tip.height}) only, not at block ${blockHeight}.`)
    }
    const deepEnough = (u: BackendUtxo) => u.confirmed && u.height !== undefined && tip.height - u.height + 1 >= depth
    return Promise.all(
      sources.map(async (source): Promise<Balance> => {
        try {
          let amount: bigint
          let pending: bigint
          if (source.kind === 'address') {
            const [stats, utxos] = await Promise.all([
              rpcCall(`Reading ${source.address}`, () => this.#backend.addressStats(source.address)),
              depth > 1 ? rpcCall(`Reading UTXOs of ${source.address}`, () => this.#backend.utxos(source.address)) : undefined,
            ])
            amount = stats.confirmed + stats.unconfirmed
            pending = utxos ? amount - sum(utxos.filter(deepEnough)) : stats.unconfirmed
          } else {
            const state = await discover(this.#backend, source, this.#gapLimit)
            amount = state.balance.confirmed + state.balance.unconfirmed
            pending = depth > 1 ? amount - sum(state.utxos.filter(deepEnough)) : state.balance.unconfirmed
          }
          return { ok: true, address: source.id, asset: this.nativeAsset, amount, pending, decimals: 8, blockHeight: tip.height }
        } catch (error) {
          return { ok: false, address: source.id, asset: this.nativeAsset, decimals: 8, blockHeight: tip.height, error: error as never }
        }
      }),
    )
  }

  /** Selects coins at the fee level and checks funds; throws InsufficientFundsError before anything is built. */
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
    const [rates, funds] = await Promise.all([feeRates(this.#backend), spendable(this.#backend, source, this.#gapLimit)])
    return makeQuote({ chain: this.#chain, source, to: r.to, amount, level, rates, funds, allowUnconfirmed: r.allowUnconfirmed === true })
  }

  /** The quote as an unsigned PSBT (base64) with a JSON summary. Fetches previous transactions for P2PKH inputs. */
  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    const q = assertOptions(quote) as TransferQuote
    if (q.chainId !== this.chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${this.chainId}.`)
    const inputs = q.details?.inputs as unknown as InputJson[] | undefined
    const outputs = q.details?.outputs as unknown as OutputJson[] | undefined
    if (!Array.isArray(inputs) || !Array.isArray(outputs)) throw new InvalidArgumentError('Not a quote from a Bitcoin adapter (details missing).')
    const fingerprint = q.details.fingerprint as number | undefined
    const psbt = buildPsbt(this.#chain.params, await this.#psbtInputs(inputs, fingerprint), psbtOutputs(outputs, fingerprint))
    return {
      chainId: this.chainId,
      kind: 'bitcoin-psbt',
      from: q.from,
      summary: { to: q.to, asset: q.asset, amount: q.amount.toString(), fee: q.fee.amount.toString() },
      payload: { psbt: psbtToBase64(psbt), network: this.network, feeRate: q.details.feeRate as string, vsize: q.details.vsize as number, inputs: inputs as never, outputs: outputs as never },
    }
  }

  async #psbtInputs(inputs: InputJson[], fingerprint: number | undefined): Promise<PsbtInput[]> {
    return Promise.all(
      inputs.map(async (i) => ({
        txid: i.txid,
        vout: i.vout,
        value: BigInt(i.value),
        type: i.type,
        address: i.address,
        ...(i.publicKey ? { publicKey: hexToBytes(i.publicKey) } : {}),
        ...(i.path && fingerprint !== undefined ? { origin: { fingerprint, path: i.path } } : {}),
        ...(i.type === 'p2pkh' ? { previousTx: await rpcCall('Reading the previous transaction', () => this.#backend.transactionHex(i.txid)) } : {}),
      })),
    )
  }

  /** Signs every input the signer (a key or an account) can, finalizes, extracts. Offline. */
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

  /** Adds the signatures `signer` can make to a base64 PSBT and returns it (not finalized), for multi-party or hardware-wallet flows. */
  async signPsbt(psbtBase64: string, signer: Signer | AccountSigner): Promise<string> {
    const psbt = psbtFromBase64(psbtBase64)
    if ((await signPsbt(psbt, signer, this.#chain.params)) === 0) throw new InvalidArgumentError('The signer has no key for any input of this PSBT.')
    return psbtToBase64(psbt)
  }

  /** Finalizes a fully signed base64 PSBT (signed here or elsewhere) into a broadcastable transaction. */
  finalizePsbt(psbtBase64: string, from = 'psbt'): SignedTransaction {
    if (typeof from !== 'string') throw new InvalidArgumentError('from must be a string (the sending address or account).')
    const { hex, txid } = finalizePsbt(psbtFromBase64(psbtBase64))
    return { chainId: this.chainId, kind: 'bitcoin-psbt', from, hash: txid, raw: hex }
  }

  /** Sends a signed transaction; returns the txid. */
  async broadcast(signed: SignedTransaction): Promise<string> {
    const s = assertOptions(signed) as SignedTransaction
    if (s.chainId !== this.chainId) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${this.chainId}.`)
    if (typeof s.raw !== 'string' || !/^[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be the transaction hex.')
    return rpcCall('Broadcasting', () => this.#backend.broadcast(s.raw))
  }

  /** build → sign → broadcast, and remember the send so it can be sped up. */
  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner): Promise<string> {
    const unsigned = await this.buildTransfer(quote)
    const signed = await this.signTransaction(unsigned, signer)
    const txid = await this.broadcast(signed)
    await this.#journal.add({
      hash: txid,
      source: quote.from,
      inputs: unsigned.payload.inputs as never,
      outputs: unsigned.payload.outputs as never,
      fee: quote.fee.amount.toString(),
      feeRate: unsigned.payload.feeRate as string,
      vsize: unsigned.payload.vsize as number,
      ...(typeof quote.details.fingerprint === 'number' ? { fingerprint: quote.details.fingerprint } : {}),
      sentAt: Date.now(),
    })
    return txid
  }

  /**
   * Replaces a pending send of this adapter with a higher fee (BIP-125): the same payment, the
   * fee raised from the change (or from more of the account's coins). Returns the new txid.
   */
  async speedUp(txid: string, signer: Signer | AccountSigner, options?: BumpOptions): Promise<string> {
    const opts = assertOptions(options)
    const sent = await this.#journal.get(checkTxid(txid))
    if (!sent) throw new NotSupportedError('Only sends this adapter made (sendTransfer) can be sped up here; re-quote with higher fees for others.')
    const status = await this.getTransaction(txid)
    if (status.state !== 'pending') throw new InvalidArgumentError(`Transaction ${txid} is ${status.state}; only pending transactions can be replaced.`)
    const rates = await feeRates(this.#backend)
    if (opts.feeRate !== undefined && (typeof opts.feeRate !== 'bigint' || opts.feeRate < 1n || opts.feeRate > 100_000n)) throw new InvalidArgumentError('feeRate must be a bigint of sat/vB from 1 to 100,000.')
    const floor = opts.feeRate ?? rates[assertOneOf(opts.feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)]
    const source = this.#source(sent.source)
    const bumped = await bumpFee(sent, floor, source, this.#backend, this.#gapLimit, this.network)
    const psbt = buildPsbt(this.#chain.params, await this.#psbtInputs(bumped.inputs as InputJson[], sent.fingerprint), psbtOutputs(bumped.outputs as OutputJson[], sent.fingerprint))
    await signPsbt(psbt, signer, this.#chain.params)
    const { hex, txid: newTxid } = finalizePsbt(psbt)
    await rpcCall('Broadcasting the replacement', () => this.#backend.broadcast(hex))
    await this.#journal.add({ ...bumped, hash: newTxid, source: sent.source, sentAt: Date.now(), replaces: sent.hash, ...(sent.fingerprint === undefined ? {} : { fingerprint: sent.fingerprint }) })
    return newTxid
  }

  /** Pending, confirmed (with confirmations and fee) or dropped (with its replacement when this adapter made one). */
  async getTransaction(txid: string): Promise<TransactionStatus> {
    const hash = checkTxid(txid)
    const [tx, tip] = await Promise.all([rpcCall('Reading the transaction', () => this.#backend.transaction(hash)), rpcCall('Reading the tip', () => this.#backend.tip())])
    if (tx?.confirmed && tx.height !== undefined) {
      return { hash, state: 'confirmed', blockHeight: tx.height, ...(tx.blockHash ? { blockHash: tx.blockHash } : {}), confirmations: tip.height - tx.height + 1, fee: { asset: this.nativeAsset, amount: tx.fee } }
    }
    if (tx) return { hash, state: 'pending', confirmations: 0, fee: { asset: this.nativeAsset, amount: tx.fee } }
    const replacement = (await this.#journal.all()).find((e) => e.replaces === hash)
    return { hash, state: 'dropped', confirmations: 0, ...(replacement ? { replacedBy: replacement.hash } : {}) }
  }

  /** Polls until `confirmations` (default 1) or the transaction is dropped. @throws TransactionTimeoutError */
  async waitForTransaction(txid: string, options?: WaitOptions): Promise<TransactionStatus> {
    const hash = checkTxid(txid)
    return waitUntil(() => this.getTransaction(hash), options, this.#chain.blockTimeMs)
  }

  /** Transfers in and out of an address or an account (net per transaction), newest first. */
  async getHistory(address: string, options?: HistoryOptions): Promise<HistoryPage> {
    const opts = assertOptions(options)
    if (opts.assets !== undefined && opts.assets.some((a) => a !== this.nativeAsset)) return { items: [] }
    const source = this.#source(address)
    const addresses = source.kind === 'address' ? [source.address] : (await discover(this.#backend, source, this.#gapLimit)).used.map((u) => u.address)
    return readHistory(this.#backend, this.#chain, source.id, addresses, opts.cursor, opts.limit ?? 50)
  }

  /** Height, hash, parent hash and time of the tip. */
  async latestBlock(): Promise<BlockRef> {
    const tip = await rpcCall('Reading the tip', () => this.#backend.tip())
    const block = await rpcCall('Reading the tip block', () => this.#backend.block(tip.hash))
    return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
  }

  /** Not offered: Esplora lists transactions per address, so a tracker re-reads balances instead. @throws NotSupportedError */
  async getTransfers(_parameters: GetTransfersParameters): Promise<TransferScan> {
    throw new NotSupportedError('The Bitcoin adapter has no range scan of transfers (capabilities.transfers is false); re-read balances and history instead.')
  }

  /** The block at `height` on the backend's best chain. */
  async blockAt(height: number): Promise<BlockRef> {
    const h = assertInteger(height, 'height', 0, Number.MAX_SAFE_INTEGER)
    const block = await rpcCall(`Reading block ${h}`, async () => this.#backend.block(await this.#backend.blockHash(h)))
    return { height: block.height, hash: block.hash, parentHash: block.parentHash, timestamp: block.time * 1000 }
  }

  #source(from: unknown): Source {
    return resolveSource(from, this.network)
  }
}

function sum(utxos: readonly BackendUtxo[]): bigint {
  return utxos.reduce((total, u) => total + u.value, 0n)
}

function checkTxid(txid: unknown): string {
  if (typeof txid !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txid)) throw new InvalidArgumentError('A txid is 64 hex digits.')
  return txid.toLowerCase()
}

/** A Bitcoin ChainAdapter: `bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' })`. */
export function bitcoin(options: BitcoinAdapterOptions): BitcoinAdapter {
  return new BitcoinAdapter(options)
}
