import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InsufficientFundsError, InvalidArgumentError } from '../../../src/core/errors.js'
import {
  effectiveValue,
  RECIPIENT_TYPES,
  selectCoins,
  type RecipientType,
  type Selection,
  type SelectionParams,
  type Utxo,
} from '../../../src/chains/bitcoin/coin-selection.js'
import { dustThreshold, inputWeight, outputWeight, SCRIPT_TYPES, txVsize, type ScriptType } from '../../../src/chains/bitcoin/vsize.js'

const utxo = (n: number, value: bigint, type: ScriptType = 'p2wpkh', confirmed = true): Utxo => ({
  id: `${n.toString(16).padStart(64, '0')}:0`,
  value,
  type,
  confirmed,
})
const vsizeOf = (inputs: ScriptType[], outputs: (RecipientType | ScriptType)[]) => BigInt(txVsize({ inputs, outputs }))
const sum = (xs: readonly Utxo[]) => xs.reduce((s, u) => s + u.value, 0n)
const ids = (s: Selection) => s.inputs.map((u) => u.id).sort()

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('selectCoins', () => {
  it('finds an exact change-less match with branch and bound', () => {
    const feeRate = 20n
    const target = 100_000n
    const fee = vsizeOf(['p2wpkh', 'p2wpkh'], ['p2wpkh']) * feeRate // 178 vB
    const a = utxo(1, 60_000n)
    const b = utxo(2, target + fee - 60_000n)
    const utxos = [utxo(3, 1_000_000n), a, utxo(4, 7_777n), b]
    const s = selectCoins({ utxos, target, feeRate, outputs: ['p2wpkh'], changeType: 'p2wpkh' })
    expect(s.algorithm).toBe('bnb')
    expect(ids(s)).toEqual([a.id, b.id].sort())
    expect(s).toMatchObject({ fee, change: 0n, amount: target, vsize: 178 })
    // waste: (20 − 10) × 2 × 68 vB, no excess
    expect(s.waste).toBe(1360n)
  })

  it('matches exactly with fractional-vbyte p2tr inputs (2 × 57.5 vB)', () => {
    const feeRate = 7n
    const fee = vsizeOf(['p2tr', 'p2tr'], ['p2tr']) * feeRate // 169 vB
    const utxos = [utxo(1, 30_000n, 'p2tr'), utxo(2, 20_000n + fee, 'p2tr'), utxo(3, 90_000n, 'p2tr')]
    const s = selectCoins({ utxos, target: 50_000n, feeRate, outputs: ['p2tr'], changeType: 'p2tr' })
    expect(s).toMatchObject({ algorithm: 'bnb', fee, change: 0n, vsize: 169 })
    expect(ids(s)).toEqual([utxos[0]!.id, utxos[1]!.id].sort())
  })

  it('makes change when no change-less set exists', () => {
    const s = selectCoins({ utxos: [utxo(1, 1_000_000n)], target: 100_000n, feeRate: 5n, outputs: ['p2wpkh'], changeType: 'p2wpkh' })
    expect(s).toMatchObject({ algorithm: 'lowest-waste', vsize: 141, fee: 705n, change: 899_295n, amount: 100_000n })
  })

  it('lets branch and bound give an excess below the cost of change to the fee', () => {
    // excess 324 sat ≤ cost of change 31 × 1 + 68 × 10 = 711
    const s = selectCoins({ utxos: [utxo(1, 10_434n)], target: 10_000n, feeRate: 1n, outputs: ['p2wpkh'], changeType: 'p2wpkh' })
    expect(s).toMatchObject({ algorithm: 'bnb', change: 0n, fee: 434n, vsize: 110, waste: 324n - 9n * 68n })
  })

  it('drops change below the dust threshold into the fee, and keeps change at the threshold', () => {
    // longTermFeeRate 0: cost of change is 31 sat, so the 324-sat excess is not a bnb match.
    const base = { target: 10_000n, feeRate: 1n, longTermFeeRate: 0n, outputs: ['p2wpkh'], changeType: 'p2wpkh' } as const
    const dropped = selectCoins({ ...base, utxos: [utxo(1, 10_000n + 141n + 293n)] })
    expect(dropped).toMatchObject({ algorithm: 'lowest-waste', change: 0n, fee: 434n, vsize: 110 })
    const kept = selectCoins({ ...base, utxos: [utxo(1, 10_000n + 141n + 294n)] })
    expect(kept).toMatchObject({ algorithm: 'lowest-waste', change: 294n, fee: 141n, vsize: 141 })
  })

  it('throws a typed InsufficientFundsError with needed and available', () => {
    const feeRate = 3n
    const error = catchError(() =>
      selectCoins({ utxos: [utxo(1, 50_000n), utxo(2, 30_000n)], target: 100_000n, feeRate, outputs: ['p2wpkh'], changeType: 'p2wpkh' }),
    )
    expect(error).toBeInstanceOf(InsufficientFundsError)
    const e = error as InsufficientFundsError
    expect(e.code).toBe('INSUFFICIENT_FUNDS')
    expect(e.details).toMatchObject({ needed: String(100_000n + vsizeOf(['p2wpkh', 'p2wpkh'], ['p2wpkh']) * feeRate), available: '80000' })
    expect(e.details.unconfirmed).toBeUndefined()
  })

  it('leaves unconfirmed UTXOs out unless allowed, and says so when short', () => {
    const utxos = [utxo(1, 50_000n), utxo(2, 200_000n, 'p2wpkh', false)]
    const params = { utxos, target: 100_000n, feeRate: 2n, outputs: ['p2wpkh'], changeType: 'p2wpkh' } as const
    const error = catchError(() => selectCoins(params)) as InsufficientFundsError
    expect(error).toBeInstanceOf(InsufficientFundsError)
    expect(error.details).toMatchObject({ available: '50000', unconfirmed: '200000' })
    expect(error.shortMessage).toMatch(/200000 sats in unconfirmed/)
    const s = selectCoins({ ...params, allowUnconfirmed: true })
    expect(ids(s)).toContain(utxos[1]!.id)
    const confirmedOnly = selectCoins({ ...params, target: 40_000n })
    expect(ids(confirmedOnly)).toEqual([utxos[0]!.id])
  })

  it("'max' sweeps every eligible UTXO to the recipient without change", () => {
    const feeRate = 4n
    const utxos = [utxo(1, 10_000n), utxo(2, 25_000n, 'p2tr'), utxo(3, 40_000n, 'p2pkh'), utxo(4, 99_000n, 'p2wpkh', false), utxo(5, 100n)]
    const s = selectCoins({ utxos, target: 'max', feeRate, outputs: ['p2wsh'], changeType: 'p2wpkh' })
    const fee = vsizeOf(['p2wpkh', 'p2tr', 'p2pkh'], ['p2wsh']) * feeRate
    expect(s).toMatchObject({ algorithm: 'sweep', change: 0n, fee, amount: 75_000n - fee })
    expect(ids(s)).toEqual([utxos[0]!.id, utxos[1]!.id, utxos[2]!.id].sort()) // not the unconfirmed, not the 100-sat one
    const tooLittle = catchError(() =>
      selectCoins({ utxos: [utxo(1, 600n)], target: 'max', feeRate: 1n, outputs: ['p2pkh'], changeType: 'p2wpkh' }),
    )
    expect(tooLittle).toBeInstanceOf(InsufficientFundsError)
    expect((tooLittle as InsufficientFundsError).details).toMatchObject({
      needed: String(546n + vsizeOf(['p2wpkh'], ['p2pkh'])),
      available: '600',
    })
    expect(() => selectCoins({ utxos: [], target: 'max', feeRate: 1n, outputs: ['p2tr'], changeType: 'p2tr' })).toThrow(
      InsufficientFundsError,
    )
  })

  it('skips UTXOs whose effective value is zero or negative at high fee rates', () => {
    const feeRate = 1000n // a p2wpkh input costs 68,000 sat, a p2tr input 57,500
    expect(effectiveValue(utxo(0, 57_501n, 'p2tr'), feeRate)).toBe(1n)
    expect(effectiveValue(utxo(0, 1_000n, 'p2tr'), 3n)).toBe(1_000n - 173n) // ⌈172.5⌉
    const utxos = [utxo(1, 60_000n), utxo(2, 68_000n), utxo(3, 57_500n, 'p2tr'), utxo(4, 1_000_000n)]
    const s = selectCoins({ utxos, target: 100_000n, feeRate, outputs: ['p2wpkh'], changeType: 'p2wpkh' })
    expect(ids(s)).toEqual([utxos[3]!.id])
    const sweep = selectCoins({ utxos, target: 'max', feeRate, outputs: ['p2wpkh'], changeType: 'p2wpkh' })
    expect(ids(sweep)).toEqual([utxos[3]!.id])
    const short = catchError(() =>
      selectCoins({ utxos: utxos.slice(0, 3), target: 1_000n, feeRate, outputs: ['p2wpkh'], changeType: 'p2wpkh' }),
    )
    expect((short as InsufficientFundsError).details).toMatchObject({ available: '0', uneconomical: 3 })
  })

  it('handles hundreds of UTXOs quickly (3-byte input count, bounded search)', () => {
    const utxos = Array.from({ length: 400 }, (_, i) => utxo(i + 1, 10_000n + BigInt((i * 7919) % 5000), i % 2 ? 'p2tr' : 'p2wpkh'))
    const started = Date.now()
    const s = selectCoins({ utxos, target: 3_300_000n, feeRate: 3n, outputs: ['p2wpkh'], changeType: 'p2tr' })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(sum(s.inputs)).toBe(s.amount + s.change + s.fee)
    expect(s.inputs.length).toBeGreaterThan(252)
    expect(s.vsize).toBe(txVsize({ inputs: s.inputs.map((u) => u.type), outputs: ['p2wpkh', ...(s.change > 0n ? ['p2tr' as const] : [])] }))
    expect(s.fee).toBeGreaterThanOrEqual(BigInt(s.vsize) * 3n)
  })

  it('rejects malformed params with InvalidArgumentError', () => {
    const ok: SelectionParams = { utxos: [utxo(1, 1_000n)], target: 500n, feeRate: 1n, outputs: ['p2wpkh'], changeType: 'p2wpkh' }
    const bad: unknown[] = [
      null,
      { ...ok, utxos: 'x' },
      { ...ok, utxos: [utxo(1, 1n), utxo(1, 2n)] },
      { ...ok, utxos: [utxo(1, -1n)] },
      { ...ok, utxos: [{ ...utxo(1, 1n), value: 1000 }] },
      { ...ok, utxos: [{ ...utxo(1, 1n), type: 'p2wsh' }] },
      { ...ok, utxos: [{ ...utxo(1, 1n), confirmed: 'yes' }] },
      { ...ok, utxos: [{ ...utxo(1, 1n), id: '' }] },
      { ...ok, target: 0n },
      { ...ok, target: -5n },
      { ...ok, target: 500 },
      { ...ok, target: 'all' },
      { ...ok, feeRate: 0n },
      { ...ok, feeRate: 100_001n },
      { ...ok, feeRate: 1 },
      { ...ok, longTermFeeRate: -1n },
      { ...ok, outputs: [] },
      { ...ok, outputs: ['p2pk'] },
      { ...ok, target: 'max', outputs: ['p2wpkh', 'p2tr'] },
      { ...ok, changeType: 'p2wsh' },
      { ...ok, allowUnconfirmed: 1 },
    ]
    for (const params of bad)
      expect(
        () => selectCoins(params as SelectionParams),
        JSON.stringify(params, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toThrow(InvalidArgumentError)
    expect(selectCoins({ ...ok, feeRate: 100_000n, utxos: [utxo(1, 100_000_000n)] }).amount).toBe(500n)
  })
})

const arbUtxos = fc
  .array(
    fc.record({
      value: fc.oneof(fc.bigInt({ min: 0n, max: 3_000n }), fc.bigInt({ min: 1n, max: 2_000_000n })),
      type: fc.constantFrom(...SCRIPT_TYPES),
      confirmed: fc.boolean(),
    }),
    { maxLength: 16 },
  )
  .map((xs) => xs.map((x, i) => utxo(i + 1, x.value, x.type, x.confirmed)))

const arbParams = fc.record({
  utxos: arbUtxos,
  target: fc.oneof(fc.bigInt({ min: 1n, max: 5_000n }), fc.bigInt({ min: 1n, max: 1_500_000n })),
  feeRate: fc.oneof(fc.bigInt({ min: 1n, max: 30n }), fc.bigInt({ min: 1n, max: 2_000n })),
  longTermFeeRate: fc.bigInt({ min: 0n, max: 60n }),
  outputs: fc.array(fc.constantFrom(...RECIPIENT_TYPES), { minLength: 1, maxLength: 3 }),
  changeType: fc.constantFrom(...SCRIPT_TYPES),
  allowUnconfirmed: fc.boolean(),
})

const eligibleOf = (p: SelectionParams) => p.utxos.filter((u) => (u.confirmed || p.allowUnconfirmed) && effectiveValue(u, p.feeRate) > 0n)

/** A change output now plus spending it later at the long-term rate. */
const costOfChange = (p: SelectionParams & { longTermFeeRate: bigint }) =>
  BigInt(outputWeight(p.changeType) / 4) * p.feeRate + (BigInt(inputWeight(p.changeType)) * p.longTermFeeRate + 3n) / 4n

function checkSelection(p: SelectionParams & { target: bigint; longTermFeeRate: bigint }, s: Selection): void {
  const r = p.feeRate
  expect(sum(s.inputs)).toBe(s.amount + s.change + s.fee)
  expect(s.amount).toBe(p.target)
  const types = s.inputs.map((u) => u.type)
  expect(s.vsize).toBe(txVsize({ inputs: types, outputs: [...p.outputs, ...(s.change > 0n ? [p.changeType] : [])] }))
  const required = BigInt(s.vsize) * r
  expect(s.fee).toBeGreaterThanOrEqual(required)
  const overshoot = s.fee - required
  if (s.change > 0n) {
    expect(s.change).toBeGreaterThanOrEqual(dustThreshold(p.changeType))
    expect(overshoot).toBe(0n) // with change, the fee is exactly vsize × feeRate
  } else if (s.algorithm === 'bnb') {
    expect(overshoot).toBeLessThanOrEqual(costOfChange(p))
  } else {
    // The overshoot is a remainder that could not have made a change output of at least dust.
    const withChange = sum(s.inputs) - s.amount - vsizeOf(types, [...p.outputs, p.changeType]) * r
    expect(withChange).toBeLessThan(dustThreshold(p.changeType))
  }
  const eligible = new Set(eligibleOf(p).map((u) => u.id))
  expect(new Set(ids(s)).size).toBe(s.inputs.length)
  for (const u of s.inputs) expect(eligible.has(u.id)).toBe(true)
}

describe('selectCoins properties', () => {
  it('balances exactly, meets the fee rate, overshoots only by undroppable remainders, spends only eligible UTXOs', () => {
    fc.assert(
      fc.property(arbParams, (p) => {
        let s: Selection
        try {
          s = selectCoins(p)
        } catch (error) {
          expect(error).toBeInstanceOf(InsufficientFundsError)
          const eligible = eligibleOf(p)
          const needed =
            p.target +
            vsizeOf(
              eligible.map((u) => u.type),
              p.outputs,
            ) *
              p.feeRate
          expect(sum(eligible)).toBeLessThan(needed) // even spending every eligible UTXO falls short
          expect((error as InsufficientFundsError).details).toMatchObject({ needed: String(needed), available: String(sum(eligible)) })
          return
        }
        checkSelection(p, s)
      }),
      { numRuns: 400 },
    )
  })

  it('spending one near-exact UTXO: branch and bound when within the cost of change, dust never made', () => {
    fc.assert(
      fc.property(
        arbParams,
        fc.constantFrom(...SCRIPT_TYPES),
        fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 3_000n })),
        (p, type, delta) => {
          const near = utxo(999, p.target + vsizeOf([type], p.outputs) * p.feeRate + delta, type)
          const params = { ...p, utxos: [...p.utxos, near] }
          const s = selectCoins(params)
          checkSelection(params, s)
          if (delta <= costOfChange(params)) expect(s.algorithm).toBe('bnb')
        },
      ),
      { numRuns: 400 },
    )
  })

  it("'max' pays everything eligible minus exactly vsize × feeRate", () => {
    fc.assert(
      fc.property(arbParams, (p) => {
        const params = { ...p, target: 'max' as const, outputs: p.outputs.slice(0, 1) }
        const eligible = eligibleOf(params)
        const fee =
          vsizeOf(
            eligible.map((u) => u.type),
            params.outputs,
          ) * p.feeRate
        const amount = sum(eligible) - fee
        if (amount < dustThreshold(params.outputs[0]!)) {
          expect(() => selectCoins(params)).toThrow(InsufficientFundsError)
          return
        }
        const s = selectCoins(params)
        expect(s).toMatchObject({ algorithm: 'sweep', fee, amount, change: 0n })
        expect(ids(s)).toEqual(eligible.map((u) => u.id).sort())
      }),
      { numRuns: 300 },
    )
  })
})
