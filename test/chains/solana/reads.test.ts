// The read side of the Solana adapter against the local JSON-RPC server (Agave's shapes over
// litesvm), with transactions made by an independent client, @solana/web3.js v1: balances of
// many owners in one request, transaction status (confirmed, unknown, expired), history pages,
// transfer scans and Solana Pay references.
import { Connection, Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from '@solana/web3.js'
import { base58 } from '@scure/base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBalances } from '../../../src/chains/solana/balances.js'
import { solanaRpc, type SolanaRpc } from '../../../src/chains/solana/client.js'
import type { SentRecords, SolanaCall, SolanaSentRecord } from '../../../src/chains/solana/context.js'
import { readHistory } from '../../../src/chains/solana/history.js'
import { solAssetId, solanaChainId, splAssetId } from '../../../src/chains/solana/networks.js'
import { associatedTokenAddress } from '../../../src/chains/solana/pda.js'
import { findReference } from '../../../src/chains/solana/reference.js'
import { readBlockAt, readLatestBlock, readStatus } from '../../../src/chains/solana/status.js'
import { scanTransfers } from '../../../src/chains/solana/transfers.js'
import type { HistoryItem } from '../../../src/chains/adapter.js'
import type { AssetId } from '../../../src/core/caip.js'
import { startSolanaServer, type SolanaServer } from '../../support/solana-server.js'

const TOKEN = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA')
const ATA_PROGRAM = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL')

let server: SolanaServer
let conn: Connection
let call: SolanaCall
let SOL: AssetId
let USDC: AssetId
let PYUSD: AssetId

function callWith(rpc: SolanaRpc): SolanaCall {
  return { ...call, rpc }
}

const records = (list: SolanaSentRecord[] = []): SentRecords => ({
  add: async (r) => void list.push(r),
  get: async (h) => list.find((r) => r.hash === h),
})

async function funded(lamports = 2_000_000_000n): Promise<Keypair> {
  const kp = Keypair.generate()
  server.airdrop(kp.publicKey.toBase58(), lamports)
  server.mine(1)
  return kp
}

const latest = async () => (await conn.getLatestBlockhash('confirmed')).blockhash

async function send(payer: Keypair, ...ixs: TransactionInstruction[]): Promise<string> {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: await latest() }).add(...ixs)
  tx.sign(payer)
  const sig = await conn.sendRawTransaction(tx.serialize())
  server.mine(1)
  return sig
}

function createAta(payer: PublicKey, owner: PublicKey, mint: PublicKey, program: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: ATA_PROGRAM,
    keys: [
      { pubkey: payer, isSigner: true, isWritable: true },
      {
        pubkey: new PublicKey(associatedTokenAddress(owner.toBase58(), mint.toBase58(), program.toBase58())),
        isSigner: false,
        isWritable: true,
      },
      { pubkey: owner, isSigner: false, isWritable: false },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: program, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]), // CreateIdempotent
  })
}

function transferChecked(owner: PublicKey, to: PublicKey, mint: PublicKey, amount: bigint, decimals: number): TransactionInstruction {
  const data = Buffer.alloc(10)
  data[0] = 12
  data.writeBigUInt64LE(amount, 1)
  data[9] = decimals
  const ata = (o: PublicKey) => new PublicKey(associatedTokenAddress(o.toBase58(), mint.toBase58(), TOKEN.toBase58()))
  return new TransactionInstruction({
    programId: TOKEN,
    keys: [
      { pubkey: ata(owner), isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: ata(to), isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: true, isWritable: false },
    ],
    data,
  })
}

beforeAll(async () => {
  server = await startSolanaServer({ tokens: ['USDC', 'PYUSD'] })
  conn = new Connection(server.url, 'confirmed')
  const chainId = solanaChainId(server.genesisHash)
  SOL = solAssetId(chainId)
  const tokens = server.tokens.map((t) => ({ ...t, asset: splAssetId(chainId, t.mint) }))
  USDC = tokens.find((t) => t.symbol === 'USDC')!.asset
  PYUSD = tokens.find((t) => t.symbol === 'PYUSD')!.asset
  call = {
    chainId,
    nativeAsset: SOL,
    rpc: solanaRpc([server.url]),
    tokens,
    commitment: 'confirmed',
    maxPriorityFee: 10_000_000n,
    signal: new AbortController().signal,
  }
})

