import { describe, expect, it } from 'vitest'
import type { ChainId } from '../../src/core/caip.js'
import { InvalidArgumentError, InvalidPaymentUriError, NotSupportedError } from '../../src/core/errors.js'
import { registerChainFamily, type ChainFamily, type FamilyPaymentScheme } from '../../src/chains/family.js'
import { formatPaymentUri, parsePaymentUri, type PaymentRequest } from '../../src/payments/uri.js'

const CHAIN: ChainId = 'testfam:main'

/** `testpay:<address>?amount=<units>`: a scheme of a family coffer does not ship. */
const testScheme: FamilyPaymentScheme = {
  scheme: 'testpay',
  checkOptions(options) {
    if (options.testUnits !== undefined && options.testUnits !== 'base') throw new InvalidArgumentError('testUnits must be "base".')
  },
  parse(path, query) {
    if (!/^t[0-9a-f]{8}$/.test(path)) throw new InvalidPaymentUriError(`bad testfam address ${path}`)
    const amount = query && /^amount=(\d{1,20})$/.exec(query)?.[1]
    return { chainId: CHAIN, to: path, asset: `${CHAIN}/slip44:9999`, ...(amount ? { amount: BigInt(amount) } : {}) }
  },
  format(request) {
    return `testpay:${String(request.to)}${request.amount === undefined ? '' : `?amount=${String(request.amount)}`}`
  },
}

const testFamily: ChainFamily = {
  kind: 'testfam',
  namespaces: ['testfam'],
  title: 'Test',
  networks: [{ chainId: CHAIN, name: 'main', testnet: true }],
  supports: (chainId) => chainId === CHAIN,
  isValidAddress: (_chainId, address) => /^t[0-9a-f]{8}$/.test(address),
  accountOptions: () => ({}),
  signer: () => Promise.reject(new NotSupportedError('no keys in this test')),
  accountKeys: () => ({ address: 't00000000' }),
  paymentSchemes: [testScheme],
}

describe('payment URI schemes of a registered family', () => {
  it('is unknown before the family is registered', () => {
    expect(() => parsePaymentUri('testpay:t0123abcd')).toThrow(/must start with ethereum:, bitcoin:, solana: or tron:/)
  })

  it('parses and formats the scheme once registered, round trip', () => {
    registerChainFamily(testFamily)
    const request = parsePaymentUri('TESTPAY:t0123abcd?amount=42')
    expect(request).toStrictEqual({ scheme: 'testpay', chainId: CHAIN, to: 't0123abcd', asset: `${CHAIN}/slip44:9999`, amount: 42n })
    expect(Object.isFrozen(request)).toBe(true)
    expect(formatPaymentUri(request)).toBe('testpay:t0123abcd?amount=42')
    expect(parsePaymentUri(formatPaymentUri(request))).toStrictEqual(request)
    // The built-in schemes still work, and the error lists the new one (after the built-in families').
    expect(parsePaymentUri('bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa').scheme).toBe('bitcoin')
    expect(() => parsePaymentUri('nope:x')).toThrow(/ethereum:, bitcoin:, solana:, tron: or testpay:/)
  })

  it("checks the family's options on every parse and its namespace on format", () => {
    registerChainFamily(testFamily)
    expect(() => parsePaymentUri('bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', { testUnits: 'x' } as never)).toThrow(InvalidArgumentError)
    const wrongChain = { scheme: 'testpay', chainId: 'eip155:1', to: 't0123abcd', asset: 'eip155:1/slip44:60' } as PaymentRequest
    expect(() => formatPaymentUri(wrongChain)).toThrow(/A testpay: URI needs a testfam: chain id, got eip155:1/)
  })
})
