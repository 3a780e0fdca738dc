/**
 * A Solana JSON-RPC client: batches (one HTTP request for many calls, split at `maxBatchSize`),
 * per-request timeouts, retries of reads on lost connections, HTTP 429 / 5xx (Retry-After
 * honoured up to `maxRetryAfterMs`) and a node that is behind (-32005), moving to the next URL
 * on each retry. Every wait ends when the caller's signal aborts.
 *
 * `send` is for writes (`sendTransaction`): one request, never retried here. A JSON-RPC error in
 * the answer is the node's refusal (`RpcError` with `details.code`); anything else — timeout,
 * reset, 5xx, an unreadable answer — is an `RpcError` without `code`: the node may have taken
 * the transaction, and only a lookup by signature can tell.
 * @module
 */
import { assertOptions, isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError, RpcError } from '../../core/errors.js'
import { eitherSignal, throwIfAborted } from '../abort.js'
import { failover, retryAfterMs, Retryable } from '../retry.js'

/** Options of {@link solanaRpc}. */
export interface SolanaRpcOptions {
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries of reads after the first attempt, default 3. Writes are never retried here. */
  retryCount?: number
  /** Calls per HTTP batch at most, default 100 (public endpoints cap batches; 1 turns batching off). */
  maxBatchSize?: number
  /** The longest wait a server's Retry-After can impose, default 30,000 ms. */
  maxRetryAfterMs?: number
  /** Custom fetch (proxies, metering, tests); default the global `fetch`. */
  fetch?: typeof fetch
}

/** One call of a batch. */
export interface RpcRequest {
  readonly method: string
  readonly params: readonly unknown[]
}

/** One answer of a batch: the result, or the node's error for that call alone. */
export type RpcResult<T = unknown> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: RpcError }

/** Per-call options. */
export interface RpcCallOptions {
  readonly signal?: AbortSignal
}

/** The JSON-RPC client the Solana adapter reads and writes through. */
export interface SolanaRpc {
  readonly urls: readonly string[]
  /** One read; retried. @throws RpcError (with `details.code` when the node answered with an error) */
  call<T>(method: string, params: readonly unknown[], options?: RpcCallOptions): Promise<T>
  /** Many reads in as few HTTP requests as `maxBatchSize` allows, answers in order; retried as a whole on transport errors. @throws RpcError */
  batch<T = unknown>(requests: readonly RpcRequest[], options?: RpcCallOptions): Promise<RpcResult<T>[]>
  /** One write, never retried. @throws RpcError (with `details.code` only when the node answered with an error) */
  send<T>(method: string, params: readonly unknown[], options?: RpcCallOptions): Promise<T>
  /** HTTP requests made so far (for tests and benches). */
  readonly requests: number
}

interface JsonRpcAnswer {
  readonly id?: unknown
  readonly result?: unknown
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly data?: unknown }
}

/** JSON-RPC errors worth a retry on another attempt: the node is behind or unhealthy. */
const RETRYABLE_CODES = new Set([-32005, -32004, -32014, -32016])

function checkCount(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, min, max)) throw new InvalidArgumentError(`rpc.${name} must be an integer from ${min} to ${max}.`)
  return value
}

/** The node's JSON-RPC error as an RpcError (code, message and, when short, data kept in details). */
function rpcErrorOf(method: string, error: NonNullable<JsonRpcAnswer['error']>): RpcError {
  const code = typeof error.code === 'number' ? error.code : undefined
  const message = typeof error.message === 'string' ? error.message.slice(0, 500) : 'no message'
  let data: string | undefined
  try {
    data = error.data === undefined ? undefined : JSON.stringify(error.data).slice(0, 2_000)
  } catch {
    data = undefined
  }
  return new RpcError(`${method}: the node answered ${code ?? 'an error'}: ${message}`, {
    details: { method, reason: message, ...(code === undefined ? {} : { code }), ...(data === undefined ? {} : { data }) },
  })
}

