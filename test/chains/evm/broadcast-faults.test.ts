/**
 * Broadcasting through a flaky or lying network, against the real anvil behind the fault layer
 * (test/support/rpc-proxy.ts). Every scenario asserts what the chain holds afterwards — how many
 * transfers arrived, which nonces are used, whether anything is stuck — not only what was thrown.
 */
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { evm, type EvmAdapter } from 'coffer/evm'
import { BroadcastUnknownError } from 'coffer'
import { mine, rpc, setBalance, startAnvil, type Anvil } from '../../support/anvil.js'
import { startRpcProxy, type RpcCall, type RpcFault, type RpcProxy } from '../../support/rpc-proxy.js'
import { fixtureTokens, fund, sharedAnvil, vaultSigners } from './helpers.js'

const ETH = 'eip155:31337/slip44:60' as const
const usdtId = () => `eip155:31337/erc20:${sharedAnvil().fixtures.usdt.address.toLowerCase()}` as const

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function proxied(url = sharedAnvil().url, fault?: (call: RpcCall) => RpcFault | undefined): Promise<RpcProxy> {
  const proxy = await startRpcProxy(url, fault ? { fault } : {})
  cleanup.push(() => proxy.stop())
  return proxy
}

function adapterOn(url: string, options: Partial<Parameters<typeof evm>[0]> = {}): EvmAdapter {
  return evm({
    chain: 'eip155:31337',
    rpcUrls: [url],
    tokens: fixtureTokens(sharedAnvil().fixtures),
    rebroadcast: { delayMs: 20 },
    ...options,
  })
}

/** Faults only the first `count` calls of `method`. */
function firstCalls(method: string, count: number, fault: RpcFault): (call: RpcCall) => RpcFault | undefined {
  let seen = 0
  return (call) => (call.method === method && seen++ < count ? fault : undefined)
}

async function tokenBalance(owner: string): Promise<bigint> {
  const { url, fixtures } = sharedAnvil()
  const data = `0x70a08231${owner.slice(2).toLowerCase().padStart(64, '0')}`
  return BigInt(await rpc<string>(url, 'eth_call', [{ to: fixtures.usdt.address, data }, 'latest']))
}

const nonceOf = async (url: string, address: string, tag = 'latest') =>
  Number(BigInt(await rpc<string>(url, 'eth_getTransactionCount', [address, tag])))

async function fundedPair(usdt = 1_000_000_000n) {
  const { signers } = await vaultSigners(2)
  const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
  await fund(alice.address as `0x${string}`, { eth: 10n ** 19n, usdt })
  return { alice, bob }
}

