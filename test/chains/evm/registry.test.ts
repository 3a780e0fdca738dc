import { getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { assetFamily, erc20AssetId, EVM_CHAINS, EVM_TOKENS, evmChainInfo, evmNativeAssetId, evmTokens } from 'coffer/evm'
import { parseAssetId, parseChainId } from 'coffer'

describe('registry', () => {
  it('every chain is well-formed and named by its CAIP-2 id', () => {
    const ids = new Set<number>()
    for (const c of EVM_CHAINS) {
      expect(ids.has(c.eip155Id)).toBe(false)
      ids.add(c.eip155Id)
      expect(c.chainId).toBe(`eip155:${c.eip155Id}`)
      expect(parseChainId(c.chainId)).toEqual({ namespace: 'eip155', reference: String(c.eip155Id) })
      expect(evmChainInfo(c.chainId)).toBe(c)
      expect(evmChainInfo(c.eip155Id)).toBe(c)
      expect(c.native.decimals).toBe(18)
      expect(c.source).toMatch(/^https?:\/\//)
    }
    for (const id of [1, 137, 42161, 10, 8453, 56, 43114, 11155111, 80002, 421614, 11155420, 84532, 97, 43113])
      expect(ids.has(id)).toBe(true)
  })

  it('every token has a checksummed address, a known chain, the right decimals, and a named source', () => {
    for (const t of EVM_TOKENS) {
      expect(getAddress(t.address)).toBe(t.address)
      expect(evmChainInfo(t.eip155Id)).toBeDefined()
      expect(t.source).toMatch(/^https?:\/\//)
      if (t.eip155Id !== 56) expect(t.decimals).toBe(t.family === 'DAI' ? 18 : 6)
    }
    const pairs = EVM_TOKENS.map((t) => `${t.eip155Id}:${t.address.toLowerCase()}`)
    expect(new Set(pairs).size).toBe(pairs.length)
  })

  it('knows the Ethereum stablecoins and their families', () => {
    const eth = evmTokens(1)
    expect(eth.find((t) => t.symbol === 'USDT')?.address).toBe('0xdAC17F958D2ee523a2206206994597C13D831ec7')
    expect(eth.find((t) => t.symbol === 'USDC')?.address).toBe('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48')
    expect(eth.find((t) => t.symbol === 'DAI')?.address).toBe('0x6B175474E89094C44Da98b954EedeAC495271d0F')
    expect(assetFamily(erc20AssetId(1, '0xdAC17F958D2ee523a2206206994597C13D831ec7'))).toBe('USDT')
    expect(assetFamily(erc20AssetId(137, evmTokens(137).find((t) => t.symbol === 'USDC')!.address))).toBe('USDC')
    expect(assetFamily(evmNativeAssetId(1))).toBeUndefined()
  })

  it('lists native issuance before bridged variants', () => {
    for (const chain of EVM_CHAINS) {
      const tokens = evmTokens(chain.chainId)
      const firstBridged = tokens.findIndex((t) => t.bridged)
      if (firstBridged >= 0) expect(tokens.slice(firstBridged).every((t) => t.bridged)).toBe(true)
    }
  })

  it('asset ids are valid CAIP-19 with lower-case token references', () => {
    expect(evmNativeAssetId(137)).toBe('eip155:137/slip44:60')
    const id = erc20AssetId(1, '0xdAC17F958D2ee523a2206206994597C13D831ec7')
    expect(parseAssetId(id)).toEqual({
      chainId: 'eip155:1',
      assetNamespace: 'erc20',
      assetReference: '0xdac17f958d2ee523a2206206994597c13d831ec7',
    })
  })
})
