import { describe, expect, it } from 'vitest'
import { ChainMismatchError, evm, erc20AssetId } from 'coffer/evm'
import { rpc, mine, startAnvil, setBalance } from '../../support/anvil.js'
import { startRpcProxy } from '../../support/rpc-proxy.js'
import { fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

const ETH = 'eip155:31337/slip44:60' as const

describe('nonces', () => {
  it('50 concurrent sends from one account all mine, with nonces 0..49', async () => {
    const adapter = localAdapter()
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 19n })
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 1_000n })
    const hashes = await Promise.all(Array.from({ length: 50 }, () => adapter.sendTransfer(quote, alice)))
    expect(new Set(hashes).size).toBe(50)
    const statuses = await Promise.all(hashes.map((h) => adapter.waitForTransaction(h)))
    expect(statuses.every((s) => s.state === 'confirmed')).toBe(true)
    const nonces = await Promise.all(
      hashes.map(async (h) => Number(BigInt((await rpc<{ nonce: string }>(sharedAnvil().url, 'eth_getTransactionByHash', [h])).nonce))),
    )
    expect([...nonces].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    const bal = await adapter.getBalances({ addresses: [bob.address], assets: [ETH] })
    expect(bal[0]).toMatchObject({ ok: true, amount: 50_000n })
  })

  it('resyncs after the account was used elsewhere ("nonce too low" is retried, none skipped)', async () => {
    const { url } = sharedAnvil()
    const adapter = localAdapter()
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 19n })
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 1n })
    await adapter.waitForTransaction(await adapter.sendTransfer(quote, alice))
    // Another wallet with the same key sends two transactions behind this adapter's back.
    const other = localAdapter()
    await other.waitForTransaction(await other.sendTransfer(quote, alice))
    await other.waitForTransaction(await other.sendTransfer(quote, alice))
    const hash = await adapter.sendTransfer(quote, alice)
    await adapter.waitForTransaction(hash)
    const tx = await rpc<{ nonce: string }>(url, 'eth_getTransactionByHash', [hash])
    expect(Number(BigInt(tx.nonce))).toBe(3)
  })
})

describe('replacement (automine off)', () => {
  it('speedUp replaces a stuck transaction with fees ≥ +10%; the old one reports dropped → replacedBy', async () => {
    const anvil = await startAnvil({ automine: false })
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
      const { signers } = await vaultSigners(2)
      const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
      await setBalance(anvil.url, alice.address as `0x${string}`, 10n ** 19n)
      const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 5n, feeLevel: 'slow' })
      const stuck = await adapter.sendTransfer(quote, alice)
      expect((await adapter.getTransaction(stuck)).state).toBe('pending')
      const a = await rpc<any>(anvil.url, 'eth_getTransactionByHash', [stuck])
      const faster = await adapter.speedUp(stuck, alice)
      const b = await rpc<any>(anvil.url, 'eth_getTransactionByHash', [faster])
      expect(b.nonce).toBe(a.nonce)
      expect(BigInt(b.maxFeePerGas) * 100n >= BigInt(a.maxFeePerGas) * 110n).toBe(true)
      expect(BigInt(b.maxPriorityFeePerGas) * 100n >= BigInt(a.maxPriorityFeePerGas) * 110n).toBe(true)
      await mine(anvil.url)
      expect(await adapter.getTransaction(faster)).toMatchObject({ state: 'confirmed' })
      expect(await adapter.getTransaction(stuck)).toMatchObject({ state: 'dropped', replacedBy: faster })
      expect((await adapter.getBalances({ addresses: [bob.address] }))[0]).toMatchObject({ amount: 5n })
    } finally {
      await anvil.stop()
    }
  })

  it('cancel replaces it with a 0-value self-send: nothing arrives', async () => {
    const anvil = await startAnvil({ automine: false })
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
      const { signers } = await vaultSigners(2)
      const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
      await setBalance(anvil.url, alice.address as `0x${string}`, 10n ** 19n)
      const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 10n ** 18n })
      const stuck = await adapter.sendTransfer(quote, alice)
      const cancel = await adapter.cancel(stuck, alice)
      await mine(anvil.url)
      expect(await adapter.getTransaction(cancel)).toMatchObject({ state: 'confirmed' })
      expect(await adapter.getTransaction(stuck)).toMatchObject({ state: 'dropped', replacedBy: cancel })
      expect((await adapter.getBalances({ addresses: [bob.address] }))[0]).toMatchObject({ amount: 0n })
      await expect(adapter.speedUp(cancel, alice)).rejects.toThrow(/already mined/)
    } finally {
      await anvil.stop()
    }
  })
})

