/**
 * Watch-only address lists: the addresses a deposit watcher follows, derived from an extended
 * PUBLIC key (EVM, TRON) or a Bitcoin output descriptor, so the watching server holds no secret.
 *
 * - EVM / TRON: the xpub is the key at `m/44'/<coin>'/<account>'/0` (coin 60 for EVM, 195 for
 *   TRON), the parent of the per-index accounts coffer derives (`deriveAccounts`); address `i`
 *   is its non-hardened child `i` (EIP-55 `0x…`, or TRON base58check `T…`).
 * - Bitcoin: a single-key descriptor (`pkh`, `sh(wpkh)`, `wpkh`, `tr`) over
 *   `[fp/path]xpub…/<0;1>/*` or `xpub…/0/*` (see `keys/descriptor.ts`); address `i` is child `i`
 *   of the RECEIVE branch (the first of `<0;1>`). The network follows the key: xpub → mainnet,
 *   tpub → testnet (`tb1…`).
 *
 * Public derivation only: a private extended key (xprv, tprv, …) is refused before it becomes a
 * key object, and no message ever repeats the key. The parent is parsed once per call and the
 * children come from one batched CKDpub pass (`keys/child.ts`).
 *
 * Layering: this file uses `core` and `keys` only (the descriptor parser and the address
 * encoders live in `keys`), never `chains/<family>/`.
 * @module
 */
import type { ProjPointType } from '@noble/curves/abstract/weierstrass.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { createBase58check } from '@scure/base'
import { describe, isIntegerIn } from '../core/assert.js'
import { CofferError, InvalidArgumentError } from '../core/errors.js'
import { encodeBitcoinAddress, type BitcoinAddressType, type BitcoinNetwork } from '../keys/address/bitcoin.js'
import { checksumHex, evmAddressBytes } from '../keys/address/evm.js'
import { tronAddressFromBytes } from '../keys/address/tron.js'
import { publicChildren } from '../keys/child.js'
import { parseDescriptor } from '../keys/descriptor.js'
import { HARDENED_OFFSET } from '../keys/path.js'
import { EXTENDED_KEY_VERSIONS, HDNode, type ExtendedKeyFormat } from '../keys/secp256k1.js'

/** Where watched addresses come from: an xpub (EVM / TRON account-level key whose children are /index) or a Bitcoin descriptor with a `*` wildcard. */
export type AddressSourceKey =
  { readonly kind: 'evm' | 'tron'; readonly xpub: string } | { readonly kind: 'bitcoin'; readonly descriptor: string }

/** Most addresses one {@link deriveWatchAddresses} call returns. */
export const MAX_WATCH_ADDRESSES = 100_000

/** Depth of the xpub an EVM / TRON source takes: `m/44'/<coin>'/<account>'/0`. */
const ACCOUNT_BRANCH_DEPTH = 4
/** Children derived per batch (one field inversion each); bounds the intermediate arrays. */
const BATCH = 4096
/** Domain separation of {@link sourceId}'s hash. */
const ID_DOMAIN = 'coffer/watch-source/v1\0'

const base58check = createBase58check(sha256)
const FORMATS = Object.keys(EXTENDED_KEY_VERSIONS) as ExtendedKeyFormat[]

/** A parsed, checked source: the branch node whose children are the addresses, and how to write them. */
interface Branch {
  readonly node: HDNode
  readonly encode: (point: ProjPointType<bigint>) => string
  /** The normalized key text {@link sourceId} hashes. */
  readonly normalized: string
}

const refuse = (message: string, details?: Record<string, string | number>, cause?: unknown): never => {
  throw new InvalidArgumentError(message, { ...(details ? { details } : {}), ...(cause !== undefined ? { cause } : {}) })
}

/**
 * The version family of an extended key, read from its bytes without building a key object;
 * refuses private keys. Never puts the key (or any part of it) in a message.
 */
