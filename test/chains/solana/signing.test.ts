// Offline signing of Solana transfers: messages built by transaction.ts (quotes made by hand),
// signed with a real vault signer, decoded and verified with @solana/web3.js v1 as the oracle;
// every summary field tampered → InvalidArgumentError and nothing signed; random bytes never sign.
import { PublicKey, SystemInstruction, SystemProgram, VersionedTransaction } from '@solana/web3.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { base58, base64 } from '@scure/base'
import fc from 'fast-check'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { generateMnemonic } from 'coffer/keys'
import { Vault, memoryStorage } from 'coffer/vault'
import type { Ed25519Signer } from '../../../src/keys/signer.js'
import type { TransferQuote, UnsignedTransaction } from '../../../src/chains/adapter.js'
import type { SolanaToken } from '../../../src/chains/solana/context.js'
import { compileMessage, planOf, signSolanaTransaction, transferInstructions } from '../../../src/chains/solana/transaction.js'
import { base64 as b64 } from '@scure/base'
import { associatedTokenAddress } from '../../../src/chains/solana/pda.js'
import { MEMO_PROGRAM, SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../../src/chains/solana/programs.js'
import { solanaKitSigner } from '../../../src/chains/solana/kit-signer.js'
import { encodeOffchainMessage, signSolanaMessage } from '../../../src/chains/solana/message.js'
import { addressWithSeed, nonceCreateInstructions } from '../../../src/chains/solana/nonce.js'
import { SOL_DECIMALS } from '../../../src/chains/solana/networks.js'
import type { SolanaLifetime } from '../../../src/chains/solana/context.js'
import { getSetComputeUnitLimitInstruction, getSetComputeUnitPriceInstruction } from '@solana-program/compute-budget'

const CHAIN = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' as const
const SOL = `${CHAIN}/slip44:501` as const
const MINT = '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU'
const MINT22 = 'CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM'
const TOKENS: SolanaToken[] = [
  { asset: `${CHAIN}/token:${MINT}`, mint: MINT, symbol: 'USDC', name: 'USD Coin', decimals: 6, program: 'token' },
  { asset: `${CHAIN}/token:${MINT22}`, mint: MINT22, symbol: 'PYUSD', name: 'PayPal USD', decimals: 6, program: 'token-2022' },
]
const TO = base58.encode(new Uint8Array(32).fill(7))
const REF = base58.encode(new Uint8Array(32).fill(9))
const BLOCKHASH = 'EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k'

let signer: Ed25519Signer
let other: Ed25519Signer

beforeAll(async () => {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
  const { id } = await vault.addMnemonic({ mnemonic: generateMnemonic() })
  signer = (await vault.getSigner({ secretId: id, chain: 'solana', index: 0 })) as Ed25519Signer
  other = (await vault.getSigner({ secretId: id, chain: 'solana', index: 1 })) as Ed25519Signer
})

interface QuoteInput {
  asset?: string
  amount?: bigint
  token?: SolanaToken
  create?: boolean
  transferFee?: bigint
  memo?: string
  references?: string[]
  price?: bigint
  limit?: number
  rent?: bigint
}

function quote(q: QuoteInput = {}): TransferQuote {
  const token = q.token
  const amount = q.amount ?? 1_000_000n
  const program = token ? (token.program === 'token' ? TOKEN_PROGRAM : TOKEN_2022_PROGRAM) : SYSTEM_PROGRAM
  const limit = q.limit ?? 20_000
  const price = q.price ?? 1_000n
  const rent = q.create ? (q.rent ?? 2_039_280n) : 0n
  const fee = 5_000n + (BigInt(limit) * price + 999_999n) / 1_000_000n + rent
  const transferFee = q.transferFee ?? 0n
  const estimate = { level: 'normal' as const, asset: SOL, amount: fee, expected: fee, details: {} }
  return {
    chainId: CHAIN,
    from: signer.address,
    to: TO,
    asset: (token?.asset ?? SOL) as TransferQuote['asset'],
    amount,
    feeLevel: 'normal',
    fee: estimate,
    fees: { slow: estimate, normal: estimate, fast: estimate },
    createdAt: Date.now(),
    details: {
      program,
      ...(token ? { mint: token.mint } : {}),
      decimals: token ? token.decimals : 9,
      sourceAccount: token ? associatedTokenAddress(signer.address, token.mint, program) : signer.address,
      destinationAccount: token ? associatedTokenAddress(TO, token.mint, program) : TO,
      createsRecipientAccount: q.create ?? false,
      accountRent: rent.toString(),
      transferFee: transferFee.toString(),
      grossAmount: (amount + transferFee).toString(),
      withTransferFee: q.transferFee !== undefined,
      computeUnitLimit: limit,
      computeUnitPrice: price.toString(),
      memo: q.memo ?? null,
      references: q.references ?? [],
    },
  }
}

/** What buildSolanaTransfer makes, offline (a fixed blockhash instead of getLatestBlockhash). */
function unsignedOf(
  q: TransferQuote,
  lifetime: SolanaLifetime = { kind: 'blockhash', blockhash: BLOCKHASH, lastValidBlockHeight: 1000 },
): UnsignedTransaction {
  const plan = planOf(q)
  const message = compileMessage(plan.from, transferInstructions(plan), lifetime)
  const token = TOKENS.find((t) => t.asset === q.asset)
  return {
    chainId: CHAIN,
    kind: 'solana-v0',
    from: plan.from,
    summary: {
      to: plan.to,
      asset: q.asset,
      amount: plan.amount.toString(),
      fee: q.fee.amount.toString(),
      symbol: token?.symbol ?? 'SOL',
      decimals: token?.decimals ?? SOL_DECIMALS,
    },
    payload: {
      message: base64.encode(message),
      lifetime: { ...lifetime },
      program: plan.program,
      ...(plan.mint ? { mint: plan.mint } : {}),
      decimals: plan.decimals,
      createsRecipientAccount: plan.createsRecipientAccount,
      accountRent: plan.accountRent.toString(),
      transferFee: plan.transferFee.toString(),
      grossAmount: plan.grossAmount.toString(),
      memo: plan.memo ?? null,
      references: [...plan.references],
    },
  }
}

/** A signer that counts its signatures (the vault's own signer object is frozen). */
function counting(s: Ed25519Signer): { counted: Ed25519Signer; calls: () => number } {
  let n = 0
  const counted = {
    curve: s.curve,
    chain: s.chain,
    address: s.address,
    publicKey: s.publicKey,
    path: s.path,
    signMessage: (m: Uint8Array) => (n++, s.signMessage(m)),
  }
  return { counted: counted as Ed25519Signer, calls: () => n }
}

const sign = (u: UnsignedTransaction, s: Ed25519Signer = signer) => signSolanaTransaction(CHAIN, SOL, TOKENS, u, s)

function decoded(raw: string) {
  const tx = VersionedTransaction.deserialize(base64.decode(raw))
  const keys = tx.message.staticAccountKeys.map((k) => k.toBase58())
  const ixs = tx.message.compiledInstructions.map((ix) => ({
    program: keys[ix.programIdIndex]!,
    accounts: ix.accountKeyIndexes.map((i) => keys[i]!),
    data: Buffer.from(ix.data),
  }))
  return { tx, keys, ixs }
}

describe('signing Solana transfers offline', () => {
  it('signs a SOL transfer that web3.js verifies and decodes (memo first, references read-only)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(() => {
      throw new Error('offline signing must not touch the network')
    })
    try {
      const u = unsignedOf(quote({ memo: 'order 42', references: [REF] }))
      const signed = await sign(u)
      expect(signed.kind).toBe('solana-v0')
      const { tx, keys, ixs } = decoded(signed.raw)
      expect(base58.encode(tx.signatures[0]!)).toBe(signed.hash)
      expect(ed25519.verify(tx.signatures[0]!, tx.message.serialize(), new PublicKey(signer.address).toBytes())).toBe(true)
      expect(keys[0]).toBe(signer.address)
      expect(tx.message.header.numRequiredSignatures).toBe(1)
      expect(tx.message.recentBlockhash).toBe(BLOCKHASH)
      expect(ixs.map((i) => i.program)).toEqual([
        'ComputeBudget111111111111111111111111111111',
        'ComputeBudget111111111111111111111111111111',
        MEMO_PROGRAM,
        SYSTEM_PROGRAM,
      ])
      expect(ixs[2]!.data.toString('utf8')).toBe('order 42')
      const transfer = ixs[3]!
      const ix = SystemInstruction.decodeTransfer({
        programId: SystemProgram.programId,
        keys: transfer.accounts.map((k) => ({ pubkey: new PublicKey(k), isSigner: false, isWritable: true })),
        data: transfer.data,
      })
      expect(ix.fromPubkey.toBase58()).toBe(signer.address)
      expect(ix.toPubkey.toBase58()).toBe(TO)
      expect(ix.lamports).toBe(1_000_000n)
      expect(transfer.accounts[2]).toBe(REF)
      const refIndex = keys.indexOf(REF)
      expect(tx.message.isAccountWritable(refIndex)).toBe(false)
      expect(tx.message.isAccountSigner(refIndex)).toBe(false)
    } finally {
      fetchSpy.mockRestore()
    }
  })

  it('signs a token transfer with ATA creation and a Token-2022 TransferCheckedWithFee', async () => {
    const u = unsignedOf(quote({ token: TOKENS[0], create: true, amount: 5_000_000n }))
    const { ixs } = decoded((await sign(u)).raw)
    const ataTo = associatedTokenAddress(TO, MINT, TOKEN_PROGRAM)
    expect(ixs[2]!.program).toBe('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL')
    expect(ixs[2]!.accounts).toEqual([signer.address, ataTo, TO, MINT, SYSTEM_PROGRAM, TOKEN_PROGRAM])
    expect([...ixs[3]!.data]).toEqual([12, ...new Uint8Array(new BigUint64Array([5_000_000n]).buffer), 6])
    expect(ixs[3]!.accounts).toEqual([associatedTokenAddress(signer.address, MINT, TOKEN_PROGRAM), MINT, ataTo, signer.address])

    const u22 = unsignedOf(quote({ token: TOKENS[1], amount: 990_000n, transferFee: 10_000n }))
    const d22 = decoded((await sign(u22)).raw)
    const data = d22.ixs[2]!.data
    expect(d22.ixs[2]!.program).toBe(TOKEN_2022_PROGRAM)
    expect([data[0], data[1]]).toEqual([26, 1])
    expect(data.readBigUInt64LE(2)).toBe(1_000_000n)
    expect(data[10]).toBe(6)
    expect(data.readBigUInt64LE(11)).toBe(10_000n)
  })

  it('signs on a durable nonce (AdvanceNonceAccount first) and a nonce-account creation', async () => {
    const nonceAccount = addressWithSeed(signer.address, 'coffer-nonce-0')
    const u = unsignedOf(quote(), { kind: 'nonce', nonceAccount, nonce: BLOCKHASH })
    const { ixs, tx } = decoded((await sign(u)).raw)
    expect(tx.message.recentBlockhash).toBe(BLOCKHASH)
    expect(ixs[0]!.program).toBe(SYSTEM_PROGRAM)
    expect(ixs[0]!.accounts).toEqual([nonceAccount, 'SysvarRecentB1ockHashes11111111111111111111', signer.address])
    // The nonce must be the payload's.
    await expect(
      sign({ ...u, payload: { ...u.payload, lifetime: { kind: 'nonce', nonceAccount: TO, nonce: BLOCKHASH } } }),
    ).rejects.toThrow(/AdvanceNonceAccount/)

    const lifetime: SolanaLifetime = { kind: 'blockhash', blockhash: BLOCKHASH, lastValidBlockHeight: 9 }
    const message = compileMessage(
      signer.address,
      [
        getSetComputeUnitLimitInstruction({ units: 10_000 }),
        getSetComputeUnitPriceInstruction({ microLamports: 5n }),
        ...nonceCreateInstructions(signer.address, 'coffer-nonce-0', 1_447_680n),
      ],
      lifetime,
    )
    const create: UnsignedTransaction = {
      chainId: CHAIN,
      kind: 'solana-nonce-create',
      from: signer.address,
      summary: { to: nonceAccount, asset: SOL, amount: '1447680', fee: '5001' },
      payload: { message: base64.encode(message), lifetime: { ...lifetime }, seed: 'coffer-nonce-0', nonceAccount },
    }
    const signed = await sign(create)
    expect(VersionedTransaction.deserialize(base64.decode(signed.raw)).message.compiledInstructions).toHaveLength(4)
    await expect(sign({ ...create, summary: { ...create.summary, amount: '1447681' } })).rejects.toThrow(/CreateAccountWithSeed/)
    await expect(sign({ ...create, summary: { ...create.summary, fee: '5000' } })).rejects.toThrow(/fee/)
    // A transfer message under the nonce-create kind does not sign.
    await expect(
      sign({ ...create, payload: { ...create.payload, message: unsignedOf(quote()).payload.message as string } }),
    ).rejects.toThrow(/InvalidArgument|nonce|CreateAccount/)
  })

  const tampers: [string, (u: UnsignedTransaction) => UnsignedTransaction][] = [
    ['summary.to', (u) => ({ ...u, summary: { ...u.summary, to: REF } })],
    ['summary.amount', (u) => ({ ...u, summary: { ...u.summary, amount: (BigInt(u.summary.amount) + 1n).toString() } })],
    ['summary.fee', (u) => ({ ...u, summary: { ...u.summary, fee: (BigInt(u.summary.fee) - 1n).toString() } })],
    ['summary.asset', (u) => ({ ...u, summary: { ...u.summary, asset: TOKENS[0]!.asset } })],
    ['summary.symbol', (u) => ({ ...u, summary: { ...u.summary, symbol: 'USDT' } })],
    ['summary.decimals', (u) => ({ ...u, summary: { ...u.summary, decimals: 8 } })],
    ['from', (u) => ({ ...u, from: other.address })],
    ['chainId', (u) => ({ ...u, chainId: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' })],
    ['kind', (u) => ({ ...u, kind: 'evm-eip1559' })],
    ['payload.memo', (u) => ({ ...u, payload: { ...u.payload, memo: 'order 43' } })],
    ['payload.references', (u) => ({ ...u, payload: { ...u.payload, references: [] } })],
    [
      'payload.lifetime',
      (u) => ({ ...u, payload: { ...u.payload, lifetime: { kind: 'blockhash', blockhash: TO, lastValidBlockHeight: 1 } } }),
    ],
    ['payload.decimals', (u) => ({ ...u, payload: { ...u.payload, decimals: 8 } })],
    ['payload.program', (u) => ({ ...u, payload: { ...u.payload, program: TOKEN_PROGRAM } })],
    [
      'payload.message (one byte)',
      (u) => {
        const bytes = base64.decode(u.payload.message as string)
        bytes[bytes.length - 1]! ^= 1
        return { ...u, payload: { ...u.payload, message: base64.encode(bytes) } }
      },
    ],
  ]
  it.each(tampers)('refuses a changed %s and signs nothing', async (_name, change) => {
    const u = unsignedOf(quote({ memo: 'order 42', references: [REF] }))
    await sign(u)
    const { counted, calls } = counting(signer)
    await expect(sign(change(u), counted)).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    expect(calls()).toBe(0)
  })

  it('refuses token tampering: mint, transfer fee, rent above the bound, another signer', async () => {
    const u = unsignedOf(quote({ token: TOKENS[1], amount: 990_000n, transferFee: 10_000n, create: true }))
    await sign(u)
    for (const bad of [
      { ...u, payload: { ...u.payload, mint: MINT } },
      { ...u, payload: { ...u.payload, transferFee: '9999' } },
      { ...u, summary: { ...u.summary, amount: '1000000' } },
      { ...u, payload: { ...u.payload, accountRent: '20000000' }, summary: { ...u.summary, fee: '30000000' } },
      { ...u, payload: { ...u.payload, createsRecipientAccount: false } },
    ]) {
      await expect(sign(bad)).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    }
    await expect(sign(u, other)).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    // A message that pays another recipient than the summary (built honestly for TO, summary says REF).
    const forOther = unsignedOf({ ...quote(), to: REF } as TransferQuote)
    await expect(sign({ ...forOther, summary: { ...forOther.summary, to: TO } })).rejects.toThrow(/goes to/)
  })

  it('never signs random message bytes', async () => {
    const { counted, calls } = counting(signer)
    const u = unsignedOf(quote())
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 400 }), async (bytes) => {
        await expect(sign({ ...u, payload: { ...u.payload, message: base64.encode(bytes) } }, counted)).rejects.toMatchObject({
          name: 'InvalidArgumentError',
        })
      }),
      { numRuns: 300 },
    )
    expect(calls()).toBe(0)
    // Real messages with random byte flips: refused, or (a lower compute-unit limit or price) signed
    // while still paying exactly the summary's amount to its recipient within its fee.
    const good = base64.decode(u.payload.message as string)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const bytes = good.slice()
        bytes[at]! ^= x
        const result = await sign({ ...u, payload: { ...u.payload, message: base64.encode(bytes) } }).catch((e: Error) => e)
        if (result instanceof Error) {
          expect(result).toMatchObject({ name: 'InvalidArgumentError' })
          return
        }
        const { ixs } = decoded(result.raw)
        const transfer = ixs.find((i) => i.program === SYSTEM_PROGRAM)!
        expect(transfer.accounts.slice(0, 2)).toEqual([signer.address, TO])
        expect(transfer.data.readBigUInt64LE(4)).toBe(1_000_000n)
        const budget = ixs.filter((i) => i.program === 'ComputeBudget111111111111111111111111111111')
        const limit = budget.find((i) => i.data[0] === 2)!.data.readUInt32LE(1)
        const price = budget.find((i) => i.data[0] === 3)!.data.readBigUInt64LE(1)
        expect(5_000n + (BigInt(limit) * price + 999_999n) / 1_000_000n).toBeLessThanOrEqual(BigInt(u.summary.fee))
      }),
      { numRuns: 400 },
    )
  })
})

