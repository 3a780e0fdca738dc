/**
 * Addresses from a seed for the four chain families coffer serves, with their standard
 * paths: EVM (BIP-44 coin 60), Bitcoin (BIP-44/49/84/86), Solana (SLIP-10, coin 501)
 * and Tron (BIP-44 coin 195).
 *
 * {@link deriveAccounts} derives the shared parent once and then only what differs per
 * address; for the usual `…/{index}` paths that is one public child step each, with
 * affine conversion batched across the list. {@link deriveAccount} called one index at a
 * time reuses that parent's PUBLIC half (public key + chain code) from a per-seed cache
 * (seed-cache.ts); no private key is ever cached.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { HDKey } from '@scure/bip32'
import { assertInteger, assertOneOf, assertOptions, describe } from '../core/assert.js'
import { InvalidArgumentError, InvalidPathError } from '../core/errors.js'
import {
  encodeBitcoinAddress,
  BITCOIN_ADDRESS_TYPES,
  BITCOIN_NETWORKS,
  type BitcoinAddressType,
  type BitcoinNetwork,
} from './address/bitcoin.js'
import { checksumHex, evmAddressBytes } from './address/evm.js'
import { CHAIN_KINDS, type ChainKind } from './chain-kinds.js'
import { solanaAddressFromPublicKey } from './address/solana.js'
import { tronAddressFromBytes } from './address/tron.js'
import { publicChildren } from './child.js'
import { ed25519Child, ed25519Master, toEd25519Key, type Slip10Node } from './ed25519.js'
import { HARDENED_OFFSET, formatPath, isHardened, parsePath } from './path.js'
import { PLACEHOLDER, indicesFor, parseTemplate, type Template } from './path-template.js'
import { assertSeed } from './bip32-private.js'
import { EXTENDED_KEY_VERSIONS, masterKey, type ExtendedKeyVersions } from './secp256k1.js'
import { seedCache, type PublicParent } from './seed-cache.js'

export { CHAIN_KINDS, type ChainKind } from './chain-kinds.js'

interface CommonDeriveOptions {
  /** Address index (the `{index}` of the path). Default 0. */
  index?: number
  /**
   * A full path overriding the default, e.g. `m/44'/501'/0'`. It may hold one `{index}`
   * placeholder (`m/44'/60'/0'/0/{index}`), which `index` / `start` fill.
   */
  path?: string
}
/** Options for an EVM account: default path `m/44'/60'/{account}'/0/{index}`. */
export interface EvmDeriveOptions extends CommonDeriveOptions {
  chain: 'evm'
  /** BIP-44 account (hardened). Default 0. */
  account?: number
}
/** Options for a Tron account: default path `m/44'/195'/{account}'/0/{index}`. */
export interface TronDeriveOptions extends CommonDeriveOptions {
  chain: 'tron'
  /** BIP-44 account (hardened). Default 0. */
  account?: number
}
/** Options for a Solana account: default path `m/44'/501'/{index}'/0'` (Phantom, Solflare, Ledger). */
export interface SolanaDeriveOptions extends CommonDeriveOptions {
  chain: 'solana'
}
/** Options for a Bitcoin account: default path `m/{44|49|84|86}'/{0|1}'/{account}'/{change}/{index}`. */
export interface BitcoinDeriveOptions extends CommonDeriveOptions {
  chain: 'bitcoin'
  /** Script type; picks the BIP-44/49/84/86 purpose. Default `'p2wpkh'`. */
  addressType?: BitcoinAddressType
  /** Network; coin type 0' on mainnet, 1' elsewhere. Default `'mainnet'`. */
  network?: BitcoinNetwork
  /** BIP-44 account (hardened). Default 0. */
  account?: number
  /** 0 for receive addresses (default), 1 for change. */
  change?: 0 | 1
}
/** Options of {@link deriveAccount}. */
export type DeriveAccountOptions = EvmDeriveOptions | BitcoinDeriveOptions | SolanaDeriveOptions | TronDeriveOptions
/** Options of {@link deriveAccounts}: one account's options plus the range of indices. */
export type DeriveAccountsOptions = RangeOf<DeriveAccountOptions>
type RangeOf<O> = O extends unknown
  ? Omit<O, 'index'> & {
      /** First index. Default 0. */
      start?: number
      /** How many consecutive indices (1 to 100,000). */
      count: number
    }
  : never

