/**
 * Follows one chain for a portfolio, through the ChainAdapter contract only.
 *
 * Each step reads the newest block and compares it with the last one processed:
 * - same block: nothing to do (chains without a transfer scan — UTXO chains — re-read
 *   anyway, since their mempool moves between blocks);
 * - the next blocks on the same chain: with `capabilities.transfers` (and no `mempool`), one transfer scan over
 *   the new blocks plus a balance read of only the accounts it touched (and those still
 *   settling); every `fullRefreshBlocks` blocks, or without a scan, every balance;
 * - a different chain (reorg): walk back through the kept block hashes with `blockAt` to the
 *   fork, report the transfers that vanished, re-read everything and report corrected moves.
 *
 * Network work happens first and state is committed only when all of it succeeded, so a
 * failing node leaves the last good state (marked stale) and the next step retries. A step
 * whose signal was aborted (its deadline passed) commits nothing, however late its reads end.
 * @module
 * @internal
 */
import type { AssetId, ChainId } from '../core/caip.js'
import type { Balance, BlockRef, ChainAdapter, ChainTransfer, TransferScan } from '../chains/adapter.js'
import { CofferError, RpcError } from '../core/errors.js'
import { accountAsset, resolveAssets, type AssetMeta } from './assets.js'
import { fromHistoryItem, fromScan, redescribe } from './transfers.js'
import type { BalanceChange, PortfolioAccount, PortfolioTransfer } from './types.js'

/** The last read of one account × asset. */
export interface Reading {
  readonly amount: bigint
  readonly pending: bigint
  readonly blockHeight: number
  readonly error?: CofferError
}

/** A transfer already announced, kept while a reorg could still take it back. */
interface Announced {
  readonly transfer: PortfolioTransfer
  /** Scan transfers carry their position; history items do not. */
  readonly index?: number
}

/** What a reorg step forgets when it commits: blocks above the fork, and announced transfers that vanished (their keys). */
interface Reorg {
  readonly fork: number
  readonly removed: readonly string[]
}

/** Tracker settings (from the portfolio options). */
export interface TrackerSettings {
  readonly confirmations: number
  readonly fullRefreshBlocks: number
  readonly reorgDepth: number
}

/** What one step found, to be announced by the portfolio. */
export interface StepEvents {
  readonly reorg?: { readonly forkHeight: number; readonly depth: number; readonly removed: readonly PortfolioTransfer[] }
  readonly transfers: readonly PortfolioTransfer[]
  readonly changes: readonly BalanceChange[]
  /** Failures the step worked around (a transfer scan the node refused: balances were read anyway). */
  readonly warnings?: readonly CofferError[]
}

/** The persisted part of a tracker. */
export interface TrackerData {
  readonly blocks: readonly BlockRef[]
  readonly sinceFull: number
  readonly baseline?: number
  readonly updatedAt?: number
  readonly stale: boolean
  readonly readings: readonly {
    readonly account: string
    readonly asset: AssetId
    readonly amount: string
    readonly pending: string
    readonly blockHeight: number
  }[]
  readonly announced: readonly (Omit<PortfolioTransfer, 'amount'> & { readonly amount: string; readonly index?: number })[]
}

/** Widest block range one transfer scan covers. */
const SCAN_BLOCKS = 1_000
/** Widest catch-up (after a restart) still scanned for transfers, in SCAN_BLOCKS pieces. */
const MAX_CATCH_UP = 10 * SCAN_BLOCKS
/** Announced transfers remembered for dedupe on chains read through history. */
const MAX_ANNOUNCED = 2_000

const readingKey = (account: string, asset: AssetId) => `${account.toLowerCase()}|${asset}`

