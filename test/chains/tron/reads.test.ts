// Balances, history and transfer scans of the Tron adapter against the local TronGrid-shaped
// server, with real transfers built, signed and broadcast as the adapter does; and properties of
// the pure parts (the history cursor, the account answer parser).
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Secp256k1Signer } from 'coffer/keys'
import type { AssetId } from '../../../src/core/caip.js'
import { DataIntegrityError, InvalidArgumentError, RpcError } from '../../../src/core/errors.js'
import type { HistoryItem, TransferRequest } from '../../../src/chains/adapter.js'
import { tronAddressFromBytes } from '../../../src/keys/address/tron.js'
import { readTronBalances, holdingsOf } from '../../../src/chains/tron/balances.js'
import { broadcastTron, tronTransactionLanded } from '../../../src/chains/tron/broadcast.js'
import { tronClient, type TronClient } from '../../../src/chains/tron/client.js'
import type { TronCall, TronToken } from '../../../src/chains/tron/context.js'
import {
  decodeTronHistoryCursor,
  encodeTronHistoryCursor,
  historyQueryPrint,
  readTronHistory,
  type TronHistoryCursor,
} from '../../../src/chains/tron/history.js'
import { trc20AssetId } from '../../../src/chains/tron/networks.js'
import { quoteTronTransfer } from '../../../src/chains/tron/quote.js'
import { signTronTransaction } from '../../../src/chains/tron/signing.js'
import { readTronBlockAt } from '../../../src/chains/tron/status.js'
import { buildTronTransaction } from '../../../src/chains/tron/transaction.js'
import { scanTronTransfers } from '../../../src/chains/tron/transfers.js'
import { startTronServer, type TronServer } from '../../support/tron-server.js'
import { chainFacts, tronSigners } from './helpers.js'

let server: TronServer
let client: TronClient
let signers: Secp256k1Signer[]
let facts: ReturnType<typeof chainFacts>
let usdt: AssetId
let tokens: TronToken[]

/** What a test sent: enough to predict history items and scanned transfers. */
interface Sent {
  hash: string
  asset: AssetId
  from: string
  to: string
  amount: bigint
}

const call = (signal = new AbortController().signal): TronCall => ({
  chainId: facts.chainId,
  nativeAsset: facts.native,
  client,
  tokens,
  signal,
})
const addr = (i: number) => signers[i]!.address

/** Quotes, builds, signs and broadcasts a transfer (not mined). */
async function send(from: number, to: string, asset: AssetId, amount: bigint): Promise<Sent> {
  const request: TransferRequest = { from: addr(from), to, asset, amount }
  const q = await quoteTronTransfer(client, { chainId: facts.chainId, nativeAsset: facts.native, tokens: facts.tokens }, request)
  const trc20 = q.details.kind === 'trc20'
  const unsigned = await buildTronTransaction(
    client,
    {
      from: q.from,
      to: q.to,
      kind: trc20 ? 'trc20' : 'trx',
      ...(trc20 ? { contract: q.details.contract as string, feeLimit: BigInt(q.details.feeLimit as string) } : {}),
      amount: q.amount,
      maxFee: q.fee.amount,
    },
    { chainId: facts.chainId },
  )
  const signed = await signTronTransaction(facts.chainId, facts.native, facts.tokens, unsigned, signers[from]!)
  const hash = await broadcastTron(client, signed, (h) => tronTransactionLanded(client, h))
  return { hash, asset, from: addr(from), to, amount }
}

beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  client = tronClient([server.url], { retryCount: 1, timeoutMs: 5_000 })
  signers = await tronSigners(11)
  facts = chainFacts(server.genesisBlockId, server.tokens)
  const t = server.tokens[0]!
  usdt = trc20AssetId(facts.chainId, t.address)
  tokens = [{ asset: usdt, contract: t.address, symbol: t.symbol, name: t.name, decimals: t.decimals }]
  for (const i of [0, 1, 2]) {
    await server.sendTrx(addr(i), 500_000_000n)
    await server.mintToken(addr(i), 'USDT', 1_000_000_000n)
  }
  await server.mine(25) // everything above is solidified
}, 120_000)
afterAll(() => server?.stop())
afterEach(() => server.clearFaults())

