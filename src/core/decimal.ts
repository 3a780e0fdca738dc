/**
 * Exact decimal arithmetic for fiat values: prices as {@link Decimal}s (a bigint of units and
 * a power-of-ten scale), balance × price without rounding, sums, and formatting with
 * half-up rounding only at the very end. No float ever holds a price or a value; JSON numbers
 * from price APIs go through their shortest round-trip text ({@link priceFromNumber}), so
 * `0.1` stays exactly 0.1.
 * @module
 */
import { describe, isIntegerIn } from './assert.js'
import { InvalidArgumentError } from './errors.js'

/** An exact decimal: `units / 10^scale`. Values from this module are normalised (no trailing zero in `units` when `scale > 0`). */
export interface Decimal {
  /** The digits as an integer; negative only for deltas. */
  readonly units: bigint
  /** Digits after the decimal point: a non-negative integer. */
  readonly scale: number
}

/** Most significant digits a price may have (CoinGecko sends doubles: 17 at most). */
const MAX_PRICE_DIGITS = 40
/** Largest exponent magnitude accepted in price text ("1e-60" … "1e60"). */
const MAX_PRICE_EXPONENT = 60
/** Longest price text accepted, in characters. */
const MAX_PRICE_LENGTH = 200
/** Largest scale a Decimal may carry (a 255-decimal token times a very fine price still fits). */
const MAX_SCALE = 10_000
/** Most fraction digits {@link formatDecimal} pads or rounds to. */
const MAX_FRACTION_DIGITS = 1_000
/** Largest ERC-20 `decimals()` (a uint8). */
const MAX_DECIMALS = 255

const PRICE_RE = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

function normalize(units: bigint, scale: number): Decimal {
  if (units === 0n) return Object.freeze({ units: 0n, scale: 0 })
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n
    scale--
  }
  return Object.freeze({ units, scale })
}

function checkDecimal(value: unknown, name: string): Decimal {
  const d = value as Decimal
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof d.units !== 'bigint' ||
    typeof d.scale !== 'number' ||
    !Number.isSafeInteger(d.scale) ||
    d.scale < 0 ||
    d.scale > MAX_SCALE
  ) {
    throw new InvalidArgumentError(`${name} must be a Decimal { units: bigint, scale: integer 0..${MAX_SCALE} }, got ${describe(value)}.`)
  }
  return d
}

function badPrice(problem: string, text: string): never {
  throw new InvalidArgumentError(`Invalid price: ${problem}.`, { details: { input: text.slice(0, 80) } })
}

/**
 * Parses a non-negative decimal price as JSON writes numbers: "1", "0.9998", "67234.12",
 * "1e-7", "2.5E+3" (exponents allowed, unlike `parseAmount`; ".5" and "5." too). Surrounding
 * whitespace is trimmed. Refuses signs, NaN, Infinity, empty text, more than
 * {@link MAX_PRICE_DIGITS} significant digits and exponents beyond ±{@link MAX_PRICE_EXPONENT}.
 *
 * @example parsePrice('2.5E+3') // { units: 2500n, scale: 0 }
 * @throws InvalidArgumentError
 */
export function parsePrice(text: string): Decimal {
  if (typeof text !== 'string') throw new InvalidArgumentError(`A price must be a decimal string, got ${describe(text)}.`)
  const trimmed = text.trim()
  if (trimmed === '') badPrice('empty text', trimmed)
  if (trimmed.length > MAX_PRICE_LENGTH) badPrice(`longer than ${MAX_PRICE_LENGTH} characters`, trimmed)
  if (trimmed.startsWith('-')) badPrice('must not be negative', trimmed)
  const match = PRICE_RE.exec(trimmed)
  const whole = match?.[1] ?? ''
  const fraction = match?.[2] ?? ''
  if (!match || (whole === '' && fraction === '')) {
    badPrice('expected a non-negative decimal number like "0.9998" or "1e-7"', trimmed)
  }
  const exponent = match[3] === undefined ? 0 : Number(match[3])
  if (!(Math.abs(exponent) <= MAX_PRICE_EXPONENT)) badPrice(`exponent beyond ±${MAX_PRICE_EXPONENT}`, trimmed)
  const digits = whole + fraction
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '')
  if (significant.length > MAX_PRICE_DIGITS) badPrice(`more than ${MAX_PRICE_DIGITS} significant digits`, trimmed)
  let units = BigInt(digits)
  let scale = fraction.length - exponent
  if (scale < 0) {
    units *= 10n ** BigInt(-scale)
    scale = 0
  }
  return normalize(units, scale)
}

