/**
 * How the `coffer` CLI configures EVM chains: `{ "name", "chain": "eip155:<n>", "rpcUrls",
 * "tokens", "chainDefinition" }` entries of `coffer.config.json`, `--rpc eip155:<n>=<url>` flags,
 * and the adapter for an entry (loaded on demand, so reading the config loads no viem).
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { ChainAdapter } from '../adapter.js'
import { CONFIG_URL_RE, isConfigObject, OFFLINE_URL, onlyKeys, type ConfigFail, type ConfigObject } from '../config-checks.js'
import type { FamilyChainConfig, FamilyCliConfig } from '../family.js'
import { erc20AssetId, evmChainInfo } from './registry.js'

/** A token added to an EVM chain. */
interface TokenConfig {
  readonly address: string
  readonly symbol?: string
  readonly decimals?: number
  readonly name?: string
  /** Family for totals, prices and policy limits across chains ("USDT"). */
  readonly family?: string
}

/** A chain coffer's registry does not know, as viem's `defineChain` takes it. */
interface ChainDefinition {
  readonly id: number
  readonly name: string
  readonly nativeCurrency: { readonly name: string; readonly symbol: string; readonly decimals: number }
  readonly testnet?: boolean
}

/** An EVM chain of the config. */
interface EvmChainConfig extends FamilyChainConfig {
  readonly kind: 'evm'
  readonly rpcUrls: readonly string[]
  readonly tokens: readonly TokenConfig[]
  readonly chainDefinition?: ChainDefinition
}

const KEYS = ['name', 'chain', 'rpcUrls', 'tokens', 'chainDefinition']
const TOKEN_KEYS = ['address', 'symbol', 'decimals', 'name', 'family']
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/
const EIP155 = /^eip155:[1-9]\d{0,15}$/

function parseDefinition(value: unknown, where: string, fail: ConfigFail): ChainDefinition {
  if (!isConfigObject(value)) return fail(`${where} must be an object { "id", "name", "nativeCurrency" }.`)
  onlyKeys(value, ['id', 'name', 'nativeCurrency', 'testnet'], where, fail)
  if (!isIntegerIn(value.id, 1, Number.MAX_SAFE_INTEGER)) fail(`${where}.id must be a positive integer (the EIP-155 chain id).`)
  if (typeof value.name !== 'string' || value.name.length === 0 || value.name.length > 60) fail(`${where}.name must be a name.`)
  const n = value.nativeCurrency
  if (
    !isConfigObject(n) ||
    typeof n.name !== 'string' ||
    typeof n.symbol !== 'string' ||
    !/^[A-Za-z0-9.]{1,16}$/.test(n.symbol) ||
    !isIntegerIn(n.decimals, 0, 36)
  ) {
    fail(`${where}.nativeCurrency must be { "name": "Ether", "symbol": "ETH", "decimals": 18 }.`)
  }
  if (value.testnet !== undefined && typeof value.testnet !== 'boolean') fail(`${where}.testnet must be true or false.`)
  const native = n as { name: string; symbol: string; decimals: number }
  return {
    id: value.id as number,
    name: value.name as string,
    nativeCurrency: { name: native.name, symbol: native.symbol, decimals: native.decimals },
    ...(value.testnet === undefined ? {} : { testnet: value.testnet as boolean }),
  }
}

function parseToken(value: unknown, where: string, fail: ConfigFail): TokenConfig {
  if (!isConfigObject(value)) return fail(`${where} must be an object { "address", "symbol", "decimals" }.`)
  onlyKeys(value, TOKEN_KEYS, where, fail)
  if (typeof value.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value.address))
    fail(`${where}.address must be a 0x-prefixed 20-byte address.`)
  if (value.symbol !== undefined && (typeof value.symbol !== 'string' || value.symbol.length === 0 || value.symbol.length > 32))
    fail(`${where}.symbol must be a short string.`)
  if (value.decimals !== undefined && !isIntegerIn(value.decimals, 0, 255)) fail(`${where}.decimals must be an integer from 0 to 255.`)
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.length > 100)) fail(`${where}.name must be a string.`)
  if (value.family !== undefined && (typeof value.family !== 'string' || !FAMILY.test(value.family)))
    fail(`${where}.family must be an upper-case family name such as "USDT".`)
  return value as unknown as TokenConfig
}

