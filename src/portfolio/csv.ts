/**
 * CSV for people and spreadsheets: strict RFC 4180 primitives ({@link formatCsv},
 * {@link parseCsv}) and a lossless transaction-history export ({@link historyToCsv},
 * {@link parseHistoryCsv}) with exact decimal amounts.
 *
 * Records end with CRLF (the last one too). A field is quoted only when it must be: it holds
 * `,` `"` CR or LF, starts or ends with a space or tab, or starts with a byte-order mark; a
 * record of one empty field is written `""` so it is not read back as a blank line.
 *
 * Spreadsheets run fields that start with `=` `+` `-` `@` TAB or CR as formulas (a token
 * named `=HYPERLINK(…)` is a real attack). {@link protectFormula} prefixes such fields with
 * `'`, and also fields that already start with `'`, so {@link unprotectFormula} can undo it
 * exactly. The history export protects its text columns; its numeric columns never start
 * with a sign, so amounts stay numbers in the sheet.
 * @module
 */
import { assertInteger, assertOneOf, assertString, describe } from '../assert.js'
import { formatAmount, MAX_AMOUNT, MAX_DECIMALS, parseAmount } from '../amount.js'
import { parseAssetId, parseChainId, type AssetId, type ChainId } from '../caip.js'
import { CofferError, InvalidArgumentError } from '../errors.js'
import type { HistoryItem, TransactionState } from '../chains/adapter.js'

// ---------------------------------------------------------------------------------------------
// RFC 4180 primitives

/** Options of {@link formatCsv}. */
export interface FormatCsvOptions {
  /** Apply {@link protectFormula} to every field (default false). Also turns "-1.5" into "'-1.5". */
  readonly protectFormulas?: boolean
}

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Every record must have exactly this many fields (default: as many as the first record). */
  readonly expectColumns?: number
  /** Apply {@link unprotectFormula} to every field (default false). */
  readonly unprotectFormulas?: boolean
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', "'"])
const MUST_QUOTE = /[",\r\n]|^[ \t\uFEFF]|[ \t]$/
/** Most characters of input an error message quotes. */
const SNIPPET_LENGTH = 40

function snippet(text: string): string {
  return JSON.stringify(text.length > SNIPPET_LENGTH ? text.slice(0, SNIPPET_LENGTH) : text) + (text.length > SNIPPET_LENGTH ? '…' : '')
}

/** A value for an error message: at most {@link SNIPPET_LENGTH} characters of a string, else its type. */
function shown(value: unknown): string {
  return typeof value === 'string' ? snippet(value) : describe(value)
}

/**
 * Makes a field safe to open in a spreadsheet: prefixes `'` when it starts with `=` `+` `-`
 * `@` TAB or CR (formula triggers) or with `'` itself (so the prefix can be told apart).
 *
 * @example protectFormula('=1+1') // "'=1+1"
 */
export function protectFormula(field: string): string {
  return FORMULA_START.has(field.charAt(0)) ? `'${field}` : field
}

/**
 * Undoes {@link protectFormula}: drops a leading `'` when the next character is one it
 * would have protected. Other text is returned as is.
 */
export function unprotectFormula(field: string): string {
  return field.startsWith("'") && FORMULA_START.has(field.charAt(1)) ? field.slice(1) : field
}

/**
 * Writes records as RFC 4180 CSV: CRLF after every record, fields quoted only when needed,
 * `"` doubled inside quotes. Every record must have the same number of fields, at least one.
 *
 * @example formatCsv([['a', 'b,c']]) // 'a,"b,c"\r\n'
 * @throws InvalidArgumentError
 */
export function formatCsv(rows: readonly (readonly string[])[], options?: FormatCsvOptions): string {
  if (!Array.isArray(rows)) throw new InvalidArgumentError(`rows must be an array of string arrays, got ${describe(rows)}.`)
  const protect = options?.protectFormulas === true
  const width = (rows[0] as readonly string[] | undefined)?.length
  let out = ''
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw new InvalidArgumentError(`rows[${r}] must be a non-empty array of strings, got ${Array.isArray(row) ? 'an empty array' : describe(row)}.`)
    }
    if (row.length !== width) {
      throw new InvalidArgumentError(`rows[${r}] has ${row.length} fields, but rows[0] has ${width}; CSV records all have the same number of fields.`, {
        details: { row: r, fields: row.length, expected: width },
      })
    }
    out += row
      .map((value: unknown, f) => {
        if (typeof value !== 'string') throw new InvalidArgumentError(`rows[${r}][${f}] must be a string, got ${describe(value)}.`)
        const field = protect ? protectFormula(value) : value
        return MUST_QUOTE.test(field) || (row.length === 1 && field === '') ? `"${field.replaceAll('"', '""')}"` : field
      })
      .join(',')
    out += '\r\n'
  })
  return out
}

