/**
 * Boundary checks of the Bitcoin adapter's calls (design idea 4): each argument is checked
 * here, in the order the call reads it, before any key is touched or any request is sent. Also
 * the one backend answer a build depends on: a tip height fit for a lock time.
 * @module
 * @internal
 */
import { assertInteger, assertOneOf, assertOptions, isIntegerIn } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidArgumentError, RpcError, UnknownAssetError, type BroadcastTransaction } from '../../core/errors.js'
import { isValidBitcoinAddress, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import {
  FEE_LEVELS,
  type FeeLevel,
  type GetBalancesParameters,
  type SendTransferOptions,
  type SignedTransaction,
  type TransferQuote,
  type TransferRequest,
  type UnsignedTransaction,
} from '../adapter.js'
import { refuseExtras } from '../request-extras.js'
import { resolveSource, type Source } from './account.js'
import { rawTxid } from './previous-tx.js'
import type { InputJson, OutputJson } from './transaction.js'

/** A txid, lower-cased. @throws InvalidArgumentError */
export function checkTxid(txid: unknown): string {
  if (typeof txid !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txid)) throw new InvalidArgumentError('A txid is 64 hex digits.')
  return txid.toLowerCase()
}

/** A tip height fit for a lock time. @throws RpcError */
export function checkTip(height: unknown): number {
  if (!isIntegerIn(height, 0, 500_000_000 - 1))
    throw new RpcError(`The backend reported an impossible tip height (${String(height).slice(0, 20)}).`)
  return height
}

/** A discovery gap limit, 1 to 1000. @throws InvalidArgumentError */
export function checkGapLimit(gap: unknown): number {
  if (!isIntegerIn(gap, 1, 1000)) throw new InvalidArgumentError('gapLimit must be an integer from 1 to 1000.')
  return gap
}

/** An account to discover (descriptor or extended key, not an address) and its gap limit. @throws InvalidAddressError, InvalidArgumentError */
export function checkDiscovery(
  account: unknown,
  options: { gapLimit?: number } | undefined,
  network: BitcoinNetwork,
  defaultGap: number,
): { source: Extract<Source, { kind: 'account' }>; gap: number } {
  const source = resolveSource(account, network)
  if (source.kind !== 'account')
    throw new InvalidArgumentError('discoverAccount needs an account descriptor or extended public key, not an address.')
  return { source, gap: checkGapLimit(assertOptions(options).gapLimit ?? defaultGap) }
}

/** `getBalances` parameters: the sources to read, the depth that counts as settled, an optional block. @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError */
export function checkBalanceQuery(
  parameters: GetBalancesParameters,
  nativeAsset: AssetId,
  network: BitcoinNetwork,
): { sources: Source[]; depth: number; blockHeight: number | undefined } {
  const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
  if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of addresses or account descriptors.')
  if (assets !== undefined && assets.some((a) => a !== nativeAsset))
    throw new UnknownAssetError(`This Bitcoin adapter only knows ${nativeAsset}.`)
  if (blockHeight !== undefined) assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER)
  const depth = confirmations === undefined ? 1 : assertInteger(confirmations, 'confirmations', 1, 10_000)
  const sources = addresses.map((a) => resolveSource(a, network))
  return { sources, depth, blockHeight }
}

/** A checked transfer request: its asset, recipient, amount, fee level and source (the dust check follows, in quote.ts). */
export interface CheckedTransfer {
  readonly source: Source
  readonly to: string
  readonly amount: bigint | 'max'
  readonly level: FeeLevel
  readonly allowUnconfirmed: boolean
}

/** A transfer request of `nativeAsset` on `network`. @throws UnknownAssetError, InvalidArgumentError, InvalidAddressError */
export function checkTransferRequest(
  request: TransferRequest & { allowUnconfirmed?: boolean },
  nativeAsset: AssetId,
  network: BitcoinNetwork,
): CheckedTransfer {
  const r = assertOptions(request)
  refuseExtras(r, 'Bitcoin')
  if (r.asset !== nativeAsset) throw new UnknownAssetError(`This Bitcoin adapter moves ${nativeAsset} only.`)
  if (typeof r.to !== 'string' || !isValidBitcoinAddress(r.to, network))
    throw new InvalidArgumentError(`to is not a ${network} Bitcoin address.`)
  const amount = r.amount
  if (amount !== 'max' && (typeof amount !== 'bigint' || amount <= 0n || amount > 21_000_000n * 10n ** 8n)) {
    throw new InvalidArgumentError('amount must be a positive bigint of satoshis or "max".')
  }
  const level = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
  const source = resolveSource(r.from, network)
  return { source, to: r.to, amount, level, allowUnconfirmed: r.allowUnconfirmed === true }
}

