/**
 * The Wallet on real chains: the shared anvil (31337) and a private one (31338), both with a
 * USDT-like token of family "USDT". A full flow (create, receive, pay a payment URI, journal,
 * portfolio), policies across chains and restarts, the confirmation hook, message signing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineChain, recoverMessageAddress, recoverTypedDataAddress } from 'viem'
import { Wallet, formatPaymentUri, parsePaymentUri, fixedPrices, type SignSummary } from 'coffer'
import { evm, type EvmAdapter } from 'coffer/evm'
import { Vault, memoryStorage } from 'coffer/vault'
import { deployFixtures, mintTokens, rpc, setBalance, startAnvil, type Anvil, type FixtureAddresses } from '../support/anvil.js'
import { fixtureTokens, sharedAnvil } from '../chains/evm/helpers.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const MERCHANT = '0x000000000000000000000000000000000000bEEF'
const E18 = 10n ** 18n

let anvilB: Anvil
let fixturesB: FixtureAddresses
let a: EvmAdapter
let b: EvmAdapter

const usdtOf = (f: FixtureAddresses, chain: number) => `eip155:${chain}/erc20:${f.usdt.address.toLowerCase()}` as const

beforeAll(async () => {
  anvilB = await startAnvil({ chainId: 31338, automine: true })
  const { abis: _abis, ...fb } = await deployFixtures(anvilB.url)
  fixturesB = fb
  const shared = sharedAnvil()
  a = evm({ chain: 'eip155:31337', rpcUrls: [shared.url], tokens: fixtureTokens(shared.fixtures) })
  const chain = defineChain({
    id: 31338,
    name: 'Anvil B',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvilB.url] } },
    testnet: true,
  })
  b = evm({ chain, rpcUrls: [anvilB.url], tokens: fixtureTokens(fixturesB) })
}, 60_000)

afterAll(async () => {
  await anvilB?.stop()
})

/** A fresh wallet on both chains whose account 0 holds gas and `usdt` base units of USDT on each. */
async function fundedWallet(options: Partial<Parameters<typeof Wallet.create>[0]> = {}, usdt = 1_000_000_000n) {
  const storage = memoryStorage()
  const wallet = await Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: [a, b], ...options })
  const [onA, onB] = [
    wallet.accounts().find((x) => x.chainId === 'eip155:31337')!,
    wallet.accounts().find((x) => x.chainId === 'eip155:31338')!,
  ]
  const shared = sharedAnvil()
  await setBalance(shared.url, onA.address as `0x${string}`, E18)
  await setBalance(anvilB.url, onB.address as `0x${string}`, E18)
  await mintTokens(shared.url, shared.fixtures.usdt.address, onA.address as `0x${string}`, usdt)
  await mintTokens(anvilB.url, fixturesB.usdt.address, onB.address as `0x${string}`, usdt)
  return { wallet, storage, onA, onB }
}

