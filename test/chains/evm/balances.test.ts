import { decodeFunctionResult, encodeFunctionResult, erc20Abi, multicall3Abi, numberToHex, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { erc20AssetId, evm, evmNativeAssetId } from 'coffer/evm'
import { reconcileBlocks } from '../../../src/chains/evm/balances.js'
import { checkAddress, checkAddresses } from '../../../src/chains/evm/validate.js'
import { rpc, startAnvil } from '../../support/anvil.js'
import { startRpcProxy, type RpcCall } from '../../support/rpc-proxy.js'
import { fixtureTokens, fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

describe('getBalances', () => {
  it('reads many addresses × tokens in at most 2 HTTP requests, matching anvil one by one', async () => {
    const { url, fixtures } = sharedAnvil()
    const { signers } = await vaultSigners(12)
    const addresses = signers.map((s) => s.address as `0x${string}`)
    for (const [i, a] of addresses.entries())
      await fund(a, { eth: BigInt(i + 1) * 10n ** 17n, usdc: BigInt(i * 1_000_000), dai: BigInt(i) * 10n ** 18n, usdt: BigInt(i * 7) })
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], tokens: fixtureTokens(fixtures, true) })
      const assets = await adapter.assets() // one-time: reads the reverting token's symbol and decimals
      proxy.reset()
      const balances = await adapter.getBalances({ addresses })
      expect(proxy.requests).toBeLessThanOrEqual(2)
      expect(proxy.methods.filter((m) => m === 'eth_call').length).toBeLessThanOrEqual(1)
      expect(balances).toHaveLength(addresses.length * assets.length)
      for (const b of balances) {
        if (b.asset === erc20AssetId(31337, fixtures.reverting.address)) {
          expect(b.ok).toBe(false)
          continue
        }
        expect(b.ok).toBe(true)
        if (!b.ok) continue
        const token = [fixtures.usdc, fixtures.dai, fixtures.usdt].find((t) => erc20AssetId(31337, t.address) === b.asset)
        const expected = token
          ? await adapter.client.readContract({
              address: token.address,
              abi: erc20Abi,
              functionName: 'balanceOf',
              args: [b.address as `0x${string}`],
            })
          : BigInt(await rpc<string>(url, 'eth_getBalance', [b.address, 'latest']))
        expect(b.amount).toBe(expected)
        expect(b.decimals).toBe(token?.decimals ?? 18)
      }
      // A second read: still two requests.
      proxy.reset()
      await adapter.getBalances({ addresses, assets: [evmNativeAssetId(31337)] })
      expect(proxy.requests).toBeLessThanOrEqual(2)
    } finally {
      await proxy.stop()
    }
  })

  it('a reverting token is one failed entry and hides no other balance', async () => {
    const { fixtures } = sharedAnvil()
    const adapter = localAdapter({ tokens: fixtureTokens(fixtures, true) })
    const { signers } = await vaultSigners(1)
    await fund(signers[0]!.address as `0x${string}`, { usdc: 5_000_000n })
    const balances = await adapter.getBalances({ addresses: [signers[0]!.address] })
    const bad = balances.find((b) => b.asset === erc20AssetId(31337, fixtures.reverting.address))
    expect(bad).toMatchObject({ ok: false, error: { code: 'RPC' } })
    expect(balances.find((b) => b.asset === erc20AssetId(31337, fixtures.usdc.address))).toMatchObject({ ok: true, amount: 5_000_000n })
  })

  it('falls back to plain batched calls where Multicall3 is absent, with the same results', async () => {
    const anvil = await startAnvil()
    try {
      const { signers } = await vaultSigners(3)
      const addresses = signers.map((s) => s.address)
      for (const [i, a] of addresses.entries())
        await rpc(anvil.url, 'anvil_setBalance', [a, `0x${(BigInt(i + 1) * 10n ** 18n).toString(16)}`])
      const proxy = await startRpcProxy(anvil.url)
      try {
        const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url] })
        const expected = [1n, 2n, 3n].map((n) => n * 10n ** 18n)
        // First read: Multicall3 is tried optimistically, answers empty (no code), plain calls follow.
        const first = await adapter.getBalances({ addresses })
        expect(first.map((b) => (b.ok ? b.amount : undefined))).toEqual(expected)
        expect(proxy.requests).toBeLessThanOrEqual(3)
        // Later reads go straight to plain calls: two requests, no eth_call.
        const before = { requests: proxy.requests, methods: proxy.methods.length }
        const again = await adapter.getBalances({ addresses })
        expect(again.map((b) => (b.ok ? b.amount : undefined))).toEqual(expected)
        expect(proxy.requests - before.requests).toBeLessThanOrEqual(2)
        expect(proxy.methods.slice(before.methods)).not.toContain('eth_call')
      } finally {
        await proxy.stop()
      }
      const forced = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url], multicall: false })
      expect((await forced.getBalances({ addresses })).every((b) => b.ok)).toBe(true)
    } finally {
      await anvil.stop()
    }
  })

  it('rejects bad addresses and unknown assets with typed errors', async () => {
    const adapter = localAdapter()
    await expect(adapter.getBalances({ addresses: ['0xnope'] })).rejects.toMatchObject({ code: 'INVALID_ADDRESS' })
    await expect(adapter.getBalances({ addresses: ['0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed'] })).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
    })
    await expect(adapter.getBalances({ addresses: [], assets: ['eip155:1/slip44:60'] })).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    expect(await adapter.getBalances({ addresses: [] })).toEqual([])
  })
})

