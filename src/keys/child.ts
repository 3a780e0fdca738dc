/**
 * Fast, batched BIP-32 public child derivation (CKDpub) for address lists.
 *
 * For non-hardened children, I = HMAC-SHA512(c_par, K_par || ser32(i)) and
 * K_i = I_L·G + K_par, computed without the private key (so it works from an xpub too).
 * Results are normalised to affine with one batched field inversion for the whole list.
 *
 * The multiply is noble's constant-time `multiply`, not `multiplyUnsafe`: in
 * @noble/curves 1.9.1 (the version viem pins) `BASE.multiplyUnsafe` returns wrong points
 * for full-size scalars (fixed in 1.9.2); test/keys/child.test.ts guards this.
 * Matches @scure/bip32 exactly, including its "invalid child: use the next index" rule.
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { ProjPointType } from '@noble/curves/abstract/weierstrass.js'
import { bytesToNumberBE } from '@noble/curves/abstract/utils.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { HARDENED_OFFSET } from './path.js'

const Point = secp256k1.ProjectivePoint
const N = secp256k1.CURVE.n

/** A derived public child: its (possibly bumped) index and affine point. */
export interface PublicChild {
  readonly index: number
  readonly point: ProjPointType<bigint>
}

/**
 * Public children of one parent at the given non-hardened indices, in order.
 * @param parentPublicKey 33-byte compressed parent key
 */
export function publicChildren(parentPublicKey: Uint8Array, chainCode: Uint8Array, indices: readonly number[]): PublicChild[] {
  const parent = Point.fromHex(parentPublicKey)
  const data = new Uint8Array(37)
  data.set(parentPublicKey)
  const view = new DataView(data.buffer)
  const found: number[] = []
  const points = indices.map((requested) => {
    for (let index = requested; index < HARDENED_OFFSET; index++) {
      view.setUint32(33, index)
      const I = hmac(sha512, chainCode, data)
      const tweak = bytesToNumberBE(I.subarray(0, 32))
      if (tweak === 0n || tweak >= N) continue
      const point = Point.BASE.multiply(tweak).add(parent)
      if (point.equals(Point.ZERO)) continue
      found.push(index)
      return point
    }
    throw new RangeError('no valid child below 2^31')
  })
  return Point.normalizeZ(points).map((point, i) => ({ index: found[i] as number, point }))
}
