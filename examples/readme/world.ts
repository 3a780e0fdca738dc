/**
 * The world the README's snippets run in (test/readme.test.ts runs every one of them): local
 * chains from `coffer/testing` standing in for the public ones the snippets name — two EVM chains
 * (called `ethereum` and `polygon` in the snippets) with test USDT and USDC, and a Bitcoin regtest
 * backend (`btc`) — plus a wallet file in a temp folder. Nothing here touches the internet.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bitcoin } from 'coffer/bitcoin'
import { evm } from 'coffer/evm'
import { startLocalBitcoin, startLocalChain } from 'coffer/testing'

/** Starts the local chains and returns them with adapters over them; `stop()` ends everything. */
export async function readmeWorld() {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-readme-'))
  const [one, two, regtest] = await Promise.all([
    startLocalChain({ chainId: 31337, tokens: ['USDT', 'USDC'] }),
    startLocalChain({ chainId: 31338, tokens: ['USDT', 'USDC'] }),
    startLocalBitcoin(),
  ])
  return {
    /** A file path in this run's temp folder. */
    file: (name: string) => join(dir, name),
    local: { one, two, regtest },
    ethereum: evm({ chain: one.chain, rpcUrls: [one.rpcUrl], tokens: one.adapterTokens }),
    polygon: evm({ chain: two.chain, rpcUrls: [two.rpcUrl], tokens: two.adapterTokens }),
    btc: bitcoin({ network: 'regtest', esploraUrl: regtest.esploraUrl }),
    password: 'a long passphrase of your own',
    async stop() {
      await Promise.all([one.stop(), two.stop(), regtest.stop()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
