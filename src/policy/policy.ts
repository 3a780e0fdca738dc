/**
 * Spending policies, enforced by the wallet before any signature: per-asset limits per
 * transaction and per rolling window (summed across chains for an asset family: 500 USDT a day
 * means on Ethereum, Polygon and Tron together), fiat limits through the price source, recipient
 * allow- and denylists, a maximum fee (absolute, or as a share of the amount), and a
 * confirmation hook for a UI or a second factor.
 *
 * Default-allow: with no rules, everything passes. Default-deny is a configuration:
 * `{ unlistedAssets: 'deny', allow: [...] }` refuses every asset without a limit and every
 * recipient not listed.
 *
 * What was spent is recorded when a transaction is authorised (before it is signed, so a
 * transaction signed but broadcast elsewhere still counts) and released only when the node
 * refuses it outright. The records are sealed with the vault (`vault.sealer('policy')`) and kept
 * in the vault's storage, so reopening the wallet does not reset a limit.
 * @module
 */
import { base64 } from '@scure/base'
import { assertInteger, assertOptions, describe } from '../core/assert.js'
import { parseAccountId, parseAssetId, type AssetId, type ChainId } from '../core/caip.js'
import { formatAmount, parseAmount } from '../core/amount.js'
import { CofferError, InvalidArgumentError, PolicyViolationError, VaultLockedError } from '../core/errors.js'
import { addDecimals, compareDecimals, fiatValue, formatDecimal, parsePrice, type Decimal } from '../core/decimal.js'
import type { PriceAssetInfo, PriceSource } from '../portfolio/prices.js'
import type { Sealer } from '../vault/sealer.js'
import { updateStorage, type VaultStorage } from '../vault/storage.js'

/** A limit on one asset, or on every asset of a family across chains. */
export interface AssetLimit {
  /** A family name (`'USDT'`, `'ETH'`) or a CAIP-19 asset id. */
  readonly asset: string
  /** Most per transaction, in whole units (`'500'`). */
  readonly perTransaction?: string
  /** Most per rolling window, in whole units, summed across chains for a family. */
  readonly perWindow?: string
  /** The window, default 24 hours. */
  readonly windowMs?: number
}

/** Limits on value, in the wallet's fiat currency, over every asset together. */
export interface FiatLimit {
  readonly perTransaction?: string
  readonly perWindow?: string
  /** Default 24 hours. */
  readonly windowMs?: number
}

/** What is about to be signed, as the policy and the confirmation hook see it. */
export interface SignSummary {
  readonly kind: 'transaction' | 'message' | 'typed-data'
  readonly chainId: ChainId
  readonly from: string
  /** Transactions: the recipient. */
  readonly to?: string
  readonly asset?: AssetId
  readonly symbol?: string
  readonly decimals?: number
  readonly family?: string
  readonly amount?: bigint
  readonly fee?: {
    readonly asset: AssetId
    readonly amount: bigint
    readonly decimals: number
    readonly symbol: string
    readonly family?: string
  }
  /** The chain is a test network (its coins have no market value; prices by family reach it only where the price source allows). */
  readonly testnet?: boolean
  /** Messages: the text (or hex of bytes); typed data: the primary type and domain. */
  readonly message?: string
  /**
   * Typed data that moves tokens (a permit, an authorization, Permit2): what it allows. `to`,
   * `asset` and `amount` then name the spender or recipient, the token and the amount (2^256 - 1
   * for an unlimited approval), and the limits apply as to a transfer.
   */
  readonly spend?: {
    readonly kind: 'approval' | 'transfer'
    readonly standard: string
    readonly unlimited: boolean
    readonly expiresAt?: number
  }
  /** Typed data moving several tokens at once (Permit2 batches): each movement; the hooks see them here. */
  readonly spends?: readonly SignSummary[]
  /** The amount's value in the wallet currency, when priced. */
  readonly value?: string
  readonly currency?: string
}

