/**
 * The lexical layer of payment URIs (see `uri.ts`): percent-decoding, query parameters,
 * the EIP-681 number grammar, decimal amounts, and the checks and encoders the formatter
 * shares. Every failure is an {@link InvalidPaymentUriError} quoting at most 60 characters.
 * @module
 * @internal
 */
import { describe } from '../core/assert.js'
import { MAX_AMOUNT, MAX_DECIMALS } from '../core/amount.js'
import { InvalidPaymentUriError } from '../core/errors.js'
import { isValidEvmAddress, toChecksumAddress } from '../keys/address/evm.js'

/** 0x and 40 hex digits, any case. */
export const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
/** A UTF-16 surrogate without its other half (not encodable as UTF-8). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const EIP681_NUMBER = /^([+-]?)(\d*)(?:\.(\d+))?(?:[eE](\d*))?$/

/** At most `max` (60) characters of untrusted text, JSON-quoted, for an error message. */
export function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text)
}

/** Throws an {@link InvalidPaymentUriError}. */
export function fail(message: string, details?: Record<string, string | number>): never {
  throw new InvalidPaymentUriError(message, details ? { details } : undefined)
}

/** Percent-decodes `raw` once (RFC 3986: "+" stays "+"); the quoted part of a failure stays under 40 characters. */
export function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return fail(`${what} has bad percent-encoding: ${quote(raw, 40)} (each "%" must start a UTF-8 byte as "%XX").`)
  }
}

/** Percent-encodes like `encodeURIComponent`, refusing text that is not well-formed Unicode. */
export function encode(value: string, what: string): string {
  if (LONE_SURROGATE.test(value)) fail(`${what} is not well-formed Unicode (it has a lone surrogate).`)
  return encodeURIComponent(value)
}

/** Parameters of a query, percent-decoded; a repeated name is an error unless `repeatable`. */
export function parseQuery(query: string | undefined, repeatable: ReadonlySet<string>): Map<string, string[]> {
  const params = new Map<string, string[]>()
  if (query === undefined) return params
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = decode(eq < 0 ? part : part.slice(0, eq), 'A parameter name')
    const value = decode(eq < 0 ? '' : part.slice(eq + 1), `Parameter ${quote(key, 20)}`)
    const seen = params.get(key)
    if (!seen) params.set(key, [value])
    else if (repeatable.has(key)) seen.push(value)
    else fail(`Parameter ${quote(key)} appears more than once.`, { parameter: key.slice(0, 60) })
  }
  return params
}

/**
 * Rejects `req-` parameters (BIP-21's forward-compatibility rule, applied to every scheme:
 * coffer implements none) and returns a getter for single-valued parameters.
 */
export function single(params: Map<string, string[]>): (key: string) => string | undefined {
  for (const key of params.keys()) {
    if (key.startsWith('req-')) {
      fail(`Required parameter ${quote(key)} is not understood, so the whole request is invalid (BIP-21 "req-" rule).`, { parameter: key.slice(0, 60) })
    }
  }
  return (key) => params.get(key)?.[0]
}

/** An EIP-681 `number` (`[+-] digits [. digits] [e digits]`) that must be a whole uint256. */
export function parseEip681Number(text: string, what: string): bigint {
  const m = EIP681_NUMBER.exec(text)
  if (!m || ((m[2] ?? '') === '' && m[3] === undefined)) fail(`${what} must be a number such as 2.014e18, got ${quote(text)}.`)
  if (m[1] === '-') fail(`${what} must not be negative, got ${quote(text)}.`)
  if (m[4] === '') fail(`${what} has an exponent marker with no digits: ${quote(text)}.`)
  const whole = m[2] ?? ''
  const fraction = m[3] ?? ''
  const digits = whole + fraction
  if (!/[1-9]/.test(digits)) return 0n
  const exponentText = (m[4] ?? '').replace(/^0+/, '')
  const tooLarge = () => fail(`${what} is larger than 2^256 - 1: ${quote(text)}.`)
  if (exponentText.length > 6) tooLarge()
  const shift = Number(exponentText || '0') - fraction.length
  let value: bigint
  if (shift < 0) {
    const cut = digits.length + shift
    if (cut < 0 || /[1-9]/.test(digits.slice(cut))) {
      fail(`${what} must be a whole number of base units (wei), got ${quote(text)}.`)
    }
    value = BigInt(digits.slice(0, cut) || '0')
  } else {
    if (digits.replace(/^0+/, '').length + shift > 78) tooLarge()
    value = BigInt(digits) * 10n ** BigInt(shift)
  }
  if (value > MAX_AMOUNT) tooLarge()
  return value
}

