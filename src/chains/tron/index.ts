/**
 * `coffer/tron`: the TRON ChainAdapter — TRX and TRC-20 stablecoins (USDT) over TronGrid's HTTP
 * API, transactions encoded locally (never signed as a node built them) and signed by coffer's
 * secp256k1 signer after a check of every byte against the summary, fees priced as java-tron
 * charges them (energy, bandwidth, activation; staked resources first), confirmation by polling,
 * TIP-191 message signing. No viem and no TronWeb here.
 * @module coffer/tron
 */
export * from '../../core/errors.js'
export { tron, TronAdapter, type TronAdapterOptions, type TronBuildOptions, type TronTokenConfig } from './adapter.js'
export { tronClient, type TronClient, type TronClientOptions } from './client.js'
export {
  TRON_NETWORKS,
  TRON_NETWORK_NAMES,
  normalizeTronChainId,
  tronChainId,
  trxAssetId,
  trc20AssetId,
  type TronNetwork,
  type TronNetworkName,
} from './networks.js'
export { TRON_TOKENS, type TronTokenInfo } from './registry.js'
export { tronMessageDigest } from './message.js'
export { TRON_MAINNET_CHAIN_ID } from './payment-uri.js'
export type { JournalStorage } from '../broadcast-records.js'
export * from '../adapter.js'
