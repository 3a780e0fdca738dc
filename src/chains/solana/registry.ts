/**
 * The official stablecoin mints on Solana clusters coffer knows. Pure data.
 *
 * Every mint was checked against its issuer's own page:
 * - USDC: Circle, https://developers.circle.com/stablecoins/usdc-contract-addresses (mainnet
 *   `EPjF…Dt1v`; devnet `4zMM…ncDU`, the one Circle's faucet pays);
 * - USDT: Tether, https://tether.to/en/supported-protocols/ (mainnet only; Tether runs no devnet mint);
 * - PYUSD: Paxos, https://docs.paxos.com/guides/stablecoin/pyusd/mainnet and
 *   https://docs.paxos.com/guides/stablecoin/pyusd/testnet (a Token-2022 mint on both).
 *
 * To add a mint: the issuer's page that lists that exact address, the decimals it states, and the
 * token program that owns it. Never copy a mint from an explorer search or a token list of
 * unknown provenance: look-alike mints exist.
 * @module
 */
import type { SolanaClusterName } from './networks.js'

/** The token program that owns a mint. */
export type SolanaTokenProgram = 'token' | 'token-2022'

/** A stablecoin mint on one cluster. */
export interface SolanaTokenInfo {
  readonly cluster: SolanaClusterName
  readonly mint: string
  readonly symbol: string
  readonly name: string
  readonly decimals: number
  /** Family for totals, prices and policy limits across chains. */
  readonly family: 'USDC' | 'USDT' | 'PYUSD'
  readonly program: SolanaTokenProgram
  readonly source: string
}

const CIRCLE = 'https://developers.circle.com/stablecoins/usdc-contract-addresses'

/** The stablecoin mints coffer lists by default, per cluster. */
export const SOLANA_TOKENS: readonly SolanaTokenInfo[] = Object.freeze(
  [
    {
      cluster: 'mainnet-beta',
      mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
      symbol: 'USDC',
      name: 'USD Coin',
      decimals: 6,
      family: 'USDC',
      program: 'token',
      source: CIRCLE,
    },
    {
      cluster: 'mainnet-beta',
      mint: 'Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB',
      symbol: 'USDT',
      name: 'Tether USD',
      decimals: 6,
      family: 'USDT',
      program: 'token',
      source: 'https://tether.to/en/supported-protocols/',
    },
    {
      cluster: 'mainnet-beta',
      mint: '2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo',
      symbol: 'PYUSD',
      name: 'PayPal USD',
      decimals: 6,
      family: 'PYUSD',
      program: 'token-2022',
      source: 'https://docs.paxos.com/guides/stablecoin/pyusd/mainnet',
    },
    {
      cluster: 'devnet',
      mint: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
      symbol: 'USDC',
      name: 'USD Coin',
      decimals: 6,
      family: 'USDC',
      program: 'token',
      source: CIRCLE,
    },
    {
      cluster: 'devnet',
      mint: 'CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM',
      symbol: 'PYUSD',
      name: 'PayPal USD',
      decimals: 6,
      family: 'PYUSD',
      program: 'token-2022',
      source: 'https://docs.paxos.com/guides/stablecoin/pyusd/testnet',
    },
  ].map((t) => Object.freeze(t as SolanaTokenInfo)),
)

/** The registry's mints on `cluster`. */
export function solanaTokensOf(cluster: SolanaClusterName): readonly SolanaTokenInfo[] {
  return SOLANA_TOKENS.filter((t) => t.cluster === cluster)
}
