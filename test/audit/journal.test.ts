/**
 * The audit journal: appends, reads, concurrency, and tamper evidence — every single-entry
 * edit, deletion, swap and duplication at every position of a six-entry journal, rollback
 * against an anchor, damaged records, wrong keys — plus canonical JSON and verifyChain.
 */
import { createHash, randomBytes } from 'node:crypto'
import { base64 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AuditJournal,
  canonicalJson,
  entryDigest,
  verifyChain,
  type AuditEntry,
  type AuditEntryInput,
  type JournalHead,
  type JournalProblem,
} from '../../src/audit/journal.js'
import {
  CofferError,
  InvalidArgumentError,
  JournalIntegrityError,
  StorageError,
  UnsupportedVersionError,
  VaultLockedError,
} from '../../src/core/errors.js'
import { sealerFrom, type Sealer } from '../../src/vault/sealer.js'
import { memoryStorage, type VaultStorage } from '../../src/vault/storage.js'

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const ZERO = '0'.repeat(64)
const USDT = 'eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7'
const utf8 = (s: string) => new TextEncoder().encode(s)

function newSealer(): Sealer {
  const key = new Uint8Array(randomBytes(32))
  return sealerFrom('journal', async (use) => use(key))
}

function payment(i: number): AuditEntryInput {
  return {
    kind: 'transaction',
    chainId: 'eip155:1',
    from: '0x1111111111111111111111111111111111111111',
    to: '0x2222222222222222222222222222222222222222',
    asset: USDT,
    amount: String(1_000_000 + i),
    fee: '21000000000000',
    hash: `0x${i.toString(16).padStart(64, '0')}`,
    decision: { allowed: true, rule: 'daily-limit' },
    note: `payment ${i}`,
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
  }
}

interface StoredRecord {
  format: string
  version: number
  head?: string
  entries: string[]
}

async function readRecord(storage: VaultStorage): Promise<StoredRecord> {
  return JSON.parse((await storage.get('journal')) as string) as StoredRecord
}
async function writeRecord(storage: VaultStorage, record: StoredRecord): Promise<void> {
  await storage.set('journal', JSON.stringify(record))
}

/** Flips one bit of a sealed base64 item (in the ciphertext, past the 12-byte IV). */
function flip(sealed: string, byte = 20): string {
  const bytes = base64.decode(sealed)
  bytes[byte % bytes.length]! ^= 1
  return base64.encode(bytes)
}

/** What an attacker holding the key can do: open and re-seal an entry at a position. */
async function openEntry(sealer: Sealer, sealed: string, seq: number): Promise<AuditEntry> {
  return JSON.parse(new TextDecoder().decode(await sealer.open(base64.decode(sealed), utf8(`coffer-journal:v1:${seq}`)))) as AuditEntry
}
async function sealEntry(sealer: Sealer, entry: object, seq: number): Promise<string> {
  return base64.encode(await sealer.seal(utf8(canonicalJson(entry)), utf8(`coffer-journal:v1:${seq}`)))
}
async function sealHead(sealer: Sealer, head: JournalHead): Promise<string> {
  return base64.encode(await sealer.seal(utf8(canonicalJson(head)), utf8('coffer-journal:v1:head')))
}

/** A journal of `n` payments in fresh memory storage. */
async function journalOf(n: number) {
  const storage = memoryStorage()
  const sealer = newSealer()
  const journal = await AuditJournal.open({ storage, sealer })
  const appended: AuditEntry[] = []
  for (let i = 0; i < n; i++) appended.push(await journal.append(payment(i)))
  return { storage, sealer, journal, appended, head: journal.head() as JournalHead }
}

/** Verifies with a fresh instance (as after a restart), so nothing remembered helps. */
async function verifyFresh(storage: VaultStorage, sealer: Sealer, head?: JournalHead) {
  const journal = await AuditJournal.open({ storage, sealer })
  return journal.verify(head ? { head } : undefined)
}

const problem = (seq: number, kind: JournalProblem['problem']): JournalProblem => ({ seq, problem: kind })
const SIX = [0, 1, 2, 3, 4, 5]

// ---------------------------------------------------------------------------------------------
// Plain entries: canonical JSON, digests, verifyChain
// ---------------------------------------------------------------------------------------------

/** A plaintext chain of `n` entries built by hand. */
function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = []
  let prev = ZERO
  for (let seq = 0; seq < n; seq++) {
    const body = {
      seq,
      time: `2025-01-01T00:00:0${seq}.000Z`,
      kind: 'message' as const,
      decision: { allowed: true },
      hash: `0x${seq}`,
      prev,
    }
    const entry = { ...body, digest: entryDigest(body) }
    entries.push(entry)
    prev = entry.digest
  }
  return entries
}

