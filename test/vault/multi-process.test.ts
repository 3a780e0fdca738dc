/**
 * Several real processes on one fileStorage folder (test/support/storage-child.ts, started with
 * node --import tsx): vault writes and journal appends from each survive the others, a password
 * change is never reverted by a process still holding the old password, and a process killed
 * while holding the lock blocks no one and leaves no temporary file behind.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AuditJournal } from '../../src/audit/journal.js'
import { Vault, VAULT_KEY, WrongPasswordError, fileStorage } from 'coffer/vault'
import { startChild, stopChildren, type Child } from '../support/child-process.js'
import { FAST_KDF } from './helpers.js'

const dirs: string[] = []
afterEach(async () => {
  await stopChildren()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A folder with a fresh vault at wallet.json, and `count` children that opened it. */
async function setup(count: number, password: string) {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-mp-'))
  dirs.push(dir)
  const path = join(dir, 'wallet.json')
  const vault = await Vault.create({ storage: fileStorage(path), password, kdf: FAST_KDF })
  const children: Child[] = Array.from({ length: count }, () => startChild())
  await Promise.all(children.map((c) => c.run('storage', { path })))
  return { dir, path, vault, children }
}

/** What is on disk now, opened fresh with `password`. */
async function reopen(path: string, password: string): Promise<Vault> {
  const vault = await Vault.open({ storage: fileStorage(path) })
  await vault.unlock(password)
  return vault
}

interface Added {
  added: [id: string, phrase: string | null][]
  errors: string[]
}

// Each child starts node with tsx (seconds on a busy machine) and runs real KDFs: generous timeouts.
describe('several processes on one vault file', { timeout: 180_000 }, () => {
  it('two processes adding mnemonics at the same time, round after round, keep every one on disk', async () => {
    const password = 'shared password'
    const { path, children } = await setup(2, password)
    await Promise.all(children.map((c) => c.run('open', { password })))
    const results = await Promise.all(children.map((c) => c.run<Added>('add', { count: 8, parallel: 2 })))
    for (const r of results) expect(r.errors).toEqual([])
    const added = results.flatMap((r) => r.added)
    expect(added).toHaveLength(16)

    const vault = await reopen(path, password)
    expect(
      vault
        .listSecrets()
        .map((s) => s.id)
        .sort(),
    ).toEqual(added.map(([id]) => id).sort())
    for (const [id, phrase] of added) expect(await vault.revealMnemonic(id, password)).toBe(phrase)
  })

  it('a password change in one process is never reverted by another still unlocked with the old password', async () => {
    const { path, vault, children } = await setup(2, 'old password')
    const first = await vault.addMnemonic()
    const [a, b] = children as [Child, Child]
    await a.run('open', { password: 'old password' })
    await b.run('open', { password: 'old password' })
    await a.run('changePassword', { old: 'old password', new: 'new password' })

    const late = await b.run<Added>('add', { count: 1 })
    expect(late).toEqual({ added: [], errors: ['StorageConflictError'] })
    expect(await b.run('isLocked')).toBe(true)
    await expect(b.run('open', { password: 'old password' })).rejects.toThrow(/WrongPasswordError/)

    await expect(reopen(path, 'old password')).rejects.toThrow(WrongPasswordError)
    expect((await reopen(path, 'new password')).listSecrets().map((s) => s.id)).toEqual([first.id])
    // B, unlocked again with the new password, writes as usual.
    await b.run('open', { password: 'new password' })
    const again = await b.run<Added>('add', { count: 1 })
    expect(again.errors).toEqual([])
    expect((await reopen(path, 'new password')).listSecrets()).toHaveLength(2)
  })

  it('password changes racing additions: the old password never opens again, and every reported addition is there', async () => {
    const { path, children } = await setup(2, 'p0')
    const [a, b] = children as [Child, Child]
    const reported: string[] = []
    for (let round = 0; round < 4; round++) {
      const [old, next] = [`p${round}`, `p${round + 1}`]
      await Promise.all([a.run('open', { password: old }), b.run('open', { password: old })])
      const [, adding] = await Promise.all([a.run('changePassword', { old, new: next }), b.run<Added>('add', { count: 2, parallel: 2 })])
      // Added before the change landed, or refused: the conflict locks B, so a later batch finds it locked.
      for (const error of adding.errors) expect(['StorageConflictError', 'VaultLockedError']).toContain(error)
      reported.push(...adding.added.map(([id]) => id))
      await expect(reopen(path, old)).rejects.toThrow(WrongPasswordError)
      const now = await reopen(path, next)
      expect(
        now
          .listSecrets()
          .map((s) => s.id)
          .sort(),
      ).toEqual([...reported].sort())
    }
  })

  it('two processes appending to one journal at the same time leave exactly 2N entries that verify', async () => {
    const N = 15
    const password = 'journal password'
    const { path, children } = await setup(2, password)
    await Promise.all(children.map((c) => c.run('open', { password })))
    const seqs = await Promise.all(children.map((c, i) => c.run<number[]>('append', { count: N, tag: `child ${i}` })))

    const vault = await reopen(path, password)
    const journal = await AuditJournal.open({ storage: fileStorage(path), sealer: vault.sealer('journal') })
    expect(await journal.verify()).toMatchObject({ ok: true, count: 2 * N, problems: [] })
    expect([...seqs[0]!, ...seqs[1]!].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * N }, (_, i) => i))
    const entries = await journal.entries()
    for (const [i, mine] of seqs.entries()) {
      expect(mine.map((seq) => entries[seq]!.note)).toEqual(Array.from({ length: N }, (_, k) => `child ${i} ${k}`))
    }
  })

  it('a process killed while holding the lock: the next writer recovers the lock and the orphaned temp file is removed', async () => {
    const { dir, path, children } = await setup(1, 'pw')
    const [holder] = children as [Child]
    const orphan = `${path}.9f8e7d6c5b4a3210.tmp`
    await holder.run('hold', { key: VAULT_KEY, orphan })
    expect(JSON.parse(readFileSync(`${path}.vault.lock`, 'utf8'))).toMatchObject({ pid: holder.pid })
    expect(existsSync(orphan)).toBe(true)
    await holder.kill('SIGKILL')

    const vault = await reopen(path, 'pw') // reading takes no lock
    const added = await vault.addMnemonic() // the write breaks the dead process's lock
    expect(readdirSync(dir).sort()).toEqual(['wallet.json'])
    expect((await reopen(path, 'pw')).listSecrets().map((s) => s.id)).toEqual([added.id])
  })
})
