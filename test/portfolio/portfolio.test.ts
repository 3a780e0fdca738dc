/**
 * The Portfolio against real chains: two anvils with different chain ids (the shared one,
 * 31337, and a private one, 31338, whose history this file alone writes — reorgs and request
 * counts are tested there) and the local Esplora server (regtest). Balances come from the
 * adapters, so every expected amount below is what the nodes hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineChain } from 'viem'
import { Portfolio, fixedPrices, parseHistoryCsv, type PortfolioEvents, type PortfolioSnapshot } from 'coffer'
import { bitcoin, type BitcoinAdapter } from 'coffer/bitcoin'
import { evm, type EvmAdapter } from 'coffer/evm'
import { memoryStorage, type AccountSigner, type Secp256k1Signer } from 'coffer/vault'
import {
  deployFixtures,
  mine,
  mintTokens,
  revertTo,
  setBalance,
  snapshot,
  startAnvil,
  type Anvil,
  type FixtureAddresses,
} from '../support/anvil.js'
import { startEsplora, type EsploraServer } from '../support/esplora-server.js'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js'
import { fixtureTokens, sharedAnvil, vaultSigners } from '../chains/evm/helpers.js'
import { vaultWith } from '../chains/bitcoin/helpers.js'

const ETH_A = 'eip155:31337/slip44:60'
const ETH_B = 'eip155:31338/slip44:60'
const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
const E18 = 10n ** 18n
const addr = (s: { address: string }) => s.address as `0x${string}`

let anvilB: Anvil
let fixturesB: FixtureAddresses
let proxyA: RpcProxy
let proxyB: RpcProxy
let esplora: EsploraServer
let a: EvmAdapter
let b: EvmAdapter
let btc: BitcoinAdapter
let signers: (Secp256k1Signer & { address: `0x${string}` })[]
let btcAccount: AccountSigner

const chainB = (url: string) =>
  defineChain({
    id: 31338,
    name: 'Anvil B',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
    testnet: true,
  })

const usdc = (f: FixtureAddresses) => `eip155:${f === fixturesB ? 31338 : 31337}/erc20:${f.usdc.address.toLowerCase()}` as const

/** Collects every event of a portfolio. */
function record(portfolio: Portfolio) {
  const seen: { [K in keyof PortfolioEvents]: PortfolioEvents[K][] } = {
    change: [],
    incoming: [],
    outgoing: [],
    reorg: [],
    error: [],
    refresh: [],
  }
  for (const name of Object.keys(seen) as (keyof PortfolioEvents)[]) portfolio.on(name, (e) => (seen[name] as unknown[]).push(e))
  return seen
}

const line = (s: PortfolioSnapshot, chainId: string, account: string, asset: string) =>
  s.balances.find((x) => x.chainId === chainId && x.account.toLowerCase() === account.toLowerCase() && x.asset === asset)

beforeAll(async () => {
  const shared = sharedAnvil()
  anvilB = await startAnvil({ chainId: 31338, automine: true })
  const { abis: _abis, ...fb } = await deployFixtures(anvilB.url)
  fixturesB = fb
  proxyA = await startRpcProxy(shared.url)
  proxyB = await startRpcProxy(anvilB.url)
  esplora = await startEsplora({ network: 'regtest' })
  const fast = { retryCount: 0, timeoutMs: 3_000 }
  a = evm({ chain: 'eip155:31337', rpcUrls: [proxyA.url], tokens: fixtureTokens(shared.fixtures), ...fast })
  b = evm({ chain: chainB(proxyB.url), rpcUrls: [proxyB.url], tokens: fixtureTokens(fixturesB), ...fast })
  btc = bitcoin({ network: 'regtest', esploraUrl: esplora.url })
  signers = (await vaultSigners(4)).signers as typeof signers
  const { vault, id } = await vaultWith()
  btcAccount = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
}, 60_000)

afterAll(async () => {
  await Promise.all([proxyA?.stop(), proxyB?.stop(), esplora?.stop()])
  await anvilB?.stop()
})

