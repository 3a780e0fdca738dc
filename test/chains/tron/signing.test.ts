// Offline signing of TRON transfers: every summary and payload field that disagrees with the
// bytes is refused with nothing signed, re-encoded raw transactions that say something else are
// refused, and random mutations of raw never yield a signature over something that differs from
// the summary. No server: the builder reads its two blocks from a stub client.
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Secp256k1Signer } from 'coffer/keys'
import { InvalidArgumentError } from '../../../src/core/errors.js'
import type { UnsignedTransaction } from '../../../src/chains/adapter.js'
import { decodeTrc20Transfer, encodeTrc20Transfer } from '../../../src/chains/tron/abi.js'
import { tronAddressFromPayload, tronAddressToBytes } from '../../../src/chains/tron/address.js'
import type { TronClient } from '../../../src/chains/tron/client.js'
import { decodeRawTransaction, encodeRawTransaction, tronTxId, type TronRawTransaction } from '../../../src/chains/tron/protobuf.js'
import { signTronTransaction } from '../../../src/chains/tron/signing.js'
import { buildTronTransaction } from '../../../src/chains/tron/transaction.js'
import { chainFacts, tronSigners } from './helpers.js'

const GENESIS = '00000000000000001ebf88508a03865c71d452e25f4d51194196a1d22b6653dc'
const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
const OTHER_TOKEN = 'TXDk8mbtRbXeYuMNS83CfKPaYYT8XWv9Hz'
const facts = chainFacts(GENESIS, [{ address: USDT, symbol: 'USDT', decimals: 6 }])
const HEAD = { number: 70_000_100, timestamp: 1_765_000_000_000 }

function blockAnswer(number: number, timestamp: number) {
  const id = number.toString(16).padStart(16, '0') + 'ab'.repeat(24)
  return { blockID: id, block_header: { raw_data: { number, timestamp } } }
}
const stub: TronClient = {
  urls: ['http://stub'],
  requests: 0,
  post: async <T>(path: string) =>
    (path.startsWith('/walletsolidity')
      ? blockAnswer(HEAD.number - 19, HEAD.timestamp - 57_000)
      : blockAnswer(HEAD.number, HEAD.timestamp)) as T,
  get: async () => {
    throw new Error('unused')
  },
  send: async () => {
    throw new Error('unused')
  },
}

let alice: Secp256k1Signer
let bob: Secp256k1Signer
let trx: UnsignedTransaction
let usdt: UnsignedTransaction
/** How many times the key was used. */
let uses = 0
let counted: Secp256k1Signer

beforeAll(async () => {
  const signers = await tronSigners(2)
  alice = signers[0]!
  bob = signers[1]!
  counted = Object.freeze({
    ...alice,
    signDigest: (d: Uint8Array) => {
      uses++
      return alice.signDigest(d)
    },
  }) as Secp256k1Signer
  trx = await buildTronTransaction(
    stub,
    { from: alice.address, to: bob.address, kind: 'trx', amount: 5_000_000n, maxFee: 1_100_000n, memo: 'hi' },
    { chainId: facts.chainId },
  )
  usdt = await buildTronTransaction(
    stub,
    { from: alice.address, to: bob.address, kind: 'trc20', contract: USDT, amount: 7_000_000n, feeLimit: 20_000_000n, maxFee: 21_000_000n },
    { chainId: facts.chainId },
  )
}, 60_000)

const sign = (u: UnsignedTransaction, signer: Secp256k1Signer = counted, now?: number) =>
  signTronTransaction(facts.chainId, facts.native, facts.tokens, u, signer, now === undefined ? {} : { now })

async function refused(u: UnsignedTransaction, pattern?: RegExp, signer?: Secp256k1Signer): Promise<void> {
  const before = uses
  const error = await sign(u, signer).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(InvalidArgumentError)
  if (pattern) expect((error as Error).message).toMatch(pattern)
  expect((error as Error).message).toMatch(/Nothing was signed/)
  expect(uses).toBe(before)
}

