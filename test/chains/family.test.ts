/**
 * A chain family is one module: the "memo" family (test/support/memory-family.ts), which no file
 * under src/ names, registered at run time with `registerChainFamily`, works through the wallet
 * (accounts, balances, quote, send under a spending policy), the portfolio, payment-request URIs
 * and the CLI's configuration like a built-in one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  chainFamilies,
  chainFamily,
  findChainFamily,
  formatPaymentUri,
  InsufficientFundsError,
  InvalidArgumentError,
  InvalidPaymentUriError,
  NotSupportedError,
  parsePaymentUri,
  PolicyViolationError,
  registerChainFamily,
  Wallet,
} from 'coffer'
import { Portfolio } from 'coffer/portfolio'
import { memoryStorage } from 'coffer/vault'
import { buildAdapter } from '../../src/cli/chains.js'
import { applyRpcFlags, parseConfig } from '../../src/cli/config.js'
import { MEMO_ASSET, MEMO_CHAIN_ID, MEMO_FEE, MemoryAdapter, memoFamily } from '../support/memory-family.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const MNEMONIC = 'test test test test test test test test test test test junk'
/** Account 0 of MNEMONIC: the EVM key's address 0xf39F…2266, as a memo address. */
const PAYER = 'memo1f39fd6e51aad88f6f4ce6ab8827279cfffb92266'
const SHOP = `memo1${'b'.repeat(40)}`
const MEMO = 1_000_000n

registerChainFamily(memoFamily)

function memoWallet(adapter: MemoryAdapter, policy?: Parameters<typeof Wallet.create>[0]['policy']) {
  return Wallet.create({
    storage: memoryStorage(),
    password: 'pw',
    kdf: FAST_KDF,
    mnemonic: MNEMONIC,
    chains: [adapter],
    ...(policy ? { policy } : {}),
  })
}

