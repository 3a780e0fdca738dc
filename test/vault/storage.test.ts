/**
 * The three VaultStorage implementations: one shared contract (plus a Map-model property),
 * then what is specific to files (paths, modes, atomic replace) and to browsers (IndexedDB,
 * localStorage fallback).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import fc from 'fast-check'
import { IDBFactory, IDBObjectStore, forceCloseDatabase } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidArgumentError, StorageError, VAULT_KEY, browserStorage, fileStorage, memoryStorage, type VaultStorage } from 'coffer/vault'

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const tempDirs: string[] = []
/** A fresh temporary folder, removed after the test. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-'))
  tempDirs.push(dir)
  return dir
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A Map-backed stand-in for window.localStorage; `fail` makes one method throw like a browser would. */
class MapLocalStorage {
  readonly map = new Map<string, string>()
  fail: { getItem?: boolean; setItem?: boolean; removeItem?: boolean } = {}
  getItem(key: string): string | null {
    if (this.fail.getItem) throw new DOMException('The operation is insecure.', 'SecurityError')
    return this.map.has(key) ? (this.map.get(key) as string) : null
  }
  setItem(key: string, value: string): void {
    if (this.fail.setItem) throw new DOMException(`Setting the value of '${key}' exceeded the quota.`, 'QuotaExceededError')
    this.map.set(key, String(value))
  }
  removeItem(key: string): void {
    if (this.fail.removeItem) throw new DOMException('The operation is insecure.', 'SecurityError')
    this.map.delete(key)
  }
}

/** The node:fs/promises module object fileStorage reaches through process.getBuiltinModule. */
const fsp = process.getBuiltinModule('node:fs/promises')

/** Calls `fn` and returns what its promise rejects with; fails if it resolves or throws synchronously. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown>
  try {
    promise = fn()
  } catch (error) {
    throw new Error(`threw synchronously instead of returning a rejected promise: ${String(error)}`)
  }
  return promise.then(
    () => {
      throw new Error('resolved, expected a rejection')
    },
    (error: unknown) => error,
  )
}

/** Temp files left next to a storage's files. */
const tmpFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'))

/** A distinct, fairly long value per index, so a torn or mixed-up write cannot pass for another. */
const payload = (i: number) => `#${i}:` + `${i}`.padStart(4, '0').repeat(2_000)

let serial = 0

/** fake-indexeddb's factory (the project has no DOM lib, so its IndexedDB types are loose). */
type FakeIdbFactory = InstanceType<typeof IDBFactory>

interface Harness {
  readonly name: string
  /** Prepares the environment (globals, folders) for one test. */
  setup(): void
  /** A new, empty storage in that environment. */
  make(): VaultStorage
}

let fileDir = ''
const harnesses: Harness[] = [
  { name: 'memoryStorage', setup() {}, make: () => memoryStorage() },
  {
    name: 'fileStorage',
    setup() {
      fileDir = tempDir()
    },
    make: () => fileStorage(join(fileDir, `wallet-${++serial}.json`)),
  },
  {
    name: 'browserStorage (IndexedDB)',
    setup() {
      vi.stubGlobal('indexedDB', new IDBFactory())
      vi.stubGlobal('localStorage', undefined)
    },
    make: () => browserStorage(`coffer-idb-${++serial}`),
  },
  {
    name: 'browserStorage (localStorage)',
    setup() {
      vi.stubGlobal('indexedDB', undefined)
      vi.stubGlobal('localStorage', new MapLocalStorage())
    },
    make: () => browserStorage(`coffer-ls-${++serial}`),
  },
]

const INVALID_KEYS: unknown[] = ['', 'UPPER', 'a/b', '../x', 'x'.repeat(65), 42, '-lead', 'a.b', 'a b', 'ключ', undefined, null]
const VALID_KEYS = ['a', '0', 'a-', 'x'.repeat(64), 'journal', 'policy-2']
const NON_STRING_VALUES: unknown[] = [42, null, undefined, {}, ['a'], new Uint8Array([1, 2]), Symbol('v')]

