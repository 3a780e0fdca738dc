/**
 * From configured chains to chain adapters (and a price source), and from a `<chain>`
 * argument (a configured name or a CAIP-2 id) to its chain. Offline adapters, for signing
 * without a network, point at an address nothing listens on: signing never calls it.
 * @module
 * @internal
 */
import { defineChain } from 'viem'
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { bitcoin } from '../chains/bitcoin/adapter.js'
import { evm } from '../chains/evm/adapter.js'
import { erc20AssetId } from '../chains/evm/registry.js'
import type { BitcoinNetwork } from '../keys/address/bitcoin.js'
import { httpPrices } from '../portfolio/coingecko.js'
import { fixedPrices, type PriceSource } from '../portfolio/prices.js'
import { BITCOIN_CHAIN_IDS } from '../payments/uri.js'
import type { VaultStorage } from '../vault/storage.js'
import type { ChainConfig, CliConfig, EvmChainConfig } from './config.js'
import { cliDocsUrl } from './links.js'
import { CliError, usage } from './output.js'

/** An address where nothing answers: adapters made for offline signing point here. */
export const OFFLINE_RPC = 'http://127.0.0.1:9'

function viemChain(c: EvmChainConfig, urls: readonly string[]) {
  const d = c.chainDefinition
  if (!d) return c.chainId
  return defineChain({ id: d.id, name: d.name, nativeCurrency: d.nativeCurrency, rpcUrls: { default: { http: [...urls] } }, ...(d.testnet === undefined ? {} : { testnet: d.testnet }) })
}

/** The adapter of one configured chain. `storage` keeps the adapters' broadcast records beside the wallet. */
export function buildAdapter(c: ChainConfig, storage?: VaultStorage, options: { offline?: boolean } = {}): ChainAdapter {
  if (c.kind === 'bitcoin') {
    return bitcoin({ network: c.network, esploraUrl: options.offline ? OFFLINE_RPC : c.esploraUrl, ...(storage ? { journalStorage: storage } : {}) })
  }
  const urls = options.offline ? [OFFLINE_RPC] : c.rpcUrls
  if (urls.length === 0) throw usage(`Chain "${c.name}" has no rpcUrls: add them to the config file or pass --rpc ${c.name}=<url>.`)
  const tokens = options.offline ? c.tokens.filter((t) => t.symbol !== undefined && t.decimals !== undefined) : c.tokens
  return evm({
    chain: viemChain(c, urls),
    rpcUrls: [...urls],
    tokens: tokens.map((t) => ({ ...t })),
    ...(storage ? { journalStorage: storage } : {}),
    ...(options.offline ? { retryCount: 0, timeoutMs: 1_000 } : {}),
  })
}

/** Adapters for every configured chain. */
export function buildAdapters(config: CliConfig, storage?: VaultStorage): ChainAdapter[] {
  return config.chains.map((c) => buildAdapter(c, storage))
}

/** The configured chain a `<chain>` argument names (its name or CAIP-2 id). */
export function findChain(config: CliConfig, arg: string): ChainConfig | undefined {
  return config.chains.find((c) => c.name === arg || c.chainId === arg)
}

/** A chain the config does not list but coffer can derive keys for: an eip155 or bip122 CAIP-2 id. */
export function unconfiguredChain(arg: string): { kind: 'evm'; chainId: ChainId } | { kind: 'bitcoin'; chainId: ChainId; network: BitcoinNetwork } | undefined {
  if (/^eip155:[1-9]\d{0,15}$/.test(arg)) return { kind: 'evm', chainId: arg as ChainId }
  const network = (Object.keys(BITCOIN_CHAIN_IDS) as BitcoinNetwork[]).find((n) => BITCOIN_CHAIN_IDS[n] === arg)
  return network ? { kind: 'bitcoin', chainId: arg as ChainId, network } : undefined
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
  throw usage(`No configured chain "${arg.slice(0, 60)}"${known.length ? ` (configured: ${known.join(', ')})` : ' (the config has no chains)'}; add it to the config file or pass --rpc <caip2-id>=<url>.`)
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
    for (const c of config.chains) {
      if (c.kind !== 'evm') continue
      const id = Number(c.chainId.slice('eip155:'.length))
      for (const t of c.tokens) if (t.family) families[erc20AssetId(id, t.address)] = t.family
    }
    return fixedPrices({ prices: p.fixed, currency: config.currency, families })
  }
  const apiKey = p.coingecko.apiKey ?? process.env.COFFER_COINGECKO_API_KEY
  return httpPrices({
    ...(apiKey ? { apiKey } : {}),
    ...(p.coingecko.baseUrl ? { baseUrl: p.coingecko.baseUrl } : {}),
    ...(p.coingecko.apiKeyHeader ? { apiKeyHeader: p.coingecko.apiKeyHeader } : {}),
  })
}