/** Policy configuration. */
export interface PolicyOptions {
  readonly limits?: readonly AssetLimit[]
  readonly fiat?: FiatLimit
  /** When set, only these recipients (addresses, or CAIP-10 ids to name the chain too). */
  readonly allow?: readonly string[]
  /** Never these recipients. */
  readonly deny?: readonly string[]
  /** Most fee per fee asset, in whole units: `{ ETH: '0.01', 'eip155:137/slip44:60': '2' }`. */
  readonly maxFee?: Readonly<Record<string, string>>
  /** Most fee as a share of the amount (0.05 = 5%), compared by value when the fee is paid in another asset. */
  readonly maxFeeShare?: number
  /** Assets no limit names: `'allow'` (default) or `'deny'`. */
  readonly unlistedAssets?: 'allow' | 'deny'
  /** Asked last, before anything is signed; `false` refuses. */
  readonly onBeforeSign?: (summary: SignSummary) => boolean | Promise<boolean>
}

/** Where the policy keeps what was spent (a VaultStorage: its `update` makes every record change a read-modify-write under its lock). */
export type PolicyStore = VaultStorage

/** An authorised spend: commit once signed and sent, release if the node refused it. */
export interface Reservation {
  readonly id: string
  /** The send went out (or may have): keep it counted. */
  commit(): Promise<void>
  /** The node refused it outright: stop counting it. */
  release(): Promise<void>
}

interface SpendRecord {
  id: string
  time: number
  asset: AssetId
  family?: string
  amount: string
  decimals: number
  /** Value in the wallet currency when priced. */
  value?: string
}

const DAY = 86_400_000
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/
const STORE_KEY = 'policy'
const STORE_FORMAT = 'coffer-policy-v1'

function decimalText(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^\d{1,60}(\.\d{1,36})?$/.test(value))
    throw new InvalidArgumentError(`${name} must be a decimal string such as "500" or "0.25", got ${describe(value)}.`)
  return value
}

function windowOf(ms: unknown, name: string): number {
  return ms === undefined ? DAY : assertInteger(ms, name, 1_000, 366 * DAY)
}

/** A recipient rule: an address on any chain, or a CAIP-10 id on one chain. */
interface Recipient {
  chainId?: ChainId
  address: string
}

function recipient(entry: unknown, name: string): Recipient {
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > 200)
    throw new InvalidArgumentError(`${name} must be an address or a CAIP-10 account id.`)
  if (entry.split(':').length === 3) {
    const { chainId, address } = parseAccountId(entry)
    return { chainId, address: comparable(address) }
  }
  if (!/^[A-Za-z0-9]{20,128}$/.test(entry))
    throw new InvalidArgumentError(`${name} ${JSON.stringify(entry.slice(0, 60))} is neither an address nor a CAIP-10 account id.`)
  return { address: comparable(entry) }
}

/** Hex and bech32 addresses compare case-insensitively; base58 ones exactly. */
function comparable(address: string): string {
  return /^0x/i.test(address) || /^(bc|tb|bcrt)1/i.test(address) ? address.toLowerCase() : address
}

const matches = (list: readonly Recipient[], chainId: ChainId, to: string) =>
  list.some((r) => (!r.chainId || r.chainId === chainId) && r.address === comparable(to))

function limitMatches(limit: AssetLimit, asset: AssetId, family: string | undefined): boolean {
  return FAMILY.test(limit.asset) ? limit.asset === family : limit.asset.toLowerCase() === asset.toLowerCase()
}

