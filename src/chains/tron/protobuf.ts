/**
 * The bytes a TRON wallet signs: `Transaction.raw` holding one `TransferContract` (TRX) or
 * `TriggerSmartContract` (a TRC-20 call), encoded and decoded by hand. A TRON signature is
 * secp256k1 over the transaction id, `sha256(raw)` ({@link tronTxId}), so these bytes are the
 * whole of what a key agrees to; a wallet builds them itself, and reads back any it is given
 * (a node's `createtransaction` answer) with {@link decodeRawTransaction} before signing.
 *
 * Field numbers and types are those of tronprotocol/protocol (checked at 4c72695, February 2026):
 * `core/Tron.proto` (`Transaction.raw`, `Transaction.Contract`), `core/contract/balance_contract.proto`
 * (`TransferContract`) and `core/contract/smart_contract.proto` (`TriggerSmartContract`); the
 * parameter is a `google.protobuf.Any` whose `type_url` is `type.googleapis.com/protocol.<Name>`,
 * as protoc's `Any.pack` writes it (TronWeb's `buildCommonTransaction` does the same).
 *
 * Encoding is canonical proto3, byte for byte what protoc (java-tron, TronWeb's google-protobuf)
 * emits: fields in field-number order, fields at their default value (0, empty) left out, int64
 * as a varint (two's complement in 10 bytes when negative). Decoding is strict: it accepts
 * exactly the encodings {@link encodeRawTransaction} produces, so `encode(decode(b))` is `b`.
 * Anything else (a field this module does not know — `auths`, `scripts`, `provider` —, a wrong
 * wire type, fields out of order or repeated, an explicit default, an overlong or overflowing
 * varint, a truncated or trailing byte, a contract type other than the two, a type_url that does
 * not match the type, an address that is not 21 bytes starting with 0x41) throws
 * {@link InvalidArgumentError}, and nothing else is ever thrown.
 *
 * Values the chain itself requires are checked on both sides: one contract per transaction
 * ("only support size = 1"), TaPoS fields of their fixed sizes (2 bytes of the reference block's
 * number, 8 bytes of its id), 21-byte addresses. Amounts are `bigint` (int64 can pass 2^53).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isTronAddressPayload } from './address.js'

/** `type_url` of a packed `TransferContract`. */
export const TRANSFER_CONTRACT_TYPE_URL = 'type.googleapis.com/protocol.TransferContract'
/** `type_url` of a packed `TriggerSmartContract`. */
export const TRIGGER_SMART_CONTRACT_TYPE_URL = 'type.googleapis.com/protocol.TriggerSmartContract'
/** `Transaction.Contract.ContractType` values of the contracts this module encodes (Tron.proto). */
const TRON_CONTRACT_TYPES = Object.freeze({ TransferContract: 1, TriggerSmartContract: 31 } as const)

/** `protocol.TransferContract`: send `amount` sun of TRX. */
export interface TronTransferContract {
  /** 21 bytes, 0x41 ‖ account. */
  readonly ownerAddress: Uint8Array
  /** 21 bytes, 0x41 ‖ account. */
  readonly toAddress: Uint8Array
  /** Sun (1 TRX = 10^6 sun). */
  readonly amount: bigint
}

/** `protocol.TriggerSmartContract`: call a contract (a TRC-20 `transfer`). */
export interface TronTriggerSmartContract {
  /** 21 bytes, 0x41 ‖ account. */
  readonly ownerAddress: Uint8Array
  /** 21 bytes, 0x41 ‖ account. */
  readonly contractAddress: Uint8Array
  /** TRX sent with the call, sun. */
  readonly callValue: bigint
  /** ABI call data (selector ‖ arguments). */
  readonly data: Uint8Array
  /** TRC-10 token amount sent with the call. */
  readonly callTokenValue: bigint
  /** TRC-10 token id of `callTokenValue`. */
  readonly tokenId: bigint
}

/** `Transaction.Contract`: the one action of a transaction, with the permission that signs it. */
export type TronContract =
  | { readonly type: 'TransferContract'; readonly parameter: TronTransferContract; readonly permissionId: number }
  | { readonly type: 'TriggerSmartContract'; readonly parameter: TronTriggerSmartContract; readonly permissionId: number }

/** `Transaction.raw`: what the transaction id hashes and the signature covers. */
export interface TronRawTransaction {
  /** TaPoS: bytes 6..8 of the reference block's id (the low 2 bytes of its number). */
  readonly refBlockBytes: Uint8Array
  /** Unused by java-tron; 0 in every transaction TronGrid builds. */
  readonly refBlockNum: bigint
  /** TaPoS: bytes 8..16 of the reference block's id. */
  readonly refBlockHash: Uint8Array
  /** Milliseconds since the epoch after which the chain refuses the transaction. */
  readonly expiration: bigint
  /** The memo (`data`), raw bytes; empty for none. */
  readonly data: Uint8Array
  /** The transaction's action (the proto field is repeated; the chain accepts exactly one). */
  readonly contract: TronContract
  /** Milliseconds since the epoch when it was built. */
  readonly timestamp: bigint
  /** The most TRX (sun) the transaction may burn for energy; 0 for none (TRX transfers). */
  readonly feeLimit: bigint
}