/** A derived account: where it sits in the tree and how others pay it. No secret. */
export interface DerivedAccount {
  readonly chain: ChainKind
  /** Full derivation path, hardened marks as `'`. */
  readonly path: string
  /** The index that filled `{index}` (for a literal path: its last segment, unhardened). */
  readonly index: number
  readonly address: string
  /** 33-byte compressed secp256k1 key, or 32-byte ed25519 key for Solana. */
  readonly publicKey: Uint8Array
}
/** A derived Bitcoin account, with the account-level xpub a watch-only wallet needs. */
export interface DerivedBitcoinAccount extends DerivedAccount {
  readonly chain: 'bitcoin'
  readonly addressType: BitcoinAddressType
  readonly network: BitcoinNetwork
  /** Path of the deepest hardened ancestor (the account node): `m/84'/0'/0'` by default. */
  readonly accountPath: string
  /** Extended public key of the account node, with plain xpub / tpub version bytes. */
  readonly accountXpub: string
}
/** The account type {@link deriveAccount} returns for options `O`. */
export type DerivedAccountFor<O extends { chain: ChainKind }> = O extends { chain: 'bitcoin' }
  ? DerivedBitcoinAccount
  : DerivedAccount & { readonly chain: O['chain'] }

const Point = secp256k1.ProjectivePoint
const PURPOSE: Record<BitcoinAddressType, number> = { p2pkh: 44, 'p2sh-p2wpkh': 49, p2wpkh: 84, p2tr: 86 }
const MAX_INDEX = HARDENED_OFFSET - 1
const MAX_COUNT = 100_000

/** What a chain needs besides its path: the curve and how a public key becomes an address. */
interface Plan {
  chain: ChainKind
  template: string
  bitcoin?: { addressType: BitcoinAddressType; network: BitcoinNetwork }
}

const ALLOWED_KEYS: Record<ChainKind, readonly string[]> = {
  evm: ['chain', 'index', 'path', 'account', 'start', 'count'],
  tron: ['chain', 'index', 'path', 'account', 'start', 'count'],
  solana: ['chain', 'index', 'path', 'start', 'count'],
  bitcoin: ['chain', 'index', 'path', 'account', 'start', 'count', 'addressType', 'network', 'change'],
}

function planFor(options: Record<string, unknown>): Plan {
  const chain = assertOneOf(options.chain, 'chain', CHAIN_KINDS)
  const unknown = Object.keys(options).filter((k) => options[k] !== undefined && !ALLOWED_KEYS[chain].includes(k))
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`Option ${unknown.map((k) => `"${k}"`).join(', ')} does not apply to chain "${chain}".`)
  }
  const hasAccount = options.account !== undefined
  const account = assertInteger(options.account ?? 0, 'account', 0, MAX_INDEX)
  if (options.path !== undefined) {
    if (hasAccount || options.change !== undefined) {
      throw new InvalidArgumentError('Pass either path or account/change, not both: path already says where the account is.')
    }
    if (typeof options.path !== 'string') throw new InvalidPathError(`path must be a string, got ${describe(options.path)}.`)
  }
  switch (chain) {
    case 'evm':
      return { chain, template: (options.path as string | undefined) ?? `m/44'/60'/${account}'/0/${PLACEHOLDER}` }
    case 'tron':
      return { chain, template: (options.path as string | undefined) ?? `m/44'/195'/${account}'/0/${PLACEHOLDER}` }
    case 'solana':
      return { chain, template: (options.path as string | undefined) ?? `m/44'/501'/${PLACEHOLDER}'/0'` }
    case 'bitcoin': {
      const addressType = assertOneOf(options.addressType ?? 'p2wpkh', 'addressType', BITCOIN_ADDRESS_TYPES)
      const network = assertOneOf(options.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
      const change = assertOneOf(options.change ?? 0, 'change', [0, 1])
      const coin = network === 'mainnet' ? 0 : 1
      const template = (options.path as string | undefined) ?? `m/${PURPOSE[addressType]}'/${coin}'/${account}'/${change}/${PLACEHOLDER}`
      return { chain, template, bitcoin: { addressType, network } }
    }
  }
}

