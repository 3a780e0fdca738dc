/**
 * Transfers of many owners over a block range. TronGrid's account lists filter by block time, not
 * number, so the range's first and last blocks are read (`/wallet/getblockbynum`) and their times
 * bound the queries (`min_block_timestamp`/`max_block_timestamp`, inclusive; Tron block times are
 * strictly increasing, one block every 3 s, so the times name exactly the blocks of the range).
 * For each owner: `/v1/accounts/:address/transactions` when TRX is asked and
 * `/v1/accounts/:address/transactions/trc20?contract_address=…` per asked token, paged with
 * TronGrid's fingerprints (200 a page), {@link TRON_READ_CONCURRENCY} lists at once.
 *
 * - TRX: the successful TransferContracts; `blockHeight` is the list's `blockNumber`, `index` 0
 *   (a Tron transaction holds one contract).
 * - TRC-20: the list only tells which transactions moved the token. Each such transaction's
 *   receipt (`/wallet/gettransactioninfobyid`, one request per transaction) gives its block
 *   number and its logs; the transfers are the receipt's Transfer logs of the asked tokens with an
 *   owner on one side, `index` the log's position in the transaction. Every listed event must be
 *   among them (else `DataIntegrityError`). A failed transaction emits no Transfer log: it moved
 *   nothing and is not listed.
 * - `blockHash` from `/wallet/getblockbynum` per distinct block. Oldest first: by block, then by
 *   txID and index (TronGrid gives no position within a block). `hash` + `index` name a transfer
 *   once, even when two owners are its two sides.
 *
 * `complete`: false whenever TRX is asked — TRX also moves without a TransferContract (a
 * contract's internal transactions, `call_value` of a contract call, rewards, unfreezing), which
 * these lists do not show; true for tokens only, as on EVM chains: a token that changes balances
 * without a Transfer event (USDT's issue/redeem/destroyBlackFunds emit their own events) is
 * outside any event scan.
 *
 * Ranges above {@link MAX_SCAN_BLOCKS} blocks are refused; a list longer than {@link MAX_PAGES}
 * pages for one owner ends the scan with an RpcError (scan a shorter range).
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import { DataIntegrityError, InvalidArgumentError, RpcError } from '../../core/errors.js'
import type { BlockRef, ChainTransfer, TransferScan } from '../adapter.js'
import { checkAddress, tokensIn } from './validate.js'
import type { TronCall, TronToken } from './context.js'
import { readTronBlockAt } from './status.js'
import {
  base58Of,
  mapLimited,
  parseTrc20Entry,
  parseTrxEntry,
  readTronTxInfo,
  TRON_READ_CONCURRENCY,
  V1_MAX_LIMIT,
  v1Page,
  type Trc20Entry,
  type TronLog,
} from './v1.js'

/** The longest block range one scan covers. */
const MAX_SCAN_BLOCKS = 10_000
/** Pages of one list at most. */
const MAX_PAGES = 50
/** keccak256("Transfer(address,address,uint256)"). */
const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/** Every entry of one owner's list between the two times, oldest first. @throws RpcError, DataIntegrityError */
async function listRange(call: TronCall, address: string, token: TronToken | undefined, min: number, max: number): Promise<unknown[]> {
  const path = token ? `/v1/accounts/${address}/transactions/trc20` : `/v1/accounts/${address}/transactions`
  const out: unknown[] = []
  let fingerprint: string | undefined
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES)
      throw new RpcError(`${path}: more than ${MAX_PAGES * V1_MAX_LIMIT} entries in the range; scan a shorter range.`, {
        details: { method: path, reason: 'too many entries' },
      })
    const answer = await v1Page(call, path, {
      limit: V1_MAX_LIMIT,
      fingerprint,
      min_block_timestamp: min,
      max_block_timestamp: max,
      order_by: 'block_timestamp,asc',
      contract_address: token?.contract,
    })
    out.push(...answer.data)
    if (answer.next === undefined || answer.data.length === 0) return out
    fingerprint = answer.next
  }
}

