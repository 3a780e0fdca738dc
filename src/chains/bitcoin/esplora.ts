/**
 * A {@link BitcoinBackend} over the Esplora REST API (Blockstream's esplora, mempool.space,
 * or a self-hosted electrs). Reads: timeouts, retries on 429 / 5xx / dropped connections
 * (Retry-After honoured up to `maxRetryAfterMs`), at most `concurrency` requests in flight,
 * since Esplora has no batch calls; every wait ends when the caller's signal aborts.
 *
 * Broadcasts (`POST /tx`) are sent once, never retried here: only Bitcoin Core's explicit
 * refusal (`HTTP 400 sendrawtransaction RPC error: {"code":…,"message":…}`) is a
 * TransactionRejectedError; a 5xx, a timeout, a reset or an unreadable answer is an RpcError,
 * because the node may have accepted the transaction (the adapter then re-broadcasts the same
 * bytes and checks by txid).
 * @module
 */
import { assertOptions, isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError, RpcError, TransactionRejectedError } from '../../core/errors.js'
import { eitherSignal, sleep, throwIfAborted } from '../abort.js'
import { retryAfterMs } from '../retry.js'
import type { AddressStats, BackendBlock, BackendCallOptions, BackendOutspend, BackendTx, BackendUtxo, BitcoinBackend } from './client.js'

/** Default cap on a server's Retry-After: 30 s. */
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000

/** Options of {@link esplora}. */
export interface EsploraOptions {
  /** Per-request timeout, default 10,000 ms. */
  timeoutMs?: number
  /** Retries of reads after the first attempt, default 3. Broadcasts are never retried here. */
  retryCount?: number
  /** Requests in flight at most, default 8. */
  concurrency?: number
  /** The longest wait a server's Retry-After can impose before a retry, default 30,000 ms: a server asking for more waits this long. */
  maxRetryAfterMs?: number
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

function checkCount(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, min, max)) throw new InvalidArgumentError(`esplora.${name} must be an integer from ${min} to ${max}.`)
  return value
}

/** Bitcoin Core's refusal as Esplora relays it: `sendrawtransaction RPC error: {"code":-26,"message":"…"}`. */
function parseRefusal(body: string): { code: number; reason: string } | undefined {
  const match = /^sendrawtransaction RPC error: (\{.*\})$/s.exec(body)
  if (!match) return undefined
  try {
    const parsed = JSON.parse(match[1]!) as { code?: unknown; message?: unknown }
    if (typeof parsed.code === 'number' && typeof parsed.message === 'string' && parsed.message.length > 0)
      return { code: parsed.code, reason: parsed.message }
  } catch {
    return undefined
  }
  return undefined
}

function toTx(t: EsploraTx): BackendTx {
  return {
    txid: t.txid,
    confirmed: t.status.confirmed,
    ...(t.status.block_height === undefined ? {} : { height: t.status.block_height }),
    ...(t.status.block_hash === undefined ? {} : { blockHash: t.status.block_hash }),
    ...(t.status.block_time === undefined ? {} : { time: t.status.block_time }),
    fee: BigInt(t.fee ?? 0),
    vsize: Math.ceil((t.weight ?? 0) / 4),
    inputs: t.vin.map((i) => ({
      txid: i.txid,
      vout: i.vout,
      sequence: i.sequence,
      value: BigInt(i.prevout?.value ?? 0),
      ...(i.prevout?.scriptpubkey_address ? { address: i.prevout.scriptpubkey_address } : {}),
    })),
    outputs: t.vout.map((o) => ({ value: BigInt(o.value), ...(o.scriptpubkey_address ? { address: o.scriptpubkey_address } : {}) })),
  }
}

