/**
 * How the `coffer` CLI configures TRON chains: `{ "name", "chain": "tron:0x<8 hex>", "apiUrls",
 * "tokens" }` entries of `coffer.config.json` (tokens `{ "address", "symbol", "decimals", "name",
 * "family" }`), `--rpc tron:0x<8 hex>=<url>` flags, and the adapter for an entry (loaded on
 * demand). The TronGrid API key never goes in the config file: the CLI reads it from the
 * `TRON_PRO_API_KEY` environment variable (the header's name), when set.
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import type { ChainAdapter, TransferQuote, UnsignedTransaction } from '../adapter.js'
import { CONFIG_URL_RE, isConfigObject, OFFLINE_URL, onlyKeys, type ConfigFail, type ConfigObject } from '../config-checks.js'
import type { FamilyChainConfig, FamilyCliConfig } from '../family.js'
import type { TronAdapter } from './adapter.js'
import { normalizeTronChainId, trc20AssetId } from './networks.js'

/** A TRC-20 added to a TRON chain. */
interface TokenConfig {
  readonly address: string
  readonly symbol: string
  readonly decimals: number
  readonly name?: string
  readonly family?: string
}

/** A TRON chain of the config. */
interface TronChainConfig extends FamilyChainConfig {
  readonly kind: 'tron'
  readonly apiUrls: readonly string[]
  readonly tokens: readonly TokenConfig[]
}

const KEYS = ['name', 'chain', 'apiUrls', 'tokens']
const TOKEN_KEYS = ['address', 'symbol', 'decimals', 'name', 'family']
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/

function parseToken(value: unknown, where: string, fail: ConfigFail): TokenConfig {
  if (!isConfigObject(value)) return fail(`${where} must be an object { "address", "symbol", "decimals" }.`)
  onlyKeys(value, TOKEN_KEYS, where, fail)
  if (!isValidTronAddress(value.address)) fail(`${where}.address must be a TRC-20 contract's base58 address (T…).`)
  if (typeof value.symbol !== 'string' || !/^[A-Za-z0-9.$-]{1,16}$/.test(value.symbol)) fail(`${where}.symbol must be a short symbol.`)
  if (!isIntegerIn(value.decimals, 0, 18)) fail(`${where}.decimals must be an integer from 0 to 18.`)
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.length > 100)) fail(`${where}.name must be a string.`)
  if (value.family !== undefined && (typeof value.family !== 'string' || !FAMILY.test(value.family)))
    fail(`${where}.family must be an upper-case family name such as "USDT".`)
  return value as unknown as TokenConfig
}

function parseEntry(value: ConfigObject, where: string, fail: ConfigFail): TronChainConfig {
  onlyKeys(value, KEYS, where, fail)
  const chainId = typeof value.chain === 'string' ? normalizeTronChainId(value.chain) : undefined
  if (!chainId) return fail(`${where}.chain must be a TRON CAIP-2 id such as "tron:0x2b6653dc" (mainnet).`)
  const urls = value.apiUrls ?? []
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && CONFIG_URL_RE.test(u)))
    fail(`${where}.apiUrls must be an array of http(s) URLs (TronGrid or a full node with TronGrid's /v1).`)
  const tokensValue = value.tokens ?? []
  if (!Array.isArray(tokensValue)) return fail(`${where}.tokens must be an array.`)
  const tokens = tokensValue.map((t, i) => parseToken(t, `${where}.tokens[${i}]`, fail))
  return { kind: 'tron', name: (value.name as string | undefined) ?? chainId, chainId, apiUrls: urls as string[], tokens }
}

function fromUrls(chainId: ChainId, urls: readonly string[], fail: ConfigFail): TronChainConfig {
  const id = normalizeTronChainId(chainId)
  if (!id) return fail('this is not a TRON CAIP-2 id (tron:0x<8 hex digits>).')
  return { kind: 'tron', name: id, chainId: id, apiUrls: [...urls], tokens: [] }
}

/** The TronGrid API key of the environment, when the CLI runs where there is one. */
function apiKeyOfEnvironment(): string | undefined {
  const env = (globalThis as { process?: { env?: { [name: string]: string | undefined } } }).process?.env
  const key = env?.TRON_PRO_API_KEY
  return key === undefined || key === '' ? undefined : key
}

async function createAdapter(entry: FamilyChainConfig, options: Parameters<FamilyCliConfig['createAdapter']>[1]): Promise<ChainAdapter> {
  const c = entry as TronChainConfig
  const urls = options.offline ? [OFFLINE_URL] : c.apiUrls
  if (urls.length === 0)
    throw new InvalidArgumentError(`Chain "${c.name}" has no apiUrls: add them to the config file or pass --rpc ${c.name}=<url>.`)
  const { tron } = await import('./adapter.js')
  const apiKey = options.offline ? undefined : apiKeyOfEnvironment()
  return tron({
    chain: c.chainId,
    apiUrls: [...urls],
    tokens: c.tokens.map((t) => ({ ...t })),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(options.storage ? { journalStorage: options.storage } : {}),
    ...(options.offline ? { http: { retryCount: 0, timeoutMs: 1_000 } } : {}),
  })
}

/**
 * `coffer build-tx --expires-in <minutes>`: a TRON transaction is valid for 60 s after the head
 * block by default; an offline signer a walk away needs longer (at most 1,435 minutes: java-tron
 * refuses more than 24 hours, and 5 minutes are kept for the way to the node).
 */
async function buildTransfer(
  adapter: ChainAdapter,
  quote: TransferQuote,
  options: { readonly [name: string]: string },
  fail: ConfigFail,
): Promise<UnsignedTransaction> {
  const text = options.expiresIn
  if (text === undefined) return (adapter as TronAdapter).buildTransfer(quote)
  const minutes = /^\d{1,4}$/.test(text) ? Number(text) : NaN
  if (!isIntegerIn(minutes, 1, 1_435)) fail(`--expires-in takes whole minutes from 1 to 1435, got "${text.slice(0, 20)}".`)
  return (adapter as TronAdapter).buildTransfer(quote, { expirationMs: minutes * 60_000 })
}

/** How long an unsigned transaction of `buildTransfer` stays valid (its payload's `expiration`). */
function lifetimeNote(unsigned: UnsignedTransaction): string | undefined {
  const expiration = (unsigned.payload as { expiration?: unknown }).expiration
  if (typeof expiration !== 'number' || !Number.isSafeInteger(expiration)) return undefined
  return `Valid until ${new Date(expiration).toISOString()} (its expiration; the node refuses it after that). Sign and broadcast it before then, or build it with --expires-in <minutes> (up to 1435) for a signer further away.`
}

/** The TRON family's CLI configuration: entries named by `"chain": "tron:0x…"`. */
export const tronCliConfig: FamilyCliConfig = Object.freeze({
  parseEntry,
  fromUrls,
  withUrls: (entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig => ({ ...entry, apiUrls: [...urls] }),
  assetFamilies(entry: FamilyChainConfig): { readonly [assetId: string]: string } {
    const c = entry as TronChainConfig
    const families: Record<string, string> = {}
    for (const t of c.tokens) if (t.family) families[trc20AssetId(c.chainId, t.address)] = t.family
    return families
  },
  createAdapter,
  buildTxOptions: Object.freeze([
    Object.freeze({
      flags: '--expires-in <minutes>',
      description: 'keep the TRON transaction valid this many minutes (default 1, at most 1435) for an offline signer',
    }),
  ]),
  buildTransfer,
  lifetimeNote,
} satisfies FamilyCliConfig)
