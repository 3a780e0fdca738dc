/**
 * Boundary checks the adapters of several families share (design idea 4): the listed assets of
 * a call, `getBalances` / `getHistory` / `getTransfers` parameters and `sendTransfer` options.
 * Each family passes its own address check and its native coin's symbol, so messages name the
 * chain's own terms.
 * @module
 * @internal
 */
import { assertInteger, assertOptions, isIntegerIn, shown } from '../core/assert.js'
import type { AssetId, ChainId } from '../core/caip.js'
import { InvalidArgumentError, UnknownAssetError } from '../core/errors.js'
import type { GetBalancesParameters, GetTransfersParameters, HistoryOptions, SendTransferOptions } from './adapter.js'

/** What an adapter lists: its native asset and its tokens. */
export interface ListedAssets {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  /** The native coin's symbol (SOL, TRX), for messages. */
  readonly nativeSymbol: string
  readonly tokens: readonly { readonly asset: AssetId; readonly symbol: string }[]
}

/** Checks one address, naming the parameter. @throws InvalidAddressError */
export type AddressCheck = (value: unknown, name: string) => string

const SYMBOL = /^[A-Za-z0-9.$-]{1,16}$/
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/

/** Most addresses one `getBalances` reads. */
const MAX_BALANCE_ADDRESSES = 10_000

/** An asset the adapter lists. @throws UnknownAssetError */
export function checkListedAsset(asset: unknown, listed: ListedAssets): AssetId {
  if (asset === listed.nativeAsset || listed.tokens.some((t) => t.asset === asset)) return asset as AssetId
  throw new UnknownAssetError(
    `${shown(asset, 120)} is not an asset this ${listed.chainId} adapter lists (${listed.nativeSymbol} and ${listed.tokens.map((t) => t.symbol).join(', ') || 'no tokens'}); add a token with the adapter's tokens option.`,
    { details: { chainId: listed.chainId } },
  )
}

/** Every listed asset, native first. */
const allAssets = (listed: ListedAssets): AssetId[] => [listed.nativeAsset, ...listed.tokens.map((t) => t.asset)]

/** `getBalances` parameters. @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError */
export function checkBalanceParameters(
  parameters: GetBalancesParameters,
  listed: ListedAssets,
  checkAddress: AddressCheck,
): { addresses: string[]; assets: AssetId[]; confirmations: number; blockHeight: number | undefined } {
  const { addresses, assets, blockHeight, confirmations } = assertOptions(parameters)
  if (!Array.isArray(addresses)) throw new InvalidArgumentError(`addresses must be an array of addresses of ${listed.chainId}.`)
  if (addresses.length > MAX_BALANCE_ADDRESSES)
    throw new InvalidArgumentError(`getBalances reads at most ${MAX_BALANCE_ADDRESSES} addresses at once; split the list.`)
  const checked = addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
  if (assets !== undefined && !Array.isArray(assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 ids.')
  const list = assets === undefined ? allAssets(listed) : assets.map((a) => checkListedAsset(a, listed))
  const height = blockHeight === undefined ? undefined : assertInteger(blockHeight, 'blockHeight', 0, Number.MAX_SAFE_INTEGER)
  const depth = confirmations === undefined ? 1 : assertInteger(confirmations, 'confirmations', 1, 10_000)
  return { addresses: checked, assets: list, confirmations: depth, blockHeight: height }
}

/** `getHistory` options: the assets (default all), `limit` (default 50, at most `maxLimit`) and the cursor. @throws InvalidArgumentError, UnknownAssetError */
export function checkHistoryOptions(
  options: HistoryOptions | undefined,
  listed: ListedAssets,
  maxLimit: number,
): { assets: AssetId[]; limit: number; cursor?: string } {
  const opts = assertOptions(options)
  if (opts.assets !== undefined && !Array.isArray(opts.assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 ids.')
  const assets = opts.assets === undefined ? allAssets(listed) : opts.assets.map((a) => checkListedAsset(a, listed))
  const limit = opts.limit ?? Math.min(50, maxLimit)
  if (!isIntegerIn(limit, 1, maxLimit))
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${maxLimit.toLocaleString('en-US')}.`)
  if (opts.cursor !== undefined && typeof opts.cursor !== 'string')
    throw new InvalidArgumentError('cursor must be a string from a previous page.')
  return { assets, limit, ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }) }
}

/**
 * `getTransfers` parameters; `unit` names the chain's block numbers in messages (`slots`).
 * @throws InvalidArgumentError, InvalidAddressError, UnknownAssetError
 */
export function checkTransferParameters(
  parameters: GetTransfersParameters,
  listed: ListedAssets,
  checkAddress: AddressCheck,
  unit: string,
): { addresses: string[]; assets: AssetId[]; fromBlock: number; toBlock: number } {
  const p = assertOptions(parameters)
  const q = checkBalanceParameters(
    { addresses: p.addresses as readonly string[], ...(p.assets ? { assets: p.assets } : {}) },
    listed,
    checkAddress,
  )
  if (!isIntegerIn(p.fromBlock, 0, Number.MAX_SAFE_INTEGER) || !isIntegerIn(p.toBlock, p.fromBlock as number, Number.MAX_SAFE_INTEGER))
    throw new InvalidArgumentError(`fromBlock and toBlock must be ${unit} with fromBlock ≤ toBlock.`)
  return { addresses: q.addresses, assets: q.assets, fromBlock: p.fromBlock as number, toBlock: p.toBlock as number }
}

/** `sendTransfer` options: the `onSigned` hook, if any. @throws InvalidArgumentError */
export function checkSendOptions(options: SendTransferOptions | undefined): SendTransferOptions['onSigned'] {
  const { onSigned } = assertOptions(options)
  if (onSigned !== undefined && typeof onSigned !== 'function') throw new InvalidArgumentError('onSigned must be a function.')
  return onSigned
}

/** The chain-independent fields of a token an adapter is configured with. */
export interface TokenFields {
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  readonly family?: string
}

/**
 * Checks a configured token's symbol, decimals, name (default: the symbol) and family;
 * `where` names it in messages (`tokens[2]`). @throws InvalidArgumentError
 */
export function checkTokenFields(token: { readonly [field: string]: unknown }, where: string): TokenFields {
  const { symbol, decimals, name, family } = token
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) throw new InvalidArgumentError(`${where}.symbol must be a short symbol.`)
  if (!isIntegerIn(decimals, 0, 18)) throw new InvalidArgumentError(`${where}.decimals must be an integer from 0 to 18.`)
  if (name !== undefined && (typeof name !== 'string' || name.length > 100))
    throw new InvalidArgumentError(`${where}.name must be a string.`)
  if (family !== undefined && (typeof family !== 'string' || !FAMILY.test(family)))
    throw new InvalidArgumentError(`${where}.family must be an upper-case family name such as "USDC".`)
  return { symbol, decimals, name: (name as string | undefined) ?? symbol, ...(family ? { family: family as string } : {}) }
}

/** `list` with `entry` in place of the token `same` finds, or appended. */
export function withToken<T>(list: readonly T[], entry: T, same: (t: T) => boolean): T[] {
  const known = list.findIndex(same)
  return known >= 0 ? list.map((t, i) => (i === known ? entry : t)) : [...list, entry]
}
