// quote → build → sign → broadcast against the local Solana server (litesvm behind Agave's
// JSON-RPC shapes), through the write-side functions directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMnemonic } from 'coffer/keys'
import { Vault, memoryStorage } from 'coffer/vault'
import type { Ed25519Signer } from '../../../src/keys/signer.js'
import { startSolanaServer, type SolanaServer } from '../../support/solana-server.js'
import { solanaRpc } from '../../../src/chains/solana/client.js'
import type { SolanaCall, SolanaToken } from '../../../src/chains/solana/context.js'
import { solAssetId, solanaChainId, splAssetId } from '../../../src/chains/solana/networks.js'
import { quoteSolanaTransfer, type SolanaTransferRequest } from '../../../src/chains/solana/quote.js'
import { buildSolanaTransfer, signSolanaTransaction } from '../../../src/chains/solana/transaction.js'
import { broadcastSolana } from '../../../src/chains/solana/broadcast.js'
import { createNonceAccount, readNonceAccount } from '../../../src/chains/solana/nonce.js'
import type { UnsignedTransaction } from '../../../src/chains/adapter.js'

let server: SolanaServer
let call: SolanaCall
let signer: Ed25519Signer
let recipients: Ed25519Signer[]

beforeAll(async () => {
  server = await startSolanaServer({ tokens: ['USDC', 'PYUSD'] })
  const chainId = solanaChainId(server.genesisHash)
  const tokens: SolanaToken[] = server.tokens.map((t) => ({ ...t, asset: splAssetId(chainId, t.mint) }))
  call = {
    chainId,
    nativeAsset: solAssetId(chainId),
    rpc: solanaRpc([server.url]),
    tokens,
    commitment: 'confirmed',
    maxPriorityFee: 5_000_000n,
    signal: new AbortController().signal,
  }
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
  const { id } = await vault.addMnemonic({ mnemonic: generateMnemonic() })
  const all = await Promise.all([0, 1, 2, 3, 4].map((index) => vault.getSigner({ secretId: id, chain: 'solana', index })))
  signer = all[0] as Ed25519Signer
  recipients = all.slice(1) as Ed25519Signer[]
  server.airdrop(signer.address, 10_000_000_000n)
  server.mintTo(signer.address, 'USDC', 100_000_000n)
  server.mintTo(signer.address, 'PYUSD', 100_000_000n)
}, 60_000)
afterAll(() => server?.stop())

const asset = (symbol: string) => call.tokens.find((t) => t.symbol === symbol)!.asset
const lookup = async (hash: string) => {
  const r = await call.rpc.call<{ value: (null | { err: unknown })[] }>('getSignatureStatuses', [
    [hash],
    { searchTransactionHistory: true },
  ])
  return r.value[0] ? ('landed' as const) : ('unknown' as const)
}
const sign = (u: UnsignedTransaction) => signSolanaTransaction(call.chainId, call.nativeAsset, call.tokens, u, signer)

async function send(request: SolanaTransferRequest, options = {}) {
  const quote = await quoteSolanaTransfer(call, request)
  const unsigned = await buildSolanaTransfer(call, quote, options)
  const signed = await sign(unsigned)
  const hash = await broadcastSolana(call, signed, lookup)
  server.mine()
  return { quote, unsigned, signed, hash }
}

