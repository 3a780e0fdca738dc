/** getTransfers, blockAt and pinned / confirmations-deep balance reads on the shared anvil. */
import { describe, expect, it } from 'vitest'
import { erc20AssetId, evm, evmNativeAssetId } from 'coffer/evm'
import { mintTokens, rpc } from '../../support/anvil.js'
import { startRpcProxy } from '../../support/rpc-proxy.js'
import { fixtureTokens, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

const ZERO = '0x0000000000000000000000000000000000000000'

/** Mints `amount` USDC-like tokens to `to`; returns the block it landed in. */
async function mintAt(to: `0x${string}`, amount: bigint): Promise<number> {
  const { url, fixtures } = sharedAnvil()
  await mintTokens(url, fixtures.usdc.address, to, amount)
  const logs = await rpc<{ blockNumber: string }[]>(url, 'eth_getLogs', [
    { address: fixtures.usdc.address, fromBlock: 'latest', toBlock: 'latest' },
  ])
  return Number(BigInt(logs.at(-1)!.blockNumber))
}

describe('getTransfers', () => {
  it('finds token transfers from and to many addresses over a range, once each, with block hash and log index', async () => {
    const { fixtures } = sharedAnvil()
    const adapter = localAdapter()
    const USDC = erc20AssetId(31337, fixtures.usdc.address)
    const [a, b, stranger] = (await vaultSigners(3)).signers.map((s) => s.address as `0x${string}`) as [
      `0x${string}`,
      `0x${string}`,
      `0x${string}`,
    ]
    const first = await mintAt(a, 5_000_000n)
    await mintAt(stranger, 1n)
    const last = await mintAt(b, 7_000_000n)

    const scan = await adapter.getTransfers({ addresses: [a, b], assets: [USDC], fromBlock: first, toBlock: last })
    expect(scan.complete).toBe(true)
    expect(scan.transfers.map((t) => [t.to, t.amount, t.from, t.asset])).toEqual([
      [a, 5_000_000n, ZERO, USDC],
      [b, 7_000_000n, ZERO, USDC],
    ])
    for (const t of scan.transfers) {
      expect((await adapter.blockAt(t.blockHeight)).hash).toBe(t.blockHash)
      expect(t.index).toBeGreaterThanOrEqual(0)
    }
    // With the native coin asked for, the scan says it cannot be complete (ETH moves leave no log).
    expect((await adapter.getTransfers({ addresses: [a], fromBlock: first, toBlock: first })).complete).toBe(false)
    // Nothing in range, no addresses: empty.
    expect((await adapter.getTransfers({ addresses: [], fromBlock: first, toBlock: last })).transfers).toEqual([])
    // Lower case (a watcher's canonical form) finds the same; a mixed-case address with a wrong checksum is refused.
    const lower = await adapter.getTransfers({
      addresses: [a.toLowerCase(), b.toLowerCase()],
      assets: [USDC],
      fromBlock: first,
      toBlock: last,
    })
    expect(lower.transfers).toEqual(scan.transfers)
    const broken =
      a.slice(0, 2) + [...a.slice(2)].map((c) => (/[a-f]/.test(c) ? c.toUpperCase() : /[A-F]/.test(c) ? c.toLowerCase() : c)).join('')
    await expect(adapter.getTransfers({ addresses: [broken], assets: [USDC], fromBlock: first, toBlock: last })).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
    })
  })

  it('splits long ranges inside one HTTP request and refuses absurd ones', async () => {
    const { url, fixtures } = sharedAnvil()
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], tokens: fixtureTokens(fixtures), history: { chunkBlocks: 2 } })
      await adapter.assets()
      const [a] = (await vaultSigners(1)).signers.map((s) => s.address as `0x${string}`)
      const block = await mintAt(a!, 3n)
      proxy.reset()
      // 6 blocks in pieces of 2: 3 ranges × (sender, recipient) filters, one batch.
      const scan = await adapter.getTransfers({ addresses: [a!], fromBlock: block - 5, toBlock: block })
      expect(scan.transfers.map((t) => t.amount)).toEqual([3n])
      expect(proxy.requests).toBe(1)
      expect(proxy.methods.filter((m) => m === 'eth_getLogs')).toHaveLength(6)
      await expect(adapter.getTransfers({ addresses: [a!], fromBlock: 0, toBlock: 200 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      await expect(adapter.getTransfers({ addresses: [a!], fromBlock: 5, toBlock: 4 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      // A node that answers with a transfer between strangers (ignoring the topic filter): not reported.
      const stranger = `0x${'ab'.repeat(20)}`
      proxy.behaviour.rewrite = (method, result) =>
        method === 'eth_getLogs' && Array.isArray(result) && result.length > 0
          ? (result as { topics: string[] }[]).map((l) => ({
              ...l,
              topics: [l.topics[0], l.topics[1], `0x${'0'.repeat(24)}${stranger.slice(2)}`],
            }))
          : result
      expect((await adapter.getTransfers({ addresses: [a!], fromBlock: block, toBlock: block })).transfers).toEqual([])
      proxy.behaviour.rewrite = (method, result) => (method === 'eth_getLogs' ? [{ address: 42 }] : result)
      await expect(adapter.getTransfers({ addresses: [a!], fromBlock: block, toBlock: block })).rejects.toMatchObject({ code: 'RPC' })
    } finally {
      await proxy.stop()
    }
  })
})

describe('getTransfers for many addresses', () => {
  it('above 2,000 addresses reads every Transfer log of the tokens in 10-block pieces and keeps those of the addresses: the same transfers as topic filters find', async () => {
    const { url, fixtures } = sharedAnvil()
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], tokens: fixtureTokens(fixtures) })
      const USDC = erc20AssetId(31337, fixtures.usdc.address)
      const many = Array.from(
        { length: 2_500 },
        (_, i) => `0x${(0xc0ffee00000n + BigInt(i)).toString(16).padStart(40, '0')}` as `0x${string}`,
      )
      const first = await mintAt(many[7]!, 7n)
      await mintAt(`0x${'12'.repeat(20)}`, 1n) // a stranger
      const last = await mintAt(many[2_400]!, 2_400n)
      await rpc(url, 'anvil_mine', ['0x14'])
      proxy.reset()
      const wide = await adapter.getTransfers({ addresses: many, assets: [USDC], fromBlock: first, toBlock: last + 20 })
      expect(proxy.methods.filter((m) => m === 'eth_getLogs')).toHaveLength(Math.ceil((last + 20 - first + 1) / 10))
      expect(wide.transfers.map((t) => [t.to.toLowerCase(), t.amount])).toEqual([
        [many[7], 7n],
        [many[2_400], 2_400n],
      ])
      const narrow = await adapter.getTransfers({
        addresses: [many[7]!, many[2_400]!],
        assets: [USDC],
        fromBlock: first,
        toBlock: last + 20,
      })
      expect(narrow.transfers).toEqual(wide.transfers)
    } finally {
      await proxy.stop()
    }
  })
})

