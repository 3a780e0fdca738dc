/**
 * Audit journal entries as plain data: their types, the canonical JSON their digests are
 * taken over, their validation, and {@link verifyChain}, the pure check of a list of entries.
 * The sealed, stored journal is in `audit.ts`, whose module comment describes the design.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { MAX_AMOUNT } from '../core/amount.js'
import { assertInteger, assertOneOf, assertString, describe } from '../core/assert.js'
import { parseAssetId, parseChainId, type AssetId, type ChainId } from '../core/caip.js'
import { InvalidArgumentError } from '../core/errors.js'

/** What an {@link AuditEntry} records. */
export type AuditEntryKind = 'transaction' | 'message' | 'typed-data' | 'refused'
/** What became of a payment (see {@link AuditEntry.status}). */
export type PaymentStatus = 'intent' | 'signed' | 'sent' | 'unknown' | 'rejected' | 'confirmed' | 'failed' | 'dropped'
/** Every payment status. */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'intent',
  'signed',
  'sent',
  'unknown',
  'rejected',
  'confirmed',
  'failed',
  'dropped',
]

/** The policy decision recorded with an entry. */
export interface AuditDecision {
  readonly allowed: boolean
  /** The rule that decided; for the wallet's refusals the policy rule, e.g. `'perWindow'` (see docs/policies.md). */
  readonly rule?: string
  /** Why, in words. */
  readonly reason?: string
}
/** One journal entry, as stored and returned. Frozen. */
export interface AuditEntry {
  /** Position: 0, 1, 2, … */
  readonly seq: number
  /** ISO-8601 UTC with milliseconds, e.g. `2025-01-02T03:04:05.678Z`. */
  readonly time: string
  readonly kind: AuditEntryKind
  readonly chainId?: ChainId
  readonly from?: string
  readonly to?: string
  readonly asset?: AssetId
  /** Decimal base units of `asset`. */
  readonly amount?: string
  /** Decimal base units of the fee asset. */
  readonly fee?: string
  /** The fee's asset (when not the chain's native coin); only with `fee`. */
  readonly feeAsset?: AssetId
  /** Transaction hash or message digest. */
  readonly hash?: string
  /**
   * Where a payment stands, for `transaction` entries the wallet writes: `intent` before it is
   * signed; `signed` (with its hash) just before it is broadcast; then `sent` (the node took it), `unknown` (the broadcast's answer was lost: maybe
   * sent), `rejected` (refused, nothing went out), `confirmed`, `failed` (mined but reverted:
   * only the fee was spent) or `dropped` (proven never to be mined). Entries of one payment
   * share its `payment` id.
   */
  readonly status?: PaymentStatus
  /** The payment this entry belongs to (random id), linking its intent to what became of it. */
  readonly payment?: string
  readonly decision: AuditDecision
  readonly note?: string
  /** The previous entry's `digest`; 64 zeros for seq 0. */
  readonly prev: string
  /** Hex SHA-256 of the canonical encoding of every other field. */
  readonly digest: string
}
/** What {@link AuditJournal.append} takes: an entry without its position, chain link and digest. */
export type AuditEntryInput = Omit<AuditEntry, 'seq' | 'time' | 'prev' | 'digest'> & {
  /** When it happened; default now. */
  time?: Date
}
/** The last entry of a journal: keep it elsewhere as an anchor against rollback. */
export interface JournalHead {
  readonly seq: number
  readonly digest: string
}
/** The kinds of problem {@link AuditJournal.verify} reports (see the module comment). */
type JournalProblemKind = 'unreadable' | 'digest' | 'chain' | 'sequence' | 'truncated' | 'head'
/** One problem, at the position it concerns. */
export interface JournalProblem {
  readonly seq: number
  readonly problem: JournalProblemKind
}
/** The result of {@link AuditJournal.verify}. */
export interface JournalVerification {
  readonly ok: boolean
  /** Entries in the stored record. */
  readonly count: number
  /** The verified head (when ok and not empty). */
  readonly head?: JournalHead
  /** Sorted by seq; empty when ok. */
  readonly problems: readonly JournalProblem[]
}

