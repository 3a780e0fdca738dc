/**
 * The Wallet on a local TRON chain (coffer/testing's startLocalTron: TronGrid's HTTP API over a
 * TRX ledger of its own, USDT running on an anvil of its own; blocks come only from mine(), so a
 * payment is pending until the next block), and next to an EVM chain (the shared anvil) and a
 * local Solana cluster for a policy limit by asset family across the three. Every amount checked
 * below is read from the chains themselves (the local servers' ledgers, anvil's eth_call), never
 * from the adapter that sent it. Addresses are cross-checked with tronweb, an independent
 * implementation of TRON's key derivation. Last, on the test server with its fault layer: a
 * broadcast whose answer is lost stays counted until its expiration passed.
 */
import { Trx, TronWeb } from 'tronweb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Wallet, formatPaymentUri, type AssetId, type SignSummary, type WalletCreateOptions } from 'coffer'
import { deriveAccount, generateMnemonic, mnemonicToSeed } from 'coffer/keys'
import { evm, type EvmAdapter } from 'coffer/evm'
import { solana, type SolanaAdapter } from 'coffer/solana'
import { TRON_MAINNET_CHAIN_ID, tron, type TronAdapter } from 'coffer/tron'
import { startLocalSolana, startLocalTron, type LocalSolana, type LocalTron } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'
import { mintTokens, rpc, setBalance } from '../support/anvil.js'
import { fixtureTokens, sharedAnvil } from '../chains/evm/helpers.js'
import { localTronAdapter } from '../chains/tron/helpers.js'
import { startTronServer, type TronServer } from '../support/tron-server.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const EVM_MERCHANT = '0x000000000000000000000000000000000000bEEF'
const E18 = 10n ** 18n

let trx: LocalTron
let adapter: TronAdapter
let anvilAdapter: EvmAdapter
/** Fresh TRON addresses nobody else uses: merchants. */
let keys: string[]
let nextKey = 0
const freshKey = () => {
  const key = keys[nextKey++]
  if (!key) throw new Error('out of fresh keys; derive more in beforeAll')
  return key
}

let usdtContract: string
let USDT: AssetId

beforeAll(async () => {
  trx = await startLocalTron({ tokens: ['USDT'] })
  adapter = tron({ chain: trx.chainId, apiUrls: [trx.apiUrl], tokens: trx.adapterTokens })
  usdtContract = trx.adapterTokens.find((t) => t.symbol === 'USDT')!.address
  USDT = `${trx.chainId}/trc20:${usdtContract}` as AssetId
  const shared = sharedAnvil()
  anvilAdapter = evm({ chain: 'eip155:31337', rpcUrls: [shared.url], tokens: fixtureTokens(shared.fixtures) })
  const seed = await mnemonicToSeed(generateMnemonic())
  keys = Array.from({ length: 12 }, (_, index) => deriveAccount(seed, { chain: 'tron', index }).address)
}, 120_000)

afterAll(async () => {
  await trx?.stop()
})

/** A wallet on the local chain (and `chains` besides) whose TRON account 0 holds TRX and USDT. */
async function tronWallet(options: Partial<WalletCreateOptions> = {}, funding = { TRX: '100', USDT: '500' }) {
  const mnemonic = generateMnemonic()
  const storage = memoryStorage()
  const wallet = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: [adapter], mnemonic, ...options })
  const account = wallet.accounts().find((a) => a.chainId === trx.chainId)!
  await trx.fund(account.address, funding)
  return { wallet, account, mnemonic, storage }
}

/** The receipt of `txID` as the local node serves it (raw HTTP, not the adapter). */
async function receipt(txID: string): Promise<{ blockNumber?: number; receipt?: { result?: string } }> {
  const response = await fetch(`${trx.apiUrl}/wallet/gettransactioninfobyid`, { method: 'POST', body: JSON.stringify({ value: txID }) })
  return (await response.json()) as { blockNumber?: number; receipt?: { result?: string } }
}

