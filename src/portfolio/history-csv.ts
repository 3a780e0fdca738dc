/**
 * A lossless transaction-history export for spreadsheets and accounting tools
 * ({@link historyToCsv}, {@link parseHistoryCsv}): RFC 4180 (csv.ts), exact decimal amounts,
 * text columns protected against formula injection; numeric columns never start with a sign,
 * so amounts stay numbers in the sheet.
 * @module
 */
import { assertInteger, assertOneOf, assertString, describe } from '../core/assert.js'
import { formatAmount, MAX_AMOUNT, MAX_DECIMALS, parseAmount } from '../core/amount.js'
import { parseAssetId, parseChainId, type AssetId, type ChainId } from '../core/caip.js'
import { CofferError, InvalidArgumentError } from '../core/errors.js'
import type { HistoryItem, TransactionState } from '../chains/adapter.js'
import { checkColumns, formatCsv, protectFormula, readRecords, shown, snippet, unprotectFormula, type CsvRecord } from './csv.js'

/**
 * A history item with what a person needs to read it: the asset's decimals and symbol, and
 * the fee asset's. `feeDecimals` is required when `fee` is present.
 */
export type CsvHistoryItem = HistoryItem & {
  /** Decimals of `asset`. */
  readonly decimals: number
  /** Ticker of `asset`, for people; an empty symbol reads back as absent. */
  readonly symbol?: string
  /** Decimals of `fee.asset`. */
  readonly feeDecimals?: number
  /** Ticker of `fee.asset`; an empty symbol reads back as absent. */
  readonly feeSymbol?: string
  /**
   * True for an asset the wallet does not vouch for (see `AccountAsset.unverified`): the
   * `unverified` column says `true`. False reads back as absent.
   */
  readonly unverified?: boolean
}

/**
 * Columns of the history CSV, in order. `counterparty` is the other side for people (`from`
 * for incoming, `to` otherwise); `from` and `to` keep the export lossless. Amounts are exact
 * non-negative decimals (`direction` carries the sign); empty means unknown or none.
 * `unverified` is `true` for an asset the wallet does not vouch for, else empty.
 */
export const HISTORY_CSV_COLUMNS = [
  'date',
  'chain',
  'asset',
  'symbol',
  'direction',
  'amount',
  'decimals',
  'fee',
  'fee_asset',
  'fee_symbol',
  'fee_decimals',
  'counterparty',
  'from',
  'to',
  'hash',
  'block',
  'state',
  'unverified',
] as const

/** Columns of exports made before the `unverified` column (still read; their items are never unverified). */
const LEGACY_COLUMNS = HISTORY_CSV_COLUMNS.slice(0, -1)

/** A column name of the history CSV. */
export type HistoryCsvColumn = (typeof HISTORY_CSV_COLUMNS)[number]

const DIRECTIONS = ['in', 'out', 'self'] as const
const STATES: readonly TransactionState[] = ['pending', 'confirmed', 'failed', 'dropped']
/** Largest |timestamp| a Date holds (ECMAScript: 8.64e15 ms either side of the epoch). */
const MAX_TIME = 8.64e15

/** The other side of a transfer, as people expect to see it. */
function counterpartyOf(item: Pick<HistoryItem, 'direction' | 'from' | 'to'>): string {
  return item.direction === 'in' ? item.from : item.to
}

/** Checks one item for export; errors name `items[i].field`. */
function checkItem(item: CsvHistoryItem, i: number): void {
  const name = `items[${i}]`
  if (item === null || typeof item !== 'object') throw new InvalidArgumentError(`${name} must be an object, got ${describe(item)}.`)
  const checkAsset = (field: string, asset: unknown): void => {
    let chainId: string
    try {
      chainId = parseAssetId(asset as string).chainId
    } catch (error) {
      throw new InvalidArgumentError(`${name}.${field} is not a CAIP-19 asset id: ${shown(asset)}.`, {
        details: { item: i, field },
        cause: error,
      })
    }
    if (chainId !== item.chainId)
      throw new InvalidArgumentError(`${name}.${field} is not on chain ${item.chainId}.`, { details: { item: i, field } })
  }
  try {
    parseChainId(item.chainId)
  } catch (error) {
    throw new InvalidArgumentError(`${name}.chainId is not a CAIP-2 chain id: ${shown(item.chainId)}.`, {
      details: { item: i, field: 'chainId' },
      cause: error,
    })
  }
  checkAsset('asset', item.asset)
  assertOneOf(item.direction, `${name}.direction`, DIRECTIONS)
  assertOneOf(item.state, `${name}.state`, STATES)
  for (const field of ['from', 'to', 'hash'] as const) assertString(item[field], `${name}.${field}`)
  const checkUnits = (field: string, units: unknown): void => {
    if (typeof units !== 'bigint' || units < 0n || units > MAX_AMOUNT) {
      throw new InvalidArgumentError(
        `${name}.${field} must be a bigint from 0 to 2^256 - 1, got ${typeof units === 'bigint' ? 'a value out of range' : describe(units)}.`,
      )
    }
  }
  checkUnits('amount', item.amount)
  assertInteger(item.decimals, `${name}.decimals`, 0, MAX_DECIMALS)
  if (item.symbol !== undefined) assertString(item.symbol, `${name}.symbol`)
  if (item.blockHeight !== undefined) assertInteger(item.blockHeight, `${name}.blockHeight`, 0, Number.MAX_SAFE_INTEGER)
  if (item.timestamp !== undefined) assertInteger(item.timestamp, `${name}.timestamp`, -MAX_TIME, MAX_TIME)
  if (item.feeDecimals !== undefined) assertInteger(item.feeDecimals, `${name}.feeDecimals`, 0, MAX_DECIMALS)
  if (item.feeSymbol !== undefined) assertString(item.feeSymbol, `${name}.feeSymbol`)
  if (item.unverified !== undefined && typeof item.unverified !== 'boolean')
    throw new InvalidArgumentError(`${name}.unverified must be a boolean, got ${describe(item.unverified)}.`)
  if (item.fee !== undefined) {
    if (item.fee === null || typeof item.fee !== 'object')
      throw new InvalidArgumentError(`${name}.fee must be { asset, amount }, got ${describe(item.fee)}.`)
    checkAsset('fee.asset', item.fee.asset)
    checkUnits('fee.amount', item.fee.amount)
    if (item.feeDecimals === undefined)
      throw new InvalidArgumentError(`${name}.feeDecimals is required when ${name}.fee is present.`, { details: { item: i } })
  }
}

