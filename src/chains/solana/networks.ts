/**
 * Solana clusters coffer knows, as CAIP-2 ids (`solana:<first 32 characters of the genesis
 * hash>`, per the CAIP-2 Solana namespace), and the ids of SOL and SPL tokens on them
 * (`<chain>/slip44:501`, `<chain>/token:<mint>`). Any other cluster is served by its genesis
 * hash: `solana({ chain: 'solana:<prefix>' })`, checked against the node's `getGenesisHash`.
 * @module
 */
import type { AssetId, ChainId } from '../../core/caip.js'

/** The cluster names Solana's tools use. */
export type SolanaClusterName = 'mainnet-beta' | 'devnet' | 'testnet'
/** Every cluster name coffer knows. */
export const SOLANA_CLUSTER_NAMES: readonly SolanaClusterName[] = ['mainnet-beta', 'devnet', 'testnet']

/** A Solana cluster. */
export interface SolanaCluster {
  readonly name: SolanaClusterName
  /** Base58 genesis hash (`getGenesisHash`). */
  readonly genesisHash: string
  /** CAIP-2 id: `solana:` + the genesis hash's first 32 characters. */
  readonly chainId: ChainId
  readonly testnet: boolean
}

function cluster(name: SolanaClusterName, genesisHash: string, testnet: boolean): SolanaCluster {
  return Object.freeze({ name, genesisHash, chainId: solanaChainId(genesisHash), testnet })
}

/**
 * The public clusters. Genesis hashes from the CAIP-2 Solana namespace profile
 * (https://namespaces.chainagnostic.org/solana/caip2) and each cluster's `getGenesisHash`.
 */
export const SOLANA_CLUSTERS: { readonly [name in SolanaClusterName]: SolanaCluster } = Object.freeze({
  'mainnet-beta': cluster('mainnet-beta', '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d', false),
  devnet: cluster('devnet', 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG', true),
  testnet: cluster('testnet', '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY', true),
})

/** CAIP-2 Solana chain references: base58, 32 characters (a genesis hash's prefix). */
export const SOLANA_CHAIN_ID = /^solana:[1-9A-HJ-NP-Za-km-z]{32}$/

/** The CAIP-2 id of the cluster with this genesis hash. */
export function solanaChainId(genesisHash: string): ChainId {
  return `solana:${genesisHash.slice(0, 32)}`
}

/** The known cluster of a CAIP-2 id, if any. */
export function solanaClusterOf(chainId: string): SolanaCluster | undefined {
  return Object.values(SOLANA_CLUSTERS).find((c) => c.chainId === chainId)
}

/** CAIP-19 id of SOL on `chainId`. */
export function solAssetId(chainId: ChainId): AssetId {
  return `${chainId}/slip44:501`
}

/** CAIP-19 id of the SPL / Token-2022 token `mint` on `chainId`. */
export function splAssetId(chainId: ChainId, mint: string): AssetId {
  return `${chainId}/token:${mint}`
}

/** Lamports per SOL. */
export const SOL_DECIMALS = 9
/** A slot's target length, ms. */
export const SLOT_MS = 400
