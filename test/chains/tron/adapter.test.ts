// The TRON adapter end to end against the local TronGrid-shaped server: what a TRC-20 transfer
// costs (energy to a fresh holder, burns without stake, staked energy, the activation of a new
// account) and what it costs when it fails (OUT_OF_ENERGY, a blacklisted sender's REVERT), an
// account holding only USDT, expiry (dropped), the chain check, message signatures and the signer
// check. Every case asserts what happened on the server (its ledger, its receipts, what it was
// sent), not only what the adapter said; tronweb checks every transaction the adapter signs.
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync } from '@scure/bip39'
import { bytesToHex } from '@noble/hashes/utils.js'
import { Trx, TronWeb, utils as tronUtils } from 'tronweb'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Secp256k1Signer } from 'coffer/keys'
import { Vault, memoryStorage } from 'coffer/vault'
import {
  BroadcastUnknownError,
  ChainMismatchError,
  InsufficientFundsError,
  InvalidArgumentError,
  TransactionRejectedError,
  type AssetInfo,
  type TransferQuote,
  type TronAdapter,
} from 'coffer/tron'
import { startTronServer, type TronServer } from '../../support/tron-server.js'
import {
  checkWithTronweb,
  localTronAdapter,
  TRON_TEST_MNEMONIC,
  tronSigners,
  verifyEverySignature,
  type TronwebReading,
} from './helpers.js'

let server: TronServer
let adapter: TronAdapter
let signers: Secp256k1Signer[]
let usdt: AssetInfo['id']
let readings: TronwebReading[]
let next = 0

beforeAll(async () => {
  server = await startTronServer({ tokens: ['USDT'] })
  adapter = localTronAdapter(server)
  readings = verifyEverySignature(adapter)
  signers = await tronSigners(32)
  usdt = (await adapter.assets()).find((a) => a.symbol === 'USDT')!.id
}, 120_000)
afterAll(() => server?.stop())
afterEach(() => server.clearFaults())

/** A fresh vault account (none of them used by another case). */
const fresh = () => {
  const s = signers[next++]
  if (!s) throw new Error('raise the number of signers')
  return s
}
/** A fresh account holding `trx` sun and `tokens` USDT base units (sealed in a block). */
async function account(trx: bigint, tokens = 0n): Promise<Secp256k1Signer> {
  const s = fresh()
  if (trx > 0n) await server.sendTrx(s.address, trx)
  if (tokens > 0n) await server.mintToken(s.address, 'USDT', tokens)
  await server.mine()
  return s
}
const landedTx = (hash: string) => {
  const found = server.transactions().filter((t) => t.txID === hash)
  expect(found, `${hash} landed once`).toHaveLength(1)
  return found[0]!
}
const broadcasts = () => server.requestLog.filter((l) => /\/wallet\/broadcast/.test(l)).length
const energy = (q: TransferQuote) => BigInt(q.fee.details.energyNeeded as string)
const detail = (q: TransferQuote, key: string) => BigInt(q.fee.details[key] as string)

/** quote → sendTransfer → mine → status, with the server's receipt. */
async function send(q: TransferQuote, signer: Secp256k1Signer) {
  const hash = await adapter.sendTransfer(q, signer)
  await server.mine()
  const status = await adapter.waitForTransaction(hash, { timeoutMs: 15_000, pollIntervalMs: 50 })
  return { hash, status, landed: landedTx(hash) }
}

