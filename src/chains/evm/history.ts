/**
 * Transfer history of an address: ERC-20 `Transfer` logs to and from it (two `eth_getLogs`
 * per block range, ranges sized to what nodes accept and halved when one refuses), plus the
 * native-coin sends this adapter broadcast (plain transfers leave no log). Newest first,
 * paged by an opaque cursor; each page scans at most `maxScanBlocks`.
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import { getAddress, numberToHex, pad, type Hex, type PublicClient } from 'viem'
import { InvalidArgumentError } from '../../core/errors.js'
import type { HistoryItem, HistoryOptions, HistoryPage } from '../adapter.js'
import type { EvmChain } from './networks.js'
import type { Journal } from './journal.js'
import { errorText, rpc, toRpcError } from './client.js'
import type { EvmAsset } from './tokens.js'
import { TRANSFER_TOPIC } from './transfer-logs.js'
import { positiveInt } from './validate.js'

/** History tuning. */
export interface HistorySettings {
  /** First block worth scanning (e.g. the wallet's creation block). Default 0. */
  startBlock: number
  /** Blocks per eth_getLogs request (halved automatically on refusal). Default 5,000. */
  chunkBlocks: number
  /** Blocks a single page may scan before returning a cursor. Default 100,000. */
  maxScanBlocks: number
}

/** The `history` option, checked, with its defaults. @throws InvalidArgumentError */
export function historySettings(option: Partial<HistorySettings> | undefined): HistorySettings {
  return {
    startBlock: option?.startBlock ?? 0,
    chunkBlocks: positiveInt(option?.chunkBlocks, 'history.chunkBlocks', 5_000),
    maxScanBlocks: positiveInt(option?.maxScanBlocks, 'history.maxScanBlocks', 100_000),
  }
}

interface Cursor {
  /** Scan blocks ≤ this. */
  block: number
  /** Items of `block` already returned. */
  skip: number
}

interface RawLog {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  transactionHash: Hex
  logIndex: Hex
}

function encodeCursor(c: Cursor): string {
  return `${c.block}.${c.skip}`
}

function decodeCursor(text: unknown): Cursor {
  if (typeof text !== 'string' || !/^\d{1,12}\.\d{1,6}$/.test(text))
    throw new InvalidArgumentError('cursor is not one this adapter returned.')
  const [block, skip] = text.split('.').map(Number) as [number, number]
  return { block, skip }
}

async function logs(client: PublicClient, filter: Record<string, unknown>): Promise<RawLog[]> {
  return (await client.request({ method: 'eth_getLogs', params: [filter as never] })) as RawLog[]
}

/** One page of history. */
export async function readHistory(
  client: PublicClient,
  chain: EvmChain,
  journal: Journal,
  address: `0x${string}`,
  assets: readonly EvmAsset[],
  options: HistoryOptions,
  settings: HistorySettings,
): Promise<HistoryPage> {
  const limit = options.limit ?? 50
  if (!isIntegerIn(limit, 1, 1000)) throw new InvalidArgumentError('limit must be an integer from 1 to 1000.')
  const head = Number(await rpc('Reading the latest block', () => client.getBlockNumber({ cacheTime: 0 })))
  const cursor = options.cursor === undefined ? { block: head, skip: 0 } : decodeCursor(options.cursor)
  const tokens = assets.filter((a) => a.kind === 'token' && a.address)
  const byToken = new Map(tokens.map((t) => [(t.address as string).toLowerCase(), t]))
  const wantNative = assets.some((a) => a.kind === 'native')
  const topic = pad(address.toLowerCase() as Hex)

  const items: HistoryItem[] = []
  let to = cursor.block
  let chunk = settings.chunkBlocks
  const floor = Math.max(settings.startBlock, cursor.block - settings.maxScanBlocks + 1)
  let scannedFrom = to + 1
  while (to >= floor && items.length < limit + cursor.skip) {
    const from = Math.max(floor, to - chunk + 1)
    let found: RawLog[]
    try {
      found = tokens.length === 0 ? [] : await fetchRange(client, tokens, topic, from, to)
    } catch (error) {
      if (chunk > 1 && /range|limit|too many|exceed|10000|block/.test(errorText(error))) {
        chunk = Math.max(1, Math.floor(chunk / 2))
        continue
      }
      throw toRpcError('Reading transfer logs', error)
    }
    for (const log of found) {
      const token = byToken.get(log.address.toLowerCase())
      if (!token || log.topics.length !== 3) continue
      const fromAddr = getAddress(`0x${(log.topics[1] as string).slice(26)}`)
      const toAddr = getAddress(`0x${(log.topics[2] as string).slice(26)}`)
      const self = fromAddr.toLowerCase() === toAddr.toLowerCase()
      items.push({
        chainId: chain.caip2,
        hash: log.transactionHash,
        asset: token.id,
        direction: self ? 'self' : fromAddr.toLowerCase() === address.toLowerCase() ? 'out' : 'in',
        from: fromAddr,
        to: toAddr,
        amount: BigInt(log.data === '0x' ? 0 : log.data),
        blockHeight: Number(BigInt(log.blockNumber)),
        state: 'confirmed',
        ...({ logIndex: Number(BigInt(log.logIndex)) } as object),
      })
    }
    scannedFrom = from
    to = from - 1
  }

  if (wantNative) items.push(...(await nativeSends(client, chain, journal, address, scannedFrom, cursor.block, head)))
  const unique = dedupe(items).sort(newestFirst)
  const page = unique.slice(cursor.skip, cursor.skip + limit)
  const rest = unique.slice(cursor.skip + limit)
  await addDetails(client, chain, page, address)
  let next: Cursor | undefined
  if (rest.length > 0) {
    const block = rest[0]?.blockHeight ?? cursor.block
    next = { block, skip: unique.filter((i) => i.blockHeight === block).indexOf(rest[0] as HistoryItem) }
  } else if (scannedFrom > settings.startBlock) {
    next = { block: scannedFrom - 1, skip: 0 }
  }
  return { items: page.map(strip), ...(next ? { cursor: encodeCursor(next) } : {}) }
}

