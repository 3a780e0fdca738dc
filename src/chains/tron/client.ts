/**
 * A TronGrid HTTP client: java-tron's HTTP API (`POST /wallet/*`, `POST /walletsolidity/*`, JSON
 * bodies) and TronGrid's account endpoints (`GET /v1/*`), with a per-request timeout, retries of
 * reads on lost connections, HTTP 429 / 5xx and unreadable answers (Retry-After honoured up to
 * `maxRetryAfterMs`), moving to the next of `apiUrls` on each retry. Every wait ends when the
 * caller's signal aborts.
 *
 * `apiKey` goes only in the `TRON-PRO-API-KEY` header (TronGrid's, https://developers.tron.network/reference/api-key)
 * and never into an error: messages name the path, never the URL, and any text that could
 * echo the key (a transport error) is scrubbed.
 *
 * java-tron answers a request it cannot serve with HTTP 200 and `{ "Error": "<class> : <text>" }`
 * (Util.printErrorMsg): that is an {@link RpcError} with the text in `details.reason`, not
 * retried (another node would say the same).
 *
 * `send` is for broadcasts: one request, never retried here. An answer carrying a `code` other
 * than `SUCCESS` (java-tron's `GrpcAPI.Return.response_code`: SIGERROR, TAPOS_ERROR,
 * DUP_TRANSACTION_ERROR…) or an `Error` is the node's refusal: an RpcError WITH `details.code`
 * (the `Error` form gets `code: 'Error'`) and the message (hex-decoded when java-tron wrote it in
 * hex). Anything else — timeout, reset, HTTP error, an unreadable answer — is an RpcError
 * WITHOUT `code`: the node may have taken the transaction, and only a lookup by txID can tell.
 * @module
 * @internal
 */
import { assertOptions, isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError, RpcError } from '../../core/errors.js'
import { eitherSignal, throwIfAborted } from '../abort.js'
import { failover, retryAfterMs, Retryable } from '../retry.js'

/** Options of {@link tronClient}. */
export interface TronClientOptions {
  /** TronGrid API key, sent only in the `TRON-PRO-API-KEY` header. */
  apiKey?: string
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries of reads after the first attempt, default 3. Broadcasts are never retried here. */
  retryCount?: number
  /** The longest wait a server's Retry-After can impose, default 30,000 ms. */
  maxRetryAfterMs?: number
  /** Custom fetch (proxies, metering, tests); default the global `fetch`. */
  fetch?: typeof fetch
}

/** Per-call options. */
interface TronCallOptions {
  readonly signal?: AbortSignal
}

/** The HTTP client the Tron modules read and write through. */
export interface TronClient {
  readonly urls: readonly string[]
  /** POST a read (`/wallet/*`, `/walletsolidity/*`); retried. @throws RpcError */
  post<T>(path: string, body: object, options?: TronCallOptions): Promise<T>
  /** GET a read (`/v1/*`); retried. @throws RpcError */
  get<T>(path: string, options?: TronCallOptions): Promise<T>
  /** POST a broadcast, never retried. @throws RpcError (with `details.code` only when the node refused) */
  send<T>(path: string, body: object, options?: TronCallOptions): Promise<T>
  /** HTTP requests made so far (for tests and benches). */
  readonly requests: number
}

function checkCount(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, min, max)) throw new InvalidArgumentError(`tron.${name} must be an integer from ${min} to ${max}.`)
  return value
}

const PATH = /^\/(wallet|walletsolidity|v1)\/[A-Za-z0-9_\-/.?=&%]{1,500}$/

/** java-tron writes `message` in hex when `visible` is false: the text when it is hex of printable UTF-8. */
function readableMessage(message: unknown): string {
  if (typeof message !== 'string') return ''
  if (/^([0-9a-fA-F]{2}){1,1000}$/.test(message)) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(message.match(/../g)!.map((b) => parseInt(b, 16))))
    if (/^[\x20-\x7e\t\n\r]+$/.test(text)) return text.slice(0, 500)
  }
  return message.slice(0, 500)
}