const MIN_I64 = -(2n ** 63n)
const MAX_I64 = 2n ** 63n - 1n
const MAX_I32 = 2 ** 31 - 1
const U64 = 2n ** 64n
const WIRE_VARINT = 0
const WIRE_LEN = 2
const ASCII = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// Encoding

class Writer {
  private readonly parts: Uint8Array[] = []
  private size = 0

  push(bytes: Uint8Array): void {
    this.parts.push(bytes)
    this.size += bytes.length
  }

  varint(value: bigint): void {
    let v = value < 0n ? value + U64 : value
    const out: number[] = []
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    out.push(Number(v))
    this.push(Uint8Array.from(out))
  }

  tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire))
  }

  /** A varint field, left out at 0. */
  int(field: number, value: bigint): void {
    if (value === 0n) return
    this.tag(field, WIRE_VARINT)
    this.varint(value)
  }

  /** A length-delimited field, left out when empty. */
  bytes(field: number, value: Uint8Array): void {
    if (value.length === 0) return
    this.tag(field, WIRE_LEN)
    this.varint(BigInt(value.length))
    this.push(value)
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let at = 0
    for (const part of this.parts) {
      out.set(part, at)
      at += part.length
    }
    return out
  }
}

function bad(message: string, details: { readonly [key: string]: string | number | undefined } = {}): never {
  throw new InvalidArgumentError(message, { details })
}

function checkI64(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint' || value < MIN_I64 || value > MAX_I64) bad(`${field} must be a bigint in the int64 range.`, { field })
  return value
}

function checkBytes(value: unknown, field: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) bad(`${field} must be a Uint8Array.`, { field })
  if (length !== undefined && value.length !== length) bad(`${field} must be ${length} bytes, not ${value.length}.`, { field })
  return value
}

function checkAddress(value: unknown, field: string): Uint8Array {
  if (!isTronAddressPayload(value)) bad(`${field} must be a TRON address: 21 bytes starting with 0x41.`, { field })
  return value
}

function checkPermission(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_I32) {
    bad('permissionId must be an integer from 0 to 2^31-1.', { field: 'permissionId' })
  }
  return value
}

/** The `TransferContract` message bytes. @throws InvalidArgumentError */
export function encodeTransferContract(contract: TronTransferContract): Uint8Array {
  const c = object(contract, 'TransferContract')
  const w = new Writer()
  w.bytes(1, checkAddress(c.ownerAddress, 'ownerAddress'))
  w.bytes(2, checkAddress(c.toAddress, 'toAddress'))
  w.int(3, checkI64(c.amount, 'amount'))
  return w.finish()
}

/** The `TriggerSmartContract` message bytes. @throws InvalidArgumentError */
export function encodeTriggerSmartContract(contract: TronTriggerSmartContract): Uint8Array {
  const c = object(contract, 'TriggerSmartContract')
  const w = new Writer()
  w.bytes(1, checkAddress(c.ownerAddress, 'ownerAddress'))
  w.bytes(2, checkAddress(c.contractAddress, 'contractAddress'))
  w.int(3, checkI64(c.callValue, 'callValue'))
  w.bytes(4, checkBytes(c.data, 'data'))
  w.int(5, checkI64(c.callTokenValue, 'callTokenValue'))
  w.int(6, checkI64(c.tokenId, 'tokenId'))
  return w.finish()
}

function encodeContract(contract: TronContract): Uint8Array {
  const c = object(contract, 'contract')
  let typeUrl: string
  let value: Uint8Array
  if (c.type === 'TransferContract') {
    typeUrl = TRANSFER_CONTRACT_TYPE_URL
    value = encodeTransferContract(c.parameter)
  } else if (c.type === 'TriggerSmartContract') {
    typeUrl = TRIGGER_SMART_CONTRACT_TYPE_URL
    value = encodeTriggerSmartContract(c.parameter)
  } else {
    bad('contract.type must be TransferContract or TriggerSmartContract.', { field: 'contract.type' })
  }
  const any = new Writer()
  any.bytes(1, ASCII.encode(typeUrl))
  any.bytes(2, value)
  const w = new Writer()
  w.int(1, BigInt(TRON_CONTRACT_TYPES[c.type]))
  w.bytes(2, any.finish())
  w.int(5, BigInt(checkPermission(c.permissionId)))
  return w.finish()
}