// ---------------------------------------------------------------------------------------------
// The shared contract
// ---------------------------------------------------------------------------------------------

describe.each(harnesses)('VaultStorage contract: $name', (harness) => {
  const make = () => {
    harness.setup()
    return harness.make()
  }

  it('returns undefined for a key that was never set', async () => {
    const storage = make()
    await expect(storage.get(VAULT_KEY)).resolves.toBeUndefined()
    await expect(storage.get('journal')).resolves.toBeUndefined()
  })

  it('gets back exactly what was set, including empty, unicode and large values', async () => {
    const storage = make()
    const values = ['', '{"format":"coffer-vault","v":1}', 'ünïcödé 🔐 \u0000 \n\t "quotes"', 'x'.repeat(1 << 20)]
    for (const value of values) {
      await storage.set(VAULT_KEY, value)
      await expect(storage.get(VAULT_KEY)).resolves.toBe(value)
    }
  })

  it('accepts every valid key shape', async () => {
    const storage = make()
    for (const key of VALID_KEYS) await storage.set(key, `value of ${key}`)
    for (const key of VALID_KEYS) await expect(storage.get(key)).resolves.toBe(`value of ${key}`)
  })

  it('overwrites a value', async () => {
    const storage = make()
    await storage.set(VAULT_KEY, 'first')
    await storage.set(VAULT_KEY, 'second, and longer than the first')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('second, and longer than the first')
    await storage.set(VAULT_KEY, 'x')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('x')
  })

  it('deletes a value; deleting a missing key is fine; a deleted key can be set again', async () => {
    const storage = make()
    await storage.set(VAULT_KEY, 'secret')
    await expect(storage.delete(VAULT_KEY)).resolves.toBeUndefined()
    await expect(storage.get(VAULT_KEY)).resolves.toBeUndefined()
    await expect(storage.delete(VAULT_KEY)).resolves.toBeUndefined()
    await expect(storage.delete('never-set')).resolves.toBeUndefined()
    await storage.set(VAULT_KEY, 'again')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('again')
  })

  it('keeps keys independent', async () => {
    const storage = make()
    await storage.set(VAULT_KEY, 'v')
    await storage.set('journal', 'j')
    await storage.set('policy', 'p')
    await storage.set('journal', 'j2')
    await storage.delete('policy')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('v')
    await expect(storage.get('journal')).resolves.toBe('j2')
    await expect(storage.get('policy')).resolves.toBeUndefined()
  })

  it.each(INVALID_KEYS.map((key) => [key]))('rejects the invalid key %j with InvalidArgumentError (a rejected promise)', async (key) => {
    const storage = make()
    await storage.set(VAULT_KEY, 'untouched')
    for (const call of [() => storage.get(key as string), () => storage.set(key as string, 'v'), () => storage.delete(key as string)]) {
      const error = await rejection(call)
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT')
    }
    await expect(storage.get(VAULT_KEY)).resolves.toBe('untouched')
  })

  it('rejects non-string values with InvalidArgumentError and keeps the previous value', async () => {
    const storage = make()
    await storage.set(VAULT_KEY, 'previous')
    for (const value of NON_STRING_VALUES) {
      const error = await rejection(() => storage.set(VAULT_KEY, value as string))
      expect(error).toBeInstanceOf(InvalidArgumentError)
    }
    await expect(storage.get(VAULT_KEY)).resolves.toBe('previous')
    // A bad key is reported even with a bad value.
    expect(await rejection(() => storage.set('BAD', 42 as unknown as string))).toBeInstanceOf(InvalidArgumentError)
  })

  it('lands 100 concurrent sets of one key in call order: all resolve, the last one wins, none is torn', async () => {
    const storage = make()
    await storage.set(VAULT_KEY, 'before')
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => storage.set(VAULT_KEY, payload(i))))
    expect(results.filter((r) => r.status !== 'fulfilled')).toEqual([])
    const final = await storage.get(VAULT_KEY)
    expect(final?.length).toBe(payload(99).length)
    expect(final === payload(99)).toBe(true)
  })

  it('keeps call order across concurrent sets and deletes of one key', async () => {
    const storage = make()
    const endsWithDelete = [storage.set('journal', 'a'), storage.delete('journal'), storage.set('journal', 'b'), storage.delete('journal')]
    await Promise.all(endsWithDelete)
    await expect(storage.get('journal')).resolves.toBeUndefined()
    const endsWithSet = [storage.set('journal', 'a'), storage.delete('journal'), storage.delete('journal'), storage.set('journal', 'c')]
    await Promise.all(endsWithSet)
    await expect(storage.get('journal')).resolves.toBe('c')
  })

  it('lands concurrent sets on different keys', async () => {
    const storage = make()
    const keys = Array.from({ length: 25 }, (_, i) => `key-${i}`)
    await Promise.all(keys.flatMap((key, i) => [storage.set(key, `stale ${i}`), storage.set(key, payload(i))]))
    const values = await Promise.all(keys.map((key) => storage.get(key)))
    values.forEach((value, i) => expect(value === payload(i), `key-${i}`).toBe(true))
  })

  it('ends in the same state as a Map model for random set/delete sequences (awaited one by one, or all at once)', async () => {
    harness.setup()
    const KEYS = [VAULT_KEY, 'journal', 'policy'] as const
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...KEYS), value: fc.string({ unit: 'binary', maxLength: 40 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 16 }), fc.boolean(), async (ops, concurrently) => {
        const storage = harness.make()
        const model = new Map<string, string>()
        const pending: Promise<void>[] = []
        for (const o of ops) {
          const done = o.kind === 'set' ? storage.set(o.key, o.value) : storage.delete(o.key)
          if (o.kind === 'set') model.set(o.key, o.value)
          else model.delete(o.key)
          if (concurrently) pending.push(done)
          else await done
        }
        await Promise.all(pending)
        for (const key of KEYS) expect(await storage.get(key)).toBe(model.get(key))
      }),
      { seed: 20240611, numRuns: 40 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// memoryStorage
// ---------------------------------------------------------------------------------------------

describe('memoryStorage', () => {
  it('starts from a copy of the initial values', async () => {
    const initial: Record<string, string> = { vault: 'v', journal: 'j' }
    const storage = memoryStorage(initial)
    initial.vault = 'changed afterwards'
    await expect(storage.get(VAULT_KEY)).resolves.toBe('v')
    await expect(storage.get('journal')).resolves.toBe('j')
    await storage.set('policy', 'p')
    expect(initial).toEqual({ vault: 'changed afterwards', journal: 'j' })
  })

  it('separate instances do not share data', async () => {
    const a = memoryStorage()
    const b = memoryStorage()
    await a.set(VAULT_KEY, 'a')
    await expect(b.get(VAULT_KEY)).resolves.toBeUndefined()
  })

  it.each([[null], ['vault'], [42], [['v']], [{ vault: 42 }], [{ vault: null }], [{ UPPER: 'v' }], [{ 'a/b': 'v' }], [{ '': 'v' }]])(
    'rejects the initial values %j with InvalidArgumentError',
    (initial) => {
      expect(() => memoryStorage(initial as Record<string, string>)).toThrow(InvalidArgumentError)
    },
  )
})

// ---------------------------------------------------------------------------------------------
// fileStorage
// ---------------------------------------------------------------------------------------------

describe('fileStorage', () => {
  const posixOnly = it.skipIf(process.platform === 'win32')

  it('stores the vault at the path itself and other keys at <path>.<key>', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'the vault')
    await storage.set('journal', 'the journal')
    expect(readFileSync(path, 'utf8')).toBe('the vault')
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('the journal')
    expect(readdirSync(dir).sort()).toEqual(['wallet.json', 'wallet.json.journal'])
    await storage.delete('journal')
    expect(readdirSync(dir)).toEqual(['wallet.json'])
    await storage.delete(VAULT_KEY)
    expect(readdirSync(dir)).toEqual([])
  })

  it('reads files written by others, resolves relative paths, and shares data between instances', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    writeFileSync(path, 'written elsewhere')
    writeFileSync(`${path}.policy`, 'policy elsewhere')
    const a = fileStorage(relative(process.cwd(), path))
    await expect(a.get(VAULT_KEY)).resolves.toBe('written elsewhere')
    await expect(a.get('policy')).resolves.toBe('policy elsewhere')
    const b = fileStorage(path)
    await a.set('journal', 'from a')
    await expect(b.get('journal')).resolves.toBe('from a')
    await b.delete('journal')
    await expect(a.get('journal')).resolves.toBeUndefined()
  })

  it('writes nothing for invalid keys or values', async () => {
    const dir = tempDir()
    const storage = fileStorage(join(dir, 'wallet.json'))
    for (const key of INVALID_KEYS) await rejection(() => storage.set(key as string, 'v'))
    await rejection(() => storage.set(VAULT_KEY, 42 as unknown as string))
    expect(readdirSync(dir)).toEqual([])
  })

  posixOnly('creates files with mode 0600, also when replacing a 0644 file', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'fresh')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await storage.set('journal', 'fresh')
    expect(statSync(`${path}.journal`).mode & 0o777).toBe(0o600)

    writeFileSync(`${path}.policy`, 'world readable', { mode: 0o644 })
    chmodSync(`${path}.policy`, 0o644) // whatever the umask did
    expect(statSync(`${path}.policy`).mode & 0o777).toBe(0o644)
    await storage.set('policy', 'private now')
    expect(statSync(`${path}.policy`).mode & 0o777).toBe(0o600)
    expect(readFileSync(`${path}.policy`, 'utf8')).toBe('private now')
  })

  it('leaves no temporary file behind after many sequential and concurrent writes', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    for (let i = 0; i < 30; i++) await storage.set(VAULT_KEY, payload(i))
    await Promise.all(Array.from({ length: 60 }, (_, i) => storage.set(i % 2 ? VAULT_KEY : 'journal', payload(i))))
    expect(tmpFiles(dir)).toEqual([])
    expect(readdirSync(dir).sort()).toEqual(['wallet.json', 'wallet.json.journal'])
    expect(readFileSync(path, 'utf8') === payload(59)).toBe(true)
    expect(readFileSync(`${path}.journal`, 'utf8') === payload(58)).toBe(true)
  })

  it('replaces files in call order (observed at each rename)', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    const rename = fsp.rename.bind(fsp)
    const landed: string[] = []
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      await rename(from, to)
      landed.push(readFileSync(to, 'utf8'))
    })
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set(VAULT_KEY, `v${i}`)))
    expect(landed).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`))
  })

  it('a failed rename rejects with StorageError (no value in it), keeps the old contents and removes the temp file', async () => {
    // The module object's properties are configurable, so spying on it intercepts fileStorage's calls.
    expect(Object.getOwnPropertyDescriptor(fsp, 'rename')?.configurable).toBe(true)
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'old contents')

    const spy = vi.spyOn(fsp, 'rename').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }))
    const secret = 'NEW-SECRET-CIPHERTEXT-0123456789'
    const error = await rejection(() => storage.set(VAULT_KEY, secret))
    expect(spy).toHaveBeenCalledTimes(1) // the spy really intercepted the call
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).code).toBe('STORAGE')
    expect((error as Error).message).not.toContain(secret)
    expect(JSON.stringify((error as StorageError).details)).not.toContain(secret)
    expect(((error as Error).cause as Error).message).toMatch(/EIO/)

    await expect(storage.get(VAULT_KEY)).resolves.toBe('old contents')
    expect(readFileSync(path, 'utf8')).toBe('old contents')
    expect(tmpFiles(dir)).toEqual([])

    // The next write goes through.
    await storage.set(VAULT_KEY, 'newer')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('newer')
  })

  it('a failed write of the temp file keeps the old contents and removes the temp file', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'old contents')
    const open = fsp.open.bind(fsp)
    const spy = vi.spyOn(fsp, 'open').mockImplementationOnce(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await open(...args)
      handle.writeFile = async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      }
      return handle
    })
    const error = await rejection(() => storage.set(VAULT_KEY, 'new contents'))
    expect(spy).toHaveBeenCalled()
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).not.toContain('new contents')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('old contents')
    expect(tmpFiles(dir)).toEqual([])
  })

  it('a failed write does not block the writes queued behind it', async () => {
    const dir = tempDir()
    const storage = fileStorage(join(dir, 'wallet.json'))
    await storage.set(VAULT_KEY, 'old')
    vi.spyOn(fsp, 'rename').mockRejectedValueOnce(new Error('EIO'))
    const [first, second] = await Promise.allSettled([storage.set(VAULT_KEY, 'lost'), storage.set(VAULT_KEY, 'kept')])
    expect(first.status).toBe('rejected')
    expect((first as PromiseRejectedResult).reason).toBeInstanceOf(StorageError)
    expect(second.status).toBe('fulfilled')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('kept')
    expect(tmpFiles(dir)).toEqual([])
  })

  it('fails a write over a directory with StorageError and leaves no temp file (no spies involved)', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    mkdirSync(`${path}.journal`)
    const storage = fileStorage(path)
    const error = await rejection(() => storage.set('journal', 'value'))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).not.toContain('value')
    expect(tmpFiles(dir)).toEqual([])
    expect(statSync(`${path}.journal`).isDirectory()).toBe(true)
  })

  it('reports reading or deleting a directory as StorageError, not a raw Node error', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    mkdirSync(path)
    const storage = fileStorage(path)
    const read = await rejection(() => storage.get(VAULT_KEY))
    expect(read).toBeInstanceOf(StorageError)
    expect(((read as Error).cause as { code?: string }).code).toBe('EISDIR')
    expect(await rejection(() => storage.delete(VAULT_KEY))).toBeInstanceOf(StorageError)
  })

  it('treats a missing folder as empty for reads and fails writes into it with StorageError', async () => {
    const dir = tempDir()
    const storage = fileStorage(join(dir, 'missing', 'wallet.json'))
    await expect(storage.get(VAULT_KEY)).resolves.toBeUndefined()
    await expect(storage.delete(VAULT_KEY)).resolves.toBeUndefined()
    expect(await rejection(() => storage.set(VAULT_KEY, 'v'))).toBeInstanceOf(StorageError)
    expect(readdirSync(dir)).toEqual([])
  })

  it('rejects values UTF-8 cannot store (lone surrogates) instead of silently changing them', async () => {
    const dir = tempDir()
    const storage = fileStorage(join(dir, 'wallet.json'))
    await storage.set(VAULT_KEY, 'previous')
    for (const bad of ['\uD800', 'a\uDC00b', 'x\uD83D']) {
      expect(await rejection(() => storage.set(VAULT_KEY, bad))).toBeInstanceOf(InvalidArgumentError)
    }
    await expect(storage.get(VAULT_KEY)).resolves.toBe('previous')
    await storage.set(VAULT_KEY, 'pair \uD83D\uDD10 ok')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('pair 🔐 ok')
  })

  it('needs a non-empty path', () => {
    for (const path of ['', 42, undefined, null, {}]) {
      expect(() => fileStorage(path as string)).toThrow(InvalidArgumentError)
    }
  })

  it('explains that it needs a file system when node:fs is unavailable', () => {
    const path = join(tempDir(), 'wallet.json')
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
    let error: unknown
    try {
      fileStorage(path)
    } catch (caught) {
      error = caught
    }
    vi.unstubAllGlobals()
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).toMatch(/file system/)
    expect((error as Error).message).toMatch(/browserStorage/)
  })
})

// ---------------------------------------------------------------------------------------------
// browserStorage
// ---------------------------------------------------------------------------------------------

/** Reads every record of the "coffer" store of database `name` straight from IndexedDB. */
function idbRecords(factory: FakeIdbFactory, name: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name)
    req.onerror = () => reject(req.error)
    req.onsuccess = () => {
      const db = req.result
      const tx = db.transaction('coffer', 'readonly')
      const store = tx.objectStore('coffer')
      const keys = store.getAllKeys()
      const values = store.getAll()
      tx.oncomplete = () => {
        db.close()
        resolve(Object.fromEntries((keys.result as string[]).map((k, i) => [k, values.result[i]])))
      }
      tx.onerror = () => reject(tx.error)
    }
  })
}

describe('browserStorage with IndexedDB', () => {
  function useIdb(): FakeIdbFactory {
    const factory = new IDBFactory()
    vi.stubGlobal('indexedDB', factory)
    return factory
  }

  it('prefers IndexedDB over localStorage and keeps records in the "coffer" store', async () => {
    const factory = useIdb()
    const ls = new MapLocalStorage()
    vi.stubGlobal('localStorage', ls)
    const storage = browserStorage('wallet')
    await storage.set(VAULT_KEY, 'vault json')
    await storage.set('journal', 'journal json')
    expect(await idbRecords(factory, 'wallet')).toEqual({ journal: 'journal json', vault: 'vault json' })
    expect(ls.map.size).toBe(0)
  })

  it('shares data between instances with the same name and isolates different names', async () => {
    useIdb()
    const a = browserStorage('same-name')
    const b = browserStorage('same-name')
    const other = browserStorage('other-name')
    await a.set(VAULT_KEY, 'from a')
    await expect(b.get(VAULT_KEY)).resolves.toBe('from a')
    await b.set('journal', 'from b')
    await expect(a.get('journal')).resolves.toBe('from b')
    await expect(other.get(VAULT_KEY)).resolves.toBeUndefined()
    await expect(other.get('journal')).resolves.toBeUndefined()
    await other.set(VAULT_KEY, 'other')
    await expect(a.get(VAULT_KEY)).resolves.toBe('from a')
    await b.delete(VAULT_KEY)
    await expect(a.get(VAULT_KEY)).resolves.toBeUndefined()
    await expect(other.get(VAULT_KEY)).resolves.toBe('other')
  })

  it('reads a non-string record written by someone else as missing', async () => {
    const factory = useIdb()
    const storage = browserStorage('foreign')
    await storage.set('journal', 'mine')
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('foreign')
      req.onsuccess = () => {
        const tx = req.result.transaction('coffer', 'readwrite')
        tx.objectStore('coffer').put({ not: 'a string' }, VAULT_KEY)
        tx.oncomplete = () => {
          req.result.close()
          resolve()
        }
        tx.onerror = () => reject(tx.error)
      }
    })
    await expect(storage.get(VAULT_KEY)).resolves.toBeUndefined()
  })

  it('an aborted write transaction rejects with StorageError (no value in it) and keeps the previous value', async () => {
    useIdb()
    const storage = browserStorage('aborts')
    await storage.set(VAULT_KEY, 'previous')
    const put = IDBObjectStore.prototype.put
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(function (
      this: { transaction: { abort(): void } },
      ...args: unknown[]
    ) {
      const req = put.apply(this, args)
      this.transaction.abort()
      return req
    })
    const error = await rejection(() => storage.set(VAULT_KEY, 'SECRET-NEW'))
    expect(spy).toHaveBeenCalledTimes(1)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).not.toContain('SECRET-NEW')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('previous')
    // Later writes still work.
    await storage.set(VAULT_KEY, 'later')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('later')
  })

  it('reports a put that throws synchronously (e.g. DataError) as StorageError', async () => {
    useIdb()
    const storage = browserStorage('throws')
    await storage.set(VAULT_KEY, 'previous')
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new DOMException('Data provided to an operation does not meet requirements.', 'DataError')
    })
    expect(await rejection(() => storage.set(VAULT_KEY, 'next'))).toBeInstanceOf(StorageError)
    await expect(storage.get(VAULT_KEY)).resolves.toBe('previous')
  })

  it('reports a database it cannot open as StorageError, and retries opening later', async () => {
    const factory = useIdb()
    // A newer schema version of the same database makes opening version 1 fail (VersionError).
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('newer', 5)
      req.onsuccess = () => {
        req.result.close()
        resolve()
      }
      req.onerror = () => reject(req.error)
    })
    const storage = browserStorage('newer')
    expect(await rejection(() => storage.get(VAULT_KEY))).toBeInstanceOf(StorageError)
    expect(await rejection(() => storage.set(VAULT_KEY, 'v'))).toBeInstanceOf(StorageError)
    await new Promise<void>((resolve, reject) => {
      const req = factory.deleteDatabase('newer')
      req.onsuccess = () => resolve()
      req.onerror = () => reject(req.error)
    })
    await storage.set(VAULT_KEY, 'after retry')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('after retry')
  })

  it('reopens the database after the browser closes the connection', async () => {
    const factory = useIdb()
    const open = factory.open.bind(factory)
    const requests: Array<{ result: unknown }> = []
    vi.spyOn(factory, 'open').mockImplementation((name: string, version?: number) => {
      const req = open(name, version)
      requests.push(req)
      return req
    })
    const storage = browserStorage('closing')
    await storage.set(VAULT_KEY, 'before close')
    expect(requests).toHaveLength(1)
    forceCloseDatabase(requests[0]!.result)
    await expect(storage.get(VAULT_KEY)).resolves.toBe('before close')
    await storage.set(VAULT_KEY, 'after close')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('after close')
    expect(requests).toHaveLength(2)
  })

  it('does not block another connection that upgrades the database', async () => {
    const factory = useIdb()
    const storage = browserStorage('upgrade')
    await storage.set(VAULT_KEY, 'v1 data')
    const blocked = vi.fn()
    const version = await new Promise<number>((resolve, reject) => {
      const req = factory.open('upgrade', 2)
      req.onblocked = blocked
      req.onsuccess = () => {
        const v = req.result.version
        req.result.close()
        resolve(v)
      }
      req.onerror = () => reject(req.error)
    })
    expect(version).toBe(2)
    expect(blocked).not.toHaveBeenCalled()
    // This (older) storage now cannot open the upgraded database, and says so.
    expect(await rejection(() => storage.get(VAULT_KEY))).toBeInstanceOf(StorageError)
  }, 3_000) // without the fix the upgrade waits forever
})

describe('browserStorage with localStorage only', () => {
  function useLocalStorage(): MapLocalStorage {
    const ls = new MapLocalStorage()
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('localStorage', ls)
    return ls
  }

  it('stores values under <name>:<key>', async () => {
    const ls = useLocalStorage()
    ls.map.set('unrelated', 'keep me')
    const storage = browserStorage('wallet')
    await storage.set(VAULT_KEY, 'vault json')
    await storage.set('journal', 'journal json')
    expect(Object.fromEntries(ls.map)).toEqual({ unrelated: 'keep me', 'wallet:vault': 'vault json', 'wallet:journal': 'journal json' })
    await storage.delete('journal')
    expect([...ls.map.keys()].sort()).toEqual(['unrelated', 'wallet:vault'])
    ls.map.set('wallet:policy', 'written elsewhere')
    await expect(storage.get('policy')).resolves.toBe('written elsewhere')
  })

  it('shares data between instances with the same name and isolates different names', async () => {
    useLocalStorage()
    const a = browserStorage('same')
    const b = browserStorage('same')
    const other = browserStorage('same-but-different')
    await a.set(VAULT_KEY, 'from a')
    await expect(b.get(VAULT_KEY)).resolves.toBe('from a')
    await expect(other.get(VAULT_KEY)).resolves.toBeUndefined()
  })

  it('a throwing setItem (QuotaExceededError) rejects with StorageError and keeps the previous value', async () => {
    const ls = useLocalStorage()
    const storage = browserStorage('quota')
    await storage.set(VAULT_KEY, 'previous')
    ls.fail.setItem = true
    const error = await rejection(() => storage.set(VAULT_KEY, 'SECRET-NEW'))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).not.toContain('SECRET-NEW')
    expect(((error as Error).cause as DOMException).name).toBe('QuotaExceededError')
    ls.fail.setItem = false
    await expect(storage.get(VAULT_KEY)).resolves.toBe('previous')
    expect(ls.map.get('quota:vault')).toBe('previous')
  })

  it('reports throwing getItem / removeItem as StorageError', async () => {
    const ls = useLocalStorage()
    const storage = browserStorage('blocked')
    await storage.set(VAULT_KEY, 'v')
    ls.fail.getItem = true
    expect(await rejection(() => storage.get(VAULT_KEY))).toBeInstanceOf(StorageError)
    ls.fail.removeItem = true
    expect(await rejection(() => storage.delete(VAULT_KEY))).toBeInstanceOf(StorageError)
    ls.fail = {}
    await expect(storage.get(VAULT_KEY)).resolves.toBe('v')
  })
})

describe('browserStorage environment and names', () => {
  it('throws StorageError when there is neither IndexedDB nor localStorage', () => {
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('localStorage', undefined)
    expect(() => browserStorage('wallet')).toThrow(StorageError)
    vi.stubGlobal('indexedDB', {}) // no open()
    vi.stubGlobal('localStorage', {}) // no getItem()
    expect(() => browserStorage('wallet')).toThrow(StorageError)
  })

  it('treats globals whose getters throw (blocked storage, sandboxed frames) as missing', async () => {
    const blockedGetter = (what: string) => ({
      configurable: true,
      get() {
        throw new DOMException(`Failed to read the '${what}' property from 'Window': Access is denied for this document.`, 'SecurityError')
      },
    })
    const restore: Array<() => void> = []
    for (const what of ['indexedDB', 'localStorage'] as const) {
      const before = Object.getOwnPropertyDescriptor(globalThis, what)
      restore.push(() => {
        if (before) Object.defineProperty(globalThis, what, before)
        else delete (globalThis as Record<string, unknown>)[what]
      })
    }
    try {
      Object.defineProperty(globalThis, 'indexedDB', blockedGetter('indexedDB'))
      Object.defineProperty(globalThis, 'localStorage', blockedGetter('localStorage'))
      expect(() => browserStorage('wallet')).toThrow(StorageError)

      const ls = new MapLocalStorage()
      Object.defineProperty(globalThis, 'localStorage', { configurable: true, value: ls, writable: true })
      const storage = browserStorage('wallet')
      await storage.set(VAULT_KEY, 'fell back')
      expect(ls.map.get('wallet:vault')).toBe('fell back')
    } finally {
      for (const undo of restore) undo()
    }
  })

  it.each([[''], ['a b'], ['x'.repeat(65)], ['a:b'], ['a/b'], [42], [undefined]])(
    'rejects the name %j with InvalidArgumentError',
    (name) => {
      vi.stubGlobal('indexedDB', new IDBFactory())
      expect(() => browserStorage(name as string)).toThrow(InvalidArgumentError)
    },
  )

  it('accepts names of 1-64 letters, digits, dots, dashes and underscores', () => {
    vi.stubGlobal('indexedDB', new IDBFactory())
    for (const name of ['a', 'x'.repeat(64), 'coffer.wallet_v1-main', 'A9']) expect(() => browserStorage(name)).not.toThrow()
  })
})
