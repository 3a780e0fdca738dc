/**
 * CSV for people and spreadsheets: strict RFC 4180 primitives ({@link formatCsv},
 * {@link parseCsv}); the transaction-history export built on them is in history-csv.ts.
 *
 * Records end with CRLF (the last one too). A field is quoted only when it must be: it holds
 * `,` `"` CR or LF, starts or ends with a space or tab, or starts with a byte-order mark; a
 * record of one empty field is written `""` so it is not read back as a blank line.
 *
 * Spreadsheets run fields that start with `=` `+` `-` `@` TAB or CR as formulas (a token
 * named `=HYPERLINK(…)` is a real attack). {@link protectFormula} prefixes such fields with
 * `'`, and also fields that already start with `'`, so {@link unprotectFormula} can undo it
 * exactly.
 * @module
 */
import { assertInteger, assertString, describe } from '../core/assert.js'
import { InvalidArgumentError } from '../core/errors.js'

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

/** @internal */
export function snippet(text: string): string {
  return JSON.stringify(text.length > SNIPPET_LENGTH ? text.slice(0, SNIPPET_LENGTH) : text) + (text.length > SNIPPET_LENGTH ? '…' : '')
}

/** A value for an error message: at most {@link SNIPPET_LENGTH} characters of a string, else its type. @internal */
export function shown(value: unknown): string {
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
      throw new InvalidArgumentError(
        `rows[${r}] must be a non-empty array of strings, got ${Array.isArray(row) ? 'an empty array' : describe(row)}.`,
      )
    }
    if (row.length !== width) {
      throw new InvalidArgumentError(
        `rows[${r}] has ${row.length} fields, but rows[0] has ${width}; CSV records all have the same number of fields.`,
        {
          details: { row: r, fields: row.length, expected: width },
        },
      )
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

/** One parsed record and the line it starts on (1-based). @internal */
export interface CsvRecord {
  readonly fields: string[]
  readonly line: number
}

function syntaxError(line: number, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(`CSV line ${line}: ${problem}`, { details: { line } })
}

/** Reads records (syntax only, no column counts). A leading byte-order mark is skipped. @internal */
export function readRecords(text: string): CsvRecord[] {
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
          throw syntaxError(
            line,
            `a quote (") inside an unquoted field: ${snippet(text.slice(start, i + 1))}; quote the whole field and double its quotes.`,
          )
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

/** Checks that every record has `expected` fields. @internal */
export function checkColumns(records: readonly CsvRecord[], expected: number): void {
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