afterAll(async () => {
  await server?.stop()
})

describe('readBalances', () => {
  it('reads 50 owners × SOL + 2 tokens in one HTTP request, all at one slot', async () => {
    const owners = Array.from({ length: 50 }, () => Keypair.generate().publicKey.toBase58())
    owners.forEach((o, i) => {
      if (i % 5 !== 4) server.airdrop(o, BigInt(1_000_000 + i))
      if (i % 2 === 0) server.mintTo(o, 'USDC', BigInt(10 + i))
      if (i % 3 === 0) server.mintTo(o, 'PYUSD', BigInt(100 + i))
    })
    server.mine(1)
    server.resetRequests()
    const balances = await readBalances(call, owners, [SOL, USDC, PYUSD], 1)
    expect(server.requests).toBeLessThanOrEqual(2)
    expect(balances).toHaveLength(150)
    expect(new Set(balances.map((b) => b.blockHeight)).size).toBe(1)
    owners.forEach((o, i) => {
      const [sol, usdc, pyusd] = balances.slice(i * 3, i * 3 + 3)
      expect(sol).toMatchObject({ ok: true, address: o, asset: SOL, decimals: 9, amount: server.balanceOf(o) })
      expect(usdc).toMatchObject({ ok: true, asset: USDC, decimals: 6, amount: server.tokenBalanceOf(o, 'USDC') })
      expect(pyusd).toMatchObject({ ok: true, asset: PYUSD, amount: server.tokenBalanceOf(o, 'PYUSD') })
    })
    expect(balances[4 * 3]).toMatchObject({ ok: true, amount: 0n }) // never funded: 0, not an error
  })

  it('reports the not-yet-finalized part as pending when confirmations > 1', async () => {
    const owner = Keypair.generate().publicKey.toBase58()
    server.airdrop(owner, 5_000_000n)
    server.mine(1)
    const [sol] = await readBalances(call, [owner], [SOL], 2)
    expect(sol).toMatchObject({ ok: true, amount: 5_000_000n, pending: 5_000_000n })
    server.mine(40)
    const [later] = await readBalances(call, [owner], [SOL], 2)
    expect(later).toMatchObject({ ok: true, amount: 5_000_000n, pending: 0n })
  })

  it('turns a token account of another owner into a DataIntegrityError entry, not a throw', async () => {
    const owner = Keypair.generate().publicKey.toBase58()
    const stranger = Keypair.generate().publicKey.toBase58()
    server.mintTo(stranger, 'USDC', 42n)
    server.mine(1)
    const strangerAta = associatedTokenAddress(stranger, server.tokens.find((t) => t.symbol === 'USDC')!.mint, TOKEN.toBase58())
    const real = call.rpc
    // A lying node answers the owner's ATA with the stranger's account.
    const lying: SolanaRpc = {
      ...real,
      urls: real.urls,
      requests: 0,
      call: real.call,
      send: real.send,
      batch: (requests, options) =>
        real.batch(
          requests.map((r) => ({ ...r, params: [(r.params[0] as string[]).map((k) => (k === owner ? k : strangerAta)), r.params[1]] })),
          options,
        ),
    }
    const [sol, usdc] = await readBalances(callWith(lying), [owner], [SOL, USDC], 1)
    expect(sol!.ok).toBe(true)
    expect(usdc).toMatchObject({ ok: false, asset: USDC })
    expect(!usdc!.ok && usdc!.error.name).toBe('DataIntegrityError')
  })

  it('refuses unknown assets and bad addresses before any request', async () => {
    await expect(readBalances(call, ['nope'], [SOL], 1)).rejects.toMatchObject({ name: 'InvalidAddressError' })
    await expect(
      readBalances(call, [Keypair.generate().publicKey.toBase58()], [`${call.chainId}/token:${'1'.repeat(32)}`], 1),
    ).rejects.toMatchObject({
      name: 'UnknownAssetError',
    })
  })
})

