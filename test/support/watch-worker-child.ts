/**
 * A deposit-watcher worker process for test/watch/workers.test.ts: a DepositWatcher on a
 * PostgreSQL store and an anvil chain, its steps and deliveries taken from BullMQ on Redis. The
 * handler appends each event it gets to a log file (one JSON line, written synchronously) before
 * returning, so the test sees every delivery — including one whose acknowledgement a SIGKILL cut off.
 *
 * Run with `node --import tsx test/support/watch-worker-child.ts`; driven over the line protocol of
 * ./child-serve.ts (op `start`). Imports come from ../../src directly.
 */
import { appendFileSync } from 'node:fs'
import pg from 'pg'
import { serve, type Command } from './child-serve.js'
import { evm, type EvmTokenConfig } from '../../src/chains/evm/index.js'
import type { ChainId } from '../../src/core/caip.js'
import { DepositStore, DepositWatcher, pgClient, runWatchWorkers, type WatchWorkers } from '../../src/watch/index.js'

let workers: WatchWorkers | undefined
let pool: pg.Pool | undefined

serve({
  /** Starts the workers: `{ databaseUrl, redis: { host, port }, queueName, rpcUrl, chainId, tokens, log, shards, confirmations, maxBlocks, lockDurationMs }`. */
  async start(cmd: Command) {
    pool = new pg.Pool({ connectionString: cmd.databaseUrl as string, max: 4 })
    const store = await DepositStore.open(pgClient(pool))
    const chain = evm({ chain: cmd.chainId as ChainId, rpcUrls: [cmd.rpcUrl as string], tokens: cmd.tokens as EvmTokenConfig[] })
    const log = cmd.log as string
    const watcher = new DepositWatcher({
      store,
      chains: [chain],
      shards: cmd.shards as number,
      confirmations: cmd.confirmations as number,
      maxBlocks: cmd.maxBlocks as number,
      handler: (e) => {
        appendFileSync(log, `${JSON.stringify({ ...e, amount: e.amount.toString(), pid: process.pid })}\n`)
      },
    })
    workers = await runWatchWorkers(watcher, {
      connection: cmd.redis as object,
      queueName: cmd.queueName as string,
      lockDurationMs: cmd.lockDurationMs as number,
      pollIntervalMs: 300,
      onError: (error) => process.stderr.write(`worker ${process.pid}: ${String(error)}\n`),
    })
    return process.pid
  },
  /** Stops taking jobs and closes everything (a clean shutdown). */
  async stop() {
    await workers?.close()
    await pool?.end()
    return workers?.jobs() ?? 0
  },
})
