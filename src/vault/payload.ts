/**
 * What the vault encrypts: secret metadata as JSON, secret bytes as binary, so that secrets
 * live in Uint8Arrays that `lock()` can zero — never in JS strings, which cannot be wiped.
 *
 *   "CVP1" | u32 metadata length (big-endian) | metadata JSON (UTF-8) | secret bytes…
 *
 * Metadata: `{ secrets: [{ id, kind, label?, createdAt, …, blobs: { name: [offset, length] } }],
 * dataKey?: [offset, 32] }`, offsets into the secret bytes that follow. The data key (random,
 * made with the vault) is the root of `vault.sealer(purpose)` keys. A mnemonic keeps its canonical phrase (UTF-8,
 * NFKD) and its 64-byte BIP-39 seed; a private key keeps its 32 bytes and curve.
 * @module
 * @internal
 */
import { isIntegerIn } from '../core/assert.js'
import { VaultFormatError } from '../core/errors.js'
import type { WordlistLanguage } from '../keys/wordlists/wordlist.js'

const MAGIC = [0x43, 0x56, 0x50, 0x31] // "CVP1"
const ID = /^[0-9a-f]{16}$/

/** Public facts about a stored secret (what `listSecrets()` returns). */
export interface SecretInfo {
  readonly id: string
  readonly kind: 'mnemonic' | 'privateKey'
  readonly label?: string
  /** ISO-8601 time the secret was added. */
  readonly createdAt: string
  /** Mnemonics: the wordlist language. */
  readonly language?: WordlistLanguage
  /** Mnemonics: whether a BIP-39 passphrase went into the seed (the vault does not keep it). */
  readonly hasPassphrase?: boolean
  /** Private keys: their curve. */
  readonly curve?: 'secp256k1' | 'ed25519'
}

/** A decrypted mnemonic secret. */
interface MnemonicSecret extends SecretInfo {
  readonly kind: 'mnemonic'
  readonly phrase: Uint8Array
  readonly seed: Uint8Array
}
/** A decrypted private-key secret. */
interface PrivateKeySecret extends SecretInfo {
  readonly kind: 'privateKey'
  readonly curve: 'secp256k1' | 'ed25519'
  readonly key: Uint8Array
}
/** Any decrypted secret. */
export type Secret = MnemonicSecret | PrivateKeySecret

/** The byte arrays a secret holds (to zero them). */
export function secretBuffers(secret: Secret): Uint8Array[] {
  return secret.kind === 'mnemonic' ? [secret.phrase, secret.seed] : [secret.key]
}

/** Public facts only. */
export function secretInfo(secret: Secret): SecretInfo {
  const { phrase: _p, seed: _s, key: _k, ...info } = secret as Secret & { phrase?: unknown; seed?: unknown; key?: unknown }
  return Object.freeze(info)
}

function blobsOf(secret: Secret): Record<string, Uint8Array> {
  return secret.kind === 'mnemonic' ? { phrase: secret.phrase, seed: secret.seed } : { key: secret.key }
}

/**
 * Encodes secrets (and the vault's 32-byte data key, the root of its record sealers) into the
 * payload. The caller zeroes the result after encrypting it.
 */
export function encodePayload(secrets: Iterable<Secret>, dataKey?: Uint8Array): Uint8Array {
  const records: Record<string, unknown>[] = []
  const parts: Uint8Array[] = []
  let offset = 0
  for (const secret of secrets) {
    const blobs: Record<string, [number, number]> = {}
    for (const [name, bytes] of Object.entries(blobsOf(secret))) {
      blobs[name] = [offset, bytes.length]
      parts.push(bytes)
      offset += bytes.length
    }
    records.push({ ...secretInfo(secret), blobs })
  }
  let dataKeyAt: [number, number] | undefined
  if (dataKey) {
    dataKeyAt = [offset, dataKey.length]
    parts.push(dataKey)
    offset += dataKey.length
  }
  const meta = new TextEncoder().encode(JSON.stringify({ secrets: records, ...(dataKeyAt ? { dataKey: dataKeyAt } : {}) }))
  const out = new Uint8Array(8 + meta.length + offset)
  out.set(MAGIC)
  new DataView(out.buffer).setUint32(4, meta.length)
  out.set(meta, 8)
  let at = 8 + meta.length
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function bad(message: string): never {
  throw new VaultFormatError(`The vault's decrypted contents are malformed: ${message}.`)
}

function optionalString(value: unknown, name: string, max = 200): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length > max) bad(`${name} must be a string`)
  return value
}

