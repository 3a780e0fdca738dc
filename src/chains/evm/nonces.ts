/**
 * Nonces for concurrent sends, without holes.
 *
 * Per address, every `take` reads the node's pending count (so a second process sending from
 * the same account, or a wallet elsewhere, is seen) and hands out the next nonce above both that
 * count and the nonces this adapter holds, in call order: 50 sends issued at once get 50
 * consecutive, unique nonces. A nonce whose send never reached the node is given back
 * (`done(…, false)`) and handed out again before any higher one.
 *
 * Holes: a transaction above a nonce that never reaches the node is stuck until that nonce is
 * filled. So sends broadcast in nonce order: `turn` waits (bounded) until every lower nonce held
 * by a send in progress has settled, and then says whether a lower nonce was given back. If so,
 * the send must not broadcast: it gives its own nonce back and rebuilds, taking the lower one —
 * its signed bytes never left, so nothing can be mined twice. A nonce whose broadcast outcome is
 * unknown stays used: its transaction may be on the chain.
 *
 * A hold that is never ended (a transaction built for offline signing and never broadcast here)
 * expires after `holdMs`; sends do not wait for such holds.
 * @module
 * @internal
 */
import type { PublicClient } from 'viem'
import { DeadlineExceededError } from '../../core/errors.js'
import { rpc } from './client.js'

interface Hold {
  /** When it was taken (ms since epoch). */
  readonly at: number
  /** Taken by a send in progress (build, sign, broadcast in one call): later sends wait for it. */
  readonly sending: boolean
}

interface AccountNonces {
  /** Next fresh nonce this adapter would hand out, once read from the node. */
  next: number | undefined
  /** Nonces handed out whose sends are still in progress. */
  held: Map<number, Hold>
  /** Nonces given back (their sends failed before reaching the node). */
  released: Set<number>
  /** Serialises allocation for this address. */
  queue: Promise<unknown>
  /** Sends waiting for their turn; woken whenever a hold ends. */
  waiters: Set<() => void>
  /** Nonces another sender (a second process) is known to use, with when that was learnt: skipped until the node counts them. */
  elsewhere: Map<number, number>
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
      account = {
        next: undefined,
        held: new Map(),
        released: new Set(),
        queue: Promise.resolve(),
        waiters: new Set(),
        elsewhere: new Map(),
      }
      this.#accounts.set(key, account)
    }
    return account
  }

  /** Reserves the next nonce for `address`. Pair with `done`. `sending`: the caller broadcasts it in this call (it joins the nonce order). */
  take(address: `0x${string}`, options: { sending?: boolean } = {}): Promise<number> {
    const account = this.#account(address)
    // Read now, outside the queue: takes issued together share one batched request. The count is
    // a lower bound (other senders may add to it); this adapter's own sends are counted locally.
    const pendingRead = rpc('Reading the account nonce', () => this.#client.getTransactionCount({ address, blockTag: 'pending' }))
    pendingRead.catch(() => undefined)
    const task = account.queue.then(async () => {
      const pending = await pendingRead
      const now = Date.now()
      for (const [n, hold] of account.held) if (now - hold.at > this.#holdMs) account.held.delete(n)
      for (const [n, at] of account.elsewhere) if (n < pending || now - at > this.#holdMs) account.elsewhere.delete(n)
      if (account.held.size === 0) account.released.clear()
      // Nonces the chain (or another sender) has used since are no longer ours to reuse.
      for (const n of account.released) if (n < pending) account.released.delete(n)
      account.next = Math.max(account.next ?? 0, pending)
      if (account.held.size === 0) account.next = pending
      const busy = (n: number) => account.held.has(n) || account.elsewhere.has(n)
      const reusable = [...account.released].filter((n) => !busy(n)).sort((a, b) => a - b)[0]
      let nonce: number
      if (reusable !== undefined) {
        account.released.delete(reusable)
        nonce = reusable
      } else {
        while (busy(account.next)) account.next++
        nonce = account.next++
      }
      account.held.set(nonce, { at: now, sending: options.sending === true })
      return nonce
    })
    account.queue = task.catch(() => undefined)
    return task
  }

  /** Ends a reservation: `used` if the node has (or may have) the transaction, else the nonce goes back. */
  done(address: `0x${string}`, nonce: number, used: boolean): void {
    const account = this.#account(address)
    account.held.delete(nonce)
    if (!used) account.released.add(nonce)
    for (const wake of account.waiters) wake()
  }

  /**
   * Waits until no send in progress holds a nonce below `nonce` (at most `timeoutMs`), then
   * reports whether a nonce below it was given back: broadcasting now would leave a hole.
   * @throws DeadlineExceededError when the lower sends do not settle in time
   */
  async turn(address: `0x${string}`, nonce: number, timeoutMs: number): Promise<{ hole: boolean }> {
    const account = this.#account(address)
    const blocked = () => [...account.held].some(([n, hold]) => n < nonce && hold.sending && Date.now() - hold.at <= this.#holdMs)
    if (blocked()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          account.waiters.delete(check)
          reject(
            new DeadlineExceededError(
              `An earlier send from ${address} did not settle within ${timeoutMs} ms; this one was not broadcast.`,
              { details: { deadlineMs: timeoutMs } },
            ),
          )
        }, timeoutMs)
        ;(timer as { unref?: () => void }).unref?.()
        function check() {
          if (blocked()) return
          clearTimeout(timer)
          account.waiters.delete(check)
          resolve()
        }
        account.waiters.add(check)
      })
    }
    return { hole: [...account.released].some((n) => n < nonce) }
  }

  /**
   * Ends a reservation whose nonce another sender uses (its transaction may not be on the node
   * yet): it is skipped until the node's pending count passes it, or for `holdMs`.
   */
  usedElsewhere(address: `0x${string}`, nonce: number): void {
    const account = this.#account(address)
    account.elsewhere.set(nonce, Date.now())
    this.done(address, nonce, true)
  }

  /** Forgets given-back nonces; the next `take` re-reads the node (still skipping held nonces). */
  resync(address: `0x${string}`): void {
    const account = this.#account(address)
    account.next = undefined
    account.released.clear()
  }
}
