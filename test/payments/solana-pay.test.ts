/**
 * Solana Pay URIs and the cluster they are read as. A Solana Pay URI names no network: it reads
 * as mainnet-beta unless the reader passes `solanaChainId` (devnet, testnet, a local cluster),
 * and only mainnet requests can be written (any other wallet would read a devnet URI as a
 * mainnet payment). Properties: format → parse round trips, for mainnet and read as any cluster.
 */
import { base58 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatPaymentUri, parsePaymentUri, type PaymentRequest } from 'coffer'
import { SOLANA_CLUSTERS } from 'coffer/solana'
import { InvalidArgumentError, InvalidPaymentUriError } from '../../src/core/errors.js'

const RUNS = { numRuns: 200 }
const MAINNET = SOLANA_CLUSTERS['mainnet-beta'].chainId
const DEVNET = SOLANA_CLUSTERS.devnet.chainId
const MERCHANT = 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN'
/** Circle's USDC mints (https://developers.circle.com/stablecoins/usdc-contract-addresses). */
const USDC_MAINNET = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'
const USDC_DEVNET = '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU'
const REFERENCE = '82ZJ7nbGpixjeDCmEhUcmwXYfvurzAgGdtSMuHnUgyny'

function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('did not throw')
}

/** `r` moved to cluster `chainId` (its chain id and its asset's): how a URI of `r` reads with `solanaChainId: chainId`. */
function readAs(r: PaymentRequest, chainId: string): PaymentRequest {
  const asset = `${chainId}${r.asset.slice(r.chainId.length)}` as PaymentRequest['asset']
  return { ...r, chainId: chainId as PaymentRequest['chainId'], asset }
}

describe('parsePaymentUri: solanaChainId', () => {
  it('reads a URI as mainnet by default, and as the cluster named (asset ids of that cluster)', () => {
    const uri = `solana:${MERCHANT}?amount=1.5&spl-token=${USDC_DEVNET}&reference=${REFERENCE}&memo=order%2042`
    expect(parsePaymentUri(uri)).toStrictEqual({
      scheme: 'solana',
      chainId: MAINNET,
      to: MERCHANT,
      asset: `${MAINNET}/token:${USDC_DEVNET}`,
      amount: '1.5',
      references: [REFERENCE],
      memo: 'order 42',
    })
    const onDevnet = parsePaymentUri(uri, { solanaChainId: DEVNET })
    expect(onDevnet).toStrictEqual({
      scheme: 'solana',
      chainId: DEVNET,
      to: MERCHANT,
      asset: `${DEVNET}/token:${USDC_DEVNET}`,
      amount: '1.5', // the mint's decimals are not in the URI: the wallet reads them from its adapter
      references: [REFERENCE],
      memo: 'order 42',
    })
    expect(Object.isFrozen(onDevnet)).toBe(true)
    // SOL: lamports, on the cluster named.
    expect(parsePaymentUri(`solana:${MERCHANT}?amount=0.000000001`, { solanaChainId: DEVNET })).toStrictEqual({
      scheme: 'solana',
      chainId: DEVNET,
      to: MERCHANT,
      asset: `${DEVNET}/slip44:501`,
      amount: 1n,
    })
    // Naming mainnet is the default spelled out; testnet and an unknown (local) cluster read alike.
    expect(parsePaymentUri(uri, { solanaChainId: MAINNET })).toStrictEqual(parsePaymentUri(uri))
    const local = 'solana:GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69'
    expect(parsePaymentUri(`solana:${MERCHANT}`, { solanaChainId: local })).toMatchObject({ chainId: local, asset: `${local}/slip44:501` })
    expect(parsePaymentUri(`solana:${MERCHANT}`, { solanaChainId: SOLANA_CLUSTERS.testnet.chainId }).chainId).toBe(
      SOLANA_CLUSTERS.testnet.chainId,
    )
  })

  it('refuses values that are not Solana CAIP-2 ids with InvalidArgumentError, whatever the URI', () => {
    const bad: unknown[] = [
      'devnet',
      'solana:devnet',
      'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa', // 31 characters
      'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1w', // 33
      'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa0', // 0 is not base58
      'SOLANA:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      'eip155:1',
      SOLANA_CLUSTERS.devnet.genesisHash,
      `${DEVNET}/slip44:501`,
      '',
      1,
      null,
      { chainId: DEVNET },
    ]
    const uris = [`solana:${MERCHANT}?amount=1`, 'ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359?value=1', 'not a uri']
    for (const solanaChainId of bad) {
      for (const uri of uris) {
        const error = thrown(() => parsePaymentUri(uri, { solanaChainId } as never))
        expect(error, `${String(solanaChainId)} with ${uri}`).toBeInstanceOf(InvalidArgumentError)
        expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT')
        expect(error.message).toContain('solanaChainId must be a Solana CAIP-2 id')
      }
    }
    // Undefined is the default, not a bad value.
    expect(parsePaymentUri(`solana:${MERCHANT}`, { solanaChainId: undefined }).chainId).toBe(MAINNET)
  })

  it('leaves other schemes alone', () => {
    const eth = 'ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359@137?value=5'
    const btc = 'bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.5'
    expect(parsePaymentUri(eth, { solanaChainId: DEVNET })).toStrictEqual(parsePaymentUri(eth))
    expect(parsePaymentUri(btc, { solanaChainId: DEVNET })).toStrictEqual(parsePaymentUri(btc))
  })

  it('still writes mainnet requests only: a request read as devnet cannot be formatted', () => {
    const onDevnet = parsePaymentUri(`solana:${MERCHANT}?amount=2&spl-token=${USDC_DEVNET}&memo=x`, { solanaChainId: DEVNET })
    const error = thrown(() => formatPaymentUri(onDevnet))
    expect(error).toBeInstanceOf(InvalidPaymentUriError)
    expect(error.message).toContain('only mainnet')
    // Nor a mainnet chain id with a devnet asset, or the reverse.
    expect(() => formatPaymentUri({ ...onDevnet, chainId: MAINNET })).toThrow(InvalidPaymentUriError)
    expect(() =>
      formatPaymentUri({ scheme: 'solana', chainId: DEVNET, to: MERCHANT, asset: `${MAINNET}/token:${USDC_MAINNET}`, amount: '1' }),
    ).toThrow(InvalidPaymentUriError)
    // Rebased onto mainnet it is written, and reads back as devnet given the option.
    const uri = formatPaymentUri({ ...onDevnet, chainId: MAINNET, asset: `${MAINNET}/token:${USDC_DEVNET}` })
    expect(uri).toBe(`solana:${MERCHANT}?amount=2&spl-token=${USDC_DEVNET}&memo=x`)
    expect(parsePaymentUri(uri, { solanaChainId: DEVNET })).toStrictEqual(onDevnet)
  })

  it('keeps references in order and refuses a bad one', () => {
    const [a, b, c] = [1, 2, 3].map((n) => base58.encode(new Uint8Array(32).fill(n)))
    const read = parsePaymentUri(`solana:${MERCHANT}?reference=${a}&reference=${b}&reference=${c}`, { solanaChainId: DEVNET })
    expect(read.references).toEqual([a, b, c])
    expect(() => parsePaymentUri(`solana:${MERCHANT}?reference=abc`, { solanaChainId: DEVNET })).toThrow(InvalidPaymentUriError)
    expect(() => parsePaymentUri(`solana:${MERCHANT}?memo=a&memo=b`, { solanaChainId: DEVNET })).toThrow(InvalidPaymentUriError)
  })
})

