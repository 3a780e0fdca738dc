/**
 * Decrypts a MetaMask *extension* vault (the `KeyringController.vault` string written by
 * `@metamask/browser-passworder`) and maps its keyrings to plain, redacted objects.
 *
 * Format: `{ data, iv, salt, keyMetadata? }`, all base64. Key = PBKDF2-HMAC-SHA256(UTF-8
 * password, base64-decoded salt, iterations, 32 bytes) — the password is not normalised;
 * iterations come from `keyMetadata.params.iterations`, else the legacy 10,000. Cipher =
 * AES-256-GCM with a 16-byte IV; `data` is ciphertext ‖ 16-byte tag. The plaintext is a JSON
 * array of `{ type, data }` keyrings.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { base64 } from '@scure/base'
import { assertString, describe, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, UnsupportedKdfError, VaultFormatError, type ErrorDetails } from '../core/errors.js'
import { validateMnemonic } from '../keys/mnemonic.js'
import { parsePath } from '../keys/path.js'
import { REDACTED, redacted } from '../keys/redact.js'
import { english } from '../keys/wordlists/english.js'
import { aesGcmDecrypt, pbkdf2Sha256 } from './crypto.js'

/** An HD keyring ("Secret Recovery Phrase"). Prints with the mnemonic redacted. */
export interface MetaMaskHdKeyring {
  readonly type: 'HD Key Tree'
  readonly supported: true
  /** The BIP-39 phrase (English), lower case, single-spaced. */
  readonly mnemonic: string
  /** How many accounts MetaMask derived (indices 0 … n-1 under `hdPath`). */
  readonly numberOfAccounts: number
  /** Parent path of the accounts; MetaMask uses `m/44'/60'/0'/0`. */
  readonly hdPath: string
}

/** Imported private keys. Prints with every key redacted. */
export interface MetaMaskSimpleKeyring {
  readonly type: 'Simple Key Pair'
  readonly supported: true
  /** 32-byte secp256k1 private keys, in MetaMask's order. */
  readonly privateKeys: readonly Uint8Array[]
}

/** A keyring holding no secret coffer can import (Ledger, Trezor, QR, Snap, …). */
export interface MetaMaskUnsupportedKeyring {
  readonly type: string
  readonly supported: false
}

/** One keyring of a MetaMask vault; switch on `supported`, then on `type`. */
export type MetaMaskKeyring = MetaMaskHdKeyring | MetaMaskSimpleKeyring | MetaMaskUnsupportedKeyring

const LEGACY_ITERATIONS = 10_000
const MAX_ITERATIONS = 10_000_000
const MAX_VAULT_CHARS = 16 * 1024 * 1024
const DEFAULT_HD_PATH = "m/44'/60'/0'/0"
const PRIVATE_KEY_HEX = /^(?:0x)?[0-9a-fA-F]{64}$/

type Json = Record<string, unknown>
type Encrypted = { data: Uint8Array; iv: Uint8Array; salt: Uint8Array; iterations: number }

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function fail(message: string, details?: ErrorDetails): never {
  throw new VaultFormatError(message, details ? { details } : {})
}

function parseJson(text: string, what: string): unknown {
  if (text.length > MAX_VAULT_CHARS) fail(`${what} is too large.`, { length: text.length })
  try {
    return JSON.parse(text)
  } catch {
    return fail(`${what} is not valid JSON.`)
  }
}

/** Peels `{ vault }`, `{ KeyringController: { vault } }` and `{ data: { KeyringController } }` wrappers. */
function unwrap(value: unknown, depth = 0): Json {
  const obj = typeof value === 'string' ? parseJson(value, 'MetaMask vault') : value
  if (!isRecord(obj)) return fail(`MetaMask vault must be a JSON object, got ${describe(obj)}.`)
  if (depth < 4) {
    if (obj.vault !== undefined) return unwrap(obj.vault, depth + 1)
    if (obj.KeyringController !== undefined) return unwrap(obj.KeyringController, depth + 1)
    if (isRecord(obj.data)) return unwrap(obj.data, depth + 1)
  }
  return obj
}

function decodeBase64(value: unknown, field: string): Uint8Array {
  if (value === undefined) return fail(`MetaMask vault has no "${field}" field.`, { field })
  if (typeof value !== 'string') return fail(`MetaMask vault field "${field}" must be a base64 string, got ${describe(value)}.`, { field })
  try {
    return base64.decode(value)
  } catch {
    return fail(`MetaMask vault field "${field}" is not valid base64.`, { field })
  }
}

