/**
 * The options of `Portfolio.watch()`, checked: one interval for every chain (and the prices),
 * per-chain intervals, and the cap on the backoff of a chain that keeps failing.
 * @module
 * @internal
 */
import { assertInteger, assertOptions } from '../core/assert.js'
import type { ChainId } from '../core/caip.js'
import { InvalidArgumentError } from '../core/errors.js'

/** Options of `watch()`. */
export interface WatchOptions {
  /** Time between two steps of one chain (each chain on its own timer), and between price updates; default 5,000 ms. */
  readonly intervalMs?: number
  /** Per-chain intervals by CAIP-2 id, instead of `intervalMs` (e.g. `{ 'bip122:000000000019d6689c085ae165831e93': 60_000 }`). */
  readonly chainIntervalMs?: Readonly<Record<string, number>>
  /**
   * Longest wait between two attempts on a chain (or price source) that keeps failing, default
   * 60,000 ms: after n failures in a row the wait is the interval × 2^n, up to this.
   */
  readonly maxBackoffMs?: number
}

/** `watch()` options with their defaults, checked. */
export interface WatchSettings {
  readonly intervalMs: number
  /** Interval of each chain (the chains given, `intervalMs` unless `chainIntervalMs` names it). */
  readonly chainIntervalMs: ReadonlyMap<ChainId, number>
  readonly maxBackoffMs: number
}

/** Most milliseconds any of these waits may be (a day). */
const MAX_MS = 86_400_000

/** Checks `options` for a portfolio over `chains`. @throws InvalidArgumentError */
export function watchSettings(options: WatchOptions, chains: readonly ChainId[]): WatchSettings {
  const opts = assertOptions(options)
  const intervalMs = assertInteger(opts.intervalMs ?? 5_000, 'intervalMs', 10, MAX_MS)
  const maxBackoffMs = assertInteger(opts.maxBackoffMs ?? 60_000, 'maxBackoffMs', 10, MAX_MS)
  const custom = Object.entries(assertOptions(opts.chainIntervalMs, 'chainIntervalMs'))
  for (const [chainId] of custom) {
    if (!chains.includes(chainId as ChainId))
      throw new InvalidArgumentError(`chainIntervalMs names ${chainId.slice(0, 100)}, but no adapter serves it.`)
  }
  const given = new Map(
    custom.map(([chainId, ms]) => [chainId, assertInteger(ms, `chainIntervalMs[${JSON.stringify(chainId)}]`, 10, MAX_MS)]),
  )
  return { intervalMs, maxBackoffMs, chainIntervalMs: new Map(chains.map((chainId) => [chainId, given.get(chainId) ?? intervalMs])) }
}