describe('canonicalJson and entryDigest', () => {
  it('sorts keys recursively, drops undefined, adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: 'x "q"' }, e: undefined, ä: 'ü' })).toBe('{"a":{"c":"x \\"q\\"","d":true},"b":1,"ä":"ü"}')
    expect(canonicalJson('s')).toBe('"s"')
    expect(canonicalJson(-0)).toBe('0')
  })

  it('refuses what it cannot encode canonically', () => {
    for (const bad of [null, [1], 1.5, Number.NaN, 2 ** 60, 1n, () => 1, new Date(0), { a: [1] }]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(InvalidArgumentError)
    }
    let deep: object = {}
    for (let i = 0; i < 20; i++) deep = { x: deep }
    expect(() => canonicalJson(deep)).toThrow(InvalidArgumentError)
  })

  it('hashes the canonical bytes of every field but digest (pinned against node:crypto)', () => {
    const body = { seq: 0, time: '2025-01-01T00:00:00.000Z', kind: 'message' as const, decision: { allowed: true }, prev: ZERO }
    const text = `{"decision":{"allowed":true},"kind":"message","prev":"${ZERO}","seq":0,"time":"2025-01-01T00:00:00.000Z"}`
    const expected = createHash('sha256').update(text, 'utf8').digest('hex')
    expect(entryDigest(body)).toBe(expected)
    expect(entryDigest({ ...body, digest: 'ignored' } as AuditEntry)).toBe(expected)
  })
})

describe('verifyChain', () => {
  it('accepts a well-formed chain, and the empty one', () => {
    expect(verifyChain([])).toEqual([])
    expect(verifyChain(chain(5))).toEqual([])
  })

  it('names the entry whose content, digest, link or position is wrong', () => {
    const c = chain(5)
    const edited = c.map((e, i) => (i === 2 ? { ...e, hash: '0xdead' } : e))
    expect(verifyChain(edited)).toEqual([problem(2, 'digest')])

    const rehashed = c.map((e, i) => (i === 2 ? { ...e, hash: '0xdead', digest: entryDigest({ ...e, hash: '0xdead' }) } : e))
    expect(verifyChain(rehashed)).toEqual([problem(3, 'chain')])

    expect(verifyChain(c.slice(1))).toEqual([
      problem(0, 'sequence'),
      problem(0, 'chain'),
      problem(1, 'sequence'),
      problem(2, 'sequence'),
      problem(3, 'sequence'),
    ])
    expect(verifyChain([c[0]!, c[2]!, c[3]!])).toEqual([problem(1, 'sequence'), problem(1, 'chain'), problem(2, 'sequence')])

    const firstPrev = { ...c[0]!, prev: 'f'.repeat(64) }
    expect(verifyChain([{ ...firstPrev, digest: entryDigest(firstPrev) }])).toEqual([problem(0, 'chain')])
  })

  it('reports malformed entries as unreadable without throwing', () => {
    const c = chain(3)
    const junk = [c[0], null, { ...c[2], extra: 1 }, { ...c[2], time: 'yesterday' }, 'x'] as unknown as AuditEntry[]
    expect(verifyChain(junk)).toEqual([
      problem(1, 'unreadable'),
      problem(2, 'unreadable'),
      problem(3, 'unreadable'),
      problem(4, 'unreadable'),
    ])
    expect(() => verifyChain('x' as unknown as AuditEntry[])).toThrow(InvalidArgumentError)
  })
})

// ---------------------------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------------------------

