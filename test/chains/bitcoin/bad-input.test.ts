/** The Bitcoin adapter's public calls, fed hostile values in every argument: only CofferErrors come out. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CofferError } from 'coffer'
import { expectOnlyCofferErrors, HOSTILE } from '../../support/hostile.js'
import { bitcoin, InvalidArgumentError, psbtFromBase64, selectCoins, txVsize } from 'coffer/bitcoin'
import type { EsploraServer } from '../../support/esplora-server.js'
import { regtest, vaultWith } from './helpers.js'

let server: EsploraServer
let adapter: ReturnType<typeof bitcoin>
beforeAll(async () => {
  ;({ server, adapter } = await regtest())
})
afterAll(() => server.stop())

describe('Bitcoin adapter bad input', () => {
  it('every call', async () => {
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    const to = account.child(0, 1).address
    await expectOnlyCofferErrors('bitcoin()', (o) => bitcoin(o as never), [{ network: 'regtest', esploraUrl: server.url }])
    await expectOnlyCofferErrors('getBalances', (p) => adapter.getBalances(p as never), [{ addresses: [to] }])
    await expectOnlyCofferErrors('quoteTransfer', (r) => adapter.quoteTransfer(r as never), [
      { from: account.descriptor, to, asset: adapter.nativeAsset, amount: 1_000n },
    ])
    for (const key of ['from', 'to', 'asset', 'amount', 'feeLevel']) {
      for (const bad of HOSTILE) {
        try {
          await adapter.quoteTransfer({ from: account.descriptor, to, asset: adapter.nativeAsset, amount: 1_000n, [key]: bad } as never)
        } catch (error) {
          if (!(error instanceof CofferError)) throw new Error(`quoteTransfer ${key}=${typeof bad} threw ${String(error)}`)
        }
      }
    }
    await expectOnlyCofferErrors('buildTransfer', (q) => adapter.buildTransfer(q as never), [{}])
    await expectOnlyCofferErrors('signTransaction', (u, s) => adapter.signTransaction(u as never, s as never), [
      { kind: 'bitcoin-psbt', payload: { psbt: 'x' } },
      account,
    ])
    await expectOnlyCofferErrors('signPsbt', (p, s) => adapter.signPsbt(p as never, s as never), ['cHNidP8=', account])
    await expectOnlyCofferErrors('finalizePsbt', (p) => adapter.finalizePsbt(p as never), ['cHNidP8='])
    await expectOnlyCofferErrors('broadcast', (s) => adapter.broadcast(s as never), [{ chainId: adapter.chainId, raw: '00' }])
    await expectOnlyCofferErrors('getTransaction', (t) => adapter.getTransaction(t as never), ['00'.repeat(32)])
    await expectOnlyCofferErrors('waitForTransaction', (t, o) => adapter.waitForTransaction(t as never, o as never), [
      '00'.repeat(32),
      { timeoutMs: 5, pollIntervalMs: 1 },
    ])
    await expectOnlyCofferErrors('getHistory', (a, o) => adapter.getHistory(a as never, o as never), [to, { limit: 1 }])
    await expectOnlyCofferErrors('discoverAccount', (a, o) => adapter.discoverAccount(a as never, o as never), [
      account.descriptor,
      { gapLimit: 2 },
    ])
    await expectOnlyCofferErrors('speedUp', (t, s) => adapter.speedUp(t as never, s as never), ['11'.repeat(32), account])
    await expectOnlyCofferErrors('account', (x, o) => adapter.account(x as never, o as never), [account.accountXpub, {}])
    await expectOnlyCofferErrors('selectCoins', (p) => selectCoins(p as never), [
      { utxos: [], target: 1n, feeRate: 1n, outputs: ['p2wpkh'], changeType: 'p2wpkh' },
    ])
    await expectOnlyCofferErrors('txVsize', (s) => txVsize(s as never), [{ inputs: ['p2wpkh'], outputs: ['p2wpkh'] }])
    await expectOnlyCofferErrors('psbtFromBase64', (p) => psbtFromBase64(p as never), ['cHNidP8='])
  }, 120_000)

  it('new options are validated when the adapter is made', () => {
    const base = { network: 'regtest', esploraUrl: server.url } as const
    for (const bad of [
      { deadlineMs: 0 },
      { deadlineMs: 3_600_001 },
      { deadlineMs: '60000' },
      { maxFeeRate: 1000 },
      { maxFeeRate: 0n },
      { maxFeeRate: 100_001n },
      { maxFeeRateRatio: 0 },
      { maxFeeRateRatio: 2.5 },
      { maxDiscoveryAddresses: 1 },
      { maxDiscoveryAddresses: 1e9 },
      { rebroadcastCount: -1 },
      { rebroadcastCount: 11 },
      { esplora: { maxRetryAfterMs: -1 } },
      { esplora: { timeoutMs: 0 } },
      { esplora: { retryCount: 1.5 } },
      { esplora: { concurrency: 0 } },
    ]) {
      expect(
        () => bitcoin({ ...base, ...(bad as object) }),
        JSON.stringify(bad, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toThrow(InvalidArgumentError)
    }
    expect(
      bitcoin({
        ...base,
        deadlineMs: 1,
        maxFeeRate: 1n,
        maxFeeRateRatio: 1,
        maxDiscoveryAddresses: 2,
        rebroadcastCount: 0,
        esplora: { maxRetryAfterMs: 0 },
      }).chainId,
    ).toBe(adapter.chainId)
  })
})
