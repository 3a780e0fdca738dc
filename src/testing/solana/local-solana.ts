/**
 * `startLocalSolana`: a local Solana backend for tests — a JSON-RPC server speaking Agave's API
 * over litesvm (./server.ts) on a free loopback port, with local stablecoin mints and calls to
 * fund addresses and advance slots.
 *
 * litesvm, an optional peer dependency of coffer, is loaded only when it is called.
 * @module
 */
import { assertInteger, assertOptions, describe } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidAddressError, InvalidArgumentError, NotSupportedError, RpcError } from '../../core/errors.js'
import { isValidSolanaAddress } from '../../keys/address/solana.js'
import { toBaseUnits, type FundAmount } from '../amounts.js'
import { assertKnownKeys } from '../known-keys.js'
import type { LocalSolanaToken, LocalSolanaTokenSymbol, SolanaServer } from './types.js'

export type { LocalSolanaToken, LocalSolanaTokenSymbol } from './types.js'

/** The local stablecoins `startLocalSolana` can create. */
export const LOCAL_SOLANA_TOKEN_SYMBOLS: readonly LocalSolanaTokenSymbol[] = Object.freeze(['USDC', 'USDT', 'PYUSD'])

/** Options of {@link startLocalSolana}. */
export interface StartLocalSolanaOptions {
  /** Stablecoin mints to create (6 decimals each; PYUSD-like is Token-2022 with a transfer fee). Default none. */
  tokens?: readonly LocalSolanaTokenSymbol[]
  /** Advance one slot every `slotMs` milliseconds; 0 (default): slots advance only on `mine()`. */
  slotMs?: number
  /** The PYUSD-like mint's transfer fee in basis points, default 25 (0.25 %), at most 5 tokens per transfer. */
  transferFeeBasisPoints?: number
}

/** What {@link LocalSolana.fund} pays: SOL and the local stablecoins, in whole units (strings) or base units (bigints). */
export type LocalSolanaFunding = Partial<Record<'SOL' | LocalSolanaTokenSymbol, FundAmount>>

/** A running local Solana backend. Stop it when done. */
export interface LocalSolana {
  /** `http://127.0.0.1:<port>`: Agave's JSON-RPC. */
  readonly rpcUrl: string
  /** base58 of 32 random bytes, fixed for this server. */
  readonly genesisHash: string
  /** CAIP-2 id: `solana:` and the first 32 characters of the genesis hash. */
  readonly chainId: ChainId
  /** CAIP-19 id of SOL on this chain. */
  readonly nativeAsset: AssetId
  /** The mints created, in the shape the Solana adapter's `tokens` option takes. */
  readonly adapterTokens: readonly LocalSolanaToken[]
  /**
   * Pays SOL (a transfer from the server's faucet) and mints tokens (a real MintTo into the
   * owner's associated token account, created first when missing), each in a recorded
   * transaction, then advances one slot so the funding is confirmed.
   * @throws InvalidAddressError, InvalidAmountError, InvalidArgumentError (a token not started)
   */
  fund(address: string, amounts: LocalSolanaFunding): Promise<void>
  /** Advances `slots` slots (default 1); each is a new block with a new blockhash. */
  mine(slots?: number): Promise<void>
  /** Lamports of `address` now (processed). */
  balanceOf(address: string): bigint
  /** Base units in `owner`'s associated token account for `symbol` (0 when it has none). */
  tokenBalanceOf(owner: string, symbol: LocalSolanaTokenSymbol): bigint
  /** The current (processed) slot. */
  slot(): number
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>
}

const INSTALL = 'npm install --save-dev litesvm@1'
const MAX_LAMPORTS = 1_000_000n * 1_000_000_000n
const MAX_TOKENS = 2n ** 63n

/** Loads the server after checking that litesvm is there. */
async function loadServer(): Promise<typeof import('./server.js')> {
  try {
    await import('litesvm')
  } catch (cause) {
    const missing = /Cannot find (module|package)|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(
      String((cause as { code?: string }).code ?? '') + String(cause),
    )
    throw new NotSupportedError(
      missing
        ? `startLocalSolana needs the optional peer dependency litesvm, which is not installed: \`${INSTALL}\`.`
        : `startLocalSolana could not load litesvm (its native binary may not exist for this platform): ${(cause as Error).message?.slice(0, 200)}.`,
      { details: { package: 'litesvm' }, cause },
    )
  }
  return import('./server.js')
}

function checkAddress(address: unknown, what: string): string {
  if (!isValidSolanaAddress(address)) {
    throw new InvalidAddressError(
      `${what}: ${typeof address === 'string' ? JSON.stringify(address.slice(0, 100)) : describe(address)} is not a Solana address (base58 of 32 bytes).`,
    )
  }
  return address as string
}

