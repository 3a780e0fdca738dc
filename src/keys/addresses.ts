/**
 * One address check for the four chain families.
 * @module
 */
import { assertOneOf, assertOptions } from '../core/assert.js'
import { CHAIN_KINDS, type ChainKind } from './account.js'
import { BITCOIN_NETWORKS, isValidBitcoinAddress, type BitcoinNetwork } from './address/bitcoin.js'
import { isValidEvmAddress } from './address/evm.js'
import { isValidSolanaAddress } from './address/solana.js'
import { isValidTronAddress } from './address/tron.js'

/** Options of {@link isValidAddress}. */
export interface IsValidAddressOptions {
  /** Bitcoin network the address must belong to. Default `'mainnet'`; ignored by other chains. */
  network?: BitcoinNetwork
}

/**
 * True if `address` is a valid address of `chain`: EIP-55 enforced on mixed-case EVM
 * addresses; Bitcoin base58check / bech32 v0 / bech32m v1+ of the given network; Solana
 * base58 of 32 bytes; Tron base58check with the 0x41 prefix.
 * Returns false for any malformed address; throws only for an unknown chain or network.
 * @throws InvalidArgumentError
 */
export function isValidAddress(chain: ChainKind, address: string, options?: IsValidAddressOptions): boolean {
  const family = assertOneOf(chain, 'chain', CHAIN_KINDS)
  const opts = assertOptions(options)
  const network = assertOneOf(opts.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
  switch (family) {
    case 'evm':
      return isValidEvmAddress(address)
    case 'bitcoin':
      return isValidBitcoinAddress(address, network)
    case 'solana':
      return isValidSolanaAddress(address)
    case 'tron':
      return isValidTronAddress(address)
  }
}
