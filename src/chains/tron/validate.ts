/**
 * Boundary checks of the Tron adapter's calls (design idea 4): each argument is checked here, in
 * the order the call reads it, before any key is touched or any request is sent; and the TRC-20s
 * the adapter is configured with.
 * @module
 * @internal
 */
import { assertOneOf, assertOptions, describe, shown } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import {
  checkBalanceParameters,
  checkTokenFields,
  withToken,
  checkHistoryOptions,
  checkListedAsset,
  checkTransferParameters,
  type ListedAssets,
} from '../call-checks.js'
import {
  FEE_LEVELS,
  type GetBalancesParameters,
  type GetTransfersParameters,
  type HistoryOptions,
  type SignedTransaction,
  type TransferQuote,
  type TransferRequest,
} from '../adapter.js'
import type { TronContext, TronToken } from './context.js'
import { trc20AssetId, trxAssetId } from './networks.js'
import { TRON_TX_KIND } from './transaction.js'

/** A TRC-20 added to the adapter's list (beyond the registry's contracts for the network). */
export interface TronTokenConfig {
  /** base58 `T…` address of the TRC-20 contract. */
  readonly address: string
  readonly symbol: string
  readonly decimals: number
  readonly name?: string
  /** Family for totals, prices and policy limits across chains ("USDT"). */
  readonly family?: string
}

/** Longest memo, in UTF-8 bytes (it is paid as bandwidth and public forever). */
const MAX_MEMO_BYTES = 512
const TXID = /^[0-9a-f]{64}$/
/** Sun as a decimal string, below 2^63. */
const SUN = /^(0|[1-9][0-9]{0,17})$/

/** Checks a base58 TRON address. @throws InvalidAddressError */
export function checkAddress(value: unknown, name: string): string {
  if (!isValidTronAddress(value))
    throw new InvalidAddressError(
      `${name} is not a TRON address (base58check, 34 characters starting with T): ${typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : describe(value)}.`,
    )
  return value as string
}

/** Checks a txID (64 lower-case hex; upper case is accepted and lowered). @throws InvalidArgumentError */
export function checkTxId(value: unknown): string {
  const h = typeof value === 'string' ? value.toLowerCase().replace(/^0x/, '') : ''
  if (!TXID.test(h)) throw new InvalidArgumentError('A TRON transaction id is its txID: 64 hex digits (sha256 of raw_data).')
  return h
}

/** The registry's tokens plus the configured `tokens`, checked (a configured contract replaces the registry's entry). @throws InvalidArgumentError, InvalidAddressError */
export function checkTokens(tokens: unknown, chainId: ChainId, registry: readonly TronToken[]): TronToken[] {
  if (tokens === undefined) return [...registry]
  if (!Array.isArray(tokens)) throw new InvalidArgumentError('tokens must be an array of { address, symbol, decimals }.')
  let out = [...registry]
  tokens.forEach((t: unknown, i) => {
    const where = `tokens[${i}]`
    const token = assertOptions(t as TronTokenConfig, where) as TronTokenConfig
    checkAddress(token.address, `${where}.address`)
    const fields = checkTokenFields(token as unknown as { readonly [field: string]: unknown }, where)
    const entry: TronToken = Object.freeze({ asset: trc20AssetId(chainId, token.address), contract: token.address, ...fields })
    out = withToken(out, entry, (k) => k.contract === token.address)
  })
  return out
}

/** What the adapter lists, for the shared checks. */
const listed = (context: TronContext): ListedAssets => ({ ...context, nativeSymbol: 'TRX' })

/** An asset this adapter lists. @throws UnknownAssetError */
function checkAsset(asset: unknown, context: TronContext): AssetId {
  return checkListedAsset(asset, listed(context))
}

/** The listed TRC-20s among `assets` (TRX skipped), each once. @throws UnknownAssetError */
export function tokensIn(context: TronContext, assets: readonly AssetId[]): TronToken[] {
  return [...new Set(assets)]
    .filter((a) => a !== context.nativeAsset)
    .map((a) => {
      checkAsset(a, context)
      return context.tokens.find((t) => t.asset === a)!
    })
}

