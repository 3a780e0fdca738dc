/**
 * The wallet on Bitcoin behind a faulty Esplora (the checking test node with its fault layer):
 * an Esplora that answers 502 after accepting a transaction leaves the payment "maybe sent" —
 * counted against the limit, journaled with its txid, settled later by reconcile — and a
 * server lying about a coin's value makes the wallet sign nothing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BroadcastUnknownError, Wallet } from 'coffer'
import { bitcoin } from 'coffer/bitcoin'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { memoryStorage } from 'coffer/vault'
import { startEsplora, type EsploraServer } from '../support/esplora-server.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const POST_TX = { method: 'POST', path: /^\/tx$/ } as const
const GET_TX = { method: 'GET', path: /^\/tx\/[0-9a-f]{64}$/ } as const

let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})

async function walletOnRegtest() {
  const server = await startEsplora({ network: 'regtest' })
  servers.push(server)
  const chain = bitcoin({ network: 'regtest', esploraUrl: server.url, esplora: { retryCount: 1, timeoutMs: 1_000 } })
  const wallet = await Wallet.create({
    storage: memoryStorage(),
    password: 'pw',
    kdf: FAST_KDF,
    chains: [chain],
    mnemonic: ABANDON,
    policy: { limits: [{ asset: 'BTC', perWindow: '0.0005' }] },
  })
  const account = wallet.accounts()[0]!
  const receive = deriveAccounts(await mnemonicToSeed(ABANDON), { chain: 'bitcoin', network: 'regtest', count: 1 })[0]!.address
  const coin = await server.fund(receive, 100_000n)
  const to = deriveAccounts(await mnemonicToSeed(ABANDON), { chain: 'bitcoin', network: 'regtest', account: 7, count: 1 })[0]!.address
  return { server, chain, wallet, account, coin, to, receive }
}

/** What the server holds that fund() did not make: what actually moved money. */
const spends = (server: EsploraServer) => server.transactions().filter((t) => !t.synthetic)

describe('Bitcoin payments through the wallet', () => {
  it('Esplora answers 502 after accepting: the payment stays counted, journaled unknown with its txid, and reconcile confirms it', async () => {
    const { server, wallet, to, receive } = await walletOnRegtest()
    server.addFault({ ...POST_TX, when: 'after', fault: { status: 502, body: 'Bad Gateway' } })
    const lookups = server.addFault({ ...GET_TX, fault: { status: 503, body: 'unavailable' } })
    const error = await wallet.send(await wallet.quote({ to, asset: 'BTC', amount: '0.0003' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const txid = (error as BroadcastUnknownError).transaction.hash
    // Exactly one transaction moved the coin: the one whose txid the error carries.
    expect(spends(server).map((t) => t.txid)).toEqual([txid])
    expect(server.utxos(to).reduce((sum, u) => sum + u.value, 0n)).toBe(30_000n)
    const entries = await wallet.journal.entries()
    expect(entries.map((e) => e.status)).toEqual(['intent', 'signed', 'unknown'])
    expect(entries.at(-1)).toMatchObject({ hash: txid, amount: '30000' })
    // Still counted: 0.0003 + 0.0003 would pass 0.0005 (a second confirmed coin pays for it).
    await server.fund(receive, 100_000n)
    await expect(wallet.send(await wallet.quote({ to, asset: 'BTC', amount: '0.0003' }))).rejects.toMatchObject({
      details: { rule: 'perWindow', spent: '0.0003' },
    })
    expect(spends(server)).toHaveLength(1)
    // The server heals: reconcile finds it, and it keeps counting.
    server.clearFaults()
    lookups()
    server.mine()
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash: txid, status: 'confirmed' })])
    await expect(wallet.send(await wallet.quote({ to, asset: 'BTC', amount: '0.0003' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
  })

  it('a server understating a coin: DataIntegrityError, nothing signed or broadcast, the limit is free again', async () => {
    const { server, wallet, to, coin } = await walletOnRegtest()
    // From now on the server says the coin holds 40,000 sat instead of 100,000 (a fee of 60,000 would hide there).
    server.setRewrite(({ path }, { body }) => (/\/utxo$/.test(path) ? body.replace('"value":100000', '"value":40000') : undefined))
    const lied = await wallet.quote({ to, asset: 'BTC', amount: '0.0003' })
    expect(lied.fee.amount).toBeLessThan(10_000n)
    expect(coin.vout).toBe(0)
    await expect(wallet.send(lied)).rejects.toMatchObject({ code: 'DATA_INTEGRITY' })
    expect(server.broadcasts).toHaveLength(0)
    expect((await wallet.journal.entries()).map((e) => e.status)).toEqual(['intent', 'rejected'])
    // Nothing went out, so nothing counts: an honest payment of 0.0005 passes.
    server.setRewrite(undefined)
    await wallet.send(await wallet.quote({ to, asset: 'BTC', amount: '0.0005' }))
    expect(server.utxos(to).reduce((sum, u) => sum + u.value, 0n)).toBe(50_000n)
  })
})
