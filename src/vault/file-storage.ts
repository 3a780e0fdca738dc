/**
 * Vault storage in files (Node, Bun, Deno). The vault lives at `path`; other records at
 * `path.<key>`. Every write goes to a temporary file (`<file>.<16 hex>.tmp`) created with mode
 * 0600 in the same folder, is fsynced, then renamed over the target (atomic on POSIX), and the
 * folder is fsynced so the rename survives a crash. A failed write removes its temporary file
 * and leaves the previous contents intact.
 *
 * **Several processes.** `set`, `delete` and `update` run under an exclusive lock per record:
 * first a queue shared by every fileStorage in this process (call order kept), then the
 * advisory lock file `<path>.<key>.lock` (`wallet.json.vault.lock`, `wallet.json.journal.lock`)
 * shared with other processes (see file-lock.ts: owner pid/host/time inside, refreshed while
 * held, broken when its owner died on this host or it went `lockStaleMs` without a refresh,
 * waited for at most `lockWaitMs`). `update` reads, changes and writes inside that lock, so
 * two processes never lose each other's changes. Reads take no lock: a rename is atomic, so a
 * reader sees the old file or the new one.
 *
 * **Leftovers.** A process killed in the middle of a save leaves its temporary file (and its
 * lock, which the next writer breaks). The first locked access of each fileStorage, and every
 * access that broke a stale lock, removes the temporary files of that record: names matching
 * `<file>.<8-16 of [0-9a-z]>.tmp` exactly, which nothing else in coffer produces.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertOptions } from '../core/assert.js'
import { CofferError, InvalidArgumentError, StorageError } from '../core/errors.js'
import { builtin } from '../core/runtime.js'
import { randomBytes } from './crypto.js'
import { acquireFileLock, checkLockOptions, type FileLock } from './file-lock.js'
import { assertChange, assertChanged, assertStorageKey, KeyedQueue, VAULT_KEY, type VaultStorage } from './storage.js'

/** Options of {@link fileStorage}. */
export interface FileStorageOptions {
  /** How long a write waits for another process's lock before failing with StorageError (ms); default 30,000, at most 600,000. */
  lockWaitMs?: number
  /** A lock not refreshed for this long is stale and broken (ms); default 10,000, 1,000 to 600,000. */
  lockStaleMs?: number
}

/** The slice of node:fs/promises used here. */
interface FsPromises {
  readFile(path: string, encoding: 'utf8'): Promise<string>
  open(path: string, flags: string, mode?: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  readdir(path: string): Promise<string[]>
}
interface FileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}
interface NodePath {
  dirname(path: string): string
  basename(path: string): string
  join(...parts: string[]): string
  resolve(path: string): string
}

function fsModules(): { fs: FsPromises; path: NodePath } {
  const fs = builtin<FsPromises>('node:fs/promises')
  const path = builtin<NodePath>('node:path')
  if (!fs || !path)
    throw new StorageError('fileStorage needs a runtime with a file system (Node, Bun, Deno); use browserStorage in browsers.')
  return { fs, path }
}

const LONE_SURROGATE = /\p{Cs}/u
const codeOf = (error: unknown) => (error as { code?: string } | null)?.code
const isMissing = (error: unknown) => codeOf(error) === 'ENOENT'
/** One queue for every fileStorage in this process, keyed by file: instances on one path never race. */
const queue = new KeyedQueue()

function checkValue(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
  // UTF-8 cannot encode an unpaired surrogate: it would be stored as U+FFFD and read back changed.
  if (LONE_SURROGATE.test(value))
    throw new InvalidArgumentError('fileStorage values must be well-formed Unicode (this one has an unpaired surrogate).')
  return value
}

