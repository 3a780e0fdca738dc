/** README, "The wallet: one object for apps": the snippet between the region markers, run on local chains. */
import { fixedPrices, formatPaymentUri, type SignSummary } from 'coffer'
import { readmeWorld } from './world.js'

const world = await readmeWorld()
const { ethereum, polygon, btc, password } = world
const askUser = (summary: SignSummary) => summary.kind !== 'transaction' || summary.to !== '0x000000000000000000000000000000000000dEaD'
const notify = (t: { amount: bigint; symbol: string }) => console.log(`incoming ${t.amount} ${t.symbol}`)
const prices = fixedPrices({ prices: { USDT: '1', USDC: '1', ETH: '3000' }, testnets: true }) // httpPrices({ apiKey }) in production
const invoice = formatPaymentUri({ scheme: 'ethereum', chainId: ethereum.chainId, to: '0x000000000000000000000000000000000000bEEF', asset: world.local.one.tokens.USDT.assetId, amount: 25_000_000n })
const to = '0x000000000000000000000000000000000000cafe'
const funded = async (address: string) => {
  await world.local.one.fund(address, { eth: '1', USDT: '100' })
  await world.local.two.fund(address, { eth: '1', USDC: '100' })
}

// #region readme
import { Wallet, parsePaymentUri } from 'coffer'
import { fileStorage } from 'coffer/vault'

const wallet = await Wallet.create({
  storage: fileStorage('wallet'), password,
  chains: [ethereum, polygon, btc],                         // ChainAdapters
  policy: { limits: [{ asset: 'USDT', perWindow: '500' }], maxFeeShare: 0.05, onBeforeSign: askUser },
  priceSource: prices,                                      // fee share across assets needs prices: httpPrices()
})
await funded(wallet.accounts()[0]!.address)                  // test funds, here on the local chains
const quote = await wallet.quote(parsePaymentUri(invoice))  // 'ethereum:0xdAC1…@1/transfer?address=0xShop…&uint256=25e6'
const hash = await wallet.send(quote)                       // policy → vault signs → broadcast → journal
await wallet.quote({ to, asset: 'USDC', amount: '12.5', chainId: polygon.chainId })  // symbols and decimal strings work too
wallet.on('incoming', (t) => notify(t))                     // the portfolio over every account
console.log((await wallet.journal.verify()).ok)             // tamper-evident record of every signature
await wallet.close()                                        // stops watching, locks: the script can exit
// #endregion readme

console.log(`sent ${hash}`)
await world.stop()