describe('AuditJournal: append, read, verify', () => {
  it('appends, chains, reads back, reopens and verifies', async () => {
    const storage = memoryStorage()
    const sealer = newSealer()
    const journal = await AuditJournal.open({ storage, sealer })
    expect(journal.size).toBe(0)
    expect(journal.head()).toBeUndefined()
    expect(await journal.verify()).toEqual({ ok: true, count: 0, problems: [] })
    expect(await journal.entries()).toEqual([])

    const a = await journal.append(payment(0))
    const b = await journal.append({
      kind: 'refused',
      chainId: 'eip155:1',
      to: '0x3333',
      decision: { allowed: false, rule: 'allowlist', reason: 'unknown recipient' },
    })
    const c = await journal.append({
      kind: 'message',
      hash: '0xabc',
      decision: { allowed: true },
      time: new Date('2030-05-06T07:08:09.010Z'),
    })
    expect(a).toEqual({ ...payment(0), time: '2025-01-01T00:00:00.000Z', seq: 0, prev: ZERO, digest: entryDigest(a) })
    expect(b.seq).toBe(1)
    expect(b.prev).toBe(a.digest)
    expect(c.prev).toBe(b.digest)
    expect(c.time).toBe('2030-05-06T07:08:09.010Z')
    expect(Date.parse(b.time)).toBeGreaterThan(Date.now() - 60_000)
    expect(Object.isFrozen(a) && Object.isFrozen(a.decision)).toBe(true)
    expect(journal.size).toBe(3)
    expect(journal.head()).toEqual({ seq: 2, digest: c.digest })

    expect(await journal.entries()).toEqual([a, b, c])
    expect(await journal.entries({ from: 1, limit: 1 })).toEqual([b])
    expect(await journal.entries({ from: 2 })).toEqual([c])
    expect(await journal.entries({ from: 7 })).toEqual([])
    expect(await journal.entries({ limit: 0 })).toEqual([])
    expect(verifyChain([a, b, c])).toEqual([])
    expect(await journal.verify()).toEqual({ ok: true, count: 3, head: { seq: 2, digest: c.digest }, problems: [] })

    // Stored sealed: the layout is as documented and no payment detail shows at rest.
    const stored = (await storage.get('journal')) as string
    const record = JSON.parse(stored) as StoredRecord
    expect(Object.keys(record)).toEqual(['format', 'version', 'head', 'entries'])
    expect(record).toMatchObject({ format: 'coffer-journal', version: 1 })
    expect(record.entries).toHaveLength(3)
    for (const secretish of ['payment 0', '0x2222', 'allowlist', 'eip155', USDT]) expect(stored).not.toContain(secretish)

    const again = await AuditJournal.open({ storage, sealer })
    expect(again.size).toBe(3)
    expect(again.head()).toEqual(journal.head())
    expect(await again.entries()).toEqual([a, b, c])
    expect((await again.verifyOrThrow({ head: { seq: 1, digest: b.digest } })).ok).toBe(true)
    const d = await again.append(payment(3))
    expect(d).toMatchObject({ seq: 3, prev: c.digest })
  })

  it('keeps journals under different storage keys apart and refuses the vault key', async () => {
    const storage = memoryStorage()
    const sealer = newSealer()
    const one = await AuditJournal.open({ storage, sealer })
    const two = await AuditJournal.open({ storage, sealer, storageKey: 'journal-2' })
    await one.append(payment(0))
    await two.append(payment(1))
    await two.append(payment(2))
    expect((await one.verify()).count).toBe(1)
    expect((await two.verify()).count).toBe(2)
    await expect(AuditJournal.open({ storage, sealer, storageKey: 'vault' })).rejects.toThrow(InvalidArgumentError)
    await expect(AuditJournal.open({ storage, sealer, storageKey: 'Bad Key' })).rejects.toThrow(InvalidArgumentError)
    await expect(AuditJournal.open({ storage } as never)).rejects.toThrow(InvalidArgumentError)
    await expect(AuditJournal.open({ sealer } as never)).rejects.toThrow(InvalidArgumentError)
    await expect(AuditJournal.open(null as never)).rejects.toThrow(InvalidArgumentError)
  })

  it('rejects bad input with InvalidArgumentError and writes nothing', async () => {
    const { storage, journal } = await journalOf(1)
    const before = await storage.get('journal')
    const ok = { kind: 'transaction', decision: { allowed: true } }
    const bad: [string, unknown][] = [
      ['not an object', 'pay'],
      ['null', null],
      ['unknown field', { ...ok, seq: 5 }],
      ['digest given', { ...ok, digest: ZERO }],
      ['bad kind', { ...ok, kind: 'transfer' }],
      ['no decision', { kind: 'message' }],
      ['decision not boolean', { ...ok, decision: { allowed: 'yes' } }],
      ['decision extra field', { ...ok, decision: { allowed: true, by: 'me' } }],
      ['refused but allowed', { kind: 'refused', decision: { allowed: true } }],
      ['bad chain id', { ...ok, chainId: 'ethereum' }],
      ['bad asset', { ...ok, asset: 'eip155:1/usdt' }],
      ['bad fee asset', { ...ok, fee: '1', feeAsset: 'x' }],
      ['fee asset without fee', { ...ok, feeAsset: USDT }],
      ['leading zero', { ...ok, amount: '01' }],
      ['decimal point', { ...ok, amount: '1.5' }],
      ['number amount', { ...ok, amount: 5 }],
      ['bigint fee', { ...ok, fee: 5n }],
      ['negative', { ...ok, amount: '-1' }],
      ['above 2^256-1', { ...ok, amount: (2n ** 256n).toString() }],
      ['address with a space', { ...ok, from: '0x12 34' }],
      ['empty to', { ...ok, to: '' }],
      ['empty note', { ...ok, note: '' }],
      ['lone surrogate', { ...ok, note: 'a\uD800b' }],
      ['huge note', { ...ok, note: 'x'.repeat(2001) }],
      ['time as string', { ...ok, time: '2025-01-01T00:00:00.000Z' }],
      ['invalid Date', { ...ok, time: new Date(Number.NaN) }],
      ['year 10000', { ...ok, time: new Date('+010000-01-01T00:00:00.000Z') }],
    ]
    for (const [why, input] of bad) {
      await expect(journal.append(input as AuditEntryInput), why).rejects.toThrow(InvalidArgumentError)
    }
    expect(await storage.get('journal')).toBe(before)
    expect(journal.size).toBe(1)
    await expect(journal.entries({ from: -1 })).rejects.toThrow(InvalidArgumentError)
    await expect(journal.entries({ limit: 1.5 })).rejects.toThrow(InvalidArgumentError)
    await expect(journal.verify({ head: { seq: 0, digest: 'abc' } })).rejects.toThrow(InvalidArgumentError)
    await expect(journal.verify({ head: { seq: -1, digest: ZERO } })).rejects.toThrow(InvalidArgumentError)
  })

  it('lands 50 concurrent appends in call order, none lost', async () => {
    const storage = memoryStorage()
    const sealer = newSealer()
    const journal = await AuditJournal.open({ storage, sealer })
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(payment(i))))
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(results.map((e) => e.note)).toEqual(Array.from({ length: 50 }, (_, i) => `payment ${i}`))
    expect(await journal.verify()).toMatchObject({ ok: true, count: 50, head: { seq: 49, digest: results[49]!.digest } })
    expect(await journal.entries()).toEqual(results)

    // Two instances over the same storage (one process) interleave without losing any.
    const other = await AuditJournal.open({ storage, sealer })
    const mixed = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? journal : other).append(payment(100 + i))))
    expect(mixed.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 50 + i))
    const fresh = await verifyFresh(storage, sealer)
    expect(fresh).toMatchObject({ ok: true, count: 70 })
  })

  it('a failed write changes nothing, and the next append goes through', async () => {
    const inner = memoryStorage()
    let fail = false
    const storage: VaultStorage = {
      get: (k) => inner.get(k),
      set: async (k, v) => {
        if (fail) throw new Error('disk full')
        return inner.set(k, v)
      },
      delete: (k) => inner.delete(k),
    }
    const sealer = newSealer()
    const journal = await AuditJournal.open({ storage, sealer })
    await journal.append(payment(0))
    fail = true
    await expect(journal.append(payment(1))).rejects.toThrow(StorageError)
    expect(journal.size).toBe(1)
    fail = false
    expect((await journal.append(payment(2))).seq).toBe(1)
    expect((await journal.verify()).ok).toBe(true)
  })

  it('propagates a locked vault or failing storage instead of calling it tampering', async () => {
    const { storage } = await journalOf(2)
    const locked = sealerFrom('journal', async () => {
      throw new VaultLockedError()
    })
    await expect(AuditJournal.open({ storage, sealer: locked })).rejects.toThrow(VaultLockedError)
    const broken: VaultStorage = { get: async () => Promise.reject(new Error('EIO')), set: async () => {}, delete: async () => {} }
    await expect(AuditJournal.open({ storage: broken, sealer: newSealer() })).rejects.toThrow(StorageError)
  })
})

