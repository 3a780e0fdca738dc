/** README, "Stablecoins on EVM chains": the snippet between the region markers, run on a local chain. */
import { Vault, memoryStorage } from 'coffer/vault'
import { readmeWorld } from './world.js'

const world = await readmeWorld()
const local = world.local.two
const vault = await Vault.create({ storage: memoryStorage(), password: world.password })
const { id } = await vault.addMnemonic()
const [signer, other, third] = await Promise.all([0, 1, 2].map((index) => vault.getSigner({ secretId: id, chain: 'evm', index })))
const [a, b, c] = [signer!.address, other!.address, third!.address]
await local.fund(a, { eth: '1', USDC: '100' })

// #region readme
import { evm } from 'coffer/evm'
import { parseAmount } from 'coffer'

const polygon = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens }) // chain: 'eip155:137', rpcUrls: ['https://…', 'https://backup…']
const usdc = (await polygon.assets()).find((a) => a.symbol === 'USDC')!        // on Polygon: from the registry, source-checked
const balances = await polygon.getBalances({ addresses: [a, b, c] })          // all assets, 2 HTTP requests
const quote = await polygon.quoteTransfer({ from: a, to: b, asset: usdc.id, amount: parseAmount('25', 6) })
const hash = await polygon.sendTransfer(quote, signer!)                         // checks eth_chainId, picks the nonce
await polygon.waitForTransaction(hash, { confirmations: 1 })
// #endregion readme

console.log(`${balances.length} balances read; sent ${hash}`)
vault.lock()
await world.stop()