function publicFormatOf(xkey: unknown, what: string): ExtendedKeyFormat {
  if (typeof xkey !== 'string') return refuse(`${what} must be an extended public key string, got ${describe(xkey)}.`)
  if (xkey.length < 100 || xkey.length > 120) return refuse(`${what} is not an extended public key (wrong length for base58check).`)
  let bytes: Uint8Array
  try {
    bytes = base58check.decode(xkey)
  } catch {
    return refuse(`${what} is not an extended public key (not base58, or the checksum does not match).`)
  }
  try {
    if (bytes.length !== 78) return refuse(`${what} is not an extended public key (expected 78 bytes, got ${bytes.length}).`)
    const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
    const privateFormat = FORMATS.find((f) => EXTENDED_KEY_VERSIONS[f].private === version)
    if (privateFormat) {
      return refuse(
        `${what} is a PRIVATE extended key; a watching server needs only the extended public key (xpub). Do not send private keys to it.`,
        { reason: 'private-key' },
      )
    }
    const format = FORMATS.find((f) => EXTENDED_KEY_VERSIONS[f].public === version)
    if (!format) return refuse(`${what} has unknown version bytes 0x${version.toString(16).padStart(8, '0')}.`, { reason: 'version' })
    return format
  } finally {
    bytes.fill(0)
  }
}

/** A public-only HDNode of `xkey`, or InvalidArgumentError (coffer's own parse error as cause: it never holds the key). */
function publicNode(xkey: string, what: string): HDNode {
  let node: HDNode
  try {
    node = HDNode.fromExtendedKey(xkey)
  } catch (cause) {
    return refuse(`${what} is not a valid extended public key.`, undefined, cause instanceof CofferError ? cause : undefined)
  }
  if (node.hasPrivateKey) {
    node.wipe()
    return refuse(`${what} holds a private key; give the extended public key (xpub) instead.`, { reason: 'private-key' })
  }
  return node
}

function accountBranch(kind: 'evm' | 'tron', xpub: unknown): Branch {
  const what = `The ${kind === 'evm' ? 'EVM' : 'TRON'} watch key`
  const format = publicFormatOf(xpub, what)
  if (format !== 'xpub')
    return refuse(`${what} must be a plain xpub (BIP-32 mainnet version bytes), got a ${format}.`, { reason: 'version' })
  const node = publicNode(xpub as string, what)
  if (node.depth !== ACCOUNT_BRANCH_DEPTH || node.index >= HARDENED_OFFSET) {
    return refuse(
      `${what} must be the xpub at m/44'/${kind === 'evm' ? 60 : 195}'/<account>'/0 (depth ${ACCOUNT_BRANCH_DEPTH}, ` +
        `the parent of the per-index accounts), got one at depth ${node.depth}${node.index >= HARDENED_OFFSET ? ' with a hardened index' : ''}.`,
      { reason: 'depth', depth: node.depth },
    )
  }
  const toBytes = (point: ProjPointType<bigint>) => evmAddressBytes(point.toRawBytes(false))
  return {
    node,
    encode: kind === 'evm' ? (point) => checksumHex(bytesToHex(toBytes(point))) : (point) => tronAddressFromBytes(toBytes(point)),
    normalized: `${kind}:${node.xpubAs('xpub')}`,
  }
}

function descriptorBranch(descriptor: unknown): Branch {
  if (typeof descriptor !== 'string') return refuse(`The Bitcoin watch descriptor must be a string, got ${describe(descriptor)}.`)
  if (descriptor.length > 400) return refuse(`The Bitcoin watch descriptor is too long (${descriptor.length} characters, at most 400).`)
  // Find the key by shape before parsing, so a private key is refused whatever else is wrong.
  for (const candidate of descriptor.match(/[1-9A-HJ-NP-Za-km-z]{100,120}/g) ?? []) publicFormatOf(candidate, 'The descriptor key')
  let parsed: ReturnType<typeof parseDescriptor>
  try {
    parsed = parseDescriptor(descriptor)
  } catch (cause) {
    // parseDescriptor's messages name characters and shapes, never the key.
    return refuse(
      'The Bitcoin watch descriptor is not a single-key descriptor coffer reads: pkh(), sh(wpkh()), wpkh() or tr() over [fp/path]xpub…/<0;1>/* or xpub…/0/*.',
      undefined,
      cause instanceof CofferError ? cause : undefined,
    )
  }
  const format = publicFormatOf(parsed.xpub, 'The descriptor key')
  if (format !== 'xpub' && format !== 'tpub') {
    return refuse(`A descriptor's key must be an xpub (mainnet) or tpub (testnet), got a ${format}.`, { reason: 'version' })
  }
  const network: BitcoinNetwork = format === 'tpub' ? 'testnet' : 'mainnet'
  const receive = parsed.branches[0]
  const node = publicNode(parsed.xpub, 'The descriptor key').deriveChild(receive)
  const type: BitcoinAddressType = parsed.addressType
  // The address list depends on script type, key and receive branch only: not on the key origin,
  // the change branch or the checksum. (The key's version bytes, xpub or tpub, name the network.)
  const normalized = `bitcoin:${type}:${parsed.xpub}/${receive}/*`
  return { node, encode: (point) => encodeBitcoinAddress(point.toRawBytes(true), type, network), normalized }
}

