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
 *
 * A chain's addresses can be split into shards (`shards`), each with its own cursor: `poll()`
 * steps every shard of every chain in this process; `runWatchWorkers` (./queue.ts) spreads the
 * same steps over processes through BullMQ. The step is the unit of work either way.
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'
import { assertOptions } from '../core/assert.js'
import { InvalidArgumentError, NotSupportedError } from '../core/errors.js'
import type { ChainAdapter, ChainTransfer } from '../chains/adapter.js'
import { canonicalAddress, DepositStore } from './store.js'
import type { ChainCursor, DepositEvent, FoundDeposit, StepResult, WatchedAddress, WatchSource } from './types.js'
import type { AddressSourceKey } from './derive.js'

/** Options of {@link DepositWatcher}. */
export interface DepositWatcherOptions {
  readonly store: DepositStore
  /** Adapters with `capabilities.transfers` (EVM, Solana, TRON). */
  readonly chains: readonly ChainAdapter[]
  /** Gets each event in order; throwing makes it come again (later), returning acknowledges it. Must not use the store. */
  readonly handler: (event: DepositEvent) => Promise<void> | void
  /**
   * Assets to watch per chain, default every token the adapter lists — or, on a chain without
   * tokens (Bitcoin), its coin. EVM native transfers leave no log: ETH deposits are not seen.
   */
  readonly assets?: { readonly [chainId: ChainId]: readonly AssetId[] }
  /** Blocks deep (the deposit's own block counts as 1) before `confirmed`: one number, or per chain. Default 12. */
  readonly confirmations?: number | { readonly [chainId: ChainId]: number }
  /** Where a chain with no cursor starts: its head now (default), or this height. */
  readonly startHeight?: number | { readonly [chainId: ChainId]: number }
  /** Blocks scanned per step: one number or per chain, default 100 (Bitcoin over Esplora: ~3 requests a block per 25 transactions, so take ~5–10). */
  readonly maxBlocks?: number | { readonly [chainId: ChainId]: number }
  /**
   * Shards per chain's addresses (1–1024), default as stored (1 at first): each shard is scanned
   * on its own, so workers can share a chain. Give every process the same value; changing it
   * rescans from the slowest shard (see `DepositStore.setShards`).
   */
  readonly shards?: number | { readonly [chainId: ChainId]: number }
  /**
   * Addresses per `getTransfers` call, default 100,000: one call per range, and the adapter picks
   * how to read it (EVM above 2,000 addresses: every Transfer log of the tokens, matched locally —
   * smaller pages would read those same logs once per page).
   */
  readonly addressPage?: number
  /** Between rounds when caught up, default 2,000 ms. */
  readonly pollIntervalMs?: number
  /**
   * Needed to watch extended public keys (`addSource`), in every process of the store once one is
   * watched: `keySources` from `coffer/watch`. An option so apps that watch plain addresses do not
   * bundle key derivation (~28 KiB).
   */
  readonly keySources?: KeySources
  /** Called after every round with the watcher's numbers (a dashboard, a log line); a throw is ignored. */
  readonly onMetrics?: (metrics: WatchMetrics) => void
}

/** Key derivation for {@link DepositWatcher.addSource}: pass `keySources` from `coffer/watch`. */
export interface KeySources {
  /** Addresses `start … start + count − 1` of a key. */
  derive(key: AddressSourceKey, start: number, count: number): string[]
  /** A short stable id of a key (equivalent keys share it). */
  id(key: AddressSourceKey): string
}

/** What the watcher reports after each round. */
export interface WatchMetrics {
  readonly chains: {
    readonly [chainId: ChainId]: {
      readonly addresses: number
      /** The last block scanned by every shard, and how far the chain's head is beyond it. */
      readonly height?: number
      readonly behind?: number
      readonly shards: number
      /** The last failure of this chain's steps (a node down), until a step succeeds (from any process). */
      readonly lastError?: string
    }
  }
  /** Events delivered per second over the last minute (by every process on the store). */
  readonly eventsPerSecond: number
  /** Events waiting for the handler. */
  readonly pendingEvents: number
}

