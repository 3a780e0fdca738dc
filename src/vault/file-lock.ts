/**
 * An advisory, cross-process lock on one file, for `fileStorage`: a lock file created with
 * `O_CREAT|O_EXCL` (`writeFile(…, { flag: 'wx' })`), so exactly one process creates it;
 * it holds the owner's `{ pid, host, time, token }` as JSON and is removed on release.
 *
 * **Why not a library.** proper-lockfile and its kin load `fs`/`graceful-fs` at import time,
 * which breaks browser bundles of `coffer/vault` (this module reaches node:fs only through
 * `process.getBuiltinModule`, see runtime.ts) and they add a dependency for ~200 lines whose
 * every rule is tested here (test/vault/file-lock.test.ts, test/vault/multi-process.test.ts).
 *
 * **Rules.**
 * - *Wait:* a held lock is polled (5 ms doubling to 100 ms, with jitter) until `waitMs`
 *   (default {@link DEFAULT_LOCK_WAIT_MS}); then StorageError, and nothing was written.
 * - *Refresh:* the holder touches the lock file's mtime every `staleMs / 4` while it holds it.
 * - *Stale:* a lock is stale when its owner is a dead process on this host (`kill(pid, 0)`
 *   says ESRCH), or when its mtime is older than `staleMs` (default {@link DEFAULT_LOCK_STALE_MS}:
 *   an owner on another host that crashed, or one whose event loop stalled that long).
 * - *Breaking a stale lock* happens under a second lock file, `<lock>.break` (same `wx`
 *   creation), after re-checking staleness under it, so two waiters that both saw the same
 *   stale lock cannot remove a fresh one; a `.break` file left by a crashed breaker is removed
 *   once it is stale itself. The caller learns that it recovered a lock (`recovered`) so it can
 *   clean up what the dead owner left.
 * - *Release* removes the lock file only if it still carries this holder's token, and
 *   {@link FileLock.assertHeld} lets the holder check the token just before it commits.
 *
 * **Limits.** Advisory: only coffer's own writers take it. Staleness by time compares the
 * file's mtime with this machine's clock, so hosts sharing a network folder need clocks within
 * `staleMs` of each other. A holder paused for longer than `staleMs` (SIGSTOP, a debugger) can
 * lose its lock; `assertHeld` before the commit narrows, but cannot close, that window.
 * @module
 * @internal
 */
import { isIntegerIn } from '../core/assert.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidArgumentError, StorageConflictError, StorageError } from '../core/errors.js'
import { builtin } from '../core/runtime.js'
import { randomBytes } from './crypto.js'

/** How long to wait for a held lock by default (ms). */
export const DEFAULT_LOCK_WAIT_MS = 30_000
/** After how long without a refresh a lock counts as stale by default (ms). */
const DEFAULT_LOCK_STALE_MS = 10_000
/** Bounds of the options: a wait of up to 10 minutes; staleness of 1 s to 10 minutes. */
export const LOCK_LIMITS = Object.freeze({ maxWaitMs: 600_000, minStaleMs: 1_000, maxStaleMs: 600_000 })

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions {
  /** Give up (StorageError) after waiting this long for a held lock; 0 tries once. Default 30 s. */
  waitMs?: number
  /** A lock not refreshed for this long is stale; the holder refreshes every quarter of it. Default 10 s. */
  staleMs?: number
}

/** A held lock. */
export interface FileLock {
  /** True when taking it meant breaking a stale lock (its owner may have left temporary files). */
  readonly recovered: boolean
  /** Resolves while the lock is still this holder's. @throws StorageConflictError when it was taken over */
  assertHeld(): Promise<void>
  /** Stops refreshing and removes the lock file if it is still this holder's. Never throws. */
  release(): Promise<void>
}

/** The owner record written into a lock file. */
interface Owner {
  readonly pid: number
  readonly host: string
  readonly time: string
  readonly token: string
}

