import { tron, tronNile, tronShasta } from 'viem/chains'
import { TronWeb } from 'tronweb'
import { describe, expect, it } from 'vitest'
import {
  TRON_CHAIN_ID,
  TRON_NETWORKS,
  TRON_NETWORK_NAMES,
  TRX_DECIMALS,
  normalizeTronChainId,
  trc20AssetId,
  tronChainId,
  tronNetworkOf,
  trxAssetId,
} from '../../../src/chains/tron/networks.js'
import { TRON_TOKENS, tronTokensOf } from '../../../src/chains/tron/registry.js'
import { isValidTronAddress } from '../../../src/keys/address/tron.js'
import { TRON_MAINNET_CHAIN_ID } from '../../../src/chains/tron/payment-uri.js'
import { parseAssetId, parseChainId } from '../../../src/core/caip.js'
import { InvalidAddressError, InvalidArgumentError } from '../../../src/core/errors.js'

describe('TRON networks', () => {
  it('chain ids are TIP-474 values: the last 4 bytes of each genesis block id', () => {
    expect(TRON_NETWORKS.mainnet.chainId).toBe('tron:0x2b6653dc')
    expect(TRON_NETWORKS.nile.chainId).toBe('tron:0xcd8690dc')
    expect(TRON_NETWORKS.shasta.chainId).toBe('tron:0x94a9059e')
    for (const name of TRON_NETWORK_NAMES) {
      const n = TRON_NETWORKS[name]
      expect(n.name).toBe(name)
      expect(n.chainId).toMatch(TRON_CHAIN_ID)
      expect(n.chainId).toBe(`tron:0x${n.genesisBlockId.slice(-8)}`)
      expect(parseChainId(n.chainId)).toEqual({ namespace: 'tron', reference: n.chainId.slice(5) })
    }
    expect(TRON_NETWORKS.mainnet.testnet).toBe(false)
    expect(TRON_NETWORKS.nile.testnet && TRON_NETWORKS.shasta.testnet).toBe(true)
  })

  it('agree with viem’s chain ids (eth_chainId of each network) and the payments scheme', () => {
    expect(normalizeTronChainId(`tron:${tron.id}`)).toBe(TRON_NETWORKS.mainnet.chainId)
    expect(normalizeTronChainId(`tron:${tronNile.id}`)).toBe(TRON_NETWORKS.nile.chainId)
    expect(normalizeTronChainId(`tron:${tronShasta.id}`)).toBe(TRON_NETWORKS.shasta.chainId)
    expect(TRON_MAINNET_CHAIN_ID).toBe(TRON_NETWORKS.mainnet.chainId)
  })

  it('tronChainId reads a genesis block id, with or without 0x', () => {
    expect(tronChainId(`0x${TRON_NETWORKS.nile.genesisBlockId.toUpperCase()}`)).toBe('tron:0xcd8690dc')
    for (const bad of ['', '2b6653dc', 'zz'.repeat(32), 5 as never]) expect(() => tronChainId(bad)).toThrow(InvalidArgumentError)
  })

  it('normalizeTronChainId and tronNetworkOf read the hex and the decimal forms only', () => {
    expect(normalizeTronChainId('tron:0x2B6653DC')).toBe('tron:0x2b6653dc')
    expect(normalizeTronChainId('tron:728126428')).toBe('tron:0x2b6653dc')
    expect(normalizeTronChainId('tron:0')).toBe('tron:0x00000000')
    for (const bad of ['tron:4294967296', 'tron:0728126428', 'tron:0x2b6653d', 'eip155:728126428', 'tron:mainnet', 7 as never]) {
      expect(normalizeTronChainId(bad)).toBeUndefined()
    }
    expect(tronNetworkOf('tron:3448148188')?.name).toBe('nile')
    expect(tronNetworkOf('tron:0x94a9059e')?.name).toBe('shasta')
    expect(tronNetworkOf('tron:0x12345678')).toBeUndefined()
  })

  it('asset ids', () => {
    const chain = TRON_NETWORKS.mainnet.chainId
    expect(trxAssetId(chain)).toBe('tron:0x2b6653dc/slip44:195')
    expect(trc20AssetId(chain, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toBe('tron:0x2b6653dc/trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')
    expect(parseAssetId(trc20AssetId(chain, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).assetNamespace).toBe('trc20')
    expect(() => trc20AssetId(chain, '41a614f803b6fd780986a42c78ec9c7f77e6ded13c')).toThrow(InvalidAddressError)
    expect(TRX_DECIMALS).toBe(6)
  })
})

describe('TRON token registry', () => {
  it('lists USDT on mainnet only, with valid addresses and a source each', () => {
    expect(tronTokensOf('mainnet').map((t) => t.symbol)).toEqual(['USDT'])
    expect(tronTokensOf('nile')).toEqual([])
    expect(tronTokensOf('shasta')).toEqual([])
    for (const t of TRON_TOKENS) {
      expect(isValidTronAddress(t.contract)).toBe(true)
      expect(TronWeb.isAddress(t.contract)).toBe(true)
      expect(t.source).toMatch(/^https:\/\//)
      expect(Object.isFrozen(t)).toBe(true)
    }
    expect(TRON_TOKENS.find((t) => t.symbol === 'USDT')).toMatchObject({ contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', decimals: 6 })
    expect(TRON_TOKENS.some((t) => t.symbol === 'USDC')).toBe(false)
  })
})
