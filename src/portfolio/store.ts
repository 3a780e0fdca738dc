/**
 * Where a portfolio keeps its saved state (persist.ts has the record's format). Reads and
 * writes are waited for at most the deadline, since a storage that hangs must not hold back
 * tracking. Writes never overlap (a late one could land over a newer one): calls while a write
 * waits share it, and it writes the newest state when it starts. Failures are handed to
 * `onError`, once per read or write, never thrown: losing a cache never stops tracking.
 * @module
 * @internal
 */
import type { ChainId } from '../core/caip.js'
import { CofferError, DeadlineExceededError, StorageError } from '../core/errors.js'
import { withDeadline } from '../core/deadline.js'
import { decodeState, encodeState, type SavedPortfolio } from './persist.js'
import type { KeyValueStore } from '../core/store.js'

/** Reads and writes one portfolio's saved record. */
export class StateStore {
  readonly #storage: KeyValueStore | undefined
  readonly #key: string
  readonly #deadlineMs: number
  readonly #onError: (error: CofferError) => void
  /** The last write queued or running (settles when it ends, never rejects). */
  #writing: Promise<void> = Promise.resolve()
  /** The bounded wait for a write queued but not started: later calls share it. */
  #queued: Promise<void> | undefined

  constructor(storage: KeyValueStore | undefined, key: string, deadlineMs: number, onError: (error: CofferError) => void) {
    this.#storage = storage
    this.#key = key
    this.#deadlineMs = deadlineMs
    this.#onError = onError
  }

  /** The saved record for `chains`, or undefined (no storage, nothing saved, damaged, or the read failed or hung). */
  async read(chains: readonly ChainId[]): Promise<SavedPortfolio | undefined> {
    const storage = this.#storage
    if (!storage) return undefined
    try {
      return decodeState(
        await withDeadline(
          this.#deadlineMs,
          () => this.#expired('Reading'),
          () => storage.get(this.#key),
        ),
        chains,
      )
    } catch (error) {
      this.#onError(error instanceof CofferError ? error : new StorageError('Reading the saved portfolio state failed.', { cause: error }))
      return undefined
    }
  }

  /**
   * Writes `state()` (asked for when the write starts, after the one before has ended).
   * Resolves when that write has ended, well or not, or after the deadline.
   */
  write(state: () => SavedPortfolio): Promise<void> {
    const storage = this.#storage
    if (!storage) return Promise.resolve()
    if (!this.#queued) {
      const written = this.#writing.then(() => {
        this.#queued = undefined
        return storage.set(this.#key, encodeState(state()))
      })
      this.#writing = written.catch(() => undefined)
      this.#queued = withDeadline(
        this.#deadlineMs,
        () => this.#expired('Saving'),
        () => written,
      ).catch((error: unknown) => {
        this.#onError(error instanceof CofferError ? error : new StorageError('Saving the portfolio state failed.', { cause: error }))
      })
    }
    return this.#queued
  }

  /** Resolves when the writes queued so far have ended, or after the deadline. */
  async settled(): Promise<void> {
    await withDeadline(
      this.#deadlineMs,
      () => this.#expired('Saving'),
      () => this.#writing,
    ).catch(() => undefined)
  }

  #expired(what: string): DeadlineExceededError {
    return new DeadlineExceededError(`${what} the saved portfolio state did not finish within ${this.#deadlineMs} ms.`, {
      details: { deadlineMs: this.#deadlineMs },
    })
  }
}
