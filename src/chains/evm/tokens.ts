/**
 * The assets an EVM adapter knows: the native coin, the registry's stablecoins on its chain,
 * and tokens the caller adds (symbol and decimals read from the contract when omitted).
 * @module
 * @internal
 */
import { erc20Abi, erc20Abi_bytes32, getAddress, hexToString, isAddress, type PublicClient } from 'viem'
import { describe, isIntegerIn } from '../../core/assert.js'
import { parseAssetId, type AssetId } from '../../core/caip.js'
import { InvalidArgumentError, UnknownAssetError } from '../../core/errors.js'
import type { AssetInfo } from '../adapter.js'
import { erc20AssetId, evmTokens } from './registry.js'
import type { EvmChain } from './networks.js'
import { rpc } from './client.js'

/** A token the caller adds to an adapter. */
export interface EvmTokenConfig {
  /** Contract address. */
  address: string
  /** Read from the contract when omitted. */
  symbol?: string
  /** Read from the contract when omitted. */
  decimals?: number
  name?: string
  /** Asset family for totals across chains (e.g. "USDT"). */
  family?: string
}

/** What the adapter needs about an asset to read and move it. */
export interface EvmAsset extends AssetInfo {
  /** Checksummed contract address (tokens only). */
  readonly address?: `0x${string}`
}

function checkToken(token: unknown, index: number): EvmTokenConfig {
  const t = token as Partial<EvmTokenConfig> | null
  if (!t || typeof t !== 'object' || typeof t.address !== 'string' || !isAddress(t.address, { strict: false })) {
    throw new InvalidArgumentError(`tokens[${index}].address must be an EVM address, got ${describe(t?.address)}.`)
  }
  if (t.decimals !== undefined && !isIntegerIn(t.decimals, 0, 255)) {
    throw new InvalidArgumentError(`tokens[${index}].decimals must be an integer from 0 to 255.`)
  }
  if (t.symbol !== undefined && (typeof t.symbol !== 'string' || t.symbol.length > 32))
    throw new InvalidArgumentError(`tokens[${index}].symbol must be a short string.`)
  return t as EvmTokenConfig
}

/** The asset list of one adapter, resolved lazily (one batched read for unknown metadata). */
export class TokenBook {
  readonly #chain: EvmChain
  readonly #client: PublicClient
  readonly #pending: EvmTokenConfig[]
  readonly #assets = new Map<AssetId, EvmAsset>()
  /** Tokens looked up on chain by id: unverified, kept apart so they never join the list or take a symbol. */
  readonly #lookedUp = new Map<AssetId, EvmAsset>()
  #resolving: Promise<void> | undefined

  constructor(chain: EvmChain, client: PublicClient, tokens: readonly unknown[] = []) {
    this.#chain = chain
    this.#client = client
    const native: EvmAsset = {
      id: chain.nativeAsset,
      chainId: chain.caip2,
      symbol: chain.native.symbol,
      name: chain.native.name,
      decimals: chain.native.decimals,
      kind: 'native',
      family: chain.native.symbol,
    }
    this.#assets.set(native.id, Object.freeze(native))
    for (const t of evmTokens(chain.id))
      this.#add({ address: t.address, symbol: t.symbol, name: t.name, decimals: t.decimals, family: t.family })
    if (!Array.isArray(tokens)) throw new InvalidArgumentError('tokens must be an array of { address, symbol?, decimals? }.')
    this.#pending = tokens.map(checkToken).filter((t) => !this.#fill(t))
  }

