/**
 * Boundary checks shared by the EVM adapter's calls.
 * @module
 * @internal
 */
import { getAddress, isAddress } from 'viem'
import { describe } from '../../core/assert.js'
import { InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'

/** A checksummed address; mixed case must carry a correct EIP-55 checksum. @throws InvalidAddressError */
export function checkAddress(value: unknown, name: string): `0x${string}` {
  if (typeof value !== 'string' || !isValidEvmAddress(value)) {
    throw new InvalidAddressError(`${name} is not a valid EVM address${typeof value === 'string' && isAddress(value, { strict: false }) ? ' (its EIP-55 checksum is wrong)' : ''}: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 50)) : describe(value)}.`)
  }
  return getAddress(value)
}

/** An integer option in 1..max, or `fallback` when absent. @throws InvalidArgumentError */
export function positiveInt(value: unknown, name: string, fallback: number, max = 1e9): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) throw new InvalidArgumentError(`${name} must be a positive integer.`)
  return value
}


/** A uint256 token value. @throws InvalidArgumentError */
export function checkValue(value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 2n ** 256n) throw new InvalidArgumentError('value must be a non-negative bigint of base units.')
  return value
}

