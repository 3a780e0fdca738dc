/**
 * Deposit events to a webhook: {@link webhookHandler} makes a `DepositWatcher` handler
 * that POSTs each event as JSON, signed with HMAC-SHA256 ({@link signWebhook}), retrying
 * server-side failures with exponential back-off; the receiver checks the signature with
 * {@link verifyWebhook}.
 *
 * Delivery is **at least once**: the same event can arrive twice (an answer lost on the way back
 * makes the watcher deliver it again), so receivers dedupe on the `coffer-event-id` header.
 *
 * @example
 * // sender
 * const handler = webhookHandler({ url: 'https://shop.example/deposits', secret: process.env.WEBHOOK_SECRET! })
 * const watcher = new DepositWatcher({ store, chains: [adapter], confirmations: 12, handler })
 *
 * // receiver: verify the raw body as received, before parsing it
 * if (!verifyWebhook(rawBody, req.headers['coffer-signature'], secret)) return res.status(401).end()
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { assertOptions, describe, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, RpcError } from '../core/errors.js'
import type { DepositEvent } from './types.js'

/** An HMAC-SHA256 key: bytes, or a string taken as its UTF-8 bytes. At least 32 bytes. */
export type WebhookSecret = string | Uint8Array

/** Options of {@link webhookHandler}. */
export interface WebhookOptions {
  /** Where events are POSTed: `https://`, or `http://` to a loopback host (127.0.0.1, localhost, ::1). */
  readonly url: string
  /** The HMAC-SHA256 key, at least 32 bytes (a string counts its UTF-8 bytes). Never printed. */
  readonly secret: WebhookSecret
  /** Attempts after the first within one delivery (0 to 10), default 3. */
  readonly retries?: number
  /** Time allowed for each attempt's answer, in ms (1 to 120,000), default 10,000. */
  readonly timeoutMs?: number
  /** The first wait between attempts, in ms, doubling after each (0 to 60,000), default 500. */
  readonly backoffMs?: number
  /** Extra request headers (an API key, say). They cannot replace the three coffer sets. */
  readonly headers?: Record<string, string>
  /** The fetch to use, default `globalThis.fetch`. */
  readonly fetch?: typeof fetch
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** How far the signature's timestamp may be from `now`, either way, in seconds; default 300. */
  readonly toleranceSeconds?: number
  /** The current time in unix seconds, default the clock's. */
  readonly now?: number
}

/** The header that carries the signature. */
export const WEBHOOK_SIGNATURE_HEADER = 'coffer-signature'
/** The header that carries the event id (receivers dedupe on it). */
export const WEBHOOK_EVENT_ID_HEADER = 'coffer-event-id'

const MIN_SECRET_BYTES = 32
const DEFAULT_RETRIES = 3
const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_BACKOFF_MS = 500
const DEFAULT_TOLERANCE_S = 300
/** The longest wait between attempts, whether the back-off or a Retry-After asks for more. */
const MAX_WAIT_MS = 60_000
/** Longer signature headers are refused unread. */
const MAX_HEADER_LENGTH = 2_000
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const RESERVED_HEADERS = new Set(['content-type', WEBHOOK_SIGNATURE_HEADER, WEBHOOK_EVENT_ID_HEADER])

/**
 * The value of the `coffer-signature` header for `body` sent at `timestamp` (unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the body as UTF-8.
 * @throws InvalidArgumentError on a secret under 32 bytes or a bad timestamp.
 */
