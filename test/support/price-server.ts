// A local HTTP server that speaks the two CoinGecko endpoints coffer's httpPrices uses,
// over an in-memory price table, on 127.0.0.1 and a free port:
//
//   GET /simple/price?ids=<ids>&vs_currencies=<curs>[&include_last_updated_at=true]
//     → { "<coin id>": { "<cur>": <number>, "last_updated_at": <unix s> } }
//   GET /simple/token_price/<platform>?contract_addresses=<addrs>&vs_currencies=<curs>[&include_last_updated_at=true]
//     → { "<lowercase contract>": { "<cur>": <number>, "last_updated_at": <unix s> } }
//
// As CoinGecko does, unknown ids / contracts are omitted from the answer, and a known one
// without a price in the asked currency is answered with an empty object. Paths are served
// at the root and under /api/v3; `url` ends in /api/v3 like the real base URL.
//
// Test switches: failNext(n, status, retryAfter?) fails the next n requests; setDelay(ms)
// delays every answer (timeouts, in-flight dedupe); an apiKey option makes requests without
// the right header fail with 401. Every request's path + query is recorded in `requests`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A price as the table holds it. Non-numbers let tests send malformed entries. */
type TablePrice = number | string | null

interface PriceTable {
  /** Prices by coin id, then currency. */
  coins: Record<string, Record<string, TablePrice>>
  /** Prices by platform, then lower-case contract, then currency. */
  tokens: Record<string, Record<string, Record<string, TablePrice>>>
}

export interface PriceServerOptions {
  /** Initial table (copied). */
  table?: Partial<PriceTable>
  /** If set, every request must carry this value in `apiKeyHeader`, else HTTP 401. */
  apiKey?: string
  /** Default 'x-cg-demo-api-key'. */
  apiKeyHeader?: string
  /** `last_updated_at` in every entry (unix seconds), default 1_700_000_000. */
  updatedAt?: number
}

/** What a price is for: a coin id, or a contract on a platform. */
type PriceTarget = { coin: string } | { platform: string; contract: string }

export interface PriceServer {
  /** Base URL, e.g. http://127.0.0.1:12345/api/v3 */
  readonly url: string
  /** Path + query of every request received, in order. */
  readonly requests: string[]
  /** Header values of every request received, in order. */
  readonly headers: Record<string, string | string[] | undefined>[]
  /** Sets (or with `undefined` removes) one price. */
  setPrice(target: PriceTarget, currency: string, price: TablePrice | undefined): void
  /** The next `count` requests answer `status` (with Retry-After when given). */
  failNext(count: number, status: number, retryAfter?: number | string): void
  /** Delays every answer by `ms` (0 to stop). */
  setDelay(ms: number): void
  /** Sets the `last_updated_at` sent from now on (unix seconds; undefined: leave it out). */
  setUpdatedAt(seconds: number | undefined): void
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

function entry(prices: Record<string, TablePrice> | undefined, currencies: string[], updatedAt: number | undefined, withTime: boolean) {
  const out: Record<string, unknown> = {}
  if (!prices) return out
  for (const cur of currencies) if (Object.hasOwn(prices, cur)) out[cur] = prices[cur]
  if (withTime && Object.keys(out).length > 0 && updatedAt !== undefined) out.last_updated_at = updatedAt
  return out
}

export async function startPriceServer(options: PriceServerOptions = {}): Promise<PriceServer> {
  const table: PriceTable = { coins: structuredClone(options.table?.coins ?? {}), tokens: structuredClone(options.table?.tokens ?? {}) }
  const apiKeyHeader = (options.apiKeyHeader ?? 'x-cg-demo-api-key').toLowerCase()
  let updatedAt: number | undefined = options.updatedAt ?? 1_700_000_000
  let delayMs = 0
  let failures: { count: number; status: number; retryAfter?: number | string } = { count: 0, status: 500 }
  const requests: string[] = []
  const headers: Record<string, string | string[] | undefined>[] = []

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    requests.push(url.pathname + url.search)
    headers.push({ ...req.headers })
    if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' })
    if (options.apiKey !== undefined && req.headers[apiKeyHeader] !== options.apiKey) {
      return send(res, 401, { status: { error_code: 10002, error_message: 'API Key Missing or invalid' } })
    }
    if (failures.count > 0) {
      failures.count--
      const extra: Record<string, string> = failures.retryAfter === undefined ? {} : { 'retry-after': String(failures.retryAfter) }
      return send(res, failures.status, { status: { error_code: failures.status, error_message: 'failing on purpose' } }, extra)
    }
    const path = url.pathname.replace(/^\/api\/v3/, '')
    const currencies = (url.searchParams.get('vs_currencies') ?? '').toLowerCase().split(',').filter(Boolean)
    const withTime = url.searchParams.get('include_last_updated_at') === 'true'
    if (currencies.length === 0) return send(res, 400, { error: 'Missing parameter vs_currencies' })
    const body: Record<string, unknown> = {}
    if (path === '/simple/price') {
      const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean)
      if (ids.length === 0) return send(res, 400, { error: 'Missing parameter ids' })
      for (const id of ids) if (Object.hasOwn(table.coins, id)) body[id] = entry(table.coins[id], currencies, updatedAt, withTime)
      return send(res, 200, body)
    }
    const token = /^\/simple\/token_price\/([a-z0-9-]+)$/.exec(path)
    if (token) {
      const platform = table.tokens[token[1] as string]
      const contracts = (url.searchParams.get('contract_addresses') ?? '').toLowerCase().split(',').filter(Boolean)
      if (contracts.length === 0) return send(res, 400, { error: 'Missing parameter contract_addresses' })
      for (const c of contracts) if (platform && Object.hasOwn(platform, c)) body[c] = entry(platform[c], currencies, updatedAt, withTime)
      return send(res, 200, body)
    }
    return send(res, 404, { error: 'Not found' })
  }

  const server = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => handle(req, res), delayMs)
    else handle(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/api/v3`,
    requests,
    headers,
    setPrice(target, currency, price) {
      const cur = currency.toLowerCase()
      let prices: Record<string, TablePrice>
      if ('coin' in target) prices = table.coins[target.coin] ??= {}
      else prices = (table.tokens[target.platform] ??= {})[target.contract.toLowerCase()] ??= {}
      if (price === undefined) delete prices[cur]
      else prices[cur] = price
    },
    failNext(count, status, retryAfter) {
      failures = retryAfter === undefined ? { count, status } : { count, status, retryAfter }
    },
    setDelay(ms) {
      delayMs = ms
    },
    setUpdatedAt(seconds) {
      updatedAt = seconds
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
    },
  }
}
