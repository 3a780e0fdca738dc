/**
 * The wallet against a flaky network, a caller who forges quotes, an airdropped look-alike token
 * and a reopen that forgets its policy — on a real anvil behind the fault layer. Each scenario
 * asserts what the chain holds, what the journal says and what the policy still counts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BroadcastUnknownError, Wallet, type SignSummary } from 'coffer'
import { evm, type EvmAdapter } from 'coffer/evm'
import { memoryStorage, type VaultStorage } from 'coffer/vault'
import { deployToken, mine, mintTokens, rpc, setBalance, startAnvil, waitForReceipt, type Anvil } from '../support/anvil.js'
import { startRpcProxy, type RpcCall, type RpcFault, type RpcProxy } from '../support/rpc-proxy.js'
import { fixtureTokens, sharedAnvil } from '../chains/evm/helpers.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const E18 = 10n ** 18n
const LIMIT = { limits: [{ asset: 'USDT', perWindow: '100' }] }
const CHAIN = 'eip155:31337' as const

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function proxy(fault?: (call: RpcCall) => RpcFault | undefined, url = sharedAnvil().url): Promise<RpcProxy> {
  const p = await startRpcProxy(url, fault ? { fault } : {})
  cleanup.push(() => p.stop())
  return p
}

function adapter(url: string): EvmAdapter {
  return evm({ chain: CHAIN, rpcUrls: [url], tokens: fixtureTokens(sharedAnvil().fixtures), rebroadcast: { delayMs: 20 } })
}

/** A merchant address nobody else pays. */
const merchant = () => `0x${[...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('')}`

/** Waits until `hash` is mined on the shared anvil (automine answers before it has mined). */
async function mined<T extends string>(hash: T): Promise<T> {
  await waitForReceipt(sharedAnvil().url, hash as `0x${string}`)
  return hash
}

async function usdtOf(owner: string, url = sharedAnvil().url): Promise<bigint> {
  const data = `0x70a08231${owner.slice(2).toLowerCase().padStart(64, '0')}`
  return BigInt(await rpc<string>(url, 'eth_call', [{ to: sharedAnvil().fixtures.usdt.address, data }, 'latest']))
}

async function funded(
  chain: EvmAdapter,
  options: { policy?: Parameters<typeof Wallet.create>[0]['policy']; storage?: VaultStorage; url?: string } = {},
) {
  const storage = options.storage ?? memoryStorage()
  const wallet = await Wallet.create({
    storage,
    password: 'pw',
    kdf: FAST_KDF,
    chains: [chain],
    ...(options.policy ? { policy: options.policy } : {}),
  })
  const account = wallet.accounts()[0]!
  const url = options.url ?? sharedAnvil().url
  await setBalance(url, account.address as `0x${string}`, E18)
  await mintTokens(url, sharedAnvil().fixtures.usdt.address, account.address as `0x${string}`, 1_000_000_000n)
  return { wallet, storage, account }
}

const statuses = async (wallet: Wallet) => (await wallet.journal.entries()).filter((e) => e.kind === 'transaction').map((e) => e.status)

