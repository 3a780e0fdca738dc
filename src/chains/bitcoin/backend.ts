/**
 * What the Bitcoin adapter needs from the network. The Esplora REST client implements it;
 * an Electrum or Bitcoin Core RPC backend can implement the same interface.
 * @module
 */

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
  readonly inputs: readonly { readonly txid: string; readonly vout: number; readonly address?: string; readonly value: bigint; readonly sequence: number }[]
  readonly outputs: readonly { readonly address?: string; readonly value: bigint }[]
}

/** A block header. */
export interface BackendBlock {
  readonly height: number
  readonly hash: string
  readonly parentHash: string
  /** Seconds since epoch. */
  readonly time: number
}

/** The network operations the Bitcoin adapter uses. */
export interface BitcoinBackend {
  /** Height and hash of the best chain's newest block. */
  tip(): Promise<{ height: number; hash: string }>
  /** The header of the block with this hash. */
  block(hash: string): Promise<BackendBlock>
  /** Hash of the block at `height` on the best chain. */
  blockHash(height: number): Promise<string>
  /** Transaction count and confirmed / mempool balance of an address. */
  addressStats(address: string): Promise<AddressStats>
  /** The address's unspent outputs, unconfirmed ones included (marked `confirmed: false`). */
  utxos(address: string): Promise<BackendUtxo[]>
  /** Newest first: mempool, then confirmed; `after` continues after that txid (a page at a time). */
  transactions(address: string, after?: string): Promise<BackendTx[]>
  /** undefined when the backend does not know the transaction. */
  transaction(txid: string): Promise<BackendTx | undefined>
  /** The raw transaction, hex-encoded (PSBTs need it for non-witness inputs). */
  transactionHex(txid: string): Promise<string>
  /** Confirmation target in blocks → sat/vB. */
  feeEstimates(): Promise<Record<number, number>>
  /** Returns the txid; throws TransactionRejectedError when refused. */
  broadcast(hex: string): Promise<string>
}