/** @internal */
export const GENESIS = '0'.repeat(64)
const HEX64 = /^[0-9a-f]{64}$/
/** @internal */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const UNITS = /^(0|[1-9][0-9]{0,77})$/
const TOKEN = /^[\x21-\x7e]{1,256}$/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const KINDS = ['transaction', 'message', 'typed-data', 'refused'] as const
const BODY_KEYS = ['kind', 'chainId', 'from', 'to', 'asset', 'amount', 'fee', 'feeAsset', 'hash', 'status', 'payment', 'decision', 'note']
const PAYMENT_ID = /^[0-9a-z-]{8,64}$/
const ENTRY_KEYS = [...BODY_KEYS, 'seq', 'time', 'prev', 'digest']
/** @internal */
export const INPUT_KEYS = [...BODY_KEYS, 'time']
const PROBLEM_ORDER: readonly JournalProblemKind[] = ['unreadable', 'sequence', 'digest', 'chain', 'truncated', 'head']

/** UTF-8 bytes of `text`. @internal */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** True for `{}`-style objects (not arrays, dates, class instances). @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * The canonical JSON of `value`: keys sorted recursively, no whitespace, undefined fields
 * omitted. Takes strings, safe integers, booleans and plain objects (up to 16 deep). @throws InvalidArgumentError
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0)
}

function encode(value: unknown, depth: number): string {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  if (isPlainObject(value) && depth < 16) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(value[k], depth + 1)}`).join(',')}}`
  }
  throw new InvalidArgumentError(`Canonical JSON takes strings, safe integers, booleans and plain objects, got ${describe(value)}.`)
}

/** The digest an entry must carry: hex SHA-256 of the canonical JSON of every field but `digest`. @throws InvalidArgumentError */
export function entryDigest(entry: Omit<AuditEntry, 'digest'> | AuditEntry): string {
  return bytesToHex(sha256(utf8(canonicalJson({ ...entry, digest: undefined }))))
}

/** Refuses fields outside `allowed`. @internal */
export function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], name: string): void {
  const extra = Object.keys(value).find((k) => !allowed.includes(k))
  if (extra !== undefined) throw new InvalidArgumentError(`${name} has an unknown field ${JSON.stringify(extra.slice(0, 40))}.`)
}

function text(value: unknown, name: string, max: number, pattern?: RegExp): string {
  const s = assertString(value, name, max)
  if (s.length === 0) throw new InvalidArgumentError(`${name} must not be empty (leave it out instead).`)
  if (LONE_SURROGATE.test(s)) throw new InvalidArgumentError(`${name} is not well-formed Unicode.`)
  if (pattern && !pattern.test(s)) throw new InvalidArgumentError(`${name} must match ${pattern.source}.`)
  return s
}

function units(value: unknown, name: string): string {
  const s = text(value, name, 78, UNITS)
  if (BigInt(s) > MAX_AMOUNT) throw new InvalidArgumentError(`${name} is above 2^256 - 1.`)
  return s
}

function caip<T extends string>(value: unknown, name: string, parse: (id: string) => unknown): T {
  try {
    parse(assertString(value, name, 400))
  } catch (cause) {
    throw new InvalidArgumentError(`${name} must be a ${name === 'chainId' ? 'CAIP-2 chain id' : 'CAIP-19 asset id'}.`, { cause })
  }
  return value as T
}

/** Checks the fields an entry shares with an append input; returns them without undefined ones. @internal */
export function checkBody(o: Record<string, unknown>): Omit<AuditEntry, 'seq' | 'time' | 'prev' | 'digest'> {
  const kind = assertOneOf(o.kind, 'kind', KINDS)
  if (!isPlainObject(o.decision)) throw new InvalidArgumentError(`decision must be an object, got ${describe(o.decision)}.`)
  const d = o.decision
  onlyKeys(d, ['allowed', 'rule', 'reason'], 'decision')
  if (typeof d.allowed !== 'boolean') throw new InvalidArgumentError(`decision.allowed must be a boolean, got ${describe(d.allowed)}.`)
  if (kind === 'refused' && d.allowed) throw new InvalidArgumentError('A "refused" entry must have decision.allowed false.')
  const decision: AuditDecision = {
    allowed: d.allowed,
    ...(d.rule === undefined ? {} : { rule: text(d.rule, 'decision.rule', 200) }),
    ...(d.reason === undefined ? {} : { reason: text(d.reason, 'decision.reason', 1000) }),
  }
  if (o.feeAsset !== undefined && o.fee === undefined) throw new InvalidArgumentError('feeAsset needs a fee.')
  if (o.status !== undefined && kind !== 'transaction') throw new InvalidArgumentError('status belongs to transaction entries.')
  const opt = <T>(key: string, check: (v: unknown, name: string) => T) => (o[key] === undefined ? {} : { [key]: check(o[key], key) })
  return {
    kind,
    ...opt('chainId', (v, n) => caip<ChainId>(v, n, parseChainId)),
    ...opt('from', (v, n) => text(v, n, 256, TOKEN)),
    ...opt('to', (v, n) => text(v, n, 256, TOKEN)),
    ...opt('asset', (v, n) => caip<AssetId>(v, n, parseAssetId)),
    ...opt('amount', units),
    ...opt('fee', units),
    ...opt('feeAsset', (v, n) => caip<AssetId>(v, n, parseAssetId)),
    ...opt('hash', (v, n) => text(v, n, 256, TOKEN)),
    ...opt('status', (v, n) => assertOneOf(v, n, PAYMENT_STATUSES)),
    ...opt('payment', (v, n) => text(v, n, 64, PAYMENT_ID)),
    decision,
    ...opt('note', (v, n) => text(v, n, 2000)),
  }
}

