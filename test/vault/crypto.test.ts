/** Every backend (node:crypto, WebCrypto, @noble) computes the same bytes, and none stalls the event loop. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bytesToHex } from '@noble/hashes/utils.js'
import { Vault, WrongPasswordError, memoryStorage } from 'coffer/vault'
import { aes128Ctr, aesGcmDecrypt, aesGcmEncrypt, constantTimeEqual, pbkdf2Sha256, randomBytes, scrypt } from '../../src/vault/crypto.js'
import { longestStall } from './helpers.js'

const noNode = () => vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
const noWebCrypto = () => vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) })
const backends = [
  ['node:crypto', () => undefined],
  ['WebCrypto', noNode],
  ['@noble', () => (noNode(), noWebCrypto())],
] as const

afterEach(() => vi.unstubAllGlobals())

async function across<T>(fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (const [, setup] of backends) {
    setup()
    try {
      out.push(await fn())
    } finally {
      vi.unstubAllGlobals()
    }
  }
  return out
}

describe('backends agree', () => {
  const key = randomBytes(32)
  const iv = randomBytes(12)
  const aad = new TextEncoder().encode('header')
  const plaintext = randomBytes(1000)

  it('AES-256-GCM encrypts to identical bytes and each decrypts the others', async () => {
    const sealed = await across(() => aesGcmEncrypt(key, iv, plaintext, aad))
    expect(new Set(sealed.map(bytesToHex)).size).toBe(1)
    const opened = await across(() => aesGcmDecrypt(key, iv, sealed[0] as Uint8Array, aad))
    for (const p of opened) expect(p).toEqual(plaintext)
  })

  it('AES-GCM with a 16-byte IV (MetaMask) agrees too', async () => {
    const iv16 = randomBytes(16)
    const sealed = await across(() => aesGcmEncrypt(key, iv16, plaintext))
    expect(new Set(sealed.map(bytesToHex)).size).toBe(1)
  })

  it('every backend rejects a modified tag, ciphertext or AAD with WrongPasswordError', async () => {
    const sealed = await aesGcmEncrypt(key, iv, plaintext, aad)
    const tampered = sealed.slice()
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
    for (const [, setup] of backends) {
      setup()
      await expect(aesGcmDecrypt(key, iv, tampered, aad)).rejects.toThrow(WrongPasswordError)
      await expect(aesGcmDecrypt(key, iv, sealed, new Uint8Array([1]))).rejects.toThrow(WrongPasswordError)
      await expect(aesGcmDecrypt(key, iv, sealed.subarray(0, 10), aad)).rejects.toThrow(WrongPasswordError)
      vi.unstubAllGlobals()
    }
  })

  it('AES-128-CTR agrees and is its own inverse', async () => {
    const k16 = randomBytes(16)
    const iv16 = randomBytes(16)
    const out = await across(() => aes128Ctr(k16, iv16, plaintext))
    expect(new Set(out.map(bytesToHex)).size).toBe(1)
    expect(await aes128Ctr(k16, iv16, out[0] as Uint8Array)).toEqual(plaintext)
  })

  it('scrypt (RFC 7914 test vector 2) and PBKDF2-SHA256 agree', async () => {
    const pw = new TextEncoder().encode('password')
    const salt = new TextEncoder().encode('NaCl')
    // RFC 7914 §12: scrypt(P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64)
    const expected =
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640'
    for (const out of await across(() => scrypt(pw, salt, { N: 1024, r: 8, p: 16, dkLen: 64 }))) expect(bytesToHex(out)).toBe(expected)
    const pb = await across(() => pbkdf2Sha256(pw, salt, 20_000, 32))
    expect(new Set(pb.map(bytesToHex)).size).toBe(1)
  })

  it('constantTimeEqual compares contents and lengths', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false)
  })
})

describe('the event loop keeps running', () => {
  it('while a vault with default scrypt (N=2^17) unlocks natively: no stall over 50 ms', async () => {
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: 'pw' })
    vault.lock()
    const { stallMs } = await longestStall(() => vault.unlock('pw'))
    expect(vault.isLocked).toBe(false)
    expect(stallMs).toBeLessThan(50)
  })

  it('while PBKDF2 at 600,000 rounds runs on the thread pool', async () => {
    const { stallMs } = await longestStall(() => pbkdf2Sha256(new Uint8Array([1]), new Uint8Array(32), 600_000, 32))
    expect(stallMs).toBeLessThan(50)
  })
})
