/**
 * Bitcoin fee rates for the three levels from the backend's estimates (confirmation target in
 * blocks → sat/vB): fast aims at the next 2 blocks, normal at 6 (about an hour), slow at 24.
 * Rates are whole sat/vB, rounded up, at least 1.
 *
 * A backend's estimates decide how much of the user's money goes to miners, so they are
 * sanity-capped: a level more than `maxRatio` times the level below it is cut to that multiple
 * (a lone outlier), and a rate above `maxFeeRate` is refused with {@link FeeTooHighError}
 * by whoever is about to pay it ({@link checkFeeRate}).
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import { FeeTooHighError, InvalidArgumentError, RpcError } from '../../core/errors.js'
import type { FeeLevel } from '../adapter.js'
import { rpc, type BackendCallOptions, type BitcoinBackend } from './client.js'
import { MAX_FEE_RATE } from './coin-selection.js'

const TARGETS: Record<FeeLevel, number> = { fast: 2, normal: 6, slow: 24 }

/** Default absolute ceiling on a fee rate from the network: 1,000 sat/vB (about 100× a busy day's rate). */
const DEFAULT_MAX_FEE_RATE = 1_000n
/** Default relative ceiling: a level may be at most 10× the level below it. */
const DEFAULT_MAX_FEE_RATE_RATIO = 10

/** The two ceilings. */
export interface FeeCaps {
  /** sat/vB; a rate above it is refused. */
  readonly maxFeeRate: bigint
  /** A level is cut to this multiple of the level below it. */
  readonly maxRatio: number
}

/** Validates the adapter's fee-cap options. @throws InvalidArgumentError */
export function feeCaps(maxFeeRate: unknown, maxRatio: unknown): FeeCaps {
  const rate = maxFeeRate ?? DEFAULT_MAX_FEE_RATE
  if (typeof rate !== 'bigint' || rate < 1n || rate > MAX_FEE_RATE)
    throw new InvalidArgumentError(`maxFeeRate must be a bigint of sat/vB from 1 to ${MAX_FEE_RATE}.`)
  const ratio = maxRatio ?? DEFAULT_MAX_FEE_RATE_RATIO
  if (!isIntegerIn(ratio, 1, 1_000_000)) throw new InvalidArgumentError('maxFeeRateRatio must be an integer from 1 to 1,000,000.')
  return { maxFeeRate: rate, maxRatio: ratio }
}

/** The rate for a target: the estimate of the largest known target not above it (else the smallest known). */
function rateFor(estimates: Record<number, number>, target: number): bigint {
  const known = Object.keys(estimates)
    .map(Number)
    .filter((k) => Number.isFinite(k) && Number.isFinite(estimates[k]))
    .sort((a, b) => a - b)
  const key = [...known].reverse().find((k) => k <= target) ?? known[0]
  const rate = key === undefined ? 1 : (estimates[key] ?? 1)
  // Above the highest rate coin selection accepts is the same as "too high" for every ceiling.
  return BigInt(Math.min(Number(MAX_FEE_RATE) + 1, Math.max(1, Math.ceil(rate))))
}

const max = (a: bigint, b: bigint) => (a > b ? a : b)
const min = (a: bigint, b: bigint) => (a < b ? a : b)

/**
 * sat/vB at each level, never decreasing from slow to fast, each level at most `caps.maxRatio`
 * times the level below it. Levels may still be above `caps.maxFeeRate`: {@link checkFeeRate}
 * refuses the one about to be paid.
 */
export async function feeRates(backend: BitcoinBackend, caps: FeeCaps, options?: BackendCallOptions): Promise<Record<FeeLevel, bigint>> {
  const estimates = await rpc('Reading fee estimates', () => backend.feeEstimates(options))
  if (estimates === null || typeof estimates !== 'object')
    throw new RpcError('The backend returned fee estimates that are not a map of target to sat/vB.')
  const ratio = BigInt(caps.maxRatio)
  const slow = rateFor(estimates, TARGETS.slow)
  const normal = min(max(rateFor(estimates, TARGETS.normal), slow), slow * ratio)
  const fast = min(max(rateFor(estimates, TARGETS.fast), normal), normal * ratio)
  return { slow, normal, fast }
}

/** Returns `rate` if it is at most the ceiling. @throws FeeTooHighError */
export function checkFeeRate(rate: bigint, caps: FeeCaps, level?: FeeLevel): bigint {
  if (rate <= caps.maxFeeRate) return rate
  throw new FeeTooHighError(
    `The network's ${level ? `${level} ` : ''}fee rate of ${rate} sat/vB is above this adapter's ceiling of ${caps.maxFeeRate} sat/vB; raise maxFeeRate deliberately to pay it.`,
    {
      details: { rate, ceiling: caps.maxFeeRate, ...(level ? { level } : {}) },
    },
  )
}
