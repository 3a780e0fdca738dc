/**
 * BIP-32 hierarchical deterministic keys over secp256k1, on @scure/bip32.
 *
 * {@link HDNode} wraps @scure/bip32's `HDKey` and never hands it out: `HDKey.toJSON()`
 * returns the xprv, so a logged HDKey leaks the wallet. An HDNode prints as
 * `[redacted]`; its private key leaves only through {@link HDNode.toXprv} and
 * {@link HDNode.exportPrivateKey}.
 * @module
 */
import { HDKey } from '@scure/bip32'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { createBase58check } from '@scure/base'
import { assertOptions, assertOneOf, describe } from '../core/assert.js'
import { InvalidExtendedKeyError, InvalidPathError, InvalidSeedError, KeyWipedError } from '../core/errors.js'
import { assertSeed } from './bip32-private.js'
import { HARDENED_OFFSET, MAX_DEPTH, formatPath, parsePath } from './path.js'
import { INSPECT, REDACTED } from './redact.js'

const base58check = createBase58check(sha256)
const MASTER_SECRET = new TextEncoder().encode('Bitcoin seed')

/** The 4-byte version prefixes of an extended key pair (private and public). */
export interface ExtendedKeyVersions {
  readonly private: number
  readonly public: number
}

/**
 * Known version prefixes: BIP-32 (xpub/tpub) and SLIP-132 (ypub/upub for BIP-49,
 * zpub/vpub for BIP-84). Keys with any of these parse; a node keeps the family it came in.
 */
export const EXTENDED_KEY_VERSIONS = {
  xpub: { private: 0x0488ade4, public: 0x0488b21e },
  tpub: { private: 0x04358394, public: 0x043587cf },
  ypub: { private: 0x049d7878, public: 0x049d7cb2 },
  upub: { private: 0x044a4e28, public: 0x044a5262 },
  zpub: { private: 0x04b2430c, public: 0x04b24746 },
  vpub: { private: 0x045f18bc, public: 0x045f1cf6 },
} as const satisfies Record<string, ExtendedKeyVersions>

/** Name of an extended-key version family. */
export type ExtendedKeyFormat = keyof typeof EXTENDED_KEY_VERSIONS
const FORMATS = Object.keys(EXTENDED_KEY_VERSIONS) as ExtendedKeyFormat[]

/** Options of {@link HDNode.fromSeed}. */
export interface HDNodeFromSeedOptions {
  /** Version family its xpub/xprv are written in. Default `'xpub'`; `'tpub'` for test networks. */
  format?: ExtendedKeyFormat
}

/** The master HDKey of a seed; the HMAC output holding the key is zeroed. @internal */
export function masterKey(seed: Uint8Array, versions: ExtendedKeyVersions = EXTENDED_KEY_VERSIONS.xpub): HDKey {
  const I = hmac(sha512, MASTER_SECRET, assertSeed(seed))
  try {
    return new HDKey({ versions, privateKey: I.subarray(0, 32), chainCode: I.slice(32) })
  } catch (cause) {
    throw new InvalidSeedError('This seed gives an invalid BIP-32 master key (probability 2^-127); use another seed.', { cause })
  } finally {
    I.fill(0)
  }
}

