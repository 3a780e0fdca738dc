/**
 * The JSON-RPC clients behind an EVM adapter: viem's HTTP transport (JSON-RPC batching of
 * requests made together, timeouts, retries on 429 / 5xx / dropped connections honouring
 * Retry-After up to a cap) and, with several URLs, viem's fallback transport that fails over
 * between them.
 *
 * Broadcasts get a client of their own: no batching (one 500 answer to a batch would leave
 * every transaction in it unknown) and no automatic retries (the adapter re-broadcasts the same
 * bytes itself and checks by hash, so an answer lost after the node accepted is never read as a
 * refusal).
 *
 * Node errors at the adapter boundary ({@link rpc}): anything viem or fetch throws becomes an
 * RpcError (or passes through if it already is a CofferError), with a cause that never shows an
 * RPC URL's path or query (API keys live there). Also: what the node's answer to a broadcast
 * means ({@link sendAnswer}) — an explicit refusal the chain defines, or an unknown outcome.
 * @module
 * @internal
 */
import { BaseError, createPublicClient, fallback, http, type Chain, type PublicClient, type Transport } from 'viem'
import { CofferError, RpcError } from '../../core/errors.js'
import { positiveInt } from './validate.js'

/** Default cap on a server's Retry-After: 30 s. */
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000

/** Transport options of an EVM adapter. */
export interface EvmTransportOptions {
  /** RPC endpoints, tried in order; later ones are fallbacks. */
  rpcUrls: readonly string[]
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries after the first attempt, default 3 (with backoff, or as Retry-After says). */
  retryCount?: number
  /** Base retry delay, default 150 ms (doubled per attempt). */
  retryDelayMs?: number
  /** The longest Retry-After honoured, default 30,000 ms: a server asking for more waits this long. */
  maxRetryAfterMs?: number
  /** Custom fetch (tests, metering, proxies). */
  fetch?: typeof fetch
}

/**
 * The adapter's transport options, checked, with their defaults (timeout 10,000 ms, 3 retries,
 * Retry-After capped at {@link DEFAULT_MAX_RETRY_AFTER_MS}).
 * @throws InvalidArgumentError
 */
export function transportOptions(
  rpcUrls: readonly string[],
  options: { timeoutMs?: number; retryCount?: number; maxRetryAfterMs?: number; fetch?: typeof fetch },
): EvmTransportOptions {
  return {
    rpcUrls,
    timeoutMs: positiveInt(options.timeoutMs, 'timeoutMs', 10_000),
    retryCount: options.retryCount === 0 ? 0 : positiveInt(options.retryCount, 'retryCount', 3, 20),
    maxRetryAfterMs:
      options.maxRetryAfterMs === 0 ? 0 : positiveInt(options.maxRetryAfterMs, 'maxRetryAfterMs', DEFAULT_MAX_RETRY_AFTER_MS, 3_600_000),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }
}

/**
 * A fetch whose responses never ask for a longer wait than `maxMs`: a Retry-After header above
 * the cap (in seconds or as an HTTP date) is rewritten to the cap, so viem's retry honours at
 * most that.
 */
function cappedRetryAfter(fetchFn: typeof fetch, maxMs: number): typeof fetch {
  const capSeconds = Math.max(0, Math.floor(maxMs / 1000))
  return async (input, init) => {
    const response = await fetchFn(input, init)
    const header = response.headers.get('retry-after')
    if (header === null) return response
    const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000)
    if (Number.isFinite(seconds) && seconds <= capSeconds) return response
    const headers = new Headers(response.headers)
    headers.set('retry-after', String(capSeconds))
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}

function httpTransports(options: EvmTransportOptions, batch: boolean, retryCount: number): Transport[] {
  const retryDelay = options.retryDelayMs ?? 150
  const timeout = options.timeoutMs ?? 10_000
  const fetchFn = cappedRetryAfter(
    options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
  )
  return options.rpcUrls.map((url) =>
    http(url, { batch: batch ? { batchSize: 1000, wait: 0 } : false, timeout, retryCount, retryDelay, fetchFn }),
  )
}

const client = (chain: Chain, transport: Transport) =>
  createPublicClient({ chain, transport, batch: { multicall: false }, cacheTime: 0 }) as PublicClient<Transport, Chain>

/** A viem public client for `chain` over the configured endpoints (reads: batched, retried, failing over). */
export function createClient(chain: Chain, options: EvmTransportOptions): PublicClient<Transport, Chain> {
  const retryCount = options.retryCount ?? 3
  const transports = httpTransports(options, true, retryCount)
  return client(
    chain,
    transports.length === 1 ? (transports[0] as Transport) : fallback(transports, { retryCount, retryDelay: options.retryDelayMs ?? 150 }),
  )
}

/**
 * The clients broadcasts go through, one per endpoint in order: one HTTP request per
 * transaction, no automatic retry, no automatic failover (the broadcaster chooses the endpoint,
 * so it knows which one answered what).
 */
export function createSendClients(chain: Chain, options: EvmTransportOptions): PublicClient<Transport, Chain>[] {
  return httpTransports(options, false, 0).map((transport) => client(chain, transport))
}

/** Runs a node call, turning failures into RpcError with a one-line message. */
export async function rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toRpcError(what, error)
  }
}

