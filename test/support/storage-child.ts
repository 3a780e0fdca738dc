/**
 * A separate process working on one fileStorage folder, driven by the multi-process tests
 * (test/vault/multi-process.test.ts, test/vault/file-lock.test.ts).
 *
 * Run with `node --import tsx test/support/storage-child.ts`. It reads one JSON command per
 * line on stdin and answers each with one JSON line on stdout: `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { name, code, message } }`. Imports come from ../../src directly (tsx
 * maps the `.js` specifiers to the `.ts` files), so no build is needed.
 */
import { serve, type Command } from './child-serve.js'
import { writeFileSync } from 'node:fs'
import { AuditJournal } from '../../src/audit/journal.js'
import { CofferError } from '../../src/core/errors.js'
import { acquireFileLock } from '../../src/vault/file-lock.js'
import { fileStorage, Vault, type VaultStorage } from '../../src/vault/index.js'

let storage: VaultStorage | undefined
let vault: Vault | undefined
let journal: AuditJournal | undefined
let password = ''

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} first`)
  return value
}

/** What each op does; the answer is its result. */
const ops: Record<string, (cmd: Command) => Promise<unknown>> = {
  async storage(cmd) {
    storage = fileStorage(cmd.path as string, { ...(cmd.lockWaitMs === undefined ? {} : { lockWaitMs: cmd.lockWaitMs as number }) })
    return process.pid
  },
  async create(cmd) {
    password = cmd.password as string
    vault = await Vault.create({ storage: need(storage, 'storage'), password, kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    return true
  },
  async open(cmd) {
    password = cmd.password as string
    vault = await Vault.open({ storage: need(storage, 'storage') })
    await vault.unlock(password)
    return vault.listSecrets().length
  },
  /** Adds `count` generated mnemonics, `parallel` at a time; answers [id, phrase] of each one the vault reported as added (phrase null if the vault locked since). */
  async add(cmd) {
    const v = need(vault, 'open')
    const added: [string, string | null][] = []
    const errors: string[] = []
    const parallel = (cmd.parallel as number | undefined) ?? 1
    for (let done = 0; done < (cmd.count as number); done += parallel) {
      const round = await Promise.allSettled(Array.from({ length: parallel }, () => v.addMnemonic()))
      for (const r of round) {
        if (r.status === 'fulfilled') added.push([r.value.id, await v.revealMnemonic(r.value.id, password).catch(() => null)])
        else errors.push((r.reason as CofferError).name)
      }
    }
    return { added, errors }
  },
  async changePassword(cmd) {
    const v = need(vault, 'open')
    await v.changePassword(cmd.old as string, cmd.new as string)
    password = cmd.new as string
    return true
  },
  async list() {
    return need(vault, 'open')
      .listSecrets()
      .map((s) => s.id)
  },
  async isLocked() {
    return need(vault, 'open').isLocked
  },
  /** Appends `count` entries tagged with `tag` to the journal sealed by the open vault. */
  async append(cmd) {
    journal ??= await AuditJournal.open({ storage: need(storage, 'storage'), sealer: need(vault, 'open').sealer('journal') })
    const seqs: number[] = []
    for (let i = 0; i < (cmd.count as number); i++) {
      const entry = await journal.append({
        kind: 'message',
        chainId: 'eip155:1',
        decision: { allowed: true },
        note: `${cmd.tag as string} ${i}`,
      })
      seqs.push(entry.seq)
    }
    return seqs
  },
  /** `count` read-modify-write increments of a counter record. */
  async increment(cmd) {
    const s = need(storage, 'storage')
    for (let i = 0; i < (cmd.count as number); i++) {
      await s.update?.(cmd.key as string, (current) => String(Number(current ?? '0') + 1))
    }
    return true
  },
  /** Enters an update of `key` that never finishes (so the lock stays held); first leaves `orphan` as a save killed mid-way would. */
  async hold(cmd) {
    const s = need(storage, 'storage')
    await new Promise<void>((entered) => {
      void s.update?.(cmd.key as string, () => {
        if (typeof cmd.orphan === 'string') writeFileSync(cmd.orphan, 'half a save', { mode: 0o600 })
        entered()
        return new Promise<never>(() => undefined)
      })
    })
    return true
  },
  /** Takes the bare file lock at `path` and keeps it. */
  async lock(cmd) {
    await acquireFileLock(cmd.path as string, { ...(cmd.staleMs === undefined ? {} : { staleMs: cmd.staleMs as number }) })
    return process.pid
  },
}

serve(ops)
