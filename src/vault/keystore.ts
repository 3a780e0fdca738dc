/**
 * Ethereum keystore v3 (Web3 Secret Storage) import and export, readable by geth and ethers.
 * Every field is checked, and KDF parameters bounded, before any key derivation runs; the
 * MAC is checked in constant time before anything is decrypted.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { assertOptions, assertString, describe, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, UnsupportedKdfError, UnsupportedVersionError, VaultFormatError, WrongPasswordError } from '../core/errors.js'
import { evmAddressFromPublicKey } from '../keys/address/evm.js'
import { REDACTED, redacted } from '../keys/redact.js'
import { parsePrivateKey } from './private-key.js'
import { aes128Ctr, concat, constantTimeEqual, pbkdf2Sha256, randomBytes, scrypt } from './crypto.js'

/** The private key and EIP-55 address a keystore holds. Prints redacted. */
export interface ImportedKeystore {
  /** The 32-byte secp256k1 private key. */
  readonly privateKey: Uint8Array
  /** EIP-55 checksummed address of the key. */
  readonly address: `0x${string}`
}

/** Options of {@link exportKeystore}. */
export interface ExportKeystoreOptions {
  /** scrypt cost: N (power of two, default 131072 = 2^17), r (default 8), p (default 1). */
  scrypt?: { N?: number; r?: number; p?: number }
}

type Kdf =
  | { readonly kdf: 'scrypt'; readonly N: number; readonly r: number; readonly p: number; readonly salt: Uint8Array }
  | { readonly kdf: 'pbkdf2'; readonly c: number; readonly salt: Uint8Array }

interface ParsedKeystore {
  readonly kdf: Kdf
  readonly iv: Uint8Array
  readonly ciphertext: Uint8Array
  readonly mac: Uint8Array
  readonly address: string | undefined
}

type Json = Record<string, unknown>

const MAX_JSON_CHARS = 1_000_000
const MAX_PASSWORD_CHARS = 65_536
const MAX_SCRYPT_N = 2 ** 20
const MAX_SCRYPT_MEMORY = 2 ** 30
const MAX_PBKDF2_C = 10_000_000
const DEFAULT_SCRYPT = { N: 131_072, r: 8, p: 1 } as const
const HEX = /^(?:0x)?((?:[0-9a-fA-F]{2})*)$/
const encoder = new TextEncoder()

const bad = (message: string, details?: Record<string, string | number>): never => {
  throw new VaultFormatError(`Invalid keystore: ${message}.`, details ? { details } : undefined)
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
}

/** An own property only, so nothing is read from a prototype. */
function own(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}

function objectField(obj: Json, key: string, path: string): Json {
  const value = own(obj, key)
  return isObject(value) ? value : bad(`${path} must be an object, got ${describe(value)}`)
}

function stringField(obj: Json, key: string, path: string): string {
  const value = own(obj, key)
  return typeof value === 'string' ? value : bad(`${path} must be a string, got ${describe(value)}`)
}

function intField(obj: Json, key: string, path: string, min: number, max: number): number {
  const value = own(obj, key)
  if (!isIntegerIn(value, min, max)) {
    return bad(`${path} must be ${min === max ? min : `an integer from ${min} to ${max}`}`, {
      got: typeof value === 'number' ? value : describe(value),
    })
  }
  return value
}

function hexField(obj: Json, key: string, path: string, minBytes: number, maxBytes = minBytes): Uint8Array {
  const match = HEX.exec(stringField(obj, key, path))
  if (!match) return bad(`${path} is not even-length hex`)
  const bytes = hexToBytes(match[1] as string)
  if (bytes.length < minBytes || bytes.length > maxBytes) {
    return bad(`${path} must be ${minBytes === maxBytes ? minBytes : `${minBytes} to ${maxBytes}`} bytes`, { got: bytes.length })
  }
  return bytes
}

/** Checks scrypt parameters against the bounds that keep memory and time sane; `fail` throws. */
function checkScrypt(N: number, r: number, p: number, fail: (message: string) => never): void {
  const ints = [N, r, p].every((v) => typeof v === 'number' && Number.isSafeInteger(v))
  if (!ints || N < 2 || N > MAX_SCRYPT_N || (N & (N - 1)) !== 0) fail(`scrypt N must be a power of two from 2 to 2^20`)
  if (r < 1 || r > 32) fail('scrypt r must be from 1 to 32')
  if (p < 1 || p > 16) fail('scrypt p must be from 1 to 16')
  if (128 * N * r > MAX_SCRYPT_MEMORY) fail('scrypt needs more than 1 GiB (128 * N * r)')
}