/** An `aggregate3` answer with its results changed by `change`; other results pass as they are. */
function rewriteAggregate(
  result: unknown,
  change: (items: { success: boolean; returnData: Hex }[]) => { success: boolean; returnData: Hex }[],
) {
  try {
    const items = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: result as Hex })
    return encodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', result: change([...items]) })
  } catch {
    return result
  }
}

const uint = (n: bigint) => numberToHex(n, { size: 32 })

describe('getBalances: the block number rides in the aggregate', () => {
  it('once trusted, reads in one HTTP request at the head, with no eth_blockNumber', async () => {
    const { url, fixtures } = sharedAnvil()
    const { signers } = await vaultSigners(3)
    const addresses = signers.map((s) => s.address as `0x${string}`)
    for (const [i, a] of addresses.entries()) await fund(a, { eth: BigInt(i + 1) * 10n ** 16n, usdc: BigInt(i + 1) })
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], tokens: fixtureTokens(fixtures) })
      await adapter.assets()
      await adapter.getBalances({ addresses }) // the first read checks block.number inside a call against eth_blockNumber
      proxy.reset()
      const before = BigInt(await rpc<string>(url, 'eth_blockNumber'))
      const balances = await adapter.getBalances({ addresses })
      const after = BigInt(await rpc<string>(url, 'eth_blockNumber'))
      expect(proxy.requests).toBe(1)
      expect(proxy.methods).toEqual(['eth_call'])
      const heights = new Set(balances.map((b) => b.blockHeight))
      expect(heights.size).toBe(1)
      const height = BigInt(balances[0]!.blockHeight)
      expect(height >= before && height <= after).toBe(true)
      // The amounts are those of that block.
      const atHeight = await adapter.getBalances({ addresses, blockHeight: Number(height) })
      expect(balances.map((b) => (b.ok ? b.amount : b.error))).toEqual(atHeight.map((b) => (b.ok ? b.amount : b.error)))
      expect(balances.every((b) => b.ok)).toBe(true)
    } finally {
      await proxy.stop()
    }
  })

  it('re-reads a chunk that answered from a newer block, pinned to the lower one', async () => {
    const { url } = sharedAnvil()
    const { signers } = await vaultSigners(3)
    const addresses = signers.map((s) => s.address as `0x${string}`)
    for (const [i, a] of addresses.entries()) await fund(a, { eth: BigInt(i + 1) * 10n ** 16n })
    const seen: RpcCall[] = []
    const proxy = await startRpcProxy(url, { fault: (call) => void seen.push(call) })
    try {
      // Chunks of 2 reads: [a0, a1] and [a2].
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], balanceChunkSize: 2 })
      await adapter.getBalances({ addresses })
      // The second chunk claims a newer block, where a2 holds 999 wei.
      let calls = 0
      proxy.behaviour.rewrite = (method, result) =>
        method === 'eth_call' && ++calls === 2
          ? rewriteAggregate(result, ([block, ...rest]) => [
              { success: true, returnData: uint(BigInt(block!.returnData) + 1n) },
              ...rest.map(() => ({ success: true, returnData: uint(999n) })),
            ])
          : result
      seen.length = 0
      proxy.reset()
      const balances = await adapter.getBalances({ addresses })
      expect(balances.map((b) => (b.ok ? b.amount : b.error))).toEqual([1n, 2n, 3n].map((n) => n * 10n ** 16n))
      const height = balances[0]!.blockHeight
      expect(balances.every((b) => b.blockHeight === height)).toBe(true)
      // One batch at "latest", then the stale chunk again, pinned to the first chunk's block.
      expect(proxy.batches).toEqual([['eth_call', 'eth_call'], ['eth_call']])
      expect(seen.map((c) => c.params[1])).toEqual(['latest', 'latest', numberToHex(height)])
    } finally {
      await proxy.stop()
    }
  })

  it('re-reads, pinned, a chunk whose answer was malformed', async () => {
    const { url } = sharedAnvil()
    const { signers } = await vaultSigners(3)
    const addresses = signers.map((s) => s.address as `0x${string}`)
    for (const [i, a] of addresses.entries()) await fund(a, { eth: BigInt(i + 5) * 10n ** 16n })
    const proxy = await startRpcProxy(url)
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url], balanceChunkSize: 2 })
      await adapter.getBalances({ addresses })
      let calls = 0
      proxy.behaviour.rewrite = (method, result) => (method === 'eth_call' && ++calls === 2 ? '0xdead' : result)
      proxy.reset()
      const balances = await adapter.getBalances({ addresses })
      expect(balances.map((b) => (b.ok ? b.amount : b.error))).toEqual([5n, 6n, 7n].map((n) => n * 10n ** 16n))
      expect(proxy.batches).toEqual([['eth_call', 'eth_call'], ['eth_call']])
    } finally {
      await proxy.stop()
    }
  })

  it('keeps asking eth_blockNumber where block.number inside a call is not the block (Arbitrum-style)', async () => {
    const { url } = sharedAnvil()
    const { signers } = await vaultSigners(2)
    const addresses = signers.map((s) => s.address as `0x${string}`)
    for (const a of addresses) await fund(a, { eth: 10n ** 16n })
    // block.number inside calls reads as another chain's number.
    const proxy = await startRpcProxy(url, {
      rewrite: (method, result) =>
        method === 'eth_call'
          ? rewriteAggregate(result, ([block, ...rest]) =>
              block && block.returnData.length === 66 && rest.length === addresses.length
                ? [{ success: true, returnData: uint(BigInt(block.returnData) + 1_000_000n) }, ...rest]
                : [block!, ...rest],
            )
          : result,
    })
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url] })
      for (let i = 0; i < 2; i++) {
        proxy.reset()
        const before = BigInt(await rpc<string>(url, 'eth_blockNumber'))
        const balances = await adapter.getBalances({ addresses })
        expect(proxy.methods).toEqual(['eth_blockNumber', 'eth_call'])
        expect(balances.every((b) => b.ok && b.amount === 10n ** 16n)).toBe(true)
        expect(BigInt(balances[0]!.blockHeight) - before).toBeLessThan(1000n)
      }
    } finally {
      await proxy.stop()
    }
  })

  it('reconciles chunk blocks: the lowest wins, the others and those of no known block are read again', () => {
    expect(reconcileBlocks([5n, 5n, 5n])).toEqual({ block: 5n, stale: [] })
    expect(reconcileBlocks([5n, 6n, undefined, 5n, 7n])).toEqual({ block: 5n, stale: [1, 2, 4] })
    expect(reconcileBlocks([6n, 5n])).toEqual({ block: 5n, stale: [0] })
    expect(reconcileBlocks([undefined, undefined])).toBeUndefined()
  })
})

