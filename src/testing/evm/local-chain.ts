/**
 * `startLocalChain`: anvil on a free loopback port with Multicall3 and stablecoin look-alikes,
 * ready for `evm({ chain, rpcUrls, tokens })`, plus the calls a test needs (fund, mine, snapshot).
 * @module
 */
import { defineChain, numberToHex, type Address, type Chain } from 'viem'
import { assertInteger, assertOptions, describe } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { checkAddress } from '../../chains/evm/validate.js'
import type { EvmTokenConfig } from '../../chains/evm/tokens.js'
import { erc20AssetId, evmNativeAssetId } from '../../chains/evm/registry.js'
import { InvalidArgumentError, RpcError, UnknownAssetError } from '../../core/errors.js'
import { toBaseUnits, type FundAmount } from '../amounts.js'
import { rpcCall } from '../rpc.js'
import { spawnAnvil } from './anvil.js'
import { deployLocalToken, mintTo, placeMulticall3, prepareDeployer } from './deploy.js'
import { localChainSettings, type StartLocalChainOptions } from './options.js'
import { LOCAL_TOKEN_SPECS, type LocalTokenSymbol } from './tokens.js'

/** A token deployed on a local chain. */
export interface LocalToken {
  /** Checksummed contract address (the same on every fresh local chain). */
  readonly address: Address
  readonly symbol: LocalTokenSymbol
  readonly name: string
  /** 6 for USDT and USDC, 18 for DAI. */
  readonly decimals: number
  /** CAIP-19 id, e.g. `eip155:31337/erc20:0x…`. */
  readonly assetId: AssetId
  /** Asset family for limits and totals (the symbol). */
  readonly family: LocalTokenSymbol
}

/**
 * What `fund` gives: `eth` and any deployed token, each a decimal string in whole units
 * (`'1.5'` ETH, `'1000'` USDT) or a bigint of base units (wei, or the token's smallest unit).
 */
export type LocalFunding<T extends LocalTokenSymbol = LocalTokenSymbol> = { readonly eth?: FundAmount } & { readonly [S in T]?: FundAmount }

/** A running local EVM chain. Stop it when done. */
export interface LocalChain<T extends LocalTokenSymbol = 'USDT' | 'USDC'> {
  /** `http://127.0.0.1:<port>`: give it to `evm({ rpcUrls })`. */
  readonly rpcUrl: string
  /** CAIP-2 id, e.g. `'eip155:31337'`. */
  readonly chainId: ChainId
  /** A viem `Chain` (Multicall3 included): `evm({ chain: local.chain, … })` works for any chain id. */
  readonly chain: Chain
  /** CAIP-19 id of the native coin (ETH). */
  readonly nativeAsset: AssetId
  /** The deployed tokens by symbol. */
  readonly tokens: { readonly [S in T]: LocalToken }
  /** The tokens as `evm({ tokens })` takes them. */
  readonly adapterTokens: readonly EvmTokenConfig[]
  /** The anvil process id. */
  readonly pid: number
  /**
   * Adds to `address`'s balances: ETH is credited directly (`anvil_setBalance`), tokens are
   * minted in a transaction (a `Transfer` from the zero address, as a real mint). With automine
   * off, one block is mined for each mint (pending transactions go in with it).
   * @throws InvalidAddressError, InvalidAmountError, UnknownAssetError (a token not deployed)
   */
  fund(address: string, amounts: LocalFunding<T>): Promise<void>
  /** Mines `blocks` blocks at once (default 1). */
  mine(blocks?: number): Promise<void>
  /** Turns mining on each transaction on or off. */
  setAutomine(on: boolean): Promise<void>
  /** Saves the chain's state; `revert(id)` returns to it (each id works once). */
  snapshot(): Promise<string>
  /** Returns to a snapshot (and drops it and the ones after it). @throws InvalidArgumentError for an unknown id */
  revert(id: string): Promise<void>
  /** Stops anvil (by pid) and resolves once it has exited; its port is then free. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts a local EVM chain: anvil (`ANVIL_PATH`, else the `@foundry-rs/anvil-linux-amd64`
 * package) on a free 127.0.0.1 port, Multicall3 at its canonical address, and USDT-like
 * (`transfer`/`approve` return nothing, 6 decimals), USDC-like (bool returns, EIP-2612 permit,
 * EIP-3009, 6 decimals) and DAI-like (18 decimals) tokens, as asked. Nothing else is touched:
 * anvil's ten development accounts keep nonce 0 and 10,000 ETH.
 *
 * @example
 * const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })
 * const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
 * await local.fund(address, { eth: '1', USDT: '1000' })
 * await local.stop()
 * @throws InvalidArgumentError, InvalidCaipIdError for bad options (before anything starts)
 * @throws NotSupportedError when no anvil binary is found (the message says what to install)
 * @throws RpcError, DeadlineExceededError when anvil does not start
 */
export async function startLocalChain<const T extends LocalTokenSymbol = 'USDT' | 'USDC'>(
  options?: StartLocalChainOptions<T>,
): Promise<LocalChain<T>> {
  const settings = localChainSettings(options)
  const node = await spawnAnvil({ chainId: settings.chainId, anvilPath: settings.anvilPath, timeoutMs: settings.timeoutMs })
  const url = node.url
  const tokens: Partial<Record<LocalTokenSymbol, LocalToken>> = {}
  let multicall3: Address
  try {
    multicall3 = await placeMulticall3(url)
    if (settings.tokens.length > 0) await prepareDeployer(url)
    for (const symbol of settings.tokens) {
      const spec = LOCAL_TOKEN_SPECS[symbol]
      const address = await deployLocalToken(url, symbol)
      tokens[symbol] = Object.freeze({
        address,
        symbol,
        name: spec.name,
        decimals: spec.decimals,
        assetId: erc20AssetId(settings.chainId, address),
        family: symbol,
      })
    }
    if (!settings.automine) await rpcCall(url, 'evm_setAutomine', [false])
  } catch (error) {
    await node.stop()
    throw error
  }

  const chainId: ChainId = `eip155:${settings.chainId}`
  const chain = defineChain({
    id: settings.chainId,
    name: `Local chain ${settings.chainId} (anvil)`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
    contracts: { multicall3: { address: multicall3, blockCreated: 0 } },
    testnet: true,
  })
  let stopped = false
  const live =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (stopped) throw new RpcError(`This local chain (${url}) was stopped; start another with startLocalChain().`)
      return fn(...args)
    }
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <R>(work: () => Promise<R>): Promise<R> => {
    const run = queue.then(work, work)
    queue = run.catch(() => undefined)
    return run
  }

