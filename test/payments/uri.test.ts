import { sha256 } from '@noble/hashes/sha2.js'
import { bech32, bech32m, base58, createBase58check } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BITCOIN_CHAINS } from '../../src/chains/bitcoin/networks.js'
import { CofferError, InvalidArgumentError, InvalidPaymentUriError } from '../../src/core/errors.js'
import { toChecksumAddress } from '../../src/keys/address/evm.js'
import type { BitcoinNetwork } from '../../src/keys/address/bitcoin.js'
import {
  BITCOIN_CHAIN_IDS,
  formatPaymentUri,
  parsePaymentUri,
  SOLANA_MAINNET_CHAIN_ID,
  TRON_MAINNET_CHAIN_ID,
  type ParsePaymentUriOptions,
  type PaymentRequest,
} from '../../src/payments/uri.js'
import { expectOnlyCofferErrors } from '../support/hostile.js'
import vectors from '../vectors/payment-uris.json'

const base58check = createBase58check(sha256)
const RUNS = { numRuns: 200 }

/** JSON vector values: "<digits>n" is a bigint, everything else as is. */
function revive(value: unknown): unknown {
  if (typeof value === 'string' && /^\d+n$/.test(value)) return BigInt(value.slice(0, -1))
  if (Array.isArray(value)) return value.map(revive)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]))
  return value
}

function thrown(fn: () => unknown): CofferError {
  try {
    fn()
  } catch (error) {
    if (error instanceof CofferError) return error
    throw error
  }
  throw new Error('did not throw')
}

/** The Bitcoin network a parsed request is on, so round trips can name it (testnet and regtest share base58 versions). */
function networkOf(r: PaymentRequest): ParsePaymentUriOptions {
  const network = (Object.keys(BITCOIN_CHAIN_IDS) as BitcoinNetwork[]).find((n) => BITCOIN_CHAIN_IDS[n] === r.chainId)
  return network ? { bitcoinNetwork: network } : {}
}

describe('payment URI vectors (test/vectors/payment-uris.json)', () => {
  for (const v of vectors.valid) {
    it(`parses ${v.source}: ${v.uri.slice(0, 70)}`, () => {
      const options = ('options' in v ? v.options : undefined) as ParsePaymentUriOptions | undefined
      const request = parsePaymentUri(v.uri, options)
      expect(request).toStrictEqual(revive(v.expected))
      expect(Object.isFrozen(request)).toBe(true)
      expect(formatPaymentUri(request)).toBe(v.canonical)
      // The canonical form reads back to the same request and writes itself again.
      expect(parsePaymentUri(v.canonical, networkOf(request))).toStrictEqual(request)
      expect(formatPaymentUri(parsePaymentUri(v.canonical, networkOf(request)))).toBe(v.canonical)
    })
  }

  for (const v of vectors.invalid) {
    it(`rejects ${v.source}: ${v.uri.slice(0, 70)}`, () => {
      const options = ('options' in v ? v.options : undefined) as ParsePaymentUriOptions | undefined
      const error = thrown(() => parsePaymentUri(v.uri, options))
      expect(error).toBeInstanceOf(InvalidPaymentUriError)
      expect(error.code).toBe('INVALID_PAYMENT_URI')
      expect(error.shortMessage).toContain(v.error)
    })
  }

  it('names a source for every case', () => {
    for (const v of [...vectors.valid, ...vectors.invalid]) expect(v.source.length).toBeGreaterThan(5)
  })
})

