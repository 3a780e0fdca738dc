/**
 * A lane of portfolio work that runs on its own: one chain (or the prices). It runs one job
 * at a time (a job asked for while another runs waits for it: the in-flight guard), and while
 * watching it repeats on its own timer — the next round starts `intervalMs` after the last
 * one ended, or later after failures in a row (the wait doubles with each, up to
 * `maxBackoffMs`). Nothing in one lane waits for another lane.
 * @module
 * @internal
 */

/** Most doublings of the interval a backoff applies (2^30 × 10 ms is far past any cap). */
const MAX_DOUBLINGS = 30

/** One chain's (or the prices') loop, in-flight guard and failure count. */
export class Lane {
  #tail: Promise<unknown> = Promise.resolve()
  #timer: ReturnType<typeof setTimeout> | undefined
  #round: Promise<void> = Promise.resolve()
  #generation = 0
  /** Failures in a row, reset by a success. */
  #failures = 0

  /** Failures in a row. */
  get failures(): number {
    return this.#failures
  }

  /** Counts a job's outcome for the backoff. */
  record(ok: boolean): void {
    this.#failures = ok ? 0 : this.#failures + 1
  }

  /** Runs `job` once the job in flight (if any) has settled. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job)
    this.#tail = result.catch(() => undefined)
    return result
  }

  /** The wait before the next round: the interval, doubled per failure in a row, at most `maxBackoffMs` (never below the interval). */
  delay(intervalMs: number, maxBackoffMs: number): number {
    if (this.#failures === 0) return intervalMs
    return Math.min(intervalMs * 2 ** Math.min(this.#failures, MAX_DOUBLINGS), Math.max(intervalMs, maxBackoffMs))
  }

  /**
   * Repeats `round` until `stop()`: now, then each time `delay()` after the last round ended
   * (a round that rejects ends like any other; report failures inside it). Starting again
   * replaces the previous loop.
   */
  start(round: () => Promise<void>, intervalMs: number, maxBackoffMs: number): void {
    this.#cancel()
    const generation = this.#generation
    const loop = (): void => {
      const next = () => {
        if (generation === this.#generation) this.#timer = setTimeout(loop, this.delay(intervalMs, maxBackoffMs))
      }
      this.#round = round().then(next, next)
    }
    loop()
  }

  /** Ends the loop; resolves once the round in flight (if any) and the jobs queued have settled. */
  async stop(): Promise<void> {
    this.#cancel()
    await this.#round
    await this.#tail
  }

  #cancel(): void {
    this.#generation++
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