function decodeExtendedKey(xkey: unknown): HDKey {
  const bad = (problem: string, cause?: unknown): never => {
    throw new InvalidExtendedKeyError(`Invalid extended key: ${problem}.`, { cause })
  }
  if (typeof xkey !== 'string') return bad(`expected a string, got ${describe(xkey)}`)
  if (xkey.length < 100 || xkey.length > 120) return bad('wrong length for a base58check extended key')
  let bytes: Uint8Array
  try {
    bytes = base58check.decode(xkey)
  } catch {
    return bad('not base58 or the checksum does not match')
  }
  if (bytes.length !== 78) return bad(`expected 78 bytes, got ${bytes.length}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(0)
  const format = FORMATS.find((f) => EXTENDED_KEY_VERSIONS[f].public === version || EXTENDED_KEY_VERSIONS[f].private === version)
  if (!format) return bad(`unknown version 0x${version.toString(16).padStart(8, '0')}`)
  const versions = EXTENDED_KEY_VERSIONS[format]
  const isPrivate = version === versions.private
  const depth = bytes[4] as number
  const parentFingerprint = view.getUint32(5)
  const index = view.getUint32(9)
  const chainCode = bytes.slice(13, 45)
  const key = bytes.slice(45)
  if (depth === 0 && (parentFingerprint !== 0 || index !== 0)) return bad('depth 0 with a non-zero parent fingerprint or index')
  if (isPrivate && key[0] !== 0) return bad('a private version with public key data (or a bad private key prefix)')
  if (!isPrivate && key[0] !== 2 && key[0] !== 3) return bad('a public version with private key data (or a bad public key prefix)')
  try {
    return isPrivate
      ? new HDKey({ versions, depth, parentFingerprint, index, chainCode, privateKey: key.subarray(1) })
      : new HDKey({ versions, depth, parentFingerprint, index, chainCode, publicKey: key })
  } catch (cause) {
    return bad(isPrivate ? 'the private key is not in 1..n-1' : 'the public key is not a point on secp256k1', cause)
  } finally {
    key.fill(0)
    bytes.fill(0)
  }
}

/** A BIP-32 secp256k1 node. Prints as `[redacted]`; see {@link HDNode.toXprv} for explicit export. */
export class HDNode {
  readonly #key: HDKey
  #wiped = false

  private constructor(key: HDKey) {
    this.#key = key
  }

  /** The root node of a 16-to-64-byte seed (BIP-32 master key generation). @throws InvalidSeedError */
  static fromSeed(seed: Uint8Array, options?: HDNodeFromSeedOptions): HDNode {
    const format = assertOneOf(assertOptions(options).format ?? 'xpub', 'format', FORMATS)
    return new HDNode(masterKey(seed, EXTENDED_KEY_VERSIONS[format]))
  }

  /**
   * Parses an xpub/xprv (or tpub, ypub, zpub, upub, vpub and their private forms).
   * Rejects every key of BIP-32 test vector 5. @throws InvalidExtendedKeyError
   */
  static fromExtendedKey(xkey: string): HDNode {
    return new HDNode(decodeExtendedKey(xkey))
  }

  /** Depth in the tree: 0 for the root. */
  get depth(): number {
    return this.#key.depth
  }
  /** This node's child index (hardened indices include 2^31). */
  get index(): number {
    return this.#key.index
  }
  /** First 4 bytes of the parent's hash160, as a number (0 for the root). */
  get parentFingerprint(): number {
    return this.#key.parentFingerprint
  }
  /** First 4 bytes of hash160(publicKey), as a number. */
  get fingerprint(): number {
    return this.#key.fingerprint
  }
  /** The 33-byte compressed public key (a copy). */
  get publicKey(): Uint8Array {
    return (this.#key.publicKey as Uint8Array).slice()
  }
  /** The 32-byte chain code (a copy). With the public key it makes the xpub. */
  get chainCode(): Uint8Array {
    return (this.#key.chainCode as Uint8Array).slice()
  }
  /** True while this node holds a private key (not public-only, not wiped). */
  get hasPrivateKey(): boolean {
    return !this.#wiped && this.#key.privateKey !== null
  }
  /** The extended public key in this node's version family (xpub, tpub, zpub, …). */
  get xpub(): string {
    return this.#key.publicExtendedKey
  }

  /** The extended public key written with another version family (e.g. a zpub as plain xpub). */
  xpubAs(format: ExtendedKeyFormat): string {
    const version = EXTENDED_KEY_VERSIONS[assertOneOf(format, 'format', FORMATS)].public
    const out = new Uint8Array(78)
    const view = new DataView(out.buffer)
    view.setUint32(0, version)
    out[4] = this.depth
    view.setUint32(5, this.parentFingerprint)
    view.setUint32(9, this.index)
    out.set(this.#key.chainCode as Uint8Array, 13)
    out.set(this.#key.publicKey as Uint8Array, 45)
    return base58check.encode(out)
  }

  /** The extended private key. Explicit secret export: handle with care. @throws KeyWipedError */
  toXprv(): string {
    this.#requirePrivate('export an xprv')
    return this.#key.privateExtendedKey
  }

  /** A copy of the 32-byte private key. Explicit secret export: zero it when done. @throws KeyWipedError */
  exportPrivateKey(): Uint8Array {
    this.#requirePrivate('export a private key')
    return (this.#key.privateKey as Uint8Array).slice()
  }

  /**
   * Derives a descendant. A string path must start at `m` and is accepted only on a
   * root node (depth 0); from deeper nodes pass relative indices (`[0, 5]`), so an
   * absolute path is never silently applied twice.
   * @throws InvalidPathError, KeyWipedError
   */
  derive(path: string | readonly number[]): HDNode {
    let indices: readonly number[]
    if (typeof path === 'string') {
      indices = parsePath(path)
      if (this.depth !== 0 && indices.length > 0) {
        throw new InvalidPathError(
          `Path "${path}" is absolute (starts at m) but this node is at depth ${this.depth}; pass relative indices such as [0, 5].`,
          { details: { depth: this.depth } },
        )
      }
    } else {
      formatPath(path as number[]) // validates every index
      indices = path
    }
    if (this.depth + indices.length > MAX_DEPTH) {
      throw new InvalidPathError(`Deriving ${indices.length} more levels would pass depth ${MAX_DEPTH}.`)
    }
    let key = this.#key
    for (const index of indices) key = this.#child(key, index)
    return new HDNode(key)
  }

  /** Derives one child (add 2^31 or use `harden()` for hardened). @throws InvalidPathError, KeyWipedError */
  deriveChild(index: number): HDNode {
    return this.derive([index])
  }

  /** A public-only copy of this node (same xpub, no private key). */
  neuter(): HDNode {
    return HDNode.fromExtendedKey(this.xpub)
  }

  /** Zeroes the private key. Public derivation still works; private use throws {@link KeyWipedError}. */
  wipe(): void {
    this.#key.wipePrivateData()
    this.#wiped = true
  }

  #requirePrivate(action: string): void {
    if (this.#wiped) throw new KeyWipedError(`Cannot ${action}: this HDNode was wiped.`)
    if (this.#key.privateKey === null) {
      throw new KeyWipedError(`Cannot ${action}: this HDNode is public-only (made from an xpub).`)
    }
  }

  #child(key: HDKey, index: number): HDKey {
    if (index >= HARDENED_OFFSET && key.privateKey === null) {
      throw new InvalidPathError(
        this.#wiped ? 'Cannot derive a hardened child: this HDNode was wiped.' : 'Cannot derive a hardened child from a public-only node.',
        { details: { index } },
      )
    }
    return key.deriveChild(index)
  }

  /** Public, non-identifying facts only. */
  toJSON(): Record<string, unknown> {
    return { type: 'HDNode', depth: this.depth, hasPrivateKey: this.hasPrivateKey, key: REDACTED }
  }
  /** `HDNode [redacted]`. */
  toString(): string {
    return `HDNode(depth ${this.depth}) ${REDACTED}`
  }
}

// util.inspect / console.log show the redacted form (defined outside the class so no symbol leaks into the types).
Object.defineProperty(HDNode.prototype, INSPECT, {
  value(this: HDNode) {
    return this.toString()
  },
})
