import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ctr } from '@noble/ciphers/aes.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { decryptKeystoreJson, encryptKeystoreJson, HDNodeWallet, Wallet } from 'ethers'
import fc from 'fast-check'
import { inspect } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  InvalidPrivateKeyError,
  UnsupportedKdfError,
  UnsupportedVersionError,
  VaultFormatError,
  WrongPasswordError,
} from '../../src/core/errors.js'
import { exportKeystore, importKeystore } from '../../src/vault/keystore.js'
import vectors from '../vectors/keystore-v3.json'

const KEY_HEX = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'
const KEY = hexToBytes(KEY_HEX)
const ADDRESS = new Wallet(KEY_HEX).address as `0x${string}`
const PASSWORD = 'Tr0ub4dor&3-s3cret-pw'
const FAST = { scrypt: { N: 16 } }

type KeystoreJson = {
  address?: string
  version: unknown
  crypto: Record<string, unknown> & { kdfparams: Record<string, unknown>; cipherparams: Record<string, unknown> }
}

/** A fast coffer keystore of KEY, shared by the negative tests. */
let base: KeystoreJson
beforeAll(async () => {
  base = JSON.parse(await exportKeystore(KEY, PASSWORD, FAST)) as KeystoreJson
})
const mutate = (fn: (k: KeystoreJson) => void): KeystoreJson => {
  const copy = structuredClone(base)
  fn(copy)
  return copy
}

describe('Web3 Secret Storage test vectors', () => {
  it.each(vectors.vectors.map((v) => [v.name, v] as const))('%s imports to the spec key and address', async (_name, vector) => {
    const account = await importKeystore(vector.json, vector.password)
    expect(bytesToHex(account.privateKey)).toBe(vector.privateKey)
    expect(account.address.toLowerCase()).toBe(`0x${vectors.details.address}`)
    expect(account.address).toBe(new Wallet(vector.privateKey).address)
    // As a string too.
    const again = await importKeystore(JSON.stringify(vector.json), vector.password)
    expect(again.address).toBe(account.address)
  })

  it('ethers v6 agrees on the PBKDF2 vector but refuses the scrypt one (N = 2^18 with r = 1 breaks RFC 7914)', async () => {
    const [pbkdf2, scrypt] = vectors.vectors as [(typeof vectors.vectors)[number], (typeof vectors.vectors)[number]]
    expect((await decryptKeystoreJson(JSON.stringify(pbkdf2.json), pbkdf2.password)).privateKey).toBe(`0x${pbkdf2.privateKey}`)
    await expect(decryptKeystoreJson(JSON.stringify(scrypt.json), scrypt.password)).rejects.toThrow(/less than 2\^\(128 \* r \/ 8\)/)
  })

  it('the ethereum.org scrypt vector (salt hashed as hex text) does not open', async () => {
    await expect(importKeystore(vectors.erratum.json, vectors.erratum.password)).rejects.toBeInstanceOf(WrongPasswordError)
  })
})