/**
 * Converts a JSON-parsed number to an exact Decimal through its shortest round-trip text
 * (`String(n)`), so the decimal the sender wrote survives: `0.1` → 0.1, not 0.1000000000000000055….
 *
 * @example priceFromNumber(1e-7) // { units: 1n, scale: 7 }
 * @throws InvalidArgumentError for non-numbers, NaN, ±Infinity and negative numbers
 */
export function priceFromNumber(n: number): Decimal {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`A price must be a finite number, got ${typeof n === 'number' ? String(n) : describe(n)}.`)
  }
  if (n < 0) throw new InvalidArgumentError('Invalid price: must not be negative.', { details: { input: String(n) } })
  return parsePrice(String(n))
}

/**
 * The exact fiat value of `amount` base units of an asset with `decimals` decimals at `price`
 * per whole coin: `amount / 10^decimals × price`, with no rounding. Negative amounts (deltas)
 * give negative values.
 *
 * @example formatDecimal(fiatValue(1_500_000n, 6, parsePrice('0.9998'))) // '1.4997'
 * @throws InvalidArgumentError
 */
export function fiatValue(amount: bigint, decimals: number, price: Decimal): Decimal {
  if (typeof amount !== 'bigint') throw new InvalidArgumentError(`amount must be a bigint of base units, got ${describe(amount)}.`)
  if (!isIntegerIn(decimals, 0, MAX_DECIMALS)) {
    throw new InvalidArgumentError(
      `decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${typeof decimals === 'number' ? decimals : describe(decimals)}.`,
    )
  }
  const p = checkDecimal(price, 'price')
  return normalize(amount * p.units, decimals + p.scale)
}

/** The exact sum `a + b`. @throws InvalidArgumentError */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const x = checkDecimal(a, 'a')
  const y = checkDecimal(b, 'b')
  const scale = Math.max(x.scale, y.scale)
  const units = x.units * 10n ** BigInt(scale - x.scale) + y.units * 10n ** BigInt(scale - y.scale)
  return normalize(units, scale)
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. @throws InvalidArgumentError */
export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const x = checkDecimal(a, 'a')
  const y = checkDecimal(b, 'b')
  const scale = Math.max(x.scale, y.scale)
  const l = x.units * 10n ** BigInt(scale - x.scale)
  const r = y.units * 10n ** BigInt(scale - y.scale)
  return l < r ? -1 : l > r ? 1 : 0
}

function digitsWithPoint(abs: bigint, scale: number): string {
  const digits = abs.toString()
  if (scale === 0) return digits
  const padded = digits.padStart(scale + 1, '0')
  return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`
}

/**
 * Formats a Decimal as plain decimal text (never an exponent, never a trailing dot).
 *
 * - Without `fractionDigits`: the exact value, trailing zeros trimmed ("1.4997", "0.0000001", "2500").
 * - With `fractionDigits`: exactly that many digits after the point (none and no point for 0),
 *   rounded half away from zero — half-up for the non-negative values amounts give
 *   ("1.005" → "1.01", "-1.005" → "-1.01"). A value that rounds to zero prints without a sign.
 *
 * @example formatDecimal(parsePrice('1.4997'), 2) // '1.50'
 * @throws InvalidArgumentError
 */
export function formatDecimal(d: Decimal, fractionDigits?: number): string {
  const value = checkDecimal(d, 'value')
  if (fractionDigits !== undefined && !isIntegerIn(fractionDigits, 0, MAX_FRACTION_DIGITS)) {
    throw new InvalidArgumentError(
      `fractionDigits must be an integer from 0 to ${MAX_FRACTION_DIGITS}, got ${typeof fractionDigits === 'number' ? fractionDigits : describe(fractionDigits)}.`,
    )
  }
  const negative = value.units < 0n
  let abs = negative ? -value.units : value.units
  let scale = value.scale
  if (fractionDigits === undefined) {
    const n = normalize(abs, scale)
    abs = n.units
    scale = n.scale
  } else if (fractionDigits >= scale) {
    abs *= 10n ** BigInt(fractionDigits - scale)
    scale = fractionDigits
  } else {
    const divisor = 10n ** BigInt(scale - fractionDigits)
    const remainder = abs % divisor
    abs /= divisor
    if (remainder * 2n >= divisor) abs += 1n
    scale = fractionDigits
  }
  return (negative && abs !== 0n ? '-' : '') + digitsWithPoint(abs, scale)
}