async function fetchRange(client: PublicClient, tokens: readonly EvmAsset[], topic: Hex, from: number, to: number): Promise<RawLog[]> {
  const base = { address: tokens.map((t) => t.address), fromBlock: numberToHex(from), toBlock: numberToHex(to) }
  const [sent, received] = await Promise.all([
    logs(client, { ...base, topics: [TRANSFER_TOPIC, topic] }),
    logs(client, { ...base, topics: [TRANSFER_TOPIC, null, topic] }),
  ])
  return [...sent, ...received]
}

async function nativeSends(
  client: PublicClient,
  chain: EvmChain,
  journal: Journal,
  address: `0x${string}`,
  from: number,
  to: number,
  head: number,
): Promise<HistoryItem[]> {
  const sent = (await journal.sentBy(address)).filter((e) => e.asset === chain.nativeAsset && !e.cancel)
  const receipts = await rpc('Reading receipts', () =>
    Promise.all(
      sent.map(
        (e) =>
          client.request({ method: 'eth_getTransactionReceipt', params: [e.hash] }) as Promise<{ blockNumber: Hex; status: Hex } | null>,
      ),
    ),
  )
  return sent.flatMap((e, i) => {
    const receipt = receipts[i]
    const block = receipt ? Number(BigInt(receipt.blockNumber)) : undefined
    if (block === undefined ? to !== head : block < from || block > to) return []
    return [
      {
        chainId: chain.caip2,
        hash: e.hash,
        asset: e.asset,
        direction: e.to.toLowerCase() === address.toLowerCase() ? 'self' : 'out',
        from: e.from,
        to: e.to,
        amount: BigInt(e.amount),
        ...(block === undefined ? {} : { blockHeight: block }),
        state: receipt ? (BigInt(receipt.status) === 1n ? 'confirmed' : 'failed') : 'pending',
      } satisfies HistoryItem,
    ]
  })
}

function dedupe(items: HistoryItem[]): HistoryItem[] {
  const seen = new Set<string>()
  return items.filter((i) => {
    const key = `${i.hash}:${i.asset}:${(i as { logIndex?: number }).logIndex ?? ''}:${i.direction}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function newestFirst(a: HistoryItem, b: HistoryItem): number {
  const ha = a.blockHeight ?? Number.MAX_SAFE_INTEGER
  const hb = b.blockHeight ?? Number.MAX_SAFE_INTEGER
  if (ha !== hb) return hb - ha
  return ((b as { logIndex?: number }).logIndex ?? 0) - ((a as { logIndex?: number }).logIndex ?? 0)
}

/** Block timestamps for every item, and fees for outgoing ones (one JSON-RPC batch). */
async function addDetails(client: PublicClient, chain: EvmChain, page: HistoryItem[], address: `0x${string}`): Promise<void> {
  const blocks = [...new Set(page.map((i) => i.blockHeight).filter((b): b is number => b !== undefined))]
  const outgoing = [...new Set(page.filter((i) => i.from.toLowerCase() === address.toLowerCase()).map((i) => i.hash))]
  const [headers, receipts] = await rpc('Reading history details', () =>
    Promise.all([
      Promise.all(
        blocks.map(
          (b) => client.request({ method: 'eth_getBlockByNumber', params: [numberToHex(b), false] }) as Promise<{ timestamp: Hex } | null>,
        ),
      ),
      Promise.all(
        outgoing.map(
          (h) =>
            client.request({ method: 'eth_getTransactionReceipt', params: [h as Hex] }) as Promise<{
              gasUsed: Hex
              effectiveGasPrice?: Hex
            } | null>,
        ),
      ),
    ]),
  )
  const time = new Map(blocks.map((b, i) => [b, headers[i] ? Number(BigInt(headers[i]!.timestamp)) * 1000 : undefined]))
  const fee = new Map(
    outgoing.map((h, i) => [h, receipts[i] ? BigInt(receipts[i]!.gasUsed) * BigInt(receipts[i]!.effectiveGasPrice ?? '0x0') : undefined]),
  )
  for (const [index, item] of page.entries()) {
    const timestamp = item.blockHeight === undefined ? undefined : time.get(item.blockHeight)
    const paid = fee.get(item.hash)
    page[index] = {
      ...item,
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(paid === undefined ? {} : { fee: { asset: chain.nativeAsset, amount: paid } }),
    }
  }
}

function strip(item: HistoryItem): HistoryItem {
  const { logIndex: _l, ...rest } = item as HistoryItem & { logIndex?: number }
  return Object.freeze(rest)
}
