/**
 * After lock(), every key buffer the vault held is zero: the decrypted secrets (captured
 * where the payload is decoded) and the keys lent to signers (captured where signers are made).
 */
import { describe, expect, it, vi } from 'vitest'
import type { KeyHandle } from '../../src/keys/signer.js'
import type { Secret } from '../../src/vault/payload.js'
import { ABANDON, FAST_KDF } from './helpers.js'

const captured = vi.hoisted(() => ({ secrets: [] as unknown[], handles: [] as unknown[] }))

vi.mock('../../src/vault/payload.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/vault/payload.js')>()
  return {
    ...original,
    decodePayload: (payload: Uint8Array) => {
      const secrets = original.decodePayload(payload)
      captured.secrets.push(...secrets)
      return secrets
    },
  }
})

// Every secp256k1 signer (EVM's from the vault's own module, the other families' through
// createSecp256k1Signer) is made by makeSecp256k1Signer; ed25519 signers by createEd25519Signer.
vi.mock('../../src/keys/secp256k1-signer.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/keys/secp256k1-signer.js')>()
  return {
    ...original,
    makeSecp256k1Signer: (handle: KeyHandle, ...rest: unknown[]) => {
      captured.handles.push(handle)
      return (original.makeSecp256k1Signer as (...a: unknown[]) => unknown)(handle, ...rest)
    },
  }
})

vi.mock('../../src/keys/signer.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/keys/signer.js')>()
  return {
    ...original,
    createEd25519Signer: (handle: KeyHandle, ...rest: unknown[]) => {
      captured.handles.push(handle)
      return (original.createEd25519Signer as (...a: unknown[]) => unknown)(handle, ...rest)
    },
  }
})

const { Vault, memoryStorage } = await import('coffer/vault')

describe('lock() zeroes what the vault held', () => {
  it('secret buffers and signer keys are all zero afterwards', async () => {
    const storage = memoryStorage()
    const vault = await Vault.create({ storage, password: 'pw', kdf: FAST_KDF })
    await vault.addMnemonic({ mnemonic: ABANDON })
    await vault.addPrivateKey({ privateKey: '55'.repeat(32) })
    await vault.addPrivateKey({ privateKey: '66'.repeat(32), curve: 'ed25519' })
    vault.lock()
    captured.secrets.length = 0
    await vault.unlock('pw')

    const [mnemonic, key, edKey] = vault.listSecrets().map((s) => s.id)
    await vault.getSigner({ secretId: mnemonic as string, chain: 'evm' })
    await vault.getSigner({ secretId: mnemonic as string, chain: 'solana' })
    await vault.getSigner({ secretId: key as string, chain: 'bitcoin' })
    await vault.getSigner({ secretId: edKey as string, chain: 'solana' })

    const secretBuffers = (captured.secrets as Secret[]).flatMap((s) => (s.kind === 'mnemonic' ? [s.phrase, s.seed] : [s.key]))
    const signerKeys = (captured.handles as KeyHandle[]).map((h) => h.use((k) => k))
    expect(secretBuffers).toHaveLength(4)
    expect(signerKeys).toHaveLength(4)
    for (const buffer of [...secretBuffers, ...signerKeys]) expect(buffer.some((b) => b !== 0)).toBe(true)

    vault.lock()
    for (const buffer of [...secretBuffers, ...signerKeys]) expect(buffer.every((b) => b === 0)).toBe(true)
    for (const handle of captured.handles as KeyHandle[]) expect(handle.revoked).toBe(true)
  })
})
