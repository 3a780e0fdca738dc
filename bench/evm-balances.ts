/**
 * Balances on a local anvil, behind a counting proxy, in two sizes: 1,000 addresses × (native
 * + 1 ERC-20) = 2,000 reads and 1,000 × (native + 3 ERC-20) = 4,000 reads. coffer beside the
 * anchor — viem `multicall` on a client with the batch transport (`http(url, { batch: true })`),
 * with `batchSize: 0` and with viem's default chunking; the faster of the two is the anchor —
 * and one viem `multicall` (batchSize 0) without the batch transport, naive viem calls (50 in
 * flight) and ethers v6 with its default JSON-RPC batching.
 *
 * Contenders are measured round-robin (each once per round, after one warm-up each), and the
 * median of the rounds is kept, so machine noise falls evenly on all of them.
 */
import { createPublicClient, erc20Abi, http, type Address, type PublicClient } from 'viem'
import { JsonRpcProvider, Contract } from 'ethers'
import { evm } from 'coffer/evm'
import { deployFixtures, startAnvil, type Fixtures } from '../test/support/anvil.js'
import { startRpcProxy, type RpcProxy } from '../test/support/rpc-proxy.js'
import { limit } from './harness.js'

const ADDRESSES = 1000
/** Rounds per case (median kept); at least 5. */
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5))

const GET_ETH_BALANCE_ABI = [
  { type: 'function', name: 'getEthBalance', stateMutability: 'view', inputs: [{ type: 'address' }], outputs: [{ type: 'uint256' }] },
] as const

/** The contracts of a viem `multicall`: `getEthBalance` then `balanceOf` of each token, per address. */
function multicallContracts(multicall3: Address, tokens: readonly Address[], addresses: readonly Address[]) {
  return addresses.flatMap((a) => [
    { address: multicall3, abi: GET_ETH_BALANCE_ABI, functionName: 'getEthBalance' as const, args: [a] as const },
    ...tokens.map((t) => ({ address: t, abi: erc20Abi, functionName: 'balanceOf' as const, args: [a] as const })),
  ])
}

type Contender = [name: string, run: () => Promise<number>, anchor?: boolean]

/** The contenders of one case: `tokens` ERC-20s beside the native coin. */
function contenders(
  fixtures: Fixtures,
  tokens: readonly Address[],
  addresses: readonly Address[],
  clients: { plain: PublicClient; batched: PublicClient; ethers: JsonRpcProvider },
  coffer: () => Promise<number>,
): Contender[] {
  const contracts = multicallContracts(fixtures.multicall3, tokens, addresses) as never
  const count = async (p: Promise<unknown>) => ((await p) as unknown[]).length
  const { plain, batched, ethers } = clients
  return [
    ['anchor: viem `multicall` + batch transport (batchSize 0)', () => count(batched.multicall({ contracts, batchSize: 0 })), true],
    ['anchor: viem `multicall` + batch transport (default chunking)', () => count(batched.multicall({ contracts })), true],
    ['**coffer `getBalances`**', coffer],
    ['one viem `multicall` (batchSize 0), no batch transport', () => count(plain.multicall({ contracts, batchSize: 0 }))],
    [
      'naive viem: one call per balance, 50 in flight',
      async () => {
        let n = 0
        await limit(addresses, 50, async (a) => {
          await Promise.all([
            plain.getBalance({ address: a }),
            ...tokens.map((t) => plain.readContract({ address: t, abi: erc20Abi, functionName: 'balanceOf', args: [a] })),
          ])
          n += 1 + tokens.length
        })
        return n
      },
    ],
    [
      'ethers v6 `JsonRpcProvider` (default batching)',
      async () => {
        const erc20 = tokens.map((t) => new Contract(t, ['function balanceOf(address) view returns (uint256)'], ethers))
        const all = await Promise.all(addresses.flatMap((a) => [ethers.getBalance(a), ...erc20.map((c) => c.getFunction('balanceOf')(a))]))
        return all.length
      },
    ],
  ]
}

/** Runs the contenders round-robin; per contender the median ms and the HTTP requests of its last round. */
async function roundRobin(proxy: RpcProxy, entries: Contender[], reads: number): Promise<{ ms: number; requests: number }[]> {
  const times = entries.map(() => [] as number[])
  const requests = entries.map(() => 0)
  for (const [, run] of entries) await run() // warm-up (also the multicall probe for coffer)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [name, run]] of entries.entries()) {
      proxy.reset()
      const t0 = performance.now()
      const result = await run()
      times[i]!.push(performance.now() - t0)
      requests[i] = proxy.requests
      if (result !== reads) throw new Error(`${name}: ${result} reads, not ${reads}`)
    }
  }
  return times.map((t, i) => ({ ms: t.sort((a, b) => a - b)[Math.floor(t.length / 2)] as number, requests: requests[i] as number }))
}

/** The Markdown table of one case, the ratio column against the faster anchor row. */
function caseTable(title: string, entries: Contender[], results: { ms: number; requests: number }[]): string {
  const anchorMs = Math.min(...results.filter((_, i) => entries[i]![2]).map((r) => r.ms))
  const rows = entries.map(
    ([name], i) => `| ${name} | ${results[i]!.ms.toFixed(0)} | ${results[i]!.requests} | ${(results[i]!.ms / anchorMs).toFixed(2)}× |`,
  )
  return [
    `### ${title}`,
    '',
    `Median of ${ROUNDS} round-robin rounds; ratio against the faster anchor row.`,
    '',
    '| how | ms | HTTP requests | time vs anchor |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n')
}

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
    const clients = {
      plain: createPublicClient({ chain, transport: http(proxy.url) }) as PublicClient,
      batched: createPublicClient({ chain, transport: http(proxy.url, { batch: true }) }) as PublicClient,
      ethers: new JsonRpcProvider(proxy.url, 31337, { staticNetwork: true }),
    }
    const adapter = evm({
      chain: 'eip155:31337',
      rpcUrls: [proxy.url],
      tokens: tokens.map((address, i) => ({ address, symbol: ['USDC', 'DAI', 'USDT'][i] as string, decimals: [6, 18, 6][i] as number })),
    })
    const assets = (await adapter.assets()).map((a) => a.id)
    const texts: string[] = []
    for (const tokenCount of [1, 3]) {
      const reads = ADDRESSES * (1 + tokenCount)
      const picked = assets.slice(0, 1 + tokenCount)
      const entries = contenders(fixtures, tokens.slice(0, tokenCount), addresses, clients, async () => {
        return (await adapter.getBalances({ addresses, assets: picked })).length
      })
      const results = await roundRobin(proxy, entries, reads)
      const title = `Balances on anvil: 1,000 addresses × (ETH + ${tokenCount} ERC-20) = ${reads.toLocaleString('en-US')} reads`
      const text = caseTable(title, entries, results)
      console.log(`${text}\n`)
      texts.push(text)
    }
    clients.ethers.destroy()
    await proxy.stop()
    return texts
  } finally {
    await anvil.stop()
  }
}
