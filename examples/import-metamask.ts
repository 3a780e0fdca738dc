/**
 * Move from MetaMask to coffer: import a MetaMask extension vault into a coffer vault, check
 * that the first account is MetaMask's first account, and sign with it.
 *
 *   npx tsx examples/import-metamask.ts
 *
 * A real MetaMask vault is the `KeyringController.vault` string in the extension's storage
 * (or the JSON MetaMask's vault-decryptor tool takes). Here one is made with MetaMask's own
 * `@metamask/browser-passworder` from the well-known test mnemonic, so no browser is needed.
 * Nothing here touches a network.
 */
import * as passworder from '@metamask/browser-passworder'
import { recoverMessageAddress } from 'viem'
import { signMessage } from 'coffer/evm'
import { importMetaMaskVault, memoryStorage, Vault } from 'coffer/vault'

const MNEMONIC = 'test test test test test test test test test test test junk'
const METAMASK_PASSWORD = 'metamask password'

// 1. What MetaMask keeps: a list of keyrings, encrypted with the extension password
//    (PBKDF2-SHA256, 900,000 iterations by default, then AES-256-GCM). Recent MetaMask
//    versions store the phrase as UTF-8 bytes; coffer reads that and the older string form.
const keyrings = [
  { type: 'HD Key Tree', data: { mnemonic: [...new TextEncoder().encode(MNEMONIC)], numberOfAccounts: 2, hdPath: "m/44'/60'/0'/0" } },
  { type: 'Simple Key Pair', data: ['4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'] },
  { type: 'Ledger Hardware', data: { hdPath: "m/44'/60'/0'", accounts: [], accountDetails: {} } },
]
const metamaskVault = await passworder.encrypt(METAMASK_PASSWORD, keyrings)
const parsed = JSON.parse(metamaskVault) as { keyMetadata?: { params: { iterations: number } } }
console.log(
  `MetaMask vault: ${metamaskVault.length} characters of JSON (data, iv, salt, keyMetadata: PBKDF2 × ${parsed.keyMetadata?.params.iterations})`,
)

// 2. Look inside first, without importing. The keyrings print with their secrets redacted.
console.log('Keyrings in it:')
for (const keyring of await importMetaMaskVault(metamaskVault, METAMASK_PASSWORD)) {
  console.log(`  ${keyring.supported ? JSON.stringify(keyring) : `${keyring.type}: not importable (its keys live on the device)`}`)
}

// 3. Import into a coffer vault (use fileStorage(path) to keep it). Each phrase becomes a
//    mnemonic secret, each imported key a private-key secret; hardware keyrings are skipped.
const vault = await Vault.create({ storage: memoryStorage(), password: 'a new, longer coffer password', kdf: { name: 'pbkdf2-sha256' } })
const added = await vault.importMetaMask(metamaskVault, METAMASK_PASSWORD)
console.log(`Imported ${added.length} secrets:`)
for (const s of vault.listSecrets()) console.log(`  ${s.id}  ${s.kind.padEnd(10)} ${s.label ?? ''}`)

// 4. The same accounts as in MetaMask: m/44'/60'/0'/0/i of the phrase, and the imported key.
const mnemonic = added.find((s) => s.kind === 'mnemonic')!
const key = added.find((s) => s.kind === 'privateKey')!
const first = await vault.getSigner({ secretId: mnemonic.id, chain: 'evm', index: 0 })
const second = await vault.getSigner({ secretId: mnemonic.id, chain: 'evm', index: 1 })
const imported = await vault.getSigner({ secretId: key.id, chain: 'evm' })
console.log(`Account 1: ${first.address}  (${first.path})`)
console.log(`Account 2: ${second.address}  (${second.path})`)
console.log(`Imported:  ${imported.address}`)

// 5. Sign a message (EIP-191 personal_sign) with the first account; anyone can recover the signer.
const message = 'I moved my MetaMask accounts to coffer.'
const { signature } = await signMessage(first, message)
const recovered = await recoverMessageAddress({ message, signature })
console.log(`Signed "${message}"`)
console.log(`  signature ${signature.slice(0, 20)}…${signature.slice(-8)}`)
console.log(`  recovered ${recovered} (${recovered === first.address ? 'matches account 1' : 'MISMATCH'})`)
vault.lock()
