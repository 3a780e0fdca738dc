/**
 * The Wallet on a local Solana cluster (coffer/testing's startLocalSolana: litesvm behind Agave's
 * JSON-RPC; slots advance only on mine(), so a payment is `processed` until the next slot), and
 * next to an EVM chain (the shared anvil) for policy limits by asset family across chains.
 * Every amount checked below is read from the chains themselves (the local cluster's ledger,
 * anvil's eth_call), never from the adapter that sent it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Wallet, formatPaymentUri, type AssetId, type SignSummary, type WalletCreateOptions } from 'coffer'
import { deriveAccount, generateMnemonic, mnemonicToSeed } from 'coffer/keys'
import { evm, type EvmAdapter } from 'coffer/evm'
import { SOLANA_CLUSTERS, solana, type SolanaAdapter } from 'coffer/solana'
import { startLocalSolana, type LocalSolana } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'
import { mintTokens, rpc, setBalance } from '../support/anvil.js'
import { fixtureTokens, sharedAnvil } from '../chains/evm/helpers.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const EVM_MERCHANT = '0x000000000000000000000000000000000000bEEF'
const E18 = 10n ** 18n
const SOLANA_MAINNET_CHAIN_ID = SOLANA_CLUSTERS['mainnet-beta'].chainId
/** Circle's mainnet USDC mint: not a token of the local cluster. */
const MAINNET_USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'

let sol: LocalSolana
let adapter: SolanaAdapter
let anvilAdapter: EvmAdapter
/** Fresh Solana keys nobody else uses: merchants and references. */
let keys: string[]
let nextKey = 0
const freshKey = () => {
  const key = keys[nextKey++]
  if (!key) throw new Error('out of fresh keys; derive more in beforeAll')
  return key
}

const mint = (symbol: 'USDC' | 'PYUSD') => sol.adapterTokens.find((t) => t.symbol === symbol)!.mint
const assetOf = (symbol: 'USDC' | 'PYUSD') => `${sol.chainId}/token:${mint(symbol)}` as AssetId

beforeAll(async () => {
  sol = await startLocalSolana({ tokens: ['USDC', 'PYUSD'] })
  adapter = solana({ chain: sol.chainId, rpcUrls: [sol.rpcUrl], tokens: sol.adapterTokens })
  const shared = sharedAnvil()
  anvilAdapter = evm({ chain: 'eip155:31337', rpcUrls: [shared.url], tokens: fixtureTokens(shared.fixtures) })
  const seed = await mnemonicToSeed(generateMnemonic())
  keys = Array.from({ length: 16 }, (_, index) => deriveAccount(seed, { chain: 'solana', index }).address)
}, 60_000)

afterAll(async () => {
  await sol?.stop()
})

/** A wallet on the local cluster (and `chains` besides) whose Solana account 0 holds SOL and tokens. */
async function solanaWallet(options: Partial<WalletCreateOptions> = {}, funding = { SOL: '2', USDC: '500', PYUSD: '100' }) {
  const mnemonic = generateMnemonic()
  const storage = memoryStorage()
  const wallet = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: [adapter], mnemonic, ...options })
  const account = wallet.accounts().find((a) => a.chainId === sol.chainId)!
  await sol.fund(account.address, funding)
  return { wallet, account, mnemonic, storage }
}

/** The transaction statuses of `signature` on the local cluster, over raw JSON-RPC. */
async function signatureStatus(signature: string) {
  const r = await rpc<{ value: ({ confirmationStatus: string; err: unknown } | null)[] }>(sol.rpcUrl, 'getSignatureStatuses', [
    [signature],
    { searchTransactionHistory: true },
  ])
  return r.value[0]
}

