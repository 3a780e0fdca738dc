/**
 * Nonces for concurrent sends. Per address, the first `take` reads the node's pending
 * count; after that nonces are handed out locally, in call order, so 50 sends issued at
 * once get 50 consecutive, unique nonces. A nonce whose send never reached the node is
 * `release`d and handed out again before any higher one, so a failed send leaves no hole.
 * `resync` (after "nonce too low", or a dropped send) re-reads the node, still skipping the
 * nonces other sends hold at that moment. When no send holds a nonce, the next `take` reads
 * the node again, so sequential sends always start from the node's truth. A hold that is
 * never ended (a transaction built but never broadcast) expires after `holdMs`.
 
 * @module
 * @internal
 */
import type { PublicClient } from 'viem'
import { rpc } from './rpc.js'

interface AccountNonces {
  /** Next fresh nonce, once read from the node. */
  next: number | undefined
  /** Nonces handed out whose sends are still in progress, with when they were taken. */
  held: Map<number, number>
  /** Nonces given back (their sends failed before reaching the node). */
  released: Set<number>
  /** Serialises allocation for this address. */
  queue: Promise<unknown>
}

/** Hands out nonces per address. */
export class NonceManager {
  readonly #client: PublicClient
  readonly #accounts = new Map<string, AccountNonces>()
  readonly #holdMs: number

  constructor(client: PublicClient, holdMs = 10 * 60_000) {
    this.#client = client
    this.#holdMs = holdMs
  }

  #account(address: string): AccountNonces {
    const key = address.toLowerCase()
    let account = this.#accounts.get(key)
    if (!account) {
      account = { next: undefined, held: new Map(), released: new Set(), queue: Promise.resolve() }
      this.#accounts.set(key, account)
    }
    return account
  }

  /** Reserves the next nonce for `address`. Pair with `done`. */
  take(address: `0x${string}`): Promise<number> {
    const account = this.#account(address)
    const task = account.queue.then(async () => {
      const now = Date.now()
      for (const [n, at] of account.held) if (now - at > this.#holdMs) account.held.delete(n)
      if (account.held.size === 0) {
        account.next = undefined
        account.released.clear()
      }
      if (account.next === undefined) {
        account.next = await rpc('Reading the account nonce', () => this.#client.getTransactionCount({ address, blockTag: 'pending' }))
      }
      const reusable = [...account.released].filter((n) => !account.held.has(n)).sort((a, b) => a - b)[0]
      let nonce: number
      if (reusable !== undefined) {
        account.released.delete(reusable)
        nonce = reusable
      } else {
        while (account.held.has(account.next)) account.next++
        nonce = account.next++
      }
      account.held.set(nonce, now)
      return nonce
    })
    account.queue = task.catch(() => undefined)
    return task
  }

  /** Ends a reservation: `used` if the node accepted the transaction, else the nonce goes back. */
  done(address: `0x${string}`, nonce: number, used: boolean): void {
    const account = this.#account(address)
    account.held.delete(nonce)
    if (!used) account.released.add(nonce)
  }

  /** Forgets local counts; the next `take` re-reads the node (still skipping held nonces). */
  resync(address: `0x${string}`): void {
    const account = this.#account(address)
    account.next = undefined
    account.released.clear()
  }
}
