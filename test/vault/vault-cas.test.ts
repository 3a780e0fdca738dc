/**
 * Vault saves are compare-and-swap: two Vault instances on one storage (as two processes would
 * be) never overwrite each other's changes, a stale password never overwrites a newer one, and
 * the common case still costs one KDF run per save. (Real processes: multi-process.test.ts.)
 */
import { Wallet as EthersWallet } from 'ethers'
import { describe, expect, it, vi } from 'vitest'
import type { Kdf } from '../../src/vault/kdf.js'
import { ABANDON, FAST_KDF, LEGAL } from './helpers.js'

const kdfRuns = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../src/vault/kdf.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/vault/kdf.js')>()
  return {
    ...original,
    deriveKey: (password: Uint8Array, kdf: Kdf) => {
      kdfRuns.count++
      return original.deriveKey(password, kdf)
    },
  }
})

const {
  InvalidArgumentError,
  StorageConflictError,
  Vault,
  VaultLockedError,
  VaultExistsError,
  WrongPasswordError,
  memoryStorage,
  parseVaultFile,
} = await import('coffer/vault')
type VaultStorage = import('coffer/vault').VaultStorage

const PASSWORD = 'correct horse battery staple'
const KEY_A = 'aa'.repeat(32)
const KEY_B = 'bb'.repeat(32)

/** A vault in fresh memory storage, and a second instance of it unlocked too. */
async function twoInstances(storage: VaultStorage = memoryStorage()) {
  const a = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
  const b = await Vault.open({ storage })
  await b.unlock(PASSWORD)
  return { storage, a, b }
}
async function reopened(storage: VaultStorage, password = PASSWORD) {
  const vault = await Vault.open({ storage })
  await vault.unlock(password)
  return vault
}
const ids = (vault: { listSecrets(): { id: string }[] }) =>
  vault
    .listSecrets()
    .map((s) => s.id)
    .sort()

/** Memory storage whose update can be held at its start (while `hold()` is armed) until `release()`. */
function gatedStorage() {
  const inner = memoryStorage()
  let armed = false
  let open: () => void = () => undefined
  let entered: () => void = () => undefined
  let inside = new Promise<void>((resolve) => (entered = resolve))
  const storage: VaultStorage = {
    get: (key) => inner.get(key),
    set: (key, value) => inner.set(key, value),
    delete: (key) => inner.delete(key),
    async update(key, change) {
      if (armed) {
        armed = false
        entered()
        await new Promise<void>((resolve) => (open = resolve))
      }
      return inner.update!(key, change)
    },
  }
  return {
    storage,
    /** Holds the next update; resolves once a save is waiting inside it. */
    hold() {
      armed = true
      inside = new Promise<void>((resolve) => (entered = resolve))
      return { inside, release: () => open() }
    },
  }
}

