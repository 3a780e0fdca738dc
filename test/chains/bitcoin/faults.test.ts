/**
 * The Bitcoin adapter against a faulty Esplora (the checking test node with its fault layer):
 * broadcasts whose answer is lost stay "maybe sent" and are settled by txid (money-safety rule
 * 8), and every wait a server can impose is bounded — Retry-After, the overall call deadline,
 * account discovery (rule 11). Assertions are on the server's state: what is in its mempool and
 * UTXO set, which broadcasts it accepted, how many requests it received.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import {
  bitcoin,
  BroadcastUnknownError,
  DeadlineExceededError,
  DiscoveryLimitError,
  InvalidArgumentError,
  RpcError,
  TransactionRejectedError,
  type BitcoinAdapterOptions,
  type BitcoinBackend,
} from 'coffer/bitcoin'
import type { AccountSigner } from 'coffer/vault'
import type { EsploraServer } from '../../support/esplora-server.js'
import { ABANDON, regtest, vaultWith } from './helpers.js'

const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
const POST_TX = { method: 'POST', path: /^\/tx$/ } as const
const GET_TX = { method: 'GET', path: /^\/tx\/[0-9a-f]{64}$/ } as const

let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})

let seed: Uint8Array
let account: AccountSigner
beforeAll(async () => {
  seed = await mnemonicToSeed(ABANDON)
  const { vault, id } = await vaultWith()
  account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
})
const receive = (index: number) => account.child(0, index).address
const stranger = () => deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', account: 7, count: 1 })[0]!.address

/** A server with 100,000 sat on the account's first receive address, an adapter on it, and a quote paying 30,000 to a stranger. */
async function funded(options: Omit<BitcoinAdapterOptions, 'network' | 'esploraUrl'> = {}) {
  const r = await regtest({ esplora: { retryCount: 1 }, ...options })
  servers.push(r.server)
  const coin = await r.server.fund(receive(0), 100_000n)
  const to = stranger()
  const quote = await r.adapter.quoteTransfer({ from: account.descriptor, to, asset: BTC, amount: 30_000n })
  return { ...r, coin, to, quote }
}

/** Transactions the server holds that were not made by fund(): what actually moved money. */
const spends = (server: EsploraServer) => server.transactions().filter((t) => !t.synthetic)