/**
 * The RpcError for a failed node call (CofferErrors pass through). A JSON-RPC error's own text
 * (a bundler's "AA23 reverted …") is kept: it says why.
 */
export function toRpcError(what: string, error: unknown): CofferError {
  if (error instanceof CofferError) return error
  const detail =
    error instanceof BaseError
      ? error.name === 'RpcRequestError' || !(error.cause instanceof BaseError) || error.cause.name !== 'RpcRequestError'
        ? error.shortMessage
        : `${error.shortMessage} ${error.cause.details ?? ''}`.trim()
      : error instanceof Error
        ? error.message
        : String(error)
  return new RpcError(`${what} failed: ${redactUrls(detail.split('\n')[0] ?? '').slice(0, 300)}`, { cause: redactedCause(error) })
}

/** The node's error text for a viem error (for matching "nonce too low" and friends). */
export function errorText(error: unknown): string {
  const parts: string[] = []
  let e: unknown = error
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof BaseError) parts.push(e.shortMessage, e.details ?? '')
    else if (e instanceof Error) parts.push(e.message)
    e = (e as { cause?: unknown }).cause
  }
  return parts.join(' | ').toLowerCase()
}

const URL_PATTERN = /\b(https?|wss?):\/\/[^\s/?#"'<>]+[^\s"'<>]*/gi

/** Text with every URL cut to its origin (`https://host/v3/KEY?x=1` → `https://host/…`); user:password dropped too. */
function redactUrls(text: string): string {
  return text.replace(URL_PATTERN, (url) => {
    try {
      const u = new URL(url)
      const rest = u.pathname.length > 1 || u.search || u.hash ? '/…' : ''
      return `${u.protocol}//${u.host}${rest}`
    } catch {
      return '<url>'
    }
  })
}

/**
 * A copy of a failure that is safe to print: name, message (URLs cut to their origin), the
 * HTTP status and JSON-RPC code when there are, and its own causes treated the same way. The
 * original (whose message, `url` and request body show the full endpoint) is not kept.
 */
export function redactedCause(error: unknown, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 6) return undefined
  if (error instanceof CofferError) return error
  const source = error as { name?: unknown; message?: unknown; status?: unknown; code?: unknown; cause?: unknown }
  const message = typeof source.message === 'string' ? source.message : String(error)
  const copy = new Error(redactUrls(message), { cause: redactedCause(source.cause, depth + 1) })
  copy.name = typeof source.name === 'string' ? source.name : 'Error'
  if (typeof source.status === 'number') Object.assign(copy, { status: source.status })
  if (typeof source.code === 'number' || typeof source.code === 'string') Object.assign(copy, { code: source.code })
  return copy
}

/**
 * Refusals a node states about a transaction itself (geth / erigon / nethermind / reth / anvil
 * txpool and validation errors). Only these make a broadcast "rejected"; any other failure —
 * an HTTP 5xx, a timeout, a reset, an unreadable answer, a provider's own error such as
 * "internal error" or "request limit reached" — leaves the outcome unknown.
 */
const REFUSALS: readonly RegExp[] = [
  /nonce too low/,
  /nonce too high/,
  /nonce has already been used/,
  /old nonce/,
  /insufficient funds/,
  /replacement transaction underpriced/,
  /transaction underpriced/,
  /max fee per gas less than block base fee/,
  /fee cap less than block base fee/,
  /max priority fee per gas higher than max fee per gas/,
  /tip (above|higher than) fee cap/,
  /intrinsic gas too low/,
  /exceeds block gas limit/,
  /gas limit reached/,
  /invalid sender/,
  /invalid chain ?id|chain ?id mismatch|incorrect chain ?id/,
  /only replay-protected/,
  /oversized data/,
  /exceeds the configured cap/,
  /transaction type not supported/,
  /future transaction tries to replace pending/,
  /txpool is full|account limit exceeded|too many transactions/,
  /rlp:|invalid transaction|failed to decode/,
  /already known|already imported|known transaction/,
]

/** What the node's answer to `eth_sendRawTransaction` means. */
export type SendAnswer = { readonly kind: 'refused'; readonly message: string } | { readonly kind: 'unknown'; readonly message: string }

function httpStatus(error: unknown): number | undefined {
  let e: unknown = error
  for (let depth = 0; e && depth < 8; depth++) {
    const status = (e as { status?: unknown }).status
    if (typeof status === 'number') return status
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The JSON-RPC error message the node sent, if the failure carries one. */
function nodeMessage(error: unknown): string | undefined {
  let e: unknown = error
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof BaseError && e.name === 'RpcRequestError') return (e.details ?? e.shortMessage).toLowerCase()
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * Classifies a failed `eth_sendRawTransaction`: `refused` only for a JSON-RPC error object
 * (in an HTTP 2xx or 4xx answer) whose message is one the chain defines; everything else is
 * `unknown` — the node may have taken the transaction.
 */
export function sendAnswer(error: unknown): SendAnswer {
  const status = httpStatus(error)
  const message = nodeMessage(error)
  const text = redactUrls(message ?? errorText(error)).slice(0, 300)
  if (message === undefined || (status !== undefined && (status >= 500 || status === 408 || status === 429)))
    return { kind: 'unknown', message: text }
  return REFUSALS.some((r) => r.test(message)) ? { kind: 'refused', message: text } : { kind: 'unknown', message: text }
}