function decodeSecret(record: unknown, data: Uint8Array): Secret {
  if (record === null || typeof record !== 'object') bad('secret record is not an object')
  const r = record as Record<string, unknown>
  if (typeof r.id !== 'string' || !ID.test(r.id)) bad('secret id')
  if (typeof r.createdAt !== 'string' || Number.isNaN(Date.parse(r.createdAt))) bad('secret createdAt')
  const blobs = (r.blobs ?? {}) as Record<string, unknown>
  const blob = (name: string, length?: number): Uint8Array => {
    const at = blobs[name]
    if (!Array.isArray(at) || at.length !== 2 || !at.every((n) => isIntegerIn(n, 0, Number.MAX_SAFE_INTEGER))) bad(`blob ${name}`)
    const [start, size] = at as [number, number]
    if (start + size > data.length || (length !== undefined && size !== length)) bad(`blob ${name} is out of range`)
    return data.slice(start, start + size)
  }
  const info = { id: r.id, createdAt: r.createdAt, ...(r.label === undefined ? {} : { label: optionalString(r.label, 'label') }) }
  if (r.kind === 'mnemonic') {
    const language = optionalString(r.language, 'language', 40) as WordlistLanguage | undefined
    return {
      ...info,
      kind: 'mnemonic',
      language: language ?? 'english',
      hasPassphrase: r.hasPassphrase === true,
      phrase: blob('phrase'),
      seed: blob('seed', 64),
    }
  }
  if (r.kind === 'privateKey') {
    if (r.curve !== 'secp256k1' && r.curve !== 'ed25519') bad('private key curve')
    return { ...info, kind: 'privateKey', curve: r.curve, key: blob('key', 32) }
  }
  return bad('unknown secret kind')
}

/** The data key in a decrypted payload (a copy), or undefined for vaults written before it existed. */
export function decodeDataKey(payload: Uint8Array): Uint8Array | undefined {
  const { meta, data } = split(payload)
  const at = (meta as { dataKey?: unknown }).dataKey
  if (at === undefined) return undefined
  if (!Array.isArray(at) || at.length !== 2 || at[1] !== 32 || !isIntegerIn(at[0], 0, Number.MAX_SAFE_INTEGER) || at[0] + 32 > data.length)
    bad('data key')
  return data.slice(at[0] as number, (at[0] as number) + 32)
}

function split(payload: Uint8Array): { meta: unknown; data: Uint8Array } {
  if (payload.length < 8 || MAGIC.some((b, i) => payload[i] !== b)) bad('missing CVP1 header')
  const metaLength = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(4)
  if (8 + metaLength > payload.length) bad('metadata length')
  let meta: unknown
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(8, 8 + metaLength)))
  } catch {
    bad('metadata is not JSON')
  }
  if (meta === null || typeof meta !== 'object') bad('metadata is not an object')
  return { meta, data: payload.subarray(8 + metaLength) }
}

/** Decodes a decrypted payload. The caller zeroes `payload` afterwards; secrets get copies. */
export function decodePayload(payload: Uint8Array): Secret[] {
  const { meta, data } = split(payload)
  const list = (meta as { secrets?: unknown }).secrets
  if (!Array.isArray(list)) bad('secrets list')
  const secrets = list.map((record) => decodeSecret(record, data))
  if (new Set(secrets.map((s) => s.id)).size !== secrets.length) bad('duplicate secret ids')
  return secrets
}
