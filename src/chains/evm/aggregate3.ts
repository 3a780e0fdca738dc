/**
 * Multicall3 `aggregate3` calldata and return data, encoded and decoded by hand on hex strings.
 * viem's generic ABI coder took about a third of a 4,000-balance read (encode and decode of
 * the chunks); this one knows the two fixed shapes and slices the answer in place.
 *
 * The answer is a node's word: the decoder checks every offset and length against the data it
 * has and refuses anything else with an RpcError, never reads past the end. Tested against
 * viem's coder as the oracle (test/chains/evm/aggregate3.test.ts).
 * @module
 * @internal
 */
import type { Hex } from 'viem'
import { RpcError } from '../../core/errors.js'

/** `aggregate3((address,bool,bytes)[])`. */
const AGGREGATE3 = '0x82ad56cb'

/** One call of an `aggregate3`. */
export interface Aggregate3Call {
  readonly target: `0x${string}`
  readonly allowFailure: boolean
  readonly callData: Hex
}

/** One result of an `aggregate3`. */
export interface Aggregate3Result {
  readonly success: boolean
  readonly returnData: Hex
}

const ZERO_WORD = '0'.repeat(64)
const ONE_WORD = `${'0'.repeat(63)}1`
/** The high 52 hex digits of a word that holds a size (sizes fit in the low 48 bits). */
const HIGH_ZEROS = '0'.repeat(52)
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/

/** A non-negative integer as one 32-byte word (64 hex digits). */
const uintWord = (n: number) => n.toString(16).padStart(64, '0')
/** The offset of a call's bytes inside its tuple: after target, allowFailure and the offset itself. */
const OFFSET_96 = uintWord(96)

/** The calldata of `aggregate3(calls)`, built as one list of parts joined once (a flat string, no ropes). */
export function encodeAggregate3(calls: readonly Aggregate3Call[]): Hex {
  const parts: string[] = [AGGREGATE3, uintWord(32), uintWord(calls.length)]
  const tails: string[] = []
  const targets = new Map<string, string>()
  // Offsets count from the start of the offsets themselves (just after the array's length).
  let offset = 32 * calls.length
  for (const call of calls) {
    parts.push(uintWord(offset))
    let target = targets.get(call.target)
    if (target === undefined) targets.set(call.target, (target = call.target.slice(2).toLowerCase().padStart(64, '0')))
    const size = (call.callData.length - 2) / 2
    const pad = (32 - (size % 32)) % 32
    tails.push(target, call.allowFailure ? ONE_WORD : ZERO_WORD, OFFSET_96, uintWord(size), call.callData.slice(2))
    if (pad) tails.push(ZERO_WORD.slice(0, 2 * pad))
    offset += 128 + size + pad
  }
  for (const t of tails) parts.push(t)
  return parts.join('') as Hex
}

/** Reads words of one answer, refusing anything out of bounds. */
class Reader {
  readonly #hex: string
  readonly #bytes: number
  constructor(hex: string) {
    this.#hex = hex
    this.#bytes = (hex.length - 2) / 2
  }

  /** The 64 hex digits of the word at byte `at`. */
  word(at: number): string {
    this.need(at, 32)
    return this.#hex.slice(2 + 2 * at, 66 + 2 * at)
  }

  /** A size or offset at byte `at`. */
  size(at: number): number {
    const w = this.word(at)
    if (!w.startsWith(HIGH_ZEROS)) throw malformed(`a size of ${w.slice(0, 16)}… at byte ${at}`)
    return Number.parseInt(w.slice(52), 16)
  }

  /** A bool at byte `at`: 0 or 1, nothing else. */
  bool(at: number): boolean {
    const w = this.word(at)
    if (w === ZERO_WORD) return false
    if (w === ONE_WORD) return true
    throw malformed(`a bool of ${w.slice(0, 16)}… at byte ${at}`)
  }

  /** `length` bytes from byte `at`, as 0x-hex. */
  bytes(at: number, length: number): Hex {
    this.need(at, length)
    return `0x${this.#hex.slice(2 + 2 * at, 2 + 2 * (at + length))}` as Hex
  }

  need(at: number, length: number): void {
    if (at + length > this.#bytes) throw malformed(`${length} bytes at byte ${at} of ${this.#bytes}`)
  }
}

const malformed = (what: string) => new RpcError(`Multicall3 answered malformed aggregate3 data: ${what}.`)

/**
 * The `(bool success, bytes returnData)[]` of an `aggregate3` answer.
 * @throws RpcError when the data is not a well-formed answer
 */
export function decodeAggregate3(data: Hex): Aggregate3Result[] {
  if (typeof data !== 'string' || !HEX.test(data)) throw malformed('not hex')
  const r = new Reader(data)
  const array = r.size(0)
  const count = r.size(array)
  const start = array + 32
  r.need(start, 32 * count)
  const out: Aggregate3Result[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const tuple = start + r.size(start + 32 * i)
    const success = r.bool(tuple)
    const bytes = tuple + r.size(tuple + 32)
    out[i] = { success, returnData: r.bytes(bytes + 32, r.size(bytes)) }
  }
  return out
}