describe('Wallet on Solana', () => {
  it("derives its accounts at m/44'/501'/i'/0' (as deriveAccount does) and reads their balances from the cluster", async () => {
    const { wallet, account, mnemonic } = await solanaWallet()
    const seed = await mnemonicToSeed(mnemonic)
    expect(account).toMatchObject({ chainId: sol.chainId, index: 0, address: deriveAccount(seed, { chain: 'solana', index: 0 }).address })
    const second = await wallet.account(sol.chainId, { index: 1, label: 'savings' })
    expect(second.address).toBe(deriveAccount(seed, { chain: 'solana', index: 1 }).address)
    expect(second.address).not.toBe(account.address)
    expect(second.addressAt(0).address).toBe(second.address)
    expect(() => second.addressAt(1)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }))
    await expect(wallet.account(sol.chainId, { addressType: 'p2tr' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })

    const balances = await account.balances()
    const amountOf = (asset: string) => {
      const b = balances.find((x) => x.asset === asset)
      return b?.ok ? b.amount : undefined
    }
    expect(amountOf(sol.nativeAsset)).toBe(sol.balanceOf(account.address))
    expect(amountOf(sol.nativeAsset)).toBe(2_000_000_000n)
    expect(amountOf(assetOf('USDC'))).toBe(500_000_000n)
    expect(amountOf(assetOf('PYUSD'))).toBe(100_000_000n)
    expect(await second.balances()).toEqual(expect.arrayContaining([expect.objectContaining({ asset: sol.nativeAsset, amount: 0n })]))
    await wallet.close()
  })

  it('quotes USDC by symbol, by family, by CAIP-19 id; sends; journals intent → signed → sent, then confirmed on reconcile', async () => {
    const { wallet, account } = await solanaWallet()
    const merchant = freshKey()
    const bySymbol = await wallet.quote({ to: merchant, asset: 'USDC', amount: '12.5' })
    expect(bySymbol).toMatchObject({
      chainId: sol.chainId,
      from: account.address,
      to: merchant,
      asset: assetOf('USDC'),
      amount: 12_500_000n,
      symbol: 'USDC',
      decimals: 6,
      family: 'USDC',
      feeSymbol: 'SOL',
      feeDecimals: 9,
    })
    expect((await wallet.quote({ to: merchant, asset: 'usdc', amount: '12.5' })).asset).toBe(assetOf('USDC'))
    expect((await wallet.quote({ to: merchant, asset: assetOf('USDC'), amount: 12_500_000n })).amount).toBe(12_500_000n)

    // By family: an adapter that lists the same mint as "USDC.sol" (family USDC) still answers to 'USDC'.
    const renamed = solana({
      chain: sol.chainId,
      rpcUrls: [sol.rpcUrl],
      tokens: sol.adapterTokens.map((t) => (t.symbol === 'USDC' ? { ...t, symbol: 'USDC.sol' } : t)),
    })
    const other = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [renamed] })
    await sol.fund(other.accounts()[0]!.address, { SOL: '1', USDC: '20' })
    expect(await other.quote({ to: merchant, asset: 'USDC', amount: '12.5' })).toMatchObject({
      asset: assetOf('USDC'),
      symbol: 'USDC.sol',
      family: 'USDC',
      amount: 12_500_000n,
    })
    await expect(other.quote({ to: merchant, asset: 'USDT', amount: '1' })).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    await other.close()

    // Send: the merchant has no USDC account yet; the quote's fee covers its rent.
    const lamportsBefore = sol.balanceOf(account.address)
    const hash = await wallet.send(bySymbol)
    expect(hash).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/)
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(12_500_000n) // processed in this slot
    expect(sol.tokenBalanceOf(account.address, 'USDC')).toBe(487_500_000n)
    const spentLamports = lamportsBefore - sol.balanceOf(account.address)
    expect(spentLamports).toBeGreaterThan(0n)
    expect(spentLamports).toBeLessThanOrEqual(bySymbol.fee.amount) // fee plus the new token account's rent, at most the quoted bound

    const entries = await wallet.journal.entries()
    expect(entries.map((e) => [e.kind, e.status])).toEqual([
      ['transaction', 'intent'],
      ['transaction', 'signed'],
      ['transaction', 'sent'],
    ])
    for (const e of entries) {
      expect(e).toMatchObject({
        chainId: sol.chainId,
        from: account.address,
        to: merchant,
        asset: assetOf('USDC'),
        amount: '12500000',
        fee: bySymbol.fee.amount.toString(),
        feeAsset: sol.nativeAsset,
        decision: { allowed: true },
      })
    }
    expect(entries.slice(1).map((e) => e.hash)).toEqual([hash, hash])
    expect(new Set(entries.map((e) => e.payment)).size).toBe(1)

    // Processed, not yet confirmed: reconcile leaves it open.
    expect((await signatureStatus(hash))?.confirmationStatus).toBe('processed')
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'sent', chainId: sol.chainId })])
    expect(await wallet.journal.entries()).toHaveLength(3)

    await sol.mine()
    expect((await signatureStatus(hash))?.confirmationStatus).toBe('confirmed')
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'confirmed' })])
    const after = await wallet.journal.entries()
    expect(after.at(-1)).toMatchObject({ kind: 'transaction', status: 'confirmed', hash, payment: entries[0]!.payment })
    expect(await wallet.reconcile()).toEqual([]) // settled
    expect((await wallet.journal.verify()).ok).toBe(true)
    await wallet.close()
  })

  it('pays a Token-2022 PYUSD transfer fee on top: the recipient gets exactly the amount', async () => {
    const { wallet, account } = await solanaWallet()
    const merchant = freshKey()
    const quote = await wallet.quote({ to: merchant, asset: 'PYUSD', amount: '10' })
    const transferFee = BigInt(quote.details.transferFee as string)
    // 0.25 % of the gross amount, which is 10 PYUSD plus the fee.
    expect(transferFee).toBeGreaterThanOrEqual(25_000n)
    expect(transferFee).toBeLessThanOrEqual(25_100n)
    await wallet.send(quote)
    await sol.mine()
    expect(sol.tokenBalanceOf(merchant, 'PYUSD')).toBe(10_000_000n)
    expect(sol.tokenBalanceOf(account.address, 'PYUSD')).toBe(100_000_000n - 10_000_000n - transferFee)
    const sent = (await wallet.journal.entries()).at(-1)
    expect(sent).toMatchObject({ status: 'sent', asset: assetOf('PYUSD'), amount: '10000000' })

    // The whole balance cannot go out: the fee comes on top.
    await expect(wallet.quote({ to: merchant, asset: 'PYUSD', amount: '90' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' })
    await wallet.close()
  })

  it('enforces a USDC limit by family across EVM and Solana: a refusal signs nothing on Solana', async () => {
    const shared = sharedAnvil()
    const policy = { limits: [{ asset: 'USDC', perWindow: '100' }] }
    const { wallet, account, storage } = await solanaWallet({ chains: [anvilAdapter, adapter], policy })
    const onEvm = wallet.accounts().find((a) => a.chainId === 'eip155:31337')!
    await setBalance(shared.url, onEvm.address as `0x${string}`, E18)
    await mintTokens(shared.url, shared.fixtures.usdc.address, onEvm.address as `0x${string}`, 200_000_000n)
    const merchant = freshKey()

    // No chainId: the recipient's address picks the chain (a 0x address is only valid on EVM, base58 only on Solana).
    const onAnvil = await wallet.quote({ to: EVM_MERCHANT, asset: 'USDC', amount: '60' })
    expect(onAnvil.chainId).toBe('eip155:31337')
    await anvilAdapter.waitForTransaction(await wallet.send(onAnvil))

    const usdcBefore = sol.tokenBalanceOf(account.address, 'USDC')
    const lamportsBefore = sol.balanceOf(account.address)
    const over = await wallet.quote({ to: merchant, asset: 'USDC', amount: '50' })
    expect(over.chainId).toBe(sol.chainId)
    const refused: unknown[] = []
    wallet.on('refused', (e) => refused.push(e))
    await expect(wallet.send(over)).rejects.toMatchObject({
      name: 'PolicyViolationError',
      code: 'POLICY_VIOLATION',
      details: { rule: 'perWindow' },
    })
    expect(refused).toHaveLength(1)
    await sol.mine()
    expect(sol.tokenBalanceOf(account.address, 'USDC')).toBe(usdcBefore)
    expect(sol.balanceOf(account.address)).toBe(lamportsBefore) // not even a fee: nothing was signed
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(0n)

    const hash = await wallet.send(await wallet.quote({ to: merchant, asset: 'USDC', amount: '40' }))
    await sol.mine()
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(40_000_000n)
    expect((await signatureStatus(hash))?.err).toBeNull()
    // 100 spent: not one more base unit, on either chain.
    await expect(wallet.send(await wallet.quote({ to: EVM_MERCHANT, asset: 'USDC', amount: '0.000001' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })

    const entries = await wallet.journal.entries()
    expect(entries.map((e) => [e.kind, e.chainId, e.status, e.amount, e.decision.rule])).toEqual([
      ['transaction', 'eip155:31337', 'intent', '60000000', undefined],
      ['transaction', 'eip155:31337', 'signed', '60000000', undefined],
      ['transaction', 'eip155:31337', 'sent', '60000000', undefined],
      ['refused', sol.chainId, undefined, '50000000', 'perWindow'],
      ['transaction', sol.chainId, 'intent', '40000000', undefined],
      ['transaction', sol.chainId, 'signed', '40000000', undefined],
      ['transaction', sol.chainId, 'sent', '40000000', undefined],
      ['refused', 'eip155:31337', undefined, '1', 'perWindow'],
    ])
    expect(entries[3]!.hash).toBeUndefined()
    expect((await wallet.journal.verify()).ok).toBe(true)

    // After a restart, and with the spending records deleted (rebuilt from the journal, where the
    // Solana entry's family comes from the adapter): still 100 spent.
    await wallet.close()
    await storage.delete('policy')
    const again = await Wallet.open({ storage, chains: [anvilAdapter, adapter] })
    expect(again.accounts().map((a) => a.address)).toContain(account.address) // known while locked
    await again.unlock('pw')
    expect(again.policy.limits).toEqual(policy.limits)
    const lamports = sol.balanceOf(account.address)
    await expect(again.send(await again.quote({ to: merchant, asset: 'USDC', amount: '1' }))).rejects.toThrow(/already spent: 100\b/)
    await sol.mine()
    expect(sol.balanceOf(account.address)).toBe(lamports)
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(40_000_000n)
    await again.close()
  })

  it('pays a Solana Pay URI (mainnet-formatted, read as the local cluster): the reference and memo land on chain', async () => {
    const { wallet, account } = await solanaWallet()
    const merchant = freshKey()
    const reference = freshKey()
    const uri = formatPaymentUri({
      scheme: 'solana',
      chainId: SOLANA_MAINNET_CHAIN_ID,
      to: merchant,
      asset: `${SOLANA_MAINNET_CHAIN_ID}/token:${mint('USDC')}`,
      amount: '2.5',
      references: [reference],
      label: 'Coffee shop',
      memo: 'order-42',
    })
    expect(uri).toBe(`solana:${merchant}?amount=2.5&spl-token=${mint('USDC')}&reference=${reference}&label=Coffee%20shop&memo=order-42`)

    // Read as mainnet (the default), it names a chain this wallet does not serve: nothing is signed.
    await expect(wallet.pay(uri)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('no adapter') })
    await expect(wallet.pay(uri, { parse: { solanaChainId: sol.chainId }, amount: '3' })).rejects.toThrow(/names its amount/)
    expect(await wallet.journal.entries()).toEqual([])

    // The confirmation hook sees what the URI asks for, and may refuse it: nothing is signed.
    const seen: SignSummary[] = []
    const parse = { solanaChainId: sol.chainId }
    await expect(wallet.pay(uri, { parse, confirm: (s) => (seen.push(s), false) })).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'confirm' },
    })
    expect(seen).toEqual([
      expect.objectContaining({
        chainId: sol.chainId,
        to: merchant,
        asset: assetOf('USDC'),
        symbol: 'USDC',
        amount: 2_500_000n,
        testnet: true,
      }),
    ])
    await sol.mine()
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(0n)

    const hash = await wallet.pay(uri, { parse })
    await sol.mine()
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(2_500_000n)
    expect(sol.tokenBalanceOf(account.address, 'USDC')).toBe(497_500_000n)
    expect((await wallet.journal.entries()).map((e) => [e.status ?? e.kind, e.to, e.asset, e.amount])).toEqual([
      ['refused', merchant, assetOf('USDC'), '2500000'],
      ['intent', merchant, assetOf('USDC'), '2500000'],
      ['signed', merchant, assetOf('USDC'), '2500000'],
      ['sent', merchant, assetOf('USDC'), '2500000'],
    ])

    // The merchant's side: the reference finds the transaction, with its memo (raw JSON-RPC, then the adapter).
    const listed = await rpc<{ signature: string; memo: string | null; err: unknown }[]>(sol.rpcUrl, 'getSignaturesForAddress', [
      reference,
      { commitment: 'confirmed' },
    ])
    expect(listed.map((s) => s.signature)).toEqual([hash])
    expect(listed[0]!.memo).toContain('order-42')
    expect(listed[0]!.err).toBeNull()
    const expected = { to: merchant, amount: 2_500_000n, asset: assetOf('USDC') }
    expect(await adapter.findPayment(reference, { ...expected, memo: 'order-42' })).toMatchObject({ hash, state: 'confirmed' })
    expect(await adapter.findPayment(reference, { ...expected, amount: 2_500_001n })).toBeUndefined()
    expect(await adapter.findPayment(reference, { ...expected, memo: 'order-43' })).toBeUndefined()
    await wallet.close()
  })

  it('pays a URI without an amount only with options.amount; a SOL request pays lamports', async () => {
    const { wallet } = await solanaWallet()
    const merchant = freshKey()
    const reference = freshKey()
    const solanaChainId = sol.chainId
    const open = formatPaymentUri({
      scheme: 'solana',
      chainId: SOLANA_MAINNET_CHAIN_ID,
      to: merchant,
      asset: `${SOLANA_MAINNET_CHAIN_ID}/token:${mint('USDC')}`,
      references: [reference],
    })
    await expect(wallet.pay(open, { parse: { solanaChainId } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('pass options.amount'),
    })
    expect(await wallet.journal.entries()).toEqual([])
    const hash = await wallet.pay(open, { parse: { solanaChainId }, amount: '7.25' })
    await sol.mine()
    expect(sol.tokenBalanceOf(merchant, 'USDC')).toBe(7_250_000n)
    expect(await adapter.findPayment(reference, { to: merchant, amount: 7_250_000n, asset: assetOf('USDC') })).toMatchObject({ hash })

    // SOL: the URI's amount is in SOL, paid in lamports (enough for a new account's rent).
    const lamports = sol.balanceOf(merchant)
    const solUri = formatPaymentUri({
      scheme: 'solana',
      chainId: SOLANA_MAINNET_CHAIN_ID,
      to: merchant,
      asset: `${SOLANA_MAINNET_CHAIN_ID}/slip44:501`,
      amount: 10_000_000n,
      memo: 'tip',
    })
    expect(solUri).toBe(`solana:${merchant}?amount=0.01&memo=tip`)
    await wallet.pay(solUri, { parse: { solanaChainId } })
    await sol.mine()
    expect(sol.balanceOf(merchant)).toBe(lamports + 10_000_000n)
    expect((await wallet.journal.entries()).at(-1)).toMatchObject({ status: 'sent', asset: sol.nativeAsset, amount: '10000000' })
    await wallet.close()
  })

  it('refuses Solana Pay requests it cannot pay exactly, before anything is signed or journaled', async () => {
    const { wallet, account } = await solanaWallet()
    const merchant = freshKey()
    const reference = freshKey()
    const solanaChainId = sol.chainId
    const usdc = `solana:${merchant}?spl-token=${mint('USDC')}`
    const cases: [string, string, RegExp][] = [
      [`${usdc}&amount=1.0000001`, 'INVALID_AMOUNT', /more than 6 decimal places/], // never rounded to the mint's decimals
      [`${usdc}&amount=0`, 'INVALID_ARGUMENT', /more than zero/],
      [`${usdc}&amount=1&reference=${account.address}`, 'INVALID_ARGUMENT', /references must be distinct/],
      [`${usdc}&amount=1&reference=${merchant}`, 'INVALID_ARGUMENT', /references must be distinct/],
      [`${usdc}&amount=1&reference=${reference}&reference=${reference}`, 'INVALID_ARGUMENT', /references must be distinct/],
      [`${usdc}&amount=1&memo=${'m'.repeat(600)}`, 'INVALID_ARGUMENT', /memo is longer than 566/],
      [`solana:${merchant}?spl-token=${MAINNET_USDC}&amount=1`, 'UNKNOWN_ASSET', /not an asset/], // a mint the adapter does not list
      [`solana:${merchant}?amount=0.000001`, 'INVALID_AMOUNT', /rent/], // a new SOL account below rent exemption
    ]
    for (const [uri, code, message] of cases) {
      const error = await wallet.pay(uri, { parse: { solanaChainId } }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error, uri.slice(0, 120)).toMatchObject({ code, message: expect.stringMatching(message) })
    }
    await sol.mine()
    expect(await wallet.journal.entries()).toEqual([])
    expect(sol.balanceOf(account.address)).toBe(2_000_000_000n)
    expect(sol.tokenBalanceOf(account.address, 'USDC')).toBe(500_000_000n)
    await wallet.close()
  })

  it('refuses a memo or references on an EVM chain before anything is signed or journaled', async () => {
    const shared = sharedAnvil()
    const { wallet } = await solanaWallet({ chains: [anvilAdapter, adapter] })
    const onEvm = wallet.accounts().find((a) => a.chainId === 'eip155:31337')!
    await setBalance(shared.url, onEvm.address as `0x${string}`, E18)
    await mintTokens(shared.url, shared.fixtures.usdc.address, onEvm.address as `0x${string}`, 10_000_000n)
    const nonce = await rpc<string>(shared.url, 'eth_getTransactionCount', [onEvm.address, 'latest'])
    const request = { to: EVM_MERCHANT, asset: 'USDC', amount: '1', chainId: 'eip155:31337' } as const

    await expect(wallet.quote({ ...request, memo: 'order-1' })).rejects.toMatchObject({
      name: 'NotSupportedError',
      code: 'NOT_SUPPORTED',
      message: expect.stringContaining('cannot carry a memo'),
    })
    await expect(wallet.quote({ ...request, references: [freshKey()] })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringContaining('cannot carry payment references'),
    })
    // A parsed request given to pay(): the same refusal.
    await expect(
      wallet.pay({
        scheme: 'ethereum',
        chainId: 'eip155:31337',
        to: EVM_MERCHANT,
        asset: `eip155:31337/erc20:${shared.fixtures.usdc.address.toLowerCase()}`,
        amount: 1_000_000n,
        memo: 'order-1',
      }),
    ).rejects.toMatchObject({ code: 'NOT_SUPPORTED' })

    expect(await wallet.journal.entries()).toEqual([]) // refused before the policy: no entry, nothing signed
    expect(await rpc<string>(shared.url, 'eth_getTransactionCount', [onEvm.address, 'latest'])).toBe(nonce)
    // Without the memo the same payment goes through.
    await anvilAdapter.waitForTransaction(await wallet.send(await wallet.quote(request)))
    expect((await wallet.journal.entries()).map((e) => e.status)).toEqual(['intent', 'signed', 'sent'])
    await wallet.close()
  })
})
