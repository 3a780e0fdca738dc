/**
 * The Bitcoin family descriptor: `bip122` chains (mainnet, testnet, regtest), accounts that
 * spread over many addresses and are named by their output descriptor (BIP-44/49/84/86 by
 * address type), addresses derived offline from the descriptor's xpub.
 * @module
 */
import { assertOneOf } from '../../core/assert.js'
import { parseAssetId, type AssetId, type ChainId } from '../../core/caip.js'
import { InvalidArgumentError, NotSupportedError } from '../../core/errors.js'
import { BITCOIN_ADDRESS_TYPES, encodeBitcoinAddress, isValidBitcoinAddress, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import { publicChildren } from '../../keys/child.js'
import { parseDescriptor } from '../../keys/descriptor.js'
import { HDNode } from '../../keys/secp256k1.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { ChainFamily, FamilyAccountKeys, FamilyAddress, FamilyNetwork } from '../family.js'
import { BITCOIN_CHAINS } from './networks.js'
import { bip21Scheme } from './payment-uri.js'

const NETWORKS: readonly FamilyNetwork[] = Object.freeze(
  Object.values(BITCOIN_CHAINS).map((c) => Object.freeze({ chainId: c.caip2, name: c.network, testnet: c.network !== 'mainnet' })),
)

/** The Bitcoin network of a bip122 chain id, if coffer knows it. */
function bitcoinNetworkOf(chainId: string): BitcoinNetwork | undefined {
  return Object.values(BITCOIN_CHAINS).find((c) => c.caip2 === chainId)?.network
}

function networkOf(chainId: ChainId): BitcoinNetwork {
  const network = bitcoinNetworkOf(chainId)
  if (!network)
    throw new NotSupportedError(`Unknown Bitcoin network ${String(chainId).slice(0, 80)}.`, {
      details: { chainId: String(chainId).slice(0, 80) },
    })
  return network
}

/**
 * The address at `<change>/<index>` of an account descriptor on `network`: public derivation
 * from the descriptor's key, no secret and no network.
 * @throws InvalidArgumentError
 */
function descriptorAddress(descriptor: string, network: BitcoinNetwork, change: boolean, index: number): FamilyAddress {
  const d = parseDescriptor(descriptor)
  const branch = d.branches[change ? 1 : 0]
  const node = HDNode.fromExtendedKey(d.xpub).deriveChild(branch)
  const [child] = publicChildren(node.publicKey, node.chainCode, [index])
  if (!child) throw new InvalidArgumentError(`No address at ${branch}/${index}.`)
  const address = encodeBitcoinAddress(child.point.toRawBytes(true), d.addressType, network)
  return Object.freeze({ address, index: child.index, change, ...(d.origin ? { path: `${d.origin.path}/${branch}/${child.index}` } : {}) })
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

/** Bitcoin chains (`bip122:<genesis hash prefix>`). */
export const bitcoinFamily: ChainFamily = Object.freeze({
  kind: 'bitcoin',
  namespaces: Object.freeze(['bip122']),
  title: 'Bitcoin',
  networks: NETWORKS,
  supports: (chainId: ChainId) => bitcoinNetworkOf(chainId) !== undefined,
  isValidAddress(chainId: ChainId, address: string): boolean {
    const network = bitcoinNetworkOf(chainId)
    return network !== undefined && isValidBitcoinAddress(address, network)
  },
  /** Equal strings, or an account's output descriptor and its first receive address. */
  sameAddress(a: string, b: string): boolean {
    if (a === b) return true
    if (typeof a !== 'string' || typeof b !== 'string') return false
    const [fromA, fromB] = [firstAddressesOf(a), firstAddressesOf(b)]
    if (!fromA && !fromB) return false
    const other = fromB ?? [b]
    return (fromA ?? [a]).some((x) => other.includes(x))
  },
  knownFamily(asset: AssetId): string | undefined {
    const parts = parseAssetId(asset)
    return bitcoinNetworkOf(parts.chainId) === 'mainnet' &&
      parts.assetNamespace === 'slip44' &&
      parts.assetReference === '0' &&
      parts.tokenId === undefined
      ? 'BTC'
      : undefined
  },
  accountOptions(options: { readonly [option: string]: unknown }) {
    const extra = Object.keys(options).find((k) => k !== 'addressType' && options[k] !== undefined)
    if (extra !== undefined) throw new InvalidArgumentError(`${extra} does not apply to Bitcoin accounts.`)
    return { addressType: assertOneOf(options.addressType ?? 'p2wpkh', 'addressType', BITCOIN_ADDRESS_TYPES) }
  },
  signer: (keys, chainId, account) =>
    keys.getAccountSigner({
      secretId: account.secretId,
      chain: 'bitcoin',
      network: networkOf(chainId),
      account: account.index,
      ...(account.options.addressType === undefined ? {} : { addressType: account.options.addressType }),
    }),
  accountKeys(chainId: ChainId, signer: Signer | AccountSigner): FamilyAccountKeys {
    if (!('kind' in signer) || signer.chain !== 'bitcoin')
      throw new InvalidArgumentError('A Bitcoin account needs an account signer (vault.getAccountSigner).')
    return { address: descriptorAddress(signer.descriptor, networkOf(chainId), false, 0).address, descriptor: signer.descriptor }
  },
  addressAt: (chainId: ChainId, descriptor: string, change: boolean, index: number) =>
    descriptorAddress(descriptor, networkOf(chainId), change, index),
  accountFromId(chainId: ChainId, id: string): FamilyAccountKeys | undefined {
    const network = bitcoinNetworkOf(chainId)
    if (!network || !firstAddressesOf(id)) return undefined
    return { address: descriptorAddress(id, network, false, 0).address, descriptor: id }
  },
  nativeAsset: (chainId: ChainId): AssetId => BITCOIN_CHAINS[networkOf(chainId)].nativeAsset,
  /** A key search tries every address type. */
  accountSearch: Object.freeze(BITCOIN_ADDRESS_TYPES.map((addressType) => Object.freeze({ addressType }))),
  paymentSchemes: Object.freeze([bip21Scheme]),
} satisfies ChainFamily)
