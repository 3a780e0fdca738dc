// Pure parsing of the Solana read side: instruction decoding checked against instructions built
// by @solana/web3.js v1, transaction answers (malformed ones fail with typed errors only), the
// history page merge, and status edge cases over a scripted node.
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js'
import { base58, base64 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CofferError } from '../../../src/core/errors.js'
import type { RpcRequest, RpcResult, SolanaRpc } from '../../../src/chains/solana/client.js'
import type { SolanaCall } from '../../../src/chains/solana/context.js'
import { mergePage } from '../../../src/chains/solana/history.js'
import { decodeMovement } from '../../../src/chains/solana/instructions.js'
import { parseTransaction } from '../../../src/chains/solana/parsed-transaction.js'
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../../src/chains/solana/programs.js'
import type { SignatureInfo } from '../../../src/chains/solana/signatures.js'
import { nonceOf, readBlockAt, readStatus } from '../../../src/chains/solana/status.js'
import { RpcError } from '../../../src/core/errors.js'

const pk = () => Keypair.generate().publicKey
const resolved = (ix: { programId: PublicKey; keys: { pubkey: PublicKey }[]; data: Buffer }) => ({
  programId: ix.programId.toBase58(),
  accounts: ix.keys.map((k) => k.pubkey.toBase58()),
  data: new Uint8Array(ix.data),
})

describe('decodeMovement', () => {
  it('reads System transfers and account funding as web3.js builds them', () => {
    const [a, b, base] = [pk(), pk(), pk()]
    expect(decodeMovement(resolved(SystemProgram.transfer({ fromPubkey: a, toPubkey: b, lamports: 123_456_789_012n })))).toEqual({
      kind: 'sol',
      from: a.toBase58(),
      to: b.toBase58(),
      amount: 123_456_789_012n,
    })
    expect(
      decodeMovement(
        resolved(SystemProgram.createAccount({ fromPubkey: a, newAccountPubkey: b, lamports: 2_039_280, space: 165, programId: pk() })),
      ),
    ).toMatchObject({
      from: a.toBase58(),
      to: b.toBase58(),
      amount: 2_039_280n,
    })
    const seeded = SystemProgram.createAccountWithSeed({
      fromPubkey: a,
      newAccountPubkey: b,
      basePubkey: base,
      seed: 'vault-7',
      lamports: 99,
      space: 0,
      programId: pk(),
    })
    expect(decodeMovement(resolved(seeded))).toMatchObject({ from: a.toBase58(), to: b.toBase58(), amount: 99n })
    const withSeed = SystemProgram.transfer({ fromPubkey: a, basePubkey: base, toPubkey: b, lamports: 5, seed: 's', programId: pk() })
    expect(decodeMovement(resolved(withSeed))).toMatchObject({ from: a.toBase58(), to: b.toBase58(), amount: 5n })
    expect(decodeMovement(resolved(SystemProgram.assign({ accountPubkey: a, programId: b })))).toBeUndefined()
  })

  it('reads token transfers, checked transfers and Token-2022 transfers with fee', () => {
    const [src, mint, dst, auth] = [pk(), pk(), pk(), pk()].map((k) => k.toBase58()) as [string, string, string, string]
    const data = (...bytes: number[][]) => new Uint8Array(bytes.flat())
    const le = (v: bigint) => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn))
    expect(decodeMovement({ programId: TOKEN_PROGRAM, accounts: [src, dst, auth], data: data([3], le(7n)) })).toMatchObject({
      source: src,
      destination: dst,
      amount: 7n,
      fee: 0n,
    })
    expect(
      decodeMovement({ programId: TOKEN_2022_PROGRAM, accounts: [src, mint, dst, auth], data: data([12], le(9n), [6]) }),
    ).toMatchObject({ mint, amount: 9n })
    expect(
      decodeMovement({ programId: TOKEN_2022_PROGRAM, accounts: [src, mint, dst, auth], data: data([26, 1], le(10_000n), [6], le(25n)) }),
    ).toMatchObject({
      amount: 10_000n,
      fee: 25n,
    })
    // TransferCheckedWithFee is Token-2022's only; a fee above the amount is not a transfer.
    expect(
      decodeMovement({ programId: TOKEN_PROGRAM, accounts: [src, mint, dst, auth], data: data([26, 1], le(10n), [6], le(1n)) }),
    ).toBeUndefined()
    expect(
      decodeMovement({ programId: TOKEN_2022_PROGRAM, accounts: [src, mint, dst, auth], data: data([26, 1], le(1n), [6], le(2n)) }),
    ).toBeUndefined()
  })

  it('never throws on random instructions', () => {
    const programs = [TOKEN_PROGRAM, TOKEN_2022_PROGRAM, SystemProgram.programId.toBase58()]
    fc.assert(
      fc.property(fc.constantFrom(...programs), fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 5 }), (programId, data, n) => {
        const m = decodeMovement({ programId, accounts: Array.from({ length: n }, () => programs[0]!), data })
        if (m) expect(m.amount).toBeGreaterThanOrEqual(0n)
      }),
    )
  })
})

