/**
 * The configuration file (`coffer.config.json`): where the wallet lives, which chains it uses
 * (EVM chains by CAIP-2 id with RPC URLs and extra tokens, Bitcoin networks with an Esplora
 * URL), prices, the fiat currency and the spending policy. Every field is checked here, with
 * errors that name the file and the field; `--rpc <chain>=<url>` flags add or replace RPC URLs.
 * @module
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ChainId } from '../core/caip.js'
import { evmChainInfo } from '../chains/evm/registry.js'
import { CofferError } from '../core/errors.js'
import type { BitcoinNetwork } from '../keys/address/bitcoin.js'
import { PolicyEngine, type PolicyOptions } from '../policy/policy.js'
import { fixedPrices, normalizeCurrency } from '../portfolio/prices.js'
import { BITCOIN_CHAIN_IDS } from '../payments/uri.js'
import { usage } from './output.js'

/** The default config file, looked for in the working directory. */
export const DEFAULT_CONFIG_FILE = 'coffer.config.json'

/** A token added to an EVM chain. */
export interface TokenConfig {
  readonly address: string
  readonly symbol?: string
  readonly decimals?: number
  readonly name?: string
  /** Family for totals, prices and policy limits across chains ("USDT"). */
  readonly family?: string
}

/** A chain coffer's registry does not know, as viem's `defineChain` takes it. */
export interface ChainDefinition {
  readonly id: number
  readonly name: string
  readonly nativeCurrency: { readonly name: string; readonly symbol: string; readonly decimals: number }
  readonly testnet?: boolean
}

/** An EVM chain of the config. */
export interface EvmChainConfig {
  readonly kind: 'evm'
  readonly name: string
  readonly chainId: ChainId
  readonly rpcUrls: readonly string[]
  readonly tokens: readonly TokenConfig[]
  readonly chainDefinition?: ChainDefinition
}

/** A Bitcoin network of the config. */
export interface BitcoinChainConfig {
  readonly kind: 'bitcoin'
  readonly name: string
  readonly chainId: ChainId
  readonly network: BitcoinNetwork
  readonly esploraUrl: string
}

/** Any chain of the config. */
export type ChainConfig = EvmChainConfig | BitcoinChainConfig

/** Where prices come from. */
export type PricesConfig =
  | { readonly fixed: Readonly<Record<string, string>> }
  | { readonly coingecko: { readonly apiKey?: string; readonly baseUrl?: string; readonly apiKeyHeader?: string } }

/** The checked configuration. */
export interface CliConfig {
  /** The file it came from, when there was one. */
  readonly file?: string
  /** The vault path from the file, resolved against the file's folder. */
  readonly vault?: string
  readonly currency: string
  readonly chains: readonly ChainConfig[]
  readonly prices?: PricesConfig
  readonly policy?: PolicyOptions
}

type Json = Record<string, unknown>

const TOP_KEYS = ['$schema', 'vault', 'currency', 'chains', 'prices', 'policy']
const EVM_KEYS = ['name', 'chain', 'rpcUrls', 'tokens', 'chainDefinition']
const BITCOIN_KEYS = ['name', 'bitcoin']
const TOKEN_KEYS = ['address', 'symbol', 'decimals', 'name', 'family']
const POLICY_KEYS = ['limits', 'fiat', 'allow', 'deny', 'maxFee', 'maxFeeShare', 'unlistedAssets']
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/
const URL_RE = /^https?:\/\/\S+$/
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Loads and checks the config: `--config <file>` (must exist), else ./coffer.config.json when present, else an empty config. */
export function loadConfig(options: { file?: string | undefined; rpc?: readonly string[] | undefined; cwd?: string }): CliConfig {
  const cwd = options.cwd ?? process.cwd()
  let file: string | undefined
  if (options.file !== undefined) {
    file = resolve(cwd, options.file)
    if (!existsSync(file)) throw usage(`Config file ${options.file} does not exist.`)
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    file = resolve(cwd, DEFAULT_CONFIG_FILE)
  }
  let config: CliConfig = { currency: 'usd', chains: [] }
  if (file !== undefined) {
    let data: unknown
    try {
      data = JSON.parse(readFileSync(file, 'utf8'))
    } catch (cause) {
      throw usage(`${file} is not valid JSON: ${(cause as Error).message.split('\n')[0]}`)
    }
    config = parseConfig(data, file)
  }
  return applyRpcFlags(config, options.rpc ?? [])
}

