/**
 * Byte, hash and script helpers of the Esplora-shaped server: Esplora's script type names and
 * asm, Bitcoin Core's dust threshold, outpoint keys.
 * @module
 * @internal
 */
import { createHash } from 'node:crypto'
import { opcodes } from 'bitcoinjs-lib'

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Display txid (byte-reversed) of an input's prevout hash. */
export function txidOf(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex')
}

/** "txid:vout" of an input's prevout. */
export function outpoint(hash: Uint8Array, index: number): string {
  return `${txidOf(hash)}:${index}`
}

/** SHA-256 of a string, hex. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

/** RIPEMD-160 of SHA-256. */
export function hash160(bytes: Uint8Array): Uint8Array {
  const sha = createHash('sha256').update(bytes).digest()
  return Uint8Array.from(createHash('ripemd160').update(sha).digest())
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Esplora's scriptpubkey_type names. */
export function scriptType(s: Uint8Array): string {
  if (s.length === 0) return 'empty'
  if (s[0] === 0x6a) return 'op_return'
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) return 'p2pkh'
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return 'p2sh'
  if (s.length === 22 && s[0] === 0x00 && s[1] === 0x14) return 'v0_p2wpkh'
  if (s.length === 34 && s[0] === 0x00 && s[1] === 0x20) return 'v0_p2wsh'
  if (s.length === 34 && s[0] === 0x51 && s[1] === 0x20) return 'v1_p2tr'
  if ((s.length === 35 && s[0] === 33 && s[34] === 0xac) || (s.length === 67 && s[0] === 65 && s[66] === 0xac)) return 'p2pk'
  return 'unknown'
}

function isWitnessProgram(s: Uint8Array): boolean {
  const v = s[0]
  return s.length >= 4 && s.length <= 42 && (v === 0x00 || (v !== undefined && v >= 0x51 && v <= 0x60)) && s[1] === s.length - 2
}

function varIntSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9
}

/** Bitcoin Core's GetDustThreshold at the default dustrelayfee of 3000 sat/kvB. */
export function dustThreshold(script: Uint8Array): bigint {
  if (script[0] === 0x6a) return 0n // OP_RETURN: unspendable, exempt
  const outputSize = 8 + varIntSize(script.length) + script.length
  const spendSize = isWitnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4
  return BigInt((outputSize + spendSize) * 3)
}

const OPCODE_NAMES = opcodes as unknown as Record<number, string | undefined>

/** rust-bitcoin style asm, as Esplora prints it. */
export function scriptAsm(s: Uint8Array): string {
  const out: string[] = []
  let i = 0
  while (i < s.length) {
    const op = s[i++]!
    let len = -1
    let name = ''
    if (op === 0x00) {
      out.push('OP_0')
      continue
    } else if (op <= 0x4b) {
      len = op
      name = `OP_PUSHBYTES_${op}`
    } else if (op <= 0x4e) {
      const width = op === 0x4c ? 1 : op === 0x4d ? 2 : 4
      if (i + width > s.length) {
        out.push('<unexpected end>')
        break
      }
      len = 0
      for (let k = width - 1; k >= 0; k--) len = len * 256 + s[i + k]!
      i += width
      name = `OP_PUSHDATA${width === 4 ? 4 : width}`
    } else if (op === 0x4f) {
      out.push('OP_PUSHNUM_NEG1')
      continue
    } else if (op >= 0x51 && op <= 0x60) {
      out.push(`OP_PUSHNUM_${op - 0x50}`)
      continue
    } else {
      out.push(op === 0xb1 ? 'OP_CLTV' : op === 0xb2 ? 'OP_CSV' : (OPCODE_NAMES[op] ?? `OP_RETURN_${op}`))
      continue
    }
    if (i + len > s.length) {
      out.push(name, '<push past end>')
      break
    }
    out.push(name, toHex(s.subarray(i, i + len)))
    i += len
  }
  return out.join(' ')
}
