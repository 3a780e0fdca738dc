// Proves the local Tron server (./tron-server.ts: TronGrid's API over a TRX ledger and an anvil
// running a Tether-like TRC-20) with an independent client, tronweb 6: TRX transfers and account
// activation, TRC-20 energy (fresh vs existing holder), burns priced by the chain parameters,
// staked energy, OUT_OF_ENERGY, a blacklisted sender's REVERT, the node's refusals in java-tron's
// shapes, solidified vs head, TronGrid's v1 account endpoints, and the fault layer.
import { TronWeb, utils as tronUtils } from 'tronweb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/core/errors.js'
import { startLocalTron } from '../../src/testing/tron/local-tron.js'
import { startTronServer, type TronServer } from './tron-server.js'
import { tetherTokenAbi } from '../fixtures/evm/abis.js'

let server: TronServer
let usdt: string

const key = (n: number): string => n.toString(16).padStart(64, '0')
const addressOf = (k: string): string => TronWeb.address.fromPrivateKey(k) as string
const client = (k?: string) => new TronWeb({ fullHost: server.url, ...(k ? { privateKey: k } : {}) })
const fromHex = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8')

async function post(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return res.json()
}
const info = (txID: string) => post('/wallet/gettransactioninfobyid', { value: txID })

/** A funded account: TRX from the faucet (and USDT minted), sealed in a block. */
async function funded(n: number, trx = 100, tokens = 0): Promise<{ k: string; address: string; tw: TronWeb }> {
  const k = key(n)
  const address = addressOf(k)
  if (trx > 0) await server.sendTrx(address, BigInt(trx) * 1_000_000n)
  if (tokens > 0) await server.mintToken(address, 'USDT', BigInt(tokens) * 1_000_000n)
  await server.mine()
  return { k, address, tw: client(k) }
}

/** A signed USDT transfer built locally by tronweb (txLocal: it does not ask the node to build it). */
async function usdtTransfer(tw: TronWeb, from: string, to: string, units: number, feeLimit = 100_000_000) {
  const { transaction } = await tw.transactionBuilder.triggerSmartContract(
    usdt,
    'transfer(address,uint256)',
    { feeLimit, txLocal: true },
    [
      { type: 'address', value: to },
      { type: 'uint256', value: units },
    ],
    from,
  )
  return tw.trx.sign(transaction)
}

beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  usdt = server.tokens[0]!.address
})
afterAll(() => server?.stop())

