// Broadcast and read fault paths of the Solana adapter against the local JSON-RPC server, with
// faults injected by its fault layer: lost answers, refusals, a node that lies, a transaction
// whose blockhash expired unseen. Every case checks what is on chain (balances, the server's
// transaction list), not only what was thrown.
import { randomBytes } from 'node:crypto'
import { base58, base64 } from '@scure/base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { solana, solanaRpc, splAssetId, type SignedTransaction, type SolanaAdapter } from 'coffer/solana'
import { memoryStorage } from 'coffer/vault'
import type { Ed25519Signer } from 'coffer/keys'
import type { TestSolanaServer } from '../../../src/testing/solana/faults.js'
import { startSolanaServer } from '../../support/solana-server.js'
import { adapterOn, chainOf, solanaSigners } from './helpers.js'

const SOL_AMOUNT = 1_000_000_000n
const FUNDS = 10_000_000_000n

let server: TestSolanaServer
let adapter: SolanaAdapter
let signers: Ed25519Signer[]
let next = 1

/** A new address nobody holds (a recipient that does not exist yet). */
const newAddress = () => base58.encode(randomBytes(32))

beforeAll(async () => {
  server = await startSolanaServer({ tokens: ['USDC'] })
  // No read retries: a failing method fails at once (the broadcast's own re-sends still run).
  adapter = adapterOn(server, { rpc: { retryCount: 0, timeoutMs: 2_000 } })
  ;({ signers } = await solanaSigners(16))
  server.airdrop(signers[0]!.address, FUNDS)
  server.mintTo(signers[0]!.address, 'USDC', 100_000_000n)
  server.mine()
}, 60_000)
afterAll(() => server?.stop())
afterEach(() => server.clearFaults())

/** A fresh funded sender and a recipient that does not exist yet. */
function pair(): { from: Ed25519Signer; to: string } {
  const from = signers[next++]!
  server.airdrop(from.address, FUNDS)
  server.mine()
  return { from, to: newAddress() }
}

/** What the chain holds of `from` and `to`, and how many transactions it recorded. */
function chain(from: string, to: string) {
  return { from: server.balanceOf(from), to: server.balanceOf(to), transactions: server.transactions().length }
}

const landedCount = (hash: string) => server.transactions().filter((t) => t.signature === hash).length

async function quoteSol(from: string, to: string, amount = SOL_AMOUNT) {
  return adapter.quoteTransfer({ from, to, asset: adapter.nativeAsset, amount })
}

/** sendTransfer, keeping the signed transaction it broadcast. */
async function sendKeeping(quote: Awaited<ReturnType<typeof quoteSol>>, signer: Ed25519Signer) {
  let signed: SignedTransaction | undefined
  const result = adapter.sendTransfer(quote, signer, { onSigned: (s) => void (signed = s) })
  return { result, signed: () => signed! }
}