/** Checks a parsed config document; `file` names it in errors and anchors a relative `vault`. */
export function parseConfig(data: unknown, file = DEFAULT_CONFIG_FILE): CliConfig {
  const fail = (message: string): never => {
    throw usage(`${file}: ${message}`)
  }
  if (!isObject(data)) return fail('expected a JSON object.')
  onlyKeys(data, TOP_KEYS, '', fail)
  let vault: string | undefined
  if (data.vault !== undefined) {
    if (typeof data.vault !== 'string' || data.vault.length === 0) fail('"vault" must be a path.')
    vault = resolve(dirname(file), data.vault as string)
  }
  let currency = 'usd'
  if (data.currency !== undefined) {
    try {
      currency = normalizeCurrency(data.currency as string)
    } catch {
      fail('"currency" must be a 3-5 letter code such as "usd".')
    }
  }
  const chainsValue = data.chains ?? []
  if (!Array.isArray(chainsValue)) return fail('"chains" must be an array.')
  const chains = chainsValue.map((c, i) => parseChain(c, `chains[${i}]`, fail))
  const names = new Set<string>()
  for (const c of chains) {
    if (names.has(c.name)) fail(`two chains are named "${c.name}".`)
    names.add(c.name)
    if (chains.filter((o) => o.chainId === c.chainId).length > 1) fail(`${c.chainId} is configured twice.`)
  }
  const prices = data.prices === undefined ? undefined : parsePrices(data.prices, currency, fail)
  const policy = data.policy === undefined ? undefined : parsePolicy(data.policy, fail)
  return {
    file,
    ...(vault === undefined ? {} : { vault }),
    currency,
    chains,
    ...(prices === undefined ? {} : { prices }),
    ...(policy === undefined ? {} : { policy }),
  }
}

function onlyKeys(obj: Json, allowed: readonly string[], where: string, fail: (m: string) => never): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${where ? `${where}: ` : ''}unknown key "${key.slice(0, 40)}" (expected one of: ${allowed.filter((k) => k !== '$schema').join(', ')}).`)
  }
}

function parseChain(value: unknown, where: string, fail: (m: string) => never): ChainConfig {
  if (!isObject(value)) return fail(`${where} must be an object.`)
  const name = value.name
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) fail(`${where}.name must be a short name of letters, digits, "-" and "_" starting with a letter (it cannot contain ":").`)
  if (value.bitcoin !== undefined) {
    onlyKeys(value, BITCOIN_KEYS, where, fail)
    const b = value.bitcoin
    if (!isObject(b)) return fail(`${where}.bitcoin must be an object { "network", "esploraUrl" }.`)
    onlyKeys(b, ['network', 'esploraUrl'], `${where}.bitcoin`, fail)
    const network = (b.network ?? 'mainnet') as BitcoinNetwork
    if (!['mainnet', 'testnet', 'regtest'].includes(network)) fail(`${where}.bitcoin.network must be "mainnet", "testnet" or "regtest".`)
    if (typeof b.esploraUrl !== 'string' || !URL_RE.test(b.esploraUrl)) fail(`${where}.bitcoin.esploraUrl must be an http(s) URL of an Esplora API.`)
    const chainId = BITCOIN_CHAIN_IDS[network]
    return { kind: 'bitcoin', name: (name as string | undefined) ?? chainId, chainId, network, esploraUrl: b.esploraUrl as string }
  }
  onlyKeys(value, EVM_KEYS, where, fail)
  const definition = value.chainDefinition === undefined ? undefined : parseDefinition(value.chainDefinition, `${where}.chainDefinition`, fail)
  let chainId: ChainId
  if (value.chain === undefined) {
    if (!definition) return fail(`${where} needs "chain" (a CAIP-2 id such as "eip155:1") or "bitcoin": { … }.`)
    chainId = `eip155:${definition.id}`
  } else {
    if (typeof value.chain !== 'string' || !/^eip155:[1-9]\d{0,15}$/.test(value.chain)) return fail(`${where}.chain must be an EVM CAIP-2 id such as "eip155:1", got ${JSON.stringify(value.chain)?.slice(0, 60)}.`)
    chainId = value.chain as ChainId
    if (definition && chainId !== `eip155:${definition.id}`) fail(`${where}.chain is ${chainId} but chainDefinition.id is ${definition.id}.`)
  }
  const id = Number(chainId.slice('eip155:'.length))
  if (!definition && !evmChainInfo(id)) {
    fail(`${where}: ${chainId} is not in coffer's registry; describe it with "chainDefinition": { "id": ${id}, "name": "My chain", "nativeCurrency": { "name": "Ether", "symbol": "ETH", "decimals": 18 } }.`)
  }
  const urls = value.rpcUrls ?? []
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && URL_RE.test(u))) fail(`${where}.rpcUrls must be an array of http(s) URLs.`)
  const tokensValue = value.tokens ?? []
  if (!Array.isArray(tokensValue)) return fail(`${where}.tokens must be an array.`)
  const tokens = tokensValue.map((t, i) => parseToken(t, `${where}.tokens[${i}]`, fail))
  return {
    kind: 'evm',
    name: (name as string | undefined) ?? chainId,
    chainId,
    rpcUrls: urls as string[],
    tokens,
    ...(definition ? { chainDefinition: definition } : {}),
  }
}