/** The Transfer of a log, when it is one of `contracts`. */
function transferOfLog(
  log: TronLog,
  contracts: ReadonlyMap<string, AssetId>,
): { asset: AssetId; from: string; to: string; value: bigint } | undefined {
  const asset = contracts.get(log.address)
  if (asset === undefined || log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC || log.data.length !== 64) return undefined
  const from = base58Of(`41${log.topics[1]!.slice(24)}`)
  const to = base58Of(`41${log.topics[2]!.slice(24)}`)
  if (from === undefined || to === undefined) return undefined
  return { asset, from, to, value: BigInt(`0x${log.data}`) }
}

/**
 * Transfers of `query.assets` touching `query.addresses` in `[fromBlock, toBlock]`, oldest first
 * (see the module doc).
 * @throws InvalidAddressError, InvalidArgumentError (a range above 10,000 blocks), UnknownAssetError
 *   — before any request; InvalidArgumentError (a block above the head); RpcError; DataIntegrityError
 */
export async function scanTronTransfers(
  call: TronCall,
  query: { addresses: readonly string[]; assets: readonly AssetId[]; fromBlock: number; toBlock: number },
): Promise<TransferScan> {
  const { fromBlock, toBlock } = query
  if (!Number.isSafeInteger(fromBlock) || !Number.isSafeInteger(toBlock) || fromBlock < 0 || toBlock < fromBlock)
    throw new InvalidArgumentError('fromBlock and toBlock must be block numbers with 0 ≤ fromBlock ≤ toBlock.')
  if (toBlock - fromBlock + 1 > MAX_SCAN_BLOCKS)
    throw new InvalidArgumentError(`A transfer scan covers at most ${MAX_SCAN_BLOCKS} blocks; split the range.`, {
      details: { fromBlock, toBlock },
    })
  query.addresses.forEach((address, i) => checkAddress(address, `addresses[${i}]`))
  const assets = [...new Set(query.assets)]
  const tokens = tokensIn(call, assets)
  const native = assets.includes(call.nativeAsset)
  const owners = new Set(query.addresses)
  if (owners.size === 0 || assets.length === 0) return { transfers: [], complete: true }

  const [first, last] = await Promise.all([
    readTronBlockAt(call.client, fromBlock, call.signal),
    readTronBlockAt(call.client, toBlock, call.signal),
  ])
  if (!first || !last)
    throw new InvalidArgumentError(`Block ${!first ? fromBlock : toBlock} is above the node's head.`, { details: { fromBlock, toBlock } })
  const blocks = new Map<number, BlockRef>([
    [first.height, first],
    [last.height, last],
  ])
  const inRange = (ts: number) => ts >= first.timestamp && ts <= last.timestamp
  const jobs: { address: string; token?: TronToken }[] = [...owners].flatMap((address) => [
    ...(native ? [{ address }] : []),
    ...tokens.map((token) => ({ address, token })),
  ])
  const lists = await mapLimited(jobs, TRON_READ_CONCURRENCY, (job) =>
    listRange(call, job.address, job.token, first.timestamp, last.timestamp),
  )

  const found = new Map<string, Omit<ChainTransfer, 'blockHash'>>()
  const listed = new Map<string, Trc20Entry[]>()
  jobs.forEach((job, j) => {
    const path = job.token ? `/v1/accounts/${job.address}/transactions/trc20` : `/v1/accounts/${job.address}/transactions`
    for (const raw of lists[j]!) {
      const entry = job.token ? parseTrc20Entry(raw, path, job.token.contract) : parseTrxEntry(raw, path)
      if (!inRange(entry.timestamp))
        throw new DataIntegrityError(`${path}: ${entry.txID} is dated ${entry.timestamp}, outside blocks ${fromBlock}–${toBlock}.`, {
          details: { hash: entry.txID },
        })
      const move = 'event' in entry ? (entry.event === 'Transfer' ? entry : undefined) : entry.transfer
      if (!move) continue
      if (move.from !== job.address && move.to !== job.address)
        throw new DataIntegrityError(`${path}: ${entry.txID} is listed for ${job.address}, but moves from ${move.from} to ${move.to}.`, {
          details: { hash: entry.txID },
        })
      if ('event' in entry) {
        listed.set(entry.txID, [...(listed.get(entry.txID) ?? []), entry])
        continue
      }
      if (!entry.success || !entry.transfer) continue
      if (entry.blockNumber < fromBlock || entry.blockNumber > toBlock)
        throw new DataIntegrityError(
          `${path}: ${entry.txID} is in block ${entry.blockNumber}, dated inside blocks ${fromBlock}–${toBlock}.`,
          {
            details: { hash: entry.txID },
          },
        )
      const { from, to, amount } = entry.transfer
      found.set(`${entry.txID}:0`, {
        chainId: call.chainId,
        hash: entry.txID,
        asset: call.nativeAsset,
        from,
        to,
        amount,
        blockHeight: entry.blockNumber,
        index: 0,
      })
    }
  })

  const contracts = new Map(tokens.map((t) => [t.contract, t.asset]))
  const txIDs = [...listed.keys()]
  const infos = await mapLimited(txIDs, TRON_READ_CONCURRENCY, (txID) => readTronTxInfo(call, txID))
  txIDs.forEach((txID, t) => {
    const info = infos[t]
    const where = '/wallet/gettransactioninfobyid'
    if (!info)
      throw new DataIntegrityError(`TronGrid lists TRC-20 transfers of ${txID}, but the node has no receipt of it.`, {
        details: { hash: txID },
      })
    if (info.failed) throw new DataIntegrityError(`TronGrid lists TRC-20 transfers of ${txID}, but it failed.`, { details: { hash: txID } })
    if (info.blockNumber < fromBlock || info.blockNumber > toBlock)
      throw new DataIntegrityError(
        `${where}: ${txID} is in block ${info.blockNumber}, TronGrid dates it inside blocks ${fromBlock}–${toBlock}.`,
        {
          details: { hash: txID },
        },
      )
    const moves = info.logs.map((log) => transferOfLog(log, contracts))
    for (const e of listed.get(txID)!)
      if (!moves.some((m) => m && m.asset === contracts.get(e.contract) && m.from === e.from && m.to === e.to && m.value === e.value))
        throw new DataIntegrityError(
          `${where}: the receipt of ${txID} has no Transfer of ${e.value} ${e.contract} from ${e.from} to ${e.to}, which TronGrid lists.`,
          {
            details: { hash: txID },
          },
        )
    moves.forEach((m, index) => {
      if (!m || (!owners.has(m.from) && !owners.has(m.to))) return
      found.set(`${txID}:${index}`, {
        chainId: call.chainId,
        hash: txID,
        asset: m.asset,
        from: m.from,
        to: m.to,
        amount: m.value,
        blockHeight: info.blockNumber,
        index,
      })
    })
  })

  const heights = [...new Set([...found.values()].map((f) => f.blockHeight))].filter((h) => !blocks.has(h))
  const refs = await mapLimited(heights, TRON_READ_CONCURRENCY, (h) => readTronBlockAt(call.client, h, call.signal))
  heights.forEach((h, i) => {
    const ref = refs[i]
    if (!ref) throw new DataIntegrityError(`Block ${h} holds transfers but the node does not have it.`)
    blocks.set(h, ref)
  })
  const transfers = [...found.values()]
    .map((f): ChainTransfer => ({ ...f, blockHash: blocks.get(f.blockHeight)!.hash }))
    .sort((a, b) => a.blockHeight - b.blockHeight || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.index - b.index))
  return { transfers, complete: !native }
}
