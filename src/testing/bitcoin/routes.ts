/**
 * The Esplora REST routes the server answers (paths without their optional /api prefix):
 * GET blocks/tip/{height,hash}, blocks[/:start], block/:hash[/status|/txids],
 * block-height/:h, address/:a[/utxo|/txs[/mempool|/chain[/:last]]], tx/:id[/hex|/raw|/status|
 * /outspends|/outspend/:n], fee-estimates, mempool/txids; POST tx.
 * @module
 * @internal
 */
import { Transaction } from 'bitcoinjs-lib'
import { accept } from './accept.js'
import { addressStats, blockJson, history, outspendJson, statusJson, txJson } from './json.js'
import type { Ledger } from './ledger.js'
import { toHex } from './script.js'
import type { BroadcastRecord } from './types.js'
import { Rejection } from './verify.js'

const MAX_MEMPOOL_TXS = 50
const CHAIN_TXS_PER_PAGE = 25

/** An answer before it is serialized. */
export type Reply = { status: number; type: 'text' | 'json' | 'binary'; body: unknown }

/** What the routes share with the server besides the ledger. */
export interface RouteState {
  readonly minRelayFeeRate: number
  feeEstimates: Record<string, number>
  readonly rejectQueue: { reason: string; status: number }[]
  readonly broadcasts: BroadcastRecord[]
}

const text = (body: string, status = 200): Reply => ({ status, type: 'text', body })
const json = (body: unknown): Reply => ({ status: 200, type: 'json', body })
const notFound = (what: string): Reply => text(what, 404)
const badRequest = (what: string): Reply => text(what, 400)

function rpcError(code: number, message: string): string {
  return `sendrawtransaction RPC error: ${JSON.stringify({ code, message })}`
}

function safeTxid(hex: string): string | null {
  try {
    return Transaction.fromHex(hex).getId()
  } catch {
    return null
  }
}

function broadcast(ledger: Ledger, state: RouteState, body: string): Reply {
  const hex = body.trim()
  const forced = state.rejectQueue.shift()
  if (forced) {
    state.broadcasts.push({ hex, txid: safeTxid(hex), accepted: false, reason: forced.reason })
    return forced.status === 400 ? text(rpcError(-26, forced.reason), 400) : text(forced.reason, forced.status)
  }
  try {
    const { txid, replaced } = accept(ledger, hex, state.minRelayFeeRate)
    state.broadcasts.push({ hex, txid, accepted: true, ...(replaced.length ? { replaced } : {}) })
    return text(txid)
  } catch (error) {
    if (!(error instanceof Rejection)) throw error
    state.broadcasts.push({ hex, txid: safeTxid(hex), accepted: false, reason: error.message })
    return text(rpcError(error.code, error.message), 400)
  }
}

function blocksRoute(ledger: Ledger, parts: string[]): Reply | undefined {
  const [, b, c] = parts
  const tip = ledger.tip()
  if (b === 'tip' && c === 'height' && parts.length === 3) return text(String(tip.height))
  if (b === 'tip' && c === 'hash' && parts.length === 3) return text(tip.hash)
  if (parts.length <= 2) {
    const start = b === undefined ? tip.height : Number(b)
    if (!Number.isInteger(start) || start < 0) return badRequest('Invalid height')
    const list: Record<string, unknown>[] = []
    for (let h = Math.min(start, tip.height); h >= 0 && list.length < 10; h--) list.push(blockJson(ledger, ledger.blocks[h]!))
    return json(list)
  }
  return undefined
}

