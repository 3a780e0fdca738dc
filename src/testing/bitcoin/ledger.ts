/**
 * The Esplora-shaped server's chain: blocks with deterministic synthetic hashes, the live
 * transactions (mempool and confirmed), the UTXO set and who spends what.
 *
 * Blocks 0..startHeight exist from the start, chained by previousblockhash, timestamps
 * 1_700_000_000 + 600 × height. `fund` puts a synthetic funding tx (real, serialized, one fake
 * input) into the current tip block or the mempool; `mine(n)` appends n blocks, the first
 * holding every mempool tx.
 * @module
 * @internal
 */
import { createHash } from 'node:crypto'
import { Transaction, address as baddress, networks as bnetworks, script as bscript, type Network } from 'bitcoinjs-lib'
import { outpoint, sha256Hex, toHex, txidOf } from './script.js'
import type { EsploraNetwork, EsploraTxRecord, EsploraUtxo } from './types.js'
import type { Prevout } from './verify.js'

/** bitcoinjs-lib network objects (regtest: bech32 'bcrt'). */
export const NETWORKS: Readonly<Record<EsploraNetwork, Network>> = {
  mainnet: bnetworks.bitcoin,
  testnet: bnetworks.testnet,
  regtest: bnetworks.regtest,
}

export const GENESIS_TIME = 1_700_000_000
export const BLOCK_INTERVAL = 600
/** The largest amount of bitcoin there can be, in satoshis. */
export const MAX_MONEY = 21_000_000n * 100_000_000n

/** A live transaction and what the server knows about it. */
export interface TxRecord {
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

/** A block. */
export interface Block {
  hash: string
  height: number
  prevHash: string | null
  time: number
  txids: string[]
}

/** The chain state of one server. */
export class Ledger {
  readonly txs = new Map<string, TxRecord>()
  /** outpoint "txid:vout" of every unspent output (mempool outputs included) */
  readonly utxoSet = new Set<string>()
  /** outpoint → the live tx (mempool or confirmed) spending it */
  readonly spentBy = new Map<string, { txid: string; vin: number }>()
  readonly blocks: Block[] = []
  readonly blockByHash = new Map<string, Block>()
  #seq = 0
  #fundCounter = 0

  constructor(
    readonly networkName: EsploraNetwork,
    readonly network: Network,
    startHeight: number,
  ) {
    for (let h = 0; h <= startHeight; h++) this.appendBlock()
  }

  /** The next insertion sequence number. */
  nextSeq(): number {
    return this.#seq++
  }

  appendBlock(): Block {
    const prev = this.blocks[this.blocks.length - 1]
    const height = this.blocks.length
    const hash = sha256Hex(`coffer-esplora/${this.networkName}/block/${height}/${prev?.hash ?? 'genesis'}`)
    const block: Block = { hash, height, prevHash: prev?.hash ?? null, time: GENESIS_TIME + BLOCK_INTERVAL * height, txids: [] }
    this.blocks.push(block)
    this.blockByHash.set(hash, block)
    return block
  }

  tip(): Block {
    return this.blocks[this.blocks.length - 1]!
  }

  outputOf(op: string): { rec: TxRecord; vout: number; out: Prevout } | undefined {
    const [txid, v] = op.split(':')
    const rec = this.txs.get(txid ?? '')
    const vout = Number(v)
    const out = rec?.tx.outs[vout]
    if (!rec || !out) return undefined
    return { rec, vout, out: { script: out.script, value: out.value } }
  }

  addressOf(script: Uint8Array): string | null {
    try {
      return baddress.fromOutputScript(script, this.network)
    } catch {
      return null
    }
  }

  scriptFor(addr: string): Uint8Array {
    try {
      return baddress.toOutputScript(addr, this.network)
    } catch (error) {
      throw new Error(`not a valid ${this.networkName} address: ${addr} (${(error as Error).message})`)
    }
  }

  blockOf(rec: TxRecord): Block | undefined {
    return rec.height === null ? undefined : this.blocks[rec.height]
  }

  insert(rec: TxRecord): void {
    this.txs.set(rec.txid, rec)
    rec.tx.ins.forEach((input, vin) => {
      if (rec.prevouts[vin] === null) return
      const op = outpoint(input.hash, input.index)
      this.utxoSet.delete(op)
      this.spentBy.set(op, { txid: rec.txid, vin })
    })
    rec.tx.outs.forEach((_, vout) => this.utxoSet.add(`${rec.txid}:${vout}`))
    if (rec.height !== null) this.blocks[rec.height]!.txids.push(rec.txid)
  }

