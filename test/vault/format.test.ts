import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CofferError,
  UnsupportedKdfError,
  UnsupportedVersionError,
  Vault,
  VaultFormatError,
  memoryStorage,
  parseVaultFile,
} from 'coffer/vault'
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes } from '../../src/vault/crypto.js'
import { headerAad, serializeVaultFile } from '../../src/vault/format.js'
import { deriveKey } from '../../src/vault/kdf.js'
import { decodePayload, encodePayload, type Secret } from '../../src/vault/payload.js'
import { ABANDON, FAST_KDF } from './helpers.js'

const PASSWORD = 'flip me'

async function storedVault() {
  const storage = memoryStorage()
  const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
  await vault.addMnemonic({ mnemonic: ABANDON })
  return (await storage.get('vault')) as string
}

describe('vault file', () => {
  it('round-trips through parse and serialize', async () => {
    const text = await storedVault()
    expect(serializeVaultFile(parseVaultFile(text))).toBe(text)
    const json = JSON.parse(text)
    expect(json).toMatchObject({
      format: 'coffer-vault',
      version: 1,
      kdf: { name: 'pbkdf2-sha256', iterations: 600_000, dkLen: 32 },
      cipher: { name: 'aes-256-gcm' },
    })
    expect(Object.keys(json)).toEqual(['format', 'version', 'kdf', 'cipher', 'ciphertext'])
  })

  it.each([
    ['not JSON', () => 'nope', VaultFormatError],
    ['wrong format', (j: any) => ({ ...j, format: 'other' }), VaultFormatError],
    ['newer version', (j: any) => ({ ...j, version: 2 }), UnsupportedVersionError],
    ['junk version', (j: any) => ({ ...j, version: '1' }), UnsupportedVersionError],
    ['unknown field', (j: any) => ({ ...j, extra: 1 }), VaultFormatError],
    ['unknown kdf', (j: any) => ({ ...j, kdf: { ...j.kdf, name: 'argon2id' } }), UnsupportedKdfError],
    ['unknown cipher', (j: any) => ({ ...j, cipher: { ...j.cipher, name: 'aes-128-cbc' } }), UnsupportedKdfError],
    ['PBKDF2 below the floor', (j: any) => ({ ...j, kdf: { ...j.kdf, iterations: 599_999 } }), VaultFormatError],
    ['PBKDF2 absurdly high', (j: any) => ({ ...j, kdf: { ...j.kdf, iterations: 1e12 } }), VaultFormatError],
    [
      'scrypt below the floor',
      (j: any) => ({ ...j, kdf: { name: 'scrypt', salt: j.kdf.salt, N: 2 ** 16, r: 8, p: 1, dkLen: 32 } }),
      VaultFormatError,
    ],
    [
      'scrypt that would take gigabytes',
      (j: any) => ({ ...j, kdf: { name: 'scrypt', salt: j.kdf.salt, N: 2 ** 20, r: 16, p: 1, dkLen: 32 } }),
      VaultFormatError,
    ],
    [
      'scrypt N not a power of two',
      (j: any) => ({ ...j, kdf: { name: 'scrypt', salt: j.kdf.salt, N: 131071, r: 8, p: 1, dkLen: 32 } }),
      VaultFormatError,
    ],
    ['short salt', (j: any) => ({ ...j, kdf: { ...j.kdf, salt: 'AAAA' } }), VaultFormatError],
    [
      'non-canonical base64 (padding bits set)',
      (j: any) => ({ ...j, kdf: { ...j.kdf, salt: nonCanonical(j.kdf.salt) } }),
      VaultFormatError,
    ],
    ['unpadded base64', (j: any) => ({ ...j, kdf: { ...j.kdf, salt: j.kdf.salt.replace(/=+$/, '') } }), VaultFormatError],
    ['IV of 16 bytes', (j: any) => ({ ...j, cipher: { ...j.cipher, iv: 'AAAAAAAAAAAAAAAAAAAAAA==' } }), VaultFormatError],
    ['truncated ciphertext', (j: any) => ({ ...j, ciphertext: 'AAAA' }), VaultFormatError],
    ['array', () => [], VaultFormatError],
  ])('refuses %s with a typed error, before any KDF work', async (_name, edit, error) => {
    const text = await storedVault()
    const changed = typeof edit === 'function' ? edit(JSON.parse(text)) : edit
    const input = typeof changed === 'string' ? changed : JSON.stringify(changed)
    expect(() => parseVaultFile(input)).toThrow(error)
    const started = performance.now()
    await expect(Vault.open({ storage: memoryStorage({ vault: input }) })).rejects.toThrow(error)
    expect(performance.now() - started).toBeLessThan(100) // refused before deriving a key
  })
})

