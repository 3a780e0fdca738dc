/**
 * Building a TRON transfer locally: a `Transaction.raw` holding one TransferContract (TRX) or one
 * TriggerSmartContract calling `transfer(to, amount)` on a TRC-20, encoded by ./protobuf.ts. The
 * node's builders (`createtransaction`, `triggersmartcontract`) are never used: only two
 * blocks are read from it, and everything it could lie about there is checked by the chain
 * itself (a wrong TaPoS is refused with TAPOS_ERROR, never signed into a different payment).
 *
 * TaPoS (java-tron's `TransactionCapsule.setReference` / `Manager.validateTapos`): the reference
 * block is the latest SOLIDIFIED block (`/walletsolidity/getnowblock`), not the head. A
 * transaction names its reference block by 2 bytes of its number (bytes 6..8 of the 8-byte
 * height, which is also the start of the block id) and 8 bytes of its id (bytes 8..16); if
 * that block is forked away the transaction can never land (TAPOS_ERROR), and a head block
 * can be forked away, a solidified one (confirmed by 2/3 of the super representatives)
 * cannot. Any block among the last 65,536 works as a reference, so the ~1 minute a solidified
 * block lags the head costs nothing. When the solidity API is unavailable the head is used.
 *
 * Expiration is measured, as java-tron measures it (`Manager.validateCommon`: after the head
 * block's time and at most 24 h after it), against the HEAD block's timestamp:
 * `head.timestamp + expirationMs` (default 60 s as TronWeb; at most 24 h − 5 min). Basing it on
 * the solidified block would leave a 60 s lifetime only ~3 s past the head. `timestamp`
 * (informational; java-tron does not check it) is the head block's time too, not the builder's
 * clock: the chain's clock on both fields keeps the signer's bound (expiration at most 24 h after
 * `timestamp`, ./signing.ts) true however wrong the builder's clock is.
 * @module
 * @internal
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { ChainId } from '../../core/caip.js'
import { InvalidArgumentError, RpcError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import type { UnsignedTransaction } from '../adapter.js'
import { encodeTrc20Transfer } from './abi.js'
import { tronAddressToBytes } from './address.js'
import type { TronClient } from './client.js'
import { trc20AssetId, trxAssetId } from './networks.js'
import { encodeRawTransaction, tronTxId, type TronContract } from './protobuf.js'

/** The format tag of a TRON transfer coffer builds. */
export const TRON_TX_KIND = 'tron-v1'
/** Default lifetime: 60 s after the head block (TronWeb's default). */
const DEFAULT_EXPIRATION_MS = 60_000
/** java-tron refuses an expiration more than 24 h after the head block; 5 minutes are kept for the way to the node. */
const MAX_EXPIRATION_MS = 24 * 3_600_000 - 5 * 60_000
/** The longest memo, in UTF-8 bytes (a memo is paid as bandwidth and public forever). */
const MAX_MEMO_BYTES = 512
const MAX_I64 = 2n ** 63n - 1n

/** What to build. */
export interface TronTransferPlan {
  readonly from: string
  readonly to: string
  readonly kind: 'trx' | 'trc20'
  /** The TRC-20 contract (base58), for `kind: 'trc20'`. */
  readonly contract?: string
  /** Sun (TRX) or the token's base units. */
  readonly amount: bigint
  /** The most TRX (sun) the call may burn for energy: required for TRC-20, absent for TRX. */
  readonly feeLimit?: bigint
  /** The most the transaction can cost in sun (the quote's word): the summary's `fee`, at least `feeLimit`. */
  readonly maxFee: bigint
  /** A public note (the transaction's `data`), UTF-8. */
  readonly memo?: string
}

/** Options of {@link buildTronTransaction}. */
export interface BuildTronOptions {
  readonly chainId: ChainId
  readonly signal?: AbortSignal
  /** Lifetime after the head block's time, ms: default 60,000, at most {@link MAX_EXPIRATION_MS}. */
  readonly expirationMs?: number
}

/** A block as java-tron prints it, reduced to what TaPoS needs. */
interface TronBlockRef {
  readonly number: number
  readonly id: string
  readonly timestamp: number
}

function invalid(message: string, details: Record<string, string | number> = {}): never {
  throw new InvalidArgumentError(message, { details })
}

function blockOf(answer: unknown, path: string): TronBlockRef {
  const a = answer as { blockID?: unknown; block_header?: { raw_data?: { number?: unknown; timestamp?: unknown } } } | null
  const id = a?.blockID
  const number = a?.block_header?.raw_data?.number ?? 0
  const timestamp = a?.block_header?.raw_data?.timestamp
  const ok =
    typeof id === 'string' &&
    /^[0-9a-f]{64}$/.test(id) &&
    Number.isSafeInteger(number) &&
    (number as number) >= 0 &&
    // A block id starts with the block's 8-byte number (BlockCapsule.BlockId).
    parseInt(id.slice(0, 16), 16) === number &&
    Number.isSafeInteger(timestamp) &&
    (timestamp as number) > 0
  if (!ok) throw new RpcError(`${path}: the answer is not a block (blockID, number, timestamp).`, { details: { method: path } })
  return { id: id as string, number: number as number, timestamp: timestamp as number }
}

function u64(value: unknown, name: string, min = 0n): bigint {
  if (typeof value !== 'bigint' || value < min || value > MAX_I64)
    invalid(`plan.${name} must be a bigint from ${min} to 2^63-1.`, { field: name })
  return value
}

