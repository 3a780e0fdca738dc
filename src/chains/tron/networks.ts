/**
 * TRON networks coffer knows, as CAIP-2 ids, and the ids of TRX and TRC-20 tokens on them.
 *
 * A network's id is its chain id as TRON defines it: the last 4 bytes of the genesis block id,
 * in hex (TIP-474, https://github.com/tronprotocol/tips/blob/master/tip-474.md, Final; the same
 * value `eth_chainId` returns, https://developers.tron.network/reference/eth_chainid). coffer
 * writes it `tron:0x` + those 8 hex digits (`tron:0x2b6653dc`), the form TRON's own WalletConnect
 * package uses (`WalletConnectChainID` in `@tronweb3/walletconnect-tron`,
 * https://developers.tron.network/docs/walletconnect-tron) and the draft `tron` CAIP-2 profile of
 * ChainAgnostic/namespaces PR #170 proposes.
 *
 * No `tron` profile is merged in ChainAgnostic/namespaces yet (checked at 3fee8ee, March 2026),
 * and the drafts disagree: PR #162 (and MetaMask's `TrxScope`) write the same number in decimal
 * (`tron:728126428`); PR #170's tables, copied by WalletConnect's docs, swap Shasta and Nile.
 * TIP-474 is the authority for which id is which network; {@link normalizeTronChainId} reads the
 * decimal form too.
 *
 * Asset ids follow CAIP-19 with the namespaces wallets use for TRON (no CAIP-19 profile exists
 * for `tron` either): `<chain>/slip44:195` for TRX (SLIP-44 coin type 195) and
 * `<chain>/trc20:<base58 contract>` for tokens, as MetaMask's TRON snap (`KnownCaip19Id`) and
 * coffer's `tron:` payment URIs write them.
 * @module
 */
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'

/** The network names TRON's tools use. */
export type TronNetworkName = 'mainnet' | 'nile' | 'shasta'
/** Every network name coffer knows. */
export const TRON_NETWORK_NAMES: readonly TronNetworkName[] = Object.freeze(['mainnet', 'nile', 'shasta'] as const)

/** A TRON network. */
export interface TronNetwork {
  readonly name: TronNetworkName
  /** The genesis block id (block 0's `blockID`), 64 lower-case hex digits. */
  readonly genesisBlockId: string
  /** CAIP-2 id: `tron:0x` + the genesis block id's last 8 hex digits. */
  readonly chainId: ChainId
  readonly testnet: boolean
  /**
   * TronGrid's HTTP API for the network (`/wallet/*`, `/walletsolidity/*`, `/v1/*`), for
   * documentation and examples only: coffer never defaults to a hosted service, the caller passes
   * its API URLs. From https://developers.tron.network/docs/networks.
   */
  readonly apiUrl: string
}

function network(name: TronNetworkName, genesisBlockId: string, testnet: boolean, apiUrl: string): TronNetwork {
  return Object.freeze({ name, genesisBlockId, chainId: tronChainId(genesisBlockId), testnet, apiUrl })
}

/**
 * The public networks. Genesis block ids are the values TIP-474 lists for the `chainid` opcode
 * before its change (the genesis block id of each chain); the chain ids they end in
 * (mainnet `0x2b6653dc`, Nile `0xcd8690dc`, Shasta `0x94a9059e`) are TIP-474's new values and
 * what each network's `eth_chainId` answers (developers.tron.network/reference/eth_chainid).
 */
export const TRON_NETWORKS: { readonly [name in TronNetworkName]: TronNetwork } = Object.freeze({
  mainnet: network('mainnet', '00000000000000001ebf88508a03865c71d452e25f4d51194196a1d22b6653dc', false, 'https://api.trongrid.io'),
  nile: network('nile', '0000000000000000d698d4192c56cb6be724a558448e2684802de4d6cd8690dc', true, 'https://nile.trongrid.io'),
  shasta: network('shasta', '0000000000000000de1aa88295e1fcf982742f773e0419c5a9c134c994a9059e', true, 'https://api.shasta.trongrid.io'),
})

/** CAIP-2 TRON chain ids as coffer writes them: `tron:0x` + 8 lower-case hex digits. */
export const TRON_CHAIN_ID = /^tron:0x[0-9a-f]{8}$/

/**
 * The CAIP-2 id of the chain whose genesis block has id `genesisBlockId` (64 hex digits, with or
 * without `0x`, as `/wallet/getblockbynum {num: 0}` returns it in `blockID`).
 * @throws InvalidArgumentError
 */
export function tronChainId(genesisBlockId: string): ChainId {
  const hex = typeof genesisBlockId === 'string' ? genesisBlockId.replace(/^0x/, '').toLowerCase() : ''
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new InvalidArgumentError('A TRON genesis block id is 32 bytes in hex (the blockID of block 0).')
  }
  return `tron:0x${hex.slice(-8)}`
}

/**
 * A TRON CAIP-2 id in coffer's form: `tron:0x2b6653dc` stays as is (hex digits lower-cased), the
 * decimal form some wallets write (`tron:728126428`, MetaMask's `TrxScope`) becomes the hex
 * one. Undefined for anything else (another namespace, a reference over 32 bits, junk).
 */
export function normalizeTronChainId(chainId: string): ChainId | undefined {
  if (typeof chainId !== 'string') return undefined
  const hex = /^tron:0x([0-9a-fA-F]{8})$/.exec(chainId)
  if (hex) return `tron:0x${hex[1]!.toLowerCase()}`
  const decimal = /^tron:(0|[1-9][0-9]{0,9})$/.exec(chainId)
  if (!decimal) return undefined
  const n = Number(decimal[1])
  return n <= 0xffffffff ? `tron:0x${n.toString(16).padStart(8, '0')}` : undefined
}

/** The known network of a CAIP-2 id (either form {@link normalizeTronChainId} reads), if any. */
export function tronNetworkOf(chainId: string): TronNetwork | undefined {
  const id = normalizeTronChainId(chainId)
  return id === undefined ? undefined : Object.values(TRON_NETWORKS).find((n) => n.chainId === id)
}

/** CAIP-19 id of TRX on `chainId` (SLIP-44 coin type 195). */
export function trxAssetId(chainId: ChainId): AssetId {
  return `${chainId}/slip44:195`
}

/**
 * CAIP-19 id of the TRC-20 token at `contract` (a base58 `T…` address) on `chainId`.
 * @throws InvalidAddressError when `contract` is not a TRON address
 */
export function trc20AssetId(chainId: ChainId, contract: string): AssetId {
  if (!isValidTronAddress(contract)) {
    throw new InvalidAddressError('A TRC-20 contract is named by its base58 TRON address (T…).', { details: { chainId } })
  }
  return `${chainId}/trc20:${contract}`
}

/** Decimals of TRX: 1 TRX = 1,000,000 sun. */
export const TRX_DECIMALS = 6
