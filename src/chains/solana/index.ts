/**
 * `coffer/solana`: the Solana ChainAdapter — SOL and SPL / Token-2022 stablecoins (USDC, USDT,
 * PYUSD) over JSON-RPC with batched reads, transactions built with @solana/kit and signed by
 * coffer's ed25519 signer after a check of the message against its summary, durable nonces for
 * offline signing, confirmation by polling, Solana Pay references, off-chain message signing.
 * No viem here.
 * @module coffer/solana
 */
export * from '../../core/errors.js'
export {
  solana,
  SolanaAdapter,
  type SolanaAdapterOptions,
  type SolanaBuildOptions,
  type SolanaTokenConfig,
  type SolanaTransferRequest,
} from './adapter.js'
export { solanaRpc, type SolanaRpc, type SolanaRpcOptions, type RpcRequest, type RpcResult, type RpcCallOptions } from './client.js'
export {
  SOLANA_CLUSTERS,
  SOLANA_CLUSTER_NAMES,
  solanaChainId,
  solAssetId,
  splAssetId,
  type SolanaCluster,
  type SolanaClusterName,
} from './networks.js'
export { SOLANA_TOKENS, type SolanaTokenInfo, type SolanaTokenProgram } from './registry.js'
export { associatedTokenAddress, programDerivedAddress } from './pda.js'
export { solanaKitSigner } from './kit-signer.js'
export type { NonceAccount } from './nonce.js'
export type { ReferencePayment } from './reference.js'
export type { SolanaLifetime } from './context.js'
export type { JournalStorage } from '../broadcast-records.js'
export * from '../adapter.js'