describe('a broadcast whose answer is lost is maybe sent, never "rejected"', () => {
  it.each([
    ['accept-then-502', { status: 502, body: 'Bad Gateway' }],
    ['accept-then-500', { status: 500, body: 'Internal Server Error' }],
    ['accept-then-timeout', 'hang'],
    ['connection reset after accept', 'reset'],
  ] as const)(
    '%s, lookups failing too: BroadcastUnknownError with the txid; one tx moved the funds; journalled, found later, sped up',
    async (_name, fault) => {
      // The client gives up on a request after 1 s (the hung broadcast); reads are retried twice.
      const { server, adapter, coin, to, quote } = await funded({ esplora: { retryCount: 2, timeoutMs: 1_000 } })
      server.addFault({ ...POST_TX, when: 'after', fault })
      server.addFault({ ...GET_TX, fault: { status: 503, body: 'unavailable' } })
      const error = await adapter.sendTransfer(quote, account).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(BroadcastUnknownError)
      const { transaction } = error as BroadcastUnknownError
      // Exactly one transaction moved the funds, and it is the one the error carries.
      expect(spends(server).map((t) => t.txid)).toEqual([transaction.hash])
      expect(spends(server)[0]!.hex).toBe(transaction.raw)
      expect(transaction).toMatchObject({ chainId: adapter.chainId, kind: 'bitcoin-psbt', from: account.descriptor })
      expect(server.utxos(to)).toMatchObject([{ txid: transaction.hash, value: 30_000n }])
      expect(server.utxos(receive(0)).some((u) => u.txid === coin.txid)).toBe(false)
      // Every attempt sent the same bytes (1 + 3 re-broadcasts), never a second signature.
      expect(server.broadcasts.map((b) => b.hex)).toEqual(Array(4).fill(transaction.raw))
      server.clearFaults()
      expect(await adapter.getTransaction(transaction.hash)).toMatchObject({ state: 'pending', fee: { amount: quote.fee.amount } })
      // The send is in the journal: it can be sped up like any other.
      const bumped = await adapter.speedUp(transaction.hash, account)
      expect(server.broadcasts.at(-1)).toMatchObject({ accepted: true, txid: bumped, replaced: [transaction.hash] })
    },
  )

  it('accept-then-502 with honest lookups: the txid is found, the send succeeds with one transaction', async () => {
    const { server, adapter, to, quote } = await funded()
    server.addFault({ ...POST_TX, when: 'after', fault: { status: 502 } })
    const txid = await adapter.sendTransfer(quote, account)
    expect(spends(server).map((t) => t.txid)).toEqual([txid])
    expect(server.broadcasts).toHaveLength(1)
    expect(server.requestLog).toContain(`GET /tx/${txid}`)
    expect(server.utxos(to)).toMatchObject([{ txid, value: 30_000n }])
  })

  it('an unreadable 200 answer after accepting is settled by the lookup; a re-broadcast of a confirmed tx ("already in block chain") is a success', async () => {
    const { server, adapter, quote } = await funded()
    server.addFault({ ...POST_TX, when: 'after', fault: { status: 200, body: '<html>upstream says hi</html>' }, times: 1 })
    const signed = await adapter.signTransaction(await adapter.buildTransfer(quote), account)
    expect(await adapter.broadcast(signed)).toBe(signed.hash)
    server.mine()
    expect(await adapter.broadcast(signed)).toBe(signed.hash)
    expect(server.broadcasts.at(-1)).toMatchObject({ accepted: false, reason: 'Transaction already in block chain' })
    expect(spends(server).map((t) => [t.txid, t.height])).toEqual([[signed.hash, server.tipHeight]])
  })

  it('an explicit refusal (400 sendrawtransaction RPC error) is TransactionRejectedError: sent once, not journalled', async () => {
    const { server, adapter, quote } = await funded()
    server.rejectNext('bad-txns-inputs-missingorspent')
    const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransactionRejectedError)
    expect((error as TransactionRejectedError).details).toMatchObject({ status: 400, code: -26, reason: 'bad-txns-inputs-missingorspent' })
    expect(server.broadcasts).toHaveLength(1)
    expect(spends(server)).toEqual([])
    await expect(adapter.speedUp(server.broadcasts[0]!.txid!, account)).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('a refusal after a lost answer does not prove "not sent": the outcome stays unknown', async () => {
    const { server, adapter, quote } = await funded()
    server.addFault({ ...POST_TX, fault: { status: 502 }, times: 1 })
    for (let i = 0; i < 3; i++) server.rejectNext('txn-mempool-conflict')
    const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    expect(server.faultLog).toEqual(['POST /tx → 502'])
    expect(server.broadcasts.map((b) => b.accepted)).toEqual([false, false, false])
    expect(spends(server)).toEqual([])
  })

  it('"non-final" is not "not sent": a server lying about the tip makes a lock time the node refuses today and takes later', async () => {
    const { server, adapter } = await funded()
    const tip = server.tipHeight
    server.setRewrite(({ path }) => (path === '/blocks/tip/height' ? String(tip + 200) : undefined))
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 30_000n })
    server.clearFaults()
    const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    expect(server.broadcasts.every((b) => !b.accepted && /non-final/.test(b.reason!))).toBe(true)
    expect(spends(server)).toEqual([])
    // The signed bytes are valid once the chain reaches their lock time: that payment can still happen.
    server.mine(200)
    const { transaction } = error as BroadcastUnknownError
    expect(
      await adapter.broadcast({
        chainId: adapter.chainId,
        kind: transaction.kind,
        from: transaction.from,
        hash: transaction.hash,
        raw: transaction.raw,
      }),
    ).toBe(transaction.hash)
    expect(spends(server).map((t) => t.txid)).toEqual([transaction.hash])
  })

  it('a 400 that is not a node refusal (a proxy page) leaves the outcome unknown', async () => {
    const { server, adapter, quote } = await funded()
    server.addFault({ ...POST_TX, fault: { status: 400, body: '<html>Bad Request</html>' } })
    server.addFault({ ...GET_TX, fault: { status: 404 } })
    const error = await adapter.sendTransfer(quote, account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    expect(spends(server)).toEqual([]) // it never reached the node, but coffer cannot know that
    expect(server.faultLog.filter((f) => f.startsWith('POST'))).toHaveLength(4)
  })
})

