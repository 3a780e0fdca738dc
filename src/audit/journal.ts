/**
 * The audit journal: a tamper-evident, append-only record of what the wallet signed or refused
 * (transactions, messages, typed data) and why, sealed at rest.
 *
 * **Entries.** Each {@link AuditEntry} carries its position `seq` (0, 1, 2, …), an ISO-8601 UTC
 * `time`, what was asked (`kind`, chain, parties, asset, amount, fee, hash), the policy
 * `decision`, `prev` — the previous entry's `digest` (64 zeros for seq 0) — and its own
 * `digest`: hex SHA-256 over the canonical encoding of every field except `digest`. The
 * canonical encoding ({@link canonicalJson}) is JSON with object keys sorted recursively (by
 * UTF-16 code units, which for these ASCII keys is the RFC 8785 order), no whitespace, absent
 * fields omitted, encoded as UTF-8; values are only strings, safe integers, booleans and
 * nested objects. Editing any entry therefore breaks its digest or the next entry's `prev`.
 *
 * **At rest.** The whole journal is one JSON record under one storage key (default `journal`):
 * `{ format: 'coffer-journal', version: 1, head, entries }`. Every entry is sealed on its own
 * (the {@link Sealer}: AES-256-GCM under a vault key the journal never sees) with AAD
 * `coffer-journal:v1:<seq>`, so an entry moved to another position fails authentication. `head`
 * is the sealed `{ seq, digest }` of the last entry, with AAD `coffer-journal:v1:head`, so
 * cutting entries off the tail (and fixing nothing else) is caught. Entries are not secrets;
 * they are sealed for the privacy of payment records. Each append rewrites the whole record
 * (one atomic `set`, so a crash leaves the old journal or the new one, never half): simple and
 * fine for thousands of entries (a few hundred bytes each); a journal meant to grow without
 * bound should be rotated by the caller under another storage key.
 *
 * **Verification** ({@link AuditJournal.verify}) opens every entry and the head and reports,
 * by position: `unreadable` (fails authentication or does not parse: a flipped bit, an entry
 * moved, swapped, duplicated, another key), `sequence` (an entry whose `seq` is not its
 * position), `digest` (content that does not hash to its `digest`), `chain` (an entry whose
 * `prev` is not the previous entry's digest: reported at the later entry), `truncated`
 * (entries missing from the end, at the first missing seq) and `head` (a missing, unreadable
 * or disagreeing head record, or a head anchor that does not match). An attacker without the
 * key can only cause `unreadable`, `truncated` and `head`; one with the key (who could then
 * rewrite everything) is caught by `digest`/`chain`/`head` unless they rewrite the tail
 * consistently.
 *
 * **Limit: rollback.** A whole older copy of the record (or an older head with the entries it
 * covered) is a valid journal on its own; no check inside the record can tell it from the
 * present one, and neither can a deleted record. Such a rollback is caught only against a head
 * kept elsewhere: pass it as `verify({ head })` (keep {@link AuditJournal.head} after each
 * append, e.g. on a server or in another store). Within one `AuditJournal` instance the newest
 * head it wrote or verified is such an anchor too, so a rollback while it is open is caught.
 *
 * **Damage.** Opening a damaged record succeeds so that `verify` can report; reading never
 * throws anything but {@link CofferError}s. `append` refuses (JournalIntegrityError) to extend
 * a journal that does not verify: the wallet must not paper over a gap. Appends are serialised
 * per storage and key (also across instances in one process), in call order, none lost.
 *
 * **Several processes.** Each append is a compare-and-swap through `updateStorage`: under the
 * storage's lock (a lock file shared with other processes for `fileStorage`, Web Locks across
 * tabs for `browserStorage`) it re-reads the record, re-verifies it when another writer appended
 * since this instance last looked (every entry, the chain, the head, and this instance's newest
 * head as an anchor), and appends to what is stored now. Entries from several processes
 * therefore interleave without loss and the result verifies; a stored record that does not
 * verify is refused as above. A custom storage without `update` gets a best-effort
 * compare-and-swap that is safe within one process only.
 * @module
 */
