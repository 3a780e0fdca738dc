/**
 * The ChainFamily descriptor: what the chain-neutral layers (wallet, vault use, payment URIs,
 * the CLI, the portfolio) need to know about a family of chains, looked up by CAIP-2
 * namespace. Each family folder (`chains/<family>/family.ts`) exports one; `chains/families.ts`
 * lists the built-in ones (one line each: the registry starts with them), and
 * {@link registerChainFamily} adds another at run time. Code
 * outside `chains/<family>/` asks the registry instead of naming a family.
 *
 * A descriptor is light: it imports no adapter (so looking one up does not load viem or a
 * Bitcoin library); `createAdapter` loads the adapter when the CLI asks for one.
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'
import { InvalidArgumentError, NotSupportedError } from '../core/errors.js'
import type { KeyValueStore } from '../core/store.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { ChainAdapter, Json, TransferQuote, UnsignedTransaction } from './adapter.js'
import { BUILT_IN_FAMILIES } from './families.js'

/** One network of a family. */
export interface FamilyNetwork {
  /** CAIP-2 id. */
  readonly chainId: ChainId
  /** Short name people use (`mainnet`, `testnet`, `regtest`, `polygon`). */
  readonly name: string
  /** A test network: its coins have no market value. */
  readonly testnet: boolean
}

/**
 * Where a family gets signers: a vault (or anything with the same two calls). Options are the
 * vault's own (`vault.getSigner`, `vault.getAccountSigner`); a family passes what its keys need.
 */
export interface KeySource {
  getSigner(options: { secretId: string; chain: string; index?: number; [option: string]: unknown }): Promise<Signer>
  getAccountSigner(options: { secretId: string; chain: string; account?: number; [option: string]: unknown }): Promise<AccountSigner>
}

/** Which account of which secret, with the family's own account options (checked by `accountOptions`). */
export interface FamilyAccount {
  readonly secretId: string
  readonly index: number
  readonly options: { readonly [option: string]: Json }
}

/** The public face of a new account. */
export interface FamilyAccountKeys {
  /** The address a person sees (on multi-address accounts: the first receive address). */
  readonly address: string
  /** Multi-address accounts: the account's id (an output descriptor), what adapters take as `from`. */
  readonly descriptor?: string
}

/** One address of a multi-address account. */
export interface FamilyAddress {
  readonly address: string
  readonly index: number
  readonly change: boolean
  /** Derivation path from the master key, when the account names its key origin. */
  readonly path?: string
}

/**
 * A payment-request URI scheme (`ethereum:` EIP-681, `bitcoin:` BIP-21, …). `parse` gets the
 * text after `<scheme>:` split at the first `?`; it returns the request's fields (the payments
 * module adds `scheme` and checks the result). `format` gets a checked request.
 */
export interface FamilyPaymentScheme {
  /** Lower-case URI scheme. */
  readonly scheme: string
  /**
   * Checks the scheme's own parse options (`defaultEvmChainId`, `bitcoinNetwork`). Called on every
   * `parsePaymentUri`, whatever the URI's scheme, before the URI is read, so a bad option fails
   * alike for every URI. @throws InvalidArgumentError
   */
  checkOptions?(options: { readonly [option: string]: unknown }): void
  /**
   * For a scheme whose URIs name no network (Solana Pay, `tron:`): the parse option that says
   * which chain of the family a URI is read as (`solanaChainId`, `tronChainId`), so a caller
   * holding only a chain id (`coffer pay --chain`) can pass it without knowing the family.
   */
  readonly chainOption?: string
  /** Reads `<scheme>:<path>?<query>`. @throws InvalidPaymentUriError */
  parse(path: string, query: string | undefined, options: { readonly [option: string]: unknown }): { readonly [field: string]: unknown }
  /** Writes a request of one of the family's chains. @throws InvalidArgumentError */
  format(request: { readonly [field: string]: unknown }): string
}

