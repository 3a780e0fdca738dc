/**
 * The Bitcoin adapter's record of what it broadcast: every send it made (also one whose
 * broadcast outcome was unknown) with the inputs and outputs a speed-up needs, and the
 * "replaced by" links a speed-up leaves. Stored under `bitcoin-<network>-journal`. It holds
 * addresses, public keys, paths and amounts only.
 * @module
 * @internal
 */
import type { KeyValueStore } from '../../core/store.js'
import type { BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { TransferQuote, UnsignedTransaction } from '../adapter.js'
import { Records } from '../broadcast-records.js'
import type { InputJson } from './transaction.js'

/** A send this adapter made, as its journal keeps it (also when the broadcast's outcome was unknown). */
export interface SentTransaction {
  readonly hash: string
  /** Address or account descriptor it spent from. */
  readonly source: string
  readonly inputs: readonly InputJson[]
  /** Change outputs carry their key (hex) and path when they go back to an account. */
  readonly outputs: readonly { address: string; value: string; change?: boolean; publicKey?: string; path?: string }[]
  readonly fee: string
  readonly feeRate: string
  readonly vsize: number
  readonly fingerprint?: number
  readonly sentAt: number
  readonly replaces?: string
}

/** Broadcast journal of one Bitcoin adapter. */
export class Journal {
  readonly #records: Records<SentTransaction>

  constructor(network: BitcoinNetwork, storage?: KeyValueStore) {
    this.#records = new Records(`bitcoin-${network}-journal`, storage)
  }

  /** Records a send (before its broadcast's outcome is known to be good: also when it is unknown). */
  add(entry: SentTransaction): Promise<void> {
    return this.#records.add(entry)
  }

  /** The entry for `hash`, if this adapter sent it. */
  get(hash: string): Promise<SentTransaction | undefined> {
    return this.#records.get(hash)
  }

  /** The newest entry that replaced `hash` (a lower-case txid), if any. */
  async replacementOf(hash: string): Promise<SentTransaction | undefined> {
    return (await this.#records.all()).find((e) => e.replaces === hash)
  }
}

/** The journal entry of a send of `quote`, built as `unsigned`, with txid `hash`; `sentAt` is now. */
export function sentRecord(quote: TransferQuote, unsigned: UnsignedTransaction, hash: string): SentTransaction {
  return {
    hash,
    source: quote.from,
    inputs: unsigned.payload.inputs as never,
    outputs: unsigned.payload.outputs as never,
    fee: quote.fee.amount.toString(),
    feeRate: unsigned.payload.feeRate as string,
    vsize: unsigned.payload.vsize as number,
    ...(typeof quote.details.fingerprint === 'number' ? { fingerprint: quote.details.fingerprint } : {}),
    sentAt: Date.now(),
  }
}
