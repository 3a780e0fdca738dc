/**
 * Bitcoin addresses for the four single-key script types, per network:
 * P2PKH (base58check), P2SH-P2WPKH (BIP-49, base58check), P2WPKH (BIP-84, bech32 v0)
 * and P2TR (BIP-86 key-path only, bech32m v1, BIP-341 tweak with an empty script tree).
 * @module
 */
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js'
import { bytesToNumberBE } from '@noble/curves/abstract/utils.js'
import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bech32, bech32m, createBase58check } from '@scure/base'
import { assertBytes, assertOneOf } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { secpPoint } from '../point.js'

const base58check = createBase58check(sha256)
const Point = secp256k1.ProjectivePoint

/** Bitcoin networks coffer knows. */
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'regtest'
/** Single-key Bitcoin script types. */
export type BitcoinAddressType = 'p2pkh' | 'p2sh-p2wpkh' | 'p2wpkh' | 'p2tr'

/** Every {@link BitcoinNetwork}. */
export const BITCOIN_NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'regtest']
/** Every {@link BitcoinAddressType}. */
export const BITCOIN_ADDRESS_TYPES: readonly BitcoinAddressType[] = ['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr']

/** Address encoding parameters of a network (Bitcoin Core chainparams). */
export const BITCOIN_NETWORK_PARAMS: Readonly<Record<BitcoinNetwork, { bech32: string; pubKeyHash: number; scriptHash: number }>> = {
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05 },
  testnet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4 },
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4 },
}

/** RIPEMD-160(SHA-256(data)). */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(assertBytes(data, 'data')))
}

/**
 * BIP-86 / BIP-341 output key: the x-only key Q = P + H_TapTweak(P)·G of an internal
 * key with no script tree. Returns 32 bytes.
 */
export function taprootOutputKey(publicKey: Uint8Array): Uint8Array {
  const x = (
    publicKey instanceof Uint8Array && publicKey.length === 32
      ? assertBytes(publicKey, 'publicKey', 32)
      : secpPoint(publicKey, 'publicKey', 33).toRawBytes(true)
  ).subarray(-32)
  let P: ReturnType<typeof schnorr.utils.lift_x>
  try {
    P = schnorr.utils.lift_x(bytesToNumberBE(x))
  } catch (cause) {
    throw new InvalidArgumentError('publicKey is not a valid x-only secp256k1 key.', { cause })
  }
  const t = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', x))
  if (t >= secp256k1.CURVE.n) throw new InvalidArgumentError('Taproot tweak out of range for this key.')
  const Q = P.add(Point.BASE.multiply(t))
  return Q.toRawBytes(true).subarray(1)
}

function base58Address(version: number, hash: Uint8Array): string {
  const payload = new Uint8Array(21)
  payload[0] = version
  payload.set(hash, 1)
  return base58check.encode(payload)
}

/**
 * The address of a compressed secp256k1 public key as `type` on `network`.
 * @throws InvalidArgumentError
 */
export function bitcoinAddressFromPublicKey(
  publicKey: Uint8Array,
  type: BitcoinAddressType = 'p2wpkh',
  network: BitcoinNetwork = 'mainnet',
): string {
  secpPoint(publicKey, 'publicKey', 33)
  return encodeBitcoinAddress(publicKey, type, network)
}

/** {@link bitcoinAddressFromPublicKey} for keys already known to be valid. @internal */
export function encodeBitcoinAddress(publicKey: Uint8Array, type: BitcoinAddressType, network: BitcoinNetwork): string {
  const params = BITCOIN_NETWORK_PARAMS[assertOneOf(network, 'network', BITCOIN_NETWORKS)]
  switch (assertOneOf(type, 'addressType', BITCOIN_ADDRESS_TYPES)) {
    case 'p2pkh':
      return base58Address(params.pubKeyHash, hash160(publicKey))
    case 'p2sh-p2wpkh': {
      const redeemScript = new Uint8Array(22)
      redeemScript[1] = 0x14
      redeemScript.set(hash160(publicKey), 2)
      return base58Address(params.scriptHash, hash160(redeemScript))
    }
    case 'p2wpkh':
      return bech32.encode(params.bech32, [0, ...bech32.toWords(hash160(publicKey))])
    case 'p2tr':
      return bech32m.encode(params.bech32, [1, ...bech32m.toWords(taprootOutputKey(publicKey))])
  }
}

/** A decoded address: what its output script pays to. */
export type BitcoinAddressInfo =
  | { readonly type: 'p2pkh' | 'p2sh'; readonly hash: Uint8Array }
  | { readonly type: 'witness'; readonly version: number; readonly program: Uint8Array }

function decodeSegwit(address: string, hrp: string): BitcoinAddressInfo | undefined {
  for (const coder of [bech32, bech32m]) {
    const decoded = coder.decodeUnsafe(address as `${string}1${string}`, 90)
    if (!decoded || decoded.prefix !== hrp || decoded.words.length === 0) continue
    const version = decoded.words[0] as number
    if (version > 16 || (version === 0) !== (coder === bech32)) return undefined
    const program = coder.fromWordsUnsafe(decoded.words.slice(1))
    if (!program || program.length < 2 || program.length > 40) return undefined
    if (version === 0 && program.length !== 20 && program.length !== 32) return undefined
    return { type: 'witness', version, program }
  }
  return undefined
}

/**
 * Decodes an address of `network`, or returns undefined if it is not one.
 * @throws InvalidArgumentError only for an unknown network
 */
export function decodeBitcoinAddress(address: unknown, network: BitcoinNetwork = 'mainnet'): BitcoinAddressInfo | undefined {
  const params = BITCOIN_NETWORK_PARAMS[assertOneOf(network, 'network', BITCOIN_NETWORKS)]
  if (typeof address !== 'string' || address.length < 14 || address.length > 90) return undefined
  const segwit = decodeSegwit(address, params.bech32)
  if (segwit) return segwit
  if (address.length > 35) return undefined
  let payload: Uint8Array
  try {
    payload = base58check.decode(address)
  } catch {
    return undefined
  }
  if (payload.length !== 21) return undefined
  if (payload[0] === params.pubKeyHash) return { type: 'p2pkh', hash: payload.slice(1) }
  if (payload[0] === params.scriptHash) return { type: 'p2sh', hash: payload.slice(1) }
  return undefined
}

/**
 * True if `address` is a valid address on `network` (base58check, bech32 v0, bech32m v1+).
 * @throws InvalidArgumentError only for an unknown network
 */
export function isValidBitcoinAddress(address: unknown, network: BitcoinNetwork = 'mainnet'): boolean {
  return decodeBitcoinAddress(address, network) !== undefined
}
