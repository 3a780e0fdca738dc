import fc from 'fast-check'
import { decodeFunctionResult, encodeFunctionData, encodeFunctionResult, multicall3Abi, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeAggregate3, encodeAggregate3 } from '../../../src/chains/evm/aggregate3.js'

const hexBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex)
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as `0x${string}`)
const calls = fc.array(fc.record({ target: address, allowFailure: fc.boolean(), callData: hexBytes(100) }), { maxLength: 20 })
const results = fc.array(fc.record({ success: fc.boolean(), returnData: hexBytes(100) }), { maxLength: 20 })

/** viem's decoding, or undefined where viem refuses the data. */
function viemDecode(data: Hex) {
  try {
    return decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data }).map((r) => ({
      success: r.success,
      returnData: r.returnData,
    }))
  } catch {
    return undefined
  }
}

describe('aggregate3 codec (viem as the oracle)', () => {
  it('encodes calldata exactly as viem does', () => {
    fc.assert(
      fc.property(calls, (cs) => {
        expect(encodeAggregate3(cs)).toBe(encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [cs] }))
      }),
    )
  })

  it('decodes what viem encodes', () => {
    fc.assert(
      fc.property(results, (rs) => {
        const data = encodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', result: rs })
        expect(decodeAggregate3(data)).toEqual(rs)
      }),
    )
  })

  it('on damaged answers, refuses with an RpcError or agrees with viem', () => {
    const damaged = results.chain((rs) => {
      const data = encodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', result: rs })
      const digits = data.length - 2
      return fc.oneof(
        // Cut short anywhere.
        fc.nat({ max: digits }).map((n) => data.slice(0, 2 + n - (n % 2)) as Hex),
        // One hex digit changed anywhere (offsets, lengths, bools, payload).
        fc
          .tuple(fc.nat({ max: Math.max(0, digits - 1) }), fc.constantFrom(...'0123456789abcdef'))
          .map(([i, c]) => `${data.slice(0, 2 + i)}${c}${data.slice(3 + i)}` as Hex),
        // A huge word in place of an offset or a length.
        fc
          .nat({ max: Math.max(0, Math.floor(digits / 64) - 1) })
          .map((w) => `${data.slice(0, 2 + 64 * w)}${'f'.repeat(64)}${data.slice(66 + 64 * w)}` as Hex),
      )
    })
    fc.assert(
      fc.property(damaged, (data) => {
        let mine: ReturnType<typeof decodeAggregate3> | undefined
        try {
          mine = decodeAggregate3(data)
        } catch (error) {
          expect(error).toMatchObject({ code: 'RPC' })
          return
        }
        const theirs = viemDecode(data)
        if (theirs) expect(mine).toEqual(theirs)
      }),
      { numRuns: 500 },
    )
  })

  it('refuses what is not hex, and an odd number of digits', () => {
    for (const data of ['', '0x0', 'zz', '0x' + 'g'.repeat(64)]) expect(() => decodeAggregate3(data as Hex)).toThrow(/malformed/)
  })
})
