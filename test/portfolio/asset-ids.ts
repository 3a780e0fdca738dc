/** Asset ids the price tests share: mainnet natives and stablecoins, testnet look-alikes, assets no source prices. */
import type { AssetId } from '../../src/core/caip.js'

export const ETH = 'eip155:1/slip44:60' as AssetId
export const ETH_ARB = 'eip155:42161/slip44:60' as AssetId
export const ETH_BASE = 'eip155:8453/slip44:60' as AssetId
export const POL = 'eip155:137/slip44:60' as AssetId
export const BNB = 'eip155:56/slip44:60' as AssetId
export const AVAX = 'eip155:43114/slip44:60' as AssetId
export const SEPOLIA_ETH = 'eip155:11155111/slip44:60' as AssetId
export const ANVIL_ETH = 'eip155:31337/slip44:60' as AssetId
export const BTC = 'bip122:000000000019d6689c085ae165831e93/slip44:0' as AssetId
export const BTC_TESTNET = 'bip122:000000000933ea01ad0ee984209779ba/slip44:1' as AssetId
export const USDT = 'eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7' as AssetId
export const USDT_LOWER = 'eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7' as AssetId
export const USDC = 'eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' as AssetId
export const USDC_ARB = 'eip155:42161/erc20:0xaf88d065e77c8cC2239327C5EDb3A432268e5831' as AssetId
export const USDC_SEPOLIA = 'eip155:11155111/erc20:0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238' as AssetId
export const UNKNOWN_TOKEN = 'eip155:1/erc20:0x1111111111111111111111111111111111111111' as AssetId
export const SOL = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp/slip44:501' as AssetId
export const TRX = 'tron:0x2b6653dc/slip44:195' as AssetId
export const TRX_NILE = 'tron:0xcd8690dc/slip44:195' as AssetId
/** Tether's USDT on TRON mainnet (the registry's). */
export const USDT_TRON = 'tron:0x2b6653dc/trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' as AssetId
export const NFT = 'eip155:1/erc721:0x06012c8cf97BEaD5deAe237070F9587f8E7A266d/771769' as AssetId
export const BSC_TESTNET_BNB = 'eip155:97/slip44:60' as AssetId