function parseDefinition(value: unknown, where: string, fail: (m: string) => never): ChainDefinition {
  if (!isObject(value)) return fail(`${where} must be an object { "id", "name", "nativeCurrency" }.`)
  onlyKeys(value, ['id', 'name', 'nativeCurrency', 'testnet'], where, fail)
  if (typeof value.id !== 'number' || !Number.isSafeInteger(value.id) || value.id <= 0) fail(`${where}.id must be a positive integer (the EIP-155 chain id).`)
  if (typeof value.name !== 'string' || value.name.length === 0 || value.name.length > 60) fail(`${where}.name must be a name.`)
  const n = value.nativeCurrency
  if (!isObject(n) || typeof n.name !== 'string' || typeof n.symbol !== 'string' || !/^[A-Za-z0-9.]{1,16}$/.test(n.symbol) || typeof n.decimals !== 'number' || !Number.isSafeInteger(n.decimals) || n.decimals < 0 || n.decimals > 36) {
    fail(`${where}.nativeCurrency must be { "name": "Ether", "symbol": "ETH", "decimals": 18 }.`)
  }
  if (value.testnet !== undefined && typeof value.testnet !== 'boolean') fail(`${where}.testnet must be true or false.`)
  const native = n as { name: string; symbol: string; decimals: number }
  return { id: value.id as number, name: value.name as string, nativeCurrency: { name: native.name, symbol: native.symbol, decimals: native.decimals }, ...(value.testnet === undefined ? {} : { testnet: value.testnet as boolean }) }
}

function parseToken(value: unknown, where: string, fail: (m: string) => never): TokenConfig {
  if (!isObject(value)) return fail(`${where} must be an object { "address", "symbol", "decimals" }.`)
  onlyKeys(value, TOKEN_KEYS, where, fail)
  if (typeof value.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value.address)) fail(`${where}.address must be a 0x-prefixed 20-byte address.`)
  if (value.symbol !== undefined && (typeof value.symbol !== 'string' || value.symbol.length === 0 || value.symbol.length > 32)) fail(`${where}.symbol must be a short string.`)
  if (value.decimals !== undefined && (typeof value.decimals !== 'number' || !Number.isSafeInteger(value.decimals) || value.decimals < 0 || value.decimals > 255)) fail(`${where}.decimals must be an integer from 0 to 255.`)
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.length > 100)) fail(`${where}.name must be a string.`)
  if (value.family !== undefined && (typeof value.family !== 'string' || !FAMILY.test(value.family))) fail(`${where}.family must be an upper-case family name such as "USDT".`)
  return value as unknown as TokenConfig
}