describe('parsePaymentUri', () => {
  const ADDR = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
  const G = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'

  it('uses the chain ids coffer/bitcoin uses', () => {
    for (const n of ['mainnet', 'testnet', 'regtest'] as const) expect(BITCOIN_CHAIN_IDS[n]).toBe(BITCOIN_CHAINS[n].caip2)
    expect(SOLANA_MAINNET_CHAIN_ID).toBe('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')
    expect(TRON_MAINNET_CHAIN_ID).toBe('tron:0x2b6653dc')
  })

  it('reads EIP-681 addresses in lower, upper and checksummed case alike, and decides the chain', () => {
    for (const target of [ADDR, ADDR.toLowerCase(), `0x${ADDR.slice(2).toUpperCase()}`]) {
      expect(parsePaymentUri(`ethereum:${target}`)).toStrictEqual({
        scheme: 'ethereum',
        chainId: 'eip155:1',
        to: ADDR,
        asset: 'eip155:1/slip44:60',
      })
    }
    expect(parsePaymentUri(`ethereum:${ADDR}`, { defaultEvmChainId: 10 }).chainId).toBe('eip155:10')
    expect(parsePaymentUri(`ethereum:${ADDR}@56`, { defaultEvmChainId: 10 }).chainId).toBe('eip155:56')
    expect(parsePaymentUri(`Ethereum:${ADDR}?value=0`).amount).toBe(0n)
  })

  it('reads the EIP-681 number grammar exactly', () => {
    const value = (v: string) => parsePaymentUri(`ethereum:${ADDR}?value=${v}`).amount
    expect(value('2.014e18')).toBe(2_014_000_000_000_000_000n)
    expect(value('2.014E18')).toBe(2_014_000_000_000_000_000n)
    expect(value('+5')).toBe(5n)
    expect(value('.5e1')).toBe(5n)
    expect(value('1.50e1')).toBe(15n)
    expect(value('0e999999')).toBe(0n)
    expect(value('1e0')).toBe(1n)
    expect(value('000123')).toBe(123n)
    expect(value(String(2n ** 256n - 1n))).toBe(2n ** 256n - 1n)
    for (const bad of [String(2n ** 256n), '1e78', '-0', '1.', 'e5', '.', '', '1e-5', '1.5e0', '0.1', '1e1e1', '１']) {
      expect(() => value(bad), bad).toThrow(InvalidPaymentUriError)
    }
  })

  it('decodes each value once, and keeps "+" as a plus sign', () => {
    const r = parsePaymentUri(`bitcoin:${G}?label=a+b%2Bc&message=100%2525%20%26%3D%3F%23`)
    expect(r.label).toBe('a+b+c')
    expect(r.message).toBe('100%25 &=?#')
    expect(parsePaymentUri(`bitcoin:${G}?label`).label).toBe('')
    expect(parsePaymentUri(`bitcoin:${G}?label=&&message=a=b&`)).toMatchObject({ label: '', message: 'a=b' })
    expect(parsePaymentUri(`  bitcoin:${G}?amount=1\n`).amount).toBe(100_000_000n)
  })

  it('ignores unknown parameters but not unknown req- ones, on every scheme', () => {
    expect(parsePaymentUri(`bitcoin:${G}?lightning=lnbc1&pj=https://x`).to).toBe(G)
    expect(parsePaymentUri(`bitcoin:${G}?AMOUNT=5`).amount).toBeUndefined() // keys are case-sensitive (BIP-21)
    for (const uri of [`bitcoin:${G}?req-pj=x`, `ethereum:${ADDR}?req-x=1`, 'tron:TDGmmTC7xDgQGwH4FYRGuE7SFH2MePHYeH?req-x=']) {
      expect(thrown(() => parsePaymentUri(uri)).shortMessage).toContain('req-')
    }
  })

  it('infers the Bitcoin network from the address, or checks the one asked for', () => {
    const tpkh = base58check.encode(new Uint8Array([0x6f, ...new Uint8Array(20).fill(1)]))
    expect(parsePaymentUri(`bitcoin:${tpkh}`).chainId).toBe(BITCOIN_CHAIN_IDS.testnet)
    expect(parsePaymentUri(`bitcoin:${tpkh}`, { bitcoinNetwork: 'regtest' })).toMatchObject({
      chainId: BITCOIN_CHAIN_IDS.regtest,
      asset: `${BITCOIN_CHAIN_IDS.regtest}/slip44:1`,
    })
    const bcrt = bech32.encode('bcrt', [0, ...bech32.toWords(new Uint8Array(20).fill(2))])
    expect(parsePaymentUri(`bitcoin:${bcrt}`).chainId).toBe(BITCOIN_CHAIN_IDS.regtest)
    expect(() => parsePaymentUri(`bitcoin:${bcrt}`, { bitcoinNetwork: 'testnet' })).toThrow(/on testnet/)
    expect(() => parsePaymentUri(`bitcoin:${G}`, { bitcoinNetwork: 'testnet' })).toThrow(InvalidPaymentUriError)
  })

  it('bounds BTC amounts at 21 million and 8 decimals', () => {
    expect(parsePaymentUri(`bitcoin:${G}?amount=21000000`).amount).toBe(2_100_000_000_000_000n)
    expect(parsePaymentUri(`bitcoin:${G}?amount=0.00000001`).amount).toBe(1n)
    expect(parsePaymentUri(`bitcoin:${G}?amount=5.`).amount).toBe(500_000_000n)
    expect(parsePaymentUri(`bitcoin:${G}?amount=0`).amount).toBe(0n)
    expect(() => parsePaymentUri(`bitcoin:${G}?amount=${'9'.repeat(100)}`)).toThrow(InvalidPaymentUriError)
  })

  it('refuses bad options with InvalidArgumentError', () => {
    expect(() => parsePaymentUri(`bitcoin:${G}`, { defaultEvmChainId: 0 })).toThrow(InvalidArgumentError)
    expect(() => parsePaymentUri(`bitcoin:${G}`, { defaultEvmChainId: 1.5 })).toThrow(InvalidArgumentError)
    expect(() => parsePaymentUri(`bitcoin:${G}`, { bitcoinNetwork: 'signet' as never })).toThrow(InvalidArgumentError)
    expect(() => parsePaymentUri(`bitcoin:${G}`, 'x' as never)).toThrow(InvalidArgumentError)
  })

  it('quotes at most 60 characters of the input in its messages', () => {
    const long = 'Z'.repeat(5000)
    for (const uri of [
      `bitcoin:${long}`,
      `ethereum:${long}.eth`,
      `bitcoin:${G}?label=%zz${long}`,
      `bitcoin:${G}?${long}=1&${long}=2`,
      `solana:${long}`,
      `${long}:x`,
      `ethereum:${ADDR}?value=${'1'.repeat(900)}.5`,
    ]) {
      const error = thrown(() => parsePaymentUri(uri))
      expect(error).toBeInstanceOf(InvalidPaymentUriError)
      expect(error.message).not.toMatch(/Z{61}|1{61}/)
      expect(error.message.length).toBeLessThan(300)
    }
    expect(thrown(() => parsePaymentUri('a'.repeat(100_000))).shortMessage).toContain('too long')
  })

  it('gives only CofferErrors for hostile arguments', async () => {
    await expectOnlyCofferErrors('parsePaymentUri', parsePaymentUri, [`bitcoin:${G}?amount=1`, { bitcoinNetwork: 'mainnet' }])
    for (const bad of [undefined, null, 1, 1n, {}, [], Symbol('s'), () => 1, new Uint8Array(3)]) {
      expect(thrown(() => parsePaymentUri(bad as never))).toBeInstanceOf(InvalidPaymentUriError)
    }
  })

  it('never throws anything but InvalidPaymentUriError on arbitrary text', () => {
    const alphabet = fc.constantFrom(
      ...'bitcoin:ethereum:solana:tron:?&=%#@/.-+ 0x1aZfF9eE25AbcxyzTR7N'.split(''),
      'bitcoin:',
      'ethereum:',
      'solana:',
      'tron:',
      '%2',
      '%C3%A9',
      '%E0',
      'amount=',
      'value=',
      'label=',
      'req-',
      '/transfer',
      '@1',
      'reference=',
      'spl-token=',
      'token=',
      'e18',
      '\u0000',
      '😀',
      '\uD800',
    )
    const uriLike = fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join(''))
    const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 }).map((units) => String.fromCharCode(...units))
    fc.assert(
      fc.property(fc.oneof(uriLike, codeUnits), (text) => {
        let request: PaymentRequest
        try {
          request = parsePaymentUri(text)
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPaymentUriError)
          return
        }
        expect(parsePaymentUri(formatPaymentUri(request), networkOf(request))).toStrictEqual(request)
      }),
      { numRuns: 300 },
    )
  })

  it('never throws anything but InvalidPaymentUriError on mutated valid URIs', () => {
    const seeds = vectors.valid.map((v) => v.uri)
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }), (uri, at, insert, remove) => {
        const i = at % (uri.length + 1)
        const mutated = uri.slice(0, i) + insert + uri.slice(i + remove)
        try {
          const request = parsePaymentUri(mutated)
          expect(formatPaymentUri(parsePaymentUri(formatPaymentUri(request), networkOf(request)))).toBe(formatPaymentUri(request))
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPaymentUriError)
        }
      }),
      RUNS,
    )
  })
})

