import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatAccountId,
  formatAssetId,
  formatChainId,
  InvalidCaipIdError,
  isChainId,
  parseAccountId,
  parseAssetId,
  parseChainId,
} from 'coffer'
import { evm } from 'coffer/evm'
import { suggestChainId } from '../../src/core/caip.js'

// Examples from the CAIP-2, CAIP-10 and CAIP-19 specs (github.com/ChainAgnostic/CAIPs).
describe('CAIP-2', () => {
  it.each([
    ['eip155:1', 'eip155', '1'],
    ['bip122:000000000019d6689c085ae165831e93', 'bip122', '000000000019d6689c085ae165831e93'],
    ['cosmos:cosmoshub-3', 'cosmos', 'cosmoshub-3'],
    ['cosmos:Binance-Chain-Tigris', 'cosmos', 'Binance-Chain-Tigris'],
    ['solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp', 'solana', '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'],
    ['tron:0x2b6653dc', 'tron', '0x2b6653dc'],
  ])('parses %s', (id, namespace, reference) => {
    expect(parseChainId(id)).toEqual({ namespace, reference })
    expect(formatChainId({ namespace, reference })).toBe(id)
    expect(isChainId(id)).toBe(true)
  })

  it.each([
    'eip155',
    'ei:1',
    'EIP155:1',
    'eip155:',
    ':1',
    'eip155:1:2',
    'eip155:1/',
    'toolongnamespace:1',
    `eip155:${'1'.repeat(33)}`,
    'eip155:1 ',
    '',
  ])('rejects %j', (id) => {
    expect(() => parseChainId(id)).toThrow(InvalidCaipIdError)
    expect(isChainId(id)).toBe(false)
  })

  it('rejects non-string parts when formatting', () => {
    expect(() => formatChainId({ namespace: 'eip155', reference: 1 as never })).toThrow(InvalidCaipIdError)
    expect(() => formatChainId(null as never)).toThrow(InvalidCaipIdError)
  })
})

describe('CAIP-10', () => {
  it.each([
    ['eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb', 'eip155:1', '0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb'],
    [
      'bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6',
      'bip122:000000000019d6689c085ae165831e93',
      '128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6',
    ],
    [
      'cosmos:cosmoshub-3:cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0',
      'cosmos:cosmoshub-3',
      'cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0',
    ],
    [
      'chainstd:8c3444cf8970a9e41a706fab93e7a6c4:6d9b0b4b9994e8a6afbd3dc3ed983cd51c755afb27cd1dc7825ef59c134a39f7',
      'chainstd:8c3444cf8970a9e41a706fab93e7a6c4',
      '6d9b0b4b9994e8a6afbd3dc3ed983cd51c755afb27cd1dc7825ef59c134a39f7',
    ],
  ])('parses %s', (id, chainId, address) => {
    expect(parseAccountId(id)).toEqual({ chainId, address })
    expect(formatAccountId({ chainId: chainId as never, address })).toBe(id)
  })

  it.each(['eip155:1', 'eip155:1:', 'eip155:1:0xab:cd', 'eip155:1:0x ab', `eip155:1:${'a'.repeat(129)}`])('rejects %j', (id) => {
    expect(() => parseAccountId(id)).toThrow(InvalidCaipIdError)
  })
})