describe('an ambiguous broadcast is "maybe sent", never "not sent"', () => {
  it('one send of 60 USDT over a node that answers 500 after accepting: 60 USDT move once, stay counted, and the next 60 are refused', async () => {
    // The node takes every transaction; every answer about it is lost.
    const p = await proxy((call) =>
      call.method === 'eth_sendRawTransaction'
        ? { kind: 'accept-then-status', status: 500 }
        : call.method === 'eth_getTransactionByHash'
          ? { kind: 'status', status: 502 }
          : undefined,
    )
    const { wallet } = await funded(adapter(p.url), { policy: LIMIT })
    const to = merchant()
    const error = await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const hash = (error as BroadcastUnknownError).transaction.hash
    expect(await usdtOf(to)).toBe(60_000_000n)
    expect(await statuses(wallet)).toEqual(['intent', 'signed', 'unknown'])
    expect((await wallet.journal.entries()).at(-1)).toMatchObject({ status: 'unknown', hash, amount: '60000000' })
    // Still counted: the next 60 would pass 100 a day.
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'perWindow', spent: '60' },
    })
    expect(await usdtOf(to)).toBe(60_000_000n)
    // The network heals: reconcile finds it confirmed, and it keeps counting.
    p.behaviour.fault = undefined
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'confirmed' })])
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
    await mined(await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '40' })))
    expect(await usdtOf(to)).toBe(100_000_000n)
  })

  it('accepted then 500, found by hash: sent once, journaled sent', async () => {
    let first = true
    const p = await proxy((call) => {
      if (call.method !== 'eth_sendRawTransaction' || !first) return undefined
      first = false
      return { kind: 'accept-then-status', status: 500 }
    })
    const { wallet } = await funded(adapter(p.url), { policy: LIMIT })
    const to = merchant()
    const hash = await mined(await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' })))
    expect(await usdtOf(to)).toBe(60_000_000n)
    expect((await wallet.journal.entries()).at(-1)).toMatchObject({ status: 'sent', hash })
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
  })

  it('an explicit refusal releases the reservation: the journal says rejected and the limit is free again', async () => {
    let first = true
    const p = await proxy((call) => {
      if (call.method !== 'eth_sendRawTransaction' || !first) return undefined
      first = false
      return { kind: 'refuse', error: { code: -32000, message: 'transaction underpriced' } }
    })
    const { wallet } = await funded(adapter(p.url), { policy: LIMIT })
    const to = merchant()
    await expect(wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      code: 'TRANSACTION_REJECTED',
    })
    expect(await usdtOf(to)).toBe(0n)
    expect(await statuses(wallet)).toEqual(['intent', 'signed', 'rejected'])
    await mined(await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' })))
    expect(await usdtOf(to)).toBe(60_000_000n)
  })

  it('a payment proven never to be mined (its nonce taken by another transaction) stops counting at reconcile', async () => {
    const anvil: Anvil = await startAnvil({ automine: false })
    cleanup.push(() => anvil.stop())
    const chain = evm({ chain: CHAIN, rpcUrls: [anvil.url] })
    const storage = memoryStorage()
    const wallet = await Wallet.create({
      storage,
      password: 'pw',
      kdf: FAST_KDF,
      chains: [chain],
      policy: { limits: [{ asset: 'ETH', perWindow: '1' }] },
    })
    const account = wallet.accounts()[0]!
    await setBalance(anvil.url, account.address as `0x${string}`, 10n * E18)
    const to = merchant()
    const hash = await wallet.send(await wallet.quote({ to, asset: 'ETH', amount: '0.8', feeLevel: 'slow' }))
    await expect(wallet.send(await wallet.quote({ to, asset: 'ETH', amount: '0.8' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
    // Someone with the key cancels it (same nonce, higher fee), and the cancel is mined.
    const signer = await wallet.vault.getSigner({ secretId: account.secretId, chain: 'evm', index: 0 })
    await chain.cancel(hash, signer)
    await mine(anvil.url)
    expect(await wallet.reconcile()).toEqual([expect.objectContaining({ hash, status: 'dropped' })])
    expect(BigInt(await rpc<string>(anvil.url, 'eth_getBalance', [to, 'latest']))).toBe(0n)
    // Nothing moved, so nothing counts: 0.8 passes again.
    const again = await wallet.send(await wallet.quote({ to, asset: 'ETH', amount: '0.8' }))
    await mine(anvil.url)
    expect((await chain.getTransaction(again)).state).toBe('confirmed')
    expect(BigInt(await rpc<string>(anvil.url, 'eth_getBalance', [to, 'latest']))).toBe(8n * 10n ** 17n)
  })
})

describe('two wallets on one storage (two processes) sending the same payment at once', () => {
  it('sign the same nonce and payload, yet make two payments of two transactions', async () => {
    const anvil: Anvil = await startAnvil({ automine: false })
    cleanup.push(() => anvil.stop())
    const storage = memoryStorage()
    const one = await Wallet.create({
      storage,
      password: 'pw',
      kdf: FAST_KDF,
      chains: [evm({ chain: CHAIN, rpcUrls: [anvil.url] })],
      policy: { limits: [{ asset: 'ETH', perWindow: '1' }] },
    })
    const two = await Wallet.open({ storage, chains: [evm({ chain: CHAIN, rpcUrls: [anvil.url] })] })
    await two.unlock('pw')
    await setBalance(anvil.url, one.accounts()[0]!.address as `0x${string}`, 10n * E18)
    const to = merchant()
    const [q1, q2] = await Promise.all([one.quote({ to, asset: 'ETH', amount: '0.1' }), two.quote({ to, asset: 'ETH', amount: '0.1' })])
    const hashes = await Promise.all([one.send(q1), two.send(q2)])
    await mine(anvil.url)
    expect(new Set(hashes).size).toBe(2)
    for (const h of hashes) expect((await rpc<{ status: string } | null>(anvil.url, 'eth_getTransactionReceipt', [h]))?.status).toBe('0x1')
    expect(BigInt(await rpc<string>(anvil.url, 'eth_getBalance', [to, 'latest']))).toBe(2n * 10n ** 17n)
    // One journal, two payments, each with its own transaction.
    const sent = (await one.journal.entries()).filter((e) => e.status === 'sent')
    expect(sent.map((e) => e.hash).sort()).toEqual([...hashes].sort())
    expect(new Set(sent.map((e) => e.payment)).size).toBe(2)
  })
})

describe("the policy decides from the wallet's facts, not the caller's", () => {
  it("a quote whose decimals, symbol and family were forged is judged by the adapter's asset list", async () => {
    const seen: SignSummary[] = []
    const { wallet } = await funded(adapter(sharedAnvil().url), {
      policy: { limits: [{ asset: 'USDT', perTransaction: '50' }], onBeforeSign: (s) => (seen.push(s), true) },
    })
    const to = merchant()
    const honest = await wallet.quote({ to, asset: 'USDT', amount: '500' })
    const forged = { ...honest, decimals: 18, symbol: 'DAI', family: 'DAI', feeDecimals: 0 }
    for (let i = 0; i < 3; i++)
      await expect(wallet.send(forged)).rejects.toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'perTransaction' } })
    expect(await usdtOf(to)).toBe(0n)
    expect(seen).toEqual([])
    await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '50' }))
    expect(seen).toEqual([
      expect.objectContaining({
        symbol: 'USDT',
        decimals: 6,
        family: 'USDT',
        amount: 50_000_000n,
        fee: expect.objectContaining({ symbol: 'ETH', decimals: 18 }),
      }),
    ])
  })

  it('a quote for another asset than its transaction moves is refused by the signer', async () => {
    const { wallet } = await funded(adapter(sharedAnvil().url), { policy: { limits: [{ asset: 'USDT', perTransaction: '50' }] } })
    const to = merchant()
    const usdc = `${CHAIN}/erc20:${sharedAnvil().fixtures.usdc.address.toLowerCase()}` as const
    // Claims to be USDC (no USDT limit applies) but carries a USDT transfer call.
    const usdt = await wallet.quote({ to, asset: 'USDT', amount: '100' })
    await expect(wallet.send({ ...usdt, asset: usdc })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await usdtOf(to)).toBe(0n)
    expect(await statuses(wallet)).toEqual(['intent', 'rejected'])
  })

  it('an airdropped token whose symbol says "USDT" never takes the symbol, never joins the family, and cannot be sent', async () => {
    const { url, fixtures } = sharedAnvil()
    const fake = await deployToken(url, 'Tether USD', 'USDT', 6)
    const chain = adapter(url)
    const { wallet, account } = await funded(chain, { policy: { limits: [{ asset: 'USDT', perWindow: '100' }] } })
    await mintTokens(url, fake.address, account.address as `0x${string}`, 500_000_000n)
    const fakeId = `${CHAIN}/erc20:${fake.address.toLowerCase()}` as const
    // Looked up once (a portfolio or a history read would do this).
    const [read] = await chain.getBalances({ addresses: [account.address], assets: [fakeId] })
    expect(read).toMatchObject({ ok: true, amount: 500_000_000n })
    expect(await chain.getBalances({ addresses: [account.address], assets: [fakeId] }).then((b) => b[0]?.asset)).toBe(fakeId)
    expect((await chain.assets()).some((a) => a.id === fakeId)).toBe(false)
    // 'USDT' still names the configured token.
    const quote = await wallet.quote({ to: merchant(), asset: 'USDT', amount: '1' })
    expect(quote.asset).toBe(`${CHAIN}/erc20:${fixtures.usdt.address.toLowerCase()}`)
    // The fake can be neither quoted nor sent through the wallet.
    await expect(wallet.quote({ to: merchant(), asset: fakeId, amount: '500' })).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    const direct = await chain.quoteTransfer({ from: account.address, to: merchant(), asset: fakeId, amount: 500_000_000n })
    const smuggled = { ...direct, symbol: 'USDT', decimals: 6, family: 'USDT', feeSymbol: 'ETH', feeDecimals: 18 }
    await expect(wallet.send(smuggled)).rejects.toMatchObject({ code: 'UNKNOWN_ASSET' })
    expect(await chain.getBalances({ addresses: [account.address], assets: [fakeId] }).then((b) => (b[0]?.ok ? b[0].amount : -1n))).toBe(
      500_000_000n,
    )
  })
})

