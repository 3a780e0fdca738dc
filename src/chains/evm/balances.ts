/**
 * Balances of many addresses and assets in two HTTP requests: the block number (skipped when
 * the caller pins a block), then Multicall3 `aggregate3` chunks — `getEthBalance` for the
 * native coin, `balanceOf` for tokens — pinned to that block and sent together as one
 * JSON-RPC batch. Every call may fail alone (`allowFailure`), so a token that reverts
 * becomes one failed entry and hides nothing else.
 *
 * Multicall3 is used optimistically: no code probe first. Where it is not deployed the call
 * returns empty data, and the same reads go out as plain `eth_getBalance` / `eth_call`
 * requests in one JSON-RPC batch (and every later read on that adapter goes straight there).
 *
 * With `confirmations` above 1 the same reads are also made `confirmations - 1` blocks
 * lower, in the same batch; the difference is reported as `pending`.
 * @module
 * @internal
 */
import { decodeFunctionResult, encodeFunctionData, multicall3Abi, numberToHex, type Hex, type PublicClient } from 'viem'
import { RpcError } from '../../core/errors.js'
import type { Balance } from '../adapter.js'
import type { EvmChain } from './networks.js'
import { rpc, toRpcError } from './client.js'
import type { EvmAsset } from './tokens.js'

const BALANCE_OF = '0x70a08231'
const GET_ETH_BALANCE = '0x4d2301cc'

/** Multicall3 on one adapter: its address, and whether a read found no code there. */
export interface MulticallState {
  address: `0x${string}` | undefined
  missing?: boolean
}

/** Where and how deep to read. */
export interface BalanceReadOptions {
  /** Block to read at; default the newest. */
  blockHeight?: number
  /** Depth at which amounts count as confirmed; default 1 (no second read). */
  confirmations?: number
}

interface Read {
  address: `0x${string}`
  asset: EvmAsset
}

/** A balance, or why it could not be read. */
type Outcome = { amount: bigint } | { why: string }

const word = (address: string) => address.slice(2).toLowerCase().padStart(64, '0')

function balanceFrom(data: Hex | undefined): Outcome {
  if (!data || data.length !== 66) return { why: 'unexpected return data' }
  return { amount: BigInt(data) }
}

function balance(read: Read, blockHeight: number, outcome: Outcome): Balance {
  if ('amount' in outcome)
    return { ok: true, address: read.address, asset: read.asset.id, amount: outcome.amount, decimals: read.asset.decimals, blockHeight }
  return {
    ok: false,
    address: read.address,
    asset: read.asset.id,
    decimals: read.asset.decimals,
    blockHeight,
    error: new RpcError(`Could not read the ${read.asset.symbol} balance of ${read.address}: ${outcome.why}.`, {
      details: { asset: read.asset.id },
    }),
  }
}

/** Reads through Multicall3; undefined when the contract has no code at that block. */
async function viaMulticall(
  client: PublicClient,
  multicall: `0x${string}`,
  reads: Read[],
  blockNumber: bigint,
  chunkSize: number,
): Promise<Outcome[] | undefined> {
  const chunks: Read[][] = []
  for (let i = 0; i < reads.length; i += chunkSize) chunks.push(reads.slice(i, i + chunkSize))
  let noCode = false
  const results = await Promise.all(
    chunks.map(async (chunk): Promise<Outcome[]> => {
      const calls = chunk.map((r) =>
        r.asset.kind === 'native'
          ? { target: multicall, allowFailure: true, callData: `${GET_ETH_BALANCE}${word(r.address)}` as Hex }
          : { target: r.asset.address as `0x${string}`, allowFailure: true, callData: `${BALANCE_OF}${word(r.address)}` as Hex },
      )
      try {
        const data = await client.request({
          method: 'eth_call',
          params: [
            { to: multicall, data: encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [calls] }) },
            numberToHex(blockNumber),
          ],
        })
        if (data === '0x') {
          noCode = true
          return []
        }
        const decoded = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data })
        return chunk.map((_, i) => {
          const item = decoded[i]
          return item?.success ? balanceFrom(item.returnData) : { why: 'the call reverted' }
        })
      } catch (error) {
        const why = toRpcError('aggregate3', error).shortMessage
        return chunk.map(() => ({ why }))
      }
    }),
  )
  return noCode ? undefined : results.flat()
}

async function viaPlainCalls(client: PublicClient, reads: Read[], blockNumber: bigint): Promise<Outcome[]> {
  const tag = numberToHex(blockNumber)
  return Promise.all(
    reads.map(async (r): Promise<Outcome> => {
      try {
        if (r.asset.kind === 'native')
          return { amount: BigInt(await client.request({ method: 'eth_getBalance', params: [r.address, tag] })) }
        return balanceFrom(
          await client.request({
            method: 'eth_call',
            params: [{ to: r.asset.address as `0x${string}`, data: `${BALANCE_OF}${word(r.address)}` }, tag],
          }),
        )
      } catch (error) {
        return { why: toRpcError('balance read', error).shortMessage }
      }
    }),
  )
}

async function readAt(
  client: PublicClient,
  multicall: MulticallState,
  reads: Read[],
  blockNumber: bigint,
  chunkSize: number,
  head: boolean,
): Promise<Outcome[]> {
  if (multicall.address && !multicall.missing) {
    const outcomes = await viaMulticall(client, multicall.address, reads, blockNumber, chunkSize)
    if (outcomes) return outcomes
    // No code at the newest block: not deployed on this chain. (At an older block it may
    // simply predate the deployment.)
    if (head) multicall.missing = true
  }
  return viaPlainCalls(client, reads, blockNumber)
}

/** Balances of every address × asset, all at one block, with `pending` when `confirmations` > 1. */
export async function readBalances(
  client: PublicClient,
  chain: EvmChain,
  multicall: MulticallState,
  addresses: readonly `0x${string}`[],
  assets: readonly EvmAsset[],
  chunkSize: number,
  options: BalanceReadOptions = {},
): Promise<Balance[]> {
  const reads: Read[] = addresses.flatMap((address) => assets.map((asset) => ({ address, asset })))
  if (reads.length === 0) return []
  const pinned = options.blockHeight !== undefined
  const blockNumber = pinned
    ? BigInt(options.blockHeight as number)
    : await rpc(`Reading the latest ${chain.name} block`, () => client.getBlockNumber({ cacheTime: 0 }))
  const depth = BigInt(options.confirmations ?? 1)
  const deep = depth > 1n ? (blockNumber >= depth - 1n ? blockNumber - (depth - 1n) : 0n) : undefined
  const [now, then] = await Promise.all([
    readAt(client, multicall, reads, blockNumber, chunkSize, !pinned),
    deep === undefined ? undefined : readAt(client, multicall, reads, deep, chunkSize, false),
  ])
  const height = Number(blockNumber)
  return reads.map((read, i) => {
    const b = balance(read, height, now[i] ?? { why: 'no result' })
    const old = then?.[i]
    return b.ok && old && 'amount' in old ? { ...b, pending: b.amount - old.amount } : b
  })
}