/** Another handle on `storage`, as another process would have: its own object (so its own queues), one shared atomic update. */
function otherProcessView(storage: VaultStorage): VaultStorage {
  return {
    get: (k) => storage.get(k),
    set: (k, v) => storage.set(k, v),
    delete: (k) => storage.delete(k),
    update: (k, change) => storage.update!(k, change),
  }
}

describe('AuditJournal: several writers (compare-and-swap appends)', () => {
  it('two journals that share no queue (as two processes) interleave 2 x 25 appends: 50 entries that verify, none lost', async () => {
    const storage = memoryStorage()
    const sealer = newSealer()
    const a = await AuditJournal.open({ storage, sealer })
    const b = await AuditJournal.open({ storage: otherProcessView(storage), sealer })
    const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).append(payment(i))))
    expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(await verifyFresh(storage, sealer)).toMatchObject({ ok: true, count: 50 })
    const entries = await (await AuditJournal.open({ storage, sealer })).entries()
    expect(entries.map((e) => e.note).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `payment ${i}`).sort())
    // Each writer verified the other's entries before appending after them.
    expect((await a.verify()).ok).toBe(true)
    expect((await b.verify()).ok).toBe(true)
  })

  it('appends after what another writer stored, chained to its last entry', async () => {
    const { storage, sealer, journal } = await journalOf(2)
    const other = await AuditJournal.open({ storage: otherProcessView(storage), sealer })
    const theirs = await other.append(payment(2))
    const mine = await journal.append(payment(3))
    expect(mine).toMatchObject({ seq: 3, prev: theirs.digest })
    expect(journal.head()).toEqual({ seq: 3, digest: mine.digest })
    expect(await verifyFresh(storage, sealer)).toMatchObject({ ok: true, count: 4 })
  })

  it("refuses to append on top of another writer's record that does not verify, and leaves it as it is", async () => {
    const { storage, journal } = await journalOf(3)
    const record = await readRecord(storage)
    record.entries[1] = flip(record.entries[1]!)
    await otherProcessView(storage).set('journal', JSON.stringify(record))
    const before = await storage.get('journal')
    await expect(journal.append(payment(3))).rejects.toThrow(JournalIntegrityError)
    expect(await storage.get('journal')).toBe(before)
  })

  it('refuses a rollback by another writer to before its own last entry', async () => {
    const { storage, journal } = await journalOf(2)
    const old = await storage.get('journal')
    await journal.append(payment(2))
    await storage.set('journal', old as string) // an older, internally valid copy
    const error = await journal.append(payment(3)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JournalIntegrityError)
    expect((error as JournalIntegrityError).details).toMatchObject({ problems: 'truncated at 2' })
    expect(await storage.get('journal')).toBe(old)
  })
})

