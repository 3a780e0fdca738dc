import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { deriveEd25519, InvalidPathError, InvalidSeedError } from 'coffer/keys'
import vectors from '../vectors/slip10-ed25519.json'

describe('SLIP-10 ed25519 test vectors 1-2', () => {
  for (const [i, vector] of vectors.vectors.entries()) {
    it.each(vector.chains.map((c) => [i + 1, c.path, c] as const))('vector %i %s', (_n, path, chain) => {
      const key = deriveEd25519(hexToBytes(vector.seed), path)
      expect(bytesToHex(key.privateKey)).toBe(chain.privateKey)
      expect(bytesToHex(key.chainCode)).toBe(chain.chainCode)
      expect(`00${bytesToHex(key.publicKey)}`).toBe(chain.publicKey)
    })
  }
})

describe('deriveEd25519', () => {
  const seed = hexToBytes('000102030405060708090a0b0c0d0e0f')
  it('rejects any non-hardened segment', () => {
    expect(() => deriveEd25519(seed, "m/0'/1")).toThrow(InvalidPathError)
    expect(() => deriveEd25519(seed, "m/0'/1")).toThrow(/hardened-only/)
  })
  it('rejects bad seeds and paths', () => {
    expect(() => deriveEd25519(new Uint8Array(8), 'm')).toThrow(InvalidSeedError)
    expect(() => deriveEd25519(seed, "44'/501'")).toThrow(InvalidPathError)
  })
  it('prints its private key and chain code redacted', () => {
    const key = deriveEd25519(seed, "m/44'/501'/0'/0'")
    const secret = bytesToHex(key.privateKey)
    for (const text of [JSON.stringify(key), inspect(key), String(key), `${key}`]) {
      expect(text).toContain('[redacted]')
      expect(text).toContain(bytesToHex(key.publicKey))
      expect(text).not.toContain(secret)
      expect(text).not.toContain(bytesToHex(key.chainCode))
    }
  })
})