describe('kit signer and off-chain messages', () => {
  it('signs a kit-built transaction that web3.js verifies', async () => {
    const {
      appendTransactionMessageInstructions,
      createTransactionMessage,
      pipe,
      setTransactionMessageFeePayerSigner,
      setTransactionMessageLifetimeUsingBlockhash,
      signTransactionMessageWithSigners,
      getBase64EncodedWireTransaction,
      blockhash,
    } = await import('@solana/kit')
    const { getTransferSolInstruction } = await import('@solana-program/system')
    const kitSigner = solanaKitSigner(signer)
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(kitSigner, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: blockhash(BLOCKHASH), lastValidBlockHeight: 10n }, m),
      (m) =>
        appendTransactionMessageInstructions([getTransferSolInstruction({ source: kitSigner, destination: TO as never, amount: 7n })], m),
    )
    const signed = await signTransactionMessageWithSigners(message)
    const tx = VersionedTransaction.deserialize(b64.decode(getBase64EncodedWireTransaction(signed)))
    expect(ed25519.verify(tx.signatures[0]!, tx.message.serialize(), new PublicKey(signer.address).toBytes())).toBe(true)
    const [dict] = await kitSigner.signMessages([{ content: new Uint8Array([1, 2, 3]), signatures: {} }])
    expect(ed25519.verify(dict![kitSigner.address]!, new Uint8Array([1, 2, 3]), signer.publicKey)).toBe(true)
  })

  /** The v0 off-chain message, from the spec, by hand. */
  function specEncode(address: string, text: string): Uint8Array {
    const body = new TextEncoder().encode(text)
    const format = /^[\x20-\x7e]*$/.test(text) ? 0 : 1
    const out: number[] = [
      0xff,
      ...new TextEncoder().encode('solana offchain'),
      0,
      ...new Uint8Array(32),
      format,
      1,
      ...base58.decode(address),
    ]
    out.push(body.length & 0xff, body.length >> 8, ...body)
    return new Uint8Array(out)
  }

  it('signs off-chain messages (v0) that verify over independently encoded bytes', async () => {
    for (const text of ['Sign in to example.com', 'Grüße, 世界']) {
      const sig = await signSolanaMessage(signer, text)
      const bytes = specEncode(signer.address, text)
      expect(sig.digest).toBe(Buffer.from(bytes).toString('hex'))
      expect(ed25519.verify(base58.decode(sig.signature), bytes, signer.publicKey)).toBe(true)
    }
    expect(encodeOffchainMessage(signer.address, 'x').length).toBe(16 + 1 + 32 + 1 + 1 + 32 + 2 + 1)
    await expect(signSolanaMessage(signer, new Uint8Array([0xff, 0xfe]))).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    await expect(signSolanaMessage(signer, '')).rejects.toMatchObject({ name: 'InvalidArgumentError' })
  })
})