/** `getBalances` parameters. @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError */
export function checkBalanceQuery(parameters: GetBalancesParameters, context: TronContext): ReturnType<typeof checkBalanceParameters> {
  return checkBalanceParameters(parameters, listed(context), checkAddress)
}

/** `getHistory` options. @throws InvalidArgumentError, UnknownAssetError */
export function checkHistory(
  options: HistoryOptions | undefined,
  context: TronContext,
  maxLimit: number,
): ReturnType<typeof checkHistoryOptions> {
  return checkHistoryOptions(options, listed(context), maxLimit)
}

/** `getTransfers` parameters. @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError */
export function checkTransfers(parameters: GetTransfersParameters, context: TronContext): ReturnType<typeof checkTransferParameters> {
  return checkTransferParameters(parameters, listed(context), checkAddress, 'block heights')
}

/** A transfer request: addresses, a listed asset, amount, fee level, memo; no references. @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError */
export function checkTransferRequest(request: TransferRequest, context: TronContext): TransferRequest {
  const r = assertOptions(request) as TransferRequest
  const from = checkAddress(r.from, 'from')
  const to = checkAddress(r.to, 'to')
  const asset = checkAsset(r.asset, context)
  const amount = r.amount
  if (amount !== 'max' && (typeof amount !== 'bigint' || amount <= 0n || amount >= 2n ** 63n))
    throw new InvalidArgumentError('amount must be a positive bigint of base units below 2^63 (sun or token units), or "max".')
  const feeLevel = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
  if (r.memo !== undefined) {
    if (typeof r.memo !== 'string' || r.memo.length === 0) throw new InvalidArgumentError('memo must be a non-empty string.')
    if (new TextEncoder().encode(r.memo).length > MAX_MEMO_BYTES)
      throw new InvalidArgumentError(`memo is longer than ${MAX_MEMO_BYTES} UTF-8 bytes (it is paid as bandwidth and public forever).`)
  }
  return { ...r, from, to, asset, amount, feeLevel }
}

/**
 * A quote of this chain from a Tron adapter: its numbers readable, and what it builds (`details`)
 * the asset it names (`quote.asset`, which policies and prompts read). @throws InvalidArgumentError
 */
export function checkQuote(quote: TransferQuote, chainId: ChainId): TransferQuote {
  const q = assertOptions(quote) as TransferQuote
  if (q.chainId !== chainId) throw new InvalidArgumentError(`This quote is for ${shown(q.chainId)}, not ${chainId}.`)
  const d = q.details as { kind?: unknown; feeLimit?: unknown; maxFee?: unknown; contract?: unknown } | undefined
  if (!d || (d.kind !== 'trx' && d.kind !== 'trc20') || typeof d.feeLimit !== 'string' || typeof d.maxFee !== 'string')
    throw new InvalidArgumentError('Not a quote from a Tron adapter (details missing).')
  if (!SUN.test(d.feeLimit) || !SUN.test(d.maxFee) || typeof q.fee?.amount !== 'bigint')
    throw new InvalidArgumentError(
      'quote.details.feeLimit and maxFee must be decimal sun and quote.fee.amount a bigint: quote again rather than edit a quote.',
    )
  if (typeof q.amount !== 'bigint' || q.amount <= 0n) throw new InvalidArgumentError('quote.amount must be a positive bigint.')
  const builds =
    d.kind === 'trx' ? trxAssetId(chainId) : isValidTronAddress(d.contract) ? trc20AssetId(chainId, d.contract as string) : undefined
  if (builds !== q.asset)
    throw new InvalidArgumentError(
      `This quote names ${shown(q.asset, 120)} but its details build a transfer of something else: quote again.`,
    )
  return q
}

/** A signed transaction of this chain (shape only; broadcastTron checks the bytes). @throws InvalidArgumentError */
export function checkSigned(signed: SignedTransaction, chainId: ChainId): SignedTransaction {
  const s = assertOptions(signed) as SignedTransaction
  if (s.chainId !== chainId) throw new InvalidArgumentError(`This transaction is for ${shown(s.chainId)}, not ${chainId}.`)
  if (s.kind !== TRON_TX_KIND) throw new InvalidArgumentError(`signed must be a ${TRON_TX_KIND} SignedTransaction.`)
  checkTxId(s.hash)
  return s
}
