/**
 * Boundary checks of the EVM adapter's calls (design idea 4): each argument is checked here, in
 * the order the call reads it, before any key is touched or any request is sent.
 * @module
 * @internal
 */
import { getAddress, isAddress, keccak256, parseTransaction, recoverTransactionAddress, type Hex } from 'viem'
import { assertInteger, assertOneOf, assertOptions, describe, isIntegerIn } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import { ChainMismatchError, InvalidAddressError, InvalidArgumentError } from '../../core/errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'
import {
  FEE_LEVELS,
  type FeeLevel,
  type SendTransferOptions,
  type SignedTransaction,
  type TransferQuote,
  type TransferRequest,
} from '../adapter.js'
import { refuseExtras } from '../request-extras.js'
import type { EvmChain } from './networks.js'

/** Block ranges of `history.chunkBlocks` one `getTransfers` call may batch together. */
const MAX_SCAN_CHUNKS = 100

const HASH = /^0x[0-9a-fA-F]{64}$/

/** Checks a transaction hash. @throws InvalidArgumentError */
export function checkHash(hash: unknown): `0x${string}` {
  if (typeof hash !== 'string' || !HASH.test(hash)) throw new InvalidArgumentError('A transaction hash is 0x followed by 64 hex digits.')
  return hash as `0x${string}`
}

/** How many checked addresses {@link checkAddress} remembers (viem's address caches hold as many). */
const CHECKED_CACHE_SIZE = 8_192

/**
 * Addresses already checked, exactly as given → their checksummed form. Only valid input is
 * ever stored, so a hit is as good as the check (the key is the whole string: another casing
 * of a remembered address is a miss and is checked afresh). Full: the oldest entry goes.
 */
const checked = new Map<string, `0x${string}`>()

/** Remembers that `value` checked out as `address`, evicting the oldest entry when full. */
function remember(value: string, address: `0x${string}`): `0x${string}` {
  if (checked.size >= CHECKED_CACHE_SIZE) checked.delete(checked.keys().next().value as string)
  checked.set(value, address)
  return address
}

/**
 * A checksummed address; mixed case must carry a correct EIP-55 checksum. Repeated calls on the
 * same string cost a Map lookup (the EIP-55 check hashes every mixed-case address).
 * @throws InvalidAddressError
 */
export function checkAddress(value: unknown, name: string): `0x${string}` {
  if (typeof value === 'string') {
    const hit = checked.get(value)
    if (hit !== undefined) return hit
  }
  if (typeof value !== 'string' || !isValidEvmAddress(value)) {
    throw new InvalidAddressError(
      `${name} is not a valid EVM address${typeof value === 'string' && isAddress(value, { strict: false }) ? ' (its EIP-55 checksum is wrong)' : ''}: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 50)) : describe(value)}.`,
    )
  }
  return remember(value, getAddress(value))
}

/** An integer option in 1..max, or `fallback` when absent. @throws InvalidArgumentError */
export function positiveInt(value: unknown, name: string, fallback: number, max = 1e9): number {
  if (value === undefined) return fallback
  if (!isIntegerIn(value, 1, max)) throw new InvalidArgumentError(`${name} must be a positive integer.`)
  return value
}

/** A uint256 token value. @throws InvalidArgumentError */
export function checkValue(value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 2n ** 256n)
    throw new InvalidArgumentError('value must be a non-negative bigint of base units.')
  return value
}

/** An array of addresses, each checksummed. @throws InvalidArgumentError, InvalidAddressError */
export function checkAddresses(addresses: unknown): `0x${string}`[] {
  if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
  return addresses.map((a, i) => checkAddress(a, `addresses[${i}]`))
}

/** An address in lower case, the form it carries no checksum in. */
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/

/**
 * Addresses to match against (a transfer scan): lower-cased. An all-lower-case address is taken
 * as is (it carries no checksum to check: no keccak per address, which dominated a scan of
 * 25,000 watched addresses); mixed case must carry a correct EIP-55 checksum, as everywhere.
 * @throws InvalidArgumentError, InvalidAddressError
 */