/** A JSON-RPC client for `urls` (tried in turn on retries). @throws InvalidArgumentError */
export function solanaRpc(urls: readonly string[], options: SolanaRpcOptions = {}): SolanaRpc {
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^https?:\/\/\S+$/.test(u)))
    throw new InvalidArgumentError('rpcUrls must be a non-empty array of http(s) URLs.')
  const opts = assertOptions(options)
  const timeoutMs = checkCount(opts.timeoutMs, 'timeoutMs', 10_000, 1, 3_600_000)
  const retryCount = checkCount(opts.retryCount, 'retryCount', 3, 0, 10)
  const maxBatchSize = checkCount(opts.maxBatchSize, 'maxBatchSize', 100, 1, 10_000)
  const maxRetryAfterMs = checkCount(opts.maxRetryAfterMs, 'maxRetryAfterMs', 30_000, 0, 3_600_000)
  const fetchFn = opts.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => globalThis.fetch(input, init))
  if (typeof fetchFn !== 'function') throw new InvalidArgumentError('rpc.fetch must be a function.')
  const list = Object.freeze([...urls])
  let requests = 0
  let nextId = 1
  const urlsInTurn = failover(list, retryCount)

  /** One HTTP request of `body`; the parsed JSON. Transport failures are Retryable. */
  async function post(url: string, body: unknown, what: string, signal: AbortSignal | undefined): Promise<unknown> {
    throwIfAborted(signal)
    const timeout = AbortSignal.timeout(timeoutMs)
    requests++
    let response: Response
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: eitherSignal(timeout, signal),
      })
    } catch (cause) {
      throwIfAborted(signal)
      const timedOut = timeout.aborted
      throw new Retryable(
        new RpcError(
          timedOut ? `${what}: no answer within ${timeoutMs} ms.` : `${what}: the request failed (${String(cause).slice(0, 200)}).`,
          {
            cause,
            details: { method: what, ...(timedOut ? { timeoutMs } : {}) },
          },
        ),
      )
    }
    const text = await response.text().catch(() => '')
    if (response.status === 429 || response.status >= 500) {
      throw new Retryable(
        new RpcError(`${what}: HTTP ${response.status} from the node.`, { details: { method: what, status: response.status } }),
        retryAfterMs(response.headers.get('retry-after'), maxRetryAfterMs),
      )
    }
    if (!response.ok) {
      throw new RpcError(`${what}: HTTP ${response.status} from the node (${text.slice(0, 200)}).`, {
        details: { method: what, status: response.status },
      })
    }
    try {
      return JSON.parse(text) as unknown
    } catch (cause) {
      throw new Retryable(new RpcError(`${what}: the node's answer is not JSON.`, { cause, details: { method: what } }))
    }
  }

  function answerOf(value: unknown, method: string): JsonRpcAnswer {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Retryable(new RpcError(`${method}: the node's answer is not a JSON-RPC response.`, { details: { method } }))
    return value as JsonRpcAnswer
  }

  function resultOf<T>(answer: JsonRpcAnswer, method: string, retryCodes: boolean): T {
    if (answer.error !== undefined && answer.error !== null) {
      const error = rpcErrorOf(method, answer.error)
      if (retryCodes && RETRYABLE_CODES.has(error.details.code as number)) throw new Retryable(error)
      throw error
    }
    if (!('result' in answer))
      throw new Retryable(new RpcError(`${method}: the answer has neither result nor error.`, { details: { method } }))
    return answer.result as T
  }

  async function callOnce<T>(method: string, params: readonly unknown[], signal: AbortSignal | undefined, retry: boolean): Promise<T> {
    const run = async (url: string) => {
      const id = nextId++
      const answer = answerOf(await post(url, { jsonrpc: '2.0', id, method, params }, method, signal), method)
      if (answer.id !== id) throw new Retryable(new RpcError(`${method}: the answer is for another request.`, { details: { method } }))
      return resultOf<T>(answer, method, retry)
    }
    if (retry) return urlsInTurn.run(signal, run)
    try {
      return await run(urlsInTurn.current())
    } catch (error) {
      throw error instanceof Retryable ? error.error : error
    }
  }

  async function batchChunk<T>(chunk: readonly RpcRequest[], signal: AbortSignal | undefined): Promise<RpcResult<T>[]> {
    const what = chunk.length === 1 ? chunk[0]!.method : `batch of ${chunk.length} (${chunk[0]!.method}…)`
    return urlsInTurn.run(signal, async (url) => {
      const first = nextId
      nextId += chunk.length
      const body = chunk.map((r, i) => ({ jsonrpc: '2.0', id: first + i, method: r.method, params: r.params }))
      const answer = await post(url, body, what, signal)
      if (!Array.isArray(answer)) {
        // A node that refuses batches answers one error object.
        const single = answerOf(answer, what)
        if (single.error) throw rpcErrorOf(what, single.error)
        throw new Retryable(new RpcError(`${what}: the node did not answer the batch with an array.`, { details: { method: what } }))
      }
      const byId = new Map<unknown, JsonRpcAnswer>()
      for (const item of answer) if (item && typeof item === 'object') byId.set((item as JsonRpcAnswer).id, item as JsonRpcAnswer)
      return chunk.map((r, i): RpcResult<T> => {
        const item = byId.get(first + i)
        if (!item)
          throw new Retryable(new RpcError(`${what}: the answer misses call ${i} (${r.method}).`, { details: { method: r.method } }))
        if (item.error !== undefined && item.error !== null) {
          const error = rpcErrorOf(r.method, item.error)
          if (RETRYABLE_CODES.has(error.details.code as number)) throw new Retryable(error)
          return { ok: false, error }
        }
        if (!('result' in item))
          throw new Retryable(new RpcError(`${r.method}: the answer has neither result nor error.`, { details: { method: r.method } }))
        return { ok: true, result: item.result as T }
      })
    })
  }

  return {
    urls: list,
    get requests() {
      return requests
    },
    call: <T>(method: string, params: readonly unknown[], options?: RpcCallOptions) => callOnce<T>(method, params, options?.signal, true),
    send: <T>(method: string, params: readonly unknown[], options?: RpcCallOptions) => callOnce<T>(method, params, options?.signal, false),
    async batch<T = unknown>(all: readonly RpcRequest[], options?: RpcCallOptions): Promise<RpcResult<T>[]> {
      if (all.length === 0) return []
      const chunks: RpcRequest[][] = []
      for (let i = 0; i < all.length; i += maxBatchSize) chunks.push(all.slice(i, i + maxBatchSize))
      const answers = await Promise.all(chunks.map((chunk) => batchChunk<T>(chunk, options?.signal)))
      return answers.flat()
    },
  }
}
