/**
 * Solana fee levels. A transaction pays a base fee of 5,000 lamports per signature (the
 * cluster's `lamportsPerSignature`, fixed since genesis on every public cluster) plus a
 * priority fee: the compute-unit price (µlamports per CU, `SetComputeUnitPrice`) times the
 * REQUESTED compute-unit limit (`SetComputeUnitLimit`), rounded up to whole lamports. Both
 * are known when the message is built, so the fee is exact: `amount` = `expected`.
 *
 * The price per level comes from `getRecentPrioritizationFees(writableAccounts)` (one entry
 * per recent slot, the lowest fee that landed a transaction locking those accounts):
 * slow / normal / fast = the 25th / 50th / 75th percentile (nearest rank) of the per-slot
 * fees. `fast` is at least 1 µlamport, so it always carries a priority fee even when every
 * slot reports 0 (then the levels are 0 / 0 / 1); slow and normal may be 0 (no priority fee).
 * A level above the adapter's `maxPriorityFee` throws {@link FeeTooHighError}.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import { FeeTooHighError, RpcError } from '../../core/errors.js'
import { FEE_LEVELS, type FeeEstimate, type FeeLevel } from '../adapter.js'

/** Lamports per signature (base fee). */
export const LAMPORTS_PER_SIGNATURE = 5_000n
/** The most compute units a transaction may request. */
export const MAX_COMPUTE_UNIT_LIMIT = 1_400_000
/** µlamports per lamport. */
const MICRO = 1_000_000n
const PERCENTILE: { readonly [L in FeeLevel]: number } = { slow: 25, normal: 50, fast: 75 }

/** One entry of `getRecentPrioritizationFees`. */
interface PrioritizationFee {
  readonly slot: number
  readonly prioritizationFee: number | bigint
}

/** The priority fee in lamports of `limit` compute units at `price` µlamports each (rounded up, as the runtime does). */
export function priorityFeeOf(limit: number | bigint, price: bigint): bigint {
  return (BigInt(limit) * price + MICRO - 1n) / MICRO
}

function percentile(sorted: readonly bigint[], p: number): bigint {
  if (sorted.length === 0) return 0n
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

/** Compute-unit prices (µlamports per CU) per level from the node's per-slot fees. @throws RpcError on a malformed answer */
function priorityPrices(fees: unknown): { [L in FeeLevel]: bigint } {
  if (!Array.isArray(fees))
    throw new RpcError('getRecentPrioritizationFees: the answer is not a list.', { details: { method: 'getRecentPrioritizationFees' } })
  const values = fees.map((f) => {
    const v = (f as PrioritizationFee | null)?.prioritizationFee
    if (!((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n)))
      throw new RpcError('getRecentPrioritizationFees: an entry has no valid prioritizationFee.', {
        details: { method: 'getRecentPrioritizationFees' },
      })
    return BigInt(v)
  })
  const sorted = values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const slow = percentile(sorted, PERCENTILE.slow)
  const normal = percentile(sorted, PERCENTILE.normal)
  const fast = percentile(sorted, PERCENTILE.fast)
  return { slow, normal, fast: fast < 1n ? 1n : fast }
}

/** Extra lamports a level's `amount` / `expected` include (rent of an account the transfer creates). */
export interface FeeExtras {
  /** Lamports added to every level (e.g. a new token account's rent). */
  readonly rent?: bigint
  /** Only this level must be within `maxPriorityFee`; default: every level. */
  readonly level?: FeeLevel
}

/**
 * Fee estimates at every level from the node's per-slot prioritization fees.
 * @throws FeeTooHighError when a level (or `extras.level`) is above `maxPriorityFee`
 */
export function feeLevels(
  nativeAsset: AssetId,
  maxPriorityFee: bigint,
  prioritizationFees: unknown,
  computeUnitLimit: number,
  signatures: number,
  extras: FeeExtras = {},
): { [L in FeeLevel]: FeeEstimate } {
  const prices = priorityPrices(prioritizationFees)
  for (const level of extras.level ? [extras.level] : FEE_LEVELS) {
    if (prices[level] > maxPriorityFee) {
      throw new FeeTooHighError(
        `The ${level} Solana priority fee is ${prices[level]} µlamports per compute unit, above this adapter's ceiling of ${maxPriorityFee}; raise maxPriorityFee deliberately to pay it, or choose a slower level.`,
        { details: { level, rate: prices[level], ceiling: maxPriorityFee } },
      )
    }
  }
  const rent = extras.rent ?? 0n
  const baseFee = LAMPORTS_PER_SIGNATURE * BigInt(signatures)
  const out = {} as { [L in FeeLevel]: FeeEstimate }
  for (const level of FEE_LEVELS) {
    const priorityFee = priorityFeeOf(computeUnitLimit, prices[level])
    const total = baseFee + priorityFee + rent
    out[level] = Object.freeze({
      level,
      asset: nativeAsset,
      amount: total,
      expected: total,
      details: {
        computeUnitLimit,
        computeUnitPrice: prices[level].toString(),
        baseFee: baseFee.toString(),
        priorityFee: priorityFee.toString(),
        ...(rent > 0n ? { accountRent: rent.toString() } : {}),
      },
    })
  }
  return out
}
