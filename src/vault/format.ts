/**
 * The vault file: versioned JSON, documented in docs/vault-format.md.
 *
 *   { "format": "coffer-vault", "version": 1,
 *     "kdf": { "name": "scrypt", "salt": b64, "N": 131072, "r": 8, "p": 1, "dkLen": 32 },
 *     "cipher": { "name": "aes-256-gcm", "iv": b64 },
 *     "ciphertext": b64 }      ← AES-256-GCM output, 16-byte tag last
 *
 * Everything but the ciphertext is the header, and the header's canonical JSON is the GCM
 * associated data: changing any parameter, salt or IV makes decryption fail. Parsing is
 * strict — unknown fields, non-canonical base64 and out-of-bounds parameters are refused —
 * so no edit to the file can slip through unauthenticated.
 * @module
 */
import { base64 } from '@scure/base'
import { UnsupportedKdfError, UnsupportedVersionError, VaultFormatError } from '../core/errors.js'
import { checkStoredKdf, type Kdf } from './kdf.js'

/** The `format` marker of a coffer vault file. */
export const VAULT_FORMAT = 'coffer-vault'
/** The version this coffer writes. */
export const VAULT_VERSION = 1
/** Largest vault file read (a vault with thousands of secrets is still far below). */
const MAX_FILE_LENGTH = 16 * 1024 * 1024

/** A parsed vault file. */
export interface VaultFile {
  readonly format: typeof VAULT_FORMAT
  readonly version: typeof VAULT_VERSION
  readonly kdf: Kdf
  readonly cipher: { readonly name: 'aes-256-gcm'; readonly iv: Uint8Array }
  readonly ciphertext: Uint8Array
}

type Json = Record<string, unknown>

function fail(message: string): never {
  throw new VaultFormatError(`Not a valid coffer vault: ${message}.`)
}

function object(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} must be an object`)
  return value as Json
}

function onlyKeys(value: Json, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k))
  if (extra.length) fail(`${where} has unknown field ${JSON.stringify(extra[0])}`)
}

function bytes(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string') fail(`${where} must be a base64 string`)
  try {
    return base64.decode(value)
  } catch {
    return fail(`${where} is not canonical base64`)
  }
}

function parseKdf(value: unknown): Kdf {
  const kdf = object(value, 'kdf')
  if (kdf.name === 'scrypt') {
    onlyKeys(kdf, ['name', 'salt', 'N', 'r', 'p', 'dkLen'], 'kdf')
    if (kdf.dkLen !== 32) fail('kdf.dkLen must be 32')
    return checkStoredKdf({
      name: 'scrypt',
      salt: bytes(kdf.salt, 'kdf.salt'),
      N: kdf.N as number,
      r: kdf.r as number,
      p: kdf.p as number,
      dkLen: 32,
    })
  }
  if (kdf.name === 'pbkdf2-sha256') {
    onlyKeys(kdf, ['name', 'salt', 'iterations', 'dkLen'], 'kdf')
    if (kdf.dkLen !== 32) fail('kdf.dkLen must be 32')
    return checkStoredKdf({ name: 'pbkdf2-sha256', salt: bytes(kdf.salt, 'kdf.salt'), iterations: kdf.iterations as number, dkLen: 32 })
  }
  throw new UnsupportedKdfError(
    `Unsupported vault KDF ${JSON.stringify(String(kdf.name)).slice(0, 40)}; coffer reads scrypt and pbkdf2-sha256.`,
  )
}

/**
 * Brings an older file's JSON up to the current version. Version 1 is the first; future
 * versions add steps here, so every vault ever written stays readable.
 */
function migrate(json: Json): Json {
  const version = json.version
  if (version === VAULT_VERSION) return json
  if (typeof version === 'number' && Number.isInteger(version) && version > VAULT_VERSION) {
    throw new UnsupportedVersionError(
      `This vault is version ${version}, written by a newer coffer; this one reads up to version ${VAULT_VERSION}.`,
    )
  }
  throw new UnsupportedVersionError(`Unknown vault version ${JSON.stringify(version)?.slice(0, 20) ?? 'undefined'}.`)
}

/** Parses and checks a stored vault. @throws VaultFormatError, UnsupportedVersionError, UnsupportedKdfError */
export function parseVaultFile(text: string): VaultFile {
  if (typeof text !== 'string' || text.length > MAX_FILE_LENGTH) fail('expected vault JSON text')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    fail('the file is not JSON')
  }
  const json = object(raw, 'the file')
  if (json.format !== VAULT_FORMAT) fail(`format must be "${VAULT_FORMAT}"`)
  const current = migrate(json)
  onlyKeys(current, ['format', 'version', 'kdf', 'cipher', 'ciphertext'], 'the file')
  const kdf = parseKdf(current.kdf)
  const cipher = object(current.cipher, 'cipher')
  onlyKeys(cipher, ['name', 'iv'], 'cipher')
  if (cipher.name !== 'aes-256-gcm') {
    throw new UnsupportedKdfError(`Unsupported vault cipher ${JSON.stringify(String(cipher.name)).slice(0, 40)}; coffer reads aes-256-gcm.`)
  }
  const iv = bytes(cipher.iv, 'cipher.iv')
  if (iv.length !== 12) fail('cipher.iv must be 12 bytes')
  const ciphertext = bytes(current.ciphertext, 'ciphertext')
  if (ciphertext.length < 16 + 8) fail('ciphertext is too short')
  return { format: VAULT_FORMAT, version: VAULT_VERSION, kdf, cipher: { name: 'aes-256-gcm', iv }, ciphertext }
}

function kdfJson(kdf: Kdf): Json {
  return kdf.name === 'scrypt'
    ? { name: kdf.name, salt: base64.encode(kdf.salt), N: kdf.N, r: kdf.r, p: kdf.p, dkLen: kdf.dkLen }
    : { name: kdf.name, salt: base64.encode(kdf.salt), iterations: kdf.iterations, dkLen: kdf.dkLen }
}

function headerJson(file: Omit<VaultFile, 'ciphertext'>): Json {
  return {
    format: file.format,
    version: file.version,
    kdf: kdfJson(file.kdf),
    cipher: { name: file.cipher.name, iv: base64.encode(file.cipher.iv) },
  }
}

/** The GCM associated data: the header's canonical JSON (fixed key order, no whitespace), UTF-8. */
export function headerAad(file: Omit<VaultFile, 'ciphertext'>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(headerJson(file)))
}

/** Serialises a vault file (pretty-printed; whitespace is not authenticated and does not matter). */
export function serializeVaultFile(file: VaultFile): string {
  return `${JSON.stringify({ ...headerJson(file), ciphertext: base64.encode(file.ciphertext) }, null, 2)}\n`
}