describe('Wallet', () => {
  it('full flow: receive USDT, pay an EIP-681 request, see the journal entry and the portfolio change', async () => {
    const { wallet, onA } = await fundedWallet()
    const shared = sharedAnvil()
    const portfolio = wallet.portfolio()
    const outgoing: unknown[] = []
    wallet.on('outgoing', (t) => outgoing.push(t))
    const before = await portfolio.refresh()
    const usdtA = usdtOf(shared.fixtures, 31337)
    expect(before.balances.find((x) => x.asset === usdtA)?.amount).toBe(1_000_000_000n)

    const uri = `ethereum:${shared.fixtures.usdt.address}@31337/transfer?address=${MERCHANT}&uint256=25.5e6`
    const request = parsePaymentUri(uri)
    expect(request).toMatchObject({ chainId: 'eip155:31337', asset: usdtA, to: MERCHANT, amount: 25_500_000n })
    expect(formatPaymentUri(request)).toBe(`ethereum:${shared.fixtures.usdt.address}@31337/transfer?address=${MERCHANT}&uint256=25500000`)
    const quote = await wallet.quote(request)
    expect(quote).toMatchObject({ symbol: 'USDT', decimals: 6, amount: 25_500_000n, from: onA.address, feeSymbol: 'ETH' })
    const hash = await wallet.send(quote)
    await a.waitForTransaction(hash)

    const entries = await wallet.journal.entries()
    expect(entries.at(-1)).toMatchObject({
      kind: 'transaction',
      chainId: 'eip155:31337',
      to: MERCHANT,
      asset: usdtA,
      amount: '25500000',
      hash,
      decision: { allowed: true },
    })
    expect((await wallet.journal.verify()).ok).toBe(true)

    const after = await portfolio.refresh()
    expect(after.balances.find((x) => x.asset === usdtA)?.amount).toBe(974_500_000n)
    expect(outgoing).toEqual([expect.objectContaining({ hash, amount: 25_500_000n, to: MERCHANT })])
    expect(
      BigInt(
        await rpc<string>(shared.url, 'eth_call', [
          { to: shared.fixtures.usdt.address, data: `0x70a08231${MERCHANT.slice(2).toLowerCase().padStart(64, '0')}` },
          'latest',
        ]),
      ),
    ).toBeGreaterThanOrEqual(25_500_000n)
  })

  it('enforces a daily USDT limit across chains and across a restart; refusals sign nothing and are journaled', async () => {
    const { wallet, storage, onA, onB } = await fundedWallet({ policy: { limits: [{ asset: 'USDT', perWindow: '100' }] } })
    await wallet.send(await wallet.quote({ from: `eip155:31337:${onA.address}`, to: MERCHANT, asset: 'USDT', amount: '60' }))
    const nonceB = await rpc<string>(anvilB.url, 'eth_getTransactionCount', [onB.address, 'latest'])
    const over = await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '40.000001', chainId: 'eip155:31338' })
    await expect(wallet.send(over)).rejects.toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'perWindow' } })
    expect(await rpc<string>(anvilB.url, 'eth_getTransactionCount', [onB.address, 'latest'])).toBe(nonceB) // nothing broadcast
    await wallet.send(await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '30', chainId: 'eip155:31338' }))

    // Reopen: the 90 spent are remembered.
    wallet.lock()
    const again = await Wallet.open({ storage, chains: [a, b], policy: { limits: [{ asset: 'USDT', perWindow: '100' }] } })
    await again.unlock('pw')
    await expect(again.send(await again.quote({ to: MERCHANT, asset: 'USDT', amount: '10.5', chainId: 'eip155:31337' }))).rejects.toThrow(
      /already spent: 90/,
    )
    await again.send(await again.quote({ to: MERCHANT, asset: 'USDT', amount: '10', chainId: 'eip155:31337' }))

    const entries = await again.journal.entries()
    // Each payment: its intent, the signed hash, then sent; refusals sign nothing and have one entry.
    expect(entries.map((e) => [e.kind, e.status, e.decision.rule])).toEqual([
      ['transaction', 'intent', undefined],
      ['transaction', 'signed', undefined],
      ['transaction', 'sent', undefined],
      ['refused', undefined, 'perWindow'],
      ['transaction', 'intent', undefined],
      ['transaction', 'signed', undefined],
      ['transaction', 'sent', undefined],
      ['refused', undefined, 'perWindow'],
      ['transaction', 'intent', undefined],
      ['transaction', 'signed', undefined],
      ['transaction', 'sent', undefined],
    ])
    expect(new Set(entries.filter((e) => e.kind === 'transaction').map((e) => e.payment)).size).toBe(3)
    expect((await again.journal.verify()).ok).toBe(true)
  })

  it('lets the confirmation hook refuse, with the summary a UI needs', async () => {
    const seen: unknown[] = []
    const { wallet } = await fundedWallet({
      policy: { onBeforeSign: (s) => (seen.push(s), true) },
      priceSource: fixedPrices({ prices: { USDT: '1' } }),
    })
    const quote = await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '5', chainId: 'eip155:31337' })
    const refused: unknown[] = []
    wallet.on('refused', (e) => refused.push(e))
    await expect(wallet.send(quote, { confirm: () => false })).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'confirm' },
    })
    expect(seen).toEqual([
      expect.objectContaining({
        kind: 'transaction',
        to: MERCHANT,
        amount: 5_000_000n,
        symbol: 'USDT',
        fee: expect.objectContaining({ symbol: 'ETH' }),
      }),
    ])
    expect(refused).toHaveLength(1)
    const hash = await wallet.send(quote, { confirm: async () => true })
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('signs messages and typed data through the vault, journaled', async () => {
    const { wallet, onA } = await fundedWallet()
    const sig = await wallet.signMessage({ from: `eip155:31337:${onA.address}`, message: 'hello coffer' })
    expect(await recoverMessageAddress({ message: 'hello coffer', signature: sig.signature as `0x${string}` })).toBe(onA.address)
    const typedData = {
      domain: { name: 'Test', version: '1', chainId: 31337 },
      types: { Mail: [{ name: 'contents', type: 'string' }] },
      primaryType: 'Mail',
      message: { contents: 'hi' },
    } as const
    const typed = await wallet.signTypedData({ from: `eip155:31337:${onA.address}`, typedData })
    expect(await recoverTypedDataAddress({ ...typedData, signature: typed.signature as `0x${string}` })).toBe(onA.address)
    const kinds = (await wallet.journal.entries()).map((e) => [e.kind, e.note])
    expect(kinds).toEqual([
      ['message', 'hello coffer'],
      ['typed-data', 'Mail for Test'],
    ])
  })

  it('permits count against the limits like transfers: checked, recorded and journaled; unlimited ones refused', async () => {
    const seen: SignSummary[] = []
    const { wallet, onA, storage } = await fundedWallet({
      policy: { limits: [{ asset: 'USDT', perTransaction: '100', perWindow: '150' }], onBeforeSign: (s) => (seen.push(s), true) },
    })
    const spender = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    const permit = (value: bigint) =>
      ({
        domain: { name: 'Tether USD', version: '1', chainId: 31337, verifyingContract: sharedAnvil().fixtures.usdt.address },
        types: {
          Permit: [
            { name: 'owner', type: 'address' },
            { name: 'spender', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'nonce', type: 'uint256' },
            { name: 'deadline', type: 'uint256' },
          ],
        },
        primaryType: 'Permit',
        message: { owner: onA.address as `0x${string}`, spender, value, nonce: 0n, deadline: 1_900_000_000n },
      }) as const
    const sign = (value: bigint) => wallet.signTypedData({ from: `eip155:31337:${onA.address}`, typedData: permit(value) })

    const signed = await sign(60_000_000n)
    expect(await recoverTypedDataAddress({ ...permit(60_000_000n), signature: signed.signature as `0x${string}` })).toBe(onA.address)
    expect(seen).toEqual([
      expect.objectContaining({
        kind: 'typed-data',
        to: spender,
        symbol: 'USDT',
        amount: 60_000_000n,
        message: 'Permit for Tether USD',
        spend: { kind: 'approval', standard: 'eip-2612', unlimited: false, expiresAt: 1_900_000_000 },
      }),
    ])
    await expect(sign(120_000_000n)).rejects.toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'perTransaction' } })
    await expect(sign(2n ** 256n - 1n)).rejects.toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'perTransaction' } })
    // 60 USDT approved already: another 95 (by permit or by transfer) would pass 150 in the window.
    await expect(sign(95_000_000n)).rejects.toMatchObject({ details: { rule: 'perWindow' } })
    const quote = await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '95', chainId: 'eip155:31337' })
    await expect(wallet.send(quote)).rejects.toMatchObject({ details: { rule: 'perWindow' } })
    await wallet.send(await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '90', chainId: 'eip155:31337' }))

    const entries = (await wallet.journal.entries()).map((e) => [e.kind, e.to, e.amount, e.decision.rule ?? 'ok'])
    expect(entries).toEqual([
      ['typed-data', spender, '60000000', 'ok'],
      ['refused', spender, '120000000', 'perTransaction'],
      ['refused', spender, (2n ** 256n - 1n).toString(), 'perTransaction'],
      ['refused', spender, '95000000', 'perWindow'],
      ['refused', MERCHANT, '95000000', 'perWindow'],
      ['transaction', MERCHANT, '90000000', 'ok'],
      ['transaction', MERCHANT, '90000000', 'ok'],
      ['transaction', MERCHANT, '90000000', 'ok'],
    ])
    expect((await wallet.journal.entries())[0]?.note).toBe('Permit for Tether USD: eip-2612 approval')
    // Deleting the spending records does not forget the permit: they are rebuilt from the journal (60 + 90).
    await storage.delete('policy')
    await expect(sign(1_000_000n)).rejects.toMatchObject({ details: { rule: 'perWindow', spent: '150' } })
  })

  it('opens more accounts, keeps them across a restart, and resolves quotes by symbol, CAIP-19 or CAIP-10', async () => {
    const { wallet, storage } = await fundedWallet()
    const second = await wallet.account('eip155:31337', { index: 1, label: 'savings' })
    expect(second.address).not.toBe(wallet.accounts()[0]!.address)
    expect(wallet.accounts()).toHaveLength(3)
    wallet.lock()
    const again = await Wallet.open({ storage, chains: [a, b] })
    expect(again.accounts().map((x) => x.address)).toContain(second.address) // known while locked
    await expect(again.quote({ to: MERCHANT, asset: 'USDT', amount: '1' })).rejects.toThrow(/Which chain/)
    await expect(again.quote({ to: MERCHANT, asset: 'NOPE', amount: '1', chainId: 'eip155:31337' })).rejects.toMatchObject({
      code: 'UNKNOWN_ASSET',
    })
    await expect(again.quote({ from: MERCHANT, to: MERCHANT, asset: 'USDT', amount: '1', chainId: 'eip155:31337' })).rejects.toThrow(
      /not an account of this wallet/,
    )
    await expect(again.send({} as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(() => again.journal).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
    expect(String(again)).toBe('Wallet(locked, 3 accounts)')
  })

  it('opens a vault made without a wallet (its first mnemonic becomes the wallet), and a wallet with no chains yet', async () => {
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: 'pw', kdf: FAST_KDF })
    await vault.addPrivateKey({ privateKey: '11'.repeat(32) })
    const { id } = await vault.addMnemonic({ mnemonic: 'test test test test test test test test test test test junk' })
    vault.lock()
    const wallet = await Wallet.open({ storage, chains: [a] })
    expect(wallet.accounts()).toEqual([])
    await wallet.unlock('pw')
    expect(wallet.accounts().map((x) => [x.secretId, x.address])).toEqual([[id, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']])
    const bare = await Wallet.create({ storage: memoryStorage(), password: 'pw', kdf: FAST_KDF, chains: [] })
    expect(bare.accounts()).toEqual([])
  })

  it('rebuilds spent amounts from the journal when the policy record is deleted, and validates the policy before writing anything', async () => {
    const policy = { limits: [{ asset: 'USDT', perWindow: '50' }] }
    const { wallet, storage } = await fundedWallet({ policy })
    await wallet.send(await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '40', chainId: 'eip155:31337' }))
    await storage.delete('policy')
    await expect(wallet.send(await wallet.quote({ to: MERCHANT, asset: 'USDT', amount: '20', chainId: 'eip155:31338' }))).rejects.toThrow(
      /already spent: 40/,
    )

    const empty = memoryStorage()
    await expect(
      Wallet.create({ storage: empty, password: 'pw', kdf: FAST_KDF, chains: [a], policy: { limits: [{ asset: 'USDT' }] } as never }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await empty.get('vault')).toBeUndefined()
  })
})
