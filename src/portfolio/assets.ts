/**
 * What the portfolio knows about each asset it follows, and where that knowledge comes from.
 *
 * Metadata comes from the adapter's `assets()` (its registry and configuration) only. An asset
 * the caller asks to follow (`assets` option) that the adapter does not list is followed as
 * **unverified**: its decimals come from the adapter's own balance read (the only metadata the
 * contract hands out for an unlisted id), it has no family, no price, and its symbol is a label
 * made from its id (`0x5fbd…0aa3`), never a ticker a token contract chose. An asset an adapter
 * lists with `unverified: true` is treated the same way. So an airdropped contract whose
 * `symbol()` says "USDT" never joins the USDT total and never shows as "USDT".
 * @module
 * @internal
 */
import type { AssetId } from '../core/caip.js'
import { parseAssetId } from '../core/caip.js'
import type { AssetInfo, ChainAdapter } from '../chains/adapter.js'
import { RpcError } from '../core/errors.js'
import { checkAssets } from './prices.js'
import type { AccountAsset, PortfolioAccount } from './types.js'

/** What the portfolio knows about an asset. */
export interface AssetMeta {
  readonly id: AssetId
  readonly symbol: string
  readonly decimals: number
  /** Never set on an unverified asset. */
  readonly family?: string
  /** Neither in the adapter's registry nor in its configuration. */
  readonly unverified?: true
}

/** Reference characters kept on each side of the ellipsis in an unverified asset's label. */
const LABEL_HEAD = 6
const LABEL_TAIL = 4

/** The label an unverified asset shows instead of a symbol: its asset reference, shortened (`0x5fbd…0aa3`). */
function unverifiedLabel(id: AssetId): string {
  const { assetReference, tokenId } = parseAssetId(id)
  const reference = tokenId === undefined ? assetReference : `${assetReference}/${tokenId}`
  return reference.length > LABEL_HEAD + LABEL_TAIL + 3 ? `${reference.slice(0, LABEL_HEAD)}…${reference.slice(-LABEL_TAIL)}` : reference
}

/** The portfolio's view of an adapter's asset: an unverified one keeps no family and no symbol of its own. */
export function assetMeta(info: Pick<AssetInfo, 'id' | 'symbol' | 'decimals' | 'family' | 'unverified'>): AssetMeta {
  if (info.unverified === true) return unverifiedMeta(info.id, info.decimals)
  return Object.freeze({ id: info.id, symbol: info.symbol, decimals: info.decimals, ...(info.family ? { family: info.family } : {}) })
}

function unverifiedMeta(id: AssetId, decimals: number): AssetMeta {
  return Object.freeze({ id, symbol: unverifiedLabel(id), decimals, unverified: true as const })
}

/** The asset fields every balance, change and transfer carries ({@link AccountAsset}). */
export function accountAsset(account: PortfolioAccount, asset: AssetMeta): AccountAsset {
  return {
    chainId: account.chainId,
    account: account.address,
    ...(account.label === undefined ? {} : { label: account.label }),
    asset: asset.id,
    symbol: asset.symbol,
    decimals: asset.decimals,
    ...(asset.unverified ? { unverified: true as const } : {}),
  }
}

/**
 * The assets one chain's tracker follows: `wanted` (those of this chain; matched to the
 * adapter's ids whatever the address case) or, without it, every asset the adapter lists.
 * Wanted ids the adapter does not list are unverified; one balance read of the first account
 * tells their decimals (none when the chain has no account: nothing would be shown).
 * @throws what the adapter throws (e.g. UnknownAssetError for an id it cannot read), RpcError
 */
export async function resolveAssets(
  adapter: ChainAdapter,
  accounts: readonly PortfolioAccount[],
  wanted: readonly AssetId[] | undefined,
): Promise<AssetMeta[]> {
  const listed = await adapter.assets()
  const mine = wanted?.filter((id) => parseAssetId(id).chainId === adapter.chainId)
  if (mine === undefined) return listed.map(assetMeta)
  const byCanonical = new Map(listed.map((info) => [canonical(info.id), info]))
  const seen = new Set<string>()
  const picks: (AssetInfo | AssetId)[] = []
  for (const id of mine) {
    const key = canonical(id)
    if (seen.has(key)) continue
    seen.add(key)
    picks.push(byCanonical.get(key) ?? id)
  }
  const unlisted = picks.filter((p): p is AssetId => typeof p === 'string')
  const first = accounts[0]
  const reads = unlisted.length > 0 && first ? await adapter.getBalances({ addresses: [first.address], assets: unlisted }) : []
  if (reads.length !== (first ? unlisted.length : 0))
    throw new RpcError(`${adapter.chainId}: the adapter returned ${reads.length} balances for ${unlisted.length} reads.`)
  return picks.flatMap((pick) => {
    if (typeof pick !== 'string') return [assetMeta(pick)]
    const read = reads[unlisted.indexOf(pick)]
    if (!read) return []
    // The id as the adapter spells it (address case), so scanned transfers and history items match it.
    return [unverifiedMeta(canonical(read.asset) === canonical(pick) ? read.asset : pick, read.decimals)]
  })
}

function canonical(id: AssetId): string {
  return checkAssets([id])[0]?.canonical ?? id
}
