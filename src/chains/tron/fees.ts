/**
 * What a TRON transfer costs, from the chain parameters and the sender's resources — pure
 * arithmetic over strictly read node answers, as java-tron charges it
 * (BandwidthProcessor.consume, VMActuator.getAccountEnergyLimitWithFixRatio, TransferActuator):
 *
 * - Bandwidth: the serialized signed transaction plus 64 bytes (java-tron's result reserve),
 *   covered wholly by staked bandwidth, else wholly by the 24 h free allowance (getFreeNetLimit),
 *   else burned at getTransactionFee sun per byte — all bytes, never a part.
 * - A TransferContract to an account that does not exist yet creates it: getCreateAccountFee
 *   instead of the bandwidth burn (the free allowance does not apply; staked bandwidth does) plus
 *   getCreateNewAccountFeeInSystemContract. A TRC-20 transfer to a new holder creates no account.
 * - Energy (TRC-20): staked or delegated energy left covers first, the rest burns at getEnergyFee
 *   sun per unit. The transaction's fee_limit caps the energy used (fee_limit / energyFee), so it
 *   is ceil(energy × 1.2) × energyFee, at most getMaxFeeLimit; an OUT_OF_ENERGY burns the whole
 *   limit, which is why the margin exists.
 *
 * TRON has no fee market: there is nothing to bid, and every fee level is the same price.
 * @module
 * @internal
 */
import { DataIntegrityError, RpcError } from '../../core/errors.js'

/** The energy margin over the estimate that fee_limit allows (20 %), as a fraction. */
const ENERGY_MARGIN_NUM = 6n
const ENERGY_MARGIN_DEN = 5n
/** Bytes java-tron adds to a transaction's size for its result (Constant.MAX_RESULT_SIZE_IN_TX). */
const TRON_RESULT_BYTES = 64

/** The chain parameters a fee depends on, sun. */
export interface TronFeeParameters {
  readonly energyFee: bigint
  readonly transactionFee: bigint
  readonly createAccountFee: bigint
  readonly createNewAccountFeeInSystemContract: bigint
  readonly freeNetLimit: bigint
  readonly maxFeeLimit: bigint
}

/** An account's resources left now (getaccountresource). */
export interface TronResources {
  readonly freeNetLeft: bigint
  readonly netLeft: bigint
  readonly energyLeft: bigint
}

const MAX_I64 = 2n ** 63n - 1n

/** A non-negative int64 from a node answer (absent = 0, as java-tron omits zeros). */
function int64(value: unknown, what: string, path: string): bigint {
  if (value === undefined) return 0n
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || BigInt(value) > MAX_I64)
    throw new RpcError(`${path}: ${what} is not a non-negative integer.`, { details: { method: path } })
  return BigInt(value)
}

/** Reads /wallet/getchainparameters. @throws RpcError (unreadable), DataIntegrityError (a missing or absurd price) */
export function readTronFeeParameters(answer: unknown): TronFeeParameters {
  const path = '/wallet/getchainparameters'
  const list = (answer as { chainParameter?: unknown } | null)?.chainParameter
  if (!Array.isArray(list)) throw new RpcError(`${path}: the answer has no chainParameter list.`, { details: { method: path } })
  const map = new Map<string, bigint>()
  for (const entry of list) {
    const e = entry as { key?: unknown; value?: unknown } | null
    if (typeof e?.key !== 'string') throw new RpcError(`${path}: a parameter without a key.`, { details: { method: path } })
    if (map.has(e.key)) throw new DataIntegrityError(`${path}: the parameter ${e.key} is listed twice.`)
    map.set(e.key, int64(e.value, e.key, path))
  }
  const need = (key: string, min: bigint): bigint => {
    const v = map.get(key)
    if (v === undefined) throw new DataIntegrityError(`${path}: the node does not list ${key}.`)
    if (v < min) throw new DataIntegrityError(`${path}: ${key} is ${v}, below ${min}.`)
    return v
  }
  return {
    energyFee: need('getEnergyFee', 1n),
    transactionFee: need('getTransactionFee', 1n),
    createAccountFee: need('getCreateAccountFee', 0n),
    createNewAccountFeeInSystemContract: need('getCreateNewAccountFeeInSystemContract', 0n),
    freeNetLimit: need('getFreeNetLimit', 0n),
    maxFeeLimit: need('getMaxFeeLimit', 1n),
  }
}

