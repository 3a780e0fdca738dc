/**
 * `DepositWatcher`: follows chains block by block through the adapters' `getTransfers`, finds
 * incoming transfers to watched addresses, and turns them into `detected` → `confirmed` events
 * (and `reorged` when a block with deposits leaves the chain), delivered in order, each
 * acknowledged once, from the store's outbox. State lives in the store (Postgres / PGlite): a
 * restarted watcher goes on from its cursors and redelivers only what was not acknowledged.
 *
 * A step per chain: read the head; check the cursor's block is still on the chain, else walk the
 * stored block hashes back to the fork (deposits above it are reorged); scan up to `maxBlocks`
 * new blocks for transfers to watched addresses (address pages of `addressPage`); check each
 * deposit's block hash and the range's last block against the chain again (a reorg during the
 * scan aborts the step); commit deposits, events and the new cursor in one transaction.
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'
import { assertOptions } from '../core/assert.js'
import { InvalidArgumentError, NotSupportedError } from '../core/errors.js'
import type { ChainAdapter, ChainTransfer } from '../chains/adapter.js'
import {
  canonicalAddress,
  DepositStore,
  type ChainCursor,
  type DepositEvent,
  type FoundDeposit,
  type StepResult,
  type WatchedAddress,
} from './store.js'

/** Options of {@link DepositWatcher}. */
export interface DepositWatcherOptions {
  readonly store: DepositStore
  /** Adapters with `capabilities.transfers` (EVM, Solana, TRON). */
  readonly chains: readonly ChainAdapter[]
  /** Gets each event in order; throwing makes it come again (later), returning acknowledges it. Must not use the store. */
  readonly handler: (event: DepositEvent) => Promise<void> | void
  /** Assets to watch per chain, default every token the adapter lists. */
  readonly assets?: { readonly [chainId: ChainId]: readonly AssetId[] }
  /** Blocks deep (the deposit's own block counts as 1) before `confirmed`: one number, or per chain. Default 12. */
  readonly confirmations?: number | { readonly [chainId: ChainId]: number }
  /** Where a chain with no cursor starts: its head now (default), or this height. */
  readonly startHeight?: number | { readonly [chainId: ChainId]: number }
  /** Blocks scanned per step, default 100. */
  readonly maxBlocks?: number
  /**
   * Addresses per `getTransfers` call, default 100,000: one call per range, and the adapter picks
   * how to read it (EVM above 2,000 addresses: every Transfer log of the tokens, matched locally —
   * smaller pages would read those same logs once per page).
   */
  readonly addressPage?: number
  /** Between rounds when caught up, default 2,000 ms. */
  readonly pollIntervalMs?: number
  /** Called after every round with the watcher's numbers (a dashboard, a log line); a throw is ignored. */
  readonly onMetrics?: (metrics: WatchMetrics) => void
}

/** What the watcher reports after each round. */
export interface WatchMetrics {
  readonly chains: {
    readonly [chainId: ChainId]: {
      readonly addresses: number
      /** The last block scanned, and how far the chain's head is beyond it. */
      readonly height?: number
      readonly behind?: number
      /** The last failure of this chain's step (a node down), until a step succeeds. */
      readonly lastError?: string
    }
  }
  /** Events delivered per second over the last minute. */
  readonly eventsPerSecond: number
  /** Events waiting for the handler. */
  readonly pendingEvents: number
}

/** What one round did, per chain. */
export interface RoundReport {
  readonly chains: { readonly [chainId: ChainId]: StepResult & { readonly height: number; readonly behind: number } }
  readonly delivered: number
  /** What the handler threw, if delivery stopped at an event it refused (it comes again next round). */
  readonly handlerError?: unknown
}

const pick = <T>(value: T | { readonly [chainId: ChainId]: T } | undefined, chainId: ChainId, fallback: T): T =>
  value === undefined
    ? fallback
    : typeof value === 'object' && value !== null
      ? ((value as Record<string, T>)[chainId] ?? fallback)
      : (value as T)

/** Follows chains for deposits to many addresses. */
export class DepositWatcher {
  readonly #o: DepositWatcherOptions
  readonly #adapters: ReadonlyMap<ChainId, ChainAdapter>
  #running: Promise<void> | undefined
  #stop = false
  readonly #state = new Map<ChainId, { height?: number; behind?: number; lastError?: string }>()
  #deliveries: { at: number; count: number }[] = []