/** Checks options; throws InvalidArgumentError on the first problem. */
function checkOptions(options: PolicyOptions | undefined): PolicyOptions {
  const o = assertOptions(options, 'policy')
  // A misspelt rule must not silently mean "no rule".
  known(o, ['limits', 'fiat', 'allow', 'deny', 'maxFee', 'maxFeeShare', 'unlistedAssets', 'onBeforeSign'], 'policy')
  const limits = o.limits === undefined ? [] : o.limits
  if (!Array.isArray(limits)) throw new InvalidArgumentError('policy.limits must be an array.')
  limits.forEach((l, i) => {
    const limit = assertOptions(l as AssetLimit, `policy.limits[${i}]`)
    known(limit, ['asset', 'perTransaction', 'perWindow', 'windowMs'], `policy.limits[${i}]`)
    if (typeof limit.asset !== 'string' || !(FAMILY.test(limit.asset) || tryAsset(limit.asset))) {
      throw new InvalidArgumentError(`policy.limits[${i}].asset must be a family name ("USDT") or a CAIP-19 asset id.`)
    }
    if (limit.perTransaction === undefined && limit.perWindow === undefined)
      throw new InvalidArgumentError(`policy.limits[${i}] needs perTransaction or perWindow.`)
    if (limit.perTransaction !== undefined) decimalText(limit.perTransaction, `policy.limits[${i}].perTransaction`)
    if (limit.perWindow !== undefined) decimalText(limit.perWindow, `policy.limits[${i}].perWindow`)
    windowOf(limit.windowMs, `policy.limits[${i}].windowMs`)
  })
  if (o.fiat !== undefined) {
    const f = assertOptions(o.fiat, 'policy.fiat')
    known(f, ['perTransaction', 'perWindow', 'windowMs'], 'policy.fiat')
    if (f.perTransaction !== undefined) decimalText(f.perTransaction, 'policy.fiat.perTransaction')
    if (f.perWindow !== undefined) decimalText(f.perWindow, 'policy.fiat.perWindow')
    windowOf(f.windowMs, 'policy.fiat.windowMs')
  }
  for (const name of ['allow', 'deny'] as const) {
    const list = o[name]
    if (list !== undefined && !Array.isArray(list)) throw new InvalidArgumentError(`policy.${name} must be an array of addresses.`)
    list?.forEach((e, i) => recipient(e, `policy.${name}[${i}]`))
  }
  if (o.maxFee !== undefined) {
    if (
      o.maxFee === null ||
      typeof o.maxFee !== 'object' ||
      Array.isArray(o.maxFee) ||
      ![Object.prototype, null].includes(Object.getPrototypeOf(o.maxFee) as object | null)
    )
      throw new InvalidArgumentError('policy.maxFee must map fee assets (family or CAIP-19) to decimal amounts.')
    for (const [k, v] of Object.entries(o.maxFee)) {
      if (!(FAMILY.test(k) || tryAsset(k)))
        throw new InvalidArgumentError(`policy.maxFee key ${JSON.stringify(k.slice(0, 60))} is neither a family nor a CAIP-19 id.`)
      decimalText(v, `policy.maxFee[${JSON.stringify(k.slice(0, 60))}]`)
    }
  }
  if (o.maxFeeShare !== undefined && (typeof o.maxFeeShare !== 'number' || !(o.maxFeeShare > 0 && o.maxFeeShare <= 1))) {
    throw new InvalidArgumentError('policy.maxFeeShare must be a number above 0 and at most 1 (0.05 = 5%).')
  }
  if (o.unlistedAssets !== undefined && o.unlistedAssets !== 'allow' && o.unlistedAssets !== 'deny')
    throw new InvalidArgumentError('policy.unlistedAssets must be "allow" or "deny".')
  if (o.onBeforeSign !== undefined && typeof o.onBeforeSign !== 'function')
    throw new InvalidArgumentError('policy.onBeforeSign must be a function.')
  return o as PolicyOptions
}

function known(value: object, keys: readonly string[], name: string): void {
  const extra = Object.keys(value).find((k) => !keys.includes(k))
  if (extra !== undefined)
    throw new InvalidArgumentError(`${name} has no rule ${JSON.stringify(extra.slice(0, 40))}; known: ${keys.join(', ')}.`)
}

function tryAsset(id: string): boolean {
  try {
    parseAssetId(id)
    return true
  } catch {
    return false
  }
}

function refuse(rule: string, message: string, details: Record<string, string> = {}): never {
  throw new PolicyViolationError(`Refused by policy (${rule}): ${message}`, { details: { rule, ...details } })
}

/** Evaluates policies and keeps the spending records. */
export class PolicyEngine {
  readonly #options: PolicyOptions
  readonly #store: PolicyStore | undefined
  /** undefined: records are kept in the clear (no vault); a function returning undefined: the vault is locked. */
  readonly #sealer: (() => Sealer | undefined) | undefined
  readonly #prices: PriceSource | undefined
  readonly #currency: string
  readonly #now: () => number
  /** Records to use when the store has none (the wallet rebuilds them from its journal). */
  #fallback: (() => Promise<SpendRecord[]>) | undefined
  #lock: Promise<unknown> = Promise.resolve()

  constructor(
    options: PolicyOptions | undefined,
    context: { store?: PolicyStore; sealer?: () => Sealer | undefined; prices?: PriceSource; currency?: string; now?: () => number } = {},
  ) {
    this.#options = checkOptions(options)
    this.#store = context.store
    this.#sealer = context.sealer
    this.#prices = context.prices
    this.#currency = context.currency ?? 'usd'
    this.#now = context.now ?? Date.now
  }

