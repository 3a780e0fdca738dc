/**
 * Where a vault (and, later, its journal and policy state) is kept: a small async
 * key-value interface over strings. Implementations: {@link memoryStorage} here,
 * `fileStorage(path)` (Node, atomic) and `browserStorage(name)` (IndexedDB, else
 * localStorage). Writers are serialised per key: concurrent writes land one after another,
 * in call order, and none is torn or lost.
 * @module
 */
import { InvalidArgumentError } from '../errors.js'

/** Key-value storage for vault records. Values are opaque strings (already encrypted where secret). */
export interface VaultStorage {
  /** The value under `key`, or undefined if there is none. */
  get(key: string): Promise<string | undefined>
  /** Replaces the value under `key` atomically: after a failure the previous value is intact. */
  set(key: string, value: string): Promise<void>
  /** Removes `key` (no error if absent). */
  delete(key: string): Promise<void>
}

/** The key the vault itself is stored under. */
export const VAULT_KEY = 'vault'
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Checks a storage key: lower-case letters, digits and dashes, up to 64. @throws InvalidArgumentError */
export function assertStorageKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new InvalidArgumentError('Storage keys are 1-64 lower-case letters, digits and dashes.', { details: { key: String(key).slice(0, 70) } })
  }
  return key
}

/**
 * Runs async operations one at a time per key, in call order. A failed operation does not
 * block the ones queued after it.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Queues `task` behind earlier tasks for `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const next = previous.then(task, task)
    const tail = next.catch(() => undefined)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return next
  }
}

/** In-memory storage (tests, short-lived processes). Nothing survives the process. */
export function memoryStorage(initial: Record<string, string> = {}): VaultStorage {
  // Checked like set() would: a bad `initial` used to throw a raw TypeError (null) or seed
  // keys get() can never reach and non-string values get() would hand out.
  if (typeof initial !== 'object' || initial === null || Array.isArray(initial)) {
    throw new InvalidArgumentError('memoryStorage takes an object of initial string values.')
  }
  const data = new Map<string, string>()
  for (const [key, value] of Object.entries(initial)) {
    if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.', { details: { key: key.slice(0, 70) } })
    data.set(assertStorageKey(key), value)
  }
  return {
    async get(key) {
      return data.get(assertStorageKey(key))
    },
    async set(key, value) {
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      data.set(assertStorageKey(key), value)
    },
    async delete(key) {
      data.delete(assertStorageKey(key))
    },
  }
}