// ---------------------------------------------------------------------------------------
// Arbitrary valid requests, in canonical form (as parsePaymentUri returns them).

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const evmAddress = bytes(20).map((b) => toChecksumAddress(`0x${hex(b)}`))
const solanaKey = bytes(32).map((b) => base58.encode(b))
const tronAddress = bytes(20).map((b) => base58check.encode(new Uint8Array([0x41, ...b])))
const HRP: Record<BitcoinNetwork, string> = { mainnet: 'bc', testnet: 'tb', regtest: 'bcrt' }
const VERSION: Record<BitcoinNetwork, [number, number]> = { mainnet: [0x00, 0x05], testnet: [0x6f, 0xc4], regtest: [0x6f, 0xc4] }
const bitcoinAddress = (network: BitcoinNetwork) =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom(0, 1), bytes(20))
      .map(([kind, hash]) => base58check.encode(new Uint8Array([VERSION[network][kind] as number, ...hash]))),
    fc.oneof(bytes(20), bytes(32)).map((p) => bech32.encode(HRP[network], [0, ...bech32.toWords(p)])),
    bytes(32).map((p) => bech32m.encode(HRP[network], [1, ...bech32m.toWords(p)])),
  )
/** Unicode text heavy in characters URIs reserve. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({
    unit: fc.constantFrom('&', '=', '?', '#', '%', '+', ' ', '/', ':', '@', '%20', 'é', '€', '😀', '\n', '\u0000', 'a', 'Z', '~', "'", '*'),
    maxLength: 24,
  }),
)
/** An exact decimal string in canonical form: no leading zeros, no trailing fractional zeros. */
const decimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.option(fc.stringMatching(/^\d{0,24}[1-9]$/), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? String(whole) : `${whole}.${fraction}`))
const uint256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

