/**
 * The cross-process file lock behind fileStorage (src/vault/file-lock.ts): one holder at a time
 * within a process and across real processes, stale locks broken (dead owner on this host, or
 * not refreshed in time), live ones respected and refreshed, bounded waits with a typed error.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidArgumentError, StorageConflictError, StorageError, fileStorage, VAULT_KEY } from 'coffer/vault'
import { acquireFileLock, lockHost } from '../../src/vault/file-lock.js'
import { startChild, stopChildren } from '../support/child-process.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-lock-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await stopChildren()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const HOUR_AGO = new Date(Date.now() - 3_600_000)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** A lock file as another owner would have left it. */
function foreignLock(path: string, owner: { pid: number; host: string }, mtime?: Date): void {
  writeFileSync(path, JSON.stringify({ ...owner, time: new Date().toISOString(), token: 'f'.repeat(32) }))
  if (mtime) utimesSync(path, mtime, mtime)
}
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('resolved, expected a rejection')
    },
    (error: Error) => error,
  )
}

describe('acquireFileLock', { timeout: 60_000 }, () => {
  it('writes the owner (pid, host, time, token) and removes the file on release', async () => {
    const path = join(tempDir(), 'wallet.json.vault.lock')
    const lock = await acquireFileLock(path)
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    expect(owner).toMatchObject({ pid: process.pid, host: lockHost() })
    expect(owner.token).toMatch(/^[0-9a-f]{32}$/)
    expect(Date.parse(owner.time as string)).not.toBeNaN()
    expect(lock.recovered).toBe(false)
    await lock.assertHeld()
    await lock.release()
    expect(existsSync(path)).toBe(false)
  })

  it('admits one holder at a time within a process: the second gets it only after the first releases', async () => {
    const path = join(tempDir(), 'x.lock')
    const events: string[] = []
    const first = await acquireFileLock(path)
    events.push('first acquired')
    const second = acquireFileLock(path).then((lock) => {
      events.push('second acquired')
      return lock
    })
    await sleep(150) // polls run meanwhile; none may succeed
    events.push('first releasing')
    await first.release()
    await (await second).release()
    expect(events).toEqual(['first acquired', 'first releasing', 'second acquired'])
  })

  it('keeps counts exact under many concurrent read-modify-writes through the lock', async () => {
    const dir = tempDir()
    const path = join(dir, 'count.lock')
    const counter = join(dir, 'count')
    writeFileSync(counter, '0')
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const lock = await acquireFileLock(path)
        try {
          const n = Number(readFileSync(counter, 'utf8'))
          await sleep(1)
          writeFileSync(counter, String(n + 1))
        } finally {
          await lock.release()
        }
      }),
    )
    expect(readFileSync(counter, 'utf8')).toBe('30')
  })

  it('waits for a live holder at most waitMs, then fails with StorageError naming the holder', async () => {
    const path = join(tempDir(), 'held.lock')
    const child = startChild()
    const pid = await child.run<number>('lock', { path })
    const error = await failure(acquireFileLock(path, { waitMs: 200 }))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).shortMessage).toMatch(
      /^Timed out after 200 ms waiting for the lock .*held\.lock; nothing was written\.$/,
    )
    expect((error as StorageError).details).toMatchObject({ pid, host: lockHost(), waitMs: 200 })
    // waitMs 0 tries once.
    expect(await failure(acquireFileLock(path, { waitMs: 0 }))).toBeInstanceOf(StorageError)
    await child.kill('SIGKILL')
    // Its owner is dead now: the lock is broken at once.
    const lock = await acquireFileLock(path, { waitMs: 0 })
    expect(lock.recovered).toBe(true)
    await lock.release()
  })

  it('breaks a lock whose owner died on this host at once, however fresh', async () => {
    const path = join(tempDir(), 'dead.lock')
    const child = startChild()
    const pid = await child.run<number>('storage', { path: join(tempDir(), 'unused') })
    await child.kill('SIGKILL')
    foreignLock(path, { pid, host: lockHost() })
    const lock = await acquireFileLock(path, { waitMs: 0 })
    expect(lock.recovered).toBe(true)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid })
    await lock.release()
  })

  it('breaks a lock from another host once it has gone staleMs without a refresh, and respects a fresh one', async () => {
    const dir = tempDir()
    const stale = join(dir, 'stale.lock')
    foreignLock(stale, { pid: 4242, host: 'another-host.example' }, HOUR_AGO)
    const lock = await acquireFileLock(stale, { waitMs: 0 })
    expect(lock.recovered).toBe(true)
    await lock.release()

    const fresh = join(dir, 'fresh.lock')
    foreignLock(fresh, { pid: 4242, host: 'another-host.example' })
    expect(await failure(acquireFileLock(fresh, { waitMs: 100 }))).toBeInstanceOf(StorageError)
    expect(existsSync(fresh)).toBe(true)
  })

  it('judges a lock file that is not JSON (an owner mid-write) by its age alone', async () => {
    const dir = tempDir()
    const young = join(dir, 'young.lock')
    writeFileSync(young, '')
    expect(await failure(acquireFileLock(young, { waitMs: 50 }))).toBeInstanceOf(StorageError)
    const old = join(dir, 'old.lock')
    writeFileSync(old, '{"pid":')
    utimesSync(old, HOUR_AGO, HOUR_AGO)
    await (await acquireFileLock(old, { waitMs: 0 })).release()
  })

  it('clears a .break file a crashed breaker left once it is stale itself', async () => {
    const path = join(tempDir(), 'wedged.lock')
    foreignLock(path, { pid: 4242, host: 'another-host.example' }, HOUR_AGO)
    foreignLock(`${path}.break`, { pid: 4243, host: 'another-host.example' }, HOUR_AGO)
    const lock = await acquireFileLock(path, { waitMs: 2_000 })
    expect(lock.recovered).toBe(true)
    expect(existsSync(`${path}.break`)).toBe(false)
    await lock.release()
    expect(readdirSync(join(path, '..'))).toEqual([])
  })

  it('the holder refreshes its lock, so a live holder is never judged stale', async () => {
    const path = join(tempDir(), 'refreshed.lock')
    const child = startChild()
    await child.run('lock', { path, staleMs: 2_000 })
    const before = statSync(path).mtimeMs
    await sleep(3_000) // longer than staleMs: only refreshes keep it fresh
    expect(statSync(path).mtimeMs).toBeGreaterThan(before)
    expect(await failure(acquireFileLock(path, { staleMs: 2_000, waitMs: 0 }))).toBeInstanceOf(StorageError)
  })

  it('a holder whose lock was taken over notices: assertHeld throws StorageConflictError and release leaves the new lock', async () => {
    const path = join(tempDir(), 'taken.lock')
    const lock = await acquireFileLock(path)
    foreignLock(path, { pid: 4242, host: 'another-host.example' })
    const error = await failure(lock.assertHeld())
    expect(error).toBeInstanceOf(StorageConflictError)
    expect((error as StorageConflictError).shortMessage).toMatch(/taken over by another process/)
    await lock.release()
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: 4242 })
  })

  it('fails with StorageError in a folder that does not exist', async () => {
    const error = await failure(acquireFileLock(join(tempDir(), 'missing', 'x.lock')))
    expect(error).toBeInstanceOf(StorageError)
    expect(((error as Error).cause as { code?: string }).code).toBe('ENOENT')
  })

  it('checks its options', async () => {
    const path = join(tempDir(), 'x.lock')
    for (const options of [{ waitMs: -1 }, { waitMs: 1.5 }, { waitMs: 600_001 }, { staleMs: 999 }, { staleMs: 600_001 }, { waitMs: '5' }]) {
      expect(await failure(acquireFileLock(path, options as never))).toBeInstanceOf(InvalidArgumentError)
    }
    for (const options of [{ lockWaitMs: -1 }, { lockStaleMs: 10 }, { lockWaitMs: Number.NaN }]) {
      expect(() => fileStorage(join(tempDir(), 'w.json'), options)).toThrow(InvalidArgumentError)
    }
    expect(existsSync(path)).toBe(false)
  })
})