describe('broadcast: lost answers', () => {
  it('sendTransaction answered HTTP 500 after it landed: the adapter looks it up and returns the hash; one payment', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    const before = chain(from.address, to)
    server.addFault({ method: 'sendTransaction', when: 'after', fault: { status: 500 }, times: 1 })
    const sent = await sendKeeping(quote, from)
    const hash = await sent.result
    expect(hash).toBe(sent.signed().hash)
    expect(server.faultLog.at(-1)).toMatch(/sendTransaction → 500 \(after\)/)
    server.mine()
    expect(landedCount(hash)).toBe(1)
    const after = chain(from.address, to)
    expect(after.transactions - before.transactions).toBe(1)
    expect(after.to).toBe(SOL_AMOUNT)
    expect(before.from - after.from).toBe(SOL_AMOUNT + quote.fee.amount)
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'confirmed', fee: { amount: quote.fee.amount } })
  })

  it.each([
    ['landed, its answer lost', 'after'],
    ['never reached the node', 'before'],
  ] as const)(
    'sendTransaction %s and getSignatureStatuses failing: BroadcastUnknownError with the signed transaction; re-broadcasting it lands one payment',
    async (_, when) => {
      const { from, to } = pair()
      const quote = await quoteSol(from.address, to)
      const before = chain(from.address, to)
      server.addFault({ method: 'sendTransaction', when, fault: { status: 500 } })
      server.addFault({ method: 'getSignatureStatuses', fault: { status: 503 } })
      const sent = await sendKeeping(quote, from)
      const error = await sent.result.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ name: 'BroadcastUnknownError' })
      const carried = (error as { transaction: SignedTransaction }).transaction
      expect(carried).toMatchObject({ hash: sent.signed().hash, raw: sent.signed().raw })
      // Every attempt re-sent the same bytes: at most one copy can have landed.
      expect(landedCount(carried.hash)).toBe(when === 'after' ? 1 : 0)

      server.clearFaults()
      server.mine()
      expect(await adapter.broadcast(carried)).toBe(carried.hash)
      expect(await adapter.broadcast(carried)).toBe(carried.hash) // again: "already processed" is the same hash
      server.mine()
      expect(landedCount(carried.hash)).toBe(1)
      const after = chain(from.address, to)
      expect(after.transactions - before.transactions).toBe(1)
      expect(after.to).toBe(SOL_AMOUNT)
      expect(before.from - after.from).toBe(SOL_AMOUNT + quote.fee.amount)
    },
    30_000,
  )
})

describe('broadcast: a node that answers another signature', () => {
  const other = base58.encode(new Uint8Array(64).fill(3))

  it('after ours landed: the lookup finds ours, its hash is returned; one payment', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    server.addFault({ method: 'sendTransaction', when: 'after', rewrite: () => other, times: 1 })
    const sent = await sendKeeping(quote, from)
    expect(await sent.result).toBe(sent.signed().hash)
    expect(landedCount(sent.signed().hash)).toBe(1)
  })

  it('when ours cannot be found: BroadcastUnknownError (maybe sent), never a refusal that would free the payment', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    // A node that swallows every send and answers another signature (a fetch in front of the server).
    const lying: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { id: number; method: string } | { id: number; method: string }[]
      if (!Array.isArray(body) && body.method === 'sendTransaction')
        return new Response(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: other }), {
          headers: { 'content-type': 'application/json' },
        })
      return fetch(input, init)
    }
    const liar = adapterOn(server, { rpc: { retryCount: 0, fetch: lying } })
    const signed = await liar.signTransaction(await liar.buildTransfer(quote), from)
    const error = await liar.broadcast(signed).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'BroadcastUnknownError', transaction: { hash: signed.hash } })
    expect(landedCount(signed.hash)).toBe(0)
  }, 30_000)
})

