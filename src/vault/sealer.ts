/**
 * Sealers: authenticated encryption of records at rest (the audit journal, wallet state) under
 * a key that stays inside the vault. A vault hands out one per purpose (`vault.sealer('journal')`):
 * its key is HKDF-SHA256 of the vault's 32-byte data key with the purpose as info, so records of
 * one purpose cannot be passed off as another's, and changing the password changes nothing here.
 * A sealer stops working (VaultLockedError) once its vault locks.
 *
 * Sealed form: 12-byte random IV ‖ AES-256-GCM ciphertext and tag; `aad` is authenticated, not
 * stored (the caller binds each record to its place, e.g. its sequence number).
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { assertBytes, assertString } from '../core/assert.js'
import { InvalidArgumentError, VaultFormatError } from '../core/errors.js'
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes } from './crypto.js'

/** Seals and opens records with a key the caller never sees. */
export interface Sealer {
  /** Encrypts and authenticates `plaintext` (with `aad`); returns IV ‖ ciphertext ‖ tag. */
  seal(plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>
  /** Opens what `seal` made with the same `aad`. @throws VaultFormatError when it was altered */
  open(sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>
}

const PURPOSE = /^[a-z0-9][a-z0-9-]{0,63}$/
const NO_AAD = new Uint8Array(0)

/** The purpose key for `purpose` from a vault data key. @internal */
function purposeKey(dataKey: Uint8Array, purpose: string): Uint8Array {
  return hkdf(sha256, dataKey, undefined, new TextEncoder().encode(`coffer-sealer:${purpose}`), 32)
}

/** Checks a purpose name: lower-case letters, digits and dashes. @internal */
export function checkPurpose(purpose: unknown): string {
  const p = assertString(purpose, 'purpose', 64)
  if (!PURPOSE.test(p)) throw new InvalidArgumentError('A sealer purpose is 1-64 lower-case letters, digits and dashes.')
  return p
}

/**
 * A sealer over a key that `withKey` lends for each operation (the vault lends its data key
 * and refuses once locked). @internal
 */
export function sealerFrom(purpose: string, withKey: <T>(use: (key: Uint8Array) => Promise<T>) => Promise<T>): Sealer {
  const run = <T>(use: (key: Uint8Array) => Promise<T>) =>
    withKey(async (dataKey) => {
      const key = purposeKey(dataKey, purpose)
      try {
        return await use(key)
      } finally {
        key.fill(0)
      }
    })
  return Object.freeze({
    seal(plaintext: Uint8Array, aad: Uint8Array = NO_AAD) {
      assertBytes(plaintext, 'plaintext')
      assertBytes(aad, 'aad')
      return run(async (key) => {
        const iv = randomBytes(12)
        const body = await aesGcmEncrypt(key, iv, plaintext, aad)
        const out = new Uint8Array(12 + body.length)
        out.set(iv)
        out.set(body, 12)
        return out
      })
    },
    open(sealed: Uint8Array, aad: Uint8Array = NO_AAD) {
      assertBytes(sealed, 'sealed')
      assertBytes(aad, 'aad')
      if (sealed.length < 12 + 16) return Promise.reject(new VaultFormatError('A sealed record is at least 28 bytes (IV and tag).'))
      return run(async (key) => {
        try {
          return await aesGcmDecrypt(key, sealed.subarray(0, 12), sealed.subarray(12), aad)
        } catch (cause) {
          throw new VaultFormatError(
            'A sealed record failed authentication: it was altered, moved, or sealed for another purpose or vault.',
            { cause },
          )
        }
      })
    },
  })
}
