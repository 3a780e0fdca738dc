/**
 * `coffer/bitcoin`: the Bitcoin ChainAdapter — HD accounts with gap-limit discovery (named by
 * output descriptors, watch-only from an xpub), P2PKH / P2SH-P2WPKH / P2WPKH / P2TR, coin
 * selection (branch-and-bound, waste-aware, dust-aware), PSBTs signed with coffer signers, RBF,
 * and an Esplora backend. No viem here.
 * @module coffer/bitcoin
 */
export * from '../../core/errors.js'
export {
  bitcoin,
  BitcoinAdapter,
  type BitcoinAdapterOptions,
  type BitcoinTransferRequest,
  type BumpOptions,
  type ReplaceOptions,
} from './adapter.js'
export { esplora, type EsploraOptions } from './esplora.js'
export type { BitcoinBackend, BackendCallOptions, BackendOutspend, BackendUtxo, BackendTx, BackendBlock, AddressStats } from './client.js'
export { BITCOIN_CHAINS, type BitcoinChain, type BtcNetworkParams } from './networks.js'
export { accountDescriptor, type AccountAddress } from './account.js'
export type { AccountState, UsedAddress, OwnedUtxo } from './discovery.js'
export { selectCoins, type Selection, type SelectionParams, type Utxo, type RecipientType } from './coin-selection.js'
export { txVsize, inputWeight, outputWeight, dustThreshold, type ScriptType, type OutputType } from './vsize.js'
export {
  buildPsbt,
  signPsbt,
  finalizePsbt,
  psbtToBase64,
  psbtFromBase64,
  RBF_SEQUENCE,
  type BuildPsbtOptions,
  type PsbtInput,
  type PsbtOutput,
} from './psbt.js'
export type { JournalStorage } from '../broadcast-records.js'
export * from '../adapter.js'
