/**
 * Gas paid in USDT, end to end: a wallet whose account holds 0 ETH and 50 USDT pays through a
 * real ERC-4337 bundler (alto) on a local anvil, with EntryPoint v0.8 and Simple7702Account v0.8
 * from their npm artifacts and the test token paymaster behind its ERC-7677 service
 * (test/support/paymaster.ts). The account is delegated by its first operation (the bundler
 * carries the EIP-7702 authorization). Every case reads the chain: balances, the account's code,
 * the EntryPoint nonce, the paymaster's charge event; and the journal and the policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, createTestClient, erc20Abi, http, parseEventLogs, type Address, type PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { entryPoint08Abi } from 'viem/account-abstraction'
import { BroadcastUnknownError, PolicyViolationError, TransactionRejectedError, Wallet } from 'coffer'
import { evm, KNOWN_DELEGATES, signDelegation, type EvmAdapter } from 'coffer/evm'
import { memoryStorage } from 'coffer/vault'
import type { LocalChain } from 'coffer/testing'
import { testTokenPaymasterAbi } from '../../fixtures/evm/abis.js'
import { ENTRY_POINT_V08, type LocalBundler } from '../../../src/testing/evm/bundler.js'
import type { DeployedTokenPaymaster } from '../../../src/testing/evm/paymaster.js'
import type { PaymasterService } from '../../../src/testing/evm/paymaster-service.js'
import { startSponsoredChain, type SponsoredChain } from '../../../src/testing/evm/sponsor.js'
import { startRpcProxy, type RpcFault, type RpcProxy } from '../../support/rpc-proxy.js'

/** 3,000 USDT per ETH, in USDT base units per 10^18 wei. */
const RATE = 3_000_000_000n
const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

let local: LocalChain<'USDT'>
let bundler: LocalBundler
let paymaster: DeployedTokenPaymaster
let service: PaymasterService
let node: PublicClient
let usdt: Address

let sponsored: SponsoredChain
beforeAll(async () => {
  sponsored = await startSponsoredChain(RATE, 40_000n)
  ;({ local, bundler, paymaster, service } = sponsored)
  usdt = local.tokens.USDT.address
  node = createPublicClient({ chain: local.chain, transport: http(local.rpcUrl) }) as PublicClient
}, 180_000)
afterAll(async () => {
  await sponsored?.stop()
})

const proxies: RpcProxy[] = []
afterAll(async () => {
  for (const p of proxies) await p.stop()
})

/** alto behind a fault layer (its eth_sendUserOperation answers can be lost or refused). */
async function bundlerProxy(fault?: (method: string) => RpcFault | undefined): Promise<RpcProxy> {
  const p = await startRpcProxy(bundler.url, fault ? { fault: (call) => fault(call.method) } : {})
  proxies.push(p)
  return p
}

function adapter(bundlerUrl = bundler.url, extra: Partial<Parameters<typeof evm>[0]> = {}): EvmAdapter {
  return evm({
    chain: local.chain,
    rpcUrls: [local.rpcUrl],
    tokens: local.adapterTokens,
    rebroadcast: { delayMs: 20 },
    stablecoinGas: { bundlerUrl, paymasterUrl: service.url, paymaster: paymaster.address },
    ...extra,
  })
}

/** A wallet whose only account holds `usdt` USDT and no ETH. */
async function wallet(chain: EvmAdapter, options: { usdt?: string; policy?: Parameters<typeof Wallet.create>[0]['policy'] } = {}) {
  const w = await Wallet.create({
    storage: memoryStorage(),
    password: 'pw',
    kdf: FAST_KDF,
    chains: [chain],
    ...(options.policy ? { policy: options.policy } : {}),
  })
  const account = w.accounts()[0]!
  await local.fund(account.address, { USDT: options.usdt ?? '50' })
  return { wallet: w, from: account.address as Address }
}