describe('what a USDT transfer costs', () => {
  it('to a fresh holder it needs about twice the energy of a transfer to a holder: the quote says it, the chain burns it', async () => {
    const alice = await account(300_000_000n, 100_000_000n)
    const holder = await account(0n, 1n)
    const newcomer = fresh()
    const toHolder = await adapter.quoteTransfer({ from: alice.address, to: holder.address, asset: usdt, amount: 1_000_000n })
    const toNewcomer = await adapter.quoteTransfer({ from: alice.address, to: newcomer.address, asset: usdt, amount: 1_000_000n })
    const ratio = Number(energy(toNewcomer)) / Number(energy(toHolder))
    expect(ratio, `${energy(toNewcomer)} / ${energy(toHolder)} energy`).toBeGreaterThan(1.6)
    expect(ratio).toBeLessThan(2.6)
    expect(toNewcomer.fee.amount).toBeGreaterThan(toHolder.fee.amount)
    expect(toNewcomer.fee.expected).toBeGreaterThan(toHolder.fee.expected)

    const a = await send(toHolder, alice)
    const b = await send(toNewcomer, alice)
    expect(BigInt(a.landed.energy), 'landed energy = quoted energy (holder)').toBe(energy(toHolder))
    expect(BigInt(b.landed.energy), 'landed energy = quoted energy (fresh holder)').toBe(energy(toNewcomer))
    const landedRatio = b.landed.energy / a.landed.energy
    expect(landedRatio).toBeGreaterThan(1.6)
    expect(landedRatio).toBeLessThan(2.6)
    expect(b.landed.energyFee).toBeGreaterThan(a.landed.energyFee)
    expect(await server.tokenBalanceOf(holder.address, 'USDT')).toBe(1_000_001n)
    expect(await server.tokenBalanceOf(newcomer.address, 'USDT')).toBe(1_000_000n)
    expect(server.isActivated(newcomer.address), 'a TRC-20 transfer creates no TRON account').toBe(false)
  })

  it('without staked energy the sender burns TRX, as much as the quote expected and never more than fee.amount; with stake, less', async () => {
    const amount = 2_000_000n
    const recipient = await account(0n, 1n)
    const bare = await account(100_000_000n, 10_000_000n)
    const q = await adapter.quoteTransfer({ from: bare.address, to: recipient.address, asset: usdt, amount })
    expect(q.fee.details).toMatchObject({ energyCovered: '0' })
    expect(detail(q, 'energyBurn')).toBe(energy(q) * BigInt(server.parameters.energyFee))
    const before = server.balanceOf(bare.address)
    const unstaked = await send(q, bare)
    expect(unstaked.status).toMatchObject({ state: 'confirmed', fee: { amount: unstaked.landed.fee } })
    expect(unstaked.landed).toMatchObject({ result: 'SUCCESS', energyFee: detail(q, 'energyBurn') })
    // Bandwidth is priced on the real encoding; allow a few bytes of difference (none expected).
    const slack = 8n * BigInt(server.parameters.transactionFee)
    expect(unstaked.landed.fee).toBeGreaterThanOrEqual(q.fee.expected - slack)
    expect(unstaked.landed.fee).toBeLessThanOrEqual(q.fee.expected + slack)
    expect(unstaked.landed.fee).toBeLessThanOrEqual(q.fee.amount)
    expect(before - server.balanceOf(bare.address), 'the TRX burned is the fee').toBe(unstaked.landed.fee)
    expect(await server.tokenBalanceOf(bare.address, 'USDT')).toBe(10_000_000n - amount)

    const staked = await account(100_000_000n, 10_000_000n)
    server.setResources(staked.address, { energy: 1_000_000 })
    const s = await adapter.quoteTransfer({ from: staked.address, to: recipient.address, asset: usdt, amount })
    expect(s.fee.details).toMatchObject({ energyCovered: s.fee.details.energyNeeded, energyBurn: '0' })
    expect(s.fee.expected).toBeLessThan(q.fee.expected)
    const stakedBefore = server.balanceOf(staked.address)
    const withStake = await send(s, staked)
    expect(withStake.landed).toMatchObject({ result: 'SUCCESS', energyFee: 0n })
    expect(withStake.landed.energy).toBe(unstaked.landed.energy)
    expect(withStake.landed.fee).toBeLessThan(unstaked.landed.fee)
    expect(withStake.landed.fee).toBeLessThanOrEqual(s.fee.amount)
    expect(stakedBefore - server.balanceOf(staked.address)).toBe(withStake.landed.fee)
  })

  it('an account holding only USDT (or too little TRX for the burn) is refused before signing, in words about energy and TRX; nothing is sent', async () => {
    const to = await account(0n, 1n)
    const onlyUsdt = await account(0n, 50_000_000n)
    const littleTrx = await account(500_000n, 50_000_000n)
    const landed = server.transactions().length
    const signedBefore = readings.length
    server.resetRequests()
    for (const who of [onlyUsdt, littleTrx]) {
      const error = await adapter
        .quoteTransfer({ from: who.address, to: to.address, asset: usdt, amount: 1_000_000n })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InsufficientFundsError)
      expect((error as Error).message).toMatch(/energy/)
      expect((error as Error).message).toMatch(/TRX/)
      expect((error as InsufficientFundsError).details).toMatchObject({ available: String(server.balanceOf(who.address)) })
    }
    expect(broadcasts(), 'no broadcast reached the server').toBe(0)
    expect(server.transactions().length, 'nothing landed').toBe(landed)
    expect(readings.length, 'nothing was signed').toBe(signedBefore)
    expect(await server.tokenBalanceOf(onlyUsdt.address, 'USDT')).toBe(50_000_000n)
    expect(server.balanceOf(littleTrx.address)).toBe(500_000n)
  })

  it('TRX to a new account pays its activation: the quote says it, the landed fee shows it, the account exists after', async () => {
    const erin = await account(50_000_000n)
    const newcomer = fresh()
    expect(server.isActivated(newcomer.address)).toBe(false)
    const q = await adapter.quoteTransfer({ from: erin.address, to: newcomer.address, asset: adapter.nativeAsset, amount: 1_000_000n })
    const activation = BigInt(server.parameters.createNewAccountFeeInSystemContract + server.parameters.createAccountFee)
    expect(q.details).toMatchObject({ recipientExists: false })
    expect(detail(q, 'activationFee')).toBe(activation)
    expect(q.fee.expected).toBeGreaterThanOrEqual(activation)
    const before = server.balanceOf(erin.address)
    const { status, landed } = await send(q, erin)
    expect(status).toMatchObject({ state: 'confirmed', fee: { amount: landed.fee } })
    expect(landed.fee).toBe(q.fee.expected)
    expect(landed.fee).toBeGreaterThanOrEqual(activation)
    expect(server.isActivated(newcomer.address)).toBe(true)
    expect(server.balanceOf(newcomer.address)).toBe(1_000_000n)
    expect(before - server.balanceOf(erin.address)).toBe(1_000_000n + landed.fee)
    const again = await adapter.quoteTransfer({ from: erin.address, to: newcomer.address, asset: adapter.nativeAsset, amount: 1_000_000n })
    expect(again.fee.details.activationFee).toBe('0')
    expect(again.fee.expected).toBeLessThan(activation)
  })
})