describe('a chain family registered at run time', () => {
  it('no file under src/ names it', () => {
    const src = fileURLToPath(new URL('../../src', import.meta.url))
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]))
    const naming = files(src).filter((f) =>
      /memo:local|memo1[0-9a-f]{4}|MemoryAdapter|memoFamily|kind: 'memo'/.test(readFileSync(f, 'utf8')),
    )
    expect(naming).toEqual([])
  })

  it('is in the registry beside the built-in families; a second family for its namespace is refused', () => {
    expect(chainFamily(MEMO_CHAIN_ID)).toBe(memoFamily)
    expect(findChainFamily('memo:other')).toBe(memoFamily)
    expect(chainFamilies()).toContain(memoFamily)
    expect(registerChainFamily(memoFamily)).toBe(memoFamily) // the same descriptor again: a no-op
    expect(() => registerChainFamily({ ...memoFamily, kind: 'imposter' })).toThrow(InvalidArgumentError)
    expect(memoFamily.isValidAddress(MEMO_CHAIN_ID, PAYER)).toBe(true)
    expect(memoFamily.isValidAddress(MEMO_CHAIN_ID, PAYER.toUpperCase())).toBe(false)
  })

  it('the wallet opens memo accounts from its vault keys, and refuses options the family does not take', async () => {
    const adapter = new MemoryAdapter()
    const wallet = await memoWallet(adapter)
    expect(wallet.accounts()).toEqual([expect.objectContaining({ chainId: MEMO_CHAIN_ID, index: 0, address: PAYER })])
    const account = await wallet.account(MEMO_CHAIN_ID)
    expect(account.address).toBe(PAYER)
    expect(account.descriptor).toBeUndefined()
    expect(account.addressAt(0)).toEqual({ address: PAYER, index: 0, change: false })
    expect(await account.receiveAddress()).toEqual({ address: PAYER, index: 0, change: false })
    const second = await wallet.account(MEMO_CHAIN_ID, { index: 1 })
    expect(second.address).toMatch(/^memo1[0-9a-f]{40}$/)
    expect(second.address).not.toBe(PAYER)
    await expect(wallet.account(MEMO_CHAIN_ID, { addressType: 'p2tr' })).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(wallet.account(MEMO_CHAIN_ID, { options: { color: 'red' } })).rejects.toThrow(/color does not apply to memo accounts/)
    // Reopened, the same accounts, read from the record while locked.
    wallet.lock()
    expect(wallet.accounts().map((a) => a.address)).toEqual([PAYER, second.address])
  })

  it('balances, quote and send under a spending policy move funds on the chain; the journal and portfolio follow', async () => {
    const adapter = new MemoryAdapter({ [PAYER]: 10n * MEMO })
    const wallet = await memoWallet(adapter, { limits: [{ asset: MEMO_ASSET, perTransaction: '5', perWindow: '8' }] })
    const [account] = wallet.accounts()
    expect(await account!.balances()).toEqual([
      expect.objectContaining({ ok: true, address: PAYER, asset: MEMO_ASSET, amount: 10n * MEMO, decimals: 6 }),
    ])

    const quote = await wallet.quote({ to: SHOP, asset: 'MEMO', amount: '3.5' })
    expect(quote).toMatchObject({
      chainId: MEMO_CHAIN_ID,
      from: PAYER,
      amount: 3_500_000n,
      fee: { amount: MEMO_FEE },
      symbol: 'MEMO',
      decimals: 6,
      feeSymbol: 'MEMO',
    })
    const hash = await wallet.send(quote)
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(adapter.balanceOf(PAYER)).toBe(10n * MEMO - 3_500_000n - MEMO_FEE)
    expect(adapter.balanceOf(SHOP)).toBe(3_500_000n)
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'confirmed', confirmations: 1 })
    expect((await wallet.journal.entries()).at(-1)).toMatchObject({ status: 'sent', chainId: MEMO_CHAIN_ID, from: PAYER, to: SHOP, hash })

    // The policy counts it: 3.5 + 5 > 8 a window, so the next payment is refused and signs nothing.
    await expect(wallet.send(await wallet.quote({ to: SHOP, asset: MEMO_ASSET, amount: '5' }))).rejects.toBeInstanceOf(PolicyViolationError)
    await expect(wallet.send(await wallet.quote({ to: SHOP, asset: 'MEMO', amount: '5.5' }))).rejects.toBeInstanceOf(PolicyViolationError)
    expect(adapter.balanceOf(SHOP)).toBe(3_500_000n)
    // More than the account holds: refused by the quote, before anything is signed.
    await expect(wallet.quote({ to: SHOP, asset: 'MEMO', amount: '7' })).rejects.toBeInstanceOf(InsufficientFundsError)

    // The wallet's portfolio sees the chain's new state, and its history names the payment.
    const snapshot = await wallet.portfolio().refresh()
    expect(snapshot.balances).toEqual([
      expect.objectContaining({
        chainId: MEMO_CHAIN_ID,
        account: PAYER,
        asset: MEMO_ASSET,
        symbol: 'MEMO',
        amount: 10n * MEMO - 3_500_000n - MEMO_FEE,
      }),
    ])
    expect((await account!.history()).items).toEqual([expect.objectContaining({ hash, direction: 'out', to: SHOP, amount: 3_500_000n })])

    // Message signing is off on this chain: said so up front, nothing journaled.
    const entries = (await wallet.journal.entries()).length
    await expect(wallet.signMessage({ from: account!, message: 'hi' })).rejects.toBeInstanceOf(NotSupportedError)
    await expect(wallet.signMessage({ from: account!, message: 'hi' })).rejects.toThrow(/capabilities\.signMessage is false/)
    expect(await wallet.journal.entries()).toHaveLength(entries)
    await wallet.close()
  })

  it('a Portfolio over the memo adapter totals its accounts', async () => {
    const other = `memo1${'c'.repeat(40)}`
    const adapter = new MemoryAdapter({ [PAYER]: 2n * MEMO, [other]: 250_000n })
    const portfolio = new Portfolio({
      adapters: [adapter],
      accounts: [`${MEMO_CHAIN_ID}:${PAYER}`, { chainId: MEMO_CHAIN_ID, address: other, label: 'savings' }],
    })
    const snapshot = await portfolio.refresh()
    expect(snapshot.balances.map((b) => [b.account, b.amount])).toEqual([
      [PAYER, 2n * MEMO],
      [other, 250_000n],
    ])
    expect(snapshot.totals).toEqual([
      expect.objectContaining({ key: MEMO_ASSET, symbol: 'MEMO', amount: 2_250_000n, decimals: 6, testnet: true, chains: [MEMO_CHAIN_ID] }),
    ])
    expect(snapshot.chains).toEqual([expect.objectContaining({ chainId: MEMO_CHAIN_ID, stale: false })])
    expect(() => new Portfolio({ adapters: [adapter], accounts: [`${MEMO_CHAIN_ID}:memo1XYZ`] })).toThrow()
    await portfolio.stop()
  })

  it('payment URIs read and write its scheme, and a request pays through the wallet', async () => {
    const uri = formatPaymentUri({ scheme: 'memo', chainId: MEMO_CHAIN_ID, to: SHOP, asset: MEMO_ASSET, amount: 2_500_000n })
    expect(uri).toBe(`memo:${SHOP}?amount=2.5`)
    const request = parsePaymentUri(uri)
    expect(request).toMatchObject({ scheme: 'memo', chainId: MEMO_CHAIN_ID, to: SHOP, asset: MEMO_ASSET, amount: 2_500_000n })
    expect(formatPaymentUri(request)).toBe(uri)
    expect(() => parsePaymentUri('memo:not-an-address')).toThrow(InvalidPaymentUriError)
    expect(() => parsePaymentUri(`memo:${SHOP}?amount=0.1234567`)).toThrow(InvalidPaymentUriError)

    const adapter = new MemoryAdapter()
    const wallet = await memoWallet(adapter)
    adapter.fund(PAYER, 5n * MEMO)
    const hash = await wallet.send(await wallet.quote(parsePaymentUri(uri)))
    expect((await adapter.getTransaction(hash)).state).toBe('confirmed')
    expect(adapter.balanceOf(SHOP)).toBe(2_500_000n)
    expect(adapter.balanceOf(PAYER)).toBe(5n * MEMO - 2_500_000n - MEMO_FEE)
    await wallet.close()
  })

  it('the CLI config reads its entries by its entry key, takes --rpc for them, and builds its adapter', async () => {
    const config = parseConfig(
      {
        chains: [
          { name: 'memo', memo: { url: 'http://127.0.0.1:1/', balances: { [PAYER]: '1.5' } } },
          { name: 'eth', chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:2/'] },
        ],
      },
      'memo.json',
    )
    expect(config.chains.map((c) => [c.kind, c.name, c.chainId])).toEqual([
      ['memo', 'memo', MEMO_CHAIN_ID],
      ['evm', 'eth', 'eip155:1'],
    ])
    const replaced = applyRpcFlags(config, ['memo=http://127.0.0.1:9/'])
    expect(replaced.chains[0]).toMatchObject({ url: 'http://127.0.0.1:9/' })
    const adapter = await buildAdapter(replaced.chains[0]!)
    expect(adapter).toBeInstanceOf(MemoryAdapter)
    expect(await adapter.getBalances({ addresses: [PAYER] })).toEqual([expect.objectContaining({ ok: true, amount: 1_500_000n })])
    expect(() => parseConfig({ chains: [{ memo: { balances: { nope: '1' } } }] }, 'memo.json')).toThrow(/is not a memo address/)
  })
})
