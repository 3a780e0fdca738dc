// Quote → build → sign → broadcast → mine → status against the local TronGrid-shaped server: the
// quote's energy, bandwidth and activation are what the server (java-tron's fee model) burns, an
// account without TRX for the burn is refused in plain words before anything is signed, and the
// receipt's REVERT / OUT_OF_ENERGY / expiry map to failed and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Secp256k1Signer } from 'coffer/keys'
import { InsufficientFundsError, InvalidAddressError, NotSupportedError } from '../../../src/core/errors.js'
import type { TransferQuote, TransferRequest, UnsignedTransaction } from '../../../src/chains/adapter.js'
import { broadcastTron, tronTransactionLanded } from '../../../src/chains/tron/broadcast.js'
import { tronClient, type TronClient } from '../../../src/chains/tron/client.js'
import { trc20AssetId } from '../../../src/chains/tron/networks.js'
import { quoteTronTransfer } from '../../../src/chains/tron/quote.js'
import { signTronTransaction } from '../../../src/chains/tron/signing.js'
import { readTronBlockAt, readTronLatestBlock, readTronStatus, TRON_SOLIDIFIED_CONFIRMATIONS } from '../../../src/chains/tron/status.js'
import { buildTronTransaction, type TronTransferPlan } from '../../../src/chains/tron/transaction.js'
import { startTronServer, type TronServer } from '../../support/tron-server.js'
import { chainFacts, tronSigners } from './helpers.js'

let server: TronServer
let client: TronClient
let signers: Secp256k1Signer[]
let facts: ReturnType<typeof chainFacts>
let usdt: string
let usdtAsset: ReturnType<typeof trc20AssetId>

beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  client = tronClient([server.url], { retryCount: 1, timeoutMs: 5_000 })
  signers = await tronSigners(12)
  facts = chainFacts(server.genesisBlockId, server.tokens)
  usdt = server.tokens[0]!.address
  usdtAsset = trc20AssetId(facts.chainId, usdt)
  for (const s of signers.slice(0, 6)) {
    await server.sendTrx(s.address, 200_000_000n)
    await server.mintToken(s.address, 'USDT', 1_000_000_000n)
  }
  await server.mintToken(signers[6]!.address, 'USDT', 50_000_000n) // USDT, no TRX
  await server.mine()
}, 120_000)
afterAll(() => server?.stop())

const context = () => ({ chainId: facts.chainId, nativeAsset: facts.native, tokens: facts.tokens })
const quote = (request: TransferRequest) => quoteTronTransfer(client, context(), request)
const planOf = (q: TransferQuote): TronTransferPlan => ({
  from: q.from,
  to: q.to,
  kind: q.details.kind as 'trx' | 'trc20',
  ...(q.details.kind === 'trc20' ? { contract: q.details.contract as string, feeLimit: BigInt(q.details.feeLimit as string) } : {}),
  amount: q.amount,
  maxFee: q.fee.amount,
})
const build = (plan: TronTransferPlan, expirationMs?: number) =>
  buildTronTransaction(client, plan, { chainId: facts.chainId, ...(expirationMs === undefined ? {} : { expirationMs }) })
const signer = (address: string) => signers.find((s) => s.address === address)!

/** Signs, broadcasts and mines `unsigned`; its status and the server's record. */
async function land(unsigned: UnsignedTransaction) {
  const signed = await signTronTransaction(facts.chainId, facts.native, facts.tokens, unsigned, signer(unsigned.from))
  const hash = await broadcastTron(client, signed, (h) => tronTransactionLanded(client, h))
  await server.mine()
  const status = await readTronStatus(client, hash, { nativeAsset: facts.native })
  const landed = server.transactions().find((t) => t.txID === hash)!
  return { hash, status, landed }
}

