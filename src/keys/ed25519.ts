/**
 * SLIP-10 key derivation for ed25519 (Solana and others). ed25519 has no public
 * derivation, so every segment must be hardened.
 * https://github.com/satoshilabs/slips/blob/master/slip-0010.md
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidPathError } from '../core/errors.js'
import { HARDENED_OFFSET, parsePath } from './path.js'
import { REDACTED, redacted } from './redact.js'
import { assertSeed } from './bip32-private.js'

const ED25519_SEED = new TextEncoder().encode('ed25519 seed')

/** An ed25519 key from SLIP-10. Prints with its private key and chain code redacted. */
export interface Ed25519Key {
  /** 32-byte private key (the RFC 8032 seed). */
  readonly privateKey: Uint8Array
  /** 32-byte public key. */
  readonly publicKey: Uint8Array
  /** 32-byte chain code. */
  readonly chainCode: Uint8Array
}

/** A private SLIP-10 node without its public key (computed only where needed). @internal */
export interface Slip10Node {
  key: Uint8Array
  chainCode: Uint8Array
}

/** SLIP-10 master node of a seed. @internal */
export function ed25519Master(seed: Uint8Array): Slip10Node {
  const I = hmac(sha512, ED25519_SEED, assertSeed(seed))
  return { key: I.slice(0, 32), chainCode: I.slice(32) }
}

/** One hardened SLIP-10 step: I = HMAC-SHA512(c, 0x00 || k || ser32(i)). @internal */
export function ed25519Child(parent: Slip10Node, index: number): Slip10Node {
  if (index < HARDENED_OFFSET) {
    throw new InvalidPathError("ed25519 (SLIP-10) derivation is hardened-only: mark every segment with '.", { details: { index } })
  }
  const data = new Uint8Array(37)
  data.set(parent.key, 1)
  new DataView(data.buffer).setUint32(33, index)
  const I = hmac(sha512, parent.chainCode, data)
  data.fill(0)
  return { key: I.slice(0, 32), chainCode: I.slice(32) }
}

/** Wraps a node as a public {@link Ed25519Key} that prints redacted. @internal */
export function toEd25519Key(node: Slip10Node): Ed25519Key {
  const publicKey = ed25519.getPublicKey(node.key)
  return redacted({ privateKey: node.key, publicKey, chainCode: node.chainCode }, 'Ed25519Key', () => ({
    publicKey: bytesToHex(publicKey),
    privateKey: REDACTED,
    chainCode: REDACTED,
  }))
}

/**
 * Derives an ed25519 key along a hardened-only path (SLIP-10).
 * @example deriveEd25519(seed, "m/44'/501'/0'/0'")
 * @throws InvalidSeedError, InvalidPathError (also for any non-hardened segment)
 */
export function deriveEd25519(seed: Uint8Array, path: string): Ed25519Key {
  const indices = parsePath(path)
  let node = ed25519Master(seed)
  for (const index of indices) node = ed25519Child(node, index)
  return toEd25519Key(node)
}