describe('AuditJournal: tamper evidence on a journal of 6 entries', () => {
  it.each(SIX)('a bit flipped in entry %i is unreadable at its seq', async (i) => {
    const { storage, sealer } = await journalOf(6)
    const original = await readRecord(storage)
    // Each part of the sealed item counts: IV, ciphertext, tag.
    for (const byte of [0, 20, base64.decode(original.entries[i]!).length - 1]) {
      const entries = [...original.entries]
      entries[i] = flip(entries[i]!, byte)
      await writeRecord(storage, { ...original, entries })
      expect(await verifyFresh(storage, sealer)).toEqual({ ok: false, count: 6, problems: [problem(i, 'unreadable')] })
    }
  })

  it.each(SIX)('entry %i re-sealed with the key, one field changed', async (i) => {
    const { storage, sealer } = await journalOf(6)
    const original = await readRecord(storage)
    const entry = await openEntry(sealer, original.entries[i]!, i)
    const changed = { ...entry, amount: '999999999' }

    // Digest left as it was: the content no longer hashes to it.
    const stale = [...original.entries]
    stale[i] = await sealEntry(sealer, changed, i)
    await writeRecord(storage, { ...original, entries: stale })
    expect(await verifyFresh(storage, sealer)).toEqual({ ok: false, count: 6, problems: [problem(i, 'digest')] })

    // Digest recomputed: the next entry's prev (or, for the last, the sealed head) disagrees.
    const rehashed = [...original.entries]
    rehashed[i] = await sealEntry(sealer, { ...changed, digest: entryDigest(changed) }, i)
    await writeRecord(storage, { ...original, entries: rehashed })
    expect(await verifyFresh(storage, sealer)).toEqual({
      ok: false,
      count: 6,
      problems: [i < 5 ? problem(i + 1, 'chain') : problem(5, 'head')],
    })

    // Its seq changed (but sealed at its own position): out of sequence.
    const moved = [...original.entries]
    moved[i] = await sealEntry(sealer, { ...entry, seq: i + 7 }, i)
    await writeRecord(storage, { ...original, entries: moved })
    const result = await verifyFresh(storage, sealer)
    expect(result.ok).toBe(false)
    expect(result.problems).toContainEqual(problem(i, 'sequence'))
  })

  it.each(SIX)('entry %i deleted', async (i) => {
    const { storage, sealer } = await journalOf(6)
    const record = await readRecord(storage)
    record.entries.splice(i, 1)
    await writeRecord(storage, record)
    const result = await verifyFresh(storage, sealer)
    expect(result.ok).toBe(false)
    expect(result.count).toBe(5)
    if (i === 5) expect(result.problems).toEqual([problem(5, 'truncated')])
    else
      expect(result.problems).toEqual([
        ...[0, 1, 2, 3, 4].filter((k) => k >= i).map((k) => problem(k, 'unreadable')),
        problem(5, 'truncated'),
      ])
  })

  it('the last entry deleted and the head edited too', async () => {
    const { storage, sealer, journal } = await journalOf(6)
    const full = await readRecord(storage)
    const fullHead = journal.head() as JournalHead

    // Head bit-flipped: unreadable head.
    await writeRecord(storage, { ...full, head: flip(full.head!), entries: full.entries.slice(0, 5) })
    expect(await verifyFresh(storage, sealer)).toEqual({ ok: false, count: 5, problems: [problem(4, 'head')] })
    // Head removed.
    await writeRecord(storage, { format: full.format, version: full.version, entries: full.entries.slice(0, 5) })
    expect(await verifyFresh(storage, sealer)).toEqual({ ok: false, count: 5, problems: [problem(4, 'head')] })
    // Head forged without the key: not base64, or another key's.
    await writeRecord(storage, { ...full, head: 'not base64!', entries: full.entries.slice(0, 5) })
    expect((await verifyFresh(storage, sealer)).problems).toEqual([problem(4, 'head')])
    await writeRecord(storage, { ...full, head: await sealHead(newSealer(), { seq: 4, digest: ZERO }), entries: full.entries.slice(0, 5) })
    expect((await verifyFresh(storage, sealer)).problems).toEqual([problem(4, 'head')])

    // Head replaced by an older genuine head: that is a rollback, caught only by an anchor.
    const older = await journalOfPrefix(storage, sealer, 5)
    await writeRecord(storage, { ...full, head: older, entries: full.entries.slice(0, 5) })
    expect((await verifyFresh(storage, sealer)).ok).toBe(true)
    expect(await verifyFresh(storage, sealer, fullHead)).toEqual({ ok: false, count: 5, problems: [problem(5, 'truncated')] })
  })

  it.each([0, 1, 2, 3, 4])('entry %i swapped with the next', async (i) => {
    const { storage, sealer } = await journalOf(6)
    const record = await readRecord(storage)
    const [a, b] = [record.entries[i]!, record.entries[i + 1]!]
    record.entries[i] = b
    record.entries[i + 1] = a
    await writeRecord(storage, record)
    expect(await verifyFresh(storage, sealer)).toEqual({
      ok: false,
      count: 6,
      problems: [problem(i, 'unreadable'), problem(i + 1, 'unreadable')],
    })
  })

  it.each(SIX)('entry %i duplicated', async (i) => {
    const { storage, sealer } = await journalOf(6)
    const record = await readRecord(storage)
    record.entries.splice(i + 1, 0, record.entries[i]!)
    await writeRecord(storage, record)
    const result = await verifyFresh(storage, sealer)
    expect(result.ok).toBe(false)
    expect(result.count).toBe(7)
    expect(result.problems).toEqual([...[1, 2, 3, 4, 5, 6].filter((k) => k > i).map((k) => problem(k, 'unreadable')), problem(6, 'head')])
  })

  it('a reordered array: every moved entry is unreadable', async () => {
    const { storage, sealer } = await journalOf(6)
    const record = await readRecord(storage)
    record.entries.reverse()
    await writeRecord(storage, record)
    expect((await verifyFresh(storage, sealer)).problems).toEqual(SIX.map((k) => problem(k, 'unreadable')))
  })

  it('a rollback of the whole record is caught only against a head anchor', async () => {
    const { storage, sealer, journal } = await journalOf(4)
    const old = (await storage.get('journal')) as string
    const oldHead = journal.head() as JournalHead
    await journal.append(payment(4))
    await journal.append(payment(5))
    const anchor = journal.head() as JournalHead
    await storage.set('journal', old)

    // After a restart, the older record is a valid journal on its own…
    expect(await verifyFresh(storage, sealer)).toEqual({ ok: true, count: 4, head: oldHead, problems: [] })
    // …but does not contain the anchor kept elsewhere.
    expect(await verifyFresh(storage, sealer, anchor)).toEqual({ ok: false, count: 4, problems: [problem(4, 'truncated')] })
    // An anchor inside the older record still matches (it is a prefix).
    expect((await verifyFresh(storage, sealer, oldHead)).ok).toBe(true)
    // The instance that wrote the newer entries remembers its head: it sees the rollback, and refuses to append.
    expect(await journal.verify()).toEqual({ ok: false, count: 4, problems: [problem(4, 'truncated')] })
    await expect(journal.append(payment(6))).rejects.toThrow(JournalIntegrityError)
    expect(await storage.get('journal')).toBe(old)

    // Deleting the record is the same: empty and valid, except against an anchor.
    await storage.delete('journal')
    expect(await verifyFresh(storage, sealer)).toEqual({ ok: true, count: 0, problems: [] })
    expect(await verifyFresh(storage, sealer, anchor)).toEqual({ ok: false, count: 0, problems: [problem(0, 'truncated')] })
  })

  it('checks a head anchor against the entry at its seq', async () => {
    const { storage, sealer, appended } = await journalOf(6)
    expect((await verifyFresh(storage, sealer, { seq: 2, digest: appended[2]!.digest })).ok).toBe(true)
    expect(await verifyFresh(storage, sealer, { seq: 2, digest: appended[3]!.digest })).toEqual({
      ok: false,
      count: 6,
      problems: [problem(2, 'head')],
    })
    expect((await verifyFresh(storage, sealer, { seq: 6, digest: ZERO })).problems).toEqual([problem(6, 'truncated')])
  })

  it('refuses to append to, or read through, a journal that does not verify', async () => {
    const { storage, sealer, journal, appended } = await journalOf(6)
    const record = await readRecord(storage)
    record.entries[2] = flip(record.entries[2]!)
    await writeRecord(storage, record)
    const tampered = await storage.get('journal')

    for (const j of [journal, await AuditJournal.open({ storage, sealer })]) {
      const error = await j.append(payment(9)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(JournalIntegrityError)
      expect(error).toMatchObject({
        code: 'JOURNAL_INTEGRITY',
        name: 'JournalIntegrityError',
        details: { problems: 'unreadable at 2', problemCount: 1, firstSeq: 2 },
      })
      await expect(j.entries()).rejects.toThrow(JournalIntegrityError)
      await expect(j.entries({ from: 3, limit: 1 })).rejects.toThrow(JournalIntegrityError) // its link to entry 2
      expect(await j.entries({ from: 4 })).toEqual(appended.slice(4))
    }
    expect(await storage.get('journal')).toBe(tampered)
    const error = await journal.verifyOrThrow().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JournalIntegrityError)
    expect((error as JournalIntegrityError).shortMessage).toMatchInlineSnapshot(`"The audit journal failed verification."`)
    expect((error as JournalIntegrityError).message).toContain('unreadable at 2')
  })

  it('another key reads nothing: every entry unreadable, the head too, and no append', async () => {
    const { storage } = await journalOf(6)
    const stranger = newSealer()
    const other = await AuditJournal.open({ storage, sealer: stranger })
    expect(other.head()).toBeUndefined()
    expect(await other.verify()).toEqual({
      ok: false,
      count: 6,
      problems: [...SIX.map((k) => problem(k, 'unreadable')), problem(5, 'head')],
    })
    await expect(other.append(payment(6))).rejects.toThrow(JournalIntegrityError)
  })

  it('a damaged or foreign record still opens, verifies as unreadable, and blocks appends', async () => {
    const storage = memoryStorage()
    const sealer = newSealer()
    const { storage: good } = await journalOf(2)
    const valid = JSON.parse((await good.get('journal')) as string) as StoredRecord
    const damaged = [
      'not json',
      '[]',
      'null',
      '{}',
      JSON.stringify({ ...valid, format: 'other' }),
      JSON.stringify({ ...valid, version: 0 }),
      JSON.stringify({ ...valid, version: '1' }),
      JSON.stringify({ ...valid, entries: 'x' }),
      JSON.stringify({ ...valid, extra: true }),
    ]
    for (const text of damaged) {
      await storage.set('journal', text)
      const journal = await AuditJournal.open({ storage, sealer })
      expect(await journal.verify(), text).toEqual({ ok: false, count: 0, problems: [problem(0, 'unreadable')] })
      await expect(journal.append(payment(0))).rejects.toThrow(JournalIntegrityError)
      await expect(journal.entries()).rejects.toThrow(JournalIntegrityError)
      expect(await storage.get('journal')).toBe(text)
    }
    // Items that are not sealed strings, and a record with no entries but a head.
    await storage.set('journal', JSON.stringify({ ...valid, entries: [1, null] }))
    expect((await verifyFresh(storage, sealer)).problems).toEqual([problem(0, 'unreadable'), problem(1, 'unreadable'), problem(1, 'head')])
    await storage.set('journal', JSON.stringify({ format: 'coffer-journal', version: 1, entries: [] }))
    expect((await verifyFresh(storage, sealer)).problems).toEqual([problem(0, 'head')])
    // A newer format is not damage: it is refused with a clear error, and never overwritten.
    await storage.set('journal', JSON.stringify({ ...valid, version: 2 }))
    await expect(AuditJournal.open({ storage, sealer })).rejects.toThrow(UnsupportedVersionError)
  })
})

