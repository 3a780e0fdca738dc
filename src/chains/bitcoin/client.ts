/**
 * What the Bitcoin adapter needs from the network ({@link BitcoinBackend}: the Esplora REST
 * client implements it; an Electrum or Bitcoin Core RPC backend can implement the same
 * interface), and {@link rpc}: backend failures at the adapter boundary become RpcError.
 * @module
 */
import { CofferError, RpcError } from '../../core/errors.js'

/** An unspent output of an address. */
export interface BackendUtxo {
  readonly txid: string
  readonly vout: number
  /** Satoshis. */
  readonly value: bigint
  readonly confirmed: boolean
  readonly height?: number
}

/** What an address has seen. */
export interface AddressStats {
  /** Transactions touching the address, confirmed and in the mempool. */
  readonly txCount: number
  /** Confirmed balance, satoshis. */
  readonly confirmed: bigint
  /** Mempool delta, satoshis (negative while spending). */
  readonly unconfirmed: bigint
}

/** A transaction as the backend reports it. */
export interface BackendTx {
  readonly txid: string
  readonly confirmed: boolean
  readonly height?: number
  readonly blockHash?: string
  /** Seconds since epoch, for confirmed transactions. */
  readonly time?: number
  readonly fee: bigint
  readonly vsize: number
  readonly inputs: readonly {
    readonly txid: string
    readonly vout: number
    readonly address?: string
    readonly value: bigint
    readonly sequence: number
  }[]
  readonly outputs: readonly { readonly address?: string; readonly value: bigint }[]
}

/** Whether an output is spent, and by which transaction. */
export interface BackendOutspend {
  readonly spent: boolean
  /** The spending transaction, when spent. */
  readonly txid?: string
  /** Whether the spending transaction is confirmed, and at which height. */
  readonly confirmed?: boolean
  readonly height?: number
}

/** A block header. */
export interface BackendBlock {
  readonly height: number
  readonly hash: string
  readonly parentHash: string
  /** Seconds since epoch. */
  readonly time: number
  /** Transactions in the block, when the backend says (the transfer scan needs it). */
  readonly txCount?: number
}

/**
 * Passed as the last argument of every backend call. `signal` aborts when the adapter call that
 * made the request runs past its deadline: stop waiting (and retrying) then. A backend may
 * ignore it; the adapter stops waiting for it anyway.
 */
export interface BackendCallOptions {
  readonly signal?: AbortSignal
}

/**
 * The network operations the Bitcoin adapter uses. The adapter verifies what it signs over
 * (previous transactions against their txids), so a backend is trusted for liveness and
 * privacy, not for amounts.
 */
export interface BitcoinBackend {
  /** Height and hash of the best chain's newest block. */
  tip(options?: BackendCallOptions): Promise<{ height: number; hash: string }>
  /** The header of the block with this hash. */
  block(hash: string, options?: BackendCallOptions): Promise<BackendBlock>
  /** Hash of the block at `height` on the best chain. */
  blockHash(height: number, options?: BackendCallOptions): Promise<string>
  /** Transaction count and confirmed / mempool balance of an address. */
  addressStats(address: string, options?: BackendCallOptions): Promise<AddressStats>
  /** The address's unspent outputs, unconfirmed ones included (marked `confirmed: false`). */
  utxos(address: string, options?: BackendCallOptions): Promise<BackendUtxo[]>
  /** Newest first: mempool, then confirmed; `after` continues after that txid (a page at a time). */
  transactions(address: string, after?: string, options?: BackendCallOptions): Promise<BackendTx[]>
  /** undefined when the backend does not know the transaction. */
  transaction(txid: string, options?: BackendCallOptions): Promise<BackendTx | undefined>
  /** The raw transaction, hex-encoded (every non-taproot input needs it; the adapter checks it hashes to `txid`). */
  transactionHex(txid: string, options?: BackendCallOptions): Promise<string>
  /**
   * Whether output `vout` of `txid` is spent, and by what (optional: without it, a dropped
   * transaction is never reported as proven unminable).
   */
  outspend?(txid: string, vout: number, options?: BackendCallOptions): Promise<BackendOutspend>
  /**
   * Up to {@link BLOCK_TXS_PAGE} transactions of the block `hash`, in block order, from position
   * `start` (a multiple of {@link BLOCK_TXS_PAGE}), each with its inputs' previous outputs
   * (optional: without it, the adapter has no transfer scan).
   */
  blockTransactions?(hash: string, start: number, options?: BackendCallOptions): Promise<BackendTx[]>
  /** Confirmation target in blocks → sat/vB. */
  feeEstimates(options?: BackendCallOptions): Promise<Record<number, number>>
  /**
   * Sends the raw transaction once (no retries: the adapter re-broadcasts and checks by txid).
   * Returns the node's answer, the txid. Throws `TransactionRejectedError` only for an
   * explicit refusal by the node (with `details.code` and `details.reason` when known); any other
   * failure (5xx, timeout, reset, an unreadable answer) must throw something else: the
   * transaction may have been accepted.
   */
  broadcast(hex: string, options?: BackendCallOptions): Promise<string>
}

/** Transactions per page of {@link BitcoinBackend.blockTransactions} (Esplora's `/block/:hash/txs/:start`). */
export const BLOCK_TXS_PAGE = 25

/** Runs a backend call, turning unexpected failures into RpcError (CofferErrors pass through). */
export async function rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof CofferError) throw error
    throw new RpcError(`${what} failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`, { cause: error })
  }
}