/** Reads /wallet/getaccountresource (zeros omitted, as java-tron prints them). @throws RpcError, DataIntegrityError */
export function readTronResources(answer: unknown): TronResources {
  const path = '/wallet/getaccountresource'
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    throw new RpcError(`${path}: the answer is not an object.`, { details: { method: path } })
  const a = answer as Record<string, unknown>
  const get = (k: string) => int64(a[k], k, path)
  const [freeNetUsed, freeNetLimit, netUsed, netLimit, energyUsed, energyLimit] = [
    get('freeNetUsed'),
    get('freeNetLimit'),
    get('NetUsed'),
    get('NetLimit'),
    get('EnergyUsed'),
    get('EnergyLimit'),
  ]
  const left = (limit: bigint, used: bigint) => (used > limit ? 0n : limit - used)
  return { freeNetLeft: left(freeNetLimit, freeNetUsed), netLeft: left(netLimit, netUsed), energyLeft: left(energyLimit, energyUsed) }
}

/** The cost of one transfer, sun and resource units. */
export interface TronTransferCost {
  readonly energyNeeded: bigint
  readonly energyCovered: bigint
  /** Sun burned for the energy not covered, if the estimate holds. */
  readonly energyBurn: bigint
  readonly bandwidthNeeded: bigint
  readonly bandwidthCovered: bigint
  readonly bandwidthBurn: bigint
  /** Sun paid to create the recipient's account (TRX to a new account), 0 otherwise. */
  readonly activationFee: bigint
  /** The transaction's fee_limit (TRC-20), 0 for TRX. */
  readonly feeLimit: bigint
  /**
   * The most the transaction can cost: feeLimit + activation + the bandwidth as if none were
   * covered (free bandwidth read at quote time can be used up by another transaction before this
   * one lands — two payouts in a row — and then its bytes burn). Never below `expectedFee`.
   */
  readonly maxFee: bigint
  /** What it costs if the estimate holds: energy burn + bandwidth burn + activation. */
  readonly expectedFee: bigint
  /** The most TRX the transaction can take from the sender's balance beyond the amount. */
  readonly maxBurn: bigint
}

/** What {@link tronTransferCost} needs. */
export interface TronCostInput {
  readonly params: TronFeeParameters
  readonly resources: TronResources
  /** Bytes of the signed transaction (raw + one 65-byte signature, with their protobuf tags). */
  readonly signedSize: number
  /** 0 for TRX. */
  readonly energy: bigint
  /** A TRX transfer to an account that does not exist yet. */
  readonly createsAccount: boolean
}

/** The fee_limit for `energy` units: ceil(energy × 1.2) × energyFee, at most getMaxFeeLimit. */
export function tronFeeLimit(energy: bigint, params: TronFeeParameters): bigint {
  const units = (energy * ENERGY_MARGIN_NUM + ENERGY_MARGIN_DEN - 1n) / ENERGY_MARGIN_DEN
  const limit = units * params.energyFee
  return limit > params.maxFeeLimit ? params.maxFeeLimit : limit
}

/** The cost of a transfer as java-tron would charge it. */
export function tronTransferCost(input: TronCostInput): TronTransferCost {
  const { params, resources, energy, createsAccount } = input
  const bandwidthNeeded = BigInt(input.signedSize + TRON_RESULT_BYTES)
  let bandwidthCovered = 0n
  let bandwidthBurn = 0n
  let activationFee = 0n
  if (createsAccount) {
    activationFee = params.createNewAccountFeeInSystemContract
    if (bandwidthNeeded <= resources.netLeft) bandwidthCovered = bandwidthNeeded
    else activationFee += params.createAccountFee // in place of the bandwidth; the free allowance does not apply
  } else if (bandwidthNeeded <= resources.netLeft || bandwidthNeeded <= resources.freeNetLeft) bandwidthCovered = bandwidthNeeded
  else bandwidthBurn = bandwidthNeeded * params.transactionFee
  const energyCovered = energy < resources.energyLeft ? energy : resources.energyLeft
  const energyBurn = (energy - energyCovered) * params.energyFee
  const feeLimit = energy === 0n ? 0n : tronFeeLimit(energy, params)
  // Bandwidth if nothing covers it when the transaction lands: burned per byte, or for a new
  // account the account-creation fee in its place (already in activationFee when not covered).
  const worstBandwidth = createsAccount ? (bandwidthCovered > 0n ? params.createAccountFee : 0n) : bandwidthNeeded * params.transactionFee
  // The energy the limit allows, less what stake covers, is the most that can burn (never above fee_limit).
  const limitUnits = feeLimit / params.energyFee
  const burnUnits = limitUnits > resources.energyLeft ? limitUnits - resources.energyLeft : 0n
  const maxEnergyBurn = burnUnits * params.energyFee
  return {
    energyNeeded: energy,
    energyCovered,
    energyBurn,
    bandwidthNeeded,
    bandwidthCovered,
    bandwidthBurn,
    activationFee,
    feeLimit,
    maxFee: feeLimit + activationFee + worstBandwidth,
    expectedFee: energyBurn + bandwidthBurn + activationFee,
    maxBurn: (maxEnergyBurn > energyBurn ? maxEnergyBurn : energyBurn) + bandwidthBurn + activationFee,
  }
}