describe('fileStorage under the lock', { timeout: 60_000 }, () => {
  it('set, delete and update leave no lock file behind, and the lock sits at <path>.<key>.lock while held', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'v')
    let seen: string[] = []
    await storage.update!('journal', (current) => {
      seen = readdirSync(dir).sort()
      return `${current ?? ''}j`
    })
    expect(seen).toEqual(['wallet.json', 'wallet.json.journal.lock'])
    await storage.delete(VAULT_KEY)
    expect(readdirSync(dir)).toEqual(['wallet.json.journal'])
  })

  it('a process that cannot get the lock in time writes nothing and says so', async () => {
    const path = join(tempDir(), 'wallet.json')
    writeFileSync(path, 'before')
    const child = startChild()
    await child.run('storage', { path })
    await child.run('hold', { key: VAULT_KEY })
    const storage = fileStorage(path, { lockWaitMs: 200 })
    for (const write of [
      () => storage.set(VAULT_KEY, 'after'),
      () => storage.update!(VAULT_KEY, () => 'after'),
      () => storage.delete(VAULT_KEY),
    ]) {
      const error = await failure(write())
      expect(error).toBeInstanceOf(StorageError)
      expect((error as StorageError).shortMessage).toMatch(/Timed out after 200 ms/)
    }
    expect(readFileSync(path, 'utf8')).toBe('before')
    await expect(storage.get(VAULT_KEY)).resolves.toBe('before') // reads take no lock
  })

  it('does not commit a write whose lock was taken over meanwhile (StorageConflictError; old contents and no temp file left)', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const storage = fileStorage(path)
    await storage.set(VAULT_KEY, 'before')
    const error = await failure(
      storage.update!(VAULT_KEY, () => {
        foreignLock(`${path}.vault.lock`, { pid: 4242, host: 'another-host.example' })
        return 'after'
      }),
    )
    expect(error).toBeInstanceOf(StorageConflictError)
    expect(readFileSync(path, 'utf8')).toBe('before')
    expect(readdirSync(dir).sort()).toEqual(['wallet.json', 'wallet.json.vault.lock'])
  })

  it('removes only its own orphaned temp files on first locked access', async () => {
    const dir = tempDir()
    const path = join(dir, 'wallet.json')
    const orphans = [`${path}.0123456789abcdef.tmp`, `${path}.lz3k9q0x1a2b3c4d.tmp`, `${path}.journal.fedcba9876543210.tmp`]
    const strangers = [
      `${path}.notes.tmp`,
      `${path}.0123.tmp`,
      `${path}.ABCDEF0123456789.tmp`,
      join(dir, 'other.json.0123456789abcdef.tmp'),
      `${path}.journal`,
    ]
    for (const file of [...orphans, ...strangers]) writeFileSync(file, 'x')
    const storage = fileStorage(path)
    await expect(storage.get(VAULT_KEY)).resolves.toBeUndefined() // reads do not sweep
    expect(existsSync(orphans[0]!)).toBe(true)
    await storage.set(VAULT_KEY, 'v')
    expect(existsSync(orphans[0]!)).toBe(false)
    expect(existsSync(orphans[1]!)).toBe(false)
    expect(existsSync(orphans[2]!)).toBe(true) // another record's: swept when that record is written
    await storage.update!('journal', (j) => j)
    expect(existsSync(orphans[2]!)).toBe(false)
    for (const file of strangers) expect(existsSync(file), file).toBe(true)
  })

  it('keeps counts exact when this process and two others update one record at the same time', async () => {
    const path = join(tempDir(), 'wallet.json')
    const children = [startChild(), startChild()]
    await Promise.all(children.map((c) => c.run('storage', { path })))
    const storage = fileStorage(path)
    const mine = (async () => {
      for (let i = 0; i < 25; i++) await storage.update!('counter', (n) => String(Number(n ?? '0') + 1))
    })()
    await Promise.all([mine, ...children.map((c) => c.run('increment', { key: 'counter', count: 25 }))])
    await expect(storage.get('counter')).resolves.toBe('75')
  })
})