/** How the CLI configures chains of a family (`coffer.config.json` entries, `--rpc` flags). */
export interface FamilyCliConfig {
  /**
   * The key that marks a config entry as this family's (`"bitcoin": { … }`), or undefined when
   * entries name the chain by `"chain": "<caip-2>"` in this family's namespace.
   */
  readonly entryKey?: string
  /**
   * Checks one `chains[]` entry and returns its stored form (plain JSON; `name` and `chainId`
   * set). `fail` throws the CLI's usage error with `where` in front.
   */
  parseEntry(value: { readonly [key: string]: unknown }, where: string, fail: (message: string) => never): FamilyChainConfig
  /** The entry for a chain given only on the command line (`--rpc <caip-2>=<url>`), if the family can serve it from URLs alone. */
  fromUrls?(chainId: ChainId, urls: readonly string[], fail: (message: string) => never): FamilyChainConfig
  /** The entry with its node URLs replaced (`--rpc <name>=<url>`). */
  withUrls(entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig
  /** Assets of the entry priced by a token family (`{ '<caip-19>': 'USDT' }`), for fixed prices. */
  assetFamilies?(entry: FamilyChainConfig): { readonly [assetId: string]: string }
  /** An adapter for the entry. `offline`: for signing only, pointing at an address nothing answers. */
  createAdapter(entry: FamilyChainConfig, options: { readonly storage?: KeyValueStore; readonly offline?: boolean }): Promise<ChainAdapter>
  /** Options `coffer build-tx` takes for this family's chains only (Solana: `--durable-nonce <account>`). */
  readonly buildTxOptions?: readonly FamilyCliOption[]
  /**
   * Builds what `coffer build-tx` writes, given the values of the `buildTxOptions` passed (keyed
   * by commander's name of the option: `durableNonce`); without it, build-tx calls
   * `adapter.buildTransfer(quote)`. `fail` throws the CLI's usage error.
   */
  buildTransfer?(
    adapter: ChainAdapter,
    quote: TransferQuote,
    options: { readonly [name: string]: string },
    fail: (message: string) => never,
  ): Promise<UnsignedTransaction>
  /** What `coffer build-tx` tells the user about how long an unsigned transaction stays valid, if it expires. */
  lifetimeNote?(unsigned: UnsignedTransaction): string | undefined
}

/** A command-line option a family adds to a command (commander's syntax: `--durable-nonce <account>`). */
export interface FamilyCliOption {
  readonly flags: string
  readonly description: string
}

/** A configured chain, as the CLI stores it: the family's fields plus these. */
export interface FamilyChainConfig {
  readonly kind: string
  readonly name: string
  readonly chainId: ChainId
  readonly [field: string]: unknown
}

/** What the chain-neutral layers know about a family of chains. */
export interface ChainFamily {
  /** The family's name (`evm`, `bitcoin`): the `chain` a vault signer of this family carries. */
  readonly kind: string
  /** CAIP-2 namespaces it serves (`eip155`, `bip122`). */
  readonly namespaces: readonly string[]
  /** How people call it in messages (`EVM`, `Bitcoin`). */
  readonly title: string
  /** The networks coffer knows by name; others in the namespace may still work where `supports` says so. */
  readonly networks: readonly FamilyNetwork[]
  /** True when the family can serve `chainId` (a known network, or any valid reference of its namespace). */
  supports(chainId: ChainId): boolean
  /** True when `address` is valid on `chainId`. Never throws. */
  isValidAddress(chainId: ChainId, address: string): boolean
  /** True when two strings name the same address or account of this family (hex case, descriptor vs first address). */
  sameAddress?(a: string, b: string): boolean
  /**
   * Checks the account options a wallet account of this family takes (Bitcoin: `addressType`)
   * and returns them with their defaults; throws InvalidArgumentError for options it does not take.
   */
  accountOptions(options: { readonly [option: string]: unknown }): { readonly [option: string]: Json }
  /** The signer of an account: an address signer, or an account signer for multi-address accounts. */
  signer(keys: KeySource, chainId: ChainId, account: FamilyAccount): Promise<Signer | AccountSigner>
  /** The public face of the account `signer` signs for. */
  accountKeys(chainId: ChainId, signer: Signer | AccountSigner): FamilyAccountKeys
  /** Multi-address accounts: the address at `<change>/<index>` of `descriptor`, offline. */
  addressAt?(chainId: ChainId, descriptor: string, change: boolean, index: number): FamilyAddress
  /**
   * Multi-address accounts: when `id` is an account id of this family (an output descriptor),
   * the account's keys; undefined for a plain address. Reads records that kept the id in `address`.
   */
  accountFromId?(chainId: ChainId, id: string): FamilyAccountKeys | undefined
  /** The CAIP-19 id of the native coin of `chainId` (`eip155:1/slip44:60`). */
  nativeAsset?(chainId: ChainId): AssetId
  /**
   * The account options a search for the key behind an account id tries, in turn (Bitcoin: each
   * address type); when absent, only the defaults (`accountOptions({})`).
   */
  readonly accountSearch?: readonly { readonly [option: string]: Json }[]
  /**
   * The market family of a mainnet asset the family knows, for pricing: the native coin's symbol
   * (`ETH`, `POL`, `BTC`) or a registry token's family (`USDT`). Undefined for test networks
   * (test coins never take a mainnet price) and for anything else.
   */
  knownFamily?(asset: AssetId): string | undefined
  /** Payment-request URI schemes the family reads and writes. */
  readonly paymentSchemes?: readonly FamilyPaymentScheme[]
  /** How the CLI configures its chains. */
  readonly cli?: FamilyCliConfig
}

/** A CAIP-2 namespace (CAIP-2: `[-a-z0-9]{3,8}`). */
const NAMESPACE = /^[-a-z0-9]{3,8}$/
const registry = new Map<string, ChainFamily>()
const order: ChainFamily[] = []
let seeded = false

/** Registers the built-in families on first use (no import-time side effect, so bundles can drop unused code). */
function seed(): void {
  if (seeded) return
  seeded = true
  for (const family of BUILT_IN_FAMILIES) add(family)
}

function add(family: ChainFamily): void {
  for (const ns of family.namespaces) {
    const known = registry.get(ns)
    if (known && known !== family)
      throw new InvalidArgumentError(`The ${ns} namespace already belongs to the ${known.kind} family.`, { details: { namespace: ns } })
  }
  if (!order.includes(family)) order.push(family)
  for (const ns of family.namespaces) registry.set(ns, family)
}

/** The CAIP-2 namespace of a chain id (`eip155` of `eip155:1`). */
export function namespaceOf(chainId: string): string {
  if (typeof chainId !== 'string') return ''
  const i = chainId.indexOf(':')
  return i > 0 ? chainId.slice(0, i) : chainId
}

/**
 * Registers a family for its namespaces. Registering another descriptor for a namespace that
 * already has one throws (a second registration of the same descriptor is a no-op).
 * @throws InvalidArgumentError
 */
export function registerChainFamily(family: ChainFamily): ChainFamily {
  const f = family as Partial<Record<keyof ChainFamily, unknown>> | null
  const calls = ['supports', 'isValidAddress', 'accountOptions', 'signer', 'accountKeys'] as const
  if (
    !f ||
    typeof f !== 'object' ||
    typeof f.kind !== 'string' ||
    !/^[a-z][a-z0-9-]{0,31}$/.test(f.kind) ||
    !Array.isArray(f.namespaces) ||
    f.namespaces.length === 0 ||
    !f.namespaces.every((ns: unknown) => typeof ns === 'string' && NAMESPACE.test(ns)) ||
    !Array.isArray(f.networks) ||
    calls.some((name) => typeof f[name] !== 'function')
  ) {
    throw new InvalidArgumentError(
      `registerChainFamily takes a ChainFamily descriptor: kind (lower-case name), namespaces (CAIP-2 namespaces, [-a-z0-9]{3,8}), networks, and the calls ${calls.join(', ')}.`,
    )
  }
  seed()
  add(family)
  return family
}

/** The family serving `chainId`'s namespace, or undefined. */
export function findChainFamily(chainId: string): ChainFamily | undefined {
  seed()
  return registry.get(namespaceOf(chainId))
}

/**
 * The family serving `chainId`.
 * @throws NotSupportedError when no registered family serves its namespace
 */
export function chainFamily(chainId: string): ChainFamily {
  const family = findChainFamily(chainId)
  if (!family) {
    const shown = typeof chainId === 'string' ? chainId.slice(0, 100) : typeof chainId
    throw new NotSupportedError(`coffer has no chain family for ${JSON.stringify(namespaceOf(chainId) || shown)} chains.`, {
      details: { chainId: shown },
    })
  }
  return family
}

/** Every registered family, in registration order. */
export function chainFamilies(): readonly ChainFamily[] {
  seed()
  return [...order]
}