/** A genuine sealed head for the first `n` entries of the stored journal (what an older version of the record held). */
async function journalOfPrefix(storage: VaultStorage, sealer: Sealer, n: number): Promise<string> {
  const record = await readRecord(storage)
  const last = await openEntry(sealer, record.entries[n - 1]!, n - 1)
  return sealHead(sealer, { seq: n - 1, digest: last.digest })
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const address = fc.stringMatching(/^[0-9a-zA-Z]{1,64}$/)
const inputArb: fc.Arbitrary<AuditEntryInput> = fc
  .record(
    {
      kind: fc.constantFrom('transaction', 'message', 'typed-data', 'refused' as const),
      chainId: fc.constantFrom('eip155:1', 'eip155:137', 'bip122:000000000019d6689c085ae165831e93' as const),
      from: address,
      to: address,
      asset: fc.constantFrom(USDT as `${string}:${string}/${string}:${string}`),
      amount: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String),
      fee: fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
      hash: fc.stringMatching(/^0x[0-9a-f]{1,64}$/),
      allowed: fc.boolean(),
      rule: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
      note: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
      time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
    },
    { requiredKeys: ['kind', 'allowed'] },
  )
  .map(({ allowed, rule, kind, ...rest }) => ({
    kind,
    ...rest,
    decision: { allowed: kind === 'refused' ? false : allowed, ...(rule === undefined ? {} : { rule }) },
  }))