function parseKdf(crypto: Json): Kdf {
  const kdf = stringField(crypto, 'kdf', 'crypto.kdf')
  if (kdf !== 'scrypt' && kdf !== 'pbkdf2')
    throw new UnsupportedKdfError(`Unsupported keystore KDF ${JSON.stringify(kdf.slice(0, 32))}; expected "scrypt" or "pbkdf2".`)
  const params = objectField(crypto, 'kdfparams', 'crypto.kdfparams')
  if (kdf === 'pbkdf2') {
    const prf = stringField(params, 'prf', 'crypto.kdfparams.prf')
    if (prf !== 'hmac-sha256')
      throw new UnsupportedKdfError(`Unsupported PBKDF2 PRF ${JSON.stringify(prf.slice(0, 32))}; expected "hmac-sha256".`)
  }
  intField(params, 'dklen', 'crypto.kdfparams.dklen', 32, 32)
  const salt = hexField(params, 'salt', 'crypto.kdfparams.salt', 1, 1024)
  if (kdf === 'pbkdf2') return { kdf, c: intField(params, 'c', 'crypto.kdfparams.c', 1, MAX_PBKDF2_C), salt }
  const [N, r, p] = ['n', 'r', 'p'].map((k) => intField(params, k, `crypto.kdfparams.${k}`, 1, 2 ** 32)) as [number, number, number]
  checkScrypt(N, r, p, bad)
  return { kdf, N, r, p, salt }
}

function parseAddress(obj: Json): string | undefined {
  const value = own(obj, 'address')
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !/^(?:0x)?[0-9a-fA-F]{40}$/.test(value)) return bad('address must be 40 hex digits')
  return value.slice(-40).toLowerCase()
}

/** Validates the whole keystore structure; no KDF work happens here. */
function parseKeystore(json: unknown): ParsedKeystore {
  let data = json
  if (typeof json === 'string') {
    if (json.length > MAX_JSON_CHARS) bad('longer than 1,000,000 characters')
    try {
      data = JSON.parse(json)
    } catch {
      bad('not valid JSON')
    }
  }
  if (!isObject(data)) return bad(`expected a JSON object, got ${describe(data)}`)
  const version = own(data, 'version')
  if (version === undefined) bad('version is missing')
  if (typeof version !== 'number' && typeof version !== 'string') bad(`version must be a number, got ${describe(version)}`)
  if (version !== 3)
    throw new UnsupportedVersionError(`Unsupported keystore version ${JSON.stringify(version).slice(0, 32)}; only version 3 is supported.`)
  const hasLower = own(data, 'crypto') !== undefined
  if (hasLower && own(data, 'Crypto') !== undefined) bad('has both "crypto" and "Crypto"')
  const crypto = objectField(data, hasLower ? 'crypto' : 'Crypto', 'crypto')
  const cipher = stringField(crypto, 'cipher', 'crypto.cipher')
  if (cipher !== 'aes-128-ctr')
    throw new UnsupportedKdfError(`Unsupported keystore cipher ${JSON.stringify(cipher.slice(0, 32))}; expected "aes-128-ctr".`)
  const iv = hexField(objectField(crypto, 'cipherparams', 'crypto.cipherparams'), 'iv', 'crypto.cipherparams.iv', 16)
  const ciphertext = hexField(crypto, 'ciphertext', 'crypto.ciphertext', 32)
  const mac = hexField(crypto, 'mac', 'crypto.mac', 32)
  return { kdf: parseKdf(crypto), iv, ciphertext, mac, address: parseAddress(data) }
}

/** The password bytes as ethers v6 makes them: UTF-8 of the NFKC-normalised string. */
function passwordBytes(password: unknown): Uint8Array {
  return encoder.encode(assertString(password, 'password', MAX_PASSWORD_CHARS).normalize('NFKC'))
}

function deriveKey(password: Uint8Array, kdf: Kdf): Promise<Uint8Array> {
  return kdf.kdf === 'scrypt'
    ? scrypt(password, kdf.salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32 })
    : pbkdf2Sha256(password, kdf.salt, kdf.c, 32)
}

function keystoreMac(derivedKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return keccak_256(concat(derivedKey.subarray(16, 32), ciphertext))
}

/** The derived key if `password` opens the file (MAC checks), else undefined. Zeroes `password`. */
async function keyFor(password: Uint8Array, file: ReturnType<typeof parseKeystore>): Promise<Uint8Array | undefined> {
  let derivedKey: Uint8Array
  try {
    derivedKey = await deriveKey(password, file.kdf)
  } finally {
    password.fill(0)
  }
  if (constantTimeEqual(keystoreMac(derivedKey, file.ciphertext), file.mac)) return derivedKey
  derivedKey.fill(0)
  return undefined
}

