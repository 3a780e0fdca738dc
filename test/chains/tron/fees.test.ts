// The fee arithmetic (java-tron's BandwidthProcessor / energy limit rules) and the strict readers of
// getchainparameters, getaccountresource and gettransactioninfobyid, without a server.
import { describe, expect, it } from 'vitest'
import { DataIntegrityError, RpcError } from '../../../src/core/errors.js'
import type { TronClient } from '../../../src/chains/tron/client.js'
import { readTronFeeParameters, readTronResources, tronTransferCost } from '../../../src/chains/tron/fees.js'
import { readTronStatus } from '../../../src/chains/tron/status.js'

const MAINNET = [
  { key: 'getCreateAccountFee', value: 100_000 },
  { key: 'getTransactionFee', value: 1_000 },
  { key: 'getCreateNewAccountFeeInSystemContract', value: 1_000_000 },
  { key: 'getEnergyFee', value: 100 },
  { key: 'getFreeNetLimit', value: 600 },
  { key: 'getMaxFeeLimit', value: 15_000_000_000 },
  { key: 'getAllowTvmCancun', value: 1 },
]
const params = readTronFeeParameters({ chainParameter: MAINNET })
const none = { freeNetLeft: 0n, netLeft: 0n, energyLeft: 0n }

describe('fees', () => {
  it('reads the chain parameters strictly', () => {
    expect(params).toEqual({
      energyFee: 100n,
      transactionFee: 1_000n,
      createAccountFee: 100_000n,
      createNewAccountFeeInSystemContract: 1_000_000n,
      freeNetLimit: 600n,
      maxFeeLimit: 15_000_000_000n,
    })
    expect(() => readTronFeeParameters({ chainParameter: MAINNET.filter((p) => p.key !== 'getEnergyFee') })).toThrow(DataIntegrityError)
    expect(() => readTronFeeParameters({ chainParameter: [...MAINNET, MAINNET[0]] })).toThrow(DataIntegrityError)
    expect(() => readTronFeeParameters({ chainParameter: [{ key: 'getEnergyFee', value: -1 }] })).toThrow(RpcError)
    expect(() => readTronFeeParameters({})).toThrow(RpcError)
  })

  it('reads resources with zeros omitted', () => {
    expect(readTronResources({})).toEqual(none)
    expect(readTronResources({ freeNetLimit: 600, freeNetUsed: 345, NetLimit: 10, EnergyLimit: 5, EnergyUsed: 9 })).toEqual({
      freeNetLeft: 255n,
      netLeft: 10n,
      energyLeft: 0n,
    })
    expect(() => readTronResources({ EnergyLimit: '5' })).toThrow(RpcError)
  })

  it('bandwidth is covered whole or burned whole; a new account pays activation instead of the bandwidth', () => {
    const burn = tronTransferCost({ params, resources: { ...none, freeNetLeft: 300n }, signedSize: 281, energy: 0n, createsAccount: false })
    expect(burn).toMatchObject({
      bandwidthNeeded: 345n,
      bandwidthCovered: 0n,
      bandwidthBurn: 345_000n,
      maxFee: 345_000n,
      expectedFee: 345_000n,
    })
    const free = tronTransferCost({ params, resources: { ...none, freeNetLeft: 600n }, signedSize: 281, energy: 0n, createsAccount: false })
    // Covered now, but another transaction may use the free bytes first: the most it can cost still counts them burned.
    expect(free).toMatchObject({ bandwidthCovered: 345n, bandwidthBurn: 0n, maxFee: 345_000n, expectedFee: 0n })
    const create = tronTransferCost({
      params,
      resources: { ...none, freeNetLeft: 600n },
      signedSize: 200,
      energy: 0n,
      createsAccount: true,
    })
    expect(create).toMatchObject({ bandwidthBurn: 0n, activationFee: 1_100_000n, maxFee: 1_100_000n })
    const staked = tronTransferCost({ params, resources: { ...none, netLeft: 1_000n }, signedSize: 200, energy: 0n, createsAccount: true })
    // Staked bandwidth covers it now; if it is gone when the transaction lands, the account-creation fee replaces it.
    expect(staked).toMatchObject({ bandwidthCovered: 264n, activationFee: 1_000_000n, expectedFee: 1_000_000n, maxFee: 1_100_000n })
  })

  it('energy: stake covers first, fee_limit is ceil(energy × 1.2) × energyFee, capped', () => {
    const c = tronTransferCost({
      params,
      resources: { ...none, freeNetLeft: 600n, energyLeft: 10_000n },
      signedSize: 281,
      energy: 14_651n,
      createsAccount: false,
    })
    expect(c).toMatchObject({
      energyCovered: 10_000n,
      energyBurn: 465_100n,
      feeLimit: 1_758_200n,
      maxFee: 1_758_200n + 345_000n,
      expectedFee: 465_100n,
    })
    expect(c.maxBurn).toBe((17_582n - 10_000n) * 100n)
    const huge = tronTransferCost({ params, resources: none, signedSize: 281, energy: 200_000_000n, createsAccount: false })
    expect(huge.feeLimit).toBe(15_000_000_000n)
  })
})

describe('status readers', () => {
  const fake = (answers: Record<string, unknown>): TronClient => ({
    urls: ['http://x'],
    requests: 0,
    post: async <T>(path: string) => answers[path] as T,
    get: async () => {
      throw new Error('no')
    },
    send: async () => {
      throw new Error('no')
    },
  })
  const head = {
    blockID: '0000000000000064' + 'ab'.repeat(24),
    block_header: { raw_data: { number: 100, timestamp: 1_700_000_000_000, parentHash: 'cd'.repeat(32) } },
  }
  const hash = 'ef'.repeat(32)

  it('an info for another transaction is a DataIntegrityError', async () => {
    const client = fake({
      '/wallet/getnowblock': head,
      '/wallet/gettransactioninfobyid': { id: '01'.repeat(32), blockNumber: 99, fee: 1 },
      '/walletsolidity/gettransactioninfobyid': {},
    })
    await expect(readTronStatus(client, hash, { nativeAsset: 'tron:0x00000000/slip44:195' as never })).rejects.toThrow(DataIntegrityError)
  })

  it('a transaction the node knows by id (not yet with its info) is pending even past its recorded expiration', async () => {
    const client = fake({
      '/wallet/getnowblock': head,
      '/wallet/gettransactioninfobyid': {},
      '/walletsolidity/gettransactioninfobyid': {},
      '/wallet/gettransactionbyid': { txID: hash },
    })
    expect(await readTronStatus(client, hash, { nativeAsset: 'tron:0x00000000/slip44:195' as never, record: { expiration: 1 } })).toEqual({
      hash,
      state: 'pending',
      confirmations: 0,
    })
  })
})
