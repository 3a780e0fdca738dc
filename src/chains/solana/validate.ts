/**
 * Boundary checks of the Solana adapter's calls (design idea 4): each argument is checked here,
 * in the order the call reads it, before any key is touched or any request is sent.
 * @module
 * @internal
 */
import { refuseStablecoinGas } from '../request-extras.js'
import { base58 } from '@scure/base'
import { assertOneOf, assertOptions, describe, shown } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import { isValidSolanaAddress } from '../../keys/address/solana.js'
import {
  checkBalanceParameters,
  checkHistoryOptions,
  checkListedAsset,
  checkTransferParameters,
  type ListedAssets,
} from '../call-checks.js'
import {
  FEE_LEVELS,
  type FeeLevel,
  type GetBalancesParameters,
  type GetTransfersParameters,
  type HistoryOptions,
  type SignedTransaction,
  type TransferQuote,
} from '../adapter.js'
import type { SolanaContext } from './context.js'
import type { SolanaTransferRequest } from './quote.js'

/** Most reference keys a Solana Pay request may add (each is an account of the transaction). */
const MAX_REFERENCES = 8
/** Longest memo, in UTF-8 bytes (the Memo program takes more, but a transaction is at most 1,232 bytes). */
const MAX_MEMO_BYTES = 566

/** Checks a base58 Solana address. @throws InvalidAddressError */
export function checkAddress(value: unknown, name: string): string {
  if (!isValidSolanaAddress(value))
    throw new InvalidAddressError(
      `${name} is not a Solana address (base58 of 32 bytes): ${typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : describe(value)}.`,
    )
  return value as string
}

/** Checks a transaction signature (base58 of 64 bytes). @throws InvalidArgumentError */
export function checkSignature(value: unknown): string {
  if (typeof value === 'string' && value.length >= 64 && value.length <= 88) {
    try {
      if (base58.decode(value).length === 64) return value
    } catch {
      // falls through to the error
    }
  }
  throw new InvalidArgumentError('A Solana transaction id is its first signature: base58 of 64 bytes.')
}

/** What the adapter lists, for the shared checks. */
const listed = (context: SolanaContext): ListedAssets => ({ ...context, nativeSymbol: 'SOL' })

/** An asset this adapter lists. @throws UnknownAssetError */
export function checkAsset(asset: unknown, context: SolanaContext): AssetId {
  return checkListedAsset(asset, listed(context))
}

/** `getBalances` parameters. @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError */
export function checkBalanceQuery(parameters: GetBalancesParameters, context: SolanaContext): ReturnType<typeof checkBalanceParameters> {
  return checkBalanceParameters(parameters, listed(context), checkAddress)
}

/** `getHistory` options. @throws InvalidArgumentError, UnknownAssetError */
export function checkHistory(
  options: HistoryOptions | undefined,
  context: SolanaContext,
  maxLimit: number,
): ReturnType<typeof checkHistoryOptions> {
  return checkHistoryOptions(options, listed(context), maxLimit)
}

/** `getTransfers` parameters. @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError */
export function checkTransfers(parameters: GetTransfersParameters, context: SolanaContext): ReturnType<typeof checkTransferParameters> {
  return checkTransferParameters(parameters, listed(context), checkAddress, 'slots')
}

/** A checked transfer request. */
export interface CheckedTransfer extends SolanaTransferRequest {
  readonly amount: bigint | 'max'
  readonly feeLevel: FeeLevel
}

/** A transfer request: addresses, a listed asset, amount, fee level, Solana Pay memo and references. @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError */
export function checkTransferRequest(request: SolanaTransferRequest, context: SolanaContext): CheckedTransfer {
  const r = assertOptions(request) as SolanaTransferRequest
  const from = checkAddress(r.from, 'from')
  const to = checkAddress(r.to, 'to')
  const asset = checkAsset(r.asset, context)
  const amount = r.amount
  if (amount !== 'max' && (typeof amount !== 'bigint' || amount <= 0n || amount >= 2n ** 64n))
    throw new InvalidArgumentError('amount must be a positive bigint of base units below 2^64 (lamports or token units), or "max".')
  const feeLevel = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
  refuseStablecoinGas(r, 'Solana')
  let memo: string | undefined
  if (r.memo !== undefined) {
    if (typeof r.memo !== 'string' || r.memo.length === 0) throw new InvalidArgumentError('memo must be a non-empty string.')
    if (new TextEncoder().encode(r.memo).length > MAX_MEMO_BYTES)
      throw new InvalidArgumentError(`memo is longer than ${MAX_MEMO_BYTES} UTF-8 bytes; a Solana transaction has no room for it.`)
    memo = r.memo
  }
  let references: string[] | undefined
  if (r.references !== undefined) {
    if (!Array.isArray(r.references) || r.references.length > MAX_REFERENCES)
      throw new InvalidArgumentError(`references must be an array of at most ${MAX_REFERENCES} base58 keys.`)
    references = r.references.map((k, i) => checkAddress(k, `references[${i}]`))
    if (new Set([...references, from, to]).size !== references.length + (from === to ? 1 : 2))
      throw new InvalidArgumentError('references must be distinct keys, none of them the sender or the recipient.')
  }
  return {
    from,
    to,
    asset,
    amount,
    feeLevel,
    ...(memo === undefined ? {} : { memo }),
    ...(references === undefined ? {} : { references }),
  }
}

/** A quote of this chain from a Solana adapter. @throws InvalidArgumentError */
export function checkQuote(quote: TransferQuote, chainId: ChainId): TransferQuote {
  const q = assertOptions(quote) as TransferQuote
  if (q.chainId !== chainId) throw new InvalidArgumentError(`This quote is for ${shown(q.chainId)}, not ${chainId}.`)
  if (!q.details || typeof q.details.program !== 'string' || !q.fee?.details)
    throw new InvalidArgumentError('Not a quote from a Solana adapter (details missing).')
  return q
}

/** A signed transaction of this chain (shape only; the bytes are checked before broadcast). @throws InvalidArgumentError */
export function checkSigned(signed: SignedTransaction, chainId: ChainId): SignedTransaction {
  const s = assertOptions(signed) as SignedTransaction
  if (s.chainId !== chainId) throw new InvalidArgumentError(`This transaction is for ${shown(s.chainId)}, not ${chainId}.`)
  if (typeof s.raw !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s.raw))
    throw new InvalidArgumentError('signed.raw must be the base64 wire transaction.')
  checkSignature(s.hash)
  return s
}