  evict(txids: Set<string>): void {
    const evicted = [...txids].map((t) => this.txs.get(t)!)
    for (const rec of evicted) this.txs.delete(rec.txid)
    for (const rec of evicted) {
      rec.tx.outs.forEach((_, vout) => {
        this.utxoSet.delete(`${rec.txid}:${vout}`)
        this.spentBy.delete(`${rec.txid}:${vout}`)
      })
      rec.tx.ins.forEach((input, vin) => {
        if (rec.prevouts[vin] === null) return
        const op = outpoint(input.hash, input.index)
        if (this.spentBy.get(op)?.txid === rec.txid) this.spentBy.delete(op)
        if (this.txs.has(txidOf(input.hash))) this.utxoSet.add(op)
      })
    }
  }

  /** The mempool descendants of `txid` (not including it). */
  descendants(txid: string, into = new Set<string>()): Set<string> {
    const rec = this.txs.get(txid)
    if (!rec) return into
    rec.tx.outs.forEach((_, vout) => {
      const child = this.spentBy.get(`${txid}:${vout}`)
      if (child && !into.has(child.txid)) {
        into.add(child.txid)
        this.descendants(child.txid, into)
      }
    })
    return into
  }

  /** Unspent outputs, optionally of one script (hex). */
  utxoList(scriptHex?: string): EsploraUtxo[] {
    const list: EsploraUtxo[] = []
    for (const op of this.utxoSet) {
      const found = this.outputOf(op)!
      const hex = toHex(found.out.script)
      if (scriptHex !== undefined && hex !== scriptHex) continue
      list.push({
        txid: found.rec.txid,
        vout: found.vout,
        value: found.out.value,
        scriptPubKey: hex,
        address: this.addressOf(found.out.script),
        height: found.rec.height,
      })
    }
    return list
  }

  /** Pays `amount` to `addr` in a synthetic tx, confirmed in the tip block or in the mempool. */
  fund(addr: string, amount: bigint, confirmed: boolean): { txid: string; vout: number } {
    const script = this.scriptFor(addr)
    if (amount <= 0n || amount > MAX_MONEY) throw new Error(`esplora-server: cannot fund ${amount} sat`)
    const n = ++this.#fundCounter
    const tx = new Transaction()
    tx.version = 2
    const fakePrev = createHash('sha256').update(`coffer-esplora/${this.networkName}/fund/${n}`).digest()
    tx.addInput(Uint8Array.from(fakePrev), 0, 0xffffffff, bscript.compile([Buffer.from(`coffer-fund-${n}`, 'utf8')]))
    tx.addOutput(script, amount)
    const txid = tx.getId()
    this.insert({
      txid,
      tx,
      hex: tx.toHex(),
      fee: 0n,
      prevouts: [null],
      height: confirmed ? this.tip().height : null,
      seq: this.nextSeq(),
      synthetic: true,
    })
    return { txid, vout: 0 }
  }

  /** Appends `count` blocks; the first confirms every mempool tx. */
  mine(count: number): string[] {
    if (!Number.isInteger(count) || count < 1) throw new Error(`esplora-server: cannot mine ${count} blocks`)
    const hashes: string[] = []
    for (let i = 0; i < count; i++) {
      const block = this.appendBlock()
      if (i === 0) {
        const pending = [...this.txs.values()].filter((r) => r.height === null).sort((x, y) => x.seq - y.seq)
        for (const rec of pending) {
          rec.height = block.height
          block.txids.push(rec.txid)
        }
      }
      hashes.push(block.hash)
    }
    return hashes
  }

  /** Live txs, oldest first. */
  transactions(): EsploraTxRecord[] {
    return [...this.txs.values()]
      .sort((x, y) => x.seq - y.seq)
      .map((rec) => ({
        txid: rec.txid,
        hex: rec.hex,
        fee: rec.fee,
        vsize: rec.tx.virtualSize(),
        height: rec.height,
        blockHash: this.blockOf(rec)?.hash ?? null,
        synthetic: rec.synthetic,
      }))
  }
}