describe('TRX', () => {
  it('a transfer to a new account pays the activation (0.1 TRX bandwidth + 1 TRX), then free bandwidth covers one to it', async () => {
    const a = await funded(0xa1)
    const fresh = addressOf(key(0xa2))
    const first = await a.tw.trx.sendTransaction(fresh, 2_000_000)
    expect(first.result).toBe(true)
    await server.mine()
    const i1 = await info(first.transaction.txID)
    expect(i1.fee).toBe(1_100_000)
    expect(i1.receipt).toEqual({ net_fee: 100_000 })
    expect(server.balanceOf(a.address)).toBe(100_000_000n - 2_000_000n - 1_100_000n)
    expect(server.balanceOf(fresh)).toBe(2_000_000n)

    const second = await a.tw.trx.sendTransaction(fresh, 1_000_000)
    await server.mine()
    const i2 = await info(second.transaction.txID)
    expect(i2.fee).toBeUndefined() // JsonFormat omits a 0 fee
    expect(i2.receipt.net_usage).toBeGreaterThan(200) // bytes of the tx + 64, from the 600 free
    expect(server.balanceOf(a.address)).toBe(100_000_000n - 3_000_000n - 1_100_000n)
    const res = await post('/wallet/getaccountresource', { address: a.address, visible: true })
    expect(res.freeNetUsed).toBe(i2.receipt.net_usage)
    expect(res.freeNetLimit).toBe(600)
  })

  it('refuses what a node refuses, in its shapes', async () => {
    const a = await funded(0xb1)
    const to = addressOf(key(0xb2))
    const build = () => a.tw.transactionBuilder.sendTrx(to, 1_000_000, a.address)

    const wrongKey = tronUtils.crypto.signTransaction(key(0xb3), await build()) // tronweb's sign() refuses a key that is not the owner's
    const sig = await a.tw.trx.sendRawTransaction(wrongKey)
    expect(sig).toMatchObject({ code: 'SIGERROR', txid: wrongKey.txID })
    expect(fromHex(sig.message as string)).toMatch(
      /^Validate signature error: [0-9a-f]+ is signed by T\w+ but it is not contained of permission\.$/,
    )

    const signed = await a.tw.trx.sign(await build())
    const wrongId = await post('/wallet/broadcasttransaction', { ...signed, txID: 'ab'.repeat(32) })
    expect(wrongId.code).toBe('OTHER_ERROR')
    expect(fromHex(wrongId.message)).toMatch(/is not sha256\(raw_data_hex\)/)

    const head = server.head()
    const badTapos = await a.tw.trx.sign(
      await a.tw.transactionBuilder.sendTrx(to, 1_000_000, a.address, {
        blockHeader: {
          ref_block_bytes: head.id.slice(12, 16),
          ref_block_hash: '00'.repeat(8),
          expiration: head.timestamp + 60_000,
          timestamp: head.timestamp,
        },
      }),
    )
    expect(await a.tw.trx.sendRawTransaction(badTapos)).toMatchObject({
      code: 'TAPOS_ERROR',
      message: Buffer.from('Tapos check error.').toString('hex'),
    })

    const tooLate = await a.tw.trx.sign(
      await a.tw.transactionBuilder.sendTrx(to, 1_000_000, a.address, {
        blockHeader: {
          ref_block_bytes: head.id.slice(12, 16),
          ref_block_hash: head.id.slice(16, 32),
          expiration: head.timestamp + 25 * 3600_000,
          timestamp: head.timestamp,
        },
      }),
    )
    expect(await a.tw.trx.sendRawTransaction(tooLate)).toMatchObject({ code: 'TRANSACTION_EXPIRATION_ERROR' })

    expect(await a.tw.trx.sendRawTransaction(signed)).toMatchObject({ result: true, txid: signed.txID })
    const dup = await a.tw.trx.sendRawTransaction(signed)
    expect(dup).toMatchObject({ code: 'DUP_TRANSACTION_ERROR', message: Buffer.from('Dup transaction.').toString('hex') })

    const stale = await a.tw.trx.sign(await a.tw.transactionBuilder.sendTrx(to, 2_000_000, a.address)) // expires 60 s after the head
    await server.mine(21)
    expect(await a.tw.trx.sendRawTransaction(stale)).toMatchObject({ code: 'TRANSACTION_EXPIRATION_ERROR' })

    const poor = client(key(0xb4))
    const unfunded = await poor.trx.sign(await poor.transactionBuilder.sendTrx(to, 1, addressOf(key(0xb4))))
    const noAccount = await poor.trx.sendRawTransaction(unfunded)
    expect(noAccount.code).toBe('CONTRACT_VALIDATE_ERROR')
    expect(fromHex(noAccount.message as string)).toBe(`Contract validate error : account [${addressOf(key(0xb4))}] does not exist`)

    expect(server.refusals().map((r) => r.code)).toEqual(
      expect.arrayContaining(['SIGERROR', 'OTHER_ERROR', 'TAPOS_ERROR', 'TRANSACTION_EXPIRATION_ERROR', 'DUP_TRANSACTION_ERROR']),
    )
  })

  it('broadcasthex takes a serialized signed transaction', async () => {
    const a = await funded(0xc1)
    const signed = await a.tw.trx.sign(await a.tw.transactionBuilder.sendTrx(addressOf(key(0xc2)), 3_000_000, a.address))
    const pb = tronUtils.transaction.txJsonToPb(signed)
    pb.addSignature(Buffer.from(signed.signature[0]!, 'hex'))
    const hex = Buffer.from(pb.serializeBinary()).toString('hex')
    const r = await post('/wallet/broadcasthex', { transaction: hex })
    expect(r).toMatchObject({ result: true, code: 'SUCCESS', txid: signed.txID })
    expect(JSON.parse(r.transaction).txID).toBe(signed.txID)
    expect(await post('/wallet/broadcasthex', { transaction: hex })).toMatchObject({
      result: false,
      code: 'DUP_TRANSACTION_ERROR',
      message: 'Dup transaction.',
    })
  })
})