function parsePrices(value: unknown, currency: string, fail: (m: string) => never): PricesConfig {
  if (!isObject(value)) return fail('"prices" must be { "fixed": { … } } or { "coingecko": { … } }.')
  onlyKeys(value, ['fixed', 'coingecko'], 'prices', fail)
  if (value.fixed !== undefined && value.coingecko !== undefined) fail('"prices" takes one source: "fixed" or "coingecko".')
  if (value.fixed !== undefined) {
    if (!isObject(value.fixed) || !Object.values(value.fixed).every((p) => typeof p === 'string')) fail('prices.fixed must map families ("USDT") or CAIP-19 ids to decimal strings ("1").')
    try {
      fixedPrices({ prices: value.fixed as Record<string, string>, currency })
    } catch (error) {
      fail(`prices.fixed: ${error instanceof CofferError ? error.shortMessage : String(error)}`)
    }
    return { fixed: value.fixed as Record<string, string> }
  }
  const cg = value.coingecko
  if (!isObject(cg)) return fail('prices.coingecko must be an object (it may be empty: {}).')
  onlyKeys(cg, ['apiKey', 'baseUrl', 'apiKeyHeader'], 'prices.coingecko', fail)
  for (const key of ['apiKey', 'apiKeyHeader'] as const) if (cg[key] !== undefined && (typeof cg[key] !== 'string' || cg[key].length === 0)) fail(`prices.coingecko.${key} must be a string.`)
  if (cg.baseUrl !== undefined && (typeof cg.baseUrl !== 'string' || !URL_RE.test(cg.baseUrl))) fail('prices.coingecko.baseUrl must be an http(s) URL.')
  return { coingecko: cg as { apiKey?: string; baseUrl?: string; apiKeyHeader?: string } }
}

function parsePolicy(value: unknown, fail: (m: string) => never): PolicyOptions {
  if (!isObject(value)) return fail('"policy" must be an object.')
  onlyKeys(value, POLICY_KEYS, 'policy', fail)
  try {
    return new PolicyEngine(value as PolicyOptions).options
  } catch (error) {
    return fail(error instanceof CofferError ? error.shortMessage : String(error))
  }
}

/** Applies `--rpc <chain>=<url>` flags: the URLs given for a chain replace its configured ones; a CAIP-2 id not in the config adds the chain. */
export function applyRpcFlags(config: CliConfig, flags: readonly string[]): CliConfig {
  if (flags.length === 0) return config
  const byChain = new Map<string, string[]>()
  const order: string[] = []
  for (const flag of flags) {
    const eq = flag.indexOf('=')
    const key = eq > 0 ? flag.slice(0, eq) : ''
    const url = eq > 0 ? flag.slice(eq + 1) : ''
    if (!key || !URL_RE.test(url)) throw usage(`--rpc takes <chain>=<url> (a configured chain name or a CAIP-2 id, and an http(s) URL), got "${flag.slice(0, 80)}".`)
    const chain = config.chains.find((c) => c.name === key || c.chainId === key)
    const id = chain?.chainId ?? key
    if (!byChain.has(id)) order.push(id)
    byChain.set(id, [...(byChain.get(id) ?? []), url])
  }
  const chains: ChainConfig[] = config.chains.map((c) => {
    const urls = byChain.get(c.chainId)
    if (!urls) return c
    return c.kind === 'evm' ? { ...c, rpcUrls: urls } : { ...c, esploraUrl: urls[0] as string }
  })
  for (const id of order) {
    if (chains.some((c) => c.chainId === id)) continue
    const urls = byChain.get(id) as string[]
    const evmMatch = /^eip155:([1-9]\d{0,15})$/.exec(id)
    if (evmMatch) {
      if (!evmChainInfo(Number(evmMatch[1]))) throw usage(`--rpc ${id}: this chain is not in coffer's registry; add it to the config file with a "chainDefinition".`)
      chains.push({ kind: 'evm', name: id, chainId: id as ChainId, rpcUrls: urls, tokens: [] })
      continue
    }
    const network = (Object.keys(BITCOIN_CHAIN_IDS) as BitcoinNetwork[]).find((n) => BITCOIN_CHAIN_IDS[n] === id)
    if (network) {
      chains.push({ kind: 'bitcoin', name: id, chainId: id as ChainId, network, esploraUrl: urls[0] as string })
      continue
    }
    throw usage(`--rpc ${id.slice(0, 60)}: no configured chain has this name, and it is not an EVM or Bitcoin CAIP-2 id.`)
  }
  return { ...config, chains }
}
