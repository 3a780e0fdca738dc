import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatPath, harden, HARDENED_OFFSET, InvalidPathError, isHardened, parsePath } from 'coffer/keys'

const H = HARDENED_OFFSET

describe('parsePath', () => {
  it.each([
    ['m', []],
    ["m/44'/60'/0'/0/0", [44 + H, 60 + H, H, 0, 0]],
    ['m/84h/0H/0h/1/7', [84 + H, H, H, 1, 7]],
    ["m/2147483647'/2147483647", [0xffff_ffff, 2147483647]],
    ['m/0', [0]],
  ])('parses %s', (path, indices) => {
    expect(parsePath(path)).toEqual(indices)
  })

  it.each([
    ['', 'must start with "m/"'],
    ['44/0', 'must start with "m/"'],
    ['M/44', 'must start with "m/"'],
    ['/44', 'must start with "m/"'],
    ['m/', 'segment 1 is empty'],
    ['m//0', 'segment 1 is empty'],
    ["m/44'/", 'segment 2 is empty'],
    ['m/2147483648', '2^31 or more'],
    ["m/2147483648'", '2^31 or more'],
    ['m/99999999999', 'not a number'],
    ['m/-1', 'not a number'],
    ['m/01', 'not a number'],
    ["m/1''", 'not a number'],
    ['m/1x', 'not a number'],
    ['m/ 1', 'not a number'],
    ['m/1.5', 'not a number'],
    ['m/1’', 'not a number'], // typographic apostrophe
    [`m${'/0'.repeat(256)}`, 'deeper than 255'],
  ])('rejects %j', (path, message) => {
    expect(() => parsePath(path)).toThrow(InvalidPathError)
    expect(() => parsePath(path)).toThrow(message)
  })

  it('accepts depth 255 exactly', () => {
    expect(parsePath(`m${'/0'.repeat(255)}`)).toHaveLength(255)
  })
})

describe('formatPath', () => {
  it('writes hardened indices with an apostrophe', () => {
    expect(formatPath([44 + H, 60 + H, H, 0, 0])).toBe("m/44'/60'/0'/0/0")
    expect(formatPath([])).toBe('m')
  })
  it.each([[[-1]], [[2 ** 32]], [[1.5]], [['1']], [[NaN]]])('rejects %j', (indices) => {
    expect(() => formatPath(indices as never)).toThrow(InvalidPathError)
  })
})

describe('harden / isHardened', () => {
  it('adds 2^31', () => {
    expect(harden(44)).toBe(44 + H)
    expect(isHardened(harden(0))).toBe(true)
    expect(isHardened(2 ** 31 - 1)).toBe(false)
    expect(() => harden(H)).toThrow(InvalidPathError)
  })
})

describe('round trip (property)', () => {
  it('parsePath(formatPath(x)) === x for any valid index list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { maxLength: 255 }), (indices) => {
        expect(parsePath(formatPath(indices))).toEqual(indices)
      }),
    )
  })

  it('arbitrary strings parse to a path that formats back canonically, or throw InvalidPathError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^m(\/\d{1,11}['hH]?){0,6}$/)), (text) => {
        try {
          const indices = parsePath(text)
          expect(parsePath(formatPath(indices))).toEqual(indices)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidPathError)
        }
      }),
    )
  })
})
