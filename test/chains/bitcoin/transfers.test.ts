/**
 * The Bitcoin transfer scan (`getTransfers`) against the local Esplora server: payments over a
 * few blocks, checked against the raw transactions decoded by bitcoinjs-lib (an independent
 * implementation). The adapter's requests are logged; a test that needs a lying page has the
 * adapter's fetch build it from the server's own `/block/:hash/txids` and `/tx/:txid` answers, in
 * Esplora's shape (25 a page, the start a multiple of 25), one transaction short.
 */
import { address as btcAddress, Transaction } from 'bitcoinjs-lib'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveAccounts, mnemonicToSeed } from 'coffer/keys'
import { bitcoin, type BitcoinAdapter } from 'coffer/bitcoin'
import type { ChainTransfer } from 'coffer'
import { startEsplora, type EsploraServer } from '../../support/esplora-server.js'
import { ABANDON, vaultWith } from './helpers.js'

const BTC = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1'
const CHAIN = 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328'
const PAGE = /^\/block\/([0-9a-f]{64})\/txs\/(\d+)$/

let servers: EsploraServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  servers = []
})

let seed: Uint8Array
beforeAll(async () => {
  seed = await mnemonicToSeed(ABANDON)
})
const derive = (addressType: 'p2wpkh' | 'p2tr' | 'p2pkh' | 'p2sh-p2wpkh', start: number, account = 3) =>
  deriveAccounts(seed, { chain: 'bitcoin', network: 'regtest', addressType, account, start, count: 1 })[0]!.address

/** A server, and an adapter on it whose requests are logged (paths as the adapter asked them). */
async function setup(options: { misreport?: (path: string) => boolean } = {}) {
  const server = await startEsplora({ network: 'regtest' })
  servers.push(server)
  const asked: string[] = []
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(String(input))
    const path = url.pathname
    asked.push(path)
    const page = PAGE.exec(path)
    if (!page || !options.misreport) return fetch(input, init)
    const [, hash, startText] = page
    const start = Number(startText)
    const ids = await fetch(`${server.url}/block/${hash}/txids`, init)
    if (!ids.ok) return ids
    let txids = (await ids.json()) as string[]
    if (start % 25 !== 0 || start >= txids.length) return new Response('start index out of range', { status: 400 })
    txids = txids.slice(start, start + 25)
    const txs = await Promise.all(txids.map(async (id) => (await fetch(`${server.url}/tx/${id}`, init)).json()))
    if (options.misreport?.(path)) txs.pop()
    return new Response(JSON.stringify(txs), { status: 200, headers: { 'content-type': 'application/json' } })
  }
  const adapter = bitcoin({ network: 'regtest', esploraUrl: server.url, esplora: { fetch: fetchFn } })
  return { server, adapter, asked }
}

/** What bitcoinjs-lib reads in the raw transaction at output `index`. */
function decoded(server: EsploraServer, hash: string, index: number) {
  const record = server.transactions().find((r) => r.txid === hash)!
  const tx = Transaction.fromHex(record.hex)
  expect(tx.getId()).toBe(hash)
  const out = tx.outs[index]!
  return { to: btcAddress.fromOutputScript(out.script, server.btcNetwork), amount: out.value, record, tx }
}

function expectMatchesChain(server: EsploraServer, transfers: readonly ChainTransfer[]) {
  for (const t of transfers) {
    const { to, amount, record } = decoded(server, t.hash, t.index)
    expect(t).toMatchObject({
      chainId: CHAIN,
      asset: BTC,
      to,
      amount: BigInt(amount),
      blockHeight: record.height,
      blockHash: record.blockHash,
    })
  }
}