describe('TRC-20 USDT on anvil', () => {
  it('reads balances with constant calls (contract().at().balanceOf().call())', async () => {
    const a = await funded(0xd1, 10, 250)
    const tw = client(a.k)
    const contract = await tw.contract().at(usdt)
    expect(String(await contract.balanceOf(a.address).call())).toBe('250000000')
    // getcontract serves the compiled fixture's ABI (in Tron's casing): every function of it.
    const served = (await tw.trx.getContract(usdt)).abi?.entrys ?? []
    const functions = (abi: readonly { type: string; name?: string }[]) =>
      abi
        .filter((e) => e.type.toLowerCase() === 'function')
        .map((e) => e.name)
        .sort()
    expect(functions(served as { type: string; name?: string }[])).toEqual(functions(tetherTokenAbi))
    expect(await server.tokenBalanceOf(a.address, 'USDT')).toBe(250_000_000n)
  })

  it('a transfer to a fresh holder costs more energy than to an existing one; the burn is energy × getEnergyFee', async () => {
    const a = await funded(0xd2, 100, 100)
    const b = addressOf(key(0xd3))
    const params = await a.tw.trx.getChainParameters()
    const energyFee = params.find((p) => p.key === 'getEnergyFee')!.value!
    expect(energyFee).toBe(100)

    const estimate = await a.tw.transactionBuilder.estimateEnergy(
      usdt,
      'transfer(address,uint256)',
      {},
      [
        { type: 'address', value: b },
        { type: 'uint256', value: 1_000_000 },
      ],
      a.address,
    )
    expect(estimate.result.result).toBe(true)

    const before = server.balanceOf(a.address)
    const t1 = await usdtTransfer(a.tw, a.address, b, 1_000_000)
    expect(await a.tw.trx.sendRawTransaction(t1)).toMatchObject({ result: true })
    const t2 = await usdtTransfer(a.tw, a.address, b, 1_000_001) // another amount: same block, same timestamp, else the same txID
    expect((await a.tw.trx.sendRawTransaction(t2)).result).toBe(true)
    await server.mine()
    const [i1, i2] = [await info(t1.txID), await info(t2.txID)]
    expect(i1.receipt.result).toBe('SUCCESS')
    expect(i1.receipt.energy_usage_total).toBeGreaterThan(i2.receipt.energy_usage_total * 1.5)
    expect(estimate.energy_required).toBeGreaterThanOrEqual(i1.receipt.energy_usage_total)
    for (const i of [i1, i2]) {
      expect(i.receipt.energy_fee).toBe(i.receipt.energy_usage_total * energyFee)
      expect(i.fee).toBe(i.receipt.energy_fee + (i.receipt.net_fee ?? 0))
      expect(i.log[0].topics[0]).toBe('ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef')
      expect(i.contractResult).toEqual(['0'.repeat(63) + '1'])
    }
    expect(before - server.balanceOf(a.address)).toBe(BigInt(i1.fee + i2.fee))
    expect(await server.tokenBalanceOf(b, 'USDT')).toBe(2_000_001n)
    expect(server.isActivated(b)).toBe(false) // receiving a TRC-20 does not create the account

    // Staked energy covers it: nothing burns.
    server.setResources(a.address, { energy: 100_000 })
    const t3 = await usdtTransfer(a.tw, a.address, b, 1_000_002)
    await a.tw.trx.sendRawTransaction(t3)
    await server.mine()
    const i3 = await info(t3.txID)
    expect(i3.receipt.energy_fee).toBeUndefined()
    expect(i3.receipt.energy_usage).toBe(i3.receipt.energy_usage_total)
    const res = await post('/wallet/getaccountresource', { address: a.address, visible: true })
    expect(res.EnergyLimit).toBe(100_000)
    expect(res.EnergyUsed).toBeLessThanOrEqual(i3.receipt.energy_usage_total) // recovering over 28,800 blocks: one sealed since
    expect(res.EnergyUsed).toBeGreaterThan(i3.receipt.energy_usage_total - 5)
  })

  it('OUT_OF_ENERGY under a low fee_limit: the state reverts and the fee_limit burns', async () => {
    const a = await funded(0xe1, 100, 100)
    const t = await usdtTransfer(a.tw, a.address, addressOf(key(0xe2)), 1_000_000, 1_000_000) // 1 TRX = 10,000 energy
    expect((await a.tw.trx.sendRawTransaction(t)).result).toBe(true)
    await server.mine()
    const i = await info(t.txID)
    expect(i.receipt).toMatchObject({ result: 'OUT_OF_ENERGY', energy_usage_total: 10_000, energy_fee: 1_000_000 })
    expect(i.result).toBe('FAILED')
    expect(i.log).toBeUndefined()
    expect(await server.tokenBalanceOf(a.address, 'USDT')).toBe(100_000_000n)
    const tx = await post('/wallet/gettransactionbyid', { value: t.txID })
    expect(tx.ret).toEqual([{ contractRet: 'OUT_OF_ENERGY' }])
  })

  it('a blacklisted sender REVERTs, and the energy used burns', async () => {
    const a = await funded(0xe3, 100, 100)
    await server.blacklist(a.address)
    await server.mine()
    const before = server.balanceOf(a.address)
    const t = await usdtTransfer(a.tw, a.address, addressOf(key(0xe4)), 1_000_000)
    expect((await a.tw.trx.sendRawTransaction(t)).result).toBe(true)
    await server.mine()
    const i = await info(t.txID)
    expect(i.receipt.result).toBe('REVERT')
    expect(i.receipt.energy_usage_total).toBeGreaterThan(0)
    expect(i.receipt.energy_fee).toBe(i.receipt.energy_usage_total * 100)
    expect(fromHex(i.resMessage)).toBe('REVERT opcode executed')
    expect(before - server.balanceOf(a.address)).toBe(BigInt(i.fee))
    expect(await server.tokenBalanceOf(a.address, 'USDT')).toBe(100_000_000n)
    const call = await a.tw.transactionBuilder
      .triggerConstantContract(
        usdt,
        'transfer(address,uint256)',
        {},
        [
          { type: 'address', value: addressOf(key(0xe4)) },
          { type: 'uint256', value: 1 },
        ],
        a.address,
      )
      .catch((e: Error) => e)
    expect(String(call)).toMatch(/REVERT opcode executed/)
  })
})

