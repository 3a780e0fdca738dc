/**
 * Password-based key derivation for the vault: parameters, their floors and ceilings, and
 * derivation. Default scrypt N=2^17, r=8, p=1 (OWASP's recommendation); the alternative is
 * PBKDF2-HMAC-SHA256 with at least 600,000 iterations.
 *
 * The scrypt floor is OWASP's work factor, N·r·p ≥ 2^17·8 (so N=2^16 with p=2, or N=2^14 with
 * r=8, p=8, are as acceptable as the default); ceilings keep a hostile file from making
 * unlock allocate gigabytes or run for minutes.
 * @module
 */
import { assertOneOf, describe, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, VaultFormatError } from '../core/errors.js'
import { pbkdf2Sha256, scrypt } from './crypto.js'

/** scrypt as stored in a vault. */
export interface ScryptKdf {
  readonly name: 'scrypt'
  readonly salt: Uint8Array
  readonly N: number
  readonly r: number
  readonly p: number
  readonly dkLen: 32
}
/** PBKDF2-HMAC-SHA256 as stored in a vault. */
export interface Pbkdf2Kdf {
  readonly name: 'pbkdf2-sha256'
  readonly salt: Uint8Array
  readonly iterations: number
  readonly dkLen: 32
}
/** Any vault KDF with its parameters. */
export type Kdf = ScryptKdf | Pbkdf2Kdf

/** KDF choice when creating a vault or changing its password; omitted numbers take the defaults. */
export type KdfOptions = { name: 'scrypt'; N?: number; r?: number; p?: number } | { name: 'pbkdf2-sha256'; iterations?: number }

/** The default: scrypt N=2^17, r=8, p=1. */
export const DEFAULT_KDF = Object.freeze({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const)
/** Default PBKDF2 iteration count (OWASP 2023 for PBKDF2-HMAC-SHA256). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000

/** Limits a vault's KDF must respect, on write and on read. */
export const KDF_LIMITS = Object.freeze({
  scryptMinWork: 2 ** 17 * 8,
  scryptMaxN: 2 ** 20,
  scryptMaxR: 32,
  scryptMaxP: 16,
  scryptMaxMemory: 2 ** 30,
  pbkdf2MinIterations: 600_000,
  pbkdf2MaxIterations: 10_000_000,
  saltMin: 16,
  saltMax: 64,
})

const SALT_LENGTH = 32

/**
 * Returns the problem with these parameters, or undefined if they are within bounds.
 * Used on read (→ VaultFormatError) and on write (→ InvalidArgumentError).
 */
function kdfProblem(kdf: { name: string } & Record<string, unknown>): string | undefined {
  if (kdf.name === 'scrypt') {
    const { N, r, p } = kdf
    if (!isIntegerIn(N, 2, KDF_LIMITS.scryptMaxN) || (N & (N - 1)) !== 0)
      return `scrypt N must be a power of two up to 2^20, got ${String(N)}`
    if (!isIntegerIn(r, 1, KDF_LIMITS.scryptMaxR)) return `scrypt r must be 1 to ${KDF_LIMITS.scryptMaxR}, got ${String(r)}`
    if (!isIntegerIn(p, 1, KDF_LIMITS.scryptMaxP)) return `scrypt p must be 1 to ${KDF_LIMITS.scryptMaxP}, got ${String(p)}`
    if (128 * N * r > KDF_LIMITS.scryptMaxMemory) return 'scrypt N·r would need more than 1 GiB of memory'
    if (N * r * p < KDF_LIMITS.scryptMinWork) return 'scrypt N·r·p is below the floor of 2^17·8 (OWASP)'
    return undefined
  }
  if (kdf.name === 'pbkdf2-sha256') {
    const { iterations } = kdf
    if (!isIntegerIn(iterations, KDF_LIMITS.pbkdf2MinIterations, KDF_LIMITS.pbkdf2MaxIterations)) {
      return `PBKDF2 iterations must be ${KDF_LIMITS.pbkdf2MinIterations.toLocaleString('en-US')} to ${KDF_LIMITS.pbkdf2MaxIterations.toLocaleString('en-US')}, got ${String(iterations)}`
    }
    return undefined
  }
  return `unknown KDF ${JSON.stringify(String(kdf.name)).slice(0, 40)}`
}

/** Fresh KDF parameters (new random salt) from the caller's options. @throws InvalidArgumentError */
export function newKdf(options: KdfOptions | undefined, salt: Uint8Array): Kdf {
  if (salt.length !== SALT_LENGTH) throw new InvalidArgumentError('salt must be 32 bytes.')
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(`kdf must be an object like { name: 'scrypt' }, got ${describe(options)}.`)
  }
  const name = assertOneOf(options?.name ?? 'scrypt', 'kdf.name', ['scrypt', 'pbkdf2-sha256'])
  const kdf: Kdf =
    name === 'scrypt'
      ? {
          name,
          salt,
          N: (options as { N?: number } | undefined)?.N ?? DEFAULT_KDF.N,
          r: (options as { r?: number } | undefined)?.r ?? DEFAULT_KDF.r,
          p: (options as { p?: number } | undefined)?.p ?? DEFAULT_KDF.p,
          dkLen: 32,
        }
      : { name, salt, iterations: (options as { iterations?: number } | undefined)?.iterations ?? DEFAULT_PBKDF2_ITERATIONS, dkLen: 32 }
  const problem = kdfProblem(kdf as unknown as { name: string } & Record<string, unknown>)
  if (problem) throw new InvalidArgumentError(`Unsafe KDF parameters: ${problem}.`)
  return kdf
}

/** Checks stored KDF parameters. @throws VaultFormatError */
export function checkStoredKdf(kdf: Kdf): Kdf {
  if (kdf.salt.length < KDF_LIMITS.saltMin || kdf.salt.length > KDF_LIMITS.saltMax) {
    throw new VaultFormatError(`Vault KDF salt must be ${KDF_LIMITS.saltMin} to ${KDF_LIMITS.saltMax} bytes.`)
  }
  const problem = kdfProblem(kdf as unknown as { name: string } & Record<string, unknown>)
  if (problem) throw new VaultFormatError(`Vault KDF parameters refused: ${problem}.`)
  return kdf
}

/** The 32-byte key the password gives under `kdf` (native scrypt / PBKDF2 where available). */
export function deriveKey(password: Uint8Array, kdf: Kdf): Promise<Uint8Array> {
  return kdf.name === 'scrypt'
    ? scrypt(password, kdf.salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: kdf.dkLen })
    : pbkdf2Sha256(password, kdf.salt, kdf.iterations, kdf.dkLen)
}

/** A fresh copy of the parameters with a new salt (every save re-derives with a fresh salt). */
export function withSalt(kdf: Kdf, salt: Uint8Array): Kdf {
  return { ...kdf, salt }
}