describe('interop with ethers v6', () => {
  it('imports keystores ethers writes (capitalised "Crypto")', async () => {
    const json = await encryptKeystoreJson({ address: ADDRESS, privateKey: `0x${KEY_HEX}` }, PASSWORD, { scrypt: { N: 1024 } })
    expect(Object.keys(JSON.parse(json) as object)).toContain('Crypto')
    const account = await importKeystore(json, PASSWORD)
    expect(bytesToHex(account.privateKey)).toBe(KEY_HEX)
    expect(account.address).toBe(ADDRESS)
  })

  it('imports an ethers HD wallet keystore, ignoring its x-ethers mnemonic block', async () => {
    const wallet = HDNodeWallet.fromPhrase('test test test test test test test test test test test junk')
    const mnemonic = { entropy: wallet.mnemonic?.entropy ?? '', path: wallet.path ?? '', locale: 'en' }
    const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey, mnemonic }, PASSWORD, {
      scrypt: { N: 1024 },
    })
    expect(JSON.parse(json)).toHaveProperty('x-ethers')
    const account = await importKeystore(json, PASSWORD)
    expect(account.address).toBe(wallet.address)
    expect(`0x${bytesToHex(account.privateKey)}`).toBe(wallet.privateKey)
  })

  it('ethers opens coffer keystores (small N), with the same NFKC password handling', async () => {
    const password = 'ｐａｓｓ\u00e9\u0301 ﬁ' // fullwidth letters and a ligature change under NFKC
    const json = await exportKeystore(`0x${KEY_HEX}`, password, { scrypt: { N: 1024 } })
    const wallet = await Wallet.fromEncryptedJson(json, password)
    expect(wallet.privateKey).toBe(`0x${KEY_HEX}`)
    expect(wallet.address).toBe(ADDRESS)
    expect((await importKeystore(json, password.normalize('NFKC'))).address).toBe(ADDRESS)
  })

  it('writes the geth layout with the default cost (N = 2^17, r = 8, p = 1), which ethers opens', async () => {
    const json = await exportKeystore(KEY, PASSWORD)
    const file = JSON.parse(json) as KeystoreJson & { id: string }
    expect(file.version).toBe(3)
    expect(file.address).toBe(ADDRESS.slice(2).toLowerCase())
    expect(file.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(file.crypto).toMatchObject({ cipher: 'aes-128-ctr', kdf: 'scrypt', kdfparams: { dklen: 32, n: 131072, r: 8, p: 1 } })
    expect(file.crypto.kdfparams.salt).toMatch(/^[0-9a-f]{64}$/)
    expect(file.crypto.cipherparams.iv).toMatch(/^[0-9a-f]{32}$/)
    expect((await Wallet.fromEncryptedJson(json, PASSWORD)).privateKey).toBe(`0x${KEY_HEX}`)
  })

  it('round-trips random keys and passwords through coffer and ethers', async () => {
    const validKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidPrivateKey(k))
    await fc.assert(
      fc.asyncProperty(validKey, fc.string({ unit: 'grapheme', maxLength: 12 }), async (key, password) => {
        const json = await exportKeystore(key, password, FAST)
        const account = await importKeystore(json, password)
        expect(account.privateKey).toEqual(key)
        expect((await decryptKeystoreJson(json, password)).address).toBe(account.address)
      }),
      { numRuns: 20 },
    )
  })
})

describe('accepted variations', () => {
  it('opens a geth keystore whose password NFKC would change (geth does not normalise)', async () => {
    const password = 'ｐａｓｓ' // full-width letters: NFKC turns them into "pass"
    const key = hexToBytes(KEY_HEX)
    const salt = new Uint8Array(32).fill(3)
    const iv = new Uint8Array(16).fill(4)
    const derived = await scryptAsync(new TextEncoder().encode(password), salt, { N: 1024, r: 8, p: 1, dkLen: 32 })
    const ciphertext = ctr(derived.subarray(0, 16), iv).encrypt(key)
    const mac = keccak_256(new Uint8Array([...derived.subarray(16), ...ciphertext]))
    const file = {
      version: 3,
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: bytesToHex(iv) },
        ciphertext: bytesToHex(ciphertext),
        kdf: 'scrypt',
        kdfparams: { dklen: 32, n: 1024, r: 8, p: 1, salt: bytesToHex(salt) },
        mac: bytesToHex(mac),
      },
    }
    expect((await importKeystore(file, password)).address).toBe(ADDRESS)
    await expect(importKeystore(file, 'pass')).rejects.toThrow(WrongPasswordError)
  })

  it('accepts "Crypto", an address with or without 0x in any case, and 0x-prefixed hex fields', async () => {
    const { crypto, ...rest } = base
    for (const address of [ADDRESS, ADDRESS.slice(2).toUpperCase(), undefined]) {
      const file = { ...rest, address, Crypto: { ...crypto, mac: `0x${String(crypto.mac).toUpperCase()}` } }
      expect((await importKeystore(file, PASSWORD)).address).toBe(ADDRESS)
    }
  })
})

