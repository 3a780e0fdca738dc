import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/core/errors.js'
import { addDecimals, fiatValue, formatDecimal, parsePrice, priceFromNumber, type Decimal } from '../../src/core/decimal.js'

const d = (units: bigint, scale: number): Decimal => ({ units, scale })

describe('parsePrice', () => {
  it.each([
    ['1', 1n, 0],
    ['0.9998', 9998n, 4],
    ['67234.12', 6723412n, 2],
    ['1e-7', 1n, 7],
    ['2.5E+3', 2500n, 0],
    ['2.5e3', 2500n, 0],
    ['1.50', 15n, 1],
    ['0', 0n, 0],
    ['0.000', 0n, 0],
    ['.5', 5n, 1],
    ['5.', 5n, 0],
    ['  42 ', 42n, 0],
    ['1e60', 10n ** 60n, 0],
    ['1e-60', 1n, 60],
    ['1234567890123456789012345678901234567890', 1234567890123456789012345678901234567890n, 0],
    ['0.00000000000000000000000000000000000000000000000001', 1n, 50],
  ])('parses %j exactly', (text, units, scale) => {
    expect(parsePrice(text)).toEqual({ units, scale })
  })

  it.each([
    '',
    '  ',
    '-1',
    '-0',
    '+1',
    'NaN',
    'Infinity',
    '-Infinity',
    '.',
    'e5',
    '1e',
    '1e+',
    '1.2.3',
    '1,000',
    '0x10',
    '1 000',
    '1e61',
    '1e-61',
    '12345678901234567890123456789012345678901',
    `1${'0'.repeat(250)}`,
  ])('rejects %j', (text) => {
    expect(() => parsePrice(text)).toThrow(InvalidArgumentError)
  })

  it('says why a negative price is refused', () => {
    expect(() => parsePrice('-1')).toThrow(/must not be negative/)
    expect(() => parsePrice('1e99')).toThrow(/exponent/)
    expect(() => parsePrice('12345678901234567890123456789012345678901')).toThrow(/significant digits/)
  })

  it('rejects non-strings', () => {
    expect(() => parsePrice(1 as unknown as string)).toThrow(InvalidArgumentError)
    expect(() => parsePrice(undefined as unknown as string)).toThrow(InvalidArgumentError)
  })

  it('returns frozen values', () => {
    expect(Object.isFrozen(parsePrice('1.5'))).toBe(true)
  })
})

describe('priceFromNumber', () => {
  it('keeps the shortest round-trip decimal', () => {
    expect(formatDecimal(priceFromNumber(0.1))).toBe('0.1')
    expect(formatDecimal(priceFromNumber(0.9998))).toBe('0.9998')
    expect(formatDecimal(priceFromNumber(1e-7))).toBe('0.0000001')
    expect(formatDecimal(priceFromNumber(1e21))).toBe('1000000000000000000000')
    expect(formatDecimal(priceFromNumber(67234.12))).toBe('67234.12')
    expect(formatDecimal(priceFromNumber(-0))).toBe('0')
    expect(formatDecimal(priceFromNumber(1.5e-60))).toBe(`0.${'0'.repeat(59)}15`)
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -1e-9, 5e-324, 1e300])('rejects %s', (n) => {
    expect(() => priceFromNumber(n)).toThrow(InvalidArgumentError)
  })

  it('rejects non-numbers', () => {
    expect(() => priceFromNumber('1' as unknown as number)).toThrow(InvalidArgumentError)
  })
})