/**
 * The `Transaction.raw` bytes of `raw`: what {@link tronTxId} hashes.
 * @throws InvalidArgumentError
 */
export function encodeRawTransaction(raw: TronRawTransaction): Uint8Array {
  const r = object(raw, 'raw transaction')
  const w = new Writer()
  w.bytes(1, checkBytes(r.refBlockBytes, 'refBlockBytes', 2))
  w.int(3, checkI64(r.refBlockNum, 'refBlockNum'))
  w.bytes(4, checkBytes(r.refBlockHash, 'refBlockHash', 8))
  w.int(8, checkI64(r.expiration, 'expiration'))
  w.bytes(10, checkBytes(r.data, 'data'))
  w.bytes(11, encodeContract(r.contract))
  w.int(14, checkI64(r.timestamp, 'timestamp'))
  w.int(18, checkI64(r.feeLimit, 'feeLimit'))
  return w.finish()
}

/**
 * The transaction id: sha256 of the `Transaction.raw` bytes (given, or encoded from `raw`), in
 * lower-case hex. It is what TronGrid calls `txID` and what the owner's key signs.
 * @throws InvalidArgumentError
 */
export function tronTxId(raw: Uint8Array | TronRawTransaction): string {
  return bytesToHex(sha256(raw instanceof Uint8Array ? raw : encodeRawTransaction(raw)))
}

function object<T>(value: T, what: string): T & { readonly [key: string]: unknown } {
  if (value === null || typeof value !== 'object') bad(`The ${what} must be an object.`)
  return value as T & { readonly [key: string]: unknown }
}

// ---------------------------------------------------------------------------------------------
// Decoding

interface Field {
  readonly number: number
  readonly wire: number
  /** The varint's value (wire type 0). */
  readonly int: bigint
  /** The content (wire type 2). */
  readonly bytes: Uint8Array
  /** Offset of the field's tag in the message. */
  readonly at: number
}

/** A message's fields, in order, each checked for a known number, its wire type, order and canonical form. */
function readFields(bytes: Uint8Array, message: string, known: { readonly [field: number]: number }): Map<number, Field> {
  const fields = new Map<number, Field>()
  let pos = 0
  let last = 0
  const fail = (reason: string, at: number): never =>
    bad(`Not a canonical ${message}: ${reason} at byte ${at}.`, { message, offset: at, reason })

  const varint = (): bigint => {
    const start = pos
    let value = 0n
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) fail('truncated varint', start)
      const b = bytes[pos++]!
      if (i === 9 && b > 1) fail('varint overflows 64 bits', start)
      value |= BigInt(b & 0x7f) << BigInt(7 * i)
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) fail('overlong varint', start)
        return value
      }
    }
    return fail('varint longer than 10 bytes', start)
  }

  while (pos < bytes.length) {
    const at = pos
    const tag = varint()
    const number = Number(tag >> 3n)
    const wire = Number(tag & 7n)
    if (tag >> 3n > 536_870_911n || number === 0) fail('invalid field number', at)
    const expected = known[number]
    if (expected === undefined) fail(`unknown field ${number}`, at)
    if (wire !== expected) fail(`field ${number} has wire type ${wire}, not ${expected}`, at)
    if (number <= last) fail(`field ${number} ${number === last ? 'repeated' : 'out of order'}`, at)
    last = number
    if (wire === WIRE_VARINT) {
      const int = varint()
      if (int === 0n) fail(`field ${number} holds its default value`, at)
      fields.set(number, { number, wire, int, bytes: EMPTY, at })
    } else {
      const length = varint()
      if (length > BigInt(bytes.length - pos)) fail(`field ${number} runs past the end`, at)
      const content = bytes.subarray(pos, pos + Number(length))
      pos += content.length
      if (content.length === 0) fail(`field ${number} holds its default value`, at)
      fields.set(number, { number, wire, int: 0n, bytes: content, at })
    }
  }
  return fields
}

const EMPTY = new Uint8Array(0)

function i64(fields: Map<number, Field>, number: number): bigint {
  const v = fields.get(number)?.int ?? 0n
  return v > MAX_I64 ? v - U64 : v
}

function bytesOf(fields: Map<number, Field>, number: number): Uint8Array {
  return fields.get(number)?.bytes.slice() ?? new Uint8Array(0)
}

function address(fields: Map<number, Field>, number: number, field: string, message: string): Uint8Array {
  const value = bytesOf(fields, number)
  if (!isTronAddressPayload(value)) bad(`${message}.${field} is not a TRON address (21 bytes starting with 0x41).`, { message, field })
  return value
}

function input(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) bad(`${what} takes the message bytes as a Uint8Array.`)
  return bytes
}

