/**
 * Where a vault (and its journal and policy state) is kept: a small async key-value interface
 * over strings. Implementations: {@link memoryStorage} here, `fileStorage(path)` (Node, atomic,
 * locked across processes) and `browserStorage(name)` (IndexedDB, else localStorage; Web Locks
 * across tabs). Writers are serialised per key: concurrent writes land one after another, in
 * call order, and none is torn or lost.
 *
 * **Read-modify-write.** A `set` of a value computed from an earlier `get` loses whatever
 * another writer stored in between. Every coffer record that is changed rather than replaced
 * (the vault, the audit journal, policy state) goes through {@link updateStorage}: under the
 * storage's own {@link VaultStorage.update} where it has one (an exclusive lock: across
 * processes for `fileStorage`, across tabs for `browserStorage` with Web Locks), else a
 * compare-and-swap over `get`/`set` that is safe only within one process.
 * @module
 */
import { describe } from '../core/assert.js'
import { InvalidArgumentError, StorageConflictError } from '../core/errors.js'
import type { KeyValueStore, StorageChange } from '../core/store.js'

export type { StorageChange }

/** Key-value storage for vault records: a {@link KeyValueStore} that can also delete. */
export interface VaultStorage extends KeyValueStore {
  /** Removes `key` (no error if absent). */
  delete(key: string): Promise<void>
}

/** The key the vault itself is stored under. */
export const VAULT_KEY = 'vault'
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Checks a storage key: lower-case letters, digits and dashes, up to 64. @throws InvalidArgumentError */
export function assertStorageKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new InvalidArgumentError('Storage keys are 1-64 lower-case letters, digits and dashes.', {
      details: { key: typeof key === 'string' ? key.slice(0, 70) : describe(key) },
    })
  }
  return key
}

/** Checks the `change` argument of an update. @throws InvalidArgumentError @internal */
export function assertChange(change: unknown): StorageChange {
  if (typeof change !== 'function')
    throw new InvalidArgumentError('update needs a change function (current value → new value or undefined).')
  return change as StorageChange
}

/** Checks what a `change` returned: a string, or undefined for "leave it". @throws InvalidArgumentError @internal */
export function assertChanged(value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string')
    throw new InvalidArgumentError('An update change must return a string, or undefined to leave the value as it is.')
  return value
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

/** In-memory storage (tests, short-lived processes). Nothing survives the process. `update` is atomic in this process. */
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
  // set and delete queue behind a running update, so an update never overwrites a later set.
  const queue = new KeyedQueue()
  return {
    async get(key) {
      return data.get(assertStorageKey(key))
    },
    async set(key, value) {
      assertStorageKey(key)
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      return queue.run(key, async () => void data.set(key, value))
    },
    async delete(key) {
      assertStorageKey(key)
      return queue.run(key, async () => void data.delete(key))
    },
    async update(key, change) {
      assertStorageKey(key)
      const fn = assertChange(change)
      return queue.run(key, async () => {
        const next = assertChanged(await fn(data.get(key)))
        if (next !== undefined) data.set(key, next)
        return data.get(key)
      })
    },
  }
}

/** How many times {@link updateStorage} re-reads and retries on a storage without `update` before giving up. */
export const CAS_ATTEMPTS = 5
/** Per-storage queues for the compare-and-swap fallback, so callers in one process never race each other. */
const casQueues = new WeakMap<VaultStorage, KeyedQueue>()

/**
 * Read-modify-write of `key`: `change` receives the stored value and returns the new one (or
 * `undefined` to leave it); resolves to the value stored afterwards.
 *
 * With `storage.update` (memoryStorage, fileStorage, browserStorage) this is that call: one
 * exclusive section, `change` runs once. A third-party storage without it gets a best-effort
 * compare-and-swap: get, change, get again, set only if the value is still the one `change`
 * saw, else retry (up to {@link CAS_ATTEMPTS} times) and then throw StorageConflictError; so
 * `change` may run several times and must depend only on its argument. Calls through this
 * helper are serialised per storage and key within the process, but a check-then-set is not
 * atomic against other processes: such storages are safe for one process only; implement
 * `update` for more.
 * @throws InvalidArgumentError for a bad storage, key or change; StorageConflictError when the
 *   fallback keeps losing the race; whatever the storage or `change` throws
 */
export async function updateStorage(storage: VaultStorage, key: string, change: StorageChange): Promise<string | undefined> {
  const s = storage as Partial<VaultStorage> | null
  if (!s || typeof s.get !== 'function' || typeof s.set !== 'function')
    throw new InvalidArgumentError('updateStorage needs a VaultStorage (get, set, delete).')
  assertStorageKey(key)
  const fn = assertChange(change)
  if (typeof s.update === 'function') return s.update(key, fn)
  let queue = casQueues.get(storage)
  if (!queue) casQueues.set(storage, (queue = new KeyedQueue()))
  return queue.run(key, async () => {
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      const first = await storage.get(key)
      const next = assertChanged(await fn(first))
      if (next === undefined) return first
      if ((await storage.get(key)) === first) {
        await storage.set(key, next)
        return next
      }
      // Someone outside this process wrote in between: back off a little, then re-read.
      if (attempt < CAS_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20) * attempt))
    }
    throw new StorageConflictError(`The record "${key}" kept changing while it was updated; nothing was written.`, {
      details: { key, attempts: CAS_ATTEMPTS },
    })
  })
}
