/**
 * The deposit watcher (`coffer/watch`) with 100,000 watched addresses on anvil, beside what an app
 * without a watcher does each block: read the USDT balance of every address (the anchor).
 * - Addresses added: 100,000 random addresses in one `DepositStore.addAddresses` call, on PGlite
 *   (in memory) and on PostgreSQL.
 * - Blocks processed: a backlog of 200 blocks with 10 USDT deposits each, the watcher's 4 shards
 *   starting at the backlog's first block (`maxBlocks` 20, 3 confirmations); timed until every
 *   shard's cursor is at the head. In-process (`poll()` in a loop) on PGlite and PostgreSQL, then
 *   1, 2 and 4 BullMQ worker processes (bench/watch-worker-child.ts) on PostgreSQL + Redis, each
 *   with a fresh database and queue.
 * - Block → `confirmed`: the watcher caught up and running (`start()` / workers, every 100 ms); a
 *   deposit is mined and detected, then the 2 blocks that confirm it; timed from the confirming
 *   block's `anvil_mine` answer to the handler getting `confirmed`.
 * - Anchors: one full balance poll of the 100,000 addresses, as `eth_call balanceOf` per address
 *   in JSON-RPC batches of 1,000, and as viem `multicall` through Multicall3.
 * PostgreSQL and Redis come from test/support (binaries of the machine); without them those rows
 * are skipped and the note says so.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { createPublicClient, encodeFunctionData, erc20Abi, http, type Address, type Hex } from 'viem'
import { evm } from 'coffer/evm'
import { startLocalChain } from 'coffer/testing'
import { DepositStore, DepositWatcher, pgClient, pgliteClient, type DepositEvent, type SqlClient } from 'coffer/watch'
import { startChild, type Child } from '../test/support/child-process.js'
import { mineMints, randomAddress } from '../test/support/mint-batch.js'
import { startPostgres, type LocalPostgres } from '../test/support/postgres.js'
import { startRedis, type LocalRedis } from '../test/support/redis.js'
import { limit, timed } from './harness.js'

const ADDRESSES = 100_000
const SHARDS = 4
const BLOCKS = 200
const PER_BLOCK = 10
const MAX_BLOCKS = 20
const CONFIRMATIONS = 3
const POLL_MS = 100
const LATENCY_SAMPLES = 10
const RPC_BATCH = 1_000
/** Calls per Multicall3 chunk (viem's `batchSize` counts calldata bytes: 36 per `balanceOf`). */
const MULTICALL_CALLS = 2_000
const ANCHOR_ROUNDS = 3

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Times events arrive at, by `kind:address`, and waiting for one. */
class Arrivals {
  readonly #at = new Map<string, number>()
  readonly #waiting = new Map<string, (t: number) => void>()
  mark(kind: string, address: string, t: number): void {
    const key = `${kind}:${address.toLowerCase()}`
    if (this.#at.has(key)) return
    this.#at.set(key, t)
    this.#waiting.get(key)?.(t)
  }
  wait(kind: string, address: string, ms = 60_000): Promise<number> {
    const key = `${kind}:${address.toLowerCase()}`
    const t = this.#at.get(key)
    if (t !== undefined) return Promise.resolve(t)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench watch: no ${key} event within ${ms} ms`)), ms)
      this.#waiting.set(key, (at) => {
        clearTimeout(timer)
        resolve(at)
      })
    })
  }
}

/** Follows the worker children's event log (JSON lines) into `arrivals`; returns a stop function. */
function follow(file: string, arrivals: Arrivals): () => void {
  let offset = 0
  let rest = ''
  const read = () => {
    let size: number
    try {
      size = statSync(file).size
    } catch {
      return
    }
    if (size <= offset) return
    const fd = openSync(file, 'r')
    const buffer = Buffer.alloc(size - offset)
    readSync(fd, buffer, 0, buffer.length, offset)
    closeSync(fd)
    offset = size
    const lines = (rest + buffer.toString('utf8')).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) {
      const e = JSON.parse(line) as { kind: string; address: string; t: number }
      arrivals.mark(e.kind, e.address, e.t)
    }
  }
  const timer = setInterval(read, 2)
  return () => clearInterval(timer)
}

/** Wraps methods of `target` to add their time to `spent[name]` (where a step's time goes). */
function instrument(target: object, names: readonly string[], spent: Record<string, number>): void {
  const t = target as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const name of names) {
    const original = t[name]!.bind(target)
    t[name] = async (...args: unknown[]) => {
      const t0 = performance.now()
      try {
        return await original(...args)
      } finally {
        spent[name] = (spent[name] ?? 0) + performance.now() - t0
      }
    }
  }
}

interface Line {
  measure: string
  how: string
  result: string
  vs?: string
}

export async function benchWatch(): Promise<string[]> {
  const local = await startLocalChain({ tokens: ['USDT'] })
  const skipped: string[] = []
  const lines: Line[] = []
  const breakdowns: string[] = []
  let server: LocalPostgres | undefined
  let redis: LocalRedis | undefined
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-watch-'))
  const children: Child[] = []
  const cleanup: (() => Promise<unknown>)[] = []
  try {
    server = await startPostgres()
    if (!server) skipped.push('PostgreSQL (no initdb/postgres binaries: install postgresql or set PG_BIN)')
    redis = server ? await startRedis() : undefined
    if (server && !redis) skipped.push('BullMQ workers (no redis-server: install redis-server or set REDIS_SERVER)')
    const chainId = local.chainId
    // The adapter's HTTP goes through a fetch that times eth_getLogs (wall time while any is in flight).
    let logsMs = 0
    let logsInFlight = 0
    let logsSince = 0
    const timedFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body !== 'string' || !init.body.includes('"eth_getLogs"')) return fetch(input, init)
      if (logsInFlight++ === 0) logsSince = performance.now()
      try {
        const res = await fetch(input, init)
        return new Response(await res.arrayBuffer(), res)
      } finally {
        if (--logsInFlight === 0) logsMs += performance.now() - logsSince
      }
    }
    const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens, fetch: timedFetch })
    await adapter.assets()
    const usdt = local.tokens.USDT.address
    const watched = Array.from({ length: ADDRESSES }, (_, i) => ({ address: randomAddress(), reference: `c${i}` }))

    const call = async <T>(method: string, params: unknown[] = []): Promise<T> => {
      const res = await fetch(local.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
      const body = (await res.json()) as { result?: T; error?: { message: string } }
      if (body.error) throw new Error(`${method}: ${body.error.message}`)
      return body.result as T
    }
    const head = async () => Number(BigInt(await call<Hex>('eth_blockNumber')))

    // The backlog: 200 blocks, 10 mints to watched addresses in each (one JSON-RPC batch, then evm_mine).
    await local.setAutomine(false)
    const first = (await head()) + 1
    for (let b = 0; b < BLOCKS; b++)
      await mineMints(
        local.rpcUrl,
        usdt,
        Array.from({ length: PER_BLOCK }, (_, k) => ({
          to: watched[((b * PER_BLOCK + k) * 37) % ADDRESSES]!.address as Address,
          amount: 1_000_000n + BigInt(b),
        })),
      )
    await local.setAutomine(true)
    const top = await head()
    if (top - first + 1 !== BLOCKS) throw new Error(`bench watch: backlog is ${top - first + 1} blocks`)

    // Anchors: one full balance poll of every address, the two naive ways.
    const anchor: { name: string; ms: number }[] = []
    {
      const balanceOf = (a: string) => encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [a as Address] })
      const batches = Array.from({ length: ADDRESSES / RPC_BATCH }, (_, i) => watched.slice(i * RPC_BATCH, (i + 1) * RPC_BATCH))
      const rpcPoll = async () => {
        let sum = 0n
        let n = 0
        await limit(batches, 4, async (batch) => {
          const res = await fetch(local.rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(
              batch.map((w, id) => ({
                jsonrpc: '2.0',
                id,
                method: 'eth_call',
                params: [{ to: usdt, data: balanceOf(w.address) }, 'latest'],
              })),
            ),
          })
          for (const a of (await res.json()) as { result?: Hex }[]) {
            if (!a.result) throw new Error('bench watch: eth_call failed')
            sum += BigInt(a.result)
            n++
          }
        })
        return { n, sum }
      }
      const viem = createPublicClient({ chain: local.chain, transport: http(local.rpcUrl) })
      const contracts = watched.map((w) => ({
        address: usdt,
        abi: erc20Abi,
        functionName: 'balanceOf' as const,
        args: [w.address as Address] as const,
      }))
      const multicallPoll = async () => {
        const results = await viem.multicall({ contracts, batchSize: MULTICALL_CALLS * 36, allowFailure: false })
        return { n: results.length, sum: results.reduce((a, b) => a + b, 0n) }
      }
      const expected = Array.from({ length: BLOCKS }, (_, b) => BigInt(PER_BLOCK) * (1_000_000n + BigInt(b))).reduce((a, b) => a + b, 0n)
      for (const [name, poll] of [
        ['rpc', rpcPoll],
        ['multicall', multicallPoll],
      ] as const) {
        const times: number[] = []
        for (let round = 0; round < ANCHOR_ROUNDS; round++) {
          const { ms, result } = await timed(poll)
          if (result.n !== ADDRESSES || result.sum !== expected)
            throw new Error(`bench watch: ${name} read ${result.n} balances, sum ${result.sum}`)
          times.push(ms)
        }
        anchor.push({ name, ms: median(times) })
      }
    }
    const bestAnchorBps = 1000 / Math.min(...anchor.map((a) => a.ms))

    // The watcher's runs. Each configuration: a fresh store with the 100,000 addresses, cursors at the backlog's start.
    const addTimes: Record<'pglite' | 'postgres', number[]> = { pglite: [], postgres: [] }
    const freshPostgres = async (name: string) => {
      const admin = new pg.Pool({ connectionString: server!.url, max: 1 })
      await admin.query(`CREATE DATABASE ${name}`)
      await admin.end()
      const url = server!.url.replace(/\/postgres$/, `/${name}`)
      const pool = new pg.Pool({ connectionString: url, max: 4 })
      cleanup.push(() => pool.end())
      return { url, sql: pgClient(pool) }
    }
    const fill = async (sql: SqlClient, kind: 'pglite' | 'postgres') => {
      const store = await DepositStore.open(sql)
      const { ms, result } = await timed(() => store.addAddresses(chainId, watched))
      if (result !== ADDRESSES) throw new Error(`bench watch: ${result} addresses added`)
      addTimes[kind].push(ms)
      // Every shard's cursor at the block before the backlog: a watcher's first step per shard only places it.
      const seed = new DepositWatcher({ store, chains: [adapter], shards: SHARDS, startHeight: first - 1, handler: () => undefined })
      for (const u of await seed.units()) await seed.step(u.chainId, u.shard)
      return store
    }
    const atHead = async (store: DepositStore, height: number) => {
      const p = await store.progress(chainId)
      return p.length === SHARDS && p.every((s) => s.height >= height)
    }
    const expectedEvents = BLOCKS * PER_BLOCK * 2 - (CONFIRMATIONS - 1) * PER_BLOCK
    const blocksLine = (how: string, ms: number, deliveredMs: number) =>
      lines.push({
        measure: 'blocks processed',
        how,
        result: `${fmt((BLOCKS / ms) * 1000, 1)} blocks/s (${fmt(ms / 1000, 1)} s; all events delivered at ${fmt(deliveredMs / 1000, 1)} s)`,
        vs: `${fmt(((BLOCKS / ms) * 1000) / bestAnchorBps, 0)}×`,
      })

    /** Samples block → `confirmed` latency; `arrivals` is fed by the running watcher's handler. */
    const latency = async (arrivals: Arrivals, store: DepositStore, tag: number) => {
      const deadline = Date.now() + 60_000
      while (!(await atHead(store, await head()))) {
        if (Date.now() > deadline) throw new Error('bench watch: the watcher did not catch up before the latency samples')
        await sleep(20)
      }
      const samples: number[] = []
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const to = watched[ADDRESSES - 1 - tag * 100 - i]!.address
        await local.fund(to, { USDT: '1' })
        await arrivals.wait('detected', to)
        await sleep(Math.random() * POLL_MS)
        await local.mine(CONFIRMATIONS - 1)
        const t0 = Date.now()
        samples.push((await arrivals.wait('confirmed', to)) - t0)
      }
      return samples
    }
    const latencyLine = (how: string, samples: number[]) =>
      lines.push({
        measure: 'block → `confirmed`',
        how,
        result: `${fmt(median(samples))} ms (min ${fmt(Math.min(...samples))}, max ${fmt(Math.max(...samples))})`,
      })

    // In-process: PGlite, then PostgreSQL. `poll()` in a loop until every shard is at the head and every event delivered.
    const inProcess: { how: string; store: DepositStore; watcher: DepositWatcher; arrivals: Arrivals }[] = []
    const stores: [string, 'pglite' | 'postgres', () => Promise<SqlClient>][] = [
      [
        'in-process `poll()` loop, PGlite in memory',
        'pglite',
        async () => {
          const db = new PGlite()
          cleanup.push(() => db.close())
          return pgliteClient(db)
        },
      ],
    ]
    if (server) stores.push(['in-process `poll()` loop, PostgreSQL', 'postgres', async () => (await freshPostgres('bench_inprocess')).sql])
    for (const [how, kind, open] of stores) {
      const store = await fill(await open(), kind)
      const arrivals = new Arrivals()
      let events = 0
      const watcher = new DepositWatcher({
        store,
        chains: [adapter],
        shards: SHARDS,
        maxBlocks: MAX_BLOCKS,
        confirmations: CONFIRMATIONS,
        pollIntervalMs: POLL_MS,
        handler: (e: DepositEvent) => {
          events++
          arrivals.mark(e.kind, e.address, Date.now())
        },
      })
      const spent: Record<string, number> = {}
      logsMs = 0
      instrument(adapter, ['getTransfers', 'blockAt', 'latestBlock'], spent)
      instrument(store, ['addresses', 'commitStep', 'deliver'], spent)
      const t0 = performance.now()
      let cursorsMs = 0
      for (;;) {
        const r = await watcher.poll()
        if (!cursorsMs && (await atHead(store, top))) cursorsMs = performance.now() - t0
        if (cursorsMs && r.delivered === 0) break
      }
      const deliveredMs = performance.now() - t0
      // Undo the instrumentation (own properties shadow the prototype's methods).
      for (const name of ['getTransfers', 'blockAt', 'latestBlock']) delete (adapter as unknown as Record<string, unknown>)[name]
      for (const name of ['addresses', 'commitStep', 'deliver']) delete (store as unknown as Record<string, unknown>)[name]
      if (events !== expectedEvents) throw new Error(`bench watch: ${events} events, expected ${expectedEvents}`)
      blocksLine(how, cursorsMs, deliveredMs)
      const part = (ms: number) => `${fmt((ms / deliveredMs) * 100)}%`
      breakdowns.push(
        `${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'} ${part(logsMs)} node \`eth_getLogs\`, ` +
          `${part((spent.getTransfers ?? 0) - logsMs)} the adapter's own work in \`getTransfers\` (checking the shard's addresses, matching), ` +
          `${part(spent.addresses ?? 0)} paging addresses out of the store, ${part(spent.commitStep ?? 0)} committing steps, ` +
          `${part(spent.deliver ?? 0)} delivering events, ${part((spent.blockAt ?? 0) + (spent.latestBlock ?? 0))} reading heads and block hashes`,
      )
      inProcess.push({ how, store, watcher, arrivals })
    }

    // BullMQ workers on PostgreSQL + Redis: 1, 2 and 4 processes, a fresh database and queue each.
    let workerStore: { store: DepositStore; count: number; url: string } | undefined
    const spawnWorkers = async (count: number, url: string, queueName: string, log: string) => {
      const started: Child[] = []
      for (let i = 0; i < count; i++) {
        const child = startChild('../../bench/watch-worker-child.ts')
        children.push(child)
        started.push(child)
      }
      await Promise.all(
        started.map((child) =>
          child.run('start', {
            databaseUrl: url,
            redis: { host: redis!.host, port: redis!.port },
            queueName,
            rpcUrl: local.rpcUrl,
            chainId,
            tokens: local.adapterTokens,
            log,
            shards: SHARDS,
            confirmations: CONFIRMATIONS,
            maxBlocks: MAX_BLOCKS,
            pollIntervalMs: POLL_MS,
          }),
        ),
      )
      return started
    }
    const stopWorkers = async (started: Child[]) => {
      await Promise.all(started.map((w) => w.run('stop')))
      await Promise.all(started.map((w) => w.kill('SIGTERM')))
    }
    if (redis)
      for (const count of [1, 2, 4]) {
        const { url, sql } = await freshPostgres(`bench_workers_${count}`)
        const store = await fill(sql, 'postgres')
        const log = join(dir, `workers-${count}.log`)
        const started = await spawnWorkers(count, url, `coffer-bench-${count}-${Date.now()}`, log)
        const t0 = performance.now()
        await Promise.all(started.map((w) => w.run('go')))
        let cursorsMs = 0
        for (;;) {
          if (!cursorsMs && (await atHead(store, top))) cursorsMs = performance.now() - t0
          if (cursorsMs && (await store.pendingEvents()) === 0) break
          if (performance.now() - t0 > 300_000) throw new Error(`bench watch: ${count} worker(s) did not catch up in 5 minutes`)
          await sleep(10)
        }
        const deliveredMs = performance.now() - t0
        await stopWorkers(started)
        blocksLine(`${count} BullMQ worker process${count > 1 ? 'es' : ''}, PostgreSQL + Redis`, cursorsMs, deliveredMs)
        workerStore = { store, count, url }
      }

    // Latency: each watcher caught up and running, one deposit at a time.
    for (const [i, { how, store, watcher, arrivals }] of inProcess.entries()) {
      watcher.start((error) => console.error(`bench watch: ${String(error)}`))
      try {
        latencyLine(how.replace('`poll()` loop', `\`start()\`, every ${POLL_MS} ms`), await latency(arrivals, store, i))
      } finally {
        await watcher.stop()
      }
    }
    if (workerStore) {
      const log = join(dir, 'latency.log')
      const arrivals = new Arrivals()
      const stop = follow(log, arrivals)
      const started = await spawnWorkers(workerStore.count, workerStore.url, `coffer-bench-latency-${Date.now()}`, log)
      try {
        await Promise.all(started.map((w) => w.run('go')))
        latencyLine(
          `${workerStore.count} BullMQ worker processes, offering work every ${POLL_MS} ms`,
          await latency(arrivals, workerStore.store, 9),
        )
      } finally {
        stop()
        await stopWorkers(started)
      }
    }

    lines.push(
      ...anchor.map((a) => ({
        measure: 'anchor: balance poll',
        how:
          a.name === 'rpc'
            ? `\`eth_call balanceOf\` per address, JSON-RPC batches of ${fmt(RPC_BATCH)} (4 in flight)`
            : `viem \`multicall\` (Multicall3, ${fmt(MULTICALL_CALLS)} calls a chunk)`,
        result: `${fmt(a.ms / 1000, 2)} s a poll = ${fmt(1000 / a.ms, 2)} blocks/s`,
        vs: `${fmt(1000 / a.ms / bestAnchorBps, 2)}×`,
      })),
    )
    const added = ([kind, label]: ['pglite' | 'postgres', string]) => {
      const xs = addTimes[kind]
      if (xs.length === 0) return
      const ms = median(xs)
      lines.unshift({
        measure: 'addresses added',
        how: `\`addAddresses\` of ${fmt(ADDRESSES)} random addresses, ${label} (${xs.length === 1 ? 'one run' : `median of ${xs.length} runs, a fresh store each`})`,
        result: `${fmt((ADDRESSES / ms) * 1000)} /s (${fmt(ms / 1000, 2)} s)`,
      })
    }
    added(['postgres', 'PostgreSQL'])
    added(['pglite', 'PGlite in memory'])

    const text = [
      `### Deposit watcher (${fmt(ADDRESSES)} addresses)`,
      '',
      '| measure | how | result | vs best naive poll |',
      '|---|---|---:|---:|',
      ...lines.map((l) => `| ${l.measure} | ${l.how} | ${l.result} | ${l.vs ?? ''} |`),
      '',
      `_On anvil, one USDT-like token, ${fmt(ADDRESSES)} watched addresses in ${SHARDS} shards. ` +
        `**Addresses added**: one \`DepositStore.addAddresses\` call (10,000 rows a statement). ` +
        `**Blocks processed**: a backlog of ${BLOCKS} blocks with ${PER_BLOCK} deposits each, every shard's cursor at the block before it; ` +
        `timed until every shard's cursor (\`store.progress\`) is at the head (\`maxBlocks\` ${MAX_BLOCKS}, ${CONFIRMATIONS} confirmations; ` +
        `the ${fmt(expectedEvents)} \`detected\`/\`confirmed\` events delivered by the time in brackets). Worker processes start before the clock; ` +
        `each ${SHARDS}-shard step reads the range's Transfer logs once per shard. ` +
        `**Block → \`confirmed\`**: median of ${LATENCY_SAMPLES} deposits, from the \`anvil_mine\` answer of the block that makes ${CONFIRMATIONS} confirmations to the handler getting \`confirmed\` ` +
        `(with this many addresses a round's own work, not the ${POLL_MS} ms interval, sets most of it). **Anchor**: what an app without a watcher does every block — read the USDT balance of all ${fmt(ADDRESSES)} addresses — ` +
        `as a full poll's median time (of ${ANCHOR_ROUNDS}) and the blocks per second that allows; the last column is each row's blocks/s over the faster anchor's. ` +
        `Where the in-process runs' time went: ${breakdowns.join('; ')}.` +
        (skipped.length ? ` Skipped here: ${skipped.join('; ')}.` : '') +
        '_',
    ].join('\n')
    console.log(`${text}\n`)
    return [text]
  } finally {
    await Promise.all(children.map((c) => c.kill('SIGKILL')))
    for (const f of cleanup.reverse()) await f().catch(() => undefined)
    await redis?.stop()
    await server?.stop()
    await local.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
