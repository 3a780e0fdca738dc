import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { harden, HDNode, InvalidExtendedKeyError, InvalidPathError, InvalidSeedError, KeyWipedError } from 'coffer/keys'
import vectors from '../vectors/bip32.json'

describe('BIP-32 test vectors 1-4', () => {
  for (const vector of vectors.valid) {
    describe(vector.name, () => {
      const root = HDNode.fromSeed(hexToBytes(vector.seed))
      it.each(vector.chains.map((c) => [c.path, c] as const))('%s', (path, chain) => {
        const node = root.derive(path)
        expect(node.xpub).toBe(chain.xpub)
        expect(node.toXprv()).toBe(chain.xprv)
        // Both serialisations parse back to the same node.
        expect(HDNode.fromExtendedKey(chain.xprv).xpub).toBe(chain.xpub)
        expect(HDNode.fromExtendedKey(chain.xpub).xpub).toBe(chain.xpub)
        expect(HDNode.fromExtendedKey(chain.xpub).hasPrivateKey).toBe(false)
      })
    })
  }

  it('derives public children from an xpub like private ones', () => {
    const vector = vectors.valid[0] as (typeof vectors.valid)[number]
    const chain = vector.chains.find((c) => c.path === "m/0'/1") as { xpub: string }
    const leaf = vector.chains.find((c) => c.path === "m/0'/1/2'/2") as { xpub: string }
    const fromPrivate = HDNode.fromSeed(hexToBytes(vector.seed)).derive("m/0'/1/2'/2/1000000000")
    const pub = HDNode.fromExtendedKey(leaf.xpub).derive([1000000000])
    expect(pub.xpub).toBe(fromPrivate.xpub)
    expect(() => HDNode.fromExtendedKey(chain.xpub).derive([harden(0)])).toThrow(InvalidPathError)
  })
})

describe('BIP-32 test vector 5: invalid extended keys', () => {
  it.each(vectors.invalid.map((v) => [v.reason, v.key]))('%s', (_reason, key) => {
    expect(() => HDNode.fromExtendedKey(key)).toThrow(InvalidExtendedKeyError)
  })
  it.each([[''], ['xpub'], [42], [null], ['x'.repeat(111)], ['1'.repeat(5000)]])('rejects %j', (key) => {
    expect(() => HDNode.fromExtendedKey(key as never)).toThrow(InvalidExtendedKeyError)
  })
})

describe('HDNode', () => {
  const seed = hexToBytes('000102030405060708090a0b0c0d0e0f')

  it('exposes depth, index, fingerprints and copies of its keys', () => {
    const root = HDNode.fromSeed(seed)
    const child = root.derive("m/0'")
    expect(root.depth).toBe(0)
    expect(child.depth).toBe(1)
    expect(child.index).toBe(harden(0))
    expect(child.parentFingerprint).toBe(root.fingerprint)
    expect(root.fingerprint).toBe(0x3442193e) // BIP-32 vector 1 master fingerprint
    const pub = root.publicKey
    pub.fill(0)
    expect(root.publicKey).not.toEqual(pub)
    expect(root.chainCode).toHaveLength(32)
  })

  it('refuses an absolute path below the root, accepts relative indices', () => {
    const account = HDNode.fromSeed(seed).derive("m/44'/0'/0'")
    expect(() => account.derive('m/0/1')).toThrow(InvalidPathError)
    expect(account.derive([0, 1]).xpub).toBe(HDNode.fromSeed(seed).derive("m/44'/0'/0'/0/1").xpub)
    expect(account.deriveChild(0).xpub).toBe(account.derive([0]).xpub)
  })

  it('writes test-network keys as tpub / tprv when asked', () => {
    const node = HDNode.fromSeed(seed, { format: 'tpub' })
    expect(node.xpub.startsWith('tpub')).toBe(true)
    expect(node.toXprv().startsWith('tprv')).toBe(true)
    expect(node.derive("m/1'").xpub.startsWith('tpub')).toBe(true)
  })

  it('reads SLIP-132 zpub keys and keeps their family', () => {
    const zpub = 'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs'
    const node = HDNode.fromExtendedKey(zpub)
    expect(node.xpub).toBe(zpub)
    expect(node.depth).toBe(3)
  })

  it('rejects bad seeds', () => {
    for (const bad of [new Uint8Array(15), new Uint8Array(65), 'seed', null, undefined]) {
      expect(() => HDNode.fromSeed(bad as never)).toThrow(InvalidSeedError)
    }
  })

  it('never prints private material', () => {
    const node = HDNode.fromSeed(seed)
    const xprv = node.toXprv()
    const key = bytesToHex(node.exportPrivateKey())
    const printed = [
      JSON.stringify(node),
      JSON.stringify({ node }),
      inspect(node),
      inspect({ node }, { depth: 10 }),
      String(node),
      `${node}`,
    ]
    for (const text of printed) {
      expect(text).toContain('[redacted]')
      expect(text).not.toContain(xprv)
      expect(text).not.toContain(key)
      expect(text).not.toContain(node.xpub)
    }
    expect(Object.keys(node)).toEqual([])
  })

  it('wipe() zeroes the key: private use throws, public derivation still works', () => {
    const node = HDNode.fromSeed(seed).derive("m/0'")
    const xpub = node.xpub
    const child = node.derive([1]).xpub
    node.wipe()
    expect(node.hasPrivateKey).toBe(false)
    expect(() => node.toXprv()).toThrow(KeyWipedError)
    expect(() => node.exportPrivateKey()).toThrow(KeyWipedError)
    expect(() => node.derive([harden(1)])).toThrow(InvalidPathError)
    expect(node.xpub).toBe(xpub)
    expect(node.derive([1]).xpub).toBe(child)
  })

  it('neuter() drops the private key', () => {
    const node = HDNode.fromSeed(seed)
    const pub = node.neuter()
    expect(pub.hasPrivateKey).toBe(false)
    expect(pub.xpub).toBe(node.xpub)
    expect(() => pub.toXprv()).toThrow(KeyWipedError)
  })
})
