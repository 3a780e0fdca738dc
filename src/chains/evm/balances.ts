/**
 * Balances of many addresses and assets, usually in one HTTP request: Multicall3 `aggregate3`
 * chunks — `getEthBalance` for the native coin, `balanceOf` for tokens — sent together as one
 * JSON-RPC batch. Every call may fail alone (`allowFailure`), so a token that reverts becomes
 * one failed entry and hides nothing else.
 *
 * The block: when the caller pins none, each chunk reads at "latest" and carries Multicall3's
 * `getBlockNumber()` as its first call, so the block number comes with the balances, not from
 * an `eth_blockNumber` round trip before them. Chunks whose block differs from the lowest one
 * (a block arrived between them) are read again pinned to that block: every balance of a
 * result is of one block, the one its `blockHeight` names. This is trusted only once a read at
 * a known block has shown that `block.number` inside a call is the chain's block number (on
 * Arbitrum-style chains it is the parent chain's): until then, and wherever it is not, the
 * block number is asked first and the chunks are pinned to it (two requests).
 *
 * Multicall3 is used optimistically: no code probe first. Where it is not deployed the call
 * returns empty data, and the same reads go out as plain `eth_getBalance` / `eth_call`
 * requests in one JSON-RPC batch (and every later read on that adapter goes straight there).
 *
 * With `confirmations` above 1 the block number is asked first and the same reads are also
 * made `confirmations - 1` blocks lower, in the same batch; the difference is `pending`.
 * @module
 * @internal
 */
import { numberToHex, type Hex, type PublicClient } from 'viem'
import { RpcError } from '../../core/errors.js'
import type { Balance } from '../adapter.js'
import { decodeAggregate3, encodeAggregate3, type Aggregate3Call } from './aggregate3.js'
import type { EvmChain } from './networks.js'
import { rpc, toRpcError } from './client.js'
import type { EvmAsset } from './tokens.js'

const BALANCE_OF = '0x70a08231'
const GET_ETH_BALANCE = '0x4d2301cc'
/** Multicall3 `getBlockNumber()`: `block.number` of the call. */
const GET_BLOCK_NUMBER = '0x42cbb15c'

