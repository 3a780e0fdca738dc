/**
 * Exact size arithmetic for Bitcoin transactions that spend single-key script types, in
 * BIP-141 weight units (WU) and virtual bytes (vB = ⌈WU / 4⌉), plus Bitcoin Core's dust
 * threshold.
 *
 * Signatures are counted at their upper bound, so a signed transaction is never larger
 * than estimated: an ECDSA signature is a DER encoding of at most 72 bytes including the
 * sighash byte (low-S, as relayed today); a BIP-340 key-path signature is 64 bytes
 * (SIGHASH_DEFAULT, no sighash byte).
 *
 * One input (outpoint 36 + scriptSig length varint + scriptSig + sequence 4, ×4; witness ×1):
 *
 * | spends        | scriptSig                      | witness                             | WU  | vB    |
 * |---------------|--------------------------------|-------------------------------------|-----|-------|
 * | `p2pkh`       | 1+72 sig, 1+33 key = 107       | —                                   | 592 | 148   |
 * | `p2sh-p2wpkh` | 1+22 redeem script = 23        | count 1, 1+72 sig, 1+33 key = 108   | 364 | 91    |
 * | `p2wpkh`      | empty                          | 108                                 | 272 | 68    |
 * | `p2tr`        | empty                          | count 1, 1+64 sig = 66              | 230 | 57.5  |
 *
 * One output (value 8 + script length varint + script, ×4): `p2wpkh` 31 vB (22-byte script),
 * `p2wsh` 43 (34), `p2sh` and `p2sh-p2wpkh` 32 (23), `p2pkh` 34 (25), `p2tr` 43 (34).
 *
 * Transaction overhead: version 4 + input count varint + output count varint + locktime 4
 * (×4), plus 2 WU for the segwit marker and flag when any input is segwit, in which case every
 * non-segwit input also carries an empty witness (1 WU each). So 1 p2wpkh in → 1 p2wpkh out
 * is 42 + 272 + 124 = 438 WU = 110 vB, and 1 p2tr in → 1 p2tr out is 444 WU = 111 vB.
 * @module
 */
import { assertInteger, assertOneOf, describe } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { BitcoinAddressType } from '../../keys/address/bitcoin.js'

/** A single-key script type coffer can spend (same names as {@link BitcoinAddressType}). */
export type ScriptType = BitcoinAddressType
/** A script type coffer can pay to: its own types plus pay-to-script outputs. */
export type OutputType = ScriptType | 'p2sh' | 'p2wsh'

/** Every {@link ScriptType}. */
export const SCRIPT_TYPES: readonly ScriptType[] = ['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr']
/** Every {@link OutputType}. */
export const OUTPUT_TYPES: readonly OutputType[] = ['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr', 'p2sh', 'p2wsh']

/** BIP-141 witness scale factor: one non-witness byte weighs 4 WU. */
export const WITNESS_SCALE_FACTOR = 4

/** scriptPubKey lengths in bytes. */
const SCRIPT_LENGTH: Readonly<Record<OutputType, number>> = {
  p2pkh: 25, // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
  p2sh: 23, // OP_HASH160 <20> OP_EQUAL
  'p2sh-p2wpkh': 23,
  p2wpkh: 22, // OP_0 <20>
  p2wsh: 34, // OP_0 <32>
  p2tr: 34, // OP_1 <32>
}

const ECDSA_SIG = 72 // DER, low-S, including the sighash byte
const PUBKEY = 33 // compressed
const SCHNORR_SIG = 64 // SIGHASH_DEFAULT: no sighash byte

/** scriptSig and witness sizes in bytes of one spending input. */
const INPUT_PARTS: Readonly<Record<ScriptType, { scriptSig: number; witness: number }>> = {
  p2pkh: { scriptSig: 1 + ECDSA_SIG + 1 + PUBKEY, witness: 0 },
  'p2sh-p2wpkh': { scriptSig: 1 + 22, witness: 1 + 1 + ECDSA_SIG + 1 + PUBKEY },
  p2wpkh: { scriptSig: 0, witness: 1 + 1 + ECDSA_SIG + 1 + PUBKEY },
  p2tr: { scriptSig: 0, witness: 1 + 1 + SCHNORR_SIG },
}

/** Bytes of a Bitcoin CompactSize (varint) encoding `n`. */
export function varIntSize(n: number): number {
  assertInteger(n, 'n', 0, Number.MAX_SAFE_INTEGER)
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffff_ffff ? 5 : 9
}

