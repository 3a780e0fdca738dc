/**
 * Vault unlock with the default KDF (scrypt N=2^17, r=8, p=1) beside the floor (node:crypto
 * scrypt alone, same parameters) and ethers v6 keystore decryption (scrypt N=2^17).
 */
import { scrypt as nodeScrypt } from 'node:crypto'
import { promisify } from 'node:util'
import { Wallet } from 'ethers'
import { memoryStorage, Vault, exportKeystore, importKeystore } from 'coffer/vault'
import { measure, table } from './harness.js'

const scryptAsync = promisify(nodeScrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>

export async function benchVault(): Promise<string[]> {
  const storage = memoryStorage()
  const vault = await Vault.create({ storage, password: 'bench password' })
  await vault.addMnemonic({ mnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow' })
  vault.lock()
  const key = new Uint8Array(32).fill(7)
  const ethersJson = await new Wallet(`0x${'07'.repeat(32)}`).encrypt('bench password') // ethers default: scrypt N=2^17
  const cofferJson = await exportKeystore(key, 'bench password')
  const rounds = 5
  const rows = [
    await measure(
      'floor: node:crypto scrypt N=2^17 r=8 p=1 (async)',
      1,
      () => scryptAsync('bench password', Buffer.alloc(32, 1), 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }),
      rounds,
    ),
    await measure(
      '**coffer `vault.unlock`** (default scrypt + AES-256-GCM + decode)',
      1,
      async () => {
        await vault.unlock('bench password')
        vault.lock()
      },
      rounds,
    ),
    await measure(
      '**coffer `importKeystore`** (keystore v3, scrypt N=2^17)',
      1,
      () => importKeystore(cofferJson, 'bench password'),
      rounds,
    ),
    await measure(
      'ethers v6 `Wallet.fromEncryptedJson` (scrypt N=2^17, noble)',
      1,
      () => Wallet.fromEncryptedJson(ethersJson, 'bench password'),
      3,
    ),
  ]
  return [table('Unlock: default KDF (scrypt N=2^17, r=8, p=1)', 'unlocks/s', rows, 'floor: node:crypto scrypt N=2^17 r=8 p=1 (async)')]
}
