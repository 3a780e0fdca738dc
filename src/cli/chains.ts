/**
 * From configured chains to chain adapters (and a price source), and from a `<chain>`
 * argument (a configured name or a CAIP-2 id) to its chain. Each chain's family makes its
 * adapter (`cliConfigOf(family).createAdapter`, loaded on demand). Offline adapters, for signing
 * without a network, point at an address nothing listens on: signing never calls it.
 * @module
 * @internal
 */
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { chainFamilies, findChainFamily, type ChainFamily, type FamilyCliConfig } from '../chains/family.js'
import { httpPrices } from '../portfolio/coingecko.js'
import { fixedPrices, type PriceSource } from '../portfolio/prices.js'
import type { VaultStorage } from '../vault/storage.js'
import type { ChainConfig, CliConfig } from './config.js'
import { cliDocsUrl } from './links.js'
import { cliConfigOf } from './family-cli.js'
import { CliError, usage } from './output.js'

/** An address where nothing answers: adapters made for offline signing point here. */
export const OFFLINE_RPC = 'http://127.0.0.1:9'

/** The CLI configuration of a configured chain's family. */
function cliOf(c: ChainConfig): FamilyCliConfig {
  const cli = cliConfigOf(findChainFamily(c.chainId))
  if (!cli) throw usage(`coffer has no chain family to configure ${c.chainId.slice(0, 60)}.`)
  return cli
}

/** The adapter of one configured chain. `storage` keeps the adapters' broadcast records beside the wallet. */
export async function buildAdapter(c: ChainConfig, storage?: VaultStorage, options: { offline?: boolean } = {}): Promise<ChainAdapter> {
  return cliOf(c).createAdapter(c, { ...(storage ? { storage } : {}), ...(options.offline ? { offline: true } : {}) })
}

/** Adapters for every configured chain. */
export function buildAdapters(config: CliConfig, storage?: VaultStorage): Promise<ChainAdapter[]> {
  return Promise.all(config.chains.map((c) => buildAdapter(c, storage)))
}

/** The configured chain a `<chain>` argument names (its name or CAIP-2 id). */
export function findChain(config: CliConfig, arg: string): ChainConfig | undefined {
  return config.chains.find((c) => c.name === arg || c.chainId === arg)
}

/** A chain the config does not list but coffer can derive keys for: a CAIP-2 id a registered family serves. */
export function unconfiguredChain(arg: string): { family: ChainFamily; chainId: ChainId } | undefined {
  const family = findChainFamily(arg)
  return family && family.supports(arg as ChainId) ? { family, chainId: arg as ChainId } : undefined
}

/**
 * A network named the way people call it, for commands that need no node (`coffer address`): a
 * family's name stands for its main network (`solana`, `bitcoin`), and a network's name
 * (`mainnet-beta`, `devnet`, `regtest`; any case) for that network when only one family knows
 * the name. Undefined when nothing matches; a name several families know is an error (exit 2)
 * listing their CAIP-2 ids.
 */
export function namedNetwork(arg: string): { family: ChainFamily; chainId: ChainId } | undefined {
  const name = arg.toLowerCase()
  const families = chainFamilies()
  const family = families.find((f) => f.kind === name)
  if (family) {
    const main = family.networks.find((n) => !n.testnet) ?? family.networks[0]
    return main ? { family, chainId: main.chainId } : undefined
  }
  const found = families.flatMap((f) => f.networks.filter((n) => n.name.toLowerCase() === name).map((n) => ({ family: f, network: n })))
  if (found.length > 1)
    throw usage(
      `"${arg.slice(0, 40)}" names more than one network: ${found.map((m) => `${m.network.chainId} (${m.family.title} ${m.network.name})`).join(', ')}; give the CAIP-2 id.`,
    )
  return found[0] ? { family: found[0].family, chainId: found[0].network.chainId } : undefined
}

/**
 * An adapter for a chain the config does not list, made from its family's defaults and `urls`
 * (`--rpc`'s rule); undefined when no family can. `fail` gets the family's reason.
 */
export async function unconfiguredAdapter(
  chainId: string,
  urls: readonly string[],
  options: { offline?: boolean },
  fail: (message: string) => never,
): Promise<ChainAdapter | undefined> {
  const other = unconfiguredChain(chainId)
  const cli = cliConfigOf(other?.family)
  if (!other || !cli?.fromUrls) return undefined
  return cli.createAdapter(cli.fromUrls(other.chainId, urls, fail), options.offline ? { offline: true } : {})
}

/** The error for a command that needs a chain when the config has none: where to add one (exit 2). */
export function noChainsConfigured(config: CliConfig): CliError {
  const example = '{ "name": "polygon", "chain": "eip155:137", "rpcUrls": ["https://…"] }'
  const add = config.file
    ? `${config.file} lists no chains: add one to its "chains", e.g. ${example}`
    : `No chains are configured: create coffer.config.json here (or name a config file with --config) with "chains": [${example}]`
  return usage(`${add}, or pass --rpc eip155:137=<url>. See ${cliDocsUrl('the-config-file')}.`)
}

/** The configured chain named by `arg`, or exit 2 listing the names. */
export function requireChain(config: CliConfig, arg: string): ChainConfig {
  const chain = findChain(config, arg)
  if (chain) return chain
  const known = config.chains.map((c) => c.name)
  throw usage(
    `No configured chain "${arg.slice(0, 60)}"${known.length ? ` (configured: ${known.join(', ')})` : ' (the config has no chains)'}; add it to the config file or pass --rpc <caip2-id>=<url>.`,
  )
}

/** The name to show for a chain id. */
export function chainName(config: CliConfig, chainId: string): string {
  const c = config.chains.find((x) => x.chainId === chainId)
  return c && c.name !== c.chainId ? c.name : chainId
}

/** The price source of the config, if any. Tokens with a `family` are priced by it. */
export function priceSource(config: CliConfig): PriceSource | undefined {
  const p = config.prices
  if (!p) return undefined
  if ('fixed' in p) {
    const families: Record<string, string> = {}
    for (const c of config.chains) Object.assign(families, cliConfigOf(findChainFamily(c.chainId))?.assetFamilies?.(c))
    return fixedPrices({ prices: p.fixed, currency: config.currency, families })
  }
  const apiKey = p.coingecko.apiKey ?? process.env.COFFER_COINGECKO_API_KEY
  return httpPrices({
    ...(apiKey ? { apiKey } : {}),
    ...(p.coingecko.baseUrl ? { baseUrl: p.coingecko.baseUrl } : {}),
    ...(p.coingecko.apiKeyHeader ? { apiKeyHeader: p.coingecko.apiKeyHeader } : {}),
  })
}
