/**
 * Chain transfers and history items seen from the followed accounts: one `PortfolioTransfer`
 * per followed side, carrying the asset's symbol, decimals and `unverified` flag as the
 * portfolio knows them (never as the node or a token contract says).
 * @module
 * @internal
 */
import type { ChainTransfer, HistoryItem } from '../chains/adapter.js'
import { accountAsset, type AssetMeta } from './assets.js'
import type { PortfolioAccount, PortfolioTransfer } from './types.js'

/** A transfer from a scan, with its position in the block (it names the transfer with the hash). */
export interface ScannedTransfer {
  readonly transfer: PortfolioTransfer
  readonly index: number
}

/** Scan transfers as seen from each followed account they touch (one per side); assets not followed are skipped. */
export function fromScan(
  transfers: readonly ChainTransfer[],
  assets: readonly AssetMeta[],
  byAddress: ReadonlyMap<string, readonly PortfolioAccount[]>,
): ScannedTransfer[] {
  const out: ScannedTransfer[] = []
  for (const t of transfers) {
    const asset = assets.find((a) => a.id === t.asset)
    if (!asset) continue
    const from = t.from.toLowerCase()
    const to = t.to.toLowerCase()
    const sides = from === to ? [from] : [from, to]
    for (const account of sides.flatMap((side) => byAddress.get(side) ?? [])) {
      const me = account.address.toLowerCase()
      const transfer: PortfolioTransfer = Object.freeze({
        ...accountAsset(account, asset),
        direction: from === to ? 'self' : me === from ? 'out' : 'in',
        amount: t.amount,
        from: t.from,
        to: t.to,
        hash: t.hash,
        blockHeight: t.blockHeight,
        blockHash: t.blockHash,
        state: 'confirmed',
      })
      out.push({ transfer, index: t.index })
    }
  }
  return out
}

/** A history item of `account` as a transfer; undefined for an asset not followed. */
export function fromHistoryItem(account: PortfolioAccount, item: HistoryItem, assets: readonly AssetMeta[]): PortfolioTransfer | undefined {
  const asset = assets.find((a) => a.id === item.asset)
  if (!asset) return undefined
  return Object.freeze({
    ...accountAsset(account, asset),
    direction: item.direction,
    amount: item.amount,
    from: item.from,
    to: item.to,
    hash: item.hash,
    ...(item.blockHeight === undefined ? {} : { blockHeight: item.blockHeight }),
    state: item.state,
  })
}

/** A transfer remembered from before, re-described with what the portfolio knows of its asset now. */
export function redescribe(transfer: PortfolioTransfer, assets: readonly AssetMeta[]): PortfolioTransfer {
  const asset = assets.find((a) => a.id === transfer.asset)
  if (!asset) return Object.freeze({ ...transfer })
  const { unverified: _unverified, ...rest } = transfer
  return Object.freeze({
    ...rest,
    symbol: asset.symbol,
    decimals: asset.decimals,
    ...(asset.unverified ? { unverified: true as const } : {}),
  })
}
