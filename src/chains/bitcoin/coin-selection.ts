/**
 * Bitcoin coin selection: which UTXOs to spend for a payment, and what fee and change follow.
 *
 * 1. Branch and bound (Bitcoin Core's `SelectCoinsBnB`, after Murch): a change-less input set
 *    whose value covers the payment and the fee, overshooting by at most the cost of change
 *    (a change output now plus spending it later at `longTermFeeRate`); lowest waste wins.
 * 2. Otherwise the lowest-waste of a few simple candidates (largest-first, smallest-first,
 *    single smallest sufficient UTXO). A change output is added only when it would carry at
 *    least its dust threshold; a smaller remainder goes to the fee.
 * 3. `target: 'max'` sweeps every eligible UTXO to the one recipient, without change.
 *
 * Fees are exact: `fee = vsize × feeRate` of the signed transaction (signatures at their upper
 * bound, see `./vsize.ts`), except that a remainder too small for change also goes to the fee.
 * Effective values and waste are kept in quarter-satoshis internally so fractional vbytes
 * (a p2tr input is 57.5 vB) are neither lost nor double-rounded.
 * @module
 */
import { assertOneOf, describe } from '../../core/assert.js'
import { InsufficientFundsError, InvalidArgumentError } from '../../core/errors.js'
import {
  dustThreshold,
  inputWeight,
  isSegwit,
  outputWeight,
  SCRIPT_TYPES,
  varIntSize,
  WITNESS_SCALE_FACTOR,
  type ScriptType,
} from './vsize.js'

/** Script types a payment may go to. */
export type RecipientType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr'
/** Every {@link RecipientType}. */
export const RECIPIENT_TYPES: readonly RecipientType[] = ['p2pkh', 'p2sh', 'p2wpkh', 'p2wsh', 'p2tr']

/** An unspent output the wallet can spend. */
export interface Utxo {
  /** `txid:vout`; unique within one selection. */
  id: string
  /** Value in satoshis. */
  value: bigint
  /** Script type of the output (decides the size of the input that spends it). */
  type: ScriptType
  /** Whether the transaction that created it is confirmed. */
  confirmed: boolean
}

/** What to pay and from which UTXOs. */
export interface SelectionParams {
  /** UTXOs to choose from. */
  utxos: readonly Utxo[]
  /** Satoshis the recipients get in total (> 0), or `'max'` to sweep everything to one recipient. */
  target: bigint | 'max'
  /** Fee rate in sat/vB, 1 to 100,000. */
  feeRate: bigint
  /** Fee rate (sat/vB) expected when change is spent later; decides waste. Default 10n. */
  longTermFeeRate?: bigint
  /** Script types of the recipient outputs (usually one; exactly one for `'max'`). */
  outputs: readonly RecipientType[]
  /** Script type of the change output, if one is made. */
  changeType: ScriptType
  /** Spend unconfirmed UTXOs too. Default false. */
  allowUnconfirmed?: boolean
}

/** The chosen inputs and the resulting transaction's money flow. Σ inputs = amount + change + fee. */
export interface Selection {
  /** UTXOs to spend. */
  inputs: Utxo[]
  /** Fee in satoshis: vsize × feeRate, plus any remainder too small for change. */
  fee: bigint
  /** Change in satoshis; 0n when there is no change output. */
  change: bigint
  /** Virtual size in vB of the signed transaction (upper bound). */
  vsize: number
  /** Satoshis the recipients get: the target, or everything left after the fee for `'max'`. */
  amount: bigint
  /** Bitcoin Core's waste metric in satoshis (rounded up); lower is better. */
  waste: bigint
  /** Which algorithm produced this selection. */
  algorithm: 'bnb' | 'lowest-waste' | 'sweep'
}

/** Highest fee rate accepted, in sat/vB. */
export const MAX_FEE_RATE = 100_000n
/** Default long-term fee rate, in sat/vB. */
const DEFAULT_LONG_TERM_FEE_RATE = 10n
/** Branch-and-bound gives up after this many steps (Bitcoin Core's TOTAL_TRIES). */
const BNB_MAX_TRIES = 100_000
const MAX_MONEY = 21_000_000n * 100_000_000n
const Q = BigInt(WITNESS_SCALE_FACTOR)

const ceilDiv = (a: bigint, b: bigint): bigint => (a > 0n ? (a + b - 1n) / b : a / b)

/** `utxo.value` minus the fee its input costs at `feeRate` (⌈inputWeight × feeRate / 4⌉). */
export function effectiveValue(utxo: Pick<Utxo, 'value' | 'type'>, feeRate: bigint): bigint {
  return utxo.value - ceilDiv(BigInt(inputWeight(utxo.type)) * feeRate, Q)
}

