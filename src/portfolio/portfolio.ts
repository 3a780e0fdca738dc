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
import { assertInteger, assertOptions, assertString } from '../assert.js'
import type { AssetId, ChainId } from '../caip.js'
import { parseAssetId } from '../caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { CofferError, InvalidArgumentError, ListenerError, RpcError, StorageError } from '../errors.js'
import { adaptersByChain, parseAccount, parseAccounts } from './accounts.js'
import { historyToCsv } from './csv.js'
import { Emitter } from './emitter.js'
import { mergedHistory, pickAssets, type HistorySource, type PortfolioHistoryItem, type PortfolioHistoryPage } from './history.js'
import { decodeState, encodeState } from './persist.js'
import { normalizeCurrency, type PriceQuote, type PriceSource } from './prices.js'
import { buildSnapshot } from './snapshot.js'
import { ChainTracker, type AssetMeta, type StepEvents } from './tracker.js'
import type { PortfolioAccount, PortfolioEvents, PortfolioHistoryOptions, PortfolioOptions, PortfolioSnapshot, PortfolioStorage } from './types.js'

/** Options of `watch()`. */
export interface WatchOptions {
  /** Time between polls, default 5,000 ms. */
  readonly intervalMs?: number
}

/** Most history items `toCSV` exports unless told otherwise. */
const CSV_MAX_ITEMS = 10_000

