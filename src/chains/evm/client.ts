/**
 * The JSON-RPC client behind an EVM adapter: viem's HTTP transport (JSON-RPC batching of
 * requests made together, timeouts, retries on 429 / 5xx / dropped connections honouring
 * Retry-After) and, with several URLs, viem's fallback transport that fails over between them.
 * @module
 * @internal
 */
import { createPublicClient, fallback, http, type Chain, type PublicClient, type Transport } from 'viem'

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
  /** Custom fetch (tests, metering, proxies). */
  fetch?: typeof fetch
}

/** A viem public client for `chain` over the configured endpoints. */
export function createClient(chain: Chain, options: EvmTransportOptions): PublicClient<Transport, Chain> {
  const retryCount = options.retryCount ?? 3
  const retryDelay = options.retryDelayMs ?? 150
  const timeout = options.timeoutMs ?? 10_000
  const transports = options.rpcUrls.map((url) =>
    http(url, { batch: { batchSize: 1000, wait: 0 }, timeout, retryCount, retryDelay, ...(options.fetch ? { fetchFn: options.fetch } : {}) }),
  )
  const transport = transports.length === 1 ? (transports[0] as Transport) : fallback(transports, { retryCount, retryDelay })
  return createPublicClient({ chain, transport, batch: { multicall: false }, cacheTime: 0 }) as PublicClient<Transport, Chain>
}