describe('tamper evidence', () => {
  it('flipping any single bit of the stored vault makes unlock fail with a typed error', async () => {
    const text = await storedVault()
    const bytes = new TextEncoder().encode(text)
    const original = parseVaultFile(text)
    const originalKey = await deriveKey(new TextEncoder().encode(PASSWORD), original.kdf)
    const keyCache = new Map<string, Promise<Uint8Array>>([[kdfId(original.kdf), Promise.resolve(originalKey)]])
    const failures: string[] = []
    let derived = 0

    const attempt = async (position: number, bit: number) => {
      const flipped = bytes.slice()
      flipped[position] = (flipped[position] as number) ^ (1 << bit)
      const flippedText = new TextDecoder().decode(flipped)
      try {
        // The same steps as Vault.unlock: strict parse, derive the key, authenticated decryption.
        const file = parseVaultFile(flippedText)
        const id = kdfId(file.kdf)
        if (!keyCache.has(id)) {
          derived++
          keyCache.set(id, deriveKey(new TextEncoder().encode(PASSWORD), file.kdf))
        }
        const payload = await aesGcmDecrypt(
          await (keyCache.get(id) as Promise<Uint8Array>),
          file.cipher.iv,
          file.ciphertext,
          headerAad(file),
        )
        decodePayload(payload)
        failures.push(`byte ${position} bit ${bit}: unlock succeeded`)
      } catch (error) {
        if (!(error instanceof CofferError)) failures.push(`byte ${position} bit ${bit}: ${String(error)}`)
      }
    }
    const jobs = [...bytes.keys()].flatMap((position) => Array.from({ length: 8 }, (_, bit) => [position, bit] as const))
    for (let i = 0; i < jobs.length; i += 64) await Promise.all(jobs.slice(i, i + 64).map(([p, b]) => attempt(p, b)))
    expect(failures).toEqual([])
    expect(jobs.length).toBe(bytes.length * 8)
    // Salt and parameter flips really re-derived a key (the cache only skips identical KDF inputs).
    expect(derived).toBeGreaterThan(100)
  }, 240_000)

  it('the real unlock reports a flipped ciphertext bit as WrongPasswordError', async () => {
    const text = await storedVault()
    const json = JSON.parse(text)
    const sealed = Buffer.from(json.ciphertext, 'base64')
    sealed[5] = (sealed[5] as number) ^ 0x10
    json.ciphertext = sealed.toString('base64')
    const vault = await Vault.open({ storage: memoryStorage({ vault: JSON.stringify(json) }) })
    await expect(vault.unlock(PASSWORD)).rejects.toMatchObject({ name: 'WrongPasswordError', code: 'WRONG_PASSWORD' })
  })
})

/** The same bytes in base64 with a padding bit set: decoders that ignore padding bits accept it. */
function nonCanonical(b64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const at = b64.indexOf('=') - 1
  return b64.slice(0, at) + alphabet[alphabet.indexOf(b64[at] as string) ^ 1] + b64.slice(at + 1)
}

function kdfId(kdf: { salt: Uint8Array }): string {
  return JSON.stringify({ ...kdf, salt: bytesToHex(kdf.salt) })
}

describe('payload (property)', () => {
  const id = fc.uint8Array({ minLength: 8, maxLength: 8 }).map(bytesToHex)
  const createdAt = fc.date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }).map((d) => d.toISOString())
  const label = fc.option(fc.string({ maxLength: 200 }), { nil: undefined })
  const mnemonic = fc
    .record({
      id,
      createdAt,
      label,
      phrase: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      seed: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      hasPassphrase: fc.boolean(),
    })
    .map((r): Secret => ({
      id: r.id,
      createdAt: r.createdAt,
      ...(r.label === undefined ? {} : { label: r.label }),
      kind: 'mnemonic',
      language: 'english',
      hasPassphrase: r.hasPassphrase,
      phrase: r.phrase,
      seed: r.seed,
    }))
  const key = fc
    .record({
      id,
      createdAt,
      label,
      key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      curve: fc.constantFrom('secp256k1' as const, 'ed25519' as const),
    })
    .map((r): Secret => ({
      id: r.id,
      createdAt: r.createdAt,
      ...(r.label === undefined ? {} : { label: r.label }),
      kind: 'privateKey',
      curve: r.curve,
      key: r.key,
    }))
  const secrets = fc.uniqueArray(fc.oneof(mnemonic, key), { selector: (s) => s.id, maxLength: 6 })

  it('1,000 random payloads survive encode → encrypt → decrypt → decode', async () => {
    const k = randomBytes(32)
    await fc.assert(
      fc.asyncProperty(secrets, async (list) => {
        const iv = randomBytes(12)
        const aad = new TextEncoder().encode('header')
        const sealed = await aesGcmEncrypt(k, iv, encodePayload(list), aad)
        expect(decodePayload(await aesGcmDecrypt(k, iv, sealed, aad))).toEqual(list)
      }),
      { numRuns: 1000 },
    )
  })

  it('decodePayload refuses arbitrary bytes with VaultFormatError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
        try {
          decodePayload(junk)
        } catch (e) {
          expect(e).toBeInstanceOf(VaultFormatError)
        }
      }),
    )
  })

  it('parseVaultFile refuses arbitrary JSON-ish text with typed errors only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseVaultFile(text)
        } catch (e) {
          expect(e).toBeInstanceOf(CofferError)
        }
      }),
    )
  })
})