describe('quote', () => {
  it('USDT: quote → build → sign → broadcast → confirmed; the burn is the quote expected, within fee.amount', async () => {
    const [alice, bob] = [signers[0]!, signers[1]!]
    const q = await quote({ from: alice.address, to: bob.address, asset: usdtAsset, amount: 5_000_000n })
    expect({ ...q.fees.slow, level: 'fast' }).toEqual(q.fees.fast)
    expect(q.fee.details.feeMarket).toBe('none')
    const d = q.fee.details as Record<string, string>
    expect(BigInt(d.energyNeeded!)).toBeGreaterThan(5_000n)
    expect(d.energyCovered).toBe('0')
    expect(BigInt(d.energyBurn!)).toBe(BigInt(d.energyNeeded!) * 100n)
    expect(BigInt(d.feeLimit!)).toBe(((BigInt(d.energyNeeded!) * 6n + 4n) / 5n) * 100n)
    expect(q.fee.amount).toBe(BigInt(d.feeLimit!) + BigInt(d.bandwidthNeeded!) * 1_000n)
    const { status, landed } = await land(await build(planOf(q)))
    expect(status).toMatchObject({ state: 'confirmed', confirmations: 1, fee: { asset: facts.native, amount: landed.fee } })
    expect(landed.result).toBe('SUCCESS')
    expect(landed.fee).toBeLessThanOrEqual(q.fee.amount)
    expect(landed.fee).toBe(q.fee.expected)
    expect(BigInt(landed.energy)).toBe(BigInt(d.energyNeeded!))
    expect(BigInt(landed.netUsage)).toBe(BigInt(d.bandwidthCovered!) || BigInt(d.bandwidthNeeded!))
    const block = await readTronBlockAt(client, status.blockHeight!)
    expect(block?.hash).toBe(status.blockHash)
    expect(await readTronBlockAt(client, server.head().number + 5)).toBeUndefined()
    await server.mine(TRON_SOLIDIFIED_CONFIRMATIONS + 1)
    const later = await readTronStatus(client, status.hash, { nativeAsset: facts.native })
    expect(later.confirmations).toBe(TRON_SOLIDIFIED_CONFIRMATIONS + 2)
    const head = await readTronLatestBlock(client)
    expect(head).toMatchObject({ height: server.head().number, hash: server.head().id, timestamp: server.head().timestamp })
    expect((await readTronBlockAt(client, head.height))?.parentHash).toBe((await readTronBlockAt(client, head.height - 1))?.hash)
  })

  it('USDT to a fresh holder needs more energy than to an existing one', async () => {
    const alice = signers[0]!
    const existing = await quote({ from: alice.address, to: signers[1]!.address, asset: usdtAsset, amount: 1_000_000n })
    const fresh = await quote({ from: alice.address, to: signers[8]!.address, asset: usdtAsset, amount: 1_000_000n })
    const e = (q: TransferQuote) => BigInt(q.fee.details.energyNeeded as string)
    expect(e(fresh)).toBeGreaterThan(e(existing) + 10_000n)
    expect(fresh.fee.amount).toBeGreaterThan(existing.fee.amount)
    // alice's second transfer today: her 600 free bytes no longer cover one, the bandwidth burns.
    expect(fresh.fee.details.bandwidthCovered).toBe('0')
    expect(BigInt(fresh.fee.details.bandwidthBurn as string)).toBe(BigInt(fresh.fee.details.bandwidthNeeded as string) * 1_000n)
    const { landed } = await land(await build(planOf(fresh)))
    expect(landed.fee).toBe(fresh.fee.expected)
    expect(landed.netFee).toBe(BigInt(fresh.fee.details.bandwidthBurn as string))
  })

  it('a sender with staked energy burns less, and the quote says so', async () => {
    const carol = signers[2]!
    server.setResources(carol.address, { energy: 200_000 })
    const q = await quote({ from: carol.address, to: signers[3]!.address, asset: usdtAsset, amount: 2_000_000n })
    const d = q.fee.details as Record<string, string>
    expect(d.energyCovered).toBe(d.energyNeeded)
    expect(d.energyBurn).toBe('0')
    expect(q.fee.expected).toBe(BigInt(d.bandwidthBurn!))
    const { status, landed } = await land(await build(planOf(q)))
    expect(status.state).toBe('confirmed')
    expect(landed.fee).toBe(q.fee.expected)
    expect(landed.energyFee).toBe(0n)
  })

  it('USDT from an account without TRX is refused in plain words, nothing signed', async () => {
    const dave = signers[6]!
    const before = server.requestLog.filter((l) => l.includes('broadcast')).length
    const error = await quote({ from: dave.address, to: signers[0]!.address, asset: usdtAsset, amount: 1_000_000n }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InsufficientFundsError)
    expect((error as Error).message).toMatch(
      /^Sending USDT on TRON burns TRX for energy and bandwidth: this account holds 0 TRX and the transfer needs up to \d+(\.\d+)? TRX/,
    )
    // dave holds USDT only and was never activated: the way out is to send it TRX.
    expect((error as Error).message).toContain('never activated (tokens received do not activate an account): send it TRX first.')
    expect(server.requestLog.filter((l) => l.includes('broadcast')).length).toBe(before)
  })

  it('TRX to a new account pays the activation; the quote is what burns', async () => {
    const [erin, fresh] = [signers[4]!, signers[9]!]
    const q = await quote({ from: erin.address, to: fresh.address, asset: facts.native, amount: 1_000_000n })
    const d = q.fee.details as Record<string, string>
    expect(d.activationFee).toBe(String(server.parameters.createNewAccountFeeInSystemContract + server.parameters.createAccountFee))
    expect(q.fee.amount).toBe(q.fee.expected)
    const { status, landed } = await land(await build(planOf(q)))
    expect(status).toMatchObject({ state: 'confirmed', fee: { amount: landed.fee } })
    expect(landed.fee).toBe(q.fee.expected)
    expect(server.isActivated(fresh.address)).toBe(true)
    const again = await quote({ from: erin.address, to: fresh.address, asset: facts.native, amount: 1_000_000n })
    expect(again.fee.details.activationFee).toBe('0')
  })

  it("TRX 'max' is the balance less the fee; TRC-20 'max' is the token balance", async () => {
    const frank = signers[5]!
    const q = await quote({ from: frank.address, to: signers[0]!.address, asset: facts.native, amount: 'max' })
    expect(q.amount + q.fee.amount).toBe(server.balanceOf(frank.address))
    const t = await quote({ from: frank.address, to: signers[0]!.address, asset: usdtAsset, amount: 'max' })
    expect(t.amount).toBe(await server.tokenBalanceOf(frank.address, 'USDT'))
    await expect(quote({ from: frank.address, to: frank.address, asset: facts.native, amount: 1n })).rejects.toThrow(InvalidAddressError)
    await expect(quote({ from: frank.address, to: usdt, asset: usdtAsset, amount: 1n })).rejects.toThrow(InvalidAddressError)
    await expect(
      quote({ from: frank.address, to: signers[0]!.address, asset: facts.native, amount: server.balanceOf(frank.address) + 1n }),
    ).rejects.toThrow(InsufficientFundsError)
    const requests = server.requests
    await expect(
      quote({ from: frank.address, to: signers[0]!.address, asset: facts.native, amount: 1n, references: [signers[1]!.address] }),
    ).rejects.toThrow(NotSupportedError)
    expect(server.requests, 'refused before any request').toBe(requests)
  })
})

