/**
 * What the offline signer may show about an unsigned transaction's asset. The file's `symbol`
 * and `decimals` are the building machine's word, which the payload cannot prove: they are
 * shown only when this machine's own asset list (coffer's registry and its config's chains and
 * tokens) agrees; otherwise amounts are shown in base units, with a warning.
 * @module
 * @internal
 */
import { formatAmount } from '../core/amount.js'
import type { AssetInfo, UnsignedTransaction } from '../chains/adapter.js'
import { cleanText } from './output.js'

/** The asset as the prompt shows it: `known` for whole units, else base units; `warning` when the file's claim failed its check. */
export interface ShownAsset {
  readonly known?: Pick<AssetInfo, 'symbol' | 'decimals'>
  readonly warning?: string
}

function claimText(symbol: unknown, decimals: unknown): string {
  const parts = [
    ...(symbol === undefined ? [] : [`symbol ${JSON.stringify(cleanText(String(symbol)).slice(0, 20))}`]),
    ...(decimals === undefined ? [] : [`${cleanText(String(decimals)).slice(0, 10)} decimals`]),
  ]
  return parts.join(' and ')
}

/**
 * Checks the summary's `symbol` / `decimals` against `own`, this machine's entry for the
 * summary's asset (undefined when it lists none). Without a claim, `own` is shown as it is.
 */
export function checkShownAsset(summary: UnsignedTransaction['summary'], own: AssetInfo | undefined, file: string): ShownAsset {
  const { symbol, decimals } = summary as { symbol?: unknown; decimals?: unknown }
  if (symbol === undefined && decimals === undefined) return own ? { known: own } : {}
  const asset = cleanText(String(summary.asset)).slice(0, 100)
  if (!own) {
    return {
      warning: `${file} says the asset has ${claimText(symbol, decimals)}, but this machine's config lists no asset ${asset} to check that against; amounts are shown in base units.`,
    }
  }
  const agrees = (symbol === undefined || symbol === own.symbol) && (decimals === undefined || decimals === own.decimals)
  if (agrees) return { known: own }
  return {
    warning: `${file} says the asset has ${claimText(symbol, decimals)}, but this machine's config lists ${asset} as ${own.symbol} with ${own.decimals} decimals; amounts are shown in base units.`,
  }
}

/** An amount of base units (a decimal string, checked by the caller) as the prompt shows it. */
export function shownAmount(units: string, asset: string, shown: ShownAsset): string {
  return shown.known
    ? `${formatAmount(BigInt(units), shown.known.decimals)} ${shown.known.symbol}`
    : `${units} base units of ${cleanText(asset).slice(0, 100)}`
}
