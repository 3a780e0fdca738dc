// Build (locally, TaPoS from the solidified block), sign with a vault signer, and broadcast TRX
// and USDT transfers against the local TronGrid-shaped server, with tronweb as the independent
// verifier of every signed transaction (txID, signature → owner, contract, amount, recipient);
// and the broadcast's money-safety rules under the server's fault layer.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { TronWeb, utils as tronUtils } from 'tronweb'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Secp256k1Signer } from 'coffer/keys'
import { BroadcastUnknownError, InvalidArgumentError, TransactionRejectedError } from '../../../src/core/errors.js'
import type { SignedTransaction, UnsignedTransaction } from '../../../src/chains/adapter.js'
import { broadcastTron, tronTransactionLanded } from '../../../src/chains/tron/broadcast.js'
import { tronClient, type TronClient } from '../../../src/chains/tron/client.js'
import { signTronTransaction } from '../../../src/chains/tron/signing.js'
import { buildTronTransaction, type TronTransferPlan } from '../../../src/chains/tron/transaction.js'
import { startTronServer, type TronServer } from '../../support/tron-server.js'
import { chainFacts, tronSigners } from './helpers.js'

let server: TronServer
let client: TronClient
let signers: Secp256k1Signer[]
let facts: ReturnType<typeof chainFacts>
let usdt: string

beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  client = tronClient([server.url], { retryCount: 1, timeoutMs: 2_000 })
  signers = await tronSigners(8)
  facts = chainFacts(server.genesisBlockId, server.tokens)
  usdt = server.tokens[0]!.address
  for (const s of signers.slice(0, 6)) {
    await server.sendTrx(s.address, 200_000_000n)
    await server.mintToken(s.address, 'USDT', 1_000_000_000n)
  }
  await server.mine()
}, 120_000)
afterAll(() => server?.stop())
afterEach(() => server.clearFaults())

const build = (plan: TronTransferPlan, expirationMs?: number) =>
  buildTronTransaction(client, plan, { chainId: facts.chainId, ...(expirationMs === undefined ? {} : { expirationMs }) })
const sign = (unsigned: UnsignedTransaction, signer: Secp256k1Signer) =>
  signTronTransaction(facts.chainId, facts.native, facts.tokens, unsigned, signer)
const lookup = (hash: string) => tronTransactionLanded(client, hash)

/** Splits the signed Transaction hex as tronweb would see it: raw_data_hex and the 65-byte signature. */
function split(signed: SignedTransaction): { rawHex: string; sigHex: string } {
  const bytes = hexToBytes(signed.raw)
  const sig = bytes.subarray(bytes.length - 65)
  expect(bytes[bytes.length - 67]).toBe(0x12)
  expect(bytes[bytes.length - 66]).toBe(65)
  const head = bytes[1]! < 0x80 ? 2 : 3
  return { rawHex: bytesToHex(bytes.subarray(head, bytes.length - 67)), sigHex: bytesToHex(sig) }
}

/** tronweb's reading of a signed transaction. */
function verifyWithTronweb(signed: SignedTransaction, type: 'TransferContract' | 'TriggerSmartContract') {
  const { rawHex, sigHex } = split(signed)
  expect(bytesToHex(sha256(hexToBytes(rawHex)))).toBe(signed.hash)
  expect([27, 28]).toContain(parseInt(sigHex.slice(128), 16))
  const recovered = tronUtils.crypto.ecRecover(signed.hash, sigHex)
  expect(recovered.toLowerCase()).toBe((TronWeb.address.toHex(signed.from) as string).toLowerCase())
  return tronUtils.deserializeTx.deserializeTransaction(type, rawHex) as {
    contract: { parameter: { value: Record<string, unknown>; type_url: string }; Permission_id?: number }[]
    [field: string]: unknown
  }
}

