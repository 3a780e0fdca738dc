/**
 * Bitcoin fee rates for the three levels from the backend's estimates (confirmation target in
 * blocks → sat/vB): fast aims at the next 2 blocks, normal at 6 (about an hour), slow at 24.
 * Rates are whole sat/vB, rounded up, at least 1.
 * @module
 * @internal
 */
import type { FeeLevel } from '../adapter.js'
import type { BitcoinBackend } from './backend.js'
import { rpcCall } from './rpc.js'

const TARGETS: Record<FeeLevel, number> = { fast: 2, normal: 6, slow: 24 }

/** The rate for a target: the estimate of the largest known target not above it (else the smallest known). */
function rateFor(estimates: Record<number, number>, target: number): bigint {
  const known = Object.keys(estimates).map(Number).filter(Number.isFinite).sort((a, b) => a - b)
  const key = [...known].reverse().find((k) => k <= target) ?? known[0]
  const rate = key === undefined ? 1 : (estimates[key] ?? 1)
  return BigInt(Math.max(1, Math.ceil(rate)))
}

/** sat/vB at each level, never decreasing from slow to fast. */
export async function feeRates(backend: BitcoinBackend): Promise<Record<FeeLevel, bigint>> {
  const estimates = await rpcCall('Reading fee estimates', () => backend.feeEstimates())
  const slow = rateFor(estimates, TARGETS.slow)
  const normal = rateFor(estimates, TARGETS.normal)
  const fast = rateFor(estimates, TARGETS.fast)
  const max = (a: bigint, b: bigint) => (a > b ? a : b)
  return { slow, normal: max(normal, slow), fast: max(fast, max(normal, slow)) }
}