/** A spendable UTXO with its input weight and its effective value in quarter-satoshis (4·value − weight·feeRate). */
type Coin = { utxo: Utxo; weight: number; segwit: boolean; effQ: bigint }
/** Running totals of an input set: enough to size the transaction in O(1). */
type Tally = { count: number; segwit: number; weight: number; value: bigint }
/** Everything but the inputs. `costOfChange`: a change output now plus spending it later at the long-term rate. */
type Context = { amount: bigint; feeRate: bigint; longTermFeeRate: bigint; dust: bigint; costOfChange: bigint } & {
  outputs: readonly RecipientType[]
  outputsWeight: number
  changeWeight: number
}
type Priced = { selection: Selection; wasteQ: bigint }

function tally(coins: readonly Coin[] = []): Tally {
  const t = { count: 0, segwit: 0, weight: 0, value: 0n }
  for (const c of coins) add(t, c, 1)
  return t
}
function add(t: Tally, c: Coin, sign: 1 | -1): void {
  t.count += sign
  t.segwit += c.segwit ? sign : 0
  t.weight += c.weight * sign
  t.value += BigInt(sign) * c.utxo.value
}

/** Exact weight of a transaction spending `t` to the recipients (and change), as `txWeight` counts it. */
function weightOf(t: Tally, ctx: Context, withChange: boolean): number {
  const outs = ctx.outputs.length + (withChange ? 1 : 0)
  let w =
    (8 + varIntSize(t.count) + varIntSize(outs)) * WITNESS_SCALE_FACTOR + t.weight + ctx.outputsWeight + (withChange ? ctx.changeWeight : 0)
  if (t.segwit > 0) w += 2 + (t.count - t.segwit)
  return w
}
const vsizeOf = (weight: number): number => Math.ceil(weight / WITNESS_SCALE_FACTOR)

/** Value left over after paying the recipients and the change-less fee; negative when short. */
function excessOf(t: Tally, ctx: Context): bigint {
  return t.value - ctx.amount - BigInt(vsizeOf(weightOf(t, ctx, false))) * ctx.feeRate
}

/** What a change output would carry after paying its own fee; may be below dust or negative. */
function changeOf(t: Tally, ctx: Context): bigint {
  return t.value - ctx.amount - BigInt(vsizeOf(weightOf(t, ctx, true))) * ctx.feeRate
}

/** Prices an input set: change only if it would reach the dust threshold (never if `changeless`). */
function price(t: Tally, coins: readonly Coin[], ctx: Context, algorithm: Selection['algorithm'], changeless = false): Priced | undefined {
  const excess = excessOf(t, ctx)
  if (excess < 0n) return undefined
  const inputWasteQ = BigInt(t.weight) * (ctx.feeRate - ctx.longTermFeeRate)
  const change = changeOf(t, ctx)
  const hasChange = !changeless && change >= ctx.dust
  const wasteQ = inputWasteQ + Q * (hasChange ? ctx.costOfChange : excess)
  const selection: Selection = {
    inputs: coins.map((c) => c.utxo),
    fee: t.value - ctx.amount - (hasChange ? change : 0n),
    change: hasChange ? change : 0n,
    vsize: vsizeOf(weightOf(t, ctx, hasChange)),
    amount: ctx.amount,
    waste: ceilDiv(wasteQ, Q),
    algorithm,
  }
  return { selection, wasteQ }
}

/** Depth-first search for a change-less set; `pool` sorted by descending effective value. */
function branchAndBound(pool: readonly Coin[], ctx: Context): Priced | undefined {
  // Lower bound on the fee of all but the inputs (1-byte input count, no segwit marker), so the
  // additive sum of effective values never understates the exact excess.
  const baseWeight = (8 + 1 + varIntSize(ctx.outputs.length)) * WITNESS_SCALE_FACTOR + ctx.outputsWeight
  const targetQ = Q * ctx.amount + BigInt(baseWeight) * ctx.feeRate
  const rateDelta = ctx.feeRate - ctx.longTermFeeRate
  let available = pool.reduce((sum, c) => sum + c.effQ, 0n)
  const selected: number[] = []
  const t = tally()
  let best: { picks: number[]; wasteQ: bigint } | undefined
  for (let tries = 0, index = 0; tries < BNB_MAX_TRIES; tries++, index++) {
    const currentQ = Q * t.value - BigInt(t.weight) * ctx.feeRate
    const wasteQ = BigInt(t.weight) * rateDelta // inputs' share; the excess is added at a leaf
    let backtrack = currentQ + available < targetQ || (rateDelta > 0n && best !== undefined && wasteQ > best.wasteQ)
    if (!backtrack && currentQ >= targetQ) {
      const excess = excessOf(t, ctx) // exact; may still be short by rounding and the segwit marker
      if (excess >= 0n) {
        backtrack = true // more inputs only add value: this branch is done
        if (excess <= ctx.costOfChange && (best === undefined || wasteQ + Q * excess < best.wasteQ))
          best = { picks: [...selected], wasteQ: wasteQ + Q * excess }
      }
    }
    if (backtrack || index === pool.length) {
      const last = selected.pop()
      if (last === undefined) break
      for (; index - 1 > last; index--) available += pool[index - 1]!.effQ
      index = last // the next step moves past it: the branch without this coin
      add(t, pool[last]!, -1)
    } else {
      const coin = pool[index]!
      const prev = pool[index - 1]
      available -= coin.effQ
      // Including a coin equal to the previous one, just excluded, would repeat that branch.
      if (prev === undefined || selected.at(-1) === index - 1 || coin.effQ !== prev.effQ || coin.weight !== prev.weight) {
        selected.push(index)
        add(t, coin, 1)
      }
    }
  }
  const coins = best?.picks.map((i) => pool[i]!)
  return coins && price(tally(coins), coins, ctx, 'bnb', true)
}

