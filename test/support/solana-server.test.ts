// Proves the local Solana JSON-RPC server (./solana-server.ts, over litesvm) with an independent
// client, @solana/web3.js v1: balances, transfers and their fees, transaction meta, history
// paging, SPL Token and Token-2022 (transfer fee withheld), blockhash expiry, durable nonces,
// replays, batches, Agave's error shapes, and the fault layer.
import {
  ComputeBudgetProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  MessageV0,
  NONCE_ACCOUNT_LENGTH,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSolana } from '../../src/testing/solana/local-solana.js'
import { startSolanaServer, type SolanaServer } from './solana-server.js'

const TOKEN_2022 = new PublicKey('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb')
const ATA_PROGRAM = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL')
const MEMO = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr')

let server: SolanaServer
let conn: Connection

async function rpc(method: string, params?: unknown[]): Promise<{ result?: any; error?: { code: number; message: string; data?: any } }> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return (await res.json()) as { result?: any; error?: { code: number; message: string } }
}

async function funded(sol = 2): Promise<Keypair> {
  const kp = Keypair.generate()
  server.airdrop(kp.publicKey.toBase58(), BigInt(sol * LAMPORTS_PER_SOL))
  server.mine(1)
  return kp
}

function transfer(from: Keypair, to: PublicKey, lamports: number, blockhash: string, extra: TransactionInstruction[] = []): Transaction {
  const tx = new Transaction({ feePayer: from.publicKey, recentBlockhash: blockhash })
  tx.add(...extra, SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }))
  tx.sign(from)
  return tx
}

const latest = async () => (await conn.getLatestBlockhash('confirmed')).blockhash

function ata(owner: PublicKey, mint: PublicKey, program: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([owner.toBuffer(), program.toBuffer(), mint.toBuffer()], ATA_PROGRAM)[0]
}

beforeAll(async () => {
  server = await startSolanaServer({ tokens: ['USDC', 'PYUSD'] })
  conn = new Connection(server.url, 'confirmed')
})
afterAll(() => server.stop())

