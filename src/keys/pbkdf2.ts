/**
 * PBKDF2 on the runtime's native implementation, falling back to @noble/hashes' async
 * pure-JS version only where none exists:
 * 1. Node / Bun / Deno (`process.getBuiltinModule('node:crypto')`, reached without a static
 *    import so browser bundles stay clean): `pbkdf2Sync` for short runs (≤ 10,000 rounds,
 *    a BIP-39 seed blocks for ~1 ms), the thread-pool `pbkdf2` for long ones, so the event
 *    loop never waits on a KDF;
 * 2. WebCrypto `subtle.deriveBits` (browsers, workers);
 * 3. @noble/hashes `pbkdf2Async` (yields to the event loop as it runs).
 * @module
 * @internal
 */
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'

/** Hashes PBKDF2 runs on. */
export type Pbkdf2Hash = 'SHA-256' | 'SHA-512'

/** Above this many rounds, Node's PBKDF2 runs on the thread pool instead of inline. */
const SYNC_MAX_ITERATIONS = 10_000

/** The slice of node:crypto used here (typed locally: no dependency on @types/node in the output). */
interface NodeCrypto {
  pbkdf2Sync(password: Uint8Array, salt: Uint8Array, iterations: number, keylen: number, digest: string): Uint8Array
  pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, keylen: number, digest: string, done: (err: Error | null, key: Uint8Array) => void): void
}
/** The slice of WebCrypto's SubtleCrypto used here. */
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: 'PBKDF2', extractable: false, usages: ['deriveBits']): Promise<unknown>
  deriveBits(algorithm: { name: 'PBKDF2'; hash: Pbkdf2Hash; salt: Uint8Array; iterations: number }, key: unknown, length: number): Promise<ArrayBuffer>
}

/** node:crypto when the runtime has it (Node ≥ 20.16, Bun, Deno), without a static import. @internal */
export function nodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined) : undefined
  return mod && typeof mod.pbkdf2 === 'function' ? mod : undefined
}

function subtleCrypto(): Subtle | undefined {
  const c = (globalThis as { crypto?: { subtle?: Subtle } }).crypto
  return c?.subtle && typeof c.subtle.deriveBits === 'function' ? c.subtle : undefined
}

/** Derives `dkLen` bytes with PBKDF2-HMAC-`hash`, natively when the runtime can. */
export async function pbkdf2(hash: Pbkdf2Hash, password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Promise<Uint8Array> {
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
