/**
 * Vault storage in files (Node, Bun, Deno). The vault lives at `path`; other records at
 * `path.<key>`. Every write goes to a temporary file created with mode 0600 in the same
 * folder, is fsynced, then renamed over the target (atomic on POSIX), and the folder is
 * fsynced so the rename survives a crash. A failed write removes its temporary file and
 * leaves the previous contents intact. Writes to one file are serialised.
 * @module
 */
import { InvalidArgumentError, StorageError } from '../errors.js'
import { builtin } from '../runtime.js'
import { assertStorageKey, KeyedQueue, VAULT_KEY, type VaultStorage } from './storage.js'

/** The slice of node:fs/promises used here. */
interface FsPromises {
  readFile(path: string, encoding: 'utf8'): Promise<string>
  open(path: string, flags: string, mode?: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
}
interface FileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}
interface NodePath {
  dirname(path: string): string
  resolve(path: string): string
}

function fsModules(): { fs: FsPromises; path: NodePath } {
  const fs = builtin<FsPromises>('node:fs/promises')
  const path = builtin<NodePath>('node:path')
  if (!fs || !path) throw new StorageError('fileStorage needs a runtime with a file system (Node, Bun, Deno); use browserStorage in browsers.')
  return { fs, path }
}

const LONE_SURROGATE = /\p{Cs}/u
const isMissing = (error: unknown) => (error as { code?: string } | null)?.code === 'ENOENT'

/** Storage in `path` (the vault) and `path.<key>` (other records). */
export function fileStorage(path: string): VaultStorage {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('fileStorage needs a file path.')
  const { fs, path: nodePath } = fsModules()
  const base = nodePath.resolve(path)
  const queue = new KeyedQueue()
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

  async function write(file: string, value: string): Promise<void> {
    const temp = `${file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`
    let handle: FileHandle | undefined
    try {
      handle = await fs.open(temp, 'wx', 0o600)
      await handle.writeFile(value, 'utf8')
      await handle.sync()
      await handle.close()
      handle = undefined
      await fs.rename(temp, file)
    } catch (cause) {
      await handle?.close().catch(() => undefined)
      await fs.unlink(temp).catch(() => undefined)
      throw new StorageError(`Could not write ${file}; the previous contents are intact.`, { cause })
    }
    await syncDir(nodePath.dirname(file))
  }

  return {
    async get(key) {
      const file = fileFor(key)
      try {
        return await fs.readFile(file, 'utf8')
      } catch (cause) {
        if (isMissing(cause)) return undefined
        throw new StorageError(`Could not read ${file}.`, { cause })
      }
    },
    // async, so a bad key or value rejects (as the interface promises) instead of throwing;
    // the body up to queue.run runs synchronously, so writes still queue in call order.
    async set(key, value) {
      const file = fileFor(key)
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      // UTF-8 cannot encode an unpaired surrogate: it would be stored as U+FFFD and read back changed.
      if (LONE_SURROGATE.test(value)) throw new InvalidArgumentError('fileStorage values must be well-formed Unicode (this one has an unpaired surrogate).')
      return queue.run(file, () => write(file, value))
    },
    async delete(key) {
      const file = fileFor(key)
      return queue.run(file, async () => {
        try {
          await fs.unlink(file)
        } catch (cause) {
          if (!isMissing(cause)) throw new StorageError(`Could not delete ${file}.`, { cause })
        }
      })
    },
  }
}