describe('solana-server: chain and accounts', () => {
  it('answers the cluster methods, with commitments lagging as on a cluster', async () => {
    expect(await conn.getGenesisHash()).toBe(server.genesisHash)
    expect((await rpc('getHealth')).result).toBe('ok')
    expect((await rpc('getVersion')).result['solana-core']).toMatch(/^\d+\.\d+\.\d+$/)
    server.mine(40)
    const s = server.slot()
    expect(await conn.getSlot('processed')).toBe(s)
    expect(await conn.getSlot('confirmed')).toBe(s - 1)
    expect(await conn.getSlot('finalized')).toBe(s - 32)
    const { blockhash, lastValidBlockHeight } = await conn.getLatestBlockhash('processed')
    expect(lastValidBlockHeight).toBe(s + 150)
    expect((await conn.isBlockhashValid(blockhash, { commitment: 'processed' })).value).toBe(true)
    expect((await conn.getEpochInfo('processed')).absoluteSlot).toBe(s)
  })

  it('transfers SOL; the fee is 5,000 lamports per signature plus the priority fee', async () => {
    const alice = await funded()
    const bob = Keypair.generate()
    expect(await conn.getBalance(alice.publicKey)).toBe(2 * LAMPORTS_PER_SOL)
    const before = server.balanceOf(alice.publicKey.toBase58())
    const sig = await conn.sendRawTransaction(transfer(alice, bob.publicKey, 1_000_000, await latest()).serialize())
    const status = (await conn.getSignatureStatuses([sig])).value[0]!
    expect(status).toMatchObject({ confirmationStatus: 'processed', confirmations: 0, err: null })
    expect(await conn.getTransaction(sig, { commitment: 'confirmed' })).toBeNull() // not confirmed yet
    server.mine(1)
    expect((await conn.getSignatureStatuses([sig])).value[0]).toMatchObject({ confirmationStatus: 'confirmed', confirmations: 1 })
    const tx = (await conn.getTransaction(sig, { commitment: 'confirmed' }))!
    expect(tx.meta!.fee).toBe(5000)
    expect(tx.meta!.preBalances[0]! - tx.meta!.postBalances[0]!).toBe(1_000_000 + 5000)
    expect(tx.meta!.postBalances[1]).toBe(1_000_000)
    expect(tx.meta!.err).toBeNull()
    expect(tx.meta!.logMessages).toContain('Program 11111111111111111111111111111111 success')
    expect(before - server.balanceOf(alice.publicKey.toBase58())).toBe(1_005_000n)
    expect(await conn.getBalance(bob.publicKey)).toBe(1_000_000)

    // priority fee: ceil(10,000 CU × 1,000,000 µlamports / 1e6) = 10,000 lamports
    const budget = [
      ComputeBudgetProgram.setComputeUnitLimit({ units: 10_000 }),
      ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1_000_000 }),
    ]
    const pre = server.balanceOf(alice.publicKey.toBase58())
    const sig2 = await conn.sendRawTransaction(transfer(alice, bob.publicKey, 1000, await latest(), budget).serialize())
    expect(pre - server.balanceOf(alice.publicKey.toBase58())).toBe(1000n + 15_000n)
    server.mine(1)
    expect((await conn.getTransaction(sig2, { commitment: 'confirmed' }))!.meta!.fee).toBe(15_000)
    const fees = (await rpc('getRecentPrioritizationFees', [[alice.publicKey.toBase58()]])).result
    expect(fees.find((f: { slot: number }) => f.slot === server.slot() - 1).prioritizationFee).toBe(1_000_000)
    server.setPrioritizationFees([7, 8, 9])
    const set = (await rpc('getRecentPrioritizationFees')).result
    expect(set.slice(-3).map((f: { prioritizationFee: number }) => f.prioritizationFee)).toEqual([7, 8, 9])
    expect(set.at(-1).slot).toBe(server.slot())
    server.setPrioritizationFees(undefined)
  })

  it('lists signatures newest first, pages with before/until, and reports memos', async () => {
    const alice = await funded()
    const bob = Keypair.generate().publicKey
    const sigs: string[] = []
    for (let i = 0; i < 3; i++) {
      const memo = new TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from(`pay ${i}`) })
      sigs.push(await conn.sendRawTransaction(transfer(alice, bob, 1_000_000 + i, await latest(), [memo]).serialize()))
      server.mine(1)
    }
    const all = await conn.getSignaturesForAddress(bob)
    expect(all.map((s) => s.signature)).toEqual([...sigs].reverse())
    expect(all[0]).toMatchObject({ memo: '[5] pay 2', err: null, confirmationStatus: 'confirmed' })
    expect(typeof all[0]!.blockTime).toBe('number')
    const page1 = await conn.getSignaturesForAddress(bob, { limit: 2 })
    expect(page1.map((s) => s.signature)).toEqual([sigs[2], sigs[1]])
    const page2 = await conn.getSignaturesForAddress(bob, { limit: 2, before: page1[1]!.signature })
    expect(page2.map((s) => s.signature)).toEqual([sigs[0]])
    const until = await conn.getSignaturesForAddress(bob, { until: sigs[0] })
    expect(until.map((s) => s.signature)).toEqual([sigs[2], sigs[1]])
    expect(await conn.getSignaturesForAddress(bob, undefined, 'finalized')).toEqual([]) // not 32 slots yet
    const limit = await rpc('getSignaturesForAddress', [bob.toBase58(), { limit: 1001 }])
    expect(limit.error).toEqual({ code: -32602, message: 'Invalid params: Invalid limit; max 1000' })

    const block = await rpc('getBlock', [all[0]!.slot, { commitment: 'confirmed', transactionDetails: 'signatures' }])
    expect(block.result.signatures).toEqual([sigs[2]])
    expect(block.result).toMatchObject({ parentSlot: all[0]!.slot - 1, blockHeight: all[0]!.slot })
    const full = await conn.getBlock(all[0]!.slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 })
    expect(full!.transactions[0]!.transaction.signatures[0]).toBe(sigs[2])
    expect(full!.previousBlockhash).toBe(
      (await conn.getBlock(all[0]!.slot - 1, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }))!.blockhash,
    )
  })

  it('records a transaction that fails on chain (preflight skipped) with its error and fee', async () => {
    const alice = await funded(1)
    const tx = transfer(alice, Keypair.generate().publicKey, 5 * LAMPORTS_PER_SOL, await latest())
    const refused = await rpc('sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }])
    expect(refused.error!.code).toBe(-32002)
    expect(refused.error!.message).toBe('Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1')
    expect(refused.error!.data).toMatchObject({ err: { InstructionError: [0, { Custom: 1 }] }, accounts: null, returnData: null })
    expect(refused.error!.data.logs.length).toBeGreaterThan(0)
    const sig = await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true })
    server.mine(1)
    const landed = (await conn.getTransaction(sig, { commitment: 'confirmed' }))!
    expect(landed.meta!.err).toEqual({ InstructionError: [0, { Custom: 1 }] })
    expect(landed.meta!.preBalances[0]! - landed.meta!.postBalances[0]!).toBe(5000)
    expect(server.balanceOf(alice.publicKey.toBase58())).toBe(BigInt(LAMPORTS_PER_SOL - 5000))
  })
})

