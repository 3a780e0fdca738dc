/**
 * How the `coffer` CLI configures Solana clusters: `{ "name", "chain": "solana:<ref>", "rpcUrls",
 * "tokens" }` entries of `coffer.config.json` (tokens `{ "mint", "symbol", "decimals", "program",
 * "family" }`), `--rpc solana:<ref>=<url>` flags, the adapter for an entry (loaded on demand), and
 * `coffer build-tx`'s `--durable-nonce <account>`.
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidSolanaAddress } from '../../keys/address/solana.js'
import type { ChainAdapter, TransferQuote, UnsignedTransaction } from '../adapter.js'
import { CONFIG_URL_RE, isConfigObject, OFFLINE_URL, onlyKeys, type ConfigFail, type ConfigObject } from '../config-checks.js'
import type { FamilyChainConfig, FamilyCliConfig } from '../family.js'
import type { SolanaAdapter } from './adapter.js'
import { SOLANA_CHAIN_ID, splAssetId } from './networks.js'

/** A token added to a Solana cluster. */
interface TokenConfig {
  readonly mint: string
  readonly symbol: string
  readonly decimals: number
  readonly name?: string
  readonly family?: string
  readonly program?: 'token' | 'token-2022'
}

/** A Solana cluster of the config. */
interface SolanaChainConfig extends FamilyChainConfig {
  readonly kind: 'solana'
  readonly rpcUrls: readonly string[]
  readonly tokens: readonly TokenConfig[]
}

const KEYS = ['name', 'chain', 'rpcUrls', 'tokens']
const TOKEN_KEYS = ['mint', 'symbol', 'decimals', 'name', 'family', 'program']
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/

function parseToken(value: unknown, where: string, fail: ConfigFail): TokenConfig {
  if (!isConfigObject(value)) return fail(`${where} must be an object { "mint", "symbol", "decimals" }.`)
  onlyKeys(value, TOKEN_KEYS, where, fail)
  if (!isValidSolanaAddress(value.mint)) fail(`${where}.mint must be a base58 mint address.`)
  if (typeof value.symbol !== 'string' || !/^[A-Za-z0-9.$-]{1,16}$/.test(value.symbol)) fail(`${where}.symbol must be a short symbol.`)
  if (!isIntegerIn(value.decimals, 0, 18)) fail(`${where}.decimals must be an integer from 0 to 18.`)
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.length > 100)) fail(`${where}.name must be a string.`)
  if (value.family !== undefined && (typeof value.family !== 'string' || !FAMILY.test(value.family)))
    fail(`${where}.family must be an upper-case family name such as "USDC".`)
  if (value.program !== undefined && value.program !== 'token' && value.program !== 'token-2022')
    fail(`${where}.program must be "token" or "token-2022".`)
  return value as unknown as TokenConfig
}

function parseEntry(value: ConfigObject, where: string, fail: ConfigFail): SolanaChainConfig {
  onlyKeys(value, KEYS, where, fail)
  if (typeof value.chain !== 'string' || !SOLANA_CHAIN_ID.test(value.chain))
    return fail(`${where}.chain must be a Solana CAIP-2 id such as "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp".`)
  const chainId = value.chain as ChainId
  const urls = value.rpcUrls ?? []
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && CONFIG_URL_RE.test(u)))
    fail(`${where}.rpcUrls must be an array of http(s) URLs.`)
  const tokensValue = value.tokens ?? []
  if (!Array.isArray(tokensValue)) return fail(`${where}.tokens must be an array.`)
  const tokens = tokensValue.map((t, i) => parseToken(t, `${where}.tokens[${i}]`, fail))
  return { kind: 'solana', name: (value.name as string | undefined) ?? chainId, chainId, rpcUrls: urls as string[], tokens }
}

function fromUrls(chainId: ChainId, urls: readonly string[], fail: ConfigFail): SolanaChainConfig {
  if (!SOLANA_CHAIN_ID.test(chainId)) return fail('this is not a Solana CAIP-2 id (solana:<32 base58 characters>).')
  return { kind: 'solana', name: chainId, chainId, rpcUrls: [...urls], tokens: [] }
}

async function createAdapter(entry: FamilyChainConfig, options: Parameters<FamilyCliConfig['createAdapter']>[1]): Promise<ChainAdapter> {
  const c = entry as SolanaChainConfig
  const urls = options.offline ? [OFFLINE_URL] : c.rpcUrls
  if (urls.length === 0)
    throw new InvalidArgumentError(`Chain "${c.name}" has no rpcUrls: add them to the config file or pass --rpc ${c.name}=<url>.`)
  const { solana } = await import('./adapter.js')
  return solana({
    chain: c.chainId,
    rpcUrls: [...urls],
    tokens: c.tokens.map((t) => ({ ...t })),
    ...(options.storage ? { journalStorage: options.storage } : {}),
    ...(options.offline ? { rpc: { retryCount: 0, timeoutMs: 1_000 } } : {}),
  })
}

/**
 * `coffer build-tx --durable-nonce <account>`: the transfer built on a durable nonce account
 * (`adapter.createNonceAccount`, authority the sender) instead of a recent blockhash, so it stays
 * valid until the nonce advances, however long the walk to the offline signer.
 */
async function buildTransfer(
  adapter: ChainAdapter,
  quote: TransferQuote,
  options: { readonly [name: string]: string },
  fail: ConfigFail,
): Promise<UnsignedTransaction> {
  const account = options.durableNonce
  if (account !== undefined && !isValidSolanaAddress(account))
    fail(`--durable-nonce takes a nonce account's address (base58), got "${account.slice(0, 60)}".`)
  return (adapter as SolanaAdapter).buildTransfer(quote, account === undefined ? {} : { durableNonce: { account } })
}

/** How long an unsigned transaction of `buildTransfer` stays valid (its payload's `lifetime`). */
function lifetimeNote(unsigned: UnsignedTransaction): string | undefined {
  const lifetime = (unsigned.payload as { lifetime?: { kind?: unknown; nonceAccount?: unknown } }).lifetime
  if (lifetime?.kind === 'nonce')
    return `Built on the durable nonce of ${String(lifetime.nonceAccount)}: it stays valid until that nonce advances (a transaction using it lands, or its authority advances it).`
  if (lifetime?.kind === 'blockhash')
    return 'Valid for about a minute: it carries a recent blockhash, which expires after about 150 slots. Sign and broadcast it before then, or build it with --durable-nonce <account> to carry it further (see docs/cli.md).'
  return undefined
}

/** The Solana family's CLI configuration: entries named by `"chain": "solana:<ref>"`. */
export const solanaCliConfig: FamilyCliConfig = Object.freeze({
  parseEntry,
  fromUrls,
  withUrls: (entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig => ({ ...entry, rpcUrls: [...urls] }),
  assetFamilies(entry: FamilyChainConfig): { readonly [assetId: string]: string } {
    const c = entry as SolanaChainConfig
    const families: Record<string, string> = {}
    for (const t of c.tokens) if (t.family) families[splAssetId(c.chainId, t.mint)] = t.family
    return families
  },
  createAdapter,
  buildTxOptions: Object.freeze([
    Object.freeze({
      flags: '--durable-nonce <account>',
      description:
        'build on this durable nonce account (authority: the payer) instead of a recent blockhash, which expires in about a minute',
    }),
  ]),
  buildTransfer,
  lifetimeNote,
} satisfies FamilyCliConfig)