describe('transfers that land and fail', () => {
  it('a fee limit too small: OUT_OF_ENERGY, getTransaction says failed with the whole limit burned; no token moved', async () => {
    const alice = await account(100_000_000n, 10_000_000n)
    const bob = fresh()
    const q = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdt, amount: 1_000_000n })
    // The quote, edited consistently: a fee_limit buying 1,000 energy (a transfer needs far more).
    const feeLimit = 1_000n * BigInt(server.parameters.energyFee)
    const maxFee = feeLimit + detail(q, 'bandwidthBurn')
    const starved: TransferQuote = {
      ...q,
      fee: { ...q.fee, amount: maxFee },
      details: { ...q.details, feeLimit: feeLimit.toString(), maxFee: maxFee.toString() },
    }
    const before = server.balanceOf(alice.address)
    const { status, landed } = await send(starved, alice)
    expect(readings.at(-1)).toMatchObject({ type: 'TriggerSmartContract', feeLimit })
    expect(landed).toMatchObject({ result: 'OUT_OF_ENERGY', energyFee: feeLimit, energy: 1_000 })
    expect(status).toMatchObject({ state: 'failed', fee: { asset: adapter.nativeAsset, amount: landed.fee } })
    expect(landed.fee).toBeGreaterThanOrEqual(feeLimit)
    expect(landed.fee).toBeLessThanOrEqual(maxFee)
    expect(before - server.balanceOf(alice.address), 'the TRX burned').toBe(landed.fee)
    expect(await server.tokenBalanceOf(alice.address, 'USDT')).toBe(10_000_000n)
    expect(await server.tokenBalanceOf(bob.address, 'USDT')).toBe(0n)
  })

  it('a blacklisted sender: the quote refuses; a transaction signed before the blacklisting lands as failed (REVERT) with its burn', async () => {
    const mallory = await account(100_000_000n, 10_000_000n)
    const bob = await account(0n, 1n)
    const q = await adapter.quoteTransfer({ from: mallory.address, to: bob.address, asset: usdt, amount: 1_000_000n })
    const signed = await adapter.signTransaction(await adapter.buildTransfer(q), mallory)
    await server.blacklist(mallory.address)
    await server.mine()

    const landedBefore = server.transactions().length
    server.resetRequests()
    await expect(adapter.quoteTransfer({ from: mallory.address, to: bob.address, asset: usdt, amount: 1_000_000n })).rejects.toBeInstanceOf(
      TransactionRejectedError,
    )
    expect(broadcasts()).toBe(0)
    expect(server.transactions().length).toBe(landedBefore)

    const before = server.balanceOf(mallory.address)
    expect(await adapter.broadcast(signed)).toBe(signed.hash)
    await server.mine()
    const landed = landedTx(signed.hash)
    expect(landed.result).toBe('REVERT')
    expect(landed.fee).toBeGreaterThan(0n)
    expect(landed.fee).toBeLessThanOrEqual(q.fee.amount)
    expect(await adapter.getTransaction(signed.hash)).toMatchObject({ state: 'failed', fee: { amount: landed.fee } })
    expect(before - server.balanceOf(mallory.address)).toBe(landed.fee)
    expect(await server.tokenBalanceOf(mallory.address, 'USDT')).toBe(10_000_000n)
    expect(await server.tokenBalanceOf(bob.address, 'USDT')).toBe(1n)
  })

  it('an expired transaction is dropped, only once the head passed its expiration, and only for one the adapter recorded', async () => {
    const journal = memoryStorage()
    const short = localTronAdapter(server, { expirationMs: 3_000, journalStorage: journal })
    verifyEverySignature(short, readings)
    const alice = await account(20_000_000n)
    const bob = await account(1_000_000n)
    const q = await short.quoteTransfer({ from: alice.address, to: bob.address, asset: short.nativeAsset, amount: 1_000_000n })

    // Signed, never broadcast: the adapter has no record of it, so it never says dropped.
    const other = await short.quoteTransfer({ from: alice.address, to: bob.address, asset: short.nativeAsset, amount: 2_000_000n })
    const unsent = await short.signTransaction(await short.buildTransfer(other), alice)

    // Sent, but the node never takes it (every broadcast answered 500 before it is read).
    server.addFault({ path: /^\/wallet\/broadcast(hex|transaction)$/, fault: { status: 500, body: 'Internal Server Error' } })
    const error = await short.sendTransfer(q, alice).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const lost = (error as BroadcastUnknownError).transaction
    expect(lost.hash).not.toBe(unsent.hash)
    server.clearFaults()
    const expiration = checkWithTronweb(lost).expiration
    expect(expiration).toBe(server.head().timestamp + 3_000)
    expect(server.head().timestamp).toBeLessThan(expiration)
    expect(await short.getTransaction(lost.hash), 'not expired yet: maybe still landing').toMatchObject({ state: 'pending' })

    await server.mine()
    expect(server.head().timestamp).toBeGreaterThanOrEqual(expiration)
    expect(await short.getTransaction(lost.hash)).toEqual({ hash: lost.hash, state: 'dropped', confirmations: 0, unminable: true })
    expect(await short.waitForTransaction(lost.hash, { timeoutMs: 5_000, pollIntervalMs: 50 }), 'a wait ends at dropped').toMatchObject({
      state: 'dropped',
    })
    // The record outlives the adapter (journalStorage); an adapter without it cannot know.
    const restarted = localTronAdapter(server, { journalStorage: journal })
    expect(await restarted.getTransaction(lost.hash)).toMatchObject({ state: 'dropped', unminable: true })
    expect(await localTronAdapter(server).getTransaction(lost.hash)).toMatchObject({ state: 'pending' })
    expect(await short.getTransaction(unsent.hash), 'never sent, never recorded').toMatchObject({ state: 'pending' })

    // Unminable indeed: the same bytes are refused now, and nothing of alice's ever landed.
    const refused = await short.broadcast(lost).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TransactionRejectedError)
    expect((refused as TransactionRejectedError).details.code).toBe('TRANSACTION_EXPIRATION_ERROR')
    await server.mine()
    expect(server.transactions().filter((t) => t.owner === alice.address)).toEqual([])
    expect(server.balanceOf(bob.address)).toBe(1_000_000n)
  })

  it('a transaction signed elsewhere (offline) and only broadcast here is judged by the expiration its bytes carry', async () => {
    const journal = memoryStorage()
    const online = localTronAdapter(server, { journalStorage: journal })
    const alice = await account(20_000_000n)
    const bob = await account(1_000_000n)
    const q = await online.quoteTransfer({ from: alice.address, to: bob.address, asset: online.nativeAsset, amount: 1_000_000n })
    // Built and signed by another adapter (the offline machine), which keeps no journal here.
    const offline = localTronAdapter(server, { expirationMs: 3_000 })
    const signed = await offline.signTransaction(await offline.buildTransfer(q), alice)
    const { expiration } = checkWithTronweb(signed)
    server.addFault({ path: /^\/wallet\/broadcast(hex|transaction)$/, fault: { status: 500, body: 'Internal Server Error' } })
    await expect(online.broadcast(signed)).rejects.toBeInstanceOf(BroadcastUnknownError)
    server.clearFaults()
    expect(await online.getTransaction(signed.hash)).toMatchObject({ state: 'pending' })
    while (server.head().timestamp < expiration) await server.mine()
    // The broadcasting adapter recorded it from its bytes: dropped, now and after a restart on the same journal.
    expect(await online.getTransaction(signed.hash)).toEqual({ hash: signed.hash, state: 'dropped', confirmations: 0, unminable: true })
    expect(await localTronAdapter(server, { journalStorage: journal }).getTransaction(signed.hash)).toMatchObject({ state: 'dropped' })
    expect(server.transactions().filter((t) => t.owner === alice.address)).toEqual([])
  })
})