describe('solana-server: tokens', () => {
  it('funds through startLocalSolana and reports token balances (jsonParsed)', async () => {
    const local = await startLocalSolana({ tokens: ['USDC', 'USDT', 'PYUSD'] })
    try {
      const c = new Connection(local.rpcUrl, 'confirmed')
      const owner = Keypair.generate().publicKey
      await local.fund(owner.toBase58(), { SOL: '0.5', USDC: '100', PYUSD: 2_500_000n })
      expect(local.chainId).toBe(`solana:${local.genesisHash.slice(0, 32)}`)
      expect(local.nativeAsset).toBe(`${local.chainId}/slip44:501`)
      expect(local.adapterTokens.map((t) => [t.symbol, t.program, t.decimals])).toEqual([
        ['USDC', 'token', 6],
        ['USDT', 'token', 6],
        ['PYUSD', 'token-2022', 6],
      ])
      expect(local.balanceOf(owner.toBase58())).toBe(500_000_000n)
      expect(local.tokenBalanceOf(owner.toBase58(), 'USDC')).toBe(100_000_000n)
      expect(local.tokenBalanceOf(owner.toBase58(), 'USDT')).toBe(0n)
      const usdc = new PublicKey(local.adapterTokens[0]!.mint)
      const accounts = await c.getParsedTokenAccountsByOwner(owner, { mint: usdc })
      expect(accounts.value).toHaveLength(1)
      expect(accounts.value[0]!.pubkey.toBase58()).toBe(
        ata(owner, usdc, new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA')).toBase58(),
      )
      expect(accounts.value[0]!.account.data.parsed.info).toMatchObject({
        mint: usdc.toBase58(),
        owner: owner.toBase58(),
        state: 'initialized',
        tokenAmount: { amount: '100000000', decimals: 6, uiAmountString: '100' },
      })
      const t22 = await c.getParsedTokenAccountsByOwner(owner, { programId: TOKEN_2022 })
      expect(t22.value[0]!.account.data.parsed.info.tokenAmount.uiAmountString).toBe('2.5')
      expect((await c.getTokenAccountBalance(accounts.value[0]!.pubkey)).value).toMatchObject({
        amount: '100000000',
        uiAmountString: '100',
      })
      await expect(local.fund(owner.toBase58(), { SOL: 1 as unknown as string })).rejects.toThrow(/not a number/)
      await expect(local.fund('nope', { SOL: '1' })).rejects.toThrow(/not a Solana address/)
    } finally {
      await local.stop()
      await local.stop()
    }
  })

  it('withholds the Token-2022 transfer fee: the recipient gets amount − fee', async () => {
    const alice = await funded()
    const bob = Keypair.generate().publicKey
    const pyusd = server.tokens.find((t) => t.symbol === 'PYUSD')!
    const mint = new PublicKey(pyusd.mint)
    server.mintTo(alice.publicKey.toBase58(), 'PYUSD', 100_000_000n)
    server.mine(1)
    const from = ata(alice.publicKey, mint, TOKEN_2022)
    const to = ata(bob, mint, TOKEN_2022)
    const createAta = new TransactionInstruction({
      programId: ATA_PROGRAM,
      keys: [
        { pubkey: alice.publicKey, isSigner: true, isWritable: true },
        { pubkey: to, isSigner: false, isWritable: true },
        { pubkey: bob, isSigner: false, isWritable: false },
        { pubkey: mint, isSigner: false, isWritable: false },
        { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
        { pubkey: TOKEN_2022, isSigner: false, isWritable: false },
      ],
      data: Buffer.from([1]),
    })
    const data = Buffer.alloc(10)
    data[0] = 12 // TransferChecked
    data.writeBigUInt64LE(10_000_000n, 1)
    data[9] = 6
    const transferChecked = new TransactionInstruction({
      programId: TOKEN_2022,
      keys: [
        { pubkey: from, isSigner: false, isWritable: true },
        { pubkey: mint, isSigner: false, isWritable: false },
        { pubkey: to, isSigner: false, isWritable: true },
        { pubkey: alice.publicKey, isSigner: true, isWritable: false },
      ],
      data,
    })
    const tx = new Transaction({ feePayer: alice.publicKey, recentBlockhash: await latest() }).add(createAta, transferChecked)
    tx.sign(alice)
    const sig = await conn.sendRawTransaction(tx.serialize())
    server.mine(1)
    // fee = ceil(10,000,000 × 25 / 10,000) = 25,000
    expect(server.tokenBalanceOf(bob.toBase58(), 'PYUSD')).toBe(10_000_000n - 25_000n)
    expect(server.tokenBalanceOf(alice.publicKey.toBase58(), 'PYUSD')).toBe(90_000_000n)
    const parsed = (await conn.getParsedAccountInfo(to)).value!.data as { parsed: { info: { extensions: unknown[] } } }
    expect(parsed.parsed.info.extensions).toContainEqual({ extension: 'transferFeeAmount', state: { withheldAmount: 25_000 } })
    const meta = (await conn.getTransaction(sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }))!.meta!
    const post = meta.postTokenBalances!.find((b) => b.owner === bob.toBase58())!
    expect(post).toMatchObject({ mint: pyusd.mint, programId: TOKEN_2022.toBase58(), uiTokenAmount: { amount: '9975000', decimals: 6 } })
    expect(meta.preTokenBalances!.find((b) => b.owner === bob.toBase58())).toBeUndefined()
    expect(meta.innerInstructions!.length).toBeGreaterThan(0) // the ATA program's CPIs
  })
})

describe('solana-server: lifetimes, replays and errors', () => {
  it("accepts a blockhash for 150 slots and refuses it after, with Agave's error", async () => {
    const alice = await funded()
    const bob = Keypair.generate().publicKey
    const { blockhash, lastValidBlockHeight } = await conn.getLatestBlockhash('processed')
    const ok = transfer(alice, bob, 1_000_000, blockhash)
    const late = transfer(alice, bob, 2_000_000, blockhash)
    server.mine(lastValidBlockHeight - server.slot())
    expect((await conn.isBlockhashValid(blockhash, { commitment: 'processed' })).value).toBe(true)
    await conn.sendRawTransaction(ok.serialize()) // age 150: still valid
    server.mine(1)
    expect((await conn.isBlockhashValid(blockhash, { commitment: 'processed' })).value).toBe(false)
    const refused = await rpc('sendTransaction', [late.serialize().toString('base64'), { encoding: 'base64' }])
    expect(refused.error).toMatchObject({
      code: -32002,
      message: 'Transaction simulation failed: Blockhash not found',
      data: { err: 'BlockhashNotFound', logs: [] },
    })
    const fee = await rpc('getFeeForMessage', [late.serializeMessage().toString('base64'), { commitment: 'processed' }])
    expect(fee.result.value).toBeNull()
    // with skipPreflight it is answered, then dropped: it never lands
    const sig = await conn.sendRawTransaction(late.serialize(), { skipPreflight: true })
    server.mine(1)
    expect((await conn.getSignatureStatuses([sig])).value[0]).toBeNull()
    expect(await conn.getBalance(bob)).toBe(1_000_000)
  })

  it('executes a durable-nonce transaction 200 slots after it was signed', async () => {
    const alice = await funded()
    const nonce = Keypair.generate()
    const rent = await conn.getMinimumBalanceForRentExemption(NONCE_ACCOUNT_LENGTH)
    const create = new Transaction({ feePayer: alice.publicKey, recentBlockhash: await latest() }).add(
      SystemProgram.createAccount({
        fromPubkey: alice.publicKey,
        newAccountPubkey: nonce.publicKey,
        lamports: rent,
        space: NONCE_ACCOUNT_LENGTH,
        programId: SystemProgram.programId,
      }),
      SystemProgram.nonceInitialize({ noncePubkey: nonce.publicKey, authorizedPubkey: alice.publicKey }),
    )
    create.sign(alice, nonce)
    await conn.sendRawTransaction(create.serialize())
    server.mine(1)
    const value = (await conn.getNonce(nonce.publicKey))!.nonce
    const bob = Keypair.generate().publicKey
    const tx = new Transaction({
      feePayer: alice.publicKey,
      nonceInfo: {
        nonce: value,
        nonceInstruction: SystemProgram.nonceAdvance({ noncePubkey: nonce.publicKey, authorizedPubkey: alice.publicKey }),
      },
    }).add(SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: bob, lamports: 3_000_000 }))
    tx.sign(alice)
    server.mine(200)
    const sig = await conn.sendRawTransaction(tx.serialize())
    server.mine(1)
    expect((await conn.getSignatureStatuses([sig])).value[0]).toMatchObject({ err: null, confirmationStatus: 'confirmed' })
    expect(await conn.getBalance(bob)).toBe(3_000_000)
    expect((await conn.getNonce(nonce.publicKey))!.nonce).not.toBe(value) // advanced
    const stale = new Transaction({
      feePayer: alice.publicKey,
      nonceInfo: {
        nonce: value,
        nonceInstruction: SystemProgram.nonceAdvance({ noncePubkey: nonce.publicKey, authorizedPubkey: alice.publicKey }),
      },
    }).add(SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: bob, lamports: 4_000_000 }))
    stale.sign(alice)
    const refused = await rpc('sendTransaction', [stale.serialize().toString('base64'), { encoding: 'base64' }])
    expect(refused.error).toMatchObject({ code: -32002, message: 'Transaction simulation failed: Blockhash not found' })
  })

  it('refuses a replayed transaction as already processed, and is idempotent with skipPreflight', async () => {
    const alice = await funded()
    const tx = transfer(alice, Keypair.generate().publicKey, 1_000_000, await latest())
    const sig = await conn.sendRawTransaction(tx.serialize())
    const again = await rpc('sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }])
    expect(again.error).toMatchObject({
      code: -32002,
      message: 'Transaction simulation failed: This transaction has already been processed',
      data: { err: 'AlreadyProcessed' },
    })
    const count = server.transactions().length
    expect(await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true })).toBe(sig)
    expect(server.transactions().length).toBe(count)
  })

  it('refuses bad signatures, malformed transactions and v0 reads without maxSupportedTransactionVersion', async () => {
    const alice = await funded()
    const bob = Keypair.generate().publicKey
    const raw = transfer(alice, bob, 1000, await latest()).serialize()
    raw[5] = raw[5]! ^ 1 // corrupt the signature
    expect((await rpc('sendTransaction', [raw.toString('base64'), { encoding: 'base64' }])).error).toEqual({
      code: -32003,
      message: 'Transaction signature verification failure',
    })
    expect((await rpc('sendTransaction', ['AAAA', { encoding: 'base64' }])).error!.code).toBe(-32602)
    const message = MessageV0.compile({
      payerKey: alice.publicKey,
      recentBlockhash: await latest(),
      instructions: [SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: bob, lamports: 1_000_000 })],
    })
    const v0 = new VersionedTransaction(message)
    v0.sign([alice])
    const sig = await conn.sendTransaction(v0)
    server.mine(1)
    const refused = await rpc('getTransaction', [sig, { commitment: 'confirmed' }])
    expect(refused.error).toEqual({
      code: -32015,
      message:
        'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
    })
    const got = await rpc('getTransaction', [sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'base64' }])
    expect(got.result.version).toBe(0)
    expect(Buffer.from(got.result.transaction[0], 'base64')).toEqual(Buffer.from(v0.serialize()))
    expect((await rpc('getTransaction', [sig, { commitment: 'processed' }])).error!.code).toBe(-32602)
  })

  it("answers batches in order, and Agave's shapes for bad requests", async () => {
    const post = async (body: string) =>
      (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()
    const batch = (await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'getSlot', params: [{ commitment: 'processed' }] },
        { jsonrpc: '2.0', id: 'b', method: 'getBalance', params: ['not-a-key'] },
        { jsonrpc: '2.0', id: 'c', method: 'nope' },
        { jsonrpc: '2.0', id: 'd', method: 'getBalance', params: [] },
        { jsonrpc: '2.0', id: 'e', method: 'getMultipleAccounts', params: [Array(101).fill(SystemProgram.programId.toBase58())] },
      ]),
    )) as { id: string; result?: unknown; error?: { code: number; message: string } }[]
    expect(batch.map((a) => a.id)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(batch[0]!.result).toBe(server.slot())
    expect(batch[1]!.error).toEqual({ code: -32602, message: 'Invalid param: Invalid' })
    expect(batch[2]!.error).toEqual({ code: -32601, message: 'Method not found' })
    expect(batch[3]!.error!.code).toBe(-32602)
    expect(batch[4]!.error).toEqual({ code: -32602, message: 'Invalid params: Too many inputs provided; max 100' })
    expect(await post('{"jsonrpc":')).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
    expect((await rpc('getAccountInfo', [SystemProgram.programId.toBase58(), { encoding: 'base64+zstd' }])).error!.code).toBe(-32602)
    expect((await rpc('getBalance', [SystemProgram.programId.toBase58(), { commitment: 'bogus' }])).error!.code).toBe(-32602)
    expect((await rpc('getBalance', [SystemProgram.programId.toBase58(), { minContextSlot: 10 ** 9 }])).error).toMatchObject({
      code: -32016,
      message: 'Minimum context slot has not been reached',
    })
  })

  it('fault layer: a lost answer (HTTP 500 after the send) still lands; requests are counted', async () => {
    const alice = await funded()
    const bob = Keypair.generate().publicKey
    const tx = transfer(alice, bob, 1_000_000, await latest())
    server.resetRequests()
    const remove = server.addFault({ method: 'sendTransaction', when: 'after', fault: { status: 500, body: 'boom' }, times: 1 })
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sendTransaction',
        params: [tx.serialize().toString('base64'), { encoding: 'base64' }],
      }),
    })
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('boom')
    remove()
    const sig = tx.signatures[0]!.signature!
    const bs58 = (await import('@scure/base')).base58
    expect((await conn.getSignatureStatuses([bs58.encode(sig)])).value[0]).toMatchObject({ err: null })
    expect(server.requests).toBe(2)
    expect(server.faultLog.at(-1)).toMatch(/sendTransaction → 500/)
    const undo = server.addFault({ method: /^getSlot$/, fault: { rpcError: { code: -32005, message: 'Node is unhealthy' } } })
    expect((await rpc('getSlot')).error).toEqual({ code: -32005, message: 'Node is unhealthy' })
    undo()
    expect(typeof (await rpc('getSlot')).result).toBe('number')
  })
})
