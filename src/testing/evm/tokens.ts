/**
 * The stablecoin look-alikes the local chain can deploy, and where they land.
 * @module
 * @internal
 */
import type { Address } from 'viem'

/** A token the local chain can deploy: `'USDT'`, `'USDC'` or `'DAI'`. */
export type LocalTokenSymbol = 'USDT' | 'USDC' | 'DAI'

/** Every symbol {@link LocalTokenSymbol} allows, in deployment order. */
export const LOCAL_TOKEN_SYMBOLS: readonly LocalTokenSymbol[] = ['USDT', 'USDC', 'DAI']

/** How each token is built. */
export interface LocalTokenSpec {
  readonly symbol: LocalTokenSymbol
  readonly name: string
  readonly decimals: number
  /** `NoReturnToken`: transfer/approve return nothing (as Tether's); `StandardToken`: bool returns, EIP-2612, EIP-3009. */
  readonly contract: 'NoReturnToken' | 'StandardToken'
  /** EIP-712 domain version (StandardToken only). */
  readonly version?: string
  /** The deployer's nonce it is created with, so its address never depends on which others are deployed. */
  readonly nonce: number
}

/** USDT-like, USDC-like and DAI-like. */
export const LOCAL_TOKEN_SPECS: Readonly<Record<LocalTokenSymbol, LocalTokenSpec>> = {
  USDT: { symbol: 'USDT', name: 'Tether USD', decimals: 6, contract: 'NoReturnToken', nonce: 0 },
  USDC: { symbol: 'USDC', name: 'USD Coin', decimals: 6, contract: 'StandardToken', version: '2', nonce: 1 },
  DAI: { symbol: 'DAI', name: 'Dai Stablecoin', decimals: 18, contract: 'StandardToken', version: '1', nonce: 2 },
}

/**
 * The account that deploys and mints the kit's tokens (impersonated; nobody has its key). Using
 * it leaves anvil's ten development accounts untouched: nonce 0 and 10,000 ETH each.
 */
export const LOCAL_DEPLOYER: Address = '0xc0Ffee000000000000000000000000000000C0DE'
