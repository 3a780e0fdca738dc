/**
 * What `wallet.quote` accepts, resolved against the wallet: which chain and account pay, which
 * asset (a CAIP-19 id, or a symbol such as `'USDT'` on the paying account's chain), and the
 * amount in base units (a bigint, or a decimal string in whole units). A parsed payment URI
 * (`parsePaymentUri`) is such a request.
 * @module
 * @internal
 */
import { parseAmount } from '../core/amount.js'
import { describe } from '../core/assert.js'
import { parseAccountId, parseAssetId, parseChainId, type ChainId } from '../core/caip.js'
import type { AssetInfo, ChainAdapter, FeeLevel } from '../chains/adapter.js'
import { InvalidArgumentError, UnknownAssetError } from '../core/errors.js'
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
  /** A memo recorded on chain (Solana Pay); chains that cannot carry one refuse the request. */
  readonly memo?: string
  /** Payment reference keys (Solana Pay); chains that cannot carry them refuse the request. */
  readonly references?: readonly string[]
  /**
   * Who pays the fee in what: `'native'` (default), `'stablecoin'` (the token sent pays its own
   * fee: EVM adapters with `stablecoinGas`), or `'auto'` (the native coin if it covers the fee,
   * else the stablecoin). The quote's `fee` is then in the token; policies see it so.
   */
  readonly gas?: 'native' | 'stablecoin' | 'auto'
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
export function resolveAccount(
  from: AccountRef | undefined,
  hint: ChainId | undefined,
  adapters: ReadonlyMap<ChainId, ChainAdapter>,
  accounts: readonly AccountRecord[],
): { adapter: ChainAdapter; account: AccountRecord } {
  let chainId: ChainId | undefined
  let fromAddress: string | undefined
  if (typeof from === 'object' && from !== null) {
    chainId = from.chainId
    fromAddress = from.address
  } else if (typeof from === 'string') {
    if (/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}:/.test(from) && from.split(':').length === 3)
      ({ chainId, address: fromAddress } = parseAccountId(from))
    else fromAddress = from
  } else if (from !== undefined) {
    throw new InvalidArgumentError('from must be a wallet account, an address or a CAIP-10 id.')
  }
  if (chainId !== undefined && hint !== undefined && hint !== chainId)
    throw new InvalidArgumentError(`The payment is from ${chainId}, but the asset or request is on ${hint}.`)
  chainId ??= hint
  if (chainId === undefined && fromAddress !== undefined) {
    const owners = [...new Set(accounts.filter((a) => sameAddress(a.address, fromAddress as string, a.chainId)).map((a) => a.chainId))]
    if (owners.length === 1) chainId = owners[0]
    else if (owners.length > 1)
      throw new InvalidArgumentError(
        `${fromAddress.slice(0, 60)} exists on ${owners.join(', ')}; name the chain (a CAIP-10 from, a CAIP-19 asset or chainId).`,
      )
  }
  if (chainId === undefined && adapters.size === 1) chainId = [...adapters.keys()][0]
  if (chainId === undefined) {
    throw new InvalidArgumentError(
      `Which chain? This wallet serves ${[...adapters.keys()].join(', ') || 'no chain yet'}; give chainId, from as a CAIP-10 id, or asset as a CAIP-19 id.`,
      { details: { candidates: [...adapters.keys()].join(',') } },
    )
  }
  const adapter = adapters.get(chainId)
  if (!adapter) throw new InvalidArgumentError(`The wallet has no adapter for ${chainId}.`, { details: { chainId } })
  const onChain = accounts.filter((a) => a.chainId === chainId)
  const account = fromAddress === undefined ? onChain[0] : onChain.find((a) => sameAddress(a.address, fromAddress as string, a.chainId))
  if (!account) {
    throw new InvalidArgumentError(
      fromAddress === undefined
        ? `The wallet has no account on ${chainId}; open one with wallet.account().`
        : `${fromAddress.slice(0, 60)} is not an account of this wallet on ${chainId}.`,
    )
  }
  return { adapter, account }
}