/** Derives `indices` below `key`, returning the node and the indices actually used (BIP-32 skips invalid children). */
function deriveSecp(key: HDKey, indices: readonly number[], path: string): { node: HDKey; used: number[] } {
  let node = key
  const used: number[] = []
  for (const index of indices) {
    if (isHardened(index) && node.privateKey === null) throw new InvalidPathError(`Cannot derive hardened ${path} from a public key.`)
    node = node.deriveChild(index)
    used.push(node.index)
  }
  return { node, used }
}

function addressOf(plan: Plan, publicKey: Uint8Array, uncompressed: () => Uint8Array): string {
  switch (plan.chain) {
    case 'evm':
      return checksumHex(bytesToHex(evmAddressBytes(uncompressed())))
    case 'tron':
      return tronAddressFromBytes(evmAddressBytes(uncompressed()))
    case 'solana':
      return solanaAddressFromPublicKey(publicKey)
    case 'bitcoin':
      return encodeBitcoinAddress(publicKey, plan.bitcoin?.addressType ?? 'p2wpkh', plan.bitcoin?.network ?? 'mainnet')
  }
}

/** The account node's path and xpub for Bitcoin: the deepest hardened ancestor. */
function bitcoinAccount(root: HDKey, full: readonly number[]): { accountPath: string; accountXpub: string } {
  let depth = 0
  while (depth < full.length && isHardened(full[depth] as number)) depth++
  const { node, used } = deriveSecp(root, full.slice(0, depth), 'the account path')
  return { accountPath: formatPath(used), accountXpub: node.publicExtendedKey }
}

interface Leaf {
  full: number[]
  index: number
  publicKey: Uint8Array
  uncompressed: () => Uint8Array
}

/**
 * The public half of the parent every `…/{index}` child hangs from (and, for Bitcoin, the
 * account node's path and xpub), from `seed`'s cache when its bytes have not changed, else
 * derived privately as before and cached. The private keys met on the way are wiped here;
 * the cache gets copies of public bytes only (see seed-cache.ts).
 */
function publicParent(seed: Uint8Array, plan: Plan, template: Template, versions: ExtendedKeyVersions): PublicParent {
  const cache = seedCache(assertSeed(seed))
  const key = `${versions.public}:${plan.bitcoin ? 'account' : ''}:${template.prefix.join('/')}`
  const hit = cache.get(key)
  if (hit) return hit
  const root = masterKey(seed, versions)
  try {
    const { node, used } = deriveSecp(root, template.prefix, plan.template)
    const parent: PublicParent = {
      path: Object.freeze(used),
      publicKey: (node.publicKey as Uint8Array).slice(),
      chainCode: (node.chainCode as Uint8Array).slice(),
      ...(plan.bitcoin ? { account: bitcoinAccount(root, used) } : {}),
    }
    if (node !== root) node.wipePrivateData()
    cache.set(key, parent)
    return parent
  } finally {
    root.wipePrivateData()
  }
}

