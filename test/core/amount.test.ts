import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAmount, InvalidAmountError, MAX_AMOUNT, parseAmount } from 'coffer'

describe('parseAmount', () => {
  it.each([
    ['12.5', 6, 12_500_000n],
    ['0.000001', 6, 1n],
    ['.5', 1, 5n],
    ['7', 0, 7n],
    ['7.', 2, 700n],
    ['  42.10  ', 2, 4210n],
    ['1.500000000', 6, 1_500_000n],
    ['0', 18, 0n],
    ['00012', 0, 12n],
    ['1', 18, 10n ** 18n],
    ['115792089237316195423570985008687907853269984665640564039457584007913129639935', 0, MAX_AMOUNT],
  ])('parses %j with %i decimals', (text, decimals, expected) => {
    expect(parseAmount(text, decimals)).toBe(expected)
  })

  it.each([
    ['-1', 6, /negative/],
    ['+1', 6, /plain decimal/],
    ['1e6', 6, /plain decimal/],
    ['NaN', 6, /plain decimal/],
    ['Infinity', 6, /plain decimal/],
    ['', 6, /plain decimal/],
    ['   ', 6, /plain decimal/],
    ['.', 6, /plain decimal/],
    ['1.2.3', 6, /plain decimal/],
    ['1,000', 6, /plain decimal/],
    ['1_000', 6, /plain decimal/],
    ['0x10', 6, /plain decimal/],
    ['١٢', 6, /plain decimal/], // Arabic-Indic digits are not ASCII digits
    ['1.0000001', 6, /more than 6 decimal places/],
    ['0.1', 0, /more than 0 decimal places/],
    ['115792089237316195423570985008687907853269984665640564039457584007913129639936', 0, /2\^256/],
  ])('rejects %j (%i decimals)', (text, decimals, message) => {
    expect(() => parseAmount(text, decimals)).toThrow(InvalidAmountError)
    expect(() => parseAmount(text, decimals)).toThrow(message)
  })

  it('rejects non-strings and bad decimals with InvalidAmountError', () => {
    for (const bad of [1.5, 1n, null, undefined, {}, []]) {
      expect(() => parseAmount(bad as never, 6)).toThrow(InvalidAmountError)
    }
    for (const bad of [-1, 1.5, 256, NaN, '6', null]) {
      expect(() => parseAmount('1', bad as never)).toThrow(InvalidAmountError)
    }
  })

  it('refuses huge inputs quickly instead of parsing them', () => {
    expect(() => parseAmount('9'.repeat(1_000_000), 6)).toThrow(/too long/)
  })
})

describe('formatAmount', () => {
  it.each([
    [12_500_000n, 6, '12.5'],
    [1n, 6, '0.000001'],
    [0n, 18, '0'],
    [10n ** 18n, 18, '1'],
    [123n, 0, '123'],
    [-1_500_000n, 6, '-1.5'],
    [MAX_AMOUNT, 18, '115792089237316195423570985008687907853269984665640564039457.584007913129639935'],
  ])('formats %s with %i decimals as %j', (units, decimals, expected) => {
    expect(formatAmount(units, decimals)).toBe(expected)
  })

  it('rejects numbers (floats must never hold money)', () => {
    expect(() => formatAmount(1 as never, 6)).toThrow(InvalidAmountError)
    expect(() => formatAmount('1' as never, 6)).toThrow(InvalidAmountError)
  })
})

describe('round trip (property)', () => {
  it('parseAmount(formatAmount(x, d), d) === x for decimals 0..36', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 36 }), (units, decimals) => {
        expect(parseAmount(formatAmount(units, decimals), decimals)).toBe(units)
      }),
      { numRuns: 2000 },
    )
  })

  it('formatAmount(parseAmount(s, d), d) is the canonical form of any accepted string', () => {
    const decimalString = fc
      .tuple(fc.stringMatching(/^\d{0,40}$/), fc.stringMatching(/^\d{0,36}$/), fc.integer({ min: 0, max: 36 }))
      .filter(([w, f, d]) => (w + f).length > 0 && f.replace(/0+$/, '').length <= d)
    fc.assert(
      fc.property(decimalString, ([whole, fraction, decimals]) => {
        const text = fraction ? `${whole}.${fraction}` : whole
        const units = parseAmount(text, decimals)
        const formatted = formatAmount(units, decimals)
        expect(parseAmount(formatted, decimals)).toBe(units)
        expect(formatted).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$/)
      }),
    )
  })

  it('never throws anything but InvalidAmountError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 0, max: 40 }), (text, decimals) => {
        try {
          const units = parseAmount(text, decimals)
          expect(units).toBeGreaterThanOrEqual(0n)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidAmountError)
        }
      }),
    )
  })
})
