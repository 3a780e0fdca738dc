import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { TronWeb } from 'tronweb'
import { describe, expect, it } from 'vitest'
import { isTronAddressPayload, tronAddressFromPayload, tronAddressToBytes, tronHexAddress } from '../../../src/chains/tron/address.js'
import { InvalidAddressError } from '../../../src/core/errors.js'

const payloadArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => Uint8Array.from([0x41, ...a]))

describe('TRON address bytes against TronWeb (TronWeb.address.toHex / fromHex)', () => {
  it('random accounts round trip, and agree with TronWeb both ways', () => {
    fc.assert(
      fc.property(payloadArb, (payload) => {
        const address = tronAddressFromPayload(payload)
        expect(address).toBe(TronWeb.address.fromHex(bytesToHex(payload)))
        expect(tronHexAddress(address)).toBe(TronWeb.address.toHex(address).toLowerCase())
        expect(tronAddressToBytes(address)).toEqual(payload)
      }),
      { numRuns: 300 },
    )
  })

  it('USDT mainnet contract', () => {
    expect(tronHexAddress('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toBe('41a614f803b6fd780986a42c78ec9c7f77e6ded13c')
    expect(tronAddressFromPayload(hexToBytes('41a614f803b6fd780986a42c78ec9c7f77e6ded13c'))).toBe('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')
  })

  it('refuses what is not a TRON address', () => {
    for (const bad of ['', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', 7 as never]) {
      expect(() => tronAddressToBytes(bad)).toThrow(InvalidAddressError)
    }
    for (const bad of [new Uint8Array(21), new Uint8Array(20), Uint8Array.from([0x41, ...new Uint8Array(21)])]) {
      expect(isTronAddressPayload(bad)).toBe(false)
      expect(() => tronAddressFromPayload(bad)).toThrow(InvalidAddressError)
    }
  })
})