describe('broadcast: refusals', () => {
  it('a -32002 preflight refusal (InsufficientFundsForRent) is TransactionRejectedError; nothing lands', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    const before = chain(from.address, to)
    server.addFault({
      method: 'sendTransaction',
      fault: {
        rpcError: {
          code: -32002,
          message: 'Transaction simulation failed: Transaction results in an account (0) with insufficient funds for rent',
          data: { err: { InsufficientFundsForRent: { account_index: 0 } }, logs: [], accounts: null, unitsConsumed: 150 },
        },
      },
      times: 1,
    })
    const error = await adapter.sendTransfer(quote, from).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'TransactionRejectedError', details: { code: -32002 } })
    expect((error as Error).message).toMatch(/InsufficientFundsForRent/)
    server.mine()
    expect(chain(from.address, to)).toEqual(before)
  })

  it('the node refuses a transfer that would leave the sender below the rent-exempt minimum', async () => {
    const { from, to } = pair()
    const rent = await solanaRpc([server.url]).call<number>('getMinimumBalanceForRentExemption', [0])
    // Quoted while the balance allows it, then another payment drains the sender first.
    const first = await quoteSol(from.address, to, FUNDS - 2n * BigInt(rent))
    const unsigned = await adapter.buildTransfer(first)
    const signed = await adapter.signTransaction(unsigned, from)
    // Leaves the first transfer less than the rent-exempt minimum to leave behind (but more than 0).
    const drain = await quoteSol(from.address, newAddress(), BigInt(rent) + 200_000n)
    await adapter.sendTransfer(drain, from)
    server.mine()
    const before = chain(from.address, to)
    const error = await adapter.broadcast(signed).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'TransactionRejectedError', details: { code: -32002 } })
    expect((error as Error).message).toMatch(/InsufficientFundsForRent/)
    server.mine()
    expect(landedCount(signed.hash)).toBe(0)
    expect(chain(from.address, to)).toEqual(before)
  })

  it('Blockhash not found after 151 slots is TransactionRejectedError; nothing lands', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    const signed = await adapter.signTransaction(await adapter.buildTransfer(quote), from)
    server.mine(151)
    const before = chain(from.address, to)
    const error = await adapter.broadcast(signed).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'TransactionRejectedError', details: { code: -32002 } })
    expect((error as Error).message).toMatch(/BlockhashNotFound|Blockhash not found/)
    server.mine()
    expect(landedCount(signed.hash)).toBe(0)
    expect(chain(from.address, to)).toEqual(before)
  })
})

describe('a node that lies', () => {
  let hash: string
  beforeAll(async () => {
    const { from, to } = pair()
    hash = await adapter.sendTransfer(await quoteSol(from.address, to), from)
    server.mine(2)
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'confirmed' })
  })

  it('getSignatureStatuses answered with a JSON-RPC error: no status is reported', async () => {
    server.addFault({ method: 'getSignatureStatuses', fault: { rpcError: { code: -32603, message: 'Internal error' } } })
    await expect(adapter.getTransaction(hash)).rejects.toMatchObject({ name: 'RpcError', details: { code: -32603 } })
  })

  // −1: a block the node has; +10,000: one it has not (its getBlock fails while the slots are compared).
  it.each([-1, 10_000])('a status in another slot (%i) than the transaction: DataIntegrityError, never confirmed', async (shift) => {
    server.addFault({
      method: 'getSignatureStatuses',
      rewrite: (_, result) => {
        const r = result as { value: ({ slot: number } | null)[] }
        return { ...r, value: r.value.map((s) => (s ? { ...s, slot: s.slot + shift } : s)) }
      },
    })
    await expect(adapter.getTransaction(hash)).rejects.toMatchObject({ name: 'DataIntegrityError' })
    expect(server.faultLog.at(-1)).toMatch(/getSignatureStatuses → rewritten \(after\)/)
    // Give the block read time to fail: its failure must not surface as an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 200))
  })

  it('getTransaction of another transaction: DataIntegrityError', async () => {
    const other = base58.encode(new Uint8Array(64).fill(7))
    server.addFault({
      method: 'getTransaction',
      rewrite: (_, result) => {
        const r = result as { transaction: { signatures: string[] } } | null
        return r && { ...r, transaction: { ...r.transaction, signatures: [other, ...r.transaction.signatures.slice(1)] } }
      },
    })
    await expect(adapter.getTransaction(hash)).rejects.toMatchObject({ name: 'DataIntegrityError' })
  })

  it('a token account of another owner: a BalanceFailure with DataIntegrityError, the SOL balance still read; quotes refuse and nothing moves', async () => {
    const owner = signers[0]!.address
    const usdc = splAssetId(chainOf(server), server.tokens.find((t) => t.symbol === 'USDC')!.mint)
    const stranger = randomBytes(32)
    const swapOwner = (_: string, result: unknown) => {
      const r = result as { value: ({ data: [string, string] } | null)[] }
      return {
        ...r,
        value: r.value.map((a) => {
          if (!a) return a
          const data = base64.decode(a.data[0])
          if (data.length < 165) return a
          data.set(stranger, 32)
          return { ...a, data: [base64.encode(data), 'base64'] }
        }),
      }
    }
    server.addFault({ method: 'getMultipleAccounts', rewrite: swapOwner })
    const [sol, token] = await adapter.getBalances({ addresses: [owner], assets: [adapter.nativeAsset, usdc] })
    expect(sol).toMatchObject({ ok: true, amount: server.balanceOf(owner) })
    expect(token).toMatchObject({ ok: false, error: { name: 'DataIntegrityError' } })

    const before = { usdc: server.tokenBalanceOf(owner, 'USDC'), transactions: server.transactions().length }
    await expect(adapter.quoteTransfer({ from: owner, to: newAddress(), asset: usdc, amount: 1_000_000n })).rejects.toMatchObject({
      name: 'DataIntegrityError',
    })
    server.mine()
    expect({ usdc: server.tokenBalanceOf(owner, 'USDC'), transactions: server.transactions().length }).toEqual(before)
  })
})