describe('Solana writes', () => {
  it('sends SOL: the fee charged is the quote fee, exactly', async () => {
    const to = recipients[0]!.address
    const before = server.balanceOf(signer.address)
    const { quote, hash } = await send({ from: signer.address, to, asset: call.nativeAsset, amount: 5_000_000n })
    expect(server.balanceOf(to)).toBe(5_000_000n)
    const tx = server.transactions().find((t) => t.signature === hash)!
    expect(tx.err).toBeNull()
    expect(tx.fee).toBe(quote.fee.amount)
    expect(server.balanceOf(signer.address)).toBe(before - 5_000_000n - quote.fee.amount)
  })

  it('refuses below-rent sends to a new account', async () => {
    await expect(
      quoteSolanaTransfer(call, { from: signer.address, to: recipients[3]!.address, asset: call.nativeAsset, amount: 1000n }),
    ).rejects.toMatchObject({
      name: 'InvalidAmountError',
    })
  })

  it('sends a token creating the recipient account (rent = the quote’s) and a Token-2022 fee-bearing token', async () => {
    const to = recipients[1]!.address
    const before = server.balanceOf(signer.address)
    const { quote } = await send({ from: signer.address, to, asset: asset('USDC'), amount: 1_500_000n })
    expect(quote.details.createsRecipientAccount).toBe(true)
    expect(server.tokenBalanceOf(to, 'USDC')).toBe(1_500_000n)
    expect(before - server.balanceOf(signer.address)).toBe(quote.fee.amount)
    const q2 = await send({ from: signer.address, to, asset: asset('PYUSD'), amount: 2_000_000n })
    expect(BigInt(q2.quote.details.transferFee as string)).toBeGreaterThan(0n)
    expect(server.tokenBalanceOf(to, 'PYUSD')).toBe(2_000_000n)
  })

  it('prices priority fee levels from the node', async () => {
    server.setPrioritizationFees([0, 10, 20, 30, 40, 50, 60, 70])
    const q = await quoteSolanaTransfer(call, {
      from: signer.address,
      to: recipients[0]!.address,
      asset: call.nativeAsset,
      amount: 1_000_000n,
      feeLevel: 'fast',
    })
    // The node's per-slot list, sorted: nearest-rank 25th / 50th / 75th percentiles.
    const seen = (await call.rpc.call<{ prioritizationFee: number }[]>('getRecentPrioritizationFees', [[signer.address]]))
      .map((f) => f.prioritizationFee)
      .sort((a, b) => a - b)
    const rank = (p: number) => String(seen[Math.max(1, Math.ceil((p / 100) * seen.length)) - 1])
    expect([q.fees.slow, q.fees.normal, q.fees.fast].map((f) => f.details.computeUnitPrice)).toEqual([rank(25), rank(50), rank(75)])
    expect(q.fee.amount).toBe(5_000n + (BigInt(q.fee.details.computeUnitLimit as number) * BigInt(rank(75)) + 999_999n) / 1_000_000n)
    await expect(
      quoteSolanaTransfer(
        { ...call, maxPriorityFee: 1n },
        { from: signer.address, to: recipients[0]!.address, asset: call.nativeAsset, amount: 1_000_000n },
      ),
    ).rejects.toMatchObject({
      name: 'FeeTooHighError',
    })
    server.setPrioritizationFees(undefined)
  })

  it('an expired blockhash is refused', async () => {
    const quote = await quoteSolanaTransfer(call, {
      from: signer.address,
      to: recipients[0]!.address,
      asset: call.nativeAsset,
      amount: 1_000_000n,
    })
    const signed = await sign(await buildSolanaTransfer(call, quote, {}))
    server.mine(151)
    await expect(broadcastSolana(call, signed, lookup)).rejects.toMatchObject({ name: 'TransactionRejectedError' })
  })

  it('signs offline on a durable nonce and lands after 200 slots', async () => {
    const { unsigned, address } = await createNonceAccount(call, signer.address)
    await broadcastSolana(call, await sign(unsigned), lookup)
    server.mine()
    expect((await readNonceAccount(call, address)).authority).toBe(signer.address)
    const quote = await quoteSolanaTransfer(call, {
      from: signer.address,
      to: recipients[0]!.address,
      asset: call.nativeAsset,
      amount: 1_000_000n,
    })
    const built = await buildSolanaTransfer(call, quote, { durableNonce: { account: address } })
    server.mine(200)
    const signed = await sign(built)
    const hash = await broadcastSolana(call, signed, lookup)
    server.mine()
    expect(server.transactions().find((t) => t.signature === hash)?.err).toBeNull()
    // Re-sending the same bytes is idempotent.
    expect(await broadcastSolana(call, signed, lookup)).toBe(hash)
  })

  it('Solana Pay: the reference and memo land in the transaction', async () => {
    const reference = recipients[3]!.address
    const { hash } = await send({
      from: signer.address,
      to: recipients[2]!.address,
      asset: call.nativeAsset,
      amount: 2_000_000n,
      memo: 'order-7',
      references: [reference],
    })
    server.mine(40)
    // getSignaturesForAddress(reference) lists it: the reference is an account of the transaction.
    const sigs = await call.rpc.call<{ signature: string; memo: string | null }[]>('getSignaturesForAddress', [reference])
    expect(sigs.map((s) => s.signature)).toContain(hash)
    expect(sigs.find((s) => s.signature === hash)?.memo).toContain('order-7')
  })
})
