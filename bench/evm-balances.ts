/**
 * Balances of 1,000 addresses × (native + 3 ERC-20) = 4,000 reads on a local anvil, behind a
 * counting proxy: coffer beside one hand-written viem `multicall` (the floor), naive viem
 * calls (50 in flight) and ethers v6 with its default JSON-RPC batching.
 */
import { createPublicClient, erc20Abi, http, type Address } from 'viem'
import { JsonRpcProvider, Contract } from 'ethers'
import { evm } from 'coffer/evm'
import { deployFixtures, startAnvil } from '../test/support/anvil.js'
import { startRpcProxy } from '../test/support/rpc-proxy.js'
import { limit, timed } from './harness.js'

const ADDRESSES = 1000

export async function benchEvmBalances(): Promise<string[]> {
  const anvil = await startAnvil()
  try {
    const fixtures = await deployFixtures(anvil.url)
    const tokens = [fixtures.usdc, fixtures.dai, fixtures.usdt].map((t) => t.address)
    const addresses = Array.from({ length: ADDRESSES }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Address)
    const proxy = await startRpcProxy(anvil.url)
    const chain = {
      id: 31337,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [proxy.url] } },
      contracts: { multicall3: { address: fixtures.multicall3 } },
    } as const
    const viem = createPublicClient({ chain, transport: http(proxy.url) })
    const adapter = evm({
      chain: 'eip155:31337',
      rpcUrls: [proxy.url],
      tokens: tokens.map((address, i) => ({ address, symbol: ['USDC', 'DAI', 'USDT'][i] as string, decimals: [6, 18, 6][i] as number })),
    })
    const ethers = new JsonRpcProvider(proxy.url, 31337, { staticNetwork: true })

    const contenders: [string, () => Promise<number>][] = [
      [
        'floor: one viem `multicall` (batchSize 0) of the 4,000 reads',
        async () => {
          const contracts = addresses.flatMap((a) => [
            {
              address: fixtures.multicall3,
              abi: [
                {
                  type: 'function',
                  name: 'getEthBalance',
                  stateMutability: 'view',
                  inputs: [{ type: 'address' }],
                  outputs: [{ type: 'uint256' }],
                },
              ] as const,
              functionName: 'getEthBalance' as const,
              args: [a] as const,
            },
            ...tokens.map((t) => ({ address: t, abi: erc20Abi, functionName: 'balanceOf' as const, args: [a] as const })),
          ])
          return ((await viem.multicall({ contracts: contracts as never, batchSize: 0 })) as unknown[]).length
        },
      ],
      ['**coffer `getBalances`**', async () => (await adapter.getBalances({ addresses })).length],
      [
        'naive viem: one call per balance, 50 in flight',
        async () => {
          let n = 0
          await limit(addresses, 50, async (a) => {
            await Promise.all([
              viem.getBalance({ address: a }),
              ...tokens.map((t) => viem.readContract({ address: t, abi: erc20Abi, functionName: 'balanceOf', args: [a] })),
            ])
            n += 4
          })
          return n
        },
      ],
      [
        'ethers v6 `JsonRpcProvider` (default batching)',
        async () => {
          const contracts = tokens.map((t) => new Contract(t, ['function balanceOf(address) view returns (uint256)'], ethers))
          const all = await Promise.all(
            addresses.flatMap((a) => [ethers.getBalance(a), ...contracts.map((c) => c.getFunction('balanceOf')(a))]),
          )
          return all.length
        },
      ],
    ]
    await adapter.assets()
    const rows: string[] = []
    let floorMs = 0
    for (const [name, run] of contenders) {
      await run() // warm-up (also the multicall probe for coffer)
      const times: number[] = []
      let requests = 0
      for (let i = 0; i < 3; i++) {
        proxy.reset()
        const { ms, result } = await timed(run)
        if (result !== ADDRESSES * 4) throw new Error(`${name}: ${result} reads`)
        times.push(ms)
        requests = proxy.requests
      }
      const ms = times.sort((a, b) => a - b)[1] as number
      if (!floorMs) floorMs = ms
      rows.push(`| ${name} | ${ms.toFixed(0)} | ${requests} | ${(ms / floorMs).toFixed(2)}× |`)
    }
    ethers.destroy()
    await proxy.stop()
    const text = [
      '### Balances on anvil: 1,000 addresses × (ETH + 3 ERC-20) = 4,000 reads',
      '',
      '| how | ms | HTTP requests | time vs floor |',
      '|---|---:|---:|---:|',
      ...rows,
    ].join('\n')
    console.log(`${text}\n`)
    return [text]
  } finally {
    await anvil.stop()
  }
}