/** `u` with its raw re-encoded after `change`, and txID recomputed (so only the meaning differs). */
function reencoded(u: UnsignedTransaction, change: (raw: TronRawTransaction) => TronRawTransaction): UnsignedTransaction {
  const raw = change(decodeRawTransaction(hexToBytes(u.payload.raw as string)))
  const bytes = encodeRawTransaction(raw)
  return { ...u, payload: { ...u.payload, raw: bytesToHex(bytes), txID: tronTxId(bytes), expiration: Number(raw.expiration) } }
}

describe('building', () => {
  it('takes TaPoS from the solidified block and expiration from the head', () => {
    const raw = decodeRawTransaction(hexToBytes(trx.payload.raw as string))
    const solidId = blockAnswer(HEAD.number - 19, 0).blockID
    expect(bytesToHex(raw.refBlockBytes)).toBe(solidId.slice(12, 16))
    expect(bytesToHex(raw.refBlockHash)).toBe(solidId.slice(16, 32))
    expect(raw.expiration).toBe(BigInt(HEAD.timestamp + 60_000))
    expect(new TextDecoder().decode(raw.data)).toBe('hi')
    expect(trx.payload.refBlock).toEqual({ number: HEAD.number - 19, id: solidId, solidified: true })
  })

  it('refuses plans that are not transfers it can summarise', async () => {
    const base = { from: alice.address, to: bob.address, amount: 1n, maxFee: 10n }
    const bad = [
      { ...base, kind: 'trc20' as const, contract: USDT, maxFee: 10n }, // no feeLimit
      { ...base, kind: 'trc20' as const, contract: USDT, feeLimit: 20n }, // maxFee < feeLimit
      { ...base, kind: 'trx' as const, feeLimit: 5n },
      { ...base, kind: 'trx' as const, amount: 0n },
      { ...base, kind: 'trx' as const, to: alice.address },
      { ...base, kind: 'trx' as const, memo: 'x'.repeat(513) },
      { ...base, kind: 'trx' as const, to: 'T123' },
      { ...base, kind: 'nft' as never },
    ]
    for (const plan of bad)
      await expect(buildTronTransaction(stub, plan, { chainId: facts.chainId })).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(
      buildTronTransaction(stub, { ...base, kind: 'trx' }, { chainId: facts.chainId, expirationMs: 86_400_000 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})

describe('signing checks everything against the summary', () => {
  it('signs the honest ones (v = 27/28, hash = txID)', async () => {
    for (const u of [trx, usdt]) {
      const signed = await sign(u)
      expect(signed.hash).toBe(u.payload.txID)
      expect([27, 28]).toContain(hexToBytes(signed.raw).at(-1))
    }
  })

  it('every summary field changed → refused, nothing signed', async () => {
    const otherAsset = `${facts.chainId}/trc20:${OTHER_TOKEN}` as const
    for (const u of [trx, usdt]) {
      const s = u.summary
      await refused({ ...u, summary: { ...s, to: alice.address } }, /recipient/)
      await refused({ ...u, summary: { ...s, to: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf' } }, /recipient/)
      await refused({ ...u, summary: { ...s, amount: (BigInt(s.amount) + 1n).toString() } }, /amount/)
      await refused({ ...u, summary: { ...s, amount: '-1' } })
      await refused({ ...u, summary: { ...s, amount: '1e6' } })
      await refused({ ...u, summary: { ...s, asset: u === trx ? usdt.summary.asset : trx.summary.asset } })
      await refused({ ...u, summary: { ...s, asset: otherAsset } }, /neither TRX nor a token/)
      await refused({ ...u, summary: { ...s, symbol: 'USDC' } }, /symbol/)
      await refused({ ...u, summary: { ...s, decimals: 18 } }, /decimals/)
      await refused({ ...u, summary: { ...s, data: '0x00' } })
      await refused({ ...u, chainId: 'tron:0xcd8690dc' }, /chain/)
      await refused({ ...u, kind: 'evm-eip1559' }, /kind/)
      await refused({ ...u, from: bob.address }, /from/)
    }
    await refused({ ...usdt, summary: { ...usdt.summary, fee: '19999999' } }, /fee_limit is above summary.fee/)
  })

  it('every payload field changed → refused', async () => {
    for (const u of [trx, usdt]) {
      const p = u.payload
      await refused({ ...u, payload: { ...p, txID: 'ab'.repeat(32) } }, /txID/)
      await refused({ ...u, payload: { ...p, raw: `${p.raw as string}00` } })
      await refused({ ...u, payload: { ...p, raw: (p.raw as string).toUpperCase() } })
      await refused({ ...u, payload: { ...p, feeLimit: '1' } }, /feeLimit/)
      await refused({ ...u, payload: { ...p, expiration: (p.expiration as number) + 1 } }, /expiration/)
      await refused({ ...u, payload: { ...p, memo: 'other' } }, /memo/)
      await refused({ ...u, payload: { ...p, contract: OTHER_TOKEN } }, /contract/)
    }
    const { memo: _memo, ...noMemo } = trx.payload
    await refused({ ...trx, payload: noMemo }, /memo/)
    const { contract: _contract, ...noContract } = usdt.payload
    await refused({ ...usdt, payload: noContract }, /contract/)
  })

  it('bytes that say something else (txID recomputed) → refused', async () => {
    const other = tronAddressToBytes(OTHER_TOKEN)
    const cases: [UnsignedTransaction, (r: TronRawTransaction) => TronRawTransaction, RegExp][] = [
      [trx, (r) => ({ ...r, contract: { ...r.contract, parameter: { ...r.contract.parameter, amount: 5_000_001n } } as never }), /amount/],
      [trx, (r) => ({ ...r, contract: { ...r.contract, parameter: { ...r.contract.parameter, toAddress: other } } as never }), /recipient/],
      [
        trx,
        (r) => ({
          ...r,
          contract: { ...r.contract, parameter: { ...r.contract.parameter, ownerAddress: tronAddressToBytes(bob.address) } } as never,
        }),
        /owner/,
      ],
      [trx, (r) => ({ ...r, contract: { ...r.contract, permissionId: 2 } }), /permission/],
      [trx, (r) => ({ ...r, feeLimit: 1n }), /fee_limit/],
      [trx, (r) => ({ ...r, refBlockNum: 5n }), /ref_block_num/],
      [trx, (r) => ({ ...r, expiration: r.timestamp + 86_400_001n }), /24 h/],
      [trx, (r) => ({ ...r, expiration: r.timestamp }), /expires before/],
      [
        usdt,
        (r) => ({ ...r, contract: { ...r.contract, parameter: { ...r.contract.parameter, contractAddress: other } } as never }),
        /contract called/,
      ],
      [usdt, (r) => ({ ...r, contract: { ...r.contract, parameter: { ...r.contract.parameter, callValue: 1n } } as never }), /along/],
      [
        usdt,
        (r) => ({
          ...r,
          contract: { ...r.contract, parameter: { ...r.contract.parameter, tokenId: 1_000_001n, callTokenValue: 1n } } as never,
        }),
        /along/,
      ],
      [
        usdt,
        (r) => ({
          ...r,
          contract: {
            ...r.contract,
            parameter: { ...r.contract.parameter, data: encodeTrc20Transfer(alice.address, 7_000_000n) },
          } as never,
        }),
        /recipient/,
      ],
      [
        usdt,
        (r) => ({
          ...r,
          contract: { ...r.contract, parameter: { ...r.contract.parameter, data: encodeTrc20Transfer(bob.address, 7_000_001n) } } as never,
        }),
        /amount/,
      ],
      [
        usdt,
        (r) => ({
          ...r,
          contract: {
            ...r.contract,
            parameter: { ...r.contract.parameter, data: new Uint8Array([...encodeTrc20Transfer(bob.address, 7_000_000n), 0]) },
          } as never,
        }),
        /call data/,
      ],
      [usdt, (r) => ({ ...r, feeLimit: 21_000_001n }), /fee_limit/],
      [usdt, (r) => ({ ...r, feeLimit: 0n }), /fee_limit/],
      [usdt, (r) => ({ ...r, data: new TextEncoder().encode('hidden') }), /memo/],
    ]
    for (const [u, change, pattern] of cases) await refused(reencoded(u, change), pattern)
    // A TRX transfer dressed as a TRC-20 summary and the reverse.
    await refused({ ...usdt, payload: { ...usdt.payload, raw: trx.payload.raw!, txID: trx.payload.txID! } })
  })

  it('an expiration more than 24 h from a trusted clock is refused; the signer’s own clock is never used', async () => {
    await expect(sign(trx)).resolves.toMatchObject({ hash: trx.payload.txID })
    await expect(sign(trx, counted, HEAD.timestamp - 2 * 86_400_000)).rejects.toThrow(/24 h from now/)
    await expect(sign(trx, counted, HEAD.timestamp)).resolves.toMatchObject({ hash: trx.payload.txID })
  })

  it('the signer must be the sender, by its key', async () => {
    await refused(trx, /from/, bob)
    const liar = Object.freeze({ ...bob, address: alice.address }) as Secp256k1Signer
    await refused(trx, /address of its key/, liar)
  })
})

describe('property: mutations of raw never sign something else', () => {
  it('random byte edits (txID recomputed) are refused or sign exactly the summary', async () => {
    const cases = [trx, usdt]
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1 }),
        fc.array(
          fc.record({ at: fc.nat(), op: fc.constantFrom('flip', 'set', 'insert', 'delete'), value: fc.integer({ min: 0, max: 255 }) }),
          { minLength: 1, maxLength: 4 },
        ),
        async (which, edits) => {
          const u = cases[which]!
          const bytes = [...hexToBytes(u.payload.raw as string)]
          for (const e of edits) {
            const at = e.at % (bytes.length + (e.op === 'insert' ? 1 : 0))
            if (e.op === 'flip') bytes[at] = bytes[at]! ^ (1 << (e.value % 8))
            else if (e.op === 'set') bytes[at] = e.value
            else if (e.op === 'insert') bytes.splice(at, 0, e.value)
            else if (bytes.length > 1) bytes.splice(at, 1)
          }
          const raw = Uint8Array.from(bytes)
          let decoded: TronRawTransaction | undefined
          try {
            decoded = decodeRawTransaction(raw)
          } catch {
            decoded = undefined
          }
          const mutated = { ...u, payload: { ...u.payload, raw: bytesToHex(raw), txID: tronTxId(raw) } }
          const result = await sign(mutated, alice).catch((e: unknown) => e)
          if (result instanceof Error) {
            expect(result).toBeInstanceOf(InvalidArgumentError)
            return
          }
          // Signed: the bytes must say exactly what the summary says.
          expect(decoded).toBeDefined()
          const c = decoded!.contract
          expect(tronAddressFromPayload(c.parameter.ownerAddress)).toBe(alice.address)
          expect(c.permissionId).toBe(0)
          if (c.type === 'TransferContract') {
            expect(u).toBe(trx)
            expect(tronAddressFromPayload(c.parameter.toAddress)).toBe(u.summary.to)
            expect(c.parameter.amount.toString()).toBe(u.summary.amount)
            expect(decoded!.feeLimit).toBe(0n)
          } else {
            expect(u).toBe(usdt)
            expect(tronAddressFromPayload(c.parameter.contractAddress)).toBe(USDT)
            expect(decodeTrc20Transfer(c.parameter.data)).toEqual({ to: u.summary.to, amount: BigInt(u.summary.amount) })
            expect(c.parameter.callValue).toBe(0n)
            expect(decoded!.feeLimit <= BigInt(u.summary.fee)).toBe(true)
          }
          expect(decoded!.expiration > decoded!.timestamp && decoded!.expiration - decoded!.timestamp <= 86_400_000n).toBe(true)
        },
      ),
      { numRuns: 400 },
    )
    // Edits the summary does not cover still sign (TaPoS is the builder's choice): a ref_block_hash byte, deterministically.
    const raw = hexToBytes(trx.payload.raw as string)
    expect([raw[0], raw[1], raw[4], raw[5]]).toEqual([0x0a, 2, 0x22, 8]) // ref_block_bytes (2), then ref_block_hash (8)
    raw[6]! ^= 1
    const tapos = { ...trx, payload: { ...trx.payload, raw: bytesToHex(raw), txID: tronTxId(raw) } }
    expect((await sign(tapos, alice)).hash).toBe(tronTxId(raw))
  })
})