/**
 * Starts a local Solana backend: Agave's JSON-RPC on 127.0.0.1 over litesvm, which executes
 * every transaction (signatures, fees, System, SPL Token, Token-2022, Associated Token Account
 * and Memo programs, durable nonces). Slots advance on `mine()` (or every `slotMs`).
 *
 * @example
 * const sol = await startLocalSolana({ tokens: ['USDC', 'PYUSD'] })
 * await sol.fund(address, { SOL: '1', USDC: '100' })
 * await sol.stop()
 * @throws NotSupportedError when litesvm is missing (the message says what to install)
 * @throws InvalidArgumentError for bad options
 */
export async function startLocalSolana(options?: StartLocalSolanaOptions): Promise<LocalSolana> {
  const opts = assertOptions(options, 'startLocalSolana options')
  assertKnownKeys(opts, ['tokens', 'slotMs', 'transferFeeBasisPoints'], 'startLocalSolana')
  const tokens = opts.tokens ?? []
  if (!Array.isArray(tokens))
    throw new InvalidArgumentError(`tokens must be an array of ${LOCAL_SOLANA_TOKEN_SYMBOLS.join(', ')}, got ${describe(tokens)}.`)
  for (const t of tokens) {
    if (!LOCAL_SOLANA_TOKEN_SYMBOLS.includes(t)) {
      throw new InvalidArgumentError(
        `tokens: unknown token ${typeof t === 'string' ? JSON.stringify(t.slice(0, 20)) : describe(t)} (choose from ${LOCAL_SOLANA_TOKEN_SYMBOLS.join(', ')}).`,
      )
    }
  }
  if (new Set(tokens).size !== tokens.length) throw new InvalidArgumentError('tokens: each token may be listed once.')
  const slotMs = opts.slotMs === undefined ? 0 : assertInteger(opts.slotMs, 'slotMs', 0, 3_600_000)
  if (slotMs > 0 && slotMs < 10) throw new InvalidArgumentError(`slotMs must be 0 (no timer) or at least 10, got ${slotMs}.`)
  const transferFeeBasisPoints =
    opts.transferFeeBasisPoints === undefined ? 25 : assertInteger(opts.transferFeeBasisPoints, 'transferFeeBasisPoints', 0, 10_000)

  const { startSolanaServer } = await loadServer()
  const server: SolanaServer = await startSolanaServer({ tokens, slotMs, transferFeeBasisPoints })
  const chainId: ChainId = `solana:${server.genesisHash.slice(0, 32)}`
  let stopped: Promise<void> | undefined
  const live = (): void => {
    if (stopped) throw new RpcError(`This local Solana backend (${server.url}) was stopped; start another with startLocalSolana().`)
  }
  const started = (symbol: LocalSolanaTokenSymbol, what: string): void => {
    if (!server.tokens.some((t) => t.symbol === symbol)) {
      throw new InvalidArgumentError(
        `${what}: ${symbol} is not on this local chain; start it with startLocalSolana({ tokens: ['${symbol}'] }).`,
      )
    }
  }

  return Object.freeze({
    rpcUrl: server.url,
    genesisHash: server.genesisHash,
    chainId,
    nativeAsset: `${chainId}/slip44:501`,
    adapterTokens: server.tokens,
    async fund(address: string, amounts: LocalSolanaFunding) {
      live()
      const to = checkAddress(address, 'fund')
      const bag = assertOptions(amounts, 'fund: amounts')
      assertKnownKeys(bag, ['SOL', ...LOCAL_SOLANA_TOKEN_SYMBOLS], 'fund: amounts')
      const plan: (() => void)[] = []
      if (bag.SOL !== undefined) {
        const lamports = toBaseUnits(bag.SOL, 9, 'fund: SOL', MAX_LAMPORTS)
        if (lamports > 0n) plan.push(() => server.airdrop(to, lamports))
      }
      for (const symbol of LOCAL_SOLANA_TOKEN_SYMBOLS) {
        if (bag[symbol] === undefined) continue
        started(symbol, 'fund')
        const units = toBaseUnits(bag[symbol], 6, `fund: ${symbol}`, MAX_TOKENS)
        plan.push(() => server.mintTo(to, symbol, units))
      }
      if (plan.length === 0) throw new InvalidArgumentError('fund: give at least one amount (SOL, USDC, USDT or PYUSD).')
      for (const step of plan) step()
      server.mine(1)
    },
    async mine(slots: number = 1) {
      live()
      server.mine(assertInteger(slots, 'slots', 1, 100_000))
    },
    balanceOf: (address: string) => server.balanceOf(checkAddress(address, 'balanceOf')),
    tokenBalanceOf(owner: string, symbol: LocalSolanaTokenSymbol) {
      if (!LOCAL_SOLANA_TOKEN_SYMBOLS.includes(symbol)) throw new InvalidArgumentError(`tokenBalanceOf: unknown token ${describe(symbol)}.`)
      started(symbol, 'tokenBalanceOf')
      return server.tokenBalanceOf(checkAddress(owner, 'tokenBalanceOf'), symbol)
    },
    slot: () => server.slot(),
    stop: () => (stopped ??= server.stop()),
  })
}