export function signWebhook(body: string, secret: WebhookSecret, timestamp: number): string {
  if (typeof body !== 'string') throw new InvalidArgumentError(`body must be a string, got ${describe(body)}.`)
  if (!isIntegerIn(timestamp, 0, Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError('timestamp must be a non-negative integer of unix seconds.')
  }
  return `t=${timestamp},v1=${bytesToHex(mac(secretBytes(secret), timestamp, body))}`
}

/**
 * True when `header` (a `coffer-signature` value) is a signature of `body` under `secret` made
 * within `toleranceSeconds` of `now`. False for a wrong signature, a changed body, a timestamp
 * too old (a replay) or too far ahead, and a malformed header. Several `v1=` entries are allowed
 * (any one matching will do); unknown entries are ignored. Compares in constant time. Pass the
 * raw body exactly as received, before any JSON parsing.
 * @throws InvalidArgumentError on a secret under 32 bytes or bad options (never on a bad header).
 */
export function verifyWebhook(body: string, header: string, secret: WebhookSecret, options?: VerifyWebhookOptions): boolean {
  const key = secretBytes(secret)
  const o = assertOptions(options)
  const tolerance = o.toleranceSeconds ?? DEFAULT_TOLERANCE_S
  if (!isIntegerIn(tolerance, 0, Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError('toleranceSeconds must be a non-negative integer.')
  }
  const now = o.now ?? Math.floor(Date.now() / 1000)
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new InvalidArgumentError('now must be a number of unix seconds.')
  if (typeof body !== 'string' || typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return false

  const parsed = parseSignature(header)
  if (parsed === undefined || Math.abs(now - parsed.timestamp) > tolerance) return false
  const expected = mac(key, parsed.timestamp, body)
  let ok = false
  for (const candidate of parsed.signatures) ok = equalBytes(expected, candidate) || ok
  return ok
}

/**
 * A `DepositWatcher` handler that POSTs each event to `options.url`, signed.
 *
 * The request: the event as JSON (its fields, `amount` as a decimal string of base units), with
 * `content-type: application/json`, `coffer-signature` (see {@link signWebhook}, signed afresh at
 * each attempt) and `coffer-event-id` (the event's outbox id). **Receivers must dedupe on
 * `coffer-event-id`**: the same event can arrive twice, e.g. when the receiver's 2xx answer is
 * lost or comes after the timeout.
 *
 * Outcomes of one call:
 * - a 2xx answer: delivered; the call resolves and the watcher marks the event acknowledged;
 * - 408, 429, 5xx, a network error or no answer within `timeoutMs`: tried again after
 *   `backoffMs`, doubling (or the answer's Retry-After, at most 60 s), up to `retries` times; then
 *   an {@link RpcError} with `details.retryable: true`;
 * - any other status (4xx, or a 3xx: redirects are not followed, so a signed event never goes
 *   elsewhere): an {@link RpcError} at once with `details.retryable: false`.
 *
 * Either way a thrown error leaves the event unacknowledged: the watcher stops delivering at it
 * and hands it to this handler again next round, permanent refusals included, so fix the receiver
 * (or its URL) and the event goes through. Errors name the event id, the URL's origin and the
 * status, never the secret, the body, or the URL's path and query.
 * @throws InvalidArgumentError on bad options, before any request is sent.
 */
export function webhookHandler(options: WebhookOptions): (event: DepositEvent) => Promise<void> {
  const o = assertOptions(options)
  const url = checkUrl(o.url)
  const key = secretBytes(o.secret)
  const retries = checkInteger(o.retries, 'retries', 0, 10, DEFAULT_RETRIES)
  const timeoutMs = checkInteger(o.timeoutMs, 'timeoutMs', 1, 120_000, DEFAULT_TIMEOUT_MS)
  const backoffMs = checkInteger(o.backoffMs, 'backoffMs', 0, MAX_WAIT_MS, DEFAULT_BACKOFF_MS)
  const extra = checkHeaders(o.headers)
  const doFetch = o.fetch ?? globalThis.fetch
  if (typeof doFetch !== 'function') throw new InvalidArgumentError(`fetch must be a function, got ${describe(doFetch)}.`)
  const origin = url.origin
  const href = url.href

  return async function deliverWebhook(event: DepositEvent): Promise<void> {
    const body = eventBody(event)
    const base = { eventId: event.id, endpoint: origin }
    let last: Failure = { reason: 'no attempt' }
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(last.waitMs ?? Math.min(backoffMs * 2 ** (attempt - 1), MAX_WAIT_MS))
      const headers = new Headers(extra)
      headers.set('content-type', 'application/json')
      const timestamp = Math.floor(Date.now() / 1000)
      headers.set(WEBHOOK_SIGNATURE_HEADER, `t=${timestamp},v1=${bytesToHex(mac(key, timestamp, body))}`)
      headers.set(WEBHOOK_EVENT_ID_HEADER, event.id)
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), timeoutMs)
      let response: Response
      try {
        response = await doFetch(href, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal })
      } catch (error) {
        const timedOut = controller.signal.aborted
        last = timedOut ? { reason: `no answer within ${timeoutMs} ms` } : { reason: 'network error', cause: error }
        continue
      } finally {
        clearTimeout(timer)
      }
      // The answer's body is not read (it is not ours to log); free the connection.
      await response.body?.cancel().catch(() => undefined)
      const status = response.status
      if (status >= 200 && status <= 299) return
      if (!(status === 408 || status === 429 || status >= 500)) {
        throw new RpcError(`The webhook at ${origin} refused event ${event.id} with HTTP ${status}; it is not retried in this delivery.`, {
          details: { ...base, status, attempts: attempt + 1, retryable: false },
        })
      }
      const waitMs = retryAfterMs(response.headers.get('retry-after'))
      last = { reason: `HTTP ${status}`, status, ...(waitMs === undefined ? {} : { waitMs }) }
    }
    const attempts = retries + 1
    throw new RpcError(`The webhook at ${origin} did not take event ${event.id} after ${attempts} attempts (last: ${last.reason}).`, {
      details: { ...base, attempts, retryable: true, timeoutMs, ...(last.status === undefined ? {} : { status: last.status }) },
      ...(last.cause === undefined ? {} : { cause: last.cause }),
    })
  }
}