import { base64 } from '@scure/base'
import { assertInteger, describe } from '../core/assert.js'
import {
  canonicalJson,
  chainProblems,
  checkBody,
  checkHead,
  entryDigest,
  GENESIS,
  INPUT_KEYS,
  ISO_UTC,
  isPlainObject,
  onlyKeys,
  parseEntry,
  sortProblems,
  utf8,
  type AuditEntry,
  type AuditEntryInput,
  type JournalHead,
  type JournalProblem,
  type JournalVerification,
} from './entry.js'
import {
  CofferError,
  InvalidArgumentError,
  JournalIntegrityError,
  StorageError,
  UnsupportedVersionError,
  VaultFormatError,
} from '../core/errors.js'
import type { Sealer } from '../vault/sealer.js'
import { assertStorageKey, KeyedQueue, updateStorage, VAULT_KEY, type VaultStorage } from '../vault/storage.js'

export {
  canonicalJson,
  entryDigest,
  verifyChain,
  type AuditDecision,
  type AuditEntry,
  type AuditEntryInput,
  type AuditEntryKind,
  type JournalHead,
  type JournalProblem,
  type JournalVerification,
} from './entry.js'

/** Options of {@link AuditJournal.open}. */
export interface AuditJournalOpenOptions {
  storage: VaultStorage
  /** Seals entries; a vault's `vault.sealer('journal')`. */
  sealer: Sealer
  /** Default `'journal'`. */
  storageKey?: string
}
/** Options of {@link AuditJournal.verify}. */
export interface JournalVerifyOptions {
  /** A head kept elsewhere; the journal must contain it (equal or newer). */
  head?: JournalHead
}
/** Options of {@link AuditJournal.entries}. */
export interface JournalEntriesOptions {
  /** First seq; default 0. */
  from?: number
  /** At most this many; default all. */
  limit?: number
}

/** The `format` field of a stored journal. */
const JOURNAL_FORMAT = 'coffer-journal'
/** The `version` field this coffer writes and reads. */
const JOURNAL_VERSION = 1
const RECORD_KEYS = ['format', 'version', 'head', 'entries']
const HEAD_AAD = utf8(`${JOURNAL_FORMAT}:v${JOURNAL_VERSION}:head`)
const entryAad = (seq: number) => utf8(`${JOURNAL_FORMAT}:v${JOURNAL_VERSION}:${seq}`)
const DECODER = new TextDecoder('utf-8', { fatal: true })
const queues = new WeakMap<VaultStorage, KeyedQueue>()

function integrityError(message: string, problems: readonly JournalProblem[]): JournalIntegrityError {
  const shown = problems.slice(0, 5).map((p) => `${p.problem} at ${p.seq}`)
  if (problems.length > 5) shown.push(`… ${problems.length} in all`)
  return new JournalIntegrityError(message, {
    details: { problems: shown.join(', '), problemCount: problems.length, firstSeq: problems[0]?.seq },
  })
}

function asCoffer(error: unknown, what: string): CofferError {
  return error instanceof CofferError ? error : new StorageError(`${what} failed.`, { cause: error })
}

/** A stored record as read: `damaged` when its outer structure is unusable. */
interface Snapshot {
  readonly text: string | undefined
  readonly damaged: boolean
  readonly entries: readonly unknown[]
  /** The raw `head` field; undefined when absent. */
  readonly head: unknown
}

function parseRecord(text: string | undefined): Snapshot {
  const damaged: Snapshot = { text, damaged: true, entries: [], head: undefined }
  if (text === undefined) return { text, damaged: false, entries: [], head: undefined }
  if (typeof text !== 'string') return damaged
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return damaged
  }
  if (!isPlainObject(json)) return damaged
  const { version } = json
  if (json.format === JOURNAL_FORMAT && typeof version === 'number' && Number.isSafeInteger(version) && version > JOURNAL_VERSION) {
    throw new UnsupportedVersionError(
      `This audit journal is version ${version}; this coffer reads version ${JOURNAL_VERSION}. Upgrade coffer.`,
      { details: { version } },
    )
  }
  if (json.format !== JOURNAL_FORMAT || version !== JOURNAL_VERSION || !Array.isArray(json.entries)) return damaged
  if (Object.keys(json).some((k) => !RECORD_KEYS.includes(k))) return damaged
  return { text, damaged: false, entries: json.entries as unknown[], head: json.head }
}

