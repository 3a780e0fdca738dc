import { PolicyViolationError, Wallet, formatAmount } from 'coffer'
import { bitcoin } from 'coffer/bitcoin'
import { evm } from 'coffer/evm'
import { fileStorage } from 'coffer/vault'
import { startLocalBitcoin, startLocalChain } from 'coffer/testing'

// Two throwaway local chains, no internet: anvil with test USDT and USDC, and a Bitcoin regtest
// server. For real money: evm({ chain: 'eip155:137', rpcUrls: ['https://your-rpc'] }) and
// bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' }).
const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })
const regtest = await startLocalBitcoin()
const chains = [
  evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens }),
  bitcoin({ network: 'regtest', esploraUrl: regtest.esploraUrl }),
]
const storage = fileStorage('my-wallet') // my-wallet, my-wallet.journal, …: delete them to start over
const password = process.env.WALLET_PASSWORD ?? 'use a long passphrase of your own'

const wallet = await Wallet.create({ storage, password, chains, policy: { limits: [{ asset: 'USDC', perWindow: '200' }] } }) // ≤ 200 USDC a day
const payer = wallet.accounts().find((a) => a.chainId === local.chainId)!
await local.fund(payer.address, { eth: '1', USDC: '1000' }) // a faucet, locally: fund this address
const shop = '0x000000000000000000000000000000000000bEEF'
const quote = await wallet.quote({ to: shop, asset: 'USDC', amount: '25' }) // the one chain with USDC that takes this address
console.log(`fee up to ${formatAmount(quote.fee.amount, quote.feeDecimals)} ${quote.feeSymbol}`)
console.log(`sent ${await wallet.send(quote)}`) // policy → sign in the vault → broadcast → journal
await wallet.close()

// Next day, in another process: the policy was stored with the wallet and is back in force.
const again = await Wallet.open({ storage, chains })
await again.unlock(password)
try {
  await again.send(await again.quote({ to: shop, asset: 'USDC', amount: '180' })) // 25 + 180 > 200
} catch (error) {
  if (!(error instanceof PolicyViolationError)) throw error
  console.log(error.shortMessage)
}
const btc = again.accounts().find((a) => a.chainId === regtest.chainId)!
console.log(`receive bitcoin at ${(await btc.receiveAddress()).address}`)
await again.close()
await local.stop()
await regtest.stop()
