/**
 * The wallet's accounts: which vault secret, chain, index and address type each one is, kept
 * (with its public address) in the wallet record so `accounts()` works while locked, and the
 * signer each needs: an address signer on account chains, an account signer (any child key of
 * a BIP-32 account, named by its descriptor) on Bitcoin.
 *
 * What names an account: on account chains its one address. A Bitcoin account spreads over
 * many addresses; its output descriptor is its id (what adapters take as `from`, what the
 * portfolio follows, what the journal records), and its `address` is its first receive
 * address (`<account>/0/0`), the public face a person expects. Either names it in `from`.
 * @module
 * @internal
 */
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { DataIntegrityError, InvalidArgumentError, NotSupportedError } from '../core/errors.js'
import { encodeBitcoinAddress, type BitcoinAddressType, type BitcoinNetwork } from '../keys/address/bitcoin.js'
import { publicChildren } from '../keys/child.js'
import { parseDescriptor } from '../keys/descriptor.js'
import { HDNode } from '../keys/secp256k1.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { Vault } from '../vault/vault.js'

/** How an account is made (stored in the wallet record; no secret). */
export interface AccountRecord {
  readonly chainId: ChainId
  readonly secretId: string
  readonly index: number
  readonly addressType?: BitcoinAddressType
  /**
   * The account's address. On Bitcoin: its first receive address (`…/0/0`), which a person can
   * pay and a `from` can name; give payers `receiveAddress()` instead, so addresses are not reused.
   */
  readonly address: string
  /** Bitcoin: the account's output descriptor (`wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)#…`), its id. Absent on account chains. */
  readonly descriptor?: string
  readonly label?: string
}

/** One address of a wallet account (`receiveAddress()`, `addressAt()`). */
export interface WalletAddress {
  readonly address: string
  /** Its index on its branch (receive or change); 0 on account chains. */
  readonly index: number
  /** True on the change branch. */
  readonly change: boolean
  /** Its derivation path from the master key, when the account's descriptor gives the key origin. */
  readonly path?: string
}

/** The key family of a chain. */
export type ChainKind = 'evm' | 'bitcoin' | 'solana' | 'tron'

const BITCOIN_NETWORKS: Readonly<Record<string, BitcoinNetwork>> = {
  '000000000019d6689c085ae165831e93': 'mainnet',
  '000000000933ea01ad0ee984209779ba': 'testnet',
  '0f9188f13cb7b2c71f2a335e3a4fc328': 'regtest',
}

/** The key family of a CAIP-2 chain. @throws NotSupportedError */
export function chainKind(chainId: ChainId): ChainKind {
  const namespace = chainId.slice(0, chainId.indexOf(':'))
  switch (namespace) {
    case 'eip155':
      return 'evm'
    case 'bip122':
      return 'bitcoin'
    case 'solana':
      return 'solana'
    case 'tron':
      return 'tron'
    default:
      throw new NotSupportedError(`The wallet has no keys for ${namespace} chains.`, { details: { chainId } })
  }
}

/** The Bitcoin network of a bip122 chain id, if coffer knows it. */
export function bitcoinNetworkOf(chainId: string): BitcoinNetwork | undefined {
  return chainId.startsWith('bip122:') ? BITCOIN_NETWORKS[chainId.slice('bip122:'.length)] : undefined
}

/** The Bitcoin network of a bip122 chain (the adapter's own `network` when it has one). */
function bitcoinNetwork(adapter: ChainAdapter): BitcoinNetwork {
  const own = (adapter as { network?: unknown }).network
  if (own === 'mainnet' || own === 'testnet' || own === 'regtest') return own
  const network = bitcoinNetworkOf(adapter.chainId)
  if (!network) throw new NotSupportedError(`Unknown Bitcoin network ${adapter.chainId}.`)
  return network
}

/** What adapters, the portfolio and the journal know the account by: its descriptor, else its address. */
export function accountId(record: Pick<AccountRecord, 'address' | 'descriptor'>): string {
  return record.descriptor ?? record.address
}

/** The signer for an account (the vault must be unlocked). */
export async function accountSigner(vault: Vault, adapter: ChainAdapter, record: Pick<AccountRecord, 'secretId' | 'index' | 'addressType'>): Promise<Signer | AccountSigner> {
  const kind = chainKind(adapter.chainId)
  if (kind === 'bitcoin') {
    return vault.getAccountSigner({ secretId: record.secretId, chain: 'bitcoin', network: bitcoinNetwork(adapter), account: record.index, ...(record.addressType ? { addressType: record.addressType } : {}) })
  }
  return vault.getSigner({ secretId: record.secretId, chain: kind, index: record.index })
}

/** Makes the record of a new account: derives its address (and descriptor, on Bitcoin). */
export async function newAccount(vault: Vault, adapter: ChainAdapter, options: { secretId: string; index: number; addressType?: BitcoinAddressType; label?: string }): Promise<AccountRecord> {
  const { secretId, index, addressType, label } = options
  if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** 31) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
  if (label !== undefined && (typeof label !== 'string' || label.length > 100)) throw new InvalidArgumentError('label must be a string of at most 100 characters.')
  const signer = await accountSigner(vault, adapter, { secretId, index, ...(addressType ? { addressType } : {}) })
  const keys = 'descriptor' in signer ? { address: descriptorAddress(signer.descriptor, bitcoinNetwork(adapter), false, 0).address, descriptor: signer.descriptor } : { address: signer.address }
  return Object.freeze({ chainId: adapter.chainId, secretId, index, ...(addressType ? { addressType } : {}), ...keys, ...(label === undefined ? {} : { label }) })
}