function branchOf(key: AddressSourceKey): Branch {
  if (!key || typeof key !== 'object')
    return refuse(`An address source must be { kind, xpub } or { kind: 'bitcoin', descriptor }, got ${describe(key)}.`)
  switch (key.kind) {
    case 'evm':
    case 'tron':
      return accountBranch(key.kind, (key as { xpub?: unknown }).xpub)
    case 'bitcoin':
      return descriptorBranch((key as { descriptor?: unknown }).descriptor)
    default:
      return refuse(`An address source's kind must be "evm", "tron" or "bitcoin", got ${describe((key as { kind?: unknown }).kind)}.`)
  }
}

/**
 * Derives addresses for indexes [start, start+count). Public derivation only (non-hardened);
 * never accepts a private key (xprv/tprv → InvalidArgumentError, and the message does not echo
 * the key). `start + count` must stay below 2^31 (indexes at or above it are hardened);
 * `count` is at most {@link MAX_WATCH_ADDRESSES}.
 *
 * Like @scure/bip32 and coffer's `deriveAccounts`, an index whose child is invalid (odds about
 * 2^-127) gives the next index's address.
 * @throws InvalidArgumentError
 */
export function deriveWatchAddresses(key: AddressSourceKey, start: number, count: number): string[] {
  if (!isIntegerIn(start, 0, HARDENED_OFFSET - 1)) {
    return refuse(`start must be an integer from 0 to ${HARDENED_OFFSET - 1}, got ${typeof start === 'number' ? start : describe(start)}.`)
  }
  if (!isIntegerIn(count, 0, MAX_WATCH_ADDRESSES)) {
    return refuse(`count must be an integer from 0 to ${MAX_WATCH_ADDRESSES}, got ${typeof count === 'number' ? count : describe(count)}.`)
  }
  if (start + count > HARDENED_OFFSET) {
    return refuse(`Indexes ${start}..${start + count - 1} pass 2^31 - 1; watch addresses are non-hardened children only.`, {
      start,
      count,
    })
  }
  const branch = branchOf(key)
  const { publicKey, chainCode } = branch.node
  const out: string[] = new Array<string>(count)
  for (let offset = 0; offset < count; offset += BATCH) {
    const n = Math.min(BATCH, count - offset)
    const indices = Array.from({ length: n }, (_, i) => start + offset + i)
    const children = publicChildren(publicKey, chainCode, indices)
    for (let i = 0; i < n; i++) out[offset + i] = branch.encode((children[i] as (typeof children)[number]).point)
  }
  return out
}

/**
 * A short stable id of the source (hex of the first 8 bytes of a domain-separated sha256 of the
 * normalized key) for storing it without repeating the key. Sources that give the same addresses
 * get the same id: a Bitcoin descriptor's key origin, checksum and change branch
 * (`xpub/0/*` vs `xpub/<0;1>/*`) do not change it; the kind (EVM vs TRON) and the script type do.
 * @throws InvalidArgumentError for a source {@link deriveWatchAddresses} would refuse
 */
export function sourceId(key: AddressSourceKey): string {
  return bytesToHex(sha256(utf8ToBytes(ID_DOMAIN + branchOf(key).normalized)).subarray(0, 8))
}

/** What `DepositWatcher`'s `keySources` option takes: this file's derivation and key ids. */
export const keySources: { derive: typeof deriveWatchAddresses; id: typeof sourceId } = Object.freeze({
  derive: deriveWatchAddresses,
  id: sourceId,
})
