// A local HTTP server that speaks the Esplora REST API (Blockstream's esplora,
// mempool.space's /api) over an in-memory UTXO set, for testing coffer's
// Bitcoin adapter without a Bitcoin node.
//
// It is a checking node, not a mock: POST /tx parses the transaction with
// bitcoinjs-lib and verifies EVERY input's signature with tiny-secp256k1
// (libsecp256k1 compiled to WASM, independent of coffer's @noble/curves)
// before it accepts anything. Supported prevout types: P2WPKH, P2SH-P2WPKH,
// P2PKH and P2TR key path; anything else is rejected as unverifiable.
//
// Broadcast checks, in Bitcoin Core's order (each failure is HTTP 400 with
// `sendrawtransaction RPC error: {"code":…,"message":"<rule>: <detail>"}`):
//   1. decodes (`TX decode failed`, -22); has inputs and outputs; no duplicate inputs;
//   2. every input spends an existing output that is unspent
//      (`bad-txns-inputs-missingorspent`, -25); already-confirmed → -27;
//   3. Σin ≥ Σout (`bad-txns-in-belowout`); no dust output (`dust`, Core's
//      3 sat/vB dust-relay formula: 546 p2pkh, 540 p2sh, 294 p2wpkh, 330 p2wsh/p2tr);
//      fee ≥ vsize × minRelayFeeRate (`min relay fee not met`);
//   4. a conflict with a mempool tx is allowed only as a BIP-125 replacement:
//      every directly conflicting tx signals (an input sequence < 0xfffffffe,
//      else `txn-mempool-conflict`), rule 2 (no new unconfirmed inputs),
//      rule 5 (≤ 100 evictions), Core's feerate rule (new feerate > each
//      conflict's), rule 3 (fee ≥ Σ replaced fees, descendants included) and
//      rule 4 (fee − Σ replaced ≥ vsize × 1 sat/vB); the replaced txs and their
//      descendants are evicted;
//   5. signatures (`mandatory-script-verify-flag-failed (…)` /
//      `non-mandatory-script-verify-flag (…)`), strict DER, low-S, defined
//      sighash types, compressed keys for segwit v0.
// Re-broadcasting a tx already in the mempool returns its txid (as Core does).
// A tx whose nLockTime is not yet reached (with an input sequence below
// 0xffffffff) is refused as `non-final`, as Core's IsFinalTx does.
//
// Faults and lies, for failure tests (see addFault / setRewrite): a rule
// matches requests by method and path; 'before' answers in place of the
// server (nothing is processed), 'after' lets the server process the request
// (a broadcast is accepted, state changes stick) and then replaces its answer:
// a status and body of your choice, 'hang' (never answer: the client times
// out), or 'reset' (destroy the connection). setRewrite edits any answer's
// body on the way out: a lying server.
//
// Chain: blocks 0..startHeight (default 100) exist from the start, with
// deterministic fake hashes chained by previousblockhash and timestamps
// 1_700_000_000 + 600 × height. `fund(…, { confirmed: true })` puts the
// synthetic funding tx into the current tip block (the tip does not move);
// `mine(n)` appends n blocks, the first holding every mempool tx.
//
// Paths are served both at the root and under /api (like mempool.space and
// blockstream.info), so `${url}` and `${url}/api` both work as base URLs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import {
  Transaction,
  address as baddress,
  initEccLib,
  networks as bnetworks,
  opcodes,
  payments,
  script as bscript,
  type Network,
} from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'

initEccLib(ecc)

export type EsploraNetwork = 'mainnet' | 'testnet' | 'regtest'

/** bitcoinjs-lib network objects (regtest: bech32 'bcrt'). */
export const NETWORKS: Readonly<Record<EsploraNetwork, Network>> = {
  mainnet: bnetworks.bitcoin,
  testnet: bnetworks.testnet,
  regtest: bnetworks.regtest,
}

export interface EsploraOptions {
  network: EsploraNetwork
  /** Height of the tip at start (blocks 0..startHeight exist). Default 100. */
  startHeight?: number
  /** Minimum relay fee rate in sat/vB for broadcasts. Default 1 (Bitcoin Core's default). */
  minRelayFeeRate?: number
}

export interface FundOptions {
  /** true (default): confirmed in the current tip block; false: a mempool tx. */
  confirmed?: boolean
}

export interface EsploraUtxo {
  txid: string
  vout: number
  value: bigint
  /** hex */
  scriptPubKey: string
  /** null for scripts with no address (OP_RETURN, bare multisig, …) */
  address: string | null
  /** null while in the mempool */
  height: number | null
}

export interface EsploraTxRecord {
  txid: string
  hex: string
  /** Σin − Σout; 0 for synthetic funding txs (their input is fake). */
  fee: bigint
  vsize: number
  /** null while in the mempool */
  height: number | null
  blockHash: string | null
  /** true for txs made by fund() */
  synthetic: boolean
}

export interface BroadcastRecord {
  /** the POST body as received, trimmed */
  hex: string
  /** null when the body did not decode */
  txid: string | null
  accepted: boolean
  /** the rejection message (without the `sendrawtransaction RPC error:` wrapper) */
  reason?: string
  /** txids evicted by this (BIP-125 replacement) broadcast */
  replaced?: string[]
}

/** What a faulty server does instead of answering. */
export type Fault =
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'hang'
  | 'reset'

/** A fault and the requests it applies to. */
export interface FaultRule {
  /** HTTP method; any when omitted. */
  method?: string
  /** Tested against the path without its /api prefix (e.g. `/tx`, `/address/bcrt1…/utxo`); any when omitted. */
  path?: RegExp
  /** 'before' (default): instead of processing the request; 'after': process it (state changes stick), then fail. */
  when?: 'before' | 'after'
  fault: Fault
  /** How many matching requests it applies to; all of them when omitted. */
  times?: number
}