/** The tamper-evident audit journal (see the module comment). Open one with {@link AuditJournal.open}. */
export class AuditJournal {
  readonly #storage: VaultStorage
  readonly #sealer: Sealer
  readonly #key: string
  readonly #queue: KeyedQueue
  #snap: Snapshot = parseRecord(undefined)
  #head: JournalHead | undefined
  /** The record text last verified (or written) by this instance. */
  #trusted: string | undefined = undefined
  /** The newest head this instance wrote or verified: an anchor against rollback. */
  #known: JournalHead | undefined

  private constructor(storage: VaultStorage, sealer: Sealer, key: string) {
    this.#storage = storage
    this.#sealer = sealer
    this.#key = key
    let queue = queues.get(storage)
    if (!queue) queues.set(storage, (queue = new KeyedQueue()))
    this.#queue = queue
  }

  /**
   * Opens the journal kept in `storage` (an empty one if there is none). A damaged record still
   * opens, so that {@link verify} can report on it.
   * @throws InvalidArgumentError for bad options; UnsupportedVersionError for a newer journal; StorageError
   */
  static async open(options: AuditJournalOpenOptions): Promise<AuditJournal> {
    if (!isPlainObject(options)) throw new InvalidArgumentError(`AuditJournal.open takes { storage, sealer }, got ${describe(options)}.`)
    const { storage, sealer } = options
    if (!storage || typeof storage.get !== 'function' || typeof storage.set !== 'function') {
      throw new InvalidArgumentError('storage must be a VaultStorage (get, set, delete).')
    }
    if (!sealer || typeof sealer.seal !== 'function' || typeof sealer.open !== 'function')
      throw new InvalidArgumentError('sealer must be a Sealer (seal, open).')
    const key = assertStorageKey(options.storageKey ?? 'journal')
    if (key === VAULT_KEY) throw new InvalidArgumentError(`The journal cannot share the vault's storage key "${VAULT_KEY}".`)
    const journal = new AuditJournal(storage, sealer, key)
    await journal.#queue.run(key, () => journal.#read())
    return journal
  }

  /** Entries in the stored record as last read (trust it after {@link verify}). */
  get size(): number {
    return this.#snap.entries.length
  }

  /** The sealed head of the record as last read or written; undefined when empty or unreadable. Keep it elsewhere as an anchor. */
  head(): JournalHead | undefined {
    return this.#head
  }

