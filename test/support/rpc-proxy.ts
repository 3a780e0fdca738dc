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
//   4. everything else is forwarded to upstream as is (single calls and
//      batches alike); `rewrite` may then replace each call's result.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RpcProxyBehaviour {
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
  /** The behaviour in force; mutate its fields to change it mid-test (the drop/fail counters are not reset). */
  behaviour: RpcProxyBehaviour
  /** Zeroes `requests`, `methods` and the drop/fail counters. */
  reset(): void
  stop(): Promise<void>
}

interface JsonRpcRequest {
  id?: unknown
  method?: unknown
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
    for (const c of calls) methods.push(typeof c?.method === 'string' ? c.method : '?')

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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`rpc-proxy: ${(error as Error).message}`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    get methods() {
      return methods
    },
    behaviour,
    reset() {
      requests = 0
      dropped = 0
      failed = 0
      methods = []
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
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
