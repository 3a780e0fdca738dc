/**
 * What a Bitcoin transfer spends from: a single address, or an HD account named by an output
 * descriptor (`wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)`) or by a bare extended key (zpub/vpub →
 * P2WPKH, ypub/upub → P2SH-P2WPKH, xpub/tpub → P2WPKH unless `addressType` says otherwise). Accounts derive their receive and
 * change addresses publicly, so a watch-only wallet needs no secret.
 * @module
 */
import { assertOneOf, assertOptions, isIntegerIn } from '../../core/assert.js'
import { InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import {
  BITCOIN_ADDRESS_TYPES,
  decodeBitcoinAddress,
  encodeBitcoinAddress,
  type BitcoinAddressType,
  type BitcoinNetwork,
} from '../../keys/address/bitcoin.js'
import { publicChildren } from '../../keys/child.js'
import { formatDescriptor, parseDescriptor, type AccountDescriptor } from '../../keys/descriptor.js'
import { formatPath, parsePath } from '../../keys/path.js'
import { HDNode } from '../../keys/secp256k1.js'

/** One address of an account, with where it sits. */
export interface AccountAddress {
  readonly address: string
  readonly change: 0 | 1
  readonly index: number
  /** 33-byte compressed key. */
  readonly publicKey: Uint8Array
  /** Full path from the master key, when the descriptor gives the key origin. */
  readonly path?: string
}

/** A resolved spending source. */
export type Source =
  | { readonly kind: 'address'; readonly id: string; readonly address: string; readonly addressType: BitcoinAddressType }
  | {
      readonly kind: 'account'
      readonly id: string
      readonly descriptor: AccountDescriptor
      readonly node: HDNode
      readonly network: BitcoinNetwork
    }

const SLIP132: Record<string, BitcoinAddressType> = { zpub: 'p2wpkh', vpub: 'p2wpkh', ypub: 'p2sh-p2wpkh', upub: 'p2sh-p2wpkh' }

/** The address type of an address, or undefined if it is not a single-key script coffer can spend. */
function addressTypeOf(address: string, network: BitcoinNetwork): BitcoinAddressType | undefined {
  const info = decodeBitcoinAddress(address, network)
  if (!info) return undefined
  if (info.type === 'p2pkh') return 'p2pkh'
  if (info.type === 'witness' && info.version === 0 && info.program.length === 20) return 'p2wpkh'
  if (info.type === 'witness' && info.version === 1 && info.program.length === 32) return 'p2tr'
  return undefined
}

/** The account descriptor for an xpub (or SLIP-132 ypub/zpub) with an optional key origin. */
export function accountDescriptor(
  xpub: string,
  options?: { addressType?: BitcoinAddressType; fingerprint?: number; path?: string },
): string {
  options = assertOptions(options)
  const node = HDNode.fromExtendedKey(xpub)
  const prefix = xpub.slice(0, 4)
  const addressType = assertOneOf(options.addressType ?? SLIP132[prefix] ?? 'p2wpkh', 'addressType', BITCOIN_ADDRESS_TYPES)
  // Descriptors carry plain xpub / tpub version bytes.
  const testnet = ['tpub', 'upub', 'vpub'].includes(prefix)
  const plain = node.xpubAs(testnet ? 'tpub' : 'xpub')
  if (options.fingerprint !== undefined && !isIntegerIn(options.fingerprint, 0, 0xffff_ffff)) {
    throw new InvalidArgumentError('fingerprint must be a 32-bit number.')
  }
  const origin =
    options.fingerprint !== undefined && options.path !== undefined
      ? { fingerprint: options.fingerprint, path: formatPath(parsePath(options.path)) }
      : undefined
  return formatDescriptor({ addressType, xpub: plain, branches: [0, 1], ...(origin ? { origin } : {}) })
}

/** Resolves a transfer's `from` (address, descriptor or extended key). @throws InvalidAddressError */
export function resolveSource(from: unknown, network: BitcoinNetwork): Source {
  if (typeof from !== 'string' || from.length === 0 || from.length > 400)
    throw new InvalidAddressError('from must be a Bitcoin address or an account descriptor.')
  // A P2SH address spent as one key is P2SH-P2WPKH (BIP-49); signing checks the redeem script.
  const type = addressTypeOf(from, network) ?? (decodeBitcoinAddress(from, network)?.type === 'p2sh' ? 'p2sh-p2wpkh' : undefined)
  if (type) return { kind: 'address', id: from, address: from, addressType: type }
  let descriptor: AccountDescriptor
  try {
    descriptor = /^[a-z]{2,4}pub/.test(from) ? parseDescriptor(accountDescriptor(from)) : parseDescriptor(from)
  } catch (cause) {
    throw new InvalidAddressError(`from is neither a ${network} address coffer can spend nor an account descriptor.`, { cause })
  }
  const node = HDNode.fromExtendedKey(descriptor.xpub)
  const testnet = descriptor.xpub.startsWith('tpub')
  if (testnet !== (network !== 'mainnet'))
    throw new InvalidAddressError(`This account's key is for ${testnet ? 'a test network' : 'mainnet'}, not ${network}.`)
  return { kind: 'account', id: /^[a-z]{2,4}pub/.test(from) ? accountDescriptor(from) : from, descriptor, node, network }
}

/** Addresses `start … start+count-1` of one branch of an account (batched public derivation). */
export function accountAddresses(
  source: Extract<Source, { kind: 'account' }>,
  change: 0 | 1,
  start: number,
  count: number,
): AccountAddress[] {
  const branch = source.node.deriveChild(source.descriptor.branches[change])
  const indices = Array.from({ length: count }, (_, i) => start + i)
  return publicChildren(branch.publicKey, branch.chainCode, indices).map((child) => {
    const publicKey = child.point.toRawBytes(true)
    const origin = source.descriptor.origin
    return {
      address: encodeBitcoinAddress(publicKey, source.descriptor.addressType, source.network),
      change,
      index: child.index,
      publicKey,
      ...(origin ? { path: `${origin.path}/${source.descriptor.branches[change]}/${child.index}` } : {}),
    }
  })
}