type Mutation =
  | { type: 'replace'; at: number; char: string }
  | { type: 'remove'; at: number }
  | { type: 'drop' | 'duplicate' | 'flip'; index: number }
  | { type: 'swap'; index: number }
  | { type: 'flip-head' }
  | { type: 'drop-head' }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ type: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...'"{}[],:0129AZaz+/=\\ x'.split('')) }),
  fc.record({ type: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ type: fc.constantFrom('drop' as const, 'duplicate' as const, 'flip' as const, 'swap' as const), index: fc.nat() }),
  fc.constantFrom({ type: 'flip-head' as const }, { type: 'drop-head' as const }),
)

function mutate(text: string, m: Mutation): string | undefined {
  if (m.type === 'replace') {
    const at = m.at % text.length
    return text[at] === m.char ? undefined : text.slice(0, at) + m.char + text.slice(at + 1)
  }
  if (m.type === 'remove') {
    const at = m.at % text.length
    return text.slice(0, at) + text.slice(at + 1)
  }
  const record = JSON.parse(text) as StoredRecord
  const n = record.entries.length
  if (m.type === 'flip-head') record.head = flip(record.head!)
  else if (m.type === 'drop-head') delete record.head
  else {
    const i = m.index % n
    if (m.type === 'drop') record.entries.splice(i, 1)
    else if (m.type === 'duplicate') record.entries.splice(i + 1, 0, record.entries[i]!)
    else if (m.type === 'flip') record.entries[i] = flip(record.entries[i]!, m.index)
    else {
      if (n < 2) return undefined
      const j = (i + 1) % n
      ;[record.entries[i], record.entries[j]] = [record.entries[j]!, record.entries[i]!]
    }
  }
  return JSON.stringify(record)
}