describe('compare-and-swap vault saves', () => {
  it("an instance that saves after another keeps the other one's secret (and now lists it)", async () => {
    const { storage, a, b } = await twoInstances()
    const fromA = await a.addPrivateKey({ privateKey: KEY_A })
    const fromB = await b.addPrivateKey({ privateKey: KEY_B })
    expect(ids(await reopened(storage))).toEqual([fromA.id, fromB.id].sort())
    expect(ids(b)).toEqual([fromA.id, fromB.id].sort())
    // A learns of B's secret on its next save, or by unlocking again.
    await a.unlock(PASSWORD)
    expect(ids(a)).toEqual([fromA.id, fromB.id].sort())
  })

  it('keeps both when two instances add at the same moment, and the same seed from both only once', async () => {
    const { storage, a, b } = await twoInstances()
    const [x, y, sameA, sameB] = await Promise.all([
      a.addMnemonic({ mnemonic: ABANDON }),
      b.addMnemonic({ mnemonic: LEGAL }),
      a.addPrivateKey({ privateKey: KEY_A }),
      b.addPrivateKey({ privateKey: KEY_A }),
    ])
    const stored = await reopened(storage)
    expect(stored.listSecrets()).toHaveLength(3)
    expect(ids(stored)).toEqual(expect.arrayContaining([x.id, y.id, sameA.id]))
    expect(sameB.id === sameA.id || ids(stored).includes(sameB.id)).toBe(true)
    expect(await stored.revealMnemonic(x.id, PASSWORD)).toBe(ABANDON)
    expect(await stored.revealMnemonic(y.id, PASSWORD)).toBe(LEGAL)
  })

  it('respects a removal made elsewhere, and revokes signers of the removed secret on the next save', async () => {
    const { storage, a, b } = await twoInstances()
    const gone = await a.addPrivateKey({ privateKey: KEY_A })
    await b.unlock(PASSWORD) // B sees it
    const signer = await b.getSigner({ secretId: gone.id, chain: 'evm' })
    await a.removeSecret(gone.id)
    const kept = await b.addPrivateKey({ privateKey: KEY_B })
    expect(ids(await reopened(storage))).toEqual([kept.id])
    expect(ids(b)).toEqual([kept.id])
    await expect(signer.signDigest(new Uint8Array(32).fill(7))).rejects.toThrow(VaultLockedError)
  })

  it('a stale password never overwrites a newer one: the save fails with StorageConflictError and the instance locks', async () => {
    const { storage, a, b } = await twoInstances()
    const first = await a.addPrivateKey({ privateKey: KEY_A })
    await a.changePassword(PASSWORD, 'new password')
    const before = await storage.get('vault')
    const error = await b.addPrivateKey({ privateKey: KEY_B }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageConflictError)
    expect((error as Error).message).toMatch(/^The vault's password was changed elsewhere; unlock again\./)
    expect(b.isLocked).toBe(true)
    expect(await storage.get('vault')).toBe(before)
    await expect(reopened(storage)).rejects.toThrow(WrongPasswordError)
    expect(ids(await reopened(storage, 'new password'))).toEqual([first.id])
    // Nor can B change the password back.
    await expect(b.changePassword(PASSWORD, 'revert')).rejects.toThrow(WrongPasswordError)
    await b.unlock('new password')
    expect(ids(b)).toEqual([first.id])
  })

  it('unlocking an instance that is already unlocked adopts what is stored; with a newer password it starts afresh', async () => {
    const { a, b } = await twoInstances()
    const x = await a.addPrivateKey({ privateKey: KEY_A })
    await b.unlock(PASSWORD)
    expect(ids(b)).toEqual([x.id])
    await a.changePassword(PASSWORD, 'new password')
    await expect(b.unlock(PASSWORD)).rejects.toThrow(WrongPasswordError)
    expect(b.isLocked).toBe(false) // a wrong password changes nothing
    await b.unlock('new password')
    expect(ids(b)).toEqual([x.id])
    await expect(b.revealMnemonic(x.id, 'new password')).rejects.toThrow(InvalidArgumentError) // a private key: the password check passed
    await b.addPrivateKey({ privateKey: KEY_B })
    expect(b.listSecrets()).toHaveLength(2)
  })

  it('does not overwrite a stored vault it cannot read, or one that is another vault, or one deleted elsewhere', async () => {
    for (const replace of [
      async (storage: VaultStorage) => storage.set('vault', 'not a vault'),
      async (storage: VaultStorage) => {
        await storage.delete('vault')
        await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF }) // same password, new data key
      },
      async (storage: VaultStorage) => storage.delete('vault'),
    ]) {
      const { storage, b } = await twoInstances()
      await replace(storage)
      const before = await storage.get('vault')
      const error = await b.addPrivateKey({ privateKey: KEY_B }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StorageConflictError)
      expect((error as InstanceType<typeof StorageConflictError>).shortMessage).toMatch(
        /cannot be read|replaced elsewhere|deleted elsewhere/,
      )
      expect(b.isLocked).toBe(true)
      expect(await storage.get('vault')).toBe(before)
    }
  })

  it('only one of two racing creates wins; the other is refused and wrote nothing', async () => {
    const storage = memoryStorage()
    const results = await Promise.allSettled([
      Vault.create({ storage, password: 'first', kdf: FAST_KDF }),
      Vault.create({ storage, password: 'second', kdf: FAST_KDF }),
    ])
    const won = results.findIndex((r) => r.status === 'fulfilled')
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect((results[1 - won] as PromiseRejectedResult).reason).toBeInstanceOf(VaultExistsError)
    await reopened(storage, won === 0 ? 'first' : 'second')
  })

  it('keeps a KDF choice made elsewhere under the same password', async () => {
    const { storage, a, b } = await twoInstances()
    await a.changePassword(PASSWORD, PASSWORD, { kdf: { name: 'pbkdf2-sha256', iterations: 700_000 } })
    await b.addPrivateKey({ privateKey: KEY_B })
    expect(parseVaultFile((await storage.get('vault'))!).kdf).toMatchObject({ name: 'pbkdf2-sha256', iterations: 700_000 })
    expect((await reopened(storage)).listSecrets()).toHaveLength(1)
  })

  it('costs one KDF run per save when nobody else wrote, and one more only when someone did', async () => {
    const { a, b } = await twoInstances()
    kdfRuns.count = 0
    await a.addPrivateKey({ privateKey: KEY_A })
    expect(kdfRuns.count).toBe(1)
    kdfRuns.count = 0
    await Promise.all([a.addMnemonic({ mnemonic: ABANDON }), a.addMnemonic({ mnemonic: LEGAL })])
    expect(kdfRuns.count).toBeLessThanOrEqual(2) // one per group commit
    kdfRuns.count = 0
    await b.addPrivateKey({ privateKey: KEY_B }) // A wrote since B last read: re-open (1) + seal (1)
    expect(kdfRuns.count).toBe(2)
    kdfRuns.count = 0
    await b.removeSecret(b.listSecrets()[0]!.id)
    expect(kdfRuns.count).toBe(1)
  })

  it('a lock() in the middle of a save zeroes memory but not what is being saved', async () => {
    const { storage, hold } = gatedStorage()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF })
    const key = await vault.addPrivateKey({ privateKey: KEY_A })
    const gate = hold()
    const adding = vault.addMnemonic({ mnemonic: ABANDON })
    await gate.inside
    vault.lock() // zeroes the in-memory password, data key and secrets while the save waits
    gate.release()
    const added = await adding
    const stored = await reopened(storage)
    expect(ids(stored)).toEqual([key.id, added.id].sort())
    expect(await stored.revealMnemonic(added.id, PASSWORD)).toBe(ABANDON)
    expect((await stored.getSigner({ secretId: key.id, chain: 'evm' })).address).toBe(new EthersWallet(`0x${KEY_A}`).address)
  })

  it('auto-lock waits for a save in progress (it may be waiting for another process) instead of cutting it off', async () => {
    const { storage, hold } = gatedStorage()
    const vault = await Vault.create({ storage, password: PASSWORD, kdf: FAST_KDF, autoLockMs: 50 })
    const gate = hold()
    const adding = vault.addPrivateKey({ privateKey: KEY_A })
    await gate.inside
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(vault.isLocked).toBe(false)
    gate.release()
    const added = await adding
    expect(ids(vault)).toEqual([added.id])
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(vault.isLocked).toBe(true)
  })
})