/** What one step did: the shard's new height and how far the head is beyond it. */
export type StepReport = StepResult & { readonly height: number; readonly behind: number }

/** A unit of scanning work: one shard of one chain. */
export interface WatchUnit {
  readonly chainId: ChainId
  readonly shard: number
}

/** What one round did, per chain (summed over its shards; `height` the lowest shard's). */
export interface RoundReport {
  readonly chains: { readonly [chainId: ChainId]: StepReport }
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
  readonly #state = new Map<ChainId, { head?: number; lastError?: string }>()
  #prepared: Promise<void> | undefined
  /** Address lists of shards that fit in one page, by `chain#shard/shards`, with the store's version they match. */
  readonly #addresses = new Map<string, { version: number; addresses: string[]; set: ReadonlySet<string> }>()

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
    for (const [name, min] of [
      ['confirmations', 1],
      ['maxBlocks', 1],
      ['shards', 1],
      ['startHeight', 0],
    ] as const) {
      const value = o[name]
      const values = value === undefined ? [] : typeof value === 'object' && value !== null ? Object.values(value) : [value]
      for (const v of values)
        if (!Number.isSafeInteger(v) || (v as number) < min)
          throw new InvalidArgumentError(`${name} must be a whole number of at least ${min} (or one per chain id).`)
    }
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

  /**
   * Watches the addresses of an extended public key (EVM / TRON: the xpub at
   * `m/44'/<coin>'/<account>'/0`) or a Bitcoin descriptor (`wpkh([…]xpub…/<0;1>/*)`) with a gap
   * policy: indexes 0 … gap − 1 at first, and always `gap` beyond the highest index paid (extended
   * after the step that saw the payment; a payment further out than the gap is not seen, as in a
   * wallet's own discovery). Address `i`'s reference is `<reference>/<i>`. Adding the same key
   * again changes nothing. Returns the source as stored.
   * @throws InvalidArgumentError for a private key, a key of another chain, or a bad gap (1–10,000)
   */
  async addSource(
    chainId: ChainId,
    key: AddressSourceKey,
    options: { readonly reference: string; readonly gap?: number },
  ): Promise<WatchSource> {
    const adapter = this.#adapter(chainId)
    const gap = options?.gap ?? 20
    if (!Number.isSafeInteger(gap) || gap < 1 || gap > 10_000)
      throw new InvalidArgumentError('gap must be a whole number from 1 to 10,000.')
    if (typeof options?.reference !== 'string' || options.reference.length > 400)
      throw new InvalidArgumentError("reference must be a string (the caller's id for the key).")
    const keys = this.#keySources()
    const [first] = keys.derive(key, 0, 1)
    if (!first || !adapter.isValidAddress(first))
      throw new InvalidArgumentError(`The key's addresses are not addresses on ${chainId} (another chain or network).`)
    const source = await this.#o.store.addSource(chainId, { sourceId: keys.id(key), source: key, reference: options.reference, gap })
    await this.#extendSources(chainId)
    return (await this.#o.store.sources(chainId)).find((s) => s.sourceId === source.sourceId) ?? source
  }

  /** The `keySources` option, or a loud refusal (a store with sources cannot keep their gaps without it). */
  #keySources(): KeySources {
    if (this.#o.keySources) return this.#o.keySources
    throw new InvalidArgumentError(
      "Watching extended public keys needs the watcher's keySources option: new DepositWatcher({ …, keySources }) with keySources from 'coffer/watch'.",
    )
  }

  /** Derives and watches what each source of `chainId` lacks for its gap. */
  async #extendSources(chainId: ChainId): Promise<void> {
    const store = this.#o.store
    const behind = (await store.sources(chainId)).filter((s) => s.derived < s.used + 1 + s.gap)
    if (behind.length === 0) return
    const keys = this.#keySources()
    for (const s of behind) {
      const want = s.used + 1 + s.gap - s.derived
      await store.extendSource(chainId, s.sourceId, s.derived, keys.derive(s.source as AddressSourceKey, s.derived, want))
    }
  }

