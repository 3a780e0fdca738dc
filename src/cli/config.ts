/**
 * The configuration file (`coffer.config.json`): where the wallet lives, which chains it uses
 * (each entry is checked by the chain family that claims it: `chains/<family>/cli-config.ts`),
 * prices, the fiat currency and the spending policy. Every field is checked, with errors that
 * name the file and the field; `--rpc <chain>=<url>` flags add or replace node URLs.
 * @module
 * @internal
 */
import { CONFIG_URL_RE, isConfigObject } from '../chains/config-checks.js'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ChainId } from '../core/caip.js'
import { chainFamilies, findChainFamily, type ChainFamily, type FamilyChainConfig, type FamilyCliConfig } from '../chains/family.js'
import { CofferError } from '../core/errors.js'
import { PolicyEngine, type PolicyOptions } from '../policy/policy.js'
import { fixedPrices, normalizeCurrency } from '../portfolio/prices.js'
import { cliConfigOf } from './family-cli.js'
import { usage } from './output.js'

/** The default config file, looked for in the working directory. */
const DEFAULT_CONFIG_FILE = 'coffer.config.json'

/** A configured chain: its family's fields (`chains/<family>/cli-config.ts`) plus `kind`, `name` and `chainId`. */
export type ChainConfig = FamilyChainConfig

/** Where prices come from. */
type PricesConfig =
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
const POLICY_KEYS = ['limits', 'fiat', 'allow', 'deny', 'maxFee', 'maxFeeShare', 'unlistedAssets']
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/

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
  if (!isConfigObject(data)) return fail('expected a JSON object.')
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
    if (!allowed.includes(key))
      fail(
        `${where ? `${where}: ` : ''}unknown key "${key.slice(0, 40)}" (expected one of: ${allowed.filter((k) => k !== '$schema').join(', ')}).`,
      )
  }
}

/** The family that claims a `chains[]` entry: by its entry key, else by the namespace of `"chain"`, else the first keyless family. */
function entryFamily(value: Json): { family: ChainFamily; cli: FamilyCliConfig } | undefined {
  const withCli = chainFamilies().flatMap((family) => {
    const cli = cliConfigOf(family)
    return cli ? [{ family, cli }] : []
  })
  const keyed = withCli.find((f) => f.cli.entryKey !== undefined && value[f.cli.entryKey] !== undefined)
  if (keyed) return keyed
  const keyless = withCli.filter((f) => f.cli.entryKey === undefined)
  const named = typeof value.chain === 'string' ? findChainFamily(value.chain) : undefined
  return keyless.find((f) => f.family === named) ?? keyless[0]
}

function parseChain(value: unknown, where: string, fail: (m: string) => never): ChainConfig {
  if (!isConfigObject(value)) return fail(`${where} must be an object.`)
  const name = value.name
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name)))
    fail(`${where}.name must be a short name of letters, digits, "-" and "_" starting with a letter (it cannot contain ":").`)
  const family = entryFamily(value)
  if (!family) return fail(`${where}: coffer has no chain family to read this entry.`)
  return family.cli.parseEntry(value, where, fail)
}

function parsePrices(value: unknown, currency: string, fail: (m: string) => never): PricesConfig {
  if (!isConfigObject(value)) return fail('"prices" must be { "fixed": { … } } or { "coingecko": { … } }.')
  onlyKeys(value, ['fixed', 'coingecko'], 'prices', fail)
  if (value.fixed !== undefined && value.coingecko !== undefined) fail('"prices" takes one source: "fixed" or "coingecko".')
  if (value.fixed !== undefined) {
    if (!isConfigObject(value.fixed) || !Object.values(value.fixed).every((p) => typeof p === 'string'))
      fail('prices.fixed must map families ("USDT") or CAIP-19 ids to decimal strings ("1").')
    try {
      fixedPrices({ prices: value.fixed as Record<string, string>, currency })
    } catch (error) {
      fail(`prices.fixed: ${error instanceof CofferError ? error.shortMessage : String(error)}`)
    }
    return { fixed: value.fixed as Record<string, string> }
  }
  const cg = value.coingecko
  if (!isConfigObject(cg)) return fail('prices.coingecko must be an object (it may be empty: {}).')
  onlyKeys(cg, ['apiKey', 'baseUrl', 'apiKeyHeader'], 'prices.coingecko', fail)
  for (const key of ['apiKey', 'apiKeyHeader'] as const)
    if (cg[key] !== undefined && (typeof cg[key] !== 'string' || cg[key].length === 0)) fail(`prices.coingecko.${key} must be a string.`)
  if (cg.baseUrl !== undefined && (typeof cg.baseUrl !== 'string' || !CONFIG_URL_RE.test(cg.baseUrl)))
    fail('prices.coingecko.baseUrl must be an http(s) URL.')
  return { coingecko: cg as { apiKey?: string; baseUrl?: string; apiKeyHeader?: string } }
}

function parsePolicy(value: unknown, fail: (m: string) => never): PolicyOptions {
  if (!isConfigObject(value)) return fail('"policy" must be an object.')
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
    if (!key || !CONFIG_URL_RE.test(url))
      throw usage(`--rpc takes <chain>=<url> (a configured chain name or a CAIP-2 id, and an http(s) URL), got "${flag.slice(0, 80)}".`)
    const chain = config.chains.find((c) => c.name === key || c.chainId === key)
    const id = chain?.chainId ?? key
    if (!byChain.has(id)) order.push(id)
    byChain.set(id, [...(byChain.get(id) ?? []), url])
  }
  const chains: ChainConfig[] = config.chains.map((c) => {
    const urls = byChain.get(c.chainId)
    const cli = cliConfigOf(findChainFamily(c.chainId))
    return urls && cli ? cli.withUrls(c, urls) : c
  })
  for (const id of order) {
    if (chains.some((c) => c.chainId === id)) continue
    const urls = byChain.get(id) as string[]
    const family = findChainFamily(id)
    const cli = cliConfigOf(family)
    if (cli?.fromUrls && family?.supports(id as ChainId)) {
      chains.push(
        cli.fromUrls(id as ChainId, urls, (m) => {
          throw usage(`--rpc ${id}: ${m}`)
        }),
      )
      continue
    }
    throw usage(`--rpc ${id.slice(0, 60)}: no configured chain has this name, and it is not ${urlFamilies()} CAIP-2 id.`)
  }
  return { ...config, chains }
}

/** "an EVM or Bitcoin": the families whose chains `--rpc` can add from a URL alone. */
function urlFamilies(): string {
  const titles = chainFamilies()
    .filter((f) => cliConfigOf(f)?.fromUrls)
    .map((f) => f.title)
  const list = titles.length < 2 ? titles.join('') : `${titles.slice(0, -1).join(', ')} or ${titles[titles.length - 1] as string}`
  return `${/^[AEIOU]/i.test(list) ? 'an' : 'a'} ${list}`
}