/** Adds coins in `order` (one at a time if not `cumulative`) until the set pays, with change if `wantChange`. */
function firstPaying(order: readonly Coin[], ctx: Context, cumulative: boolean, wantChange: boolean): Priced | undefined {
  let t = tally()
  let paying = -1
  for (const [i, coin] of order.entries()) {
    if (!cumulative) t = tally()
    add(t, coin, 1)
    if (excessOf(t, ctx) < 0n) continue
    paying = i
    if (!wantChange || changeOf(t, ctx) >= ctx.dust) break
  }
  const coins = cumulative ? order.slice(0, paying + 1) : order.slice(paying, paying + 1)
  return paying < 0 ? undefined : price(tally(coins), coins, ctx, 'lowest-waste')
}

/** Largest-first, smallest-first and single-coin candidates; the least waste wins (then lower fee, fewer inputs). */
function lowestWaste(descending: readonly Coin[], ctx: Context): Priced | undefined {
  const ascending = [...descending].reverse()
  const byValue = [...descending].sort((a, b) => (a.utxo.value < b.utxo.value ? -1 : a.utxo.value > b.utxo.value ? 1 : 0))
  const candidates = [descending, ascending].flatMap((order) =>
    [false, true].map((wantChange) => firstPaying(order, ctx, true, wantChange)),
  )
  candidates.push(firstPaying(byValue, ctx, false, true), firstPaying(byValue, ctx, false, false))
  const less = ({ wasteQ: w, selection: a }: Priced, { wasteQ: v, selection: b }: Priced) =>
    w !== v ? w < v : a.fee !== b.fee ? a.fee < b.fee : a.inputs.length < b.inputs.length
  return candidates.reduce<Priced | undefined>(
    (best, c) => (c !== undefined && (best === undefined || less(c, best)) ? c : best),
    undefined,
  )
}

function assertSats(value: unknown, name: string, min: bigint, max: bigint): bigint {
  if (typeof value === 'bigint' && value >= min && value <= max) return value
  throw new InvalidArgumentError(
    `${name} must be a bigint from ${min} to ${max}, got ${typeof value === 'bigint' ? `${value}n` : describe(value)}.`,
  )
}

