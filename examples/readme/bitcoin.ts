/** README, "Bitcoin: accounts, PSBTs, RBF": the snippet between the region markers, run on a local regtest backend. */
import { Vault, memoryStorage } from 'coffer/vault'
import { readmeWorld } from './world.js'

const world = await readmeWorld()
const vault = await Vault.create({ storage: memoryStorage(), password: world.password })
const { id: secretId } = await vault.addMnemonic()
const to = 'bcrt1qfquyze5pwl7lj6hkyyh45u0w24pvgs344lkn9z'
const funding = await vault.getAccountSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
await world.local.regtest.fund(funding.child(0, 0).address, '0.01')

// #region readme
import { bitcoin } from 'coffer/bitcoin'

const btc = bitcoin({ network: 'regtest', esploraUrl: world.local.regtest.esploraUrl }) // or 'mainnet', 'https://blockstream.info/api'
const account = await vault.getAccountSigner({ secretId, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
const state = await btc.discoverAccount(account.descriptor)                 // gap limit 20; works from an xpub too
const quote = await btc.quoteTransfer({ from: account.descriptor, to, asset: btc.nativeAsset, amount: 250_000n, feeLevel: 'slow' })
const txid = await btc.sendTransfer(quote, account)                          // PSBT → sign → finalize → broadcast
await btc.speedUp(txid, account, { feeLevel: 'fast' })                      // BIP-125 replacement
// #endregion readme

console.log(`${state.used.length} used address, sent ${txid}, replaced`)
vault.lock()
await world.stop()