  const fund = async (address: string, amounts: LocalFunding<T>): Promise<void> => {
    const to = checkAddress(address, 'fund: address')
    const plan = fundingPlan(assertOptions(amounts as object, 'fund: amounts') as Record<string, unknown>, tokens)
    await serial(async () => {
      if (plan.eth > 0n) {
        const balance = BigInt(await rpcCall<string>(url, 'eth_getBalance', [to, 'latest']))
        await rpcCall(url, 'anvil_setBalance', [to, numberToHex(balance + plan.eth)])
      }
      for (const { token, units } of plan.tokens) await mintTo(url, token.address, to, units)
    })
  }

  return Object.freeze({
    rpcUrl: url,
    chainId,
    chain,
    nativeAsset: evmNativeAssetId(settings.chainId),
    tokens: Object.freeze(tokens) as LocalChain<T>['tokens'],
    adapterTokens: Object.freeze(
      Object.values(tokens).map((t) =>
        Object.freeze({ address: t.address, symbol: t.symbol, name: t.name, decimals: t.decimals, family: t.family }),
      ),
    ),
    pid: node.pid,
    fund: live(fund),
    mine: live(async (blocks: number = 1) => {
      await rpcCall(url, 'anvil_mine', [numberToHex(assertInteger(blocks, 'blocks', 1, 1_000_000))])
    }),
    setAutomine: live(async (on: boolean) => {
      if (typeof on !== 'boolean') throw new InvalidArgumentError(`setAutomine takes true or false, got ${describe(on)}.`)
      await rpcCall(url, 'evm_setAutomine', [on])
    }),
    snapshot: live(() => rpcCall<string>(url, 'evm_snapshot')),
    revert: live(async (id: string) => {
      if (typeof id !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(id))
        throw new InvalidArgumentError(
          `revert takes an id from snapshot(), got ${typeof id === 'string' ? JSON.stringify(id.slice(0, 70)) : describe(id)}.`,
        )
      if (!(await rpcCall<boolean>(url, 'evm_revert', [id])))
        throw new InvalidArgumentError(`No snapshot ${id} on this local chain (each id works once).`)
    }),
    stop: async () => {
      stopped = true
      await node.stop()
    },
  })
}

/** Checks `fund`'s amounts (all of them, before anything is sent). */
function fundingPlan(
  amounts: Record<string, unknown>,
  tokens: Partial<Record<LocalTokenSymbol, LocalToken>>,
): { eth: bigint; tokens: { token: LocalToken; units: bigint }[] } {
  const known = ['eth', ...Object.keys(tokens)]
  let eth = 0n
  const mints: { token: LocalToken; units: bigint }[] = []
  for (const [key, value] of Object.entries(amounts)) {
    if (value === undefined) continue
    if (key === 'eth') {
      eth = toBaseUnits(value, 18, 'fund: eth', 2n ** 200n)
      continue
    }
    const token = tokens[key as LocalTokenSymbol]
    if (!token || !Object.hasOwn(tokens, key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase())
      throw new UnknownAssetError(
        `fund: ${JSON.stringify(key.slice(0, 20))} is not an asset of this local chain; it has ${known.join(', ')}${near ? ` (case-sensitive: did you mean '${near}'?)` : ''}.`,
        { details: { assets: known.join(', ') } },
      )
    }
    const units = toBaseUnits(value, token.decimals, `fund: ${key}`, 2n ** 200n)
    if (units > 0n) mints.push({ token, units })
  }
  return { eth, tokens: mints }
}
