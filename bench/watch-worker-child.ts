/**
 * A deposit-watcher worker process for bench/watch.ts (spawned through test/support/child-process.ts):
 * like test/support/watch-worker-child.ts, but `start` only builds the watcher (so process start-up
 * stays outside the clock), `go` starts taking BullMQ jobs, the poll interval is the bench's, and
 * the handler logs each event with the time it got it (one JSON line, written synchronously) so
 * the bench can time block → `confirmed` across processes.
 */
import { appendFileSync } from 'node:fs'
import pg from 'pg'
import { serve, type Command } from '../test/support/child-serve.js'
import { evm, type EvmTokenConfig } from '../src/chains/evm/index.js'
import type { ChainId } from '../src/core/caip.js'
import { DepositStore, DepositWatcher, pgClient, runWatchWorkers, type WatchWorkers } from '../src/watch/index.js'

let watcher: DepositWatcher | undefined
let workers: WatchWorkers | undefined
let pool: pg.Pool | undefined
let config: Command | undefined

serve({
  /** Builds the watcher: `{ databaseUrl, redis, queueName, rpcUrl, chainId, tokens, log, shards, confirmations, maxBlocks, pollIntervalMs }`. */
  async start(cmd: Command) {
    config = cmd
    pool = new pg.Pool({ connectionString: cmd.databaseUrl as string, max: 4 })
    const store = await DepositStore.open(pgClient(pool))
    const chain = evm({ chain: cmd.chainId as ChainId, rpcUrls: [cmd.rpcUrl as string], tokens: cmd.tokens as EvmTokenConfig[] })
    await chain.assets()
    const log = cmd.log as string
    watcher = new DepositWatcher({
      store,
      chains: [chain],
      shards: cmd.shards as number,
      confirmations: cmd.confirmations as number,
      maxBlocks: cmd.maxBlocks as number,
      handler: (e) => appendFileSync(log, `${JSON.stringify({ kind: e.kind, address: e.address, t: Date.now() })}\n`),
    })
    await watcher.units()
    return process.pid
  },
  /** Starts taking jobs. */
  async go() {
    workers = await runWatchWorkers(watcher!, {
      connection: config!.redis as object,
      queueName: config!.queueName as string,
      pollIntervalMs: config!.pollIntervalMs as number,
      onError: (error) => process.stderr.write(`bench worker ${process.pid}: ${String(error)}\n`),
    })
    return process.pid
  },
  /** Stops taking jobs and closes everything; returns how many jobs this process ran. */
  async stop() {
    await workers?.close()
    await pool?.end()
    return workers?.jobs() ?? 0
  },
})