function iterationsOf(keyMetadata: unknown): number {
  if (keyMetadata === undefined) return LEGACY_ITERATIONS
  if (!isRecord(keyMetadata)) return fail(`MetaMask vault keyMetadata must be an object, got ${describe(keyMetadata)}.`)
  const { algorithm, params } = keyMetadata
  if (algorithm !== 'PBKDF2') {
    const shown = typeof algorithm === 'string' && algorithm.length <= 32 ? algorithm : describe(algorithm)
    throw new UnsupportedKdfError(`MetaMask vault uses key derivation "${shown}"; only PBKDF2 is supported.`, {
      details: { algorithm: shown },
    })
  }
  const iterations = isRecord(params) ? params.iterations : undefined
  if (!isIntegerIn(iterations, 1, MAX_ITERATIONS)) {
    fail(`MetaMask vault PBKDF2 iterations must be an integer from 1 to ${MAX_ITERATIONS}.`, {
      got: typeof iterations === 'number' ? iterations : describe(iterations),
    })
  }
  return iterations
}

/** Validates the envelope completely, before any key derivation. */
function parseEnvelope(vault: unknown): Encrypted {
  if (typeof vault !== 'string' && !isRecord(vault)) {
    throw new InvalidArgumentError(`vault must be a JSON string or object, got ${describe(vault)}.`)
  }
  const obj = unwrap(vault)
  if (typeof obj.cipher === 'string' && obj.data === undefined) {
    throw new UnsupportedKdfError('This looks like a MetaMask Mobile vault (AES-CBC); only extension vaults are supported.', {
      details: { format: 'metamask-mobile' },
    })
  }
  const data = decodeBase64(obj.data, 'data')
  const iv = decodeBase64(obj.iv, 'iv')
  const salt = decodeBase64(obj.salt, 'salt')
  if (iv.length !== 16) fail(`MetaMask vault iv must be 16 bytes, got ${iv.length}.`, { expected: 16, got: iv.length })
  if (salt.length === 0) fail('MetaMask vault salt is empty.')
  if (data.length <= 16) fail(`MetaMask vault data is too short (${data.length} bytes) to hold an AES-GCM tag.`, { got: data.length })
  return { data, iv, salt, iterations: iterationsOf(obj.keyMetadata) }
}

function bytesOf(values: readonly unknown[], where: ErrorDetails): Uint8Array {
  if (values.length > 1024 || !values.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
    fail('MetaMask keyring mnemonic is not a byte array.', where)
  }
  return Uint8Array.from(values as number[])
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** eth-hd-keyring's in-memory form: little-endian uint16 wordlist indices (what a JSON'd Uint8Array holds). */
function fromWordIndices(bytes: Uint8Array): string | undefined {
  if (bytes.length % 2 !== 0) return undefined
  const words: string[] = []
  for (let i = 0; i < bytes.length; i += 2) {
    const word = english.words[(bytes[i] as number) | ((bytes[i + 1] as number) << 8)]
    if (word === undefined) return undefined
    words.push(word)
  }
  return words.join(' ')
}

/** Decodes a mnemonic stored as a string, UTF-8 byte array, `{ type: 'Buffer', data }` or numeric-key object. */
function decodeMnemonic(value: unknown, where: ErrorDetails): string {
  const candidates: (string | undefined)[] = []
  if (typeof value === 'string') candidates.push(value)
  else if (Array.isArray(value)) candidates.push(utf8(bytesOf(value, where)))
  else if (isRecord(value) && value.type === 'Buffer' && Array.isArray(value.data)) candidates.push(utf8(bytesOf(value.data, where)))
  else if (isRecord(value)) {
    const keys = Object.keys(value)
    if (!keys.every((k, i) => k === String(i))) fail('MetaMask keyring mnemonic has an unknown shape.', where)
    const bytes = bytesOf(Object.values(value), where)
    candidates.push(utf8(bytes), fromWordIndices(bytes))
  } else fail(`MetaMask keyring mnemonic has an unknown shape (${describe(value)}).`, where)
  for (const phrase of candidates) {
    if (phrase !== undefined && validateMnemonic(phrase)) return phrase.normalize('NFKD').trim().toLowerCase().split(/\s+/u).join(' ')
  }
  return fail('MetaMask keyring mnemonic is not a valid English BIP-39 phrase.', where)
}