describe('Wallet on TRON', () => {
  it("derives its accounts at m/44'/195'/0'/0/i (as tronweb does) and reads their balances from the chain", async () => {
    const { wallet, account, mnemonic } = await tronWallet()
    const seed = await mnemonicToSeed(mnemonic)
    const oracle = (index: number) => TronWeb.fromMnemonic(mnemonic, `m/44'/195'/0'/0/${index}`).address
    expect(oracle(0)).toBe(TronWeb.fromMnemonic(mnemonic).address) // tronweb's default path is index 0's
    expect(account).toMatchObject({ chainId: trx.chainId, index: 0, address: oracle(0) })
    expect(account.address).toBe(deriveAccount(seed, { chain: 'tron', index: 0 }).address)
    expect(account.address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/)
    const second = await wallet.account(trx.chainId, { index: 1, label: 'savings' })
    expect(second.address).toBe(oracle(1))
    expect(second.address).not.toBe(account.address)
    expect(second.addressAt(0).address).toBe(second.address)
    expect(() => second.addressAt(1)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }))
    await expect(wallet.account(trx.chainId, { addressType: 'p2tr' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })

    const balances = await account.balances()
    const amountOf = (asset: string) => {
      const b = balances.find((x) => x.asset === asset)
      return b?.ok ? b.amount : undefined
    }
    expect(amountOf(trx.nativeAsset)).toBe(trx.balanceOf(account.address))
    expect(amountOf(trx.nativeAsset)).toBe(100_000_000n)
    expect(amountOf(USDT)).toBe(await trx.tokenBalanceOf(account.address, 'USDT'))
    expect(amountOf(USDT)).toBe(500_000_000n)
    // Never activated: 0 TRX, 0 USDT.
    expect(await second.balances()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ asset: trx.nativeAsset, amount: 0n }),
        expect.objectContaining({ asset: USDT, amount: 0n }),
      ]),
    )
    await wallet.close()
  })

  it('quotes USDT by symbol, by family, by CAIP-19 id; sends; journals intent → signed → sent, then confirmed on reconcile', async () => {
    const { wallet, account } = await tronWallet()
    const merchant = freshKey()
    const bySymbol = await wallet.quote({ to: merchant, asset: 'USDT', amount: '12.5' })
    expect(bySymbol).toMatchObject({
      chainId: trx.chainId,
      from: account.address,
      to: merchant,
      asset: USDT,
      amount: 12_500_000n,
      symbol: 'USDT',
      decimals: 6,
      family: 'USDT',
      feeSymbol: 'TRX',
      feeDecimals: 6,
    })
    expect((await wallet.quote({ to: merchant, asset: 'usdt', amount: '12.5' })).asset).toBe(USDT)
    expect((await wallet.quote({ to: merchant, asset: USDT, amount: 12_500_000n })).amount).toBe(12_500_000n)
    expect((await wallet.quote({ to: merchant, asset: 'TRX', amount: '1' })).asset).toBe(trx.nativeAsset)

    // By family: an adapter that lists the same contract as "USDT.trx" (family USDT) still answers to 'USDT'.
    const renamed = tron({
      chain: trx.chainId,
      apiUrls: [trx.apiUrl],
      tokens: trx.adapterTokens.map((t) => (t.symbol === 'USDT' ? { ...t, symbol: 'USDT.trx' } : t)),
    })
    const other = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [renamed] })
    await trx.fund(other.accounts()[0]!.address, { TRX: '50', USDT: '20' })
    expect(await other.quote({ to: merchant, asset: 'USDT', amount: '12.5' })).toMatchObject({
      asset: USDT,
      symbol: 'USDT.trx',
      family: 'USDT',
      amount: 12_500_000n,
    })
    await expect(other.quote({ to: merchant, asset: 'USDC', amount: '1' })).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    await other.close()

    const sunBefore = trx.balanceOf(account.address)
    const hash = await wallet.send(bySymbol)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(12_500_000n) // executed, pending the next block
    expect(await trx.tokenBalanceOf(account.address, 'USDT')).toBe(487_500_000n)
    const burned = sunBefore - trx.balanceOf(account.address)
    expect(burned).toBeGreaterThan(0n) // no staked energy: the energy and bandwidth burn TRX
    expect(burned).toBeLessThanOrEqual(bySymbol.fee.amount) // at most the quoted bound

    const entries = await wallet.journal.entries()
    expect(entries.map((e) => [e.kind, e.status])).toEqual([
      ['transaction', 'intent'],
      ['transaction', 'signed'],
      ['transaction', 'sent'],
    ])
    for (const e of entries) {
      expect(e).toMatchObject({
        chainId: trx.chainId,
        from: account.address,
        to: merchant,
        asset: USDT,
        amount: '12500000',
        fee: bySymbol.fee.amount.toString(),
        feeAsset: trx.nativeAsset,
        decision: { allowed: true },
      })
    }
    expect(entries.slice(1).map((e) => e.hash)).toEqual([hash, hash])
    expect(new Set(entries.map((e) => e.payment)).size).toBe(1)

    // Not in a block yet: reconcile leaves it open.
    expect(await receipt(hash)).toEqual({})
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'sent', chainId: trx.chainId })])
    expect(await wallet.journal.entries()).toHaveLength(3)

    await trx.mine()
    expect(await receipt(hash)).toMatchObject({ blockNumber: trx.head().number, receipt: { result: 'SUCCESS' } })
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'confirmed' })])
    const after = await wallet.journal.entries()
    expect(after.at(-1)).toMatchObject({ kind: 'transaction', status: 'confirmed', hash, payment: entries[0]!.payment })
    expect(await wallet.reconcile()).toEqual([]) // settled
    expect((await wallet.journal.verify()).ok).toBe(true)
    await wallet.close()
  })

  it('refuses a USDT transfer whose energy the account cannot pay in TRX, before anything is signed', async () => {
    const { wallet, account } = await tronWallet({}, { TRX: '0.5', USDT: '100' })
    await expect(wallet.quote({ to: freshKey(), asset: 'USDT', amount: '1' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' })
    expect(await wallet.journal.entries()).toEqual([])
    expect(trx.balanceOf(account.address)).toBe(500_000n)
    await wallet.close()
  })

  it('enforces a USDT limit by family across EVM, TRON and Solana: a refusal signs nothing', async () => {
    const sol: LocalSolana = await startLocalSolana({ tokens: ['USDT'] })
    try {
      const solAdapter: SolanaAdapter = solana({ chain: sol.chainId, rpcUrls: [sol.rpcUrl], tokens: sol.adapterTokens })
      const SOL_USDT = `${sol.chainId}/token:${sol.adapterTokens[0]!.mint}`
      const shared = sharedAnvil()
      const policy = { limits: [{ asset: 'USDT', perWindow: '100' }] }
      const { wallet, account, storage } = await tronWallet({ chains: [anvilAdapter, adapter, solAdapter], policy })
      const onEvm = wallet.accounts().find((a) => a.chainId === 'eip155:31337')!
      const onSol = wallet.accounts().find((a) => a.chainId === sol.chainId)!
      await setBalance(shared.url, onEvm.address as `0x${string}`, E18)
      await mintTokens(shared.url, shared.fixtures.usdt.address, onEvm.address as `0x${string}`, 200_000_000n)
      await sol.fund(onSol.address, { SOL: '1', USDT: '200' })
      const merchant = freshKey()
      const solMerchant = deriveAccount(await mnemonicToSeed(generateMnemonic()), { chain: 'solana', index: 0 }).address
      const evmUsdt = async () =>
        BigInt(
          await rpc<string>(shared.url, 'eth_call', [
            { to: shared.fixtures.usdt.address, data: `0x70a08231${EVM_MERCHANT.slice(2).toLowerCase().padStart(64, '0')}` },
            'latest',
          ]),
        )
      const evmMerchantBefore = await evmUsdt()

      // No chainId: the recipient's address picks the chain (0x only on EVM, T… only on TRON, 32-byte base58 only on Solana).
      const onAnvil = await wallet.quote({ to: EVM_MERCHANT, asset: 'USDT', amount: '30' })
      expect(onAnvil.chainId).toBe('eip155:31337')
      await anvilAdapter.waitForTransaction(await wallet.send(onAnvil))
      const onSolana = await wallet.quote({ to: solMerchant, asset: 'USDT', amount: '30' })
      expect(onSolana.chainId).toBe(sol.chainId)
      await wallet.send(onSolana)
      await sol.mine()

      const usdtBefore = await trx.tokenBalanceOf(account.address, 'USDT')
      const sunBefore = trx.balanceOf(account.address)
      const over = await wallet.quote({ to: merchant, asset: 'USDT', amount: '50' })
      expect(over.chainId).toBe(trx.chainId)
      const refused: unknown[] = []
      wallet.on('refused', (e) => refused.push(e))
      await expect(wallet.send(over)).rejects.toMatchObject({
        name: 'PolicyViolationError',
        code: 'POLICY_VIOLATION',
        details: { rule: 'perWindow' },
      })
      expect(refused).toHaveLength(1)
      await trx.mine()
      expect(await trx.tokenBalanceOf(account.address, 'USDT')).toBe(usdtBefore)
      expect(trx.balanceOf(account.address)).toBe(sunBefore) // not even a fee: nothing was signed
      expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(0n)

      const hash = await wallet.send(await wallet.quote({ to: merchant, asset: 'USDT', amount: '40' }))
      await trx.mine()
      expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(40_000_000n)
      expect(await receipt(hash)).toMatchObject({ receipt: { result: 'SUCCESS' } })
      // 100 spent: not one more base unit, on any of the three chains.
      for (const to of [EVM_MERCHANT, solMerchant, merchant]) {
        await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '0.000001' }))).rejects.toMatchObject({
          details: { rule: 'perWindow' },
        })
      }
      // What the chains hold: 30 + 30 + 40 went out, nothing more.
      expect((await evmUsdt()) - evmMerchantBefore).toBe(30_000_000n)
      expect(sol.tokenBalanceOf(solMerchant, 'USDT')).toBe(30_000_000n)
      expect(sol.tokenBalanceOf(onSol.address, 'USDT')).toBe(170_000_000n)
      expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(40_000_000n)
      expect(await trx.tokenBalanceOf(account.address, 'USDT')).toBe(460_000_000n)

      const entries = await wallet.journal.entries()
      expect(entries.map((e) => [e.kind, e.chainId, e.status, e.amount, e.decision.rule])).toEqual([
        ['transaction', 'eip155:31337', 'intent', '30000000', undefined],
        ['transaction', 'eip155:31337', 'signed', '30000000', undefined],
        ['transaction', 'eip155:31337', 'sent', '30000000', undefined],
        ['transaction', sol.chainId, 'intent', '30000000', undefined],
        ['transaction', sol.chainId, 'signed', '30000000', undefined],
        ['transaction', sol.chainId, 'sent', '30000000', undefined],
        ['refused', trx.chainId, undefined, '50000000', 'perWindow'],
        ['transaction', trx.chainId, 'intent', '40000000', undefined],
        ['transaction', trx.chainId, 'signed', '40000000', undefined],
        ['transaction', trx.chainId, 'sent', '40000000', undefined],
        ['refused', 'eip155:31337', undefined, '1', 'perWindow'],
        ['refused', sol.chainId, undefined, '1', 'perWindow'],
        ['refused', trx.chainId, undefined, '1', 'perWindow'],
      ])
      expect(entries[6]!.hash).toBeUndefined()
      expect((await wallet.journal.verify()).ok).toBe(true)

      // After a restart, with the spending records deleted (rebuilt from the journal, where the
      // TRON entry's family comes from the adapter): still 100 spent.
      await wallet.close()
      await storage.delete('policy')
      const again = await Wallet.open({ storage, chains: [anvilAdapter, adapter, solAdapter] })
      expect(again.accounts().map((a) => a.address)).toContain(account.address) // known while locked
      await again.unlock('pw')
      expect(again.policy.limits).toEqual(policy.limits)
      const sun = trx.balanceOf(account.address)
      await expect(again.send(await again.quote({ to: merchant, asset: 'USDT', amount: '1' }))).rejects.toThrow(/already spent: 100\b/)
      await trx.mine()
      expect(trx.balanceOf(account.address)).toBe(sun)
      expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(40_000_000n)
      expect(SOL_USDT).toBe(onSolana.asset)
      await again.close()
    } finally {
      await sol.stop()
    }
  })

  it('pays a tron: URI (mainnet-formatted, read as the local chain with tronChainId) under the USDT limit', async () => {
    const policy = { limits: [{ asset: 'USDT', perWindow: '10' }] }
    const { wallet, account } = await tronWallet({ policy })
    const merchant = freshKey()
    const uri = formatPaymentUri({
      scheme: 'tron',
      chainId: TRON_MAINNET_CHAIN_ID,
      to: merchant,
      asset: `${TRON_MAINNET_CHAIN_ID}/trc20:${usdtContract}`,
      amount: '2.5',
      label: 'Coffee shop',
    })
    expect(uri).toBe(`tron:${merchant}?amount=2.5&token=${usdtContract}&label=Coffee%20shop`)

    // Read as mainnet (the default), it names a chain this wallet does not serve: nothing is signed.
    await expect(wallet.pay(uri)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('no adapter') })
    const parse = { tronChainId: trx.chainId }
    await expect(wallet.pay(uri, { parse, amount: '3' })).rejects.toThrow(/names its amount/)
    await expect(wallet.pay(uri, { parse: { tronChainId: 'nile' } as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('tronChainId must be a TRON CAIP-2 id'),
    })
    expect(await wallet.journal.entries()).toEqual([])

    // The confirmation hook sees what the URI asks for, and may refuse it: nothing is signed.
    const seen: SignSummary[] = []
    await expect(wallet.pay(uri, { parse, confirm: (s) => (seen.push(s), false) })).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'confirm' },
    })
    expect(seen).toEqual([
      expect.objectContaining({ chainId: trx.chainId, to: merchant, asset: USDT, symbol: 'USDT', amount: 2_500_000n, testnet: true }),
    ])
    await trx.mine()
    expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(0n)

    const hash = await wallet.pay(uri, { parse })
    await trx.mine()
    expect(await receipt(hash)).toMatchObject({ receipt: { result: 'SUCCESS' } })
    expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(2_500_000n)
    expect(await trx.tokenBalanceOf(account.address, 'USDT')).toBe(497_500_000n)

    // A URI without an amount takes options.amount; the limit (10) counts both payments.
    const open = `tron:${merchant}?token=${usdtContract}`
    await expect(wallet.pay(open, { parse })).rejects.toMatchObject({ message: expect.stringContaining('pass options.amount') })
    await expect(wallet.pay(open, { parse, amount: '7.6' })).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'perWindow' },
    })
    await wallet.pay(open, { parse, amount: '7.5' })
    await trx.mine()
    expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(10_000_000n)

    // TRX: the URI's amount is in TRX, paid in sun (the recipient exists now: no activation).
    const sun = trx.balanceOf(merchant)
    await wallet.pay(`tron:${merchant}?amount=1.5`, { parse })
    await trx.mine()
    expect(trx.balanceOf(merchant)).toBe(sun + 1_500_000n)
    expect((await wallet.journal.entries()).map((e) => [e.status ?? e.kind, e.asset, e.amount])).toEqual([
      ['refused', USDT, '2500000'],
      ['intent', USDT, '2500000'],
      ['signed', USDT, '2500000'],
      ['sent', USDT, '2500000'],
      ['refused', USDT, '7600000'],
      ['intent', USDT, '7500000'],
      ['signed', USDT, '7500000'],
      ['sent', USDT, '7500000'],
      ['intent', trx.nativeAsset, '1500000'],
      ['signed', trx.nativeAsset, '1500000'],
      ['sent', trx.nativeAsset, '1500000'],
    ])
    await wallet.close()
  })

  it('signs a message as TronWeb’s signMessageV2 (tronweb recovers the account), journaled; typed data is not signed', async () => {
    const { wallet, account } = await tronWallet()
    const from = `${trx.chainId}:${account.address}` as const
    const sig = await wallet.signMessage({ from, message: 'hello coffer' })
    expect(Trx.verifyMessageV2('hello coffer', sig.signature)).toBe(account.address)
    const typedData = {
      domain: { name: 'Test' },
      types: { Mail: [{ name: 'contents', type: 'string' }] },
      primaryType: 'Mail',
      message: { contents: 'hi' },
    }
    await expect(wallet.signTypedData({ from, typedData })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' })
    expect((await wallet.journal.entries()).map((e) => [e.kind, e.chainId, e.note])).toEqual([['message', trx.chainId, 'hello coffer']])
    await wallet.close()
  })

  it('carries a memo in the transaction (raw_data.data, read back from the node); refuses references before anything is signed', async () => {
    const { wallet } = await tronWallet()
    const merchant = freshKey()
    await expect(wallet.quote({ to: merchant, asset: 'USDT', amount: '1', references: [freshKey()] })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    })
    expect(await wallet.journal.entries()).toEqual([])
    const hash = await wallet.send(await wallet.quote({ to: merchant, asset: 'USDT', amount: '1', memo: 'order-42' }))
    await trx.mine()
    const response = await fetch(`${trx.apiUrl}/wallet/gettransactionbyid`, { method: 'POST', body: JSON.stringify({ value: hash }) })
    const tx = (await response.json()) as { raw_data?: { data?: string } }
    expect(Buffer.from(tx.raw_data?.data ?? '', 'hex').toString('utf8')).toBe('order-42')
    expect(await trx.tokenBalanceOf(merchant, 'USDT')).toBe(1_000_000n)
    await wallet.close()
  })
})

