import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../../src/core/errors.js'
import {
  dustThreshold,
  inputWeight,
  OUTPUT_TYPES,
  outputWeight,
  SCRIPT_TYPES,
  txVsize,
  txWeight,
  varIntSize,
  type OutputType,
  type ScriptType,
} from '../../../src/chains/bitcoin/vsize.js'

/**
 * An independent BIP-141 measurement: serialize a transaction of this shape (dummy bytes of
 * the upper-bound lengths, BIP-144 layout) and take weight = 3 × stripped size + total size.
 */
function serializedWeight(inputs: readonly ScriptType[], outputs: readonly OutputType[]): number {
  const varint = (n: number) => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5)
  const push = (len: number) => 1 + len // every push here is < 76 bytes: one opcode byte
  const scriptSig = (t: ScriptType) => (t === 'p2pkh' ? push(72) + push(33) : t === 'p2sh-p2wpkh' ? push(22) : 0)
  const witness = (t: ScriptType): number[] => (t === 'p2tr' ? [64] : t === 'p2pkh' ? [] : [72, 33])
  const spk = { p2pkh: 25, p2sh: 23, 'p2sh-p2wpkh': 23, p2wpkh: 22, p2wsh: 34, p2tr: 34 }
  let stripped = 4 + varint(inputs.length) + varint(outputs.length) + 4
  for (const t of inputs) stripped += 36 + varint(scriptSig(t)) + scriptSig(t) + 4
  for (const t of outputs) stripped += 8 + varint(spk[t]) + spk[t]
  const segwit = inputs.some((t) => witness(t).length > 0)
  let witnessBytes = 0
  if (segwit) {
    witnessBytes += 2 // marker, flag
    for (const t of inputs) witnessBytes += varint(witness(t).length) + witness(t).reduce((s, len) => s + varint(len) + len, 0)
  }
  return 3 * stripped + (stripped + witnessBytes)
}

describe('vsize', () => {
  it('has the documented per-input and per-output sizes', () => {
    expect(inputWeight('p2wpkh') / 4).toBe(68)
    expect(inputWeight('p2tr') / 4).toBe(57.5)
    expect(inputWeight('p2sh-p2wpkh') / 4).toBe(91)
    expect(inputWeight('p2pkh') / 4).toBe(148)
    expect(outputWeight('p2wpkh') / 4).toBe(31)
    expect(outputWeight('p2wsh') / 4).toBe(43)
    expect(outputWeight('p2sh') / 4).toBe(32)
    expect(outputWeight('p2sh-p2wpkh') / 4).toBe(32)
    expect(outputWeight('p2pkh') / 4).toBe(34)
    expect(outputWeight('p2tr') / 4).toBe(43)
    expect(outputWeight(0)).toBe(36) // OP_RETURN-less empty script: 8 + 1
    expect(outputWeight(80)).toBe(4 * (8 + 1 + 80))
    expect(outputWeight(253)).toBe(4 * (8 + 3 + 253))
  })

  it.each<[string, ScriptType[], OutputType[], number]>([
    ['1 p2wpkh → 1 p2wpkh (Core: 110)', ['p2wpkh'], ['p2wpkh'], 110],
    ['1 p2wpkh → 2 p2wpkh', ['p2wpkh'], ['p2wpkh', 'p2wpkh'], 141],
    ['1 p2tr → 1 p2tr', ['p2tr'], ['p2tr'], 111],
    ['1 p2tr → 2 p2tr', ['p2tr'], ['p2tr', 'p2tr'], 154],
    ['2 p2tr → 1 p2tr (168.5 rounds up)', ['p2tr', 'p2tr'], ['p2tr'], 169],
    ['1 p2pkh → 2 p2pkh (classic 226)', ['p2pkh'], ['p2pkh', 'p2pkh'], 226],
    ['1 p2pkh → 1 p2pkh (classic 192)', ['p2pkh'], ['p2pkh'], 192],
    ['1 p2sh-p2wpkh → 2 p2sh', ['p2sh-p2wpkh'], ['p2sh', 'p2sh'], 166],
    ['2 p2wpkh → 2 p2wpkh', ['p2wpkh', 'p2wpkh'], ['p2wpkh', 'p2wpkh'], 209],
    ['no inputs, 1 p2wpkh output (overhead only, no marker)', [], ['p2wpkh'], 41],
  ])('%s is %i vB', (_, inputs, outputs, vsize) => {
    expect(txVsize({ inputs, outputs })).toBe(vsize)
  })

  it('counts the segwit marker and the empty witness of every legacy input in a mixed transaction', () => {
    const weight = txWeight({ inputs: ['p2pkh', 'p2pkh', 'p2tr'], outputs: ['p2tr'] })
    expect(weight).toBe(40 + 2 * 592 + 230 + 172 + 2 + 2)
    // Same count as a signed transaction serialized by @scure/btc-signer, corrected to 72-byte signatures.
    expect(weight).toBe(1630)
  })

  it('agrees with a BIP-141 serialization of random shapes, including 3-byte counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SCRIPT_TYPES), { maxLength: 300 }),
        fc.array(fc.constantFrom(...OUTPUT_TYPES), { minLength: 1, maxLength: 260 }),
        (inputs, outputs) => {
          const weight = txWeight({ inputs, outputs })
          expect(weight).toBe(serializedWeight(inputs, outputs))
          expect(txVsize({ inputs, outputs })).toBe(Math.ceil(weight / 4))
        },
      ),
      { numRuns: 300 },
    )
  })

  it("reproduces Bitcoin Core's dust thresholds at 3 sat/vB", () => {
    expect(dustThreshold('p2wpkh')).toBe(294n) // (31 + 67) × 3
    expect(dustThreshold('p2tr')).toBe(330n) // (43 + 67) × 3
    expect(dustThreshold('p2wsh')).toBe(330n)
    expect(dustThreshold('p2pkh')).toBe(546n) // (34 + 148) × 3
    expect(dustThreshold('p2sh')).toBe(540n) // (32 + 148) × 3
    expect(dustThreshold('p2sh-p2wpkh')).toBe(540n) // a P2SH output: not a witness program
    expect(dustThreshold('p2wpkh', 1n)).toBe(98n)
    expect(dustThreshold('p2pkh', 0n)).toBe(0n)
  })

  it('varIntSize follows CompactSize boundaries', () => {
    expect([0, 252, 253, 0xffff, 0x10000, 0xffff_ffff, 0x1_0000_0000].map(varIntSize)).toEqual([1, 1, 3, 3, 5, 5, 9])
  })

  it('rejects unknown types and malformed shapes with InvalidArgumentError', () => {
    const bad: (() => unknown)[] = [
      () => inputWeight('p2wsh' as ScriptType),
      () => inputWeight(undefined as unknown as ScriptType),
      () => outputWeight('p2pk' as OutputType),
      () => outputWeight(-1),
      () => outputWeight(1.5),
      () => outputWeight(10_001),
      () => txWeight(null as never),
      () => txWeight({ inputs: 'p2wpkh' as never, outputs: [] }),
      () => txWeight({ inputs: ['p2wpkh'], outputs: ['nope' as OutputType] }),
      () => dustThreshold('p2tr', -1n),
      () => dustThreshold('p2tr', 3 as unknown as bigint),
      () => varIntSize(-1),
    ]
    for (const call of bad) expect(call).toThrow(InvalidArgumentError)
  })
})
