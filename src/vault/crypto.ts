/**
 * The vault's cryptography, native where the runtime has it:
 * - KDFs: scrypt (node:crypto on the thread pool; in browsers @noble/hashes in a Web Worker, see
 *   ./scrypt-worker.ts) and PBKDF2-SHA256 (node:crypto / WebCrypto / @noble/hashes);
 * - AES-256-GCM (node:crypto / WebCrypto / @noble/ciphers) and AES-128-CTR for Ethereum
 *   keystores.
 * In Node (and Bun, Deno) nothing here blocks the event loop for more than a few
 * milliseconds: scrypt and long PBKDF2 runs go to the thread pool. Browsers have no native
 * scrypt: there it runs in a one-job Web Worker started from a `blob:` URL (no bundler feature
 * needed; the page's main thread stays responsive while a scrypt vault unlocks, ~1 s at the
 * default N=2^17). Where no worker can start — no `Worker` (an extension's service worker), or a
 * Content-Security-Policy whose `worker-src` (lacking that, `child-src`, `script-src`, then
 * `default-src`) does not allow `blob:` — scrypt falls back to @noble/hashes' `scryptAsync` on
 * the calling thread, which yields only to microtasks, so the page freezes for the unlock: allow
 * `worker-src blob:`, or create such vaults with `kdf: { name: 'pbkdf2-sha256' }`, which
 * WebCrypto runs natively and off the main thread.
 * @module
 * @internal
 */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js'
import { WrongPasswordError } from '../core/errors.js'
import { pbkdf2 } from '../keys/pbkdf2.js'
import { nodeCrypto, subtleCrypto } from '../core/runtime.js'

/**
 * The pure-JS fallbacks load on first use (their own chunk in a split bundle): the scrypt worker
 * and @noble/hashes' scrypt only where scrypt runs outside Node, @noble/ciphers' AES only where
 * neither node:crypto nor WebCrypto exists. An app that unlocks a PBKDF2 vault with WebCrypto
 * loads neither.
 */
const scryptWorker = () => import('./scrypt-worker.js')
const nobleAes = () => import('@noble/ciphers/aes.js')

/** scrypt parameters (RFC 7914). */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
  readonly dkLen: number
}

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n)
}

/**
 * scrypt, natively on Node's thread pool, else in a Web Worker where one can start, else
 * @noble/hashes on the calling thread (see the module note). In Node also @noble where
 * N ≥ 2^(16·r): RFC 7914 forbids that and OpenSSL refuses it, but geth wrote such keystores (the
 * Web3 Secret Storage spec's own vector has N = 2^18, r = 1).
 */
export async function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const { N, r, p, dkLen } = params
  const node = nodeCrypto()
  if (!node) return (await scryptWorker()).scryptInWorker(password, salt, params)
  if (N >= 2 ** (16 * r)) return (await scryptWorker()).scryptOnThisThread(password, salt, params)
  const maxmem = 128 * N * r + 128 * r * p + 4 * 1024 * 1024
  return new Promise((resolve, reject) =>
    node.scrypt(password, salt, dkLen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  )
}

/** PBKDF2-HMAC-SHA256 (native where possible). */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Promise<Uint8Array> {
  return pbkdf2('SHA-256', password, salt, iterations, dkLen)
}

/**
 * AES-256-GCM encryption (also AES-128/192 by key length). Returns ciphertext ‖ 16-byte tag.
 * `iv` is 12 bytes for coffer vaults, 16 for MetaMask's.
 */
export async function aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
  const node = nodeCrypto()
  if (node) {
    const cipher = node.createCipheriv(`aes-${key.length * 8}-gcm`, key, iv, { authTagLength: 16 })
    if (aad) cipher.setAAD(aad)
    const head = cipher.update(plaintext)
    const tail = cipher.final()
    return concat(head, tail, cipher.getAuthTag())
  }
  const subtle = subtleCrypto()
  if (subtle) {
    const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt'])
    return new Uint8Array(
      await subtle.encrypt({ name: 'AES-GCM', iv, ...(aad ? { additionalData: aad } : {}), tagLength: 128 }, k, plaintext),
    )
  }
  return (await nobleAes()).gcm(key, iv, aad).encrypt(plaintext)
}

/**
 * AES-GCM decryption of ciphertext ‖ tag. A failed tag check — wrong key or modified data —
 * throws {@link WrongPasswordError}.
 */
export async function aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < 16) throw new WrongPasswordError()
  try {
    const node = nodeCrypto()
    if (node) {
      const decipher = node.createDecipheriv(`aes-${key.length * 8}-gcm`, key, iv, { authTagLength: 16 })
      if (aad) decipher.setAAD(aad)
      decipher.setAuthTag(sealed.subarray(sealed.length - 16))
      const head = decipher.update(sealed.subarray(0, sealed.length - 16))
      return concat(head, decipher.final())
    }
    const subtle = subtleCrypto()
    if (subtle) {
      const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt'])
      return new Uint8Array(
        await subtle.decrypt({ name: 'AES-GCM', iv, ...(aad ? { additionalData: aad } : {}), tagLength: 128 }, k, sealed),
      )
    }
    return (await nobleAes()).gcm(key, iv, aad).decrypt(sealed)
  } catch (cause) {
    throw new WrongPasswordError(undefined, { cause })
  }
}

/** AES-128-CTR (Ethereum keystore v3), encryption and decryption alike. */
export async function aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const node = nodeCrypto()
  if (node) {
    const cipher = node.createCipheriv('aes-128-ctr', key, iv)
    return concat(cipher.update(data), cipher.final())
  }
  const subtle = subtleCrypto()
  if (subtle) {
    const k = await subtle.importKey('raw', key, 'AES-CTR', false, ['encrypt'])
    return new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 128 }, k, data))
  }
  return (await nobleAes()).ctr(key, iv).encrypt(data)
}

/** Constant-time equality of two byte strings (length may leak, contents do not). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** Concatenates byte arrays into a fresh Uint8Array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
