/**
 * The EVM adapter's public calls, fed hostile values in every argument: only CofferErrors
 * come out (never a TypeError or a raw viem error), and nothing reaches the node for input
 * that is rejected at the boundary.
 */
import { describe, expect, it } from 'vitest'
import { CofferError } from 'coffer'
import { expectOnlyCofferErrors, HOSTILE } from '../../support/hostile.js'
import { evm, signEvmTransaction, toSerializable, toViemAccount, signMessage, signTypedData } from 'coffer/evm'
import { localAdapter, vaultSigners } from './helpers.js'

describe('EVM adapter bad input', () => {
  it('evm() options', async () => {
    await expectOnlyCofferErrors('evm', (o) => evm(o as never), [{ chain: 'eip155:31337', rpcUrls: ['http://127.0.0.1:8545'] }])
    for (const options of [
      { chain: 'eip155:31337', rpcUrls: [] },
      { chain: 'eip155:31337', rpcUrls: ['ftp://x'] },
      { chain: 'bip122:000000000019d6689c085ae165831e93', rpcUrls: ['http://x'] },
      { chain: 'eip155:999999999', rpcUrls: ['http://x'] },
      { chain: 'eip155:1', rpcUrls: ['http://x'], tokens: [{ address: '0x12' }] },
      { chain: 'eip155:1', rpcUrls: ['http://x'], tokens: [{ address: '0xdAC17F958D2ee523a2206206994597C13D831ec7', decimals: 300 }] },
      { chain: 'eip155:1', rpcUrls: ['http://x'], timeoutMs: -5 },
    ]) {
      expect(() => evm(options as never)).toThrow(CofferError)
    }
  })

  it('adapter calls', async () => {
    const adapter = localAdapter()
    const { signers } = await vaultSigners(1)
    const signer = signers[0]!
    const from = signer.address
    const request = { from, to: from, asset: adapter.nativeAsset, amount: 1n }
    await expectOnlyCofferErrors('getBalances', (p) => adapter.getBalances(p as never), [{ addresses: [from] }])
    await expectOnlyCofferErrors('quoteTransfer', (r) => adapter.quoteTransfer(r as never), [request])
    for (const key of Object.keys(request)) {
      for (const bad of HOSTILE) {
        await expect(adapter.quoteTransfer({ ...request, [key]: bad } as never)).rejects.toBeInstanceOf(CofferError)
      }
    }
    await expectOnlyCofferErrors('buildTransfer', (q) => adapter.buildTransfer(q as never), [{}])
    await expectOnlyCofferErrors('broadcast', (s) => adapter.broadcast(s as never), [
      { chainId: 'eip155:31337', kind: 'evm-eip1559', from, hash: '0x', raw: '0x00' },
    ])
    await expectOnlyCofferErrors('getTransaction', (h) => adapter.getTransaction(h as never), [`0x${'00'.repeat(32)}`])
    await expectOnlyCofferErrors('waitForTransaction', (h, o) => adapter.waitForTransaction(h as never, o as never), [
      `0x${'00'.repeat(32)}`,
      { timeoutMs: 10, pollIntervalMs: 5 },
    ])
    await expectOnlyCofferErrors('getHistory', (a, o) => adapter.getHistory(a as never, o as never), [from, { limit: 1 }])
    await expectOnlyCofferErrors('speedUp', (h, s) => adapter.speedUp(h as never, s as never), [`0x${'11'.repeat(32)}`, signer])
    await expectOnlyCofferErrors('signPermit', (s, p) => adapter.signPermit(s as never, p as never), [
      signer,
      { token: '0x', spender: from, value: 1n },
    ])
  })

  it('offline helpers', async () => {
    const { signers } = await vaultSigners(1)
    const signer = signers[0]!
    await expectOnlyCofferErrors('toSerializable', (p) => toSerializable(p), [{}])
    await expectOnlyCofferErrors('signEvmTransaction', (u, s) => signEvmTransaction(u as never, s as never), [
      { kind: 'evm-eip1559' },
      signer,
    ])
    await expectOnlyCofferErrors('signMessage', (s, m) => signMessage(s as never, m as never), [signer, 'hello'])
    await expectOnlyCofferErrors('signTypedData', (s, t) => signTypedData(s as never, t as never), [signer, {}])
    await expectOnlyCofferErrors('toViemAccount', (s) => toViemAccount(s as never), [signer])
  })
})
