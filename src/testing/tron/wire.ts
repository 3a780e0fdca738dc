/**
 * Small pieces of Tron's wire formats the local server needs on its own: addresses (41… hex and
 * base58check), the outer `Transaction` protobuf (raw_data and signatures; the raw_data itself is
 * decoded by tronweb), SHA-256, and JSON with int64s written as numbers.
 * @module
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { createBase58check } from '@scure/base'

const base58check = createBase58check(sha256)

export { bytesToHex, hexToBytes }

/** SHA-256 of bytes, as lowercase hex. */
export const sha256Hex = (bytes: Uint8Array): string => bytesToHex(sha256(bytes))

/** True for an even-length, non-empty string of hex digits (no 0x). */
export const isHex = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(s)

/** base58check `T…` of a 41… hex address. */
export function toBase58(hex41: string): string {
  return base58check.encode(hexToBytes(hex41))
}

/** The 41… hex (lowercase) of a base58 `T…` address, or null when it is not one. */
export function fromBase58(address: string): string | null {
  try {
    const bytes = base58check.decode(address)
    return bytes.length === 21 && bytes[0] === 0x41 ? bytesToHex(bytes) : null
  } catch {
    return null
  }
}

/**
 * A Tron address as java-tron reads it: base58 when `visible`, else hex (41…). TronGrid's v1
 * API (`loose`) takes either, and 0x… hex too. Returns the 41… hex, or null.
 */
export function parseAddress(value: unknown, visible: boolean, loose = false): string | null {
  if (typeof value !== 'string') return null
  if (visible || loose) {
    const hex = fromBase58(value)
    if (hex) return hex
    if (visible && !loose) return null
  }
  const h = value.replace(loose ? /^0x/i : /^$/, '41').toLowerCase()
  return /^41[0-9a-f]{40}$/.test(h) ? h : null
}

/** The EVM address (0x + 20 bytes) of a 41… hex address. */
export const evmOf = (hex41: string): `0x${string}` => `0x${hex41.slice(2)}`

/** The 41… hex of an EVM address. */
export const tronOf = (evm: string): string => `41${evm.slice(2).toLowerCase()}`

/** One field of a protobuf message. */
interface Field {
  readonly field: number
  readonly wire: number
  readonly bytes?: Uint8Array
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let value = 0n
  let shift = 0n
  for (;;) {
    if (pos >= buf.length || shift > 63n) throw new Error('truncated varint')
    const b = buf[pos++]!
    value |= BigInt(b & 0x7f) << shift
    if ((b & 0x80) === 0) return [value, pos]
    shift += 7n
  }
}

/** The fields of a protobuf message (varints and length-delimited ones; other wire types are refused). */
function protoFields(buf: Uint8Array): Field[] {
  const out: Field[] = []
  let pos = 0
  while (pos < buf.length) {
    const [tag, p] = readVarint(buf, pos)
    pos = p
    const field = Number(tag >> 3n)
    const wire = Number(tag & 7n)
    if (field === 0) throw new Error('field number 0')
    if (wire === 0) {
      pos = readVarint(buf, pos)[1]
      out.push({ field, wire })
    } else if (wire === 2) {
      const [len, q] = readVarint(buf, pos)
      const end = q + Number(len)
      if (end > buf.length) throw new Error('truncated length-delimited field')
      out.push({ field, wire, bytes: buf.subarray(q, end) })
      pos = end
    } else {
      throw new Error(`unexpected wire type ${wire}`)
    }
  }
  return out
}

/** A signed `Transaction` split: raw_data (field 1), signatures (field 2); `ret` (field 5) is ignored. */
export function splitTransaction(bytes: Uint8Array): { raw: Uint8Array; signatures: Uint8Array[] } {
  let raw: Uint8Array | undefined
  const signatures: Uint8Array[] = []
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 2) raw = f.bytes
    else if (f.field === 2 && f.wire === 2) signatures.push(f.bytes!)
    else if (f.field !== 5) throw new Error(`unexpected field ${f.field} in Transaction`)
  }
  if (!raw) throw new Error('no raw_data in Transaction')
  return { raw, signatures }
}

/** How many `contract` entries (field 11) a Transaction.raw holds. */
export function contractCount(raw: Uint8Array): number {
  return protoFields(raw).filter((f) => f.field === 11).length
}

/** Bytes of a serialized `Transaction { raw_data, signature… }` (what bandwidth counts, ret cleared). */
export function serializedSize(rawLength: number, signatureLengths: readonly number[]): number {
  const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4)
  const field = (len: number) => 1 + varintLength(len) + len
  return field(rawLength) + signatureLengths.reduce((s, l) => s + field(l), 0)
}

/** JSON with bigints as plain integers (java-tron's int64s are JSON numbers). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `__i64__${v}` : v)).replace(/"__i64__(-?\d+)"/g, '$1')
}

/** UTF-8 text as hex (java-tron prints `bytes` fields as hex unless `visible`). */
export const utf8Hex = (text: string): string => bytesToHex(new TextEncoder().encode(text))
