/**
 * RLP encoding (Ethereum Yellow Paper, appendix B) of what EVM transactions carry: byte
 * strings and lists of them. Integers go in as their minimal big-endian bytes
 * ({@link rlpInteger}: zero is the empty string, never a leading zero byte).
 * @module
 * @internal
 */

/** A byte string or a list of items. */
export type RlpItem = Uint8Array | readonly RlpItem[]

/** The minimal big-endian bytes of a non-negative integer; 0 is empty. */
export function rlpInteger(value: bigint | number): Uint8Array {
  let hex = value.toString(16)
  if (hex === '0') return new Uint8Array(0)
  if (hex.length % 2) hex = `0${hex}`
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** A length prefix: `short` + length under 56 bytes, else `long` + the length's byte count, then the length. */
function prefix(length: number, short: number, long: number): Uint8Array {
  if (length < 56) return Uint8Array.of(short + length)
  const bytes = rlpInteger(length)
  return Uint8Array.of(long + bytes.length, ...bytes)
}

function parts(item: RlpItem, out: Uint8Array[]): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && (item[0] as number) < 0x80) {
      out.push(item)
      return 1
    }
    const head = prefix(item.length, 0x80, 0xb7)
    out.push(head, item)
    return head.length + item.length
  }
  const at = out.length
  out.push(new Uint8Array(0)) // the list's prefix, once its payload length is known
  let length = 0
  for (const child of item) length += parts(child, out)
  const head = prefix(length, 0xc0, 0xf7)
  out[at] = head
  return head.length + length
}

/** The RLP encoding of `item`. */
export function rlpEncode(item: RlpItem): Uint8Array {
  const out: Uint8Array[] = []
  const result = new Uint8Array(parts(item, out))
  let offset = 0
  for (const part of out) {
    result.set(part, offset)
    offset += part.length
  }
  return result
}
