import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import jsQR from 'jsqr'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/core/errors.js'
import { MAX_QR_TEXT_LENGTH, paymentQr } from '../../src/payments/qr.js'
import { formatPaymentUri, parsePaymentUri } from '../../src/payments/uri.js'
import { expectOnlyCofferErrors } from '../support/hostile.js'
import vectors from '../vectors/payment-uris.json'

type Level = 'L' | 'M' | 'Q' | 'H'
type Matrix = boolean[][] // [row][col], true = dark module, quiet zone included

/** The library's own module matrix for `text` (true = dark), without quiet zone. */
function expectedModules(text: string, level: Level): Matrix {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: level }).modules
  return Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => data[r * size + c] === 1))
}

function withoutMargin(matrix: Matrix, margin: number): Matrix {
  return matrix.slice(margin, matrix.length - margin).map((row) => row.slice(margin, row.length - margin))
}

/** Rebuilds the module matrix an SVG from `paymentQr` draws: its viewBox, then the runs of its stroked path. */
function svgToMatrix(svg: string): Matrix {
  expect(svg).toMatch(
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges">(<path [^<>]*\/>)+<\/svg>\n$/,
  )
  const full = Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1])
  expect(svg).toContain(`<path fill="#ffffff" d="M0 0h${full}v${full}H0z"/>`)
  const d = /<path stroke="#000000" d="([^"]*)"\/>/.exec(svg)?.[1] ?? ''
  const matrix: Matrix = Array.from({ length: full }, () => Array<boolean>(full).fill(false))
  let x = 0
  let y = 0
  for (const [, cmd, a, b] of d.matchAll(/([MmhH])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const n = Number(a)
    if (cmd === 'M') [x, y] = [n, Number(b) - 0.5]
    else if (cmd === 'm') x += n
    else if (cmd === 'h') {
      for (let i = 0; i < n; i++) (matrix[y] as boolean[])[x + i] = true
      x += n
    }
  }
  return matrix
}

/** Rebuilds the module matrix of the terminal form: drawn half blocks are light modules. */
function terminalToMatrix(text: string): Matrix {
  expect(text).toMatch(/^[█▀▄ \n]+$/)
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  const full = (lines[0] as string).length
  for (const line of lines) expect(line.length).toBe(full)
  expect(lines.length).toBe(Math.ceil(full / 2))
  const rows: Matrix = []
  for (const line of lines) {
    rows.push([...line].map((ch) => !(ch === '█' || ch === '▀')))
    rows.push([...line].map((ch) => !(ch === '█' || ch === '▄')))
  }
  return rows.slice(0, full)
}

/** Decodes a module matrix with jsQR (an independent decoder), after adding a 4-module quiet zone and scaling it up. */
function decode(matrix: Matrix): string | undefined {
  const scale = 4
  const quiet = 4
  const modules = matrix.length + 2 * quiet
  const width = modules * scale
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255)
  matrix.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const offset = (((r + quiet) * scale + dy) * width + (c + quiet) * scale + dx) * 4
          pixels.fill(0, offset, offset + 3)
        }
      }
    }),
  )
  const result = jsQR(pixels, width, width, { inversionAttempts: 'dontInvert' })
  return result ? new TextDecoder().decode(new Uint8Array(result.binaryData)) : undefined
}

const URIS = [
  ...vectors.valid.slice(0, 4).map((v) => v.canonical),
  'bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.5&label=Caf%C3%A9&message=%F0%9F%98%80',
  'solana:mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN?amount=1&label=Michael',
]