describe('the chain and the signer', () => {
  it('an adapter for another chain on this server: ChainMismatchError before anything is quoted, built or broadcast', async () => {
    const alice = await account(20_000_000n)
    const bob = await account(1_000_000n)
    const q = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: adapter.nativeAsset, amount: 1_000_000n })
    const signed = await adapter.signTransaction(await adapter.buildTransfer(q), alice)
    const nile = localTronAdapter(server, { chain: 'tron:0xcd8690dc' })
    expect(nile.chainId).not.toBe(adapter.chainId)
    const landed = server.transactions().length
    server.resetRequests()
    await expect(
      nile.quoteTransfer({ from: alice.address, to: bob.address, asset: nile.nativeAsset, amount: 1_000_000n }),
    ).rejects.toBeInstanceOf(ChainMismatchError)
    await expect(nile.sendTransfer({ ...q, chainId: nile.chainId, asset: nile.nativeAsset }, alice)).rejects.toBeInstanceOf(
      ChainMismatchError,
    )
    await expect(nile.broadcast({ ...signed, chainId: nile.chainId })).rejects.toBeInstanceOf(ChainMismatchError)
    expect(broadcasts(), 'nothing reached the broadcast endpoints').toBe(0)
    expect(server.transactions().length).toBe(landed)
    expect(server.balanceOf(bob.address)).toBe(1_000_000n)
  })

  it('a journal read through another chain’s node never says dropped (pay again): ChainMismatchError', async () => {
    const other = await startTronServer()
    try {
      const journal = memoryStorage()
      const sender = localTronAdapter(server, { journalStorage: journal })
      verifyEverySignature(sender, readings)
      const alice = await account(20_000_000n)
      const bob = await account(1_000_000n)
      const q = await sender.quoteTransfer({ from: alice.address, to: bob.address, asset: sender.nativeAsset, amount: 1_000_000n })
      const hash = await sender.sendTransfer(q, alice)
      const { expiration } = readings.at(-1)!
      await server.mine()
      expect(await sender.getTransaction(hash)).toMatchObject({ state: 'confirmed' })
      // Restarted with the same journal, but its URL now names a node of another chain, whose head is past the expiration.
      const misconfigured = localTronAdapter(other, { chain: sender.chainId, journalStorage: journal })
      while (other.head().timestamp < expiration) await other.mine()
      await expect(misconfigured.getTransaction(hash)).rejects.toBeInstanceOf(ChainMismatchError)
      expect(landedTx(hash).result).toBe('SUCCESS')
    } finally {
      await other.stop()
    }
  })

  it('a quote edited into another asset or unreadable numbers is refused before any request', async () => {
    const alice = await account(100_000_000n, 10_000_000n)
    const bob = await account(1_000_000n)
    const trxQuote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: adapter.nativeAsset, amount: 1_000_000n })
    const usdtQuote = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: usdt, amount: 1_000_000n })
    server.resetRequests()
    const edited: TransferQuote[] = [
      { ...usdtQuote, asset: adapter.nativeAsset }, // a TRC-20 transfer presented as TRX (a policy reads quote.asset)
      { ...trxQuote, asset: usdt },
      { ...trxQuote, details: { ...trxQuote.details, maxFee: 'lots' } },
      { ...usdtQuote, details: { ...usdtQuote.details, feeLimit: '-1' } },
      { ...usdtQuote, details: { ...usdtQuote.details, feeLimit: '1e6' } },
    ]
    for (const quote of edited)
      await expect(adapter.buildTransfer(quote), JSON.stringify(quote.details)).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(server.requests, 'refused before any request').toBe(0)
    expect(readings.every((r) => r.owner !== alice.address)).toBe(true)
  })

  it('signMessage: tronweb verifyMessageV2 recovers the address; the signature is tronweb signMessageV2’s for the same key', async () => {
    const alice = signers[0]!
    const key = HDKey.fromMasterSeed(mnemonicToSeedSync(TRON_TEST_MNEMONIC)).derive("m/44'/195'/0'/0/0")
    const privateKey = bytesToHex(key.privateKey!)
    expect(TronWeb.address.fromPrivateKey(privateKey)).toBe(alice.address)
    for (const message of ['coffer ✓ TIP-191', 'x', new TextEncoder().encode('bytes \u0000 too')]) {
      const requests = server.requests
      const { signature, digest } = await adapter.signMessage(alice, message)
      expect(server.requests, 'signing is offline').toBe(requests)
      expect(Trx.verifyMessageV2(message, signature)).toBe(alice.address)
      expect(signature).toBe(Trx.signMessageV2(message, privateKey))
      expect(digest).toBe(tronUtils.message.hashMessage(message))
    }
    // A fixed vector (computed with tronweb's signMessageV2 for m/44'/195'/0'/0/0 of the test mnemonic).
    expect((await adapter.signMessage(alice, 'coffer ✓ TIP-191')).signature).toBe(FIXED_SIGNATURE)
    expect(Trx.verifyMessageV2('coffer ✓ TIP-191', FIXED_SIGNATURE)).toBe(alice.address)
  })

  it('an EVM signer (even of the same key) or another account’s TRON signer: InvalidArgumentError, nothing signed, nothing sent', async () => {
    const alice = await account(20_000_000n)
    const bob = await account(1_000_000n)
    const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    const { id } = await vault.addMnemonic({ mnemonic: TRON_TEST_MNEMONIC })
    const evmSigner = await vault.getSigner({ secretId: id, chain: 'evm', index: 0 })
    let calls = 0
    const counting = (s: Secp256k1Signer, chain: 'evm' | 'tron', address = s.address): Secp256k1Signer => ({
      curve: 'secp256k1',
      chain,
      address,
      path: s.path,
      publicKey: s.publicKey,
      signDigest: async (d) => {
        calls++
        return s.signDigest(d)
      },
      signSchnorr: async (m, o) => {
        calls++
        return s.signSchnorr(m, o)
      },
    })
    const sameKeyAsEvm = counting(alice, 'evm', '0x52908400098527886E0F7030069857D2E4169EE7')
    const q = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: adapter.nativeAsset, amount: 1_000_000n })
    const unsigned = await adapter.buildTransfer(q)
    const landed = server.transactions().length
    server.resetRequests()
    for (const signer of [counting(evmSigner, 'evm'), sameKeyAsEvm, counting(bob, 'tron')]) {
      await expect(adapter.signTransaction(unsigned, signer)).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(adapter.sendTransfer(q, signer)).rejects.toBeInstanceOf(InvalidArgumentError)
      if (signer.chain !== 'tron') await expect(adapter.signMessage(signer, 'hello')).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    expect(calls, 'no key was asked to sign').toBe(0)
    expect(broadcasts()).toBe(0)
    expect(server.transactions().length).toBe(landed)
    expect(server.balanceOf(bob.address)).toBe(1_000_000n)
  })
})