function checkHex(value: unknown, name: string): string {
  if (typeof value !== 'string' || !HEX64.test(value)) throw new InvalidArgumentError(`${name} must be 64 lower-case hex digits.`)
  return value
}

/** Checks a `{ seq, digest }` head. @internal */
export function checkHead(value: unknown, name: string): JournalHead {
  if (!isPlainObject(value)) throw new InvalidArgumentError(`${name} must be { seq, digest }, got ${describe(value)}.`)
  onlyKeys(value, ['seq', 'digest'], name)
  return Object.freeze({
    seq: assertInteger(value.seq, `${name}.seq`, 0, Number.MAX_SAFE_INTEGER),
    digest: checkHex(value.digest, `${name}.digest`),
  })
}

/** Parses a stored entry (shape only; digest and chain are checked by the caller). @throws InvalidArgumentError @internal */
export function parseEntry(value: unknown): AuditEntry {
  if (!isPlainObject(value)) throw new InvalidArgumentError(`An entry must be an object, got ${describe(value)}.`)
  onlyKeys(value, ENTRY_KEYS, 'entry')
  const time = assertString(value.time, 'time', 30)
  if (!ISO_UTC.test(time) || new Date(time).toISOString() !== time)
    throw new InvalidArgumentError('time must be ISO-8601 UTC with milliseconds.')
  const entry: AuditEntry = {
    seq: assertInteger(value.seq, 'seq', 0, Number.MAX_SAFE_INTEGER),
    time,
    ...checkBody(value),
    prev: checkHex(value.prev, 'prev'),
    digest: checkHex(value.digest, 'digest'),
  }
  Object.freeze(entry.decision)
  return Object.freeze(entry)
}

function tryParse<T>(parse: (value: unknown) => T, value: unknown): T | undefined {
  try {
    return parse(value)
  } catch {
    return undefined
  }
}

/** Seq, digest and chain problems of readable entries (`undefined` = unreadable, reported elsewhere). @internal */
export function chainProblems(entries: readonly (AuditEntry | undefined)[]): JournalProblem[] {
  const problems: JournalProblem[] = []
  entries.forEach((entry, i) => {
    if (!entry) return
    if (entry.seq !== i) problems.push({ seq: i, problem: 'sequence' })
    if (entryDigest(entry) !== entry.digest) problems.push({ seq: i, problem: 'digest' })
    const expected = i === 0 ? GENESIS : entries[i - 1]?.digest
    if (expected !== undefined && entry.prev !== expected) problems.push({ seq: i, problem: 'chain' })
  })
  return problems
}

/**
 * Checks a list of plaintext entries as a whole journal from seq 0: each entry's shape
 * (`unreadable`), position (`sequence`), digest and link to the one before (`chain`). Pure.
 */
export function verifyChain(entries: readonly AuditEntry[]): JournalProblem[] {
  if (!Array.isArray(entries)) throw new InvalidArgumentError(`entries must be an array, got ${describe(entries)}.`)
  const parsed = entries.map((e: unknown) => tryParse(parseEntry, e))
  const unreadable = parsed.flatMap((e, i): JournalProblem[] => (e ? [] : [{ seq: i, problem: 'unreadable' }]))
  return sortProblems([...unreadable, ...chainProblems(parsed)])
}

/** Problems deduplicated, sorted by seq then kind, frozen. @internal */
export function sortProblems(problems: readonly JournalProblem[]): JournalProblem[] {
  const seen = new Set<string>()
  return problems
    .filter((p) => !seen.has(`${p.seq}:${p.problem}`) && Boolean(seen.add(`${p.seq}:${p.problem}`)))
    .sort((a, b) => a.seq - b.seq || PROBLEM_ORDER.indexOf(a.problem) - PROBLEM_ORDER.indexOf(b.problem))
    .map((p) => Object.freeze({ seq: p.seq, problem: p.problem }))
}
