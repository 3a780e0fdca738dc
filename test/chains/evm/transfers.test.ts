import { describe, expect, it } from 'vitest'
import { parseAmount } from 'coffer'
import { erc20AssetId, InsufficientFundsError } from 'coffer/evm'
import { rpc } from '../../support/anvil.js'
import { fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

const ETH = 'eip155:31337/slip44:60' as const

async function balancesOf(adapter: ReturnType<typeof localAdapter>, address: string) {
  const list = await adapter.getBalances({ addresses: [address] })
  return Object.fromEntries(list.map((b) => [b.asset, b.ok ? b.amount : undefined]))
}

describe('transfers on anvil', () => {
  it('native: quote → send → wait, amounts and fee add up', async () => {
    const adapter = localAdapter()
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 18n })
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: parseAmount('0.25', 18) })
    expect(quote.fees.slow.amount <= quote.fees.normal.amount && quote.fees.normal.amount <= quote.fees.fast.amount).toBe(true)
    expect(quote.fee.details.gas).toBe('21000')
    const hash = await adapter.sendTransfer(quote, alice)
    const status = await adapter.waitForTransaction(hash)
    expect(status).toMatchObject({ state: 'confirmed', confirmations: 1 })
    const after = await balancesOf(adapter, alice.address)
    expect(after[ETH]).toBe(10n ** 18n - parseAmount('0.25', 18) - (status.fee?.amount ?? 0n))
    expect(status.fee!.amount <= quote.fee.amount).toBe(true)
    expect((await balancesOf(adapter, bob.address))[ETH]).toBe(parseAmount('0.25', 18))
  })

  it.each([
    ['USDC-like (returns bool)', 'usdc'],
    ['USDT-like (returns nothing)', 'usdt'],
    ['DAI-like (18 decimals)', 'dai'],
  ] as const)('ERC-20 %s', async (_label, key) => {
    const adapter = localAdapter()
    const token = sharedAnvil().fixtures[key]
    const asset = erc20AssetId(31337, token.address)
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    const minted = parseAmount('1000', token.decimals)
    await fund(alice.address as `0x${string}`, { eth: 10n ** 18n, [key]: minted })
    const amount = parseAmount('123.45', token.decimals)
    const quote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset, amount, feeLevel: 'fast' })
    expect(BigInt(quote.fee.details.gas as string)).toBeGreaterThan(21_000n)
    const status = await adapter.waitForTransaction(await adapter.sendTransfer(quote, alice))
    expect(status.state).toBe('confirmed')
    expect((await balancesOf(adapter, alice.address))[asset]).toBe(minted - amount)
    expect((await balancesOf(adapter, bob.address))[asset]).toBe(amount)
  })

  it('"max" sends the whole token balance, or all ETH but the fee', async () => {
    const adapter = localAdapter()
    const { usdc } = sharedAnvil().fixtures
    const asset = erc20AssetId(31337, usdc.address)
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 17n, usdc: 777n })
    const tokenQuote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset, amount: 'max' })
    expect(tokenQuote.amount).toBe(777n)
    await adapter.waitForTransaction(await adapter.sendTransfer(tokenQuote, alice))
    const ethQuote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 'max' })
    await adapter.waitForTransaction(await adapter.sendTransfer(ethQuote, alice))
    const left = (await balancesOf(adapter, alice.address))[ETH] as bigint
    expect(left >= 0n && left < ethQuote.fee.amount).toBe(true) // only the unused part of the fee reserve
    expect((await balancesOf(adapter, bob.address))[asset]).toBe(777n)
  })

  it('insufficient funds is caught before anything is signed or sent', async () => {
    const adapter = localAdapter()
    const { usdc } = sharedAnvil().fixtures
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`, { eth: 10n ** 15n, usdc: 5n })
    const nonceBefore = await rpc(sharedAnvil().url, 'eth_getTransactionCount', [alice.address, 'pending'])
    await expect(adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: ETH, amount: 10n ** 15n })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    )
    await expect(
      adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: erc20AssetId(31337, usdc.address), amount: 6n }),
    ).rejects.toThrow(/Not enough USDC/)
    await fund(bob.address as `0x${string}`, { eth: 0n, usdc: 100n })
    await expect(
      adapter.quoteTransfer({ from: bob.address, to: alice.address, asset: erc20AssetId(31337, usdc.address), amount: 1n }),
    ).rejects.toThrow(/for the fee/)
    await expect(adapter.quoteTransfer({ from: bob.address, to: alice.address, asset: ETH, amount: 'max' })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    )
    expect(await rpc(sharedAnvil().url, 'eth_getTransactionCount', [alice.address, 'pending'])).toBe(nonceBefore)
  })

  it('rejects malformed requests with typed errors', async () => {
    const adapter = localAdapter()
    const from = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
    await expect(adapter.quoteTransfer({ from, to: '0x123', asset: ETH, amount: 1n })).rejects.toMatchObject({ code: 'INVALID_ADDRESS' })
    await expect(adapter.quoteTransfer({ from, to: from, asset: ETH, amount: 0n })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(adapter.quoteTransfer({ from, to: from, asset: ETH, amount: 1 as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(adapter.quoteTransfer({ from, to: from, asset: ETH, amount: 1n, feeLevel: 'turbo' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(
      adapter.quoteTransfer({ from, to: from, asset: 'eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7', amount: 1n }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
  })
})