describe('a broadcast whose answer is lost is "maybe sent", never "not sent"', () => {
  it('accepted, then HTTP 500: the transfer is found by hash and reported sent; it happened once', async () => {
    const proxy = await proxied(undefined, firstCalls('eth_sendRawTransaction', 1, { kind: 'accept-then-status', status: 500 }))
    const adapter = adapterOn(proxy.url)
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 60_000_000n })
    const hash = await adapter.sendTransfer(quote, alice)
    expect((await adapter.waitForTransaction(hash)).state).toBe('confirmed')
    expect(await tokenBalance(bob.address)).toBe(60_000_000n)
    expect(await nonceOf(sharedAnvil().url, alice.address)).toBe(1)
    expect(proxy.methods.filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(1)
  })

  it('every answer lost: BroadcastUnknownError with the signed bytes; never a second signature; same bytes settle it later', async () => {
    // The node takes the transaction; every send and every look-up by hash answers 502.
    const proxy = await proxied(undefined, (call) =>
      call.method === 'eth_sendRawTransaction'
        ? { kind: 'accept-then-status', status: 502 }
        : call.method === 'eth_getTransactionByHash'
          ? { kind: 'status', status: 502 }
          : undefined,
    )
    const adapter = adapterOn(proxy.url)
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 60_000_000n })
    const error = await adapter.sendTransfer(quote, alice).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const lost = error as BroadcastUnknownError
    expect(lost.code).toBe('BROADCAST_UNKNOWN')
    expect(lost.details.hash).toBe(lost.transaction.hash)
    // One payment, one transfer: the re-broadcasts carried the same bytes.
    const sent = proxy.methods.filter((m) => m === 'eth_sendRawTransaction').length
    expect(sent).toBe(4)
    expect(await tokenBalance(bob.address)).toBe(60_000_000n)
    expect(await nonceOf(sharedAnvil().url, alice.address)).toBe(1)
    const receipt = await rpc<{ transactionHash: string } | null>(sharedAnvil().url, 'eth_getTransactionReceipt', [lost.transaction.hash])
    expect(receipt?.transactionHash).toBe(lost.transaction.hash)
    // The network heals: broadcasting the carried bytes again settles it as sent.
    proxy.behaviour.fault = undefined
    expect(await adapter.broadcast(lost.transaction)).toBe(lost.transaction.hash)
    expect(await tokenBalance(bob.address)).toBe(60_000_000n)
  })

  it('accepted, then the answer never comes (timeout) or the connection resets: found by hash, once', async () => {
    for (const fault of [{ kind: 'accept-then-hang' }, { kind: 'accept-then-reset' }] as const) {
      const proxy = await proxied(undefined, firstCalls('eth_sendRawTransaction', 1, fault))
      const adapter = adapterOn(proxy.url, { timeoutMs: 500 })
      const { alice, bob } = await fundedPair()
      const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 25_000_000n })
      const hash = await adapter.sendTransfer(quote, alice)
      expect((await adapter.getTransaction(hash)).state).toBe('confirmed')
      expect(await tokenBalance(bob.address)).toBe(25_000_000n)
      expect(await nonceOf(sharedAnvil().url, alice.address)).toBe(1)
    }
  })

  it('a provider error that is not a refusal the chain defines ("internal error") is not a rejection', async () => {
    // The first send never reaches the node and is answered with a provider's JSON-RPC error.
    const proxy = await proxied(
      undefined,
      firstCalls('eth_sendRawTransaction', 1, { kind: 'refuse', error: { code: -32603, message: 'internal error' } }),
    )
    const adapter = adapterOn(proxy.url)
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 5_000_000n })
    // Unknown, so the same bytes are sent again: the transfer happens once, at nonce 0.
    const hash = await adapter.sendTransfer(quote, alice)
    expect((await adapter.getTransaction(hash)).state).toBe('confirmed')
    expect(await tokenBalance(bob.address)).toBe(5_000_000n)
    expect(await nonceOf(sharedAnvil().url, alice.address)).toBe(1)
    expect(proxy.methods.filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(2)
  })

  it('an explicit refusal is a rejection, and gives the nonce back (the next send uses it)', async () => {
    const proxy = await proxied(
      undefined,
      firstCalls('eth_sendRawTransaction', 1, { kind: 'refuse', error: { code: -32000, message: 'replacement transaction underpriced' } }),
    )
    const adapter = adapterOn(proxy.url)
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 7_000_000n })
    await expect(adapter.sendTransfer(quote, alice)).rejects.toMatchObject({ code: 'TRANSACTION_REJECTED' })
    expect(await tokenBalance(bob.address)).toBe(0n)
    const hash = await adapter.sendTransfer(quote, alice)
    const tx = await rpc<{ nonce: string }>(sharedAnvil().url, 'eth_getTransactionByHash', [hash])
    expect(Number(BigInt(tx.nonce))).toBe(0)
    expect(await tokenBalance(bob.address)).toBe(7_000_000n)
  })
})

describe('nonces: no holes, no shared batches, other senders seen', () => {
  it('a refused send among 20 concurrent ones leaves no hole: every returned hash is mined', async () => {
    const proxy = await proxied(
      undefined,
      firstCalls('eth_sendRawTransaction', 1, { kind: 'refuse', error: { code: -32000, message: 'transaction underpriced' } }),
    )
    const adapter = adapterOn(proxy.url)
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 1_000n })
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => adapter.sendTransfer(quote, alice)))
    const hashes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([
      expect.stringMatching(/transaction underpriced/),
    ])
    expect(hashes).toHaveLength(19)
    const { url } = sharedAnvil()
    // Every hash the adapter reported is mined (a hole would leave them pending forever).
    for (const h of hashes) expect((await adapter.waitForTransaction(h, { timeoutMs: 10_000 })).state).toBe('confirmed')
    expect(await nonceOf(url, alice.address)).toBe(19)
    expect(await nonceOf(url, alice.address, 'pending')).toBe(19)
    const balance = BigInt(await rpc<string>(url, 'eth_getBalance', [bob.address, 'latest']))
    expect(balance).toBe(19_000n)
  })

  it('concurrent broadcasts from many accounts never share a JSON-RPC batch', async () => {
    const proxy = await proxied()
    const adapter = adapterOn(proxy.url)
    const { signers } = await vaultSigners(6)
    await Promise.all(signers.map((s) => fund(s.address as `0x${string}`, { eth: 10n ** 18n })))
    const quotes = await Promise.all(
      signers.map((s) => adapter.quoteTransfer({ from: s.address, to: signers[0]!.address, asset: ETH, amount: 1n })),
    )
    proxy.reset()
    await Promise.all(quotes.map((q, i) => adapter.sendTransfer(q, signers[i]!)))
    const sends = proxy.batches.filter((b) => b.includes('eth_sendRawTransaction'))
    expect(sends).toHaveLength(6)
    expect(sends.every((b) => b.length === 1)).toBe(true)
  })

  it('two senders on one account (two processes) never report one transaction as two payments', async () => {
    const anvil: Anvil = await startAnvil({ automine: false })
    cleanup.push(() => anvil.stop())
    const one = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
    const two = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
    const { alice, bob } = await fundedPair(0n)
    await setBalance(anvil.url, alice.address as `0x${string}`, 10n ** 19n)
    const quote = await one.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 3n })
    // Both read the same pending nonce and sign the same payloads: identical bytes at each nonce.
    const hashes = await Promise.all([
      ...Array.from({ length: 5 }, () => one.sendTransfer(quote, alice)),
      ...Array.from({ length: 5 }, () => two.sendTransfer(quote, alice)),
    ])
    await mine(anvil.url)
    expect(new Set(hashes).size).toBe(10)
    const nonces = await Promise.all(
      hashes.map(async (h) => Number(BigInt((await rpc<{ nonce: string }>(anvil.url, 'eth_getTransactionByHash', [h])).nonce))),
    )
    expect([...nonces].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect(BigInt(await rpc<string>(anvil.url, 'eth_getBalance', [bob.address, 'latest']))).toBe(30n)
  })
})