/** One chain's state and the step that moves it forward. */
export class ChainTracker {
  readonly chainId: ChainId
  readonly adapter: ChainAdapter
  readonly accounts: readonly PortfolioAccount[]
  readonly #settings: TrackerSettings
  /** Followed accounts by lower-cased address (for matching transfers). */
  readonly #byAddress = new Map<string, PortfolioAccount[]>()
  #assets: readonly AssetMeta[] | undefined
  #resolving: Promise<readonly AssetMeta[]> | undefined
  #blocks: BlockRef[] = []
  #sinceFull = 0
  #baseline: number | undefined
  #readings = new Map<string, Reading>()
  #announced = new Map<string, Announced>()
  #needsFull = true
  updatedAt: number | undefined
  stale = false
  error: CofferError | undefined

  constructor(adapter: ChainAdapter, accounts: readonly PortfolioAccount[], settings: TrackerSettings, assets?: readonly AssetMeta[]) {
    this.adapter = adapter
    this.chainId = adapter.chainId
    this.accounts = accounts
    for (const account of accounts) {
      const key = account.address.toLowerCase()
      this.#byAddress.set(key, [...(this.#byAddress.get(key) ?? []), account])
    }
    this.#settings = settings
    this.#assets = assets
  }

  /** The newest block processed. */
  get head(): BlockRef | undefined {
    return this.#blocks.at(-1)
  }

  get assets(): readonly AssetMeta[] {
    return this.#assets ?? []
  }

  /** The last reading of an account × asset. */
  reading(account: string, asset: AssetId): Reading | undefined {
    return this.#readings.get(readingKey(account, asset))
  }