/** Why the last attempt failed. */
interface Failure {
  readonly reason: string
  readonly status?: number
  /** What the answer's Retry-After asked for (capped). */
  readonly waitMs?: number
  readonly cause?: unknown
}

/** The JSON body of `event`: its public fields, `amount` as a decimal string. */
function eventBody(event: DepositEvent): string {
  if (event === null || typeof event !== 'object') throw new InvalidArgumentError(`event must be an object, got ${describe(event)}.`)
  if (typeof event.id !== 'string' || event.id.length === 0) throw new InvalidArgumentError('event.id must be a non-empty string.')
  if (typeof event.amount !== 'bigint') throw new InvalidArgumentError(`event.amount must be a bigint, got ${describe(event.amount)}.`)
  return JSON.stringify({
    id: event.id,
    kind: event.kind,
    chainId: event.chainId,
    asset: event.asset,
    address: event.address,
    reference: event.reference,
    from: event.from,
    amount: event.amount.toString(),
    hash: event.hash,
    index: event.index,
    blockHeight: event.blockHeight,
    blockHash: event.blockHash,
  })
}

function mac(key: Uint8Array, timestamp: number, body: string): Uint8Array {
  return hmac(sha256, key, utf8ToBytes(`${timestamp}.${body}`))
}

/** The key bytes of `secret` (a copy), at least 32. Messages give only the length. */
function secretBytes(secret: unknown): Uint8Array {
  let bytes: Uint8Array
  if (typeof secret === 'string') bytes = utf8ToBytes(secret)
  else if (secret instanceof Uint8Array) bytes = Uint8Array.from(secret)
  else throw new InvalidArgumentError(`secret must be a string or a Uint8Array, got ${describe(secret)}.`)
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new InvalidArgumentError(`secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}.`, {
      details: { expected: MIN_SECRET_BYTES, got: bytes.length },
    })
  }
  return bytes
}

/** `t=<digits>,v1=<64 hex>[,v1=…]` (unknown keys ignored), or undefined when malformed. */
function parseSignature(header: string): { timestamp: number; signatures: Uint8Array[] } | undefined {
  let timestamp: number | undefined
  const signatures: Uint8Array[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq <= 0) return undefined
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === 't') {
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value)) return undefined
      timestamp = Number(value)
    } else if (name === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined
      signatures.push(hexToBytes(value.toLowerCase()))
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures }
}

/** Equal-length comparison whose time does not depend on where the bytes differ. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

function checkUrl(value: unknown): URL {
  if (typeof value !== 'string') throw new InvalidArgumentError(`url must be a string, got ${describe(value)}.`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('url is not a valid absolute URL.')
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('url must not carry credentials; send them in headers instead.')
  }
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return url
    throw new InvalidArgumentError(`url must use https:// (http:// only to a loopback host), got http:// to ${url.host}.`, {
      details: { host: url.host },
    })
  }
  throw new InvalidArgumentError(`url must use https://, got ${url.protocol}//.`)
}

function checkInteger(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, min, max)) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : describe(value)}.`,
    )
  }
  return value
}

function checkHeaders(value: unknown): Headers {
  const headers = new Headers()
  if (value === undefined) return headers
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`headers must be an object of strings, got ${describe(value)}.`)
  }
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new InvalidArgumentError(`headers[${JSON.stringify(name.slice(0, 100))}] must be a string, got ${describe(v)}.`)
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new InvalidArgumentError(`headers must not set ${JSON.stringify(name.toLowerCase())}: the webhook sets it.`)
    }
    try {
      headers.set(name, v)
    } catch {
      // The value may be a credential: name the header only.
      throw new InvalidArgumentError(`headers[${JSON.stringify(name.slice(0, 100))}] is not a valid HTTP header.`)
    }
  }
  return headers
}

/** The wait a Retry-After header asks for, in ms (seconds or an HTTP date), capped at 60 s; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  const ms = /^\d{1,12}$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - Date.now() : Number.NaN
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_WAIT_MS) : undefined
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
