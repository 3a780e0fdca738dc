/**
 * The MemoryAdapter of the in-memory "memo" chain family (see memory-family.ts): a whole
 * ChainAdapter over a Map of balances. Transfers are real in the way that matters to the layers
 * above: built as JSON, signed by a vault Signer over the sha-256 of the canonical payload,
 * verified against the signer's public key (and its address) before balances move, one block
 * per broadcast. No node, no network; optional parts (transfer scans, replacement, message
 * signing) are off in `capabilities` and throw NotSupportedError.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import {
  InsufficientFundsError,
  InvalidAddressError,
  InvalidArgumentError,
  InvalidAmountError,
  NotSupportedError,
  TransactionRejectedError,
  TransactionTimeoutError,
  UnknownAssetError,
} from '../../src/core/errors.js'
import type { AssetId, ChainId } from '../../src/core/caip.js'
import {
  FEE_LEVELS,
  type AdapterCapabilities,
  type AssetInfo,
  type Balance,
  type BlockRef,
  type ChainAdapter,
  type FeeEstimate,
  type FeeLevel,
  type GetBalancesParameters,
  type HistoryItem,
  type HistoryOptions,
  type HistoryPage,
  type MessageSignature,
  type SendTransferOptions,
  type SignedTransaction,
  type TransactionStatus,
  type TransferQuote,
  type TransferRequest,
  type TransferScan,
  type UnsignedTransaction,
} from '../../src/chains/adapter.js'
import { evmAddressFromPublicKey } from '../../src/keys/address/evm.js'
import type { AccountSigner, Signer } from '../../src/keys/signer.js'

/** The memo family's one network. */
export const MEMO_CHAIN_ID: ChainId = 'memo:local'
/** Its native coin (6 decimals). */
export const MEMO_ASSET: AssetId = 'memo:local/slip44:9999'
/** Every transfer's fee, in base units. */
export const MEMO_FEE = 1_000n
const MEMO_ADDRESS = /^memo1[0-9a-f]{40}$/
const HASH = /^0x[0-9a-f]{64}$/

/** True for `memo1` + 40 lower-case hex digits. */
export function isMemoAddress(address: unknown): boolean {
  return typeof address === 'string' && MEMO_ADDRESS.test(address)
}

/** The memo address of a secp256k1 public key: its EVM address, lower case, behind `memo1`. */
export function memoAddressOf(publicKey: Uint8Array): string {
  return `memo1${evmAddressFromPublicKey(publicKey).slice(2).toLowerCase()}`
}

const ASSET: AssetInfo = Object.freeze({
  id: MEMO_ASSET,
  chainId: MEMO_CHAIN_ID,
  symbol: 'MEMO',
  name: 'Memo',
  decimals: 6,
  kind: 'native' as const,
})

/** What a memo transaction signs (every field a string: canonical JSON is its key-sorted form). */
interface Payload {
  readonly chainId: string
  readonly from: string
  readonly to: string
  readonly amount: string
  readonly fee: string
  readonly nonce: string
}

/** A transaction on the memo chain. */
interface MemoTx extends Payload {
  readonly hash: string
  readonly height: number
  readonly blockHash: string
  readonly timestamp: number
}

const canonical = (p: Payload): string => JSON.stringify(Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1))))
const digestOf = (p: Payload): Uint8Array => sha256(utf8ToBytes(canonical(p)))
const hex = (bytes: Uint8Array): string => `0x${bytesToHex(bytes)}`