/** Reads `TransferContract` bytes. @throws InvalidArgumentError */
export function decodeTransferContract(bytes: Uint8Array): TronTransferContract {
  const m = 'TransferContract'
  const f = readFields(input(bytes, 'decodeTransferContract'), m, { 1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_VARINT })
  return Object.freeze({
    ownerAddress: address(f, 1, 'owner_address', m),
    toAddress: address(f, 2, 'to_address', m),
    amount: i64(f, 3),
  })
}

/** Reads `TriggerSmartContract` bytes. @throws InvalidArgumentError */
export function decodeTriggerSmartContract(bytes: Uint8Array): TronTriggerSmartContract {
  const m = 'TriggerSmartContract'
  const f = readFields(input(bytes, 'decodeTriggerSmartContract'), m, {
    1: WIRE_LEN,
    2: WIRE_LEN,
    3: WIRE_VARINT,
    4: WIRE_LEN,
    5: WIRE_VARINT,
    6: WIRE_VARINT,
  })
  return Object.freeze({
    ownerAddress: address(f, 1, 'owner_address', m),
    contractAddress: address(f, 2, 'contract_address', m),
    callValue: i64(f, 3),
    data: bytesOf(f, 4),
    callTokenValue: i64(f, 5),
    tokenId: i64(f, 6),
  })
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function decodeContract(bytes: Uint8Array): TronContract {
  const m = 'Transaction.Contract'
  const f = readFields(bytes, m, { 1: WIRE_VARINT, 2: WIRE_LEN, 5: WIRE_VARINT })
  const type = f.get(1)?.int ?? 0n
  const permission = f.get(5)?.int ?? 0n
  if (permission > BigInt(MAX_I32)) bad(`${m}.Permission_id is not an int32 permission id.`, { message: m, field: 'Permission_id' })
  const permissionId = Number(permission)
  const name =
    type === BigInt(TRON_CONTRACT_TYPES.TransferContract)
      ? 'TransferContract'
      : type === BigInt(TRON_CONTRACT_TYPES.TriggerSmartContract)
        ? 'TriggerSmartContract'
        : bad(`Contract type ${type} is not one coffer signs (TransferContract = 1, TriggerSmartContract = 31).`, {
            message: m,
            field: 'type',
            type: type.toString(),
          })
  const any = readFields(bytesOf(f, 2), 'google.protobuf.Any', { 1: WIRE_LEN, 2: WIRE_LEN })
  const typeUrl = name === 'TransferContract' ? TRANSFER_CONTRACT_TYPE_URL : TRIGGER_SMART_CONTRACT_TYPE_URL
  if (!sameBytes(bytesOf(any, 1), ASCII.encode(typeUrl))) {
    bad(`The parameter of a ${name} must have type_url ${typeUrl}.`, { message: m, field: 'parameter.type_url' })
  }
  const value = bytesOf(any, 2)
  return name === 'TransferContract'
    ? Object.freeze({ type: name, parameter: decodeTransferContract(value), permissionId })
    : Object.freeze({ type: name, parameter: decodeTriggerSmartContract(value), permissionId })
}

/**
 * Reads `Transaction.raw` bytes (a node's `raw_data_hex`, decoded from hex) into the fields a
 * wallet checks before signing. Accepts exactly what {@link encodeRawTransaction} writes.
 * @throws InvalidArgumentError
 */
export function decodeRawTransaction(bytes: Uint8Array): TronRawTransaction {
  const m = 'Transaction.raw'
  const f = readFields(input(bytes, 'decodeRawTransaction'), m, {
    1: WIRE_LEN,
    3: WIRE_VARINT,
    4: WIRE_LEN,
    8: WIRE_VARINT,
    10: WIRE_LEN,
    11: WIRE_LEN,
    14: WIRE_VARINT,
    18: WIRE_VARINT,
  })
  const refBlockBytes = bytesOf(f, 1)
  const refBlockHash = bytesOf(f, 4)
  if (refBlockBytes.length !== 2) bad(`${m}.ref_block_bytes must be 2 bytes.`, { message: m, field: 'ref_block_bytes' })
  if (refBlockHash.length !== 8) bad(`${m}.ref_block_hash must be 8 bytes.`, { message: m, field: 'ref_block_hash' })
  const contract = f.get(11)
  if (!contract) bad(`${m} holds no contract.`, { message: m, field: 'contract' })
  return Object.freeze({
    refBlockBytes,
    refBlockNum: i64(f, 3),
    refBlockHash,
    expiration: i64(f, 8),
    data: bytesOf(f, 10),
    contract: decodeContract(contract.bytes),
    timestamp: i64(f, 14),
    feeLimit: i64(f, 18),
  })
}
