/**
 * The vault's stored text, both ways: {@link openVaultText} (parse, derive, decrypt, decode)
 * and {@link sealVaultText} (encode, encrypt under an already derived key). Shared by unlock and
 * by the compare-and-swap save, which re-opens what another process stored.
 * @module
 * @internal
 */
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes } from './crypto.js'
import { headerAad, parseVaultFile, serializeVaultFile, VAULT_FORMAT, VAULT_VERSION } from './format.js'
import { deriveKey, type Kdf } from './kdf.js'
import { decodeDataKey, decodePayload, encodePayload, secretBuffers, type Secret } from './payload.js'

/** A decrypted vault: fresh buffers the caller owns (and zeroes). */
export interface OpenedVault {
  readonly secrets: Secret[]
  /** Undefined for vaults written before data keys. */
  readonly dataKey: Uint8Array | undefined
  readonly kdf: Kdf
}

/**
 * Opens stored vault text with `password` (not consumed). One KDF run.
 * @throws VaultFormatError, UnsupportedVersionError, UnsupportedKdfError, WrongPasswordError
 */
export async function openVaultText(text: string, password: Uint8Array): Promise<OpenedVault> {
  const file = parseVaultFile(text)
  const key = await deriveKey(password, file.kdf)
  let payload: Uint8Array
  try {
    payload = await aesGcmDecrypt(key, file.cipher.iv, file.ciphertext, headerAad(file))
  } finally {
    key.fill(0)
  }
  try {
    const secrets = decodePayload(payload)
    try {
      return { secrets, dataKey: decodeDataKey(payload), kdf: file.kdf }
    } catch (error) {
      wipeSecrets(secrets)
      throw error
    }
  } finally {
    payload.fill(0)
  }
}

/** Vault text for `secrets` encrypted under `key` (derived from the password with `kdf`, whose salt is fresh), with a fresh IV. */
export async function sealVaultText(secrets: Iterable<Secret>, dataKey: Uint8Array, key: Uint8Array, kdf: Kdf): Promise<string> {
  const header = { format: VAULT_FORMAT, version: VAULT_VERSION, kdf, cipher: { name: 'aes-256-gcm', iv: randomBytes(12) } } as const
  const payload = encodePayload(secrets, dataKey)
  try {
    return serializeVaultFile({ ...header, ciphertext: await aesGcmEncrypt(key, header.cipher.iv, payload, headerAad(header)) })
  } finally {
    payload.fill(0)
  }
}

/** A deep copy of a secret (its own buffers), so zeroing one never touches the other. */
export function copySecret(secret: Secret): Secret {
  return secret.kind === 'mnemonic'
    ? { ...secret, phrase: secret.phrase.slice(), seed: secret.seed.slice() }
    : { ...secret, key: secret.key.slice() }
}

/** Zeroes every buffer of these secrets. */
export function wipeSecrets(secrets: Iterable<Secret>): void {
  for (const secret of secrets) for (const buffer of secretBuffers(secret)) buffer.fill(0)
}

/** Whether two KDFs have the same parameters (salts aside). */
export function sameKdfParams(a: Kdf, b: Kdf): boolean {
  if (a.name === 'scrypt' && b.name === 'scrypt') return a.N === b.N && a.r === b.r && a.p === b.p && a.dkLen === b.dkLen
  if (a.name === 'pbkdf2-sha256' && b.name === 'pbkdf2-sha256') return a.iterations === b.iterations && a.dkLen === b.dkLen
  return false
}