describe('a blockhash that expired unseen', () => {
  it('is dropped and unminable only once the finalized block height passed lastValidBlockHeight; nothing else happens', async () => {
    const { from, to } = pair()
    const quote = await quoteSol(from.address, to)
    const { value } = await solanaRpc([server.url]).call<{ value: { lastValidBlockHeight: number } }>('getLatestBlockhash', [
      { commitment: 'confirmed' },
    ])
    const lastValid = value.lastValidBlockHeight
    const before = chain(from.address, to)
    // The send never reaches the node; lookups work and find nothing.
    server.addFault({ method: 'sendTransaction', fault: { status: 500 } })
    const sent = await sendKeeping(quote, from)
    await expect(sent.result).rejects.toMatchObject({ name: 'BroadcastUnknownError' })
    server.clearFaults()
    const { hash } = sent.signed()
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'pending' })

    server.mine(lastValid + 1 - server.slot()) // the blockhash is expired at the tip…
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'pending' })
    server.mine(lastValid + 32 - server.slot()) // …and the finalized height reaches lastValidBlockHeight
    const stillPending = await adapter.getTransaction(hash)
    expect(stillPending).toMatchObject({ state: 'pending' })
    expect(stillPending).not.toHaveProperty('unminable')
    server.mine() // the finalized height passes it
    expect(await adapter.getTransaction(hash)).toEqual({ hash, state: 'dropped', confirmations: 0, unminable: true })

    // Nothing else: no payment, the fee not charged, and the bytes can no longer land.
    await expect(adapter.broadcast(sent.signed())).rejects.toMatchObject({ name: 'TransactionRejectedError' })
    server.mine()
    expect(landedCount(hash)).toBe(0)
    expect(chain(from.address, to)).toEqual(before)
    expect(await adapter.getTransaction(hash)).toMatchObject({ state: 'dropped', unminable: true })
  }, 30_000)

  it('is never said by another cluster’s node: a journal read through it is a ChainMismatchError', async () => {
    const { from, to } = pair()
    const journal = memoryStorage()
    const sender = adapterOn(server, { journalStorage: journal, rpc: { retryCount: 0, timeoutMs: 2_000 } })
    const hash = await sender.sendTransfer(await quoteSol(from.address, to), from)
    server.mine()
    expect(await sender.getTransaction(hash)).toMatchObject({ state: 'confirmed' })
    // Restarted with the same journal and chain id, but its URL names a node of another cluster, far past the blockhash.
    const other = await startSolanaServer()
    try {
      other.mine(server.slot() + 400)
      const misconfigured = solana({ chain: adapter.chainId, rpcUrls: [other.url], journalStorage: journal, rpc: { retryCount: 0 } })
      await expect(misconfigured.getTransaction(hash)).rejects.toMatchObject({ name: 'ChainMismatchError' })
    } finally {
      await other.stop()
    }
    expect(landedCount(hash)).toBe(1)
  }, 30_000)
})
