/** Quote requests resolved against a wallet's accounts and the adapters' assets (no network: Polygon's registry). */
import { describe, expect, it } from 'vitest'
import { evm } from 'coffer/evm'
import { bitcoin } from 'coffer/bitcoin'
import type { ChainAdapter } from '../../src/chains/adapter.js'
import type { AccountRecord } from '../../src/wallet/accounts.js'
import { resolveRequest } from '../../src/wallet/requests.js'

const polygon = evm({ chain: 'eip155:137', rpcUrls: ['http://127.0.0.1:9'], retryCount: 0 })
const base = evm({ chain: 'eip155:8453', rpcUrls: ['http://127.0.0.1:9'], retryCount: 0 })
const adapters = new Map<`${string}:${string}`, ChainAdapter>([
  ['eip155:137', polygon],
  ['eip155:8453', base],
])
const ME = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94'
const accounts: AccountRecord[] = [
  { chainId: 'eip155:137', secretId: 'a'.repeat(16), index: 0, address: ME },
  { chainId: 'eip155:8453', secretId: 'a'.repeat(16), index: 0, address: ME },
]
const TO = '0x000000000000000000000000000000000000bEEF'

describe('resolveRequest', () => {
  it('finds assets by symbol, by family (USDT → USDT0 on Polygon), or by CAIP-19 id, and parses decimal amounts', async () => {
    const usdc = await resolveRequest({ to: TO, asset: 'USDC', amount: '12.5', chainId: 'eip155:137' }, adapters, accounts)
    expect([usdc.asset.symbol, usdc.amount]).toEqual(['USDC', 12_500_000n])
    const usdt = await resolveRequest({ from: `eip155:137:${ME}`, to: TO, asset: 'USDT', amount: 1n }, adapters, accounts)
    expect(usdt.asset.symbol).toBe('USDT0')
    const eth = await resolveRequest({ to: TO, asset: 'eip155:8453/slip44:60', amount: '0.01' }, adapters, accounts)
    expect([eth.adapter.chainId, eth.amount]).toEqual(['eip155:8453', 10n ** 16n])
    expect((await resolveRequest({ to: TO, asset: 'usdc.e', amount: 'max', chainId: 'eip155:137' }, adapters, accounts)).amount).toBe('max')
  })

  it('asks for the chain when the same address lives on several, and refuses mismatches and strangers', async () => {
    await expect(resolveRequest({ from: ME, to: TO, asset: 'USDC', amount: '1' }, adapters, accounts)).rejects.toThrow(
      /could go on eip155:137, eip155:8453/,
    )
    await expect(
      resolveRequest({ to: TO, asset: 'eip155:137/slip44:60', amount: '1', chainId: 'eip155:8453' }, adapters, accounts),
    ).rejects.toThrow(/asset is on eip155:137/)
    await expect(resolveRequest({ from: `eip155:137:${TO}`, to: TO, asset: 'USDC', amount: '1' }, adapters, accounts)).rejects.toThrow(
      /not an account of this wallet/,
    )
    await expect(
      resolveRequest({ to: TO, asset: 'USDC', amount: '1.0000001', chainId: 'eip155:137' }, adapters, accounts),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    await expect(resolveRequest({ to: TO, asset: 'USDC', chainId: 'eip155:137' }, adapters, accounts)).rejects.toThrow(/names no amount/)
    await expect(resolveRequest({ to: TO, asset: 'USDC', amount: 0n, chainId: 'eip155:137' }, adapters, accounts)).rejects.toThrow(
      /more than zero/,
    )
    await expect(resolveRequest({ to: TO, asset: 'XYZ', amount: '1', chainId: 'eip155:137' }, adapters, accounts)).rejects.toMatchObject({
      code: 'UNKNOWN_ASSET',
    })
  })

  it('infers the chain when exactly one has the asset and takes the recipient; otherwise lists the candidates', async () => {
    const btc = bitcoin({ network: 'mainnet', esploraUrl: 'http://127.0.0.1:9' })
    const mixed = new Map<`${string}:${string}`, ChainAdapter>([
      ['eip155:137', polygon],
      [btc.chainId, btc],
    ])
    const both: AccountRecord[] = [
      accounts[0]!,
      {
        chainId: btc.chainId,
        secretId: 'a'.repeat(16),
        index: 0,
        address:
          'wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)',
      },
    ]
    // USDT lives on Polygon only, and the recipient is an EVM address: Polygon.
    const usdt = await resolveRequest({ to: TO, asset: 'USDT', amount: '5' }, mixed, both)
    expect([usdt.adapter.chainId, usdt.asset.symbol]).toEqual(['eip155:137', 'USDT0'])
    // BTC to a bech32 address: Bitcoin.
    const coins = await resolveRequest({ to: 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', asset: 'BTC', amount: '0.001' }, mixed, both)
    expect([coins.adapter.chainId, coins.amount]).toEqual([btc.chainId, 100_000n])
    // Two chains have USDC and take the address: the error lists them.
    const error = await resolveRequest({ to: TO, asset: 'USDC', amount: '1' }, adapters, accounts).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { candidates: 'eip155:137,eip155:8453' } })
    // A recipient no chain with the asset accepts: said so, with the chains that have it.
    await expect(
      resolveRequest({ to: 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', asset: 'USDT', amount: '1' }, mixed, both),
    ).rejects.toThrow(/not a valid address on any chain of this wallet that has USDT \(eip155:137\)/)
    // An asset nobody has: "Which chain?" with the chains the wallet serves.
    await expect(resolveRequest({ to: TO, asset: 'XYZ', amount: '1' }, mixed, both)).rejects.toMatchObject({
      details: { candidates: `eip155:137,${btc.chainId}` },
    })
  })

  it('an unknown asset lists what the chain knows, and says matching ignores case', async () => {
    const error = await resolveRequest({ to: TO, asset: 'XYZ', amount: '1', chainId: 'eip155:137' }, adapters, accounts).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'UNKNOWN_ASSET' })
    expect((error as Error).message).toMatch(/it knows POL, USDC, .*USDT0/)
    expect((error as Error).message).toMatch(/without regard to case/)
  })
})