describe('node trouble', () => {
  it('refuses a node that lies about its chain id, before anything is signed', async () => {
    const proxy = await startRpcProxy(sharedAnvil().url, { rewrite: (method, result) => (method === 'eth_chainId' ? '0x1' : result) })
    try {
      const adapter = localAdapter({}, proxy.url)
      const { signers } = await vaultSigners(1)
      await fund(signers[0]!.address as `0x${string}`)
      await expect(
        adapter.quoteTransfer({ from: signers[0]!.address, to: signers[0]!.address, asset: ETH, amount: 1n }),
      ).rejects.toBeInstanceOf(ChainMismatchError)
      expect(proxy.methods).not.toContain('eth_sendRawTransaction')
      expect(proxy.methods).not.toContain('eth_estimateGas')
    } finally {
      await proxy.stop()
    }
  })

  it('retries a 429 (after its Retry-After) and a dropped connection', async () => {
    const proxy = await startRpcProxy(sharedAnvil().url, { failFirst: { status: 429, retryAfterSeconds: 1, count: 1 } })
    try {
      const adapter = localAdapter({}, proxy.url)
      const started = Date.now()
      const block = await adapter.latestBlock()
      expect(block.height).toBeGreaterThan(0)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      proxy.reset()
      proxy.behaviour = { dropFirst: 2 }
      const { signers } = await vaultSigners(1)
      const balances = await adapter.getBalances({ addresses: [signers[0]!.address], assets: [ETH] })
      expect(balances[0]).toMatchObject({ ok: true, amount: 0n })
      expect(proxy.requests).toBeGreaterThanOrEqual(3)
    } finally {
      await proxy.stop()
    }
  })

  it('fails over to the next RPC URL when the first is down', async () => {
    const adapter = evm({ chain: 'eip155:31337', rpcUrls: ['http://127.0.0.1:9', sharedAnvil().url], retryCount: 1 })
    expect((await adapter.latestBlock()).height).toBeGreaterThan(0)
  })

  it('a node that is down gives an RpcError, not a crash', async () => {
    const adapter = evm({ chain: 'eip155:31337', rpcUrls: ['http://127.0.0.1:9'], retryCount: 0, timeoutMs: 2_000 })
    await expect(adapter.latestBlock()).rejects.toMatchObject({ code: 'RPC' })
    await expect(adapter.getBalances({ addresses: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'] })).rejects.toMatchObject({ code: 'RPC' })
  })
})

describe('offline signing', () => {
  it('build online → JSON → sign with no network → broadcast: the node accepts it', async () => {
    const adapter = localAdapter()
    const { usdc } = sharedAnvil().fixtures
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 18n, usdc: 10n ** 6n })
    const quote = await adapter.quoteTransfer({
      from: alice.address,
      to: bob.address,
      asset: erc20AssetId(31337, usdc.address),
      amount: 250_000n,
    })
    const unsigned = JSON.parse(JSON.stringify(await adapter.buildTransfer(quote)))
    expect(unsigned).toMatchObject({ chainId: 'eip155:31337', kind: 'evm-eip1559', summary: { amount: '250000' } })
    // An offline machine: an adapter whose every request would fail.
    const offline = evm({ chain: 'eip155:31337', rpcUrls: ['http://127.0.0.1:9'], fetch: () => Promise.reject(new Error('offline')) })
    const signed = JSON.parse(JSON.stringify(await offline.signTransaction(unsigned, alice)))
    const hash = await adapter.broadcast(signed)
    expect(hash).toBe(signed.hash)
    expect((await adapter.waitForTransaction(hash)).state).toBe('confirmed')
    expect((await adapter.getBalances({ addresses: [bob.address], assets: [quote.asset] }))[0]).toMatchObject({ amount: 250_000n })
  })
})
