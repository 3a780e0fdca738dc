import { inspect } from 'node:util'
import * as passworder from '@metamask/browser-passworder'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { base64 } from '@scure/base'
import fc from 'fast-check'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { HDNode, evmAddressFromPublicKey, generateMnemonic, mnemonicToSeed } from 'coffer/keys'
import { CofferError, InvalidArgumentError, UnsupportedKdfError, VaultFormatError, WrongPasswordError } from '../../src/core/errors.js'
import { aesGcmEncrypt, pbkdf2Sha256 } from '../../src/vault/crypto.js'
import * as crypto from '../../src/vault/crypto.js'
import { importMetaMaskVault, type MetaMaskKeyring } from '../../src/vault/metamask.js'
import { english } from '../../src/keys/wordlists/english.js'

// Spy on the KDF (calling through) so tests can prove malformed vaults fail before it runs.
vi.mock('../../src/vault/crypto.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/vault/crypto.js')>()
  return { ...real, pbkdf2Sha256: vi.fn(real.pbkdf2Sha256) }
})

const PASSWORD = 'correct horse battery staple'
const HARDHAT = 'test test test test test test test test test test test junk'
const HARDHAT_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const KEY1 = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'
const KEY2 = 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' // hardhat account 0
const N_HEX = secp256k1.CURVE.n.toString(16)
const HD_PATH = "m/44'/60'/0'/0"
const utf8Bytes = (s: string) => Array.from(new TextEncoder().encode(s))

const KEYRINGS = [
  { type: 'HD Key Tree', data: { mnemonic: HARDHAT, numberOfAccounts: 3, hdPath: HD_PATH } },
  { type: 'HD Key Tree', data: { mnemonic: utf8Bytes(LEGAL), numberOfAccounts: 1, hdPath: HD_PATH } },
  { type: 'Simple Key Pair', data: [KEY1, `0x${KEY2}`] },
  {
    type: 'Ledger Hardware',
    data: { hdPath: "m/44'/60'/0'", accounts: ['0x1111111111111111111111111111111111111111'], accountDetails: {} },
  },
]
const SECRETS = [PASSWORD, HARDHAT, LEGAL, KEY1, KEY2, 'junk', 'yellow']

const pbkdf2 = (n: number) => ({ algorithm: 'PBKDF2' as const, params: { iterations: n } })
/** A vault with keyMetadata, made by MetaMask's own library. */
const mmVault = (data: unknown, iterations = 1_000, password = PASSWORD) =>
  passworder.encrypt(password, data, undefined, undefined, pbkdf2(iterations))
/** A legacy vault (no keyMetadata: always 10,000 iterations), made by MetaMask's own library. */
async function legacyVault(data: unknown, password = PASSWORD): Promise<string> {
  const salt = passworder.generateSalt()
  const { key } = await passworder.keyFromPassword(password, salt, false, pbkdf2(10_000))
  return passworder.encrypt(password, data, key, salt)
}
/** A vault sealed with coffer's own primitives, for plaintexts browser-passworder cannot produce. */
async function sealRaw(plaintext: Uint8Array, iterations = 1_000): Promise<string> {
  const salt = crypto.randomBytes(32)
  const iv = crypto.randomBytes(16)
  const key = await pbkdf2Sha256(new TextEncoder().encode(PASSWORD), salt, iterations, 32)
  const data = await aesGcmEncrypt(key, iv, plaintext)
  return JSON.stringify({ data: base64.encode(data), iv: base64.encode(iv), salt: base64.encode(salt), keyMetadata: pbkdf2(iterations) })
}
const sealJson = (value: unknown) => sealRaw(new TextEncoder().encode(JSON.stringify(value)))

async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CofferError)
  const err = error as CofferError
  const text = `${err.message} ${JSON.stringify(err.details)} ${inspect(err)}`
  for (const secret of SECRETS) expect(text).not.toContain(secret)
  return err
}

function expectStandardKeyrings(keyrings: MetaMaskKeyring[]): void {
  expect(keyrings).toHaveLength(4)
  const [hd1, hd2, simple, ledger] = keyrings
  expect(hd1).toMatchObject({ type: 'HD Key Tree', supported: true, mnemonic: HARDHAT, numberOfAccounts: 3, hdPath: HD_PATH })
  expect(hd2).toMatchObject({ type: 'HD Key Tree', supported: true, mnemonic: LEGAL, numberOfAccounts: 1 })
  expect(simple?.supported && simple.type === 'Simple Key Pair' && simple.privateKeys.map((k) => bytesToHex(k))).toEqual([KEY1, KEY2])
  expect(ledger).toEqual({ type: 'Ledger Hardware', supported: false })
}

