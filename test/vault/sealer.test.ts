/** vault.sealer(purpose): records sealed under a key that never leaves the vault. */
import { describe, expect, it } from 'vitest'
import { Vault, memoryStorage } from 'coffer/vault'
import { aesGcmEncrypt, randomBytes } from '../../src/vault/crypto.js'
import { deriveKey } from '../../src/vault/kdf.js'
import { encodePayload } from '../../src/vault/payload.js'
import { headerAad, parseVaultFile, serializeVaultFile } from '../../src/vault/format.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const bytes = (text: string) => new TextEncoder().encode(text)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('vault.sealer', () => {
  it('seals and opens, binds purpose and AAD, survives a password change and a reopen, stops when locked', async () => {
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: 'one', kdf: FAST_KDF })
    const journal = vault.sealer('journal')
    const sealed = await journal.seal(bytes('paid 5 USDT'), bytes('seq:1'))
    expect(text(await journal.open(sealed, bytes('seq:1')))).toBe('paid 5 USDT')
    expect(sealed.length).toBe(12 + 11 + 16)
    await expect(journal.open(sealed, bytes('seq:2'))).rejects.toMatchObject({ code: 'VAULT_FORMAT' })
    await expect(vault.sealer('policy').open(sealed, bytes('seq:1'))).rejects.toMatchObject({ code: 'VAULT_FORMAT' })
    const flipped = sealed.slice()
    flipped[20]! ^= 1
    await expect(journal.open(flipped, bytes('seq:1'))).rejects.toMatchObject({ code: 'VAULT_FORMAT' })

    await vault.changePassword('one', 'two')
    expect(text(await vault.sealer('journal').open(sealed, bytes('seq:1')))).toBe('paid 5 USDT')
    vault.lock()
    await expect(journal.open(sealed, bytes('seq:1'))).rejects.toMatchObject({ code: 'VAULT_LOCKED' })
    expect(() => vault.sealer('journal')).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))

    const again = await Vault.open({ storage })
    await again.unlock('two')
    expect(text(await again.sealer('journal').open(sealed, bytes('seq:1')))).toBe('paid 5 USDT')
    expect(() => again.sealer('Not Valid')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))

    // Another vault's sealer cannot open it.
    const other = await Vault.create({ storage: memoryStorage(), password: 'x', kdf: FAST_KDF })
    await expect(other.sealer('journal').open(sealed, bytes('seq:1'))).rejects.toMatchObject({ code: 'VAULT_FORMAT' })
  })

  it('gives a vault written before data keys one on unlock, and keeps it', async () => {
    // A v1 vault whose payload has no data key, as earlier versions wrote it.
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: 'pw', kdf: FAST_KDF })
    const file = parseVaultFile((await storage.get('vault'))!)
    const key = await deriveKey(bytes('pw'), file.kdf)
    const iv = randomBytes(12)
    const legacy = { ...file, cipher: { ...file.cipher, iv } }
    await storage.set(
      'vault',
      serializeVaultFile({ ...legacy, ciphertext: await aesGcmEncrypt(key, iv, encodePayload([]), headerAad(legacy)) }),
    )
    vault.lock()

    const opened = await Vault.open({ storage })
    await opened.unlock('pw')
    const sealed = await opened.sealer('journal').seal(bytes('x'))
    // The new key was stored: a fresh unlock opens what was sealed.
    const file2 = parseVaultFile((await storage.get('vault'))!)
    expect(file2.cipher.iv).not.toEqual(iv)
    const later = await Vault.open({ storage })
    await later.unlock('pw')
    expect(text(await later.sealer('journal').open(sealed))).toBe('x')
  })
})
