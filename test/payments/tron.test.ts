/**
 * `tron:` URIs and the chain they are read as. A `tron:` URI names no network: it reads as
 * mainnet unless the reader passes `tronChainId` (Nile, Shasta, a local chain, in the hex form
 * `tron:0x<8 hex>` or the decimal one `tron:<n>`), and only mainnet requests can be written (any
 * other wallet would read a Nile URI as a mainnet payment). The scheme belongs to the TRON chain
 * family now (src/chains/tron/payment-uri.ts); coffer's `TRON_MAINNET_CHAIN_ID` is re-exported
 * where it was.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatPaymentUri, parsePaymentUri, type PaymentRequest } from 'coffer'
import { TRON_MAINNET_CHAIN_ID as FROM_TRON, TRON_NETWORKS } from 'coffer/tron'
import { TRON_MAINNET_CHAIN_ID } from '../../src/payments/uri.js'
import { InvalidArgumentError, InvalidPaymentUriError } from '../../src/core/errors.js'

const MAINNET = TRON_NETWORKS.mainnet.chainId
const NILE = TRON_NETWORKS.nile.chainId
const SHASTA = TRON_NETWORKS.shasta.chainId
/** A local chain's id (`startLocalTron` names its chain by its genesis block id, as here). */
const LOCAL = 'tron:0x1a2b3c4d'
const MERCHANT = 'TDGmmTC7xDgQGwH4FYRGuE7SFH2MePHYeH'
/** Tether's mainnet USDT (https://tether.to/en/supported-protocols). */
const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'

function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('did not throw')
}