function clean<T extends object>(request: T): T {
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as T
}

const ethereumRequest = fc
  .record({
    chain: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    to: evmAddress,
    token: opt(evmAddress),
    amount: opt(uint256),
    gasLimit: opt(uint256),
    gasPrice: opt(uint256),
  })
  .map(({ chain, to, token, amount, gasLimit, gasPrice }): PaymentRequest => {
    const chainId = `eip155:${chain}` as const
    const asset = token === undefined ? (`${chainId}/slip44:60` as const) : (`${chainId}/erc20:${token.toLowerCase()}` as const)
    return clean({ scheme: 'ethereum', chainId, to, asset, amount, gasLimit, gasPrice })
  })

const bitcoinRequest = fc
  .constantFrom<BitcoinNetwork>('mainnet', 'testnet', 'regtest')
  .chain((network) =>
    fc.record({
      network: fc.constant(network),
      to: bitcoinAddress(network),
      amount: opt(fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n })),
      label: opt(text),
      message: opt(text),
    }),
  )
  .map(({ network, to, amount, label, message }): PaymentRequest => {
    const chainId = BITCOIN_CHAIN_IDS[network]
    return clean({ scheme: 'bitcoin', chainId, to, asset: `${chainId}/slip44:${network === 'mainnet' ? 0 : 1}`, amount, label, message })
  })

