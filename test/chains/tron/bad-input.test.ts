/** The Tron adapter's public calls, fed hostile values in every argument: only CofferErrors come out. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CofferError } from 'coffer'
import { InvalidArgumentError, tron, type TronAdapter } from 'coffer/tron'
import type { Secp256k1Signer } from 'coffer/keys'
import { expectOnlyCofferErrors, HOSTILE } from '../../support/hostile.js'
import { startTronServer, type TronServer } from '../../support/tron-server.js'
import { localTronAdapter, tronSigners } from './helpers.js'

let server: TronServer
let adapter: TronAdapter
let signers: Secp256k1Signer[]
beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  adapter = localTronAdapter(server)
  signers = await tronSigners(2)
  await server.sendTrx(signers[0]!.address, 50_000_000n)
  await server.mine()
}, 120_000)
afterAll(() => server?.stop())

describe('Tron adapter bad input', () => {
  it('every call', async () => {
    const [from, to] = [signers[0]!.address, signers[1]!.address]
    const signer = signers[0]!
    const txID = '00'.repeat(32)
    await expectOnlyCofferErrors('tron()', (o) => tron(o as never), [{ chain: adapter.chainId, apiUrls: [server.url] }])
    await expectOnlyCofferErrors('getBalances', (p) => adapter.getBalances(p as never), [{ addresses: [from] }])
    await expectOnlyCofferErrors('quoteTransfer', (r) => adapter.quoteTransfer(r as never), [
      { from, to, asset: adapter.nativeAsset, amount: 1_000n },
    ])
    for (const key of ['from', 'to', 'asset', 'amount', 'feeLevel', 'memo', 'references']) {
      for (const bad of HOSTILE) {
        try {
          await adapter.quoteTransfer({ from, to, asset: adapter.nativeAsset, amount: 1_000n, [key]: bad } as never)
        } catch (error) {
          if (!(error instanceof CofferError)) throw new Error(`quoteTransfer ${key}=${typeof bad} threw ${String(error)}`)
        }
      }
    }
    const quote = await adapter.quoteTransfer({ from, to, asset: adapter.nativeAsset, amount: 1_000n })
    await expectOnlyCofferErrors('buildTransfer', (q, o) => adapter.buildTransfer(q as never, o as never), [quote, {}])
    for (const key of ['chainId', 'from', 'to', 'asset', 'amount', 'fee', 'details']) {
      for (const bad of HOSTILE) {
        try {
          await adapter.buildTransfer({ ...quote, [key]: bad } as never)
        } catch (error) {
          if (!(error instanceof CofferError)) throw new Error(`buildTransfer ${key}=${typeof bad} threw ${String(error)}`)
        }
      }
    }
    const unsigned = await adapter.buildTransfer(quote)
    await expectOnlyCofferErrors('signTransaction', (u, s) => adapter.signTransaction(u as never, s as never), [unsigned, signer])
    for (const key of ['chainId', 'kind', 'from', 'summary', 'payload']) {
      for (const bad of HOSTILE) {
        try {
          await adapter.signTransaction({ ...unsigned, [key]: bad } as never, signer)
        } catch (error) {
          if (!(error instanceof CofferError)) throw new Error(`signTransaction ${key}=${typeof bad} threw ${String(error)}`)
        }
      }
    }
    await expectOnlyCofferErrors('broadcast', (s) => adapter.broadcast(s as never), [
      { chainId: adapter.chainId, kind: 'tron-v1', raw: '00', hash: txID },
    ])
    await expectOnlyCofferErrors('getTransaction', (t) => adapter.getTransaction(t as never), [txID])
    // A confirmed transaction: waiting on it returns at once whatever the (default) options.
    const paid = await adapter.sendTransfer(quote, signer)
    await server.mine()
    await expectOnlyCofferErrors('waitForTransaction', (t, o) => adapter.waitForTransaction(t as never, o as never), [
      paid,
      { timeoutMs: 5, pollIntervalMs: 1 },
    ])
    await expectOnlyCofferErrors('getHistory', (a, o) => adapter.getHistory(a as never, o as never), [from, { limit: 1 }])
    await expectOnlyCofferErrors('getTransfers', (p) => adapter.getTransfers(p as never), [{ addresses: [from], fromBlock: 1, toBlock: 2 }])
    await expectOnlyCofferErrors('blockAt', (h) => adapter.blockAt(h as never), [1])
    await expectOnlyCofferErrors('signMessage', (s, m) => adapter.signMessage(s as never, m as never), [signer, 'hello'])
    await expectOnlyCofferErrors('replaceTransaction', (t, s) => adapter.replaceTransaction(t as never, s as never), [txID, signer])
  }, 120_000)

  it('options are validated when the adapter is made, and the API key never appears in an error', () => {
    const base = { chain: adapter.chainId, apiUrls: [server.url] } as const
    for (const bad of [
      { deadlineMs: 0 },
      { deadlineMs: '60000' },
      { expirationMs: 2_999 },
      { expirationMs: 86_100_001 },
      { network: 'mainnet' },
      { network: 'moon' },
      { apiUrls: [] },
      { apiUrls: ['ftp://x'] },
      { tokens: [{ address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', symbol: 'USDT', decimals: 19 }] },
      { tokens: [{ address: '0xdac17f958d2ee523a2206206994597c13d831ec7', symbol: 'USDT', decimals: 6 }] },
      { http: { timeoutMs: 0 } },
      { http: { apiKey: 'k' } },
      { chain: 'tron:0x2b6653' },
    ])
      expect(() => tron({ ...base, ...bad } as never), JSON.stringify(bad)).toThrow(CofferError)
    const secret = 'sk_live_\u0001never-shown'
    try {
      tron({ ...base, apiKey: secret })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(JSON.stringify(error) + String(error)).not.toContain('never-shown')
    }
  })
})
