/**
 * The official stablecoin TRC-20 contracts on TRON networks coffer knows. Pure data.
 *
 * Every contract was checked against its issuer's own page:
 * - USDT: Tether, https://tether.to/en/supported-protocols/ (mainnet
 *   `TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t`, 6 decimals). Tether runs no testnet contract: the
 *   "USDT" on Nile and Shasta are tokens anyone deployed, so none is listed.
 *
 * USDD is not listed: its issuer's page (https://docs.usdd.io/developers/deployment-addresses)
 * names the USDD 2.0 contract `TXDk8mbtRbXeYuMNS83CfKPaYYT8XWv9Hz` but not its decimals, and
 * this registry lists only what an issuer states in full. Add it with the adapter's `tokens`
 * option once you have checked `decimals()` yourself.
 *
 * USDC is not listed: Circle stopped minting USDC on TRON on 20 February 2024 and ended its
 * support in February 2025 ("Circle is Discontinuing Support for USDC on the TRON blockchain",
 * noted at https://developers.circle.com/circle-mint/docs/supported-chains-and-currencies); the
 * contract that held it (`TEkx…rdz8`) is no longer an official USDC.
 *
 * To add a contract: the issuer's page that lists that exact address and the decimals it
 * states. Never copy a contract from an explorer search or a token list of unknown provenance:
 * look-alike TRC-20 contracts named "USDT" are common.
 * @module
 */
import type { TronNetworkName } from './networks.js'

/** A stablecoin contract on one network. */
export interface TronTokenInfo {
  readonly network: TronNetworkName
  /** Base58 `T…` address of the TRC-20 contract. */
  readonly contract: string
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  /** Family for totals, prices and policy limits across chains. */
  readonly family: 'USDT'
  readonly source: string
}

/** The stablecoin contracts coffer lists by default, per network. */
export const TRON_TOKENS: readonly TronTokenInfo[] = Object.freeze(
  [
    {
      network: 'mainnet',
      contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      symbol: 'USDT',
      name: 'Tether USD',
      decimals: 6,
      family: 'USDT',
      source: 'https://tether.to/en/supported-protocols/',
    },
  ].map((t) => Object.freeze(t as TronTokenInfo)),
)

/** The registry's contracts on `network`. */
export function tronTokensOf(network: TronNetworkName): readonly TronTokenInfo[] {
  return TRON_TOKENS.filter((t) => t.network === network)
}