  constructor(options: DepositWatcherOptions) {
    const o = assertOptions(options) as DepositWatcherOptions
    if (!(o.store instanceof DepositStore)) throw new InvalidArgumentError('store must be a DepositStore (DepositStore.open(sql)).')
    if (typeof o.handler !== 'function') throw new InvalidArgumentError('handler must be a function.')
    if (!Array.isArray(o.chains) || o.chains.length === 0) throw new InvalidArgumentError('chains must list at least one adapter.')
    for (const a of o.chains)
      if (!a.capabilities.transfers)
        throw new NotSupportedError(
          `${a.chainId}'s adapter cannot list transfers over a block range (capabilities.transfers); it cannot be watched.`,
        )
    this.#o = o
    this.#adapters = new Map(o.chains.map((a) => [a.chainId, a]))
  }

  /** Watches `addresses` on `chainId` (bulk). Returns how many were new. */
  async addAddresses(chainId: ChainId, addresses: readonly WatchedAddress[]): Promise<number> {
    const adapter = this.#adapter(chainId)
    for (const [i, a] of addresses.entries())
      if (!a || typeof a.address !== 'string' || !adapter.isValidAddress(a.address))
        throw new InvalidArgumentError(`addresses[${i}] is not an address on ${chainId}.`)
    return this.#o.store.addAddresses(chainId, addresses)
  }