describe('solidified blocks, v1, faults', () => {
  it('the solidified block lags the head by 19; walletsolidity sees a transaction only then', async () => {
    const a = await funded(0xf1)
    const r = await a.tw.trx.sendTransaction(addressOf(key(0xf2)), 1_000_000)
    await server.mine()
    const now = await post('/walletsolidity/getnowblock', {})
    expect(now.block_header.raw_data.number).toBe(server.head().number - 19)
    expect(await post('/walletsolidity/gettransactioninfobyid', { value: r.transaction.txID })).toEqual({})
    expect((await info(r.transaction.txID)).id).toBe(r.transaction.txID)
    await server.mine(19)
    expect((await post('/walletsolidity/gettransactioninfobyid', { value: r.transaction.txID })).id).toBe(r.transaction.txID)
    expect(await a.tw.trx.getBalance(a.address)).toBe(Number(server.balanceOf(a.address)))
  })

  it('serves /v1/accounts/:address with trc20 balances and pages its transactions', async () => {
    const a = await funded(0xf3, 50, 70)
    const b = addressOf(key(0xf4))
    for (let i = 0; i < 3; i++)
      expect((await a.tw.trx.sendRawTransaction(await usdtTransfer(a.tw, a.address, b, 1_000_000 + i))).result).toBe(true)
    await server.mine()
    const acct: any = await (await fetch(`${server.url}/v1/accounts/${a.address}`)).json()
    expect(acct.success).toBe(true)
    expect(acct.data[0].balance).toBe(Number(server.balanceOf(a.address)))
    expect(acct.data[0].trc20).toEqual([{ [usdt]: '66999997' }])
    expect(((await (await fetch(`${server.url}/v1/accounts/${b}`)).json()) as any).data).toEqual([]) // not activated

    const seen: string[] = []
    let url = `${server.url}/v1/accounts/${a.address}/transactions/trc20?limit=2`
    for (;;) {
      const page = (await (await fetch(url)).json()) as any
      seen.push(...page.data.map((d: { transaction_id: string; value: string }) => d.value))
      if (!page.meta.links?.next) break
      url = page.meta.links.next
    }
    expect(seen).toEqual(['1000002', '1000001', '1000000', '70000000']) // newest first; the mint last
    const confirmed: any = await (await fetch(`${server.url}/v1/accounts/${a.address}/transactions/trc20?only_confirmed=true`)).json()
    expect(confirmed.data).toEqual([])
    const txs: any = await (await fetch(`${server.url}/v1/accounts/${a.address}/transactions?only_from=true`)).json()
    expect(txs.data).toHaveLength(3)
    expect(txs.data[0]).toMatchObject({ ret: [{ contractRet: 'SUCCESS' }], energy_fee: expect.any(Number) })
    const bad = await fetch(`${server.url}/v1/accounts/${a.address}/transactions?limit=500`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ success: false, error: 'limit must be an integer from 1 to 200', statusCode: 400 })
  })

  it("a fault 'after' answers 500 but the transaction landed", async () => {
    const a = await funded(0xf5)
    const signed = await a.tw.trx.sign(await a.tw.transactionBuilder.sendTrx(addressOf(key(0xf6)), 1_000_000, a.address))
    server.addFault({ path: '/wallet/broadcasttransaction', when: 'after', fault: { status: 500 }, times: 1 })
    await expect(a.tw.trx.sendRawTransaction(signed)).rejects.toThrow(/500/)
    expect(server.transactions().some((t) => t.txID === signed.txID)).toBe(true)
    await server.mine()
    expect((await info(signed.txID)).blockNumber).toBe(server.head().number)
    expect(server.faultLog.at(-1)).toBe('POST /wallet/broadcasttransaction → 500 (after)')
  })
})

describe('startLocalTron', () => {
  it('funds, reports and refuses bad calls', async () => {
    const tron = await startLocalTron({ tokens: ['USDT'] })
    try {
      expect(tron.chainId).toMatch(/^tron:0x[0-9a-f]{8}$/)
      expect(tron.nativeAsset).toBe(`${tron.chainId}/slip44:195`)
      expect(tron.adapterTokens).toEqual([expect.objectContaining({ symbol: 'USDT', decimals: 6, family: 'USDT' })])
      const a = addressOf(key(0x101))
      await tron.fund(a, { TRX: '12.5', USDT: '40' })
      expect(tron.balanceOf(a)).toBe(12_500_000n)
      expect(await tron.tokenBalanceOf(a, 'USDT')).toBe(40_000_000n)
      expect(() => tron.setResources(addressOf(key(0x102)), { energy: 1 })).toThrow(InvalidArgumentError)
      tron.setResources(a, { energy: 50_000, bandwidth: 5_000 })
      await expect(tron.fund(a, { TRX: 1 as unknown as string })).rejects.toThrow(/not a number/)
    } finally {
      await tron.stop()
    }
  })
})
