/**
 * Bitcoin transfers of many addresses over a block range, read block by block: for each height
 * its hash (`/block-height/:h`), its header (`/block/:hash`, for the transaction count) and its
 * transactions with their inputs' previous outputs, {@link BLOCK_TXS_PAGE} a request
 * (`/block/:hash/txs/:start`). So a block costs 2 + ⌈transactions / 25⌉ requests whatever the
 * number of addresses (a deposit watcher's 100,000 cost the same as one), at most
 * {@link SCAN_CONCURRENCY} at once.
 *
 * A transfer is one output of a transaction:
 * - `index` is the output's index in its transaction (`vout`), so `hash` + `index` name it
 *   uniquely and stably (the same in whatever block the transaction lands). Transfers come oldest
 *   first: by block, then the transaction's position in the block, then `index`.
 * - listed when it pays an asked address (incoming), or when an input of the transaction spends
 *   from an asked address (outgoing) — except change: an output paying back an address that one
 *   of the transaction's own inputs spends from is not a transfer (so a payment to yourself and a
 *   sweep's change are not deposits). An outgoing output with no address (bare multisig, …) is
 *   listed with `to` ''; zero-value outputs (OP_RETURN) are not listed.
 * - `from`: the first asked address among the inputs, when one spends; else the first input's
 *   address; '' for a coinbase (or an input whose script has no address).
 * - addresses are compared and reported in canonical form: bech32 / bech32m lower-cased,
 *   base58 as written.
 *
 * `complete`: true when no asked address spent in the range — every satoshi that arrived is an
 * output listed. False when one did: the fee it paid and the change it kept are not transfers,
 * so the listed amounts do not add up to its balance change (re-read it).
 *
 * Ranges above {@link MAX_SCAN_BLOCKS} blocks are refused. Each page is checked against the block
 * asked for (its transactions confirmed in that block, at that height, as many as the header
 * counts, none twice): a block replaced during the scan ends it with a DataIntegrityError.
 * @module
 * @internal
 */