describe('build, sign, broadcast', () => {
  it('a TRX transfer: tronweb reads what was signed, the server lands it, balances move', async () => {
    const [alice, bob] = [signers[0]!, signers[6]!]
    const unsigned = await build({
      from: alice.address,
      to: bob.address,
      kind: 'trx',
      amount: 3_000_000n,
      maxFee: 2_000_000n,
      memo: 'invoice 42',
    })
    expect(unsigned).toMatchObject({
      kind: 'tron-v1',
      from: alice.address,
      summary: { to: bob.address, asset: facts.native, amount: '3000000', fee: '2000000' },
    })
    const solid = server.solidNumber()
    expect(unsigned.payload.refBlock).toMatchObject({ number: solid, solidified: true })
    expect(unsigned.payload.expiration).toBe(server.head().timestamp + 60_000)
    const signed = await sign(unsigned, alice)
    expect(signed.hash).toBe(unsigned.payload.txID)
    const t = verifyWithTronweb(signed, 'TransferContract')
    expect(Buffer.from(String(t.data), 'hex').toString('utf8')).toBe('invoice 42')
    const v = t.contract[0]!.parameter.value
    expect(TronWeb.address.fromHex(String(v.owner_address))).toBe(alice.address)
    expect(TronWeb.address.fromHex(String(v.to_address))).toBe(bob.address)
    expect(String(v.amount)).toBe('3000000')

    const before = server.balanceOf(alice.address)
    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    await server.mine()
    expect(server.transactions().filter((x) => x.txID === signed.hash)).toHaveLength(1)
    expect(server.balanceOf(bob.address)).toBe(3_000_000n)
    const landed = server.transactions().find((x) => x.txID === signed.hash)!
    expect(server.balanceOf(alice.address)).toBe(before - 3_000_000n - landed.fee)
    expect(await lookup(signed.hash)).toBe('landed')
  })

  it('a USDT transfer: TriggerSmartContract transfer(to, amount) with its fee_limit, verified by tronweb, lands', async () => {
    const [alice, carol] = [signers[1]!, signers[7]!]
    const unsigned = await build({
      from: alice.address,
      to: carol.address,
      kind: 'trc20',
      contract: usdt,
      amount: 12_345_678n,
      feeLimit: 30_000_000n,
      maxFee: 31_000_000n,
    })
    expect(unsigned.summary).toEqual({ to: carol.address, asset: `${facts.chainId}/trc20:${usdt}`, amount: '12345678', fee: '31000000' })
    expect(unsigned.payload).toMatchObject({ contract: usdt, feeLimit: '30000000' })
    const signed = await sign(unsigned, alice)
    const t = verifyWithTronweb(signed, 'TriggerSmartContract')
    expect(t.fee_limit).toBe(30_000_000)
    const v = t.contract[0]!.parameter.value
    expect(TronWeb.address.fromHex(String(v.owner_address))).toBe(alice.address)
    expect(TronWeb.address.fromHex(String(v.contract_address))).toBe(usdt)
    const call = tronUtils.abi.decodeParams(['to', 'amount'], ['address', 'uint256'], `0x${String(v.data).slice(8)}`, false) as {
      to: string
      amount: bigint
    }
    expect(TronWeb.address.fromHex(call.to.replace(/^0x/, '41'))).toBe(carol.address)
    expect(BigInt(call.amount.toString())).toBe(12_345_678n)
    expect(String(v.data).slice(0, 8).toLowerCase()).toBe('a9059cbb')

    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    await server.mine()
    const landed = server.transactions().find((x) => x.txID === signed.hash)!
    expect(landed).toMatchObject({ type: 'TriggerSmartContract', result: 'SUCCESS', owner: alice.address })
    expect(landed.fee).toBeLessThanOrEqual(31_000_000n)
    expect(await server.tokenBalanceOf(carol.address, 'USDT')).toBe(12_345_678n)
  })

  it('falls back to the head block for TaPoS when the solidity API fails, and the transaction still lands', async () => {
    const [alice, bob] = [signers[2]!, signers[6]!]
    server.addFault({ path: '/walletsolidity/getnowblock', fault: { status: 404, body: 'no solidity node' } })
    const unsigned = await build({ from: alice.address, to: bob.address, kind: 'trx', amount: 1_000_000n, maxFee: 1_000_000n })
    expect(unsigned.payload.refBlock).toMatchObject({ number: server.head().number, solidified: false })
    const signed = await sign(unsigned, alice)
    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    await server.mine()
    expect(server.transactions().some((x) => x.txID === signed.hash)).toBe(true)
  })
})

