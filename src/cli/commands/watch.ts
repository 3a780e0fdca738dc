/**
 * `coffer watch`: deposits to many addresses (coffer/watch's `DepositWatcher`), with its store in a
 * PGlite folder or PostgreSQL. Each `detected` / `confirmed` / `reorged` event is a line (a JSON
 * line with `--json`); the watcher's metrics are a table redrawn in place on a terminal, one line
 * per refresh otherwise (logs, pipes), a JSON line each with `--json`. `--once` runs one round and
 * exits (cron); `--redis host:port --workers` runs BullMQ workers in this process; `--redis` alone
 * only shows the fleet's metrics from the shared store. SIGINT / SIGTERM stop cleanly (exit 0).
 *
 * Live drawing: no extra library (none is a dependency). On a terminal the table's lines are
 * counted (wrapped lines included) and erased with ANSI "cursor up" + "erase below" before each
 * redraw; an event line is written after erasing and the table drawn again under it, so events
 * scroll above a table that stays at the bottom.
 * @module
 * @internal
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { formatAmount } from '../../core/amount.js'
import { NotSupportedError } from '../../core/errors.js'
import type { AssetInfo, ChainAdapter } from '../../chains/adapter.js'
import { DepositStore, DepositWatcher, MAX_SHARDS, pgClient, pgliteClient, runWatchWorkers } from '../../watch/index.js'
import type { DepositEvent, WatchMetrics, WatchWorkers } from '../../watch/index.js'
import { buildAdapter, chainName, noChainsConfigured, requireChain } from '../chains.js'
import type { Context } from '../context.js'
import { CliError, EXIT, oneLine, usage } from '../output.js'
import { onStopSignal } from '../signals.js'
import { byChain, readAddressFile } from '../watch-addresses.js'
import type { Action } from './action.js'

interface WatchOptions {
  store: string
  chain?: string[]
  addresses?: string
  confirmations?: string
  shards?: string
  redis?: string
  workers?: boolean
  once?: boolean
  interval: string
}

/** An opened store and how to let go of it (PGlite closed, pool ended). */
interface OpenedStore {
  readonly store: DepositStore
  close(): Promise<void>
}

const HELP = `
Store: a folder is a PGlite database (embedded Postgres; created when missing; one process at a
  time), needs: npm install @electric-sql/pglite. A postgres:// or postgresql:// URL is a
  PostgreSQL server, shared by any number of processes, needs: npm install pg.
Chains: every configured chain whose adapter can list transfers over a block range, or the ones
  named by --chain (a configured name or CAIP-2 id; --rpc adds chains as for other commands).
Addresses file: CSV lines "address,reference[,chain]" (a header line naming the columns is
  optional) or a JSON array of { "address", "reference", "chain"? }; "chain" may be left out when
  one chain is watched. They are added before watching; the command says how many were new.
Modes:
  (default)           scan in this process, print events and a live metrics table
  --once              one round (scan each chain once, deliver what is pending), print the
                      metrics once, exit 0 (for cron and scripts; exit 6 if a chain could not be read)
  --redis h:p --workers  run BullMQ workers in this process: scan steps and deliveries are shared
                      with every other process started the same way on the same store; events
                      print in the process that delivers them
  --redis h:p         a dashboard for a worker fleet: scans nothing, delivers nothing, only shows
                      the metrics the workers leave in the store (needs their postgres:// store)
Output: events as lines ("detected local customer-7 12.5 USDT tx 0x… index 0 block 42"); metrics
  as a table redrawn in place on a terminal, one line per refresh otherwise. With --json every
  line is a JSON object: {"type":"addresses"|"deposit"|"metrics", …}, amounts in base units as
  strings with amountFormatted beside them.
Ctrl-C or SIGTERM stops after the current round (workers finish their jobs) and exits 0.`

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const POSTGRES = /^postgres(?:ql)?:\/\//i

/** The URL as shown to people: no password, no query (it may carry one). */
function shownUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    u.search = ''
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}