describe('readStatus and blocks', () => {
  it('reports a confirmed transfer with its fee, slot and block hash', async () => {
    const alice = await funded()
    const sig = await send(
      alice,
      SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }),
    )
    const status = await readStatus(call, sig, records())
    const tx = await conn.getTransaction(sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 })
    const block = await conn.getBlock(tx!.slot, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
      transactionDetails: 'none',
      rewards: false,
    })
    expect(status).toMatchObject({
      hash: sig,
      state: 'confirmed',
      blockHeight: tx!.slot,
      blockHash: block!.blockhash,
      fee: { asset: SOL, amount: BigInt(tx!.meta!.fee) },
    })
    expect(status.confirmations).toBeGreaterThanOrEqual(1)
    server.mine(40)
    expect(await readStatus(call, sig, records())).toMatchObject({ state: 'confirmed', confirmations: 32 })
  })

  it('keeps an unknown transaction pending and drops one whose blockhash expired', async () => {
    const hash = base58.encode(new Uint8Array(64).fill(7))
    expect(await readStatus(call, hash, records())).toEqual({ hash, state: 'pending', confirmations: 0 })
    const height = await conn.getBlockHeight('finalized')
    const record = (lastValidBlockHeight: number): SolanaSentRecord => ({
      hash,
      from: Keypair.generate().publicKey.toBase58(),
      raw: '',
      time: 0,
      lifetime: { kind: 'blockhash', blockhash: base58.encode(new Uint8Array(32).fill(1)), lastValidBlockHeight },
    })
    expect(await readStatus(call, hash, records([record(height + 100)]))).toMatchObject({ state: 'pending' })
    expect(await readStatus(call, hash, records([record(height - 1)]))).toEqual({
      hash,
      state: 'dropped',
      confirmations: 0,
      unminable: true,
    })
    await expect(readStatus(call, 'not-a-signature', records())).rejects.toMatchObject({ name: 'InvalidArgumentError' })
  })

  it('reads the newest block and chains blocks by parent hash', async () => {
    server.mine(3)
    const head = await readLatestBlock(call)
    const parent = await readBlockAt(call, head.height - 1)
    expect(parent.hash).toBe(head.parentHash)
    expect(head.timestamp).toBeGreaterThan(0)
  })
})

