/**
 * Portfolio refreshes on anvil, behind a counting proxy: 1,000 followed addresses ×
 * (ETH + 3 ERC-20). A full refresh (a new portfolio's first read) and an incremental one
 * (one new block in which 10 of the accounts receive tokens), beside one hand-written viem
 * `multicall` of the same 4,000 reads (the floor) and naive viem calls (50 in flight).
 */
import { createPublicClient, encodeFunctionData, erc20Abi, http, type Address } from 'viem'
import { Portfolio } from 'coffer'
import { evm } from 'coffer/evm'
import { deployFixtures, fixtureAbis, mine, rpc, setAutomine, startAnvil, ANVIL_ACCOUNTS } from '../test/support/anvil.js'
import { startRpcProxy } from '../test/support/rpc-proxy.js'
import { limit, timed } from './harness.js'

const ADDRESSES = 1000
const ROUNDS = 5

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export async function benchPortfolio(): Promise<string[]> {
  const anvil = await startAnvil()
  try {
    const fixtures = await deployFixtures(anvil.url)
    const tokens = [fixtures.usdc, fixtures.dai, fixtures.usdt]
    const addresses = Array.from({ length: ADDRESSES }, (_, i) => `0x${(i + 0x1000).toString(16).padStart(40, '0')}` as Address)
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
      tokens: tokens.map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals, family: t.symbol })),
    })
    const accounts = addresses.map((a) => `eip155:31337:${a}` as const)
    await adapter.assets()

    const floor = async () => {
      const contracts = addresses.flatMap((a) => [
        { address: fixtures.multicall3, abi: fixtureAbis.multicall3, functionName: 'getEthBalance' as const, args: [a] as const },
        ...tokens.map((t) => ({ address: t.address, abi: erc20Abi, functionName: 'balanceOf' as const, args: [a] as const })),
      ])
      return ((await viem.multicall({ contracts: contracts as never, batchSize: 0 })) as unknown[]).length
    }
    const naive = async () => {
      let n = 0
      await limit(addresses, 50, async (a) => {
        await Promise.all([
          viem.getBalance({ address: a }),
          ...tokens.map((t) => viem.readContract({ address: t.address, abi: erc20Abi, functionName: 'balanceOf', args: [a] })),
        ])
        n += 4
      })
      return n
    }
    const full = async () => (await new Portfolio({ adapters: [adapter], accounts }).refresh()).balances.length

    // One block in which 10 followed accounts receive USDC.
    const touchTen = async (round: number) => {
      await setAutomine(anvil.url, false)
      for (let i = 0; i < 10; i++) {
        const to = addresses[(round * 10 + i * 97) % ADDRESSES] as Address
        const data = encodeFunctionData({ abi: fixtureAbis.standardToken, functionName: 'mint', args: [to, 1_000_000n] })
        await rpc(anvil.url, 'eth_sendTransaction', [{ from: ANVIL_ACCOUNTS[0]!.address, to: fixtures.usdc.address, data }])
      }
      await mine(anvil.url, 1)
      await setAutomine(anvil.url, true)
    }

    const rows: { name: string; ms: number; requests: number }[] = []
    const run = async (name: string, fn: () => Promise<number>, expect: number) => {
      await fn()
      const times: number[] = []
      let requests = 0
      for (let i = 0; i < ROUNDS; i++) {
        proxy.reset()
        const { ms, result } = await timed(fn)
        if (result !== expect) throw new Error(`${name}: ${result} reads`)
        times.push(ms)
        requests = Math.max(requests, proxy.requests)
      }
      rows.push({ name, ms: median(times), requests })
    }
    await run('floor: one viem `multicall` (batchSize 0) of the 4,000 reads', floor, ADDRESSES * 4)
    await run('**coffer `Portfolio.refresh()`, full** (first read: head block + Multicall3)', full, ADDRESSES * 4)

    // Incremental: a warm portfolio, one new block touching 10 accounts per round.
    const portfolio = new Portfolio({ adapters: [adapter], accounts })
    await portfolio.refresh()
    const times: number[] = []
    let requests = 0
    let incoming = 0
    portfolio.on('incoming', () => incoming++)
    for (let round = 0; round < ROUNDS; round++) {
      await touchTen(round)
      proxy.reset()
      const { ms } = await timed(() => portfolio.refresh())
      times.push(ms)
      requests = Math.max(requests, proxy.requests)
    }
    if (incoming !== ROUNDS * 10) throw new Error(`incremental: ${incoming} incoming events, expected ${ROUNDS * 10}`)
    rows.push({ name: '**coffer `Portfolio.refresh()`, incremental** (1 block, 10 accounts touched)', ms: median(times), requests })
    await run('naive viem: one call per balance, 50 in flight', naive, ADDRESSES * 4)
    await proxy.stop()

    const floorMs = rows[0]!.ms
    const text = [
      '### Portfolio on anvil: 1,000 accounts × (ETH + 3 ERC-20)',
      '',
      '| how | ms | HTTP requests | time vs floor |',
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(0)} | ${r.requests} | ${(r.ms / floorMs).toFixed(2)}× |`),
    ].join('\n')
    console.log(`${text}\n`)
    return [text]
  } finally {
    await anvil.stop()
  }
}