let legacy: string
let modern: string
beforeAll(async () => {
  legacy = await legacyVault(KEYRINGS)
  modern = await mmVault(KEYRINGS)
})
beforeEach(() => {
  vi.mocked(crypto.pbkdf2Sha256).mockClear()
})

describe('importMetaMaskVault: vaults from @metamask/browser-passworder', () => {
  it('imports a legacy vault (no keyMetadata → 10,000 iterations)', async () => {
    expect(JSON.parse(legacy)).not.toHaveProperty('keyMetadata')
    expect(await passworder.decrypt(PASSWORD, legacy)).toEqual(KEYRINGS)
    expectStandardKeyrings(await importMetaMaskVault(legacy, PASSWORD))
    expect(vi.mocked(crypto.pbkdf2Sha256).mock.calls[0]?.[2]).toBe(10_000)
  })

  it('imports a vault with keyMetadata, as a string or a parsed object', async () => {
    expect(JSON.parse(modern).keyMetadata).toEqual(pbkdf2(1_000))
    expectStandardKeyrings(await importMetaMaskVault(modern, PASSWORD))
    expectStandardKeyrings(await importMetaMaskVault(JSON.parse(modern), PASSWORD))
  })

  it('imports a vault at 600,000 iterations (MetaMask extension setting)', async () => {
    const vault = await mmVault(KEYRINGS, 600_000)
    expectStandardKeyrings(await importMetaMaskVault(vault, PASSWORD))
  })

  it('accepts the storage wrappers people paste', async () => {
    for (const wrapped of [
      { vault: modern },
      { KeyringController: { vault: modern } },
      JSON.stringify({ KeyringController: { vault: legacy } }),
      { data: { KeyringController: { vault: modern } }, meta: { version: 150 } },
    ]) {
      expectStandardKeyrings(await importMetaMaskVault(wrapped, PASSWORD))
    }
  })

  it('gives usable secrets: the HD keyring and private key both reach the hardhat address', async () => {
    const [hd, , simple] = await importMetaMaskVault(modern, PASSWORD)
    if (!hd?.supported || hd.type !== 'HD Key Tree' || !simple?.supported || simple.type !== 'Simple Key Pair') throw new Error('shape')
    const node = HDNode.fromSeed(await mnemonicToSeed(hd.mnemonic)).derive(`${hd.hdPath}/0`)
    expect(evmAddressFromPublicKey(node.publicKey)).toBe(HARDHAT_ADDRESS)
    expect(evmAddressFromPublicKey(secp256k1.getPublicKey(simple.privateKeys[1] as Uint8Array, false))).toBe(HARDHAT_ADDRESS)
  })

  it('encodes passwords as UTF-8 without normalising, like MetaMask', async () => {
    const password = 'p\u00e4ssw\u00f6rd \u{1F511}'
    const vault = await mmVault(KEYRINGS, 1_000, password)
    expectStandardKeyrings(await importMetaMaskVault(vault, password))
    await expect(importMetaMaskVault(vault, password.normalize('NFD'))).rejects.toBeInstanceOf(WrongPasswordError)
  })

  it('decodes every mnemonic encoding and applies defaults', async () => {
    const indices = new Uint8Array(new Uint16Array(LEGAL.split(' ').map((w) => english.words.indexOf(w))).buffer)
    const encodings = [
      LEGAL,
      utf8Bytes(LEGAL),
      { ...utf8Bytes(LEGAL) }, // a UTF-8 Uint8Array that went through JSON.stringify
      { type: 'Buffer', data: utf8Bytes(LEGAL) }, // a Node Buffer that went through JSON.stringify
      { ...Array.from(indices) }, // eth-hd-keyring's in-memory uint16 word indices
      `  Legal WINNER thank year wave sausage worth useful legal winner thank yellow `,
    ]
    for (const mnemonic of encodings) {
      const [hd] = await importMetaMaskVault(await mmVault([{ type: 'HD Key Tree', data: { mnemonic } }]), PASSWORD)
      expect(hd).toEqual({ type: 'HD Key Tree', supported: true, mnemonic: LEGAL, numberOfAccounts: 1, hdPath: HD_PATH })
    }
  })

  it('round-trips random mnemonics in MetaMask ≥ 10 byte form (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(12, 15, 18, 21, 24 as const), fc.nat(1_000), async (words, accounts) => {
        const mnemonic = generateMnemonic({ words: words as 12 })
        const vault = await mmVault(
          [{ type: 'HD Key Tree', data: { mnemonic: utf8Bytes(mnemonic), numberOfAccounts: accounts, hdPath: HD_PATH } }],
          1,
        )
        const [hd] = await importMetaMaskVault(vault, PASSWORD)
        expect(hd).toEqual({ type: 'HD Key Tree', supported: true, mnemonic, numberOfAccounts: accounts, hdPath: HD_PATH })
      }),
      { numRuns: 25 },
    )
  })
})

