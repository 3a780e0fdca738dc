/**
 * Solana addresses: the base58 encoding of a 32-byte ed25519 public key (or of a
 * program-derived address, which is off the curve but still a valid address).
 * @module
 */
import { base58 } from '@scure/base'
import { assertBytes } from '../../core/assert.js'

/** The base58 address of a 32-byte ed25519 public key. @throws InvalidArgumentError */
export function solanaAddressFromPublicKey(publicKey: Uint8Array): string {
  return base58.encode(assertBytes(publicKey, 'publicKey', 32))
}

/** True if `address` is base58 for exactly 32 bytes. */
export function isValidSolanaAddress(address: unknown): boolean {
  if (typeof address !== 'string' || address.length < 32 || address.length > 44) return false
  try {
    return base58.decode(address).length === 32
  } catch {
    return false
  }
}