/** Temporary files a save of `name` makes (and older coffer versions made): `<name>.<8-16 of [0-9a-z]>.tmp`. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-z]{8,16}\\.tmp$`)
}

/** Storage in `path` (the vault) and `path.<key>` (other records), locked across processes. @throws InvalidArgumentError, StorageError */
export function fileStorage(path: string, options: FileStorageOptions = {}): VaultStorage {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('fileStorage needs a file path.')
  const opts = assertOptions(options)
  const lockOptions = checkLockOptions({ waitMs: opts.lockWaitMs, staleMs: opts.lockStaleMs })
  const { fs, path: nodePath } = fsModules()
  const base = nodePath.resolve(path)
  const swept = new Set<string>()
  const fileFor = (key: string) => (assertStorageKey(key) === VAULT_KEY ? base : `${base}.${key}`)

  async function syncDir(dir: string): Promise<void> {
    let handle: FileHandle | undefined
    try {
      handle = await fs.open(dir, 'r')
      await handle.sync()
    } catch {
      // Some platforms (Windows) cannot fsync a folder; the rename is still atomic.
    } finally {
      await handle?.close().catch(() => undefined)
    }
  }

  /** Removes temporary files a killed save of `file` left (only ever called under its lock). */
  async function sweep(file: string): Promise<void> {
    const dir = nodePath.dirname(file)
    const pattern = tempPattern(nodePath.basename(file))
    const names = await fs.readdir(dir).catch(() => [] as string[])
    await Promise.all(names.filter((name) => pattern.test(name)).map((name) => fs.unlink(nodePath.join(dir, name)).catch(() => undefined)))
  }

  /** Runs `op` holding `file`'s in-process queue slot and its cross-process lock. */
  function locked<T>(file: string, key: string, op: (lock: FileLock) => Promise<T>): Promise<T> {
    return queue.run(file, async () => {
      const lock = await acquireFileLock(`${base}.${key}.lock`, lockOptions)
      try {
        if (lock.recovered || !swept.has(file)) {
          await sweep(file)
          swept.add(file)
        }
        return await op(lock)
      } finally {
        await lock.release()
      }
    })
  }

  async function read(file: string): Promise<string | undefined> {
    try {
      return await fs.readFile(file, 'utf8')
    } catch (cause) {
      if (isMissing(cause)) return undefined
      throw new StorageError(`Could not read ${file}.`, { cause })
    }
  }

  async function write(file: string, value: string, lock: FileLock): Promise<void> {
    const temp = `${file}.${bytesToHex(randomBytes(8))}.tmp`
    let handle: FileHandle | undefined
    try {
      handle = await fs.open(temp, 'wx', 0o600)
      await handle.writeFile(value, 'utf8')
      await handle.sync()
      await handle.close()
      handle = undefined
      await lock.assertHeld()
      await fs.rename(temp, file)
    } catch (cause) {
      await handle?.close().catch(() => undefined)
      await fs.unlink(temp).catch(() => undefined)
      if (cause instanceof CofferError) throw cause
      throw new StorageError(`Could not write ${file}; the previous contents are intact.`, { cause })
    }
    await syncDir(nodePath.dirname(file))
  }

  return {
    async get(key) {
      return read(fileFor(key))
    },
    // async, so a bad key or value rejects (as the interface promises) instead of throwing;
    // the body up to queue.run runs synchronously, so writes still queue in call order.
    async set(key, value) {
      const file = fileFor(key)
      checkValue(value)
      return locked(file, key, (lock) => write(file, value, lock))
    },
    async delete(key) {
      const file = fileFor(key)
      try {
        return await locked(file, key, async () => {
          try {
            await fs.unlink(file)
          } catch (cause) {
            if (!isMissing(cause)) throw new StorageError(`Could not delete ${file}.`, { cause })
          }
        })
      } catch (error) {
        // The folder does not exist (the lock file could not be made there): nothing to delete.
        if (error instanceof StorageError && isMissing(error.cause)) return
        throw error
      }
    },
    async update(key, change) {
      const file = fileFor(key)
      const fn = assertChange(change)
      return locked(file, key, async (lock) => {
        const current = await read(file)
        const next = assertChanged(await fn(current))
        if (next === undefined) return current
        await write(file, checkValue(next), lock)
        return next
      })
    },
  }
}
