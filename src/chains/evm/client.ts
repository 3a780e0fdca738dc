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
 * @module
 * @internal
 */
import { createPublicClient, fallback, http, type Chain, type PublicClient, type Transport } from 'viem'

/** Default cap on a server's Retry-After: 30 s. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000

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
 * A fetch whose responses never ask for a longer wait than `maxMs`: a Retry-After header above
 * the cap (in seconds or as an HTTP date) is rewritten to the cap, so viem's retry honours at
 * most that.
 */
export function cappedRetryAfter(fetchFn: typeof fetch, maxMs: number): typeof fetch {
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
  const fetchFn = cappedRetryAfter(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)
  return options.rpcUrls.map((url) => http(url, { batch: batch ? { batchSize: 1000, wait: 0 } : false, timeout, retryCount, retryDelay, fetchFn }))
}

const client = (chain: Chain, transport: Transport) => createPublicClient({ chain, transport, batch: { multicall: false }, cacheTime: 0 }) as PublicClient<Transport, Chain>

/** A viem public client for `chain` over the configured endpoints (reads: batched, retried, failing over). */
export function createClient(chain: Chain, options: EvmTransportOptions): PublicClient<Transport, Chain> {
  const retryCount = options.retryCount ?? 3
  const transports = httpTransports(options, true, retryCount)
  return client(chain, transports.length === 1 ? (transports[0] as Transport) : fallback(transports, { retryCount, retryDelay: options.retryDelayMs ?? 150 }))
}

/**
 * The clients broadcasts go through, one per endpoint in order: one HTTP request per
 * transaction, no automatic retry, no automatic failover (the broadcaster chooses the endpoint,
 * so it knows which one answered what).
 */
export function createSendClients(chain: Chain, options: EvmTransportOptions): PublicClient<Transport, Chain>[] {
  return httpTransports(options, false, 0).map((transport) => client(chain, transport))
}