/** The slice of node:fs/promises used here (writeFile, not open: see the module comment of file-storage). */
interface LockFs {
  writeFile(path: string, data: string, options: { flag: 'wx'; mode: number; encoding: 'utf8' }): Promise<void>
  readFile(path: string, encoding: 'utf8'): Promise<string>
  stat(path: string): Promise<{ mtimeMs: number }>
  utimes(path: string, atime: Date, mtime: Date): Promise<void>
  unlink(path: string): Promise<void>
}
interface NodeProcess {
  pid: number
  kill(pid: number, signal: number): boolean
}

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function lockFs(): LockFs {
  const fs = builtin<LockFs>('node:fs/promises')
  if (!fs) throw new StorageError('File locks need a runtime with a file system (Node, Bun, Deno).')
  return fs
}

function proc(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process
}

/** This machine's name, as the lock files record it. */
export function lockHost(): string {
  try {
    return builtin<{ hostname(): string }>('node:os')?.hostname() ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Whether process `pid` runs on this host: true, false, or undefined when it cannot be told. */
function alive(pid: number): boolean | undefined {
  const p = proc()
  if (!p || typeof p.kill !== 'function' || !isIntegerIn(pid, 1, Number.MAX_SAFE_INTEGER)) return undefined
  try {
    p.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return codeOf(error) === 'ESRCH' ? false : codeOf(error) === 'EPERM' ? true : undefined
  }
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner> | null
    if (!o || typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.token !== 'string' || typeof o.time !== 'string')
      return undefined
    return o as Owner
  } catch {
    return undefined // being written right now, or not ours: judged by its mtime alone
  }
}

/** What a lock file says now; undefined when there is none. */
async function inspect(fs: LockFs, path: string): Promise<{ owner: Owner | undefined; mtimeMs: number } | undefined> {
  try {
    const { mtimeMs } = await fs.stat(path)
    const owner = parseOwner(await fs.readFile(path, 'utf8'))
    return { owner, mtimeMs }
  } catch (cause) {
    if (codeOf(cause) === 'ENOENT') return undefined
    throw new StorageError(`Could not read the lock file ${path}.`, { cause })
  }
}

function isStale(info: { owner: Owner | undefined; mtimeMs: number }, staleMs: number, host: string): boolean {
  if (info.owner && info.owner.host === host && alive(info.owner.pid) === false) return true
  return Date.now() - info.mtimeMs > staleMs
}

function checkOptions(options: FileLockOptions): { waitMs: number; staleMs: number } {
  const { waitMs = DEFAULT_LOCK_WAIT_MS, staleMs = DEFAULT_LOCK_STALE_MS } = options
  if (!isIntegerIn(waitMs, 0, LOCK_LIMITS.maxWaitMs)) {
    throw new InvalidArgumentError(`lockWaitMs must be an integer from 0 to ${LOCK_LIMITS.maxWaitMs} (ms).`)
  }
  if (!isIntegerIn(staleMs, LOCK_LIMITS.minStaleMs, LOCK_LIMITS.maxStaleMs)) {
    throw new InvalidArgumentError(`lockStaleMs must be an integer from ${LOCK_LIMITS.minStaleMs} to ${LOCK_LIMITS.maxStaleMs} (ms).`)
  }
  return { waitMs, staleMs }
}

/** Checks lock options at an API boundary (fileStorage's). @throws InvalidArgumentError */
export function checkLockOptions(options: FileLockOptions): Required<FileLockOptions> {
  return checkOptions(options)
}

/**
 * Creates `path` exclusively with `owner`: true if this call created it, false if it exists.
 * @throws StorageError for any other failure (a missing folder: cause ENOENT)
 */
async function create(fs: LockFs, path: string, content: string): Promise<boolean> {
  try {
    await fs.writeFile(path, content, { flag: 'wx', mode: 0o600, encoding: 'utf8' })
    return true
  } catch (cause) {
    const code = codeOf(cause)
    if (code === 'EEXIST') return false
    // Failed after creating it (ENOSPC, EIO): remove what this call wrote, never another's lock.
    if (!['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'EISDIR'].includes(code ?? '')) {
      const left = await fs.readFile(path, 'utf8').catch(() => undefined)
      if (left !== undefined && left !== '' && content.startsWith(left)) await fs.unlink(path).catch(() => undefined)
    }
    throw new StorageError(`Could not create the lock file ${path}; nothing was written.`, { cause })
  }
}

/** Removes a stale lock under `<path>.break`, after re-checking it there. True when it is gone. */
async function breakStale(fs: LockFs, path: string, staleMs: number, host: string, content: string): Promise<boolean> {
  const breaker = `${path}.break`
  if (!(await create(fs, breaker, content))) {
    // Another waiter is breaking it right now, or one crashed doing so (then its file goes stale).
    const other = await inspect(fs, breaker)
    if (other && isStale(other, staleMs, host)) await fs.unlink(breaker).catch(() => undefined)
    return false
  }
  try {
    const info = await inspect(fs, path)
    if (!info) return true
    if (!isStale(info, staleMs, host)) return false
    await fs.unlink(path).catch((cause: unknown) => {
      if (codeOf(cause) !== 'ENOENT') throw new StorageError(`Could not remove the stale lock file ${path}.`, { cause })
    })
    return true
  } finally {
    await fs.unlink(breaker).catch(() => undefined)
  }
}

/**
 * Takes the lock file `path`, waiting for a live holder up to `waitMs` and breaking a stale
 * lock (see the module comment).
 * @throws StorageError when it cannot be created (a missing folder: cause ENOENT) or the wait
 *   ran out (details: lockFile, waitMs, pid, host of the holder)
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<FileLock> {
  const { waitMs, staleMs } = checkOptions(options)
  const fs = lockFs()
  const host = lockHost()
  const deadline = Date.now() + waitMs
  let recovered = false
  let delay = 5
  for (;;) {
    const token = bytesToHex(randomBytes(16))
    const content = JSON.stringify({ pid: proc()?.pid ?? 0, host, time: new Date().toISOString(), token })
    if (await create(fs, path, content)) return held(fs, path, token, staleMs, recovered)
    const info = await inspect(fs, path)
    if (!info && Date.now() <= deadline) continue // released between our attempt and the look: try again at once
    if (info && isStale(info, staleMs, host) && (await breakStale(fs, path, staleMs, host, content))) {
      recovered = true
      continue
    }
    const left = deadline - Date.now()
    if (left <= 0) {
      throw new StorageError(`Timed out after ${waitMs} ms waiting for the lock ${path}; nothing was written.`, {
        details: { lockFile: path, waitMs, pid: info?.owner?.pid, host: info?.owner?.host },
      })
    }
    await sleep(Math.min(left, delay + Math.floor(Math.random() * delay)))
    delay = Math.min(delay * 2, 100)
  }
}

function held(fs: LockFs, path: string, token: string, staleMs: number, recovered: boolean): FileLock {
  let lost = false
  /** Whether the lock file still carries our token; undefined when it cannot be read (EMFILE, EIO). */
  const ours = async (): Promise<boolean | undefined> => {
    try {
      return parseOwner(await fs.readFile(path, 'utf8'))?.token === token
    } catch (error) {
      return codeOf(error) === 'ENOENT' ? false : undefined
    }
  }
  const refresh = async () => {
    const mine = await ours()
    if (mine === false) {
      lost = true
      clearInterval(timer)
    } else if (mine) {
      const now = new Date()
      await fs.utimes(path, now, now).catch(() => undefined)
    }
  }
  const timer = setInterval(() => void refresh(), Math.max(250, Math.floor(staleMs / 4)))
  ;(timer as { unref?: () => void }).unref?.()
  return {
    recovered,
    async assertHeld() {
      if (!lost && (await ours()) !== false) return
      lost = true
      throw new StorageConflictError(
        `The lock ${path} was taken over by another process (this one stalled past its stale limit); nothing was written.`,
        {
          details: { lockFile: path, staleMs },
        },
      )
    },
    async release() {
      clearInterval(timer)
      if (!lost && (await ours()) !== false) await fs.unlink(path).catch(() => undefined)
    },
  }
}
