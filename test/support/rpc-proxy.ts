// A local HTTP JSON-RPC proxy in front of an upstream node (usually anvil), for
// failure tests: rate limits, dropped connections, lying nodes, slow nodes. It
// counts the HTTP requests it receives, so a test can assert how many round
// trips a code path made (a JSON-RPC batch is one HTTP request).
//
// Per HTTP request, in this order:
//   1. wait delayMs (if set);
//   2. the first `dropFirst` requests: the socket is destroyed, no response;
//   3. the next `failFirst.count` requests: answered with failFirst.status
//      (429 or 503), a Retry-After header if retryAfterSeconds is set, and a
//      JSON-RPC error body; not forwarded;
//   4. `fault` is asked about every call of the request (batches flattened);
//      the first fault it returns decides the fate of the whole HTTP request:
//      - refuse: not forwarded; answered with a JSON-RPC error object
//        (HTTP 200 unless `status` is given), as a node refusing it would;
//      - status: not forwarded; a bare HTTP status (Retry-After optional);
//      - accept-then-status: forwarded (the node acts on it), then the answer
//        is replaced by an HTTP error status (a load balancer's 502 after
//        the node accepted);
//      - accept-then-hang: forwarded, then never answered (the client times
//        out; the connection is closed at stop());
//      - accept-then-reset: forwarded, then the socket is destroyed;
//   5. everything else is forwarded to upstream as is (single calls and
//      batches alike); `rewrite` may then replace each call's result.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { serveLoopback } from '../../src/testing/http.js'

/** What happens to one HTTP request (see the header comment). */
export type RpcFault =
  | { kind: 'refuse'; error: { code: number; message: string }; status?: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'accept-then-status'; status: number; body?: string }
  | { kind: 'accept-then-hang' }
  | { kind: 'accept-then-reset' }

/** One JSON-RPC call as the proxy saw it. */
export interface RpcCall {
  method: string
  params: unknown[]
}

export interface RpcProxyBehaviour {
  /** Decides a fault for a call (asked for each call of each request, batches flattened). */
  fault?: (call: RpcCall) => RpcFault | undefined
  failFirst?: { status: 429 | 503; retryAfterSeconds?: number; count: number }
  /** Destroy the socket without responding for the first N requests. */
  dropFirst?: number
  /** Replace the result of a forwarded call (errors are passed through untouched). */
  rewrite?: (method: string, result: unknown) => unknown
  /** Wait this long before handling each request. */
  delayMs?: number
}

export interface RpcProxy {
  url: string
  /** HTTP requests received so far (dropped and failed ones included). */
  readonly requests: number
  /** JSON-RPC methods received so far, in order, batches flattened. */
  readonly methods: readonly string[]
  /** The methods of each HTTP request so far, in order (a batch is one list). */
  readonly batches: readonly (readonly string[])[]
  /** The behaviour in force; mutate its fields to change it mid-test (the drop/fail counters are not reset). */
  behaviour: RpcProxyBehaviour
  /** Zeroes `requests`, `methods` and the drop/fail counters. */
  reset(): void
  stop(): Promise<void>
}

interface JsonRpcRequest {
  id?: unknown
  method?: unknown
  params?: unknown
}

interface JsonRpcResponse {
  id?: unknown
  result?: unknown
  error?: unknown
}

export async function startRpcProxy(upstream: string, behaviour: RpcProxyBehaviour = {}): Promise<RpcProxy> {
  let requests = 0
  let dropped = 0
  let failed = 0
  let methods: string[] = []
  let batches: string[][] = []
  const hanging = new Set<ServerResponse>()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++
    const body = await readBody(req)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      parsed = undefined
    }
    const calls: JsonRpcRequest[] = Array.isArray(parsed)
      ? (parsed as JsonRpcRequest[])
      : parsed && typeof parsed === 'object'
        ? [parsed as JsonRpcRequest]
        : []
    const names = calls.map((c) => (typeof c?.method === 'string' ? c.method : '?'))
    methods.push(...names)
    batches.push(names)

    const b = proxy.behaviour
    if (b.delayMs) await sleep(b.delayMs)

    if (dropped < (b.dropFirst ?? 0)) {
      dropped++
      req.socket.destroy()
      return
    }

    if (b.failFirst && failed < b.failFirst.count) {
      failed++
      const { status, retryAfterSeconds } = b.failFirst
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds)
      const message = status === 429 ? 'Too Many Requests' : 'Service Unavailable'
      res.writeHead(status, headers)
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: status === 429 ? -32005 : -32603, message } }))
      return
    }

    let fault: RpcFault | undefined
    for (const c of calls) {
      fault = b.fault?.({ method: typeof c?.method === 'string' ? c.method : '?', params: Array.isArray(c?.params) ? c.params : [] })
      if (fault) break
    }
    if (fault?.kind === 'refuse') {
      const answer = (c: JsonRpcRequest) => ({ jsonrpc: '2.0', id: c?.id ?? null, error: fault.error })
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(Array.isArray(parsed) ? calls.map(answer) : answer(calls[0] ?? {})))
      return
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'text/plain' }
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds)
      res.writeHead(fault.status, headers)
      res.end(fault.body ?? `rpc-proxy: HTTP ${fault.status}`)
      return
    }

    let upstreamRes: Response
    try {
      upstreamRes = await fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body,
      })
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`rpc-proxy: upstream unreachable: ${(error as Error).message}`)
      return
    }
    let text = await upstreamRes.text()

    if (fault?.kind === 'accept-then-status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' })
      res.end(fault.body ?? `rpc-proxy: HTTP ${fault.status} after the node answered`)
      return
    }
    if (fault?.kind === 'accept-then-hang') {
      hanging.add(res)
      return
    }
    if (fault?.kind === 'accept-then-reset') {
      req.socket.destroy()
      return
    }

    const rewrite = b.rewrite
    if (rewrite && calls.length > 0) {
      try {
        const methodById = new Map<string, string>()
        for (const c of calls) if (typeof c?.method === 'string') methodById.set(JSON.stringify(c.id), c.method)
        const apply = (r: JsonRpcResponse): JsonRpcResponse => {
          const method = methodById.get(JSON.stringify(r?.id))
          if (!method || !r || typeof r !== 'object' || !('result' in r)) return r
          return { ...r, result: rewrite(method, r.result) }
        }
        const out = JSON.parse(text) as JsonRpcResponse | JsonRpcResponse[]
        text = JSON.stringify(Array.isArray(out) ? out.map(apply) : apply(out))
      } catch {
        // not JSON-RPC: pass it through as it came
      }
    }

    res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'application/json' })
    res.end(text)
  }

  const server = await serveLoopback('rpc-proxy', handle)

  const proxy: RpcProxy = {
    url: server.url,
    get requests() {
      return requests
    },
    get methods() {
      return methods
    },
    get batches() {
      return batches
    },
    behaviour,
    reset() {
      requests = 0
      dropped = 0
      failed = 0
      methods = []
      batches = []
    },
    stop() {
      for (const res of hanging) res.destroy()
      hanging.clear()
      return server.stop()
    },
  }
  return proxy
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