  /** Reads the stored record; re-parses it (and opens its head) only when it changed. */
  async #read(): Promise<Snapshot> {
    let text: string | undefined
    try {
      text = await this.#storage.get(this.#key)
    } catch (error) {
      throw asCoffer(error, 'Reading the audit journal')
    }
    return this.#load(text)
  }

  /** Takes `text` (just read from storage) as the record; re-parses it (and opens its head) only when it changed. */
  async #load(text: string | undefined): Promise<Snapshot> {
    if (text !== this.#snap.text) {
      const snap = parseRecord(text)
      const head = snap.head === undefined ? undefined : await this.#openSealed(snap.head, HEAD_AAD, (v) => checkHead(v, 'head'))
      this.#snap = snap
      this.#head = head
    }
    return this.#snap
  }

  /** Opens one sealed item; undefined when it is not base64, fails authentication or does not parse canonically. */
  async #openSealed<T>(raw: unknown, aad: Uint8Array, parse: (value: unknown) => T): Promise<T | undefined> {
    if (typeof raw !== 'string') return undefined
    let sealed: Uint8Array
    try {
      sealed = base64.decode(raw)
    } catch {
      return undefined
    }
    let plain: Uint8Array
    try {
      plain = await this.#sealer.open(sealed, aad)
    } catch (error) {
      // The Sealer contract: VaultFormatError means "altered, moved or another key"; anything
      // else (a locked vault, a failing KMS) is not damage and goes to the caller.
      if (error instanceof VaultFormatError) return undefined
      throw asCoffer(error, 'Opening an audit journal record')
    }
    try {
      const json = DECODER.decode(plain)
      const value: unknown = JSON.parse(json)
      return canonicalJson(value) === json ? parse(value) : undefined
    } catch {
      return undefined
    }
  }

  /** Opens every entry and judges the record. */
  async #inspect(snap: Snapshot, anchors: readonly JournalHead[]): Promise<JournalVerification> {
    if (snap.damaged)
      return Object.freeze({ ok: false, count: 0, problems: Object.freeze([Object.freeze({ seq: 0, problem: 'unreadable' as const })]) })
    const opened = await Promise.all(snap.entries.map((raw, i) => this.#openSealed(raw, entryAad(i), parseEntry)))
    const count = opened.length
    const problems = opened.flatMap((e, i): JournalProblem[] => (e ? [] : [{ seq: i, problem: 'unreadable' }]))
    problems.push(...chainProblems(opened))
    if (snap.text !== undefined) {
      const head = this.#head
      if (!head) problems.push({ seq: Math.max(0, count - 1), problem: 'head' })
      else if (count < head.seq + 1) problems.push({ seq: count, problem: 'truncated' })
      else if (count > head.seq + 1) problems.push({ seq: head.seq + 1, problem: 'head' })
      else if (opened[head.seq] && opened[head.seq]?.digest !== head.digest) problems.push({ seq: head.seq, problem: 'head' })
    }
    for (const anchor of anchors) {
      if (anchor.seq >= count) problems.push({ seq: count, problem: 'truncated' })
      else if (opened[anchor.seq] && opened[anchor.seq]?.digest !== anchor.digest) problems.push({ seq: anchor.seq, problem: 'head' })
    }
    const sorted = sortProblems(problems)
    const last = opened[count - 1]
    const ok = sorted.length === 0
    if (ok) {
      this.#trusted = snap.text
      if (last) this.#known = Object.freeze({ seq: last.seq, digest: last.digest })
    }
    return Object.freeze({
      ok,
      count,
      ...(ok && last ? { head: Object.freeze({ seq: last.seq, digest: last.digest }) } : {}),
      problems: Object.freeze(sorted),
    })
  }

  /**
   * Checks the stored journal end to end: every entry, the chain, the sealed head, and the
   * anchors — `options.head` and the newest head this instance wrote or verified. Never throws
   * for a damaged record (only for bad options, a locked vault, failing storage, or a record of
   * a newer version: UnsupportedVersionError).
   */
  async verify(options?: JournalVerifyOptions): Promise<JournalVerification> {
    if (options !== undefined && !isPlainObject(options))
      throw new InvalidArgumentError(`options must be an object, got ${describe(options)}.`)
    const anchor = options?.head === undefined ? undefined : checkHead(options.head, 'options.head')
    return this.#queue.run(this.#key, async () => {
      const snap = await this.#read()
      return this.#inspect(snap, [...(this.#known ? [this.#known] : []), ...(anchor ? [anchor] : [])])
    })
  }

  /** {@link verify}, throwing when it is not ok. @throws JournalIntegrityError naming the first problems */
  async verifyOrThrow(options?: JournalVerifyOptions): Promise<JournalVerification> {
    const result = await this.verify(options)
    if (!result.ok) throw integrityError('The audit journal failed verification.', result.problems)
    return result
  }

  /**
   * Records an entry and returns it as stored. Refuses (JournalIntegrityError) when the stored
   * journal does not verify.
   * @throws InvalidArgumentError for bad input; JournalIntegrityError; StorageError; VaultLockedError
   */
  async append(input: AuditEntryInput): Promise<AuditEntry> {
    if (!isPlainObject(input)) throw new InvalidArgumentError(`An audit entry must be an object, got ${describe(input)}.`)
    onlyKeys(input, INPUT_KEYS, 'The audit entry')
    const { time: when } = input
    if (when !== undefined && !(when instanceof Date)) throw new InvalidArgumentError(`time must be a Date, got ${describe(when)}.`)
    const date = when ?? new Date()
    const time = Number.isNaN(date.getTime()) ? '' : date.toISOString()
    if (!ISO_UTC.test(time)) throw new InvalidArgumentError('time must be a valid Date in the years 0 to 9999.')
    const body = checkBody(input)
    return this.#queue.run(this.#key, async () => {
      let appended: { entry: AuditEntry; head: JournalHead; text: string } | undefined
      try {
        // Compare-and-swap under the storage's lock (across processes for fileStorage): the
        // entry goes onto what is stored now, re-verified first if another writer changed it.
        await updateStorage(this.#storage, this.#key, async (current) => {
          appended = undefined
          const snap = await this.#load(current)
          if (snap.text !== this.#trusted) {
            const result = await this.#inspect(snap, this.#known ? [this.#known] : [])
            if (!result.ok) throw integrityError('The audit journal does not verify; refusing to append to it.', result.problems)
          }
          const seq = snap.entries.length
          if ((this.#known?.seq ?? -1) !== seq - 1)
            throw integrityError('The audit journal changed while appending.', [{ seq, problem: 'head' }])
          const unsealed = { seq, time, ...body, prev: this.#known?.digest ?? GENESIS }
          const entry: AuditEntry = { ...unsealed, digest: entryDigest(unsealed) }
          Object.freeze(entry.decision)
          Object.freeze(entry)
          const head = Object.freeze({ seq, digest: entry.digest })
          const sealedEntry = await this.#seal(entry, entryAad(seq))
          const sealedHead = await this.#seal(head, HEAD_AAD)
          const text = JSON.stringify({
            format: JOURNAL_FORMAT,
            version: JOURNAL_VERSION,
            head: sealedHead,
            entries: [...snap.entries, sealedEntry],
          })
          appended = { entry, head, text }
          return text
        })
      } catch (error) {
        throw asCoffer(error, 'Writing the audit journal')
      }
      const { entry, head, text } = appended as NonNullable<typeof appended>
      this.#snap = parseRecord(text)
      this.#head = head
      this.#trusted = text
      this.#known = head
      return entry
    })
  }

  async #seal(value: object, aad: Uint8Array): Promise<string> {
    try {
      return base64.encode(await this.#sealer.seal(utf8(canonicalJson(value)), aad))
    } catch (error) {
      throw asCoffer(error, 'Sealing an audit journal record')
    }
  }

  /**
   * Entries `[from, from + limit)`, opened and checked: each must open at its position, carry
   * its seq and digest, and link to the entry before it. For the whole-journal guarantees
   * (tail, head, anchors) use {@link verify}.
   * @throws JournalIntegrityError when a requested entry fails a check
   */
  async entries(options?: JournalEntriesOptions): Promise<AuditEntry[]> {
    if (options !== undefined && !isPlainObject(options))
      throw new InvalidArgumentError(`options must be an object, got ${describe(options)}.`)
    const from = assertInteger(options?.from ?? 0, 'from', 0, Number.MAX_SAFE_INTEGER)
    const limit = assertInteger(options?.limit ?? Number.MAX_SAFE_INTEGER, 'limit', 0, Number.MAX_SAFE_INTEGER)
    return this.#queue.run(this.#key, async () => {
      const snap = await this.#read()
      if (snap.damaged) throw integrityError('The audit journal record is unreadable.', [{ seq: 0, problem: 'unreadable' }])
      const end = Math.min(snap.entries.length, from + Math.min(limit, snap.entries.length))
      if (from >= end) return []
      const start = Math.max(0, from - 1)
      const opened: (AuditEntry | undefined)[] = new Array<AuditEntry | undefined>(end).fill(undefined)
      const problems: JournalProblem[] = []
      await Promise.all(
        snap.entries.slice(start, end).map(async (raw, k) => {
          const entry = await this.#openSealed(raw, entryAad(start + k), parseEntry)
          if (entry) opened[start + k] = entry
          else problems.push({ seq: start + k, problem: 'unreadable' })
        }),
      )
      problems.push(...chainProblems(opened))
      if (problems.length) throw integrityError('Audit journal entries failed their checks.', sortProblems(problems))
      return opened.slice(from) as AuditEntry[]
    })
  }
}