function addressRoute(ledger: Ledger, parts: string[]): Reply | undefined {
  const [, b, c, d, e] = parts
  let scriptHex: string
  try {
    scriptHex = toHex(ledger.scriptFor(b ?? ''))
  } catch {
    return badRequest('Invalid Bitcoin address')
  }
  if (parts.length === 2) return json({ address: b, ...addressStats(ledger, scriptHex) })
  if (c === 'utxo' && parts.length === 3) {
    return json(
      ledger
        .utxoList(scriptHex)
        .map((u) => ({ txid: u.txid, vout: u.vout, value: Number(u.value), status: statusJson(ledger, ledger.txs.get(u.txid)!) })),
    )
  }
  if (c === 'txs') {
    const { mempool, chain } = history(ledger, scriptHex)
    const page = (list: typeof chain) => json(list.map((rec) => txJson(ledger, rec)))
    if (parts.length === 3) return page([...mempool.slice(0, MAX_MEMPOOL_TXS), ...chain.slice(0, CHAIN_TXS_PER_PAGE)])
    if (d === 'mempool' && parts.length === 4) return page(mempool.slice(0, MAX_MEMPOOL_TXS))
    if (d === 'chain' && parts.length <= 5) {
      let start = 0
      if (e !== undefined) {
        const i = chain.findIndex((r) => r.txid === e)
        if (i < 0) return json([])
        start = i + 1
      }
      return page(chain.slice(start, start + CHAIN_TXS_PER_PAGE))
    }
  }
  return undefined
}

function txRoute(ledger: Ledger, parts: string[]): Reply | undefined {
  const [, b, c, d] = parts
  if (!/^[0-9a-f]{64}$/.test(b ?? '')) return badRequest('Invalid hex string')
  const rec = ledger.txs.get(b!)
  if (!rec) return notFound('Transaction not found')
  if (parts.length === 2) return json(txJson(ledger, rec))
  if (c === 'hex' && parts.length === 3) return text(rec.hex)
  if (c === 'raw' && parts.length === 3) return { status: 200, type: 'binary', body: Buffer.from(rec.hex, 'hex') }
  if (c === 'status' && parts.length === 3) return json(statusJson(ledger, rec))
  if (c === 'outspends' && parts.length === 3) return json(rec.tx.outs.map((_, v) => outspendJson(ledger, rec.txid, v)))
  if (c === 'outspend' && parts.length === 4) {
    const vout = Number(d)
    if (!/^\d+$/.test(d ?? '') || vout >= rec.tx.outs.length) return notFound('Output not found')
    return json(outspendJson(ledger, rec.txid, vout))
  }
  return undefined
}

/** Answers one request; `parts` is the path split on '/', without the /api prefix. */
export function route(ledger: Ledger, state: RouteState, method: string, parts: string[], body: string): Reply {
  const [a, b, c] = parts
  if (method === 'POST') {
    if (a === 'tx' && parts.length === 1) return broadcast(ledger, state, body)
    return notFound('Not Found')
  }
  if (method !== 'GET') return text('Method Not Allowed', 405)

  let reply: Reply | undefined
  switch (a) {
    case 'blocks':
      reply = blocksRoute(ledger, parts)
      break
    case 'block': {
      const block = ledger.blockByHash.get(b ?? '')
      if (!block) return notFound('Block not found')
      if (parts.length === 2) return json(blockJson(ledger, block))
      if (c === 'status' && parts.length === 3) {
        const next = ledger.blocks[block.height + 1]
        return json({ in_best_chain: true, height: block.height, ...(next ? { next_best: next.hash } : {}) })
      }
      if (c === 'txids' && parts.length === 3) return json(block.txids)
      if (c === 'txs' && parts.length <= 4) {
        // Esplora: 25 transactions a page, with their previous outputs; the start a multiple of 25.
        const start = parts[3] === undefined ? 0 : /^\d+$/.test(parts[3]) ? Number(parts[3]) : NaN
        if (!Number.isSafeInteger(start) || start % 25 !== 0) return badRequest('start index must be a multipication of 25')
        if (start >= block.txids.length && start > 0) return notFound('start index out of range')
        return json(block.txids.slice(start, start + 25).map((id) => txJson(ledger, ledger.txs.get(id)!)))
      }
      break
    }
    case 'block-height': {
      if (parts.length !== 2) break
      const block = /^\d+$/.test(b ?? '') ? ledger.blocks[Number(b)] : undefined
      return block ? text(block.hash) : notFound('Block not found')
    }
    case 'address':
      reply = addressRoute(ledger, parts)
      break
    case 'tx':
      reply = txRoute(ledger, parts)
      break
    case 'fee-estimates':
      if (parts.length === 1) return json(state.feeEstimates)
      break
    case 'mempool':
      if (b === 'txids' && parts.length === 2) return json([...ledger.txs.values()].filter((r) => r.height === null).map((r) => r.txid))
      break
  }
  return reply ?? notFound('Not Found')
}