/** One parsed record and the line it starts on (1-based). */
interface CsvRecord {
  readonly fields: string[]
  readonly line: number
}

function syntaxError(line: number, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(`CSV line ${line}: ${problem}`, { details: { line } })
}

/** Reads records (syntax only, no column counts). A leading byte-order mark is skipped. */
function readRecords(text: string): CsvRecord[] {
  assertString(text, 'CSV text', Number.MAX_SAFE_INTEGER)
  const records: CsvRecord[] = []
  const n = text.length
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  let fields: string[] = []
  let recordLine = 1
  while (i < n) {
    // At the start of a field.
    let field = ''
    if (text[i] === '"') {
      const startLine = line
      let chunk = ++i
      for (;;) {
        if (i >= n) throw syntaxError(startLine, 'a quoted field is never closed; add the closing quote (").')
        const c = text[i]
        if (c === '"') {
          if (text[i + 1] !== '"') break
          field += text.slice(chunk, i + 1)
          chunk = i += 2
          continue
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++
        i++
      }
      field += text.slice(chunk, i++)
      if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw syntaxError(line, `text after a closing quote: ${snippet(text.slice(i))}; a quoted field must end at a comma or line break.`)
      }
    } else {
      const start = i
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') {
          throw syntaxError(line, `a quote (") inside an unquoted field: ${snippet(text.slice(start, i + 1))}; quote the whole field and double its quotes.`)
        }
        i++
      }
      field = text.slice(start, i)
    }
    fields.push(field)
    if (i >= n) break
    if (text[i] === ',') {
      i++
      if (i >= n) fields.push('') // "a," ends with an empty field
      continue
    }
    if (text[i] === '\r') {
      if (text[i + 1] !== '\n') throw syntaxError(line, 'a carriage return (CR) not followed by a line feed (LF) outside quotes.')
      i++
    }
    i++
    records.push({ fields, line: recordLine })
    fields = []
    recordLine = ++line
  }
  if (fields.length > 0) records.push({ fields, line: recordLine })
  return records
}

function checkColumns(records: readonly CsvRecord[], expected: number): void {
  for (const { fields, line } of records) {
    if (fields.length !== expected) {
      throw new InvalidArgumentError(`CSV line ${line}: ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${expected}.`, {
        details: { line, fields: fields.length, expected },
      })
    }
  }
}

/**
 * Parses RFC 4180 CSV strictly: fields may be quoted (`""` is a quote inside), records end
 * with CRLF or LF, the final line break is optional, empty fields are kept, and a leading
 * byte-order mark is skipped. A blank line is a record of one empty field. Every record must
 * have as many fields as the first (or `expectColumns`).
 *
 * @example parseCsv('a,"b,c"\r\n') // [['a', 'b,c']]
 * @throws InvalidArgumentError naming the line: a quote inside an unquoted field, text after
 *   a closing quote, an unterminated quoted field, a bare CR, or a wrong number of fields.
 */
export function parseCsv(text: string, options?: ParseCsvOptions): string[][] {
  const records = readRecords(text)
  const expected = options?.expectColumns
  if (expected !== undefined) assertInteger(expected, 'expectColumns', 1, Number.MAX_SAFE_INTEGER)
  checkColumns(records, expected ?? records[0]?.fields.length ?? 0)
  return records.map(({ fields }) => (options?.unprotectFormulas === true ? fields.map(unprotectFormula) : fields))
}

// ---------------------------------------------------------------------------------------------
// Transaction history

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
}