describe('fiatValue', () => {
  it('multiplies exactly', () => {
    const v = fiatValue(1_500_000n, 6, parsePrice('0.9998'))
    expect(formatDecimal(v)).toBe('1.4997')
    expect(formatDecimal(v, 2)).toBe('1.50')
    expect(formatDecimal(fiatValue(10n ** 18n, 18, parsePrice('3120.55')), 2)).toBe('3120.55')
    expect(formatDecimal(fiatValue(1n, 18, parsePrice('3000')))).toBe('0.000000000000003')
    expect(formatDecimal(fiatValue(0n, 6, parsePrice('1')), 2)).toBe('0.00')
    expect(formatDecimal(fiatValue(12_345n, 8, parsePrice('67234.12')))).toBe('8.300052114')
  })

  it('is exact for 2^256 - 1 wei at a price of 1e6', () => {
    const max = 2n ** 256n - 1n
    const v = fiatValue(max, 18, parsePrice('1e6'))
    const s = formatDecimal(v)
    // max × 10^6 / 10^18 = max / 10^12
    const digits = max.toString()
    expect(s).toBe(`${digits.slice(0, -12)}.${digits.slice(-12)}`)
    const cents = (max + 5n * 10n ** 9n) / 10n ** 10n // half-up to 2 digits
    expect(formatDecimal(v, 2)).toBe(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`)
    expect(formatDecimal(v, 2)).toBe('115792089237316195423570985008687907853269984665640564039457584007.91')
  })

  it('handles negative deltas', () => {
    expect(formatDecimal(fiatValue(-2_500_000n, 6, parsePrice('2')))).toBe('-5')
  })

  it('rejects bad input', () => {
    expect(() => fiatValue(1 as unknown as bigint, 6, parsePrice('1'))).toThrow(InvalidArgumentError)
    expect(() => fiatValue(1n, -1, parsePrice('1'))).toThrow(InvalidArgumentError)
    expect(() => fiatValue(1n, 256, parsePrice('1'))).toThrow(InvalidArgumentError)
    expect(() => fiatValue(1n, 1.5, parsePrice('1'))).toThrow(InvalidArgumentError)
    expect(() => fiatValue(1n, 6, { units: 1, scale: 0 } as unknown as Decimal)).toThrow(InvalidArgumentError)
    expect(() => fiatValue(1n, 6, { units: 1n, scale: -1 })).toThrow(InvalidArgumentError)
  })
})

describe('addDecimals', () => {
  it('aligns scales', () => {
    expect(addDecimals(parsePrice('1.25'), parsePrice('0.005'))).toEqual({ units: 1255n, scale: 3 })
    expect(addDecimals(parsePrice('0.5'), parsePrice('0.5'))).toEqual({ units: 1n, scale: 0 })
    expect(formatDecimal(addDecimals(d(-5n, 1), d(2n, 2)))).toBe('-0.48')
  })
})

describe('formatDecimal', () => {
  it.each([
    [d(1005n, 3), 2, '1.01'],
    [d(1004n, 3), 2, '1.00'],
    [d(10049999n, 7), 2, '1.00'],
    [d(995n, 3), 2, '1.00'],
    [d(9995n, 3), 2, '10.00'],
    [d(5n, 1), 0, '1'],
    [d(4n, 1), 0, '0'],
    [d(15n, 1), 0, '2'],
    [d(25n, 1), 0, '3'],
    [d(5n, 3), 2, '0.01'],
    [d(4n, 3), 2, '0.00'],
    [d(-1005n, 3), 2, '-1.01'],
    [d(-1004n, 3), 2, '-1.00'],
    [d(-4n, 3), 2, '0.00'],
    [d(-5n, 3), 2, '-0.01'],
    [d(-5n, 1), 0, '-1'],
    [d(7n, 0), 3, '7.000'],
    [d(12n, 1), 4, '1.2000'],
    [d(0n, 0), 2, '0.00'],
    [d(1n, 7), 7, '0.0000001'],
    [d(123n, 0), 0, '123'],
  ])('formatDecimal(%o, %i) = %s', (value, digits, expected) => {
    expect(formatDecimal(value, digits)).toBe(expected)
  })

  it.each([
    [d(15000n, 4), '1.5'],
    [d(0n, 5), '0'],
    [d(2500n, 0), '2500'],
    [d(1n, 7), '0.0000001'],
    [d(-120n, 2), '-1.2'],
    [d(100n, 2), '1'],
  ])('exact formatDecimal(%o) = %s', (value, expected) => {
    expect(formatDecimal(value)).toBe(expected)
  })

  it('rejects bad fractionDigits and values', () => {
    expect(() => formatDecimal(d(1n, 0), -1)).toThrow(InvalidArgumentError)
    expect(() => formatDecimal(d(1n, 0), 1.5)).toThrow(InvalidArgumentError)
    expect(() => formatDecimal(null as unknown as Decimal)).toThrow(InvalidArgumentError)
    expect(() => formatDecimal(d(1n, 0.5))).toThrow(InvalidArgumentError)
  })
})

describe('properties', () => {
  const decimal = fc.record({ units: fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }), scale: fc.integer({ min: 0, max: 60 }) })
  const normalized = (x: Decimal) => addDecimals(x, d(0n, 0))

  it('formatDecimal(exact) round-trips through parsePrice', () => {
    fc.assert(
      fc.property(decimal, (x) => {
        expect(parsePrice(formatDecimal(x))).toEqual(normalized(x))
      }),
    )
  })

  it('parsePrice agrees with scientific notation', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.integer({ min: -60, max: 60 }), (m, e) => {
        const parsed = parsePrice(`${m}e${e}`)
        const expected = e >= 0 ? d(m * 10n ** BigInt(e), 0) : d(m, -e)
        expect(parsed).toEqual(normalized(expected))
      }),
    )
  })

  it('priceFromNumber matches the number to double precision', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.double({ min: 1e-55, max: 1e55, noNaN: true })), (n) => {
        expect(Number(formatDecimal(priceFromNumber(n)))).toBe(n)
      }),
    )
  })

  it('fiatValue distributes over addition of amounts', () => {
    const amount = fc.bigInt({ min: 0n, max: 2n ** 200n })
    fc.assert(
      fc.property(amount, amount, fc.integer({ min: 0, max: 36 }), decimal, (a, b, decimals, price) => {
        expect(fiatValue(a + b, decimals, price)).toEqual(addDecimals(fiatValue(a, decimals, price), fiatValue(b, decimals, price)))
      }),
    )
  })

  it('rounding is within half a unit, ties away from zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (units, scale, digits) => {
          const text = formatDecimal(d(units, scale), digits)
          expect(text.split('.')[1]?.length ?? 0).toBe(digits)
          const rounded = BigInt(text.replace('.', '')) // units at scale `digits`
          // exact value at scale max(scale, digits) + 1, times 2, compared with the rounded value
          const s = Math.max(scale, digits)
          const exact = units * 10n ** BigInt(s - scale)
          const r = rounded * 10n ** BigInt(s - digits)
          const half = 10n ** BigInt(s - digits) // one unit of the last kept digit, at scale s
          const diff = exact - r
          // |diff| ≤ half/2, and on a tie the rounded value is the one further from zero
          expect(2n * (diff < 0n ? -diff : diff) <= half).toBe(true)
          if (2n * (diff < 0n ? -diff : diff) === half && half > 1n) expect(r < 0n ? r < exact : r > exact).toBe(true)
        },
      ),
    )
  })
})
