/**
 * Read-modify-write: every storage's `update` (memory, file, browser with IndexedDB or
 * localStorage, with and without Web Locks) and `updateStorage`, including its compare-and-swap
 * fallback for third-party storages without `update`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  InvalidArgumentError,
  StorageConflictError,
  StorageError,
  browserStorage,
  fileStorage,
  memoryStorage,
  type VaultStorage,
} from 'coffer/vault'
import { CAS_ATTEMPTS, updateStorage } from '../../src/vault/storage.js'

const dirs: string[] = []
afterEach(() => {
  vi.unstubAllGlobals()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

let serial = 0
/** A Map-backed localStorage stand-in. */
class MapLocalStorage {
  readonly map = new Map<string, string>()
  getItem(key: string): string | null {
    return this.map.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value)
  }
  removeItem(key: string): void {
    this.map.delete(key)
  }
}

/** A stand-in for navigator.locks: exclusive, FIFO per name, honouring an abort signal while waiting. */
class FakeLockManager {
  readonly requested: string[] = []
  readonly #tails = new Map<string, Promise<unknown>>()
  /** While true, no lock is ever granted (another tab holds it). */
  stuck = false
  request(name: string, options: { mode: string; signal?: AbortSignal }, callback: () => Promise<unknown>): Promise<unknown> {
    this.requested.push(`${options.mode} ${name}`)
    if (this.stuck) {
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason)))
    }
    const previous = this.#tails.get(name) ?? Promise.resolve()
    const run = previous.then(callback, callback)
    this.#tails.set(
      name,
      run.catch(() => undefined),
    )
    return run
  }
}

const harnesses: { name: string; make: () => VaultStorage }[] = [
  { name: 'memoryStorage', make: () => memoryStorage() },
  {
    name: 'fileStorage',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'coffer-upd-'))
      dirs.push(dir)
      return fileStorage(join(dir, 'wallet.json'))
    },
  },
  {
    name: 'browserStorage (IndexedDB, no Web Locks)',
    make: () => {
      vi.stubGlobal('indexedDB', new IDBFactory())
      return browserStorage(`upd-${++serial}`)
    },
  },
  {
    name: 'browserStorage (localStorage, Web Locks)',
    make: () => {
      vi.stubGlobal('indexedDB', undefined)
      vi.stubGlobal('localStorage', new MapLocalStorage())
      vi.stubGlobal('navigator', { locks: new FakeLockManager() })
      return browserStorage(`upd-${++serial}`)
    },
  },
]

const increment = (current: string | undefined) => String(Number(current ?? '0') + 1)

describe.each(harnesses)('update: $name', ({ make }) => {
  it('passes the current value and stores what the change returns; resolves to the stored value', async () => {
    const storage = make()
    await expect(storage.update!('journal', (current) => `${current ?? 'nothing'} → first`)).resolves.toBe('nothing → first')
    await expect(storage.update!('journal', async (current) => `${current} → second`)).resolves.toBe('nothing → first → second')
    await expect(storage.get('journal')).resolves.toBe('nothing → first → second')
  })

  it('leaves the value as it is when the change returns undefined', async () => {
    const storage = make()
    await expect(storage.update!('journal', () => undefined)).resolves.toBeUndefined()
    await expect(storage.get('journal')).resolves.toBeUndefined()
    await storage.set('journal', 'kept')
    await expect(storage.update!('journal', () => undefined)).resolves.toBe('kept')
    await expect(storage.get('journal')).resolves.toBe('kept')
  })

  it('loses no increment among 40 concurrent updates mixed with sets, in call order', async () => {
    const storage = make()
    const calls: Promise<unknown>[] = []
    for (let i = 0; i < 40; i++) {
      calls.push(storage.update!('counter', increment))
      if (i === 19) calls.push(storage.set('counter', '100'))
    }
    await Promise.all(calls)
    await expect(storage.get('counter')).resolves.toBe('120')
  })

  it('a change that throws rejects with its error and stores nothing; later updates go through', async () => {
    const storage = make()
    await storage.set('journal', 'before')
    const boom = new Error('change failed')
    await expect(storage.update!('journal', () => Promise.reject(boom))).rejects.toBe(boom)
    await expect(storage.get('journal')).resolves.toBe('before')
    await expect(storage.update!('journal', (v) => `${v}!`)).resolves.toBe('before!')
  })

  it('rejects bad keys, changes and results with InvalidArgumentError and stores nothing', async () => {
    const storage = make()
    await storage.set('journal', 'before')
    await expect(storage.update!('BAD KEY', increment)).rejects.toThrow(InvalidArgumentError)
    await expect(storage.update!('journal', 'not a function' as never)).rejects.toThrow(InvalidArgumentError)
    for (const result of [42, null, {}, ['x']])
      await expect(storage.update!('journal', () => result as never)).rejects.toThrow(InvalidArgumentError)
    await expect(storage.get('journal')).resolves.toBe('before')
  })
})