/** Whether spending `type` puts data in the witness (so the transaction is a segwit one). */
export function isSegwit(type: ScriptType): boolean {
  return INPUT_PARTS[assertOneOf(type, 'input type', SCRIPT_TYPES)].witness > 0
}

/** Weight in WU of one input spending `type`, signature at its upper bound. */
export function inputWeight(type: ScriptType): number {
  const { scriptSig, witness } = INPUT_PARTS[assertOneOf(type, 'input type', SCRIPT_TYPES)]
  return (32 + 4 + varIntSize(scriptSig) + scriptSig + 4) * WITNESS_SCALE_FACTOR + witness
}

/** Weight in WU of one output paying to `type`, or to a scriptPubKey of `scriptLength` bytes. */
export function outputWeight(type: OutputType | number): number {
  const length =
    typeof type === 'number'
      ? assertInteger(type, 'scriptLength', 0, 10_000)
      : SCRIPT_LENGTH[assertOneOf(type, 'output type', OUTPUT_TYPES)]
  return (8 + varIntSize(length) + length) * WITNESS_SCALE_FACTOR
}

/** The shape of a transaction to size: the script types it spends and pays to. */
export interface TxShape {
  /** Types of the outputs being spent, one per input. */
  inputs: readonly ScriptType[]
  /** Types of the outputs created (or scriptPubKey lengths in bytes). */
  outputs: readonly (OutputType | number)[]
}

function shapeArray<T>(value: unknown, name: string): readonly T[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${name} must be an array, got ${describe(value)}.`)
  return value as readonly T[]
}

/** Exact weight in WU of a signed transaction of this shape (signatures at their upper bound). */
export function txWeight(shape: TxShape): number {
  if (shape === null || typeof shape !== 'object') throw new InvalidArgumentError(`shape must be an object, got ${describe(shape)}.`)
  const inputs = shapeArray<ScriptType>(shape.inputs, 'shape.inputs')
  const outputs = shapeArray<OutputType | number>(shape.outputs, 'shape.outputs')
  let weight = (4 + varIntSize(inputs.length) + varIntSize(outputs.length) + 4) * WITNESS_SCALE_FACTOR
  let segwit = false
  for (const type of inputs) {
    weight += inputWeight(type)
    segwit ||= isSegwit(type)
  }
  for (const type of outputs) weight += outputWeight(type)
  if (segwit) {
    weight += 2 // marker + flag
    weight += inputs.filter((type) => !isSegwit(type)).length // empty witness stack (count 0) per legacy input
  }
  return weight
}

/** Virtual size in vB (⌈weight / 4⌉, as Bitcoin Core counts it) of a transaction of this shape. */
export function txVsize(shape: TxShape): number {
  return Math.ceil(txWeight(shape) / WITNESS_SCALE_FACTOR)
}

/** Bitcoin Core's assumed size of the input that later spends a witness-program output: 32+4+1+⌊107/4⌋+4. */
const WITNESS_SPEND_SIZE = 32 + 4 + 1 + Math.floor(107 / WITNESS_SCALE_FACTOR) + 4 // 67
/** Bitcoin Core's assumed size of the input that later spends any other output (p2pkh-like). */
const LEGACY_SPEND_SIZE = 32 + 4 + 1 + 107 + 4 // 148

/**
 * The smallest value an output of `outputType` may carry and still be relayed by Bitcoin Core
 * (`GetDustThreshold`): `dustRelayFeeRate` (sat/vB, default 3 = Core's 3000 sat/kvB) times the
 * output's size plus the size of the input that would spend it. Gives 546 for p2pkh, 540 for
 * p2sh (and p2sh-p2wpkh), 294 for p2wpkh and 330 for p2wsh / p2tr.
 */
export function dustThreshold(outputType: OutputType, dustRelayFeeRate = 3n): bigint {
  const type = assertOneOf(outputType, 'outputType', OUTPUT_TYPES)
  if (typeof dustRelayFeeRate !== 'bigint' || dustRelayFeeRate < 0n) {
    const got = typeof dustRelayFeeRate === 'bigint' ? `${dustRelayFeeRate}n` : describe(dustRelayFeeRate)
    throw new InvalidArgumentError(`dustRelayFeeRate must be a non-negative bigint (sat/vB), got ${got}.`)
  }
  const witnessProgram = type === 'p2wpkh' || type === 'p2wsh' || type === 'p2tr'
  const size = outputWeight(type) / WITNESS_SCALE_FACTOR + (witnessProgram ? WITNESS_SPEND_SIZE : LEGACY_SPEND_SIZE)
  return BigInt(size) * dustRelayFeeRate
}
