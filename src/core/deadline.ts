/**
 * Overall deadlines (design rule 11: every wait is bounded). Per-request timeouts and retry caps
 * bound each request, but one call makes several (retries, pages, fallbacks), so every public
 * call that touches the network also has one deadline for the whole. Past it the call rejects at
 * once with the error its owner chooses (`DeadlineExceededError`, or `BroadcastUnknownError` for a
 * broadcast), and the signal handed to the work aborts, so work still in flight stops issuing
 * requests and can commit nothing when it finally settles.
 * @module
 * @internal
 */
import { isIntegerIn } from './assert.js'
import { InvalidArgumentError } from './errors.js'
import { builtin } from './runtime.js'

/** Default overall deadline of an adapter call: 60 s. */
const DEFAULT_DEADLINE_MS = 60_000

/** Checks a deadline option (1 ms to 1 hour; `fallback` when undefined). @throws InvalidArgumentError */
export function checkDeadline(value: unknown, name = 'deadlineMs', fallback = DEFAULT_DEADLINE_MS): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, 1, 3_600_000)) {
    throw new InvalidArgumentError(`${name} must be an integer of milliseconds from 1 to 3,600,000.`)
  }
  return value
}

/**
 * Runs `work` with an abort signal; rejects with `expired()` (and aborts the signal with it) if
 * `work` has not settled after `ms`. The timer never keeps the process alive.
 */
export async function withDeadline<T>(ms: number, expired: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  // Every request of the call listens to this one signal (a discovery sends dozens at once):
  // that is by design, not a leak, so Node's listener warning does not apply.
  builtin<{ setMaxListeners?: (n: number, ...targets: EventTarget[]) => void }>('node:events')?.setMaxListeners?.(0, controller.signal)
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired()
      controller.abort(error)
      reject(error)
    }, ms)
    ;(timer as { unref?: () => void }).unref?.()
  })
  try {
    return await Promise.race([work(controller.signal), deadline])
  } finally {
    clearTimeout(timer)
  }
}
