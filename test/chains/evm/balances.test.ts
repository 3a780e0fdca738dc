import { erc20Abi } from 'viem'
import { describe, expect, it } from 'vitest'
import { erc20AssetId, evm, evmNativeAssetId } from 'coffer/evm'
import { rpc, startAnvil } from '../../support/anvil.js'
import { startRpcProxy } from '../../support/rpc-proxy.js'
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
