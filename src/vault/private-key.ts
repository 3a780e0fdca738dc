/**
 * Raw private keys at the vault's boundary: bytes or hex in, a checked 32-byte copy out.
 * @module
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe } from '../core/assert.js'
import { InvalidPrivateKeyError } from '../core/errors.js'

/**
 * A 32-byte private key for `curve` from bytes or hex (0x optional). For ed25519 a 64-byte
 * Solana secret key (seed ‖ public key) is accepted when its halves agree.
 * @throws InvalidPrivateKeyError
 */
export function parsePrivateKey(value: unknown, curve: 'secp256k1' | 'ed25519'): Uint8Array {
  if (curve !== 'secp256k1' && curve !== 'ed25519')
    throw new InvalidPrivateKeyError(`curve must be "secp256k1" or "ed25519", got ${describe(curve)}.`)
  let bytes: Uint8Array
  if (value instanceof Uint8Array) bytes = value.slice()
  else if (typeof value === 'string' && /^(0x)?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/.test(value))
    bytes = hexToBytes(value.replace(/^0x/, ''))
  else throw new InvalidPrivateKeyError(`privateKey must be 32 bytes or 64 hex digits, got ${describe(value)}.`)
  if (curve === 'ed25519' && bytes.length === 64) {
    const seed = bytes.slice(0, 32)
    const matches = ed25519.getPublicKey(seed).every((b, i) => b === bytes[32 + i])
    bytes.fill(0)
    if (!matches) throw new InvalidPrivateKeyError('This 64-byte ed25519 secret key has a public half that does not match its seed.')
    return seed
  }
  if (bytes.length !== 32) {
    bytes.fill(0)
    throw new InvalidPrivateKeyError(`A ${curve} private key is 32 bytes, got ${bytes.length}.`)
  }
  if (curve === 'secp256k1' && !secp256k1.utils.isValidPrivateKey(bytes)) {
    bytes.fill(0)
    throw new InvalidPrivateKeyError('Not a valid secp256k1 private key (must be between 1 and n−1).')
  }
  return bytes
}
