/**
 * BIP-32 derivation paths: `m/44'/60'/0'/0/0`. Hardened segments may be marked with
 * `'`, `h` or `H`; {@link formatPath} always writes `'`.
 * @module
 */
import { describe, isIntegerIn } from '../core/assert.js'
import { InvalidPathError } from '../core/errors.js'

/** Added to an index to make it hardened (2^31). */
export const HARDENED_OFFSET = 0x8000_0000
/** BIP-32 serialises depth in one byte. */
export const MAX_DEPTH = 255
const MAX_PATH_LENGTH = 4096
const SEGMENT = /^(0|[1-9]\d{0,9})(['hH]?)$/

/** Returns `index` hardened (adds 2^31). */
export function harden(index: number): number {
  if (!isIntegerIn(index, 0, HARDENED_OFFSET - 1)) {
    throw new InvalidPathError(
      `Index to harden must be an integer from 0 to 2^31 - 1, got ${typeof index === 'number' ? index : describe(index)}.`,
    )
  }
  return index + HARDENED_OFFSET
}

/** True if the (full, 32-bit) index is hardened; false for anything that is not such an index. */
export function isHardened(index: number): boolean {
  return isIntegerIn(index, HARDENED_OFFSET, 0xffff_ffff)
}

function fail(path: unknown, problem: string, segment?: number): never {
  const shown = typeof path === 'string' ? JSON.stringify(path.slice(0, 100)) : describe(path)
  throw new InvalidPathError(`Invalid derivation path ${shown}: ${problem}.`, {
    details: segment === undefined ? undefined : { segment },
  })
}

/** Parses one segment ("44'", "0", "7h") into a full 32-bit index, or fails naming the segment number. */
export function parseSegment(segment: string, path: string, position: number): number {
  const m = SEGMENT.exec(segment)
  if (!m) {
    fail(
      path,
      segment === '' ? `segment ${position} is empty` : `segment ${position} is not a number with an optional ' h H mark`,
      position,
    )
  }
  const index = Number(m[1])
  if (index >= HARDENED_OFFSET) fail(path, `segment ${position} is 2^31 or more (write hardened indices as 0' to 2147483647')`, position)
  return m[2] ? index + HARDENED_OFFSET : index
}

/**
 * Parses `m/…` into full 32-bit indices (hardened ones have 2^31 added).
 * `"m"` alone is the root, `[]`.
 *
 * Rejects: a missing leading `m`, empty segments (`m//0`, trailing `/`), leading zeros,
 * anything but digits and one hardened mark, indices ≥ 2^31 before hardening, depth > 255.
 * @throws InvalidPathError
 */
export function parsePath(path: string): number[] {
  if (typeof path !== 'string') fail(path, "expected a string like \"m/44'/60'/0'/0/0\"")
  if (path.length > MAX_PATH_LENGTH) fail(path, 'too long')
  if (path === 'm') return []
  if (!path.startsWith('m/')) fail(path, 'must start with "m/"')
  const segments = path.slice(2).split('/')
  if (segments.length > MAX_DEPTH) fail(path, `deeper than ${MAX_DEPTH} levels`)
  return segments.map((segment, i) => parseSegment(segment, path, i + 1))
}

/**
 * Formats full 32-bit indices as `m/…`, marking hardened indices with `'`.
 * @throws InvalidPathError
 */
export function formatPath(indices: readonly number[]): string {
  if (!Array.isArray(indices)) fail(indices, 'expected an array of indices')
  if (indices.length > MAX_DEPTH) fail(indices, `deeper than ${MAX_DEPTH} levels`)
  let out = 'm'
  for (const [i, index] of indices.entries()) {
    if (!isIntegerIn(index, 0, 0xffff_ffff)) {
      fail(indices, `index ${i + 1} must be an integer from 0 to 2^32 - 1`, i + 1)
    }
    out += index >= HARDENED_OFFSET ? `/${index - HARDENED_OFFSET}'` : `/${index}`
  }
  return out
}
