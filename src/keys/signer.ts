/**
 * The Signer capability: a public key, an address, and functions that sign with a private
 * key the signer never reveals. Chain adapters receive Signers, never key bytes, so a vault,
 * a hardware wallet or a remote KMS can stand behind the same shape.
 *
 * A signer made here holds its key in a {@link KeyHandle}; once the handle is revoked (the
 * vault locked, the secret was removed) every call throws the handle's error and the key
 * bytes are zero. By default each signature is verified before it is returned.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToNumberBE, bytesToNumberLE, equalBytes, numberToBytesBE } from '@noble/curves/abstract/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { assertBytes } from '../core/assert.js'
import { InvalidArgumentError, KeyWipedError, type CofferError } from '../core/errors.js'
import type { ChainKind } from './account.js'
import type { BitcoinAddressType, BitcoinNetwork } from './address/bitcoin.js'
import { REDACTED, redacted } from './redact.js'
import { fingerprint, makeSecp256k1Signer, publicView, verificationFailed, type SchnorrSigning } from './secp256k1-signer.js'

const N = secp256k1.CURVE.n

/** A recoverable ECDSA signature over secp256k1 (low-s, RFC 6979). */
export interface EcdsaSignature {
  readonly r: bigint
  readonly s: bigint
  /** Parity of R's y coordinate: Ethereum's yParity / v − 27. */
  readonly recovery: 0 | 1
}

/** Options of {@link Secp256k1Signer.signSchnorr}. */
export interface SchnorrOptions {
  /**
   * BIP-341 tweak. Undefined: the signer's default (BIP-86 key-path tweak for P2TR signers,
   * none otherwise). `null`: sign with the untweaked key. 32 bytes: a script-tree Merkle root.
   */
  tweak?: Uint8Array | null
}

interface SignerCommon {
  readonly chain: ChainKind
  readonly address: string
  /** Derivation path, when the key came from a seed. */
  readonly path: string | undefined
}

/** A secp256k1 signer (EVM, Bitcoin, Tron). */
export interface Secp256k1Signer extends SignerCommon {
  readonly curve: 'secp256k1'
  readonly chain: 'evm' | 'bitcoin' | 'tron'
  /** 33-byte compressed public key. */
  readonly publicKey: Uint8Array
  readonly addressType?: BitcoinAddressType
  readonly network?: BitcoinNetwork
  /** ECDSA over a 32-byte digest: RFC 6979 nonces, low-s, with the recovery bit. No hashing here. */
  signDigest(digest: Uint8Array): Promise<EcdsaSignature>
  /** BIP-340 Schnorr over a 32-byte message, tweaked per {@link SchnorrOptions}. Returns 64 bytes. */
  signSchnorr(message: Uint8Array, options?: SchnorrOptions): Promise<Uint8Array>
}

/** An ed25519 signer (Solana). */
export interface Ed25519Signer extends SignerCommon {
  readonly curve: 'ed25519'
  readonly chain: 'solana'
  /** 32-byte public key. */
  readonly publicKey: Uint8Array
  /** RFC 8032 ed25519 over the message bytes. Returns 64 bytes. */
  signMessage(message: Uint8Array): Promise<Uint8Array>
}

/** Any signer coffer hands to a chain adapter. */
export type Signer = Secp256k1Signer | Ed25519Signer

/**
 * A signer for a whole HD account (UTXO chains spend from many addresses of one account):
 * public facts of the account node, and a signer for each child key below it. The account's
 * private key stays behind it like a Signer's does.
 */
export interface AccountSigner {
  readonly kind: 'account'
  readonly curve: 'secp256k1'
  readonly chain: 'bitcoin'
  readonly addressType: BitcoinAddressType
  readonly network: BitcoinNetwork
  /** Path of the account node, e.g. `m/84'/0'/0'`. */
  readonly accountPath: string
  /** Account-level extended public key (plain xpub / tpub version bytes). */
  readonly accountXpub: string
  /** First 4 bytes of hash160(master public key), as PSBT key origins use. */
  readonly masterFingerprint: number
  /** An output descriptor naming the account (`wpkh([fp/84'/0'/0']xpub…/<0;1>/*)#checksum`). */
  readonly descriptor: string
  /** A signer for the key at `<change>/<index>` below the account. */
  child(change: 0 | 1, index: number): Secp256k1Signer
}

/**
 * A private key lent to signers until revoked. Revoking zeroes the bytes; later use throws
 * the error `revokedError()` makes (the vault passes one that says it is locked).
 */
export class KeyHandle {
  #key: Uint8Array | undefined
  readonly #revokedError: () => CofferError

  constructor(key: Uint8Array, revokedError: () => CofferError = () => new KeyWipedError()) {
    this.#key = key
    this.#revokedError = revokedError
  }

  /** True once {@link revoke} ran. */
  get revoked(): boolean {
    return this.#key === undefined
  }