function secpAccounts(seed: Uint8Array, plan: Plan, template: Template, indices: readonly number[]): DerivedAccount[] {
  const testnet = plan.bitcoin !== undefined && plan.bitcoin.network !== 'mainnet'
  const versions = testnet ? EXTENDED_KEY_VERSIONS.tpub : EXTENDED_KEY_VERSIONS.xpub
  const finish = (leaves: Leaf[], account: PublicParent['account']): DerivedAccount[] =>
    leaves.map((leaf) => {
      const base = {
        chain: plan.chain,
        path: formatPath(leaf.full),
        index: leaf.index,
        address: addressOf(plan, leaf.publicKey, leaf.uncompressed),
        publicKey: leaf.publicKey,
      }
      return Object.freeze(plan.bitcoin ? { ...base, ...plan.bitcoin, ...account } : base)
    })
  if (template.rest.length === 1 && !/['hH]$/.test(template.rest[0] as string)) {
    // One public step below a cached (or freshly derived) parent: no private key is touched.
    const parent = publicParent(seed, plan, template, versions)
    const leaves = publicChildren(parent.publicKey, parent.chainCode, indices).map((child, i) => ({
      full: [...parent.path, child.index],
      index: indices[i] as number,
      publicKey: child.point.toRawBytes(true),
      uncompressed: () => child.point.toRawBytes(false),
    }))
    return finish(leaves, parent.account)
  }
  // A hardened or deeper step below the placeholder, or a literal path: derived privately each call.
  const root = masterKey(seed, versions)
  try {
    const { node: parent, used: prefix } = deriveSecp(root, template.prefix, plan.template)
    const leaves = indices.map((index) => {
      const rest = template.literal ? [] : indicesFor(template, plan.template, index)
      const { node, used } = deriveSecp(parent, rest, plan.template)
      const publicKey = node.publicKey as Uint8Array
      if (node !== parent) node.wipePrivateData()
      return { full: [...prefix, ...used], index, publicKey, uncompressed: () => Point.fromHex(publicKey).toRawBytes(false) }
    })
    const account = plan.bitcoin ? bitcoinAccount(root, leaves[0]?.full ?? prefix) : undefined
    if (parent !== root) parent.wipePrivateData()
    return finish(leaves, account)
  } finally {
    root.wipePrivateData()
  }
}

function solanaAccounts(seed: Uint8Array, plan: Plan, template: Template, indices: readonly number[]): DerivedAccount[] {
  let parent: Slip10Node = ed25519Master(seed)
  for (const index of template.prefix) parent = ed25519Child(parent, index)
  return indices.map((index) => {
    const rest = template.literal ? [] : indicesFor(template, plan.template, index)
    let node = parent
    for (const i of rest) node = ed25519Child(node, i)
    const key = toEd25519Key(node)
    key.privateKey.fill(0)
    const full = [...template.prefix, ...rest]
    return Object.freeze({
      chain: plan.chain,
      path: formatPath(full),
      index,
      address: addressOf(plan, key.publicKey, () => key.publicKey),
      publicKey: key.publicKey,
    })
  })
}

/**
 * Derives `count` consecutive accounts from `start` on one chain. The shared parent is
 * derived once (or its public half taken from the per-seed cache {@link deriveAccount}
 * describes); with the default paths each further address costs one public child step.
 * @example deriveAccounts(seed, { chain: 'evm', count: 10 })
 * @throws InvalidSeedError, InvalidPathError, InvalidArgumentError
 */
export function deriveAccounts(seed: Uint8Array, options: RangeOf<BitcoinDeriveOptions>): DerivedBitcoinAccount[]
export function deriveAccounts(seed: Uint8Array, options: RangeOf<EvmDeriveOptions>): DerivedAccountFor<EvmDeriveOptions>[]
export function deriveAccounts(seed: Uint8Array, options: RangeOf<SolanaDeriveOptions>): DerivedAccountFor<SolanaDeriveOptions>[]
export function deriveAccounts(seed: Uint8Array, options: RangeOf<TronDeriveOptions>): DerivedAccountFor<TronDeriveOptions>[]
export function deriveAccounts(seed: Uint8Array, options: DeriveAccountsOptions): DerivedAccount[]
export function deriveAccounts(seed: Uint8Array, options: DeriveAccountsOptions): DerivedAccount[] {
  const opts = assertOptions(options) as Record<string, unknown>
  if (opts.index !== undefined) throw new InvalidArgumentError('deriveAccounts takes start and count, not index.')
  const plan = planFor(opts)
  const start = assertInteger(opts.start ?? 0, 'start', 0, MAX_INDEX)
  const count = assertInteger(opts.count, 'count', 1, MAX_COUNT)
  if (start + count - 1 > MAX_INDEX) throw new InvalidArgumentError(`start + count - 1 must stay below 2^31.`)
  const template = parseTemplate(plan.template)
  if (template.literal && (count > 1 || opts.start !== undefined)) {
    throw new InvalidPathError(
      `Path "${plan.template.slice(0, 100)}" has no ${PLACEHOLDER} placeholder, so it names one account; add {index} to derive a range.`,
    )
  }
  const indices = template.literal
    ? [template.prefix.length ? (template.prefix[template.prefix.length - 1] as number) % HARDENED_OFFSET : 0]
    : Array.from({ length: count }, (_, i) => start + i)
  const run = plan.chain === 'solana' ? solanaAccounts : secpAccounts
  return run(seed, plan, template, indices)
}

/**
 * Derives one account: its path, address and public key (and for Bitcoin the account
 * path and xpub). Defaults: EVM `m/44'/60'/0'/0/{index}`, Bitcoin P2WPKH
 * `m/84'/0'/0'/0/{index}`, Solana `m/44'/501'/{index}'/0'`, Tron `m/44'/195'/0'/0/{index}`.
 *
 * Performance: when the path ends in an unhardened `{index}` (EVM, Tron, Bitcoin defaults),
 * the first call on a seed derives the parent (`m/44'/60'/0'/0`) privately, as always, and
 * keeps its PUBLIC half — compressed public key and chain code, i.e. what its xpub holds —
 * plus, for Bitcoin, the account path and xpub this function returns anyway. Later calls on
 * the same seed object do one public child step (one scalar multiplication) instead of
 * rebuilding the master key and the hardened prefix. Why that is safe:
 * - nothing secret is kept: private keys met on the way are wiped as before; the cache
 *   holds copies of public bytes only (as sensitive as an xpub: it links the addresses);
 * - it never outlives the seed: it is a `WeakMap` keyed by the caller's seed object, so it
 *   goes when the caller drops the seed;
 * - it never answers for other bytes: each entry keeps a SHA-256 digest of the seed it came
 *   from, every call re-hashes the seed (~1 µs), and a seed zeroed or overwritten in place
 *   gets a fresh derivation (the stale entry is dropped);
 * - it is bounded: at most 16 parents (templates × networks) per seed object.
 *
 * Paths whose last step is hardened (Solana, `…/{index}'`), with steps after `{index}`, or
 * without `{index}` are derived privately on every call, as before. For a range of indices
 * {@link deriveAccounts} (`{ start, count }`) is still the fastest form: one batched affine
 * conversion for the whole list instead of one per call.
 * @example deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2tr', index: 3 })
 * @throws InvalidSeedError, InvalidPathError, InvalidArgumentError
 */
export function deriveAccount(seed: Uint8Array, options: BitcoinDeriveOptions): DerivedBitcoinAccount
export function deriveAccount(seed: Uint8Array, options: EvmDeriveOptions): DerivedAccountFor<EvmDeriveOptions>
export function deriveAccount(seed: Uint8Array, options: SolanaDeriveOptions): DerivedAccountFor<SolanaDeriveOptions>
export function deriveAccount(seed: Uint8Array, options: TronDeriveOptions): DerivedAccountFor<TronDeriveOptions>
export function deriveAccount(seed: Uint8Array, options: DeriveAccountOptions): DerivedAccount
export function deriveAccount(seed: Uint8Array, options: DeriveAccountOptions): DerivedAccount {
  const opts = assertOptions(options) as Record<string, unknown>
  const { index, ...rest } = opts
  const literal = typeof opts.path === 'string' && !opts.path.includes(PLACEHOLDER)
  if (literal && index !== undefined) {
    throw new InvalidPathError(`Path has no ${PLACEHOLDER} placeholder, so index does not apply; put the index in the path.`)
  }
  const start = assertInteger(index ?? 0, 'index', 0, MAX_INDEX)
  const range = literal ? { ...rest, count: 1 } : { ...rest, start, count: 1 }
  return deriveAccounts(seed, range as DeriveAccountsOptions)[0] as DerivedAccount
}

/** An account and the private key that controls it. Secret: zero `privateKey` when done. @internal */
export interface AccountKey {
  readonly account: DerivedAccount
  readonly privateKey: Uint8Array
}

/**
 * One account with its private key (for signers). Same options and defaults as
 * {@link deriveAccount}. @internal The vault calls this; the key never leaves it.
 *
 * Only the public account comes from {@link deriveAccount}'s cache. The private key needs
 * the parent's private key, which is never cached, so it is derived from the seed on every
 * call: caching anything that leads to it would keep secret material longer than the caller.
 */
export function deriveAccountKey(seed: Uint8Array, options: DeriveAccountOptions): AccountKey {
  const account = deriveAccount(seed, options)
  const indices = parsePath(account.path)
  if (account.chain === 'solana') {
    let node: Slip10Node = ed25519Master(seed)
    for (const index of indices) node = ed25519Child(node, index)
    node.chainCode.fill(0)
    return { account, privateKey: node.key }
  }
  const root = masterKey(seed)
  try {
    const { node } = deriveSecp(root, indices, account.path)
    const privateKey = (node.privateKey as Uint8Array).slice()
    node.wipePrivateData()
    return { account, privateKey }
  } finally {
    root.wipePrivateData()
  }
}
