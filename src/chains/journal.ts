/**
 * A small persisted record of what an adapter broadcast, keyed by transaction hash: the source
 * of history a chain cannot be asked for, and of "replaced by" links after a speed-up or
 * cancel. In memory by default; with a storage (a vault's `VaultStorage` fits) it survives
 * restarts, stored as JSON under one key, newest 2,000 entries. Never holds a secret.
 * @module
 * @internal
 */

/** Where a journal persists: any string key-value store. */
export interface JournalStorage {
  /** The value stored under `key`, or undefined when there is none. */
  get(key: string): Promise<string | undefined>
  /** Stores `value` under `key`, replacing what was there. */
  set(key: string, value: string): Promise<void>
}

const MAX_ENTRIES = 2_000

/** Records of type `T`, keyed by `hash`, in insertion order. */
export class Records<T extends { readonly hash: string }> {
  readonly #entries = new Map<string, T>()
  readonly #storage: JournalStorage | undefined
  readonly #key: string
  #loaded: Promise<void> | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor(key: string, storage?: JournalStorage) {
    this.#key = key
    this.#storage = storage
  }

  async #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const text = await this.#storage?.get(this.#key)
      if (!text) return
      try {
        for (const entry of JSON.parse(text) as T[]) if (typeof entry?.hash === 'string') this.#entries.set(entry.hash.toLowerCase(), entry)
      } catch {
        // A damaged journal only loses history; it must not stop sending.
      }
    })()
    await this.#loaded
  }

  /** Adds (or replaces) a record and persists the journal. */
  async add(entry: T): Promise<void> {
    await this.#load()
    this.#entries.set(entry.hash.toLowerCase(), entry)
    while (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string)
    if (this.#storage) {
      const snapshot = JSON.stringify([...this.#entries.values()])
      const storage = this.#storage
      this.#writing = this.#writing.then(() => storage.set(this.#key, snapshot)).catch(() => undefined)
      await this.#writing
    }
  }

  /** The record for `hash`, if any. */
  async get(hash: string): Promise<T | undefined> {
    await this.#load()
    return this.#entries.get(hash.toLowerCase())
  }

  /** Every record, newest first. */
  async all(): Promise<T[]> {
    await this.#load()
    return [...this.#entries.values()].reverse()
  }
}