function addressOf(privateKey: Uint8Array): `0x${string}` {
  return evmAddressFromPublicKey(secp256k1.getPublicKey(privateKey, false))
}

/**
 * Decrypts an Ethereum keystore v3 file (geth, ethers, MyEtherWallet, …) with its password.
 * @throws VaultFormatError malformed file, out-of-bounds KDF parameters or an `address` that does not match the key
 * @throws UnsupportedVersionError version other than 3
 * @throws UnsupportedKdfError KDF, PRF or cipher other than scrypt / pbkdf2 (hmac-sha256) / aes-128-ctr
 * @throws WrongPasswordError wrong password, or modified ciphertext or MAC
 * @throws InvalidArgumentError password not a string
 */
export async function importKeystore(json: string | object, password: string): Promise<ImportedKeystore> {
  assertString(password, 'password', MAX_PASSWORD_CHARS)
  const file = parseKeystore(json)
  let derivedKey = await keyFor(passwordBytes(password), file)
  if (!derivedKey && password.normalize('NFKC') !== password) {
    // geth does not normalise passwords, ethers does (NFKC): try the password as typed too.
    derivedKey = await keyFor(encoder.encode(password), file)
  }
  if (!derivedKey) throw new WrongPasswordError()
  try {
    const privateKey = await aes128Ctr(derivedKey.subarray(0, 16), file.iv, file.ciphertext)
    if (!secp256k1.utils.isValidPrivateKey(privateKey)) {
      privateKey.fill(0)
      return bad('the decrypted private key is not in 1..n-1')
    }
    const address = addressOf(privateKey)
    if (file.address !== undefined && file.address !== address.slice(2).toLowerCase()) {
      privateKey.fill(0)
      return bad('its address does not match the decrypted private key', { address: `0x${file.address}` })
    }
    return redacted({ privateKey, address }, 'ImportedKeystore', () => ({ address, privateKey: REDACTED }))
  } finally {
    derivedKey.fill(0)
  }
}

function exportScryptParams(options: ExportKeystoreOptions | undefined): { N: number; r: number; p: number } {
  const opts = assertOptions(assertOptions(options).scrypt, 'options.scrypt')
  const [N, r, p] = [opts.N ?? DEFAULT_SCRYPT.N, opts.r ?? DEFAULT_SCRYPT.r, opts.p ?? DEFAULT_SCRYPT.p]
  const shown = (v: unknown) => (typeof v === 'number' ? v : describe(v))
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`options.${message}.`, { details: { N: shown(N), r: shown(r), p: shown(p) } })
  }
  checkScrypt(N, r, p, fail)
  if (N >= 2 ** (16 * r)) fail('scrypt N must be below 2^(16 * r) (RFC 7914), or OpenSSL-based readers cannot open the file')
  return { N, r, p }
}

/** A random RFC 4122 version-4 UUID. */
function uuidV4(): string {
  const b = randomBytes(16)
  b[6] = ((b[6] as number) & 0x0f) | 0x40
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  const h = bytesToHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * Encrypts a secp256k1 private key into Ethereum keystore v3 JSON (scrypt + aes-128-ctr)
 * that geth and ethers v6 open. Default scrypt cost N = 2^17, r = 8, p = 1.
 * @throws InvalidPrivateKeyError key not 32 bytes / 64 hex digits, or not in 1..n-1
 * @throws InvalidArgumentError password not a string, or scrypt options out of bounds
 */
export async function exportKeystore(privateKey: Uint8Array | string, password: string, options?: ExportKeystoreOptions): Promise<string> {
  assertString(password, 'password', MAX_PASSWORD_CHARS)
  const { N, r, p } = exportScryptParams(options)
  const key = parsePrivateKey(privateKey, 'secp256k1')
  try {
    const salt = randomBytes(32)
    const iv = randomBytes(16)
    const pw = passwordBytes(password)
    const derivedKey = await scrypt(pw, salt, { N, r, p, dkLen: 32 }).finally(() => pw.fill(0))
    const ciphertext = await aes128Ctr(derivedKey.subarray(0, 16), iv, key)
    const mac = keystoreMac(derivedKey, ciphertext)
    derivedKey.fill(0)
    return JSON.stringify({
      address: addressOf(key).slice(2).toLowerCase(),
      id: uuidV4(),
      version: 3,
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: bytesToHex(iv) },
        ciphertext: bytesToHex(ciphertext),
        kdf: 'scrypt',
        kdfparams: { dklen: 32, n: N, p, r, salt: bytesToHex(salt) },
        mac: bytesToHex(mac),
      },
    })
  } finally {
    key.fill(0)
  }
}