/** A TronGrid client for `urls` (tried in turn on retries). @throws InvalidArgumentError */
export function tronClient(urls: readonly string[], options: TronClientOptions = {}): TronClient {
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^https?:\/\/[^\s?#]+$/.test(u)))
    throw new InvalidArgumentError('apiUrls must be a non-empty array of http(s) URLs (no query or fragment).')
  const opts = assertOptions(options)
  const apiKey = opts.apiKey
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(apiKey)))
    throw new InvalidArgumentError('tron.apiKey must be a non-empty string of printable ASCII.') // never echo it
  const timeoutMs = checkCount(opts.timeoutMs, 'timeoutMs', 10_000, 1, 3_600_000)
  const retryCount = checkCount(opts.retryCount, 'retryCount', 3, 0, 10)
  const maxRetryAfterMs = checkCount(opts.maxRetryAfterMs, 'maxRetryAfterMs', 30_000, 0, 3_600_000)
  const fetchFn = opts.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => globalThis.fetch(input, init))
  if (typeof fetchFn !== 'function') throw new InvalidArgumentError('tron.fetch must be a function.')
  const list = Object.freeze(urls.map((u) => u.replace(/\/+$/, '')))
  let requests = 0
  const urlsInTurn = failover(list, retryCount)

  /** Text that may reach an error, without the API key. */
  const scrub = (text: string): string => (apiKey === undefined ? text : text.split(apiKey).join('[api key]'))

  /** One HTTP request; the parsed JSON. Transport failures, 429 / 5xx and non-JSON answers are Retryable. */
  async function request(
    url: string,
    method: 'GET' | 'POST',
    path: string,
    body: object | undefined,
    signal?: AbortSignal,
  ): Promise<unknown> {
    throwIfAborted(signal)
    const timeout = AbortSignal.timeout(timeoutMs)
    requests++
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (apiKey !== undefined) headers['TRON-PRO-API-KEY'] = apiKey
    let response: Response
    try {
      response = await fetchFn(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: eitherSignal(timeout, signal),
      })
    } catch (cause) {
      throwIfAborted(signal)
      const timedOut = timeout.aborted
      throw new Retryable(
        new RpcError(
          timedOut ? `${path}: no answer within ${timeoutMs} ms.` : `${path}: the request failed (${scrub(String(cause)).slice(0, 200)}).`,
          {
            details: { method: path, ...(timedOut ? { timeoutMs } : {}) },
          },
        ),
      )
    }
    let text: string
    try {
      text = await response.text()
    } catch (cause) {
      throwIfAborted(signal)
      throw new Retryable(
        new RpcError(`${path}: the answer was cut off (${scrub(String(cause)).slice(0, 200)}).`, { details: { method: path } }),
      )
    }
    if (response.status === 429 || response.status >= 500) {
      throw new Retryable(
        new RpcError(`${path}: HTTP ${response.status} from the node.`, { details: { method: path, status: response.status } }),
        retryAfterMs(response.headers.get('retry-after'), maxRetryAfterMs),
      )
    }
    if (!response.ok) {
      throw new RpcError(`${path}: HTTP ${response.status} from the node (${scrub(text).slice(0, 200)}).`, {
        details: { method: path, status: response.status },
      })
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new Retryable(new RpcError(`${path}: the node's answer is not JSON.`, { details: { method: path } }))
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new Retryable(new RpcError(`${path}: the node's answer is not a JSON object.`, { details: { method: path } }))
    return json
  }

  function checkPath(path: string, method: 'GET' | 'POST'): void {
    const ok = typeof path === 'string' && PATH.test(path) && (method === 'GET' ? path.startsWith('/v1/') : !path.startsWith('/v1/'))
    if (!ok) throw new InvalidArgumentError(`Not a TronGrid ${method} path: ${JSON.stringify(String(path).slice(0, 80))}.`)
  }

  /** java-tron's `{ Error: … }` answer as an RpcError (`code: 'Error'` for a broadcast). */
  function javaError(path: string, answer: { readonly Error?: unknown }, refusal: boolean): RpcError {
    const reason = scrub(String(answer.Error)).slice(0, 500)
    return new RpcError(`${path}: the node answered an error: ${reason}`, {
      details: { method: path, reason, ...(refusal ? { code: 'Error' } : {}) },
    })
  }

  async function read<T>(method: 'GET' | 'POST', path: string, body: object | undefined, options?: TronCallOptions): Promise<T> {
    checkPath(path, method)
    if (body !== undefined && (body === null || typeof body !== 'object'))
      throw new InvalidArgumentError('A TronGrid body is a JSON object.')
    const signal = options?.signal
    return urlsInTurn.run(signal, async (url) => {
      const answer = (await request(url, method, path, body, signal)) as { readonly Error?: unknown }
      if ('Error' in answer) throw javaError(path, answer, false)
      return answer as T
    })
  }

  return {
    urls: list,
    get requests() {
      return requests
    },
    post: <T>(path: string, body: object, options?: TronCallOptions) => read<T>('POST', path, body, options),
    get: <T>(path: string, options?: TronCallOptions) => read<T>('GET', path, undefined, options),
    async send<T>(path: string, body: object, options?: TronCallOptions): Promise<T> {
      checkPath(path, 'POST')
      let answer: { readonly Error?: unknown; readonly code?: unknown; readonly message?: unknown; readonly result?: unknown }
      try {
        answer = (await request(urlsInTurn.current(), 'POST', path, body, options?.signal)) as typeof answer
      } catch (error) {
        throw error instanceof Retryable ? error.error : error
      }
      if ('Error' in answer) throw javaError(path, answer, true)
      if (answer.code !== undefined && answer.code !== 'SUCCESS' && answer.result !== true) {
        const code = typeof answer.code === 'string' && /^[A-Z_]{1,60}$/.test(answer.code) ? answer.code : 'OTHER_ERROR'
        const reason = scrub(readableMessage(answer.message))
        throw new RpcError(`${path}: the node refused it: ${code}${reason ? `: ${reason}` : ''}`, {
          details: { method: path, code, reason },
        })
      }
      return answer as T
    },
  }
}
