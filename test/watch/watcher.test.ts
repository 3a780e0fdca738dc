/**
 * The deposit watcher on a real anvil and PGlite: deposits (token mints, real `Transfer` logs) to
 * some of 2,000 watched addresses and to strangers, credited exactly once after the configured
 * depth; a restart that goes on from the store; a handler that fails; and reorgs made with anvil
 * snapshots — a detected deposit and a confirmed one vanish (reported `reorged`), the chain moves
 * on a different branch.
 */
import { PGlite } from '@electric-sql/pglite'
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync } from '@scure/bip39'
import { mnemonicToAccount, privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import { InvalidArgumentError } from 'coffer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evm, type EvmAdapter } from 'coffer/evm'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { DepositStore, DepositWatcher, keySources, pgliteClient, type DepositEvent, type WatchMetrics } from 'coffer/watch'

let local: LocalChain<'USDT'>
let chain: EvmAdapter
beforeAll(async () => {
  local = await startLocalChain({ tokens: ['USDT'] })
  chain = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
}, 60_000)
afterAll(async () => {
  await local?.stop()
})

const someone = () => privateKeyToAccount(generatePrivateKey()).address

async function setup(options: { confirmations?: number; handler?: (e: DepositEvent) => void } = {}) {
  const db = new PGlite()
  const store = await DepositStore.open(pgliteClient(db))
  const events: DepositEvent[] = []
  const watcher = new DepositWatcher({
    store,
    chains: [chain],
    confirmations: options.confirmations ?? 3,
    maxBlocks: 7,
    addressPage: 700,
    handler: options.handler ?? ((e) => void events.push(e)),
  })
  const addresses = Array.from({ length: 2_000 }, (_, i) => ({ address: someone(), reference: `customer-${i}` }))
  expect(await watcher.addAddresses(local.chainId, addresses)).toBe(2_000)
  await watcher.poll() // the cursor starts at the head
  return { db, store, watcher, events, addresses }
}

/** Polls until the watcher has scanned to the head and delivered everything. */
async function settle(watcher: DepositWatcher): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await watcher.poll()
    if (Object.values(r.chains).every((c) => c.behind === 0) && r.delivered === 0 && r.handlerError === undefined) return
  }
  throw new Error('the watcher did not catch up')
}

