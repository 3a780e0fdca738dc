/**
 * A local HTTP server that speaks the Esplora REST API (Blockstream's esplora, mempool.space's
 * /api) over an in-memory UTXO set: a Bitcoin backend for tests, with no Bitcoin node.
 *
 * It is a checking node, not a mock: POST /tx parses the transaction with bitcoinjs-lib and
 * verifies EVERY input's signature with tiny-secp256k1 (libsecp256k1 compiled to WebAssembly,
 * independent of coffer's @noble/curves) before it accepts anything, after Bitcoin Core's
 * mempool rules (./accept.ts). Its chain is synthetic (./ledger.ts); its fault layer
 * (./faults.ts) makes it fail or lie on purpose. Paths are served both at the root and under
 * /api, so `${url}` and `${url}/api` both work as base URLs. It listens on 127.0.0.1 only.
 *
 * This module loads bitcoinjs-lib and tiny-secp256k1 when it is imported: coffer/testing imports
 * it only when `startLocalBitcoin` is called.
 * @module
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { serveLoopback } from '../http.js'
import { FaultLayer, applyFault } from './faults.js'
import { Ledger, NETWORKS } from './ledger.js'
import { route, type RouteState } from './routes.js'
import { toHex } from './script.js'
import type { EsploraOptions, EsploraServer } from './types.js'

export { NETWORKS } from './ledger.js'
export type * from './types.js'

const DEFAULT_FEE_ESTIMATES: Record<string, number> = { '1': 20, '3': 10, '6': 5, '144': 1 }

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Starts the server on a free 127.0.0.1 port. Stop it when done. */
export async function startEsplora(options: EsploraOptions): Promise<EsploraServer> {
  const networkName = options.network
  const network = NETWORKS[networkName]
  if (!network) throw new Error(`esplora-server: unknown network ${String(networkName)}`)
  const ledger = new Ledger(networkName, network, options.startHeight ?? 100)
  const faults = new FaultLayer()
  const state: RouteState = {
    minRelayFeeRate: options.minRelayFeeRate ?? 1,
    feeEstimates: { ...DEFAULT_FEE_ESTIMATES },
    rejectQueue: [],
    broadcasts: [],
  }
  let requests = 0
  let requestLog: string[] = []

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://esplora.local')
    requestLog.push(`${method} ${url.pathname}`)
    const body = (await readBody(req)).toString('utf8')
    let parts = url.pathname
      .split('/')
      .filter((p) => p.length > 0)
      .map(decodeURIComponent)
    if (parts[0] === 'api') parts = parts.slice(1)
    const path = `/${parts.join('/')}`
    const early = faults.match(method, path, 'before')
    if (early) return applyFault(early, req, res)
    const reply = route(ledger, state, method, parts, body)
    const late = faults.match(method, path, 'after')
    if (late) return applyFault(late, req, res)
    const contentType = { text: 'text/plain', json: 'application/json', binary: 'application/octet-stream' }[reply.type]
    let out: string | Buffer =
      reply.type === 'json'
        ? JSON.stringify(reply.body, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
        : (reply.body as string | Buffer)
    if (faults.rewrite && typeof out === 'string') out = faults.rewrite({ method, path }, { status: reply.status, body: out }) ?? out
    res.writeHead(reply.status, { 'content-type': contentType })
    res.end(out)
  }

  const server = await serveLoopback('esplora-server', handle)

  return {
    url: server.url,
    network: networkName,
    btcNetwork: network,
    get requests() {
      return requests
    },
    get requestLog() {
      return requestLog
    },
    get broadcasts() {
      return state.broadcasts
    },
    get tipHeight() {
      return ledger.tip().height
    },
    get tipHash() {
      return ledger.tip().hash
    },
    async fund(addr, amount, { confirmed = true } = {}) {
      return ledger.fund(addr, amount, confirmed)
    },
    mine(count = 1) {
      return ledger.mine(count)
    },
    setFeeEstimates(estimates) {
      state.feeEstimates = { ...estimates }
    },
    rejectNext(reason, { status = 400 } = {}) {
      state.rejectQueue.push({ reason, status })
    },
    transactions() {
      return ledger.transactions()
    },
    utxos(addr) {
      return ledger.utxoList(addr === undefined ? undefined : toHex(ledger.scriptFor(addr)))
    },
    resetRequests() {
      requests = 0
      requestLog = []
    },
    addFault(rule) {
      return faults.add(rule)
    },
    setRewrite(fn) {
      faults.rewrite = fn
    },
    clearFaults() {
      faults.clear()
    },
    get faultLog() {
      return faults.log
    },
    stop: () => server.stop(),
  }
}