function validate(params: SelectionParams): Required<SelectionParams> {
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    throw new InvalidArgumentError(`params must be an object, got ${describe(params)}.`)
  const { utxos, target, outputs } = params
  if (!Array.isArray(utxos)) throw new InvalidArgumentError(`utxos must be an array, got ${describe(utxos)}.`)
  const ids = new Set<string>()
  for (const [i, u] of (utxos as readonly unknown[]).entries()) {
    if (u === null || typeof u !== 'object') throw new InvalidArgumentError(`utxos[${i}] must be an object, got ${describe(u)}.`)
    const { id, value, type, confirmed } = u as Record<string, unknown>
    if (typeof id !== 'string' || id.length === 0 || id.length > 256)
      throw new InvalidArgumentError(`utxos[${i}].id must be a non-empty string (txid:vout), got ${describe(id)}.`)
    if (ids.has(id)) throw new InvalidArgumentError(`utxos[${i}].id is a duplicate: ${JSON.stringify(id)}.`, { details: { index: i } })
    ids.add(id)
    assertSats(value, `utxos[${i}].value`, 0n, MAX_MONEY)
    assertOneOf(type, `utxos[${i}].type`, SCRIPT_TYPES)
    if (typeof confirmed !== 'boolean')
      throw new InvalidArgumentError(`utxos[${i}].confirmed must be a boolean, got ${describe(confirmed)}.`)
  }
  if (target !== 'max') assertSats(target, 'target', 1n, MAX_MONEY)
  if (!Array.isArray(outputs) || outputs.length === 0)
    throw new InvalidArgumentError(`outputs must be a non-empty array of output types, got ${describe(outputs)}.`)
  for (const [i, o] of outputs.entries()) assertOneOf(o, `outputs[${i}]`, RECIPIENT_TYPES)
  if (target === 'max' && outputs.length !== 1)
    throw new InvalidArgumentError(`target 'max' sends everything to one recipient; got ${outputs.length} outputs.`)
  const allowUnconfirmed = params.allowUnconfirmed ?? false
  if (typeof allowUnconfirmed !== 'boolean')
    throw new InvalidArgumentError(`allowUnconfirmed must be a boolean, got ${describe(allowUnconfirmed)}.`)
  return {
    utxos,
    target,
    outputs,
    feeRate: assertSats(params.feeRate, 'feeRate', 1n, MAX_FEE_RATE),
    longTermFeeRate: assertSats(params.longTermFeeRate ?? DEFAULT_LONG_TERM_FEE_RATE, 'longTermFeeRate', 0n, MAX_FEE_RATE),
    changeType: assertOneOf(params.changeType, 'changeType', SCRIPT_TYPES),
    allowUnconfirmed,
  }
}

function insufficient(needed: bigint, available: bigint, unconfirmed: bigint, uneconomical: number): InsufficientFundsError {
  const note = unconfirmed > 0n ? ` (${unconfirmed} sats in unconfirmed UTXOs were not used; set allowUnconfirmed to spend them)` : ''
  return new InsufficientFundsError(`Insufficient funds: need ${needed} sats including fee, ${available} sats spendable${note}.`, {
    details: {
      needed: needed.toString(),
      available: available.toString(),
      unconfirmed: unconfirmed > 0n ? unconfirmed.toString() : undefined,
      uneconomical: uneconomical || undefined,
    },
  })
}

/**
 * Chooses the inputs, fee and change for a payment of `target` satoshis to `outputs`.
 * @throws InvalidArgumentError on malformed params; InsufficientFundsError when the eligible
 * UTXOs cannot pay: details `needed` (target + fee of spending every eligible UTXO; for `'max'`,
 * that fee + the recipient's dust threshold) and `available` (their total) are decimal satoshi strings.
 */
export function selectCoins(params: SelectionParams): Selection {
  const p = validate(params)
  let unconfirmed = 0n
  let uneconomical = 0
  const pool: Coin[] = []
  for (const utxo of p.utxos) {
    if (!utxo.confirmed && !p.allowUnconfirmed) {
      unconfirmed += utxo.value
      continue
    }
    const weight = inputWeight(utxo.type)
    const coin = { utxo, weight, segwit: isSegwit(utxo.type), effQ: Q * utxo.value - BigInt(weight) * p.feeRate }
    if (effectiveValue(utxo, p.feeRate) > 0n) pool.push(coin)
    else if (utxo.value > 0n) uneconomical++
  }
  const changeWeight = outputWeight(p.changeType)
  const ctx: Context = {
    amount: p.target === 'max' ? 0n : p.target,
    feeRate: p.feeRate,
    longTermFeeRate: p.longTermFeeRate,
    outputs: p.outputs,
    outputsWeight: p.outputs.reduce((w, o) => w + outputWeight(o), 0),
    changeWeight,
    dust: dustThreshold(p.changeType),
    costOfChange: ceilDiv(BigInt(changeWeight) * p.feeRate, Q) + ceilDiv(BigInt(inputWeight(p.changeType)) * p.longTermFeeRate, Q),
  }
  const all = tally(pool)
  const feeForAll = BigInt(vsizeOf(weightOf(all, ctx, false))) * p.feeRate

  if (p.target === 'max') {
    const amount = all.value - feeForAll
    const dust = dustThreshold(p.outputs[0]!)
    if (amount < dust) throw insufficient(feeForAll + dust, all.value, unconfirmed, uneconomical)
    return price(all, pool, { ...ctx, amount }, 'sweep', true)!.selection
  }

  pool.sort((a, b) => (a.effQ > b.effQ ? -1 : a.effQ < b.effQ ? 1 : a.weight - b.weight || (a.utxo.id < b.utxo.id ? -1 : 1)))
  const found = branchAndBound(pool, ctx) ?? lowestWaste(pool, ctx)
  if (found === undefined) throw insufficient(ctx.amount + feeForAll, all.value, unconfirmed, uneconomical)
  return found.selection
}
