/**
 * The deposit store on PGlite (Postgres in WASM): migrations, bulk address adds, one-transaction
 * scan steps that refuse a stale cursor, reorg marking, and the outbox's in-order, acknowledged-once
 * delivery with a handler that throws.
 */
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalAddress, DepositStore, MIGRATIONS, pgliteClient, type DepositEvent } from 'coffer/watch'

const CHAIN = 'eip155:31337' as const
const USDT = 'eip155:31337/erc20:0x0eee44ed942d8f2ac9ee8e1be42f1bd0dddac8f5' as const
const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, '0')}`
const address = (n: number) => hex(n + 1, 20)
const block = (h: number, fork = 0) => ({ height: h, hash: hex(h * 1000 + fork, 32) })
const deposit = (n: number, h: number, fork = 0) => ({
  asset: USDT,
  address: address(n),
  from: address(999_999),
  amount: BigInt(n + 1) * 1_000_000n,
  hash: hex(n, 32),
  index: 0,
  blockHeight: h,
  blockHash: block(h, fork).hash,
})

let db: PGlite
let store: DepositStore
beforeAll(async () => {
  db = new PGlite()
  store = await DepositStore.open(pgliteClient(db))
}, 60_000)
afterAll(async () => {
  await db?.close()
})

describe('DepositStore on PGlite', () => {
  it('migrates once: opening again applies nothing and keeps the data', async () => {
    await store.addAddresses(CHAIN, [{ address: address(0), reference: 'customer-0' }])
    const again = await DepositStore.open(pgliteClient(db))
    expect(await again.addressCount(CHAIN)).toBe(1)
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM coffer_watch_migrations')
    expect(rows[0]!.n).toBe(MIGRATIONS.length)
  })

  it('adds 100,000 addresses in bulk; an address added twice keeps its first reference; matching ignores hex case', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      address: address(i).toUpperCase().replace('0X', '0x'),
      reference: `customer-${i}`,
    }))
    expect(await store.addAddresses(CHAIN, many)).toBe(99_999) // address(0) was there
    expect(await store.addressCount(CHAIN)).toBe(100_000)
    expect(await store.addAddresses(CHAIN, [{ address: address(5), reference: 'someone else' }])).toBe(0)
    const refs = await store.referencesOf(CHAIN, [address(5), address(0).toUpperCase().replace('0X', '0x'), address(200_000)])
    expect([...refs]).toEqual(
      expect.arrayContaining([
        [address(5), 'customer-5'],
        [address(0), 'customer-0'],
      ]),
    )
    expect(refs.size).toBe(2)
    const version = await store.addressesVersion(CHAIN)
    await store.addAddresses(CHAIN, [{ address: address(400_000), reference: 'late' }])
    expect(await store.addressesVersion(CHAIN)).toBeGreaterThan(version)
    const page = await store.addresses(CHAIN, 3, address(10))
    expect(page.map((p) => p.address)).toEqual([address(11), address(12), address(13)].map(canonicalAddress))
  }, 60_000)

  it('a step commits deposits, events and the cursor together; a step from a stale cursor changes nothing', async () => {
    expect(await store.commitStep({ chainId: CHAIN, from: null, deposits: [], blocks: [], to: block(10), confirmedThrough: -1 })).toEqual({
      detected: 0,
      confirmed: 0,
      reorged: 0,
    })
    const step = {
      chainId: CHAIN,
      from: block(10),
      deposits: [deposit(1, 11), deposit(2, 12), { ...deposit(3, 12), address: address(300_000) }],
      blocks: [block(11), block(12)],
      to: block(13),
      confirmedThrough: 11,
    }
    expect(await store.commitStep(step)).toEqual({ detected: 2, confirmed: 1, reorged: 0 })
    // The same step again (a second process, or a retry): refused, nothing doubled.
    expect(await store.commitStep(step)).toBeNull()
    expect(await store.cursor(CHAIN)).toEqual(block(13))
    expect((await store.deposits(CHAIN)).map((d) => [d.reference, d.state])).toEqual([
      ['customer-1', 'confirmed'],
      ['customer-2', 'detected'],
    ])
  })

  it('a reorg marks the deposits above the fork and says so; a deposit seen again comes back as detected', async () => {
    const r = await store.commitStep({
      chainId: CHAIN,
      from: block(13),
      forkHeight: 10,
      deposits: [deposit(2, 12, 1)],
      blocks: [block(12, 1)],
      to: block(14, 1),
      confirmedThrough: 12,
    })
    expect(r).toEqual({ detected: 1, confirmed: 1, reorged: 2 })
    expect((await store.deposits(CHAIN)).map((d) => [d.reference, d.state, d.blockHash])).toEqual([
      ['customer-1', 'reorged', block(11).hash],
      ['customer-2', 'confirmed', block(12, 1).hash],
    ])
  })

  it('delivers in order, acknowledging each once; a handler that throws gets the same event again, later', async () => {
    const seen: DepositEvent[] = []
    let failOnce = true
    const first = await store.deliver((e) => {
      if (e.kind === 'reorged' && failOnce) {
        failOnce = false
        throw new Error('ledger busy')
      }
      seen.push(e)
    })
    expect(first.error).toBeInstanceOf(Error)
    const { rows } = await db.query<{ attempts: number; last_error: string }>(
      'SELECT attempts, last_error FROM coffer_watch_events WHERE delivered_at IS NULL ORDER BY id LIMIT 1',
    )
    expect(rows[0]).toMatchObject({ attempts: 1, last_error: 'ledger busy' })
    const second = await store.deliver((e) => void seen.push(e))
    expect(second.error).toBeUndefined()
    expect(seen.map((e) => `${e.kind}:${e.reference}`)).toEqual([
      'detected:customer-1',
      'detected:customer-2',
      'confirmed:customer-1',
      'reorged:customer-1',
      'reorged:customer-2',
      'detected:customer-2',
      'confirmed:customer-2',
    ])
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length)
    expect(seen[0]).toMatchObject({ chainId: CHAIN, asset: USDT, amount: 2_000_000n, blockHeight: 11 })
    expect(await store.pendingEvents()).toBe(0)
    expect((await store.deliver(() => Promise.reject(new Error('never called')))).delivered).toBe(0)
  })

  it('shards: the count changed mid-run restarts every shard at the slowest cursor; a step planned with the old count is refused; a rescan that no longer finds a deposit reports it reorged', async () => {
    const OTHER = 'eip155:5' as const
    const mine = Array.from({ length: 40 }, (_, i) => ({ address: address(500 + i), reference: `s-${i}` }))
    await store.addAddresses(OTHER, mine)
    expect(await store.setShards(OTHER, 3)).toBe(true)
    expect(await store.setShards(OTHER, 3)).toBe(false)
    const pages = await Promise.all([0, 1, 2].map((shard) => store.addresses(OTHER, 100, undefined, { shard, shards: 3 })))
    expect(
      pages
        .flat()
        .map((a) => a.reference)
        .sort(),
    ).toEqual(mine.map((a) => a.reference).sort()) // each address in one shard
    for (const shard of [0, 1, 2])
      await store.commitStep({
        chainId: OTHER,
        shard,
        shards: 3,
        from: null,
        deposits: [],
        blocks: [],
        to: block(20 + shard),
        confirmedThrough: -1,
      })
    // Shard 2 (at 22) saw a deposit of one of its addresses at 22.
    const own = pages[2]![0]!
    const d = { ...deposit(0, 22), address: own.address, hash: hex(777, 32) }
    expect(
      await store.commitStep({
        chainId: OTHER,
        shard: 2,
        shards: 3,
        from: block(22),
        deposits: [d],
        blocks: [],
        to: block(23),
        confirmedThrough: 0,
      }),
    ).toEqual({ detected: 1, confirmed: 0, reorged: 0 })
    await store.commitStep({
      chainId: OTHER,
      shard: 2,
      shards: 3,
      from: block(23),
      deposits: [],
      blocks: [],
      to: block(24),
      confirmedThrough: 0,
    })
    expect(await store.setShards(OTHER, 2)).toBe(true)
    expect(await store.progress(OTHER)).toEqual([
      { shard: 0, ...block(20) },
      { shard: 1, ...block(20) },
    ])
    // A step planned with 3 shards commits nothing now.
    expect(
      await store.commitStep({
        chainId: OTHER,
        shard: 0,
        shards: 3,
        from: block(20),
        deposits: [],
        blocks: [],
        to: block(25),
        confirmedThrough: 0,
      }),
    ).toBeNull()
    // The rescan from 20 of the deposit's new shard finds nothing at 22 (that block changed): the deposit is reorged, once.
    const shardNow = (await store.addresses(OTHER, 100, undefined, { shard: 0, shards: 2 })).some((a) => a.address === own.address) ? 0 : 1
    const step = {
      chainId: OTHER,
      shard: shardNow,
      shards: 2,
      from: block(20),
      deposits: [],
      blocks: [],
      to: block(25),
      confirmedThrough: 0,
      assets: [USDT],
    }
    expect(await store.commitStep(step)).toEqual({ detected: 0, confirmed: 0, reorged: 1 })
    expect((await store.deposits(OTHER)).map((x) => x.state)).toEqual(['reorged'])
  })
})
