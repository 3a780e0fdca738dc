/**
 * How the `coffer` CLI configures Bitcoin networks: `{ "name", "bitcoin": { "network",
 * "esploraUrl" } }` entries of `coffer.config.json`, `--rpc bip122:<…>=<esplora url>` flags, and
 * the adapter for an entry (loaded on demand).
 * @module
 * @internal
 */
import type { ChainId } from '../../core/caip.js'
import { BITCOIN_NETWORKS, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { ChainAdapter } from '../adapter.js'
import { CONFIG_URL_RE, isConfigObject, OFFLINE_URL, onlyKeys, type ConfigFail, type ConfigObject } from '../config-checks.js'
import type { FamilyChainConfig, FamilyCliConfig } from '../family.js'
import { BITCOIN_CHAINS } from './networks.js'

/** A Bitcoin network of the config. */
interface BitcoinChainConfig extends FamilyChainConfig {
  readonly kind: 'bitcoin'
  readonly network: BitcoinNetwork
  readonly esploraUrl: string
}

function parseEntry(value: ConfigObject, where: string, fail: ConfigFail): BitcoinChainConfig {
  onlyKeys(value, ['name', 'bitcoin'], where, fail)
  const b = value.bitcoin
  if (!isConfigObject(b)) return fail(`${where}.bitcoin must be an object { "network", "esploraUrl" }.`)
  onlyKeys(b, ['network', 'esploraUrl'], `${where}.bitcoin`, fail)
  const network = (b.network ?? 'mainnet') as BitcoinNetwork
  if (!BITCOIN_NETWORKS.includes(network)) fail(`${where}.bitcoin.network must be "mainnet", "testnet" or "regtest".`)
  if (typeof b.esploraUrl !== 'string' || !CONFIG_URL_RE.test(b.esploraUrl))
    fail(`${where}.bitcoin.esploraUrl must be an http(s) URL of an Esplora API.`)
  const chainId = BITCOIN_CHAINS[network].caip2
  return { kind: 'bitcoin', name: (value.name as string | undefined) ?? chainId, chainId, network, esploraUrl: b.esploraUrl as string }
}

function fromUrls(chainId: ChainId, urls: readonly string[], fail: ConfigFail): BitcoinChainConfig {
  const network = BITCOIN_NETWORKS.find((n) => BITCOIN_CHAINS[n].caip2 === chainId)
  if (!network) return fail('coffer knows no Bitcoin network with this id.')
  return { kind: 'bitcoin', name: chainId, chainId, network, esploraUrl: urls[0] as string }
}

async function createAdapter(entry: FamilyChainConfig, options: Parameters<FamilyCliConfig['createAdapter']>[1]): Promise<ChainAdapter> {
  const c = entry as BitcoinChainConfig
  const { bitcoin } = await import('./adapter.js')
  return bitcoin({
    network: c.network,
    esploraUrl: options.offline ? OFFLINE_URL : c.esploraUrl,
    ...(options.storage ? { journalStorage: options.storage } : {}),
  })
}

/** The Bitcoin family's CLI configuration: entries marked by a `"bitcoin": { … }` key. */
export const bitcoinCliConfig: FamilyCliConfig = Object.freeze({
  entryKey: 'bitcoin',
  parseEntry,
  fromUrls,
  withUrls: (entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig => ({ ...entry, esploraUrl: urls[0] as string }),
  createAdapter,
} satisfies FamilyCliConfig)