const solanaRequest = fc
  .record({
    to: solanaKey,
    mint: opt(solanaKey),
    lamports: opt(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    tokens: opt(decimal),
    references: opt(fc.array(solanaKey, { minLength: 1, maxLength: 3 })),
    label: opt(text),
    message: opt(text),
    memo: opt(text),
  })
  .map(({ to, mint, lamports, tokens, references, label, message, memo }): PaymentRequest => {
    const chainId = SOLANA_MAINNET_CHAIN_ID
    const asset = mint === undefined ? (`${chainId}/slip44:501` as const) : (`${chainId}/token:${mint}` as const)
    return clean({ scheme: 'solana', chainId, to, asset, amount: mint === undefined ? lamports : tokens, references, label, message, memo })
  })

const tronRequest = fc
  .record({
    to: tronAddress,
    token: opt(tronAddress),
    sun: opt(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })),
    tokens: opt(decimal),
    label: opt(text),
    message: opt(text),
  })
  .map(({ to, token, sun, tokens, label, message }): PaymentRequest => {
    const chainId = TRON_MAINNET_CHAIN_ID
    const asset = token === undefined ? (`${chainId}/slip44:195` as const) : (`${chainId}/trc20:${token}` as const)
    return clean({ scheme: 'tron', chainId, to, asset, amount: token === undefined ? sun : tokens, label, message })
  })

const anyRequest = fc.oneof(ethereumRequest, bitcoinRequest, solanaRequest, tronRequest)