/**
 * The address at `<change>/<index>` of a Bitcoin account descriptor on `network`: public
 * derivation from the descriptor's key, no secret and no network.
 * @throws InvalidArgumentError
 */
export function descriptorAddress(descriptor: string, network: BitcoinNetwork, change: boolean, index: number): WalletAddress {
  const d = parseDescriptor(descriptor)
  const branch = d.branches[change ? 1 : 0]
  const node = HDNode.fromExtendedKey(d.xpub).deriveChild(branch)
  const [child] = publicChildren(node.publicKey, node.chainCode, [index])
  if (!child) throw new InvalidArgumentError(`No address at ${branch}/${index}.`)
  const address = encodeBitcoinAddress(child.point.toRawBytes(true), d.addressType, network)
  return Object.freeze({ address, index: child.index, change, ...(d.origin ? { path: `${d.origin.path}/${branch}/${child.index}` } : {}) })
}

/**
 * `account.addressAt(index, { change })`, offline. Bitcoin: the key at `<change>/<index>` below
 * the account's descriptor. Account chains: an account is one address, so `addressAt(0)` is it and
 * any other index or the change branch throws NotSupportedError (another address is another
 * account: `wallet.account(chainId, { index })`).
 * @throws InvalidArgumentError, NotSupportedError
 */
export function addressAt(record: AccountRecord, index: unknown, options: unknown = {}): WalletAddress {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= 2 ** 31) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object such as { change: true }.')
  const change = (options as { change?: unknown }).change ?? false
  if (typeof change !== 'boolean') throw new InvalidArgumentError('change must be a boolean.')
  if (record.descriptor !== undefined) {
    const network = bitcoinNetworkOf(record.chainId)
    if (!network) throw new NotSupportedError(`Unknown Bitcoin network ${record.chainId}.`)
    return descriptorAddress(record.descriptor, network, change, index)
  }
  if (index !== 0 || change) {
    throw new NotSupportedError(`An account on ${record.chainId} is one address: addressAt(0) is ${record.address}. Another address is another account: wallet.account('${record.chainId}', { index }).`, { details: { chainId: record.chainId, index, change } })
  }
  return Object.freeze({ address: record.address, index: 0, change: false })
}

/**
 * `account.receiveAddress()`: the address to give a payer. Accounts with a descriptor (Bitcoin)
 * ask the adapter's `nextReceiveAddress` (discovery on the chain: the first never-used receive
 * address) and check its answer against their own derivation; account chains return their address.
 * @throws NotSupportedError when the adapter cannot discover; DataIntegrityError when its address is not the account's; the adapter's network errors
 */
export async function receiveAddress(adapter: ChainAdapter, record: AccountRecord): Promise<WalletAddress> {
  if (record.descriptor === undefined) return addressAt(record, 0)
  if (typeof adapter.nextReceiveAddress !== 'function') {
    throw new NotSupportedError(`The ${adapter.chainId} adapter cannot find the next unused address (no nextReceiveAddress); use account.addressAt(index).`)
  }
  const next: unknown = await adapter.nextReceiveAddress(record.descriptor)
  const { address, index } = (next ?? {}) as { address?: unknown; index?: unknown }
  const own = typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < 2 ** 31 ? addressAt(record, index) : undefined
  if (!own || own.address !== address) {
    throw new DataIntegrityError(`The ${adapter.chainId} adapter's next receive address is not the account's own address at the index it gives.`, {
      details: { chainId: adapter.chainId, index: String(index).slice(0, 20), got: String(address).slice(0, 100), ...(own ? { expected: own.address } : {}) },
    })
  }
  return own
}

/**
 * First receive addresses of an account descriptor with the usual `<0;1>` branches, on each
 * network its key allows (memoised); `undefined` for anything else.
 */
const firstAddresses = new Map<string, readonly string[] | undefined>()
function firstAddressesOf(text: unknown): readonly string[] | undefined {
  if (typeof text !== 'string' || text.length > 400 || !/^(?:pkh|sh|wpkh|tr)\(/.test(text)) return undefined
  if (firstAddresses.has(text)) return firstAddresses.get(text)
  let found: readonly string[] | undefined
  try {
    const d = parseDescriptor(text)
    const networks: BitcoinNetwork[] = d.xpub.startsWith('tpub') ? ['testnet', 'regtest'] : ['mainnet']
    found = d.branches[0] === 0 && d.branches[1] === 1 ? networks.map((n) => descriptorAddress(text, n, false, 0).address) : undefined
  } catch {
    found = undefined
  }
  if (firstAddresses.size >= 256) firstAddresses.clear()
  firstAddresses.set(text, found)
  return found
}

/**
 * True when two references name the same account: equal strings, hex addresses equal but for
 * case, or a Bitcoin account's output descriptor and its first receive address (what
 * `WalletAccount.address` is), so a `from` may give either.
 */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true
  if (typeof a !== 'string' || typeof b !== 'string') return false
  if (/^0x/i.test(a)) return a.toLowerCase() === b.toLowerCase()
  const [fromA, fromB] = [firstAddressesOf(a), firstAddressesOf(b)]
  if (!fromA && !fromB) return false
  const other = fromB ?? [b]
  return (fromA ?? [a]).some((x) => other.includes(x))
}

/**
 * An account as read from a wallet record. Records written before accounts had `descriptor`
 * kept a Bitcoin account's descriptor in `address`: it moves to `descriptor`, and `address`
 * becomes the account's first receive address (derived offline).
 */
export function migrateAccount(record: AccountRecord): AccountRecord {
  const network = bitcoinNetworkOf(record.chainId)
  if (record.descriptor !== undefined || !network || !firstAddressesOf(record.address)) return record
  return Object.freeze({ ...record, address: descriptorAddress(record.address, network, false, 0).address, descriptor: record.address })
}