/** Imports an optional peer dependency, or explains how to install it. */
function missing(name: string, what: string): (error: unknown) => never {
  return (error: unknown) => {
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new NotSupportedError(`${what} needs the optional package ${name}: npm install ${name}`, { details: { package: name } })
    throw error
  }
}

/** The PGlite folder `arg` names, checked: a new folder in an existing one, or a PGlite data folder. */
function storeFolder(arg: string): string {
  const dir = resolve(arg)
  const stat = existsSync(dir) ? statSync(dir) : undefined
  if (stat && !stat.isDirectory())
    throw usage(`--store ${arg} is a file: give a folder (a PGlite store, created when missing) or a postgres:// URL.`)
  if (!stat && !existsSync(dirname(dir))) throw usage(`--store: the folder ${dirname(dir)} does not exist; create it first (mkdir -p).`)
  if (stat && readdirSync(dir).length > 0 && !existsSync(join(dir, 'PG_VERSION')))
    throw usage(`--store ${arg} holds other files and is not a PGlite store: give a new or empty folder.`)
  return dir
}

/** Opens the store `--store` names: a PGlite folder or a PostgreSQL URL. */
async function openStore(arg: string): Promise<OpenedStore> {
  if (POSTGRES.test(arg)) {
    const { default: pg } = await import('pg').catch(missing('pg', 'A postgres:// store'))
    const pool = new pg.Pool({ connectionString: arg, max: 4 })
    pool.on('error', () => undefined) // an idle connection dropped: the next query reconnects
    try {
      return { store: await DepositStore.open(pgClient(pool)), close: () => pool.end() }
    } catch (cause) {
      await pool.end().catch(() => undefined)
      const reason = oneLine(cause instanceof Error ? cause.message : String(cause)).slice(0, 200)
      throw new CliError(EXIT.NETWORK, `Cannot open the store at ${shownUrl(arg)}: ${reason}`, { cause })
    }
  }
  if (SCHEME.test(arg)) throw usage(`--store takes a folder (PGlite) or a postgres:// URL, not ${arg.split(':')[0]?.slice(0, 20)}://…`)
  const dir = storeFolder(arg)
  const { PGlite } = await import('@electric-sql/pglite').catch(missing('@electric-sql/pglite', 'A folder store (PGlite)'))
  const db = new PGlite(dir)
  try {
    return { store: await DepositStore.open(pgliteClient(db)), close: () => db.close() }
  } catch (error) {
    await db.close().catch(() => undefined)
    throw error
  }
}

/** The adapters to watch: the `--chain` ones, else every configured chain that can list transfers. */
async function watchedAdapters(ctx: Context, names: readonly string[]): Promise<ChainAdapter[]> {
  if (ctx.config.chains.length === 0) throw noChainsConfigured(ctx.config)
  if (names.length > 0) {
    const configs = new Map(names.map((n) => requireChain(ctx.config, n)).map((c) => [c.chainId, c]))
    return Promise.all([...configs.values()].map((c) => buildAdapter(c))) // the watcher refuses one that cannot list transfers
  }
  const all = await Promise.all(ctx.config.chains.map((c) => buildAdapter(c)))
  const able = all.filter((a) => a.capabilities.transfers)
  if (able.length === 0)
    throw new NotSupportedError(
      `None of the configured chains (${all.map((a) => chainName(ctx.config, a.chainId)).join(', ')}) can be watched: their adapters cannot list transfers over a block range.`,
    )
  for (const a of all)
    if (!a.capabilities.transfers)
      ctx.out.note(`note: not watching ${chainName(ctx.config, a.chainId)}: its adapter cannot list transfers.`)
  return able
}

/** How an asset id is looked up: EVM ids are hex (any case); others (base58 mints) are case-sensitive. */
const assetKey = (id: string) => (id.startsWith('eip155:') ? id.toLowerCase() : id)