describe('readTronBalances', () => {
  it('exact TRX and USDT balances after transfers; an unactivated address holds 0', async () => {
    await send(0, addr(1), facts.native, 7_000_000n)
    await send(1, addr(0), usdt, 12_345n)
    await server.mine()
    const addresses = [addr(0), addr(1), addr(9)]
    const balances = await readTronBalances(call(), addresses, [facts.native, usdt], 1)
    expect(balances).toHaveLength(6)
    for (const [k, b] of balances.entries()) {
      expect(b.ok).toBe(true)
      if (!b.ok) continue
      expect(b.address).toBe(addresses[Math.floor(k / 2)])
      expect(b.blockHeight).toBe(server.head().number)
      expect(b.pending).toBeUndefined()
      expect(b.amount).toBe(b.asset === usdt ? await server.tokenBalanceOf(b.address, 'USDT') : server.balanceOf(b.address))
      expect(typeof b.amount).toBe('bigint')
    }
    expect(server.isActivated(addr(9))).toBe(false)
    expect(balances.slice(4).map((b) => (b.ok ? b.amount : -1n))).toEqual([0n, 0n])
  })

  it('USDT held by an address never activated (a TRC-20 transfer does not activate it) is read by balanceOf', async () => {
    await send(0, addr(10), usdt, 4_321n)
    await server.mine()
    expect(server.isActivated(addr(10))).toBe(false)
    const [trx, token] = await readTronBalances(call(), [addr(10)], [facts.native, usdt], 1)
    expect(trx).toMatchObject({ ok: true, amount: 0n })
    expect(token).toMatchObject({ ok: true, amount: 4_321n })
    await server.mine(19)
    const deep = await readTronBalances(call(), [addr(10)], [usdt], 19)
    expect(deep[0]).toMatchObject({ ok: true, amount: 4_321n, pending: 0n })
  })

  it('confirmations 19: the part not yet solidified is pending, until it is', async () => {
    await server.mine(20)
    const before = await readTronBalances(call(), [addr(2), addr(8)], [facts.native, usdt], 19)
    expect(before.every((b) => b.ok && b.pending === 0n)).toBe(true)
    const sent = await send(2, addr(8), facts.native, 3_000_000n)
    const token = await send(2, addr(8), usdt, 5_000n)
    await server.mine()
    const fees = server
      .transactions()
      .filter((t) => t.txID === sent.hash || t.txID === token.hash)
      .reduce((s, t) => s + t.fee, 0n)
    const now = await readTronBalances(call(), [addr(2), addr(8)], [facts.native, usdt], 19)
    expect(now.map((b) => (b.ok ? [b.amount, b.pending] : b.error))).toEqual([
      [server.balanceOf(addr(2)), -(3_000_000n + fees)],
      [await server.tokenBalanceOf(addr(2), 'USDT'), -5_000n],
      [3_000_000n, 3_000_000n],
      [5_000n, 5_000n],
    ])
    await server.mine(19)
    const later = await readTronBalances(call(), [addr(2), addr(8)], [facts.native, usdt], 19)
    expect(later.every((b) => b.ok && b.pending === 0n)).toBe(true)
  })

  it('one failing address gives failures for it only; the others are read', async () => {
    server.addFault({ path: new RegExp(`^/v1/accounts/${addr(1)}`), fault: { status: 400, body: 'no' } })
    const balances = await readTronBalances(call(), [addr(0), addr(1), addr(2)], [facts.native, usdt], 1)
    expect(balances.map((b) => b.ok)).toEqual([true, true, false, false, true, true])
    for (const b of balances.filter((x) => !x.ok)) {
      expect(b.address).toBe(addr(1))
      if (!b.ok) expect(b.error).toBeInstanceOf(RpcError)
    }
  })

  it('an answer for another address, an inexact balance, a non-decimal token value: DataIntegrityError', async () => {
    const answer = (account: object) => ({ status: 200, body: JSON.stringify({ data: [account], success: true, meta: {} }) })
    const contract = tokens[0]!.contract
    server.addFault({ path: `/v1/accounts/${addr(0)}`, fault: answer({ address: addr(1), balance: 5 }) })
    server.addFault({ path: `/v1/accounts/${addr(1)}`, fault: answer({ address: addr(1), balance: 2 ** 60, trc20: [] }) })
    server.addFault({ path: `/v1/accounts/${addr(2)}`, fault: answer({ address: addr(2), balance: 9, trc20: [{ [contract]: 12 }] }) })
    const balances = await readTronBalances(call(), [addr(0), addr(1), addr(2)], [facts.native, usdt], 1)
    const errors = balances.map((b) => (b.ok ? b.amount : b.error.name))
    expect(errors).toEqual([
      'DataIntegrityError',
      'DataIntegrityError',
      'DataIntegrityError',
      'DataIntegrityError',
      9n,
      'DataIntegrityError',
    ])
  })

  it('an abort is thrown with the signal’s reason, not reported', async () => {
    const controller = new AbortController()
    server.addFault({ path: /^\/v1\/accounts\//, fault: 'hang' })
    const read = readTronBalances(call(controller.signal), [addr(0)], [facts.native], 1)
    setTimeout(() => controller.abort(new Error('stop')), 50)
    await expect(read).rejects.toThrow('stop')
  })
})

describe('history and transfer scans', () => {
  const sent: Sent[] = []
  let fromBlock = 0
  let toBlock = 0
  const [alice, bob] = [3, 4]

  beforeAll(async () => {
    fromBlock = server.head().number + 1
    sent.push(await send(0, addr(alice), facts.native, 100_000_000n))
    sent.push(await send(0, addr(alice), usdt, 900_000n))
    await server.mine()
    sent.push(await send(alice, addr(bob), facts.native, 2_000_000n))
    sent.push(await send(1, addr(alice), usdt, 10_000n))
    await server.mine()
    for (let k = 1; k <= 4; k++) {
      sent.push(await send(alice, addr(bob), usdt, BigInt(k * 1_000)))
      if (k % 2 === 0) sent.push(await send(alice, addr(bob), facts.native, BigInt(k * 100_000)))
      await server.mine()
    }
    sent.push(await send(bob, addr(alice), usdt, 777n))
    await server.mine()
    toBlock = server.head().number
    await server.mine(3)
    sent.push(await send(0, addr(bob), facts.native, 1_000_000n)) // outside the scanned range
    await server.mine()
  }, 120_000)

  async function allPages(address: string, assets: AssetId[], limit: number): Promise<HistoryItem[]> {
    const items: HistoryItem[] = []
    let cursor: string | undefined
    for (let page = 0; page < 100; page++) {
      const result = await readTronHistory(call(), address, { assets, limit, ...(cursor ? { cursor } : {}) })
      expect(result.items.length).toBeLessThanOrEqual(limit)
      items.push(...result.items)
      cursor = result.cursor
      if (!cursor) return items
    }
    throw new Error('more than 100 pages')
  }

  it('lists every transfer of the address once, newest first, with fees on outgoing items', async () => {
    const items = await allPages(addr(alice), [facts.native, usdt], 200)
    const mine = sent.filter((s) => s.from === addr(alice) || s.to === addr(alice))
    expect(items.map((i) => i.hash).sort()).toEqual(mine.map((s) => s.hash).sort())
    for (const item of items) {
      const s = mine.find((x) => x.hash === item.hash)!
      const landed = server.transactions().find((t) => t.txID === item.hash)!
      expect(item).toMatchObject({ asset: s.asset, from: s.from, to: s.to, amount: s.amount, state: 'confirmed' })
      expect(item.direction).toBe(s.from === addr(alice) ? 'out' : 'in')
      if (item.direction === 'out') expect(item.fee).toEqual({ asset: facts.native, amount: landed.fee })
      else expect(item.fee).toBeUndefined()
      if (item.asset === facts.native) expect(item.blockHeight).toBe(landed.blockNumber)
    }
    for (let k = 1; k < items.length; k++) expect(items[k]!.timestamp!).toBeLessThanOrEqual(items[k - 1]!.timestamp!)
    // without the TRX list, the fee of an outgoing USDT transfer comes from its receipt
    const tokenOnly = await allPages(addr(alice), [usdt], 200)
    expect(tokenOnly).toEqual(items.filter((i) => i.asset === usdt).map((i) => ({ ...i })))
  })

  it('pages of 1, 2 and 3 items concatenate to the full list, for each asset set', async () => {
    for (const assets of [[facts.native, usdt], [usdt], [facts.native]]) {
      const full = await allPages(addr(alice), assets, 200)
      expect(full.length).toBeGreaterThan(0)
      for (const limit of [1, 2, 3]) expect(await allPages(addr(alice), assets, limit)).toEqual(full)
    }
  })

  it('new transfers after the first page do not shift the later pages', async () => {
    const full = await allPages(addr(bob), [facts.native, usdt], 200)
    const first = await readTronHistory(call(), addr(bob), { assets: [facts.native, usdt], limit: 2 })
    await send(0, addr(bob), facts.native, 1_234_567n)
    await server.mine()
    const items = [...first.items]
    let cursor = first.cursor
    while (cursor) {
      const page = await readTronHistory(call(), addr(bob), { assets: [facts.native, usdt], limit: 2, cursor })
      items.push(...page.items)
      cursor = page.cursor
    }
    expect(items).toEqual(full)
  })

  it('refuses a cursor of another query', async () => {
    const page = await readTronHistory(call(), addr(alice), { assets: [facts.native, usdt], limit: 1 })
    expect(page.cursor).toMatch(/^th1\./)
    const cursor = page.cursor!
    await expect(readTronHistory(call(), addr(alice), { assets: [usdt], limit: 1, cursor })).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(readTronHistory(call(), addr(bob), { assets: [facts.native, usdt], limit: 1, cursor })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(readTronHistory(call(), addr(alice), { assets: [facts.native, usdt], limit: 1, cursor: 'th1.x' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })

  it('scans exactly the transfers made in the block range, once each, oldest first', async () => {
    const scan = await scanTronTransfers(call(), { addresses: [addr(alice), addr(bob)], assets: [facts.native, usdt], fromBlock, toBlock })
    expect(scan.complete).toBe(false)
    const inRange = sent.filter((s) => {
      const n = server.transactions().find((t) => t.txID === s.hash)!.blockNumber!
      return n >= fromBlock && n <= toBlock
    })
    expect(inRange.length).toBe(sent.length - 1)
    expect(scan.transfers.map((t) => t.hash).sort()).toEqual(inRange.map((s) => s.hash).sort())
    for (const t of scan.transfers) {
      const s = inRange.find((x) => x.hash === t.hash)!
      expect(t).toMatchObject({ asset: s.asset, from: s.from, to: s.to, amount: s.amount, chainId: facts.chainId })
      expect(t.blockHeight).toBe(server.transactions().find((x) => x.txID === t.hash)!.blockNumber)
      expect(t.blockHash).toBe((await readTronBlockAt(client, t.blockHeight))!.hash)
      expect(t.index).toBe(0) // one Transfer log per USDT transfer here; one contract per TRX transfer
    }
    for (let k = 1; k < scan.transfers.length; k++)
      expect(scan.transfers[k]!.blockHeight).toBeGreaterThanOrEqual(scan.transfers[k - 1]!.blockHeight)

    const tokensOnly = await scanTronTransfers(call(), { addresses: [addr(bob)], assets: [usdt], fromBlock: toBlock, toBlock })
    expect(tokensOnly).toEqual({ transfers: scan.transfers.filter((t) => t.blockHeight === toBlock && t.asset === usdt), complete: true })
    expect(tokensOnly.transfers).toHaveLength(1)
  })

  it('refuses a range above 10,000 blocks before any request', async () => {
    const before = server.requests
    await expect(
      scanTronTransfers(call(), { addresses: [addr(alice)], assets: [usdt], fromBlock: 0, toBlock: 10_000 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(server.requests).toBe(before)
  })
})

describe('properties', () => {
  const owner = tronAddressFromBytes(new Uint8Array(20).fill(7))
  const contract = tronAddressFromBytes(new Uint8Array(20).fill(9))
  const position = fc.oneof(
    fc.constant(null),
    fc.record({ skip: fc.integer({ min: 0, max: 199 }) }),
    fc.record({ skip: fc.integer({ min: 0, max: 199 }), fingerprint: fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,60}$/) }),
  )
  const cursorArb = fc.record({ pin: fc.integer({ min: 1, max: 2 ** 48 }), streams: fc.array(position, { minLength: 1, maxLength: 5 }) })

  it('history cursors round-trip, and refuse another query or a malformed text with InvalidArgumentError only', () => {
    fc.assert(
      fc.property(cursorArb, fc.string(), (cursor: TronHistoryCursor, junk) => {
        const print = historyQueryPrint(owner, ['tron:0x00000001/slip44:195'])
        const text = encodeTronHistoryCursor(print, cursor)
        expect(decodeTronHistoryCursor(text, print, cursor.streams.length)).toEqual(cursor)
        expect(() => decodeTronHistoryCursor(text, print, cursor.streams.length + 1)).toThrow(InvalidArgumentError)
        expect(() => decodeTronHistoryCursor(text, '0'.repeat(16), cursor.streams.length)).toThrow(InvalidArgumentError)
        for (const bad of [junk, `${text}${junk}`, text.slice(0, junk.length)])
          try {
            // whatever decodes is a cursor that encodes back to the same text (one reading only)
            expect(encodeTronHistoryCursor(print, decodeTronHistoryCursor(bad, print, cursor.streams.length))).toBe(bad)
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidArgumentError)
          }
      }),
    )
  })

  it('account answers: decimal token values are read exactly; anything else is a typed error, never a wrong number', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map(String), fc.string(), fc.integer()),
        fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double(), fc.string()),
        (value, balance) => {
          const answer = { data: [{ address: owner, balance, trc20: [{ [contract]: value }] }], success: true }
          let holdings: ReturnType<typeof holdingsOf>
          try {
            holdings = holdingsOf(answer, owner, '/v1/accounts')
          } catch (error) {
            expect(error).toBeInstanceOf(DataIntegrityError)
            expect(typeof balance !== 'number' || !Number.isSafeInteger(balance) || balance < 0).toBe(true)
            return
          }
          expect(holdings.sun).toBe(BigInt(balance as number))
          const token = holdings.tokens.get(contract)
          if (typeof value === 'string' && /^(0|[1-9][0-9]*)$/.test(value)) expect(token).toBe(BigInt(value))
          else expect(token).toBeInstanceOf(DataIntegrityError)
        },
      ),
    )
    expect(holdingsOf({ data: [], success: true }, owner, '/v1/accounts')).toEqual({ exists: false, sun: 0n, tokens: new Map() })
  })
})
