/**
 * A {@link BitcoinBackend} over the Esplora REST API (Blockstream's esplora, mempool.space,
 * or a self-hosted electrs). Timeouts, retries on 429 / 5xx / dropped connections (Retry-After
 * honoured), and at most `concurrency` requests in flight, since Esplora has no batch calls.
 * @module
 */
import { assertOptions } from '../../assert.js'
import { InvalidArgumentError, RpcError, TransactionRejectedError } from '../../errors.js'
import type { AddressStats, BackendBlock, BackendTx, BackendUtxo, BitcoinBackend } from './backend.js'

/** Options of {@link esplora}. */
export interface EsploraOptions {
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries after the first attempt, default 3. */
  retryCount?: number
  /** Requests in flight at most, default 8. */
  concurrency?: number
  /** Custom fetch (proxies, metering, tests); default the global `fetch`. */
  fetch?: typeof fetch
}

interface EsploraTx {
  txid: string
  fee: number
  weight: number
  status: { confirmed: boolean; block_height?: number; block_hash?: string; block_time?: number }
  vin: { txid: string; vout: number; sequence: number; prevout: { scriptpubkey_address?: string; value: number } | null }[]
  vout: { scriptpubkey_address?: string; value: number }[]
}

class Limiter {
  #active = 0
  readonly #waiting: (() => void)[] = []
  constructor(readonly max: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      this.#waiting.shift()?.()
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function toTx(t: EsploraTx): BackendTx {
  return {
    txid: t.txid,
    confirmed: t.status.confirmed,
    ...(t.status.block_height === undefined ? {} : { height: t.status.block_height }),
    ...(t.status.block_hash === undefined ? {} : { blockHash: t.status.block_hash }),
    ...(t.status.block_time === undefined ? {} : { time: t.status.block_time }),
    fee: BigInt(t.fee ?? 0),
    vsize: Math.ceil((t.weight ?? 0) / 4),
    inputs: t.vin.map((i) => ({ txid: i.txid, vout: i.vout, sequence: i.sequence, value: BigInt(i.prevout?.value ?? 0), ...(i.prevout?.scriptpubkey_address ? { address: i.prevout.scriptpubkey_address } : {}) })),
    outputs: t.vout.map((o) => ({ value: BigInt(o.value), ...(o.scriptpubkey_address ? { address: o.scriptpubkey_address } : {}) })),
  }
}

/** An Esplora backend at `url` (e.g. `https://blockstream.info/api`). */
export function esplora(url: string, options: EsploraOptions = {}): BitcoinBackend {
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) throw new InvalidArgumentError('esploraUrl must be an http(s) URL.')
  const opts = assertOptions(options)
  const base = url.replace(/\/+$/, '')
  const fetchFn = opts.fetch ?? globalThis.fetch
  const timeoutMs = opts.timeoutMs ?? 10_000
  const retryCount = opts.retryCount ?? 3
  const limiter = new Limiter(opts.concurrency ?? 8)

  async function request(path: string, init?: { method: string; body: string }): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined
      let failure: unknown
      try {
        response = await limiter.run(() => fetchFn(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) }))
      } catch (error) {
        failure = error
      }
      const retriable = !response || response.status === 429 || response.status >= 500
      if (!retriable || attempt >= retryCount) {
        if (response) return response
        throw new RpcError(`Esplora request ${path.split('?')[0]} failed: ${String((failure as Error)?.message ?? failure)}`, { cause: failure })
      }
      const retryAfter = Number(response?.headers.get('retry-after'))
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 150 * 2 ** attempt)
    }
  }

  async function get(path: string): Promise<Response> {
    const response = await request(path)
    if (!response.ok) throw new RpcError(`Esplora ${path.split('/').slice(0, 3).join('/')} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`)
    return response
  }
  const json = async <T>(path: string): Promise<T> => (await (await get(path)).json()) as T
  const text = async (path: string): Promise<string> => (await (await get(path)).text()).trim()

  return {
    async tip() {
      const [height, hash] = await Promise.all([text('/blocks/tip/height'), text('/blocks/tip/hash')])
      return { height: Number(height), hash }
    },
    async block(hash): Promise<BackendBlock> {
      const b = await json<{ id: string; height: number; previousblockhash: string; timestamp: number }>(`/block/${hash}`)
      return { height: b.height, hash: b.id, parentHash: b.previousblockhash, time: b.timestamp }
    },
    async blockHash(height) {
      return text(`/block-height/${height}`)
    },
    async addressStats(address): Promise<AddressStats> {
      type S = { funded_txo_sum: number; spent_txo_sum: number; tx_count: number }
      const a = await json<{ chain_stats: S; mempool_stats: S }>(`/address/${address}`)
      return {
        txCount: a.chain_stats.tx_count + a.mempool_stats.tx_count,
        confirmed: BigInt(a.chain_stats.funded_txo_sum) - BigInt(a.chain_stats.spent_txo_sum),
        unconfirmed: BigInt(a.mempool_stats.funded_txo_sum) - BigInt(a.mempool_stats.spent_txo_sum),
      }
    },
    async utxos(address): Promise<BackendUtxo[]> {
      const list = await json<{ txid: string; vout: number; value: number; status: { confirmed: boolean; block_height?: number } }[]>(`/address/${address}/utxo`)
      return list.map((u) => ({ txid: u.txid, vout: u.vout, value: BigInt(u.value), confirmed: u.status.confirmed, ...(u.status.block_height === undefined ? {} : { height: u.status.block_height }) }))
    },
    async transactions(address, after) {
      return (await json<EsploraTx[]>(after ? `/address/${address}/txs/chain/${after}` : `/address/${address}/txs`)).map(toTx)
    },
    async transaction(txid) {
      const response = await request(`/tx/${txid}`)
      if (response.status === 404 || response.status === 400) return undefined
      if (!response.ok) throw new RpcError(`Esplora /tx answered HTTP ${response.status}.`)
      return toTx((await response.json()) as EsploraTx)
    },
    transactionHex: (txid) => text(`/tx/${txid}/hex`),
    async feeEstimates() {
      const map = await json<Record<string, number>>('/fee-estimates')
      return Object.fromEntries(Object.entries(map).map(([k, v]) => [Number(k), Number(v)]))
    },
    async broadcast(hex) {
      const response = await request('/tx', { method: 'POST', body: hex })
      const body = (await response.text()).trim()
      if (!response.ok) throw new TransactionRejectedError(`The node refused the transaction: ${body.slice(0, 300)}`, { details: { status: response.status } })
      return body
    },
  }
}
