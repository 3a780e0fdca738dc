import fc from 'fast-check'
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberBE } from '@noble/curves/abstract/utils.js'
import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { KeyHandle, KeyWipedError, SignatureVerificationError, VaultLockedError } from 'coffer'
import { createEd25519Signer, createSecp256k1Signer, ed25519SelfCheck } from '../../src/keys/signer.js'

const key = () => new Uint8Array(32).fill(7)
const digest = new Uint8Array(32).fill(0xab)
const publicKey = secp256k1.getPublicKey(key(), true)

describe('KeyHandle', () => {
  it('lends the key until revoked, then zeroes it and throws the chosen error', () => {
    const bytes = key()
    const handle = new KeyHandle(bytes, () => new VaultLockedError())
    expect(handle.use((k) => k.length)).toBe(32)
    handle.revoke()
    expect(handle.revoked).toBe(true)
    expect(bytes.every((b) => b === 0)).toBe(true)
    expect(() => handle.use(() => 1)).toThrow(VaultLockedError)
    expect(() => new KeyHandle(key()).use(() => 1)).not.toThrow()
    const plain = new KeyHandle(key())
    plain.revoke()
    expect(() => plain.use(() => 1)).toThrow(KeyWipedError)
    expect(JSON.stringify({ plain })).toBe('{"plain":"[redacted]"}')
  })
})

describe('secp256k1 signer', () => {
  it('refuses a key that does not match the public key it claims (unless verification is off)', async () => {
    const wrong = secp256k1.getPublicKey(new Uint8Array(32).fill(8), true)
    expect(() => createSecp256k1Signer(new KeyHandle(key()), { chain: 'evm', address: '0x', publicKey: wrong })).toThrow(
      SignatureVerificationError,
    )
    const unchecked = createSecp256k1Signer(new KeyHandle(key()), { chain: 'evm', address: '0x', publicKey: wrong }, { verify: false })
    const sig = await unchecked.signDigest(digest)
    expect(secp256k1.verify({ r: sig.r, s: sig.s }, digest, publicKey)).toBe(true)
  })

  it('self-verification catches a faulty signature (wrong s, wrong recovery bit) before it is returned', async () => {
    const signer = createSecp256k1Signer(new KeyHandle(key()), { chain: 'evm', address: '0x', publicKey })
    const good = secp256k1.sign(digest, key(), { lowS: true })
    for (const fault of [
      new secp256k1.Signature(good.r, good.s - 1n).addRecoveryBit(good.recovery as number),
      new secp256k1.Signature(good.r, good.s).addRecoveryBit(1 - (good.recovery as number)),
      new secp256k1.Signature(good.r + 1n, good.s).addRecoveryBit(good.recovery as number),
    ]) {
      const spy = vi.spyOn(secp256k1, 'sign').mockReturnValueOnce(fault as never)
      await expect(signer.signDigest(digest)).rejects.toThrow(SignatureVerificationError)
      spy.mockRestore()
    }
    await expect(signer.signDigest(digest)).resolves.toMatchObject({ r: good.r, s: good.s })
  })

  it('signs low-s, deterministically (RFC 6979), with a recovery bit that recovers the key', async () => {
    const signer = createSecp256k1Signer(new KeyHandle(key()), { chain: 'evm', address: '0x', publicKey })
    for (let i = 0; i < 20; i++) {
      const d = new Uint8Array(32).fill(i)
      const sig = await signer.signDigest(d)
      expect(sig.s <= secp256k1.CURVE.n / 2n).toBe(true)
      const recovered = new secp256k1.Signature(sig.r, sig.s).addRecoveryBit(sig.recovery).recoverPublicKey(d)
      expect(recovered.toRawBytes(true)).toEqual(publicKey)
      // The same digest signed by noble directly (RFC 6979, no extra entropy) gives the same signature.
      const reference = secp256k1.sign(d, key(), { lowS: true })
      expect([sig.r, sig.s]).toEqual([reference.r, reference.s])
    }
  })

  it('Schnorr: BIP-86 tweak by default for P2TR, a script-tree tweak on request, none with tweak: null', async () => {
    const signer = createSecp256k1Signer(new KeyHandle(key()), {
      chain: 'bitcoin',
      address: 'bc1p…',
      publicKey,
      addressType: 'p2tr',
      network: 'mainnet',
    })
    const P = schnorr.utils.lift_x(bytesToNumberBE(publicKey.subarray(1)))
    const x = P.toRawBytes(true).subarray(1)
    const outputKey = (root?: Uint8Array) => {
      const t = bytesToNumberBE(root ? schnorr.utils.taggedHash('TapTweak', x, root) : schnorr.utils.taggedHash('TapTweak', x))
      return P.add(secp256k1.ProjectivePoint.BASE.multiply(t)).toRawBytes(true).subarray(1)
    }
    const root = new Uint8Array(32).fill(0x42)
    expect(schnorr.verify(await signer.signSchnorr(digest), digest, outputKey())).toBe(true)
    expect(schnorr.verify(await signer.signSchnorr(digest, { tweak: root }), digest, outputKey(root))).toBe(true)
    expect(schnorr.verify(await signer.signSchnorr(digest, { tweak: null }), digest, x)).toBe(true)
    const plain = createSecp256k1Signer(new KeyHandle(key()), { chain: 'evm', address: '0x', publicKey })
    expect(schnorr.verify(await plain.signSchnorr(digest), digest, x)).toBe(true)
  })

  it('prints without its key', () => {
    const bytes = key()
    const signer = createSecp256k1Signer(new KeyHandle(bytes), { chain: 'evm', address: '0xabc', publicKey, path: "m/44'/60'/0'/0/0" })
    for (const text of [JSON.stringify(signer), inspect(signer), String(signer)]) {
      expect(text).toContain('0xabc')
      expect(text).toContain('[redacted]')
      expect(text).not.toContain('0707070707')
    }
    expect(Object.isFrozen(signer)).toBe(true)
  })
})

describe('ed25519 signer', () => {
  it('signs and self-verifies; a mismatched public key is refused', async () => {
    const seed = key()
    const pub = ed25519.getPublicKey(seed)
    const signer = createEd25519Signer(new KeyHandle(seed.slice()), { chain: 'solana', address: 'x', publicKey: pub })
    const message = new TextEncoder().encode('message')
    expect(ed25519.verify(await signer.signMessage(message), message, pub)).toBe(true)
    expect(() =>
      createEd25519Signer(new KeyHandle(seed.slice()), { chain: 'solana', address: 'x', publicKey: new Uint8Array(32).fill(1) }),
    ).toThrow(SignatureVerificationError)
    const unchecked = createEd25519Signer(
      new KeyHandle(seed.slice()),
      { chain: 'solana', address: 'x', publicKey: new Uint8Array(32).fill(1) },
      { verify: false },
    )
    expect(ed25519.verify(await unchecked.signMessage(message), message, pub)).toBe(true)
  })

  it('the one-multiplication self-check agrees with a full RFC 8032 verify, for good and tampered signatures (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.nat(511), (seed, message, bit) => {
        const pub = ed25519.getPublicKey(seed)
        const good = ed25519.sign(message, seed)
        expect(ed25519SelfCheck(seed, pub, message, good)).toBe(true)
        const bad = good.slice()
        bad[bit >> 3]! ^= 1 << (bit & 7)
        expect(ed25519SelfCheck(seed, pub, message, bad)).toBe(ed25519.verify(bad, message, pub))
        expect(ed25519SelfCheck(seed, pub, Uint8Array.from([...message, 1]), good)).toBe(false)
      }),
      { numRuns: 200 },
    )
  })
})
