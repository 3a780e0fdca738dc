import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { decodeFunctionData, encodeFunctionData, erc20Abi, toFunctionSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  TRC20_BALANCE_OF_SELECTOR,
  TRC20_TRANSFER_SELECTOR,
  decodeAddressWord,
  decodeTrc20Transfer,
  decodeUint256,
  encodeTrc20BalanceOf,
  encodeTrc20Transfer,
} from '../../../src/chains/tron/abi.js'
import { tronAddressFromPayload } from '../../../src/chains/tron/address.js'
import { InvalidAddressError, InvalidArgumentError } from '../../../src/core/errors.js'

/** A TRON address and the EVM address of the same 20 bytes (what an ABI word carries). */
const accountArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => ({
  tron: tronAddressFromPayload(Uint8Array.from([0x41, ...a])),
  evm: `0x${bytesToHex(a)}` as const,
}))
const u256Arb = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })

describe('TRC-20 ABI against viem', () => {
  it('selectors are those of transfer(address,uint256) and balanceOf(address)', () => {
    expect(`0x${TRC20_TRANSFER_SELECTOR}`).toBe(toFunctionSelector('transfer(address,uint256)'))
    expect(`0x${TRC20_BALANCE_OF_SELECTOR}`).toBe(toFunctionSelector('balanceOf(address)'))
  })

  it('transfer call data is byte for byte viem encodeFunctionData, and decodes back', () => {
    fc.assert(
      fc.property(accountArb, u256Arb, (to, amount) => {
        const data = encodeTrc20Transfer(to.tron, amount)
        expect(`0x${bytesToHex(data)}`).toBe(encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to.evm, amount] }))
        expect(decodeTrc20Transfer(data)).toEqual({ to: to.tron, amount })
        const viem = decodeFunctionData({ abi: erc20Abi, data: `0x${bytesToHex(data)}` })
        expect(viem.functionName).toBe('transfer')
        expect(viem.args).toEqual([expect.stringMatching(new RegExp(`^${to.evm}$`, 'i')), amount])
      }),
    )
  })

  it('balanceOf call data is byte for byte viem encodeFunctionData', () => {
    fc.assert(
      fc.property(accountArb, (owner) => {
        expect(`0x${bytesToHex(encodeTrc20BalanceOf(owner.tron))}`).toBe(
          encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner.evm] }),
        )
      }),
    )
  })

  it('a USDT transfer to a known address', () => {
    // TronWeb writes the same: selector, then 41-prefix dropped, then the amount.
    expect(bytesToHex(encodeTrc20Transfer('TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYH', 1_000_000n))).toBe(
      'a9059cbb' + '000000000000000000000000' + '78c842ee63b253f8f0d2955bbc582c661a078c9d' + (1_000_000).toString(16).padStart(64, '0'),
    )
  })

  it('uint256 results read as viem writes them (bytes or hex, with or without 0x)', () => {
    fc.assert(
      fc.property(u256Arb, (v) => {
        const hex = v.toString(16).padStart(64, '0')
        expect(decodeUint256(hex)).toBe(v)
        expect(decodeUint256(`0x${hex}`)).toBe(v)
        expect(decodeUint256(hexToBytes(hex))).toBe(v)
      }),
    )
  })

  it('address results read into T… addresses', () => {
    fc.assert(
      fc.property(accountArb, (a) => {
        expect(decodeAddressWord(hexToBytes(a.evm.slice(2).padStart(64, '0')))).toBe(a.tron)
      }),
    )
  })
})

describe('strict ABI decoding and checked encoding', () => {
  const good = encodeTrc20Transfer('TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYH', 5n)
  it.each([
    ['a wrong selector', Uint8Array.from([0x09, ...good.subarray(1)])],
    ['a short call', good.subarray(0, 67)],
    ['a long call', Uint8Array.from([...good, 0])],
    ['dirty address padding', Uint8Array.from([...good.subarray(0, 4), 1, ...good.subarray(5)])],
    ['not bytes', 'a9059cbb'],
  ])('decodeTrc20Transfer refuses %s', (_, data) => {
    expect(() => decodeTrc20Transfer(data as Uint8Array)).toThrow(InvalidArgumentError)
  })
  it('decodeUint256 refuses anything but one word', () => {
    for (const bad of ['', '0x', '00', 'zz'.repeat(32), '0'.repeat(66), new Uint8Array(31), new Uint8Array(33), 5 as never]) {
      expect(() => decodeUint256(bad)).toThrow(InvalidArgumentError)
    }
  })
  it('encoders refuse bad addresses and amounts', () => {
    expect(() => encodeTrc20Transfer('0x78c842ee63b253f8f0d2955bbc582c661a078c9d', 1n)).toThrow(InvalidAddressError)
    expect(() => encodeTrc20BalanceOf('TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYh')).toThrow(InvalidAddressError)
    for (const amount of [-1n, 2n ** 256n, 1 as never]) {
      expect(() => encodeTrc20Transfer('TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYH', amount)).toThrow(InvalidArgumentError)
    }
  })
  it('random bytes never throw anything but InvalidArgumentError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const read of [decodeTrc20Transfer, decodeUint256, decodeAddressWord]) {
          try {
            read(bytes)
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidArgumentError)
          }
        }
      }),
    )
  })
})