/** An Esplora backend at `url` (e.g. `https://blockstream.info/api`). */
export function esplora(url: string, options: EsploraOptions = {}): BitcoinBackend {
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) throw new InvalidArgumentError('esploraUrl must be an http(s) URL.')
  const opts = assertOptions(options)
  const base = url.replace(/\/+$/, '')
  const fetchFn = opts.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => globalThis.fetch(input, init))
  if (typeof fetchFn !== 'function') throw new InvalidArgumentError('esplora.fetch must be a function.')
  const timeoutMs = checkCount(opts.timeoutMs, 'timeoutMs', 10_000, 1, 3_600_000)
  const retryCount = checkCount(opts.retryCount, 'retryCount', 3, 0, 20)
  const maxRetryAfterMs = checkCount(opts.maxRetryAfterMs, 'maxRetryAfterMs', DEFAULT_MAX_RETRY_AFTER_MS, 0, 3_600_000)
  const limiter = new Limiter(checkCount(opts.concurrency, 'concurrency', 8, 1, 256))
  const short = (path: string) => path.split('?')[0]!.split('/').slice(0, 3).join('/')

  /** One HTTP exchange, bounded by the per-request timeout and the caller's signal. */
  async function send(path: string, signal: AbortSignal | undefined, init?: { method: string; body: string }): Promise<Response> {
    throwIfAborted(signal)
    return limiter.run(() => {
      throwIfAborted(signal)
      return fetchFn(`${base}${path}`, { ...init, signal: eitherSignal(AbortSignal.timeout(timeoutMs), signal) })
    })
  }

  /** A read, retried on 429 / 5xx / network failures with backoff or the server's (capped) Retry-After. */
  async function request(path: string, signal: AbortSignal | undefined): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined
      let failure: unknown
      try {
        response = await send(path, signal)
      } catch (error) {
        throwIfAborted(signal)
        failure = error
      }
      const retriable = !response || response.status === 429 || response.status >= 500
      if (!retriable || attempt >= retryCount) {
        if (response) return response
        throw new RpcError(`Esplora request ${short(path)} failed: ${String((failure as Error)?.message ?? failure)}`, { cause: failure })
      }
      const asked = retryAfterMs(response?.headers.get('retry-after') ?? null, maxRetryAfterMs)
      await response?.body?.cancel().catch(() => undefined)
      await sleep(asked ?? Math.min(150 * 2 ** attempt, maxRetryAfterMs), signal)
    }
  }

  async function get(path: string, signal: AbortSignal | undefined): Promise<Response> {
    const response = await request(path, signal)
    if (!response.ok)
      throw new RpcError(`Esplora ${short(path)} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`, {
        details: { status: response.status },
      })
    return response
  }
  const json = async <T>(path: string, o?: BackendCallOptions): Promise<T> => {
    const response = await get(path, o?.signal)
    try {
      return (await response.json()) as T
    } catch (cause) {
      throwIfAborted(o?.signal)
      throw new RpcError(`Esplora ${short(path)} answered something that is not JSON.`, { cause })
    }
  }
  const text = async (path: string, o?: BackendCallOptions): Promise<string> => (await (await get(path, o?.signal)).text()).trim()

  return {
    async tip(o) {
      const [height, hash] = await Promise.all([text('/blocks/tip/height', o), text('/blocks/tip/hash', o)])
      return { height: Number(height), hash }
    },
    async block(hash, o): Promise<BackendBlock> {
      const b = await json<{ id: string; height: number; previousblockhash: string; timestamp: number; tx_count?: number }>(
        `/block/${hash}`,
        o,
      )
      return {
        height: b.height,
        hash: b.id,
        parentHash: b.previousblockhash,
        time: b.timestamp,
        ...(typeof b.tx_count === 'number' ? { txCount: b.tx_count } : {}),
      }
    },
    async blockHash(height, o) {
      return text(`/block-height/${height}`, o)
    },
    async addressStats(address, o): Promise<AddressStats> {
      type S = { funded_txo_sum: number; spent_txo_sum: number; tx_count: number }
      const a = await json<{ chain_stats: S; mempool_stats: S }>(`/address/${address}`, o)
      return {
        txCount: a.chain_stats.tx_count + a.mempool_stats.tx_count,
        confirmed: BigInt(a.chain_stats.funded_txo_sum) - BigInt(a.chain_stats.spent_txo_sum),
        unconfirmed: BigInt(a.mempool_stats.funded_txo_sum) - BigInt(a.mempool_stats.spent_txo_sum),
      }
    },
    async utxos(address, o): Promise<BackendUtxo[]> {
      const list = await json<{ txid: string; vout: number; value: number; status: { confirmed: boolean; block_height?: number } }[]>(
        `/address/${address}/utxo`,
        o,
      )
      return list.map((u) => ({
        txid: u.txid,
        vout: u.vout,
        value: BigInt(u.value),
        confirmed: u.status.confirmed,
        ...(u.status.block_height === undefined ? {} : { height: u.status.block_height }),
      }))
    },
    async transactions(address, after, o) {
      return (await json<EsploraTx[]>(after ? `/address/${address}/txs/chain/${after}` : `/address/${address}/txs`, o)).map(toTx)
    },
    async transaction(txid, o) {
      const response = await request(`/tx/${txid}`, o?.signal)
      if (response.status === 404 || response.status === 400) return undefined
      if (!response.ok) throw new RpcError(`Esplora /tx answered HTTP ${response.status}.`, { details: { status: response.status } })
      return toTx((await response.json()) as EsploraTx)
    },
    transactionHex: (txid, o) => text(`/tx/${txid}/hex`, o),
    async blockTransactions(hash, start, o) {
      const list = await json<EsploraTx[]>(`/block/${hash}/txs/${start}`, o)
      if (!Array.isArray(list)) throw new RpcError('Esplora /block/:hash/txs answered something that is not a list.')
      return list.map(toTx)
    },
    async outspend(txid, vout, o): Promise<BackendOutspend> {
      const r = await json<{ spent: boolean; txid?: string; status?: { confirmed: boolean; block_height?: number } }>(
        `/tx/${txid}/outspend/${vout}`,
        o,
      )
      if (!r.spent) return { spent: false }
      return {
        spent: true,
        ...(r.txid ? { txid: r.txid } : {}),
        confirmed: r.status?.confirmed === true,
        ...(r.status?.block_height === undefined ? {} : { height: r.status.block_height }),
      }
    },
    async feeEstimates(o) {
      const map = await json<Record<string, number>>('/fee-estimates', o)
      return Object.fromEntries(Object.entries(map).map(([k, v]) => [Number(k), Number(v)]))
    },
    async broadcast(hex, o) {
      let response: Response
      let body: string
      try {
        response = await send('/tx', o?.signal, { method: 'POST', body: hex })
        body = (await response.text()).trim()
      } catch (cause) {
        throwIfAborted(o?.signal)
        throw new RpcError(
          `Esplora POST /tx got no answer (${String((cause as Error)?.message ?? cause).slice(0, 200)}); the node may have the transaction.`,
          { cause },
        )
      }
      if (response.ok) {
        if (/^[0-9a-fA-F]{64}$/.test(body)) return body.toLowerCase()
        throw new RpcError(`Esplora POST /tx answered HTTP ${response.status} without a txid; the node may have the transaction.`, {
          details: { status: response.status },
        })
      }
      const refusal = response.status === 400 ? parseRefusal(body) : undefined
      if (refusal)
        throw new TransactionRejectedError(`The node refused the transaction: ${refusal.reason.slice(0, 300)}`, {
          details: { status: response.status, code: refusal.code, reason: refusal.reason.slice(0, 300) },
        })
      throw new RpcError(`Esplora POST /tx answered HTTP ${response.status} (${body.slice(0, 200)}); the node may have the transaction.`, {
        details: { status: response.status },
      })
    },
  }
}