/** Multicall3 on one adapter: its address, whether a read found no code there, and whether its block number can be trusted. */
export interface MulticallState {
  address: `0x${string}` | undefined
  missing?: boolean
  /**
   * Whether `getBlockNumber()` inside a call is the block the call read: true once seen equal
   * at a known block, false once seen different; unknown (undefined) until then.
   */
  blockInCall?: boolean
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

/** One chunk's outcomes, and the block `getBlockNumber()` reported when it was asked. */
interface ChunkRead {
  outcomes: Outcome[]
  block?: bigint
}

/** A block number, or "latest". */
type BlockTag = bigint | 'latest'

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

/** The `aggregate3` calls of a chunk, `getBlockNumber()` first when `withBlock`. */
function chunkCalls(multicall: `0x${string}`, chunk: readonly Read[], withBlock: boolean): Aggregate3Call[] {
  const calls: Aggregate3Call[] = withBlock ? [{ target: multicall, allowFailure: true, callData: GET_BLOCK_NUMBER }] : []
  for (const r of chunk)
    calls.push(
      r.asset.kind === 'native'
        ? { target: multicall, allowFailure: true, callData: `${GET_ETH_BALANCE}${word(r.address)}` as Hex }
        : { target: r.asset.address as `0x${string}`, allowFailure: true, callData: `${BALANCE_OF}${word(r.address)}` as Hex },
    )
  return calls
}

/**
 * One chunk through `aggregate3` at `tag`: undefined when Multicall3 has no code there; a
 * failed request or malformed answer makes every read of the chunk fail.
 */
async function readChunk(
  client: PublicClient,
  multicall: `0x${string}`,
  chunk: readonly Read[],
  tag: BlockTag,
  withBlock: boolean,
): Promise<ChunkRead | undefined> {
  try {
    const data = await client.request({
      method: 'eth_call',
      params: [
        { to: multicall, data: encodeAggregate3(chunkCalls(multicall, chunk, withBlock)) },
        tag === 'latest' ? tag : numberToHex(tag),
      ],
    })
    if (data === '0x') return undefined
    const decoded = decodeAggregate3(data)
    const skip = withBlock ? 1 : 0
    if (decoded.length !== chunk.length + skip)
      throw new RpcError(`Multicall3 answered ${decoded.length - skip} results for ${chunk.length} calls.`)
    const head = withBlock ? decoded[0] : undefined
    const block = head?.success && head.returnData.length === 66 ? BigInt(head.returnData) : undefined
    const outcomes = chunk.map((_, i): Outcome => {
      const item = decoded[i + skip] as { success: boolean; returnData: Hex }
      return item.success ? balanceFrom(item.returnData) : { why: 'the call reverted' }
    })
    return block === undefined ? { outcomes } : { outcomes, block }
  } catch (error) {
    const why = toRpcError('aggregate3', error).shortMessage
    return { outcomes: chunk.map(() => ({ why })) }
  }
}

/** Reads split in chunks of `chunkSize`. */
function chunked(reads: readonly Read[], chunkSize: number): Read[][] {
  const chunks: Read[][] = []
  for (let i = 0; i < reads.length; i += chunkSize) chunks.push(reads.slice(i, i + chunkSize))
  return chunks
}

/** Every chunk through Multicall3 at `tag`, in one batch; undefined when the contract has no code there. */
async function viaMulticall(
  client: PublicClient,
  multicall: `0x${string}`,
  chunks: readonly Read[][],
  tag: BlockTag,
  withBlock: boolean,
): Promise<ChunkRead[] | undefined> {
  const results = await Promise.all(chunks.map((chunk) => readChunk(client, multicall, chunk, tag, withBlock)))
  return results.every((r): r is ChunkRead => r !== undefined) ? results : undefined
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

/**
 * The lowest block the chunks report, and the chunks to read again pinned to it: those of
 * another block, and those that could not say theirs (a failed request, or a failed
 * `getBlockNumber()`: their balances, if any, are of no known block). Undefined when no chunk
 * reported a block.
 */
export function reconcileBlocks(blocks: readonly (bigint | undefined)[]): { block: bigint; stale: number[] } | undefined {
  let low: bigint | undefined
  for (const b of blocks) if (b !== undefined && (low === undefined || b < low)) low = b
  if (low === undefined) return undefined
  const stale: number[] = []
  for (const [i, b] of blocks.entries()) if (b !== low) stale.push(i)
  return { block: low, stale }
}

/**
 * The newest balances in one request: every chunk at "latest" with its block number, the
 * chunks of a newer block read again at the lowest. Undefined when Multicall3 has no code or
 * no chunk could say its block (the caller then takes the two-request path).
 */
async function readLatest(
  client: PublicClient,
  multicall: MulticallState,
  address: `0x${string}`,
  chunks: readonly Read[][],
): Promise<{ outcomes: Outcome[]; block: bigint } | undefined> {
  const first = await viaMulticall(client, address, chunks, 'latest', true)
  if (!first) {
    multicall.missing = true
    return undefined
  }
  const plan = reconcileBlocks(first.map((c) => c.block))
  if (!plan) return undefined
  if (plan.stale.length > 0) {
    const again = await viaMulticall(
      client,
      address,
      plan.stale.map((i) => chunks[i] as Read[]),
      plan.block,
      false,
    )
    for (const [k, i] of plan.stale.entries())
      first[i] = again?.[k] ?? { outcomes: (chunks[i] as Read[]).map(() => ({ why: `no code at block ${plan.block}` })) }
  }
  return { outcomes: first.flatMap((c) => c.outcomes), block: plan.block }
}

/**
 * Learns whether `block.number` inside a call is the block the chunks were pinned to: false as
 * soon as one chunk says otherwise, true when every chunk that said agrees; unknown when none said.
 */
function learnBlockInCall(multicall: MulticallState, chunks: readonly ChunkRead[], blockNumber: bigint): void {
  const said = chunks.filter((c) => c.block !== undefined)
  if (said.length === 0 || multicall.blockInCall === false) return
  multicall.blockInCall = said.every((c) => c.block === blockNumber)
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
    // While unknown, each chunk also asks its block number (one more call inside it, no more
    // requests): a probe of whether the one-request path can be trusted on this chain.
    const probe = multicall.blockInCall === undefined
    const chunks = chunked(reads, chunkSize)
    const results = await viaMulticall(client, multicall.address, chunks, blockNumber, probe)
    if (results) {
      if (probe) learnBlockInCall(multicall, results, blockNumber)
      return results.flatMap((c) => c.outcomes)
    }
    // No code at the newest block: not deployed on this chain. (At an older block it may
    // simply predate the deployment.)
    if (head) multicall.missing = true
  }
  return viaPlainCalls(client, reads, blockNumber)
}

/** The balances of `reads` from their outcomes, at `height`, with `pending` from the deeper outcomes when given. */
function toBalances(reads: readonly Read[], height: number, now: readonly Outcome[], then?: readonly Outcome[]): Balance[] {
  return reads.map((read, i) => {
    const b = balance(read, height, now[i] ?? { why: 'no result' })
    const old = then?.[i]
    return b.ok && old && 'amount' in old ? { ...b, pending: b.amount - old.amount } : b
  })
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
  const depth = BigInt(options.confirmations ?? 1)
  if (!pinned && depth === 1n && multicall.address && !multicall.missing && multicall.blockInCall === true) {
    const latest = await readLatest(client, multicall, multicall.address, chunked(reads, chunkSize))
    if (latest) return toBalances(reads, Number(latest.block), latest.outcomes)
  }
  const blockNumber = pinned
    ? BigInt(options.blockHeight as number)
    : await rpc(`Reading the latest ${chain.name} block`, () => client.getBlockNumber({ cacheTime: 0 }))
  const deep = depth > 1n ? (blockNumber >= depth - 1n ? blockNumber - (depth - 1n) : 0n) : undefined
  const [now, then] = await Promise.all([
    readAt(client, multicall, reads, blockNumber, chunkSize, !pinned),
    deep === undefined ? undefined : readAt(client, multicall, reads, deep, chunkSize, false),
  ])
  return toBalances(reads, Number(blockNumber), now, then)
}
