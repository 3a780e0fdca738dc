/**
 * The tokens a Solana adapter lists: the registry's mints for its cluster, then the configured
 * ones (a configured mint replaces the registry's entry for it).
 * @module
 * @internal
 */
import { assertOneOf, assertOptions, isIntegerIn } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
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

const SYMBOL = /^[A-Za-z0-9.$-]{1,16}$/
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/

/** The registry's tokens plus the configured `tokens`, checked. @throws InvalidArgumentError, InvalidAddressError */
export function checkTokens(tokens: unknown, chainId: ChainId, registry: readonly SolanaToken[]): SolanaToken[] {
  if (tokens === undefined) return [...registry]
  if (!Array.isArray(tokens)) throw new InvalidArgumentError('tokens must be an array of { mint, symbol, decimals, program? }.')
  const out = [...registry]
  tokens.forEach((t: unknown, i) => {
    const where = `tokens[${i}]`
    const token = assertOptions(t as SolanaTokenConfig, where) as SolanaTokenConfig
    checkAddress(token.mint, `${where}.mint`)
    if (typeof token.symbol !== 'string' || !SYMBOL.test(token.symbol))
      throw new InvalidArgumentError(`${where}.symbol must be a short symbol.`)
    if (!isIntegerIn(token.decimals, 0, 18)) throw new InvalidArgumentError(`${where}.decimals must be an integer from 0 to 18.`)
    if (token.name !== undefined && (typeof token.name !== 'string' || token.name.length > 100))
      throw new InvalidArgumentError(`${where}.name must be a string.`)
    if (token.family !== undefined && (typeof token.family !== 'string' || !FAMILY.test(token.family)))
      throw new InvalidArgumentError(`${where}.family must be an upper-case family name such as "USDC".`)
    const program = assertOneOf(token.program ?? 'token', `${where}.program`, ['token', 'token-2022'] as const)
    const known = out.findIndex((k) => k.mint === token.mint)
    const entry: SolanaToken = Object.freeze({
      asset: splAssetId(chainId, token.mint),
      mint: token.mint,
      symbol: token.symbol,
      name: token.name ?? token.symbol,
      decimals: token.decimals,
      ...(token.family ? { family: token.family } : {}),
      program,
    })
    if (known >= 0) out[known] = entry
    else out.push(entry)
  })
  return out
}
