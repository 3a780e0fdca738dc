import { describe, expect, it } from 'vitest'
import { erc20AssetId, evm, TransactionTimeoutError } from 'coffer/evm'
import { startAnvil, setBalance } from '../../support/anvil.js'
import { fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

const ETH = 'eip155:31337/slip44:60' as const

describe('history', () => {
  it('lists token transfers in and out (from logs) and native sends (from the journal), newest first, with fees', async () => {
    const adapter = localAdapter()
    const { usdc, usdt } = sharedAnvil().fixtures
    const USDC = erc20AssetId(31337, usdc.address)
    const USDT = erc20AssetId(31337, usdt.address)
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { usdc: 100n, usdt: 100n })
    await fund(bob.address as `0x${string}`)
    const send = async (from: typeof alice, to: typeof alice, asset: string, amount: bigint) =>
      adapter.waitForTransaction(
        await adapter.sendTransfer(
          await adapter.quoteTransfer({ from: from.address, to: to.address, asset: asset as never, amount }),
          from,
        ),
      )
    await send(alice, bob, USDC, 10n)
    await send(alice, bob, USDT, 20n)
    await send(bob, alice, USDC, 3n)
    await send(alice, bob, ETH, 7n)

    const page = await adapter.getHistory(alice.address)
    const view = page.items.map((i) => [i.direction, i.asset, i.amount])
    // Minting (from the zero address) shows as incoming too; the four sends come first, newest first.
    expect(view.slice(0, 4)).toEqual([
      ['out', ETH, 7n],
      ['in', USDC, 3n],
      ['out', USDT, 20n],
      ['out', USDC, 10n],
    ])
    const heights = page.items.map((i) => i.blockHeight as number)
    expect([...heights].sort((a, b) => b - a)).toEqual(heights)
    for (const item of page.items) {
      expect(item.state).toBe('confirmed')
      expect(item.timestamp).toBeGreaterThan(1_600_000_000_000)
      if (item.direction === 'out') expect(item.fee?.amount).toBeGreaterThan(0n)
    }
    // Filtered by asset, and paged two at a time with a cursor.
    const onlyUsdc = await adapter.getHistory(alice.address, { assets: [USDC] })
    expect(onlyUsdc.items.every((i) => i.asset === USDC)).toBe(true)
    const first = await adapter.getHistory(alice.address, { limit: 2 })
    const second = await adapter.getHistory(alice.address, { limit: 2, cursor: first.cursor as string })
    expect([...first.items, ...second.items].map((i) => i.hash)).toEqual(page.items.slice(0, 4).map((i) => i.hash))
    expect(first.cursor).toBeDefined()
  })

  it('pages through ranges in chunks the node accepts and ends with no cursor', async () => {
    const adapter = localAdapter({ history: { chunkBlocks: 3, maxScanBlocks: 10 } })
    const { signers } = await vaultSigners(1)
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await adapter.getHistory(signers[0]!.address, { ...(cursor ? { cursor } : {}) })
      expect(page.items).toEqual([])
      cursor = page.cursor
      pages++
    } while (cursor && pages < 10_000)
    expect(cursor).toBeUndefined()
    await expect(adapter.getHistory(signers[0]!.address, { cursor: 'junk' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('transaction status', () => {
  it('pending → confirmed with confirmations; unknown hashes are dropped; timeouts are typed', async () => {
    const anvil = await startAnvil({ automine: false })
    try {
      const adapter = evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] })
      const { signers } = await vaultSigners(1)
      await setBalance(anvil.url, signers[0]!.address as `0x${string}`, 10n ** 18n)
      const hash = await adapter.sendTransfer(
        await adapter.quoteTransfer({ from: signers[0]!.address, to: signers[0]!.address, asset: ETH, amount: 1n }),
        signers[0]!,
      )
      expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'pending', confirmations: 0 })
      await expect(adapter.waitForTransaction(hash, { timeoutMs: 300, pollIntervalMs: 100 })).rejects.toBeInstanceOf(
        TransactionTimeoutError,
      )
      const { rpc } = await import('../../support/anvil.js')
      await rpc(anvil.url, 'anvil_mine', ['0x3'])
      const status = await adapter.waitForTransaction(hash, { confirmations: 3 })
      expect(status).toMatchObject({ state: 'confirmed', confirmations: 3 })
      expect(status.fee?.amount).toBeGreaterThan(0n)
      expect(await adapter.getTransaction(`0x${'ab'.repeat(32)}`)).toMatchObject({ state: 'dropped' })
      await expect(adapter.getTransaction('0x1234')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    } finally {
      await anvil.stop()
    }
  })

  it('a reverted transaction is reported failed, with its fee', async () => {
    const adapter = localAdapter()
    const { reverting } = sharedAnvil().fixtures
    const { signers } = await vaultSigners(1)
    await fund(signers[0]!.address as `0x${string}`)
    // Build a token transfer by hand with a fixed gas limit so it gets mined and reverts.
    const quote = await adapter.quoteTransfer({ from: signers[0]!.address, to: signers[0]!.address, asset: ETH, amount: 1n })
    const unsigned = await adapter.buildTransfer(quote)
    const payload = { ...unsigned.payload, to: reverting.address, value: '0', data: '0xa9059cbb' + '00'.repeat(64), gas: '100000' }
    const summary = {
      to: reverting.address,
      asset: ETH,
      amount: '0',
      fee: (100_000n * BigInt((unsigned.payload as { maxFeePerGas: string }).maxFeePerGas)).toString(),
      data: payload.data,
    }
    const signed = await adapter.signTransaction({ ...unsigned, payload, summary }, signers[0]!)
    const status = await adapter.waitForTransaction(await adapter.broadcast(signed))
    expect(status.state).toBe('failed')
    expect(status.fee?.amount).toBeGreaterThan(0n)
  })
})