/**
 * A decimal amount in whole units. `loose` accepts BIP-21's `*digit ["." *digit]` (".5", "5.");
 * otherwise digits are required on both sides of the point (Solana Pay's rule).
 */
export function splitDecimal(text: string, what: string, loose: boolean): { whole: string; fraction: string } {
  const m = (loose ? /^(\d*)(?:\.(\d*))?$/ : /^(\d+)(?:\.(\d+))?$/).exec(text)
  if (!m || !/\d/.test(text)) {
    const hint = loose ? 'a decimal such as 20.3' : 'a decimal such as 0.01 (digits before and after the point, no exponent)'
    fail(`${what} must be ${hint}, got ${quote(text)}.`)
  }
  const whole = (m[1] ?? '').replace(/^0+/, '')
  const fraction = m[2] ?? ''
  if (whole.length > 78) fail(`${what} is too large: ${quote(text)}.`)
  return { whole, fraction }
}

/** A decimal amount of a coin with known `decimals`, as base units in `[0, max]`. */
export function parseCoinAmount(text: string, decimals: number, max: bigint, what: string, loose = false): bigint {
  const { whole, fraction } = splitDecimal(text, what, loose)
  if (fraction.length > decimals) fail(`${what} has more than ${decimals} decimal places: ${quote(text)}.`, { decimals })
  const units = BigInt((whole || '0') + fraction.padEnd(decimals, '0'))
  if (units > max) fail(`${what} is more than the chain allows: ${quote(text)}.`)
  return units
}

/** A token amount whose decimals the URI does not state, as a canonical decimal string. */
export function parseTokenAmount(text: string, what: string): string {
  const { whole, fraction } = splitDecimal(text, what, false)
  if (fraction.length > MAX_DECIMALS) fail(`${what} has more than ${MAX_DECIMALS} decimal places.`)
  const trimmed = fraction.replace(/0+$/, '')
  return (whole || '0') + (trimmed ? `.${trimmed}` : '')
}

/** A 0x address, EIP-55 checksummed; a bad mixed-case checksum and ENS names are refused. */
export function evmAddress(text: string, what: string): `0x${string}` {
  if (HEX_ADDRESS.test(text)) {
    if (!isValidEvmAddress(text)) {
      fail(`${what} ${quote(text)} has a bad EIP-55 checksum: its mixed case does not match, so it may be mistyped.`)
    }
    return toChecksumAddress(text)
  }
  if (text.includes('.')) fail(`${what} ${quote(text)} looks like an ENS name; coffer does not resolve ENS, so ask for a 0x address.`)
  return fail(`${what} must be a 0x address of 40 hex digits, got ${quote(text)}.`)
}

/** `<scheme>:<path>?k=v&…`, leaving out parameters whose value is undefined. */
export function build(scheme: string, path: string, params: readonly (readonly [string, string | undefined])[]): string {
  const query = params.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v as string}`)
  return `${scheme}:${path}${query.length ? `?${query.join('&')}` : ''}`
}

/** An optional text field of a request, percent-encoded for the URI. */
export function text(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') fail(`${what} must be a string, got ${describe(value)}.`)
  return encode(value, what)
}

/** An optional bigint field of a request, checked to lie in `[0, max]`. */
export function units(value: unknown, what: string, max: bigint): bigint | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'bigint') fail(`${what} must be a bigint of base units, got ${describe(value)}.`)
  if (value < 0n || value > max) fail(`${what} must be from 0 to ${max}, got ${value}.`)
  return value
}
