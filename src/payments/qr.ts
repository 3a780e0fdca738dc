/**
 * QR codes for payment URIs, drawn by the `qrcode` package (MIT, pure JavaScript). It is
 * loaded on the first call, so code that never draws a QR code never loads it.
 * @module
 */
import { assertInteger, assertOneOf, assertOptions, assertString } from '../core/assert.js'
import { CofferError, InvalidArgumentError, NotSupportedError } from '../core/errors.js'

/** Options of {@link paymentQr}. */
export interface PaymentQrOptions {
  /** `svg` (default): an `<svg>` document; `terminal`: text of half-block characters. */
  format?: 'svg' | 'terminal'
  /** Error-correction level: recovers about 7 % (L), 15 % (M, default), 25 % (Q) or 30 % (H) damage. */
  errorCorrection?: 'L' | 'M' | 'Q' | 'H'
  /** Quiet zone around the code, in modules (0 to 16). Default 4, as ISO/IEC 18004 asks. */
  margin?: number
}

/** Longest text {@link paymentQr} encodes. */
export const MAX_QR_TEXT_LENGTH = 2000

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The part of the `qrcode` package coffer uses. */
interface QrLibrary {
  create(text: string, options: { errorCorrectionLevel: string }): { modules: { size: number; data: Uint8Array } }
  toString(text: string, options: { type: 'svg'; errorCorrectionLevel: string; margin: number }): Promise<string>
}

let library: Promise<QrLibrary> | undefined

function loadLibrary(): Promise<QrLibrary> {
  library ??= import('qrcode').then(
    (mod) => ((mod as { default?: unknown }).default ?? mod) as QrLibrary,
    (cause: unknown) => {
      library = undefined
      throw new NotSupportedError('Drawing QR codes needs the "qrcode" package, which could not be loaded.', { cause })
    },
  )
  return library
}

/**
 * Draws `uri` (usually from `formatPaymentUri`) as a QR code: an SVG document, or text for
 * a terminal. The terminal form uses `█ ▀ ▄` and spaces, two module rows per line, and
 * draws the *light* modules and quiet zone as blocks, so that it scans on the usual dark
 * terminal background (light text on dark).
 *
 * @example await paymentQr('bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.5')
 * @throws InvalidArgumentError for a non-string, empty or too-long text (also: too much data
 *   for a QR code at this error-correction level), or bad options
 */
export async function paymentQr(uri: string, options?: PaymentQrOptions): Promise<string> {
  const text = assertString(uri, 'uri', MAX_QR_TEXT_LENGTH)
  if (text.length === 0) throw new InvalidArgumentError('uri must not be empty.')
  if (LONE_SURROGATE.test(text)) throw new InvalidArgumentError('uri is not well-formed Unicode (it has a lone surrogate).')
  const opts = assertOptions(options)
  const format = opts.format === undefined ? 'svg' : assertOneOf(opts.format, 'format', ['svg', 'terminal'] as const)
  const level =
    opts.errorCorrection === undefined ? 'M' : assertOneOf(opts.errorCorrection, 'errorCorrection', ['L', 'M', 'Q', 'H'] as const)
  const margin = opts.margin === undefined ? 4 : assertInteger(opts.margin, 'margin', 0, 16)
  const qr = await loadLibrary()
  try {
    if (format === 'svg') return await qr.toString(text, { type: 'svg', errorCorrectionLevel: level, margin })
    return renderTerminal(qr.create(text, { errorCorrectionLevel: level }).modules, margin)
  } catch (cause) {
    if (cause instanceof CofferError) throw cause
    throw new InvalidArgumentError(
      `uri does not fit in a QR code at error-correction level ${level}; use a lower level or a shorter text.`,
      {
        cause,
        details: { length: text.length, errorCorrection: level },
      },
    )
  }
}

/** Half-block text of a module matrix: light modules and the quiet zone are drawn, dark ones left blank. */
function renderTerminal(modules: { size: number; data: Uint8Array }, margin: number): string {
  const full = modules.size + 2 * margin
  const light = (row: number, col: number): boolean => {
    const r = row - margin
    const c = col - margin
    if (r < 0 || c < 0 || r >= modules.size || c >= modules.size) return true
    return !modules.data[r * modules.size + c]
  }
  const lines: string[] = []
  for (let row = 0; row < full; row += 2) {
    let line = ''
    for (let col = 0; col < full; col++) {
      const top = light(row, col)
      const bottom = row + 1 < full ? light(row + 1, col) : false
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' '
    }
    lines.push(line)
  }
  return `${lines.join('\n')}\n`
}
