import { secp256k1, schnorr } from '@noble/curves/secp256k1.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bech32m, base58 } from '@scure/base'
import { Wallet, recoverAddress, Signature } from 'ethers'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  InvalidMnemonicError,
  InvalidPrivateKeyError,
  SecretNotFoundError,
  StorageError,
  Vault,
  VaultExistsError,
  VaultLockedError,
  VaultNotFoundError,
  WrongPasswordError,
  memoryStorage,
  parseVaultFile,
  type VaultStorage,
} from 'coffer/vault'
import { deriveAccount, mnemonicToSeed, validateMnemonic } from 'coffer/keys'
import { ABANDON, FAST_KDF, LEGAL } from './helpers.js'

const PASSWORD = 'correct horse battery staple'

async function fresh(storage: VaultStorage = memoryStorage()) {
  return { storage, vault: await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF }) }
}

/** Counts writes and can be told to fail the next one. */
function instrumented(): VaultStorage & { writes: number; failNext: boolean } {
  const inner = memoryStorage()
  const s = {
    writes: 0,
    failNext: false,
    get: (k: string) => inner.get(k),
    delete: (k: string) => inner.delete(k),
    async set(k: string, v: string) {
      if (s.failNext) {
        s.failNext = false
        throw new StorageError('disk full (test)')
      }
      s.writes++
      return inner.set(k, v)
    },
  }
  return s
}