/** Rewrites an answer's body: return the new body, or undefined to keep it. */
export type Rewrite = (request: { method: string; path: string }, answer: { status: number; body: string }) => string | undefined

export interface EsploraServer {
  /** Base URL, e.g. http://127.0.0.1:PORT (also served under /api). */
  readonly url: string
  readonly network: EsploraNetwork
  /** The bitcoinjs-lib network object. */
  readonly btcNetwork: Network
  /** HTTP requests received so far. */
  readonly requests: number
  /** "METHOD /path" of every HTTP request so far, in order. */
  readonly requestLog: readonly string[]
  /** Every POST /tx so far, accepted or not, in order. */
  readonly broadcasts: readonly BroadcastRecord[]
  readonly tipHeight: number
  readonly tipHash: string
  /** Pays `sats` to `address` in a synthetic (real, serialized) tx with one fake input; output is vout 0. */
  fund(address: string, sats: bigint, options?: FundOptions): Promise<{ txid: string; vout: number }>
  /** Appends `blocks` blocks (default 1); the first confirms every mempool tx. Returns the new block hashes. */
  mine(blocks?: number): string[]
  /** Replaces the map served at /fee-estimates (target → sat/vB). */
  setFeeEstimates(estimates: Record<string, number>): void
  /**
   * The next broadcast (one per call; calls queue) fails without validation and
   * without touching state: status 400 (default) answers
   * `sendrawtransaction RPC error: {"code":-26,"message":reason}`, any other
   * status answers `reason` as plain text.
   */
  rejectNext(reason: string, options?: { status?: number }): void
  /** Live txs (mempool and confirmed; evicted replacements are gone), oldest first. */
  transactions(): EsploraTxRecord[]
  /** The UTXO set (mempool outputs included, mempool-spent outputs excluded), optionally for one address. */
  utxos(address?: string): EsploraUtxo[]
  /** Zeroes `requests` and clears `requestLog`. */
  resetRequests(): void
  /** Adds a fault (rules are tried in the order added; the first matching one applies). Returns its remover. */
  addFault(rule: FaultRule): () => void
  /** Edits answers on the way out (a lying server); undefined removes it. */
  setRewrite(rewrite: Rewrite | undefined): void
  /** Removes every fault and the rewrite. */
  clearFaults(): void
  /** Requests answered with a fault so far ("METHOD /path → fault"), in order. */
  readonly faultLog: readonly string[]
  stop(): Promise<void>
}

// ---------------------------------------------------------------------------

const DEFAULT_FEE_ESTIMATES: Record<string, number> = { '1': 20, '3': 10, '6': 5, '144': 1 }
const GENESIS_TIME = 1_700_000_000
const BLOCK_INTERVAL = 600
const MAX_MEMPOOL_TXS = 50
const CHAIN_TXS_PER_PAGE = 25
const INCREMENTAL_RELAY_FEE_RATE = 1n // sat/vB, BIP-125 rule 4
const MAX_REPLACEMENT_EVICTIONS = 100 // BIP-125 rule 5
const MAX_MONEY = 21_000_000n * 100_000_000n
const SEQUENCE_RBF_THRESHOLD = 0xfffffffe
const LOCKTIME_THRESHOLD = 500_000_000
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

interface TxRecord {
  txid: string
  tx: Transaction
  hex: string
  fee: bigint
  /** one per input; null for the fake input of a synthetic funding tx */
  prevouts: (Prevout | null)[]
  height: number | null
  /** insertion order, for newest-first listings */
  seq: number
  synthetic: boolean
}

interface Prevout {
  script: Uint8Array
  value: bigint
}

interface Block {
  hash: string
  height: number
  prevHash: string | null
  time: number
  txids: string[]
}

class Rejection extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