describe('AuditJournal: properties', () => {
  it('any sequence of appends reads back as given and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(inputArb, { maxLength: 8 }), async (inputs) => {
        const storage = memoryStorage()
        const sealer = newSealer()
        const journal = await AuditJournal.open({ storage, sealer })
        const appended = await Promise.all(inputs.map((input) => journal.append(input)))
        const result = await verifyFresh(storage, sealer, journal.head())
        expect(result.ok).toBe(true)
        expect(result.count).toBe(inputs.length)
        const read = await (await AuditJournal.open({ storage, sealer })).entries()
        expect(read).toEqual(appended)
        read.forEach((entry, i) => {
          const { time, ...rest } = inputs[i]!
          expect(entry).toEqual({
            ...rest,
            time: time ? time.toISOString() : entry.time,
            seq: i,
            prev: i ? read[i - 1]!.digest : ZERO,
            digest: entryDigest(entry),
          })
          expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        })
        expect(verifyChain(read)).toEqual([])
      }),
      { numRuns: 30 },
    )
  })

  it('no single mutation of the stored record verifies (or anything but a CofferError escapes)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), mutationArb, async (n, m) => {
        const { storage, sealer } = await journalOf(n)
        const text = (await storage.get('journal')) as string
        const mutated = mutate(text, m)
        fc.pre(mutated !== undefined && mutated !== text)
        await storage.set('journal', mutated!)
        try {
          const journal = await AuditJournal.open({ storage, sealer })
          expect((await journal.verify()).ok).toBe(false)
          await expect(journal.append(payment(99))).rejects.toThrow(CofferError)
        } catch (error) {
          expect(error).toBeInstanceOf(CofferError)
        }
      }),
      { numRuns: 50 },
    )
  })
})
