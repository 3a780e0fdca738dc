/**
 * The one key-value interface every persisted coffer record goes through: the vault, the audit
 * journal, policy state, a portfolio's saved state and a chain adapter's broadcast journal.
 * Values are opaque strings (already encrypted where secret). A vault's `VaultStorage`
 * (memoryStorage, fileStorage, browserStorage) is one, with `delete` besides.
 * @module
 */

/** The function a read-modify-write applies: the new value, or `undefined` to leave the stored one as it is. */
export type StorageChange = (current: string | undefined) => string | undefined | Promise<string | undefined>

/** A small async string key-value store. */
export interface KeyValueStore {
  /** The value under `key`, or undefined if there is none. */
  get(key: string): Promise<string | undefined>
  /** Replaces the value under `key` atomically: after a failure the previous value is intact. */
  set(key: string, value: string): Promise<void>
  /**
   * Optional read-modify-write under an exclusive lock (across processes for fileStorage, across
   * tabs for browserStorage): `change` receives the current value and returns the new one, or
   * `undefined` to leave it as it is; resolves to the value stored afterwards. Without it,
   * writers that change a record fall back to a compare-and-swap that is safe in one process only.
   */
  update?(key: string, change: StorageChange): Promise<string | undefined>
}