describe('browserStorage with Web Locks', () => {
  it('takes the exclusive lock coffer:<name>:<key> for set, delete and update, so two tabs lose nothing', async () => {
    const locks = new FakeLockManager()
    vi.stubGlobal('indexedDB', new IDBFactory())
    vi.stubGlobal('navigator', { locks })
    // Two instances stand for two tabs: separate objects, one database, one lock manager.
    const tabs = [browserStorage('shared'), browserStorage('shared')]
    await Promise.all(Array.from({ length: 20 }, (_, i) => tabs[i % 2]!.update!('counter', increment)))
    await expect(tabs[0]!.get('counter')).resolves.toBe('20')
    await tabs[1]!.set('journal', 'j')
    await tabs[0]!.delete('journal')
    expect(new Set(locks.requested)).toEqual(new Set(['exclusive coffer:shared:counter', 'exclusive coffer:shared:journal']))
    expect(locks.requested).toHaveLength(22)
  })

  it('gives up after lockWaitMs with StorageError when another tab holds the lock, and writes nothing', async () => {
    const locks = new FakeLockManager()
    vi.stubGlobal('indexedDB', new IDBFactory())
    vi.stubGlobal('navigator', { locks })
    const storage = browserStorage('busy', { lockWaitMs: 50 })
    await storage.set('journal', 'before')
    locks.stuck = true
    const error = await storage.update!('journal', () => 'after').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).shortMessage).toMatch(/^Timed out after 50 ms waiting for the lock "coffer:busy:journal"/)
    await expect(storage.set('journal', 'after')).rejects.toThrow(StorageError)
    await expect(storage.get('journal')).resolves.toBe('before')
  })

  it('checks lockWaitMs', () => {
    vi.stubGlobal('indexedDB', new IDBFactory())
    for (const lockWaitMs of [-1, 1.5, 600_001, '10'])
      expect(() => browserStorage('x', { lockWaitMs: lockWaitMs as number })).toThrow(InvalidArgumentError)
  })
})

/** A third-party storage without `update`, counting calls; `meddle` runs between its reads, as another process would. */
function plainStorage(initial?: string) {
  const inner = memoryStorage(initial === undefined ? {} : { journal: initial })
  const calls = { get: 0, set: 0 }
  const storage = {
    meddle: undefined as undefined | ((inner: VaultStorage) => Promise<void>),
    async get(key: string) {
      calls.get++
      const value = await inner.get(key)
      // Interfere after the first read of each attempt (odd reads), before the comparing re-read.
      if (calls.get % 2 === 1 && storage.meddle) await storage.meddle(inner)
      return value
    },
    async set(key: string, value: string) {
      calls.set++
      return inner.set(key, value)
    },
    delete: (key: string) => inner.delete(key),
  }
  return { storage, inner, calls }
}

describe('updateStorage', () => {
  it('uses storage.update when the storage has it', async () => {
    const storage = memoryStorage()
    const update = vi.spyOn(storage, 'update')
    await expect(updateStorage(storage, 'journal', () => 'x')).resolves.toBe('x')
    expect(update).toHaveBeenCalledTimes(1)
  })

  it('falls back to compare-and-swap: get, change, get again, set', async () => {
    const { storage, inner, calls } = plainStorage('a')
    await expect(updateStorage(storage, 'journal', (v) => `${v}b`)).resolves.toBe('ab')
    await expect(inner.get('journal')).resolves.toBe('ab')
    expect(calls).toEqual({ get: 2, set: 1 })
  })

  it('re-reads and re-applies the change when another writer stored something in between, keeping both', async () => {
    const { storage, inner, calls } = plainStorage('a')
    let meddled = 0
    storage.meddle = async (s) => {
      if (meddled++ === 0) await s.set('journal', 'a+other')
    }
    const seen: (string | undefined)[] = []
    await expect(
      updateStorage(storage, 'journal', (v) => {
        seen.push(v)
        return `${v}+mine`
      }),
    ).resolves.toBe('a+other+mine')
    expect(seen).toEqual(['a', 'a+other'])
    await expect(inner.get('journal')).resolves.toBe('a+other+mine')
    expect(calls.set).toBe(1)
  })

  it(`gives up with StorageConflictError after ${CAS_ATTEMPTS} attempts when the value keeps changing, writing nothing`, async () => {
    const { storage, inner, calls } = plainStorage('0')
    let n = 0
    storage.meddle = async (s) => s.set('journal', `other ${++n}`)
    const change = vi.fn((v: string | undefined) => `${v} + mine`)
    const error = await updateStorage(storage, 'journal', change).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageConflictError)
    expect((error as StorageConflictError).details).toMatchObject({ key: 'journal', attempts: CAS_ATTEMPTS })
    expect(change).toHaveBeenCalledTimes(CAS_ATTEMPTS)
    expect(calls.set).toBe(0)
    await expect(inner.get('journal')).resolves.toBe(`other ${CAS_ATTEMPTS}`)
  })

  it('writes nothing when the change returns undefined', async () => {
    const { storage, calls } = plainStorage('a')
    await expect(updateStorage(storage, 'journal', () => undefined)).resolves.toBe('a')
    expect(calls.set).toBe(0)
  })

  it('serialises callers within the process, so none loses an increment', async () => {
    const { storage, inner } = plainStorage()
    await Promise.all(Array.from({ length: 30 }, () => updateStorage(storage, 'journal', increment)))
    await expect(inner.get('journal')).resolves.toBe('30')
  })

  it('rejects a bad storage, key, change or result with InvalidArgumentError', async () => {
    const { storage, calls } = plainStorage('a')
    await expect(updateStorage(null as never, 'journal', increment)).rejects.toThrow(InvalidArgumentError)
    await expect(updateStorage({ get: async () => undefined } as never, 'journal', increment)).rejects.toThrow(InvalidArgumentError)
    await expect(updateStorage(storage, 'Bad Key', increment)).rejects.toThrow(InvalidArgumentError)
    await expect(updateStorage(storage, 'journal', 42 as never)).rejects.toThrow(InvalidArgumentError)
    await expect(updateStorage(storage, 'journal', () => 42 as never)).rejects.toThrow(InvalidArgumentError)
    expect(calls.set).toBe(0)
  })
})
