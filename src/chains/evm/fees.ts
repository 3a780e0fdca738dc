/**
 * EVM fee levels. On EIP-1559 chains: `eth_feeHistory` over the last 20 blocks at the 10th,
 * 50th and 90th reward percentiles gives the priority fee for slow / normal / fast (the
 * median across blocks, ignoring empty blocks; `eth_maxPriorityFeePerGas` when every block
 * was empty), and the max fee allows the next base fee to rise for a few blocks (×1.25 slow,
 * ×1.5 normal, ×2 fast). Elsewhere: `eth_gasPrice` ×0.9 / ×1 / ×1.25. One JSON-RPC batch.
 * @module
 * @internal
 */
import { hexToBigInt, numberToHex, type Hex, type PublicClient } from 'viem'
import type { FeeLevel } from '../adapter.js'
import type { EvmChain } from './networks.js'
import { rpc } from './client.js'

/** Gas pricing for one level. */
export type GasPricing =
  | { readonly type: 'eip1559'; readonly maxFeePerGas: bigint; readonly maxPriorityFeePerGas: bigint; readonly baseFeePerGas: bigint }
  | { readonly type: 'legacy'; readonly gasPrice: bigint }

const PERCENTILES = [10, 50, 90]
const BLOCKS = 20
/** Headroom on the next base fee, in percent, per level. */
const BASE_FEE_HEADROOM: Record<FeeLevel, bigint> = { slow: 125n, normal: 150n, fast: 200n }
/** Multipliers on eth_gasPrice, in percent, per level. */
const GAS_PRICE_FACTOR: Record<FeeLevel, bigint> = { slow: 90n, normal: 100n, fast: 125n }
const LEVELS: FeeLevel[] = ['slow', 'normal', 'fast']

function median(values: bigint[]): bigint {
  if (values.length === 0) return 0n
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return sorted[Math.floor(sorted.length / 2)] as bigint
}

interface FeeHistory {
  baseFeePerGas?: Hex[]
  reward?: Hex[][]
  gasUsedRatio?: number[]
}

/** Current pricing at the three levels. */
export async function gasPricing(client: PublicClient, chain: EvmChain): Promise<Record<FeeLevel, GasPricing>> {
  return rpc(`Reading ${chain.name} fees`, async () => {
    const [history, tip, gasPrice] = await Promise.all([
      chain.eip1559 === false
        ? undefined
        : (client.request({ method: 'eth_feeHistory', params: [numberToHex(BLOCKS), 'latest', PERCENTILES] }) as Promise<FeeHistory>).catch(
            () => undefined,
          ),
      chain.eip1559 === false ? undefined : client.request({ method: 'eth_maxPriorityFeePerGas' }).catch(() => undefined),
      client.request({ method: 'eth_gasPrice' }),
    ])
    const nextBase = history?.baseFeePerGas?.at(-1)
    if (!nextBase || hexToBigInt(nextBase) === 0n) {
      const price = hexToBigInt(gasPrice)
      return Object.fromEntries(LEVELS.map((l) => [l, { type: 'legacy', gasPrice: (price * GAS_PRICE_FACTOR[l]) / 100n }])) as Record<
        FeeLevel,
        GasPricing
      >
    }
    const base = hexToBigInt(nextBase)
    const nodeTip = tip ? hexToBigInt(tip) : 0n
    const rewards = (history?.reward ?? []).filter((r, i) => (history?.gasUsedRatio?.[i] ?? 1) > 0 && r.some((x) => hexToBigInt(x) > 0n))
    return Object.fromEntries(
      LEVELS.map((level, i) => {
        const fromHistory = median(rewards.map((r) => hexToBigInt((r[i] ?? '0x0') as Hex)))
        const priority =
          fromHistory > 0n ? fromHistory : level === 'fast' ? (nodeTip * 3n) / 2n : level === 'slow' ? (nodeTip * 4n) / 5n : nodeTip
        return [
          level,
          {
            type: 'eip1559',
            baseFeePerGas: base,
            maxPriorityFeePerGas: priority,
            maxFeePerGas: (base * BASE_FEE_HEADROOM[level]) / 100n + priority,
          },
        ]
      }),
    ) as Record<FeeLevel, GasPricing>
  })
}

/** Highest price per gas the pricing may charge (what funds are checked against). */
export function maxPricePerGas(p: GasPricing): bigint {
  return p.type === 'eip1559' ? p.maxFeePerGas : p.gasPrice
}

/** Likely price per gas at today's base fee. */
export function expectedPricePerGas(p: GasPricing): bigint {
  return p.type === 'eip1559' ? min(p.maxFeePerGas, p.baseFeePerGas + p.maxPriorityFeePerGas) : p.gasPrice
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

/**
 * Pricing raised for a replacement: at least +10% on every component over `old` (plus one
 * wei, as nodes demand strictly more), and never below today's `current` level.
 */
export function bumpPricing(old: GasPricing, current: GasPricing): GasPricing {
  const bump = (x: bigint) => (x * 110n) / 100n + 1n
  const max = (a: bigint, b: bigint) => (a > b ? a : b)
  if (old.type === 'legacy') return { type: 'legacy', gasPrice: max(bump(old.gasPrice), maxPricePerGas(current)) }
  const currentTip = current.type === 'eip1559' ? current.maxPriorityFeePerGas : 0n
  const tip = max(bump(old.maxPriorityFeePerGas), currentTip)
  const fee = max(bump(old.maxFeePerGas), max(maxPricePerGas(current), tip))
  return {
    type: 'eip1559',
    maxPriorityFeePerGas: tip,
    maxFeePerGas: fee,
    baseFeePerGas: current.type === 'eip1559' ? current.baseFeePerGas : old.baseFeePerGas,
  }
}
