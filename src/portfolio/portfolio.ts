/**
 * The Portfolio: every balance of a set of accounts across chains, in one snapshot with
 * totals per asset family and fiat values; live updates with events; a merged history with
 * CSV export. It talks to chains only through the ChainAdapter contract.
 *
 * ```ts
 * const portfolio = new Portfolio({ adapters: [ethereum, polygon, btc], accounts: ['eip155:1:0xab…'], priceSource })
 * const snapshot = await portfolio.refresh()
 * portfolio.on('incoming', (t) => console.log(`+${formatAmount(t.amount, t.decimals)} ${t.symbol}`))
 * portfolio.watch({ intervalMs: 5_000 })
 * ```
 * @module
 */
import { assertInteger, assertOptions, assertString } from '../core/assert.js'
import type { AssetId, ChainId } from '../core/caip.js'
import { parseAssetId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { CofferError, DeadlineExceededError, InvalidArgumentError, ListenerError, RpcError } from '../core/errors.js'
import { adaptersByChain, parseAccount, parseAccounts } from './accounts.js'
import { assetMeta, type AssetMeta } from './assets.js'
import { historyToCsv } from './history-csv.js'
import { withDeadline } from '../core/deadline.js'
import { Emitter } from '../core/emitter.js'
import { mergedHistory, pickAssets, type HistorySource, type PortfolioHistoryItem, type PortfolioHistoryPage } from './history.js'
import { Lane } from './lane.js'
import type { SavedPortfolio } from './persist.js'
import { normalizeCurrency, type PriceQuote, type PriceSource } from './prices.js'
import { buildSnapshot } from './snapshot.js'
import { StateStore } from './store.js'
import { watchSettings, type WatchOptions } from './watch-options.js'
import { ChainTracker, type StepEvents, type TrackerSettings } from './tracker.js'
import type { PortfolioAccount, PortfolioEvents, PortfolioHistoryOptions, PortfolioOptions, PortfolioSnapshot } from './types.js'

/** Most history items `toCSV` exports unless told otherwise. */
const CSV_MAX_ITEMS = 10_000
/** Default deadline of one chain's step. */
const CHAIN_TIMEOUT_MS = 30_000

/** Balances, totals, fiat values, live events and history over many chains and accounts. */
export class Portfolio {
  readonly #trackers: ChainTracker[]
  /** Each chain's tracker with its lane: its loop, in-flight guard and failure count. */
  readonly #chains: readonly { readonly tracker: ChainTracker; readonly lane: Lane }[]
  readonly #priceLane = new Lane()
  readonly #accounts: readonly PortfolioAccount[]
  readonly #adapters: ReadonlyMap<ChainId, ChainAdapter>
  readonly #assets: readonly AssetId[] | undefined
  readonly #priceSource: PriceSource | undefined
  readonly #currency: string
  readonly #store: StateStore
  readonly #chainTimeout: number
  readonly #settings: TrackerSettings
  readonly #events: Emitter<PortfolioEvents>
  #prices = new Map<AssetId, PriceQuote>()
  #priceError: CofferError | undefined
  #snapshot: PortfolioSnapshot | undefined
  #saved: Promise<SavedPortfolio | undefined> | undefined
  readonly #restoring = new Map<ChainTracker, Promise<boolean>>()
  #restored: Promise<PortfolioSnapshot | undefined> | undefined
  #known = new Map<ChainId, readonly AssetMeta[]>()
  #watching = false
  #generation = 0

  constructor(options: PortfolioOptions) {
    const opts = assertOptions(options)
    this.#adapters = adaptersByChain(opts.adapters)
    this.#accounts = Object.freeze(parseAccounts(opts.accounts, this.#adapters))
    if (opts.assets !== undefined) {
      if (!Array.isArray(opts.assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
      for (const id of opts.assets) {
        const { chainId } = parseAssetId(id)
        if (!this.#adapters.has(chainId)) throw new InvalidArgumentError(`assets lists ${id}, but no adapter serves ${chainId}.`)
      }
    }
    this.#assets = opts.assets === undefined ? undefined : Object.freeze([...opts.assets])
    if (opts.priceSource !== undefined && typeof opts.priceSource?.getPrices !== 'function')
      throw new InvalidArgumentError('priceSource must have getPrices(assets, currency).')
    this.#priceSource = opts.priceSource
    this.#currency = normalizeCurrency(opts.currency ?? 'usd')
    if (opts.storage !== undefined && (typeof opts.storage?.get !== 'function' || typeof opts.storage?.set !== 'function')) {
      throw new InvalidArgumentError('storage must have get(key) and set(key, value) (a vault storage fits).')
    }
    this.#chainTimeout = assertInteger(opts.chainTimeoutMs ?? CHAIN_TIMEOUT_MS, 'chainTimeoutMs', 10, 3_600_000)
    this.#store = new StateStore(
      opts.storage,
      assertString(opts.storageKey ?? 'portfolio', 'storageKey', 64),
      this.#chainTimeout,
      (error) => this.#events.emit('error', { error }),
    )
    this.#settings = {
      confirmations: assertInteger(opts.confirmations ?? 1, 'confirmations', 1, 10_000),
      fullRefreshBlocks: assertInteger(opts.fullRefreshBlocks ?? 20, 'fullRefreshBlocks', 1, 100_000),
      reorgDepth: assertInteger(opts.reorgDepth ?? 64, 'reorgDepth', 2, 10_000),
    }
    this.#trackers = [...this.#adapters.values()].map(
      (adapter) =>
        new ChainTracker(
          adapter,
          this.#accounts.filter((a) => a.chainId === adapter.chainId),
          this.#settings,
        ),
    )
    this.#chains = this.#trackers.map((tracker) => ({ tracker, lane: new Lane() }))
    this.#events = new Emitter<PortfolioEvents>(['change', 'incoming', 'outgoing', 'reorg', 'error', 'refresh'], (error) => {
      // A listener that throws must not stop the tracker; report it once as an error event.
      if (this.#events.has('error'))
        this.#events.emit('error', {
          error: new ListenerError('A portfolio event listener threw; the portfolio carries on.', { cause: error }),
        })
    })
  }

  /** The accounts followed, as checked at construction. */
  get accounts(): readonly PortfolioAccount[] {
    return this.#accounts
  }

  /** The latest snapshot (restored from storage, refreshed, or rebuilt after a chain's step while watching), if any. */
  get snapshot(): PortfolioSnapshot | undefined {
    return this.#snapshot
  }

  /** True between `watch()` and `stop()`. */
  get watching(): boolean {
    return this.#watching
  }

  /** Listens to an event; returns a function that removes the listener. */
  on<K extends keyof PortfolioEvents>(event: K, listener: (payload: PortfolioEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** Listens to the next `event` only. */
  once<K extends keyof PortfolioEvents>(event: K, listener: (payload: PortfolioEvents[K]) => void): () => void {
    return this.#events.once(event, listener)
  }

  /** Removes a listener added with `on` or `once` (the function `on` returns does the same). */
  off<K extends keyof PortfolioEvents>(event: K, listener: (payload: PortfolioEvents[K]) => void): void {
    this.#events.off(event, listener)
  }

  /**
   * Returns the saved snapshot (read once), so a restart shows balances before the first
   * network read: the state as saved, whatever was read since. Undefined without storage or
   * state. Each chain's saved part is also what its first step starts from, so that step
   * reports what moved meanwhile. Bounded by `chainTimeoutMs` per chain.
   */
  async restore(): Promise<PortfolioSnapshot | undefined> {
    this.#restored ??= (async () => {
      const saved = await this.#readSaved()
      if (!saved) return undefined
      // Views of the saved state, apart from the live trackers (which may step meanwhile).
      const views = await Promise.all(
        this.#trackers.map(async (tracker) => {
          const data = saved.chains[tracker.chainId]
          const assets = data ? await this.#listAssets(tracker).catch(() => undefined) : undefined
          const view = new ChainTracker(tracker.adapter, tracker.accounts, this.#settings, assets ?? [])
          if (data && assets) view.load(data)
          return { view, loaded: data !== undefined && assets !== undefined }
        }),
      )
      if (!views.some((v) => v.loaded)) return undefined
      const snapshot = buildSnapshot(
        views.map((v) => v.view),
        this.#prices,
        this.#currency,
        { restored: true },
      )
      this.#snapshot ??= snapshot
      return snapshot
    })()
    return this.#restored
  }

  /** The saved record, read once (its prices are taken when in this currency and none are known yet). */
  #readSaved(): Promise<SavedPortfolio | undefined> {
    this.#saved ??= this.#store.read(this.#trackers.map((t) => t.chainId)).then((saved) => {
      if (saved?.currency === this.#currency && this.#prices.size === 0)
        this.#prices = new Map(Object.entries(saved.prices) as [AssetId, PriceQuote][])
      return saved
    })
    return this.#saved
  }

  /** Loads one chain's saved part, once, before its first step; false when there is none or its assets cannot be listed in time. */
  #restoreChain(tracker: ChainTracker): Promise<boolean> {
    let restoring = this.#restoring.get(tracker)
    if (!restoring) {
      restoring = (async () => {
        const data = (await this.#readSaved())?.chains[tracker.chainId]
        if (!data) return false
        try {
          await this.#listAssets(tracker)
          tracker.load(data)
          return true
        } catch {
          // The adapter cannot list its assets now; the first step reads afresh.
          return false
        }
      })()
      this.#restoring.set(tracker, restoring)
    }
    return restoring
  }

  /** The tracker's assets, resolved under the deadline. */
  #listAssets(tracker: ChainTracker): Promise<readonly AssetMeta[]> {
    return this.#bounded(`${tracker.chainId}: listing its assets`, tracker.chainId, () => tracker.resolveAssets(this.#assets))
  }

  /** `work` under the deadline: past it, rejects with a DeadlineExceededError and aborts `work`'s signal. */
  #bounded<T>(what: string, chainId: ChainId | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const expired = () =>
      new DeadlineExceededError(`${what} did not finish within ${this.#chainTimeout} ms; it counts as failed and is tried again later.`, {
        details: { ...(chainId === undefined ? {} : { chainId }), deadlineMs: this.#chainTimeout },
      })
    return withDeadline(this.#chainTimeout, expired, work)
  }

  /**
   * Reads every chain (each adapter once, with all its accounts and assets) and the prices,
   * and returns the snapshot. Each chain steps on its own, under `chainTimeoutMs`, and reports
   * its events as soon as its own step is done; a chain that fails or passes its deadline keeps
   * its last balances, marked stale with the error, while the others update. A chain step
   * already in flight (from `watch()` or another `refresh()`) finishes first.
   */
  async refresh(): Promise<PortfolioSnapshot> {
    await Promise.all([...this.#chains.map((chain) => this.#stepChain(chain)), this.#priceLane.run(() => this.#updatePrices())])
    const snapshot = this.#build(false)
    this.#snapshot = snapshot
    await this.#save()
    this.#events.emit('refresh', snapshot)
    return snapshot
  }

  /**
   * One step of one chain, in its lane, under its deadline (after its saved part is loaded,
   * once, under deadlines of its own); its events (or its failure) are emitted at once. False
   * when it failed.
   */
  #stepChain({ tracker, lane }: { readonly tracker: ChainTracker; readonly lane: Lane }): Promise<boolean> {
    return lane.run(async () => {
      try {
        await this.#restoreChain(tracker)
        const events = await this.#bounded(`${tracker.chainId}: reading the chain`, tracker.chainId, async (signal) => {
          await tracker.resolveAssets(this.#assets)
          signal.throwIfAborted()
          return tracker.step(signal)
        })
        lane.record(true)
        this.#announce(tracker.chainId, events)
        return true
      } catch (error) {
        lane.record(false)
        this.#events.emit('error', { chainId: tracker.chainId, error: tracker.fail(error) })
        return false
      }
    })
  }

  #announce(chainId: ChainId, events: StepEvents): void {
    for (const error of events.warnings ?? []) this.#events.emit('error', { chainId, error })
    if (events.reorg) this.#events.emit('reorg', { chainId, ...events.reorg })
    for (const t of events.transfers) this.#events.emit(t.direction === 'in' ? 'incoming' : 'outgoing', t)
    for (const c of events.changes) this.#events.emit('change', c)
  }

  /**
   * Prices of every followed asset except unverified ones (assets first listed, each chain
   * under its deadline), under the deadline; true when a price or the price error changed.
   */
  async #updatePrices(): Promise<boolean> {
    const source = this.#priceSource
    if (!source) return false
    await Promise.all(this.#trackers.map((tracker) => this.#listAssets(tracker).catch(() => undefined)))
    // What the adapters say about each asset (family, network), so family prices reach configured tokens.
    const assets = this.#trackers.flatMap((t) =>
      t.assets
        .filter((a) => !a.unverified)
        .map((a) => ({ id: a.id, ...(a.family ? { family: a.family } : {}), testnet: t.adapter.testnet === true })),
    )
    const ids = [...new Set(assets.map((a) => a.id))]
    if (ids.length === 0) return false
    const before = this.#priceError
    try {
      const quotes = await this.#bounded('The price source', undefined, () => source.getPrices(ids, this.#currency, { assets }))
      let changed = before !== undefined
      for (const [id, quote] of quotes) {
        changed ||= this.#prices.get(id)?.price !== quote.price
        this.#prices.set(id, quote)
      }
      this.#priceError = undefined
      this.#priceLane.record(true)
      return changed
    } catch (error) {
      // Keep the last prices (each carries when it was observed) and say why they are old.
      this.#priceError = asCofferError(error, 'The price source failed')
      this.#priceLane.record(false)
      this.#events.emit('error', { error: this.#priceError })
      return before?.shortMessage !== this.#priceError.shortMessage
    }
  }

  #build(restored: boolean): PortfolioSnapshot {
    return buildSnapshot(this.#trackers, this.#prices, this.#currency, {
      restored,
      ...(this.#priceError ? { priceError: this.#priceError } : {}),
    })
  }

  /** While watching: the snapshot rebuilt from what every lane last committed, saved (not awaited) and announced. */
  #publish(): void {
    const snapshot = this.#build(false)
    this.#snapshot = snapshot
    void this.#save()
    this.#events.emit('refresh', snapshot)
  }

  /** Writes the state (see StateStore: never overlapping, failures reported as `error` events). */
  #save(): Promise<void> {
    return this.#store.write(() => ({
      savedAt: Date.now(),
      currency: this.#currency,
      prices: Object.fromEntries(this.#prices),
      chains: Object.fromEntries(this.#trackers.filter((t) => t.head).map((t) => [t.chainId, t.save()])),
    }))
  }

  /**
   * Follows new blocks: each chain steps now, then every `intervalMs` (or its
   * `chainIntervalMs`), on its own timer, with its own in-flight guard and backoff after
   * failures; prices update on their own timer too. A chain's `incoming`, `outgoing`,
   * `change`, `reorg` and `error` events come as soon as its own step is done, followed by a
   * `refresh` event with the rebuilt snapshot; a slow or dead chain delays only itself (its step
   * fails at `chainTimeoutMs`). Calling it again while watching changes nothing.
   * @throws InvalidArgumentError
   */
  watch(options: WatchOptions = {}): void {
    const settings = watchSettings(
      options,
      this.#trackers.map((t) => t.chainId),
    )
    if (this.#watching) return
    this.#watching = true
    const generation = ++this.#generation
    const live = () => this.#watching && generation === this.#generation
    for (const chain of this.#chains) {
      const round = async () => {
        await this.#stepChain(chain)
        if (live()) this.#publish()
      }
      chain.lane.start(round, settings.chainIntervalMs.get(chain.tracker.chainId) ?? settings.intervalMs, settings.maxBackoffMs)
    }
    if (this.#priceSource) {
      const round = async () => {
        const changed = await this.#priceLane.run(() => this.#updatePrices())
        if (changed && live()) this.#publish()
      }
      this.#priceLane.start(round, settings.intervalMs, settings.maxBackoffMs)
    }
  }

  /** Stops watching; resolves once the steps in flight (each bounded by `chainTimeoutMs`) and the last save have finished. */
  async stop(): Promise<void> {
    this.#generation++
    this.#watching = false
    await Promise.all([...this.#chains.map((c) => c.lane), this.#priceLane].map((lane) => lane.stop()))
    await this.#store.settled()
  }

  /**
   * Every account's history merged, newest first (see `PortfolioHistoryPage` for paging).
   * Accounts and assets narrow it; assets default to those the portfolio follows.
   */
  async history(options: PortfolioHistoryOptions = {}): Promise<PortfolioHistoryPage> {
    const opts = assertOptions(options)
    const limit = assertInteger(opts.limit ?? 50, 'limit', 1, 1000)
    if (opts.assets !== undefined && !Array.isArray(opts.assets))
      throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
    const wanted = opts.accounts === undefined ? undefined : opts.accounts.map((a, i) => parseAccount(a, this.#adapters, `accounts[${i}]`))
    const sources: HistorySource[] = []
    for (const tracker of this.#trackers) {
      const assets = pickAssets(await tracker.resolveAssets(this.#assets), opts.assets)
      const known = await this.#knownAssets(tracker)
      for (const account of tracker.accounts) {
        if (wanted && !wanted.some((w) => w.chainId === account.chainId && w.address.toLowerCase() === account.address.toLowerCase()))
          continue
        if (tracker.adapter.capabilities.history) sources.push({ account, adapter: tracker.adapter, assets, known })
      }
    }
    return mergedHistory(sources, limit, opts.cursor)
  }

  async #knownAssets(tracker: ChainTracker): Promise<readonly AssetMeta[]> {
    let known = this.#known.get(tracker.chainId)
    if (!known) {
      known = (await tracker.adapter.assets()).map(assetMeta)
      this.#known.set(tracker.chainId, known)
    }
    return known
  }

  /**
   * The history as CSV (RFC 4180; columns in `HISTORY_CSV_COLUMNS`: date, chain, asset,
   * direction, amount, fee, counterparty, hash, …), newest first, up to `maxItems`
   * (default 10,000). `parseHistoryCsv` reads it back.
   */
  async toCSV(options: Omit<PortfolioHistoryOptions, 'cursor' | 'limit'> & { readonly maxItems?: number } = {}): Promise<string> {
    const { maxItems, ...filter } = assertOptions(options)
    const max = assertInteger(maxItems ?? CSV_MAX_ITEMS, 'maxItems', 1, 1_000_000)
    const items: PortfolioHistoryItem[] = []
    let cursor: string | undefined
    do {
      const page = await this.history({ ...filter, limit: Math.min(1000, max - items.length), ...(cursor === undefined ? {} : { cursor }) })
      items.push(...page.items)
      cursor = page.cursor
    } while (cursor !== undefined && items.length < max)
    return historyToCsv(items)
  }
}

function asCofferError(error: unknown, what: string): CofferError {
  if (error instanceof CofferError) return error
  return new RpcError(`${what}: ${String((error as Error)?.message ?? error).slice(0, 200)}`, { cause: error })
}
