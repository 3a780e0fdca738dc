/**
 * `coffer/evm`: the EVM ChainAdapter (Ethereum, Polygon, Arbitrum, OP, Base, BNB Chain,
 * Avalanche, their testnets, and any EVM chain given as a viem `Chain`), with native coins
 * and ERC-20 stablecoins, and the EVM signing extras.
 * @module coffer/evm
 */
export * from '../../core/errors.js'
export { evm, EvmAdapter, type EvmAdapterOptions, type ReplaceOptions, type StablecoinGasOptions } from './adapter.js'
export type { SignPermitParameters, SignTransferAuthorizationParameters } from './permits.js'
export type { EvmTokenConfig, EvmAsset } from './tokens.js'
export type { HistorySettings } from './history.js'
export type { JournalStorage, JournalEntry } from './journal.js'
export { signEvmTransaction, toSerializable, type EvmTransactionPayload } from './transaction.js'
export {
  signMessage,
  signTypedData,
  signPermitWith,
  signTransferAuthorizationWith,
  toViemAccount,
  type EvmSignature,
  type PermitParameters,
  type TransferAuthorizationParameters,
} from './signing.js'
export { MULTICALL3_ADDRESS } from './networks.js'
export {
  KNOWN_DELEGATES,
  NO_DELEGATE,
  authorizationDigest,
  signAuthorization,
  signDelegation,
  delegationOf,
  type KnownDelegate,
  type Authorization,
  type SignedAuthorization,
  type DelegateOptions,
  type DelegationParameters,
} from './eip7702.js'
export {
  packUserOperation,
  userOperationTypedData,
  signUserOperation,
  type UserOperation,
  type PackedUserOperation,
  type UserOperationDomain,
} from './user-operation.js'
export * from '../adapter.js'
export {
  EVM_CHAINS,
  EVM_TOKENS,
  evmChainInfo,
  evmTokens,
  evmNativeAssetId,
  erc20AssetId,
  assetFamily,
  type EvmChainInfo,
  type EvmTokenInfo,
} from './registry.js'