describe('rejections', () => {
  const flip = (hex: unknown) => `${(parseInt(String(hex)[0] as string, 16) ^ 1).toString(16)}${String(hex).slice(1)}`

  it.each([
    ['wrong password', 'not the password'],
    ['tampered MAC', PASSWORD],
    ['tampered ciphertext', PASSWORD],
  ] as const)('%s → WrongPasswordError', async (name, password) => {
    const file = mutate((k) => {
      if (name === 'tampered MAC') k.crypto.mac = flip(k.crypto.mac)
      if (name === 'tampered ciphertext') k.crypto.ciphertext = flip(k.crypto.ciphertext)
    })
    await expect(importKeystore(file, password)).rejects.toBeInstanceOf(WrongPasswordError)
  })

  it('an address that does not match the key → VaultFormatError', async () => {
    const file = mutate((k) => (k.address = '008aeeda4d805471df9b2a5b0f38a0c3bcba786b'))
    await expect(importKeystore(file, PASSWORD)).rejects.toThrow(VaultFormatError)
  })

  it.each<[string, (k: KeystoreJson) => void, new (...args: never[]) => Error]>([
    ['version 2', (k) => (k.version = 2), UnsupportedVersionError],
    ['version "1"', (k) => (k.version = '1'), UnsupportedVersionError],
    ['kdf argon2', (k) => (k.crypto.kdf = 'argon2'), UnsupportedKdfError],
    [
      'prf hmac-sha512',
      (k) => Object.assign(k.crypto, { kdf: 'pbkdf2', kdfparams: { c: 1, dklen: 32, prf: 'hmac-sha512', salt: 'aa' } }),
      UnsupportedKdfError,
    ],
    ['cipher aes-256-ctr', (k) => (k.crypto.cipher = 'aes-256-ctr'), UnsupportedKdfError],
    ['n not a power of 2', (k) => (k.crypto.kdfparams.n = 1000), VaultFormatError],
    ['n = 2^21', (k) => (k.crypto.kdfparams.n = 2 ** 21), VaultFormatError],
    ['n = 1', (k) => (k.crypto.kdfparams.n = 1), VaultFormatError],
    ['128 * n * r > 1 GiB', (k) => Object.assign(k.crypto.kdfparams, { n: 2 ** 20, r: 16 }), VaultFormatError],
    ['r = 33', (k) => (k.crypto.kdfparams.r = 33), VaultFormatError],
    ['p = 17', (k) => (k.crypto.kdfparams.p = 17), VaultFormatError],
    ['n as a string', (k) => (k.crypto.kdfparams.n = '16'), VaultFormatError],
    ['dklen 16', (k) => (k.crypto.kdfparams.dklen = 16), VaultFormatError],
    [
      'pbkdf2 c = 10,000,001',
      (k) => Object.assign(k.crypto, { kdf: 'pbkdf2', kdfparams: { c: 10_000_001, dklen: 32, prf: 'hmac-sha256', salt: 'aa' } }),
      VaultFormatError,
    ],
    ['non-hex salt', (k) => (k.crypto.kdfparams.salt = 'zz'.repeat(32)), VaultFormatError],
    ['odd-length iv', (k) => (k.crypto.cipherparams.iv = '0'.repeat(31)), VaultFormatError],
    ['15-byte iv', (k) => (k.crypto.cipherparams.iv = '00'.repeat(15)), VaultFormatError],
    ['31-byte ciphertext', (k) => (k.crypto.ciphertext = String(k.crypto.ciphertext).slice(2)), VaultFormatError],
    ['missing mac', (k) => delete k.crypto.mac, VaultFormatError],
    ['missing version', (k) => delete (k as { version?: unknown }).version, VaultFormatError],
    ['malformed address', (k) => (k.address = '0x1234'), VaultFormatError],
    ['missing crypto', (k) => delete (k as { crypto?: unknown }).crypto, VaultFormatError],
  ])('%s', async (_name, fn, ErrorClass) => {
    await expect(importKeystore(mutate(fn), PASSWORD)).rejects.toBeInstanceOf(ErrorClass)
  })

  it.each([['{"version":3,'], ['not json'], [''], ['[]'], ['42'], ['null'], [42], [null], [[1, 2]], [new Uint8Array(32)]])(
    'non-keystore input %j → VaultFormatError',
    async (input) => {
      await expect(importKeystore(input as never, PASSWORD)).rejects.toBeInstanceOf(VaultFormatError)
    },
  )

  it('checks the file before any key derivation (maximum-cost parameters fail fast)', async () => {
    const file = mutate((k) => {
      Object.assign(k.crypto, { kdf: 'pbkdf2', kdfparams: { c: 10_000_000, dklen: 32, prf: 'hmac-sha256', salt: 'aa' } })
      k.crypto.mac = 'nothex'
    })
    const started = Date.now()
    await expect(importKeystore(file, PASSWORD)).rejects.toBeInstanceOf(VaultFormatError)
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('a non-string password → InvalidArgumentError', async () => {
    await expect(importKeystore(base, 42 as never)).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(exportKeystore(KEY, undefined as never, FAST)).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it.each([
    ['zero', new Uint8Array(32)],
    ['the curve order n', hexToBytes(secp256k1.CURVE.n.toString(16))],
    ['31 bytes', new Uint8Array(31).fill(1)],
    ['63 hex digits', KEY_HEX.slice(1)],
    ['non-hex', 'zz'.repeat(32)],
    ['a number', 1],
  ])('export refuses a private key that is %s → InvalidPrivateKeyError', async (_name, key) => {
    await expect(exportKeystore(key as never, PASSWORD, FAST)).rejects.toBeInstanceOf(InvalidPrivateKeyError)
  })

  it.each([
    [{ N: 1000 }],
    [{ N: 2 ** 21 }],
    [{ N: 1 }],
    [{ r: 0 }],
    [{ p: 17 }],
    [{ N: 2 ** 20, r: 16 }],
    [{ N: 65536, r: 1 }],
    [{ N: '16' }],
  ])('export refuses scrypt options %j → InvalidArgumentError', async (scrypt) => {
    await expect(exportKeystore(KEY, PASSWORD, { scrypt: scrypt as never })).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})

describe('secrets stay out of output', () => {
  it('the import result prints redacted', async () => {
    const account = await importKeystore(base, PASSWORD)
    const shown = [JSON.stringify(account), inspect(account), String(account), `${account}`, inspect({ nested: account })]
    for (const text of shown) {
      expect(text).not.toContain(KEY_HEX)
      expect(text).toContain('[redacted]')
      expect(text).toContain(ADDRESS)
    }
    expect(JSON.parse(JSON.stringify(account))).toEqual({ address: ADDRESS, privateKey: '[redacted]' })
    expect(Object.isFrozen(account)).toBe(true)
  })

  it('no error carries the password or the key', async () => {
    const other = await exportKeystore(KEY, 'another password', FAST)
    const attempts = [
      () => importKeystore(other, PASSWORD),
      () =>
        importKeystore(
          mutate((k) => (k.crypto.mac = '00'.repeat(32))),
          PASSWORD,
        ),
      () =>
        importKeystore(
          mutate((k) => (k.address = '00'.repeat(20))),
          PASSWORD,
        ),
      () =>
        importKeystore(
          mutate((k) => (k.version = 4)),
          PASSWORD,
        ),
      () => importKeystore(`{${PASSWORD}`, PASSWORD),
      () => exportKeystore(KEY, PASSWORD, { scrypt: { N: 3 } }),
      () => exportKeystore(`${KEY_HEX}0`, PASSWORD, FAST),
    ]
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => expect.unreachable(),
        (e: unknown) => e as Error,
      )
      for (const text of [error.message, String(error.stack), inspect(error, { depth: 5 }), JSON.stringify(error)]) {
        expect(text.includes(KEY_HEX) || text.includes(PASSWORD)).toBe(false)
      }
    }
  })
})