  /** Adds a token whose metadata is complete; returns false if it needs reading. */
  #fill(t: EvmTokenConfig): boolean {
    if (t.symbol === undefined || t.decimals === undefined) return false
    this.#add(t as Required<Pick<EvmTokenConfig, 'symbol' | 'decimals'>> & EvmTokenConfig)
    return true
  }

  #add(t: EvmTokenConfig & { symbol: string; decimals: number }, unverified = false): EvmAsset {
    const address = getAddress(t.address)
    const asset: EvmAsset = Object.freeze({
      id: erc20AssetId(this.#chain.id, address),
      chainId: this.#chain.caip2,
      symbol: t.symbol,
      name: t.name ?? t.symbol,
      decimals: t.decimals,
      kind: 'token' as const,
      address,
      ...(t.family && !unverified ? { family: t.family } : {}),
      ...(unverified ? { unverified: true } : {}),
    })
    if (unverified) this.#lookedUp.set(asset.id, asset)
    else this.#assets.set(asset.id, asset)
    return asset
  }

  /** Every registry and configured asset, native first (reads missing token metadata once); never a token only looked up on chain. */
  async list(): Promise<EvmAsset[]> {
    await this.#resolvePending()
    return [...this.#assets.values()]
  }

  async #resolvePending(): Promise<void> {
    if (this.#pending.length === 0) return
    this.#resolving ??= (async () => {
      const todo = this.#pending.splice(0)
      const metas = await Promise.all(todo.map((t) => this.#readMetadata(t.address as `0x${string}`)))
      todo.forEach((t, i) =>
        this.#add({
          ...t,
          symbol: t.symbol ?? metas[i]!.symbol,
          decimals: t.decimals ?? metas[i]!.decimals,
          name: t.name ?? metas[i]!.name,
        }),
      )
    })().finally(() => {
      this.#resolving = undefined
    })
    await this.#resolving
  }

  async #readMetadata(address: `0x${string}`): Promise<{ symbol: string; name: string; decimals: number }> {
    const read = (functionName: 'symbol' | 'name') =>
      this.#client.readContract({ address, abi: erc20Abi, functionName }).catch(async () => {
        // Some old tokens (MKR, SAI) return bytes32 instead of string.
        const raw = await this.#client.readContract({ address, abi: erc20Abi_bytes32, functionName })
        return hexToString(raw, { size: 32 }).replace(/\0+$/, '')
      })
    return rpc(`Reading token metadata of ${address}`, async () => {
      const [symbol, name, decimals] = await Promise.all([
        read('symbol'),
        read('name').catch(() => ''),
        this.#client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
      ])
      return { symbol, name: name || symbol, decimals }
    })
  }

  /**
   * The assets named by `assets` (each as {@link TokenBook.get}), or the whole list when undefined.
   * @throws InvalidArgumentError when `assets` is not an array; InvalidCaipIdError, UnknownAssetError
   */
  async pick(assets: readonly AssetId[] | undefined): Promise<readonly EvmAsset[]> {
    if (assets === undefined) return this.list()
    if (!Array.isArray(assets)) throw new InvalidArgumentError('assets must be an array of CAIP-19 asset ids.')
    return Promise.all(assets.map((id) => this.get(id)))
  }

  /**
   * The asset for a CAIP-19 id; an unlisted ERC-20 on this chain is looked up on chain and
   * marked `unverified` (no family; it never joins `list()`). @throws UnknownAssetError
   */
  async get(id: AssetId): Promise<EvmAsset> {
    const known = this.#assets.get(id) ?? this.#assets.get(this.#normalise(id))
    if (known) return known
    await this.#resolvePending()
    const resolved = this.#assets.get(this.#normalise(id)) ?? this.#lookedUp.get(this.#normalise(id))
    if (resolved) return resolved
    const { chainId, assetNamespace, assetReference } = parseAssetId(id)
    if (chainId !== this.#chain.caip2 || assetNamespace !== 'erc20' || !isAddress(assetReference, { strict: false })) {
      throw new UnknownAssetError(`This ${this.#chain.name} adapter does not know asset "${id}".`, {
        details: { chainId: this.#chain.caip2 },
      })
    }
    const meta = await this.#readMetadata(getAddress(assetReference))
    return this.#add({ address: assetReference, ...meta }, true)
  }

  #normalise(id: AssetId): AssetId {
    try {
      const { chainId, assetNamespace, assetReference } = parseAssetId(id)
      return assetNamespace === 'erc20' && chainId === this.#chain.caip2 ? erc20AssetId(this.#chain.id, assetReference) : id
    } catch {
      return id
    }
  }
}
