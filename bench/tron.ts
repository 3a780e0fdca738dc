/**
 * TRON, on the local TronGrid-shaped server (test/support/tron-server.ts: java-tron's /wallet
 * API and TronGrid's /v1 accounts over its own TRX ledger, USDT on anvil), in this process:
 * - balances of 1,000 addresses × (TRX + USDT) = 2,000 reads: coffer's `getBalances` (one
 *   `GET /v1/accounts/:address` per address, 8 in flight, plus the head block) beside the floor
 *   (the same requests by hand with `fetch`, 8 in flight, parsing only `balance` and the USDT
 *   entry of `trc20`; then the same plus a USDT `balanceOf` for each never-activated address,
 *   whose `/v1` answer is empty even when it holds tokens, as coffer does) and TronWeb 6
 *   (`trx.getBalance` + `contract().at(usdt)` → `balanceOf().call()`, the 2,000 calls 8 in
 *   flight). 10 of the addresses hold TRX and USDT, 5 hold USDT only (never activated); the
 *   others were never activated and hold nothing (valid reads: 0 of everything);
 * - quote latency of a USDT and a TRX transfer (`quoteTransfer`, median and p95 of 50 runs, round-robin)
 *   beside the floor: the raw requests a quote needs, sent by hand in parallel (getaccount ×2,
 *   getaccountresource, getchainparameters, and for USDT triggerconstantcontract ×2: balanceOf
 *   and the transfer's energy), answers parsed as JSON and nothing else.
 *
 * `npx tsx bench/tron.ts` runs it alone; `npm run bench` runs it with the others.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { pathToFileURL } from 'node:url'
import { TronWeb } from 'tronweb'
import { tronAddressFromPublicKey } from 'coffer/keys'
import type { ChainId } from 'coffer'
import { tron, trc20AssetId } from 'coffer/tron'
import { startTronServer } from '../test/support/tron-server.js'
import { limit, timed } from './harness.js'

const ADDRESSES = 1000
const FUNDED_EVERY = 100
const IN_FLIGHT = 8
const QUOTES = 50
const ROUNDS = 5

const randomAddress = () => tronAddressFromPublicKey(secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey()))
const pad = (bytes: string) => bytes.padStart(64, '0')
/** The 20 account bytes of a `T…` address, as 40 hex digits. */
const accountHex = (address: string) => (TronWeb.address.toHex(address) as string).slice(2)