describe('lifecycle', () => {
  it('create → add → lock → open → unlock round-trips the secrets', async () => {
    const { storage, vault } = await fresh()
    expect(vault.isLocked).toBe(false)
    const info = await vault.addMnemonic({ mnemonic: ABANDON, label: 'main' })
    expect(info).toMatchObject({ kind: 'mnemonic', label: 'main', language: 'english', hasPassphrase: false })
    vault.lock()
    expect(vault.isLocked).toBe(true)
    expect(() => vault.listSecrets()).toThrow(VaultLockedError)

    const reopened = await Vault.open({ storage })
    expect(reopened.isLocked).toBe(true)
    await reopened.unlock(PASSWORD)
    expect(reopened.listSecrets()).toEqual([info])
    const signer = await reopened.getSigner({ secretId: info.id, chain: 'evm' })
    expect(signer.address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
  })

  it('open on empty storage throws VaultNotFoundError; create refuses to overwrite', async () => {
    await expect(Vault.open({ storage: memoryStorage() })).rejects.toThrow(VaultNotFoundError)
    const { storage } = await fresh()
    const refused = await Vault.create({ storage, password: 'other', kdf: FAST_KDF }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(VaultExistsError)
    expect(refused).toMatchObject({
      code: 'VAULT_EXISTS',
      name: 'VaultExistsError',
      shortMessage: expect.stringMatching(/already holds a vault; open it with Vault\.open/),
    })
    await expect((await Vault.open({ storage })).unlock(PASSWORD)).resolves.toBeUndefined() // the first vault is untouched
  })

  it('a wrong password is a WrongPasswordError and leaves the vault locked', async () => {
    const { storage, vault } = await fresh()
    vault.lock()
    await expect(vault.unlock('wrong')).rejects.toThrow(WrongPasswordError)
    expect(vault.isLocked).toBe(true)
    await expect((await Vault.open({ storage })).unlock(PASSWORD)).resolves.toBeUndefined()
  })

  it('says which password rule failed, never quoting the password', async () => {
    const message = async (password: unknown) =>
      ((await Vault.create({ storage: memoryStorage(), password: password as string }).catch((e: unknown) => e)) as InvalidArgumentError)
        .shortMessage
    expect(await message('')).toBe('password is empty; a vault needs a non-empty password.')
    expect(await message(42)).toBe('password must be a string, got number.')
    expect(await message(undefined)).toBe('password must be a string, got undefined.')
    const long = 's3cret'.repeat(200)
    expect(await message(long)).toBe('password is longer than 1024 characters.')
    const { vault } = await fresh()
    await expect(vault.unlock('')).rejects.toThrow(/^password is empty/)
    await expect(vault.changePassword(PASSWORD, '')).rejects.toThrow(/^newPassword is empty/)
  })

  it('rejects bad options at the boundary', async () => {
    await expect(Vault.create({ storage: memoryStorage(), password: '' })).rejects.toThrow(InvalidArgumentError)
    await expect(Vault.create({ storage: {} as never, password: 'x' })).rejects.toThrow(InvalidArgumentError)
    await expect(Vault.create({ storage: memoryStorage(), password: 'x', autoLockMs: -1 })).rejects.toThrow(InvalidArgumentError)
    await expect(Vault.create({ storage: memoryStorage(), password: 'x', kdf: { name: 'argon2' } as never })).rejects.toThrow(
      InvalidArgumentError,
    )
  })

  it('onLock listeners hear every lock', async () => {
    const { vault } = await fresh()
    let locks = 0
    const off = vault.onLock(() => locks++)
    vault.lock()
    vault.lock()
    await vault.unlock(PASSWORD)
    off()
    vault.lock()
    expect(locks).toBe(1)
  })
})

describe('secrets', () => {
  it('generates a mnemonic when none is given, and reveals it only with the password', async () => {
    const { vault } = await fresh()
    const info = await vault.addMnemonic({ words: 24 })
    const phrase = await vault.revealMnemonic(info.id, PASSWORD)
    expect(phrase.split(' ')).toHaveLength(24)
    expect(validateMnemonic(phrase)).toBe(true)
    await expect(vault.revealMnemonic(info.id, 'nope')).rejects.toThrow(WrongPasswordError)
  })

  it('stores the canonical phrase and the passphrase-bearing seed', async () => {
    const { vault } = await fresh()
    const plain = await vault.addMnemonic({ mnemonic: `  ${LEGAL.toUpperCase()} ` })
    const withPass = await vault.addMnemonic({ mnemonic: LEGAL, passphrase: 'TREZOR' })
    expect(withPass.hasPassphrase).toBe(true)
    expect(await vault.revealMnemonic(plain.id, PASSWORD)).toBe(LEGAL)
    const a = await vault.getSigner({ secretId: plain.id, chain: 'evm' })
    const b = await vault.getSigner({ secretId: withPass.id, chain: 'evm' })
    expect(a.address).toBe(deriveAccount(await mnemonicToSeed(LEGAL), { chain: 'evm' }).address)
    expect(b.address).toBe(deriveAccount(await mnemonicToSeed(LEGAL, { passphrase: 'TREZOR' }), { chain: 'evm' }).address)
  })

  it('stores the same secret once', async () => {
    const { vault } = await fresh()
    const a = await vault.addMnemonic({ mnemonic: ABANDON })
    const b = await vault.addMnemonic({ mnemonic: ABANDON, label: 'again' })
    expect(b.id).toBe(a.id)
    const k = await vault.addPrivateKey({ privateKey: '0x' + '11'.repeat(32) })
    const k2 = await vault.addPrivateKey({ privateKey: new Uint8Array(32).fill(0x11) })
    expect(k2.id).toBe(k.id)
    expect(vault.listSecrets()).toHaveLength(2)
  })

  it('rejects invalid mnemonics and keys before saving anything', async () => {
    const storage = instrumented()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
    const writes = storage.writes
    await expect(vault.addMnemonic({ mnemonic: 'abandon '.repeat(12).trim() })).rejects.toThrow(InvalidMnemonicError)
    await expect(vault.addPrivateKey({ privateKey: '00'.repeat(32) })).rejects.toThrow(InvalidPrivateKeyError)
    await expect(vault.addPrivateKey({ privateKey: 'zz' })).rejects.toThrow(InvalidPrivateKeyError)
    await expect(vault.addPrivateKey({ privateKey: new Uint8Array(31) })).rejects.toThrow(InvalidPrivateKeyError)
    await expect(vault.addPrivateKey({ privateKey: new Uint8Array(32).fill(1), curve: 'p256' as never })).rejects.toThrow(
      InvalidPrivateKeyError,
    )
    expect(storage.writes).toBe(writes)
    expect(vault.listSecrets()).toEqual([])
  })

  it('removeSecret deletes it and stops its signers', async () => {
    const { vault } = await fresh()
    const info = await vault.addMnemonic({ mnemonic: ABANDON })
    const signer = await vault.getSigner({ secretId: info.id, chain: 'tron' })
    await vault.removeSecret(info.id)
    expect(vault.listSecrets()).toEqual([])
    await expect(signer.signDigest(new Uint8Array(32))).rejects.toThrow(VaultLockedError)
    await expect(vault.removeSecret(info.id)).rejects.toThrow(SecretNotFoundError)
    await expect(vault.getSigner({ secretId: 'ffffffffffffffff', chain: 'evm' })).rejects.toThrow(SecretNotFoundError)
  })

  it('lists public info only', async () => {
    const { vault } = await fresh()
    await vault.addMnemonic({ mnemonic: ABANDON })
    await vault.addPrivateKey({ privateKey: '22'.repeat(32), curve: 'ed25519', label: 'sol' })
    const listed = JSON.stringify(vault.listSecrets())
    expect(listed).not.toMatch(/abandon|2222/)
    expect(
      vault
        .listSecrets()
        .map((s) => s.kind)
        .sort(),
    ).toEqual(['mnemonic', 'privateKey'])
  })
})

describe('signers', () => {
  const digest = keccak_256(new TextEncoder().encode('coffer'))

  it('EVM: low-s ECDSA whose recovery bit recovers the address (ethers as oracle)', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: ABANDON })
    for (const verify of [true, false]) {
      const signer = await vault.getSigner({ secretId: id, chain: 'evm', index: 3, verify })
      const sig = await signer.signDigest(digest)
      expect(sig.s <= secp256k1.CURVE.n / 2n).toBe(true)
      const ethersSig = Signature.from({
        r: `0x${sig.r.toString(16).padStart(64, '0')}`,
        s: `0x${sig.s.toString(16).padStart(64, '0')}`,
        yParity: sig.recovery,
      })
      expect(recoverAddress(digest, ethersSig)).toBe(signer.address)
      // RFC 6979: deterministic.
      expect(await signer.signDigest(digest)).toEqual(sig)
    }
  })

  it('private-key secrets sign as the address ethers computes', async () => {
    const { vault } = await fresh()
    const key = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'
    const { id } = await vault.addPrivateKey({ privateKey: key })
    const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
    expect(signer.address).toBe(new Wallet(`0x${key}`).address)
    expect(signer.path).toBeUndefined()
    await expect(vault.getSigner({ secretId: id, chain: 'solana' })).rejects.toThrow(/secp256k1 key; solana needs ed25519/)
    await expect(vault.getSigner({ secretId: id, chain: 'evm', index: 1 })).rejects.toThrow(InvalidArgumentError)
  })

  it('Bitcoin P2TR: BIP-340 Schnorr verifies against the output key in the address (BIP-86 tweak)', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: ABANDON })
    const signer = await vault.getSigner({ secretId: id, chain: 'bitcoin', addressType: 'p2tr' })
    expect(signer.address).toBe('bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr')
    const outputKey = bech32m.fromWords(bech32m.decode(signer.address as `bc1${string}`).words.slice(1))
    const sig = await signer.signSchnorr(digest)
    expect(schnorr.verify(sig, digest, outputKey)).toBe(true)
    // Untweaked and script-path tweaks verify against their own keys.
    const untweaked = await signer.signSchnorr(digest, { tweak: null })
    expect(schnorr.verify(untweaked, digest, signer.publicKey.subarray(1))).toBe(true)
    expect(schnorr.verify(untweaked, digest, outputKey)).toBe(false)
  })

  it('Solana: ed25519 over the message bytes', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: ABANDON })
    const signer = await vault.getSigner({ secretId: id, chain: 'solana' })
    expect(signer.address).toBe('HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk')
    const message = new TextEncoder().encode('hello solana')
    expect(ed25519.verify(await signer.signMessage(message), message, base58.decode(signer.address))).toBe(true)
  })

  it('accepts a 64-byte Solana secret key and checks its halves', async () => {
    const { vault } = await fresh()
    const seed = new Uint8Array(32).fill(8)
    const secretKey = new Uint8Array([...seed, ...ed25519.getPublicKey(seed)])
    const { id } = await vault.addPrivateKey({ privateKey: secretKey, curve: 'ed25519' })
    expect((await vault.getSigner({ secretId: id, chain: 'solana' })).address).toBe('2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1')
    secretKey[63] = (secretKey[63] as number) ^ 1
    await expect(vault.addPrivateKey({ privateKey: secretKey, curve: 'ed25519' })).rejects.toThrow(InvalidPrivateKeyError)
  })

  it('stop working, with VaultLockedError, once the vault locks; new signers work after unlock', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: ABANDON })
    const evm = await vault.getSigner({ secretId: id, chain: 'evm' })
    const btc = await vault.getSigner({ secretId: id, chain: 'bitcoin', addressType: 'p2tr' })
    const sol = await vault.getSigner({ secretId: id, chain: 'solana' })
    vault.lock()
    await expect(evm.signDigest(digest)).rejects.toThrow(VaultLockedError)
    await expect(btc.signSchnorr(digest)).rejects.toThrow(VaultLockedError)
    await expect(sol.signMessage(digest)).rejects.toThrow(VaultLockedError)
    await expect(vault.getSigner({ secretId: id, chain: 'evm' })).rejects.toThrow(VaultLockedError)
    await vault.unlock(PASSWORD)
    await expect(evm.signDigest(digest)).rejects.toThrow(VaultLockedError)
    const again = await vault.getSigner({ secretId: id, chain: 'evm' })
    expect(again.address).toBe(evm.address)
    await expect(again.signDigest(digest)).resolves.toBeDefined()
  })

  it('reject malformed input with typed errors', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: ABANDON })
    const evm = await vault.getSigner({ secretId: id, chain: 'evm' })
    await expect(evm.signDigest(new Uint8Array(31))).rejects.toThrow(InvalidArgumentError)
    await expect(evm.signDigest('00' as never)).rejects.toThrow(InvalidArgumentError)
    await expect(evm.signSchnorr(new Uint8Array(32), { tweak: new Uint8Array(5) })).rejects.toThrow(InvalidArgumentError)
    await expect(vault.getSigner({ secretId: id, chain: 'cosmos' } as never)).rejects.toThrow(InvalidArgumentError)
  })
})