describe('DepositWatcher on anvil + PGlite', () => {
  it('credits each deposit to a watched address once, after 3 blocks; ignores strangers; a restart repeats nothing', async () => {
    const { db, store, watcher, events, addresses } = await setup()
    const paid = [3, 500, 777, 1_234, 1_999].map((i) => addresses[i]!)
    for (const [n, a] of paid.entries()) await local.fund(a.address, { USDT: BigInt(n + 1) * 1_000_000n })
    await local.fund(someone(), { USDT: '5' }) // not watched
    await settle(watcher)
    expect(events.filter((e) => e.kind === 'detected').map((e) => e.reference)).toEqual(paid.map((a) => a.reference))
    // One block each, then the stranger's: the last deposit is 2 blocks deep, not 3.
    expect(events.filter((e) => e.kind === 'confirmed').map((e) => e.reference)).toEqual(paid.slice(0, 4).map((a) => a.reference))
    await local.mine(3)
    await settle(watcher)
    const confirmed = events.filter((e) => e.kind === 'confirmed')
    expect(confirmed.map((e) => [e.reference, e.amount])).toEqual(paid.map((a, n) => [a.reference, BigInt(n + 1) * 1_000_000n]))
    for (const e of confirmed)
      expect(e).toMatchObject({
        chainId: local.chainId,
        asset: local.tokens.USDT.assetId,
        from: '0x0000000000000000000000000000000000000000',
      })
    // A new watcher over the same database (a restart): nothing delivered twice, and it goes on.
    const before = events.length
    const again = new DepositWatcher({
      store: await DepositStore.open(pgliteClient(db)),
      chains: [chain],
      confirmations: 3,
      handler: (e) => void events.push(e),
    })
    await local.fund(paid[0]!.address, { USDT: '7' })
    await local.mine(3)
    await settle(again)
    expect(events.slice(before).map((e) => `${e.kind}:${e.reference}:${e.amount}`)).toEqual([
      `detected:${paid[0]!.reference}:7000000`,
      `confirmed:${paid[0]!.reference}:7000000`,
    ])
    expect(await store.pendingEvents()).toBe(0)
    await db.close()
  }, 120_000)

  it('a handler that throws gets the event again on the next round, and nothing after it jumps the queue', async () => {
    const seen: string[] = []
    let fail = 2
    const { db, watcher, addresses } = await setup({
      handler: (e) => {
        if (e.kind === 'confirmed' && fail-- > 0) throw new Error('ledger down')
        seen.push(`${e.kind}:${e.reference}`)
      },
    })
    await local.fund(addresses[1]!.address, { USDT: '1' })
    await local.fund(addresses[2]!.address, { USDT: '2' })
    await local.mine(3)
    await settle(watcher)
    expect(seen).toEqual(['detected:customer-1', 'detected:customer-2', 'confirmed:customer-1', 'confirmed:customer-2'])
    await db.close()
  }, 120_000)

  it('a reorg: a confirmed and a detected deposit leave the chain and are reported reorged; the new branch is followed', async () => {
    const { db, store, watcher, events, addresses } = await setup({ confirmations: 2 })
    const snapshot = await local.snapshot()
    await local.fund(addresses[10]!.address, { USDT: '10' })
    await local.mine(1)
    await local.fund(addresses[11]!.address, { USDT: '11' })
    await settle(watcher)
    // One step found both: detections first, then what reached the depth.
    expect(events.map((e) => `${e.kind}:${e.reference}`)).toEqual(['detected:customer-10', 'detected:customer-11', 'confirmed:customer-10'])
    // Another branch from before both deposits, longer, with a different deposit.
    await local.revert(snapshot)
    await local.mine(2)
    await local.fund(addresses[12]!.address, { USDT: '12' })
    await local.mine(2)
    await settle(watcher)
    expect(events.slice(3).map((e) => `${e.kind}:${e.reference}`)).toEqual([
      'reorged:customer-10',
      'reorged:customer-11',
      'detected:customer-12',
      'confirmed:customer-12',
    ])
    expect((await store.deposits(local.chainId)).map((d) => `${d.reference}:${d.state}`).sort()).toEqual([
      'customer-10:reorged',
      'customer-11:reorged',
      'customer-12:confirmed',
    ])
    await db.close()
  }, 120_000)

  it('a chain whose node is down does not hold the others back; metrics say where each chain stands', async () => {
    const db = new PGlite()
    const store = await DepositStore.open(pgliteClient(db))
    const down = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:9'], retryCount: 0, deadlineMs: 1_000 })
    const seen: DepositEvent[] = []
    const reports: WatchMetrics[] = []
    const watcher = new DepositWatcher({
      store,
      chains: [chain, down],
      confirmations: 1,
      handler: (e) => void seen.push(e),
      onMetrics: (m) => void reports.push(m),
    })
    const customer = { address: someone(), reference: 'only' }
    await watcher.addAddresses(local.chainId, [customer])
    await watcher.addAddresses('eip155:1', [{ address: someone(), reference: 'mainnet' }])
    await watcher.poll()
    await local.fund(customer.address, { USDT: '4' })
    await watcher.poll()
    expect(seen.map((e) => `${e.kind}:${e.reference}`)).toEqual(['detected:only', 'confirmed:only'])
    const last = reports.at(-1)!
    expect(last.chains[local.chainId]).toMatchObject({ addresses: 1, behind: 0 })
    expect(last.chains[local.chainId]!.lastError).toBeUndefined()
    expect(last.chains['eip155:1']).toMatchObject({ addresses: 1 })
    expect(last.chains['eip155:1']!.lastError).toMatch(/./)
    expect(last.pendingEvents).toBe(0)
    expect(last.eventsPerSecond).toBeGreaterThan(0)
    await db.close()
  }, 60_000)

  it('shards: each scanned on its own; changing the count mid-run rescans from the slowest shard and reports nothing twice', async () => {
    const db = new PGlite()
    const store = await DepositStore.open(pgliteClient(db))
    const events: DepositEvent[] = []
    const options = { store, chains: [chain], confirmations: 2, maxBlocks: 3, handler: (e: DepositEvent) => void events.push(e) }
    const watcher = new DepositWatcher({ ...options, shards: 3 })
    const customers = Array.from({ length: 60 }, (_, i) => ({ address: someone(), reference: `c${i}` }))
    await watcher.addAddresses(local.chainId, customers)
    expect((await watcher.units()).map((u) => u.shard)).toEqual([0, 1, 2])
    await watcher.poll()
    const paid = customers.slice(0, 12)
    for (const [n, c] of paid.entries()) await local.fund(c.address, { USDT: BigInt(n + 1) })
    // Shard 0 alone steps ahead; the others stay behind.
    await watcher.step(local.chainId, 0)
    await watcher.step(local.chainId, 0)
    const heights = (await store.progress(local.chainId)).map((p) => p.height)
    expect(heights[0]).toBeGreaterThan(heights[1]!)
    // Another process config: 2 shards. Every shard restarts at the slowest cursor; rescanned deposits are recognised.
    const resharded = new DepositWatcher({ ...options, shards: 2 })
    await local.mine(2)
    await settle(resharded)
    expect((await store.progress(local.chainId)).map((p) => p.shard)).toEqual([0, 1])
    const byKind = (kind: string) =>
      events
        .filter((e) => e.kind === kind)
        .map((e) => e.reference)
        .sort()
    expect(byKind('detected')).toEqual(paid.map((c) => c.reference).sort())
    expect(byKind('confirmed')).toEqual(paid.map((c) => c.reference).sort())
    expect(byKind('reorged')).toEqual([])
    // The old configuration's third shard is gone.
    await expect(watcher.step(local.chainId, 2)).rejects.toThrow(/no shard 2/)
    await db.close()
  }, 120_000)

  it('an xpub with a gap policy: gap addresses at first, always gap beyond the highest paid index, nothing further', async () => {
    const db = new PGlite()
    const store = await DepositStore.open(pgliteClient(db))
    const events: DepositEvent[] = []
    const options = { store, chains: [chain], confirmations: 1, handler: (e: DepositEvent) => void events.push(e) }
    const watcher = new DepositWatcher({ ...options, keySources })
    const mnemonic = 'test test test test test test test test test test test junk'
    const xpub = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic)).derive("m/44'/60'/0'/0").publicExtendedKey
    const at = (i: number) => mnemonicToAccount(mnemonic, { addressIndex: i }).address
    // Without the keySources option (key derivation stays out of apps that do not need it): a clear refusal.
    await expect(new DepositWatcher(options).addSource(local.chainId, { kind: 'evm', xpub }, { reference: 'shop-7' })).rejects.toThrow(
      /keySources/,
    )
    const source = await watcher.addSource(local.chainId, { kind: 'evm', xpub }, { reference: 'shop-7', gap: 5 })
    expect(source).toMatchObject({ derived: 5, used: -1, gap: 5, reference: 'shop-7' })
    expect(await store.referencesOf(local.chainId, [at(4), at(5)])).toEqual(new Map([[at(4).toLowerCase(), 'shop-7/4']]))
    // The same key again: nothing changes.
    expect(await watcher.addSource(local.chainId, { kind: 'evm', xpub }, { reference: 'other', gap: 9 })).toMatchObject({
      derived: 5,
      reference: 'shop-7',
    })
    await watcher.poll()
    await local.fund(at(3), { USDT: '3' })
    await settle(watcher)
    expect((await store.sources(local.chainId))[0]).toMatchObject({ used: 3, derived: 9 })
    await local.fund(at(8), { USDT: '8' }) // watched since index 3 was paid
    await local.fund(at(20), { USDT: '20' }) // beyond the gap: not watched
    await settle(watcher)
    expect((await store.sources(local.chainId))[0]).toMatchObject({ used: 8, derived: 14 })
    expect(events.filter((e) => e.kind === 'confirmed').map((e) => [e.reference, e.amount])).toEqual([
      ['shop-7/3', 3_000_000n],
      ['shop-7/8', 8_000_000n],
    ])
    // A private key, or a key whose addresses belong to another chain, is refused.
    const xprv = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic)).derive("m/44'/60'/0'/0").privateExtendedKey
    const refused = watcher.addSource(local.chainId, { kind: 'evm', xpub: xprv }, { reference: 'x' })
    await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(refused).rejects.not.toThrow(xprv.slice(4, 30))
    await expect(watcher.addSource(local.chainId, { kind: 'tron', xpub }, { reference: 'x' })).rejects.toThrow(/not addresses on/)
    await db.close()
  }, 120_000)
})
