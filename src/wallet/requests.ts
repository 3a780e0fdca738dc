/**
 * What `wallet.quote` accepts, resolved against the wallet: which chain and account pay, which
 * asset (a CAIP-19 id, or a symbol such as `'USDT'` on the paying account's chain), and the
 * amount in base units (a bigint, or a decimal string in whole units). A parsed payment URI
 * (`parsePaymentUri`) is such a request.
 * @module
 * @internal
 */
import { parseAmount } from '../amount.js'
import { describe } from '../assert.js'
import { parseAccountId, parseAssetId, type ChainId } from '../caip.js'
import type { AssetInfo, ChainAdapter, FeeLevel } from '../chains/adapter.js'
import { InvalidArgumentError, UnknownAssetError } from '../errors.js'
import { sameAddress, type AccountRecord } from './accounts.js'

/** A payment to quote. */
export interface QuoteRequest {
  /** The paying account: a wallet account, its address (or descriptor), or a CAIP-10 id. Default: the first account on the chain. */
  readonly from?: AccountRef
  readonly to: string
  /** A CAIP-19 id, or a symbol (`'USDT'`, `'ETH'`) on the paying chain. */
  readonly asset: string
  /** Base units (bigint), a decimal string in whole units (`'12.5'`), or `'max'`. Required (a payment request without one needs it added). */
  readonly amount?: bigint | string
  /** The chain, when neither `from` nor `asset` names it (payment requests carry it). */
  readonly chainId?: ChainId
  readonly feeLevel?: FeeLevel
}

/** A request resolved to one adapter, account and asset. */
export interface ResolvedRequest {
  readonly adapter: ChainAdapter
  readonly account: AccountRecord
  readonly asset: AssetInfo
  readonly amount: bigint | 'max'
}

/** Who pays: a wallet account, its address (or descriptor), or a CAIP-10 id. */
export type AccountRef = string | Pick<AccountRecord, 'chainId' | 'address'>

/**
 * The adapter and account named by `from`, on the chain that `from`, `hint` (a CAIP-19 asset's
 * chain or a request's chain id) or the only adapter names. @throws InvalidArgumentError
 */
export function resolveAccount(from: AccountRef | undefined, hint: ChainId | undefined, adapters: ReadonlyMap<ChainId, ChainAdapter>, accounts: readonly AccountRecord[]): { adapter: ChainAdapter; account: AccountRecord } {
  let chainId: ChainId | undefined
  let fromAddress: string | undefined
  if (typeof from === 'object' && from !== null) {
    chainId = from.chainId
    fromAddress = from.address
  } else if (typeof from === 'string') {
    if (/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}:/.test(from) && from.split(':').length === 3) ({ chainId, address: fromAddress } = parseAccountId(from))
    else fromAddress = from
  } else if (from !== undefined) {
    throw new InvalidArgumentError('from must be a wallet account, an address or a CAIP-10 id.')
  }
  if (chainId !== undefined && hint !== undefined && hint !== chainId) throw new InvalidArgumentError(`The payment is from ${chainId}, but the asset or request is on ${hint}.`)
  chainId ??= hint
  if (chainId === undefined && fromAddress !== undefined) {
    const owners = [...new Set(accounts.filter((a) => sameAddress(a.address, fromAddress as string)).map((a) => a.chainId))]
    if (owners.length === 1) chainId = owners[0]
    else if (owners.length > 1) throw new InvalidArgumentError(`${fromAddress.slice(0, 60)} exists on ${owners.join(', ')}; name the chain (a CAIP-10 from, a CAIP-19 asset or chainId).`)
  }
  if (chainId === undefined && adapters.size === 1) chainId = [...adapters.keys()][0]
  if (chainId === undefined) throw new InvalidArgumentError('Which chain? Give from as a CAIP-10 id, asset as a CAIP-19 id, or chainId.')
  const adapter = adapters.get(chainId)
  if (!adapter) throw new InvalidArgumentError(`The wallet has no adapter for ${chainId}.`, { details: { chainId } })
  const onChain = accounts.filter((a) => a.chainId === chainId)
  const account = fromAddress === undefined ? onChain[0] : onChain.find((a) => sameAddress(a.address, fromAddress as string))
  if (!account) {
    throw new InvalidArgumentError(fromAddress === undefined ? `The wallet has no account on ${chainId}; open one with wallet.account().` : `${fromAddress.slice(0, 60)} is not an account of this wallet on ${chainId}.`)
  }
  return { adapter, account }
}

/** Resolves a quote request. @throws InvalidArgumentError, UnknownAssetError */
export async function resolveRequest(request: QuoteRequest, adapters: ReadonlyMap<ChainId, ChainAdapter>, accounts: readonly AccountRecord[]): Promise<ResolvedRequest> {
  if (!request || typeof request !== 'object') throw new InvalidArgumentError(`quote takes { from?, to, asset, amount }, got ${describe(request)}.`)
  const { from, asset, amount } = request
  if (typeof request.to !== 'string') throw new InvalidArgumentError('to must be an address.')
  if (typeof asset !== 'string' || asset.length === 0 || asset.length > 300) throw new InvalidArgumentError('asset must be a CAIP-19 id or a symbol such as "USDT".')
  const assetChain = asset.includes('/') ? parseAssetId(asset).chainId : undefined
  if (assetChain !== undefined && request.chainId !== undefined && assetChain !== request.chainId) throw new InvalidArgumentError(`The asset is on ${assetChain}, but the request is for ${request.chainId}.`)
  const { adapter, account } = resolveAccount(from, assetChain ?? request.chainId, adapters, accounts)
  const chainId = adapter.chainId

  const known = await adapter.assets()
  let info: AssetInfo | undefined
  if (asset.includes('/')) info = known.find((a) => a.id.toLowerCase() === asset.toLowerCase())
  else {
    // By symbol; else by family ('USDT' finds Polygon's USDT0), when that names one asset.
    const bySymbol = known.filter((a) => a.symbol.toLowerCase() === asset.toLowerCase())
    const matches = bySymbol.length > 0 ? bySymbol : known.filter((a) => a.family?.toLowerCase() === asset.toLowerCase())
    if (matches.length > 1) throw new InvalidArgumentError(`${asset} names ${matches.length} assets on ${chainId} (${matches.map((a) => `${a.symbol} ${a.id}`).join(', ')}); give the CAIP-19 id.`)
    info = matches[0]
  }
  if (!info) throw new UnknownAssetError(`${asset.slice(0, 80)} is not an asset the ${chainId} adapter knows.`, { details: { chainId } })

  let units: bigint | 'max'
  if (typeof amount === 'bigint') units = amount
  else if (amount === 'max') units = 'max'
  else if (typeof amount === 'string') units = parseAmount(amount, info.decimals)
  else if (amount === undefined) throw new InvalidArgumentError('The request names no amount; add one ({ ...request, amount: \'12.5\' }).')
  else throw new InvalidArgumentError(`amount must be a bigint of base units, a decimal string or "max", got ${describe(amount)}.`)
  if (units !== 'max' && units <= 0n) throw new InvalidArgumentError('amount must be more than zero.')
  return { adapter, account, asset: info, amount: units }
}
