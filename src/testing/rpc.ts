/**
 * The JSON-RPC calls the local-chain kit makes to its own anvil: one request at a time, each
 * bounded by a timeout, failures as {@link RpcError} naming the method (never the URL's secrets:
 * the kit's URLs are loopback and carry none).
 * @module
 * @internal
 */
import { RpcError } from '../core/errors.js'

/** Default per-request timeout of the kit's JSON-RPC calls. */
const RPC_TIMEOUT_MS = 10_000

let nextId = 0

/**
 * Calls `method` on the JSON-RPC server at `url` and returns its result.
 * @throws RpcError for a network failure, a timeout, a non-JSON answer or a JSON-RPC error
 *   (`details.rpcCode`, `details.rpcMessage`)
 */
export async function rpcCall<T = unknown>(
  url: string,
  method: string,
  params: readonly unknown[] = [],
  timeoutMs = RPC_TIMEOUT_MS,
): Promise<T> {
  let text: string
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++nextId, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    text = await res.text()
  } catch (cause) {
    throw new RpcError(`The local node did not answer ${method}: ${(cause as Error).message}.`, { details: { method, url }, cause })
  }
  let body: { result?: unknown; error?: { code?: unknown; message?: unknown } }
  try {
    body = JSON.parse(text) as typeof body
  } catch (cause) {
    throw new RpcError(`The local node answered ${method} with something that is not JSON.`, {
      details: { method, answer: text.slice(0, 120) },
      cause,
    })
  }
  if (body.error) {
    const rpcMessage = String(body.error.message ?? '').slice(0, 300)
    throw new RpcError(`The local node refused ${method}: ${rpcMessage}`, {
      details: { method, rpcCode: Number(body.error.code), rpcMessage },
    })
  }
  return body.result as T
}