  #adapter(chainId: ChainId): ChainAdapter {
    const a = this.#adapters.get(chainId)
    if (!a) throw new InvalidArgumentError(`The watcher has no adapter for ${chainId}.`)
    return a
  }

  /** One round: a scan step on every chain, then delivery of pending events. */
  async poll(): Promise<RoundReport> {
    const chains: Record<string, StepResult & { height: number; behind: number }> = {}
    let failure: unknown
    for (const adapter of this.#adapters.values()) {
      // One chain failing (its node down) does not stop the others; the round reports the first failure.
      try {
        const r = await this.#step(adapter)
        chains[adapter.chainId] = r
        this.#state.set(adapter.chainId, { height: r.height, behind: r.behind })
      } catch (error) {
        failure ??= error
        const state = this.#state.get(adapter.chainId) ?? {}
        this.#state.set(adapter.chainId, { ...state, lastError: error instanceof Error ? error.message.slice(0, 300) : String(error) })
      }
    }
    const { delivered, error } = await this.#o.store.deliver(this.#o.handler)
    const now = Date.now()
    this.#deliveries = [...this.#deliveries.filter((d) => now - d.at < 60_000), { at: now, count: delivered }]
    if (this.#o.onMetrics) {
      try {
        this.#o.onMetrics(await this.metrics())
      } catch {
        // a metrics hook must not stop the watcher
      }
    }
    if (failure !== undefined && Object.keys(chains).length === 0) throw failure
    return { chains, delivered, ...(error === undefined ? {} : { handlerError: error }) }
  }

  /** Addresses, progress and last error per chain, delivery rate and backlog. */
  async metrics(): Promise<WatchMetrics> {
    const chains: Record<string, WatchMetrics['chains'][ChainId]> = {}
    for (const chainId of this.#adapters.keys())
      chains[chainId] = { addresses: await this.#o.store.addressCount(chainId), ...this.#state.get(chainId) }
    const since = this.#deliveries[0]?.at ?? Date.now()
    const count = this.#deliveries.reduce((s, d) => s + d.count, 0)
    const seconds = Math.max(1, (Date.now() - since) / 1000)
    return { chains, eventsPerSecond: count / seconds, pendingEvents: await this.#o.store.pendingEvents() }
  }

  /** Polls until `stop()`; a round that fails is retried after the interval. */
  start(onError?: (error: unknown) => void): void {
    if (this.#running) return
    this.#stop = false
    const interval = this.#o.pollIntervalMs ?? 2_000
    this.#running = (async () => {
      while (!this.#stop) {
        let busy = false
        try {
          const r = await this.poll()
          busy = Object.values(r.chains).some((c) => c.behind > 0)
        } catch (error) {
          onError?.(error)
        }
        if (!busy && !this.#stop) await new Promise((resolve) => setTimeout(resolve, interval))
      }
    })()
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    this.#stop = true
    await this.#running
    this.#running = undefined
  }

  async #step(adapter: ChainAdapter): Promise<StepResult & { height: number; behind: number }> {
    const chainId = adapter.chainId
    const store = this.#o.store
    const head = await adapter.latestBlock()
    const from = await store.cursor(chainId)
    if (!from) {
      const start = pick(this.#o.startHeight, chainId, head.height)
      const at = start >= head.height ? head : await adapter.blockAt(Math.max(0, start))
      const r = await store.commitStep({
        chainId,
        from: null,
        deposits: [],
        blocks: [],
        to: { height: at.height, hash: at.hash },
        confirmedThrough: -1,
      })
      return { ...(r ?? { detected: 0, confirmed: 0, reorged: 0 }), height: at.height, behind: head.height - at.height }
    }
    let base: ChainCursor = from
    let forkHeight: number | undefined
    if ((await adapter.blockAt(from.height)).hash !== from.hash) {
      forkHeight = -1
      base = { height: -1, hash: '' }
      for (const b of await store.blocksBelow(chainId, from.height)) {
        if ((await adapter.blockAt(b.height)).hash === b.hash) {
          forkHeight = b.height
          base = b
          break
        }
      }
      if (forkHeight < 0)
        throw new InvalidArgumentError(`${chainId} forked below every block the watcher kept; it cannot tell which deposits remain.`)
    }
    const to = Math.min(head.height, base.height + (this.#o.maxBlocks ?? 100))
    const deposits = to > base.height ? await this.#scan(adapter, base.height + 1, to) : []
    const end = await adapter.blockAt(to)
    // Each deposit's block must still be the chain's (a reorg during the scan aborts the step).
    const blocks = new Map<number, string>()
    for (const d of deposits) blocks.set(d.blockHeight, d.blockHash)
    for (const [height, hash] of blocks)
      if ((await adapter.blockAt(height)).hash !== hash)
        return { detected: 0, confirmed: 0, reorged: 0, height: base.height, behind: head.height - base.height }
    if ((await adapter.blockAt(to)).hash !== end.hash)
      return { detected: 0, confirmed: 0, reorged: 0, height: base.height, behind: head.height - base.height }
    const depth = pick(this.#o.confirmations, chainId, 12)
    const r = await store.commitStep({
      chainId,
      from,
      ...(forkHeight === undefined ? {} : { forkHeight }),
      deposits,
      blocks: [...blocks].map(([height, hash]) => ({ height, hash })),
      to: { height: to, hash: end.hash },
      confirmedThrough: to - depth + 1,
    })
    return { ...(r ?? { detected: 0, confirmed: 0, reorged: 0 }), height: to, behind: head.height - to }
  }

  /** Incoming transfers to watched addresses in `fromBlock..toBlock`, page by page of addresses. */
  async #scan(adapter: ChainAdapter, fromBlock: number, toBlock: number): Promise<FoundDeposit[]> {
    const chainId = adapter.chainId
    const assets = this.#o.assets?.[chainId] ?? (await adapter.assets()).filter((a) => a.id !== adapter.nativeAsset).map((a) => a.id)
    const page = this.#o.addressPage ?? 100_000
    const out: FoundDeposit[] = []
    let after: string | undefined
    for (;;) {
      const watched = await this.#o.store.addresses(chainId, page, after)
      if (watched.length === 0) break
      after = watched[watched.length - 1]!.address
      const mine = new Set(watched.map((w) => w.address))
      const scan = await adapter.getTransfers({ addresses: watched.map((w) => w.address), assets, fromBlock, toBlock })
      for (const t of scan.transfers as readonly ChainTransfer[])
        if (mine.has(canonicalAddress(t.to)))
          out.push({
            asset: t.asset,
            address: t.to,
            from: t.from,
            amount: t.amount,
            hash: t.hash,
            index: t.index,
            blockHeight: t.blockHeight,
            blockHash: t.blockHash,
          })
      if (watched.length < page) break
    }
    return out
  }
}
