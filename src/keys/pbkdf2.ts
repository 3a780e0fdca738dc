/**
 * PBKDF2 on the runtime's native implementation, falling back to @noble/hashes' async
 * pure-JS version only where none exists:
 * 1. node:crypto (Node, Bun, Deno; reached without a static import): `pbkdf2Sync` for short
 *    runs (≤ 10,000 rounds: a BIP-39 seed blocks for ~1 ms), the thread-pool `pbkdf2` for
 *    long ones, so the event loop never waits on a long KDF;
 * 2. WebCrypto `subtle.deriveBits` (browsers, workers);
 * 3. @noble/hashes `pbkdf2Async` (yields to the event loop as it runs).
 * @module
 * @internal
 */
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { nodeCrypto, subtleCrypto } from '../core/runtime.js'

/** Hashes PBKDF2 runs on. */
export type Pbkdf2Hash = 'SHA-256' | 'SHA-512'

/** Above this many rounds, Node's PBKDF2 runs on the thread pool instead of inline. */
const SYNC_MAX_ITERATIONS = 10_000

/** Derives `dkLen` bytes with PBKDF2-HMAC-`hash`, natively when the runtime can. */
export async function pbkdf2(
  hash: Pbkdf2Hash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  dkLen: number,
): Promise<Uint8Array> {
  const node = nodeCrypto()
  if (node) {
    const digest = hash === 'SHA-256' ? 'sha256' : 'sha512'
    if (iterations <= SYNC_MAX_ITERATIONS) return new Uint8Array(node.pbkdf2Sync(password, salt, iterations, dkLen, digest))
    return new Promise((resolve, reject) =>
      node.pbkdf2(password, salt, iterations, dkLen, digest, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
    )
  }
  const subtle = subtleCrypto()
  if (subtle) {
    const key = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
    return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash, salt, iterations }, key, dkLen * 8))
  }
  return pbkdf2Async(hash === 'SHA-256' ? sha256 : sha512, password, salt, { c: iterations, dkLen })
}