/**
 * Writes transaction history as CSV ({@link HISTORY_CSV_COLUMNS}, header row first) for
 * spreadsheets and accounting tools. Dates are ISO 8601 UTC, amounts exact decimals, and
 * text columns are protected against formula injection. No byte-order mark is written;
 * prepend `'\uFEFF'` if Excel must detect UTF-8. {@link parseHistoryCsv} reads it back.
 *
 * @throws InvalidArgumentError naming the item and field, e.g. a fee without `feeDecimals`.
 */
export function historyToCsv(items: readonly CsvHistoryItem[]): string {
  if (!Array.isArray(items)) throw new InvalidArgumentError(`items must be an array, got ${describe(items)}.`)
  const rows: string[][] = [[...HISTORY_CSV_COLUMNS]]
  items.forEach((item: CsvHistoryItem, i) => {
    checkItem(item, i)
    const text = (value: string | undefined): string => protectFormula(value ?? '')
    const row: Record<HistoryCsvColumn, string> = {
      date: text(item.timestamp === undefined ? undefined : new Date(item.timestamp).toISOString()),
      chain: text(item.chainId),
      asset: text(item.asset),
      symbol: text(item.symbol),
      direction: text(item.direction),
      amount: formatAmount(item.amount, item.decimals),
      decimals: String(item.decimals),
      fee: item.fee === undefined ? '' : formatAmount(item.fee.amount, item.feeDecimals as number),
      fee_asset: text(item.fee?.asset),
      fee_symbol: text(item.feeSymbol),
      fee_decimals: item.feeDecimals === undefined ? '' : String(item.feeDecimals),
      counterparty: text(counterpartyOf(item)),
      from: text(item.from),
      to: text(item.to),
      hash: text(item.hash),
      block: item.blockHeight === undefined ? '' : String(item.blockHeight),
      state: text(item.state),
      unverified: item.unverified === true ? 'true' : '',
    }
    rows.push(HISTORY_CSV_COLUMNS.map((column) => row[column]))
  })
  return formatCsv(rows)
}

const ISO_DATE = /^(?:\d{4}|[+-]\d{6})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const UINT = /^(?:0|[1-9]\d*)$/