  /**
   * Resolves the assets to follow once (see `resolveAssets` in assets.ts): `wanted` (filtered
   * to this chain; ids the adapter does not list are followed as unverified) or every asset the
   * adapter lists. Calls while one is in flight share it; a failure is retried on the next call.
   */
  async resolveAssets(wanted: readonly AssetId[] | undefined): Promise<readonly AssetMeta[]> {
    if (this.#assets) return this.#assets
    this.#resolving ??= resolveAssets(this.adapter, this.accounts, wanted)
      .then((list) => (this.#assets = Object.freeze(list)))
      .finally(() => {
        this.#resolving = undefined
      })
    return this.#resolving
  }

  #asError(error: unknown, what: string): CofferError {
    return error instanceof CofferError
      ? error
      : new RpcError(`${this.chainId}: ${what}: ${String((error as Error)?.message ?? error).slice(0, 200)}`, { cause: error })
  }

  /** Marks the chain failed: readings stay, flagged stale. */
  fail(error: unknown): CofferError {
    const e = this.#asError(error, 'reading failed')
    this.stale = true
    this.error = e
    return e
  }

  /** Whether block scans follow this chain's balances (not on mempool chains, whose balances move between blocks). */
  get #scans(): boolean {
    const caps = this.adapter.capabilities
    return caps.transfers && !caps.mempool
  }

  /**
   * One step: read the newest block and catch up to it. Once `signal` is aborted the step
   * commits nothing and rejects with the signal's reason.
   */
  async step(signal?: AbortSignal): Promise<StepEvents> {
    const assets = this.assets
    if (assets.length === 0 || this.accounts.length === 0) return { transfers: [], changes: [] }
    const head = await this.adapter.latestBlock()
    const prev = this.head
    const scans = this.#scans
    if (!prev) return this.#full(head, { announce: false }, signal)
    if (head.hash === prev.hash && head.height === prev.height) {
      // Same block. UTXO chains still move (mempool); stale readings are retried.
      if (!scans || this.stale || this.#needsFull) return this.#full(head, { announce: true }, signal)
      return { transfers: [], changes: [] }
    }
    const fork = await this.#forkPoint(head, prev)
    if (fork === undefined) {
      const from = prev.height + 1
      const blocks = head.height - prev.height
      if (
        scans &&
        !this.#needsFull &&
        !this.stale &&
        this.#sinceFull + blocks < this.#settings.fullRefreshBlocks &&
        blocks <= SCAN_BLOCKS
      ) {
        return this.#incremental(head, from, signal)
      }
      return this.#full(head, { announce: true, ...(scans && blocks <= MAX_CATCH_UP ? { scanFrom: from } : {}) }, signal)
    }
    return this.#reorg(head, prev, fork, signal)
  }

  /** undefined when `head` extends `prev`; else the height of the last common block. */
  async #forkPoint(head: BlockRef, prev: BlockRef): Promise<number | undefined> {
    if (head.height === prev.height + 1 && head.parentHash === prev.hash) return undefined
    if (head.height > prev.height) {
      const at = await this.adapter.blockAt(prev.height)
      if (at.hash === prev.hash) return undefined
    }
    const kept = [...this.#blocks].filter((b) => b.height < Math.min(head.height + 1, prev.height + 1)).reverse()
    for (const block of kept) {
      if (block.height === head.height && block.hash !== head.hash) continue
      if (block.height === head.height - 1 && block.hash === head.parentHash) return block.height
      const now = block.height === head.height ? head : await this.adapter.blockAt(block.height)
      if (now.hash === block.hash) return block.height
    }
    // Deeper than the kept hashes: treat everything kept as replaced.
    return Math.max(0, (kept.at(-1)?.height ?? head.height) - 1)
  }

  async #incremental(head: BlockRef, from: number, signal: AbortSignal | undefined): Promise<StepEvents> {
    let scan: TransferScan
    try {
      scan = await this.adapter.getTransfers({
        addresses: this.accounts.map((a) => a.address),
        assets: this.assets.map((a) => a.id),
        fromBlock: from,
        toBlock: head.height,
      })
    } catch (error) {
      signal?.throwIfAborted()
      // The node refused the log query: read every balance instead (moves show as changes).
      const events = await this.#full(head, { announce: true }, signal)
      return {
        ...events,
        warnings: [...(events.warnings ?? []), this.#asError(error, 'The transfer scan failed; balances were re-read instead')],
      }
    }
    const found = this.#fromScan(scan.transfers)
    // Re-read the accounts the transfers touched, and those still settling (pending ≠ 0).
    const touched = new Set(found.map((t) => t.account.toLowerCase()))
    for (const [key, reading] of this.#readings) if (reading.pending !== 0n) touched.add(key.slice(0, key.indexOf('|')))
    const accounts = this.accounts.filter((a) => touched.has(a.address.toLowerCase()))
    const balances = accounts.length === 0 ? [] : await this.#readBalances(accounts, head)
    return this.#commit(head, { accounts, balances, found, announce: true, blocks: head.height - from + 1 }, signal)
  }

  async #full(
    head: BlockRef,
    options: { announce: boolean; scanFrom?: number; found?: readonly PortfolioTransfer[]; reorg?: Reorg },
    signal: AbortSignal | undefined,
  ): Promise<StepEvents> {
    const warnings: CofferError[] = []
    const [balances, found] = await Promise.all([
      this.#readBalances(this.accounts, head),
      options.scanFrom === undefined
        ? (options.found ?? [])
        : this.#scanRange(options.scanFrom, head.height).catch((error: unknown) => {
            // Catching up without the scan: the moves still show as balance changes.
            warnings.push(this.#asError(error, 'The transfer scan failed; moves are reported as balance changes only'))
            return []
          }),
    ])
    // No scan on this chain: the history of the accounts that moved names the new transfers.
    signal?.throwIfAborted()
    const named = options.announce && !this.#scans ? await this.#fromHistory(this.#moved(this.accounts, balances)) : []
    const events = this.#commit(
      head,
      {
        accounts: this.accounts,
        balances,
        found,
        named,
        announce: options.announce,
        full: true,
        ...(options.reorg ? { reorg: options.reorg } : {}),
      },
      signal,
    )
    return warnings.length > 0 ? { ...events, warnings } : events
  }