function hdKeyring(data: unknown, where: ErrorDetails): MetaMaskHdKeyring {
  if (!isRecord(data)) return fail('MetaMask HD keyring has no data object.', where)
  const mnemonic = decodeMnemonic(data.mnemonic, where)
  const numberOfAccounts = data.numberOfAccounts ?? 1
  if (!isIntegerIn(numberOfAccounts, 0, 0x8000_0000)) {
    fail('MetaMask HD keyring numberOfAccounts must be a non-negative integer.', where)
  }
  const hdPath = data.hdPath ?? DEFAULT_HD_PATH
  if (typeof hdPath !== 'string') return fail('MetaMask HD keyring hdPath must be a string.', where)
  try {
    parsePath(hdPath)
  } catch (cause) {
    throw new VaultFormatError('MetaMask HD keyring hdPath is not a BIP-32 path.', { details: where, cause })
  }
  const type = 'HD Key Tree'
  const keyring: MetaMaskHdKeyring = { type, supported: true, mnemonic, numberOfAccounts, hdPath }
  return redacted(keyring, 'MetaMaskKeyring', () => ({ type, supported: true, numberOfAccounts, hdPath, mnemonic: REDACTED }))
}

function privateKey(value: unknown, where: ErrorDetails): Uint8Array {
  if (typeof value !== 'string' || !PRIVATE_KEY_HEX.test(value)) fail('MetaMask private key is not 64 hex digits.', where)
  const key = hexToBytes(value.startsWith('0x') ? value.slice(2) : value)
  if (!secp256k1.utils.isValidPrivateKey(key)) fail('MetaMask private key is not a valid secp256k1 scalar.', where)
  return key
}

function simpleKeyring(data: unknown, where: ErrorDetails): MetaMaskSimpleKeyring {
  if (!Array.isArray(data)) return fail('MetaMask Simple Key Pair keyring data must be an array.', where)
  const privateKeys = Object.freeze(data.map((k, key) => privateKey(k, { ...where, key })))
  const type = 'Simple Key Pair'
  const keyring: MetaMaskSimpleKeyring = { type, supported: true, privateKeys }
  return redacted(keyring, 'MetaMaskKeyring', () => ({ type, supported: true, privateKeys: privateKeys.map(() => REDACTED) }))
}

function toKeyring(entry: unknown, index: number): MetaMaskKeyring {
  if (!isRecord(entry) || typeof entry.type !== 'string' || entry.type.length > 200) {
    return fail('MetaMask vault keyring has no type.', { keyring: index })
  }
  const where = { keyring: index, type: entry.type }
  if (entry.type === 'HD Key Tree') return hdKeyring(entry.data, where)
  if (entry.type === 'Simple Key Pair') return simpleKeyring(entry.data, where)
  return Object.freeze({ type: entry.type, supported: false as const })
}

function parsePlaintext(plaintext: Uint8Array): MetaMaskKeyring[] {
  const text = utf8(plaintext)
  if (text === undefined) return fail('Decrypted MetaMask vault is not UTF-8 text.')
  const parsed = parseJson(text, 'Decrypted MetaMask vault')
  if (!Array.isArray(parsed)) return fail(`Decrypted MetaMask vault must be an array of keyrings, got ${describe(parsed)}.`)
  return parsed.map(toKeyring)
}

/**
 * Decrypts a MetaMask extension vault and returns its keyrings. Accepts the vault JSON (string
 * or object) or the wrappers `{ vault }` and `{ KeyringController: { vault } }` from the
 * extension's storage. The envelope is validated completely before the (slow) PBKDF2 runs.
 * @throws InvalidArgumentError (password not a non-empty string), VaultFormatError,
 *   UnsupportedKdfError, WrongPasswordError (wrong password or modified data)
 */
export async function importMetaMaskVault(vault: string | object, password: string): Promise<MetaMaskKeyring[]> {
  assertString(password, 'password', 100_000)
  if (password.length === 0) throw new InvalidArgumentError('password must not be empty.')
  const { data, iv, salt, iterations } = parseEnvelope(vault)
  const passwordBytes = new TextEncoder().encode(password)
  let key: Uint8Array | undefined
  let plaintext: Uint8Array | undefined
  try {
    key = await pbkdf2Sha256(passwordBytes, salt, iterations, 32)
    plaintext = await aesGcmDecrypt(key, iv, data)
    return parsePlaintext(plaintext)
  } finally {
    passwordBytes.fill(0)
    key?.fill(0)
    plaintext?.fill(0)
  }
}