describe('importMetaMaskVault: redaction', () => {
  it('prints keyrings and the result without secrets', async () => {
    const keyrings = await importMetaMaskVault(modern, PASSWORD)
    const outputs = [JSON.stringify(keyrings), inspect(keyrings, { depth: 10 }), ...keyrings.map(String), ...keyrings.map((k) => `${k}`)]
    for (const out of outputs) for (const secret of SECRETS) expect(out).not.toContain(secret)
    expect(JSON.parse(JSON.stringify(keyrings[0]))).toEqual({
      type: 'HD Key Tree',
      supported: true,
      numberOfAccounts: 3,
      hdPath: HD_PATH,
      mnemonic: '[redacted]',
    })
    expect(JSON.parse(JSON.stringify(keyrings[2]))).toEqual({
      type: 'Simple Key Pair',
      supported: true,
      privateKeys: ['[redacted]', '[redacted]'],
    })
    expect(String(keyrings[0])).toMatch(/^MetaMaskKeyring \{.*"\[redacted\]"/)
    expect(Object.isFrozen(keyrings[0])).toBe(true)
  })
})

describe('importMetaMaskVault: wrong password and tampering', () => {
  it('rejects a wrong password with WrongPasswordError', async () => {
    for (const vault of [legacy, modern]) {
      const err = await rejection(importMetaMaskVault(vault, 'not the password'))
      expect(err).toBeInstanceOf(WrongPasswordError)
    }
  })

  it('rejects modified data, iv or salt with WrongPasswordError', async () => {
    const v = JSON.parse(modern) as Record<string, string>
    const flip = (b64: string, at: number) => {
      const bytes = base64.decode(b64)
      const i = at < 0 ? bytes.length + at : at
      bytes[i] = (bytes[i] as number) ^ 1
      return base64.encode(bytes)
    }
    for (const tampered of [
      { ...v, data: flip(v.data as string, 0) },
      { ...v, data: flip(v.data as string, -1) }, // last byte: the tag
      { ...v, iv: flip(v.iv as string, 3) },
      { ...v, salt: flip(v.salt as string, 5) },
      { ...v, keyMetadata: pbkdf2(1_001) },
    ]) {
      expect(await rejection(importMetaMaskVault(tampered, PASSWORD))).toBeInstanceOf(WrongPasswordError)
    }
  })
})

describe('importMetaMaskVault: malformed input', () => {
  const v = () => JSON.parse(modern) as Record<string, unknown>
  const cases: [string, () => unknown, new (...a: never[]) => CofferError][] = [
    ['non-JSON string', () => 'not json', VaultFormatError],
    ['JSON array', () => '[]', VaultFormatError],
    ['empty object', () => ({}), VaultFormatError],
    ['missing data', () => ({ ...v(), data: undefined }), VaultFormatError],
    ['missing iv', () => ({ ...v(), iv: undefined }), VaultFormatError],
    ['missing salt', () => ({ ...v(), salt: undefined }), VaultFormatError],
    ['data not a string', () => ({ ...v(), data: 42 }), VaultFormatError],
    ['data bad base64', () => ({ ...v(), data: '@@@@' }), VaultFormatError],
    ['iv unpadded base64', () => ({ ...v(), iv: (v().iv as string).replace(/=+$/, '') }), VaultFormatError],
    ['iv base64url', () => ({ ...v(), iv: '-_-_-_-_-_-_-_-_-_-_-w==' }), VaultFormatError],
    ['iv 12 bytes', () => ({ ...v(), iv: base64.encode(new Uint8Array(12)) }), VaultFormatError],
    ['empty salt', () => ({ ...v(), salt: '' }), VaultFormatError],
    ['data shorter than a tag', () => ({ ...v(), data: base64.encode(new Uint8Array(16)) }), VaultFormatError],
    ['iterations 0', () => ({ ...v(), keyMetadata: pbkdf2(0) }), VaultFormatError],
    ['iterations 1.5', () => ({ ...v(), keyMetadata: pbkdf2(1.5) }), VaultFormatError],
    ['iterations too many', () => ({ ...v(), keyMetadata: pbkdf2(10_000_001) }), VaultFormatError],
    ['iterations as string', () => ({ ...v(), keyMetadata: { algorithm: 'PBKDF2', params: { iterations: '1000' } } }), VaultFormatError],
    ['no params', () => ({ ...v(), keyMetadata: { algorithm: 'PBKDF2' } }), VaultFormatError],
    ['keyMetadata null', () => ({ ...v(), keyMetadata: null }), VaultFormatError],
    ['wrapper with a non-vault', () => ({ vault: 'nope' }), VaultFormatError],
    ['algorithm scrypt', () => ({ ...v(), keyMetadata: { algorithm: 'scrypt', params: { N: 16384 } } }), UnsupportedKdfError],
    ['argon2 even with bad iterations', () => ({ ...v(), keyMetadata: { algorithm: 'argon2id', params: {} } }), UnsupportedKdfError],
    ['MetaMask Mobile vault', () => ({ cipher: 'abc', iv: '00'.repeat(16), salt: 'xyz', lib: 'original' }), UnsupportedKdfError],
    ['vault a number', () => 42, InvalidArgumentError],
    ['vault null', () => null, InvalidArgumentError],
  ]
  it.each(cases)('%s → %o, before any key derivation', async (_name, make, ErrorClass) => {
    const err = await rejection(importMetaMaskVault(make() as object, PASSWORD))
    expect(err).toBeInstanceOf(ErrorClass)
    expect(crypto.pbkdf2Sha256).not.toHaveBeenCalled()
  })

  it('rejects a password that is not a non-empty string with InvalidArgumentError', async () => {
    for (const password of ['', 42, undefined, null, new TextEncoder().encode(PASSWORD)]) {
      expect(await rejection(importMetaMaskVault(modern, password as string))).toBeInstanceOf(InvalidArgumentError)
    }
    expect(crypto.pbkdf2Sha256).not.toHaveBeenCalled()
  })

  it('throws only CofferErrors, without running the KDF, for arbitrary JSON (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        for (const input of [value, JSON.stringify(value)]) {
          const error = await importMetaMaskVault(input as object, PASSWORD).then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(error).toBeInstanceOf(CofferError)
        }
      }),
      { numRuns: 300 },
    )
    expect(crypto.pbkdf2Sha256).not.toHaveBeenCalled()
  })
})

