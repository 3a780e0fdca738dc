/**
 * `startLocalTron`: a local Tron backend for tests — a TronGrid-shaped HTTP server (./server.ts)
 * on a free loopback port whose TRC-20 USDT runs on anvil, with calls to fund addresses, seal
 * blocks and give accounts staked energy and bandwidth.
 *
 * tronweb (6.x, which decodes and checks every broadcast) and anvil are optional peer
 * dependencies of coffer, loaded only when it is called.
 * @module
 */
import { assertInteger, assertOptions, describe } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidAddressError, InvalidArgumentError, NotSupportedError, RpcError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import { toBaseUnits, type FundAmount } from '../amounts.js'
import { assertKnownKeys } from '../known-keys.js'
import type { LocalTronToken, LocalTronTokenSymbol, TronChainParameters, TronServer } from './types.js'

export type { LocalTronToken, LocalTronTokenSymbol, TronChainParameters } from './types.js'

/** The TRC-20s `startLocalTron` can deploy. */
export const LOCAL_TRON_TOKEN_SYMBOLS: readonly LocalTronTokenSymbol[] = Object.freeze(['USDT'])

/** Options of {@link startLocalTron}. */
export interface StartLocalTronOptions {
  /** TRC-20s to deploy: `['USDT']` is Tether-like (6 decimals, bool returns, pause, blacklist). Default none. */
  tokens?: readonly LocalTronTokenSymbol[]
  /** Seal a block every `blockMs` milliseconds (Tron's is 3,000); 0 (default): blocks come only from `mine()`. */
  blockMs?: number
  /** Chain parameters to change from mainnet's (energyFee 100 sun, transactionFee 1,000 sun/byte, …). */
  parameters?: Partial<TronChainParameters>
}

/** What {@link LocalTron.fund} pays: TRX and the local TRC-20s, in whole units (strings) or base units (bigints). */
export type LocalTronFunding = Partial<Record<'TRX' | LocalTronTokenSymbol, FundAmount>>

/** A running local Tron backend. Stop it when done. */
export interface LocalTron {
  /** `http://127.0.0.1:<port>`: TronGrid's base URL (/wallet, /walletsolidity, /v1). */
  readonly apiUrl: string
  /** CAIP-2 id: `tron:0x` and the last 4 bytes of the genesis block id (as `tron:0x2b6653dc` is mainnet's). */
  readonly chainId: ChainId
  /** CAIP-19 id of TRX on this chain (`slip44:195`). */
  readonly nativeAsset: AssetId
  /** The TRC-20s deployed, in the shape a Tron adapter's `tokens` option takes (base58 addresses). */
  readonly adapterTokens: readonly LocalTronToken[]
  /** The chain parameters in force (served at /wallet/getchainparameters). */
  readonly parameters: Readonly<TronChainParameters>
  /**
   * Pays TRX (a signed TransferContract from the server's faucet; it activates a new account and
   * the faucet pays the activation) and mints tokens (a signed TriggerSmartContract by the token's
   * owner; it does not activate the account, as on Tron), then seals one block. Solidified reads
   * see the funding 19 blocks later.
   * @throws InvalidAddressError, InvalidAmountError, InvalidArgumentError (a token not started)
   */
  fund(address: string, amounts: LocalTronFunding): Promise<void>
  /** Seals `blocks` blocks (default 1); the first takes the pending transactions. */
  mine(blocks?: number): Promise<void>
  /** The head block. */
  head(): { readonly number: number; readonly id: string; readonly timestamp: number }
  /** Sun of `address` now (0 for an account that does not exist). */
  balanceOf(address: string): bigint
  /** Base units of `symbol` held by `address` now. */
  tokenBalanceOf(address: string, symbol: LocalTronTokenSymbol): Promise<bigint>
  /**
   * Gives an existing account staked energy and bandwidth (as if it had frozen TRX, or had them
   * delegated); their usage restarts at 0 and recovers over 24 h as on Tron.
   * @throws InvalidArgumentError when the account does not exist (fund it with TRX first)
   */
  setResources(address: string, resources: { energy?: number; bandwidth?: number }): void
  /** Puts `address` on the token's blacklist (a signed addBlackList by the owner): its transfers revert. */
  blacklist(address: string, symbol?: LocalTronTokenSymbol): Promise<void>
  /** Stops the server and its anvil; safe to call twice. */
  stop(): Promise<void>
}