function parseEntry(value: ConfigObject, where: string, fail: ConfigFail): EvmChainConfig {
  onlyKeys(value, KEYS, where, fail)
  const definition =
    value.chainDefinition === undefined ? undefined : parseDefinition(value.chainDefinition, `${where}.chainDefinition`, fail)
  let chainId: ChainId
  if (value.chain === undefined) {
    if (!definition) return fail(`${where} needs "chain" (a CAIP-2 id such as "eip155:1") or a "chainDefinition".`)
    chainId = `eip155:${definition.id}`
  } else {
    if (typeof value.chain !== 'string' || !EIP155.test(value.chain))
      return fail(`${where}.chain must be an EVM CAIP-2 id such as "eip155:1", got ${JSON.stringify(value.chain)?.slice(0, 60)}.`)
    chainId = value.chain as ChainId
    if (definition && chainId !== `eip155:${definition.id}`)
      fail(`${where}.chain is ${chainId} but chainDefinition.id is ${definition.id}.`)
  }
  const id = Number(chainId.slice('eip155:'.length))
  if (!definition && !evmChainInfo(id)) {
    fail(
      `${where}: ${chainId} is not in coffer's registry; describe it with "chainDefinition": { "id": ${id}, "name": "My chain", "nativeCurrency": { "name": "Ether", "symbol": "ETH", "decimals": 18 } }.`,
    )
  }
  const urls = value.rpcUrls ?? []
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && CONFIG_URL_RE.test(u)))
    fail(`${where}.rpcUrls must be an array of http(s) URLs.`)
  const tokensValue = value.tokens ?? []
  if (!Array.isArray(tokensValue)) return fail(`${where}.tokens must be an array.`)
  const tokens = tokensValue.map((t, i) => parseToken(t, `${where}.tokens[${i}]`, fail))
  return {
    kind: 'evm',
    name: (value.name as string | undefined) ?? chainId,
    chainId,
    rpcUrls: urls as string[],
    tokens,
    ...(definition ? { chainDefinition: definition } : {}),
  }
}

function fromUrls(chainId: ChainId, urls: readonly string[], fail: ConfigFail): EvmChainConfig {
  if (!EIP155.test(chainId) || !evmChainInfo(Number(chainId.slice('eip155:'.length)))) {
    return fail('this chain is not in coffer\'s registry; add it to the config file with a "chainDefinition".')
  }
  return { kind: 'evm', name: chainId, chainId, rpcUrls: [...urls], tokens: [] }
}

async function createAdapter(entry: FamilyChainConfig, options: Parameters<FamilyCliConfig['createAdapter']>[1]): Promise<ChainAdapter> {
  const c = entry as EvmChainConfig
  const urls = options.offline ? [OFFLINE_URL] : c.rpcUrls
  if (urls.length === 0)
    throw new InvalidArgumentError(`Chain "${c.name}" has no rpcUrls: add them to the config file or pass --rpc ${c.name}=<url>.`)
  const tokens = options.offline ? c.tokens.filter((t) => t.symbol !== undefined && t.decimals !== undefined) : c.tokens
  const [{ evm }, { defineChain }] = await Promise.all([import('./adapter.js'), import('viem')])
  const d = c.chainDefinition
  const chain = d
    ? defineChain({
        id: d.id,
        name: d.name,
        nativeCurrency: d.nativeCurrency,
        rpcUrls: { default: { http: [...urls] } },
        ...(d.testnet === undefined ? {} : { testnet: d.testnet }),
      })
    : c.chainId
  return evm({
    chain,
    rpcUrls: [...urls],
    tokens: tokens.map((t) => ({ ...t })),
    ...(options.storage ? { journalStorage: options.storage } : {}),
    ...(options.offline ? { retryCount: 0, timeoutMs: 1_000 } : {}),
  })
}

/** The EVM family's CLI configuration: entries named by `"chain": "eip155:<n>"`. */
export const evmCliConfig: FamilyCliConfig = Object.freeze({
  parseEntry,
  fromUrls,
  withUrls: (entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig => ({ ...entry, rpcUrls: [...urls] }),
  assetFamilies(entry: FamilyChainConfig): { readonly [assetId: string]: string } {
    const c = entry as EvmChainConfig
    const id = Number(c.chainId.slice('eip155:'.length))
    const families: Record<string, string> = {}
    for (const t of c.tokens) if (t.family) families[erc20AssetId(id, t.address)] = t.family
    return families
  },
  createAdapter,
} satisfies FamilyCliConfig)
