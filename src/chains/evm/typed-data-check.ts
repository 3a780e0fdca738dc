/**
 * Strict EIP-712 input check, run before every typed-data signature. viem hashes what it is
 * given after a loose check (a `bytes1` of "a" passed on its length and was signed as 0x00), and
 * MetaMask's eth-sig-util coerces even more (the string "false" signs as `true`, short `bytesN`
 * are zero-padded). So every type and every value is checked here against its EIP-712 type, and
 * the result is a canonical copy for hashing: integers as bigint, bytes as lowercase hex,
 * addresses lowercased, structs holding exactly their declared fields.
 *
 * Accepted values, by type (anything else is refused with an {@link InvalidArgumentError} that
 * names the path, e.g. `message.details[2].amount`, and the type):
 * - `uintN` / `intN` (N = 8…256, step 8): a bigint, a safe-integer number, a decimal string
 *   (optional leading `-`) or a `0x` hex string (read as a non-negative magnitude, not two's
 *   complement), within the type's range. No floats, NaN, empty strings, `+`, spaces or `0b`/`0o`.
 * - `bytesN` (N = 1…32): `0x` and exactly 2N hex digits, or a Uint8Array of N bytes.
 * - `bytes`: `0x` and an even number of hex digits (`0x` is empty bytes), or a Uint8Array.
 * - `address`: `0x` and 40 hex digits; all lowercase or all uppercase, or else a valid EIP-55
 *   checksum.
 * - `bool`: `true` or `false` only (eth-sig-util signs the string "false" as true).
 * - `string`: a string that is well-formed UTF-16 (a lone surrogate would be signed as U+FFFD).
 * - `T[]`: an array; `T[k]`: an array of exactly k items.
 * - structs: an object holding every declared field as an own property; a key the struct does
 *   not declare is refused unless its value is `undefined` (it would not be signed, yet a UI could
 *   show it).
 *
 * Types: struct names are letters, digits, `_`, `$` and `:` and not a Solidity type name; field
 * names are identifiers; every field type is an atomic type above or a struct in `types`
 * (aliases such as `uint` are refused); recursive structs are allowed as EIP-712 defines them,
 * but values may nest at most {@link MAX_DEPTH} levels (a cyclic value is refused).
 * `EIP712Domain`, given or inferred from the domain's keys, may only hold the five EIP-712 domain
 * fields with their types, and the domain must hold exactly those fields.
 * @module
 * @internal
 */
import { bytesToHex, isAddress, type TypedDataDefinition } from 'viem'
import { describe } from '../../core/assert.js'
import { CofferError, InvalidArgumentError } from '../../core/errors.js'

/** How deep structs and arrays may nest inside the domain or the message. */
export const MAX_DEPTH = 64
/** How many values (leaves, items and structs) one typed-data message may hold. */
const MAX_VALUES = 1_000_000

type Kind =
  | { readonly t: 'int'; readonly type: string; readonly bits: number; readonly min: bigint; readonly max: bigint }
  | { readonly t: 'bytesN'; readonly type: string; readonly size: number }
  | { readonly t: 'bytes' | 'string' | 'bool' | 'address'; readonly type: string }
  | { readonly t: 'array'; readonly type: string; readonly of: Kind; readonly length: number | undefined }
  | { readonly t: 'struct'; readonly type: string }

interface Field {
  readonly name: string
  readonly kind: Kind
}
interface Struct {
  readonly fields: readonly Field[]
  readonly names: ReadonlySet<string>
}

/** The atomic EIP-712 types, parsed once. */
const ATOMIC: ReadonlyMap<string, Kind> = (() => {
  const m = new Map<string, Kind>()
  for (const t of ['bytes', 'string', 'bool', 'address'] as const) m.set(t, { t, type: t })
  for (let n = 1; n <= 32; n++) m.set(`bytes${n}`, { t: 'bytesN', type: `bytes${n}`, size: n })
  for (let bits = 8; bits <= 256; bits += 8) {
    m.set(`uint${bits}`, { t: 'int', type: `uint${bits}`, bits, min: 0n, max: (1n << BigInt(bits)) - 1n })
    m.set(`int${bits}`, { t: 'int', type: `int${bits}`, bits, min: -(1n << BigInt(bits - 1)), max: (1n << BigInt(bits - 1)) - 1n })
  }
  return m
})()

/** The EIP-712 domain fields, in the order the standard lists them, with their types. */
const DOMAIN_FIELDS: readonly (readonly [string, string])[] = [
  ['name', 'string'],
  ['version', 'string'],
  ['chainId', 'uint256'],
  ['verifyingContract', 'address'],
  ['salt', 'bytes32'],
]
const DOMAIN_TYPE = new Map(DOMAIN_FIELDS)
const DOMAIN_LIST = DOMAIN_FIELDS.map(([n]) => n).join(', ')