export async function startEsplora(options: EsploraOptions): Promise<EsploraServer> {
  const networkName = options.network
  const network = NETWORKS[networkName]
  if (!network) throw new Error(`esplora-server: unknown network ${String(networkName)}`)
  const startHeight = options.startHeight ?? 100
  const minRelayFeeRate = options.minRelayFeeRate ?? 1

  let requests = 0
  let requestLog: string[] = []
  const faults: (FaultRule & { used: number })[] = []
  const faultLog: string[] = []
  let rewrite: Rewrite | undefined
  const broadcasts: BroadcastRecord[] = []
  let feeEstimates: Record<string, number> = { ...DEFAULT_FEE_ESTIMATES }
  const rejectQueue: { reason: string; status: number }[] = []

  const txs = new Map<string, TxRecord>()
  /** outpoint "txid:vout" of every unspent output (mempool outputs included) */
  const utxoSet = new Set<string>()
  /** outpoint → the live tx (mempool or confirmed) spending it */
  const spentBy = new Map<string, { txid: string; vin: number }>()
  const blocks: Block[] = []
  const blockByHash = new Map<string, Block>()
  let seq = 0
  let fundCounter = 0

  const appendBlock = (): Block => {
    const prev = blocks[blocks.length - 1]
    const height = blocks.length
    const hash = sha256Hex(`coffer-esplora/${networkName}/block/${height}/${prev?.hash ?? 'genesis'}`)
    const block: Block = { hash, height, prevHash: prev?.hash ?? null, time: GENESIS_TIME + BLOCK_INTERVAL * height, txids: [] }
    blocks.push(block)
    blockByHash.set(hash, block)
    return block
  }
  for (let h = 0; h <= startHeight; h++) appendBlock()
  const tip = (): Block => blocks[blocks.length - 1]!

  const outputOf = (op: string): { rec: TxRecord; vout: number; out: Prevout } | undefined => {
    const [txid, v] = op.split(':')
    const rec = txs.get(txid ?? '')
    const vout = Number(v)
    const out = rec?.tx.outs[vout]
    if (!rec || !out) return undefined
    return { rec, vout, out: { script: out.script, value: out.value } }
  }

  const addressOf = (script: Uint8Array): string | null => {
    try {
      return baddress.fromOutputScript(script, network)
    } catch {
      return null
    }
  }

  const scriptFor = (addr: string): Uint8Array => {
    try {
      return baddress.toOutputScript(addr, network)
    } catch (error) {
      throw new Error(`not a valid ${networkName} address: ${addr} (${(error as Error).message})`)
    }
  }

  const blockOf = (rec: TxRecord): Block | undefined => (rec.height === null ? undefined : blocks[rec.height])

  // ---- state changes -------------------------------------------------------

  const insert = (rec: TxRecord): void => {
    txs.set(rec.txid, rec)
    rec.tx.ins.forEach((input, vin) => {
      if (rec.prevouts[vin] === null) return
      const op = outpoint(input.hash, input.index)
      utxoSet.delete(op)
      spentBy.set(op, { txid: rec.txid, vin })
    })
    rec.tx.outs.forEach((_, vout) => utxoSet.add(`${rec.txid}:${vout}`))
    if (rec.height !== null) blocks[rec.height]!.txids.push(rec.txid)
  }

  const evict = (txids: Set<string>): void => {
    const evicted = [...txids].map((t) => txs.get(t)!)
    for (const rec of evicted) txs.delete(rec.txid)
    for (const rec of evicted) {
      rec.tx.outs.forEach((_, vout) => {
        utxoSet.delete(`${rec.txid}:${vout}`)
        spentBy.delete(`${rec.txid}:${vout}`)
      })
      rec.tx.ins.forEach((input, vin) => {
        if (rec.prevouts[vin] === null) return
        const op = outpoint(input.hash, input.index)
        if (spentBy.get(op)?.txid === rec.txid) spentBy.delete(op)
        if (txs.has(txidOf(input.hash))) utxoSet.add(op)
      })
    }
  }

  /** The mempool descendants of `txid` (not including it). */
  const descendants = (txid: string, into = new Set<string>()): Set<string> => {
    const rec = txs.get(txid)
    if (!rec) return into
    rec.tx.outs.forEach((_, vout) => {
      const child = spentBy.get(`${txid}:${vout}`)
      if (child && !into.has(child.txid)) {
        into.add(child.txid)
        descendants(child.txid, into)
      }
    })
    return into
  }

  // ---- broadcast validation ------------------------------------------------

  const accept = (hex: string): { txid: string; replaced: string[] } => {
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Rejection(-22, 'TX decode failed: body is not a hex string')
    let tx: Transaction
    try {
      tx = Transaction.fromHex(hex)
    } catch (error) {
      throw new Rejection(-22, `TX decode failed: ${(error as Error).message}`)
    }
    const txid = tx.getId()

    const known = txs.get(txid)
    if (known) {
      if (known.height !== null) throw new Rejection(-27, 'Transaction already in block chain')
      if (known.hex === tx.toHex()) return { txid, replaced: [] } // idempotent re-broadcast
      throw new Rejection(-26, 'txn-same-nonwitness-data-in-mempool')
    }
    if (tx.ins.length === 0) throw new Rejection(-26, 'bad-txns-vin-empty')
    if (tx.outs.length === 0) throw new Rejection(-26, 'bad-txns-vout-empty')
    if (tx.isCoinbase()) throw new Rejection(-26, 'coinbase: a coinbase transaction cannot be broadcast')
    // IsFinalTx at the next block: a lock time not yet reached binds unless every sequence is final.
    if (tx.locktime !== 0 && tx.ins.some((input) => input.sequence !== 0xffffffff)) {
      const reached = tx.locktime < LOCKTIME_THRESHOLD ? tx.locktime < tip().height + 1 : tx.locktime < tip().time
      if (!reached) throw new Rejection(-26, `non-final: nLockTime ${tx.locktime} is not reached at height ${tip().height + 1}`)
    }

    // Inputs: existing, unspent, or spent only by mempool txs (candidate replacement).
    const seen = new Set<string>()
    const prevouts: Prevout[] = []
    const conflicts = new Set<string>()
    tx.ins.forEach((input, i) => {
      const op = outpoint(input.hash, input.index)
      if (seen.has(op)) throw new Rejection(-26, `bad-txns-inputs-duplicate: input ${i} spends ${op} twice`)
      seen.add(op)
      const found = outputOf(op)
      if (!found) throw new Rejection(-25, `bad-txns-inputs-missingorspent: input ${i} spends ${op}, which does not exist`)
      const spender = spentBy.get(op)
      if (spender) {
        const spenderRec = txs.get(spender.txid)!
        if (spenderRec.height !== null) {
          throw new Rejection(
            -25,
            `bad-txns-inputs-missingorspent: input ${i} spends ${op}, already spent by confirmed tx ${spender.txid}`,
          )
        }
        conflicts.add(spender.txid)
      }
      prevouts.push(found.out)
    })

    // Amounts.
    const valueIn = prevouts.reduce((s, p) => s + p.value, 0n)
    let valueOut = 0n
    tx.outs.forEach((out, n) => {
      if (out.value < 0n || out.value > MAX_MONEY) throw new Rejection(-26, `bad-txns-vout-toolarge: output ${n}`)
      valueOut += out.value
    })
    if (valueOut > MAX_MONEY) throw new Rejection(-26, 'bad-txns-txouttotal-toolarge')
    if (valueIn < valueOut) {
      throw new Rejection(-26, `bad-txns-in-belowout, value in (${sats(valueIn)}) < value out (${sats(valueOut)})`)
    }
    const fee = valueIn - valueOut
    tx.outs.forEach((out, n) => {
      const threshold = dustThreshold(out.script)
      if (out.value < threshold) {
        throw new Rejection(
          -26,
          `dust: output ${n} (${scriptType(out.script)}) pays ${out.value} sat, below the dust threshold of ${threshold} sat`,
        )
      }
    })
    const vsize = tx.virtualSize()
    const minFee = BigInt(Math.ceil(vsize * minRelayFeeRate))
    if (fee < minFee) throw new Rejection(-26, `min relay fee not met, ${fee} < ${minFee} (vsize ${vsize})`)

    // BIP-125 replacement.
    const replaced = new Set<string>()
    if (conflicts.size > 0) {
      for (const c of conflicts) {
        const rec = txs.get(c)!
        if (!rec.tx.ins.some((inp) => inp.sequence < SEQUENCE_RBF_THRESHOLD)) {
          throw new Rejection(
            -26,
            `txn-mempool-conflict: conflicts with mempool tx ${c}, which does not signal BIP-125 replaceability (every input sequence >= 0xfffffffe)`,
          )
        }
      }
      for (const c of conflicts) {
        replaced.add(c)
        descendants(c, replaced)
      }
      if (replaced.size > MAX_REPLACEMENT_EVICTIONS) {
        throw new Rejection(-26, `too many potential replacements: ${replaced.size} > ${MAX_REPLACEMENT_EVICTIONS}`)
      }
      tx.ins.forEach((input, i) => {
        if (replaced.has(txidOf(input.hash))) {
          throw new Rejection(-26, `bad-txns-spends-conflicting-tx: input ${i} spends an output of a tx it replaces`)
        }
      })
      // Rule 2: unconfirmed inputs only if a replaced tx already spent them.
      const conflictInputs = new Set<string>()
      for (const c of conflicts) for (const inp of txs.get(c)!.tx.ins) conflictInputs.add(outpoint(inp.hash, inp.index))
      tx.ins.forEach((input, i) => {
        const op = outpoint(input.hash, input.index)
        if (txs.get(txidOf(input.hash))!.height === null && !conflictInputs.has(op)) {
          throw new Rejection(-26, `replacement-adds-unconfirmed: replacement ${txid} adds unconfirmed input, idx ${i}`)
        }
      })
      // Core's PaysMoreThanConflicts: strictly higher feerate than each direct conflict.
      for (const c of conflicts) {
        const old = txs.get(c)!
        const oldVsize = old.tx.virtualSize()
        if (fee * BigInt(oldVsize) <= old.fee * BigInt(vsize)) {
          throw new Rejection(
            -26,
            `insufficient fee, rejecting replacement ${txid}; new feerate ${rate(fee, vsize)} sat/vB <= old feerate ${rate(old.fee, oldVsize)} sat/vB of ${c}`,
          )
        }
      }
      const replacedFees = [...replaced].reduce((s, t) => s + txs.get(t)!.fee, 0n)
      // Rule 3.
      if (fee < replacedFees) {
        throw new Rejection(
          -26,
          `insufficient fee, rejecting replacement ${txid}, less fees than conflicting txs; ${fee} < ${replacedFees}`,
        )
      }
      // Rule 4.
      const required = BigInt(vsize) * INCREMENTAL_RELAY_FEE_RATE
      if (fee - replacedFees < required) {
        throw new Rejection(
          -26,
          `insufficient fee, rejecting replacement ${txid}, not enough additional fees to relay; ${fee - replacedFees} < ${required}`,
        )
      }
    }

    // Signatures, last (as Core does: they are the expensive part).
    tx.ins.forEach((_, i) => {
      try {
        verifyInput(tx, i, prevouts)
      } catch (error) {
        if (error instanceof Rejection) throw error
        // bitcoinjs-lib throwing while computing a sighash (e.g. an invalid SIGHASH_SINGLE)
        throw scriptFail(i, scriptType(prevouts[i]!.script), `cannot compute the sighash: ${(error as Error).message}`)
      }
    })

    evict(replaced)
    insert({ txid, tx, hex: tx.toHex(), fee, prevouts, height: null, seq: seq++, synthetic: false })
    return { txid, replaced: [...replaced] }
  }

  // ---- JSON shapes ---------------------------------------------------------

  const statusJson = (rec: TxRecord): Record<string, unknown> => {
    const block = blockOf(rec)
    return block
      ? { confirmed: true, block_height: block.height, block_hash: block.hash, block_time: block.time }
      : { confirmed: false }
  }

  const voutJson = (out: Prevout): Record<string, unknown> => {
    const addr = addressOf(out.script)
    return {
      scriptpubkey: toHex(out.script),
      scriptpubkey_asm: scriptAsm(out.script),
      scriptpubkey_type: scriptType(out.script),
      ...(addr === null ? {} : { scriptpubkey_address: addr }),
      value: Number(out.value),
    }
  }

  const txJson = (rec: TxRecord): Record<string, unknown> => ({
    txid: rec.txid,
    version: rec.tx.version,
    locktime: rec.tx.locktime,
    vin: rec.tx.ins.map((input, i) => {
      const prevout = rec.prevouts[i] ?? null
      const vin: Record<string, unknown> = {
        txid: txidOf(input.hash),
        vout: input.index,
        prevout: prevout ? voutJson(prevout) : null,
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
    vout: rec.tx.outs.map((out) => voutJson(out)),
    size: rec.tx.byteLength(),
    weight: rec.tx.weight(),
    fee: Number(rec.fee),
    status: statusJson(rec),
  })

  const blockJson = (block: Block): Record<string, unknown> => ({
    id: block.hash,
    height: block.height,
    version: 0x20000000,
    timestamp: block.time,
    tx_count: block.txids.length,
    size: 80 + block.txids.reduce((s, t) => s + txs.get(t)!.tx.byteLength(), 1),
    weight: 320 + block.txids.reduce((s, t) => s + txs.get(t)!.tx.weight(), 4),
    merkle_root: sha256Hex(`merkle/${block.txids.join(',')}`),
    previousblockhash: block.prevHash,
    mediantime: Math.max(GENESIS_TIME, block.time - BLOCK_INTERVAL * 5),
    nonce: 0,
    bits: 0x207fffff,
    difficulty: 1,
  })

  const outspendJson = (txid: string, vout: number): Record<string, unknown> => {
    const spender = spentBy.get(`${txid}:${vout}`)
    if (!spender) return { spent: false }
    return { spent: true, txid: spender.txid, vin: spender.vin, status: statusJson(txs.get(spender.txid)!) }
  }

  const touches = (rec: TxRecord, scriptHex: string): boolean =>
    rec.tx.outs.some((o) => toHex(o.script) === scriptHex) ||
    rec.prevouts.some((p) => p !== null && toHex(p.script) === scriptHex)

  /** Txs touching the script: mempool newest first, then confirmed newest first. */
  const history = (scriptHex: string): { mempool: TxRecord[]; chain: TxRecord[] } => {
    const all = [...txs.values()].filter((r) => touches(r, scriptHex))
    const mempool = all.filter((r) => r.height === null).sort((a, b) => b.seq - a.seq)
    const chain = all
      .filter((r) => r.height !== null)
      .sort((a, b) => b.height! - a.height! || b.seq - a.seq)
    return { mempool, chain }
  }

  const addressStats = (scriptHex: string): Record<string, unknown> => {
    const empty = () => ({ funded_txo_count: 0, funded_txo_sum: 0n, spent_txo_count: 0, spent_txo_sum: 0n, tx_count: 0 })
    const chain = empty()
    const mempool = empty()
    for (const rec of txs.values()) {
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

  const utxoList = (scriptHex?: string): EsploraUtxo[] => {
    const list: EsploraUtxo[] = []
    for (const op of utxoSet) {
      const found = outputOf(op)!
      const hex = toHex(found.out.script)
      if (scriptHex !== undefined && hex !== scriptHex) continue
      list.push({
        txid: found.rec.txid,
        vout: found.vout,
        value: found.out.value,
        scriptPubKey: hex,
        address: addressOf(found.out.script),
        height: found.rec.height,
      })
    }
    return list
  }

  // ---- HTTP ----------------------------------------------------------------

  type Reply = { status: number; type: 'text' | 'json' | 'binary'; body: unknown }
  const text = (body: string, status = 200): Reply => ({ status, type: 'text', body })
  const json = (body: unknown): Reply => ({ status: 200, type: 'json', body })
  const notFound = (what: string): Reply => text(what, 404)
  const badRequest = (what: string): Reply => text(what, 400)

  const route = (method: string, parts: string[], body: string): Reply => {
    const [a, b, c, d, e] = parts
    if (method === 'POST') {
      if (a === 'tx' && parts.length === 1) return broadcast(body)
      return notFound('Not Found')
    }
    if (method !== 'GET') return text('Method Not Allowed', 405)

    switch (a) {
      case 'blocks': {
        if (b === 'tip' && c === 'height' && parts.length === 3) return text(String(tip().height))
        if (b === 'tip' && c === 'hash' && parts.length === 3) return text(tip().hash)
        if (parts.length <= 2) {
          const start = b === undefined ? tip().height : Number(b)
          if (!Number.isInteger(start) || start < 0) return badRequest('Invalid height')
          const list: Record<string, unknown>[] = []
          for (let h = Math.min(start, tip().height); h >= 0 && list.length < 10; h--) list.push(blockJson(blocks[h]!))
          return json(list)
        }
        break
      }
      case 'block': {
        const block = blockByHash.get(b ?? '')
        if (!block) return notFound('Block not found')
        if (parts.length === 2) return json(blockJson(block))
        if (c === 'status' && parts.length === 3) {
          const next = blocks[block.height + 1]
          return json({ in_best_chain: true, height: block.height, ...(next ? { next_best: next.hash } : {}) })
        }
        if (c === 'txids' && parts.length === 3) return json(block.txids)
        break
      }
      case 'block-height': {
        if (parts.length !== 2) break
        const h = Number(b)
        const block = /^\d+$/.test(b ?? '') ? blocks[h] : undefined
        return block ? text(block.hash) : notFound('Block not found')
      }
      case 'address': {
        let scriptHex: string
        try {
          scriptHex = toHex(scriptFor(b ?? ''))
        } catch {
          return badRequest('Invalid Bitcoin address')
        }
        if (parts.length === 2) return json({ address: b, ...addressStats(scriptHex) })
        if (c === 'utxo' && parts.length === 3) {
          return json(
            utxoList(scriptHex).map((u) => {
              const rec = txs.get(u.txid)!
              return { txid: u.txid, vout: u.vout, value: Number(u.value), status: statusJson(rec) }
            }),
          )
        }
        if (c === 'txs') {
          const { mempool, chain } = history(scriptHex)
          if (parts.length === 3) {
            return json([...mempool.slice(0, MAX_MEMPOOL_TXS), ...chain.slice(0, CHAIN_TXS_PER_PAGE)].map(txJson))
          }
          if (d === 'mempool' && parts.length === 4) return json(mempool.slice(0, MAX_MEMPOOL_TXS).map(txJson))
          if (d === 'chain' && parts.length <= 5) {
            let start = 0
            if (e !== undefined) {
              const i = chain.findIndex((r) => r.txid === e)
              if (i < 0) return json([])
              start = i + 1
            }
            return json(chain.slice(start, start + CHAIN_TXS_PER_PAGE).map(txJson))
          }
        }
        break
      }
      case 'tx': {
        if (!/^[0-9a-f]{64}$/.test(b ?? '')) return badRequest('Invalid hex string')
        const rec = txs.get(b!)
        if (!rec) return notFound('Transaction not found')
        if (parts.length === 2) return json(txJson(rec))
        if (c === 'hex' && parts.length === 3) return text(rec.hex)
        if (c === 'raw' && parts.length === 3) return { status: 200, type: 'binary', body: Buffer.from(rec.hex, 'hex') }
        if (c === 'status' && parts.length === 3) return json(statusJson(rec))
        if (c === 'outspends' && parts.length === 3) return json(rec.tx.outs.map((_, v) => outspendJson(rec.txid, v)))
        if (c === 'outspend' && parts.length === 4) {
          const vout = Number(d)
          if (!/^\d+$/.test(d ?? '') || vout >= rec.tx.outs.length) return notFound('Output not found')
          return json(outspendJson(rec.txid, vout))
        }
        break
      }
      case 'fee-estimates':
        if (parts.length === 1) return json(feeEstimates)
        break
      case 'mempool':
        if (b === 'txids' && parts.length === 2) {
          return json([...txs.values()].filter((r) => r.height === null).map((r) => r.txid))
        }
        break
    }
    return notFound('Not Found')
  }

  const broadcast = (body: string): Reply => {
    const hex = body.trim()
    const forced = rejectQueue.shift()
    if (forced) {
      broadcasts.push({ hex, txid: safeTxid(hex), accepted: false, reason: forced.reason })
      return forced.status === 400 ? text(rpcError(-26, forced.reason), 400) : text(forced.reason, forced.status)
    }
    try {
      const { txid, replaced } = accept(hex)
      broadcasts.push({ hex, txid, accepted: true, ...(replaced.length ? { replaced } : {}) })
      return text(txid)
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      broadcasts.push({ hex, txid: safeTxid(hex), accepted: false, reason: error.message })
      return text(rpcError(error.code, error.message), 400)
    }
  }

  /** The first fault rule matching this request at this stage, counted as used. */
  const faultFor = (method: string, path: string, when: 'before' | 'after'): Fault | undefined => {
    const rule = faults.find(
      (r) =>
        (r.when ?? 'before') === when &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined || r.path.test(path)) &&
        (r.times === undefined || r.used < r.times),
    )
    if (!rule) return undefined
    rule.used++
    faultLog.push(`${method} ${path} → ${typeof rule.fault === 'string' ? rule.fault : rule.fault.status}`)
    return rule.fault
  }

  const applyFault = (fault: Fault, req: IncomingMessage, res: ServerResponse): void => {
    if (fault === 'hang') return // never answered; stop() closes the connection
    if (fault === 'reset') {
      req.socket.destroy()
      return
    }
    res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers })
    res.end(fault.body ?? '')
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://esplora.local')
    requestLog.push(`${method} ${url.pathname}`)
    const body = (await readBody(req)).toString('utf8')
    let parts = url.pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent)
    if (parts[0] === 'api') parts = parts.slice(1)
    const path = `/${parts.join('/')}`
    const early = faultFor(method, path, 'before')
    if (early) return applyFault(early, req, res)
    const reply = route(method, parts, body)
    const late = faultFor(method, path, 'after')
    if (late) return applyFault(late, req, res)
    const contentType = { text: 'text/plain', json: 'application/json', binary: 'application/octet-stream' }[reply.type]
    let out: string | Buffer =
      reply.type === 'json'
        ? JSON.stringify(reply.body, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
        : (reply.body as string | Buffer)
    if (rewrite && typeof out === 'string') out = rewrite({ method, path }, { status: reply.status, body: out }) ?? out
    res.writeHead(reply.status, { 'content-type': contentType })
    res.end(out)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`esplora-server: ${(error as Error).message}`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    network: networkName,
    btcNetwork: network,
    get requests() {
      return requests
    },
    get requestLog() {
      return requestLog
    },
    get broadcasts() {
      return broadcasts
    },
    get tipHeight() {
      return tip().height
    },
    get tipHash() {
      return tip().hash
    },
    async fund(addr, amount, { confirmed = true } = {}) {
      const script = scriptFor(addr)
      if (amount <= 0n || amount > MAX_MONEY) throw new Error(`esplora-server: cannot fund ${amount} sat`)
      const n = ++fundCounter
      const tx = new Transaction()
      tx.version = 2
      const fakePrev = createHash('sha256').update(`coffer-esplora/${networkName}/fund/${n}`).digest()
      tx.addInput(Uint8Array.from(fakePrev), 0, 0xffffffff, bscript.compile([Buffer.from(`coffer-fund-${n}`, 'utf8')]))
      tx.addOutput(script, amount)
      const txid = tx.getId()
      insert({
        txid,
        tx,
        hex: tx.toHex(),
        fee: 0n,
        prevouts: [null],
        height: confirmed ? tip().height : null,
        seq: seq++,
        synthetic: true,
      })
      return { txid, vout: 0 }
    },
    mine(count = 1) {
      if (!Number.isInteger(count) || count < 1) throw new Error(`esplora-server: cannot mine ${count} blocks`)
      const hashes: string[] = []
      for (let i = 0; i < count; i++) {
        const block = appendBlock()
        if (i === 0) {
          const pending = [...txs.values()].filter((r) => r.height === null).sort((x, y) => x.seq - y.seq)
          for (const rec of pending) {
            rec.height = block.height
            block.txids.push(rec.txid)
          }
        }
        hashes.push(block.hash)
      }
      return hashes
    },
    setFeeEstimates(estimates) {
      feeEstimates = { ...estimates }
    },
    rejectNext(reason, { status = 400 } = {}) {
      rejectQueue.push({ reason, status })
    },
    transactions() {
      return [...txs.values()]
        .sort((x, y) => x.seq - y.seq)
        .map((rec) => ({
          txid: rec.txid,
          hex: rec.hex,
          fee: rec.fee,
          vsize: rec.tx.virtualSize(),
          height: rec.height,
          blockHash: blockOf(rec)?.hash ?? null,
          synthetic: rec.synthetic,
        }))
    },
    utxos(addr) {
      return utxoList(addr === undefined ? undefined : toHex(scriptFor(addr)))
    },
    resetRequests() {
      requests = 0
      requestLog = []
    },
    addFault(rule) {
      const entry = { ...rule, used: 0 }
      faults.push(entry)
      return () => {
        const i = faults.indexOf(entry)
        if (i >= 0) faults.splice(i, 1)
      }
    },
    setRewrite(fn) {
      rewrite = fn
    },
    clearFaults() {
      faults.length = 0
      rewrite = undefined
    },
    get faultLog() {
      return faultLog
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

// ---------------------------------------------------------------------------
// Signature verification (bitcoinjs-lib sighashes + tiny-secp256k1).

function scriptFail(i: number, kind: string, detail: string, mandatory = true): Rejection {
  const prefix = mandatory ? 'mandatory-script-verify-flag-failed' : 'non-mandatory-script-verify-flag'
  return new Rejection(-26, `${prefix} (${detail}): input ${i} (${kind})`)
}

function verifyInput(tx: Transaction, i: number, prevouts: Prevout[]): void {
  const input = tx.ins[i]!
  const prev = prevouts[i]!
  const type = scriptType(prev.script)
  switch (type) {
    case 'v0_p2wpkh': {
      if (input.script.length > 0) throw scriptFail(i, 'p2wpkh', 'Witness requires empty scriptSig')
      verifyP2wpkh(tx, i, 'p2wpkh', prev.script.subarray(2, 22), prev.value)
      return
    }
    case 'p2sh': {
      const chunks = bscript.decompile(input.script)
      const redeem = chunks?.length === 1 ? chunks[0] : undefined
      if (!(redeem instanceof Uint8Array) || bscript.compile([redeem]).length !== input.script.length) {
        throw scriptFail(i, 'p2sh', 'Witness requires only-redeemscript scriptSig; scriptSig must be one push of the redeem script')
      }
      if (!equalBytes(hash160(redeem), prev.script.subarray(2, 22))) {
        throw scriptFail(i, 'p2sh', "Script evaluated without error but finished with a false/empty top stack element; hash160(redeem script) does not match the prevout's script hash")
      }
      if (scriptType(redeem) !== 'v0_p2wpkh') {
        throw new Rejection(-26, `bad-txns-nonstandard-inputs: input ${i}: only P2SH-P2WPKH redeem scripts are supported by this test server, got ${scriptAsm(redeem)}`)
      }
      verifyP2wpkh(tx, i, 'p2sh-p2wpkh', redeem.subarray(2, 22), prev.value)
      return
    }
    case 'p2pkh': {
      const kind = 'p2pkh'
      if (input.witness.length > 0) throw scriptFail(i, kind, 'Witness provided for non-witness script')
      const chunks = bscript.decompile(input.script)
      const [sig, pubkey] = chunks ?? []
      if (chunks?.length !== 2 || !(sig instanceof Uint8Array) || !(pubkey instanceof Uint8Array)) {
        throw scriptFail(i, kind, 'scriptSig must push exactly [signature, pubkey]')
      }
      if (!ecc.isPoint(pubkey)) throw scriptFail(i, kind, 'Public key is not a valid secp256k1 point')
      if (!equalBytes(hash160(pubkey), prev.script.subarray(3, 23))) {
        throw scriptFail(i, kind, "Script failed an OP_EQUALVERIFY operation; hash160(pubkey) does not match the prevout's pubkey hash")
      }
      verifyEcdsa(i, kind, sig, pubkey, (hashType) => tx.hashForSignature(i, prev.script, hashType))
      return
    }
    case 'v1_p2tr': {
      const kind = 'p2tr'
      if (input.script.length > 0) throw scriptFail(i, kind, 'Witness requires empty scriptSig')
      let stack = input.witness
      let annex: Uint8Array | undefined
      const last = stack[stack.length - 1]
      if (stack.length >= 2 && last && last[0] === 0x50) {
        annex = last
        stack = stack.slice(0, -1)
      }
      if (stack.length !== 1) {
        throw new Rejection(-26, `bad-txns-nonstandard-inputs: input ${i} (p2tr): only key-path spends (a witness of one signature) are supported by this test server, got ${stack.length} witness elements`)
      }
      const sig = stack[0]!
      if (sig.length !== 64 && sig.length !== 65) throw scriptFail(i, kind, `Invalid Schnorr signature size ${sig.length}`)
      const hashType = sig.length === 65 ? sig[64]! : Transaction.SIGHASH_DEFAULT
      if (sig.length === 65 && (hashType === 0 || !isDefinedHashType(hashType))) {
        throw scriptFail(i, kind, `Invalid Schnorr signature hash type 0x${hashType.toString(16)}`)
      }
      const hash = tx.hashForWitnessV1(
        i,
        prevouts.map((p) => p.script),
        prevouts.map((p) => p.value),
        hashType,
        undefined,
        annex,
      )
      let ok = false
      try {
        ok = ecc.verifySchnorr(hash, prev.script.subarray(2, 34), sig.subarray(0, 64))
      } catch {
        ok = false
      }
      if (!ok) throw scriptFail(i, kind, 'Invalid Schnorr signature; it does not verify against the output key and the BIP-341 sighash')
      return
    }
    default:
      throw new Rejection(-26, `bad-txns-nonstandard-inputs: input ${i} spends a ${type} output, which this test server cannot verify (supported: p2wpkh, p2sh-p2wpkh, p2pkh, p2tr key path)`)
  }
}

function verifyP2wpkh(tx: Transaction, i: number, kind: string, program: Uint8Array, value: bigint): void {
  const witness = tx.ins[i]!.witness
  if (witness.length !== 2) throw scriptFail(i, kind, `Witness program mismatch: expected [signature, pubkey], got ${witness.length} elements`)
  const [sig, pubkey] = witness as [Uint8Array, Uint8Array]
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3)) {
    throw scriptFail(i, kind, 'Using non-compressed keys in segwit', false)
  }
  if (!equalBytes(hash160(pubkey), program)) {
    throw scriptFail(i, kind, "Witness program hash mismatch; hash160(pubkey) does not match the prevout's program")
  }
  const scriptCode = payments.p2pkh({ hash: program }).output!
  verifyEcdsa(i, kind, sig, pubkey, (hashType) => tx.hashForWitnessV0(i, scriptCode, value, hashType))
}

function verifyEcdsa(
  i: number,
  kind: string,
  sigWithHashType: Uint8Array,
  pubkey: Uint8Array,
  sighash: (hashType: number) => Uint8Array,
): void {
  let decoded: { signature: Uint8Array; hashType: number }
  try {
    decoded = bscript.signature.decode(sigWithHashType)
  } catch (error) {
    throw scriptFail(i, kind, `Non-canonical DER signature or undefined hash type: ${(error as Error).message}`)
  }
  const s = BigInt(`0x${toHex(decoded.signature.subarray(32))}`)
  if (s > HALF_ORDER) throw scriptFail(i, kind, 'Non-canonical signature: S value is unnecessarily high', false)
  const hash = sighash(decoded.hashType)
  let ok = false
  try {
    ok = ecc.verify(hash, pubkey, decoded.signature, true)
  } catch {
    ok = false
  }
  if (!ok) {
    throw scriptFail(i, kind, 'Signature must be zero for failed CHECK(MULTI)SIG operation; the ECDSA signature does not verify against the pubkey and the sighash')
  }
}

// ---------------------------------------------------------------------------
// Helpers.

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

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Display txid (byte-reversed) of an input's prevout hash. */
function txidOf(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex')
}

function outpoint(hash: Uint8Array, index: number): string {
  return `${txidOf(hash)}:${index}`
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

function hash160(bytes: Uint8Array): Uint8Array {
  const sha = createHash('sha256').update(bytes).digest()
  return Uint8Array.from(createHash('ripemd160').update(sha).digest())
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function sats(v: bigint): string {
  return `${v} sat`
}

function rate(fee: bigint, vsize: number): string {
  return (Number(fee) / vsize).toFixed(2)
}

function isDefinedHashType(hashType: number): boolean {
  const base = hashType & ~Transaction.SIGHASH_ANYONECANPAY
  return base >= Transaction.SIGHASH_ALL && base <= Transaction.SIGHASH_SINGLE
}

/** Esplora's scriptpubkey_type names. */
function scriptType(s: Uint8Array): string {
  if (s.length === 0) return 'empty'
  if (s[0] === 0x6a) return 'op_return'
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) return 'p2pkh'
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return 'p2sh'
  if (s.length === 22 && s[0] === 0x00 && s[1] === 0x14) return 'v0_p2wpkh'
  if (s.length === 34 && s[0] === 0x00 && s[1] === 0x20) return 'v0_p2wsh'
  if (s.length === 34 && s[0] === 0x51 && s[1] === 0x20) return 'v1_p2tr'
  if ((s.length === 35 && s[0] === 33 && s[34] === 0xac) || (s.length === 67 && s[0] === 65 && s[66] === 0xac)) return 'p2pk'
  return 'unknown'
}

function isWitnessProgram(s: Uint8Array): boolean {
  const v = s[0]
  return (
    s.length >= 4 && s.length <= 42 && (v === 0x00 || (v !== undefined && v >= 0x51 && v <= 0x60)) && s[1] === s.length - 2
  )
}

/** Bitcoin Core's GetDustThreshold at the default dustrelayfee of 3000 sat/kvB. */
function dustThreshold(script: Uint8Array): bigint {
  if (script[0] === 0x6a) return 0n // OP_RETURN: unspendable, exempt
  const outputSize = 8 + varIntSize(script.length) + script.length
  const spendSize = isWitnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4
  return BigInt((outputSize + spendSize) * 3)
}

function varIntSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9
}

const OPCODE_NAMES = opcodes as unknown as Record<number, string | undefined>

/** rust-bitcoin style asm, as Esplora prints it. */
function scriptAsm(s: Uint8Array): string {
  const out: string[] = []
  let i = 0
  while (i < s.length) {
    const op = s[i++]!
    let len = -1
    let name = ''
    if (op === 0x00) {
      out.push('OP_0')
      continue
    } else if (op <= 0x4b) {
      len = op
      name = `OP_PUSHBYTES_${op}`
    } else if (op <= 0x4e) {
      const width = op === 0x4c ? 1 : op === 0x4d ? 2 : 4
      if (i + width > s.length) {
        out.push('<unexpected end>')
        break
      }
      len = 0
      for (let k = width - 1; k >= 0; k--) len = len * 256 + s[i + k]!
      i += width
      name = `OP_PUSHDATA${width === 4 ? 4 : width}`
    } else if (op === 0x4f) {
      out.push('OP_PUSHNUM_NEG1')
      continue
    } else if (op >= 0x51 && op <= 0x60) {
      out.push(`OP_PUSHNUM_${op - 0x50}`)
      continue
    } else {
      out.push(op === 0xb1 ? 'OP_CLTV' : op === 0xb2 ? 'OP_CSV' : (OPCODE_NAMES[op] ?? `OP_RETURN_${op}`))
      continue
    }
    if (i + len > s.length) {
      out.push(name, '<push past end>')
      break
    }
    out.push(name, toHex(s.subarray(i, i + len)))
    i += len
  }
  return out.join(' ')
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