describe('every wait a server sets is bounded', () => {
  it('Retry-After: 3600 waits at most maxRetryAfterMs, then the call succeeds once the 429s stop', async () => {
    const { server, adapter } = await funded({ esplora: { maxRetryAfterMs: 50, retryCount: 3 } })
    server.resetRequests()
    server.addFault({ path: /^\/fee-estimates$/, fault: { status: 429, headers: { 'retry-after': '3600' } }, times: 2 })
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 10_000n })
    expect(quote.amount).toBe(10_000n)
    expect(server.requestLog.filter((r) => r === 'GET /fee-estimates')).toHaveLength(3)
    expect(server.faultLog).toEqual(['GET /fee-estimates → 429', 'GET /fee-estimates → 429'])
  })

  it('Retry-After as an HTTP date far ahead, forever: RpcError after the retries, each wait capped', async () => {
    const { server, adapter } = await funded({ esplora: { maxRetryAfterMs: 20, retryCount: 2 } })
    server.resetRequests()
    server.addFault({
      path: /^\/fee-estimates$/,
      fault: { status: 429, headers: { 'retry-after': new Date(Date.now() + 86_400_000).toUTCString() } },
    })
    await expect(adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 10_000n })).rejects.toBeInstanceOf(
      RpcError,
    )
    expect(server.requestLog.filter((r) => r === 'GET /fee-estimates')).toHaveLength(3)
  })

  /** An adapter on the same server that waits for nothing longer than 300 ms per call (and 60 s per request). */
  const impatient = (server: EsploraServer) =>
    bitcoin({ network: 'regtest', esploraUrl: server.url, deadlineMs: 300, esplora: { timeoutMs: 60_000, retryCount: 3 } })

  it('a server that never answers: every network call ends at deadlineMs with DeadlineExceededError; nothing is signed or sent', async () => {
    const { server, adapter: patient, quote } = await funded()
    const signed = await patient.signTransaction(await patient.buildTransfer(quote), account)
    const adapter = impatient(server)
    server.addFault({ fault: 'hang' })
    const calls: [string, () => Promise<unknown>][] = [
      ['getBalances', () => adapter.getBalances({ addresses: [receive(0)] })],
      ['quoteTransfer', () => adapter.quoteTransfer({ from: receive(0), to: stranger(), asset: BTC, amount: 10_000n })],
      ['buildTransfer', () => adapter.buildTransfer(quote)],
      ['sendTransfer', () => adapter.sendTransfer(quote, account)],
      ['getTransaction', () => adapter.getTransaction(signed.hash)],
      ['getHistory', () => adapter.getHistory(receive(0))],
      ['latestBlock', () => adapter.latestBlock()],
      ['blockAt', () => adapter.blockAt(1)],
      ['speedUp', () => adapter.speedUp(signed.hash, account)],
    ]
    for (const [name, call] of calls) {
      const error = await call().catch((e: unknown) => e)
      if (name === 'speedUp')
        expect(error, name).toBeInstanceOf(InvalidArgumentError) // never sent: not in the journal
      else expect(error, name).toBeInstanceOf(DeadlineExceededError)
      if (error instanceof DeadlineExceededError) expect(error.details.deadlineMs, name).toBe(300)
    }
    await expect(adapter.waitForTransaction(signed.hash, { timeoutMs: 5_000, pollIntervalMs: 10 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    )
    expect(server.broadcasts).toEqual([])
    expect(spends(server)).toEqual([])
  })

  it('a broadcast past its deadline is BroadcastUnknownError carrying the signed transaction (here the node took it)', async () => {
    const { server, adapter: patient, quote } = await funded()
    const signed = await patient.signTransaction(await patient.buildTransfer(quote), account)
    const adapter = impatient(server)
    server.addFault({ ...POST_TX, when: 'after', fault: 'hang' })
    const error = await adapter.broadcast(signed).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    expect((error as BroadcastUnknownError).transaction).toMatchObject({ hash: signed.hash, raw: signed.raw })
    expect((error as BroadcastUnknownError).details).toMatchObject({ deadlineMs: 300 })
    expect(spends(server).map((t) => t.txid)).toEqual([signed.hash])
    server.clearFaults()
    expect(await patient.getTransaction(signed.hash)).toMatchObject({ state: 'pending' })
  })
})