  /** The chains this watcher follows. */
  get chainIds(): readonly ChainId[] {
    return [...this.#adapters.keys()]
  }

  /** Applies the `shards` option to the store, once. */
  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      if (this.#o.shards === undefined) return
      for (const chainId of this.#adapters.keys()) await this.#o.store.setShards(chainId, pick(this.#o.shards, chainId, 1))
    })().catch((error: unknown) => {
      this.#prepared = undefined
      throw error
    })
    return this.#prepared
  }

  /** Every (chain, shard) to step: the work a round does, or a worker pool shares. */
  async units(): Promise<WatchUnit[]> {
    await this.#prepare()
    const out: WatchUnit[] = []
    for (const chainId of this.#adapters.keys()) {
      const shards = await this.#o.store.shards(chainId)
      for (let shard = 0; shard < shards; shard++) out.push({ chainId, shard })
    }
    return out
  }

  /**
   * One scan step of one shard of a chain (what a round does per unit, and a worker's job). A
   * failure is recorded for metrics and thrown.
   */
  async step(chainId: ChainId, shard = 0): Promise<StepReport> {
    const adapter = this.#adapter(chainId)
    await this.#prepare()
    try {
      const r = await this.#step(adapter, shard)
      if (r.detected > 0) await this.#extendSources(chainId)
      const state = this.#state.get(chainId)
      if (state?.lastError !== undefined) this.#state.set(chainId, { ...(state.head === undefined ? {} : { head: state.head }) })
      return r
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 300) : String(error)
      this.#state.set(chainId, { ...this.#state.get(chainId), lastError: message })
      await this.#o.store.recordError(chainId, shard, message).catch(() => undefined)
      throw error
    }
  }

  /**
   * Delivers pending events to the handler, in order, until none is left, `limit` were
   * delivered, or the handler throws (returned as `error`; that event comes again next time).
   */
  async deliver(limit = 100): Promise<{ delivered: number; error?: unknown }> {
    return this.#o.store.deliver(this.#o.handler, limit)
  }

  #adapter(chainId: ChainId): ChainAdapter {
    const a = this.#adapters.get(chainId)
    if (!a) throw new InvalidArgumentError(`The watcher has no adapter for ${chainId}.`)
    return a
  }

  /** One round: a scan step on every shard of every chain, then delivery of pending events. */
  async poll(): Promise<RoundReport> {
    const chains: Record<string, StepReport> = {}
    let failure: unknown
    for (const unit of await this.units()) {
      // One chain failing (its node down) does not stop the others; the round reports the first failure.
      try {
        const r = await this.step(unit.chainId, unit.shard)
        const sum = chains[unit.chainId]
        chains[unit.chainId] = sum
          ? {
              detected: sum.detected + r.detected,
              confirmed: sum.confirmed + r.confirmed,
              reorged: sum.reorged + r.reorged,
              height: Math.min(sum.height, r.height),
              behind: Math.max(sum.behind, r.behind),
            }
          : r
      } catch (error) {
        failure ??= error
      }
    }
    const { delivered, error } = await this.deliver()
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

  /**
   * Addresses, progress (the slowest shard) and last error per chain, delivery rate and backlog —
   * read from the store, so any process (a `coffer watch` dashboard, one worker) sees them all.
   * The head is the last one this process read, else asked of the node (a failure leaves `behind` out).
   */
  async metrics(): Promise<WatchMetrics> {
    const store = this.#o.store
    const chains: Record<string, WatchMetrics['chains'][ChainId]> = {}
    for (const [chainId, adapter] of this.#adapters) {
      const progress = await store.progress(chainId)
      const shards = await store.shards(chainId)
      const state = this.#state.get(chainId) ?? {}
      let head = state.head
      if (head === undefined)
        head = await adapter.latestBlock().then(
          (b) => b.height,
          () => undefined,
        )
      const height = progress.length === shards && progress.length > 0 ? Math.min(...progress.map((p) => p.height)) : undefined
      const lastError = state.lastError ?? progress.find((p) => p.lastError)?.lastError
      chains[chainId] = {
        addresses: await store.addressCount(chainId),
        shards,
        ...(height === undefined ? {} : { height }),
        ...(height === undefined || head === undefined ? {} : { behind: Math.max(0, head - height) }),
        ...(lastError === undefined ? {} : { lastError }),
      }
    }
    return { chains, eventsPerSecond: (await store.deliveredSince(60)) / 60, pendingEvents: await store.pendingEvents() }
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

  async #step(adapter: ChainAdapter, shard: number): Promise<StepReport> {
    const chainId = adapter.chainId
    const store = this.#o.store
    const shards = await store.shards(chainId)
    if (!Number.isSafeInteger(shard) || shard < 0 || shard >= shards)
      throw new InvalidArgumentError(`${chainId} has ${shards} shard(s); there is no shard ${shard}.`)
    const head = await adapter.latestBlock()
    this.#state.set(chainId, { ...this.#state.get(chainId), head: head.height })
    const from = await store.cursor(chainId, shard)
    if (!from) {
      const start = pick(this.#o.startHeight, chainId, head.height)
      const at = start >= head.height ? head : await adapter.blockAt(Math.max(0, start))
      const r = await store.commitStep({
        chainId,
        shard,
        shards,
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
      for (const b of await store.blocksBelow(chainId, from.height, shard)) {
        if ((await adapter.blockAt(b.height)).hash === b.hash) {
          forkHeight = b.height
          base = b
          break
        }
      }
      if (forkHeight < 0)
        throw new InvalidArgumentError(`${chainId} forked below every block the watcher kept; it cannot tell which deposits remain.`)
    }
    const to = Math.min(head.height, base.height + pick(this.#o.maxBlocks, chainId, 100))
    const assets = await this.#assets(adapter)
    const deposits = to > base.height ? await this.#scan(adapter, { shard, shards }, assets, base.height + 1, to) : []
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
      shard,
      shards,
      assets,
      from,
      ...(forkHeight === undefined ? {} : { forkHeight }),
      deposits,
      blocks: [...blocks].map(([height, hash]) => ({ height, hash })),
      to: { height: to, hash: end.hash },
      confirmedThrough: to - depth + 1,
    })
    return { ...(r ?? { detected: 0, confirmed: 0, reorged: 0 }), height: to, behind: head.height - to }
  }

  /** The assets watched on a chain (see the `assets` option). */
  async #assets(adapter: ChainAdapter): Promise<readonly AssetId[]> {
    const given = this.#o.assets?.[adapter.chainId]
    if (given) return given
    const tokens = (await adapter.assets()).filter((a) => a.id !== adapter.nativeAsset).map((a) => a.id)
    return tokens.length > 0 ? tokens : [adapter.nativeAsset]
  }

  /** Incoming transfers to the shard's watched addresses in `fromBlock..toBlock`, page by page of addresses. */
  async #scan(
    adapter: ChainAdapter,
    shard: { shard: number; shards: number },
    assets: readonly AssetId[],
    fromBlock: number,
    toBlock: number,
  ): Promise<FoundDeposit[]> {
    const chainId = adapter.chainId
    const page = this.#o.addressPage ?? 100_000
    const out: FoundDeposit[] = []
    // A shard that fits in one page is kept in memory until the chain's addresses change.
    const key = `${chainId}#${shard.shard}/${shard.shards}`
    const version = await this.#o.store.addressesVersion(chainId)
    const cached = this.#addresses.get(key)
    let after: string | undefined
    for (;;) {
      const fresh = cached?.version === version ? cached : undefined
      const watched = fresh
        ? fresh.addresses
        : await this.#o.store.addresses(chainId, page, after, shard).then((l) => l.map((w) => w.address))
      if (after === undefined && !fresh) {
        if (watched.length < page) this.#addresses.set(key, { version, addresses: watched, set: new Set(watched) })
        else this.#addresses.delete(key)
      }
      if (watched.length === 0) break
      after = watched[watched.length - 1]!
      const mine = fresh?.set ?? this.#addresses.get(key)?.set ?? new Set(watched)
      const scan = await adapter.getTransfers({ addresses: watched, assets, fromBlock, toBlock })
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