/** Parses one data record of the history CSV. */
function parseHistoryRecord({ fields, line }: CsvRecord): CsvHistoryItem {
  const raw = Object.fromEntries(HISTORY_CSV_COLUMNS.map((column, i) => [column, fields[i] ?? ''])) as Record<HistoryCsvColumn, string>
  const fail = (column: HistoryCsvColumn, problem: string, cause?: unknown): never => {
    throw new InvalidArgumentError(`CSV line ${line}, column "${column}": ${problem}`, { details: { line, column }, cause })
  }
  const text = (column: HistoryCsvColumn): string => unprotectFormula(raw[column])
  const optional = (column: HistoryCsvColumn): string | undefined => text(column) || undefined
  const uint = (column: HistoryCsvColumn, max: number): number | undefined => {
    const value = raw[column]
    if (value === '') return undefined
    if (!UINT.test(value) || Number(value) > max) fail(column, `expected an integer from 0 to ${max}, got ${snippet(value)}.`)
    return Number(value)
  }
  const oneOf = <const T extends string>(column: HistoryCsvColumn, allowed: readonly T[]): T => {
    const value = text(column)
    return (allowed as readonly string[]).includes(value)
      ? (value as T)
      : fail(column, `expected ${allowed.join(', ')}, got ${snippet(value)}.`)
  }
  const asset = (column: HistoryCsvColumn): AssetId => {
    const id = text(column)
    try {
      if (parseAssetId(id).chainId === chainId) return id as AssetId
    } catch (error) {
      fail(column, `not a CAIP-19 asset id: ${snippet(id)}.`, error)
    }
    return fail(column, `asset ${snippet(id)} is not on chain ${snippet(chainId)}.`)
  }
  const units = (column: HistoryCsvColumn, decimals: number): bigint => {
    try {
      return parseAmount(raw[column], decimals)
    } catch (error) {
      return fail(
        column,
        `${error instanceof CofferError ? error.shortMessage : 'not a decimal amount.'} Got ${snippet(raw[column])}.`,
        error,
      )
    }
  }

  let timestamp: number | undefined
  const date = text('date')
  if (date !== '') {
    const ms = ISO_DATE.test(date) ? Date.parse(date) : NaN
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== date) {
      fail('date', `expected an ISO 8601 UTC time like "2024-01-31T12:00:00.000Z", got ${snippet(date)}.`)
    }
    timestamp = ms
  }
  const chainId = text('chain') as ChainId
  try {
    parseChainId(chainId)
  } catch (error) {
    fail('chain', `not a CAIP-2 chain id: ${snippet(chainId)}.`, error)
  }
  const direction = oneOf('direction', DIRECTIONS)
  const state = oneOf('state', STATES)
  const decimals = uint('decimals', MAX_DECIMALS) ?? fail('decimals', 'is required.')
  const feeDecimals = uint('fee_decimals', MAX_DECIMALS)
  const blockHeight = uint('block', Number.MAX_SAFE_INTEGER)

  let fee: HistoryItem['fee']
  if (raw.fee !== '' || raw.fee_asset !== '') {
    if (raw.fee_asset === '') fail('fee_asset', 'is required when "fee" is set.')
    if (raw.fee === '') fail('fee', 'is required when "fee_asset" is set.')
    fee = { asset: asset('fee_asset'), amount: units('fee', feeDecimals ?? fail('fee_decimals', 'is required when "fee" is set.')) }
  }

  const item: { -readonly [K in keyof CsvHistoryItem]: CsvHistoryItem[K] } = {
    chainId,
    hash: text('hash'),
    asset: asset('asset'),
    direction,
    from: text('from'),
    to: text('to'),
    amount: units('amount', decimals),
    state,
    decimals,
  }
  if (blockHeight !== undefined) item.blockHeight = blockHeight
  if (timestamp !== undefined) item.timestamp = timestamp
  if (fee !== undefined) item.fee = fee
  const symbol = optional('symbol')
  if (symbol !== undefined) item.symbol = symbol
  if (feeDecimals !== undefined) item.feeDecimals = feeDecimals
  const feeSymbol = optional('fee_symbol')
  if (feeSymbol !== undefined) item.feeSymbol = feeSymbol
  if (raw.unverified === 'true') item.unverified = true
  else if (raw.unverified !== '') fail('unverified', `expected "true" or nothing, got ${snippet(raw.unverified)}.`)

  if (text('counterparty') !== counterpartyOf(item)) {
    fail('counterparty', `does not match "${direction === 'in' ? 'from' : 'to'}" for direction ${direction}.`)
  }
  return item
}

/**
 * Reads history written by {@link historyToCsv}: checks the header, every field (CAIP ids,
 * enums, exact amounts with their decimals, ISO dates) and rebuilds the items, so
 * `parseHistoryCsv(historyToCsv(items))` equals `items`. Empty optional columns give absent
 * keys, never `undefined` values. Exports made before the `unverified` column (a header
 * ending at `state`) are read too.
 *
 * @throws InvalidArgumentError naming the line and column.
 */
export function parseHistoryCsv(text: string): CsvHistoryItem[] {
  const records = readRecords(text)
  const header = records[0]
  if (header === undefined) throw new InvalidArgumentError('History CSV is empty; expected a header row.', { details: { line: 1 } })
  const legacy = header.fields.length === LEGACY_COLUMNS.length && LEGACY_COLUMNS.every((column, i) => header.fields[i] === column)
  const columns = legacy ? LEGACY_COLUMNS : HISTORY_CSV_COLUMNS
  const expected = HISTORY_CSV_COLUMNS.join(',')
  columns.forEach((column, i) => {
    const got = header.fields[i]
    if (got !== column) {
      throw new InvalidArgumentError(
        `CSV line ${header.line}: column ${i + 1} of the header is ${got === undefined ? 'missing' : snippet(got)}, expected "${column}". The header must be: ${expected}`,
        { details: { line: header.line, column: i + 1, expected: column } },
      )
    }
  })
  checkColumns(records, columns.length)
  return records.slice(1).map(parseHistoryRecord)
}
