/**
 * The deposit store and watcher on a real PostgreSQL server (test/support/postgres.ts): the same
 * SQL as on PGlite through node-postgres, migrations raced by two pools, and two watchers on
 * separate connection pools following one anvil chain at once — every deposit detected and
 * confirmed once between them, every event delivered once (row locks, SKIP LOCKED and the cursor
 * check in each step). Outside CI, a machine without PostgreSQL skips this file and says so.
 */
import pg from 'pg'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evm } from 'coffer/evm'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { DepositStore, DepositWatcher, MIGRATIONS, pgClient, type DepositEvent } from 'coffer/watch'
import { postgresBin, startPostgres, type LocalPostgres } from '../support/postgres.js'

const available = postgresBin() !== undefined
if (!available) {
  if (process.env.CI) throw new Error('CI needs PostgreSQL for test/watch/postgres.test.ts (.ci/run installs the postgresql package).')
  console.warn('test/watch/postgres.test.ts: no PostgreSQL binaries here (set PG_BIN or install postgresql); skipping the server suite.')
}

describe.skipIf(!available)('coffer/watch on PostgreSQL', () => {
  let server: LocalPostgres
  let local: LocalChain<'USDT'>
  const pools: pg.Pool[] = []
  const pool = () => {
    const p = new pg.Pool({ connectionString: server.url, max: 4 })
    pools.push(p)
    return p
  }
  beforeAll(async () => {
    server = (await startPostgres()) as LocalPostgres
    local = await startLocalChain({ tokens: ['USDT'] })
  }, 120_000)
  afterAll(async () => {
    for (const p of pools) await p.end()
    await local?.stop()
    await server?.stop()
  })

  it('two processes opening the store at once apply each migration once', async () => {
    const [a, b] = await Promise.all([DepositStore.open(pgClient(pool())), DepositStore.open(pgClient(pool()))])
    expect(a).toBeInstanceOf(DepositStore)
    expect(b).toBeInstanceOf(DepositStore)
    const { rows } = await pools[0]!.query('SELECT version FROM coffer_watch_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })

  it('two watchers on separate pools follow one chain: each deposit detected and confirmed once, each event delivered once', async () => {
    const chain = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
    const delivered: { by: string; event: DepositEvent }[] = []
    const stores = await Promise.all([DepositStore.open(pgClient(pool())), DepositStore.open(pgClient(pool()))])
    const [wa, wb] = stores.map(
      (store, i) =>
        new DepositWatcher({
          store,
          chains: [chain],
          confirmations: 2,
          maxBlocks: 3,
          handler: async (event) => {
            delivered.push({ by: i === 0 ? 'A' : 'B', event })
            await new Promise((resolve) => setTimeout(resolve, 5))
          },
        }),
    ) as [DepositWatcher, DepositWatcher]
    const customers = Array.from({ length: 3_000 }, (_, i) => ({
      address: privateKeyToAccount(generatePrivateKey()).address,
      reference: `c${i}`,
    }))
    expect(await wa.addAddresses(local.chainId, customers)).toBe(3_000)
    await wa.poll()
    const paid = customers.filter((_, i) => i % 300 === 7)
    for (const c of paid) await local.fund(c.address, { USDT: '3' })
    await local.mine(2)
    for (let round = 0; round < 30; round++) {
      const [ra, rb] = await Promise.all([wa.poll(), wb.poll()])
      if (ra.chains[local.chainId]!.behind === 0 && rb.chains[local.chainId]!.behind === 0 && ra.delivered + rb.delivered === 0) break
    }
    const kinds = (kind: string) =>
      delivered
        .filter((d) => d.event.kind === kind)
        .map((d) => d.event.reference)
        .sort()
    expect(kinds('detected')).toEqual(paid.map((c) => c.reference).sort())
    expect(kinds('confirmed')).toEqual(paid.map((c) => c.reference).sort())
    expect(new Set(delivered.map((d) => d.event.id)).size).toBe(delivered.length)
    expect(await stores[0]!.pendingEvents()).toBe(0)
  }, 120_000)
})