describe('importMetaMaskVault: malformed plaintext → VaultFormatError', () => {
  const hd = (data: unknown) => [{ type: 'HD Key Tree', data }]
  const cases: [string, () => Promise<string>][] = [
    ['plaintext not JSON', () => sealRaw(new TextEncoder().encode('{"type":'))],
    ['plaintext not UTF-8', () => sealRaw(Uint8Array.of(0x5b, 0xff, 0x5d))],
    ['plaintext an object', () => mmVault({ keyrings: [] })],
    ['keyring without type', () => mmVault([{ data: {} }])],
    ['keyring not an object', () => sealJson(['HD Key Tree'])],
    ['HD keyring without data', () => mmVault([{ type: 'HD Key Tree' }])],
    ['mnemonic with a bad checksum', () => mmVault(hd({ mnemonic: 'test test test test test test test test test test test test' }))],
    ['mnemonic bytes with a bad checksum', () => mmVault(hd({ mnemonic: utf8Bytes(HARDHAT.replace('junk', 'test')) }))],
    ['mnemonic bytes out of range', () => mmVault(hd({ mnemonic: [...utf8Bytes(HARDHAT), 256] }))],
    ['mnemonic a number', () => mmVault(hd({ mnemonic: 7 }))],
    ['mnemonic missing', () => mmVault(hd({ numberOfAccounts: 1 }))],
    ['numberOfAccounts negative', () => mmVault(hd({ mnemonic: HARDHAT, numberOfAccounts: -1 }))],
    ['hdPath not a path', () => mmVault(hd({ mnemonic: HARDHAT, hdPath: 'bip44' }))],
    ['simple data not an array', () => mmVault([{ type: 'Simple Key Pair', data: KEY1 }])],
    ['simple key too short', () => mmVault([{ type: 'Simple Key Pair', data: [KEY1.slice(2)] }])],
    ['simple key zero', () => mmVault([{ type: 'Simple Key Pair', data: ['0'.repeat(64)] }])],
    ['simple key = n', () => mmVault([{ type: 'Simple Key Pair', data: [KEY2, N_HEX] }])],
  ]
  it.each(cases)('%s', async (_name, make) => {
    const err = await rejection(importMetaMaskVault(await make(), PASSWORD))
    expect(err).toBeInstanceOf(VaultFormatError)
  })

  it('imports an empty keyring list and unknown keyring types', async () => {
    expect(await importMetaMaskVault(await mmVault([]), PASSWORD)).toEqual([])
    const types = ['Trezor Hardware', 'QR Hardware Wallet Device', 'Snap Keyring', 'Custody - JSONRPC']
    const keyrings = await importMetaMaskVault(await mmVault(types.map((type) => ({ type, data: { secret: KEY1 } }))), PASSWORD)
    expect(keyrings).toEqual(types.map((type) => ({ type, supported: false })))
  })
})