describe('formatPaymentUri', () => {
  it('round-trips every valid request: parse(format(r)) deep-equals r', () => {
    fc.assert(
      fc.property(anyRequest, (r) => {
        const uri = formatPaymentUri(r)
        expect(uri.startsWith(`${r.scheme}:`)).toBe(true)
        expect(uri).not.toMatch(/[\s#\u0080-\uFFFF]/) // everything that needs it is percent-encoded
        expect(parsePaymentUri(uri, networkOf(r))).toStrictEqual(r)
      }),
      RUNS,
    )
  })

  it('round-trips without options wherever the network is not ambiguous', () => {
    fc.assert(
      fc.property(anyRequest, (r) => {
        fc.pre(!(r.chainId === BITCOIN_CHAIN_IDS.regtest && !r.to.startsWith('bcrt1')))
        expect(parsePaymentUri(formatPaymentUri(r))).toStrictEqual(r)
      }),
      RUNS,
    )
  })

  it('is stable: format(parse(format(r))) = format(r)', () => {
    fc.assert(
      fc.property(anyRequest, (r) => {
        const once = formatPaymentUri(r)
        expect(formatPaymentUri(parsePaymentUri(once, networkOf(r)))).toBe(once)
      }),
      RUNS,
    )
  })

  it('writes EIP-681 amounts as plain integers and BIP-21 amounts as exact BTC', () => {
    const to = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
    expect(formatPaymentUri({ scheme: 'ethereum', chainId: 'eip155:1', to, asset: 'eip155:1/slip44:60', amount: 10n ** 30n })).toBe(
      `ethereum:${to}@1?value=1${'0'.repeat(30)}`,
    )
    const btc = BITCOIN_CHAIN_IDS.mainnet
    const uri = formatPaymentUri({
      scheme: 'bitcoin',
      chainId: btc,
      to: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      asset: `${btc}/slip44:0`,
      amount: 2_100_000_000_000_000n - 1n,
      label: 'Caf\u00e9 & "bar"?',
    })
    expect(uri).toBe('bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=20999999.99999999&label=Caf%C3%A9%20%26%20%22bar%22%3F')
  })

  it('normalizes equivalent spellings to the canonical form', () => {
    const to = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
    const usdt = '0xdAC17F958D2ee523a2206206994597C13D831ec7'
    const r = {
      scheme: 'ethereum',
      chainId: 'eip155:1',
      to: to.toLowerCase(),
      asset: `eip155:1/erc20:${usdt}`,
      amount: 5n,
      references: [],
    } as const
    expect(formatPaymentUri(r as unknown as PaymentRequest)).toBe(`ethereum:${usdt}@1/transfer?address=${to}&uint256=5`)
    expect(parsePaymentUri(formatPaymentUri(r as unknown as PaymentRequest))).toStrictEqual({
      scheme: 'ethereum',
      chainId: 'eip155:1',
      to,
      asset: `eip155:1/erc20:${usdt.toLowerCase()}`,
      amount: 5n,
    })
    const sol = {
      scheme: 'solana',
      chainId: SOLANA_MAINNET_CHAIN_ID,
      to: 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN',
      asset: `${SOLANA_MAINNET_CHAIN_ID}/token:EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v`,
      amount: '0010.500',
    } as const
    expect(formatPaymentUri(sol)).toContain('?amount=10.5&spl-token=')
    const btc = BITCOIN_CHAIN_IDS.mainnet
    expect(
      formatPaymentUri({ scheme: 'bitcoin', chainId: btc, asset: `${btc}/slip44:0`, to: 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4' }),
    ).toBe('bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')
  })

  it('refuses requests it cannot write faithfully', () => {
    const to = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
    const eth = { scheme: 'ethereum', chainId: 'eip155:1', to, asset: 'eip155:1/slip44:60' } as const
    const btc = BITCOIN_CHAIN_IDS.mainnet
    const bitcoin = { scheme: 'bitcoin', chainId: btc, to: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', asset: `${btc}/slip44:0` } as const
    const sol = {
      scheme: 'solana',
      chainId: SOLANA_MAINNET_CHAIN_ID,
      to: 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN',
      asset: `${SOLANA_MAINNET_CHAIN_ID}/slip44:501`,
    } as const
    const tron = {
      scheme: 'tron',
      chainId: TRON_MAINNET_CHAIN_ID,
      to: 'TDGmmTC7xDgQGwH4FYRGuE7SFH2MePHYeH',
      asset: `${TRON_MAINNET_CHAIN_ID}/slip44:195`,
    } as const
    const cases: [unknown, string][] = [
      [{ ...eth, label: 'x' }, 'cannot carry "label"'],
      [{ ...eth, memo: 'x' }, 'cannot carry "memo"'],
      [{ ...bitcoin, gasLimit: 1n }, 'cannot carry "gasLimit"'],
      [{ ...tron, references: ['x'] }, 'cannot carry "references"'],
      [{ ...eth, to: 'vitalik.eth' }, 'ENS'],
      [{ ...eth, to: '0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359' }, 'EIP-55'],
      [{ ...eth, chainId: 'eip155:0' }, 'positive integer chain id'],
      [{ ...eth, chainId: 'bip122:000000000019d6689c085ae165831e93' }, 'eip155'],
      [{ ...eth, asset: 'eip155:5/slip44:60' }, 'not on chain'],
      [{ ...eth, asset: 'eip155:1/erc721:0x06012c8cf97bead5deae237070f9587f8e7a266d' }, 'is not'],
      [{ ...eth, asset: 'eip155:1/erc20:0x06012c8cf97bead5deae237070f9587f8e7a266d/7' }, 'token id'],
      [{ ...eth, amount: -1n }, 'from 0 to'],
      [{ ...eth, amount: 2n ** 256n }, 'from 0 to'],
      [{ ...eth, amount: '1.5' }, 'bigint'],
      [{ ...eth, gasPrice: 1 }, 'bigint'],
      [{ ...eth, scheme: 'litecoin' }, 'scheme must be'],
      [{ ...eth, extra: 1 }, 'unknown field'],
      [{ ...bitcoin, amount: 2_100_000_000_000_001n }, 'from 0 to'],
      [{ ...bitcoin, to: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx' }, 'on mainnet'],
      [{ ...bitcoin, asset: `${btc}/slip44:1` }, 'is not'],
      [{ ...bitcoin, chainId: 'bip122:00000008819873e925422c1ff0f99f7c' }, 'Unknown Bitcoin chain'],
      [{ ...bitcoin, label: 5 }, 'string'],
      [{ ...bitcoin, message: 'a\uD800b' }, 'lone surrogate'],
      [
        { ...sol, chainId: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', asset: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1/slip44:501' },
        'only mainnet',
      ],
      [{ ...sol, amount: '1.5' }, 'bigint'],
      [{ ...sol, amount: 2n ** 64n }, 'from 0 to'],
      [{ ...sol, asset: `${SOLANA_MAINNET_CHAIN_ID}/token:${'1'.repeat(10)}` }, 'is not'],
      [{ ...sol, asset: `${SOLANA_MAINNET_CHAIN_ID}/token:EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v`, amount: 5n }, 'decimal string'],
      [
        { ...sol, asset: `${SOLANA_MAINNET_CHAIN_ID}/token:EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v`, amount: '1e3' },
        'must be a decimal',
      ],
      [{ ...sol, references: 'abc' }, 'array'],
      [{ ...sol, references: ['abc'] }, 'reference'],
      [{ ...tron, chainId: 'tron:0xcd8690dc', asset: 'tron:0xcd8690dc/slip44:195' }, 'only mainnet'],
      [{ ...tron, amount: 2n ** 63n }, 'from 0 to'],
      [{ ...tron, to: 'T' + 'x'.repeat(33) }, 'TRON address'],
      [{ ...tron, asset: `${TRON_MAINNET_CHAIN_ID}/trc20:0xdac17f958d2ee523a2206206994597c13d831ec7` }, 'is not'],
    ]
    for (const [request, message] of cases) {
      const error = thrown(() => formatPaymentUri(request as PaymentRequest))
      expect(
        error,
        JSON.stringify(request, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBeInstanceOf(InvalidPaymentUriError)
      expect(error.shortMessage).toContain(message)
    }
  })

  it('gives only CofferErrors for hostile requests', async () => {
    const btc = BITCOIN_CHAIN_IDS.mainnet
    const valid = { scheme: 'bitcoin', chainId: btc, to: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', asset: `${btc}/slip44:0`, amount: 1n }
    await expectOnlyCofferErrors('formatPaymentUri', formatPaymentUri, [valid])
    const getter = Object.defineProperty({ ...valid }, 'label', {
      enumerable: true,
      get: () => {
        throw new TypeError('boom')
      },
    })
    expect(thrown(() => formatPaymentUri(getter as never))).toBeInstanceOf(InvalidPaymentUriError)
    fc.assert(
      fc.property(
        fc.record(
          {
            scheme: fc.constantFrom('ethereum', 'bitcoin', 'solana', 'tron'),
            chainId: fc.anything(),
            to: fc.anything(),
            asset: fc.anything(),
            amount: fc.anything(),
            label: fc.anything(),
          },
          { requiredKeys: ['scheme'] },
        ),
        (request) => {
          try {
            formatPaymentUri(request as PaymentRequest)
          } catch (error) {
            expect(error).toBeInstanceOf(CofferError)
          }
        },
      ),
      RUNS,
    )
  })
})
