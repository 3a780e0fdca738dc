/**
 * The scale and fault suite of coffer/watch, on real servers: PostgreSQL (test/support/postgres.ts),
 * Redis (test/support/redis.ts), anvil, and 1, 2 and 4 worker processes
 * (test/support/watch-worker-child.ts) sharing the work through BullMQ. 100,000 watched addresses
 * in 4 shards; 2,000 deposits over 200 blocks (10 a block, plus mints to strangers), among them a
 * 3-block reorg (30 deposits detected, then gone; some mined again on the new branch); workers
 * killed with SIGKILL all along and replaced. Checked against the chain itself at the end (its
 * Transfer logs read independently with viem): every deposit on the chain stored and confirmed
 * once, every orphaned one reported reorged, every event acknowledged, and the handler saw every
 * event — a repeat only where a kill cut off an acknowledgement.
 *
 * Outside CI, a machine without PostgreSQL or Redis skips this file and says so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createPublicClient, http, parseAbiItem, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { DepositStore, pgClient } from 'coffer/watch'
import { rpc } from '../support/anvil.js'
import { startChild, type Child } from '../support/child-process.js'
import { mineMints, randomAddress } from '../support/mint-batch.js'
import { postgresBin, startPostgres, type LocalPostgres } from '../support/postgres.js'
import { redisBin, startRedis, type LocalRedis } from '../support/redis.js'

const available = postgresBin() !== undefined && redisBin() !== undefined
if (!available) {
  if (process.env.CI) throw new Error('CI needs PostgreSQL and Redis for test/watch/workers.test.ts (.ci/run installs them).')
  console.warn(
    'test/watch/workers.test.ts: no PostgreSQL or redis-server here (install postgresql and redis-server); skipping the scale and fault suite.',
  )
}

const ADDRESSES = 100_000
const BLOCKS = 200
const PER_BLOCK = 10
const SHARDS = 4
const CONFIRMATIONS = 6
const REORG_AT = 100 // the 3 orphaned blocks replace deposit blocks 100..102
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

describe.skipIf(!available)('coffer/watch at scale: PostgreSQL + BullMQ workers killed with SIGKILL, a reorg', () => {
  let server: LocalPostgres
  let redis: LocalRedis
  let local: LocalChain<'USDT'>
  let dir: string
  beforeAll(async () => {
    server = (await startPostgres()) as LocalPostgres
    redis = (await startRedis()) as LocalRedis
    local = await startLocalChain({ tokens: ['USDT'] })
    dir = mkdtempSync(join(tmpdir(), 'coffer-watch-workers-'))
  }, 120_000)
  afterAll(async () => {
    await local?.stop()
    await redis?.stop()
    await server?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const call = <T>(method: string, params: unknown[] = []) => rpc<T>(local.rpcUrl, method, params)
  const mint = (mints: readonly { to: Address; amount: bigint }[]) => mineMints(local.rpcUrl, local.tokens.USDT.address, mints)

  async function run(workerCount: number) {
    const name = `w${workerCount}`
    const admin = new pg.Pool({ connectionString: server.url, max: 1 })
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const databaseUrl = server.url.replace(/\/postgres$/, `/${name}`)
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
    const store = await DepositStore.open(pgClient(pool))
    const watched = Array.from({ length: ADDRESSES }, (_, i) => ({ address: randomAddress(), reference: `customer-${i}` }))
    const added = Date.now()
    expect(await store.addAddresses(local.chainId, watched)).toBe(ADDRESSES)
    const addSeconds = (Date.now() - added) / 1000
    expect(await store.setShards(local.chainId, SHARDS)).toBe(true)
    const reference = new Map<string, string>(watched.map((w) => [w.address, w.reference]))
    const log = join(dir, `${name}.log`)

    const config = {
      databaseUrl,
      redis: { host: redis.host, port: redis.port },
      queueName: `coffer-watch-${name}`,
      rpcUrl: local.rpcUrl,
      chainId: local.chainId,
      tokens: local.adapterTokens,
      log,
      shards: SHARDS,
      confirmations: CONFIRMATIONS,
      maxBlocks: 20,
      lockDurationMs: 2_000,
    }
    const spawn = async (): Promise<Child> => {
      const child = startChild('watch-worker-child.ts')
      await child.run('start', config)
      return child
    }
    const workers: Child[] = []
    for (let i = 0; i < workerCount; i++) workers.push(await spawn())
    const cursors = async () => (await store.progress(local.chainId)).map((p) => p.height)
    const waitFor = async (what: string, done: () => Promise<boolean>, ms = 180_000) => {
      const deadline = Date.now() + ms
      while (!(await done())) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; shards at ${JSON.stringify(await store.progress(local.chainId))}, head ${BigInt(await call<Hex>('eth_blockNumber'))}`,
          )
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    await waitFor('every shard to start', async () => (await cursors()).length === SHARDS)

    // Kill a random worker with SIGKILL every 1.5–3 s (8 times at most) and start another, until told to stop.
    let kills = 0
    let killing = true
    const killer = (async () => {
      while (killing && kills < 8) {
        await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_500))
        if (!killing) break
        const i = Math.floor(Math.random() * workers.length)
        await workers[i]!.kill('SIGKILL')
        kills++
        workers[i] = await spawn()
      }
    })()

    await call('evm_setAutomine', [false])
    const orphaned: Hex[] = []
    let amount = 1_000_000n
    const nextMints = () => {
      const mints = Array.from({ length: PER_BLOCK }, () => ({
        to: watched[Math.floor(Math.random() * ADDRESSES)]!.address as Address,
        amount: amount++,
      }))
      return Math.random() < 0.3 ? [...mints, { to: randomAddress(), amount: amount++ }] : mints // sometimes a stranger too
    }
    const first = Number(BigInt(await call<Hex>('eth_blockNumber'))) + 1
    let reorgMints: { to: Address; amount: bigint }[] = []
    for (let b = 0; b < BLOCKS; b++) {
      if (b === REORG_AT) {
        // Three blocks of deposits the workers see, then another branch from before them.
        const snapshot = await local.snapshot()
        for (let k = 0; k < 3; k++) {
          const mints = nextMints()
          reorgMints = [...reorgMints, ...mints]
          orphaned.push(...(await mint(mints)))
        }
        await waitFor('the 3 blocks to be scanned', async () => {
          const { rows } = await pool.query('SELECT count(*)::int AS n FROM coffer_watch_deposits WHERE tx_hash = ANY($1::text[])', [
            orphaned.map((h) => h.toLowerCase()),
          ])
          return rows[0].n === reorgMints.filter((m) => reference.has(m.to)).length
        })
        await local.revert(snapshot)
        // The new branch carries 5 of the orphaned payments again (new transactions), then goes on.
        await mint(reorgMints.filter((m) => reference.has(m.to)).slice(0, 5))
      }
      await mint(nextMints())
      if (b % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await call('evm_setAutomine', [true])
    await local.mine(CONFIRMATIONS)
    const last = Number(BigInt(await call<Hex>('eth_blockNumber')))

    // The truth, read from the chain independently: every Transfer of the token to a watched address.
    const client = createPublicClient({ transport: http(local.rpcUrl) })
    const logs = await client.getLogs({
      address: local.tokens.USDT.address,
      event: transferEvent,
      fromBlock: BigInt(first),
      toBlock: BigInt(last),
    })
    const onChain = logs
      .filter((l) => reference.has(l.args.to!.toLowerCase()))
      .map((l) => ({ hash: l.transactionHash.toLowerCase(), index: l.logIndex, address: l.args.to!.toLowerCase(), amount: l.args.value! }))
    expect(onChain.length).toBe(BLOCKS * PER_BLOCK + 5)
    const key = (d: { hash: string; index: number }) => `${d.hash.toLowerCase()}#${d.index}`
    const chainKeys = new Set(onChain.map(key))

    await waitFor('every deposit confirmed and delivered', async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM coffer_watch_deposits WHERE state = 'confirmed'`)
      return rows[0].n >= onChain.length && (await store.pendingEvents()) === 0
    })
    killing = false
    await killer
    const jobs = await Promise.all(workers.map((w) => w.run<number>('stop')))
    await Promise.all(workers.map((w) => w.kill('SIGTERM')))

    // The store: each deposit on the chain confirmed once with its amount and customer; the orphans reorged.
    const stored = await store.deposits(local.chainId)
    const confirmed = stored.filter((d) => d.state === 'confirmed')
    expect(confirmed.map(key).sort()).toEqual([...chainKeys].sort())
    const byKey = new Map(onChain.map((d) => [key(d), d]))
    for (const d of confirmed) {
      expect(d.amount).toBe(byKey.get(key(d))!.amount)
      expect(d.reference).toBe(reference.get(d.address))
    }
    const gone = stored.filter((d) => d.state === 'reorged')
    expect(gone.length).toBeGreaterThanOrEqual(25)
    for (const d of gone) expect(orphaned).toContain(d.hash as Hex)
    expect(stored.length).toBe(confirmed.length + gone.length)

    // The outbox: per deposit, the events in a sane order, a confirmation only for what is on the chain.
    const { rows: events } = await pool.query<{ id: string; kind: string; tx_hash: string; log_index: number; delivered_at: Date | null }>(
      'SELECT id, kind, tx_hash, log_index, delivered_at FROM coffer_watch_events ORDER BY id',
    )
    expect(events.every((e) => e.delivered_at !== null)).toBe(true)
    const story = new Map<string, string[]>()
    for (const e of events) story.set(`${e.tx_hash}#${e.log_index}`, [...(story.get(`${e.tx_hash}#${e.log_index}`) ?? []), e.kind])
    for (const [k, kinds] of story) {
      if (chainKeys.has(k)) expect(kinds.join(',')).toMatch(/^(detected,reorged,)?detected,confirmed$/)
      else expect(kinds.join(',')).toBe('detected,reorged')
    }
    expect([...story.values()].filter((k) => k.includes('reorged')).length).toBe(
      gone.length + confirmed.filter((d) => story.get(key(d))!.length > 2).length,
    )

    // The handler saw every event; an event twice only where a SIGKILL cut off its acknowledgement.
    const seen = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; kind: string })
    const ids = new Set(seen.map((s) => s.id))
    expect([...ids].sort()).toEqual(events.map((e) => String(e.id)).sort())
    expect(seen.length - ids.size).toBeLessThanOrEqual(kills)
    expect(kills).toBeGreaterThan(0)
    await pool.end()
    return { kills, addSeconds, jobs: jobs.reduce((a, b) => a + b, 0), events: events.length }
  }

  for (const count of [1, 2, 4])
    it(`${count} worker(s): 2,000 deposits to 100,000 addresses, a 3-block reorg, workers killed — nothing lost or doubled`, async () => {
      const r = await run(count)
      console.info(
        `workers=${count}: ${r.kills} SIGKILLs, ${r.jobs} jobs in the surviving workers, ${r.events} events, 100k addresses added in ${r.addSeconds}s`,
      )
    }, 600_000)
})
