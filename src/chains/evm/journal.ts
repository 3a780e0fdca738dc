/**
 * The EVM adapter's record of what it broadcast: the source of native-coin history (plain
 * ETH transfers leave no log to query) and of "replaced by" links after a speed-up or cancel.
 * Stored under `evm-<chainId>-journal`. It holds addresses and amounts only.
 * @module
 * @internal
 */
import { decodeFunctionData, erc20Abi, getAddress, type parseTransaction } from 'viem'
import type { AssetId } from '../../core/caip.js'
import type { KeyValueStore } from '../../core/store.js'
import { Records } from '../broadcast-records.js'
import type { EvmChain } from './networks.js'
import type { TokenBook } from './tokens.js'

export type { JournalStorage } from '../broadcast-records.js'

/** One broadcast transaction. */
export interface JournalEntry {
  readonly hash: `0x${string}`
  readonly from: `0x${string}`
  readonly to: `0x${string}`
  readonly asset: AssetId
  /** Base units, decimal string. */
  readonly amount: string
  readonly nonce: number
  /** Milliseconds since epoch. */
  readonly sentAt: number
  /** The transaction this one replaced (speed-up / cancel). */
  readonly replaces?: `0x${string}`
  /** True for a cancel (a 0-value self-send taking the nonce). */
  readonly cancel?: boolean
}

/** Broadcast journal of one EVM adapter. */
export class Journal {
  readonly #records: Records<JournalEntry>

  constructor(chainId: number, storage?: KeyValueStore) {
    this.#records = new Records(`evm-${chainId}-journal`, storage)
  }

  /** Records a broadcast. */
  add(entry: JournalEntry): Promise<void> {
    return this.#records.add(entry)
  }

  /** The entry for `hash`, if this adapter broadcast it. */
  get(hash: string): Promise<JournalEntry | undefined> {
    return this.#records.get(hash)
  }

  /** The entry that replaced `hash`, if any. */
  async replacementOf(hash: string): Promise<JournalEntry | undefined> {
    const h = hash.toLowerCase()
    return (await this.#records.all()).find((e) => e.replaces?.toLowerCase() === h)
  }

  /** Entries sent from `address` (newest first). */
  async sentBy(address: string): Promise<JournalEntry[]> {
    const a = address.toLowerCase()
    return (await this.#records.all()).filter((e) => e.from.toLowerCase() === a)
  }
}

/**
 * Journals a broadcast (accepted or maybe sent) of the parsed transaction `tx`: an ERC-20
 * `transfer` as a send of that token to its recipient, anything else as a native send of its value.
 */
export async function recordSend(
  journal: Journal,
  tokens: TokenBook,
  chain: EvmChain,
  hash: `0x${string}`,
  from: `0x${string}`,
  tx: ReturnType<typeof parseTransaction>,
  nonce: number,
  extra: { replaces?: `0x${string}`; cancel?: boolean } = {},
): Promise<void> {
  let to = (tx.to ?? from) as `0x${string}`
  let asset: AssetId = chain.nativeAsset
  let amount = tx.value ?? 0n
  if (tx.data && tx.data !== '0x' && tx.to) {
    try {
      const { functionName, args } = decodeFunctionData({ abi: erc20Abi, data: tx.data })
      if (functionName === 'transfer') {
        asset = (await tokens.get(`${chain.caip2}/erc20:${tx.to.toLowerCase()}` as AssetId)).id
        to = args[0] as `0x${string}`
        amount = args[1] as bigint
      }
    } catch {
      // Not a token transfer: journal it as a native send of its value.
    }
  }
  await journal.add({ hash, from, to: getAddress(to), asset, amount: amount.toString(), nonce, sentAt: Date.now(), ...extra })
}