describe('changePassword', () => {
  it('re-encrypts with a fresh salt and IV; only the new password opens it', async () => {
    const { storage, vault } = await fresh()
    await vault.addMnemonic({ mnemonic: ABANDON })
    const before = parseVaultFile((await storage.get('vault')) as string)
    await vault.changePassword(PASSWORD, 'new password')
    const after = parseVaultFile((await storage.get('vault')) as string)
    expect(bytesToHex(after.kdf.salt)).not.toBe(bytesToHex(before.kdf.salt))
    expect(bytesToHex(after.cipher.iv)).not.toBe(bytesToHex(before.cipher.iv))
    const reopened = await Vault.open({ storage })
    await expect(reopened.unlock(PASSWORD)).rejects.toThrow(WrongPasswordError)
    await reopened.unlock('new password')
    expect(reopened.listSecrets()).toHaveLength(1)
    await expect(vault.revealMnemonic(vault.listSecrets()[0]!.id, 'new password')).resolves.toBe(ABANDON)
  })

  it('works from a locked vault, refuses a wrong old password, and can switch KDF', async () => {
    const { storage, vault } = await fresh()
    vault.lock()
    await expect(vault.changePassword('wrong', 'x2')).rejects.toThrow(WrongPasswordError)
    await vault.changePassword(PASSWORD, 'x2', { kdf: { name: 'scrypt', N: 2 ** 14, r: 8, p: 8 } })
    expect(parseVaultFile((await storage.get('vault')) as string).kdf).toMatchObject({ name: 'scrypt', N: 2 ** 14, p: 8 })
    await expect(vault.changePassword('x2', 'x3', { kdf: { name: 'scrypt', N: 2 ** 14, r: 8, p: 1 } })).rejects.toThrow(/below the floor/)
    await (await Vault.open({ storage })).unlock('x2')
  })

  it('is atomic: a failed write keeps the old password and contents', async () => {
    const storage = instrumented()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
    await vault.addMnemonic({ mnemonic: ABANDON })
    storage.failNext = true
    await expect(vault.changePassword(PASSWORD, 'new')).rejects.toThrow(StorageError)
    await expect(vault.revealMnemonic(vault.listSecrets()[0]!.id, PASSWORD)).resolves.toBe(ABANDON)
    await (await Vault.open({ storage })).unlock(PASSWORD)
  })
})