describe('status', () => {
  it('a fee limit too low: OUT_OF_ENERGY, failed, the whole limit burned', async () => {
    const alice = signers[0]!
    const q = await quote({ from: alice.address, to: signers[1]!.address, asset: usdtAsset, amount: 1_000_000n })
    const feeLimit = 1_000n * 100n
    const { status, landed } = await land(await build({ ...planOf(q), feeLimit, maxFee: feeLimit + q.fee.amount }))
    expect(landed.result).toBe('OUT_OF_ENERGY')
    expect(landed.energyFee).toBe(feeLimit)
    expect(status).toMatchObject({ state: 'failed', confirmations: 1, fee: { amount: landed.fee } })
  })

  it('a blacklisted sender: REVERT, failed with its burn', async () => {
    const bob = signers[1]!
    const q = await quote({ from: bob.address, to: signers[0]!.address, asset: usdtAsset, amount: 1_000_000n })
    await server.blacklist(bob.address)
    await server.mine()
    const { status, landed } = await land(await build(planOf(q)))
    expect(landed.result).toBe('REVERT')
    expect(landed.fee).toBeGreaterThan(0n)
    expect(status).toMatchObject({ state: 'failed', fee: { amount: landed.fee } })
  })

  it('an expired transaction that never landed: pending, then dropped and unminable once the head passed its expiration', async () => {
    const alice = signers[0]!
    const unsigned = await build({ from: alice.address, to: signers[3]!.address, kind: 'trx', amount: 1n, maxFee: 0n }, 3_000)
    const expiration = (unsigned.payload as { expiration: number }).expiration
    const hash = (unsigned.payload as { txID: string }).txID
    expect(await readTronStatus(client, hash, { nativeAsset: facts.native, record: { expiration } })).toEqual({
      hash,
      state: 'pending',
      confirmations: 0,
    })
    expect(await readTronStatus(client, hash, { nativeAsset: facts.native })).toMatchObject({ state: 'pending' })
    await server.mine(2)
    expect(server.head().timestamp).toBeGreaterThanOrEqual(expiration)
    expect(await readTronStatus(client, hash, { nativeAsset: facts.native, record: { expiration } })).toEqual({
      hash,
      state: 'dropped',
      confirmations: 0,
      unminable: true,
    })
  })
})