describe('account discovery is bounded', () => {
  /** Makes the server say every address has been used. */
  const everyAddressUsed = (server: EsploraServer) =>
    server.setRewrite(({ path }, { body }) => {
      if (!/^\/address\/[^/]+$/.test(path)) return undefined
      const stats = JSON.parse(body) as { chain_stats: { tx_count: number } }
      stats.chain_stats.tx_count = Math.max(1, stats.chain_stats.tx_count)
      return JSON.stringify(stats)
    })
  const addressReads = (server: EsploraServer) => server.requestLog.filter((r) => /^GET \/address\/[^/]+$/.test(r)).length

  it('stops at maxDiscoveryAddresses with DiscoveryLimitError; the server received at most that many address reads', async () => {
    const { server, adapter } = await funded({ maxDiscoveryAddresses: 200 })
    everyAddressUsed(server)
    server.resetRequests()
    const error = await adapter.discoverAccount(account.descriptor).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DiscoveryLimitError)
    expect((error as DiscoveryLimitError).details).toMatchObject({
      limit: 'maxDiscoveryAddresses',
      maxDiscoveryAddresses: 200,
      scanned: 200,
    })
    expect(addressReads(server)).toBe(200)
    // The same cap guards every call that discovers.
    await expect(adapter.quoteTransfer({ from: account.descriptor, to: stranger(), asset: BTC, amount: 10_000n })).rejects.toBeInstanceOf(
      DiscoveryLimitError,
    )
    const [balance] = await adapter.getBalances({ addresses: [account.descriptor] })
    expect(balance).toMatchObject({ ok: false, error: { code: 'DISCOVERY_LIMIT' } })
    expect(addressReads(server)).toBe(600)
  })

  it('the default cap is 10,000 addresses per account (a backend that says every address is used)', async () => {
    let reads = 0
    const liar: BitcoinBackend = {
      tip: async () => ({ height: 200, hash: '11'.repeat(32) }),
      block: async () => ({ height: 200, hash: '11'.repeat(32), parentHash: '22'.repeat(32), time: 1_700_000_000 }),
      blockHash: async () => '11'.repeat(32),
      addressStats: async () => (reads++, { txCount: 1, confirmed: 0n, unconfirmed: 0n }),
      utxos: async () => [],
      transactions: async () => [],
      transaction: async () => undefined,
      transactionHex: async () => '',
      feeEstimates: async () => ({ 1: 2 }),
      broadcast: async () => '',
    }
    const adapter = bitcoin({ network: 'regtest', backend: liar })
    await expect(adapter.discoverAccount(account.descriptor)).rejects.toMatchObject({
      code: 'DISCOVERY_LIMIT',
      details: { maxDiscoveryAddresses: 10_000, scanned: 10_000 },
    })
    expect(reads).toBe(10_000)
  })

  it('stops at the deadline with DiscoveryLimitError, and sends no request after it', async () => {
    const { server } = await funded()
    const adapter = bitcoin({ network: 'regtest', esploraUrl: server.url, maxDiscoveryAddresses: 10_000_000, deadlineMs: 500 })
    everyAddressUsed(server)
    server.resetRequests()
    const error = await adapter.discoverAccount(account.descriptor).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DiscoveryLimitError)
    expect((error as DiscoveryLimitError).details).toMatchObject({ limit: 'deadlineMs', deadlineMs: 500 })
    // Requests already in flight may still land; then the count stands still.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const settled = server.requests
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(server.requests).toBe(settled)
  })
})

describe('what a wallet needs to settle a send', () => {
  it('onSigned sees the signed transaction before the broadcast; if it throws, nothing is broadcast', async () => {
    const { server, adapter, quote } = await funded()
    const seen: string[] = []
    const refusal = new Error('the wallet journal is not writable')
    const failing = (signed: { hash: string }) => {
      seen.push(signed.hash)
      throw refusal
    }
    await expect(adapter.sendTransfer(quote, account, { onSigned: failing })).rejects.toBe(refusal)
    expect(server.broadcasts).toEqual([])
    expect(spends(server)).toEqual([])
    const txid = await adapter.sendTransfer(quote, account, {
      onSigned: (signed) => {
        seen.push(signed.hash)
        expect(server.broadcasts).toHaveLength(0)
      },
    })
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(txid)
    expect(server.broadcasts).toMatchObject([{ accepted: true, txid }])
  })

  it('a replaced send is dropped, and proven unminable only once its replacement is 6 blocks deep', async () => {
    const { server, adapter, quote } = await funded()
    const first = await adapter.sendTransfer(quote, account)
    const second = await adapter.speedUp(first, account)
    expect(await adapter.getTransaction(first)).toMatchObject({ state: 'dropped', replacedBy: second, unminable: false })
    server.mine(5)
    expect(await adapter.getTransaction(second)).toMatchObject({ state: 'confirmed', confirmations: 5 })
    expect(await adapter.getTransaction(first)).toMatchObject({ state: 'dropped', unminable: false })
    server.mine(1)
    expect(await adapter.getTransaction(first)).toMatchObject({ state: 'dropped', replacedBy: second, unminable: true })
    // A transaction this adapter never sent: gone from the node, but nothing proves it unminable.
    expect(await adapter.getTransaction('ee'.repeat(32))).toMatchObject({ state: 'dropped', unminable: false })
  })
})