/** The asset each id names, per chain (for decimals and symbols): the adapters' own list, never the token's word. */
async function assetTable(adapters: readonly ChainAdapter[]): Promise<Map<string, AssetInfo>> {
  const table = new Map<string, AssetInfo>()
  for (const a of adapters) for (const info of await a.assets().catch(() => [])) table.set(assetKey(info.id), info)
  return table
}

function depositJson(e: DepositEvent, info: AssetInfo | undefined): Record<string, unknown> {
  return {
    type: 'deposit',
    kind: e.kind,
    id: e.id,
    chainId: e.chainId,
    reference: e.reference,
    address: e.address,
    from: e.from,
    asset: e.asset,
    ...(info ? { symbol: info.symbol, decimals: info.decimals } : {}),
    amount: e.amount,
    ...(info ? { amountFormatted: formatAmount(e.amount, info.decimals) } : {}),
    hash: e.hash,
    index: e.index,
    blockHeight: e.blockHeight,
    blockHash: e.blockHash,
  }
}

function depositLine(ctx: Context, e: DepositEvent, info: AssetInfo | undefined): string {
  const amount = info ? `${formatAmount(e.amount, info.decimals)} ${oneLine(info.symbol)}` : `${e.amount} base units of ${e.asset}`
  return `${e.kind} ${chainName(ctx.config, e.chainId)} ${oneLine(e.reference)} ${amount} tx ${e.hash} index ${e.index} block ${e.blockHeight}`
}

const cell = (n: number | undefined) => (n === undefined ? '-' : String(n))

/** One line per refresh, for logs and pipes. */
function metricsLine(ctx: Context, m: WatchMetrics): string {
  const chains = Object.entries(m.chains).map(
    ([id, c]) =>
      `${chainName(ctx.config, id)}: ${c.addresses} addresses, ${c.shards} shard(s), height ${cell(c.height)}, behind ${cell(c.behind)}${c.lastError ? `, error: ${oneLine(c.lastError).slice(0, 120)}` : ''}`,
  )
  return `${new Date().toISOString()} ${chains.join('; ')}; ${m.eventsPerSecond.toFixed(2)} events/s, ${m.pendingEvents} pending`
}

function metricsTable(ctx: Context, m: WatchMetrics): string {
  const rows = Object.entries(m.chains).map(([id, c]) => [
    chainName(ctx.config, id),
    String(c.addresses),
    String(c.shards),
    cell(c.height),
    cell(c.behind),
    c.lastError ? oneLine(c.lastError).slice(0, 60) : '',
  ])
  const table = ctx.out.table(['Chain', 'Addresses', 'Shards', 'Height', 'Behind', 'Last error'], rows, {
    align: ['left', 'right', 'right', 'right', 'right', 'left'],
  })
  return `${table}\nEvents/s: ${m.eventsPerSecond.toFixed(2)}   Pending events: ${m.pendingEvents}`
}

/** Where the run prints: lines, and metrics redrawn in place on a terminal. */
class Screen {
  readonly #ctx: Context
  readonly #live: boolean
  #table: string[] = []
  #rows = 0
  #lastWarning = ''

  constructor(ctx: Context, live: boolean) {
    this.#ctx = ctx
    this.#live = live && !ctx.out.json && process.stdout.isTTY === true
  }

  /** An event line (above the live table). */
  line(data: unknown, text: string): void {
    this.#erase()
    this.#ctx.out.event(data, text)
    this.#draw()
  }

