/**
 * Mnemonic to seed (PBKDF2-HMAC-SHA512, 2,048 rounds): coffer (validates, native) beside the
 * native floor (node:crypto on the canonical phrase, nothing checked), ethers (node:crypto,
 * validates) and pure JS; round-robin, so noise falls evenly.
 */
import { pbkdf2Sync } from 'node:crypto'
import { mnemonicToSeed as scureToSeed, mnemonicToSeedSync as scureToSeedSync } from '@scure/bip39'
import { Mnemonic } from 'ethers'
import { mnemonicToSeed } from 'coffer'
import { measureAll, table } from './harness.js'

const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const N = 50
const FLOOR = 'floor: node:crypto `pbkdf2Sync` of the phrase (not validated)'

export async function benchSeed(): Promise<string[]> {
  const rows = await measureAll(
    [
      [
        FLOOR,
        () => {
          for (let i = 0; i < N; i++) pbkdf2Sync(MNEMONIC.normalize('NFKD'), 'mnemonicTREZOR'.normalize('NFKD'), 2048, 64, 'sha512')
        },
      ],
      [
        '**coffer `mnemonicToSeed`** (validates words and checksum, native PBKDF2)',
        async () => {
          for (let i = 0; i < N; i++) await mnemonicToSeed(MNEMONIC, { passphrase: 'TREZOR' })
        },
      ],
      [
        'ethers v6 `Mnemonic.fromPhrase(…).computeSeed()` (validates, node:crypto)',
        () => {
          for (let i = 0; i < N; i++) Mnemonic.fromPhrase(MNEMONIC, 'TREZOR').computeSeed()
        },
      ],
      [
        '@scure/bip39 `mnemonicToSeed` (pure JS, async, not validated)',
        async () => {
          for (let i = 0; i < 5; i++) await scureToSeed(MNEMONIC, 'TREZOR')
        },
      ],
      [
        '@scure/bip39 `mnemonicToSeedSync` (pure JS, not validated)',
        () => {
          for (let i = 0; i < 5; i++) scureToSeedSync(MNEMONIC, 'TREZOR')
        },
      ],
    ],
    N,
    7,
  )
  // The pure-JS rows ran 5 seeds a round, not N: their time is scaled to N.
  for (const row of rows.slice(3)) {
    row.ms *= N / 5
    row.opsPerSec = (N / row.ms) * 1000
  }
  return [table('Mnemonic to seed (PBKDF2-SHA512, 2,048 rounds)', 'seeds/s', rows, FLOOR)]
}