  /** The rules in force (validated). */
  get options(): PolicyOptions {
    return this.#options
  }

  /**
   * Checks a transaction against every rule and, if it passes, records it as spent. Then asks the
   * confirmation hooks (the policy's, then `confirm`); a refusal there releases the record.
   * @throws PolicyViolationError naming the rule that refused
   */
  async authorize(
    summary: SignSummary,
    confirm?: (summary: SignSummary) => boolean | Promise<boolean>,
    options: { id?: string } = {},
  ): Promise<Reservation> {
    const prices = await this.#pricesFor(summary)
    const [{ record, priced }] = (await this.#record([summary], prices, options.id)) as [{ record: SpendRecord; priced: SignSummary }]
    const reservation = this.#reservation([record.id])
    try {
      await this.#confirm(priced, confirm)
    } catch (error) {
      await reservation.release()
      throw error
    }
    return reservation
  }

  /**
   * Checks every token movement of one typed-data signature as {@link authorize} checks a
   * transfer (lists, limits, fiat; all or none are recorded), then asks the hooks once: with the
   * movement's summary, or for several with `base` carrying them in `spends`. With `id` (a
   * wallet's batch payment), the records are `id`, `id#1`, `id#2`, …: `release(id)` frees them all.
   * @throws PolicyViolationError naming the rule that refused
   */
  async authorizeSpends(
    spends: readonly SignSummary[],
    base: SignSummary,
    confirm?: (summary: SignSummary) => boolean | Promise<boolean>,
    options: { id?: string } = {},
  ): Promise<Reservation> {
    const prices = new Map<AssetId, Decimal>()
    for (const spend of spends) for (const [id, price] of await this.#pricesFor(spend)) prices.set(id, price)
    const checked = await this.#record(spends, prices, options.id)
    const reservation = this.#reservation(checked.map((c) => c.record.id))
    try {
      await this.#confirm(
        checked.length === 1 ? (checked[0]?.priced as SignSummary) : { ...base, spends: checked.map((c) => c.priced) },
        confirm,
      )
    } catch (error) {
      await reservation.release()
      throw error
    }
    return reservation
  }

  /**
   * Stops counting a spend recorded under `id` (a reservation's id, or the id a wallet gave
   * `authorize` or `authorizeSpends`, with the batch's `id#n` records): for a payment proven
   * never to be mined. No error when there is none.
   */
  async release(id: string): Promise<void> {
    await this.#drop([id], true)
  }

  /** Runs the confirmation hooks for a message or typed data (limits do not apply to them). @throws PolicyViolationError */
  async confirmSignature(summary: SignSummary, confirm?: (summary: SignSummary) => boolean | Promise<boolean>): Promise<void> {
    await this.#confirm(summary, confirm)
  }

  async #confirm(summary: SignSummary, confirm?: (summary: SignSummary) => boolean | Promise<boolean>): Promise<void> {
    for (const [name, hook] of [
      ['onBeforeSign', this.#options.onBeforeSign],
      ['confirm', confirm],
    ] as const) {
      if (!hook) continue
      let ok: unknown
      try {
        ok = await hook(summary)
      } catch (cause) {
        throw new PolicyViolationError(`Refused by policy (${name}): the confirmation hook threw.`, { details: { rule: name }, cause })
      }
      if (ok !== true) refuse(name, 'the confirmation hook declined.')
    }
  }

  async #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task)
    this.#lock = run.catch(() => undefined)
    return run
  }

