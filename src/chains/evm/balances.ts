/**
 * Balances of many addresses and assets in two HTTP requests: the block number (plus a
 * one-time Multicall3 code probe), then Multicall3 `aggregate3` chunks — `getEthBalance` for
 * the native coin, `balanceOf` for tokens — pinned to that block and sent together as one
 * JSON-RPC batch. Every call may fail alone (`allowFailure`), so a token that reverts
 * becomes one failed entry and hides nothing else. Where Multicall3 is not deployed, plain
 * `eth_getBalance` / `eth_call` requests go out as one JSON-RPC batch instead.
 * @module
 * @internal
 */
import { decodeFunctionResult, encodeFunctionData, multicall3Abi, numberToHex, type Hex, type PublicClient } from 'viem'
import { RpcError } from '../../errors.js'
import type { Balance } from '../adapter.js'
import type { EvmChain } from './chain.js'
import { rpc, toRpcError } from './rpc.js'
import type { EvmAsset } from './tokens.js'

const BALANCE_OF = '0x70a08231'
const GET_ETH_BALANCE = '0x4d2301cc'

/** Multicall3 availability, probed once per adapter. */
export interface MulticallState {
  address: `0x${string}` | undefined
  available?: Promise<boolean>
}

interface Read {
  address: `0x${string}`
  asset: EvmAsset
}

const word = (address: string) => address.slice(2).toLowerCase().padStart(64, '0')

function balanceFrom(data: Hex | undefined): bigint | undefined {
  if (!data || data.length !== 66) return undefined
  return BigInt(data)
}

function result(read: Read, blockHeight: number, amount: bigint | undefined, why: string): Balance {
  if (amount !== undefined) return { ok: true, address: read.address, asset: read.asset.id, amount, decimals: read.asset.decimals, blockHeight }
  return {
    ok: false,
    address: read.address,
    asset: read.asset.id,
    decimals: read.asset.decimals,
    blockHeight,
    error: new RpcError(`Could not read the ${read.asset.symbol} balance of ${read.address}: ${why}.`, { details: { asset: read.asset.id } }),
  }
}

async function viaMulticall(client: PublicClient, multicall: `0x${string}`, reads: Read[], blockNumber: bigint, chunkSize: number): Promise<Balance[]> {
  const height = Number(blockNumber)
  const chunks: Read[][] = []
  for (let i = 0; i < reads.length; i += chunkSize) chunks.push(reads.slice(i, i + chunkSize))
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const calls = chunk.map((r) =>
        r.asset.kind === 'native'
          ? { target: multicall, allowFailure: true, callData: `${GET_ETH_BALANCE}${word(r.address)}` as Hex }
          : { target: r.asset.address as `0x${string}`, allowFailure: true, callData: `${BALANCE_OF}${word(r.address)}` as Hex },
      )
      try {
        const { data } = await client.call({ to: multicall, data: encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [calls] }), blockNumber })
        const decoded = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: data as Hex })
        return chunk.map((r, i) => {
          const item = decoded[i]
          return result(r, height, item?.success ? balanceFrom(item.returnData) : undefined, item?.success ? 'unexpected return data' : 'the call reverted')
        })
      } catch (error) {
        const why = toRpcError('aggregate3', error).shortMessage
        return chunk.map((r) => result(r, height, undefined, why))
      }
    }),
  )
  return results.flat()
}

async function viaPlainCalls(client: PublicClient, reads: Read[], blockNumber: bigint): Promise<Balance[]> {
  const height = Number(blockNumber)
  const tag = numberToHex(blockNumber)
  return Promise.all(
    reads.map(async (r) => {
      try {
        if (r.asset.kind === 'native') {
          return result(r, height, BigInt(await client.request({ method: 'eth_getBalance', params: [r.address, tag] })), '')
        }
        const data = await client.request({ method: 'eth_call', params: [{ to: r.asset.address as `0x${string}`, data: `${BALANCE_OF}${word(r.address)}` }, tag] })
        return result(r, height, balanceFrom(data), 'unexpected return data')
      } catch (error) {
        return result(r, height, undefined, toRpcError('balance read', error).shortMessage)
      }
    }),
  )
}

/** Balances of every address × asset, all at one block. */
export async function readBalances(
  client: PublicClient,
  chain: EvmChain,
  multicall: MulticallState,
  addresses: readonly `0x${string}`[],
  assets: readonly EvmAsset[],
  chunkSize: number,
): Promise<Balance[]> {
  const reads: Read[] = addresses.flatMap((address) => assets.map((asset) => ({ address, asset })))
  if (reads.length === 0) return []
  if (multicall.address && !multicall.available) {
    const address = multicall.address
    multicall.available = client.getCode({ address }).then(
      (code) => code !== undefined && code !== '0x',
      () => false,
    )
  }
  const [blockNumber, useMulticall] = await rpc(`Reading the latest ${chain.name} block`, () =>
    Promise.all([client.getBlockNumber({ cacheTime: 0 }), multicall.available ?? Promise.resolve(false)]),
  )
  return useMulticall && multicall.address
    ? viaMulticall(client, multicall.address, reads, blockNumber, chunkSize)
    : viaPlainCalls(client, reads, blockNumber)
}
