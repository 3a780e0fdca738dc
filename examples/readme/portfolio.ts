/** README, "Every balance in one place: the portfolio": the snippet between the region markers, run on local chains. */
import { deriveAccount, mnemonicToSeed } from 'coffer/keys'
import { readmeWorld } from './world.js'

const world = await readmeWorld()
const { ethereum, polygon, btc } = world
const seed = await mnemonicToSeed('test test test test test test test test test test test junk')
const alice = deriveAccount(seed, { chain: 'evm' }).address
const account = deriveAccount(seed, { chain: 'bitcoin', network: 'regtest' }) // a BIP-84 account (its xpub names it)
const xpub = account.accountXpub
await world.local.one.fund(alice, { USDT: '70' })
await world.local.two.fund(alice, { USDT: '30' })
await world.local.regtest.fund(account.address, '0.01')

// #region readme
import { Portfolio, fixedPrices, formatAmount } from 'coffer'
import { fileStorage } from 'coffer/vault'

const portfolio = new Portfolio({
  adapters: [ethereum, polygon, btc],                                       // one ChainAdapter per chain
  accounts: [`${ethereum.chainId}:${alice}`, { chainId: polygon.chainId, address: alice }, { chainId: btc.chainId, descriptor: btc.account(xpub) }],
  priceSource: fixedPrices({ prices: { USDT: '1' }, testnets: true }),     // or httpPrices({ apiKey }): CoinGecko-shaped, cached
  storage: fileStorage('portfolio.json'), confirmations: 2,
})
const snapshot = await portfolio.refresh()           // balances, totals ("USDT" on every chain = one line), fiat
portfolio.on('incoming', (t) => console.log(`+${formatAmount(t.amount, t.decimals)} ${t.symbol} on ${t.chainId}`))
portfolio.watch({ intervalMs: 5_000 })               // new blocks → incoming / outgoing / change / reorg events
const csv = await portfolio.toCSV()                  // merged history, newest first
await portfolio.stop()
// #endregion readme

const usdt = snapshot.totals.find((t) => t.family === 'USDT')
console.log(`USDT total ${usdt ? formatAmount(usdt.amount, usdt.decimals) : '?'} on ${usdt?.chains.length} chains; test-network value ${snapshot.testnetValue}; ${csv.split('\n').length - 1} history rows`)
await world.stop()
