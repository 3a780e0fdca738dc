/**
 * The lexical layer of payment-request URIs, shared by every scheme (`chains/<family>/payment-uri.ts`,
 * `payments/schemes/*`): percent-decoding, query parameters, decimal amounts, and the checks and
 * encoders the formatters share. Every failure is an {@link InvalidPaymentUriError} quoting at
 * most 60 characters of untrusted text.
 * @module
 * @internal
 */
import { describe } from './assert.js'
import { formatAmount, MAX_DECIMALS } from './amount.js'
import { parseAssetId, type AssetIdParts, type ChainId } from './caip.js'
import { InvalidPaymentUriError } from './errors.js'

/** A UTF-16 surrogate without its other half (not encodable as UTF-8). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The fields of a payment request as a formatter receives them (values not yet checked). */
export type RequestFields = { readonly [field: string]: unknown }

/** At most `max` (60) characters of untrusted text, JSON-quoted, for an error message. */
export function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text)
}

/** Throws an {@link InvalidPaymentUriError}. */
export function fail(message: string, details?: Record<string, string | number>): never {
  throw new InvalidPaymentUriError(message, details ? { details } : undefined)
}

/** Percent-decodes `raw` once (RFC 3986: "+" stays "+"); the quoted part of a failure stays under 40 characters. */
function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return fail(`${what} has bad percent-encoding: ${quote(raw, 40)} (each "%" must start a UTF-8 byte as "%XX").`)
  }
}

/** Percent-encodes like `encodeURIComponent`, refusing text that is not well-formed Unicode. */
function encode(value: string, what: string): string {
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
      fail(`Required parameter ${quote(key)} is not understood, so the whole request is invalid (BIP-21 "req-" rule).`, {
        parameter: key.slice(0, 60),
      })
    }
  }
  return (key) => params.get(key)?.[0]
}

/**
 * A decimal amount in whole units. `loose` accepts BIP-21's `*digit ["." *digit]` (".5", "5.");
 * otherwise digits are required on both sides of the point (Solana Pay's rule).
 */
function splitDecimal(text: string, what: string, loose: boolean): { whole: string; fraction: string } {
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

/** Copies the `label` and `message` parameters (and `memo` when the scheme has one) into `out`. */
export function copyText(out: { [field: string]: unknown }, get: (key: string) => string | undefined, memo = false): void {
  const label = get('label')
  if (label !== undefined) out.label = label
  const message = get('message')
  if (message !== undefined) out.message = message
  const m = memo ? get('memo') : undefined
  if (m !== undefined) out.memo = m
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

/** Refuses fields that `scheme` cannot carry, so nothing is dropped silently. */
export function refuse(fields: RequestFields, scheme: string, keys: readonly string[]): void {
  for (const key of keys) {
    const value = fields[key]
    if (value === undefined || (key === 'references' && Array.isArray(value) && value.length === 0)) continue
    fail(`A ${scheme}: payment URI cannot carry "${key}".`)
  }
}

/** The request's `asset`, checked to be a fungible CAIP-19 asset type on `chainId`. */
export function assetOf(fields: RequestFields, chainId: ChainId): AssetIdParts {
  let parts: AssetIdParts
  try {
    parts = parseAssetId(fields.asset as string)
  } catch (cause) {
    throw new InvalidPaymentUriError(
      `asset must be a CAIP-19 id, got ${typeof fields.asset === 'string' ? quote(fields.asset) : describe(fields.asset)}.`,
      { cause },
    )
  }
  if (parts.chainId !== chainId) fail(`asset ${quote(fields.asset as string)} is not on chain ${chainId}.`)
  if (parts.tokenId !== undefined) fail('asset must be a fungible asset type (no token id).')
  return parts
}

/** Throws: the request's asset is not what the scheme can carry (`expected`). */
export function assetError(fields: RequestFields, expected: string): never {
  return fail(`asset ${quote(String(fields.asset))} is not ${expected}.`)
}

/** The amount of a native coin (bigint) or of a token whose decimals the URI does not state (decimal string). */
export function coinOrToken(fields: RequestFields, isToken: boolean, decimals: number, max: bigint): string | undefined {
  if (fields.amount === undefined) return undefined
  if (!isToken) return formatAmount(units(fields.amount, 'amount', max) as bigint, decimals)
  if (typeof fields.amount !== 'string') fail(`A token amount must be a decimal string of whole tokens, got ${describe(fields.amount)}.`)
  return parseTokenAmount(fields.amount, 'amount')
}
