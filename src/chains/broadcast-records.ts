/**
 * A small persisted record of what an adapter broadcast, keyed by transaction hash: the source
 * of history a chain cannot be asked for, and of "replaced by" links after a speed-up or
 * cancel. In memory by default; with a storage (a vault's `VaultStorage` fits) it survives
 * restarts, stored as JSON under one key, newest 2,000 entries. Never holds a secret.
 * @module
 * @internal
 */
import type { KeyValueStore } from '../core/store.js'

/**
 * Where a journal persists (a vault's `VaultStorage` fits). With `update`, several processes
 * adding records to one journal merge them instead of overwriting each other's.
 * @deprecated Use {@link KeyValueStore}: the same interface, shared by every persisted record.
 */
export type JournalStorage = KeyValueStore

const MAX_ENTRIES = 2_000

/** Records of type `T`, keyed by `hash`, in insertion order. */
export class Records<T extends { readonly hash: string }> {
  readonly #entries = new Map<string, T>()
  readonly #storage: KeyValueStore | undefined
  readonly #key: string
  #loaded: Promise<void> | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor(key: string, storage?: KeyValueStore) {
    this.#key = key
    this.#storage = storage
  }

  async #load(): Promise<void> {
    this.#loaded ??= (async () => {
      for (const entry of this.#parse(await this.#storage?.get(this.#key))) this.#entries.set(entry.hash.toLowerCase(), entry)
    })()
    await this.#loaded
  }

  /**
   * Adds (or replaces) a record and persists the journal. With a storage that has `update`, the
   * write merges with what is stored now (records another process added are kept and learnt).
   */
  async add(entry: T): Promise<void> {
    await this.#load()
    this.#entries.set(entry.hash.toLowerCase(), entry)
    this.#trim()
    const storage = this.#storage
    if (!storage) return
    const write = async () => {
      if (typeof storage.update !== 'function') return storage.set(this.#key, JSON.stringify([...this.#entries.values()]))
      await storage.update(this.#key, (current) => {
        for (const stored of this.#parse(current))
          if (!this.#entries.has(stored.hash.toLowerCase())) this.#entries.set(stored.hash.toLowerCase(), stored)
        this.#trim()
        return JSON.stringify([...this.#entries.values()])
      })
    }
    this.#writing = this.#writing.then(write).catch(() => undefined)
    await this.#writing
  }

  #trim(): void {
    while (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string)
  }

  #parse(text: string | undefined): T[] {
    if (!text) return []
    try {
      const list = JSON.parse(text) as T[]
      return Array.isArray(list) ? list.filter((e) => typeof e?.hash === 'string') : []
    } catch {
      // A damaged journal only loses history; it must not stop sending.
      return []
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
