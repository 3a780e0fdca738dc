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

/** The EIP-155 number of a chain given as a CAIP-2 id (`eip155:137`) or as the number itself. */
function numberOf(chain: ChainId | number): number | undefined {
  return typeof chain === 'number' ? chain : eip155Number(chain)
}

/** Chain facts for an EVM chain (a CAIP-2 id such as `eip155:137`, or its EIP-155 number), if coffer knows the chain. */
export function evmChainInfo(chain: ChainId | number): EvmChainInfo | undefined {
  const n = numberOf(chain)
  return EVM_CHAINS.find((c) => c.eip155Id === n)
}

/** Registry tokens on an EVM chain (CAIP-2 id or EIP-155 number; native issuance first, bridged variants after). */
export function evmTokens(chain: ChainId | number): readonly EvmTokenInfo[] {
  const n = numberOf(chain)
  return EVM_TOKENS.filter((t) => t.eip155Id === n).sort((a, b) => Number(a.bridged ?? false) - Number(b.bridged ?? false))
}

/**
 * CAIP-19 id of an EVM chain's native coin. CAIP-19 uses SLIP-44 coin types; coffer uses
 * 60 (ether) for every EVM chain's native coin, the convention wallets and CAIP use for
 * gas coins on EVM chains, whatever their ticker.
 */
export function evmNativeAssetId(eip155Id: number): AssetId {
  return formatAssetId({ chainId: `eip155:${eip155Id}`, assetNamespace: 'slip44', assetReference: String(ETHER_SLIP44) })
}

/** CAIP-19 id of an ERC-20 token (address lower-cased, as CAIP-19 asks). */
export function erc20AssetId(eip155Id: number, address: string): AssetId {
  return formatAssetId({ chainId: `eip155:${eip155Id}`, assetNamespace: 'erc20', assetReference: address.toLowerCase() })
}

/** The family of an asset ("USDT", "USDC", "DAI") if the registry knows it. */
export function assetFamily(asset: AssetId): string | undefined {
  const { chainId, assetNamespace, assetReference } = parseAssetId(asset)
  if (assetNamespace !== 'erc20' || !chainId.startsWith('eip155:')) return undefined
  const id = Number(chainId.slice('eip155:'.length))
  return EVM_TOKENS.find((t) => t.eip155Id === id && t.address.toLowerCase() === assetReference.toLowerCase())?.family
}

/** The EIP-155 number of an `eip155:<n>` chain id, or undefined for other namespaces. */
function eip155Number(chainId: ChainId): number | undefined {
  if (!chainId.startsWith('eip155:')) return undefined
  const n = Number(chainId.slice('eip155:'.length))
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}