describe('every wait set by a server is bounded', () => {
  it('Retry-After: 3600 waits at most maxRetryAfterMs', async () => {
    const proxy = await proxied()
    let refused = 0
    proxy.behaviour.fault = () => (refused++ < 1 ? { kind: 'status', status: 429, retryAfterSeconds: 3600 } : undefined)
    const adapter = adapterOn(proxy.url, { maxRetryAfterMs: 1_000 })
    const { alice, bob } = await fundedPair()
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdtId(), amount: 1n })
    expect(quote.amount).toBe(1n)
    expect(refused).toBeGreaterThan(1)
  })

  it('a node that never answers: calls end at the deadline with DeadlineExceededError', async () => {
    const proxy = await proxied(undefined, () => ({ kind: 'accept-then-hang' }))
    const adapter = adapterOn(proxy.url, { deadlineMs: 300, timeoutMs: 60_000 })
    const { alice } = await fundedPair()
    await expect(adapter.getBalances({ addresses: [alice.address] })).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      details: { deadlineMs: 300 },
    })
    await expect(adapter.latestBlock()).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' })
  })

  it("another transaction's receipt is not a confirmation", async () => {
    const anvil = await startAnvil({ automine: true })
    cleanup.push(() => anvil.stop())
    const direct = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
    const { alice, bob } = await fundedPair(0n)
    await setBalance(anvil.url, alice.address as `0x${string}`, 10n ** 19n)
    const quote = await direct.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 1n })
    const other = await direct.sendTransfer(quote, alice)
    expect((await direct.waitForTransaction(other)).state).toBe('confirmed')
    const otherReceipt = await rpc<Record<string, unknown>>(anvil.url, 'eth_getTransactionReceipt', [other])
    await rpc(anvil.url, 'evm_setAutomine', [false])
    // A node that answers every receipt question with `other`'s receipt.
    const proxy = await startRpcProxy(anvil.url, {
      rewrite: (method, result) => (method === 'eth_getTransactionReceipt' ? otherReceipt : result),
    })
    cleanup.push(() => proxy.stop())
    const lying = evm({ chain: 'eip155:31337', rpcUrls: [proxy.url] })
    const pending = await lying.sendTransfer(quote, alice)
    await expect(lying.getTransaction(pending)).rejects.toMatchObject({ code: 'DATA_INTEGRITY' })
    await expect(lying.waitForTransaction(pending, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'DATA_INTEGRITY' })
    expect((await direct.getTransaction(pending)).state).toBe('pending')
  })
})

describe('errors never print an RPC URL path or query', () => {
  it('the key in the URL appears nowhere in the error, its causes, or how it prints', async () => {
    const proxy = await proxied(undefined, () => ({ kind: 'status', status: 503, body: 'upstream down' }))
    const adapter = evm({ chain: 'eip155:31337', rpcUrls: [`${proxy.url}/v3/SECRETKEY123?apikey=SECRET456`], retryCount: 0 })
    const { alice } = await fundedPair(0n)
    const error = await adapter.getBalances({ addresses: [alice.address] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'RPC' })
    const printed = [inspect(error, { depth: 20 }), String(error), JSON.stringify(error), (error as Error).stack ?? '']
    for (const text of printed) {
      expect(text).not.toContain('SECRETKEY123')
      expect(text).not.toContain('SECRET456')
    }
    expect(inspect(error, { depth: 20 })).toContain('127.0.0.1')
  })
})
