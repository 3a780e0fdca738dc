/**
 * Keep a mnemonic in an encrypted vault file, then sign with it without ever touching the key.
 *
 *   npx tsx examples/vault.ts [vault-file]
 *
 * The password comes from COFFER_PASSWORD (a demo password otherwise). Without a path the
 * vault goes to a fresh temporary folder.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileStorage, Vault } from 'coffer/vault'

const path = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'coffer-vault-')), 'wallet.vault')
const password = process.env.COFFER_PASSWORD ?? 'demo password — use your own'
const storage = fileStorage(path)

// 1. Create the vault (scrypt N=2^17, AES-256-GCM) and add a fresh 24-word mnemonic.
const vault = await Vault.create({ storage, password, autoLockMs: 5 * 60_000 })
const { id } = await vault.addMnemonic({ words: 24, label: 'main' })
console.log(`Vault file: ${path}`)
console.log(`Added mnemonic ${id}; back it up once with vault.revealMnemonic(id, password).`)

// 2. Lock: every secret buffer is zeroed, every signer stops working.
vault.lock()
console.log(`Locked: ${vault.isLocked}`)

// 3. Later (another process, another day): open and unlock.
const reopened = await Vault.open({ storage })
await reopened.unlock(password)
console.log(
  `Unlocked: ${!reopened.isLocked}; secrets: ${reopened
    .listSecrets()
    .map((s) => `${s.label ?? s.id} (${s.kind})`)
    .join(', ')}`,
)

// 4. A signer holds the key; the app only sees the address and signatures.
const evm = await reopened.getSigner({ secretId: id, chain: 'evm' })
const btc = await reopened.getSigner({ secretId: id, chain: 'bitcoin', addressType: 'p2tr' })
console.log(`EVM address:     ${evm.address}  (${evm.path})`)
console.log(`Bitcoin address: ${btc.address}  (${btc.path})`)
const signature = await evm.signDigest(new Uint8Array(32).fill(1))
console.log(`Signed a digest: r=${signature.r.toString(16).slice(0, 16)}… yParity=${signature.recovery}`)
console.log(`The signer prints without its key: ${JSON.stringify(evm)}`)
reopened.lock()