describe('history, transfers and references', () => {
  let alice: Keypair
  let bob: Keypair
  const carol = Keypair.generate().publicKey
  const sigs: Record<string, string> = {}
  let fromSlot = 0

  beforeAll(async () => {
    alice = await funded()
    bob = await funded()
    fromSlot = server.slot()
    const usdc = new PublicKey(server.tokens.find((t) => t.symbol === 'USDC')!.mint)
    sigs.in = await send(bob, SystemProgram.transfer({ fromPubkey: bob.publicKey, toPubkey: alice.publicKey, lamports: 3_000_000 }))
    sigs.out = await send(alice, SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: carol, lamports: 1_000_000 }))
    server.mintTo(alice.publicKey.toBase58(), 'USDC', 50_000_000n)
    server.mine(1)
    sigs.token = await send(
      alice,
      createAta(alice.publicKey, carol, usdc, TOKEN),
      transferChecked(alice.publicKey, carol, usdc, 7_000_000n, 6),
    )
  })

  it('pages the owner’s history newest first with items per asset', async () => {
    const items: HistoryItem[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await readHistory(call, alice.publicKey.toBase58(), { assets: [SOL, USDC], limit: 1, ...(cursor ? { cursor } : {}) })
      items.push(...page.items)
      cursor = page.cursor
      pages++
    } while (cursor && pages < 20)
    const a = alice.publicKey.toBase58()
    const tokenOut = items.find((i) => i.hash === sigs.token && i.asset === USDC)
    expect(tokenOut).toMatchObject({ direction: 'out', from: a, to: carol.toBase58(), amount: 7_000_000n, state: 'confirmed' })
    expect(tokenOut!.fee).toBeUndefined() // the fee is counted once, on the transaction's first outgoing item
    expect(items.find((i) => i.hash === sigs.out)).toMatchObject({
      asset: SOL,
      direction: 'out',
      to: carol.toBase58(),
      amount: 1_000_000n,
      fee: { amount: 5_000n },
    })
    expect(items.find((i) => i.hash === sigs.in)).toMatchObject({
      asset: SOL,
      direction: 'in',
      from: bob.publicKey.toBase58(),
      amount: 3_000_000n,
    })
    // Newest first, no repeats.
    const heights = items.map((i) => i.blockHeight!)
    expect([...heights].sort((x, y) => y - x)).toEqual(heights)
    expect(new Set(items.map((i) => `${i.hash}/${i.asset}`)).size).toBe(items.length)
    // The ATA creation rent paid for carol is also an outgoing SOL movement of the token transaction.
    expect(items.find((i) => i.hash === sigs.token && i.asset === SOL)).toMatchObject({
      direction: 'out',
      fee: { asset: SOL, amount: 5_000n },
    })
  })

  it('refuses a cursor of another query', async () => {
    const page = await readHistory(call, alice.publicKey.toBase58(), { assets: [SOL], limit: 1 })
    expect(page.cursor).toBeDefined()
    await expect(readHistory(call, bob.publicKey.toBase58(), { assets: [SOL], limit: 1, cursor: page.cursor! })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })

  it('scans transfers of a slot range', async () => {
    const toSlot = server.slot()
    const scan = await scanTransfers(call, {
      addresses: [alice.publicKey.toBase58()],
      assets: [SOL, USDC],
      fromBlock: fromSlot,
      toBlock: toSlot,
    })
    expect(scan.complete).toBe(false) // SOL asked
    const a = alice.publicKey.toBase58()
    expect(scan.transfers).toContainEqual(
      expect.objectContaining({ hash: sigs.in, asset: SOL, from: bob.publicKey.toBase58(), to: a, amount: 3_000_000n }),
    )
    expect(scan.transfers).toContainEqual(
      expect.objectContaining({ hash: sigs.token, asset: USDC, from: a, to: carol.toBase58(), amount: 7_000_000n, index: 65_536 }),
    )
    const heights = scan.transfers.map((t) => t.blockHeight)
    expect([...heights].sort((x, y) => x - y)).toEqual(heights)
    for (const t of scan.transfers) expect((await readBlockAt(call, t.blockHeight)).hash).toBe(t.blockHash)
    const tokenSlot = scan.transfers.find((t) => t.hash === sigs.token)!.blockHeight
    const tokens = await scanTransfers(call, { addresses: [a], assets: [USDC], fromBlock: tokenSlot, toBlock: tokenSlot })
    expect(tokens).toMatchObject({ complete: true, transfers: [expect.objectContaining({ hash: sigs.token })] })
    await expect(scanTransfers(call, { addresses: [a], assets: [USDC], fromBlock: 0, toBlock: 10_000 })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })

  it('finds the Solana Pay payment carrying a reference, and ignores one that pays something else', async () => {
    const reference = Keypair.generate().publicKey
    const merchant = Keypair.generate().publicKey
    const pay = (lamports: number) => {
      const ix = SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: merchant, lamports })
      ix.keys.push({ pubkey: reference, isSigner: false, isWritable: false })
      return ix
    }
    const wrong = await send(alice, pay(999_999))
    const expected = { to: merchant.toBase58(), amount: 1_000_000n, asset: SOL }
    expect(await findReference(call, reference.toBase58(), expected)).toBeUndefined()
    const right = await send(alice, pay(1_000_000))
    expect(wrong).not.toBe(right)
    expect(await findReference(call, reference.toBase58(), expected)).toMatchObject({ hash: right, state: 'confirmed' })
    expect(await findReference(call, reference.toBase58(), { ...expected, memo: 'order-1' })).toBeUndefined()
  })
})