describe('checkAddress cache', () => {
  it('still refuses a bad checksum after the good one was checked, and never caches a failure', async () => {
    const good = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
    const bad = '0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
    for (let i = 0; i < 3; i++) {
      expect(checkAddress(good, 'to')).toBe(good)
      expect(() => checkAddress(bad, 'to')).toThrow(/EIP-55 checksum is wrong/)
      expect(checkAddress(good.toLowerCase(), 'to')).toBe(good)
      expect(() => checkAddress(42, 'to')).toThrow(/not a valid EVM address/)
    }
    expect(checkAddresses([good, good.toLowerCase(), good.toUpperCase().replace('0X', '0x')])).toEqual([good, good, good])
    expect(() => checkAddresses([good, bad])).toThrow(/addresses\[1\]/)
    // Through the adapter too.
    const adapter = localAdapter()
    expect((await adapter.getBalances({ addresses: [good] }))[0]).toMatchObject({ address: good })
    await expect(adapter.getBalances({ addresses: [bad] })).rejects.toMatchObject({ code: 'INVALID_ADDRESS' })
  })

  it('stays bounded: many distinct addresses still check correctly', () => {
    for (let i = 0; i < 10_000; i++) {
      const a = `0x${i.toString(16).padStart(40, '0')}`
      expect(checkAddress(a, 'a').toLowerCase()).toBe(a)
    }
    expect(() => checkAddress('0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'a')).toThrow(/checksum/)
  })
})

describe('assets', () => {
  it('lists the native coin and tokens, reading symbol and decimals when not given', async () => {
    const { fixtures } = sharedAnvil()
    const adapter = evm({
      chain: 'eip155:31337',
      rpcUrls: [sharedAnvil().url],
      tokens: [{ address: fixtures.dai.address }, { address: fixtures.usdc.address, symbol: 'USDC' }],
    })
    const assets = await adapter.assets()
    expect(assets[0]).toMatchObject({ id: 'eip155:31337/slip44:60', kind: 'native', symbol: 'ETH', decimals: 18 })
    expect(assets.find((a) => a.symbol === 'DAI')).toMatchObject({
      kind: 'token',
      decimals: 18,
      name: 'Dai Stablecoin',
      id: erc20AssetId(31337, fixtures.dai.address),
    })
    expect(assets.find((a) => a.symbol === 'USDC')).toMatchObject({ decimals: 6 })
  })

  it('knows the registry stablecoins of mainnet chains without any call', async () => {
    const adapter = evm({ chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:1'] })
    const symbols = (await adapter.assets()).map((a) => a.symbol)
    expect(symbols).toEqual(expect.arrayContaining(['ETH', 'USDT', 'USDC', 'DAI']))
    expect(adapter.nativeAsset).toBe('eip155:1/slip44:60')
  })
})