/** Assets of `known` whose symbol is `name`, else whose family is (case-insensitive): 'USDT' finds Polygon's USDT0. */
function bySymbol(known: readonly AssetInfo[], name: string): AssetInfo[] {
  const lower = name.toLowerCase()
  const symbols = known.filter((a) => a.symbol.toLowerCase() === lower)
  return symbols.length > 0 ? symbols : known.filter((a) => a.family?.toLowerCase() === lower)
}

/**
 * The chain of a request that names none (no CAIP-10 `from`, no CAIP-19 asset, no `chainId`), in
 * a wallet with several chains: the one chain whose adapter knows the asset (by symbol or family),
 * where the recipient's address is valid and the wallet has an account (`from`'s, when given).
 * Undefined when the wallet has a single chain or `from` names one; otherwise
 * @throws InvalidArgumentError listing the candidate chains
 */
async function inferChain(
  request: QuoteRequest,
  adapters: ReadonlyMap<ChainId, ChainAdapter>,
  accounts: readonly AccountRecord[],
): Promise<ChainId | undefined> {
  const { from, asset } = request
  if (adapters.size <= 1 || typeof asset !== 'string' || asset.includes('/')) return undefined
  if (typeof from === 'object' || (typeof from === 'string' && from.split(':').length === 3)) return undefined
  const owners = (chainId: ChainId) =>
    accounts.some((a) => a.chainId === chainId && (from === undefined || sameAddress(a.address, from, a.chainId)))
  const withAsset: ChainId[] = []
  const candidates: ChainId[] = []
  for (const adapter of adapters.values()) {
    if (!owners(adapter.chainId)) continue
    const known = await adapter.assets().catch(() => [] as readonly AssetInfo[])
    if (bySymbol(known, asset).length === 0) continue
    withAsset.push(adapter.chainId)
    if (adapter.isValidAddress(request.to)) candidates.push(adapter.chainId)
  }
  if (candidates.length === 1) return candidates[0]
  if (candidates.length > 1)
    throw new InvalidArgumentError(
      `Which chain? ${asset.slice(0, 20)} to ${request.to.slice(0, 60)} could go on ${candidates.join(', ')}; pass chainId (or from as a CAIP-10 id, or asset as a CAIP-19 id).`,
      { details: { candidates: candidates.join(',') } },
    )
  if (withAsset.length > 0)
    throw new InvalidArgumentError(
      `${request.to.slice(0, 60)} is not a valid address on any chain of this wallet that has ${asset.slice(0, 20)} (${withAsset.join(', ')}).`,
      { details: { candidates: withAsset.join(',') } },
    )
  return undefined
}