const INSTALL = 'npm install --save-dev tronweb@6 @foundry-rs/anvil-linux-amd64'
const MAX_SUN = 1_000_000_000n * 1_000_000n
const MAX_TOKENS = 2n ** 63n

/** Loads the server after checking that tronweb is there. */
async function loadServer(): Promise<typeof import('./server.js')> {
  try {
    await import('tronweb')
  } catch (cause) {
    const missing = /Cannot find (module|package)|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(
      String((cause as { code?: string }).code ?? '') + String(cause),
    )
    throw new NotSupportedError(
      missing
        ? `startLocalTron needs the optional peer dependency tronweb, which is not installed: \`${INSTALL}\`.`
        : `startLocalTron could not load tronweb: ${(cause as Error).message?.slice(0, 200)}.`,
      { details: { package: 'tronweb' }, cause },
    )
  }
  return import('./server.js')
}

function checkAddress(address: unknown, what: string): string {
  if (!isValidTronAddress(address)) {
    throw new InvalidAddressError(
      `${what}: ${typeof address === 'string' ? JSON.stringify(address.slice(0, 100)) : describe(address)} is not a Tron address (base58 T…).`,
    )
  }
  return address as string
}

function checkParameters(value: unknown): Partial<TronChainParameters> {
  const p = assertOptions(value as object | undefined, 'parameters') as Record<string, unknown>
  const limits: Record<keyof TronChainParameters, [number, number]> = {
    energyFee: [1, 10_000],
    transactionFee: [1, 100_000],
    createAccountFee: [0, 100_000_000],
    createNewAccountFeeInSystemContract: [0, 100_000_000],
    freeNetLimit: [0, 100_000],
    maxFeeLimit: [0, 100_000_000_000],
  }
  assertKnownKeys(p, Object.keys(limits), 'parameters')
  const out: Partial<TronChainParameters> = {}
  for (const [k, [min, max]] of Object.entries(limits) as [keyof TronChainParameters, [number, number]][]) {
    if (p[k] !== undefined) out[k] = assertInteger(p[k], `parameters.${k}`, min, max)
  }
  return out
}

/**
 * Starts a local Tron backend: TronGrid's HTTP API on 127.0.0.1 over a TRX ledger of its own and
 * an anvil running the TRC-20s (a Tron address is 0x41 and the EVM address's 20 bytes; TRC-20s
 * are EVM bytecode). Every broadcast is decoded by tronweb and checked as java-tron checks it
 * (txID, signature, TaPoS, expiration, duplicates, bandwidth, balances); energy and bandwidth
 * are priced by mainnet's chain parameters, energy being the EVM gas used.
 *
 * @example
 * const tron = await startLocalTron({ tokens: ['USDT'] })
 * await tron.fund(address, { TRX: '100', USDT: '1000' })
 * await tron.stop()
 * @throws NotSupportedError when tronweb or anvil is missing (the message says what to install)
 * @throws InvalidArgumentError for bad options
 */
