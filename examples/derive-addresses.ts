/**
 * Derive the first addresses of a mnemonic on EVM, Bitcoin, Solana and Tron.
 *
 *   npm run demo                       # uses the public BIP-39 test mnemonic
 *   npx tsx examples/derive-addresses.ts --new       # a fresh random mnemonic
 *   COFFER_MNEMONIC="word word …" npx tsx examples/derive-addresses.ts
 *
 * Never paste a mnemonic that holds real funds into a shell history; use the
 * environment variable from a secret store instead.
 */
import { deriveAccounts, generateMnemonic, mnemonicToSeed, type DeriveAccountsOptions } from 'coffer'

const TEST_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const COUNT = 3

const fresh = process.argv.includes('--new')
const mnemonic = fresh ? generateMnemonic({ words: 12 }) : (process.env.COFFER_MNEMONIC ?? TEST_MNEMONIC)
if (fresh) console.log(`New mnemonic (write it down, keep it offline):\n  ${mnemonic}\n`)
else if (mnemonic === TEST_MNEMONIC) console.log('Using the public BIP-39 test mnemonic "abandon … about" (never fund it).\n')

const seed = await mnemonicToSeed(mnemonic)

const chains: { label: string; options: DeriveAccountsOptions }[] = [
  { label: 'EVM (Ethereum, Polygon, Base, …)', options: { chain: 'evm', count: COUNT } },
  { label: 'Bitcoin P2WPKH (BIP-84)', options: { chain: 'bitcoin', addressType: 'p2wpkh', count: COUNT } },
  { label: 'Bitcoin P2TR (BIP-86)', options: { chain: 'bitcoin', addressType: 'p2tr', count: COUNT } },
  { label: 'Solana', options: { chain: 'solana', count: COUNT } },
  { label: 'Tron', options: { chain: 'tron', count: COUNT } },
]

for (const { label, options } of chains) {
  console.log(label)
  for (const account of deriveAccounts(seed, options)) {
    console.log(`  ${account.path.padEnd(20)} ${account.address}`)
  }
}
seed.fill(0)