  /** The prices a summary's fiat and fee-share rules need (read before the records are locked). */
  async #pricesFor(summary: SignSummary): Promise<Map<AssetId, Decimal>> {
    const o = this.#options
    const { asset, fee } = summary
    if (asset === undefined) return new Map()
    const needPrices = o.fiat !== undefined || (o.maxFeeShare !== undefined && fee !== undefined && fee.asset !== asset)
    if (!needPrices) return new Map<AssetId, Decimal>()
    // What the wallet knows of both assets (from the adapter), so family prices reach configured tokens.
    const testnet = summary.testnet === true
    const info: PriceAssetInfo[] = [{ id: asset, ...(summary.family ? { family: summary.family } : {}), testnet }]
    if (fee && fee.asset !== asset) info.push({ id: fee.asset, ...(fee.family ? { family: fee.family } : {}), testnet })
    return this.#pricesOf(info)
  }

  /**
   * Checks each summary against every rule, counting the ones before it, and stores them all as
   * spent in one read-modify-write of the records (all or none). @throws PolicyViolationError
   */
  async #record(
    summaries: readonly SignSummary[],
    prices: ReadonlyMap<AssetId, Decimal>,
    id?: string,
  ): Promise<{ record: SpendRecord; priced: SignSummary }[]> {
    let out: { record: SpendRecord; priced: SignSummary }[] = []
    await this.#mutate((records) => {
      out = []
      const now = this.#now()
      let all = records
      for (const [i, summary] of summaries.entries()) {
        const checked = this.#check(summary, all, prices, now, id === undefined ? undefined : i === 0 ? id : `${id}#${i}`)
        out.push(checked)
        all = [...all, checked.record]
      }
      return all
    })
    return out
  }

  #check(
    summary: SignSummary,
    records: readonly SpendRecord[],
    prices: ReadonlyMap<AssetId, Decimal>,
    now: number,
    id?: string,
  ): { record: SpendRecord; priced: SignSummary } {
    const o = this.#options
    const { chainId, to, asset, amount, decimals, family, fee } = summary
    if (to === undefined || asset === undefined || amount === undefined || decimals === undefined)
      throw new InvalidArgumentError('A transaction summary needs to, asset, amount and decimals.')
    const symbol = summary.symbol ?? asset
    if (
      o.deny &&
      matches(
        o.deny.map((e, i) => recipient(e, `deny[${i}]`)),
        chainId,
        to,
      )
    )
      refuse('deny', `${to} is on the denylist.`, { to })
    if (
      o.allow &&
      !matches(
        o.allow.map((e, i) => recipient(e, `allow[${i}]`)),
        chainId,
        to,
      )
    )
      refuse('allow', `${to} is not on the allowlist.`, { to })

    const limits = (o.limits ?? []).filter((l) => limitMatches(l, asset, family))
    if (limits.length === 0 && o.unlistedAssets === 'deny')
      refuse('unlistedAssets', `no limit names ${symbol} (${asset}), and unlisted assets are denied.`, { asset })
    for (const limit of limits) {
      const scale = 36
      const units = amount * 10n ** BigInt(scale - decimals)
      if (limit.perTransaction !== undefined && units > parseAmount(limit.perTransaction, scale)) {
        refuse(
          'perTransaction',
          `${formatAmount(amount, decimals)} ${symbol} is more than ${limit.perTransaction} ${limit.asset} per transaction.`,
          { asset: limit.asset, limit: limit.perTransaction },
        )
      }
      if (limit.perWindow !== undefined) {
        const window = windowOf(limit.windowMs, 'windowMs')
        const spent = records
          .filter((r) => r.time > now - window && limitMatches(limit, r.asset, r.family))
          .reduce((sum, r) => sum + BigInt(r.amount) * 10n ** BigInt(scale - r.decimals), 0n)
        if (spent + units > parseAmount(limit.perWindow, scale)) {
          refuse(
            'perWindow',
            `${formatAmount(amount, decimals)} ${symbol} would bring the last ${hours(window)} to ${formatAmount(spent + units, scale)} ${limit.asset}, over the limit of ${limit.perWindow} (already spent: ${formatAmount(spent, scale)}).`,
            { asset: limit.asset, limit: limit.perWindow, spent: formatAmount(spent, scale) },
          )
        }
      }
    }

    const price = prices.get(asset)
    const value = price ? fiatValue(amount, decimals, price) : undefined
    if (o.fiat !== undefined) {
      if (!value) refuse('fiat', `no ${this.#currency.toUpperCase()} price for ${symbol}, so the fiat limit cannot be checked.`, { asset })
      if (o.fiat.perTransaction !== undefined && compareDecimals(value, parsePrice(o.fiat.perTransaction)) > 0) {
        refuse(
          'fiatPerTransaction',
          `${formatDecimal(value, 2)} ${this.#currency.toUpperCase()} is more than ${o.fiat.perTransaction} per transaction.`,
          { limit: o.fiat.perTransaction },
        )
      }
      if (o.fiat.perWindow !== undefined) {
        const window = windowOf(o.fiat.windowMs, 'windowMs')
        const spent = records
          .filter((r) => r.time > now - window && r.value !== undefined)
          .reduce((sum, r) => addDecimals(sum, parsePrice(r.value as string)), { units: 0n, scale: 0 } as Decimal)
        if (compareDecimals(addDecimals(spent, value), parsePrice(o.fiat.perWindow)) > 0) {
          refuse(
            'fiatPerWindow',
            `${formatDecimal(value, 2)} ${this.#currency.toUpperCase()} would bring the last ${hours(window)} over ${o.fiat.perWindow} (already spent: ${formatDecimal(spent, 2)}).`,
            {
              limit: o.fiat.perWindow,
              spent: formatDecimal(spent, 2),
            },
          )
        }
      }
    }
    if (fee) this.#checkFee(summary, fee, prices)

    const record: SpendRecord = {
      id: id ?? `${now.toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      time: now,
      asset,
      ...(family ? { family } : {}),
      amount: amount.toString(),
      decimals,
      ...(value ? { value: formatDecimal(value) } : {}),
    }
    const priced: SignSummary = value ? { ...summary, value: formatDecimal(value, 2), currency: this.#currency } : summary
    return { record, priced }
  }

  #checkFee(summary: SignSummary, fee: NonNullable<SignSummary['fee']>, prices: ReadonlyMap<AssetId, Decimal>): void {
    const o = this.#options
    if (o.maxFee) {
      const feeFamily = summary.asset === fee.asset ? summary.family : undefined
      // Every cap that names the fee asset applies (by family and by id alike): the strictest decides.
      for (const [k, cap] of Object.entries(o.maxFee)) {
        const names = FAMILY.test(k) ? k === (feeFamily ?? fee.symbol) : k.toLowerCase() === fee.asset.toLowerCase()
        if (names && fee.amount * 10n ** BigInt(36 - fee.decimals) > parseAmount(cap, 36)) {
          refuse('maxFee', `the fee of up to ${formatAmount(fee.amount, fee.decimals)} ${fee.symbol} is more than ${cap}.`, { limit: cap })
        }
      }
    }
    if (o.maxFeeShare !== undefined && summary.amount !== undefined && summary.decimals !== undefined) {
      const share = parsePrice(String(o.maxFeeShare))
      let over: boolean
      if (fee.asset === summary.asset) {
        over = compareDecimals({ units: fee.amount, scale: 0 }, fiatValue(summary.amount, 0, share)) > 0
      } else {
        const feePrice = prices.get(fee.asset)
        const amountPrice = summary.asset ? prices.get(summary.asset) : undefined
        if (!feePrice || !amountPrice)
          refuse('maxFeeShare', `no prices to compare the fee in ${fee.symbol} with the amount in ${summary.symbol ?? summary.asset}.`)
        const feeValue = fiatValue(fee.amount, fee.decimals, feePrice)
        const amountValue = fiatValue(summary.amount, summary.decimals, amountPrice)
        over =
          compareDecimals(feeValue, fiatValue(1n, 0, { units: amountValue.units * share.units, scale: amountValue.scale + share.scale })) >
          0
      }
      if (over) refuse('maxFeeShare', `the fee would be more than ${o.maxFeeShare * 100}% of the amount.`, { limit: String(o.maxFeeShare) })
    }
  }

  async #pricesOf(assets: readonly PriceAssetInfo[]): Promise<Map<AssetId, Decimal>> {
    const out = new Map<AssetId, Decimal>()
    if (!this.#prices) return out
    try {
      const quotes = await this.#prices.getPrices([...new Set(assets.map((a) => a.id))], this.#currency, { assets })
      for (const [id, q] of quotes) out.set(id, parsePrice(q.price))
    } catch {
      // No prices: rules that need them refuse below.
    }
    return out
  }

  #reservation(ids: readonly string[]): Reservation {
    return Object.freeze({
      id: ids.join(','),
      commit: async () => undefined,
      release: () => this.#drop(ids),
    })
  }

  /** Removes records (`batches`: and each id's `id#n` records). */
  async #drop(ids: readonly string[], batches = false): Promise<void> {
    if (ids.length === 0) return
    const gone = (r: SpendRecord) => ids.includes(r.id) || (batches && ids.some((id) => r.id.startsWith(`${id}#`)))
    await this.#mutate((records) => (records.some(gone) ? records.filter((r) => !gone(r)) : undefined))
  }

  /**
   * Where spending records come from when the store holds none: a wallet passes a rebuild from
   * its audit journal, so deleting the policy record does not reset the limits. @internal
   */
  useFallback(
    rebuild: () => Promise<
      readonly { id?: string; time: number; asset: AssetId; family?: string; amount: bigint; decimals: number; value?: string }[]
    >,
  ): void {
    this.#fallback = async () =>
      (await rebuild()).map((r, i) => ({
        id: r.id ?? `journal-${i}`,
        time: r.time,
        asset: r.asset,
        ...(r.family ? { family: r.family } : {}),
        amount: r.amount.toString(),
        decimals: r.decimals,
        ...(r.value ? { value: r.value } : {}),
      }))
  }

  /**
   * One read-modify-write of the records: `change` gets what is stored now (or the fallback
   * rebuild when nothing is) and returns the new list, or undefined to keep it. With a store it
   * runs under the storage's lock (across processes for fileStorage), so two wallets on one
   * storage never lose each other's spends; in this process calls are also serialised.
   */
  async #mutate(change: (records: SpendRecord[]) => SpendRecord[] | undefined): Promise<void> {
    await this.#exclusive(async () => {
      const apply = async (text: string | undefined): Promise<string | undefined> => {
        const records = text === undefined ? (this.#fallback ? await this.#fallback() : []) : await this.#open(text)
        const next = change(records)
        return next === undefined ? undefined : this.#seal(next)
      }
      if (this.#store) await updateStorage(this.#store, STORE_KEY, apply)
      else {
        const next = await apply(this.#memory)
        if (next !== undefined) this.#memory = next
      }
    })
  }

  /** The records' text when there is no store. */
  #memory: string | undefined

  async #open(text: string): Promise<SpendRecord[]> {
    const sealer = this.#sealer?.()
    try {
      const data = JSON.parse(text) as { format?: unknown; sealed?: unknown; records?: unknown }
      if (data.format !== STORE_FORMAT) throw new Error('format')
      let records: unknown = data.records
      // With a vault, only sealed records count: plain ones could have been written by anyone.
      if (this.#sealer && typeof data.sealed !== 'string') throw new Error('not sealed')
      if (typeof data.sealed === 'string') {
        if (!sealer) throw new VaultLockedError('Unlock the wallet: the spending records are sealed with the vault.')
        records = JSON.parse(
          new TextDecoder().decode(await sealer.open(base64.decode(data.sealed), new TextEncoder().encode(STORE_FORMAT))),
        )
      }
      if (!Array.isArray(records)) throw new Error('records')
      return records.filter(isRecord)
    } catch (cause) {
      if (cause instanceof VaultLockedError) throw cause
      // Never fail open: unreadable spending records would reset every limit.
      throw new PolicyViolationError(
        'Refused by policy (records): the spending records cannot be read, so limits cannot be checked. Restore them or reset the policy state deliberately.',
        {
          details: { rule: 'records' },
          cause: cause instanceof CofferError ? cause : undefined,
        },
      )
    }
  }

  /** The stored text of `records` (sealed with the vault when there is one), older ones than every window dropped. */
  async #seal(records: readonly SpendRecord[]): Promise<string> {
    const horizon = Math.max(
      DAY,
      ...(this.#options.limits ?? []).map((l) => windowOf(l.windowMs, 'windowMs')),
      windowOf(this.#options.fiat?.windowMs, 'windowMs'),
    )
    const kept = records.filter((r) => r.time > this.#now() - horizon)
    const json = JSON.stringify(kept)
    if (!this.#sealer) return JSON.stringify({ format: STORE_FORMAT, records: kept })
    const sealer = this.#sealer()
    // Never fall back to plain records: they would be accepted by nobody and trusted by no one.
    if (!sealer) throw new VaultLockedError('The wallet locked before the spending records could be saved.')
    return JSON.stringify({
      format: STORE_FORMAT,
      sealed: base64.encode(await sealer.seal(new TextEncoder().encode(json), new TextEncoder().encode(STORE_FORMAT))),
    })
  }
}

function isRecord(r: unknown): r is SpendRecord {
  const x = r as Partial<SpendRecord> | null
  return (
    !!x &&
    typeof x.id === 'string' &&
    typeof x.time === 'number' &&
    typeof x.asset === 'string' &&
    typeof x.amount === 'string' &&
    /^\d+$/.test(x.amount) &&
    typeof x.decimals === 'number'
  )
}

function hours(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 1000)} s`
}