describe('the policy lives with the wallet', () => {
  it('a wallet reopened as the README shows keeps its limits', async () => {
    const chain = adapter(sharedAnvil().url)
    const { wallet, storage } = await funded(chain, { policy: LIMIT })
    const to = merchant()
    await mined(await wallet.send(await wallet.quote({ to, asset: 'USDT', amount: '60' })))
    wallet.lock()
    const again = await Wallet.open({ storage, chains: [chain] })
    await again.unlock('pw')
    expect(again.policy).toMatchObject({ limits: [{ asset: 'USDT', perWindow: '100' }] })
    await expect(again.send(await again.quote({ to, asset: 'USDT', amount: '60' }))).rejects.toMatchObject({
      details: { rule: 'perWindow' },
    })
    expect(await usdtOf(to)).toBe(60_000_000n)
  })

  it('loosening needs the password; tightening does not', async () => {
    const chain = adapter(sharedAnvil().url)
    const { wallet, storage } = await funded(chain, { policy: LIMIT })
    wallet.lock()
    const looser = await Wallet.open({ storage, chains: [chain], policy: { limits: [{ asset: 'USDT', perWindow: '500' }] } })
    await expect(looser.unlock('pw')).rejects.toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'policyChange' } })
    expect(looser.isLocked).toBe(true)
    const tighter = await Wallet.open({ storage, chains: [chain], policy: { limits: [{ asset: 'USDT', perWindow: '50' }] } })
    await tighter.unlock('pw')
    tighter.lock()
    // The tighter policy is now the stored one.
    const plain = await Wallet.open({ storage, chains: [chain] })
    await plain.unlock('pw')
    expect(plain.policy.limits).toEqual([{ asset: 'USDT', perWindow: '50' }])
    await expect(plain.setPolicy({ limits: [{ asset: 'USDT', perWindow: '100' }] })).rejects.toMatchObject({
      details: { rule: 'policyChange' },
    })
    await expect(plain.setPolicy({}, { password: 'wrong' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
    await plain.setPolicy({ limits: [{ asset: 'USDT', perWindow: '20' }] })
    expect(plain.policy.limits).toEqual([{ asset: 'USDT', perWindow: '20' }])
    await plain.setPolicy({ limits: [{ asset: 'USDT', perWindow: '1000' }] }, { password: 'pw' })
    expect(plain.policy.limits).toEqual([{ asset: 'USDT', perWindow: '1000' }])
  })

  it('a stored confirmation hook is required again after a reopen', async () => {
    const chain = adapter(sharedAnvil().url)
    const { wallet, storage } = await funded(chain, { policy: { onBeforeSign: () => true } })
    wallet.lock()
    const again = await Wallet.open({ storage, chains: [chain] })
    await again.unlock('pw')
    const to = merchant()
    await expect(again.send(await again.quote({ to, asset: 'USDT', amount: '1' }))).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
      details: { rule: 'onBeforeSign' },
    })
    expect(await usdtOf(to)).toBe(0n)
    again.lock()
    const withHook = await Wallet.open({ storage, chains: [chain], policy: { onBeforeSign: () => true } })
    await withHook.unlock('pw')
    await mined(await withHook.send(await withHook.quote({ to, asset: 'USDT', amount: '1' })))
    expect(await usdtOf(to)).toBe(1_000_000n)
  })

  it('Wallet.create checks the phrase and the policy before writing anything', async () => {
    const storage = memoryStorage()
    const chain = adapter(sharedAnvil().url)
    const typo = 'test test test test test test test test test test test jun'
    await expect(Wallet.create({ storage, password: 'pw', kdf: FAST_KDF, chains: [chain], mnemonic: typo })).rejects.toMatchObject({
      code: 'INVALID_MNEMONIC',
    })
    await expect(
      Wallet.create({
        storage,
        password: 'pw',
        kdf: FAST_KDF,
        chains: [chain],
        policy: { limits: [{ asset: 'USDT', perWindw: '1' }] } as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await storage.get('vault')).toBeUndefined()
    const wallet = await Wallet.create({
      storage,
      password: 'pw',
      kdf: FAST_KDF,
      chains: [chain],
      mnemonic: 'test test test test test test test test test test test junk',
    })
    expect(wallet.accounts()[0]?.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  })
})

describe('strict EIP-712 through the wallet', () => {
  it('typed data whose value does not fit its type is refused before any hook sees it, and nothing is journaled', async () => {
    const seen: SignSummary[] = []
    const { wallet, account } = await funded(adapter(sharedAnvil().url), { policy: { onBeforeSign: (s) => (seen.push(s), true) } })
    const typedData = (data: string) => ({
      domain: { name: 'Test', chainId: 31337 },
      types: { Note: [{ name: 'data', type: 'bytes1' }] },
      primaryType: 'Note',
      message: { data },
    })
    await expect(wallet.signTypedData({ from: `${CHAIN}:${account.address}`, typedData: typedData('a') })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { path: 'message.data' },
    })
    expect(seen).toEqual([])
    expect(await wallet.journal.entries()).toEqual([])
    const signed = await wallet.signTypedData({ from: `${CHAIN}:${account.address}`, typedData: typedData('0x61') })
    expect(signed.signature).toMatch(/^0x[0-9a-f]{130}$/)
    expect(seen).toHaveLength(1)
  })
})
