/** README, "Solana: SOL, USDC, Solana Pay": the snippet between the region markers, run on a local Solana cluster. */
import { Vault, memoryStorage } from 'coffer/vault'
import { startLocalSolana } from 'coffer/testing'

const local = await startLocalSolana({ tokens: ['USDC'], slotMs: 50 })
const vault = await Vault.create({ storage: memoryStorage(), password: 'a long passphrase of your own', kdf: { name: 'pbkdf2-sha256' } })
const { id: secretId } = await vault.addMnemonic()
const shop = 'GNQS4rkdvPhkanqS2ftZ6wT8DzWHqoF5mGnNMg7mFyZA'
const payer = await vault.getSigner({ secretId, chain: 'solana' })
await local.fund(payer.address, { SOL: '1', USDC: '100' })

// #region readme
import { solana } from 'coffer/solana'

const sol = solana({ chain: local.chainId, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens }) // or { cluster: 'mainnet-beta', rpcUrls: [...] }
const signer = await vault.getSigner({ secretId, chain: 'solana' })          // m/44'/501'/0'/0', Phantom's path
const USDC = (await sol.assets()).find((a) => a.symbol === 'USDC')!.id
const quote = await sol.quoteTransfer({ from: signer.address, to: shop, asset: USDC, amount: 12_500_000n, memo: 'order 42' })
console.log(quote.details.createsRecipientAccount, quote.fee.amount)        // the shop's token account and its rent are in the fee
const nonce = await sol.createNonceAccount(signer)                         // once, for signing that takes longer than a minute
await sol.waitForTransaction(nonce.hash)
const unsigned = await sol.buildTransfer(quote, { durableNonce: { account: nonce.address } })
const signed = await sol.signTransaction(unsigned, signer)                 // offline; the message is checked against its summary
console.log(await sol.broadcast(signed))
// #endregion readme

await local.mine(2)
console.log(`shop holds ${local.tokenBalanceOf(shop, 'USDC')} USDC base units`)
vault.lock()
await local.stop()
