/**
 * Checked secp256k1 public keys: bytes in, a curve point out, or an
 * {@link InvalidArgumentError} (never noble's plain Error).
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { ProjPointType } from '@noble/curves/abstract/weierstrass.js'
import { assertBytes } from '../core/assert.js'
import { InvalidArgumentError } from '../core/errors.js'

/** The curve point of a 33- or 65-byte secp256k1 public key. @throws InvalidArgumentError */
export function secpPoint(publicKey: unknown, name = 'publicKey', ...lengths: number[]): ProjPointType<bigint> {
  const bytes = assertBytes(publicKey, name, ...(lengths.length ? lengths : [33, 65]))
  try {
    return secp256k1.ProjectivePoint.fromHex(bytes)
  } catch (cause) {
    throw new InvalidArgumentError(`${name} is not a valid secp256k1 public key (not a point on the curve).`, { cause })
  }
}