describe('CAIP-19', () => {
  it.each([
    ['eip155:1/slip44:60', { chainId: 'eip155:1', assetNamespace: 'slip44', assetReference: '60' }],
    [
      'bip122:000000000019d6689c085ae165831e93/slip44:0',
      { chainId: 'bip122:000000000019d6689c085ae165831e93', assetNamespace: 'slip44', assetReference: '0' },
    ],
    [
      'eip155:1/erc20:0x6b175474e89094c44da98b954eedeac495271d0f',
      { chainId: 'eip155:1', assetNamespace: 'erc20', assetReference: '0x6b175474e89094c44da98b954eedeac495271d0f' },
    ],
    [
      'eip155:1/erc721:0x06012c8cf97BEaD5deAe237070F9587f8E7A266d/771769',
      { chainId: 'eip155:1', assetNamespace: 'erc721', assetReference: '0x06012c8cf97BEaD5deAe237070F9587f8E7A266d', tokenId: '771769' },
    ],
    ['cosmos:Binance-Chain-Tigris/slip44:714', { chainId: 'cosmos:Binance-Chain-Tigris', assetNamespace: 'slip44', assetReference: '714' }],
  ])('parses %s', (id, parts) => {
    expect(parseAssetId(id)).toEqual(parts)
    expect(formatAssetId(parts as never)).toBe(id)
  })

  it.each([
    'eip155:1',
    'eip155:1/',
    'eip155:1/erc20',
    'eip155:1/ERC20:0xab',
    'eip155:1/erc20:0xab/1/2',
    'eip155/erc20:0xab',
    'eip155:1/erc20:',
    'eip155:1/erc20:0x ab',
  ])('rejects %j', (id) => {
    expect(() => parseAssetId(id)).toThrow(InvalidCaipIdError)
  })
})

describe('round trips (property)', () => {
  const namespace = fc.stringMatching(/^[-a-z0-9]{3,8}$/)
  const reference = fc.stringMatching(/^[-_a-zA-Z0-9]{1,32}$/)
  const address = fc.stringMatching(/^[-.%a-zA-Z0-9]{1,128}$/)
  const tokenId = fc.stringMatching(/^[-.%a-zA-Z0-9]{1,78}$/)

  it('format ∘ parse is the identity on valid ids', () => {
    fc.assert(
      fc.property(
        namespace,
        reference,
        address,
        namespace,
        address,
        fc.option(tokenId, { nil: undefined }),
        (ns, ref, addr, assetNs, assetRef, token) => {
          const chainId = formatChainId({ namespace: ns, reference: ref })
          expect(parseChainId(chainId)).toEqual({ namespace: ns, reference: ref })
          const accountId = formatAccountId({ chainId, address: addr })
          expect(parseAccountId(accountId)).toEqual({ chainId, address: addr })
          const parts =
            token === undefined
              ? { chainId, assetNamespace: assetNs, assetReference: assetRef }
              : { chainId, assetNamespace: assetNs, assetReference: assetRef, tokenId: token }
          const assetId = formatAssetId(parts)
          expect(parseAssetId(assetId)).toEqual(parts)
        },
      ),
    )
  })

  it('arbitrary strings either parse to parts that format back, or throw InvalidCaipIdError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        for (const [parse, format] of [
          [parseChainId, formatChainId],
          [parseAccountId, formatAccountId],
          [parseAssetId, formatAssetId],
        ] as const) {
          try {
            expect(format(parse(text) as never)).toBe(text)
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidCaipIdError)
          }
        }
      }),
    )
  })
})