/**
 * The unsigned transfer of `plan` (kind `tron-v1`), its TaPoS taken from the solidified block.
 * @throws InvalidArgumentError (the plan); RpcError (no block could be read)
 */
export async function buildTronTransaction(
  client: TronClient,
  plan: TronTransferPlan,
  options: BuildTronOptions,
): Promise<UnsignedTransaction> {
  if (plan === null || typeof plan !== 'object') invalid('plan must be an object.')
  const { chainId, signal } = options
  const expirationMs = options.expirationMs ?? DEFAULT_EXPIRATION_MS
  if (!Number.isSafeInteger(expirationMs) || expirationMs < 3_000 || expirationMs > MAX_EXPIRATION_MS)
    invalid(`expirationMs must be an integer from 3,000 to ${MAX_EXPIRATION_MS}.`)
  if (!isValidTronAddress(plan.from)) invalid('plan.from is not a TRON address.', { field: 'from' })
  if (!isValidTronAddress(plan.to)) invalid('plan.to is not a TRON address.', { field: 'to' })
  if (plan.to === plan.from) invalid('plan.to is the sender itself.', { field: 'to' })
  const amount = u64(plan.amount, 'amount', 1n)
  const maxFee = u64(plan.maxFee, 'maxFee')
  const memo = plan.memo === undefined ? new Uint8Array() : new TextEncoder().encode(plan.memo)
  if (plan.memo !== undefined && (typeof plan.memo !== 'string' || memo.length === 0 || memo.length > MAX_MEMO_BYTES))
    invalid(`plan.memo must be a non-empty string of at most ${MAX_MEMO_BYTES} UTF-8 bytes.`, { field: 'memo' })
  const owner = tronAddressToBytes(plan.from)
  let contract: TronContract
  let feeLimit = 0n
  let asset
  if (plan.kind === 'trx') {
    if (plan.contract !== undefined) invalid('plan.contract is for TRC-20 transfers only.', { field: 'contract' })
    if (plan.feeLimit !== undefined && plan.feeLimit !== 0n)
      invalid('A TRX transfer burns no energy: leave plan.feeLimit out.', { field: 'feeLimit' })
    asset = trxAssetId(chainId)
    contract = {
      type: 'TransferContract',
      permissionId: 0,
      parameter: { ownerAddress: owner, toAddress: tronAddressToBytes(plan.to), amount },
    }
  } else if (plan.kind === 'trc20') {
    if (!isValidTronAddress(plan.contract)) invalid('plan.contract must be the TRC-20 contract (base58).', { field: 'contract' })
    if (plan.contract === plan.from || plan.contract === plan.to)
      invalid('plan.contract is the sender or the recipient.', { field: 'contract' })
    if (plan.feeLimit === undefined)
      invalid('A TRC-20 transfer needs plan.feeLimit (the most TRX it may burn for energy).', { field: 'feeLimit' })
    feeLimit = u64(plan.feeLimit, 'feeLimit', 1n)
    asset = trc20AssetId(chainId, plan.contract!)
    contract = {
      type: 'TriggerSmartContract',
      permissionId: 0,
      parameter: {
        ownerAddress: owner,
        contractAddress: tronAddressToBytes(plan.contract!),
        callValue: 0n,
        data: encodeTrc20Transfer(plan.to, amount),
        callTokenValue: 0n,
        tokenId: 0n,
      },
    }
  } else invalid("plan.kind must be 'trx' or 'trc20'.", { field: 'kind' })
  if (maxFee < feeLimit)
    invalid('plan.maxFee is below plan.feeLimit: the transaction could cost more than its summary says.', { field: 'maxFee' })

  const [head, solid] = await Promise.all([
    client.post('/wallet/getnowblock', {}, { signal }).then((a) => blockOf(a, '/wallet/getnowblock')),
    client
      .post('/walletsolidity/getnowblock', {}, { signal })
      .then((a) => blockOf(a, '/walletsolidity/getnowblock'))
      .catch((error: unknown) => {
        if (signal?.aborted) throw signal.reason
        if (error instanceof RpcError) return undefined // no solidity API here: the head will do
        throw error
      }),
  ])
  const ref = solid !== undefined && solid.number <= head.number ? solid : head
  const idBytes = hexToBytes(ref.id)
  const raw = {
    refBlockBytes: idBytes.slice(6, 8),
    refBlockNum: 0n,
    refBlockHash: idBytes.slice(8, 16),
    expiration: BigInt(head.timestamp + expirationMs),
    data: memo,
    contract,
    timestamp: BigInt(head.timestamp),
    feeLimit,
  }
  const bytes = encodeRawTransaction(raw)
  return {
    chainId,
    kind: TRON_TX_KIND,
    from: plan.from,
    summary: { to: plan.to, asset, amount: amount.toString(), fee: maxFee.toString() },
    payload: {
      raw: bytesToHex(bytes),
      txID: tronTxId(bytes),
      expiration: head.timestamp + expirationMs,
      refBlock: { number: ref.number, id: ref.id, solidified: ref === solid },
      feeLimit: feeLimit.toString(),
      ...(plan.kind === 'trc20' ? { contract: plan.contract! } : {}),
      ...(plan.memo === undefined ? {} : { memo: plan.memo }),
    },
  }
}