describe('parsePaymentUri: tronChainId', () => {
  it('is the family’s constant, re-exported by the payments module', () => {
    expect(TRON_MAINNET_CHAIN_ID).toBe('tron:0x2b6653dc')
    expect(FROM_TRON).toBe(TRON_MAINNET_CHAIN_ID)
    expect(MAINNET).toBe(TRON_MAINNET_CHAIN_ID)
    expect(NILE).toBe('tron:0xcd8690dc')
  })

  it('reads a URI as mainnet by default, and as the chain named (asset ids of that chain)', () => {
    const uri = `tron:${MERCHANT}?amount=12.5&token=${USDT}&label=Shop&message=order%2042`
    expect(parsePaymentUri(uri)).toStrictEqual({
      scheme: 'tron',
      chainId: MAINNET,
      to: MERCHANT,
      asset: `${MAINNET}/trc20:${USDT}`,
      amount: '12.5', // a token amount stays a decimal: the wallet reads the decimals from its adapter
      label: 'Shop',
      message: 'order 42',
    })
    const onNile = parsePaymentUri(uri, { tronChainId: NILE })
    expect(onNile).toStrictEqual({
      scheme: 'tron',
      chainId: NILE,
      to: MERCHANT,
      asset: `${NILE}/trc20:${USDT}`,
      amount: '12.5',
      label: 'Shop',
      message: 'order 42',
    })
    expect(Object.isFrozen(onNile)).toBe(true)
    // TRX: sun, on the chain named.
    expect(parsePaymentUri(`tron:${MERCHANT}?amount=0.000001`, { tronChainId: LOCAL })).toStrictEqual({
      scheme: 'tron',
      chainId: LOCAL,
      to: MERCHANT,
      asset: `${LOCAL}/slip44:195`,
      amount: 1n,
    })
    // Naming mainnet is the default spelled out; Shasta and an unknown (local) chain read alike.
    expect(parsePaymentUri(uri, { tronChainId: MAINNET })).toStrictEqual(parsePaymentUri(uri))
    expect(parsePaymentUri(`tron:${MERCHANT}`, { tronChainId: SHASTA }).chainId).toBe(SHASTA)
    expect(parsePaymentUri(`tron:${MERCHANT}`, { tronChainId: LOCAL })).toMatchObject({ chainId: LOCAL, asset: `${LOCAL}/slip44:195` })
  })

  it('takes the decimal form (tron:<n>) and upper-case hex, and gives the canonical hex id', () => {
    expect(parsePaymentUri(`tron:${MERCHANT}`, { tronChainId: 'tron:728126428' }).chainId).toBe(MAINNET)
    expect(parsePaymentUri(`tron:${MERCHANT}`, { tronChainId: 'tron:3448148188' }).chainId).toBe(NILE)
    expect(parsePaymentUri(`tron:${MERCHANT}?token=${USDT}`, { tronChainId: 'tron:0xCD8690DC' })).toMatchObject({
      chainId: NILE,
      asset: `${NILE}/trc20:${USDT}`,
    })
  })

  it('refuses values that are not TRON CAIP-2 ids with InvalidArgumentError, whatever the URI', () => {
    const bad: unknown[] = [
      'nile',
      'tron:nile',
      'tron:0xcd8690d', // 7 hex digits
      'tron:0xcd8690dc0', // 9
      'tron:0xcd8690dg',
      'tron:4294967296', // over 32 bits
      'tron:0728126428', // a leading zero
      'TRON:0x2b6653dc',
      'eip155:728126428',
      'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
      ' tron:0x2b6653dc',
      '',
      728126428,
      null,
      {},
    ]
    const uris = [`tron:${MERCHANT}?amount=1`, 'ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359?value=1', 'not a uri']
    for (const tronChainId of bad) {
      for (const uri of uris) {
        const error = thrown(() => parsePaymentUri(uri, { tronChainId } as never))
        expect(error, `${String(tronChainId)} with ${uri}`).toBeInstanceOf(InvalidArgumentError)
        expect(error, `${String(tronChainId)} with ${uri}`).not.toBeInstanceOf(InvalidPaymentUriError)
        expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT')
        expect(error.message).toContain('tronChainId must be a TRON CAIP-2 id')
      }
    }
    // Undefined is the default, not a bad value.
    expect(parsePaymentUri(`tron:${MERCHANT}`, { tronChainId: undefined }).chainId).toBe(MAINNET)
  })

  it('leaves other schemes alone, and solanaChainId leaves tron: alone', () => {
    const eth = 'ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359@137?value=5'
    const btc = 'bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.5'
    const sol = 'solana:mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN?amount=1'
    for (const uri of [eth, btc, sol]) expect(parsePaymentUri(uri, { tronChainId: NILE })).toStrictEqual(parsePaymentUri(uri))
    const tronUri = `tron:${MERCHANT}?amount=1`
    expect(parsePaymentUri(tronUri, { solanaChainId: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' }).chainId).toBe(MAINNET)
    // Both at once: each scheme reads its own.
    const both = { tronChainId: NILE, solanaChainId: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' } as const
    expect(parsePaymentUri(tronUri, both).chainId).toBe(NILE)
    expect(parsePaymentUri(sol, both).chainId).toBe('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1')
  })

  it('still writes mainnet requests only: a request read as Nile cannot be formatted', () => {
    const onNile = parsePaymentUri(`tron:${MERCHANT}?amount=2&token=${USDT}&message=x`, { tronChainId: NILE })
    const error = thrown(() => formatPaymentUri(onNile))
    expect(error).toBeInstanceOf(InvalidPaymentUriError)
    expect(error.message).toContain('only mainnet')
    // Nor a mainnet chain id with a Nile asset.
    expect(() => formatPaymentUri({ ...onNile, chainId: MAINNET })).toThrow(InvalidPaymentUriError)
    // Rebased onto mainnet it is written, and reads back as Nile given the option.
    const uri = formatPaymentUri({ ...onNile, chainId: MAINNET, asset: `${MAINNET}/trc20:${USDT}` })
    expect(uri).toBe(`tron:${MERCHANT}?amount=2&token=${USDT}&message=x`)
    expect(parsePaymentUri(uri, { tronChainId: NILE })).toStrictEqual(onNile)
  })

  it('round trips: format (mainnet) → parse as any chain is the request rebased onto that chain', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{8}$/).map((h): PaymentRequest['chainId'] => `tron:0x${h}`)
    const chain = fc.oneof(fc.constantFrom(MAINNET, NILE, SHASTA), hex)
    const request = fc.record({
      token: fc.boolean(),
      sun: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
      tokens: fc.stringMatching(/^(0|[1-9]\d{0,12})(\.\d{0,5}[1-9])?$/),
      label: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    })
    fc.assert(
      fc.property(request, chain, ({ token, sun, tokens, label }, chainId) => {
        const r = {
          scheme: 'tron',
          chainId: MAINNET,
          to: MERCHANT,
          asset: token ? `${MAINNET}/trc20:${USDT}` : `${MAINNET}/slip44:195`,
          amount: token ? tokens : sun,
          ...(label === undefined ? {} : { label }),
        } as PaymentRequest
        const uri = formatPaymentUri(r)
        expect(parsePaymentUri(uri)).toStrictEqual(r)
        const read = parsePaymentUri(uri, { tronChainId: chainId })
        expect(read).toStrictEqual({ ...r, chainId, asset: `${chainId}${r.asset.slice(MAINNET.length)}` })
      }),
      { numRuns: 200 },
    )
  })
})
