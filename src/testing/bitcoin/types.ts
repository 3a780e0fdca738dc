/**
 * The shapes of the Esplora-shaped checking server (./server.ts): its options, its records, its
 * fault rules and the handle `startEsplora` returns.
 * @module
 * @internal
 */
import type { Network } from 'bitcoinjs-lib'

/** The networks the server can pretend to be. */
export type EsploraNetwork = 'mainnet' | 'testnet' | 'regtest'

/** Options of `startEsplora`. */
export interface EsploraOptions {
  network: EsploraNetwork
  /** Height of the tip at start (blocks 0..startHeight exist). Default 100. */
  startHeight?: number
  /** Minimum relay fee rate in sat/vB for broadcasts. Default 1 (Bitcoin Core's default). */
  minRelayFeeRate?: number
}

/** Options of `fund`. */
export interface FundOptions {
  /** true (default): confirmed in the current tip block; false: a mempool tx. */
  confirmed?: boolean
}

/** An unspent output. */
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

/** A live transaction. */
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

/** One POST /tx. */
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
export type Fault = { status: number; body?: string; headers?: Record<string, string> } | 'hang' | 'reset'

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

/** A running server. */
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
