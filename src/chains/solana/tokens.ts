/**
 * The tokens a Solana adapter lists: the registry's mints for its cluster, then the configured
 * ones (a configured mint replaces the registry's entry for it).
 * @module
 * @internal
 */
import { assertOneOf, assertOptions } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { checkTokenFields, withToken } from '../call-checks.js'
import type { SolanaToken } from './context.js'
import { splAssetId } from './networks.js'
import type { SolanaTokenProgram } from './registry.js'
import { checkAddress } from './validate.js'

/** A token added to the adapter's list (beyond the registry's mints for the cluster). */
export interface SolanaTokenConfig {
  readonly mint: string
  readonly symbol: string
  readonly decimals: number
  readonly name?: string
  /** Family for totals, prices and policy limits across chains ("USDC"). */
  readonly family?: string
  /** The program that owns the mint, default `'token'` (SPL Token); `'token-2022'` for Token Extensions mints. */
  readonly program?: SolanaTokenProgram
}

/** The registry's tokens plus the configured `tokens`, checked. @throws InvalidArgumentError, InvalidAddressError */
export function checkTokens(tokens: unknown, chainId: ChainId, registry: readonly SolanaToken[]): SolanaToken[] {
  if (tokens === undefined) return [...registry]
  if (!Array.isArray(tokens)) throw new InvalidArgumentError('tokens must be an array of { mint, symbol, decimals, program? }.')
  let out = [...registry]
  tokens.forEach((t: unknown, i) => {
    const where = `tokens[${i}]`
    const token = assertOptions(t as SolanaTokenConfig, where) as SolanaTokenConfig
    checkAddress(token.mint, `${where}.mint`)
    const fields = checkTokenFields(token as unknown as { readonly [field: string]: unknown }, where)
    const program = assertOneOf(token.program ?? 'token', `${where}.program`, ['token', 'token-2022'] as const)
    const entry: SolanaToken = Object.freeze({ asset: splAssetId(chainId, token.mint), mint: token.mint, ...fields, program })
    out = withToken(out, entry, (k) => k.mint === token.mint)
  })
  return out
}
