/**
 * Retries of reads, the same way in every HTTP client of the chain families (Esplora, Solana
 * JSON-RPC, TronGrid): a failure worth another attempt is thrown as {@link Retryable} (with the
 * wait a server's Retry-After asked for, capped), and {@link failover} runs the attempts over the
 * node URLs in turn, starting from the one that answered last, with a capped exponential
 * back-off that ends when the caller's signal aborts. Writes are never run through it.
 * @module
 * @internal
 */
import type { RpcError } from '../core/errors.js'
import { sleep } from './abort.js'

/**
 * How long a Retry-After header asks to wait, in ms (seconds or an HTTP date), capped at
 * `maxMs`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, maxMs: number, now = Date.now()): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  const ms = /^\d{1,12}$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now : Number.NaN
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(ms, 0), maxMs)
}

/** A failure another attempt may mend (a lost connection, 429 / 5xx, an unreadable answer). */
export class Retryable extends Error {
  constructor(
    readonly error: RpcError,
    /** What the server's Retry-After asked for, capped; undefined: the back-off decides. */
    readonly waitMs?: number,
  ) {
    super(error.message)
  }
}

/** Attempts over a list of node URLs. */
export interface Failover {
  /** The URL that answered last (where a write goes). */
  current(): string
  /** `attempt(url)` up to 1 + `retryCount` times, each {@link Retryable} moving to the next URL; anything else is thrown at once. @throws RpcError */
  run<T>(signal: AbortSignal | undefined, attempt: (url: string) => Promise<T>): Promise<T>
}

/** A failover over `urls` with `retryCount` retries after the first attempt. */
export function failover(urls: readonly string[], retryCount: number): Failover {
  let preferred = 0
  return {
    current: () => urls[preferred]!,
    async run<T>(signal: AbortSignal | undefined, attempt: (url: string) => Promise<T>): Promise<T> {
      let last: RpcError | undefined
      for (let i = 0; i <= retryCount; i++) {
        const index = (preferred + i) % urls.length
        try {
          const result = await attempt(urls[index]!)
          preferred = index
          return result
        } catch (error) {
          if (!(error instanceof Retryable)) throw error
          last = error.error
          if (i < retryCount) await sleep(error.waitMs ?? Math.min(2_000, 100 * 2 ** i), signal)
        }
      }
      throw last as RpcError
    },
  }
}
