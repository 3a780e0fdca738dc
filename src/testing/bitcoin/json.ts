/**
 * The JSON the Esplora-shaped server answers with, in Esplora's shapes (Blockstream's esplora,
 * mempool.space's /api): transactions, statuses, blocks, outspends, address stats.
 * @module
 * @internal
 */
import { script as bscript } from 'bitcoinjs-lib'
import { BLOCK_INTERVAL, GENESIS_TIME, type Block, type Ledger, type TxRecord } from './ledger.js'
import { scriptAsm, scriptType, sha256Hex, toHex, txidOf } from './script.js'
import type { Prevout } from './verify.js'

type Json = Record<string, unknown>

/** A tx's `status`. */
export function statusJson(ledger: Ledger, rec: TxRecord): Json {
  const block = ledger.blockOf(rec)
  return block ? { confirmed: true, block_height: block.height, block_hash: block.hash, block_time: block.time } : { confirmed: false }
}

function voutJson(ledger: Ledger, out: Prevout): Json {
  const addr = ledger.addressOf(out.script)
  return {
    scriptpubkey: toHex(out.script),
    scriptpubkey_asm: scriptAsm(out.script),
    scriptpubkey_type: scriptType(out.script),
    ...(addr === null ? {} : { scriptpubkey_address: addr }),
    value: Number(out.value),
  }
}

/** GET /tx/:txid. */
export function txJson(ledger: Ledger, rec: TxRecord): Json {
  return {
    txid: rec.txid,
    version: rec.tx.version,
    locktime: rec.tx.locktime,
    vin: rec.tx.ins.map((input, i) => {
      const prevout = rec.prevouts[i] ?? null
      const vin: Json = {
        txid: txidOf(input.hash),
        vout: input.index,
        prevout: prevout ? voutJson(ledger, prevout) : null,
        scriptsig: toHex(input.script),
        scriptsig_asm: scriptAsm(input.script),
      }
      if (input.witness.length > 0) vin['witness'] = input.witness.map(toHex)
      vin['is_coinbase'] = false
      vin['sequence'] = input.sequence
      if (prevout && scriptType(prevout.script) === 'p2sh') {
        const chunks = bscript.decompile(input.script)
        const redeem = chunks?.[chunks.length - 1]
        if (redeem instanceof Uint8Array) vin['inner_redeemscript_asm'] = scriptAsm(redeem)
      }
      return vin
    }),
    vout: rec.tx.outs.map((out) => voutJson(ledger, out)),
    size: rec.tx.byteLength(),
    weight: rec.tx.weight(),
    fee: Number(rec.fee),
    status: statusJson(ledger, rec),
  }
}

/** GET /block/:hash. */
export function blockJson(ledger: Ledger, block: Block): Json {
  return {
    id: block.hash,
    height: block.height,
    version: 0x20000000,
    timestamp: block.time,
    tx_count: block.txids.length,
    size: 80 + block.txids.reduce((s, t) => s + ledger.txs.get(t)!.tx.byteLength(), 1),
    weight: 320 + block.txids.reduce((s, t) => s + ledger.txs.get(t)!.tx.weight(), 4),
    merkle_root: sha256Hex(`merkle/${block.txids.join(',')}`),
    previousblockhash: block.prevHash,
    mediantime: Math.max(GENESIS_TIME, block.time - BLOCK_INTERVAL * 5),
    nonce: 0,
    bits: 0x207fffff,
    difficulty: 1,
  }
}

/** GET /tx/:txid/outspend/:vout. */
export function outspendJson(ledger: Ledger, txid: string, vout: number): Json {
  const spender = ledger.spentBy.get(`${txid}:${vout}`)
  if (!spender) return { spent: false }
  return { spent: true, txid: spender.txid, vin: spender.vin, status: statusJson(ledger, ledger.txs.get(spender.txid)!) }
}

const touches = (rec: TxRecord, scriptHex: string): boolean =>
  rec.tx.outs.some((o) => toHex(o.script) === scriptHex) || rec.prevouts.some((p) => p !== null && toHex(p.script) === scriptHex)

/** Txs touching the script: mempool newest first, then confirmed newest first. */
export function history(ledger: Ledger, scriptHex: string): { mempool: TxRecord[]; chain: TxRecord[] } {
  const all = [...ledger.txs.values()].filter((r) => touches(r, scriptHex))
  const mempool = all.filter((r) => r.height === null).sort((a, b) => b.seq - a.seq)
  const chain = all.filter((r) => r.height !== null).sort((a, b) => b.height! - a.height! || b.seq - a.seq)
  return { mempool, chain }
}

/** GET /address/:address. */
export function addressStats(ledger: Ledger, scriptHex: string): Json {
  const empty = () => ({ funded_txo_count: 0, funded_txo_sum: 0n, spent_txo_count: 0, spent_txo_sum: 0n, tx_count: 0 })
  const chain = empty()
  const mempool = empty()
  for (const rec of ledger.txs.values()) {
    const s = rec.height === null ? mempool : chain
    let touched = false
    for (const o of rec.tx.outs) {
      if (toHex(o.script) !== scriptHex) continue
      s.funded_txo_count++
      s.funded_txo_sum += o.value
      touched = true
    }
    for (const p of rec.prevouts) {
      if (p === null || toHex(p.script) !== scriptHex) continue
      s.spent_txo_count++
      s.spent_txo_sum += p.value
      touched = true
    }
    if (touched) s.tx_count++
  }
  const out = (s: ReturnType<typeof empty>) => ({
    funded_txo_count: s.funded_txo_count,
    funded_txo_sum: Number(s.funded_txo_sum),
    spent_txo_count: s.spent_txo_count,
    spent_txo_sum: Number(s.spent_txo_sum),
    tx_count: s.tx_count,
  })
  return { chain_stats: out(chain), mempool_stats: out(mempool) }
}
