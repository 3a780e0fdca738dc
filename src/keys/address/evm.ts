/**
 * Ethereum-style addresses: keccak-256 of the uncompressed public key, last 20 bytes,
 * written with the EIP-55 mixed-case checksum.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { describe } from '../../core/assert.js'
import { InvalidAddressError } from '../../core/errors.js'
import { secpPoint } from '../point.js'

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
const encoder = new TextEncoder()

/** The 20-byte account of a 65-byte uncompressed key (0x04 ‖ X ‖ Y). @internal */
export function evmAddressBytes(uncompressed: Uint8Array): Uint8Array {
  return keccak_256(uncompressed.subarray(1)).subarray(12)
}

/** EIP-55 checksum casing of 40 lowercase hex characters. @internal */
export function checksumHex(lowerHex: string): `0x${string}` {
  const hash = keccak_256(encoder.encode(lowerHex))
  let out = '0x'
  for (let i = 0; i < 40; i++) {
    const c = lowerHex[i] as string
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0x0f
    out += nibble >= 8 ? c.toUpperCase() : c
  }
  return out as `0x${string}`
}

/** The EIP-55 address of a secp256k1 public key (33 or 65 bytes). @throws InvalidArgumentError */
export function evmAddressFromPublicKey(publicKey: Uint8Array): `0x${string}` {
  const uncompressed = secpPoint(publicKey).toRawBytes(false)
  return checksumHex(bytesToHex(evmAddressBytes(uncompressed)))
}

/**
 * Re-cases a 0x-prefixed 40-hex-digit address with the EIP-55 checksum. Input of any case
 * is accepted; use {@link isValidEvmAddress} to also verify an existing checksum.
 * @throws InvalidAddressError
 */
export function toChecksumAddress(address: string): `0x${string}` {
  if (typeof address !== 'string' || !HEX_ADDRESS.test(address)) {
    throw new InvalidAddressError(
      `Not an EVM address (0x + 40 hex digits): ${typeof address === 'string' ? JSON.stringify(address.slice(0, 64)) : describe(address)}.`,
    )
  }
  return checksumHex(address.slice(2).toLowerCase())
}

/** True for 0x + 40 hex digits; a mixed-case address must carry a correct EIP-55 checksum. */
export function isValidEvmAddress(address: unknown): address is `0x${string}` {
  if (typeof address !== 'string' || !HEX_ADDRESS.test(address)) return false
  const body = address.slice(2)
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true
  return checksumHex(body.toLowerCase()) === address
}