describe('concurrency and failures', () => {
  it('concurrent additions are all kept and saved in few writes (group commit)', async () => {
    const storage = instrumented()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
    const writes = storage.writes
    const keys = Array.from({ length: 20 }, (_, i) => new Uint8Array(32).fill(i + 1))
    const infos = await Promise.all(keys.map((privateKey) => vault.addPrivateKey({ privateKey })))
    expect(new Set(infos.map((i) => i.id)).size).toBe(20)
    expect(storage.writes - writes).toBeLessThanOrEqual(3)
    const reopened = await Vault.open({ storage })
    await reopened.unlock(PASSWORD)
    expect(reopened.listSecrets()).toHaveLength(20)
  })

  it('a failed save changes nothing in memory or on disk', async () => {
    const storage = instrumented()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
    storage.failNext = true
    await expect(vault.addMnemonic({ mnemonic: ABANDON })).rejects.toThrow(StorageError)
    expect(vault.listSecrets()).toEqual([])
    await vault.addMnemonic({ mnemonic: LEGAL })
    expect(vault.listSecrets()).toHaveLength(1)
  })

  it('locking during a save keeps the save and nothing in memory', async () => {
    const { storage, vault } = await fresh()
    const adding = vault.addMnemonic({ mnemonic: ABANDON })
    vault.lock()
    await expect(adding).rejects.toThrow(VaultLockedError)
    const pending = (async () => {
      await vault.unlock(PASSWORD)
      const p = vault.addMnemonic({ mnemonic: LEGAL })
      await new Promise((r) => setTimeout(r, 20))
      vault.lock()
      return p
    })()
    await pending.catch(() => undefined)
    expect(vault.isLocked).toBe(true)
    const reopened = await Vault.open({ storage })
    await reopened.unlock(PASSWORD)
    expect(reopened.listSecrets().length).toBeLessThanOrEqual(1)
  })
})

