/**
 * BIP-32 private derivation (master key generation and CKDpriv) straight on @noble, for the
 * signers made from a seed (`hd-signers.ts`). {@link HDNode} and `deriveAccount` keep
 * @scure/bip32 (extended keys, xpubs, public derivation); this path needs none of that, so a
 * bundle that derives one key and signs carries no @scure/bip32, base58 or RIPEMD-160.
 * test/keys/bip32-private.test.ts checks it against BIP-32's test vectors 1–3 and against
 * @scure/bip32 on random seeds and paths.
 *
 * An invalid child (I_L ≥ n, or a zero key; probability ~2^-127) moves on to the next index
 * as BIP-32 says; the path returned names the indices actually used.
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/abstract/utils.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { describe } from '../core/assert.js'
import { InvalidPathError, InvalidSeedError } from '../core/errors.js'
import { HARDENED_OFFSET } from './path.js'

const N = secp256k1.CURVE.n
const MASTER_SECRET = /* @__PURE__ */ new TextEncoder().encode('Bitcoin seed')

/** Checks a BIP-32 seed: 16 to 64 bytes. @throws InvalidSeedError */
export function assertSeed(seed: unknown): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
    throw new InvalidSeedError(`Seed must be a Uint8Array of 16 to 64 bytes, got ${describe(seed)}.`)
  }
  return seed
}

/** A private key derived along a path, with the indices used (one may have moved past an invalid child). */
export interface DerivedPrivateKey {
  /** 32 bytes; the caller zeroes it. */
  readonly privateKey: Uint8Array
  readonly indices: readonly number[]
}

/** The private key at `indices` below the master key of `seed`. @throws InvalidSeedError, InvalidPathError */
export function derivePrivateKey(seed: Uint8Array, indices: readonly number[]): DerivedPrivateKey {
  const I = hmac(sha512, MASTER_SECRET, assertSeed(seed))
  let key = bytesToNumberBE(I.subarray(0, 32))
  let chainCode = I.slice(32)
  I.fill(0)
  if (key === 0n || key >= N)
    throw new InvalidSeedError('This seed gives an invalid BIP-32 master key (probability 2^-127); use another seed.')
  const used: number[] = []
  const data = new Uint8Array(37)
  const view = new DataView(data.buffer)
  try {
    for (const requested of indices) {
      const hardened = requested >= HARDENED_OFFSET
      for (let index = requested; ; index++) {
        if (index >= (hardened ? 2 ** 32 : HARDENED_OFFSET)) throw new InvalidPathError('No valid child key at or after this index.')
        data.set(hardened ? numberToBytesBE(key, 33) : secp256k1.ProjectivePoint.BASE.multiply(key).toRawBytes(true))
        view.setUint32(33, index)
        const child = hmac(sha512, chainCode, data)
        const tweak = bytesToNumberBE(child.subarray(0, 32))
        const next = (key + tweak) % N
        if (tweak < N && next !== 0n) {
          key = next
          chainCode.fill(0)
          chainCode = child.slice(32)
          child.fill(0)
          used.push(index)
          break
        }
        child.fill(0)
      }
    }
    return { privateKey: numberToBytesBE(key, 32), indices: used }
  } finally {
    data.fill(0)
    chainCode.fill(0)
  }
}
