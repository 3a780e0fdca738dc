/**
 * The secp256k1 signer core: ECDSA over a 32-byte digest with its self-check, and BIP-340
 * Schnorr only when the maker passes an implementation (`signer.ts` `schnorrSigning`). EVM
 * and Tron signers made from a seed (`evmSigner`, `tronSigner`) get none, so a bundle that
 * only signs EVM transactions carries no Schnorr code; their `signSchnorr` refuses with
 * NotSupportedError (neither chain signs Schnorr).
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { invert } from '@noble/curves/abstract/modular.js'
import { bytesToNumberBE } from '@noble/curves/abstract/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertBytes } from '../core/assert.js'
import { NotSupportedError, SignatureVerificationError } from '../core/errors.js'
import { REDACTED, redacted } from './redact.js'
import type { EcdsaSignature, KeyHandle, SchnorrOptions, Secp256k1Signer, SignerInfo, SignerOptions } from './signer.js'

const N = secp256k1.CURVE.n

/** Signs `message` (32 bytes) with `key` and the tweak (null: untweaked), verifying when asked. */
export type SchnorrSigning = (key: Uint8Array, message: Uint8Array, tweak: Uint8Array | null, verify: boolean) => Uint8Array

/** How a secp256k1 signer is made: the public options, plus Schnorr and a `wipe()` when wanted. */
export interface Secp256k1SignerMaking extends SignerOptions {
  /** BIP-340 signing; without it `signSchnorr` throws NotSupportedError. */
  schnorr?: SchnorrSigning
  /** Give the signer a `wipe()` that revokes its key handle (signers the caller owns). */
  wipe?: boolean
}

/**
 * Checks an ECDSA signature made with private key `d`, at the cost of one base-point
 * multiplication instead of a full verify's two: for a valid (r, s) over digest e,
 * R = s⁻¹·(e + r·d)·G, so recompute R and compare its x with r and its y parity with the
 * recovery bit. With P = d·G (checked when the signer was made, and `d` checked against its
 * fingerprint here) this is exactly ECDSA's verification equation s·R = e·G + r·P.
 *
 * What it protects against: a fault while signing — a glitch, a bit flipped in memory or a
 * register, an arithmetic bug — that yields a wrong signature. With deterministic nonces (RFC
 * 6979) a wrong signature beside a right one over the same message, or a wrong `r` used in an
 * otherwise right `s`, gives two linear equations in the nonce and the key: the key falls out
 * (fault attacks on deterministic ECDSA; Poddebniak et al., "Attacking Deterministic Signature
 * Schemes using Fault Attacks", 2018). Nothing leaves the signer unless it verifies under the
 * signer's public key. The multiplication is noble's constant-time one (k is the nonce, secret);
 * it costs ~40–45% of a signature's time, which is what self-verified signing pays (measured in
 * `npm run bench`; `verify: false` skips it). Cheaper forms measured and rejected (issue 20): a
 * full verify with a precomputed window table of P costs as much (a variable-time multiplication
 * per table, ~80 µs each here, plus inverting s); noble without the endomorphism, or wider
 * windows, saves 5–13% for megabytes of tables.
 */
function ecdsaSelfCheck(d: bigint, digest: Uint8Array, r: bigint, s: bigint, recovery: number): boolean {
  if (r <= 0n || r >= N || s <= 0n || s > N >> 1n || recovery > 1) return false
  const e = bytesToNumberBE(digest) % N
  const k = (invert(s, N) * ((e + r * d) % N)) % N
  if (k === 0n) return false
  const R = secp256k1.ProjectivePoint.BASE.multiply(k).toAffine()
  return R.x % N === r && Number(R.y & 1n) === recovery
}

/** SHA-256 of a key, kept to notice the key bytes changing under a signer. */
export function fingerprint(key: Uint8Array): string {
  return bytesToHex(sha256(key))
}

/** @throws SignatureVerificationError */
export function verificationFailed(kind: string): never {
  throw new SignatureVerificationError(`The ${kind} signature failed self-verification; nothing was returned.`)
}

/** What a signer shows when printed: public facts, the key as `[redacted]`. */
export function publicView(signer: {
  chain: string
  curve: string
  address: string
  path: string | undefined
  publicKey: Uint8Array
}): Record<string, unknown> {
  return {
    chain: signer.chain,
    curve: signer.curve,
    address: signer.address,
    path: signer.path,
    publicKey: bytesToHex(signer.publicKey),
    privateKey: REDACTED,
  }
}

/** Makes a secp256k1 signer over `handle`. */
export function makeSecp256k1Signer(
  handle: KeyHandle,
  info: SignerInfo,
  options: Secp256k1SignerMaking = {},
): Secp256k1Signer & { wipe?: () => void } {
  const verify = options.verify ?? true
  const publicKey = info.publicKey.slice()
  // The key must be the one behind publicKey; its fingerprint then catches later corruption.
  const keyPrint = handle.use((key) => {
    if (verify && !secp256k1.ProjectivePoint.fromPrivateKey(key).equals(secp256k1.ProjectivePoint.fromHex(publicKey)))
      verificationFailed('key')
    return fingerprint(key)
  })
  const defaultTweak = info.addressType === 'p2tr' ? new Uint8Array(0) : null
  const schnorrSigning = options.schnorr
  const signer = {
    curve: 'secp256k1' as const,
    chain: info.chain as Secp256k1Signer['chain'],
    address: info.address,
    publicKey,
    path: info.path,
    ...(info.addressType ? { addressType: info.addressType } : {}),
    ...(info.network ? { network: info.network } : {}),
    async signDigest(digest: Uint8Array): Promise<EcdsaSignature> {
      assertBytes(digest, 'digest', 32)
      options.onUse?.()
      const sig = handle.use((key) => {
        const signature = secp256k1.sign(digest, key, { lowS: true, prehash: false })
        if (
          verify &&
          (fingerprint(key) !== keyPrint || !ecdsaSelfCheck(bytesToNumberBE(key), digest, signature.r, signature.s, signature.recovery))
        ) {
          verificationFailed('ECDSA')
        }
        return signature
      })
      return Object.freeze({ r: sig.r, s: sig.s, recovery: sig.recovery as 0 | 1 })
    },
    async signSchnorr(message: Uint8Array, schnorrOptions: SchnorrOptions = {}): Promise<Uint8Array> {
      assertBytes(message, 'message', 32)
      const tweak = schnorrOptions.tweak === undefined ? defaultTweak : schnorrOptions.tweak
      if (tweak !== null) assertBytes(tweak, 'tweak', 0, 32)
      if (!schnorrSigning)
        throw new NotSupportedError(`This ${info.chain} signer signs ECDSA only; ${info.chain} has no Schnorr signatures.`)
      options.onUse?.()
      return handle.use((key) => schnorrSigning(key, message, tweak, verify))
    },
    ...(options.wipe ? { wipe: () => handle.revoke() } : {}),
  }
  return redacted(signer, 'Signer', () => publicView(signer))
}
