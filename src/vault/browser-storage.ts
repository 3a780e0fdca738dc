/**
 * Vault storage in the browser: IndexedDB (database `name`, object store "coffer"), or
 * localStorage (keys `name:<key>`) where IndexedDB is missing (some private modes, old
 * embedded webviews). Each write is one transaction.
 *
 * **Several tabs.** `set`, `delete` and `update` run one at a time per record: in call order
 * within the page (a queue shared by every browserStorage of that name), and, where the browser
 * has the Web Locks API (`navigator.locks`: every current browser, in windows and workers),
 * under the exclusive lock `coffer:<name>:<key>` shared by every tab and worker of the origin,
 * waited for at most `lockWaitMs`. `update` reads, changes and writes inside it, so two tabs
 * never lose each other's changes. Without Web Locks (old browsers, some embedded webviews)
 * `update` is atomic only within the page: two tabs changing one record at the same moment can
 * still lose one change; keep one tab writing there.
 * @module
 */
import { assertOptions, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, StorageError } from '../core/errors.js'
import { DEFAULT_LOCK_WAIT_MS, LOCK_LIMITS } from './file-lock.js'
import { assertChange, assertChanged, assertStorageKey, KeyedQueue, type VaultStorage } from './storage.js'

const STORE = 'coffer'
/** One queue per record for every browserStorage in this page. */
const pageQueue = new KeyedQueue()

/** The slices of IndexedDB and localStorage used here (typed locally; no DOM lib needed). */
interface IdbRequest<T> {
  result: T
  error: unknown
  onsuccess: (() => void) | null
  onerror: (() => void) | null
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean }
  createObjectStore(name: string): unknown
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction
  close(): void
  onclose: (() => void) | null
  onversionchange: (() => void) | null
}
interface IdbTransaction {
  objectStore(name: string): {
    get(key: string): IdbRequest<unknown>
    put(value: string, key: string): unknown
    delete(key: string): unknown
  }
  oncomplete: (() => void) | null
  onerror: (() => void) | null
  onabort: (() => void) | null
  error: unknown
}
interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest
}
/** The slice of the Web Locks API used here. */
interface LockManager {
  request(name: string, options: { mode: 'exclusive'; signal?: AbortSignal }, callback: () => Promise<unknown>): Promise<unknown>
}
interface WebStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

function request<T>(req: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function done(tx: IdbTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })
}

/** The raw operations of one backend, without queueing or locks. */
interface Backend {
  readonly kind: 'idb' | 'ls'
  read(key: string): Promise<string | undefined>
  put(key: string, value: string): Promise<void>
  remove(key: string): Promise<void>
}

function indexedDbBackend(factory: IdbFactory, name: string): Backend {
  let db: Promise<IdbDatabase> | undefined
  const open = (): Promise<IdbDatabase> => {
    if (db) return db
    const opening: Promise<IdbDatabase> = new Promise<IdbDatabase>((resolve, reject) => {
      const req = factory.open(name, 1)
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE)
      }
      req.onsuccess = () => {
        const connection = req.result
        const forget = () => {
          if (db === opening) db = undefined
        }
        // The browser closed the connection (site data cleared, I/O error): reopen next time
        // instead of failing on the dead connection forever.
        connection.onclose = forget
        // Another tab opens a newer version: let it upgrade instead of blocking it indefinitely.
        connection.onversionchange = () => {
          connection.close()
          forget()
        }
        resolve(connection)
      }
      req.onerror = () => reject(req.error)
    }).catch((cause: unknown) => {
      if (db === opening) db = undefined
      throw new StorageError(`Could not open IndexedDB database "${name}".`, { cause })
    })
    db = opening
    return opening
  }
  // transaction(), objectStore(), put() and get() can also throw synchronously (closing
  // connection, missing store, DataError): those become StorageError too, not raw DOMExceptions.
  // A transaction whose change threw has no requests and commits nothing.
  const write = async (key: string, change: (store: ReturnType<IdbTransaction['objectStore']>) => void) => {
    const database = await open()
    try {
      const tx = database.transaction(STORE, 'readwrite')
      change(tx.objectStore(STORE))
      await done(tx)
    } catch (cause) {
      throw new StorageError(`IndexedDB write of "${key}" failed; the previous value is intact.`, { cause })
    }
  }
  return {
    kind: 'idb',
    async read(key) {
      const database = await open()
      let value: unknown
      try {
        value = await request(database.transaction(STORE, 'readonly').objectStore(STORE).get(key))
      } catch (cause) {
        throw new StorageError(`IndexedDB read of "${key}" failed.`, { cause })
      }
      return typeof value === 'string' ? value : undefined
    },
    put: (key, value) => write(key, (store) => store.put(value, key)),
    remove: (key) => write(key, (store) => store.delete(key)),
  }
}