/** A ChainAdapter over an in-memory ledger (see the module comment). */
export class MemoryAdapter implements ChainAdapter {
  readonly chainId = MEMO_CHAIN_ID
  readonly nativeAsset = MEMO_ASSET
  readonly testnet = true
  readonly capabilities: AdapterCapabilities = Object.freeze({
    history: true,
    replaceTransaction: false,
    cancelTransaction: false,
    signMessage: false,
    signTypedData: false,
    sendMax: true,
    tokens: false,
    balancesAt: false,
    transfers: false,
    stablecoinGas: false,
    mempool: false,
  })
  readonly #balances = new Map<string, bigint>()
  readonly #txs: MemoTx[] = []
  readonly #blocks: BlockRef[] = [
    Object.freeze({
      height: 0,
      hash: hex(sha256(utf8ToBytes('memo genesis'))),
      parentHash: hex(new Uint8Array(32)),
      timestamp: Date.now(),
    }),
  ]
  #nonce = 0

  /** Starts with `balances` (base units by address). */
  constructor(balances: { readonly [address: string]: bigint } = {}) {
    for (const [address, amount] of Object.entries(balances)) this.fund(address, amount)
  }

  /** Credits `amount` base units to `address` (a faucet; no block). */
  fund(address: string, amount: bigint): void {
    this.#address(address, 'address')
    if (typeof amount !== 'bigint' || amount < 0n) throw new InvalidAmountError('fund takes a non-negative bigint.')
    this.#balances.set(address, this.balanceOf(address) + amount)
  }

  /** The balance of `address` in base units. */
  balanceOf(address: string): bigint {
    return this.#balances.get(address) ?? 0n
  }

  async assets(): Promise<readonly AssetInfo[]> {
    return [ASSET]
  }

  isValidAddress(address: string): boolean {
    return isMemoAddress(address)
  }

  async getBalances(parameters: GetBalancesParameters): Promise<Balance[]> {
    const { addresses, assets = [MEMO_ASSET], blockHeight } = parameters
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array.')
    addresses.forEach((a, i) => this.#address(a, `addresses[${i}]`))
    assets.forEach((a) => this.#asset(a))
    const head = this.#head().height
    if (blockHeight !== undefined && blockHeight !== head)
      throw new NotSupportedError('The memo adapter reads only the newest block (capabilities.balancesAt is false).', {
        details: { chainId: this.chainId },
      })
    return addresses.flatMap((address) =>
      assets.map((asset): Balance => ({ ok: true, address, asset, amount: this.balanceOf(address), decimals: 6, blockHeight: head })),
    )
  }

  async quoteTransfer(request: TransferRequest): Promise<TransferQuote> {
    const { from, to, asset, amount, feeLevel = 'normal' } = request
    this.#address(from, 'from')
    this.#address(to, 'to')
    this.#asset(asset)
    if (!FEE_LEVELS.includes(feeLevel)) throw new InvalidArgumentError(`feeLevel must be one of ${FEE_LEVELS.join(', ')}.`)
    // Fees here are paid in the coin; 'auto' means the coin.
    if (request.gas === 'stablecoin') throw new NotSupportedError('The memory chain cannot pay fees in a stablecoin.')
    if (request.payments !== undefined) throw new NotSupportedError('The memory chain pays one recipient per transaction.')
    if (amount !== 'max' && (typeof amount !== 'bigint' || amount <= 0n))
      throw new InvalidAmountError('amount must be a positive bigint of base units or "max".')
    const balance = this.balanceOf(from)
    const units = amount === 'max' ? balance - MEMO_FEE : amount
    if (units <= 0n || units + MEMO_FEE > balance) {
      const needed = units > 0n ? units + MEMO_FEE : MEMO_FEE + 1n
      throw new InsufficientFundsError(`${from} holds ${balance} base units, less than the amount plus the ${MEMO_FEE} fee.`, {
        details: { asset, needed: needed.toString(), available: balance.toString(), fee: MEMO_FEE.toString() },
      })
    }
    const fee = (level: FeeLevel): FeeEstimate => ({ level, asset: MEMO_ASSET, amount: MEMO_FEE, expected: MEMO_FEE, details: {} })
    return {
      chainId: this.chainId,
      from,
      to,
      asset,
      amount: units,
      feeLevel,
      fee: fee(feeLevel),
      fees: { slow: fee('slow'), normal: fee('normal'), fast: fee('fast') },
      createdAt: Date.now(),
      details: {},
    }
  }

  async buildTransfer(quote: TransferQuote): Promise<UnsignedTransaction> {
    if (quote?.chainId !== this.chainId) throw new InvalidArgumentError('The quote is not of the memo chain.')
    this.#address(quote.from, 'from')
    this.#address(quote.to, 'to')
    const payload: Payload = {
      chainId: this.chainId,
      from: quote.from,
      to: quote.to,
      amount: quote.amount.toString(),
      fee: quote.fee.amount.toString(),
      nonce: `${Date.now()}-${++this.#nonce}`,
    }
    return {
      chainId: this.chainId,
      kind: 'memo-transfer',
      from: quote.from,
      summary: { to: quote.to, asset: MEMO_ASSET, amount: payload.amount, fee: payload.fee, symbol: 'MEMO', decimals: 6 },
      payload: { ...payload },
    }
  }

  async signTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
    if (unsigned?.chainId !== this.chainId || unsigned.kind !== 'memo-transfer')
      throw new InvalidArgumentError('Not an unsigned memo transfer.')
    const payload = this.#payload(unsigned.payload)
    const { summary } = unsigned
    if (
      summary.to !== payload.to ||
      summary.amount !== payload.amount ||
      summary.fee !== payload.fee ||
      summary.asset !== MEMO_ASSET ||
      unsigned.from !== payload.from
    ) {
      throw new InvalidArgumentError('The transaction does not do what its summary says.')
    }
    if ('kind' in signer || signer.curve !== 'secp256k1')
      throw new InvalidArgumentError('A memo transfer needs a secp256k1 address signer.')
    if (memoAddressOf(signer.publicKey) !== payload.from) throw new InvalidArgumentError(`This signer is not ${payload.from}.`)
    const sig = await signer.signDigest(digestOf(payload))
    const raw = JSON.stringify({ payload, publicKey: bytesToHex(signer.publicKey), r: sig.r.toString(16), s: sig.s.toString(16) })
    return { chainId: this.chainId, kind: unsigned.kind, from: payload.from, hash: hex(sha256(utf8ToBytes(raw))), raw }
  }

  async broadcast(signed: SignedTransaction): Promise<string> {
    const hash = hex(sha256(utf8ToBytes(String(signed?.raw))))
    if (signed?.chainId !== this.chainId || signed.hash !== hash)
      throw new InvalidArgumentError('Not a signed memo transaction (chain or hash do not match its bytes).')
    const known = this.#txs.find((t) => t.hash === hash)
    if (known) return hash // the same bytes again: already on the chain
    let tx: { payload: unknown; publicKey: string; r: string; s: string }
    try {
      tx = JSON.parse(signed.raw) as typeof tx
    } catch (cause) {
      throw new InvalidArgumentError('The signed memo transaction is not JSON.', { cause })
    }
    const payload = this.#payload(tx.payload)
    let valid = false
    try {
      const publicKey = hexToBytes(tx.publicKey)
      valid =
        memoAddressOf(publicKey) === payload.from &&
        secp256k1.verify(new secp256k1.Signature(BigInt(`0x${tx.r}`), BigInt(`0x${tx.s}`)), digestOf(payload), publicKey)
    } catch {
      valid = false
    }
    if (!valid)
      throw new TransactionRejectedError("The memo chain refused a transaction whose signature is not its sender's.", {
        details: { reason: 'bad signature' },
      })
    const [amount, fee] = [BigInt(payload.amount), BigInt(payload.fee)]
    const balance = this.balanceOf(payload.from)
    if (amount + fee > balance)
      throw new TransactionRejectedError(
        `The memo chain refused the transfer: ${payload.from} holds ${balance}, it spends ${amount + fee}.`,
        { details: { reason: 'insufficient funds' } },
      )
    this.#balances.set(payload.from, balance - amount - fee)
    this.#balances.set(payload.to, this.balanceOf(payload.to) + amount)
    const parent = this.#head()
    const block: BlockRef = Object.freeze({
      height: parent.height + 1,
      hash: hex(sha256(utf8ToBytes(`${parent.hash}${hash}`))),
      parentHash: parent.hash,
      timestamp: Date.now(),
    })
    this.#blocks.push(block)
    this.#txs.push(Object.freeze({ ...payload, hash, height: block.height, blockHash: block.hash, timestamp: block.timestamp }))
    return hash
  }

  async sendTransfer(quote: TransferQuote, signer: Signer | AccountSigner, options: SendTransferOptions = {}): Promise<string> {
    const signed = await this.signTransaction(await this.buildTransfer(quote), signer)
    await options.onSigned?.(signed)
    return this.broadcast(signed)
  }

  async getTransaction(hash: string): Promise<TransactionStatus> {
    if (typeof hash !== 'string' || !HASH.test(hash)) throw new InvalidArgumentError('hash must be 0x + 64 lower-case hex digits.')
    const tx = this.#txs.find((t) => t.hash === hash)
    if (!tx) return { hash, state: 'dropped', confirmations: 0, unminable: false }
    return {
      hash,
      state: 'confirmed',
      blockHeight: tx.height,
      blockHash: tx.blockHash,
      confirmations: this.#head().height - tx.height + 1,
      fee: { asset: MEMO_ASSET, amount: BigInt(tx.fee) },
    }
  }

  async waitForTransaction(hash: string): Promise<TransactionStatus> {
    const status = await this.getTransaction(hash)
    if (status.state !== 'confirmed')
      throw new TransactionTimeoutError(`The memo chain never saw ${hash}.`, { details: { hash, state: status.state } })
    return status
  }

  async getHistory(address: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    this.#address(address, 'address')
    options.assets?.forEach((a) => this.#asset(a))
    const limit = options.limit ?? 50
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000)
      throw new InvalidArgumentError('limit must be an integer from 1 to 1000.')
    if (options.cursor !== undefined && !/^\d{1,9}$/.test(options.cursor))
      throw new InvalidArgumentError("cursor is not one of this adapter's cursors.")
    const start = Number(options.cursor ?? 0)
    const mine = this.#txs.filter((t) => t.from === address || t.to === address).reverse()
    const items = mine.slice(start, start + limit).map((t): HistoryItem => ({
      chainId: this.chainId,
      hash: t.hash,
      asset: MEMO_ASSET,
      direction: t.from === t.to ? 'self' : t.from === address ? 'out' : 'in',
      from: t.from,
      to: t.to,
      amount: BigInt(t.amount),
      blockHeight: t.height,
      timestamp: t.timestamp,
      ...(t.from === address ? { fee: { asset: MEMO_ASSET, amount: BigInt(t.fee) } } : {}),
      state: 'confirmed',
    }))
    return { items, ...(start + limit < mine.length ? { cursor: String(start + limit) } : {}) }
  }

  async getTransfers(): Promise<TransferScan> {
    throw new NotSupportedError('The memo adapter has no range scan of transfers (capabilities.transfers is false).', {
      details: { chainId: this.chainId },
    })
  }

  async latestBlock(): Promise<BlockRef> {
    return this.#head()
  }

  async blockAt(height: number): Promise<BlockRef> {
    if (!Number.isSafeInteger(height) || height < 0) throw new InvalidArgumentError('height must be a non-negative integer.')
    const block = this.#blocks[height]
    if (!block) throw new InvalidArgumentError(`The memo chain has no block ${height} yet.`)
    return block
  }

  async replaceTransaction(): Promise<string> {
    throw new NotSupportedError('Memo transfers confirm at once: nothing to replace (capabilities.replaceTransaction is false).', {
      details: { chainId: this.chainId },
    })
  }

  async signMessage(): Promise<MessageSignature> {
    throw new NotSupportedError('The memo chain has no message signatures (capabilities.signMessage is false).', {
      details: { chainId: this.chainId },
    })
  }

  async signTypedData(): Promise<MessageSignature> {
    throw new NotSupportedError('The memo chain has no typed data (capabilities.signTypedData is false).', {
      details: { chainId: this.chainId },
    })
  }

  #head(): BlockRef {
    return this.#blocks[this.#blocks.length - 1] as BlockRef
  }

  #address(address: unknown, name: string): void {
    if (!isMemoAddress(address))
      throw new InvalidAddressError(`${name} is not a memo address (memo1 + 40 lower-case hex digits).`, {
        details: { chainId: this.chainId },
      })
  }

  #asset(asset: unknown): void {
    if (asset !== MEMO_ASSET)
      throw new UnknownAssetError(`The memo chain has one asset, ${MEMO_ASSET}.`, { details: { chainId: this.chainId, known: MEMO_ASSET } })
  }

  /** A payload as built here, checked field by field. */
  #payload(value: unknown): Payload {
    const p = (value ?? {}) as Record<string, unknown>
    const ok =
      p.chainId === this.chainId &&
      isMemoAddress(p.from) &&
      isMemoAddress(p.to) &&
      typeof p.nonce === 'string' &&
      [p.amount, p.fee].every((n) => typeof n === 'string' && /^\d{1,30}$/.test(n))
    if (!ok || Object.keys(p).length !== 6) throw new InvalidArgumentError('Not a memo transfer payload.')
    return {
      chainId: this.chainId,
      from: p.from as string,
      to: p.to as string,
      amount: p.amount as string,
      fee: p.fee as string,
      nonce: p.nonce as string,
    }
  }
}
