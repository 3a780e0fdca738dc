/** Mnemonic to seed (PBKDF2-HMAC-SHA512, 2,048 rounds): coffer (native) beside pure JS and ethers. */
import { mnemonicToSeed as scureToSeed, mnemonicToSeedSync as scureToSeedSync } from '@scure/bip39'
import { Mnemonic } from 'ethers'
import { mnemonicToSeed } from 'coffer'
import { measure, table } from './harness.js'

const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const N = 50

export async function benchSeed(): Promise<string[]> {
  const rows = [
    await measure(
      '@scure/bip39 `mnemonicToSeed` (pure JS, async)',
      N,
      async () => {
        for (let i = 0; i < N; i++) await scureToSeed(MNEMONIC, 'TREZOR')
      },
      3,
    ),
    await measure(
      '@scure/bip39 `mnemonicToSeedSync` (pure JS)',
      N,
      () => {
        for (let i = 0; i < N; i++) scureToSeedSync(MNEMONIC, 'TREZOR')
      },
      3,
    ),
    await measure(
      '**coffer `mnemonicToSeed`** (validates, native PBKDF2)',
      N,
      async () => {
        for (let i = 0; i < N; i++) await mnemonicToSeed(MNEMONIC, { passphrase: 'TREZOR' })
      },
      3,
    ),
    await measure(
      'ethers v6 `Mnemonic.computeSeed` (node:crypto, sync)',
      N,
      () => {
        for (let i = 0; i < N; i++) Mnemonic.fromPhrase(MNEMONIC, 'TREZOR').computeSeed()
      },
      3,
    ),
  ]
  return [table('Mnemonic to seed (PBKDF2-SHA512, 2,048 rounds)', 'seeds/s', rows, '@scure/bip39 `mnemonicToSeed` (pure JS, async)')]
}
