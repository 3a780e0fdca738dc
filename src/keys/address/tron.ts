/**
 * Tron addresses: base58check of 0x41 ‖ the last 20 bytes of keccak-256 of the
 * uncompressed secp256k1 public key (the same 20 bytes as the key's EVM address).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { createBase58check } from '@scure/base'
import { secpPoint } from '../point.js'
import { evmAddressBytes } from './evm.js'

const base58check = createBase58check(sha256)
/** Version byte of every Tron mainnet address. */
const TRON_ADDRESS_PREFIX = 0x41

/** The base58check `T…` address of an account's 20 bytes. @internal */
export function tronAddressFromBytes(account: Uint8Array): string {
  const payload = new Uint8Array(21)
  payload[0] = TRON_ADDRESS_PREFIX
  payload.set(account, 1)
  return base58check.encode(payload)
}

/** The `T…` address of a secp256k1 public key (33 or 65 bytes). @throws InvalidArgumentError */
export function tronAddressFromPublicKey(publicKey: Uint8Array): string {
  const uncompressed = secpPoint(publicKey).toRawBytes(false)
  return tronAddressFromBytes(evmAddressBytes(uncompressed))
}

/** True if `address` is base58check of 21 bytes starting with 0x41. */
export function isValidTronAddress(address: unknown): boolean {
  if (typeof address !== 'string' || address.length !== 34) return false
  try {
    const payload = base58check.decode(address)
    return payload.length === 21 && payload[0] === TRON_ADDRESS_PREFIX
  } catch {
    return false
  }
}