  /** A note or warning on stderr (repeated warnings are shown once). */
  warn(text: string): void {
    if (text === this.#lastWarning) return
    this.#lastWarning = text
    this.#erase()
    this.#ctx.out.warn(text)
    this.#draw()
  }

  note(text: string): void {
    this.#erase()
    this.#ctx.out.note(text)
    this.#draw()
  }

  /** Metrics: a JSON line, a table (redrawn on a terminal, printed once with `table`), or a log line. */
  metrics(m: WatchMetrics, table = false): void {
    if (this.#ctx.out.json) return this.#ctx.out.event({ type: 'metrics', time: new Date().toISOString(), ...m }, '')
    if (!this.#live) return this.#ctx.out.print(table ? metricsTable(this.#ctx, m) : metricsLine(this.#ctx, m))
    this.#erase()
    this.#table = metricsTable(this.#ctx, m).split('\n')
    this.#draw()
  }

  #erase(): void {
    if (this.#rows > 0) process.stdout.write(`\x1b[${this.#rows}A\r\x1b[J`)
    this.#rows = 0
  }

  #draw(): void {
    if (!this.#live || this.#table.length === 0) return
    const width = process.stdout.columns || Number.POSITIVE_INFINITY // 0 or unknown: no wrapping to count
    process.stdout.write(`${this.#table.join('\n')}\n`)
    this.#rows = this.#table.reduce((sum, l) => sum + Math.max(1, Math.ceil(l.length / width)), 0)
  }
}

function count(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > max) throw usage(`${flag} must be a whole number from 1 to ${max}.`)
  return Number(value)
}

/** `host:port` (IPv6 in brackets) as ioredis connection options. */
function redisConnection(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(value)
  const port = Number(m?.[2])
  if (!m || port < 1 || port > 65535) throw usage(`--redis takes host:port (e.g. 127.0.0.1:6379), got "${oneLine(value).slice(0, 60)}".`)
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port }
}

async function watch(ctx: Context, opts: WatchOptions): Promise<void> {
  if (!/^\d{2,7}$/.test(opts.interval) || Number(opts.interval) < 50) throw usage('--interval must be milliseconds (at least 50).')
  const interval = Number(opts.interval)
  const confirmations = count('--confirmations', opts.confirmations, 1_000_000)
  const shards = count('--shards', opts.shards, MAX_SHARDS)
  const redis = opts.redis === undefined ? undefined : redisConnection(opts.redis)
  if (opts.workers && !redis) throw usage('--workers needs --redis host:port (BullMQ shares the work through Redis).')
  if (opts.workers && opts.once) throw usage('Choose --once (one round here) or --workers (run until stopped), not both.')
  const dashboard = redis !== undefined && !opts.workers
  if (dashboard && !POSTGRES.test(opts.store))
    throw usage('--redis without --workers shows the metrics of a store worker processes share: give their postgres:// URL as --store.')
  const adapters = await watchedAdapters(ctx, opts.chain ?? [])
  const entries = opts.addresses === undefined ? undefined : byChain(ctx, await readAddressFile(opts.addresses), adapters)

  const opened = await openStore(opts.store)
  const screen = new Screen(ctx, !opts.once)
  try {
    const assets = await assetTable(adapters)
    const watcher = new DepositWatcher({
      store: opened.store,
      chains: adapters,
      handler: (e) => {
        const info = assets.get(assetKey(e.asset))
        screen.line(depositJson(e, info), depositLine(ctx, e, info))
      },
      pollIntervalMs: interval,
      ...(confirmations === undefined ? {} : { confirmations }),
      ...(shards === undefined ? {} : { shards }),
    })
    for (const [chainId, list] of entries ?? []) {
      if (list.length === 0) continue
      const added = await watcher.addAddresses(chainId, list)
      const name = chainName(ctx.config, chainId)
      screen.line(
        { type: 'addresses', chainId, added, listed: list.length },
        `${name}: ${added} new address(es) watched (${list.length} in ${opts.addresses})`,
      )
    }
    if (opts.once) return await once(ctx, watcher, screen, dashboard)
    await live(ctx, watcher, screen, { interval, dashboard, redis: opts.workers ? redis : undefined })
  } finally {
    await opened.close().catch(() => undefined)
  }
}

/** `--once`: one round, everything pending delivered, the metrics printed. */
async function once(ctx: Context, watcher: DepositWatcher, screen: Screen, dashboard: boolean): Promise<void> {
  if (dashboard) return screen.metrics(await watcher.metrics(), true)
  const report = await watcher.poll()
  for (let i = 0; i < 1_000; i++) {
    const { delivered, error } = await watcher.deliver()
    if (delivered === 0 || error !== undefined) break
  }
  const metrics = await watcher.metrics()
  screen.metrics(metrics, true)
  const failed = watcher.chainIds.filter((id) => report.chains[id] === undefined)
  if (failed.length > 0)
    throw new CliError(
      EXIT.NETWORK,
      `Could not scan ${failed.map((id) => `${chainName(ctx.config, id)} (${oneLine(metrics.chains[id]?.lastError ?? 'failed').slice(0, 160)})`).join(', ')}.`,
      { code: 'NETWORK' },
    )
}

/** Runs until SIGINT / SIGTERM: the watcher (or workers, or nothing for a dashboard) and the metrics display. */
async function live(
  ctx: Context,
  watcher: DepositWatcher,
  screen: Screen,
  o: { interval: number; dashboard: boolean; redis: { host: string; port: number } | undefined },
): Promise<void> {
  let release = () => {}
  const stopped = new Promise<string>((resolve) => (release = onStopSignal(resolve)))
  const onError = (error: unknown) => screen.warn(oneLine(error instanceof Error ? error.message : String(error)).slice(0, 300))
  let workers: WatchWorkers | undefined
  try {
    const names = watcher.chainIds.map((id) => chainName(ctx.config, id)).join(', ')
    if (o.redis) {
      workers = await Promise.race([
        runWatchWorkers(watcher, { connection: o.redis, pollIntervalMs: o.interval, onError }),
        stopped.then(() => undefined),
      ])
      screen.note(`Running watch workers (Redis ${o.redis.host}:${o.redis.port}) for ${names}; Ctrl-C to stop.`)
    } else if (o.dashboard) screen.note(`Showing the metrics of the shared store for ${names}; Ctrl-C to stop.`)
    else {
      watcher.start(onError)
      screen.note(`Watching ${names}; Ctrl-C to stop.`)
    }
    let timer: NodeJS.Timeout | undefined
    let refreshing: Promise<void> = Promise.resolve()
    let done = false
    const refresh = async () => {
      try {
        screen.metrics(await watcher.metrics())
      } catch (error) {
        onError(error)
      }
      if (!done) timer = setTimeout(() => void (refreshing = refresh()), o.interval)
    }
    refreshing = refresh()
    await stopped
    done = true
    release() // a second Ctrl-C ends the run at once
    screen.note('Stopping…')
    if (timer) clearTimeout(timer)
    await refreshing
  } finally {
    release()
    await watcher.stop()
    await workers?.close()
  }
}

export function register(program: Command, action: Action): void {
  program
    .command('watch')
    .description('follow deposits to many addresses (coffer/watch): events as lines, live metrics')
    .requiredOption('--store <dir|url>', 'a folder (PGlite, created when missing) or a postgres:// URL')
    .option(
      '--chain <chain>',
      'a configured chain to watch (name or CAIP-2 id; repeatable; default: every one that can be)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--addresses <file>', 'add these addresses first: CSV address,reference[,chain] or a JSON array')
    .option('--confirmations <n>', 'blocks deep before "confirmed" (the deposit\'s block counts as 1; default 12)')
    .option('--shards <n>', `split each chain's addresses in n shards (1-${MAX_SHARDS}), scanned on their own`)
    .option('--redis <host:port>', "BullMQ on this Redis: with --workers run workers here, else show the fleet's metrics")
    .option('--workers', 'with --redis: run BullMQ watch workers in this process')
    .option('--once', 'one round, print the metrics, exit')
    .option('--interval <ms>', 'between rounds and metric refreshes', '2000')
    .addHelpText('after', HELP)
    .action(action((ctx, _args, opts: WatchOptions) => watch(ctx, opts)))
}
