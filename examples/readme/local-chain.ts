/** README, "Try it locally": the snippet between the region markers. */
import { Wallet } from 'coffer'
import { memoryStorage } from 'coffer/vault'

// #region readme
import { evm } from 'coffer/evm'
import { startLocalChain } from 'coffer/testing'

const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })   // anvil + Multicall3 + test stablecoins
const chain = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
const wallet = await Wallet.create({ storage: memoryStorage(), password: 'test only', chains: [chain] })
await local.fund(wallet.accounts()[0]!.address, { eth: '1', USDT: '1000' })  // whole units, or bigint base units
console.log(await wallet.accounts()[0]!.balances())                          // 1 ETH, 1000 USDT, 0 USDC
await wallet.close()
await local.stop()
// #endregion readme