it('the tronweb check itself catches a transaction that does not do what its summary says', async () => {
  const alice = await account(20_000_000n)
  const bob = await account(1_000_000n)
  const q = await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: adapter.nativeAsset, amount: 1_000_000n })
  const unsigned = await adapter.buildTransfer(q)
  const signed = await adapter.signTransaction(unsigned, alice)
  expect(checkWithTronweb(signed, unsigned)).toMatchObject({
    type: 'TransferContract',
    owner: alice.address,
    to: bob.address,
    amount: 1_000_000n,
  })
  expect(() => checkWithTronweb(signed, { ...unsigned, summary: { ...unsigned.summary, to: alice.address } })).toThrow(/recipient/)
  expect(() => checkWithTronweb(signed, { ...unsigned, summary: { ...unsigned.summary, amount: '1000001' } })).toThrow(/amount/)
  expect(() => checkWithTronweb({ ...signed, from: bob.address })).toThrow(/recovers to/)
  const raw = signed.raw.slice(0, -4) + (signed.raw.slice(-4, -2) === '00' ? '01' : '00') + signed.raw.slice(-2)
  expect(() => checkWithTronweb({ ...signed, raw })).toThrow()
})

const FIXED_SIGNATURE =
  '0xa194319710a00c6662c618482f58664434275c362e4f955f66431d7c3e43983c2a38fd32e37f49ad46c2d9bf26c84a51fc2313bf68a63f1a0b538b4791eab35b1b'
