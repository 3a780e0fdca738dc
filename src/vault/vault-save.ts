/**
 * One compare-and-swap save of a batch of vault changes ({@link saveVault}), the heart of
 * `Vault`'s group commit:
 *
 * 1. The key for the new file is derived first (fresh salt), outside any lock: in the common
 *    case it is the only KDF run of the save.
 * 2. Under {@link updateStorage} (for fileStorage: the lock shared with other processes), the
 *    stored text is compared with the one the in-memory state came from. Equal: the changes
 *    apply to that state. Different (another process or instance saved): the stored vault is
 *    opened with the in-memory password (a second KDF run) and the changes are replayed on it.
 * 3. The result is sealed and written, still under the lock.
 *
 * It refuses (StorageConflictError, and the vault must lock: {@link locksVault}) when the stored
 * vault was deleted, no longer opens with this password (changed elsewhere), cannot be read, or
 * is another vault (another data key); and (VaultExistsError, likewise) when a create finds
 * a vault already there. Nothing is written then.
 * @module
 * @internal
 */
import { StorageConflictError, VaultExistsError, WrongPasswordError } from '../core/errors.js'
import { constantTimeEqual, randomBytes } from './crypto.js'
import { deriveKey, withSalt, type Kdf, type KdfOptions } from './kdf.js'
import type { Secret } from './payload.js'
import { updateStorage, VAULT_KEY, type VaultStorage } from './storage.js'
import { openVaultText, sameKdfParams, sealVaultText, wipeSecrets, type OpenedVault } from './vault-text.js'

/** One queued change of a vault. */
export interface VaultChange {
  /** Replayable: applied to a copy of what is stored now, possibly more than once. */
  apply?: (secrets: Map<string, Secret>) => unknown
  password?: Uint8Array
  kdf?: KdfOptions
  /** Vault.create: the storage must still be empty. */
  create?: boolean
  /** Re-read what is stored and adopt it; writes nothing by itself. */
  refresh?: boolean
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** Vault contents a save starts from or ends with. */
interface VaultContents {
  secrets: Map<string, Secret>
  dataKey: Uint8Array
  kdf: Kdf
  /** True while `dataKey` is not in the stored file yet (a vault from before data keys). */
  newDataKey: boolean
}

/** What {@link saveVault} stored, and what each change returned or threw. */
export interface SaveResult extends VaultContents {
  /** The stored text afterwards. */
  text: string | undefined
  /** False when nothing changed (a refresh that found the text it started from). */
  changed: boolean
  results: Map<VaultChange, unknown>
  failed: Map<VaultChange, unknown>
}

/** What {@link saveVault} needs. Every buffer in it stays the caller's to zero. */
export interface SaveRequest {
  storage: VaultStorage
  /** The stored text `base` was read from or saved as. */
  stored: string | undefined
  /** Copies of the in-memory contents (a lock() during the save cannot zero them). */
  base: VaultContents
  /** The in-memory password: what the stored vault must open with. */
  password: Uint8Array
  /** The password to save under (a change's new one, or `password`). */
  savePassword: Uint8Array
  /** A KDF a change chose (fresh salt), else the stored one is kept. */
  chosenKdf: Kdf | undefined
  changes: readonly VaultChange[]
  /** Collects the secrets and data keys the save decrypted, so the caller zeroes what it does not keep. */
  made: { secrets: Secret[]; dataKeys: Uint8Array[] }
}

/** Conflicts after which the vault must lock: its in-memory state can no longer be saved. */
const locking = new WeakSet<object>()

/** True for errors of {@link saveVault} after which the vault must lock. */
export function locksVault(error: unknown): boolean {
  return typeof error === 'object' && error !== null && locking.has(error)
}

function conflict(message: string, cause?: unknown): StorageConflictError {
  const error = new StorageConflictError(message, cause === undefined ? {} : { cause })
  locking.add(error)
  return error
}

/** Opens what another writer stored, with the in-memory password: the contents to replay the changes on. */
async function reopen(current: string | undefined, password: Uint8Array, base: VaultContents): Promise<VaultContents> {
  if (current === undefined) throw conflict('The vault was deleted elsewhere; nothing was written.')
  let opened: OpenedVault
  try {
    opened = await openVaultText(current, password)
  } catch (error) {
    if (error instanceof WrongPasswordError) throw conflict("The vault's password was changed elsewhere; unlock again.")
    throw conflict('The stored vault was changed elsewhere and cannot be read; nothing was written.', error)
  }
  const secrets = new Map(opened.secrets.map((s) => [s.id, s]))
  if (opened.dataKey && !base.newDataKey && !constantTimeEqual(opened.dataKey, base.dataKey)) {
    wipeSecrets(secrets.values())
    opened.dataKey.fill(0)
    throw conflict('The vault was replaced elsewhere by another one; open it again.')
  }
  // A stored data key wins over one made at unlock and not saved yet; none stored (an older
  // coffer wrote it): keep ours, to be saved.
  return { secrets, dataKey: opened.dataKey ?? base.dataKey.slice(), kdf: opened.kdf, newDataKey: !opened.dataKey }
}

/**
 * Saves `changes` by compare-and-swap (see the module comment) and returns what is stored now.
 * @throws StorageConflictError, VaultExistsError (see {@link locksVault}); StorageError and
 *   anything else the storage throws
 */
export async function saveVault(request: SaveRequest): Promise<SaveResult> {
  const { storage, stored, base, password, savePassword, chosenKdf, changes, made } = request
  const writes = changes.some((c) => !c.refresh)
  const kdf = chosenKdf ?? withSalt(base.kdf, randomBytes(32))
  const keys: Uint8Array[] = []
  let result: SaveResult | undefined
  try {
    const key = writes ? await deriveKey(savePassword, kdf) : undefined
    if (key) keys.push(key)
    const text = await updateStorage(storage, VAULT_KEY, async (current) => {
      if (changes.some((c) => c.create) && current !== undefined) {
        // Another process created a vault here since create() looked.
        const error = new VaultExistsError()
        locking.add(error)
        throw error
      }
      let from = base
      if (current !== stored) {
        from = await reopen(current, password, base)
        made.secrets.push(...from.secrets.values())
        made.dataKeys.push(from.dataKey)
      }
      const secrets = new Map(from.secrets)
      const results = new Map<VaultChange, unknown>()
      const failed = new Map<VaultChange, unknown>()
      for (const change of changes) {
        try {
          if (change.apply) results.set(change, change.apply(secrets))
        } catch (error) {
          failed.set(change, error)
        }
      }
      const save = changes.some((c) => !c.refresh && !failed.has(c))
      result = { ...from, secrets, text: current, changed: save || from !== base, results, failed }
      if (!save || !key) return undefined
      let sealKey = key
      let sealKdf = kdf
      if (!chosenKdf && !sameKdfParams(from.kdf, base.kdf)) {
        // Another process changed the KDF (same password): keep its choice. A second KDF run, rarely.
        sealKdf = withSalt(from.kdf, randomBytes(32))
        sealKey = await deriveKey(savePassword, sealKdf)
        keys.push(sealKey)
      }
      const sealed = await sealVaultText(secrets.values(), from.dataKey, sealKey, sealKdf)
      result = { ...result, text: sealed, kdf: sealKdf, newDataKey: false }
      return sealed
    })
    const done = result as SaveResult
    done.text = text
    return done
  } finally {
    for (const key of keys) key.fill(0)
  }
}
