/** vault.exportKeystore: an account key out as keystore v3, only after the password is checked again; the key never leaves in the clear. */
import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  SecretNotFoundError,
  Vault,
  VaultLockedError,
  WrongPasswordError,
  importKeystore,
  memoryStorage,
} from 'coffer/vault'
import { ABANDON, FAST_KDF } from './helpers.js'

const PASSWORD = 'vault password'
const FAST_SCRYPT = { scrypt: { N: 1024 } } as const
// m/44'/60'/0'/0/0 and /1 of the "abandon … about" phrase (the usual test vector addresses).
const ABANDON_0 = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94'
const ABANDON_1 = '0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0'
const KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'

async function vaultWith() {
  const vault = await Vault.create({ storage: memoryStorage(), password: PASSWORD, kdf: FAST_KDF })
  const mnemonic = await vault.addMnemonic({ mnemonic: ABANDON })
  const key = await vault.addPrivateKey({ privateKey: KEY })
  return { vault, mnemonicId: mnemonic.id, keyId: key.id }
}

describe('vault.exportKeystore', () => {
  it('exports account `index` of a mnemonic; importKeystore opens it to the same address', async () => {
    const { vault, mnemonicId } = await vaultWith()
    for (const [index, address] of [
      [undefined, ABANDON_0],
      [1, ABANDON_1],
    ] as const) {
      const json = await vault.exportKeystore(
        { secretId: mnemonicId, chain: 'evm', ...(index === undefined ? {} : { index }) },
        PASSWORD,
        'ks',
        FAST_SCRYPT,
      )
      expect(JSON.parse(json)).toMatchObject({
        version: 3,
        address: address.slice(2).toLowerCase(),
        crypto: { kdf: 'scrypt', kdfparams: { n: 1024 } },
      })
      const opened = await importKeystore(json, 'ks')
      expect(opened.address).toBe(address)
      expect((await vault.getSigner({ secretId: mnemonicId, chain: 'evm', index: index ?? 0 })).address).toBe(address)
    }
  })

  it('exports a private-key secret itself, and never writes the key in the clear', async () => {
    const { vault, keyId } = await vaultWith()
    const json = await vault.exportKeystore({ secretId: keyId, chain: 'evm' }, PASSWORD, 'ks', FAST_SCRYPT)
    expect(json.toLowerCase()).not.toContain(KEY)
    const opened = await importKeystore(json, 'ks')
    expect(bytesToHex(opened.privateKey)).toBe(KEY)
    await expect(vault.exportKeystore({ secretId: keyId, chain: 'evm', index: 0 }, PASSWORD, 'ks', FAST_SCRYPT)).rejects.toThrow(
      InvalidArgumentError,
    )
  })

  it('checks the vault password again, and refuses when locked, for another chain, a bad index or an unknown secret', async () => {
    const { vault, mnemonicId } = await vaultWith()
    await expect(vault.exportKeystore({ secretId: mnemonicId, chain: 'evm' }, 'not it', 'ks', FAST_SCRYPT)).rejects.toThrow(
      WrongPasswordError,
    )
    await expect(vault.exportKeystore({ secretId: mnemonicId, chain: 'bitcoin' } as never, PASSWORD, 'ks', FAST_SCRYPT)).rejects.toThrow(
      InvalidArgumentError,
    )
    await expect(vault.exportKeystore({ secretId: mnemonicId, chain: 'evm', index: -1 }, PASSWORD, 'ks', FAST_SCRYPT)).rejects.toThrow(
      InvalidArgumentError,
    )
    await expect(vault.exportKeystore({ secretId: 'nope', chain: 'evm' }, PASSWORD, 'ks', FAST_SCRYPT)).rejects.toThrow(SecretNotFoundError)
    vault.lock()
    await expect(vault.exportKeystore({ secretId: mnemonicId, chain: 'evm' }, PASSWORD, 'ks', FAST_SCRYPT)).rejects.toThrow(
      VaultLockedError,
    )
  })
})
