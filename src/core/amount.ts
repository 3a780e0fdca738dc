/**
 * Exact decimal amounts. Money in coffer is a `bigint` of base units (wei, satoshi,
 * USDT's 6-decimal units) plus the asset's decimals; people read and type decimal strings.
 * Nothing here touches a float.
 * @module
 */
import { describe, isIntegerIn } from './assert.js'
import { InvalidAmountError } from './errors.js'

/** Largest number of decimals accepted (ERC-20 `decimals()` is a uint8). */
export const MAX_DECIMALS = 255

/** Every amount coffer handles fits in 256 bits (the EVM word); larger values are refused. */
export const MAX_AMOUNT = 2n ** 256n - 1n

const AMOUNT_RE = /^(\d*)(?:\.(\d*))?$/

function checkDecimals(decimals: unknown): number {
  if (!isIntegerIn(decimals, 0, MAX_DECIMALS)) {
    throw new InvalidAmountError(
      `decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${typeof decimals === 'number' ? decimals : describe(decimals)}.`,
    )
  }
  return decimals
}

/**
 * Parses a decimal string ("12.5", "0.000001", ".5", "7") into base units.
 *
 * Accepts digits with at most one decimal point, surrounding whitespace trimmed. Refuses
 * signs, exponents ("1e6"), separators ("1,000"), NaN/Infinity, empty input, values past
 * 2^256 − 1, and more fractional digits than `decimals` — except trailing zeros, which lose
 * nothing ("1.500000000" is fine for 6 decimals).
 *
 * @example parseAmount('12.5', 6) // 12_500_000n
 * @throws InvalidAmountError
 */
export function parseAmount(text: string, decimals: number): bigint {
  const d = checkDecimals(decimals)
  if (typeof text !== 'string') {
    throw new InvalidAmountError(`Amount must be a decimal string, got ${describe(text)}.`)
  }
  const trimmed = text.trim()
  if (trimmed.length > 400) throw new InvalidAmountError('Amount is too long.', { details: { length: trimmed.length } })
  const match = AMOUNT_RE.exec(trimmed)
  if (!match || trimmed === '' || trimmed === '.') {
    throw new InvalidAmountError(
      trimmed.startsWith('-')
        ? 'Amount must not be negative.'
        : 'Amount must be a plain decimal number like "12.5" (no sign, exponent or separators).',
      { details: { input: trimmed.slice(0, 80) } },
    )
  }
  const whole = match[1] ?? ''
  const fraction = (match[2] ?? '').replace(/0+$/, '')
  if (fraction.length > d) {
    throw new InvalidAmountError(`Amount has more than ${d} decimal places.`, {
      details: { input: trimmed.slice(0, 80), decimals: d, fractionDigits: fraction.length },
    })
  }
  const units = BigInt((whole || '0') + fraction.padEnd(d, '0'))
  if (units > MAX_AMOUNT) throw new InvalidAmountError('Amount is larger than 2^256 - 1 base units.', { details: { decimals: d } })
  return units
}

/**
 * Formats base units as a decimal string with no trailing zeros ("12.5", "0", "0.000001").
 * Negative values (deltas) are formatted with a leading "-".
 *
 * @example formatAmount(12_500_000n, 6) // '12.5'
 * @throws InvalidAmountError
 */
export function formatAmount(units: bigint, decimals: number): string {
  const d = checkDecimals(decimals)
  if (typeof units !== 'bigint') {
    throw new InvalidAmountError(`Amount must be a bigint of base units, got ${describe(units)}.`)
  }
  const negative = units < 0n
  const digits = (negative ? -units : units).toString()
  if (d === 0) return (negative ? '-' : '') + digits
  const padded = digits.padStart(d + 1, '0')
  const whole = padded.slice(0, -d)
  const fraction = padded.slice(-d).replace(/0+$/, '')
  return (negative ? '-' : '') + whole + (fraction ? `.${fraction}` : '')
}