async function benchBalances(): Promise<string> {
  const server = await startTronServer({ tokens: ['USDT'] })
  try {
    const usdt = server.tokens[0]!.address
    const addresses = Array.from({ length: ADDRESSES }, randomAddress)
    // Every 100th address holds TRX and USDT; 5 others hold USDT only: never activated (a TRC-20
    // transfer does not activate its recipient), the usual fresh deposit address.
    let nonZero = 0
    let usdtOnly = 0
    for (const [i, address] of addresses.entries()) {
      if (i % FUNDED_EVERY === 0) {
        await server.sendTrx(address, 25_000_000n)
        await server.mintToken(address, 'USDT', 1_000_000n)
        nonZero += 2
      } else if (i % (2 * FUNDED_EVERY) === FUNDED_EVERY / 2) {
        await server.mintToken(address, 'USDT', 1_000_000n)
        nonZero++
        usdtOnly++
      }
    }
    // 20 blocks: the funding is solidified too (TronWeb's getBalance reads /walletsolidity/getaccount).
    await server.mine(20)
    const chain = `tron:0x${server.genesisBlockId.slice(-8)}` as ChainId
    const adapter = tron({ chain, apiUrls: [server.url], tokens: server.tokens })
    const usdtAsset = trc20AssetId(chain, usdt)
    const tronWeb = new TronWeb({ fullHost: server.url })
    tronWeb.setAddress(addresses[0]!) // a constant call needs an owner_address; read-only use sets one
    /** `/v1/accounts/:address` by hand: TRX and USDT, or undefined for an account never activated (`data: []`). */
    const v1Account = async (address: string): Promise<[bigint, bigint] | undefined> => {
      const answer = (await (await fetch(`${server.url}/v1/accounts/${address}`)).json()) as {
        data: { balance?: number; trc20?: Record<string, string>[] }[]
      }
      const account = answer.data[0]
      if (!account) return undefined
      const entry = account.trc20?.find((e) => usdt in e)
      return [BigInt(account.balance ?? 0), entry ? BigInt(entry[usdt]!) : 0n]
    }
    /** USDT `balanceOf` by hand (`/wallet/triggerconstantcontract`). */
    const balanceOf = async (address: string): Promise<bigint> => {
      const answer = (await (
        await fetch(`${server.url}/wallet/triggerconstantcontract`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            owner_address: address,
            contract_address: usdt,
            function_selector: 'balanceOf(address)',
            parameter: pad(accountHex(address)),
            visible: true,
          }),
        })
      ).json()) as { constant_result: string[] }
      return BigInt(`0x${answer.constant_result[0]}`)
    }
    // Each contender returns the number of non-zero balances it saw.
    const contenders: [string, () => Promise<number>, expected: number][] = [
      [
        `floor: \`fetch\` of \`/v1/accounts/:address\`, 8 in flight, \`balance\` and the USDT entry parsed (misses the USDT of the ${usdtOnly} never-activated holders)`,
        async () => {
          let n = 0
          await limit(addresses, IN_FLIGHT, async (address) => {
            for (const amount of (await v1Account(address)) ?? []) if (amount > 0n) n++
          })
          return n
        },
        nonZero - usdtOnly,
      ],
      [
        'floor, same answers as coffer: the above, then USDT `balanceOf` (`triggerconstantcontract`) for each never-activated address',
        async () => {
          let n = 0
          await limit(addresses, IN_FLIGHT, async (address) => {
            const amounts = (await v1Account(address)) ?? [0n, await balanceOf(address)]
            for (const amount of amounts) if (amount > 0n) n++
          })
          return n
        },
        nonZero,
      ],
      [
        '**coffer `getBalances`**',
        async () => {
          const balances = await adapter.getBalances({ addresses, assets: [adapter.nativeAsset, usdtAsset] })
          if (balances.length !== ADDRESSES * 2) throw new Error(`coffer: ${balances.length} balances`)
          return balances.filter((b) => {
            if (!b.ok) throw b.error
            return b.amount > 0n
          }).length
        },
        nonZero,
      ],
      [
        'TronWeb 6 `trx.getBalance` + `contract().at(usdt)` `balanceOf().call()`, 8 in flight',
        async () => {
          const token = await tronWeb.contract().at(usdt)
          let n = 0
          const jobs = addresses.flatMap((address) => [
            async () => {
              if ((await tronWeb.trx.getBalance(address)) > 0) n++
            },
            async () => {
              if (BigInt(String(await token.balanceOf(address).call())) > 0n) n++
            },
          ])
          await limit(jobs, IN_FLIGHT, (job) => job())
          return n
        },
        nonZero,
      ],
    ]
    // Round-robin (round 1 of each, then round 2 of each, …) so that machine noise falls evenly.
    for (const [, run] of contenders) await run()
    const times = contenders.map(() => [] as number[])
    const requests = contenders.map(() => 0)
    for (let round = 0; round < ROUNDS; round++)
      for (const [i, [name, run, expected]] of contenders.entries()) {
        server.resetRequests()
        const { ms, result } = await timed(run)
        if (result !== expected) throw new Error(`${name}: ${result} non-zero balances, expected ${expected}`)
        times[i]!.push(ms)
        requests[i] = server.requests
      }
    const medians = times.map((t) => t.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number)
    const rows = contenders.map(
      ([name], i) => `| ${name} | ${medians[i]!.toFixed(0)} | ${requests[i]} | ${(medians[i]! / medians[0]!).toFixed(2)}× |`,
    )
    const text = [
      '### Balances on a local TronGrid-shaped server: 1,000 addresses × (TRX + USDT) = 2,000 reads',
      '',
      '| how | ms | HTTP requests | time vs floor |',
      '|---|---:|---:|---:|',
      ...rows,
    ].join('\n')
    console.log(`${text}\n`)
    return text
  } finally {
    await server.stop()
  }
}

/** Median and p95 of sorted times. */
function stats(times: number[]): { median: number; p95: number } {
  const t = [...times].sort((a, b) => a - b)
  return { median: t[Math.floor(t.length / 2)]!, p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)]! }
}