describe('Portfolio', () => {
  it('adds balances up across chains and accounts, per asset family, with fiat values', async () => {
    const [s0, s1] = signers as [(typeof signers)[0], (typeof signers)[0]]
    const shared = sharedAnvil()
    await setBalance(shared.url, s0.address, 1n * E18)
    await mintTokens(shared.url, shared.fixtures.usdc.address, s0.address, 100_000_000n)
    await setBalance(anvilB.url, s0.address, 2n * E18)
    await setBalance(anvilB.url, s1.address, 5n * 10n ** 17n)
    await mintTokens(anvilB.url, fixturesB.usdc.address, s1.address, 50_500_000n)
    await esplora.fund(btcAccount.child(0, 0).address, 30_000_000n)
    await esplora.fund(btcAccount.child(0, 3).address, 20_000_000n)

    const portfolio = new Portfolio({
      adapters: [a, b, btc],
      accounts: [
        `eip155:31337:${s0.address}`,
        { chainId: 'eip155:31338', address: s0.address, label: 'main' },
        { chainId: 'eip155:31338', address: s1.address },
        { chainId: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328', descriptor: btcAccount.descriptor },
      ],
      priceSource: fixedPrices({
        prices: { [ETH_A]: '3000.5', [ETH_B]: '3000.5', [usdc(shared.fixtures)]: '0.9998', [usdc(fixturesB)]: '0.9998', [BTC]: '60000' },
      }),
    })
    proxyA.reset()
    proxyB.reset()
    const snap = await portfolio.refresh()

    expect(line(snap, 'eip155:31337', s0.address, ETH_A)).toMatchObject({
      amount: E18,
      confirmed: E18,
      pending: 0n,
      stale: false,
      value: '3000.50',
    })
    expect(line(snap, 'eip155:31338', s0.address, ETH_B)).toMatchObject({ amount: 2n * E18, label: 'main', value: '6001.00' })
    expect(line(snap, 'eip155:31338', s1.address, usdc(fixturesB))).toMatchObject({
      amount: 50_500_000n,
      decimals: 6,
      symbol: 'USDC',
      price: '0.9998',
      value: '50.49',
    })
    expect(line(snap, 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328', btcAccount.descriptor, BTC)).toMatchObject({
      amount: 50_000_000n,
      value: '30000.00',
    })

    // USDC on two chains is one line (the fixtures declare family "USDC"; both chains are test networks).
    const usdcTotal = snap.totals.find((t) => t.family === 'USDC')
    expect(usdcTotal).toMatchObject({
      amount: 150_500_000n,
      decimals: 6,
      testnet: true,
      chains: ['eip155:31337', 'eip155:31338'],
      value: '150.47',
      valueComplete: true,
    })
    expect(snap.totals.find((t) => t.family === 'ETH')).toMatchObject({
      amount: 35n * 10n ** 17n,
      chains: ['eip155:31337', 'eip155:31338'],
    })
    // 150.5 × 0.9998 + 3.5 × 3000.5 + 0.5 × 60000 = 40652.2199, rounded once. Every chain here is a
    // test network (two anvils, regtest): the sum is testnetValue and never the mainnet value.
    expect(snap.testnetValue).toBe('40652.22')
    expect(snap.value).toBeUndefined()
    expect(snap.chains.every((c) => !c.stale && c.blockHeight !== undefined)).toBe(true)

    // Each EVM adapter is asked once: head block + one Multicall3 batch = 2 HTTP requests.
    expect(proxyA.requests).toBe(2)
    expect(proxyB.requests).toBe(2)
  })

  it('reports incoming and outgoing transfers once each, and catches native moves on the periodic full read', async () => {
    const [, s1, s2] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0]]
    await setBalance(anvilB.url, s2.address, E18)
    const portfolio = new Portfolio({
      adapters: [b],
      accounts: [`eip155:31338:${s1.address}`, `eip155:31338:${s2.address}`],
      fullRefreshBlocks: 3,
    })
    const events = record(portfolio)
    await portfolio.refresh()
    expect(events.incoming).toHaveLength(0) // the first read is the baseline

    // s1 pays s2 10 USDC through coffer itself; a stranger mints s2 another 1 USDC.
    const quote = await b.quoteTransfer({ from: s1.address, to: s2.address, asset: usdc(fixturesB), amount: 10_000_000n })
    const hash = await b.sendTransfer(quote, signers[1]!)
    await mintTokens(anvilB.url, fixturesB.usdc.address, s2.address, 1_000_000n)
    await portfolio.refresh()
    await portfolio.refresh()

    expect(events.outgoing.map((t) => [t.account, t.hash, t.amount, t.direction])).toEqual([[s1.address, hash, 10_000_000n, 'out']])
    expect(events.incoming.map((t) => [t.account, t.amount, t.from])).toEqual([
      [s2.address, 10_000_000n, s1.address],
      [s2.address, 1_000_000n, '0x0000000000000000000000000000000000000000'],
    ])
    const usdcChanges = events.change.filter((c) => c.asset === usdc(fixturesB))
    expect(usdcChanges.map((c) => [c.account, c.delta, c.transfers.length])).toEqual([
      [s1.address, -10_000_000n, 1],
      [s2.address, 11_000_000n, 2],
    ])
    // s1 paid gas: its ETH moved in the same step (touched accounts are re-read whole).
    expect(events.change.some((c) => c.account === s1.address && c.asset === ETH_B && c.delta < 0n)).toBe(true)

    // A plain ETH payment leaves no log: it shows on the full re-read (every 3 blocks here).
    events.change.length = 0
    await setBalance(anvilB.url, s2.address, 3n * E18)
    await mine(anvilB.url, 3)
    await portfolio.refresh()
    expect(events.change.map((c) => [c.account, c.asset, c.delta])).toEqual([[s2.address, ETH_B, 2n * E18]])
    expect(events.incoming).toHaveLength(2)
    expect(events.outgoing).toHaveLength(1)
  })

  it('costs one log query plus a read of only the touched accounts per new block (≤ 3 HTTP requests)', async () => {
    const followed = (await vaultSigners(20)).signers.map(addr)
    const portfolio = new Portfolio({ adapters: [b], accounts: followed.map((addr) => `eip155:31338:${addr}` as const) })
    await portfolio.refresh()
    await mintTokens(anvilB.url, fixturesB.usdc.address, followed[7]!, 5_000_000n)
    proxyB.reset()
    const snap = await portfolio.refresh()
    expect(proxyB.requests).toBeLessThanOrEqual(3)
    expect(proxyB.methods.filter((m) => m === 'eth_getLogs').length).toBe(2) // sender and recipient filters, one batch
    expect(line(snap, 'eip155:31338', followed[7]!, usdc(fixturesB))?.amount).toBe(5_000_000n)
    // Nothing new: only the head is read.
    proxyB.reset()
    await portfolio.refresh()
    expect(proxyB.requests).toBe(1)
  })

  it('undoes a reorg: the vanished transfer is reported, balances and events are corrected', async () => {
    const s3 = signers[3]!
    const portfolio = new Portfolio({ adapters: [b], accounts: [`eip155:31338:${s3.address}`] })
    const events = record(portfolio)
    const before = await portfolio.refresh()
    const start = line(before, 'eip155:31338', s3.address, usdc(fixturesB))!.amount

    const id = await snapshot(anvilB.url)
    await mintTokens(anvilB.url, fixturesB.usdc.address, s3.address, 7_000_000n)
    const minted = await portfolio.refresh()
    expect(line(minted, 'eip155:31338', s3.address, usdc(fixturesB))?.amount).toBe(start + 7_000_000n)
    expect(events.incoming).toHaveLength(1)

    // The block with the mint is replaced by two empty ones.
    await revertTo(anvilB.url, id)
    await mine(anvilB.url, 2)
    const after = await portfolio.refresh()
    expect(events.reorg).toHaveLength(1)
    expect(events.reorg[0]).toMatchObject({ chainId: 'eip155:31338', depth: 1 })
    expect(events.reorg[0]!.removed.map((t) => [t.hash, t.amount])).toEqual([[events.incoming[0]!.hash, 7_000_000n]])
    const correction = events.change.filter((c) => c.reorg)
    expect(correction.map((c) => [c.asset, c.delta])).toEqual([[usdc(fixturesB), -7_000_000n]])
    expect(line(after, 'eip155:31338', s3.address, usdc(fixturesB))?.amount).toBe(start)

    // The same transfer mined again at another height is announced again (it was taken back), once.
    await mintTokens(anvilB.url, fixturesB.usdc.address, s3.address, 7_000_000n)
    await portfolio.refresh()
    await portfolio.refresh()
    expect(events.incoming).toHaveLength(2)
  })

  it('reads balances anyway when the node refuses the transfer scan, and says so', async () => {
    const {
      signers: [fresh],
    } = await vaultSigners(1)
    const portfolio = new Portfolio({ adapters: [b], accounts: [`eip155:31338:${addr(fresh!)}`] })
    const events = record(portfolio)
    await portfolio.refresh()
    await mintTokens(anvilB.url, fixturesB.usdc.address, addr(fresh!), 6_000_000n)
    proxyB.behaviour.rewrite = (method, result) => (method === 'eth_getLogs' ? 'no logs for you' : result)
    try {
      const snap = await portfolio.refresh()
      expect(line(snap, 'eip155:31338', addr(fresh!), usdc(fixturesB))).toMatchObject({ amount: 6_000_000n, stale: false })
      expect(events.change.map((c) => c.delta)).toEqual([6_000_000n])
      expect(events.incoming).toHaveLength(0)
      expect(events.error.map((e) => [e.chainId, e.error.code])).toEqual([['eip155:31338', 'RPC']])
    } finally {
      proxyB.behaviour.rewrite = undefined
    }
  })

  it('counts balances as confirmed only `confirmations` blocks deep', async () => {
    const {
      signers: [fresh],
    } = await vaultSigners(1)
    const portfolio = new Portfolio({ adapters: [b], accounts: [`eip155:31338:${addr(fresh!)}`], confirmations: 3 })
    await portfolio.refresh()
    await mintTokens(anvilB.url, fixturesB.usdc.address, addr(fresh!), 2_000_000n)
    let snap = await portfolio.refresh()
    expect(line(snap, 'eip155:31338', addr(fresh!), usdc(fixturesB))).toMatchObject({
      amount: 2_000_000n,
      confirmed: 0n,
      pending: 2_000_000n,
    })
    await mine(anvilB.url, 1)
    snap = await portfolio.refresh()
    expect(line(snap, 'eip155:31338', addr(fresh!), usdc(fixturesB))).toMatchObject({ confirmed: 0n, pending: 2_000_000n })
    await mine(anvilB.url, 1)
    snap = await portfolio.refresh()
    expect(line(snap, 'eip155:31338', addr(fresh!), usdc(fixturesB))).toMatchObject({
      amount: 2_000_000n,
      confirmed: 2_000_000n,
      pending: 0n,
    })
    expect(snap.totals.find((t) => t.family === 'USDC')).toMatchObject({ confirmed: 2_000_000n, pending: 0n })
  })

  it('marks a chain whose node is down as stale, keeps the others fresh, and recovers', async () => {
    const s0 = signers[0]!
    const portfolio = new Portfolio({ adapters: [a, b], accounts: [`eip155:31337:${s0.address}`, `eip155:31338:${s0.address}`] })
    const events = record(portfolio)
    const first = await portfolio.refresh()
    const ethB = line(first, 'eip155:31338', s0.address, ETH_B)!.amount

    proxyA.behaviour.dropFirst = 1_000_000
    await setBalance(anvilB.url, s0.address, ethB + E18)
    await mine(anvilB.url, 25) // beyond fullRefreshBlocks: B re-reads everything
    const down = await portfolio.refresh()
    expect(down.chains.find((c) => c.chainId === 'eip155:31337')).toMatchObject({ stale: true, error: { code: 'RPC' } })
    expect(line(down, 'eip155:31337', s0.address, ETH_A)).toMatchObject({
      stale: true,
      amount: line(first, 'eip155:31337', s0.address, ETH_A)!.amount,
    })
    expect(line(down, 'eip155:31338', s0.address, ETH_B)).toMatchObject({ stale: false, amount: ethB + E18 })
    expect(events.error.map((e) => e.chainId)).toEqual(['eip155:31337'])

    proxyA.behaviour.dropFirst = 0
    proxyA.reset()
    const back = await portfolio.refresh()
    expect(back.chains.every((c) => !c.stale)).toBe(true)
    expect(line(back, 'eip155:31337', s0.address, ETH_A)?.stale).toBe(false)
  })

  it('follows a Bitcoin account: mempool payments are incoming (pending) once, then confirmed', async () => {
    const portfolio = new Portfolio({
      adapters: [btc],
      accounts: [{ chainId: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328', descriptor: btcAccount.descriptor }],
    })
    const events = record(portfolio)
    const first = await portfolio.refresh()
    const start = first.balances[0]!.amount
    const { txid } = await esplora.fund(btcAccount.child(0, 1).address, 1_234_567n, { confirmed: false })
    let snap = await portfolio.refresh()
    expect(snap.balances[0]).toMatchObject({ amount: start + 1_234_567n, pending: 1_234_567n, confirmed: start })
    expect(events.incoming.map((t) => [t.hash, t.amount, t.state])).toEqual([[txid, 1_234_567n, 'pending']])
    esplora.mine(1)
    snap = await portfolio.refresh()
    expect(snap.balances[0]).toMatchObject({ amount: start + 1_234_567n, pending: 0n })
    await portfolio.refresh()
    expect(events.incoming).toHaveLength(1)
  })

  it('merges history across chains newest first, pages without gaps, and round-trips it through CSV', async () => {
    const [s0, s1] = signers as [(typeof signers)[0], (typeof signers)[0]]
    const portfolio = new Portfolio({
      adapters: [a, b, btc],
      accounts: [
        `eip155:31337:${s0.address}`,
        `eip155:31338:${s1.address}`,
        { chainId: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328', descriptor: btcAccount.descriptor },
      ],
    })
    const all = await portfolio.history({ limit: 1000 })
    expect(all.cursor).toBeUndefined()
    const chains = new Set(all.items.map((i) => i.chainId))
    expect(chains).toEqual(new Set(['eip155:31337', 'eip155:31338', 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328']))
    const times = all.items.filter((i) => i.blockHeight !== undefined).map((i) => i.timestamp ?? 0)
    expect(times).toEqual([...times].sort((x, y) => y - x))

    const paged = []
    let cursor: string | undefined
    do {
      const page = await portfolio.history({ limit: 2, ...(cursor ? { cursor } : {}) })
      paged.push(...page.items)
      cursor = page.cursor
    } while (cursor)
    expect(paged.map((i) => `${i.chainId}:${i.hash}:${i.direction}:${i.amount}`)).toEqual(
      all.items.map((i) => `${i.chainId}:${i.hash}:${i.direction}:${i.amount}`),
    )

    const csv = await portfolio.toCSV()
    expect(csv.split('\r\n')[0]).toBe(
      'date,chain,asset,symbol,direction,amount,decimals,fee,fee_asset,fee_symbol,fee_decimals,counterparty,from,to,hash,block,state,unverified',
    )
    const parsed = parseHistoryCsv(csv)
    expect(parsed).toHaveLength(all.items.length)
    parsed.forEach((row, i) => {
      const item = all.items[i]!
      expect(row).toMatchObject({
        chainId: item.chainId,
        asset: item.asset,
        direction: item.direction,
        amount: item.amount,
        hash: item.hash,
        from: item.from,
        to: item.to,
        state: item.state,
      })
      if (item.fee) expect(row.fee).toEqual(item.fee)
    })
    await expect(portfolio.history({ cursor: 'bogus' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('restores the last snapshot at once after a restart, then reports what moved meanwhile', async () => {
    const storage = memoryStorage()
    const {
      signers: [fresh],
    } = await vaultSigners(1)
    const options = {
      adapters: [b],
      accounts: [`eip155:31338:${addr(fresh!)}` as const],
      storage,
      priceSource: fixedPrices({ prices: { [usdc(fixturesB)]: '1' } }),
    }
    const first = new Portfolio(options)
    await mintTokens(anvilB.url, fixturesB.usdc.address, addr(fresh!), 3_000_000n)
    const seen = await first.refresh()
    expect(JSON.stringify(await storage.get('portfolio'))).not.toMatch(/mnemonic|private/i)

    // "Offline": another 4 USDC arrive.
    await mintTokens(anvilB.url, fixturesB.usdc.address, addr(fresh!), 4_000_000n)
    const second = new Portfolio(options)
    const events = record(second)
    proxyB.reset()
    const restored = await second.restore()
    expect(proxyB.requests).toBe(0)
    expect(restored).toMatchObject({ restored: true })
    expect(line(restored!, 'eip155:31338', addr(fresh!), usdc(fixturesB))).toMatchObject({ amount: 3_000_000n, value: '3.00' })
    expect(restored!.balances.map((x) => [x.asset, x.amount])).toEqual(seen.balances.map((x) => [x.asset, x.amount]))

    const now = await second.refresh()
    expect(now.restored).toBe(false)
    expect(line(now, 'eip155:31338', addr(fresh!), usdc(fixturesB))?.amount).toBe(7_000_000n)
    expect(events.incoming.map((t) => t.amount)).toEqual([4_000_000n])
    expect(events.change.map((c) => c.delta)).toEqual([4_000_000n])

    // A damaged record is ignored: the portfolio starts afresh.
    await storage.set('portfolio', '{"format":"coffer-portfolio","version":1,"chains":')
    expect(await new Portfolio(options).restore()).toBeUndefined()
  })

  it('watch() follows new blocks and stop() ends it; a throwing listener does not stop the others', async () => {
    const {
      signers: [fresh],
    } = await vaultSigners(1)
    const portfolio = new Portfolio({ adapters: [b], accounts: [`eip155:31338:${addr(fresh!)}`] })
    const events = record(portfolio)
    portfolio.on('incoming', () => {
      throw new Error('listener bug')
    })
    portfolio.watch({ intervalMs: 20 })
    await until(() => events.refresh.length >= 1)
    await mintTokens(anvilB.url, fixturesB.usdc.address, addr(fresh!), 9_000_000n)
    await until(() => events.incoming.length === 1)
    await until(() => events.error.some((e) => e.error.code === 'LISTENER'))
    expect(portfolio.watching).toBe(true)
    await portfolio.stop()
    const count = events.refresh.length
    await new Promise((r) => setTimeout(r, 80))
    expect(events.refresh.length).toBe(count)
    expect(events.incoming).toHaveLength(1)
  })

  it('rejects bad options with typed errors', () => {
    expect(() => new Portfolio({ adapters: [], accounts: [] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => new Portfolio({ adapters: [b, b], accounts: [`eip155:31338:${signers[0]!.address}`] })).toThrow(/Two adapters/)
    expect(() => new Portfolio({ adapters: [b], accounts: ['eip155:1:0x0000000000000000000000000000000000000000'] })).toThrow(/no adapter/)
    expect(() => new Portfolio({ adapters: [b], accounts: ['eip155:31338:0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ADDRESS' }),
    )
    expect(
      () => new Portfolio({ adapters: [b], accounts: [`eip155:31338:${signers[0]!.address}`], assets: ['eip155:1/slip44:60'] }),
    ).toThrow(/no adapter serves/)
    expect(() => new Portfolio({ adapters: [b], accounts: [`eip155:31338:${signers[0]!.address}`], confirmations: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new Portfolio({ adapters: [b], accounts: [`eip155:31338:${signers[0]!.address}`], currency: 'dollars!' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}