/**
 * Columns of the history CSV, in order. `counterparty` is the other side for people (`from`
 * for incoming, `to` otherwise); `from` and `to` keep the export lossless. Amounts are exact
 * non-negative decimals (`direction` carries the sign); empty means unknown or none.
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
] as const

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
      throw new InvalidArgumentError(`${name}.${field} is not a CAIP-19 asset id: ${shown(asset)}.`, { details: { item: i, field }, cause: error })
    }
    if (chainId !== item.chainId) throw new InvalidArgumentError(`${name}.${field} is not on chain ${item.chainId}.`, { details: { item: i, field } })
  }
  try {
    parseChainId(item.chainId)
  } catch (error) {
    throw new InvalidArgumentError(`${name}.chainId is not a CAIP-2 chain id: ${shown(item.chainId)}.`, { details: { item: i, field: 'chainId' }, cause: error })
  }
  checkAsset('asset', item.asset)
  assertOneOf(item.direction, `${name}.direction`, DIRECTIONS)
  assertOneOf(item.state, `${name}.state`, STATES)
  for (const field of ['from', 'to', 'hash'] as const) assertString(item[field], `${name}.${field}`)
  const checkUnits = (field: string, units: unknown): void => {
    if (typeof units !== 'bigint' || units < 0n || units > MAX_AMOUNT) {
      throw new InvalidArgumentError(`${name}.${field} must be a bigint from 0 to 2^256 - 1, got ${typeof units === 'bigint' ? 'a value out of range' : describe(units)}.`)
    }
  }
  checkUnits('amount', item.amount)
  assertInteger(item.decimals, `${name}.decimals`, 0, MAX_DECIMALS)
  if (item.symbol !== undefined) assertString(item.symbol, `${name}.symbol`)
  if (item.blockHeight !== undefined) assertInteger(item.blockHeight, `${name}.blockHeight`, 0, Number.MAX_SAFE_INTEGER)
  if (item.timestamp !== undefined) assertInteger(item.timestamp, `${name}.timestamp`, -MAX_TIME, MAX_TIME)
  if (item.feeDecimals !== undefined) assertInteger(item.feeDecimals, `${name}.feeDecimals`, 0, MAX_DECIMALS)
  if (item.feeSymbol !== undefined) assertString(item.feeSymbol, `${name}.feeSymbol`)
  if (item.fee !== undefined) {
    if (item.fee === null || typeof item.fee !== 'object') throw new InvalidArgumentError(`${name}.fee must be { asset, amount }, got ${describe(item.fee)}.`)
    checkAsset('fee.asset', item.fee.asset)
    checkUnits('fee.amount', item.fee.amount)
    if (item.feeDecimals === undefined) throw new InvalidArgumentError(`${name}.feeDecimals is required when ${name}.fee is present.`, { details: { item: i } })
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
    return (allowed as readonly string[]).includes(value) ? (value as T) : fail(column, `expected ${allowed.join(', ')}, got ${snippet(value)}.`)
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
      return fail(column, `${error instanceof CofferError ? error.shortMessage : 'not a decimal amount.'} Got ${snippet(raw[column])}.`, error)
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

  if (text('counterparty') !== counterpartyOf(item)) {
    fail('counterparty', `does not match "${direction === 'in' ? 'from' : 'to'}" for direction ${direction}.`)
  }
  return item
}

/**
 * Reads history written by {@link historyToCsv}: checks the header, every field (CAIP ids,
 * enums, exact amounts with their decimals, ISO dates) and rebuilds the items, so
 * `parseHistoryCsv(historyToCsv(items))` equals `items`. Empty optional columns give absent
 * keys, never `undefined` values.
 *
 * @throws InvalidArgumentError naming the line and column.
 */
export function parseHistoryCsv(text: string): CsvHistoryItem[] {
  const records = readRecords(text)
  const header = records[0]
  if (header === undefined) throw new InvalidArgumentError('History CSV is empty; expected a header row.', { details: { line: 1 } })
  const expected = HISTORY_CSV_COLUMNS.join(',')
  HISTORY_CSV_COLUMNS.forEach((column, i) => {
    const got = header.fields[i]
    if (got !== column) {
      throw new InvalidArgumentError(
        `CSV line ${header.line}: column ${i + 1} of the header is ${got === undefined ? 'missing' : snippet(got)}, expected "${column}". The header must be: ${expected}`,
        { details: { line: header.line, column: i + 1, expected: column } },
      )
    }
  })
  checkColumns(records, HISTORY_CSV_COLUMNS.length)
  return records.slice(1).map(parseHistoryRecord)
}