/** Balances, totals, fiat values, live events and history over many chains and accounts. */
export class Portfolio {
  readonly #trackers: ChainTracker[]
  readonly #accounts: readonly PortfolioAccount[]
  readonly #adapters: ReadonlyMap<ChainId, ChainAdapter>
  readonly #assets: readonly AssetId[] | undefined
  readonly #priceSource: PriceSource | undefined
  readonly #currency: string
  readonly #storage: PortfolioStorage | undefined
  readonly #storageKey: string
  readonly #events: Emitter<PortfolioEvents>
  #prices = new Map<AssetId, PriceQuote>()
  #priceError: CofferError | undefined
  #snapshot: PortfolioSnapshot | undefined
  #restored: Promise<PortfolioSnapshot | undefined> | undefined
  #known = new Map<ChainId, readonly AssetMeta[]>()
  #queue: Promise<unknown> = Promise.resolve()
  #timer: ReturnType<typeof setTimeout> | undefined
  #watching = false
  #generation = 0
  #saving: Promise<void> = Promise.resolve()

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
    if (opts.priceSource !== undefined && typeof opts.priceSource?.getPrices !== 'function') throw new InvalidArgumentError('priceSource must have getPrices(assets, currency).')
    this.#priceSource = opts.priceSource
    this.#currency = normalizeCurrency(opts.currency ?? 'usd')
    if (opts.storage !== undefined && (typeof opts.storage?.get !== 'function' || typeof opts.storage?.set !== 'function')) {
      throw new InvalidArgumentError('storage must have get(key) and set(key, value) (a vault storage fits).')
    }
    this.#storage = opts.storage
    this.#storageKey = assertString(opts.storageKey ?? 'portfolio', 'storageKey', 64)
    const settings = {
      confirmations: assertInteger(opts.confirmations ?? 1, 'confirmations', 1, 10_000),
      fullRefreshBlocks: assertInteger(opts.fullRefreshBlocks ?? 20, 'fullRefreshBlocks', 1, 100_000),
      reorgDepth: assertInteger(opts.reorgDepth ?? 64, 'reorgDepth', 2, 10_000),
    }
    this.#trackers = [...this.#adapters.values()].map(
      (adapter) =>
        new ChainTracker(
          adapter,
          this.#accounts.filter((a) => a.chainId === adapter.chainId),
          settings,
        ),
    )
    this.#events = new Emitter<PortfolioEvents>(['change', 'incoming', 'outgoing', 'reorg', 'error', 'refresh'], (error) => {
      // A listener that throws must not stop the tracker; report it once as an error event.
      if (this.#events.has('error')) this.#events.emit('error', { error: new ListenerError('A portfolio event listener threw; the portfolio carries on.', { cause: error }) })
    })
  }

  /** The accounts followed, as checked at construction. */
  get accounts(): readonly PortfolioAccount[] {
    return this.#accounts
  }

  /** The latest snapshot (restored from storage or refreshed), if any. */
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
   * Loads the saved state (once; `refresh()` does it too) and returns the saved snapshot, so a
   * restart shows balances before the first network read. Undefined without storage or state.
   */
  async restore(): Promise<PortfolioSnapshot | undefined> {
    this.#restored ??= this.#load()
    return this.#restored
  }

  async #load(): Promise<PortfolioSnapshot | undefined> {
    if (!this.#storage) return undefined
    let text: string | undefined
    try {
      text = await this.#storage.get(this.#storageKey)
    } catch (error) {
      // A cache that cannot be read must not stop tracking: start afresh, say why.
      this.#events.emit('error', { error: error instanceof CofferError ? error : new StorageError('Reading the saved portfolio state failed.', { cause: error }) })
      return undefined
    }
    const saved = decodeState(text, this.#trackers.map((t) => t.chainId))
    if (!saved) return undefined
    let restoredAny = false
    for (const tracker of this.#trackers) {
      const data = saved.chains[tracker.chainId]
      if (!data) continue
      try {
        await tracker.resolveAssets(this.#assets)
        tracker.load(data)
        restoredAny = true
      } catch {
        // The adapter cannot list its assets now; the first refresh reads afresh.
      }
    }
    if (saved.currency === this.#currency) this.#prices = new Map(Object.entries(saved.prices) as [AssetId, PriceQuote][])
    if (!restoredAny) return undefined
    this.#snapshot = buildSnapshot(this.#trackers, this.#prices, this.#currency, { restored: true })
    return this.#snapshot
  }

  /**
   * Reads every chain (each adapter once, with all its accounts and assets) and returns the
   * snapshot. A chain that fails keeps its last balances, marked stale with the error; the
   * others update. Refreshes never overlap: a call during another waits for it.
   */
  async refresh(): Promise<PortfolioSnapshot> {
    const run = this.#queue.then(() => this.#refresh())
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #refresh(): Promise<PortfolioSnapshot> {
    await this.restore()
    // Asset lists first (cached after the first refresh), so prices can load beside the reads.
    await Promise.all(this.#trackers.map((tracker) => tracker.resolveAssets(this.#assets).catch(() => undefined)))
    const [results] = await Promise.all([Promise.all(this.#trackers.map((tracker) => this.#step(tracker))), this.#updatePrices()])
    this.#trackers.forEach((tracker, i) => {
      const events = results[i]
      if (events) this.#announce(tracker.chainId, events)
    })
    this.#snapshot = buildSnapshot(this.#trackers, this.#prices, this.#currency, { restored: false, ...(this.#priceError ? { priceError: this.#priceError } : {}) })
    await this.#save()
    this.#events.emit('refresh', this.#snapshot)
    return this.#snapshot
  }

  async #step(tracker: ChainTracker): Promise<StepEvents | undefined> {
    try {
      await tracker.resolveAssets(this.#assets)
      return await tracker.step()
    } catch (error) {
      const e = tracker.fail(error)
      this.#events.emit('error', { chainId: tracker.chainId, error: e })
      return undefined
    }
  }

  #announce(chainId: ChainId, events: StepEvents): void {
    for (const error of events.warnings ?? []) this.#events.emit('error', { chainId, error })
    if (events.reorg) this.#events.emit('reorg', { chainId, ...events.reorg })
    for (const t of events.transfers) this.#events.emit(t.direction === 'in' ? 'incoming' : 'outgoing', t)
    for (const c of events.changes) this.#events.emit('change', c)
  }

  async #updatePrices(): Promise<void> {
    if (!this.#priceSource) return
    const ids = [...new Set(this.#trackers.flatMap((t) => t.assets.map((a) => a.id)))]
    if (ids.length === 0) return
    try {
      const quotes = await this.#priceSource.getPrices(ids, this.#currency)
      for (const [id, quote] of quotes) this.#prices.set(id, quote)
      this.#priceError = undefined
    } catch (error) {
      // Keep the last prices (each carries when it was observed) and say why they are old.
      this.#priceError = asCofferError(error, 'The price source failed')
      this.#events.emit('error', { error: this.#priceError })
    }
  }

  async #save(): Promise<void> {
    const storage = this.#storage
    if (!storage) return
    const text = encodeState({
      savedAt: Date.now(),
      currency: this.#currency,
      prices: Object.fromEntries(this.#prices),
      chains: Object.fromEntries(this.#trackers.filter((t) => t.head).map((t) => [t.chainId, t.save()])),
    })
    this.#saving = this.#saving.then(() =>
      storage.set(this.#storageKey, text).catch((error: unknown) => {
        this.#events.emit('error', { error: error instanceof CofferError ? error : new StorageError('Saving the portfolio state failed.', { cause: error }) })
      }),
    )
    await this.#saving
  }

  /**
   * Follows new blocks: refreshes now, then every `intervalMs`, emitting `incoming`,
   * `outgoing`, `change`, `reorg`, `error` and `refresh` events. Calling it again while
   * watching changes nothing.
   */
  watch(options: WatchOptions = {}): void {
    const interval = assertInteger(assertOptions(options).intervalMs ?? 5_000, 'intervalMs', 10, 86_400_000)
    if (this.#watching) return
    this.#watching = true
    const generation = ++this.#generation
    const tick = async () => {
      // refresh() reports chain failures as events; anything else (storage) too.
      await this.refresh().catch((error: unknown) => this.#events.emit('error', { error: asCofferError(error, 'Refreshing failed') }))
      // A stop() (and maybe a new watch()) meanwhile ends this loop.
      if (this.#watching && generation === this.#generation) this.#timer = setTimeout(() => void tick(), interval)
    }
    void tick()
  }

  /** Stops watching; resolves once a refresh in flight has finished. */
  async stop(): Promise<void> {
    this.#generation++
    this.#watching = false
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#queue
  }

  /**
   * Every account's history merged, newest first (see `PortfolioHistoryPage` for paging).
   * Accounts and assets narrow it; assets default to those the portfolio follows.
   */
  async history(options: PortfolioHistoryOptions = {}): Promise<PortfolioHistoryPage> {
    const opts = assertOptions(options)
    const limit = assertInteger(opts.limit ?? 50, 'limit', 1, 1000)
    if (opts.assets !== undefined && !Array.isArray(opts.assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
    const wanted = opts.accounts === undefined ? undefined : opts.accounts.map((a, i) => parseAccount(a, this.#adapters, `accounts[${i}]`))
    const sources: HistorySource[] = []
    for (const tracker of this.#trackers) {
      const assets = pickAssets(await tracker.resolveAssets(this.#assets), opts.assets)
      const known = await this.#knownAssets(tracker)
      for (const account of tracker.accounts) {
        if (wanted && !wanted.some((w) => w.chainId === account.chainId && w.address.toLowerCase() === account.address.toLowerCase())) continue
        if (tracker.adapter.capabilities.history) sources.push({ account, adapter: tracker.adapter, assets, known })
      }
    }
    return mergedHistory(sources, limit, opts.cursor)
  }

  async #knownAssets(tracker: ChainTracker): Promise<readonly AssetMeta[]> {
    let known = this.#known.get(tracker.chainId)
    if (!known) {
      known = (await tracker.adapter.assets()).map((a) => ({ id: a.id, symbol: a.symbol, decimals: a.decimals, ...(a.family ? { family: a.family } : {}) }))
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