/** A quote's parts a build needs. */
export interface QuoteParts {
  readonly quote: TransferQuote
  readonly inputs: InputJson[]
  readonly outputs: OutputJson[]
  readonly fingerprint: number | undefined
  /** The tip height the quote was made at, when it says. */
  readonly quotedTip: unknown
}

/** A quote of this chain from a Bitcoin adapter. @throws InvalidArgumentError */
export function checkQuote(quote: TransferQuote, chainId: ChainId): QuoteParts {
  const q = assertOptions(quote) as TransferQuote
  if (q.chainId !== chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${chainId}.`)
  const inputs = q.details?.inputs as unknown as InputJson[] | undefined
  const outputs = q.details?.outputs as unknown as OutputJson[] | undefined
  if (!Array.isArray(inputs) || !Array.isArray(outputs))
    throw new InvalidArgumentError('Not a quote from a Bitcoin adapter (details missing).')
  return { quote: q, inputs, outputs, fingerprint: q.details.fingerprint as number | undefined, quotedTip: q.details.tipHeight }
}

/** An unsigned Bitcoin PSBT transaction and a Bitcoin signer of `network`. @throws InvalidArgumentError */
export function checkSigning(unsigned: UnsignedTransaction, signer: Signer | AccountSigner, network: BitcoinNetwork): UnsignedTransaction {
  const u = assertOptions(unsigned) as UnsignedTransaction
  if (u.kind !== 'bitcoin-psbt' || typeof u.payload?.psbt !== 'string')
    throw new InvalidArgumentError('Not an unsigned Bitcoin PSBT transaction.')
  if (!signer || typeof signer !== 'object' || signer.chain !== 'bitcoin')
    throw new InvalidArgumentError(
      'Bitcoin transactions need a Bitcoin signer (vault.getSigner or vault.getAccountSigner with chain "bitcoin").',
    )
  if (signer.network !== network)
    throw new InvalidArgumentError(`The signer is for ${String(signer.network)}, this adapter for ${network}.`)
  return u
}

/** The `from` label of a finalized PSBT. @throws InvalidArgumentError */
export function checkFrom(from: unknown): string {
  if (typeof from !== 'string') throw new InvalidArgumentError('from must be a string (the sending address or account).')
  return from
}

/** A signed transaction of this chain whose `hash` (if given) is the txid of its bytes; lower-cased. @throws InvalidArgumentError */
export function checkSigned(signed: SignedTransaction, chainId: ChainId): BroadcastTransaction {
  const s = assertOptions(signed) as SignedTransaction
  if (s.chainId !== chainId) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${chainId}.`)
  if (typeof s.raw !== 'string' || !/^[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be the transaction hex.')
  const hash = rawTxid(s.raw)
  if (!hash) throw new InvalidArgumentError('signed.raw is not a Bitcoin transaction.')
  if (s.hash !== undefined && (typeof s.hash !== 'string' || s.hash.toLowerCase() !== hash))
    throw new InvalidArgumentError(`signed.hash is not the txid of signed.raw (${hash}).`)
  return {
    chainId,
    kind: typeof s.kind === 'string' ? s.kind : 'bitcoin-psbt',
    from: typeof s.from === 'string' ? s.from : '',
    hash,
    raw: s.raw.toLowerCase(),
  }
}

/** `sendTransfer` options: the `onSigned` hook, if any. @throws InvalidArgumentError */
export function checkSendOptions(options: SendTransferOptions | undefined): SendTransferOptions['onSigned'] {
  const { onSigned } = assertOptions(options)
  if (onSigned !== undefined && typeof onSigned !== 'function') throw new InvalidArgumentError('onSigned must be a function.')
  return onSigned
}

/** `speedUp` arguments: the txid, an explicit fee rate (1 to 100,000 sat/vB) or a fee level (default fast). @throws InvalidArgumentError */
export function checkSpeedUp(
  txid: unknown,
  options: { feeLevel?: FeeLevel; feeRate?: bigint } | undefined,
): { hash: string; feeRate: bigint | undefined; level: FeeLevel } {
  const opts = assertOptions(options)
  const hash = checkTxid(txid)
  if (opts.feeRate !== undefined && (typeof opts.feeRate !== 'bigint' || opts.feeRate < 1n || opts.feeRate > 100_000n))
    throw new InvalidArgumentError('feeRate must be a bigint of sat/vB from 1 to 100,000.')
  const level = assertOneOf(opts.feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)
  return { hash, feeRate: opts.feeRate, level }
}
