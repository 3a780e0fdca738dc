// RLP encoding (src/chains/evm/rlp.ts): the worked examples of the Ethereum docs, then
// random nested items against two independent encoders (viem's toRlp and ethers' encodeRlp)
// and rlpInteger against the minimal big-endian bytes of viem and ethers.
import fc from 'fast-check'
import { toBeArray, encodeRlp } from 'ethers'
import { bytesToHex, hexToBytes, numberToHex, toRlp, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { rlpEncode, rlpInteger, type RlpItem } from '../../../src/chains/evm/rlp.js'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
const hex = (bytes: Uint8Array): Hex => bytesToHex(bytes)

type HexTree = Hex | readonly HexTree[]
const toHexTree = (item: RlpItem): HexTree => (item instanceof Uint8Array ? hex(item) : item.map(toHexTree))

describe('rlpEncode: the examples of the Ethereum docs', () => {
  // Source: ethereum.org, "Recursive-length prefix (RLP) serialization", section "Examples"
  // (https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/#examples).
  it.each<[string, RlpItem, Hex]>([
    ['the string "dog"', ascii('dog'), '0x83646f67'],
    ['the list ["cat", "dog"]', [ascii('cat'), ascii('dog')], '0xc88363617483646f67'],
    ['the empty string', new Uint8Array(0), '0x80'],
    ['the empty list', [], '0xc0'],
    ['the integer 0', rlpInteger(0), '0x80'],
    ['the byte 0x00', Uint8Array.of(0x00), '0x00'],
    ['the byte 0x0f', Uint8Array.of(0x0f), '0x0f'],
    ['the bytes 0x0400', Uint8Array.of(0x04, 0x00), '0x820400'],
    ['the set-theoretic representation of three', [[], [[]], [[], [[]]]], '0xc7c0c1c0c3c0c1c0'],
    [
      'the 56-byte string "Lorem ipsum dolor sit amet, consectetur adipisicing elit"',
      ascii('Lorem ipsum dolor sit amet, consectetur adipisicing elit'),
      hex(Uint8Array.of(0xb8, 0x38, ...ascii('Lorem ipsum dolor sit amet, consectetur adipisicing elit'))),
    ],
  ])('%s', (_name, item, expected) => {
    expect(hex(rlpEncode(item))).toBe(expected)
  })

  it('the integer 1024 (via rlpInteger) is 0x820400', () => {
    expect(hex(rlpInteger(1024))).toBe('0x0400')
    expect(hex(rlpInteger(1024n))).toBe('0x0400')
    expect(hex(rlpEncode(rlpInteger(1024)))).toBe('0x820400')
  })

  it('integers: 0 is the empty string, 15 is one byte, 0x80 needs a prefix', () => {
    expect(rlpInteger(0n)).toEqual(new Uint8Array(0))
    expect(hex(rlpEncode(rlpInteger(15)))).toBe('0x0f')
    expect(hex(rlpEncode(rlpInteger(0x7f)))).toBe('0x7f')
    expect(hex(rlpEncode(rlpInteger(0x80)))).toBe('0x8180')
  })
})

// Byte strings of length 0..70, with extra weight on the edges: single bytes (0x7f / 0x80) and
// lengths 55 / 56 (the short / long prefix boundary).
const byteString: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 70 }),
  fc.integer({ min: 0, max: 255 }).map((b) => Uint8Array.of(b)),
  fc.constantFrom(0, 1, 2, 54, 55, 56, 57).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
)

const { item: rlpItem } = fc.letrec<{ item: RlpItem; list: RlpItem[] }>((tie) => ({
  item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, byteString, tie('list')),
  list: fc.array(tie('item'), { maxLength: 6 }),
}))

/** Lists whose payload is around and above 55 bytes: k single small bytes (payload k), or k long strings. */
const longList: fc.Arbitrary<RlpItem> = fc.oneof(
  fc.array(
    fc.integer({ min: 0, max: 0x7f }).map((b) => Uint8Array.of(b)),
    { minLength: 50, maxLength: 60 },
  ),
  fc.array(fc.uint8Array({ minLength: 20, maxLength: 70 }), { minLength: 3, maxLength: 12 }),
  fc.array(rlpItem, { minLength: 4, maxLength: 10 }),
)

function agreesWithOracles(item: RlpItem): void {
  const ours = hex(rlpEncode(item))
  const tree = toHexTree(item)
  expect(ours).toBe(toRlp(tree as Parameters<typeof toRlp>[0]))
  expect(ours).toBe(encodeRlp(tree as Parameters<typeof encodeRlp>[0]))
}

describe('rlpEncode against viem toRlp and ethers encodeRlp', () => {
  it('random nested items encode identically', () => {
    fc.assert(fc.property(rlpItem, agreesWithOracles), { numRuns: 500 })
  })

  it('lists with payloads around and above 55 bytes (and above 255) encode identically', () => {
    fc.assert(fc.property(longList, agreesWithOracles), { numRuns: 300 })
  })

  it('strings of 0..1100 bytes (one- and two-byte lengths) encode identically', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1100 }), (bytes) => agreesWithOracles(bytes)),
      { numRuns: 200 },
    )
  })

  it('a 65536-byte string (three-byte length) and a list of it encode identically', () => {
    const big = new Uint8Array(65536).fill(0xab)
    agreesWithOracles(big)
    agreesWithOracles([big, Uint8Array.of(1)])
    expect(hex(rlpEncode(big).slice(0, 4))).toBe('0xba010000')
  })
})

describe('rlpInteger', () => {
  const minimal = (n: bigint): Hex => {
    const h = numberToHex(n).slice(2)
    return n === 0n ? '0x' : `0x${h.length % 2 ? '0' : ''}${h}`
  }
  const uint256 = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    fc.integer({ min: 0, max: 256 }).map((bits) => 2n ** BigInt(bits) - 1n),
    fc.integer({ min: 0, max: 255 }).map((bits) => 2n ** BigInt(bits)),
  )

  it('is the minimal big-endian bytes of a bigint in 0..2^256-1 (viem numberToHex, ethers toBeArray)', () => {
    fc.assert(
      fc.property(uint256, (n) => {
        const ours = rlpInteger(n)
        expect(hex(ours)).toBe(minimal(n))
        expect(ours).toEqual(toBeArray(n))
        if (ours.length > 0) expect(ours[0]).not.toBe(0)
        expect(ours.length > 0 ? BigInt(hex(ours)) : 0n).toBe(n)
      }),
      { numRuns: 1000 },
    )
  })

  it('agrees for safe-integer numbers and their bigints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(rlpInteger(n)).toEqual(rlpInteger(BigInt(n)))
        expect(rlpInteger(n)).toEqual(hexToBytes(minimal(BigInt(n))))
      }),
      { numRuns: 500 },
    )
  })
})
