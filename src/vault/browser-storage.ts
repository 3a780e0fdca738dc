/**
 * Vault storage in the browser: IndexedDB (database `name`, object store "coffer"), or
 * localStorage (keys `name:<key>`) where IndexedDB is missing (some private modes, old
 * embedded webviews). Each write is one transaction; writes per key are serialised.
 * @module
 */
import { InvalidArgumentError, StorageError } from '../errors.js'
import { assertStorageKey, KeyedQueue, type VaultStorage } from './storage.js'

const STORE = 'coffer'

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
  objectStore(name: string): { get(key: string): IdbRequest<unknown>; put(value: string, key: string): unknown; delete(key: string): unknown }
  oncomplete: (() => void) | null
  onerror: (() => void) | null
  onabort: (() => void) | null
  error: unknown
}
interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest
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

function indexedDbStorage(factory: IdbFactory, name: string): VaultStorage {
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
  const queue = new KeyedQueue()
  // transaction(), objectStore(), put() and get() can also throw synchronously (closing
  // connection, missing store, DataError): those become StorageError too, not raw DOMExceptions.
  // A transaction whose change threw has no requests and commits nothing.
  const write = (key: string, change: (store: ReturnType<IdbTransaction['objectStore']>) => void) =>
    queue.run(key, async () => {
      const database = await open()
      try {
        const tx = database.transaction(STORE, 'readwrite')
        change(tx.objectStore(STORE))
        await done(tx)
      } catch (cause) {
        throw new StorageError(`IndexedDB write of "${key}" failed; the previous value is intact.`, { cause })
      }
    })
  return {
    async get(key) {
      assertStorageKey(key)
      const database = await open()
      let value: unknown
      try {
        value = await request(database.transaction(STORE, 'readonly').objectStore(STORE).get(key))
      } catch (cause) {
        throw new StorageError(`IndexedDB read of "${key}" failed.`, { cause })
      }
      return typeof value === 'string' ? value : undefined
    },
    // async, so a bad key or value rejects (as the interface promises) instead of throwing;
    // write() queues synchronously, so writes still land in call order.
    async set(key, value) {
      assertStorageKey(key)
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      return write(key, (store) => store.put(value, key))
    },
    async delete(key) {
      assertStorageKey(key)
      return write(key, (store) => store.delete(key))
    },
  }
}

function localStorageStorage(storage: WebStorage, name: string): VaultStorage {
  const slot = (key: string) => `${name}:${assertStorageKey(key)}`
  const attempt = <T>(what: string, fn: () => T): T => {
    try {
      return fn()
    } catch (cause) {
      throw new StorageError(`localStorage ${what} failed (quota or privacy settings?); the previous value is intact.`, { cause })
    }
  }
  return {
    async get(key) {
      const slotKey = slot(key)
      return attempt('read', () => storage.getItem(slotKey)) ?? undefined
    },
    async set(key, value) {
      const slotKey = slot(key)
      if (typeof value !== 'string') throw new InvalidArgumentError('Storage values must be strings.')
      attempt('write', () => storage.setItem(slotKey, value))
    },
    async delete(key) {
      const slotKey = slot(key)
      attempt('delete', () => storage.removeItem(slotKey))
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

/** Browser storage named `name`: IndexedDB when available, else localStorage. @throws StorageError */
export function browserStorage(name: string): VaultStorage {
  if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) {
    throw new InvalidArgumentError('browserStorage needs a name of 1-64 letters, digits, dots, dashes or underscores.')
  }
  const idb = readGlobal<IdbFactory>('indexedDB')
  if (idb && typeof idb.open === 'function') return indexedDbStorage(idb, name)
  const local = readGlobal<WebStorage>('localStorage')
  if (local && typeof local.getItem === 'function') return localStorageStorage(local, name)
  throw new StorageError('No IndexedDB or localStorage here; pass another VaultStorage (fileStorage in Node).')
}
