/**
 * What the Tron reads share: TronGrid's `/v1` paging (`limit` ≤ 200, `meta.fingerprint` for the
 * next page), the shapes of its transaction lists, addresses in either form, and a small
 * concurrency limit.
 *
 * A malformed answer is an `RpcError` (the server said something unreadable); contradictions
 * (an item naming another address, a value that is not a decimal) are `DataIntegrityError`s,
 * raised by the callers or here where the shape itself says so.
 *
 * Numbers: java-tron writes int64 values (`amount`, `fee`, `balance`) as JSON numbers, which
 * JavaScript reads as doubles. Only safe integers are taken (up to 2^53 − 1 sun, about 9 billion
 * TRX); a larger number cannot be exact and is refused, never rounded. TRC-20 values are decimal
 * strings, read exactly.
 * @module
 * @internal
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { DataIntegrityError, RpcError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import { tronAddressFromPayload } from './address.js'
import type { TronCall } from './context.js'

/** TronGrid's largest `limit`. */
export const V1_MAX_LIMIT = 200
/** Requests one read runs at once. */
export const TRON_READ_CONCURRENCY = 8

const TXID = /^[0-9a-f]{64}$/
const FINGERPRINT = /^[A-Za-z0-9+/=_-]{1,250}$/
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/

/** A malformed answer of `path`. */
export function malformed(path: string, what: string): RpcError {
  return new RpcError(`${path}: the answer is malformed (${what}).`, { details: { method: path, reason: what } })
}

/** `value` as a plain object. @throws RpcError */
export function objectOf(value: unknown, path: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(path, `${what} is not an object`)
  return value as Record<string, unknown>
}

/** `value` as a non-negative safe integer; `fallback` when absent (java-tron omits zeros). @throws RpcError */
function intOf(value: unknown, path: string, what: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw malformed(path, `${what} is not a non-negative safe integer`)
  return value
}

/** `value` as a decimal string of base units. @throws DataIntegrityError */
export function decimalOf(value: unknown, path: string, what: string): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw new DataIntegrityError(`${path}: ${what} is not a decimal amount (${JSON.stringify(String(value).slice(0, 40))}).`)
  return BigInt(value)
}

/** A base58 `T…` address of either form TronGrid writes (base58, or `41…` hex); undefined otherwise. */
export function base58Of(value: unknown): string | undefined {
  if (isValidTronAddress(value)) return value as string
  if (typeof value === 'string' && /^41[0-9a-fA-F]{40}$/.test(value)) return tronAddressFromPayload(hexToBytes(value.toLowerCase()))
  return undefined
}

/** `value` as an address of either form. @throws RpcError */
function addressOf(value: unknown, path: string, what: string): string {
  const address = base58Of(value)
  if (address === undefined) throw malformed(path, `${what} is not a TRON address`)
  return address
}

/** `value` as a txID. @throws RpcError */
function txIdOf(value: unknown, path: string): string {
  if (typeof value !== 'string' || !TXID.test(value)) throw malformed(path, 'a txID is not 64 hex digits')
  return value
}

/** One page of a `/v1` list. */
export interface V1Page {
  readonly data: readonly unknown[]
  /** The fingerprint of the next page; absent on the last one. */
  readonly next?: string
}

/** A query string of `params` (undefined ones left out), each value URL-encoded. */
function queryOf(params: Readonly<Record<string, string | number | undefined>>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

/** True for a fingerprint TronGrid could have written (base64-like, at most 250 characters, so a request path stays under the client's 500) that a cursor may carry. */
export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT.test(value)
}

/**
 * GET a `/v1` list: `{ success: true, data: [...], meta: { fingerprint? } }`.
 * @throws RpcError
 */
export async function v1Page(call: TronCall, path: string, params: Readonly<Record<string, string | number | undefined>>): Promise<V1Page> {
  const answer = objectOf(await call.client.get<unknown>(`${path}${queryOf(params)}`, { signal: call.signal }), path, 'the answer')
  if (answer.success !== true) throw malformed(path, 'success is not true')
  if (!Array.isArray(answer.data)) throw malformed(path, 'data is not an array')
  const meta = answer.meta === undefined ? {} : objectOf(answer.meta, path, 'meta')
  if (meta.fingerprint === undefined || meta.fingerprint === '') return { data: answer.data }
  if (!isFingerprint(meta.fingerprint)) throw malformed(path, 'meta.fingerprint is not a fingerprint')
  return { data: answer.data, next: meta.fingerprint }
}

/** One entry of `/v1/accounts/:address/transactions`. */
export interface TrxEntry {
  readonly txID: string
  readonly blockNumber: number
  /** ms since the epoch. */
  readonly timestamp: number
  /** `ret[0].contractRet` is SUCCESS. */
  readonly success: boolean
  /** `ret[0].fee`: every sun the transaction cost its owner. */
  readonly fee: bigint
  /** The signer (owner_address of the first contract), when readable. */
  readonly owner?: string
  /** A TransferContract's movement; absent for other contract types. */
  readonly transfer?: { readonly from: string; readonly to: string; readonly amount: bigint }
}

