/**
 * The adapter's own record of what it broadcast: the source of native-coin history (plain
 * ETH transfers leave no log to query) and of "replaced by" links after a speed-up or cancel.
 * In memory by default; pass a storage (a `VaultStorage` fits) to keep it across restarts (stored as JSON
 * under `evm-<chainId>-journal`, newest 2,000 entries). It holds addresses and amounts only.
 * @module
 * @internal
 */
import type { AssetId } from '../../caip.js'

/** Where the journal persists: any string key-value store (a vault's `VaultStorage` fits). */
export interface JournalStorage {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
}

/** One broadcast transaction. */
export interface JournalEntry {
  readonly hash: `0x${string}`
  readonly from: `0x${string}`
  readonly to: `0x${string}`
  readonly asset: AssetId
  /** Base units, decimal string. */
  readonly amount: string
  readonly nonce: number
  /** Milliseconds since epoch. */
  readonly sentAt: number
  /** The transaction this one replaced (speed-up / cancel). */
  readonly replaces?: `0x${string}`
  /** True for a cancel (a 0-value self-send taking the nonce). */
  readonly cancel?: boolean
}

const MAX_ENTRIES = 2_000

/** Broadcast journal of one adapter. */
export class Journal {
  readonly #entries = new Map<string, JournalEntry>()
  readonly #storage: JournalStorage | undefined
  readonly #key: string
  #loaded: Promise<void> | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor(chainId: number, storage?: JournalStorage) {
    this.#storage = storage
    this.#key = `evm-${chainId}-journal`
  }

  async #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const text = await this.#storage?.get(this.#key)
      if (!text) return
      try {
        for (const entry of JSON.parse(text) as JournalEntry[]) if (typeof entry?.hash === 'string') this.#entries.set(entry.hash.toLowerCase(), entry)
      } catch {
        // A damaged journal only loses history; it must not stop sending.
      }
    })()
    await this.#loaded
  }

  /** Records a broadcast. */
  async add(entry: JournalEntry): Promise<void> {
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

  /** The entry for `hash`, if this adapter broadcast it. */
  async get(hash: string): Promise<JournalEntry | undefined> {
    await this.#load()
    return this.#entries.get(hash.toLowerCase())
  }

  /** The entry that replaced `hash`, if any. */
  async replacementOf(hash: string): Promise<JournalEntry | undefined> {
    await this.#load()
    const h = hash.toLowerCase()
    return [...this.#entries.values()].reverse().find((e) => e.replaces?.toLowerCase() === h)
  }

  /** Entries sent from `address` (newest first). */
  async sentBy(address: string): Promise<JournalEntry[]> {
    await this.#load()
    const a = address.toLowerCase()
    return [...this.#entries.values()].filter((e) => e.from.toLowerCase() === a).reverse()
  }
}
