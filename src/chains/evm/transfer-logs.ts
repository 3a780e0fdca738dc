/**
 * ERC-20 transfers touching a set of addresses over a block range: `Transfer` logs filtered
 * by sender and by recipient (the addresses as OR-lists in the topic positions, split into
 * groups nodes accept; the block range split into pieces nodes accept), all sent as one
 * JSON-RPC batch. What a tracker reads per new block. For more than 2,000 addresses (a deposit
 * watcher), every Transfer log of the tokens in 10-block pieces, matched here. Either way each
 * log is checked against the addresses: the node's filter is not taken on trust.
 * Native-coin transfers leave no log, so a scan that includes the native asset says
 * `complete: false`.
 * @module
 * @internal
 */
import { getAddress, numberToHex, pad, type Hex, type PublicClient } from 'viem'
import { RpcError } from '../../core/errors.js'
import type { ChainTransfer, TransferScan } from '../adapter.js'
import type { EvmChain } from './networks.js'
import { rpc } from './client.js'
import type { EvmAsset } from './tokens.js'

/** keccak256("Transfer(address,address,uint256)"). */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/** Addresses per topic OR-list (public nodes cap filter sizes; 500 passes the common ones). */
const ADDRESSES_PER_FILTER = 500
/**
 * Above this many addresses (a deposit watcher's 100,000), topic lists would take 2 filters per
 * 500 addresses per range: the scan reads every Transfer log of the tokens instead and keeps
 * those touching an address, in ranges of {@link WIDE_CHUNK_BLOCKS} (busy tokens log thousands
 * of transfers a block; nodes cap a log query's answer, often at 10,000 logs).
 */
const WIDE_SCAN_ADDRESSES = 4 * ADDRESSES_PER_FILTER
const WIDE_CHUNK_BLOCKS = 10

interface RawLog {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  blockHash: Hex
  transactionHash: Hex
  logIndex: Hex
  removed?: boolean
}

const HEX = /^0x[0-9a-fA-F]*$/

function wellFormed(log: unknown): log is RawLog {
  const l = log as Partial<RawLog> | null
  return (
    !!l &&
    typeof l === 'object' &&
    [l.address, l.data, l.blockNumber, l.blockHash, l.transactionHash, l.logIndex].every((v) => typeof v === 'string' && HEX.test(v)) &&
    Array.isArray(l.topics) &&
    l.topics.every((t) => typeof t === 'string' && HEX.test(t))
  )
}

/** Token transfers from or to `addresses` in blocks `fromBlock..toBlock`, oldest first. */
export async function scanTransfers(
  client: PublicClient,
  chain: EvmChain,
  addresses: readonly `0x${string}`[],
  assets: readonly EvmAsset[],
  fromBlock: number,
  toBlock: number,
  chunkBlocks: number,
): Promise<TransferScan> {
  const tokens = assets.filter((a) => a.kind === 'token' && a.address)
  const complete = !assets.some((a) => a.kind === 'native')
  if (tokens.length === 0 || addresses.length === 0) return { transfers: [], complete }
  const byToken = new Map(tokens.map((t) => [(t.address as string).toLowerCase(), t]))
  const filters: Record<string, unknown>[] = []
  const wide = addresses.length > WIDE_SCAN_ADDRESSES
  const chunk = wide ? Math.min(chunkBlocks, WIDE_CHUNK_BLOCKS) : chunkBlocks
  for (let start = fromBlock; start <= toBlock; start += chunk) {
    const base = {
      address: tokens.map((t) => t.address),
      fromBlock: numberToHex(start),
      toBlock: numberToHex(Math.min(toBlock, start + chunk - 1)),
    }
    if (wide) {
      filters.push({ ...base, topics: [TRANSFER_TOPIC] })
      continue
    }
    for (let i = 0; i < addresses.length; i += ADDRESSES_PER_FILTER) {
      const topics = addresses.slice(i, i + ADDRESSES_PER_FILTER).map((a) => pad(a.toLowerCase() as Hex))
      filters.push({ ...base, topics: [TRANSFER_TOPIC, topics] }, { ...base, topics: [TRANSFER_TOPIC, null, topics] })
    }
  }
  const found = await rpc(`Reading ${chain.name} transfer logs`, () =>
    Promise.all(filters.map((filter) => client.request({ method: 'eth_getLogs', params: [filter as never] }) as Promise<RawLog[]>)),
  )
  const logs = found.flat()
  if (!found.every(Array.isArray) || !logs.every(wellFormed))
    throw new RpcError(`The ${chain.name} node answered eth_getLogs with something that is not a list of logs.`)
  const seen = new Set<string>()
  const transfers: ChainTransfer[] = []
  // The node's filter is not taken on trust: a log touching none of the addresses is not theirs.
  const asked = new Set(addresses.map((a) => a.toLowerCase()))
  for (const log of logs) {
    const token = byToken.get(log.address.toLowerCase())
    if (!token || log.removed || log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC) continue
    const from = `0x${(log.topics[1] as string).slice(26)}`.toLowerCase()
    const to = `0x${(log.topics[2] as string).slice(26)}`.toLowerCase()
    if (!asked.has(from) && !asked.has(to)) continue
    const key = `${log.transactionHash}:${log.logIndex}`
    if (seen.has(key)) continue // a transfer between two watched addresses matches both filters
    seen.add(key)
    transfers.push({
      chainId: chain.caip2,
      hash: log.transactionHash,
      asset: token.id,
      from: getAddress(from),
      to: getAddress(to),
      amount: BigInt(log.data === '0x' ? 0 : log.data),
      blockHeight: Number(BigInt(log.blockNumber)),
      blockHash: log.blockHash,
      index: Number(BigInt(log.logIndex)),
    })
  }
  transfers.sort((a, b) => a.blockHeight - b.blockHeight || a.index - b.index)
  return { transfers, complete }
}
