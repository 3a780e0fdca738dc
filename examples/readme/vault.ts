/** README, "Keys at rest: the vault": the snippet between the region markers. */
import { keccak256, toBytes } from 'viem'

const password = 'a long passphrase of your own'
const digest = keccak256(toBytes('what to sign'), 'bytes')

// #region readme
import { Vault, fileStorage } from 'coffer/vault'

const vault = await Vault.create({ storage: fileStorage('wallet.vault'), password, autoLockMs: 300_000 })
const { id } = await vault.addMnemonic()                     // generated; back it up with revealMnemonic(id, password)
const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
const { r, s, recovery } = await signer.signDigest(digest)   // the key never leaves the vault
vault.lock()                                                 // buffers zeroed; signer now throws VaultLockedError
// #endregion readme

console.log(`signed by ${signer.address}: r ${r.toString(16).slice(0, 8)}…, s ${s.toString(16).slice(0, 8)}…, v ${recovery}`)