export async function startLocalTron(options?: StartLocalTronOptions): Promise<LocalTron> {
  const opts = assertOptions(options, 'startLocalTron options')
  assertKnownKeys(opts, ['tokens', 'blockMs', 'parameters'], 'startLocalTron')
  const tokens = opts.tokens ?? []
  if (!Array.isArray(tokens))
    throw new InvalidArgumentError(`tokens must be an array of ${LOCAL_TRON_TOKEN_SYMBOLS.join(', ')}, got ${describe(tokens)}.`)
  for (const t of tokens) {
    if (!LOCAL_TRON_TOKEN_SYMBOLS.includes(t)) {
      throw new InvalidArgumentError(
        `tokens: unknown token ${typeof t === 'string' ? JSON.stringify(t.slice(0, 20)) : describe(t)} (choose from ${LOCAL_TRON_TOKEN_SYMBOLS.join(', ')}).`,
      )
    }
  }
  if (new Set(tokens).size !== tokens.length) throw new InvalidArgumentError('tokens: each token may be listed once.')
  const blockMs = opts.blockMs === undefined ? 0 : assertInteger(opts.blockMs, 'blockMs', 0, 3_600_000)
  if (blockMs > 0 && blockMs < 10) throw new InvalidArgumentError(`blockMs must be 0 (no timer) or at least 10, got ${blockMs}.`)
  const parameters = checkParameters(opts.parameters)

  const { startTronServer } = await loadServer()
  const server: TronServer = await startTronServer({ tokens, blockMs, parameters })
  const chainId: ChainId = `tron:0x${server.genesisBlockId.slice(-8)}`
  let stopped: Promise<void> | undefined
  const live = (): void => {
    if (stopped) throw new RpcError(`This local Tron backend (${server.url}) was stopped; start another with startLocalTron().`)
  }
  const started = (symbol: LocalTronTokenSymbol, what: string): void => {
    if (!LOCAL_TRON_TOKEN_SYMBOLS.includes(symbol)) throw new InvalidArgumentError(`${what}: unknown token ${describe(symbol)}.`)
    if (!server.tokens.some((t) => t.symbol === symbol))
      throw new InvalidArgumentError(
        `${what}: ${symbol} is not on this local chain; start it with startLocalTron({ tokens: ['${symbol}'] }).`,
      )
  }
  const resource = (v: unknown, name: string): number | undefined =>
    v === undefined ? undefined : assertInteger(v, `setResources: ${name}`, 0, Number.MAX_SAFE_INTEGER)

  return Object.freeze({
    apiUrl: server.url,
    chainId,
    nativeAsset: `${chainId}/slip44:195` as AssetId,
    adapterTokens: server.tokens,
    parameters: server.parameters,
    async fund(address: string, amounts: LocalTronFunding) {
      live()
      const to = checkAddress(address, 'fund')
      const bag = assertOptions(amounts, 'fund: amounts')
      assertKnownKeys(bag, ['TRX', ...LOCAL_TRON_TOKEN_SYMBOLS], 'fund: amounts')
      const plan: (() => Promise<unknown>)[] = []
      if (bag.TRX !== undefined) {
        const sun = toBaseUnits(bag.TRX, 6, 'fund: TRX', MAX_SUN)
        if (sun > 0n) plan.push(() => server.sendTrx(to, sun))
      }
      for (const symbol of LOCAL_TRON_TOKEN_SYMBOLS) {
        if (bag[symbol] === undefined) continue
        started(symbol, 'fund')
        const units = toBaseUnits(bag[symbol], 6, `fund: ${symbol}`, MAX_TOKENS)
        if (units > 0n) plan.push(() => server.mintToken(to, symbol, units))
      }
      if (plan.length === 0) throw new InvalidArgumentError('fund: give at least one amount more than 0 (TRX or USDT).')
      for (const step of plan) await step()
      await server.mine(1)
    },
    async mine(blocks: number = 1) {
      live()
      await server.mine(assertInteger(blocks, 'blocks', 1, 100_000))
    },
    head: () => server.head(),
    balanceOf: (address: string) => server.balanceOf(checkAddress(address, 'balanceOf')),
    async tokenBalanceOf(address: string, symbol: LocalTronTokenSymbol) {
      started(symbol, 'tokenBalanceOf')
      return server.tokenBalanceOf(checkAddress(address, 'tokenBalanceOf'), symbol)
    },
    setResources(address: string, resources: { energy?: number; bandwidth?: number }) {
      live()
      const a = checkAddress(address, 'setResources')
      const r = assertOptions(resources, 'setResources: resources')
      assertKnownKeys(r, ['energy', 'bandwidth'], 'setResources')
      if (!server.isActivated(a))
        throw new InvalidArgumentError(`setResources: ${a} does not exist on this chain yet; fund it with TRX first.`)
      const energy = resource(r.energy, 'energy')
      const bandwidth = resource(r.bandwidth, 'bandwidth')
      server.setResources(a, { ...(energy === undefined ? {} : { energy }), ...(bandwidth === undefined ? {} : { bandwidth }) })
    },
    async blacklist(address: string, symbol: LocalTronTokenSymbol = 'USDT') {
      live()
      started(symbol, 'blacklist')
      await server.blacklist(checkAddress(address, 'blacklist'), symbol)
      await server.mine(1)
    },
    stop: () => (stopped ??= server.stop()),
  })
}