export function checkMatchAddresses(addresses: unknown): `0x${string}`[] {
  if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses must be an array of EVM addresses.')
  return addresses.map((a: unknown, i) =>
    typeof a === 'string' && LOWER_ADDRESS.test(a)
      ? (a as `0x${string}`)
      : (checkAddress(a, `addresses[${i}]`).toLowerCase() as `0x${string}`),
  )
}

/** A block range of at most {@link MAX_SCAN_CHUNKS} × `chunkBlocks` blocks. @throws InvalidArgumentError */
export function checkScanRange(fromBlock: unknown, toBlock: unknown, chunkBlocks: number): { from: number; to: number } {
  const from = assertInteger(fromBlock, 'fromBlock', 0, Number.MAX_SAFE_INTEGER)
  const to = assertInteger(toBlock, 'toBlock', from, Number.MAX_SAFE_INTEGER)
  const most = chunkBlocks * MAX_SCAN_CHUNKS
  if (to - from >= most)
    throw new InvalidArgumentError(
      `A transfer scan covers at most ${most} blocks (${MAX_SCAN_CHUNKS} × history.chunkBlocks); split the range.`,
    )
  return { from, to }
}

/** The `rpcUrls` option: one or more http(s) URLs; and the `fetch` option, a function if given. @throws InvalidArgumentError */
export function checkTransport(rpcUrls: unknown, fetchFn: unknown): string[] {
  const urls = typeof rpcUrls === 'string' ? [rpcUrls] : rpcUrls
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^https?:\/\/\S+$/.test(u))) {
    throw new InvalidArgumentError('rpcUrls must be one or more http(s) URLs.')
  }
  if (fetchFn !== undefined && typeof fetchFn !== 'function') throw new InvalidArgumentError('fetch must be a function.')
  return urls as string[]
}

/** A quote of chain `chainId` from an EVM adapter, with the call it makes. @throws InvalidArgumentError */
export function checkQuote(
  quote: TransferQuote,
  chainId: ChainId,
): { quote: TransferQuote; call: { to: `0x${string}`; value: string; data: Hex } } {
  const q = assertOptions(quote) as TransferQuote
  if (q.chainId !== chainId) throw new InvalidArgumentError(`This quote is for ${String(q.chainId)}, not ${chainId}.`)
  const call = q.details?.call as { to: `0x${string}`; value: string; data: Hex } | undefined
  if (!call || typeof q.details.gas !== 'string' || !q.fee?.details)
    throw new InvalidArgumentError('Not a quote from this adapter (details missing).')
  return { quote: q, call }
}

/** A signed transaction, checked and parsed: its sender recovered from the signature, its hash, its nonce. */
export interface CheckedSigned {
  readonly signed: SignedTransaction
  readonly tx: ReturnType<typeof parseTransaction>
  readonly from: `0x${string}`
  readonly nonce: number
}

/**
 * A signed transaction of `chain` whose `from` and `hash` (if given) match its bytes.
 * @throws InvalidArgumentError; ChainMismatchError for bytes signed for another chain
 */
export async function checkSigned(signed: SignedTransaction, chain: EvmChain): Promise<CheckedSigned> {
  const s = assertOptions(signed) as SignedTransaction
  if (s.chainId !== chain.caip2) throw new InvalidArgumentError(`This transaction is for ${String(s.chainId)}, not ${chain.caip2}.`)
  if (typeof s.raw !== 'string' || !/^0x[0-9a-fA-F]+$/.test(s.raw)) throw new InvalidArgumentError('signed.raw must be 0x-prefixed hex.')
  let tx: ReturnType<typeof parseTransaction>
  let from: `0x${string}`
  let hash: `0x${string}`
  try {
    tx = parseTransaction(s.raw as Hex)
    from = await recoverTransactionAddress({ serializedTransaction: s.raw as never })
    hash = keccak256(s.raw as Hex)
  } catch (cause) {
    throw new InvalidArgumentError('signed.raw is not a signed EVM transaction.', { cause })
  }
  if (tx.chainId !== undefined && tx.chainId !== chain.id)
    throw new ChainMismatchError(`The transaction is signed for chain ${tx.chainId}, not ${chain.id}.`)
  if (typeof s.from !== 'string' || s.from.toLowerCase() !== from.toLowerCase()) {
    throw new InvalidArgumentError(`signed.from says ${String(s.from).slice(0, 42)}, but the signature is ${from}'s.`)
  }
  if (typeof s.hash === 'string' && s.hash.toLowerCase() !== hash)
    throw new InvalidArgumentError(`signed.hash says ${s.hash.slice(0, 66)}, but the bytes hash to ${hash}.`)
  const nonce = tx.nonce ?? 0
  return { signed: { chainId: chain.caip2, kind: s.kind, from, hash, raw: s.raw }, tx, from, nonce }
}

