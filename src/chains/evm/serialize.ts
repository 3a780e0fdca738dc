/**
 * The wire form of the three EVM transaction types coffer signs, without viem: EIP-1559
 * (`0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data,
 * accessList, yParity, r, s])`), EIP-2930 (`0x01 ‖ rlp([chainId, nonce, gasPrice, gas, to,
 * value, data, accessList, yParity, r, s])`) and legacy with EIP-155 replay protection
 * (`rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])` to sign, `v = chainId·2 + 35
 * + yParity` once signed), and EIP-7702 set-code transactions (`0x04 ‖ rlp([chainId, nonce,
 * maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data, accessList, authorizationList,
 * yParity, r, s])`, each authorization `[chainId, address, nonce, yParity, r, s]`). Its input is
 * a transaction `toSerializable` (or `signDelegation`) already checked; the
 * bytes equal viem's and ethers' `serializeTransaction` (test/chains/evm/serialize.test.ts).
 * Owning these ~100 lines keeps viem's serializer (and its ABI / chain-formatter code) out of a
 * browser bundle that only signs.
 * @module
 * @internal
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Hex, TransactionSerializable } from 'viem'
import type { Secp256k1Signer } from '../../keys/signer.js'
import { rlpEncode, rlpInteger, type RlpItem } from './rlp.js'

/** An ECDSA signature as the transaction carries it. */
export interface TransactionSignature {
  readonly r: bigint
  readonly s: bigint
  readonly yParity: 0 | 1
}

const bytes = (hex: string | undefined | null): Uint8Array => (hex ? hexToBytes(hex.slice(2)) : new Uint8Array(0))
const int = (value: bigint | number | undefined): Uint8Array => rlpInteger(value ?? 0)

function accessList(tx: TransactionSerializable): RlpItem {
  const list = 'accessList' in tx ? (tx.accessList ?? []) : []
  return list.map((entry) => [bytes(entry.address), entry.storageKeys.map((key) => bytes(key))])
}

/** EIP-7702's authorization list: `[chain_id, address, nonce, y_parity, r, s]` each. */
function authorizationList(tx: TransactionSerializable): RlpItem {
  const list = 'authorizationList' in tx ? (tx.authorizationList ?? []) : []
  return list.map((a) => {
    const auth = a as { chainId: number; address: string; nonce: number; yParity?: number; r: string; s: string }
    return [int(auth.chainId), bytes(auth.address), int(auth.nonce), int(auth.yParity ?? 0), int(BigInt(auth.r)), int(BigInt(auth.s))]
  })
}

function withSignature(fields: RlpItem[], signature: TransactionSignature | undefined): RlpItem[] {
  return signature ? [...fields, int(signature.yParity), int(signature.r), int(signature.s)] : fields
}

function typed(type: number, fields: RlpItem[]): Uint8Array {
  const body = rlpEncode(fields)
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

/**
 * The bytes to hash and sign (no `signature`) or to broadcast (with it).
 * `tx` must have passed `toSerializable`'s checks.
 */
export function serializeEvmTransaction(tx: TransactionSerializable, signature?: TransactionSignature): Uint8Array {
  const t = tx as TransactionSerializable & { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }
  const tail = [bytes(t.to), int(t.value), bytes(t.data)]
  if (t.type === 'eip1559' || t.type === 'eip7702') {
    const fields = [int(t.chainId), int(t.nonce), int(t.maxPriorityFeePerGas), int(t.maxFeePerGas), int(t.gas), ...tail, accessList(t)]
    if (t.type === 'eip1559') return typed(2, withSignature(fields, signature))
    return typed(4, withSignature([...fields, authorizationList(t)], signature))
  }
  if (t.type === 'eip2930') {
    return typed(1, withSignature([int(t.chainId), int(t.nonce), int(t.gasPrice), int(t.gas), ...tail, accessList(t)], signature))
  }
  const fields = [int(t.nonce), int(t.gasPrice), int(t.gas), ...tail]
  const chainId = BigInt(t.chainId as number)
  return rlpEncode(
    signature
      ? [...fields, int(chainId * 2n + 35n + BigInt(signature.yParity)), int(signature.r), int(signature.s)]
      : [...fields, int(chainId), int(0), int(0)],
  )
}

/** A signed transaction's bytes, as hex and as bytes. */
export interface SignedBytes {
  readonly raw: Hex
  readonly bytes: Uint8Array
}

/**
 * Signs a checked transaction: serialise, keccak-256, sign the digest, serialise with the
 * signature. Returns the signed bytes; {@link withHash} adds the transaction hash. Offline.
 */
export async function signSerializable(tx: TransactionSerializable, signer: Secp256k1Signer): Promise<SignedBytes> {
  const sig = await signer.signDigest(keccak_256(serializeEvmTransaction(tx)))
  const bytes = serializeEvmTransaction(tx, { r: sig.r, s: sig.s, yParity: sig.recovery })
  return { raw: `0x${bytesToHex(bytes)}`, bytes }
}

/**
 * `head` followed by `hash` (keccak-256 of the signed bytes) and `raw`. The hash is an
 * enumerable getter computed once on first read — JSON, spreads and structured clones see a
 * plain value — so a loop that signs without reading hashes does not pay for them.
 */
export function withHash<T extends object>(head: T, signed: SignedBytes): T & { readonly hash: Hex; readonly raw: Hex } {
  let hash: Hex | undefined
  const out = Object.defineProperty({ ...head }, 'hash', {
    enumerable: true,
    get: () => (hash ??= `0x${bytesToHex(keccak_256(signed.bytes))}`),
  })
  return Object.assign(out, { raw: signed.raw }) as T & { readonly hash: Hex; readonly raw: Hex }
}
