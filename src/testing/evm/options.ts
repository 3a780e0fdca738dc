/**
 * The options of `startLocalChain`, checked before anything is started.
 * @module
 * @internal
 */
import { assertInteger, assertOptions, describe } from '../../core/assert.js'
import { InvalidArgumentError, InvalidCaipIdError } from '../../core/errors.js'
import { assertKnownKeys } from '../known-keys.js'
import { LOCAL_TOKEN_SYMBOLS, type LocalTokenSymbol } from './tokens.js'

/** Options of `startLocalChain`. */
export interface StartLocalChainOptions<T extends LocalTokenSymbol = LocalTokenSymbol> {
  /** The chain id, as a number (`31337`) or a CAIP-2 id (`'eip155:31337'`). Default 31337. */
  chainId?: number | `eip155:${number}`
  /** The tokens to deploy, default `['USDT', 'USDC']`; `[]` deploys none. */
  tokens?: readonly T[]
  /** Mine each transaction as it arrives (default true). With false, blocks come from `mine()`. */
  automine?: boolean
  /** The anvil binary; default `ANVIL_PATH`, then the `@foundry-rs/anvil-linux-amd64` package. */
  anvilPath?: string
  /** How long anvil gets to start answering, default 15,000 ms. */
  timeoutMs?: number
}

/** Checked options with their defaults. */
export interface LocalChainSettings {
  readonly chainId: number
  readonly tokens: readonly LocalTokenSymbol[]
  readonly automine: boolean
  readonly anvilPath: string | undefined
  readonly timeoutMs: number
}

const KNOWN = ['chainId', 'tokens', 'automine', 'anvilPath', 'timeoutMs']

function chainIdOf(value: unknown): number {
  if (value === undefined) return 31337
  if (typeof value === 'string') {
    const match = /^eip155:([1-9]\d{0,15})$/.exec(value)
    const id = match ? Number(match[1]) : NaN
    if (Number.isSafeInteger(id)) return id
    const digits = /(\d+)\s*$/.exec(value)?.[1]
    throw new InvalidCaipIdError(
      `chainId must be a number like 31337 or a CAIP-2 id like "eip155:31337", got ${JSON.stringify(value.slice(0, 40))}${digits ? `; did you mean "eip155:${Number(digits)}"?` : '.'}`,
    )
  }
  return assertInteger(value, 'chainId', 1, Number.MAX_SAFE_INTEGER)
}

function tokensOf(value: unknown): readonly LocalTokenSymbol[] {
  if (value === undefined) return ['USDT', 'USDC']
  if (!Array.isArray(value))
    throw new InvalidArgumentError(
      `tokens must be an array of ${LOCAL_TOKEN_SYMBOLS.map((s) => `'${s}'`).join(', ')}, got ${describe(value)}.`,
    )
  const seen = new Set<LocalTokenSymbol>()
  for (const item of value as unknown[]) {
    const symbol = LOCAL_TOKEN_SYMBOLS.find((s) => s === item)
    if (!symbol) {
      const near = typeof item === 'string' ? LOCAL_TOKEN_SYMBOLS.find((s) => s === item.toUpperCase()) : undefined
      const got = typeof item === 'string' ? JSON.stringify(item.slice(0, 20)) : describe(item)
      throw new InvalidArgumentError(
        `tokens: the local chain deploys ${LOCAL_TOKEN_SYMBOLS.join(', ')}, got ${got}${near ? ` (symbols are case-sensitive: did you mean '${near}'?)` : ''}.`,
      )
    }
    if (seen.has(symbol)) throw new InvalidArgumentError(`tokens lists ${symbol} twice.`)
    seen.add(symbol)
  }
  return LOCAL_TOKEN_SYMBOLS.filter((s) => seen.has(s))
}

/**
 * Checks `startLocalChain`'s options and fills in the defaults.
 * @throws InvalidArgumentError, InvalidCaipIdError
 */
export function localChainSettings(options: unknown): LocalChainSettings {
  const opts = assertOptions(options as StartLocalChainOptions | undefined, 'startLocalChain options')
  assertKnownKeys(opts, KNOWN, 'startLocalChain')
  if (opts.automine !== undefined && typeof opts.automine !== 'boolean')
    throw new InvalidArgumentError(`automine must be true or false, got ${describe(opts.automine)}.`)
  if (opts.anvilPath !== undefined && (typeof opts.anvilPath !== 'string' || opts.anvilPath.length === 0)) {
    throw new InvalidArgumentError(
      `anvilPath must be the path of an anvil binary, got ${typeof opts.anvilPath === 'string' ? 'an empty string' : describe(opts.anvilPath)}.`,
    )
  }
  return {
    chainId: chainIdOf(opts.chainId),
    tokens: tokensOf(opts.tokens),
    automine: opts.automine ?? true,
    anvilPath: opts.anvilPath,
    timeoutMs: opts.timeoutMs === undefined ? 15_000 : assertInteger(opts.timeoutMs, 'timeoutMs', 100, 600_000),
  }
}
