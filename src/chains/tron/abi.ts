/**
 * The TRC-20 calls a wallet makes, ABI-encoded by hand: `transfer(address,uint256)` (the `data`
 * of a TriggerSmartContract) and `balanceOf(address)` (a constant call), and the `uint256`
 * words that come back. TRC-20 contracts run on the TVM, which uses the Solidity ABI unchanged
 * (https://docs.soliditylang.org/en/latest/abi-spec.html); an address argument is the account's
 * 20 bytes, without TRON's 0x41 prefix, left-padded to a 32-byte word (as TronWeb's `encodeParams`
 * writes it). Hand-written so `coffer/tron` does not load viem; the tests check every byte
 * against viem's `encodeFunctionData`.
 *
 * Decoding is strict, for reading back call data a node composed: exact length, known selector,
 * zero padding in the address word; anything else throws {@link InvalidArgumentError}.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { tronAddressFromPayload, tronAddressToBytes, TRON_ADDRESS_PREFIX } from './address.js'

/** Selector of `transfer(address,uint256)`: the first 4 bytes of its keccak-256. */
export const TRC20_TRANSFER_SELECTOR = 'a9059cbb'
/** Selector of `balanceOf(address)`. */
export const TRC20_BALANCE_OF_SELECTOR = '70a08231'

const MAX_U256 = 2n ** 256n - 1n
const WORD = 32

function selectorBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)))
}

function addressWord(address: string): Uint8Array {
  const word = new Uint8Array(WORD)
  word.set(tronAddressToBytes(address).subarray(1), WORD - 20)
  return word
}

function uintWord(value: bigint, field: string): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U256) {
    throw new InvalidArgumentError(`${field} must be a bigint from 0 to 2^256-1.`, { details: { field } })
  }
  const word = new Uint8Array(WORD)
  let v = value
  for (let i = WORD - 1; i >= 0 && v > 0n; i--) {
    word[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return word
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * Call data of `transfer(to, amount)`: 68 bytes.
 * @throws InvalidAddressError when `to` is not a base58 TRON address
 * @throws InvalidArgumentError when `amount` is not a uint256
 */
export function encodeTrc20Transfer(to: string, amount: bigint): Uint8Array {
  return concat(selectorBytes(TRC20_TRANSFER_SELECTOR), addressWord(to), uintWord(amount, 'amount'))
}

/**
 * Call data of `balanceOf(owner)`: 36 bytes.
 * @throws InvalidAddressError when `owner` is not a base58 TRON address
 */
export function encodeTrc20BalanceOf(owner: string): Uint8Array {
  return concat(selectorBytes(TRC20_BALANCE_OF_SELECTOR), addressWord(owner))
}

/** The words of `data` after a 4-byte selector, checked: the right selector and exactly `words` words. */
function callWords(data: unknown, selector: string, words: number, name: string): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length !== 4 + WORD * words || bytesToHex(data.subarray(0, 4)) !== selector) {
    throw new InvalidArgumentError(`Not ${name} call data: 0x${selector} followed by ${words} 32-byte words.`)
  }
  return data.subarray(4)
}

function readAddressWord(word: Uint8Array): string {
  if (word.subarray(0, WORD - 20).some((b) => b !== 0)) {
    throw new InvalidArgumentError('An ABI address word holds 20 bytes after 12 zero bytes.')
  }
  const payload = new Uint8Array(21)
  payload[0] = TRON_ADDRESS_PREFIX
  payload.set(word.subarray(WORD - 20), 1)
  return tronAddressFromPayload(payload)
}

function readUintWord(word: Uint8Array): bigint {
  let v = 0n
  for (const b of word) v = (v << 8n) | BigInt(b)
  return v
}

/**
 * Reads `transfer(address,uint256)` call data (a TriggerSmartContract's `data`) back into the
 * recipient's base58 address and the amount in base units.
 * @throws InvalidArgumentError
 */
export function decodeTrc20Transfer(data: Uint8Array): { readonly to: string; readonly amount: bigint } {
  const words = callWords(data, TRC20_TRANSFER_SELECTOR, 2, 'transfer(address,uint256)')
  return Object.freeze({ to: readAddressWord(words.subarray(0, WORD)), amount: readUintWord(words.subarray(WORD)) })
}

/**
 * Reads a `uint256` result (`balanceOf`'s answer: `constant_result[0]` of
 * `/wallet/triggerconstantcontract`, as bytes or as hex with or without `0x`). Exactly one word.
 * @throws InvalidArgumentError
 */
export function decodeUint256(result: Uint8Array | string): bigint {
  let bytes: Uint8Array | undefined
  if (result instanceof Uint8Array) bytes = result
  else if (typeof result === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(result)) {
    bytes = Uint8Array.from(
      result
        .replace(/^0x/, '')
        .match(/../g)!
        .map((b) => parseInt(b, 16)),
    )
  }
  if (bytes?.length !== WORD) throw new InvalidArgumentError('A uint256 result is one 32-byte word.')
  return readUintWord(bytes)
}

/**
 * Reads an `address` result word into a base58 `T…` address.
 * @throws InvalidArgumentError
 */
export function decodeAddressWord(word: Uint8Array): string {
  if (!(word instanceof Uint8Array) || word.length !== WORD) throw new InvalidArgumentError('An address result is one 32-byte word.')
  return readAddressWord(word)
}
