/**
 * Reads back a QR code the `coffer` command drew in the terminal, with jsQR (an independent
 * decoder): half-block characters are light modules (the code is drawn for a dark terminal).
 */
import jsQR from 'jsqr'

/** The text of the QR code drawn in `lines` (lines without block characters are ignored). */
export function decodeTerminalQr(lines: readonly string[]): string | undefined {
  const drawn = lines.filter((l) => /[█▀▄]/.test(l))
  const width = drawn[0]?.length ?? 0
  // Two module rows per line: '█' both light, '▀' top light, '▄' bottom light, ' ' both dark.
  const dark: boolean[][] = []
  for (const line of drawn) {
    dark.push([...line].map((ch) => !(ch === '█' || ch === '▀')))
    dark.push([...line].map((ch) => !(ch === '█' || ch === '▄')))
  }
  const rows = dark.slice(0, width)
  const scale = 4
  const pixels = new Uint8ClampedArray(width * scale * width * scale * 4).fill(255)
  rows.forEach((row, r) =>
    row.forEach((isDark, c) => {
      if (!isDark) return
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const offset = ((r * scale + dy) * width * scale + c * scale + dx) * 4
          pixels.fill(0, offset, offset + 3) // black, opaque
        }
      }
    }),
  )
  const result = jsQR(pixels, width * scale, width * scale, { inversionAttempts: 'dontInvert' })
  return result ? new TextDecoder().decode(new Uint8Array(result.binaryData)) : undefined
}