// ---------------------------------------------------------------------------------------
// Properties

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const solanaKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => base58.encode(b))
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
/** Any Solana CAIP-2 id: the known clusters and random 32-character genesis hash prefixes. */
const clusterId = fc.oneof(
  fc.constantFrom(MAINNET, DEVNET, SOLANA_CLUSTERS.testnet.chainId),
  fc.string({ unit: fc.constantFrom(...BASE58), minLength: 32, maxLength: 32 }).map((ref) => `solana:${ref}`),
)
/** Text heavy in what URIs reserve, and in non-ASCII. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '&',
      '=',
      '?',
      '#',
      '%',
      '+',
      ' ',
      '/',
      ':',
      '@',
      '%20',
      'é',
      '€',
      '😀',
      '\n',
      'a',
      'Z',
      '~',
      "'",
      '*',
      'reference=',
    ),
    minLength: 1,
    maxLength: 30,
  }),
)
/** An exact decimal string in canonical form. */
const decimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), opt(fc.stringMatching(/^\d{0,17}[1-9]$/)))
  .map(([whole, fraction]) => (fraction === undefined ? String(whole) : `${whole}.${fraction}`))

const mainnetRequest = fc
  .record({
    to: solanaKey,
    mint: opt(solanaKey),
    lamports: opt(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    tokens: opt(decimal),
    references: opt(fc.uniqueArray(solanaKey, { minLength: 1, maxLength: 6 })),
    label: opt(text),
    message: opt(text),
    memo: opt(text),
  })
  .map(({ to, mint, lamports, tokens, references, label, message, memo }): PaymentRequest => {
    const asset = mint === undefined ? (`${MAINNET}/slip44:501` as const) : (`${MAINNET}/token:${mint}` as const)
    const request = {
      scheme: 'solana',
      chainId: MAINNET,
      to,
      asset,
      amount: mint === undefined ? lamports : tokens,
      references,
      label,
      message,
      memo,
    }
    return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as unknown as PaymentRequest
  })

describe('Solana Pay round trips (properties)', () => {
  it('format → parse gives the request back on mainnet, and writes the same URI again', () => {
    fc.assert(
      fc.property(mainnetRequest, (r) => {
        const uri = formatPaymentUri(r)
        expect(uri).toMatch(/^solana:[1-9A-HJ-NP-Za-km-z]{32,44}(\?|$)/)
        expect(uri).not.toMatch(/[\s#\u0080-\uFFFF]/)
        expect(uri.split('reference=').length - 1).toBe(r.references?.length ?? 0)
        const back = parsePaymentUri(uri)
        expect(back).toStrictEqual(r)
        expect(formatPaymentUri(back)).toBe(uri)
      }),
      RUNS,
    )
  })

  it('format → parse with solanaChainId gives the same request on that cluster (amounts, references and memo untouched)', () => {
    fc.assert(
      fc.property(mainnetRequest, clusterId, (r, chainId) => {
        const uri = formatPaymentUri(r)
        const read = parsePaymentUri(uri, { solanaChainId: chainId as `solana:${string}` })
        expect(read).toStrictEqual(readAs(r, chainId))
        expect(read.asset.startsWith(`${chainId}/`)).toBe(true)
        if (chainId === MAINNET) expect(formatPaymentUri(read)).toBe(uri)
        else expect(() => formatPaymentUri(read)).toThrow(/only mainnet/)
        // Rebased onto mainnet, it writes the very same URI.
        expect(formatPaymentUri(readAs(read, MAINNET))).toBe(uri)
      }),
      RUNS,
    )
  })
})