function localStorageBackend(storage: WebStorage, name: string): Backend {
  const attempt = <T>(what: string, fn: () => T): T => {
    try {
      return fn()
    } catch (cause) {
      throw new StorageError(`localStorage ${what} failed (quota or privacy settings?); the previous value is intact.`, { cause })
    }
  }
  return {
    kind: 'ls',
    async read(key) {
      return attempt('read', () => storage.getItem(`${name}:${key}`)) ?? undefined
    },
    async put(key, value) {
      attempt('write', () => storage.setItem(`${name}:${key}`, value))
    },
    async remove(key) {
      attempt('delete', () => storage.removeItem(`${name}:${key}`))
    },
  }
}

/** The Web Locks API, where the browser has it (all current browsers, in windows and workers). */
function webLocks(): LockManager | undefined {
  try {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
    return locks && typeof locks.request === 'function' ? locks : undefined
  } catch {
    return undefined
  }
}

/** Runs `task` holding the Web Lock `name`, waiting at most `waitMs` for it. @throws StorageError when the wait runs out */
async function withWebLock<T>(locks: LockManager, name: string, waitMs: number, task: () => Promise<T>): Promise<T> {
  // AbortSignal.timeout is in every browser with Web Locks; without it the wait is the browser's.
  const Signal = (globalThis as { AbortSignal?: { timeout?: (ms: number) => AbortSignal } }).AbortSignal
  const signal = typeof Signal?.timeout === 'function' ? Signal.timeout(waitMs) : undefined
  let granted = false
  try {
    return (await locks.request(name, { mode: 'exclusive', ...(signal ? { signal } : {}) }, () => {
      granted = true
      return task()
    })) as T
  } catch (error) {
    if (!granted && signal?.aborted) {
      throw new StorageError(
        `Timed out after ${waitMs} ms waiting for the lock "${name}" (another tab or worker holds it); nothing was written.`,
        {
          cause: error,
          details: { lock: name, waitMs },
        },
      )
    }
    throw error
  }
}

/** Queues per record in this page, then (with Web Locks) locks it across tabs and workers. */
function lockedStorage(backend: Backend, name: string, waitMs: number): VaultStorage {
  const locks = webLocks()
  const exclusive = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const lockName = `coffer:${name}:${key}`
    return pageQueue.run(`${backend.kind}:${lockName}`, () => (locks ? withWebLock(locks, lockName, waitMs, task) : task()))
  }
  return {
    async get(key) {
      return backend.read(assertStorageKey(key))
    },
    // async, so a bad key or value rejects (as the interface promises) instead of throwing;
    // exclusive() queues synchronously, so writes still land in call order.
    async set(key, value) {
      assertStorageKey(key)
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      return exclusive(key, () => backend.put(key, value))
    },
    async delete(key) {
      assertStorageKey(key)
      return exclusive(key, () => backend.remove(key))
    },
    async update(key, change) {
      assertStorageKey(key)
      const fn = assertChange(change)
      return exclusive(key, async () => {
        const current = await backend.read(key)
        const next = assertChanged(await fn(current))
        if (next === undefined) return current
        await backend.put(key, next)
        return next
      })
    },
  }
}

/** A global that may be missing, or whose getter throws (SecurityError when storage is blocked, sandboxed frames). */
function readGlobal<T>(name: 'indexedDB' | 'localStorage'): T | undefined {
  try {
    return (globalThis as Record<string, unknown>)[name] as T | undefined
  } catch {
    return undefined
  }
}

/** Options of {@link browserStorage}. */
export interface BrowserStorageOptions {
  /** How long a write waits for another tab's Web Lock before failing with StorageError (ms); default 30,000, at most 600,000. */
  lockWaitMs?: number
}

/** Browser storage named `name`: IndexedDB when available, else localStorage. @throws InvalidArgumentError, StorageError */
export function browserStorage(name: string, options: BrowserStorageOptions = {}): VaultStorage {
  if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) {
    throw new InvalidArgumentError('browserStorage needs a name of 1-64 letters, digits, dots, dashes or underscores.')
  }
  const { lockWaitMs = DEFAULT_LOCK_WAIT_MS } = assertOptions(options)
  if (!isIntegerIn(lockWaitMs, 0, LOCK_LIMITS.maxWaitMs)) {
    throw new InvalidArgumentError(`lockWaitMs must be an integer from 0 to ${LOCK_LIMITS.maxWaitMs} (ms).`)
  }
  const idb = readGlobal<IdbFactory>('indexedDB')
  if (idb && typeof idb.open === 'function') return lockedStorage(indexedDbBackend(idb, name), name, lockWaitMs)
  const local = readGlobal<WebStorage>('localStorage')
  if (local && typeof local.getItem === 'function') return lockedStorage(localStorageBackend(local, name), name, lockWaitMs)
  throw new StorageError('No IndexedDB or localStorage here; pass another VaultStorage (fileStorage in Node).')
}
