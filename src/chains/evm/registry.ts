/**
 * Known chains and assets: lookups over `registry-data.ts` (chain facts and the official
 * USDT, USDC and DAI contracts per chain, each with its source), plus asset families so a
 * portfolio can add up one stablecoin across chains.
 * @module
 */
import { formatAssetId, parseAssetId, type AssetId, type ChainId } from '../../core/caip.js'
import { EVM_CHAINS, EVM_TOKENS, type EvmChainInfo, type EvmTokenInfo } from './registry-data.js'

export { EVM_CHAINS, EVM_TOKENS, type EvmChainInfo, type EvmTokenInfo }

/** SLIP-44 coin type of the EVM native asset in CAIP-19 (`eip155:1/slip44:60`). */
const ETHER_SLIP44 = 60

/** Chain facts for an EIP-155 chain id, if coffer knows the chain. */
export function evmChainInfo(chainId: number): EvmChainInfo | undefined {
  return EVM_CHAINS.find((c) => c.chainId === chainId)
}

/** Registry tokens on an EIP-155 chain (native issuance first, bridged variants after). */
export function evmTokens(chainId: number): readonly EvmTokenInfo[] {
  return EVM_TOKENS.filter((t) => t.chainId === chainId).sort((a, b) => Number(a.bridged ?? false) - Number(b.bridged ?? false))
}

/**
 * CAIP-19 id of an EVM chain's native coin. CAIP-19 uses SLIP-44 coin types; coffer uses
 * 60 (ether) for every EVM chain's native coin, the convention wallets and CAIP use for
 * gas coins on EVM chains, whatever their ticker.
 */
export function evmNativeAssetId(chainId: number): AssetId {
  return formatAssetId({ chainId: `eip155:${chainId}`, assetNamespace: 'slip44', assetReference: String(ETHER_SLIP44) })
}

/** CAIP-19 id of an ERC-20 token (address lower-cased, as CAIP-19 asks). */
export function erc20AssetId(chainId: number, address: string): AssetId {
  return formatAssetId({ chainId: `eip155:${chainId}`, assetNamespace: 'erc20', assetReference: address.toLowerCase() })
}

/** The family of an asset ("USDT", "USDC", "DAI") if the registry knows it. */
export function assetFamily(asset: AssetId): string | undefined {
  const { chainId, assetNamespace, assetReference } = parseAssetId(asset)
  if (assetNamespace !== 'erc20' || !chainId.startsWith('eip155:')) return undefined
  const id = Number(chainId.slice('eip155:'.length))
  return EVM_TOKENS.find((t) => t.chainId === id && t.address.toLowerCase() === assetReference.toLowerCase())?.family
}

/** The EIP-155 number of an `eip155:<n>` chain id, or undefined for other namespaces. */
export function eip155Number(chainId: ChainId): number | undefined {
  if (!chainId.startsWith('eip155:')) return undefined
  const n = Number(chainId.slice('eip155:'.length))
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}