async function benchQuotes(): Promise<string> {
  const server = await startTronServer({ tokens: ['USDT'] })
  try {
    const usdt = server.tokens[0]!.address
    const from = randomAddress()
    const to = randomAddress()
    await server.sendTrx(from, 1_000_000_000n)
    await server.sendTrx(to, 1_000_000n)
    await server.mintToken(from, 'USDT', 1_000_000_000n)
    await server.mine(1)
    const chain = `tron:0x${server.genesisBlockId.slice(-8)}` as ChainId
    const adapter = tron({ chain, apiUrls: [server.url], tokens: server.tokens })
    const usdtAsset = trc20AssetId(chain, usdt)
    const amount = 1_000_000n
    const post = async (path: string, body: object) =>
      (
        await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, visible: true }),
        })
      ).json()
    const trigger = (selector: string, parameter: string) =>
      post('/wallet/triggerconstantcontract', { owner_address: from, contract_address: usdt, function_selector: selector, parameter })
    const common = () => [
      post('/wallet/getaccount', { address: from }),
      post('/wallet/getaccount', { address: to }),
      post('/wallet/getaccountresource', { address: from }),
      post('/wallet/getchainparameters', {}),
    ]
    const cases: [string, () => Promise<unknown>][] = [
      [
        'USDT transfer: floor, 6 raw requests in parallel (getaccount ×2, getaccountresource, getchainparameters, triggerconstantcontract ×2)',
        () =>
          Promise.all([
            ...common(),
            trigger('balanceOf(address)', pad(accountHex(from))),
            trigger('transfer(address,uint256)', pad(accountHex(to)) + pad(amount.toString(16))),
          ]),
      ],
      ['USDT transfer: **coffer `quoteTransfer`**', () => adapter.quoteTransfer({ from, to, asset: usdtAsset, amount })],
      [
        'TRX transfer: floor, 4 raw requests in parallel (getaccount ×2, getaccountresource, getchainparameters)',
        () => Promise.all(common()),
      ],
      ['TRX transfer: **coffer `quoteTransfer`**', () => adapter.quoteTransfer({ from, to, asset: adapter.nativeAsset, amount })],
    ]
    // Three warm-ups each (the adapter checks the genesis block once), the requests of one call,
    // then QUOTES runs round-robin.
    const requests: number[] = []
    for (const [, fn] of cases) {
      for (let i = 0; i < 3; i++) await fn()
      server.resetRequests()
      await fn()
      requests.push(server.requests)
    }
    const times = cases.map(() => [] as number[])
    for (let run = 0; run < QUOTES; run++) for (const [i, [, fn]] of cases.entries()) times[i]!.push((await timed(fn)).ms)
    let floor = 0
    const rows = cases.map(([name], i) => {
      const { median, p95 } = stats(times[i]!)
      if (name.includes('floor')) floor = median
      return `| ${name} | ${median.toFixed(2)} | ${p95.toFixed(2)} | ${requests[i]} | ${(median / floor).toFixed(2)}× |`
    })
    const text = [
      `### Quote latency on a local TronGrid-shaped server (${QUOTES} sequential quotes each)`,
      '',
      '| how | median ms | p95 ms | HTTP requests | median vs its floor |',
      '|---|---:|---:|---:|---:|',
      ...rows,
    ].join('\n')
    console.log(`${text}\n`)
    return text
  } finally {
    await server.stop()
  }
}

export async function benchTron(): Promise<string[]> {
  const note =
    "_TRON: against the local TronGrid-shaped server (in the same process, USDT on anvil). 10 of the 1,000 addresses hold TRX and USDT, 5 hold USDT only (never activated: TronGrid's `/v1/accounts` answers `data: []` for them, so their tokens need a `balanceOf` call, as coffer makes); the others hold nothing. Quotes: median and p95 of 50 round-robin runs; the floor is the quote's own requests sent by hand in parallel. ethers and viem have no TRON support; Tether's WDK has a TRON wallet (`@tetherto/wdk-wallet-tron`) that is not a dev dependency here, so TronWeb 6, the library most TRON code uses, is the comparison row._"
  return [note, await benchBalances(), await benchQuotes()]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchTron()