  async #scanRange(from: number, to: number): Promise<PortfolioTransfer[]> {
    const ranges: [number, number][] = []
    for (let start = from; start <= to; start += SCAN_BLOCKS) ranges.push([start, Math.min(to, start + SCAN_BLOCKS - 1)])
    const scans = await Promise.all(
      ranges.map(([fromBlock, toBlock]) =>
        this.adapter.getTransfers({
          addresses: this.accounts.map((a) => a.address),
          assets: this.assets.map((a) => a.id),
          fromBlock,
          toBlock,
        }),
      ),
    )
    return this.#fromScan(scans.flatMap((s) => s.transfers))
  }

  async #reorg(head: BlockRef, prev: BlockRef, fork: number, signal: AbortSignal | undefined): Promise<StepEvents> {
    const replaced = [...this.#announced.entries()].filter(([, a]) => a.transfer.blockHeight !== undefined && a.transfer.blockHeight > fork)
    let stillThere: Set<string>
    let found: PortfolioTransfer[] = []
    if (this.#scans && head.height - fork <= MAX_CATCH_UP) {
      found = head.height > fork ? await this.#scanRange(fork + 1, head.height) : []
      stillThere = new Set(found.map((t) => this.#key(t, this.#indexOf(t))))
    } else {
      // Ask each affected transaction where it stands now (on UTXO chains it usually went back to the mempool).
      const statuses = await Promise.all(replaced.map(([, a]) => this.adapter.getTransaction(a.transfer.hash)))
      stillThere = new Set(replaced.filter((_, i) => statuses[i]?.state !== 'dropped').map(([key]) => key))
    }
    const removed = replaced.filter(([key]) => !stillThere.has(key))
    // The replaced blocks and vanished transfers are forgotten when the re-read commits; moves re-read now are reorg corrections.
    const events = await this.#full(head, { announce: true, reorg: { fork, removed: removed.map(([key]) => key) }, found }, signal)
    return { reorg: { forkHeight: fork, depth: prev.height - fork, removed: removed.map(([, a]) => a.transfer) }, ...events }
  }

  async #readBalances(accounts: readonly PortfolioAccount[], head: BlockRef): Promise<Balance[]> {
    const caps = this.adapter.capabilities
    const balances = await this.adapter.getBalances({
      addresses: accounts.map((a) => a.address),
      assets: this.assets.map((a) => a.id),
      ...(caps.balancesAt ? { blockHeight: head.height } : {}),
      ...(this.#settings.confirmations > 1 ? { confirmations: this.#settings.confirmations } : {}),
    })
    if (balances.length !== accounts.length * this.assets.length) {
      throw new RpcError(
        `${this.chainId}: the adapter returned ${balances.length} balances for ${accounts.length * this.assets.length} reads.`,
      )
    }
    return balances
  }

  /** Scan transfers as seen from each followed account they touch (their positions kept for dedupe). */
  #fromScan(transfers: readonly ChainTransfer[]): PortfolioTransfer[] {
    return fromScan(transfers, this.assets, this.#byAddress).map(({ transfer, index }) => {
      this.#indexes.set(transfer, index)
      return transfer
    })
  }

  readonly #indexes = new WeakMap<PortfolioTransfer, number>()
  #indexOf(t: PortfolioTransfer): number | undefined {
    return this.#indexes.get(t)
  }

  #key(t: PortfolioTransfer, index: number | undefined): string {
    return `${t.hash.toLowerCase()}:${index ?? t.asset}:${t.account.toLowerCase()}`
  }

  /** Lower-cased addresses of `accounts` whose balances differ from the last readings. */
  #moved(accounts: readonly PortfolioAccount[], balances: readonly Balance[]): string[] {
    const assets = this.assets
    return accounts
      .filter((account, a) =>
        assets.some((asset, i) => {
          const balance = balances[a * assets.length + i] as Balance
          const before = this.#readings.get(readingKey(account.address, asset.id))
          return balance.ok && before !== undefined && (before.pending !== (balance.pending ?? 0n) || before.amount !== balance.amount)
        }),
      )
      .map((account) => account.address.toLowerCase())
  }

  /** History items of `accounts` newer than the first read (announcing them is left to the commit). */
  async #fromHistory(accounts: readonly string[]): Promise<PortfolioTransfer[]> {
    if (accounts.length === 0) return []
    const pages = await Promise.all(
      this.accounts
        .filter((a) => accounts.includes(a.address.toLowerCase()))
        .map(async (account) => ({
          account,
          page: await this.adapter.getHistory(account.address, { assets: this.assets.map((a) => a.id), limit: 25 }),
        })),
    )
    const found: PortfolioTransfer[] = []
    for (const { account, page } of pages) {
      for (const item of [...page.items].reverse()) {
        if (item.blockHeight !== undefined && this.#baseline !== undefined && item.blockHeight <= this.#baseline) continue
        const transfer = fromHistoryItem(account, item, this.assets)
        if (transfer) found.push(transfer)
      }
    }
    return found
  }

  /** Keeps the transfers not announced before, and remembers them. */
  #announce(transfers: readonly PortfolioTransfer[]): PortfolioTransfer[] {
    const fresh: PortfolioTransfer[] = []
    for (const t of transfers) {
      const index = this.#indexOf(t)
      const key = this.#key(t, index)
      const known = this.#announced.get(key)
      // Seen before (e.g. pending, now mined): update where it is, do not announce again.
      this.#announced.set(key, { transfer: t, ...(index === undefined ? {} : { index }) })
      if (!known) fresh.push(t)
    }
    return fresh
  }

  /**
   * Applies a successful read: new readings, block refs, announcements (and, after a reorg, the
   * replaced blocks and vanished transfers forgotten). Nothing is applied once `signal` is aborted.
   */
  #commit(
    head: BlockRef,
    work: {
      accounts: readonly PortfolioAccount[]
      balances: readonly Balance[]
      /** Scan transfers: announced, and explaining the changes. */
      found: readonly PortfolioTransfer[]
      /** Transfers named by history (chains without a scan): announced only. */
      named?: readonly PortfolioTransfer[]
      announce: boolean
      full?: boolean
      reorg?: Reorg
      blocks?: number
    },
    signal: AbortSignal | undefined,
  ): StepEvents {
    signal?.throwIfAborted()
    if (work.reorg) {
      for (const key of work.reorg.removed) this.#announced.delete(key)
      const fork = work.reorg.fork
      this.#blocks = this.#blocks.filter((b) => b.height <= fork)
    }
    const announced = this.#announce(work.found)
    const transfers = [...(work.announce ? announced : []), ...this.#announce(work.named ?? [])]
    const changes: BalanceChange[] = []
    const assets = this.assets
    work.accounts.forEach((account, a) => {
      assets.forEach((asset, i) => {
        const balance = work.balances[a * assets.length + i] as Balance
        const key = readingKey(account.address, asset.id)
        const before = this.#readings.get(key)
        if (!balance.ok) {
          this.#readings.set(key, {
            amount: before?.amount ?? 0n,
            pending: before?.pending ?? 0n,
            blockHeight: before?.blockHeight ?? balance.blockHeight,
            error: balance.error,
          })
          return
        }
        const pending = balance.pending ?? 0n
        this.#readings.set(key, { amount: balance.amount, pending, blockHeight: balance.blockHeight })
        if (!work.announce || !before || before.amount === balance.amount) return
        changes.push(
          Object.freeze({
            ...accountAsset(account, asset),
            previous: before.amount,
            amount: balance.amount,
            delta: balance.amount - before.amount,
            blockHeight: balance.blockHeight,
            transfers: work.found.filter((t) => t.asset === asset.id && t.account.toLowerCase() === account.address.toLowerCase()),
            reorg: work.reorg !== undefined,
          }),
        )
      })
    })
    this.#remember(head)
    this.#baseline ??= head.height
    this.#sinceFull = work.full ? 0 : this.#sinceFull + (work.blocks ?? 0)
    this.#needsFull = false
    this.#prune(head.height)
    this.updatedAt = Date.now()
    this.stale = [...this.#readings.values()].some((r) => r.error !== undefined)
    this.error = this.stale ? [...this.#readings.values()].find((r) => r.error)?.error : undefined
    return { transfers, changes }
  }

  /** Keeps `head` and its parent hash (free knowledge for the next reorg check). */
  #remember(head: BlockRef): void {
    const blocks = this.#blocks.filter((b) => b.height < head.height - 1 || (b.height === head.height - 1 && b.hash === head.parentHash))
    if (head.height > 0 && !blocks.some((b) => b.height === head.height - 1)) {
      blocks.push({ height: head.height - 1, hash: head.parentHash, parentHash: '', timestamp: 0 })
    }
    blocks.push(head)
    blocks.sort((x, y) => x.height - y.height)
    this.#blocks = blocks.slice(-this.#settings.reorgDepth)
  }

  /**
   * Forgets announcements a reorg can no longer take back. Chains that find transfers through
   * history keep more (newest MAX_ANNOUNCED), since history pages repeat older items.
   */
  #prune(height: number): void {
    const floor = height - this.#settings.reorgDepth
    if (this.#scans) {
      for (const [key, a] of this.#announced)
        if (a.transfer.blockHeight !== undefined && a.transfer.blockHeight <= floor) this.#announced.delete(key)
    }
    for (const key of this.#announced.keys()) {
      if (this.#announced.size <= MAX_ANNOUNCED) break
      this.#announced.delete(key)
    }
  }

  /** The persisted form. */
  save(): TrackerData {
    return {
      blocks: this.#blocks,
      sinceFull: this.#sinceFull,
      ...(this.#baseline === undefined ? {} : { baseline: this.#baseline }),
      ...(this.updatedAt === undefined ? {} : { updatedAt: this.updatedAt }),
      stale: this.stale,
      readings: [...this.#readings.entries()].map(([key, r]) => {
        const bar = key.lastIndexOf('|')
        return {
          account: key.slice(0, bar),
          asset: key.slice(bar + 1) as AssetId,
          amount: r.amount.toString(),
          pending: r.pending.toString(),
          blockHeight: r.blockHeight,
        }
      }),
      announced: [...this.#announced.values()].map(({ transfer, index }) => ({
        ...transfer,
        amount: transfer.amount.toString(),
        ...(index === undefined ? {} : { index }),
      })),
    }
  }

  /** Restores a persisted form (already shape-checked; assets resolved first). Accounts or assets not followed any more are dropped; new ones get a first read. */
  load(data: TrackerData): void {
    this.#blocks = [...data.blocks].sort((a, b) => a.height - b.height).slice(-this.#settings.reorgDepth)
    this.#sinceFull = data.sinceFull
    this.#baseline = data.baseline
    this.updatedAt = data.updatedAt
    this.stale = data.stale
    const wanted = new Set(this.accounts.flatMap((a) => this.assets.map((s) => readingKey(a.address, s.id))))
    this.#readings = new Map(
      data.readings
        .filter((r) => wanted.has(readingKey(r.account, r.asset)))
        .map((r) => [readingKey(r.account, r.asset), { amount: BigInt(r.amount), pending: BigInt(r.pending), blockHeight: r.blockHeight }]),
    )
    this.#needsFull = this.#readings.size !== wanted.size
    this.#announced = new Map(
      data.announced.map((t) => {
        const { index, ...rest } = t
        // Symbol, decimals and the unverified flag as the portfolio knows the asset now, not as saved.
        const transfer = redescribe({ ...rest, amount: BigInt(t.amount) } as PortfolioTransfer, this.assets)
        if (index !== undefined) this.#indexes.set(transfer, index)
        return [this.#key(transfer, index), { transfer, ...(index === undefined ? {} : { index }) }]
      }),
    )
  }
}