describe('balances at a block', () => {
  it('reads at a pinned block in one HTTP request, and reports the part not yet `confirmations` deep as pending', async () => {
    const { url, fixtures } = sharedAnvil()
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], tokens: fixtureTokens(fixtures) })
      await adapter.assets()
      const USDC = erc20AssetId(31337, fixtures.usdc.address)
      const [a] = (await vaultSigners(1)).signers.map((s) => s.address as `0x${string}`)
      const h1 = await mintAt(a!, 1_000_000n)
      const h2 = await mintAt(a!, 2_000_000n)
      proxy.reset()
      const [then] = await adapter.getBalances({ addresses: [a!], assets: [USDC], blockHeight: h1 })
      expect(then).toMatchObject({ ok: true, amount: 1_000_000n, blockHeight: h1 })
      expect(proxy.requests).toBe(1)
      proxy.reset()
      const [now] = await adapter.getBalances({
        addresses: [a!],
        assets: [USDC, evmNativeAssetId(31337)],
        blockHeight: h2,
        confirmations: h2 - h1 + 1,
      })
      expect(now).toMatchObject({ amount: 3_000_000n, pending: 2_000_000n, blockHeight: h2 })
      expect(proxy.requests).toBe(1) // both blocks in one batch
      const [one] = await adapter.getBalances({ addresses: [a!], assets: [USDC], blockHeight: h2, confirmations: 1 })
      expect(one).toMatchObject({ amount: 3_000_000n })
      expect((one as { pending?: bigint }).pending).toBeUndefined()
      await expect(adapter.getBalances({ addresses: [a!], blockHeight: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      await expect(adapter.getBalances({ addresses: [a!], confirmations: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect(adapter.capabilities).toMatchObject({ balancesAt: true, transfers: true })
      expect(adapter.testnet).toBe(true)
    } finally {
      await proxy.stop()
    }
  })

  it('blockAt gives the same block the node does', async () => {
    const adapter = localAdapter()
    const head = await adapter.latestBlock()
    const block = await adapter.blockAt(head.height)
    expect(block).toEqual(head)
    expect((await adapter.blockAt(head.height - 1)).hash).toBe(head.parentHash)
    await expect(adapter.blockAt(1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