describe('chain ids in the wrong form (issue 13)', () => {
  const refused = (parse: () => unknown) => {
    try {
      parse()
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidCaipIdError)
      return error as InvalidCaipIdError
    }
    throw new Error('expected a refusal')
  }

  it.each([
    ['31337', 'eip155:31337'],
    [31337, 'eip155:31337'],
    [31337n, 'eip155:31337'],
    ['0x7a69', 'eip155:31337'],
    ['eip155-31337', 'eip155:31337'],
    ['eip155_137', 'eip155:137'],
    ['eip155 1', 'eip155:1'],
    ['EIP155:1', 'eip155:1'],
    ['EIP-155:137', 'eip155:137'],
    [' eip155:1 ', 'eip155:1'],
    ['eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb', 'eip155:1'],
    ['eip155:1/slip44:60', 'eip155:1'],
    ['bip122:000000000019d6689c085ae165831e93b0e6ab7c1c5e08c77c5a4b28d0c6c5a1', 'bip122:000000000019d6689c085ae165831e93'],
  ])('%s: says the right form and suggests %s', (input, suggestion) => {
    const error = refused(() => parseChainId(input as string))
    expect(error.code).toBe('INVALID_CAIP_ID')
    expect(error.shortMessage).toContain('"<namespace>:<reference>"')
    expect(error.shortMessage).toMatch(new RegExp(`did you mean ${suggestion}\\?$`))
    expect(error.details).toMatchObject({ kind: 'CAIP-2 chain id', suggestion })
    expect(parseChainId(suggestion)).toBeTruthy()
  })

  it.each(['ethereum', 'eip155', 'eip155:', 'x', '', '0', -1, 1.5, null, {}])(
    '%j: says the right form without a made-up suggestion',
    (input) => {
      const error = refused(() => parseChainId(input as string))
      expect(error.shortMessage).toContain('e.g. "eip155:1"')
      expect(error.shortMessage).not.toMatch(/did you mean/)
      expect(error.details.suggestion).toBeUndefined()
    },
  )

  it('calls a chain name a name', () => {
    expect(refused(() => parseChainId('ethereum')).shortMessage).toMatch(/a chain name is not a chain id/)
  })

  it('suggests account and asset ids with their chain part corrected', () => {
    expect(refused(() => parseAccountId('31337:0xab')).details.suggestion).toBe('eip155:31337:0xab')
    expect(refused(() => parseAccountId('EIP155:1:0xab')).details.suggestion).toBe('eip155:1:0xab')
    expect(refused(() => parseAssetId('31337/erc20:0xab')).details.suggestion).toBe('eip155:31337/erc20:0xab')
    expect(refused(() => parseAssetId('eip155-1/ERC20:0xab')).details.suggestion).toBe('eip155:1/erc20:0xab')
    expect(refused(() => parseAssetId('eip155:1')).details.suggestion).toBeUndefined()
  })

  it('the EVM adapter refuses a chain option in the wrong form with the same error', () => {
    for (const [chain, suggestion] of [
      [31337, 'eip155:31337'],
      ['31337', 'eip155:31337'],
      ['eip155-31337', 'eip155:31337'],
      ['EIP155:1', 'eip155:1'],
    ] as const) {
      const error = refused(() => evm({ chain: chain as never, rpcUrls: ['http://127.0.0.1:1'] }))
      expect(error).toMatchObject({ code: 'INVALID_CAIP_ID', details: { suggestion } })
      expect(error.shortMessage).toContain(`did you mean ${suggestion}?`)
    }
    // Well formed but not an EVM chain: a plain argument error that still points the way.
    expect(() => evm({ chain: 'ethereum:1' as never, rpcUrls: ['http://127.0.0.1:1'] })).toThrow(/eip155 chains.*did you mean eip155:1\?/)
  })

  it('property: every refused value gives InvalidCaipIdError, and any suggestion parses', () => {
    const inputs = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^[-_ .:/A-Za-z0-9]{0,40}$/),
      fc.anything(),
      fc.integer().map(String),
      fc.bigInt(),
      fc.double(),
    )
    fc.assert(
      fc.property(inputs, (input) => {
        for (const parse of [parseChainId, parseAccountId, parseAssetId]) {
          let error: unknown
          try {
            parse(input as string)
          } catch (e) {
            error = e
          }
          if (error === undefined) continue
          expect(error).toBeInstanceOf(InvalidCaipIdError)
          const suggestion = (error as InvalidCaipIdError).details.suggestion
          if (suggestion !== undefined) {
            expect(suggestion).not.toBe(input)
            expect(() => parse(suggestion as string)).not.toThrow()
          }
        }
        expect(typeof isChainId(input)).toBe('boolean')
      }),
      { numRuns: 2_000 },
    )
  })

  it('property: a chain number in any common wrong form suggests its eip155 id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('-', '_', ' ', '/', '.'), (n, sep) => {
        const want = `eip155:${n}`
        for (const input of [n, BigInt(n), String(n), `0x${n.toString(16)}`, `eip155${sep}${n}`, `EIP155:${n}`]) {
          expect(suggestChainId(input)).toBe(want)
          try {
            parseChainId(input as string)
            throw new Error(`accepted ${String(input)}`)
          } catch (error) {
            expect(error).toMatchObject({ code: 'INVALID_CAIP_ID', details: { suggestion: want } })
          }
        }
        expect(suggestChainId(want)).toBeUndefined() // already well formed
      }),
    )
  })
})