  /** Runs `fn` with the key bytes (never store them). @throws the revoked error */
  use<T>(fn: (key: Uint8Array) => T): T {
    if (!this.#key) throw this.#revokedError()
    return fn(this.#key)
  }

  /** Zeroes the key and refuses all further use. */
  revoke(): void {
    this.#key?.fill(0)
    this.#key = undefined
  }

  /** Prints `[redacted]`. */
  toJSON(): string {
    return REDACTED
  }
}

/** Public facts a signer is created with. */
export interface SignerInfo {
  chain: ChainKind
  address: string
  publicKey: Uint8Array
  path?: string
  addressType?: BitcoinAddressType
  network?: BitcoinNetwork
}

/** Options for the signers made here. */
export interface SignerOptions {
  /**
   * Verify every signature before returning it (default true): ECDSA by recomputing R from
   * the key (one base-point multiplication), Schnorr and ed25519 by their full verify.
   * Turn off only for measured hot paths.
   */
  verify?: boolean
  /** Called on every use (the vault resets its auto-lock timer). */
  onUse?: () => void
}

/** BIP-341 tweak of an x-only key with an optional Merkle root. */
function tapTweak(xOnly: Uint8Array, merkleRoot: Uint8Array | undefined): bigint {
  const t = bytesToNumberBE(
    merkleRoot ? schnorr.utils.taggedHash('TapTweak', xOnly, merkleRoot) : schnorr.utils.taggedHash('TapTweak', xOnly),
  )
  if (t >= N) throw new InvalidArgumentError('Taproot tweak is out of range for this key.')
  return t
}

/** The secret key that signs for the (optionally tweaked) x-only key, with BIP-340 parity rules. */
function schnorrKey(privateKey: Uint8Array, tweak: Uint8Array | null | undefined): Uint8Array {
  const point = secp256k1.ProjectivePoint.fromPrivateKey(privateKey)
  let d = bytesToNumberBE(privateKey)
  if (!point.hasEvenY()) d = N - d
  if (tweak === null || tweak === undefined) return numberToBytesBE(d, 32)
  const xOnly = point.toRawBytes(true).subarray(1)
  return numberToBytesBE((d + tapTweak(xOnly, tweak.length === 0 ? undefined : tweak)) % N, 32)
}

/**
 * Checks an ed25519 signature (R, S) made with seed `key`, at the cost of one base-point
 * multiplication instead of a full verify's double-scalar one: with the key's scalar a and
 * k = SHA-512(R ‖ A ‖ M) mod L, a valid signature has S = r + k·a with R = r·B, so recompute
 * (S − k·a)·B and compare it with R. With A = a·B (checked when the signer was made) this is
 * RFC 8032's verification equation S·B = R + k·A.
 * @internal
 */
export function ed25519SelfCheck(key: Uint8Array, publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false
  const L = ed25519.CURVE.n
  const s = bytesToNumberLE(sig.subarray(32))
  if (s >= L) return false
  let R: ReturnType<typeof ed25519.ExtendedPoint.fromHex>
  try {
    R = ed25519.ExtendedPoint.fromHex(sig.subarray(0, 32))
  } catch {
    return false
  }
  const head = sha512(key).subarray(0, 32)
  head[0]! &= 248
  head[31]! &= 127
  head[31]! |= 64
  const a = bytesToNumberLE(head) % L
  head.fill(0)
  const k = bytesToNumberLE(sha512(concatBytes(sig.subarray(0, 32), publicKey, message))) % L
  const r = (((s - k * a) % L) + L) % L
  return r !== 0n && ed25519.ExtendedPoint.BASE.multiply(r).equals(R)
}

/**
 * BIP-340 signing as secp256k1 signers made here do it: the key negated for an odd-y point,
 * tweaked per {@link SchnorrOptions}, the signature verified against the (tweaked) public key
 * unless `verify` is false. @internal
 */
const schnorrSigning: SchnorrSigning = (key, message, tweak, verify) => {
  const k = schnorrKey(key, tweak)
  let sig: Uint8Array
  let pub: Uint8Array
  try {
    sig = schnorr.sign(message, k)
    pub = schnorr.getPublicKey(k)
  } finally {
    k.fill(0)
  }
  if (verify && !schnorr.verify(sig, message, pub)) verificationFailed('Schnorr')
  return sig
}

/** Makes a secp256k1 signer over `handle` (ECDSA and BIP-340 Schnorr). @internal (the vault makes signers) */
export function createSecp256k1Signer(handle: KeyHandle, info: SignerInfo, options: SignerOptions = {}): Secp256k1Signer {
  return makeSecp256k1Signer(handle, info, { ...options, schnorr: schnorrSigning })
}

/** Makes an ed25519 signer over `handle`. @internal (the vault makes signers) */
export function createEd25519Signer(handle: KeyHandle, info: SignerInfo, options: SignerOptions = {}): Ed25519Signer {
  const verify = options.verify ?? true
  const publicKey = info.publicKey.slice()
  // The key must be the one behind publicKey (what makes the self-check a verification); its fingerprint then catches later corruption.
  const keyPrint = handle.use((key) => {
    if (verify && !equalBytes(ed25519.getPublicKey(key), publicKey)) verificationFailed('key')
    return fingerprint(key)
  })
  const signer = {
    curve: 'ed25519' as const,
    chain: 'solana' as const,
    address: info.address,
    publicKey,
    path: info.path,
    async signMessage(message: Uint8Array): Promise<Uint8Array> {
      assertBytes(message, 'message')
      options.onUse?.()
      return handle.use((key) => {
        const sig = ed25519.sign(message, key)
        if (verify && (fingerprint(key) !== keyPrint || !ed25519SelfCheck(key, publicKey, message, sig))) verificationFailed('ed25519')
        return sig
      })
    },
  }
  return redacted(signer, 'Signer', () => publicView(signer))
}