import { assertInteger, assertOptions } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { DataIntegrityError, InvalidAddressError, InvalidArgumentError, NotSupportedError, UnknownAssetError } from '../../core/errors.js'
import { isValidBitcoinAddress, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { ChainTransfer, GetTransfersParameters, TransferScan } from '../adapter.js'
import type { Call } from './call.js'
import { BLOCK_TXS_PAGE, rpc, type BackendTx } from './client.js'

/** The longest block range one scan covers. */
const MAX_SCAN_BLOCKS = 1_000
/** Scan requests in flight at most (the Esplora client has its own, wider cap). */
const SCAN_CONCURRENCY = 4

/** A checked `getTransfers` query. */
export interface TransferQuery {
  /** Canonical forms of the asked addresses. */
  readonly addresses: ReadonlySet<string>
  readonly fromBlock: number
  readonly toBlock: number
  /** False when no asset of this chain is asked (an empty `assets`): nothing to read. */
  readonly native: boolean
}

/** An address in the form transfers are matched and reported in: bech32 / bech32m lower-cased, base58 as is. */
function canonicalBitcoinAddress(address: string): string {
  return /^(bc|tb|bcrt)1/i.test(address) ? address.toLowerCase() : address
}

/**
 * `getTransfers` parameters, checked before any request.
 * @throws InvalidArgumentError (range, shapes), InvalidAddressError (an address of another network, or an account), UnknownAssetError
 */
export function checkTransferQuery(parameters: GetTransfersParameters, nativeAsset: AssetId, network: BitcoinNetwork): TransferQuery {
  const { addresses, assets, fromBlock, toBlock } = assertOptions(parameters)
  const from = assertInteger(fromBlock, 'fromBlock', 0, Number.MAX_SAFE_INTEGER)
  const to = assertInteger(toBlock, 'toBlock', from, Number.MAX_SAFE_INTEGER)
  if (to - from + 1 > MAX_SCAN_BLOCKS)
    throw new InvalidArgumentError(`A transfer scan covers at most ${MAX_SCAN_BLOCKS} blocks; split the range.`, {
      details: { fromBlock: from, toBlock: to },
    })
  if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of Bitcoin addresses.')
  if (assets !== undefined && (!Array.isArray(assets) || assets.some((a) => a !== nativeAsset)))
    throw new UnknownAssetError(`This Bitcoin adapter only knows ${nativeAsset}.`)
  const set = new Set<string>()
  addresses.forEach((a: unknown, i) => {
    if (typeof a !== 'string' || !isValidBitcoinAddress(a, network))
      throw new InvalidAddressError(
        `addresses[${i}] is not a ${network} Bitcoin address (a transfer scan takes addresses; list an account's addresses instead).`,
      )
    set.add(canonicalBitcoinAddress(a))
  })
  return { addresses: set, fromBlock: from, toBlock: to, native: assets === undefined || assets.length > 0 }
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

interface BlockToRead {
  readonly height: number
  readonly hash: string
  readonly txCount: number
}

/** Hash and transaction count of the block at `height`, checked against each other. */
async function readBlock(call: Call, height: number): Promise<BlockToRead> {
  const hash = await rpc(`Reading block ${height}`, () => call.backend.blockHash(height))
  const header = await rpc(`Reading block ${height}`, () => call.backend.block(hash))
  if (header.hash !== hash || header.height !== height)
    throw new DataIntegrityError(`The backend answered block ${height} (${hash}) with block ${header.height} (${header.hash}).`, {
      details: { expected: hash, got: header.hash },
    })
  if (!Number.isSafeInteger(header.txCount) || header.txCount! < 0)
    throw new NotSupportedError('The backend does not say how many transactions a block holds; it cannot scan transfers.')
  return { height, hash, txCount: header.txCount! }
}

/** One page of a block's transactions, checked to belong to it. */
async function readPage(call: Call, block: BlockToRead, start: number): Promise<BackendTx[]> {
  const read = call.backend.blockTransactions!
  const page = await rpc(`Reading the transactions of block ${block.height}`, () => read(block.hash, start))
  const want = Math.min(BLOCK_TXS_PAGE, block.txCount - start)
  const foreign = page.find((tx) => !tx.confirmed || tx.blockHash !== block.hash || (tx.height !== undefined && tx.height !== block.height))
  if (page.length !== want || foreign)
    throw new DataIntegrityError(
      `Block ${block.height} (${block.hash}) changed during the transfer scan or the backend misreports it; scan again.`,
      { details: { expected: block.hash, got: foreign?.blockHash ?? `${page.length} transactions from ${start}` } },
    )
  return page
}

/** The transfers of one transaction touching `asked` (see the module doc); `spent` tells whether an asked address paid. */
function transfersOf(
  tx: BackendTx,
  asked: ReadonlySet<string>,
  block: BlockToRead,
  chainId: ChainId,
  asset: AssetId,
): { transfers: ChainTransfer[]; spent: boolean } {
  const senders = tx.inputs.flatMap((i) => (i.address ? [canonicalBitcoinAddress(i.address)] : []))
  const sending = new Set(senders)
  const payer = senders.find((a) => asked.has(a))
  const first = tx.inputs[0]?.address
  const from = payer ?? (first ? canonicalBitcoinAddress(first) : '')
  const transfers: ChainTransfer[] = []
  tx.outputs.forEach((output, index) => {
    const to = output.address ? canonicalBitcoinAddress(output.address) : ''
    if (output.value <= 0n || (to !== '' && sending.has(to))) return
    if (payer === undefined && !asked.has(to)) return
    transfers.push({
      chainId,
      hash: tx.txid,
      asset,
      from,
      to,
      amount: output.value,
      blockHeight: block.height,
      blockHash: block.hash,
      index,
    })
  })
  return { transfers, spent: payer !== undefined }
}

/**
 * Transfers touching the query's addresses in its block range, oldest first (see the module doc).
 * @throws NotSupportedError (a backend without block transaction lists), RpcError, DataIntegrityError
 */
export async function scanTransfers(call: Call, query: TransferQuery, chainId: ChainId, asset: AssetId): Promise<TransferScan> {
  if (!query.native || query.addresses.size === 0) return { transfers: [], complete: true }
  if (typeof call.backend.blockTransactions !== 'function')
    throw new NotSupportedError('This Bitcoin backend cannot list the transactions of a block; it cannot scan transfers.')
  const heights = Array.from({ length: query.toBlock - query.fromBlock + 1 }, (_, i) => query.fromBlock + i)
  const blocks = await mapLimited(heights, SCAN_CONCURRENCY, (h) => readBlock(call, h))
  const pages = blocks.flatMap((block) =>
    Array.from({ length: Math.ceil(block.txCount / BLOCK_TXS_PAGE) }, (_, p) => ({ block, start: p * BLOCK_TXS_PAGE })),
  )
  const read = await mapLimited(pages, SCAN_CONCURRENCY, ({ block, start }) => readPage(call, block, start))
  const transfers: ChainTransfer[] = []
  let complete = true
  // Within a block, not across: two historic mainnet coinbases share a txid (BIP-30).
  const seen = new Set<string>()
  // Pages are in block order and each block's pages in position order: the result is oldest first.
  read.forEach((page, p) => {
    const block = pages[p]!.block
    for (const tx of page) {
      const key = `${block.hash}:${tx.txid}`
      if (seen.has(key))
        throw new DataIntegrityError(`The backend lists transaction ${tx.txid} twice in block ${block.height}.`, {
          details: { hash: tx.txid, expected: block.hash },
        })
      seen.add(key)
      const found = transfersOf(tx, query.addresses, block, chainId, asset)
      transfers.push(...found.transfers)
      if (found.spent) complete = false
    }
  })
  return { transfers, complete }
}
