// The lean BIP-32 private derivation behind the seed signers (src/keys/bip32-private.ts):
// BIP-32 test vectors 1–4 (test/vectors/bip32.json, source named there: every xprv's key
// bytes), then @scure/bip32 as oracle on random seeds and paths.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { HDKey } from '@scure/bip32'
import { createBase58check } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidPathError, InvalidSeedError, parsePath } from 'coffer/keys'
import { derivePrivateKey } from '../../src/keys/bip32-private.js'
import vectors from '../vectors/bip32.json'

const base58check = createBase58check(sha256)
const HARDENED = 0x8000_0000

describe('derivePrivateKey', () => {
  const cases = vectors.valid.flatMap((v) => v.chains.map((c) => [`${v.name} ${c.path}`, v.seed, c.path, c.xprv] as const))

  it.each(cases)('%s: the key inside the xprv', (_name, seed, path, xprv) => {
    const { privateKey, indices } = derivePrivateKey(hexToBytes(seed), parsePath(path))
    expect(bytesToHex(privateKey)).toBe(bytesToHex(base58check.decode(xprv).slice(46)))
    expect(indices).toEqual(parsePath(path))
  })

  it('equals @scure/bip32 for random seeds and paths (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.array(fc.tuple(fc.nat(HARDENED - 1), fc.boolean()), { maxLength: 6 }),
        (seed, segments) => {
          const indices = segments.map(([i, hardened]) => (hardened ? i + HARDENED : i))
          let node = HDKey.fromMasterSeed(seed)
          for (const index of indices) node = node.deriveChild(index)
          expect(bytesToHex(derivePrivateKey(seed, indices).privateKey)).toBe(bytesToHex(node.privateKey as Uint8Array))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('refuses a seed outside 16–64 bytes', () => {
    for (const seed of [new Uint8Array(15), new Uint8Array(65), 'seed', null]) {
      expect(() => derivePrivateKey(seed as never, [])).toThrow(InvalidSeedError)
    }
  })

  it('is the master key for the empty path', () => {
    const seed = hexToBytes(vectors.valid[0]!.seed)
    expect(bytesToHex(derivePrivateKey(seed, []).privateKey)).toBe(bytesToHex(HDKey.fromMasterSeed(seed).privateKey as Uint8Array))
    expect(() => parsePath('m/2147483648')).toThrow(InvalidPathError)
  })
})
