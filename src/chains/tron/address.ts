/**
 * TRON addresses as bytes: what transactions and contract calls carry. A TRON address is 21
 * bytes, `0x41` then the 20 bytes of the account (the same 20 bytes as the EVM address of the
 * same key); people see it in base58check (`T…`), TronGrid's non-`visible` JSON writes it in hex
 * (`41…`), and ABI words hold only the 20 account bytes. Encoding to base58 lives in
 * `keys/address/tron.ts`.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { createBase58check } from '@scure/base'
import { InvalidAddressError } from '../../core/errors.js'
import { isValidTronAddress, tronAddressFromBytes } from '../../keys/address/tron.js'

const base58check = createBase58check(sha256)
/** The byte every TRON address starts with. */
export const TRON_ADDRESS_PREFIX = 0x41

/**
 * The 21 bytes (`0x41` ‖ account) of a base58 `T…` address.
 * @throws InvalidAddressError
 */
export function tronAddressToBytes(address: string): Uint8Array {
  if (!isValidTronAddress(address))
    throw new InvalidAddressError(`${describe(address)} is not a TRON address (base58check, starting with T).`)
  return base58check.decode(address)
}

/**
 * The base58 `T…` address of 21 address bytes (`0x41` ‖ account).
 * @throws InvalidAddressError
 */
export function tronAddressFromPayload(payload: Uint8Array): string {
  if (!isTronAddressPayload(payload)) throw new InvalidAddressError('A TRON address is 21 bytes starting with 0x41.')
  return tronAddressFromBytes(payload.subarray(1))
}

/** True when `payload` is 21 bytes starting with `0x41`. */
export function isTronAddressPayload(payload: unknown): payload is Uint8Array {
  return payload instanceof Uint8Array && payload.length === 21 && payload[0] === TRON_ADDRESS_PREFIX
}

/**
 * The hex form TronGrid writes when `visible` is false: `41` + 40 hex digits, lower case.
 * @throws InvalidAddressError
 */
export function tronHexAddress(address: string): string {
  return bytesToHex(tronAddressToBytes(address))
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value) : typeof value
}