const someone = () => privateKeyToAccount(generatePrivateKey()).address
const usdtOf = (owner: Address) => node.readContract({ address: usdt, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const ethOf = (owner: Address) => node.getBalance({ address: owner })
const entryPointNonce = (sender: Address) =>
  node.readContract({ address: ENTRY_POINT_V08, abi: entryPoint08Abi, functionName: 'getNonce', args: [sender, 0n] })
const statuses = async (w: Wallet) => (await w.journal.entries()).filter((e) => e.kind === 'transaction').map((e) => e.status)

/** The paymaster's TokenCharged events for `sender` so far. */
async function charges(sender: Address): Promise<bigint[]> {
  const logs = await node.getLogs({ address: paymaster.address, fromBlock: 0n, toBlock: 'latest' })
  return parseEventLogs({ abi: testTokenPaymasterAbi, logs, eventName: 'TokenCharged' })
    .filter((l) => l.args.sender.toLowerCase() === sender.toLowerCase())
    .map((l) => l.args.charge)
}

/**
 * Waits until the chain shows `hash` settled and, for an operation, until alto has seen its
 * receipt too (alto refuses a sender's next delegating operation until it has).
 */
async function included(chain: EvmAdapter, hash: string) {
  const status = await chain.waitForTransaction(hash, { timeoutMs: 30_000, pollIntervalMs: 200 })
  for (let i = 0; i < 150; i++) {
    const answer = await fetch(bundler.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getUserOperationReceipt', params: [hash] }),
    }).then((r) => r.json() as Promise<{ result?: unknown }>)
    if (answer.result || status.state !== 'confirmed' || hash.length !== 66) break
    if ((await node.getTransactionReceipt({ hash: hash as `0x${string}` }).catch(() => null)) !== null) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return status
}

describe('gas paid in USDT from the account’s own address (EIP-7702 + ERC-4337 v0.8, real bundler)', () => {
  it('an account with 0 ETH and 50 USDT pays 10 USDT: the recipient gets 10, the paymaster at most the quoted fee, no ETH is spent', async () => {
    const chain = adapter()
    expect(chain.capabilities.stablecoinGas).toBe(true)
    const { wallet: w, from } = await wallet(chain)
    const to = someone()
    const treasuryBefore = await usdtOf(paymaster.treasury)
    const quote = await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' })
    expect(quote).toMatchObject({
      asset: local.tokens.USDT.assetId,
      amount: 10_000_000n,
      fee: { asset: local.tokens.USDT.assetId },
      feeSymbol: 'USDT',
    })
    // The fee is quoted in USDT, with its ETH equivalent at the service's rate.
    const nativeMax = BigInt(quote.fee.details.nativeAmount as string)
    expect(quote.fee.amount).toBeGreaterThan(0n)
    expect(quote.fee.amount).toBeLessThan(2_000_000n) // under 2 USDT at 3,000 USDT/ETH and local gas prices
    expect(quote.fee.amount).toBeGreaterThanOrEqual((nativeMax * RATE) / 10n ** 18n)
    expect(quote.fee.expected).toBeLessThanOrEqual(quote.fee.amount)
    expect(quote.details).toMatchObject({ gasPaidIn: 'stablecoin', paymaster: paymaster.address, delegated: false })

    const hash = await w.send(quote)
    const status = await included(chain, hash)
    expect(status.state).toBe('confirmed')
    const charged = await charges(from)
    expect(charged).toHaveLength(1)
    expect(await usdtOf(to)).toBe(10_000_000n)
    expect(await usdtOf(paymaster.treasury)).toBe(treasuryBefore + charged[0]!)
    expect(charged[0]!).toBeLessThanOrEqual(quote.fee.amount)
    expect(await usdtOf(from)).toBe(40_000_000n - charged[0]!)
    expect(status.fee).toEqual({ asset: local.tokens.USDT.assetId, amount: charged[0] })
    expect(await ethOf(from)).toBe(0n)
    // The account is its own address, now running Simple7702Account; its EntryPoint nonce was used once.
    expect((await node.getCode({ address: from }))?.toLowerCase()).toBe(`0xef0100${KNOWN_DELEGATES[0]!.address.slice(2).toLowerCase()}`)
    expect(await entryPointNonce(from)).toBe(1n)
    // The journal holds the operation by its hash, its fee in USDT; reconcile confirms it from the chain.
    expect(await statuses(w)).toEqual(['intent', 'signed', 'sent'])
    expect((await w.journal.entries()).at(-1)).toMatchObject({ hash, fee: String(quote.fee.amount), feeAsset: local.tokens.USDT.assetId })
    expect(await w.reconcile()).toMatchObject([{ hash, status: 'confirmed' }])
    const receipt = await node.getTransactionReceipt({ hash: status.transaction as `0x${string}` })
    expect(receipt.status).toBe('success')
    expect((await w.journal.entries()).at(-1)).toMatchObject({
      status: 'confirmed',
      note: `included in transaction ${receipt.transactionHash}`,
    })
    expect(quote.fee.details.approval).toBe(String(quote.fee.amount))

    // A second payment from the delegated account needs no authorization; the leftover allowance is replaced.
    const again = await w.quote({ to, asset: 'USDT', amount: '5', gas: 'stablecoin' })
    expect(again.details).toMatchObject({ delegated: true, resetApproval: true })
    expect((await included(chain, await w.send(again))).state).toBe('confirmed')
    expect(await usdtOf(to)).toBe(15_000_000n)
    expect(await entryPointNonce(from)).toBe(2n)
    expect(await ethOf(from)).toBe(0n)
  }, 120_000)

  it('a quote whose details name another paymaster (the spender of the approval) is refused before signing', async () => {
    const p = await bundlerProxy()
    const { wallet: w, from } = await wallet(adapter(p.url))
    const quote = await w.quote({ to: someone(), asset: 'USDT', amount: '1', gas: 'stablecoin' })
    const forged = { ...quote, details: { ...quote.details, paymaster: someone() } }
    await expect(w.send(forged)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(p.methods).not.toContain('eth_sendUserOperation')
    expect(await statuses(w)).toEqual(['intent', 'rejected'])
    expect(await usdtOf(from)).toBe(50_000_000n)
    expect(await node.getCode({ address: from })).toBeUndefined()
  }, 60_000)

  it("gas: 'auto' pays in ETH when the account has ETH for the fee, in USDT when it has none", async () => {
    const chain = adapter()
    const { wallet: w, from } = await wallet(chain)
    const to = someone()
    const sponsored = await w.quote({ to, asset: 'USDT', amount: '1', gas: 'auto' })
    expect(sponsored.fee.asset).toBe(local.tokens.USDT.assetId)
    await local.fund(from, { eth: '1' })
    const plain = await w.quote({ to, asset: 'USDT', amount: '1', gas: 'auto' })
    expect(plain.fee.asset).toBe(local.nativeAsset)
    expect(plain.details.gasPaidIn).toBeUndefined()
  }, 60_000)

  it('a policy fee cap in USDT refuses an operation whose fee could pass it: nothing is signed or sent, nothing moves', async () => {
    const p = await bundlerProxy()
    const { wallet: w, from } = await wallet(adapter(p.url), { policy: { maxFee: { USDT: '0.01' } } })
    const to = someone()
    const quote = await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' })
    expect(quote.fee.amount).toBeGreaterThan(10_000n)
    const error = await w.send(quote).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PolicyViolationError)
    expect(error).toMatchObject({ details: { rule: 'maxFee' } })
    expect(p.methods).not.toContain('eth_sendUserOperation')
    expect(await statuses(w)).toEqual([])
    expect((await w.journal.entries()).at(-1)).toMatchObject({ kind: 'refused', feeAsset: local.tokens.USDT.assetId })
    expect(await usdtOf(from)).toBe(50_000_000n)
    expect(await usdtOf(to)).toBe(0n)
    expect(await entryPointNonce(from)).toBe(0n)
    expect(await node.getCode({ address: from })).toBeUndefined()
  }, 60_000)

  it('an account delegated to a contract coffer does not know is refused before anything is signed; so is an unknown delegate in the options', async () => {
    const chain = adapter()
    const { wallet: w, from } = await wallet(chain)
    const stranger = someone()
    const test = createTestClient({ mode: 'anvil', chain: local.chain, transport: http(local.rpcUrl) })
    await test.setCode({ address: from, bytecode: `0xef0100${stranger.slice(2)}` })
    await expect(w.quote({ to: someone(), asset: 'USDT', amount: '1', gas: 'stablecoin' })).rejects.toMatchObject({
      code: 'UNKNOWN_DELEGATE',
    })
    expect(await entryPointNonce(from)).toBe(0n)
    // Delegated elsewhere between the quote and the send: refused before the key is used, nothing counted.
    const other = await wallet(chain)
    const quote = await other.wallet.quote({ to: someone(), asset: 'USDT', amount: '1', gas: 'stablecoin' })
    await test.setCode({ address: other.from, bytecode: `0xef0100${stranger.slice(2)}` })
    await expect(other.wallet.send(quote)).rejects.toMatchObject({ code: 'UNKNOWN_DELEGATE' })
    expect(await statuses(other.wallet)).toEqual(['intent', 'rejected'])
    expect(await usdtOf(other.from)).toBe(50_000_000n)
    expect(() =>
      adapter(bundler.url, { stablecoinGas: { bundlerUrl: bundler.url, paymasterUrl: service.url, delegate: stranger } }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_DELEGATE' }))
  }, 60_000)

  it('revocation makes the account a plain EOA again: no code, native sends as before, the next stablecoin operation delegates anew', async () => {
    const chain = adapter()
    const { wallet: w, from } = await wallet(chain)
    const to = someone()
    await included(chain, await w.send(await w.quote({ to, asset: 'USDT', amount: '1', gas: 'stablecoin' })))
    expect(await node.getCode({ address: from })).toMatch(/^0xef0100/)
    // Revoking is an ordinary type-4 transaction the account pays in ETH.
    await local.fund(from, { eth: '0.1' })
    const signer = await w.vault.getSigner({ chain: 'evm', secretId: w.vault.listSecrets()[0]!.id })
    const fees = await node.estimateFeesPerGas()
    const nonce = await node.getTransactionCount({ address: from })
    const revoke = await signDelegation(signer, { chainId: local.chain.id, nonce, delegate: null, ...fees })
    await included(chain, await chain.broadcast(revoke))
    expect(await node.getCode({ address: from })).toBeUndefined()
    const plain = await w.quote({ to, asset: 'USDT', amount: '1' })
    expect((await included(chain, await w.send(plain))).state).toBe('confirmed')
    // alto keeps the first delegation "in progress" for a while (longer under load) and refuses
    // another delegating operation from the sender meanwhile — an explicit refusal, nothing sent:
    // the app quotes and sends again, as here.
    let landed: string | undefined
    for (let attempt = 0; !landed; attempt++) {
      const next = await w.quote({ to, asset: 'USDT', amount: '1', gas: 'stablecoin' })
      expect(next.details).toMatchObject({ delegated: false })
      try {
        landed = await w.send(next)
      } catch (error) {
        if (attempt > 40 || !(error instanceof TransactionRejectedError) || !/already being processed/.test(error.message)) throw error
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    expect((await included(chain, landed)).state).toBe('confirmed')
    expect(await usdtOf(to)).toBe(3_000_000n)
  }, 90_000)
})

describe('ambiguous bundler answers follow the money-safety rules (the EntryPoint nonce proves one landing)', () => {
  it('every answer to eth_sendUserOperation is lost after alto took it: maybe sent, counted, journaled unknown; reconcile confirms; 10 USDT move once', async () => {
    const p = await bundlerProxy((method) => (method === 'eth_sendUserOperation' ? { kind: 'accept-then-status', status: 502 } : undefined))
    const chain = adapter(p.url)
    const { wallet: w, from } = await wallet(chain, { policy: { limits: [{ asset: 'USDT', perWindow: '15' }] } })
    const to = someone()
    const error = await w.send(await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BroadcastUnknownError)
    const hash = (error as BroadcastUnknownError).transaction.hash
    // The same signed operation was offered again (1 + 3 re-sends), never a new one.
    expect(p.methods.filter((m) => m === 'eth_sendUserOperation')).toHaveLength(4)
    expect(await statuses(w)).toEqual(['intent', 'signed', 'unknown'])
    expect((await w.journal.entries()).at(-1)).toMatchObject({ status: 'unknown', hash })
    // Still counted: another 10 would pass 15.
    await expect(w.send(await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' }))).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
    })
    expect((await included(chain, hash)).state).toBe('confirmed')
    expect(await w.reconcile()).toMatchObject([{ hash, status: 'confirmed' }])
    expect(await usdtOf(to)).toBe(10_000_000n)
    expect(await entryPointNonce(from)).toBe(1n)
  }, 90_000)

  it('a bundler that refuses the operation outright: rejected, nothing moves, the limit is free again', async () => {
    const p = await bundlerProxy((method) =>
      method === 'eth_sendUserOperation' ? { kind: 'refuse', error: { code: -32500, message: "AA21 didn't pay prefund" } } : undefined,
    )
    const chain = adapter(p.url)
    const { wallet: w, from } = await wallet(chain, { policy: { limits: [{ asset: 'USDT', perWindow: '15' }] } })
    const to = someone()
    const error = await w.send(await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransactionRejectedError)
    expect(error).toMatchObject({ details: { code: -32500 } })
    expect(p.methods.filter((m) => m === 'eth_sendUserOperation')).toHaveLength(1)
    expect(await statuses(w)).toEqual(['intent', 'signed', 'rejected'])
    expect(await usdtOf(to)).toBe(0n)
    expect(await entryPointNonce(from)).toBe(0n)
    // Released: 10 more fit under 15 (quoted only: this bundler refuses everything).
    p.behaviour.fault = undefined
    const ok = await w.send(await w.quote({ to, asset: 'USDT', amount: '10', gas: 'stablecoin' }))
    expect((await included(chain, ok)).state).toBe('confirmed')
    expect(await usdtOf(to)).toBe(10_000_000n)
  }, 90_000)

  it('the node, not the bundler, says an operation landed: receipts forgotten or pointing at another transaction change nothing', async () => {
    const p = await bundlerProxy()
    const chain = adapter(p.url)
    const { wallet: w } = await wallet(chain)
    const to = someone()
    const hash = await w.send(await w.quote({ to, asset: 'USDT', amount: '2', gas: 'stablecoin' }))
    expect((await included(chain, hash)).state).toBe('confirmed')
    // A bundler that forgets: the EntryPoint's event, found on the node, confirms it.
    p.behaviour.rewrite = (method, result) => (method === 'eth_getUserOperationReceipt' ? null : result)
    expect(await chain.getTransaction(hash)).toMatchObject({ state: 'confirmed', fee: { asset: local.tokens.USDT.assetId } })
    // A bundler that points at another transaction: that receipt has no event of this operation; the search finds the real one.
    const other = await node.getBlock({ blockNumber: 1n })
    p.behaviour.rewrite = (method, result) =>
      method === 'eth_getUserOperationReceipt' && result
        ? { ...(result as object), receipt: { ...(result as { receipt: object }).receipt, transactionHash: other.transactions[0] } }
        : result
    expect(await chain.getTransaction(hash)).toMatchObject({ state: 'confirmed' })
    expect(await usdtOf(to)).toBe(2_000_000n)
  }, 60_000)
})

describe('batching: a payroll in one operation', () => {
  it('20 USDT payments: one signature, one operation, one confirmation; each recipient paid, the fee taken once, the total counted', async () => {
    const chain = adapter()
    const { wallet: w, from } = await wallet(chain, { policy: { limits: [{ asset: 'USDT', perWindow: '30' }] } })
    const staff = Array.from({ length: 20 }, () => someone())
    const quote = await w.quoteBatch({ asset: 'USDT', payments: staff.map((to, i) => ({ to, amount: i === 0 ? '1.5' : '1' })) })
    expect(quote).toMatchObject({ to: staff[0], amount: 20_500_000n, fee: { asset: local.tokens.USDT.assetId } })
    expect(quote.payments).toHaveLength(20)
    const hash = await w.send(quote)
    expect((await included(chain, hash)).state).toBe('confirmed')
    for (const [i, to] of staff.entries()) expect(await usdtOf(to)).toBe(i === 0 ? 1_500_000n : 1_000_000n)
    const charged = await charges(from)
    expect(charged).toHaveLength(1)
    expect(charged[0]!).toBeLessThanOrEqual(quote.fee.amount)
    expect(await usdtOf(from)).toBe(50_000_000n - 20_500_000n - charged[0]!)
    expect(await entryPointNonce(from)).toBe(1n)
    expect(await statuses(w)).toEqual(['intent', 'signed', 'sent'])
    expect((await w.journal.entries()).find((e) => e.status === 'intent')?.note).toMatch(/^batch of 20 payments/)
    // The total is counted: 20.5 of 30 spent, another 10 would pass the limit.
    await expect(w.send(await w.quote({ to: staff[1]!, asset: 'USDT', amount: '10', gas: 'stablecoin' }))).rejects.toMatchObject({
      code: 'POLICY_VIOLATION',
    })
  }, 90_000)

  it('a batch with one denied recipient is refused whole: nothing signed, nobody paid', async () => {
    const staff = Array.from({ length: 5 }, () => someone())
    const p = await bundlerProxy()
    const { wallet: w, from } = await wallet(adapter(p.url), { policy: { deny: [staff[3]!] } })
    const quote = await w.quoteBatch({ asset: 'USDT', payments: staff.map((to) => ({ to, amount: 2_000_000n })) })
    await expect(w.send(quote)).rejects.toBeInstanceOf(PolicyViolationError)
    expect(p.methods).not.toContain('eth_sendUserOperation')
    for (const to of staff) expect(await usdtOf(to)).toBe(0n)
    expect(await entryPointNonce(from)).toBe(0n)
    // The policy sees quote.payments and the operation pays exactly those: a quote whose details
    // were edited to pay someone else is refused before signing.
    const allowed = staff.filter((_, i) => i !== 3)
    const honest = await w.quoteBatch({ asset: 'USDT', payments: allowed.map((to) => ({ to, amount: 2_000_000n })) })
    const forged = { ...honest, payments: honest.payments!.map((x, i) => (i === 3 ? { ...x, amount: x.amount + 1n } : x)) }
    await expect(w.send(forged)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(p.methods).not.toContain('eth_sendUserOperation')
    expect(await usdtOf(from)).toBe(50_000_000n)
  }, 60_000)
})