function txAnswer(signature: string, keys: string[]) {
  return {
    slot: 10,
    blockTime: 1_700_000_000,
    meta: {
      err: null,
      fee: 5000,
      preBalances: keys.map(() => 1_000_000),
      postBalances: keys.map((_, i) => (i === 0 ? 995_000 - 10 : i === 1 ? 1_000_010 : 1_000_000)),
      innerInstructions: [],
      preTokenBalances: [],
      postTokenBalances: [],
      loadedAddresses: { writable: [], readonly: [] },
    },
    transaction: {
      signatures: [signature],
      message: {
        accountKeys: keys,
        instructions: [{ programIdIndex: 2, accounts: [0, 1], data: base58.encode(new Uint8Array([2, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0])) }],
      },
    },
    version: 'legacy',
  }
}

describe('parseTransaction', () => {
  const signature = base58.encode(new Uint8Array(64).fill(3))
  const keys = [pk().toBase58(), pk().toBase58(), SystemProgram.programId.toBase58()]

  it('resolves accounts and instructions, and refuses another transaction', () => {
    const tx = parseTransaction(txAnswer(signature, keys), signature)
    expect(tx).toMatchObject({ slot: 10, fee: 5000n, failed: false, blockTime: 1_700_000_000 })
    expect(decodeMovement(tx.instructions[0]!)).toEqual({ kind: 'sol', from: keys[0], to: keys[1], amount: 10n })
    const other = base58.encode(new Uint8Array(64).fill(4))
    expect(() => parseTransaction(txAnswer(signature, keys), other)).toThrow(expect.objectContaining({ name: 'DataIntegrityError' }))
  })

  it('refuses unsafe lamport numbers rather than rounding them', () => {
    const answer = txAnswer(signature, keys)
    answer.meta.postBalances[1] = 2 ** 53
    expect(() => parseTransaction(answer, signature)).toThrow(expect.objectContaining({ name: 'RpcError' }))
  })

  it('fails only with typed errors on malformed answers', () => {
    const base = txAnswer(signature, keys)
    fc.assert(
      fc.property(fc.constantFrom('meta', 'transaction', 'slot', 'blockTime'), fc.anything(), (field, junk) => {
        try {
          parseTransaction({ ...base, [field]: junk }, signature)
        } catch (error) {
          expect(error).toBeInstanceOf(CofferError)
        }
      }),
    )
    fc.assert(
      fc.property(
        fc.constantFrom('preBalances', 'postBalances', 'innerInstructions', 'preTokenBalances', 'loadedAddresses', 'fee'),
        fc.anything(),
        (field, junk) => {
          try {
            parseTransaction({ ...base, meta: { ...base.meta, [field]: junk } }, signature)
          } catch (error) {
            expect(error).toBeInstanceOf(CofferError)
          }
        },
      ),
    )
  })
})

describe('mergePage', () => {
  const sig = (n: number) => base58.encode(new Uint8Array(64).fill(n % 256).map((b, i) => (i === 0 ? n >> 8 : b)))

  it('pages several newest-first lists without loss or repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (slotLists, limit) => {
          // Each list: distinct signatures, newest first; a signature may appear in several lists (same slot).
          let n = 1
          const universe = new Map<number, SignatureInfo[]>()
          const lists = slotLists.map((slots) =>
            [...slots]
              .sort((a, b) => b - a)
              .map((slot) => {
                const shared = universe.get(slot)?.[0]
                if (shared && n % 3 === 0 && !slots.includes(-1)) {
                  n++
                  return shared
                }
                const info = { signature: sig(n++), slot, failed: false }
                universe.set(slot, [...(universe.get(slot) ?? []), info])
                return info
              }),
          )
          const unique = lists.map((l) => l.filter((s, i) => l.findIndex((t) => t.signature === s.signature) === i))
          const state = unique.map((_, i) => ({ address: String(i), done: false, before: undefined as string | undefined }))
          const seen: string[] = []
          let skip: ReturnType<typeof mergePage>['skip']
          for (let round = 0; round < 200 && !state.every((s) => s.done); round++) {
            const fetched = unique.map((l, i) => {
              if (state[i]!.done) return []
              const start = state[i]!.before === undefined ? 0 : l.findIndex((s) => s.signature === state[i]!.before) + 1
              return l.slice(start, start + limit)
            })
            const result = mergePage(state, fetched, limit, skip)
            skip = result.skip
            seen.push(...result.page.map((p) => p.signature))
          }
          const expected = new Set(unique.flat().map((s) => s.signature))
          expect(new Set(seen)).toEqual(expected)
          expect(seen.length).toBe(expected.size)
        },
      ),
    )
  })
})

