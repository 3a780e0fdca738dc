/**
 * The deposit watcher on Bitcoin (the local Esplora server, PGlite): the adapter's
 * `getTransfers` over Esplora finds outputs paying watched addresses; each is detected in its
 * block and confirmed at the depth, named by txid and output index, with the customer's
 * reference; strangers and an unconfirmed payment are not reported. Bitcoin has no tokens, so the
 * watcher watches its coin by default.
 */
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bitcoin } from 'coffer/bitcoin'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { DepositStore, DepositWatcher, pgliteClient, type DepositEvent } from 'coffer/watch'
import { startEsplora, type EsploraServer } from '../support/esplora-server.js'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

let server: EsploraServer
beforeAll(async () => {
  server = await startEsplora({ network: 'regtest' })
})
afterAll(async () => {
  await server?.stop()
})

describe('DepositWatcher on Bitcoin (Esplora)', () => {
  it('credits outputs paying watched addresses once, after 2 blocks, by txid and output index', async () => {
    const adapter = bitcoin({ network: 'regtest', esploraUrl: server.url })
    const seed = await mnemonicToSeed(ABANDON)
    const accounts = deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh', start: 0, count: 101 })
    const customers = accounts.slice(0, 100).map((a, i) => ({ address: a.address, reference: `customer-${i}` }))
    const stranger = accounts[100]!.address
    const db = new PGlite()
    const events: DepositEvent[] = []
    const watcher = new DepositWatcher({
      store: await DepositStore.open(pgliteClient(db)),
      chains: [adapter],
      confirmations: 2,
      maxBlocks: 5,
      handler: (e) => void events.push(e),
    })
    expect(await watcher.addAddresses(adapter.chainId, customers)).toBe(100)
    await watcher.poll() // the cursor starts at the tip
    server.mine() // the test server's fund() confirms in the tip block: a new one past the cursor
    const a = await server.fund(customers[5]!.address, 10_000n)
    const b = await server.fund(customers[42]!.address, 20_000n)
    await server.fund(stranger, 30_000n)
    await server.fund(customers[7]!.address, 40_000n, { confirmed: false }) // in the mempool: not reported yet
    await watcher.poll()
    expect(events.map((e) => [e.kind, e.reference, e.amount, e.hash, e.index])).toEqual([
      ['detected', 'customer-5', 10_000n, a.txid, 0],
      ['detected', 'customer-42', 20_000n, b.txid, 0],
    ])
    server.mine()
    await watcher.poll()
    expect(events.slice(2).map((e) => [e.kind, e.reference])).toEqual([
      ['detected', 'customer-7'],
      ['confirmed', 'customer-5'],
      ['confirmed', 'customer-42'],
    ])
    for (const e of events) expect(e).toMatchObject({ chainId: adapter.chainId, asset: adapter.nativeAsset })
    expect(events[0]!.blockHash).toBe((await adapter.blockAt(events[0]!.blockHeight)).hash)
    // An address added while running is watched from the next step on (the watcher's cached list is dropped).
    await watcher.addAddresses(adapter.chainId, [{ address: stranger, reference: 'late' }])
    server.mine()
    await server.fund(stranger, 50_000n)
    await watcher.poll()
    expect(events.slice(5).map((e) => [e.kind, e.reference, e.amount])).toEqual([
      ['detected', 'late', 50_000n],
      ['confirmed', 'customer-7', 40_000n],
    ])
    await watcher.poll()
    expect(events).toHaveLength(7) // nothing twice; the stranger's earlier payment stays unreported (before it was watched)
    await db.close()
  }, 60_000)
})