/** `sendTransfer` options: the `onSigned` hook, if any. @throws InvalidArgumentError */
export function checkSendOptions(options: SendTransferOptions | undefined): SendTransferOptions['onSigned'] {
  const { onSigned } = assertOptions(options)
  if (onSigned !== undefined && typeof onSigned !== 'function') throw new InvalidArgumentError('onSigned must be a function.')
  return onSigned
}

/** Checks the amount of a request. @throws InvalidArgumentError */
function checkAmount(amount: unknown): bigint | 'max' {
  if (amount === 'max') return amount
  if (typeof amount !== 'bigint' || amount <= 0n || amount >= 2n ** 256n) {
    throw new InvalidArgumentError('amount must be a positive bigint of base units (parseAmount("12.5", decimals)) or "max".')
  }
  return amount
}

/** A checked transfer request: the request, its checksummed sender and recipient, amount and fee level. */
export interface CheckedTransfer {
  readonly request: TransferRequest
  readonly from: `0x${string}`
  readonly to: `0x${string}`
  readonly amount: bigint | 'max'
  readonly level: FeeLevel
}

/** The most payments one operation carries. */
const MAX_PAYMENTS = 200

/**
 * A batch's payments: 1 to 200, each to an address with a positive amount; the request's `to`
 * must be the first recipient and its `amount` the total. @throws InvalidAddressError, InvalidArgumentError
 */
export function checkPayments(payments: unknown, request: CheckedTransfer): { to: `0x${string}`; amount: bigint }[] {
  if (!Array.isArray(payments) || payments.length === 0 || payments.length > MAX_PAYMENTS)
    throw new InvalidArgumentError(`payments must be a list of 1 to ${MAX_PAYMENTS} { to, amount }.`)
  const out = payments.map((p: { to?: unknown; amount?: unknown } | null, i) => {
    if (!p || typeof p !== 'object') throw new InvalidArgumentError(`payments[${i}] must be { to, amount }.`)
    if (typeof p.amount !== 'bigint' || p.amount <= 0n || p.amount >= 2n ** 256n)
      throw new InvalidArgumentError(`payments[${i}].amount must be a positive bigint of base units.`)
    return { to: checkAddress(p.to, `payments[${i}].to`), amount: p.amount }
  })
  const total = out.reduce((s, p) => s + p.amount, 0n)
  if (request.to.toLowerCase() !== out[0]!.to.toLowerCase() || request.amount !== total)
    throw new InvalidArgumentError('A batch request’s to must be its first recipient and its amount the total of its payments.')
  return out
}

/** A transfer request's sender, recipient, amount and fee level (the asset is resolved by the quote). @throws InvalidAddressError, InvalidArgumentError */
export function checkTransferRequest(request: TransferRequest): CheckedTransfer {
  const r = assertOptions(request)
  refuseExtras(r, 'EVM')
  const from = checkAddress(r.from, 'from')
  const to = checkAddress(r.to, 'to')
  const amount = checkAmount(r.amount)
  const level = assertOneOf(r.feeLevel ?? 'normal', 'feeLevel', FEE_LEVELS)
  return { request: r as TransferRequest, from, to, amount, level }
}