function scripted(handler: (r: RpcRequest) => RpcResult): SolanaCall {
  const rpc: SolanaRpc = {
    urls: ['http://scripted'],
    requests: 0,
    call: async <T>(method: string, params: readonly unknown[]) => {
      const r = handler({ method, params })
      if (!r.ok) throw r.error
      return r.result as T
    },
    send: async () => {
      throw new Error('no writes')
    },
    batch: async <T>(requests: readonly RpcRequest[]) => requests.map(handler) as RpcResult<T>[],
  }
  return {
    chainId: 'solana:test',
    nativeAsset: 'solana:test/slip44:501',
    rpc,
    tokens: [],
    commitment: 'confirmed',
    maxPriorityFee: 0n,
    signal: new AbortController().signal,
  }
}

const skippedError = (slot: number) => new RpcError(`Slot ${slot} was skipped`, { details: { code: -32007, method: 'getBlock' } })

describe('status edge cases', () => {
  it('walks down from a skipped slot to the closest produced block', async () => {
    const hash = (n: number) => base58.encode(new Uint8Array(32).fill(n))
    const produced = new Set([80, 100])
    const call = scripted(({ method, params }) => {
      const slot = params[0] as number
      if (method === 'getGenesisHash') return { ok: true, result: hash(0) }
      if (method !== 'getBlock') throw new Error(method)
      return produced.has(slot)
        ? { ok: true, result: { blockhash: hash(slot), previousBlockhash: hash(slot - 1), blockTime: 5, parentSlot: slot - 1 } }
        : { ok: false, error: skippedError(slot) }
    })
    expect(await readBlockAt(call, 100)).toMatchObject({ height: 100, hash: hash(100) })
    expect(await readBlockAt(call, 99)).toMatchObject({ height: 80, hash: hash(80), timestamp: 5000 })
    await expect(readBlockAt(call, 200)).rejects.toMatchObject({ name: 'RpcError' }) // 64 slots searched
    // Below the first produced block: slot 0 is the genesis.
    expect(await readBlockAt(call, 10)).toEqual({ height: 0, hash: hash(0), parentHash: '11111111111111111111111111111111', timestamp: 0 })
  })

  it('drops a durable-nonce transaction once its nonce moved, and not before', async () => {
    const nonce = new Uint8Array(80)
    new DataView(nonce.buffer).setUint32(4, 1, true)
    nonce.fill(9, 40, 72)
    const recorded = nonceOf(nonce)!
    expect(recorded).toBe(base58.encode(new Uint8Array(32).fill(9)))
    const hash = base58.encode(new Uint8Array(64).fill(5))
    let current = nonce
    const call = scripted(({ method }) => {
      if (method === 'getSignatureStatuses') return { ok: true, result: { context: { slot: 1 }, value: [null] } }
      if (method === 'getTransaction') return { ok: true, result: null }
      if (method === 'getAccountInfo')
        return {
          ok: true,
          result: {
            context: { slot: 1 },
            value: { lamports: 1, owner: SystemProgram.programId.toBase58(), data: [base64.encode(current), 'base64'] },
          },
        }
      throw new Error(method)
    })
    const records = {
      add: async () => {},
      get: async () => ({
        hash,
        from: pk().toBase58(),
        raw: '',
        time: 0,
        lifetime: { kind: 'nonce' as const, nonceAccount: pk().toBase58(), nonce: recorded },
      }),
    }
    expect(await readStatus(call, hash, records)).toMatchObject({ state: 'pending' })
    current = new Uint8Array(nonce)
    current.fill(8, 40, 72)
    expect(await readStatus(call, hash, records)).toEqual({ hash, state: 'dropped', confirmations: 0, unminable: true })
  })
})