describe('auto-lock', () => {
  it('locks after autoLockMs without use, and use postpones it', async () => {
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF, autoLockMs: 300 })
    const { id } = await vault.addPrivateKey({ privateKey: '33'.repeat(32) })
    const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
    await new Promise((r) => setTimeout(r, 200))
    await signer.signDigest(new Uint8Array(32).fill(1)) // use resets the timer
    await new Promise((r) => setTimeout(r, 200))
    expect(vault.isLocked).toBe(false)
    await new Promise((r) => setTimeout(r, 250))
    expect(vault.isLocked).toBe(true)
    await expect(signer.signDigest(new Uint8Array(32).fill(1))).rejects.toThrow(VaultLockedError)
  })
})

describe('nothing secret is printed', () => {
  it('vault, signers and errors never show the mnemonic, keys or password', async () => {
    const { vault } = await fresh()
    const { id } = await vault.addMnemonic({ mnemonic: LEGAL })
    const { id: keyId } = await vault.addPrivateKey({ privateKey: '44'.repeat(32) })
    const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
    const keySigner = await vault.getSigner({ secretId: keyId, chain: 'evm' })
    const errors: unknown[] = []
    for (const attempt of [
      () => vault.revealMnemonic(id, 'wrong ' + PASSWORD),
      () => vault.unlock('bad ' + PASSWORD),
      () => vault.addMnemonic({ mnemonic: LEGAL.replace('legal', 'legalx') }),
      () => vault.addPrivateKey({ privateKey: '44'.repeat(31) }),
      () => Vault.create({ storage: memoryStorage(), password: PASSWORD, kdf: { name: 'pbkdf2-sha256', iterations: 5 } }),
    ]) {
      errors.push(await attempt().catch((e: unknown) => e))
    }
    const printed = [vault, signer, keySigner, ...errors, ...errors.map((e) => (e as Error).stack), vault.listSecrets()]
      .flatMap((x) => [JSON.stringify(x), inspect(x, { depth: 10 }), String(x)])
      .join('\n')
    for (const secret of ['legal winner', 'legalx', PASSWORD, '4444444444', bytesToHex(await mnemonicToSeed(LEGAL)).slice(0, 16)]) {
      expect(printed).not.toContain(secret)
    }
    expect(printed).toContain('[redacted]')
  })
})

describe('importMetaMask', () => {
  it('adds the HD keyring as a mnemonic and simple keys as private keys, signing as MetaMask would', async () => {
    const passworder = await import('@metamask/browser-passworder')
    const hardhatKey = 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
    const keyrings = [
      {
        type: 'HD Key Tree',
        data: { mnemonic: Array.from(new TextEncoder().encode(ABANDON)), numberOfAccounts: 2, hdPath: "m/44'/60'/0'/0" },
      },
      { type: 'Simple Key Pair', data: [hardhatKey] },
      { type: 'Ledger Hardware', data: { hdPath: "m/44'/60'/0'" } },
    ]
    const mmVault = await passworder.encrypt('metamask pw', keyrings, undefined, undefined, {
      algorithm: 'PBKDF2',
      params: { iterations: 10_000 },
    })
    const { vault } = await fresh()
    const added = await vault.importMetaMask(mmVault, 'metamask pw')
    expect(added.map((s) => s.kind)).toEqual(['mnemonic', 'privateKey'])
    expect((await vault.getSigner({ secretId: added[0]!.id, chain: 'evm', index: 1 })).address).toBe(
      '0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0',
    )
    expect((await vault.getSigner({ secretId: added[1]!.id, chain: 'evm' })).address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    await expect(vault.importMetaMask(mmVault, 'wrong')).rejects.toThrow(WrongPasswordError)
    // Importing again stores nothing twice.
    expect((await vault.importMetaMask(mmVault, 'metamask pw')).map((s) => s.id)).toEqual(added.map((s) => s.id))
    expect(vault.listSecrets()).toHaveLength(2)
  })
})