/** An entry of the TRX list. @throws RpcError */
export function parseTrxEntry(raw: unknown, path: string): TrxEntry {
  const o = objectOf(raw, path, 'a transaction')
  const txID = txIdOf(o.txID, path)
  const ret = Array.isArray(o.ret) && o.ret.length > 0 ? objectOf(o.ret[0], path, 'ret[0]') : {}
  const contractRet = ret.contractRet ?? 'SUCCESS'
  if (typeof contractRet !== 'string') throw malformed(path, `${txID}: ret[0].contractRet is not a string`)
  const rawData = objectOf(o.raw_data, path, `${txID}: raw_data`)
  const contracts = rawData.contract
  if (!Array.isArray(contracts) || contracts.length === 0) throw malformed(path, `${txID}: raw_data.contract is empty`)
  const contract = objectOf(contracts[0], path, `${txID}: the contract`)
  const value = objectOf(objectOf(contract.parameter, path, `${txID}: the parameter`).value, path, `${txID}: the parameter value`)
  const owner = base58Of(value.owner_address)
  const entry = {
    txID,
    blockNumber: intOf(o.blockNumber, path, `${txID}: blockNumber`),
    timestamp: intOf(o.block_timestamp, path, `${txID}: block_timestamp`),
    success: contractRet === 'SUCCESS',
    fee: BigInt(intOf(ret.fee, path, `${txID}: ret[0].fee`, 0)),
    ...(owner === undefined ? {} : { owner }),
  }
  if (contract.type !== 'TransferContract') return entry
  return {
    ...entry,
    transfer: {
      from: addressOf(value.owner_address, path, `${txID}: owner_address`),
      to: addressOf(value.to_address, path, `${txID}: to_address`),
      amount: BigInt(intOf(value.amount, path, `${txID}: amount`)),
    },
  }
}

/** One entry of `/v1/accounts/:address/transactions/trc20`: an event of the token. */
export interface Trc20Entry {
  /** `Transfer`, or another event TronGrid lists (`Approval`), which moves nothing. */
  readonly event: string
  readonly txID: string
  /** ms since the epoch. */
  readonly timestamp: number
  readonly contract: string
  readonly from: string
  readonly to: string
  readonly value: bigint
}

/**
 * An entry of the TRC-20 list of `contract`.
 * @throws RpcError, DataIntegrityError (a value that is not a decimal, another contract than asked)
 */
export function parseTrc20Entry(raw: unknown, path: string, contract: string): Trc20Entry {
  const o = objectOf(raw, path, 'a TRC-20 transfer')
  const txID = txIdOf(o.transaction_id, path)
  const event = o.type ?? 'Transfer'
  if (typeof event !== 'string' || !/^[A-Za-z]{1,40}$/.test(event)) throw malformed(path, `${txID}: type is not an event name`)
  const token = addressOf(objectOf(o.token_info, path, `${txID}: token_info`).address, path, `${txID}: token_info.address`)
  if (token !== contract)
    throw new DataIntegrityError(`${path}: asked for transfers of ${contract}, the server listed one of ${token} (${txID}).`)
  return {
    event,
    txID,
    timestamp: intOf(o.block_timestamp, path, `${txID}: block_timestamp`),
    contract,
    from: addressOf(o.from, path, `${txID}: from`),
    to: addressOf(o.to, path, `${txID}: to`),
    value: decimalOf(o.value, path, `${txID}: value`),
  }
}

/** A contract log of a receipt. */
export interface TronLog {
  /** base58 of the contract that emitted it. */
  readonly address: string
  /** 64-hex words. */
  readonly topics: readonly string[]
  readonly data: string
}

/** What `/wallet/gettransactioninfobyid` says of a transaction that landed. */
export interface TronTxInfo {
  readonly blockNumber: number
  /** Every sun it cost. */
  readonly fee: bigint
  /** A contract call that did not end in SUCCESS (or `result: FAILED`). */
  readonly failed: boolean
  /** Its logs, in order: a log's position is its index in the transaction. */
  readonly logs: readonly TronLog[]
}

const WORD = /^[0-9a-fA-F]{64}$/

/**
 * The receipt of `txID`, or undefined when the node does not know it.
 * @throws RpcError, DataIntegrityError (a receipt of another transaction)
 */
export async function readTronTxInfo(call: TronCall, txID: string): Promise<TronTxInfo | undefined> {
  const path = '/wallet/gettransactioninfobyid'
  const o = objectOf(await call.client.post<unknown>(path, { value: txID }, { signal: call.signal }), path, 'the answer')
  if (Object.keys(o).length === 0) return undefined
  if (o.id !== txID) throw new DataIntegrityError(`${path}: asked for ${txID}, the node answered ${String(o.id).slice(0, 64)}.`)
  const receipt = o.receipt === undefined ? {} : objectOf(o.receipt, path, `${txID}: receipt`)
  if (receipt.result !== undefined && typeof receipt.result !== 'string') throw malformed(path, `${txID}: receipt.result is not a string`)
  const rawLogs = o.log ?? []
  if (!Array.isArray(rawLogs)) throw malformed(path, `${txID}: log is not an array`)
  const logs = rawLogs.map((raw, i): TronLog => {
    const l = objectOf(raw, path, `${txID}: log[${i}]`)
    const hex = typeof l.address === 'string' && /^[0-9a-fA-F]{40}$/.test(l.address) ? `41${l.address}` : l.address
    const topics = l.topics ?? []
    const data = l.data ?? ''
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string' && WORD.test(t)))
      throw malformed(path, `${txID}: log[${i}].topics are not 64-hex words`)
    if (typeof data !== 'string' || !/^([0-9a-fA-F]{2}){0,100000}$/.test(data)) throw malformed(path, `${txID}: log[${i}].data is not hex`)
    return {
      address: addressOf(hex, path, `${txID}: log[${i}].address`),
      topics: topics.map((t: string) => t.toLowerCase()),
      data: data.toLowerCase(),
    }
  })
  return {
    blockNumber: intOf(o.blockNumber, path, `${txID}: blockNumber`),
    fee: BigInt(intOf(o.fee, path, `${txID}: fee`, 0)),
    failed: (receipt.result !== undefined && receipt.result !== 'SUCCESS') || o.result === 'FAILED',
    logs,
  }
}

/** `fn` of every item, at most `limit` at once, results in order; the first error wins. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
