/**
 * EVM transactions as plain JSON (so they can travel to an offline signer), built from a quote
 * at the sender's next nonce ({@link buildTransfer}), and signing them
 * with a Signer: serialise (serialize.ts: EIP-1559, EIP-2930 or legacy with EIP-155 replay
 * protection), hash with keccak-256, sign the digest, serialise again with the signature.
 * Signing touches no network and no viem code, so a browser bundle that only signs stays small.
 * @module
 */
import type { AccessList, Hex, TransactionSerializable } from 'viem'
import { toChecksumAddress } from '../../keys/address/evm.js'
import { describe, isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { Json, SignedTransaction, TransferQuote, UnsignedTransaction } from '../adapter.js'
import type { GasPricing } from './fees.js'
import type { EvmChain } from './networks.js'
import type { NonceManager } from './nonces.js'
import type { TokenBook } from './tokens.js'
import { signSerializable, withHash } from './serialize.js'
import { checkAddress } from './validate.js'

/** The JSON payload of an unsigned EVM transaction (numbers above 2^53 as decimal strings). */
export interface EvmTransactionPayload {
  readonly type: 'eip1559' | 'eip2930' | 'legacy'
  readonly chainId: number
  readonly nonce: number
  readonly to: `0x${string}` | null
  /** Wei, decimal string. */
  readonly value: string
  readonly data: Hex
  /** Gas limit, decimal string. */
  readonly gas: string
  readonly maxFeePerGas?: string
  readonly maxPriorityFeePerGas?: string
  readonly gasPrice?: string
  readonly accessList?: readonly { readonly address: `0x${string}`; readonly storageKeys: readonly Hex[] }[]
}

const DECIMAL = /^(0|[1-9]\d{0,77})$/
/** 0x and whole bytes (an odd digit count is refused, not padded). */
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/
const STORAGE_KEY = /^0x[0-9a-fA-F]{64}$/
/** ERC-20 `transfer(address,uint256)`: the selector, a clean address word and the amount, nothing after. */
const ERC20_TRANSFER = /^0xa9059cbb0{24}([0-9a-f]{40})([0-9a-f]{64})$/i

function bad(field: string, value: unknown): never {
  throw new InvalidArgumentError(`Unsigned EVM transaction: ${field} is malformed (got ${describe(value)}).`)
}

const MAX_UINT256 = 2n ** 256n - 1n

function wei(payload: Record<string, unknown>, field: string): bigint {
  const value = payload[field]
  if (typeof value !== 'string' || !DECIMAL.test(value) || BigInt(value) > MAX_UINT256) bad(field, value)
  return BigInt(value)
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
/** Checksums of recently seen addresses: signing loops send to the same few addresses. */
const checksums = new Map<string, `0x${string}`>()

/** An address field: any case, but mixed case must carry a correct EIP-55 checksum. */
function address(field: string, value: unknown): `0x${string}` {
  if (typeof value !== 'string' || !HEX_ADDRESS.test(value)) bad(field, value)
  let checksummed = checksums.get(value)
  if (!checksummed) {
    checksummed = toChecksumAddress(value)
    if (checksums.size >= 1024) checksums.clear()
    checksums.set(value, checksummed)
  }
  const body = value.slice(2)
  if (checksummed !== value && body !== body.toLowerCase() && body !== body.toUpperCase()) bad(field, value)
  return checksummed
}

/** Payload fields for a pricing. */
export function pricingFields(
  pricing: GasPricing,
): Pick<EvmTransactionPayload, 'type' | 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'gasPrice'> {
  return pricing.type === 'eip1559'
    ? { type: 'eip1559', maxFeePerGas: pricing.maxFeePerGas.toString(), maxPriorityFeePerGas: pricing.maxPriorityFeePerGas.toString() }
    : { type: 'legacy', gasPrice: pricing.gasPrice.toString() }
}

/** Checks a JSON payload and turns it into viem's serialisable form. @throws InvalidArgumentError */
export function toSerializable(payload: unknown): TransactionSerializable {
  if (!payload || typeof payload !== 'object') bad('payload', payload)
  const p = payload as Record<string, unknown>
  const type = p.type
  if (type !== 'eip1559' && type !== 'eip2930' && type !== 'legacy') bad('type', type)
  if (!isIntegerIn(p.chainId, 1, Number.MAX_SAFE_INTEGER)) bad('chainId', p.chainId)
  if (!isIntegerIn(p.nonce, 0, Number.MAX_SAFE_INTEGER)) bad('nonce', p.nonce)
  const to = p.to === null ? undefined : address('to', p.to)
  if (typeof p.data !== 'string' || !HEX_BYTES.test(p.data)) bad('data', p.data)
  const base = {
    chainId: p.chainId as number,
    nonce: p.nonce as number,
    ...(to ? { to } : {}),
    value: wei(p, 'value'),
    data: p.data as Hex,
    gas: wei(p, 'gas'),
  }
  const accessList = p.accessList === undefined ? undefined : checkAccessList(p.accessList)
  if (type === 'eip1559') {
    const maxFeePerGas = wei(p, 'maxFeePerGas')
    const maxPriorityFeePerGas = wei(p, 'maxPriorityFeePerGas')
    if (maxPriorityFeePerGas > maxFeePerGas) bad('maxPriorityFeePerGas (above maxFeePerGas)', p.maxPriorityFeePerGas)
    return { ...base, type, maxFeePerGas, maxPriorityFeePerGas, ...(accessList ? { accessList } : {}) }
  }
  if (type === 'eip2930') return { ...base, type, gasPrice: wei(p, 'gasPrice'), accessList: accessList ?? [] }
  if (accessList) bad('accessList (legacy transactions have none)', p.accessList)
  return { ...base, type, gasPrice: wei(p, 'gasPrice') }
}

function checkAccessList(value: unknown): AccessList {
  if (!Array.isArray(value)) bad('accessList', value)
  return value.map((entry: unknown) => {
    const e = entry as { address?: unknown; storageKeys?: unknown }
    const entryAddress = address('accessList.address', e?.address)
    if (!Array.isArray(e.storageKeys) || !e.storageKeys.every((k) => typeof k === 'string' && STORAGE_KEY.test(k)))
      bad('accessList.storageKeys', e.storageKeys)
    return { address: entryAddress, storageKeys: e.storageKeys as Hex[] }
  })
}

/**
 * Signs an unsigned EVM transaction with a secp256k1 signer for its `from` address. Offline.
 * @throws InvalidArgumentError (malformed transaction, wrong signer)
 */
export async function signEvmTransaction(unsigned: UnsignedTransaction, signer: Signer | AccountSigner): Promise<SignedTransaction> {
  if (!unsigned || typeof unsigned !== 'object' || typeof unsigned.kind !== 'string' || !unsigned.kind.startsWith('evm-')) {
    throw new InvalidArgumentError('Not an unsigned EVM transaction (kind must start with "evm-").')
  }
  if (!signer || signer.curve !== 'secp256k1' || signer.chain !== 'evm')
    throw new InvalidArgumentError('EVM transactions need an EVM (secp256k1) signer.')
  if (typeof unsigned.from !== 'string' || signer.address.toLowerCase() !== unsigned.from.toLowerCase()) {
    throw new InvalidArgumentError(`This transaction is from ${String(unsigned.from)}; the signer is ${signer.address}.`)
  }
  const from = address('from', unsigned.from)
  const tx = toSerializable(unsigned.payload)
  if (`eip155:${tx.chainId}` !== unsigned.chainId)
    throw new InvalidArgumentError(`Transaction chainId ${tx.chainId} does not match ${unsigned.chainId}.`)
  checkSummary(unsigned.summary, tx)
  return withHash({ chainId: unsigned.chainId, kind: unsigned.kind, from }, await signSerializable(tx, signer))
}

const mismatch = (what: string) =>
  new InvalidArgumentError(
    `The transaction's summary does not match its payload (${what}); refusing to sign what a reader of the summary did not see.`,
  )

/**
 * The human-readable summary must say what the payload does: the recipient and amount of the
 * native transfer or of the ERC-20 `transfer` call, and a fee cap at least the payload's. An
 * offline signer (or its user) reads the summary; a payload that does something else is refused.
 * @throws InvalidArgumentError
 */
function checkSummary(summary: unknown, tx: TransactionSerializable): void {
  const s = summary as Partial<UnsignedTransaction['summary']> | null
  if (
    !s ||
    typeof s !== 'object' ||
    typeof s.to !== 'string' ||
    typeof s.asset !== 'string' ||
    typeof s.amount !== 'string' ||
    typeof s.fee !== 'string' ||
    !/^\d+$/.test(s.amount) ||
    !/^\d+$/.test(s.fee)
  ) {
    throw new InvalidArgumentError('The unsigned transaction has no valid summary { to, asset, amount, fee }.')
  }
  const same = (a: string | undefined | null, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase()
  const token = /\/erc20:(0x[0-9a-fA-F]{40})$/.exec(s.asset)?.[1]
  if (token) {
    if (!same(tx.to, token)) throw mismatch('the payload calls another contract than the token')
    if ((tx.value ?? 0n) !== 0n) throw mismatch('a token transfer that also sends the native coin')
    // Exactly transfer(to, amount): another function, a dirty address word or bytes after the
    // arguments are refused (a contract may read what the summary does not show).
    const call = ERC20_TRANSFER.exec(tx.data ?? '0x')
    if (!call || !same(`0x${call[1]}`, s.to) || BigInt(`0x${call[2]}`) !== BigInt(s.amount))
      throw mismatch('the token transfer goes elsewhere or moves another amount')
  } else if (/\/slip44:/.test(s.asset)) {
    const creates = tx.to === undefined || tx.to === null
    if (!(creates ? s.to === '' : same(tx.to, s.to)) || (tx.value ?? 0n) !== BigInt(s.amount))
      throw mismatch('the native transfer goes elsewhere or moves another amount')
    // A contract call (or creation) is signed only when the summary shows its data.
    if (tx.data && tx.data !== '0x' && !same(s.data, tx.data)) throw mismatch('the payload calls a contract the summary does not show')
  } else {
    throw mismatch(`unknown asset ${s.asset.slice(0, 80)}`)
  }
  const perGas = 'maxFeePerGas' in tx && tx.maxFeePerGas !== undefined ? tx.maxFeePerGas : ((tx as { gasPrice?: bigint }).gasPrice ?? 0n)
  if ((tx.gas ?? 0n) * perGas > BigInt(s.fee)) throw mismatch('the payload may pay a higher fee than the summary shows')
}

/** Builds the JSON form of an unsigned transaction. */
export function unsignedTransaction(
  payload: EvmTransactionPayload,
  from: `0x${string}`,
  summary: UnsignedTransaction['summary'],
): UnsignedTransaction {
  return {
    chainId: `eip155:${payload.chainId}`,
    kind: `evm-${payload.type}`,
    from,
    summary,
    payload: JSON.parse(JSON.stringify(payload)) as { [key: string]: Json },
  }
}

/** What a build works with. */
export interface BuildContext {
  readonly chain: EvmChain
  readonly nonces: NonceManager
  readonly tokens: TokenBook
  /** Checks the node serves the chain. @throws ChainMismatchError */
  verifyChain(): Promise<void>
}

/**
 * The checked quote `q` (making `call`) as an unsigned transaction at the sender's next nonce,
 * given back when the payload does not serialise. `sending`: the nonce joins the order of sends
 * in progress (sendTransfer).
 * @throws ChainMismatchError; InvalidAddressError; InvalidArgumentError; RpcError
 */
export async function buildTransfer(
  ctx: BuildContext,
  q: TransferQuote,
  call: { to: `0x${string}`; value: string; data: Hex },
  sending: boolean,
): Promise<UnsignedTransaction> {
  await ctx.verifyChain()
  const from = checkAddress(q.from, 'from')
  const nonce = await ctx.nonces.take(from, { sending })
  const { gas: _gas, ...pricing } = q.fee.details as Record<string, string>
  const payload = {
    ...(pricing as Pick<EvmTransactionPayload, 'type' | 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'gasPrice'>),
    chainId: ctx.chain.id,
    nonce,
    to: call.to,
    value: call.value,
    data: call.data,
    gas: q.details.gas as string,
  } satisfies EvmTransactionPayload
  try {
    toSerializable(payload)
  } catch (error) {
    ctx.nonces.done(from, nonce, false)
    throw error
  }
  // The asset's symbol and decimals travel with it for an offline signer's prompt; never those of a token only looked up on chain.
  const asset = await ctx.tokens.get(q.asset).catch(() => undefined)
  const shown = asset && !asset.unverified ? { symbol: asset.symbol, decimals: asset.decimals } : {}
  return unsignedTransaction(payload, from, {
    to: q.to,
    asset: q.asset,
    amount: q.amount.toString(),
    fee: q.fee.amount.toString(),
    ...shown,
  })
}