describe('Wallet on TRON: a broadcast whose answer is lost', () => {
  let server: TronServer
  beforeAll(async () => {
    server = await startTronServer({ tokens: ['USDT'] })
  }, 120_000)
  afterAll(() => server?.stop())

  it('stays counted (maybe sent) until its expiration passed; then reconcile drops it and the limit is free again', async () => {
    const chain = localTronAdapter(server, { http: { retryCount: 0, timeoutMs: 2_000 } })
    const wallet = await Wallet.create({
      storage: memoryStorage(),
      password: 'pw',
      kdf: FAST_KDF,
      chains: [chain],
      policy: { limits: [{ asset: 'USDT', perWindow: '100' }] },
    })
    const account = wallet.accounts()[0]!
    await server.sendTrx(account.address, 100_000_000n)
    await server.mintToken(account.address, 'USDT', 200_000_000n)
    await server.mine()
    const merchant = freshKey()

    // Every broadcast answers 500 and lands nothing: the wallet cannot know it did not land.
    const remove = server.addFault({ path: '/wallet/broadcasthex', fault: { status: 500 } })
    const error = await wallet.send(await wallet.quote({ to: merchant, asset: 'USDT', amount: '60' })).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: { hash: string } },
    )
    expect(error).toMatchObject({ code: 'BROADCAST_UNKNOWN' })
    const hash = error!.details.hash
    remove()
    await server.mine()
    expect(await server.tokenBalanceOf(merchant, 'USDT')).toBe(0n)
    // Maybe sent: it still counts, so 60 more would pass 100.
    await expect(wallet.send(await wallet.quote({ to: merchant, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
    expect((await wallet.reconcile()).map((p) => [p.hash, p.status])).toEqual([[hash, 'unknown']])

    // 25 blocks (75 s of chain time): past its 60 s expiration, no node can include it any more.
    await server.mine(25)
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'dropped' })])
    const again = await wallet.send(await wallet.quote({ to: merchant, asset: 'USDT', amount: '60' }))
    expect(again).not.toBe(hash)
    await server.mine()
    expect(await server.tokenBalanceOf(merchant, 'USDT')).toBe(60_000_000n)
    expect(await server.tokenBalanceOf(account.address, 'USDT')).toBe(140_000_000n)
    await wallet.close()
  })
})