describe('getTransfers', () => {
  it('lists the payments to the asked addresses over a block range, oldest first, with their output index', async () => {
    const { server, adapter } = await setup()
    expect(adapter.capabilities.transfers).toBe(true)
    const wpkh = derive('p2wpkh', 0)
    const tr = derive('p2tr', 0)
    const pkh = derive('p2pkh', 0)
    const sh = derive('p2sh-p2wpkh', 0)
    const stranger = derive('p2wpkh', 9)
    const fromBlock = server.tipHeight + 1
    server.mine()
    const a = await server.fund(wpkh, 10_000n)
    const b = await server.fund(tr, 20_000n)
    await server.fund(stranger, 99_000n)
    server.mine()
    const c = await server.fund(pkh, 30_000n)
    const d = await server.fund(wpkh, 40_000n)
    server.mine()
    const e = await server.fund(sh, 50_000n)
    const toBlock = server.tipHeight
    server.mine()
    await server.fund(wpkh, 60_000n) // after the range

    // A bech32 address asked in upper case matches (bech32 is case-insensitive); base58 as written.
    const scan = await adapter.getTransfers({ addresses: [wpkh.toUpperCase(), tr, pkh, sh], assets: [BTC], fromBlock, toBlock })
    expect(scan.complete).toBe(true)
    expect(scan.transfers.map((t) => [t.hash, t.index, t.to, t.amount, t.blockHeight])).toEqual([
      [a.txid, 0, wpkh, 10_000n, fromBlock],
      [b.txid, 0, tr, 20_000n, fromBlock],
      [c.txid, 0, pkh, 30_000n, fromBlock + 1],
      [d.txid, 0, wpkh, 40_000n, fromBlock + 1],
      [e.txid, 0, sh, 50_000n, fromBlock + 2],
    ])
    expectMatchesChain(server, scan.transfers)
    // The synthetic funding transactions spend a fake input with no address: `from` is ''.
    expect(scan.transfers.every((t) => t.from === '')).toBe(true)
    for (const t of scan.transfers) expect(t.blockHash).toBe((await adapter.blockAt(t.blockHeight)).hash)

    // Nothing for addresses not asked; the default assets are BTC; no asset asked, nothing read.
    expect((await adapter.getTransfers({ addresses: [stranger], fromBlock, toBlock })).transfers.map((t) => t.amount)).toEqual([99_000n])
    expect(await adapter.getTransfers({ addresses: [derive('p2wpkh', 10)], fromBlock, toBlock })).toEqual({ transfers: [], complete: true })
    expect(await adapter.getTransfers({ addresses: [wpkh], assets: [], fromBlock, toBlock })).toEqual({ transfers: [], complete: true })
    // A range with no payment to the asked addresses.
    expect(await adapter.getTransfers({ addresses: [wpkh, tr], fromBlock: 1, toBlock: fromBlock - 1 })).toEqual({
      transfers: [],
      complete: true,
    })
  })

  it('lists a spend from an asked address: every output but the change back to it, from that address', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
    await server.fund(signer.address, 100_000n)
    server.mine()
    const fromBlock = server.tipHeight + 1
    const payee = derive('p2tr', 1)
    const quote = await adapter.quoteTransfer({ from: signer.address, to: payee, asset: BTC, amount: 40_000n })
    const txid = await adapter.sendTransfer(quote, signer)
    server.mine()
    const { tx, record } = decoded(server, txid, 0)
    expect(tx.outs).toHaveLength(2) // payment and change, in a random order
    const payIndex = tx.outs.findIndex((o) => btcAddress.fromOutputScript(o.script, server.btcNetwork) === payee)

    const paying = await adapter.getTransfers({ addresses: [signer.address], fromBlock, toBlock: server.tipHeight })
    expect(paying.complete).toBe(false) // the fee and the change are not transfers
    expect(paying.transfers).toEqual([
      {
        chainId: CHAIN,
        hash: txid,
        asset: BTC,
        from: signer.address,
        to: payee,
        amount: 40_000n,
        blockHeight: record.height,
        blockHash: record.blockHash,
        index: payIndex,
      },
    ])
    // The payee sees the same transfer (same hash and index); asking both lists it once.
    const received = await adapter.getTransfers({ addresses: [payee], fromBlock, toBlock: server.tipHeight })
    expect(received).toEqual({ transfers: paying.transfers, complete: true })
    expect((await adapter.getTransfers({ addresses: [payee, signer.address], fromBlock, toBlock: server.tipHeight })).transfers).toEqual(
      paying.transfers,
    )
  })

  it('an account spend: the change goes to another address of the account, so it is listed as outgoing too', async () => {
    const { server, adapter } = await setup()
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    const receiveAddress = account.child(0, 0).address
    await server.fund(receiveAddress, 100_000n)
    server.mine()
    const fromBlock = server.tipHeight + 1
    const payee = derive('p2pkh', 2)
    const quote = await adapter.quoteTransfer({ from: account.descriptor, to: payee, asset: BTC, amount: 30_000n })
    const txid = await adapter.sendTransfer(quote, account)
    server.mine()
    const scan = await adapter.getTransfers({ addresses: [receiveAddress], fromBlock, toBlock: server.tipHeight })
    const { tx } = decoded(server, txid, 0)
    expect(scan.transfers.map((t) => t.index)).toEqual([0, 1])
    expect(scan.transfers.every((t) => t.from === receiveAddress && t.hash === txid)).toBe(true)
    expectMatchesChain(server, scan.transfers)
    expect(scan.transfers.map((t) => t.to).sort(), `outputs: ${tx.outs.map((o) => o.value).join(', ')}`).toEqual(
      [payee, account.child(1, 0).address].sort(),
    )
  })

  it('reads 2 requests per block, plus one per 25 transactions whatever the number of addresses', async () => {
    const { server, adapter, asked } = await setup()
    const fromBlock = server.tipHeight + 1
    server.mine()
    for (let i = 0; i < 30; i++) await server.fund(derive('p2wpkh', 20 + i), 1_000n + BigInt(i))
    server.mine()
    const toBlock = server.tipHeight
    asked.length = 0
    const scan = await adapter.getTransfers({ addresses: [derive('p2wpkh', 20), derive('p2wpkh', 49)], fromBlock, toBlock })
    expect(scan.transfers.map((t) => t.amount)).toEqual([1_000n, 1_029n])
    const pages = asked.filter((p) => PAGE.test(p)).map((p) => Number(PAGE.exec(p)![2]))
    // Block fromBlock holds the 30 payments (2 pages); the next one is empty (this server mines no coinbase).
    expect(pages.sort((x, y) => x - y)).toEqual([0, 25])
    expect(asked).toHaveLength(2 * 2 + 2)
  })

  it('a block that changes during the scan (a page not matching its header) is a DataIntegrityError', async () => {
    const { server, adapter } = await setup({ misreport: () => true })
    await server.fund(derive('p2wpkh', 0), 5_000n)
    const tip = server.tipHeight
    await expect(adapter.getTransfers({ addresses: [derive('p2wpkh', 0)], fromBlock: tip, toBlock: tip })).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
    })
  })

  it('refuses bad queries before any request', async () => {
    const { adapter, asked } = await setup()
    const address = derive('p2wpkh', 0)
    await expect(adapter.getTransfers({ addresses: [address], fromBlock: 0, toBlock: 1_000 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(adapter.getTransfers({ addresses: [address], fromBlock: 5, toBlock: 4 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(adapter.getTransfers({ addresses: [address], fromBlock: -1, toBlock: 4 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(
      adapter.getTransfers({ addresses: [address], assets: ['eip155:1/slip44:60'], fromBlock: 0, toBlock: 0 }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    const { vault, id } = await vaultWith()
    const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest' })
    for (const wrong of [account.descriptor, 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx', 'not an address'])
      await expect(adapter.getTransfers({ addresses: [wrong], fromBlock: 0, toBlock: 0 })).rejects.toMatchObject({
        code: 'INVALID_ADDRESS',
      })
    expect(asked).toEqual([])
    // 1,000 blocks is the most one scan covers.
    expect(await adapter.getTransfers({ addresses: [address], fromBlock: 0, toBlock: 99 })).toEqual({ transfers: [], complete: true })
  })

  it('an adapter on a backend without block transaction lists has no transfer scan', async () => {
    const backend = {
      tip: async () => ({ height: 0, hash: '00'.repeat(32) }),
    } as unknown as Parameters<typeof bitcoin>[0]['backend']
    const plain: BitcoinAdapter = bitcoin({ network: 'regtest', backend })
    expect(plain.capabilities.transfers).toBe(false)
    await expect(plain.getTransfers({ addresses: [derive('p2wpkh', 0)], fromBlock: 0, toBlock: 0 })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    })
  })
})