describe('paymentQr: SVG', () => {
  it.each(URIS)('draws a well-formed SVG whose modules decode back to %s', async (uri) => {
    const svg = await paymentQr(uri)
    const matrix = svgToMatrix(svg)
    expect(matrix.length).toBe(QRCode.create(uri, { errorCorrectionLevel: 'M' }).modules.size + 8)
    const inner = withoutMargin(matrix, 4)
    expect(inner).toEqual(expectedModules(uri, 'M'))
    expect(matrix.slice(0, 4).flat().some(Boolean)).toBe(false) // the quiet zone is light
    expect(decode(inner)).toBe(uri)
  })

  it('follows the error-correction level and the margin', async () => {
    const uri = URIS[0] as string
    const sizes: number[] = []
    for (const level of ['L', 'M', 'Q', 'H'] as const) {
      for (const margin of [0, 1, 7]) {
        const matrix = svgToMatrix(await paymentQr(uri, { errorCorrection: level, margin }))
        const inner = withoutMargin(matrix, margin)
        expect(inner).toEqual(expectedModules(uri, level))
        if (margin === 0) sizes.push(matrix.length)
      }
    }
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
    expect(sizes[0]).toBeLessThan(sizes[3] as number)
    expect(decode(withoutMargin(svgToMatrix(await paymentQr(uri, { errorCorrection: 'H', margin: 0 })), 0))).toBe(uri)
  })

  it('encodes the longest allowed text', async () => {
    const uri = `bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?message=${'x'.repeat(MAX_QR_TEXT_LENGTH - 51)}`
    expect(uri.length).toBe(MAX_QR_TEXT_LENGTH)
    const matrix = withoutMargin(svgToMatrix(await paymentQr(uri, { errorCorrection: 'L' })), 4)
    expect(matrix).toEqual(expectedModules(uri, 'L'))
    expect(decode(matrix)).toBe(uri)
  })

  it('round-trips formatted requests through the picture', async () => {
    const labels = fc.string({ unit: 'grapheme', maxLength: 30 })
    await fc.assert(
      fc.asyncProperty(labels, fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n }), async (label, amount) => {
        const btc = 'bip122:000000000019d6689c085ae165831e93' as const
        const uri = formatPaymentUri({
          scheme: 'bitcoin',
          chainId: btc,
          asset: `${btc}/slip44:0`,
          to: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
          amount,
          label,
        })
        const decoded = decode(withoutMargin(svgToMatrix(await paymentQr(uri)), 4))
        expect(decoded).toBe(uri)
        expect(parsePaymentUri(decoded as string)).toMatchObject({ amount, label })
      }),
      { numRuns: 15 },
    )
  })
})

describe('paymentQr: terminal', () => {
  it.each(URIS)('draws block characters whose modules decode back to %s', async (uri) => {
    const text = await paymentQr(uri, { format: 'terminal' })
    const matrix = terminalToMatrix(text)
    const inner = withoutMargin(matrix, 4)
    expect(inner).toEqual(expectedModules(uri, 'M'))
    expect(decode(inner)).toBe(uri)
  })

  it('handles odd and even margins and sizes', async () => {
    for (const margin of [0, 1, 2, 3]) {
      for (const level of ['L', 'H'] as const) {
        const uri = URIS[1] as string
        const matrix = terminalToMatrix(await paymentQr(uri, { format: 'terminal', margin, errorCorrection: level }))
        expect(matrix.length).toBe(expectedModules(uri, level).length + 2 * margin)
        expect(withoutMargin(matrix, margin)).toEqual(expectedModules(uri, level))
        expect(matrix.slice(0, margin).flat().some(Boolean)).toBe(false)
      }
    }
  })
})

describe('paymentQr: bad input', () => {
  it('refuses bad text and options with InvalidArgumentError', async () => {
    const ok = URIS[0] as string
    const cases: [unknown, unknown][] = [
      [42, undefined],
      ['', undefined],
      ['x'.repeat(MAX_QR_TEXT_LENGTH + 1), undefined],
      ['a\uD800', undefined],
      [ok, { format: 'png' }],
      [ok, { errorCorrection: 'X' }],
      [ok, { margin: -1 }],
      [ok, { margin: 1.5 }],
      [ok, { margin: 17 }],
      [ok, 'svg'],
      // Too much data: 2,000 bytes fit at L and M but not at Q or H.
      ['x'.repeat(MAX_QR_TEXT_LENGTH), { errorCorrection: 'H' }],
      ['€'.repeat(MAX_QR_TEXT_LENGTH), { errorCorrection: 'L' }],
    ]
    for (const [text, options] of cases) {
      await expect(paymentQr(text as string, options as never), JSON.stringify([text, options]).slice(0, 60)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    }
  })

  it('gives only CofferErrors for hostile arguments', async () => {
    await expectOnlyCofferErrors('paymentQr', paymentQr, [URIS[0], { format: 'terminal', errorCorrection: 'L', margin: 2 }])
  })

  it('loads the QR library only when called', () => {
    for (const file of ['../../src/payments/qr.ts', '../../src/payments/uri.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8')
      expect(source).not.toMatch(/^import[^\n]*['"]qrcode['"]/m)
    }
    expect(readFileSync(new URL('../../src/payments/qr.ts', import.meta.url), 'utf8')).toMatch(/import\('qrcode'\)/)
  })
})