/** Resolves a quote request. @throws InvalidArgumentError, UnknownAssetError */
export async function resolveRequest(
  request: QuoteRequest,
  adapters: ReadonlyMap<ChainId, ChainAdapter>,
  accounts: readonly AccountRecord[],
): Promise<ResolvedRequest> {
  if (!request || typeof request !== 'object')
    throw new InvalidArgumentError(`quote takes { from?, to, asset, amount }, got ${describe(request)}.`)
  const { from, asset, amount } = request
  if (typeof request.to !== 'string') throw new InvalidArgumentError('to must be an address.')
  if (typeof asset !== 'string' || asset.length === 0 || asset.length > 300)
    throw new InvalidArgumentError('asset must be a CAIP-19 id or a symbol such as "USDT".')
  // A malformed chain id ('31337', 'eip155-1') says so, with a suggestion, before anything else.
  if (request.chainId !== undefined) parseChainId(request.chainId)
  const assetChain = asset.includes('/') ? parseAssetId(asset).chainId : undefined
  if (assetChain !== undefined && request.chainId !== undefined && assetChain !== request.chainId)
    throw new InvalidArgumentError(`The asset is on ${assetChain}, but the request is for ${request.chainId}.`)
  const hint = assetChain ?? request.chainId ?? (await inferChain(request, adapters, accounts))
  const { adapter, account } = resolveAccount(from, hint, adapters, accounts)
  const chainId = adapter.chainId

  const known = await adapter.assets()
  let info: AssetInfo | undefined
  if (asset.includes('/')) info = known.find((a) => a.id.toLowerCase() === asset.toLowerCase())
  else {
    const matches = bySymbol(known, asset)
    if (matches.length > 1)
      throw new InvalidArgumentError(
        `${asset} names ${matches.length} assets on ${chainId} (${matches.map((a) => `${a.symbol} ${a.id}`).join(', ')}); give the CAIP-19 id.`,
      )
    info = matches[0]
  }
  if (!info) {
    const symbols = known.map((a) => a.symbol).join(', ')
    throw new UnknownAssetError(
      `${asset.slice(0, 80)} is not an asset the ${chainId} adapter knows; it knows ${symbols || 'none'} (symbols and families match without regard to case; a token it does not list must be added to the adapter's tokens).`,
      {
        details: { chainId, known: symbols.slice(0, 300) },
      },
    )
  }

  let units: bigint | 'max'
  if (typeof amount === 'bigint') units = amount
  else if (amount === 'max') units = 'max'
  else if (typeof amount === 'string') units = parseAmount(amount, info.decimals)
  else if (amount === undefined) throw new InvalidArgumentError("The request names no amount; add one ({ ...request, amount: '12.5' }).")
  else throw new InvalidArgumentError(`amount must be a bigint of base units, a decimal string or "max", got ${describe(amount)}.`)
  if (units !== 'max' && units <= 0n) throw new InvalidArgumentError('amount must be more than zero.')
  return { adapter, account, asset: info, amount: units }
}

/** A batch of payments of one asset from one account, in one operation (`wallet.quoteBatch`). */
export interface BatchQuoteRequest {
  /** The paying account (default: the first on the chain). */
  readonly from?: AccountRef
  /** A CAIP-19 id, or a symbol on the paying chain. */
  readonly asset: string
  /** Each recipient and amount (base units, or a decimal string in whole units; not 'max'). */
  readonly payments: readonly { readonly to: string; readonly amount: bigint | string }[]
  readonly chainId?: ChainId
  readonly feeLevel?: FeeLevel
  /** Default `'stablecoin'` (a batch is one ERC-4337 operation on EVM chains). */
  readonly gas?: 'stablecoin'
}

/** A batch request resolved: the adapter, account and asset, and each payment in base units. @throws as resolveRequest */
export async function resolveBatch(
  request: BatchQuoteRequest,
  adapters: ReadonlyMap<ChainId, ChainAdapter>,
  accounts: readonly AccountRecord[],
): Promise<ResolvedRequest & { readonly payments: readonly { readonly to: string; readonly amount: bigint }[] }> {
  if (!request || typeof request !== 'object' || !Array.isArray(request.payments) || request.payments.length === 0)
    throw new InvalidArgumentError(`quoteBatch takes { from?, asset, payments: [{ to, amount }, …] }, got ${describe(request)}.`)
  const payments: { to: string; amount: bigint }[] = []
  let resolved: ResolvedRequest | undefined
  for (const [i, p] of request.payments.entries()) {
    if (!p || typeof p !== 'object' || p.amount === 'max')
      throw new InvalidArgumentError(`payments[${i}] must be { to, amount } (not 'max').`)
    // Each payment goes through the one-payment checks (address type, amount form) on the same account and asset.
    const r = await resolveRequest({ ...request, to: p.to, amount: p.amount }, adapters, accounts)
    if (resolved && (r.adapter !== resolved.adapter || r.account !== resolved.account || r.asset.id !== resolved.asset.id))
      throw new InvalidArgumentError(`payments[${i}] resolves to another chain, account or asset than the first.`)
    resolved ??= r
    payments.push({ to: p.to, amount: r.amount as bigint })
  }
  return { ...(resolved as ResolvedRequest), amount: payments.reduce((s, p) => s + p.amount, 0n), payments }
}
