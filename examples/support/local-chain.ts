/**
 * A throwaway local EVM chain for the examples: anvil (from the `@foundry-rs/anvil-linux-amd64`
 * dev dependency, or ANVIL_PATH) on a free loopback port, with Multicall3 and test stablecoins
 * deployed (a USDT-like token whose transfer returns nothing, a USDC-like one with permits).
 * No internet needed. Real apps point the adapter at their own RPC URLs instead.
 */
import { parseEther } from 'viem'
import { deployFixtures, mintTokens, setBalance, startAnvil, type Fixtures } from '../../test/support/anvil.js'

/** A running local chain. */
export interface LocalChain {
  url: string
  chainId: 'eip155:31337'
  tokens: Pick<Fixtures, 'usdt' | 'usdc' | 'dai'>
  /** Gives `address` test ETH and test tokens (amounts in base units). */
  fund(address: `0x${string}`, amounts: { eth?: string; usdt?: bigint; usdc?: bigint }): Promise<void>
  stop(): Promise<void>
}

/** Starts anvil and deploys the test tokens. Stop it when done. */
export async function startLocalChain(): Promise<LocalChain> {
  const anvil = await startAnvil()
  const fixtures = await deployFixtures(anvil.url)
  return {
    url: anvil.url,
    chainId: 'eip155:31337',
    tokens: { usdt: fixtures.usdt, usdc: fixtures.usdc, dai: fixtures.dai },
    async fund(address, { eth, usdt, usdc }) {
      if (eth) await setBalance(anvil.url, address, parseEther(eth))
      if (usdt) await mintTokens(anvil.url, fixtures.usdt.address, address, usdt)
      if (usdc) await mintTokens(anvil.url, fixtures.usdc.address, address, usdc)
    },
    stop: () => anvil.stop(),
  }
}
