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

  it.each(['eip155', 'ei:1', 'EIP155:1', 'eip155:', ':1', 'eip155:1:2', 'eip155:1/', 'toolongnamespace:1', `eip155:${'1'.repeat(33)}`, 'eip155:1 ', ''])(
    'rejects %j',
    (id) => {
      expect(() => parseChainId(id)).toThrow(InvalidCaipIdError)
      expect(isChainId(id)).toBe(false)
    },
  )

  it('rejects non-string parts when formatting', () => {
    expect(() => formatChainId({ namespace: 'eip155', reference: 1 as never })).toThrow(InvalidCaipIdError)
    expect(() => formatChainId(null as never)).toThrow(InvalidCaipIdError)
  })
})

describe('CAIP-10', () => {
  it.each([
    ['eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb', 'eip155:1', '0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb'],
    ['bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6', 'bip122:000000000019d6689c085ae165831e93', '128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6'],
    ['cosmos:cosmoshub-3:cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0', 'cosmos:cosmoshub-3', 'cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0'],
    ['chainstd:8c3444cf8970a9e41a706fab93e7a6c4:6d9b0b4b9994e8a6afbd3dc3ed983cd51c755afb27cd1dc7825ef59c134a39f7', 'chainstd:8c3444cf8970a9e41a706fab93e7a6c4', '6d9b0b4b9994e8a6afbd3dc3ed983cd51c755afb27cd1dc7825ef59c134a39f7'],
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
    ['bip122:000000000019d6689c085ae165831e93/slip44:0', { chainId: 'bip122:000000000019d6689c085ae165831e93', assetNamespace: 'slip44', assetReference: '0' }],
    ['eip155:1/erc20:0x6b175474e89094c44da98b954eedeac495271d0f', { chainId: 'eip155:1', assetNamespace: 'erc20', assetReference: '0x6b175474e89094c44da98b954eedeac495271d0f' }],
    ['eip155:1/erc721:0x06012c8cf97BEaD5deAe237070F9587f8E7A266d/771769', { chainId: 'eip155:1', assetNamespace: 'erc721', assetReference: '0x06012c8cf97BEaD5deAe237070F9587f8E7A266d', tokenId: '771769' }],
    ['cosmos:Binance-Chain-Tigris/slip44:714', { chainId: 'cosmos:Binance-Chain-Tigris', assetNamespace: 'slip44', assetReference: '714' }],
  ])('parses %s', (id, parts) => {
    expect(parseAssetId(id)).toEqual(parts)
    expect(formatAssetId(parts as never)).toBe(id)
  })

  it.each(['eip155:1', 'eip155:1/', 'eip155:1/erc20', 'eip155:1/ERC20:0xab', 'eip155:1/erc20:0xab/1/2', 'eip155/erc20:0xab', 'eip155:1/erc20:', 'eip155:1/erc20:0x ab'])(
    'rejects %j',
    (id) => {
      expect(() => parseAssetId(id)).toThrow(InvalidCaipIdError)
    },
  )
})

describe('round trips (property)', () => {
  const namespace = fc.stringMatching(/^[-a-z0-9]{3,8}$/)
  const reference = fc.stringMatching(/^[-_a-zA-Z0-9]{1,32}$/)
  const address = fc.stringMatching(/^[-.%a-zA-Z0-9]{1,128}$/)
  const tokenId = fc.stringMatching(/^[-.%a-zA-Z0-9]{1,78}$/)

  it('format ∘ parse is the identity on valid ids', () => {
    fc.assert(
      fc.property(namespace, reference, address, namespace, address, fc.option(tokenId, { nil: undefined }), (ns, ref, addr, assetNs, assetRef, token) => {
        const chainId = formatChainId({ namespace: ns, reference: ref })
        expect(parseChainId(chainId)).toEqual({ namespace: ns, reference: ref })
        const accountId = formatAccountId({ chainId, address: addr })
        expect(parseAccountId(accountId)).toEqual({ chainId, address: addr })
        const parts = token === undefined ? { chainId, assetNamespace: assetNs, assetReference: assetRef } : { chainId, assetNamespace: assetNs, assetReference: assetRef, tokenId: token }
        const assetId = formatAssetId(parts)
        expect(parseAssetId(assetId)).toEqual(parts)
      }),
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