const STRUCT_NAME = /^[A-Za-z0-9_$:]+$/
const SOLIDITY_LIKE = /^(?:u?int|bytes)[0-9]*$/
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const DIMENSION = /^(?:[1-9][0-9]{0,8})?$/
const HEX = /^0x[0-9a-fA-F]*$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const DECIMAL_INT = /^-?[0-9]{1,80}$/
const HEX_INT = /^0x[0-9a-fA-F]{1,80}$/
const MAX_TYPE_LENGTH = 256

const isWellFormed: (s: string) => boolean = (() => {
  const native = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed
  if (typeof native === 'function') return (s: string) => native.call(s)
  const lone = /\p{Cs}/u
  return (s: string) => !lone.test(s)
})()

const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)

function fail(message: string, path: string, type?: string): never {
  throw new InvalidArgumentError(message, { details: { path, ...(type ? { type } : {}) } })
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`

/** A short description of a bad value: its JS type and size, never its contents. */
function got(v: unknown): string {
  if (typeof v === 'string') {
    if (v === '') return 'an empty string'
    if (HEX.test(v))
      return (v.length - 2) % 2 ? `0x-hex of ${plural(v.length - 2, 'digit')} (odd)` : `0x-hex of ${plural((v.length - 2) / 2, 'byte')}`
    return `a string of ${plural(v.length, 'character')} that is not 0x-hex`
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN'
    if (!Number.isFinite(v)) return 'an infinite number'
    if (!Number.isInteger(v)) return 'a number with a fraction'
    return Number.isSafeInteger(v) ? 'a number' : 'a number beyond 2^53 (use a bigint or a string)'
  }
  return describe(v)
}

// ---- types --------------------------------------------------------------------------------

function parseType(type: string, structs: ReadonlyMap<string, unknown>, where: string): Kind {
  const atomic = ATOMIC.get(type)
  if (atomic) return atomic
  if (type.endsWith(']')) {
    const open = type.lastIndexOf('[')
    const dim = type.slice(open + 1, -1)
    if (open <= 0 || !DIMENSION.test(dim)) fail(`${where} ${quote(type)} has a bad array size: use T[] or T[k] with k ≥ 1.`, where, type)
    return { t: 'array', type, of: parseType(type.slice(0, open), structs, where), length: dim === '' ? undefined : Number(dim) }
  }
  if (structs.has(type)) return { t: 'struct', type }
  const hint =
    type === 'uint' || type === 'int'
      ? ` write ${type}256.`
      : type === 'byte'
        ? ' write bytes1.'
        : ' it is neither an EIP-712 atomic type nor a struct in types.'
  return fail(`${where} ${quote(type)} is not an EIP-712 type:${hint}`, where, type)
}

function readFields(name: string, raw: unknown): { name: string; type: string }[] {
  const where = `types.${name}`
  if (!Array.isArray(raw)) fail(`${where} must be an array of { name, type } fields, got ${describe(raw)}.`, where)
  return raw.map((f: unknown, i) => {
    const at = `${where}[${i}]`
    if (!isObject(f) || typeof f.name !== 'string' || typeof f.type !== 'string')
      fail(`${at} must be { name, type } with string values.`, at)
    if (!FIELD_NAME.test(f.name) || f.name === '__proto__')
      fail(`${at}.name ${quote(f.name)} is not a valid field name (a letter, _ or $, then letters, digits, _ or $).`, at)
    if (f.type.length > MAX_TYPE_LENGTH) fail(`${at}.type is longer than ${MAX_TYPE_LENGTH} characters.`, at)
    return { name: f.name, type: f.type }
  })
}

/** Reads and checks `types`, adding `EIP712Domain` (given, or inferred from the domain). */
function readTypes(
  types: unknown,
  domain: Record<string, unknown>,
): { structs: Map<string, Struct>; plain: Record<string, { name: string; type: string }[]> } {
  if (!isObject(types)) fail(`types must be an object of struct definitions, got ${describe(types)}.`, 'types')
  const raw = new Map<string, { name: string; type: string }[]>()
  for (const name of Object.keys(types)) {
    if (!STRUCT_NAME.test(name) || SOLIDITY_LIKE.test(name) || ATOMIC.has(name) || name === '__proto__') {
      fail(`types has a struct named ${quote(name)}: use letters, digits, _, $ or :, and no Solidity type name.`, 'types')
    }
    raw.set(name, readFields(name, types[name]))
  }
  const domainFields = raw.get('EIP712Domain')
  if (domainFields) {
    domainFields.forEach((f, i) => {
      const expected = DOMAIN_TYPE.get(f.name)
      const at = `types.EIP712Domain[${i}]`
      if (!expected) fail(`${at} ${quote(f.name)} is not an EIP-712 domain field (${DOMAIN_LIST}).`, at)
      if (f.type !== expected) fail(`${at} ${f.name} must have type ${expected}, not ${quote(f.type)}.`, at, f.type)
    })
  } else {
    // As viem and ethers do: the domain's keys say which fields it has (eth-sig-util would sign an empty domain).
    for (const key of Object.keys(domain)) {
      if (domain[key] !== undefined && !DOMAIN_TYPE.has(key)) {
        const path = FIELD_NAME.test(key) && key.length <= 60 ? `domain.${key}` : `domain[${quote(key)}]`
        fail(`${path} is not an EIP-712 domain field (${DOMAIN_LIST}).`, path)
      }
    }
    raw.set(
      'EIP712Domain',
      DOMAIN_FIELDS.filter(([n]) => domain[n] !== undefined).map(([name, type]) => ({ name, type })),
    )
  }
  const structs = new Map<string, Struct>()
  for (const [name, fields] of raw) {
    const names = new Set<string>()
    const parsed = fields.map((f, i) => {
      if (names.has(f.name)) fail(`types.${name} declares the field ${quote(f.name)} twice.`, `types.${name}[${i}]`)
      names.add(f.name)
      return { name: f.name, kind: parseType(f.type, raw, `types.${name}[${i}].type`) }
    })
    structs.set(name, { fields: parsed, names })
  }
  return { structs, plain: Object.fromEntries(raw) }
}

// ---- values -------------------------------------------------------------------------------

class Walker {
  readonly #structs: ReadonlyMap<string, Struct>
  readonly #path: string[] = []
  #depth = 0
  #count = 0

  constructor(structs: ReadonlyMap<string, Struct>) {
    this.#structs = structs
  }

  #fail(message: string, type: string): never {
    const path = this.#path.join('')
    return fail(`${path} ${message}`, path, type)
  }

  struct(name: string, v: unknown): Record<string, unknown> {
    const struct = this.#structs.get(name)!
    if (!isObject(v)) return this.#fail(`must be a ${name} object, got ${describe(v)}.`, name)
    const out: Record<string, unknown> = {}
    for (const f of struct.fields) {
      const item = Object.hasOwn(v, f.name) ? v[f.name] : undefined
      this.#path.push(`.${f.name}`)
      if (item === undefined) this.#fail(`is missing: ${name} declares it as ${f.kind.type}.`, f.kind.type)
      out[f.name] = this.value(f.kind, item)
      this.#path.pop()
    }
    for (const key of Object.keys(v)) {
      if (!struct.names.has(key) && v[key] !== undefined) {
        this.#fail(
          `has a field ${quote(key)} that ${name} does not declare: it would not be signed; remove it or declare it in types.${name}.`,
          name,
        )
      }
    }
    return out
  }

  value(kind: Kind, v: unknown): unknown {
    if (++this.#count > MAX_VALUES)
      this.#fail(`is too large: typed data may hold at most ${MAX_VALUES.toLocaleString('en-US')} values.`, kind.type)
    switch (kind.t) {
      case 'int':
        return this.#integer(kind, v)
      case 'bool':
        if (typeof v !== 'boolean') this.#fail(`must be a bool (true or false), got ${got(v)}.`, 'bool')
        return v
      case 'string':
        if (typeof v !== 'string') this.#fail(`must be a string, got ${describe(v)}.`, 'string')
        if (!isWellFormed(v)) this.#fail('is not well-formed Unicode (a lone surrogate would be signed as U+FFFD).', 'string')
        return v
      case 'address':
        if (typeof v !== 'string' || !ADDRESS.test(v)) this.#fail(`must be an address (0x and 40 hex digits), got ${got(v)}.`, 'address')
        if (v !== v.toLowerCase() && v.slice(2) !== v.slice(2).toUpperCase() && !isAddress(v, { strict: true })) {
          this.#fail('has a bad EIP-55 checksum (address): use all lowercase or the checksummed form.', 'address')
        }
        return v.toLowerCase()
      case 'bytesN':
        if (v instanceof Uint8Array && v.length === kind.size) return bytesToHex(v)
        if (typeof v === 'string' && v.length === 2 + 2 * kind.size && HEX.test(v)) return v.toLowerCase()
        return this.#fail(
          `must be ${kind.type} (0x and ${2 * kind.size} hex digits, or a Uint8Array of ${kind.size}), got ${got(v)}.`,
          kind.type,
        )
      case 'bytes':
        if (v instanceof Uint8Array) return bytesToHex(v)
        if (typeof v === 'string' && v.length % 2 === 0 && HEX.test(v)) return v.toLowerCase()
        return this.#fail(`must be bytes (0x and an even number of hex digits, or a Uint8Array), got ${got(v)}.`, 'bytes')
      case 'array':
        return this.#array(kind, v)
      case 'struct':
        return this.#nested(kind.type, () => this.struct(kind.type, v))
    }
  }

  #integer(kind: Kind & { t: 'int' }, v: unknown): bigint {
    let n: bigint | undefined
    if (typeof v === 'bigint') n = v
    else if (typeof v === 'number') n = Number.isSafeInteger(v) ? BigInt(v) : undefined
    else if (typeof v === 'string' && (DECIMAL_INT.test(v) || HEX_INT.test(v))) n = BigInt(v)
    if (n === undefined) {
      const what =
        typeof v === 'string' && v !== ''
          ? v.replace(/^-|^0x/, '').length > 80
            ? 'a string of more than 80 digits'
            : 'a string that is not a decimal or 0x-hex integer'
          : got(v)
      return this.#fail(
        `must be ${kind.type}: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got ${what}.`,
        kind.type,
      )
    }
    if (n < kind.min || n > kind.max) {
      const range =
        kind.bits <= 64
          ? `${kind.min} to ${kind.max}`
          : kind.min === 0n
            ? `0 to 2^${kind.bits}-1`
            : `-2^${kind.bits - 1} to 2^${kind.bits - 1}-1`
      this.#fail(`is out of range for ${kind.type} (${range}).`, kind.type)
    }
    return n
  }

  #array(kind: Kind & { t: 'array' }, v: unknown): unknown[] {
    if (!Array.isArray(v)) return this.#fail(`must be an array (${kind.type}), got ${describe(v)}.`, kind.type)
    if (kind.length !== undefined && v.length !== kind.length)
      this.#fail(`must have exactly ${kind.length} items (${kind.type}), got ${v.length}.`, kind.type)
    return this.#nested(kind.type, () => {
      const out = new Array<unknown>(v.length)
      for (let i = 0; i < v.length; i++) {
        this.#path.push(`[${i}]`)
        out[i] = this.value(kind.of, v[i])
        this.#path.pop()
      }
      return out
    })
  }

  #nested<T>(type: string, fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) this.#fail(`nests more than ${MAX_DEPTH} structs and arrays deep (a cyclic value?).`, type)
    const out = fn()
    this.#depth--
    return out
  }

  /** Starts a walk at `root` ("domain" or "message"). */
  at(root: string): this {
    this.#path.length = 0
    this.#path.push(root)
    this.#depth = 0
    return this
  }
}

/**
 * Checks EIP-712 typed data strictly (every type and value, recursively; see the module notes
 * for the rules) and returns a canonical copy to hash: explicit `EIP712Domain`, integers as
 * bigint, bytes as lowercase hex, addresses lowercased, structs with only their fields. The
 * input is not changed. @throws InvalidArgumentError naming the path and type of the first bad
 * value
 */
export function checkTypedData(typedData: unknown): TypedDataDefinition {
  try {
    if (!isObject(typedData))
      fail(`Typed data must be an object with domain, types, primaryType and message, got ${describe(typedData)}.`, 'typedData')
    const { domain = {}, types, primaryType, message } = typedData
    if (!isObject(domain)) fail(`domain must be an object, got ${describe(domain)}.`, 'domain')
    const { structs, plain } = readTypes(types, domain)
    if (typeof primaryType !== 'string') fail(`primaryType must be a string, got ${describe(primaryType)}.`, 'primaryType')
    if (!structs.has(primaryType)) fail(`primaryType ${quote(primaryType)} is not defined in types.`, 'primaryType')
    const walker = new Walker(structs)
    const checkedDomain = walker.at('domain').struct('EIP712Domain', domain)
    if (primaryType === 'EIP712Domain') {
      if (message !== undefined && !(isObject(message) && Object.values(message).every((v) => v === undefined))) {
        fail('message must be empty when primaryType is EIP712Domain: only the domain is signed.', 'message')
      }
      return { domain: checkedDomain, types: plain, primaryType } as unknown as TypedDataDefinition
    }
    const checkedMessage = walker.at('message').struct(primaryType, message)
    return { domain: checkedDomain, types: plain, primaryType, message: checkedMessage } as unknown as TypedDataDefinition
  } catch (error) {
    if (error instanceof CofferError) throw error
    // A getter or proxy that throws, or a stack overflow: the input cannot be read as typed data.
    throw new InvalidArgumentError('Typed data could not be read (EIP-712).', { cause: error })
  }
}