describe('broadcast faults', () => {
  const trx = async (n: number, amount = 1_000_000n) => {
    const unsigned = await build({ from: signers[n]!.address, to: signers[6]!.address, kind: 'trx', amount, maxFee: 1_000_000n })
    return sign(unsigned, signers[n]!)
  }
  const landedCount = (hash: string) => server.transactions().filter((x) => x.txID === hash).length

  it("an answer lost after the node took it ('after' 500): looked up / re-sent, returned, landed once", async () => {
    const signed = await trx(3)
    server.addFault({ path: '/wallet/broadcasthex', when: 'after', fault: { status: 500 }, times: 1 })
    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    await server.mine()
    expect(landedCount(signed.hash)).toBe(1)
  })

  it('lost answers and failing lookups → BroadcastUnknownError with the bytes; re-broadcasting them settles it once', async () => {
    const signed = await trx(3, 2_000_000n)
    server.addFault({ path: '/wallet/broadcasthex', fault: { status: 502 } })
    server.addFault({ path: /^\/wallet\/gettransaction/, fault: { status: 503 } })
    const error = await broadcastTron(client, signed, lookup, { rebroadcasts: 2 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const unknown = error as InstanceType<typeof BroadcastUnknownError>
    expect(unknown.transaction).toEqual(signed)
    expect(unknown.details).toMatchObject({ hash: signed.hash, attempts: 3 })
    expect(landedCount(signed.hash)).toBe(0)
    server.clearFaults()
    expect(await broadcastTron(client, unknown.transaction as SignedTransaction, lookup)).toBe(signed.hash)
    expect(await broadcastTron(client, unknown.transaction as SignedTransaction, lookup)).toBe(signed.hash) // DUP → success
    await server.mine()
    expect(landedCount(signed.hash)).toBe(1)
  })

  it('an expired transaction → TransactionRejectedError (TRANSACTION_EXPIRATION_ERROR); nothing lands', async () => {
    const signed = await trx(4)
    await server.mine(25) // 75 s of chain time: past the 60 s expiration
    const error = await broadcastTron(client, signed, lookup).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransactionRejectedError)
    expect((error as InstanceType<typeof TransactionRejectedError>).details.reason).toMatch(/^TRANSACTION_EXPIRATION_ERROR/)
    expect((error as InstanceType<typeof TransactionRejectedError>).details.code).toBe('TRANSACTION_EXPIRATION_ERROR')
    expect(landedCount(signed.hash)).toBe(0)
    expect(server.refusals().at(-1)).toMatchObject({ txID: signed.hash, code: 'TRANSACTION_EXPIRATION_ERROR' })
  })

  it('a bad signature (SIGERROR) is a refusal, never sent-maybe', async () => {
    const signed = await trx(4, 3_000_000n)
    const bytes = hexToBytes(signed.raw)
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 1
    const error = await broadcastTron(client, { ...signed, raw: bytesToHex(bytes) }, lookup).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransactionRejectedError)
    expect(String((error as InstanceType<typeof TransactionRejectedError>).details.reason)).toMatch(/^SIGERROR/)
    expect(landedCount(signed.hash)).toBe(0)
  })

  it('DUP_TRANSACTION_ERROR → success, landed once', async () => {
    const signed = await trx(5)
    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    expect(await broadcastTron(client, signed, lookup)).toBe(signed.hash)
    await server.mine()
    expect(landedCount(signed.hash)).toBe(1)
    expect(server.refusals().at(-1)).toMatchObject({ txID: signed.hash, code: 'DUP_TRANSACTION_ERROR' })
  })

  it('refuses malformed signed bytes before sending anything', async () => {
    const signed = await trx(5, 4_000_000n)
    server.resetRequests()
    await expect(broadcastTron(client, { ...signed, hash: 'ab'.repeat(32) }, lookup)).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(broadcastTron(client, { ...signed, raw: `${signed.raw}00` }, lookup)).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(server.requests).toBe(0)
  })
})
